//! Design files: load → save → load is the identity, saving is byte-deterministic, and no input
//! of any kind panics the loader or the analyzer.

use infraplan::analyze::analyze;
use infraplan::io::{Format, load, parse_bytes, save, to_string};
use infraplan::model::{Component, Design, Kind, Link, Protocol, Server};
use proptest::prelude::*;
use std::path::Path;

fn reference_designs() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("designs"))
        .expect("designs/")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

#[test]
fn load_save_load_is_the_identity_in_both_formats() {
    let dir = tempfile::tempdir().expect("dir");
    for path in reference_designs() {
        let design = load(&path).expect("loads");
        for ext in ["toml", "json"] {
            let out = dir.path().join(format!("copy.{ext}"));
            save(&design, &out).expect("saves");
            let again = load(&out).expect("reloads");
            assert_eq!(design, again, "{} via {ext}", path.display());
            let first = std::fs::read(&out).expect("read");
            save(&again, &out).expect("saves again");
            assert_eq!(first, std::fs::read(&out).expect("read"), "bytes differ");
        }
    }
}

#[test]
fn reference_designs_are_saved_in_canonical_form() {
    // What `infraplan` writes is what is committed, so an editor save makes a minimal diff.
    for path in reference_designs() {
        let design = load(&path).expect("loads");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(to_string(&design, Format::Toml), text, "{}", path.display());
    }
}

#[test]
fn a_save_leaves_no_temporary_file_and_replaces_atomically() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("d.toml");
    let design = load(&reference_designs()[0]).expect("loads");
    save(&design, &out).expect("saves");
    save(&design, &out).expect("saves over");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["d.toml"]);
}

#[test]
fn saving_into_a_missing_folder_fails_cleanly() {
    let design = Design::new("x");
    let err = save(&design, Path::new("/nonexistent/folder/x.toml")).expect_err("fails");
    assert!(
        err.to_string()
            .contains("/nonexistent/folder/x.toml: cannot write"),
        "{err}"
    );
}

/// A reference design with the byte at `pos` replaced by `byte`, cut after `cut` bytes.
fn mutated(name: &str, pos: usize, byte: u8, cut: usize) -> Vec<u8> {
    let mut bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("designs")
            .join(name),
    )
    .expect("read");
    let p = pos % bytes.len();
    bytes[p] = byte;
    bytes.truncate(cut.max(1).min(bytes.len()));
    bytes
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,3}(-[0-9])?",
        Just("web-1".to_string()),
        Just("db".to_string()),
        ".{0,6}",
    ]
}

prop_compose! {
    fn arb_design()(
        comps in prop::collection::vec((id(), 0..Kind::ALL.len(), prop::option::of(id()), any::<bool>(), prop::option::of(id())), 0..12),
        servers in prop::collection::vec(id(), 0..4),
        links in prop::collection::vec((id(), id(), 0..Protocol::ALL.len()), 0..16),
    ) -> Design {
        let mut d = Design::new("arbitrary");
        d.domain = Some("example.com".into());
        for (id, kind, server, redundant, cert) in comps {
            let mut c = Component::new(id, Kind::ALL[kind]);
            c.server = server;
            c.redundant = redundant;
            c.certificate = cert;
            d.components.push(c);
        }
        for s in servers {
            d.servers.push(Server { id: s, ip: None, label: None, ..Default::default() });
        }
        for (from, to, p) in links {
            d.links.push(Link { from, to, protocol: Protocol::ALL[p], port: None, label: None });
        }
        d
    }
}

prop_compose! {
    /// Designs that are valid by construction: unique ids, links and servers that exist.
    fn valid_design()(
        comps in prop::collection::vec((0..Kind::ALL.len(), prop::option::of(0..4usize), any::<bool>(), any::<bool>()), 1..14),
        links in prop::collection::vec((0..14usize, 0..14usize, 0..Protocol::ALL.len()), 0..24),
    ) -> Design {
        let mut d = Design::new("valid");
        d.domain = Some("example.com".into());
        for s in 0..4 {
            d.servers.push(Server { id: format!("s{s}"), ip: None, label: None, ..Default::default() });
        }
        let n = comps.len();
        for (i, (kind, server, redundant, replica)) in comps.into_iter().enumerate() {
            let mut c = Component::new(format!("c{i}"), Kind::ALL[kind]);
            c.server = server.map(|s| format!("s{s}"));
            c.redundant = redundant && i % 3 == 0;
            if c.kind == Kind::Database && replica {
                c.role = Some(infraplan::model::DbRole::Replica);
            }
            d.components.push(c);
        }
        for (f, t, p) in links {
            let (f, t) = (f % n, t % n);
            // Backup links end at a backup: that is what validation asks.
            let backup_ok = !Protocol::ALL[p].is_backup() || d.components[t].kind == Kind::Backup;
            if f != t && backup_ok {
                d.links.push(Link { from: format!("c{f}"), to: format!("c{t}"), protocol: Protocol::ALL[p], port: None, label: None });
            }
        }
        d
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The analyzer and the simulator accept any design, valid or not, without panicking.
    #[test]
    fn analyzer_never_panics(d in prop_oneof![arb_design(), valid_design()]) {
        let findings = analyze(&d);
        prop_assert!(findings.windows(2).all(|w| w[0].severity >= w[1].severity));
        let ids: Vec<String> = d.components.iter().map(|c| c.id.clone()).take(2).collect();
        let _ = infraplan::analyze::simulate(&d, &ids);
        let _ = infraplan::layout::layout(&d);
    }

    /// The SPOF rules agree with the simulation of each single failure on any valid design:
    /// a failure that costs the site everything or its writes is reported (as the component's
    /// own finding, or in its server's when the server is the cause), and a component SPOF is
    /// a failure that costs that much (a single queue: the work it carries). The provider's DNS is not the design's to double; a lone
    /// primary holding data no other database holds, a self-hosted name server, and a single
    /// cache its application servers all use (what it holds is lost, the pages are served),
    /// are SPOFs that the request-path simulation does not see. Either member of a multi-primary
    /// group of two costs the writes (no majority alone): DB-QUORUM reports it.
    #[test]
    fn spofs_agree_with_simulation(d in valid_design()) {
        prop_assert!(infraplan::validate::validate(&d).is_empty());
        {
            let findings = analyze(&d);
            let spof = |f: &infraplan::analyze::Finding| f.rule == "SPOF-COMPONENT" || f.rule == "SPOF-SERVER";
            for c in d.components.iter().filter(|c| c.kind != Kind::Client && !c.redundant) {
                let loss = infraplan::analyze::simulate(&d, &[&c.id]).expect("known").loss;
                let severe = matches!(loss, infraplan::analyze::Loss::Everything | infraplan::analyze::Loss::Writes | infraplan::analyze::Loss::Work);
                // A member of a multi-primary group of two is DB-QUORUM's finding.
                let reported = findings.iter().any(|f| (spof(f) || f.rule == "DB-QUORUM") && f.concerns(&c.id));
                if c.kind != Kind::Dns || c.server.is_some() {
                    prop_assert!(!severe || reported, "{} costs {:?} and is not reported", c.id, loss);
                }
                let own = findings.iter().any(|f| {
                    f.rule == "SPOF-COMPONENT"
                        && f.components.first() == Some(&c.id)
                        && !f.message.contains("only primary of the data")
                        && !f.message.contains("only name service")
                        && !f.message.contains("is the only cache of")
                        && !f.message.contains("is the one instance of a service that")
                });
                prop_assert!(!own || severe, "{} is reported but costs {:?}", c.id, loss);
            }
        }
    }

    /// A valid arbitrary design survives the round trip through both formats.
    #[test]
    fn valid_designs_round_trip(d in prop_oneof![arb_design(), valid_design()]) {
        if infraplan::validate::validate(&d).is_empty() {
            for format in [Format::Toml, Format::Json] {
                let text = to_string(&d, format);
                let name = if format == Format::Toml { "x.toml" } else { "x.json" };
                let back = parse_bytes(Path::new(name), text.as_bytes(), format);
                prop_assert_eq!(back.ok(), Some(d.clone()));
            }
        }
    }

    /// Arbitrary bytes give an error or a design, never a panic.
    #[test]
    fn loader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for (name, format) in [("x.toml", Format::Toml), ("x.json", Format::Json)] {
            let _ = parse_bytes(Path::new(name), &bytes, format).map(|d| analyze(&d));
        }
    }

    /// Near-valid text (a real design with a few bytes changed) never panics either.
    #[test]
    fn loader_never_panics_on_mutated_designs(pos in 0usize..2000, byte in any::<u8>(), cut in 0usize..2000) {
        let bytes = mutated("02-distributed.toml", pos, byte, cut);
        if let Err(e) = parse_bytes(Path::new("m.toml"), &bytes, Format::Toml) {
            let _ = e.render(false);
        }
    }
}

/// Lines from which the differential test builds TOML documents: headers, dotted keys, inline
/// tables and arrays over the same few names, so that tables collide, extend and redefine each
/// other in every way TOML allows or forbids.
const TOML_LINES: &[&str] = &[
    "[a]",
    "[a.b]",
    "[a.b.c]",
    "[b]",
    "[b.c]",
    "[[a]]",
    "[[a.b]]",
    "[[c]]",
    "[[c.a]]",
    "[c.d]",
    "[c.b.d]",
    "a = 1",
    "b = 'x'",
    "c = \"y\\u00e9\"",
    "a.b = 2",
    "b.c = true",
    "b.a.c = 3.5",
    "\"a\" = 4",
    "c = { a = 1, b.c = 2 }",
    "c.a = { b = 1 }",
    "a = [1, 'two', [3]]",
    "c = [{ a = 1 }, { b = 2 }]",
    "b = [",
    "]",
    "# a comment",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20000))]

    /// The lean TOML reader and the toml crate agree on every document: both read it to the same
    /// value, or both refuse it.
    #[test]
    fn the_lean_toml_reader_agrees_with_the_toml_crate(lines in prop::collection::vec(prop::sample::select(TOML_LINES), 0..12)) {
        let text = lines.join("\n");
        let reference = toml::from_str::<toml::Value>(&text).ok();
        let fast = infraplan::fast_toml::from_str::<toml::Value>(&text);
        prop_assert_eq!(fast, reference, "{}", text);
    }

    /// On designs with a few bytes changed, whatever the lean reader accepts the toml crate
    /// accepts too, as the same design.
    #[test]
    fn the_lean_toml_reader_accepts_no_more_than_the_toml_crate(pos in 0usize..4000, byte in any::<u8>(), cut in 0usize..4000) {
        let bytes = mutated("04-scale-up.toml", pos, byte, cut);
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Some(fast) = infraplan::fast_toml::from_str::<Design>(text)
        {
            prop_assert_eq!(Some(fast), toml::from_str::<Design>(text).ok());
        }
    }
}

#[test]
fn the_lean_toml_reader_reads_every_reference_design_as_the_toml_crate_does() {
    for path in reference_designs() {
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).expect("read");
            let fast = infraplan::fast_toml::from_str::<Design>(&text);
            assert!(fast.is_some(), "{}", path.display());
            assert_eq!(
                fast,
                toml::from_str::<Design>(&text).ok(),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn the_documented_example_is_valid() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/format.md"))
        .expect("docs/format.md");
    let start = doc.find("```toml\n").expect("an example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("closed");
    let design = parse_bytes(
        Path::new("example.toml"),
        &doc.as_bytes()[start..end],
        Format::Toml,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(design.accepted.len(), 1);
}

#[test]
fn a_keeping_save_writes_json_canonically_and_keeps_permissions() {
    use infraplan::io::save_keeping;
    let dir = tempfile::tempdir().expect("dir");
    let design = load(&reference_designs()[0]).expect("loads");
    // JSON has no comments to keep: whatever the original text, the canonical bytes.
    let json = dir.path().join("d.json");
    let written = save_keeping(
        &design,
        &json,
        Some("{ \"version\": 1, \"name\": \"old\" }"),
    )
    .expect("saves");
    assert_eq!(written, to_string(&design, Format::Json));
    assert_eq!(std::fs::read_to_string(&json).expect("read"), written);
    // TOML keeps the original's comments; the file keeps its mode.
    let toml_path = dir.path().join("d.toml");
    let original = format!("# kept\n{}", to_string(&design, Format::Toml));
    std::fs::write(&toml_path, &original).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&toml_path, std::fs::Permissions::from_mode(0o640))
            .expect("chmod");
    }
    let mut moved = design.clone();
    moved.components[0].x = Some(moved.components[0].x.unwrap_or(0) + 1);
    let written = save_keeping(&moved, &toml_path, Some(&original)).expect("saves");
    assert!(written.starts_with("# kept\n"), "{written}");
    assert_eq!(load(&toml_path).expect("reloads"), moved);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&toml_path)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o640);
    }
}

mod common;

/// Runs the binary on `args` with a time limit, giving the exit status and stderr.
fn run_bounded(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = common::infraplan()
        .args(args)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let fifo = d.join("pipe.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let zero = d.join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let looping = d.join("loop.toml");
    std::os::unix::fs::symlink(d.join("loop2.toml"), &looping).expect("symlink");
    std::os::unix::fs::symlink(&looping, d.join("loop2.toml")).expect("symlink");
    let dangling = d.join("dangling.toml");
    std::os::unix::fs::symlink(d.join("gone.toml"), &dangling).expect("symlink");
    let folder = d.join("folder.toml");
    std::fs::create_dir(&folder).expect("mkdir");
    let cases = [
        (&fifo, "is a named pipe (FIFO), not a regular file"),
        (&zero, "is a character device, not a regular file"),
        (&looping, "is a symbolic link that loops"),
        (&dangling, "is a symbolic link to"),
        (&folder, "is a directory"),
    ];
    for (path, expected) in cases {
        for command in ["validate", "analyze", "edit"] {
            let (code, err) = run_bounded(&[command.as_ref(), path.as_os_str()]);
            assert_eq!(code, 2, "{command} {}: {err}", path.display());
            assert!(
                err.contains(&path.display().to_string()) && err.contains(expected),
                "{command} {}: {err}",
                path.display()
            );
        }
    }
    let (_, err) = run_bounded(&["validate".as_ref(), dangling.as_os_str()]);
    assert!(err.contains("gone.toml, which does not exist"), "{err}");
    // The links are still links, the pipe a pipe: nothing was replaced.
    assert!(
        std::fs::symlink_metadata(&dangling)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    // A link to a regular file is read as that file.
    let link = d.join("simple.toml");
    std::os::unix::fs::symlink(common::design("01-simple.toml"), &link).expect("symlink");
    let (code, err) = run_bounded(&["validate".as_ref(), link.as_os_str()]);
    assert_eq!(code, 0, "{err}");
}

#[cfg(unix)]
#[test]
fn the_editor_tells_a_missing_file_from_one_it_cannot_read() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("new.toml");
    assert!(
        infraplan::io::load_existing(&missing)
            .expect("no error")
            .is_none()
    );
    let app = infraplan::editor::open(Some(missing.clone())).expect("a new design");
    assert!(app.original.is_none());
    let dangling = dir.path().join("dangling.toml");
    std::os::unix::fs::symlink(dir.path().join("gone.toml"), &dangling).expect("symlink");
    let Err(err) = infraplan::editor::open(Some(dangling.clone())) else {
        panic!("a dangling link is an error, not a new design");
    };
    assert!(err.to_string().contains("symbolic link"), "{err}");
    let real = dir.path().join("real.toml");
    std::fs::copy(common::design("01-simple.toml"), &real).expect("copy");
    let (design, text) = infraplan::io::load_existing(&real)
        .expect("loads")
        .expect("exists");
    assert_eq!(design.name, load(&real).expect("loads").name);
    assert_eq!(text, std::fs::read_to_string(&real).expect("read"));
}

/// A design with one component and `n` links from it to itself.
fn self_links(n: usize) -> String {
    let mut text = String::from(
        "version = 1\nname = \"flood\"\n\n[[components]]\nid = \"a\"\nkind = \"web_server\"\n",
    );
    for _ in 0..n {
        text.push_str("\n[[links]]\nfrom = \"a\"\nto = \"a\"\nprotocol = \"http\"\n");
    }
    text
}

#[test]
fn a_flood_of_problems_is_located_in_linear_time_and_printed_in_a_first_batch() {
    let text = self_links(20_000);
    let start = std::time::Instant::now();
    let err =
        parse_bytes(Path::new("flood.toml"), text.as_bytes(), Format::Toml).expect_err("invalid");
    let rendered = err.render(false);
    let plain = err.to_string();
    let took = start.elapsed();
    // Quadratic work (a parse per problem) takes minutes here; linear work well under a second
    // even in a debug build.
    assert!(took.as_secs() < 20, "took {took:?}");
    let infraplan::io::DesignError::Invalid(inv) = &err else {
        panic!("{err}")
    };
    assert_eq!(inv.problems.len(), 20_000);
    // Every problem keeps its place: the last link's `to` is 3 lines before the end.
    let last = inv.problems.last().expect("problems");
    assert_eq!(last.line, text.lines().count() - 1, "{last:?}");
    assert_eq!(last.column, 1);
    for shown in [&rendered, &plain] {
        assert_eq!(
            shown.matches("link from `a` to itself").count(),
            50,
            "{shown:.400}"
        );
        assert!(
            shown.contains("… and 19950 more problems"),
            "{}",
            &shown[shown.len().saturating_sub(400)..]
        );
    }
}

#[test]
fn sequences_are_refused_where_tables_are_expected() {
    let toml = "version = 1\nname = \"x\"\ncomponents = [[\"a\", \"client\"]]\n";
    let err = parse_bytes(Path::new("seq.toml"), toml.as_bytes(), Format::Toml)
        .expect_err("a list is not a component");
    let message = err.to_string();
    assert!(
        message.starts_with("seq.toml:3:") && message.contains("a table"),
        "{message}"
    );
    let json = "{\"version\": 1, \"name\": \"x\",\n\"components\": [[\"a\", \"client\"]]}";
    let err = parse_bytes(Path::new("seq.json"), json.as_bytes(), Format::Json)
        .expect_err("a list is not a component");
    let message = err.to_string();
    assert!(
        message.starts_with("seq.json:2:") && message.contains("an object"),
        "{message}"
    );
    // A table inside an array of tables is still fine, in both formats.
    let inline = "version = 1\nname = \"x\"\ncomponents = [{ id = \"a\", kind = \"client\" }]\n";
    assert!(parse_bytes(Path::new("t.toml"), inline.as_bytes(), Format::Toml).is_ok());
}

#[test]
fn hostile_shapes_get_a_line_and_a_readable_excerpt() {
    // Deep nesting: the line, words a person understands, and part of the line drawn.
    let deep = format!(
        "version = 1\nname = \"x\"\ndescription = {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let err =
        parse_bytes(Path::new("deep.toml"), deep.as_bytes(), Format::Toml).expect_err("too deep");
    let message = err.to_string();
    assert!(message.starts_with("deep.toml:3:"), "{message:.300}");
    assert!(message.contains("nested too deeply"), "{message:.300}");
    let rendered = err.render(false);
    assert!(rendered.contains(" 3 │ "), "{rendered:.2000}");
    assert!(rendered.len() < 2_000, "{}", rendered.len());
    let deep_json = format!(
        "{{\"version\": 1, \"name\": {}{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let err = parse_bytes(Path::new("deep.json"), deep_json.as_bytes(), Format::Json)
        .expect_err("too deep");
    // serde_json refuses the first `[` where a name is expected, before any recursion.
    let message = err.to_string();
    assert!(message.starts_with("deep.json:1:"), "{message:.300}");
    let rendered = err.render(false);
    assert!(rendered.contains(" 1 │ {\"version\""), "{rendered:.2000}");
    assert!(rendered.len() < 2_000, "{}", rendered.len());

    // A 1 MB id is excerpted, never echoed whole.
    let huge = "a".repeat(1_000_000);
    let text = format!(
        "version = 1\nname = \"x\"\n\n[[components]]\nid = \"{huge}\"\nkind = \"client\"\n\n[[components]]\nid = \"{huge}\"\nkind = \"client\"\n\n[[components]]\nid = \"b\"\nkind = \"nope-{huge}\"\n"
    );
    let err = parse_bytes(Path::new("huge.toml"), text.as_bytes(), Format::Toml)
        .expect_err("unknown kind");
    assert!(err.to_string().len() < 1_000, "{}", err.to_string().len());
    assert!(
        err.render(false).len() < 3_000,
        "{}",
        err.render(false).len()
    );
    let text = text.replace(&format!("nope-{huge}"), "client");
    let err = parse_bytes(Path::new("huge.toml"), text.as_bytes(), Format::Toml)
        .expect_err("duplicate id");
    let message = err.to_string();
    assert!(
        message.starts_with("huge.toml:9:") && message.contains("duplicate id `aaaa"),
        "{message:.300}"
    );
    assert!(
        message.contains("…") && message.len() < 1_000,
        "{}",
        message.len()
    );
    assert!(
        err.render(false).len() < 3_000,
        "{}",
        err.render(false).len()
    );

    // JSON `null` says what was expected in this page's words.
    for text in [
        "null",
        "{\"version\": 1, \"name\": \"x\", \"components\": [null]}",
    ] {
        let err =
            parse_bytes(Path::new("n.json"), text.as_bytes(), Format::Json).expect_err("null");
        let message = err.to_string();
        assert!(message.starts_with("n.json:1:"), "{message}");
        assert!(!message.contains("struct"), "{message}");
        assert!(message.contains("null"), "{message}");
    }
}

#[test]
fn the_size_limit_is_said_in_mib() {
    let dir = tempfile::tempdir().expect("dir");
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(infraplan::io::MAX_FILE_BYTES + 1024 * 1024)
        .expect("sparse file");
    let err = load(&big).expect_err("too large");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: is 33.0 MiB; infraplan reads design files of up to 32 MiB",
            big.display()
        )
    );
    let bytes = vec![b' '; infraplan::io::MAX_FILE_BYTES as usize + 1];
    let err = parse_bytes(Path::new("x.toml"), &bytes, Format::Toml).expect_err("too large");
    assert!(err.to_string().contains("MiB"), "{err}");
}
