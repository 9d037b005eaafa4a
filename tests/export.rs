//! `infraplan export`: DOT snapshots, both SVG engines, the committed diagrams, and every way
//! an export can fail (exit 2, a clear message, nothing half-written).

use assert_cmd::Command;
use infraplan::export::{self, Engine, Format, Marks, Options};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn designs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("designs"))
        .expect("designs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "the reference designs");
    files
}

fn stem(p: &Path) -> String {
    p.file_stem().expect("stem").to_string_lossy().into_owned()
}

mod common;

/// The binary, with Graphviz found the usual way (not through the override).
fn infraplan() -> Command {
    let mut cmd = common::infraplan();
    cmd.env_remove(export::graphviz::DOT_ENV);
    cmd
}

/// Whether Graphviz is installed; tests of the `dot` path say so and skip without it.
fn have_dot() -> bool {
    let found = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("note: Graphviz `dot` is not installed; skipping the dot path (CI installs it)");
    }
    found
}

fn all_text(svg: &str) -> String {
    // Graphviz writes a DOCTYPE; roxmltree refuses DTDs unless asked.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(svg, opts).expect("well-formed SVG");
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The components (and with `servers`, the servers) whose name the text of an SVG lacks.
fn not_drawn<'d>(design: &'d infraplan::model::Design, text: &str, servers: bool) -> Vec<&'d str> {
    let components = design
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.display_name()));
    let servers = design
        .servers
        .iter()
        .filter(|_| servers)
        .map(|s| (s.id.as_str(), s.display_name()));
    components
        .chain(servers)
        .filter(|(_, name)| !text.contains(name))
        .map(|(id, _)| id)
        .collect()
}

fn options(format: Format, engine: Option<Engine>, annotate: bool) -> Options {
    Options {
        format,
        engine,
        annotate,
        ..Options::default()
    }
}

#[test]
fn dot_snapshots_of_the_reference_designs() {
    for path in designs() {
        let design = infraplan::io::load(&path).expect("valid");
        insta::assert_snapshot!(
            format!("dot-{}", stem(&path)),
            export::dot::to_dot(&design, None)
        );
    }
}

#[test]
fn exported_dot_parses_back_with_graphviz_rust() {
    for path in designs()
        .into_iter()
        .chain([root().join("tests/fixtures/hostile-labels.toml")])
    {
        let design = infraplan::io::load(&path).expect("valid");
        for annotate in [false, true] {
            let marks = annotate.then(|| Marks::new(&design));
            let dot = export::dot::to_dot(&design, marks.as_ref());
            graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

#[test]
fn builtin_svg_is_xml_with_every_label() {
    for path in designs() {
        let design = infraplan::io::load(&path).expect("valid");
        let out = export::render(&design, &options(Format::Svg, Some(Engine::Builtin), true))
            .expect("builtin renders");
        assert_eq!(out.engine, Some(Engine::Builtin));
        let text = all_text(&String::from_utf8(out.bytes).expect("utf-8"));
        let missing = not_drawn(&design, &text, false);
        assert!(missing.is_empty(), "{}: {missing:?}", path.display());
    }
}

#[test]
fn dot_svg_is_xml_with_every_label() {
    if !have_dot() {
        return;
    }
    for path in designs() {
        let design = infraplan::io::load(&path).expect("valid");
        for annotate in [false, true] {
            let out = export::render(&design, &options(Format::Svg, Some(Engine::Dot), annotate))
                .expect("dot renders");
            let text = all_text(&String::from_utf8(out.bytes).expect("utf-8"));
            let missing = not_drawn(&design, &text, true);
            assert!(missing.is_empty(), "{}: {missing:?}", path.display());
            assert!(text.contains("www.foobar.com"), "the DNS record");
            assert!(text.contains("Legend"));
            assert_eq!(text.contains("Findings"), annotate);
        }
    }
}

#[test]
fn dot_accepts_hostile_labels_and_shows_them_as_written() {
    if !have_dot() {
        return;
    }
    let path = root().join("tests/fixtures/hostile-labels.toml");
    let design = infraplan::io::load(&path).expect("valid");
    let out = export::render(&design, &options(Format::Svg, Some(Engine::Dot), true))
        .expect("dot accepts the escaped DOT");
    let text = all_text(&String::from_utf8(out.bytes).expect("utf-8"));
    for shown in [
        "Quotes \" back\\slash <b>{x}|&amp; ünï ☃",
        "Server \"one\" \\ <main>",
        "Browser {a|b} & <c>",
        // `]` first in a text trips Graphviz 2.43's HTML lexer unless escaped; a tab is a space.
        "] [x] Tab",
        // A newline in a label is a line break; `\n` typed as two characters is not.
        "Line one",
        "line \"two\" \\n not a break",
        "Nginx <1.25> & {mods}|x",
        "Ünïcödé ☃ 数据库 &lt; literal",
        "says \"hi\" <&>",
    ] {
        assert!(text.contains(shown), "missing {shown:?} in\n{text}");
    }
}

#[test]
fn png_through_dot() {
    if !have_dot() {
        return;
    }
    let design = infraplan::io::load(&designs()[0]).expect("valid");
    let out = export::render(&design, &options(Format::Png, None, false)).expect("png");
    assert_eq!(out.engine, Some(Engine::Dot));
    assert!(out.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[test]
fn committed_diagrams_are_fresh() {
    let dir = root().join("assets/diagrams");
    for path in designs() {
        let design = infraplan::io::load(&path).expect("valid");
        let dot = export::dot::to_dot(&design, Some(&Marks::new(&design)));
        let committed = dir.join(format!("{}.dot", stem(&path)));
        let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            on_disk == dot,
            "{} is stale or missing: run scripts/diagrams.sh and commit assets/diagrams",
            committed.display()
        );
        let svg = dir.join(format!("{}.svg", stem(&path)));
        let svg = std::fs::read_to_string(&svg)
            .unwrap_or_else(|_| panic!("{} is missing: run scripts/diagrams.sh", svg.display()));
        let missing = not_drawn(&design, &all_text(&svg), false);
        assert!(
            missing.is_empty(),
            "{}: {missing:?} not drawn; run scripts/diagrams.sh",
            path.display()
        );
    }
}

// ---- The command line ----

#[test]
fn format_follows_the_extension_and_dash_is_stdout() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("d.dot");
    infraplan()
        .arg("export")
        .arg(&designs()[0])
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote DOT to"));
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(text.starts_with("digraph "));
    infraplan()
        .arg("export")
        .arg(&designs()[0])
        .args(["--format", "dot", "-o", "-"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "digraph \"Simple web infrastructure\"",
        ))
        .stdout(predicate::eq(text));
}

#[test]
fn builtin_engine_is_named_on_stderr() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("d.svg");
    infraplan()
        .arg("export")
        .arg(&designs()[1])
        .args(["--engine", "builtin", "--annotate", "-o"])
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("with the built-in renderer"));
    roxmltree::Document::parse(&std::fs::read_to_string(&out).expect("written")).expect("xml");
}

#[test]
fn without_graphviz_svg_falls_back_to_builtin_and_png_says_why() {
    let empty = tempfile::tempdir().expect("tmp");
    let dir = tempfile::tempdir().expect("tmp");
    let svg = dir.path().join("d.svg");
    infraplan()
        .env("PATH", empty.path())
        .arg("export")
        .arg(&designs()[0])
        .arg("-o")
        .arg(&svg)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("with the built-in renderer"));
    let png = dir.path().join("d.png");
    infraplan()
        .env("PATH", empty.path())
        .arg("export")
        .arg(&designs()[0])
        .arg("-o")
        .arg(&png)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PNG needs Graphviz `dot`"));
    assert!(!png.exists());
    infraplan()
        .env("PATH", empty.path())
        .arg("export")
        .arg(&designs()[0])
        .args(["--engine", "dot", "-o"])
        .arg(&svg)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Graphviz `dot` not found; install graphviz or use --engine builtin",
        ));
}

#[test]
fn export_all_writes_one_file_per_design() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("diagrams");
    infraplan()
        .args(["export", "--all"])
        .arg(root().join("designs"))
        .arg("-o")
        .arg(&out)
        .args(["--format", "dot", "--annotate"])
        .assert()
        .code(0);
    for path in designs() {
        assert!(out.join(format!("{}.dot", stem(&path))).is_file());
    }
}

#[test]
fn invalid_design_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"toaster\"\n",
    )
    .expect("write");
    let out = dir.path().join("bad.svg");
    infraplan()
        .arg("export")
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml"))
        .stderr(predicate::str::contains("toaster"));
    assert!(!out.exists());
}

#[test]
fn missing_folder_and_unwritable_path_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("no/such/folder/d.svg");
    infraplan()
        .arg("export")
        .arg(&designs()[0])
        .arg("-o")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    // /proc refuses new files even to root.
    if Path::new("/proc/self").exists() {
        infraplan()
            .arg("export")
            .arg(&designs()[0])
            .args(["--format", "dot", "-o", "/proc/infraplan-test.dot"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "/proc/infraplan-test.dot: cannot write",
            ));
    }
    infraplan()
        .arg("export")
        .arg(dir.path().join("missing.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
}

#[test]
fn usage_errors_exit_2() {
    infraplan()
        .arg("export")
        .arg(&designs()[0])
        .args(["-o", "x.pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown extension `.pdf`"));
    infraplan()
        .arg("export")
        .arg(&designs()[0])
        .args(["-o", "x.svg", "--format", "png"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("contradicts"));
    infraplan()
        .args(["export", "--all"])
        .arg(root().join("designs"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--all needs -o OUTDIR"));
}

/// A fake `dot`: a shell script with the given body.
#[cfg(unix)]
fn fake_dot(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-dot");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Runs an export through a fake `dot` into a file that already holds "old"; checks exit 2,
/// the message, and that the old file is untouched and no temporary file is left.
#[cfg(unix)]
fn fails_cleanly(body: &str, extra: &[&str], message: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let dot = fake_dot(dir.path(), body);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let out = out_dir.join("d.svg");
    std::fs::write(&out, "old").expect("write");
    infraplan()
        .env(export::graphviz::DOT_ENV, &dot)
        .arg("export")
        .arg(&designs()[0])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
    assert_eq!(std::fs::read_to_string(&out).expect("still there"), "old");
    assert_eq!(
        std::fs::read_dir(&out_dir).expect("ls").count(),
        1,
        "no stray files"
    );
}

#[cfg(unix)]
#[test]
fn dot_crashing_is_reported() {
    fails_cleanly(
        "echo 'Error: syntax error in line 1 near boom' >&2; exit 3",
        &[],
        "Graphviz `dot` failed (exit status 3): Error: syntax error in line 1 near boom",
    );
    fails_cleanly("kill -SEGV $$", &[], "killed by signal 11");
    fails_cleanly("exit 0", &[], "dot` failed (no output)");
}

#[cfg(unix)]
#[test]
fn dot_hanging_is_killed_after_the_timeout() {
    let start = std::time::Instant::now();
    fails_cleanly(
        "exec sleep 30",
        &["--timeout", "1"],
        "ran longer than 1 s and was stopped",
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[cfg(unix)]
#[test]
fn dot_gets_newrank_and_arguments_without_a_shell() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("args");
    // Records its arguments, then writes a tiny SVG where -o says.
    let dot = fake_dot(
        dir.path(),
        &format!(
            "printf '%s\\n' \"$@\" > '{}'\nwhile [ $# -gt 1 ]; do if [ \"$1\" = -o ]; then echo '<svg xmlns=\"http://www.w3.org/2000/svg\"/>' > \"$2\"; fi; shift; done",
            log.display()
        ),
    );
    let out = dir.path().join("d.svg");
    infraplan()
        .env(export::graphviz::DOT_ENV, &dot)
        .arg("export")
        .arg(&designs()[0])
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("with Graphviz `dot`"));
    let args = std::fs::read_to_string(&log).expect("args logged");
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(&args[..3], &["-Gnewrank=true", "-Tsvg", "-o"]);
    assert!(
        std::fs::read_to_string(&out)
            .expect("out")
            .starts_with("<svg")
    );
}

#[test]
fn far_away_positions_are_refused_by_the_builtin_renderer_not_a_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut design = infraplan::io::load(&designs()[0]).expect("design 1");
    for c in &mut design.components {
        match c.kind {
            infraplan::model::Kind::Client => (c.x, c.y) = (Some(2147483000), Some(-2147483000)),
            infraplan::model::Kind::WebServer => (c.x, c.y) = (Some(-2147483000), Some(2147483000)),
            _ => {}
        }
    }
    let text = infraplan::io::to_string(&design, infraplan::io::Format::Toml);
    let path = dir.path().join("far.toml");
    std::fs::write(&path, text).expect("write");
    infraplan()
        .arg("export")
        .arg(&path)
        .args(["--engine", "builtin", "-o"])
        .arg(dir.path().join("far.svg"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "component `user` sits at x = 2147483000, y = -2147483000",
        ));
    assert!(!dir.path().join("far.svg").exists());
}

mod properties {
    use super::*;
    use infraplan::model::{Component, Design, Kind, Link, Protocol, Server};
    use proptest::prelude::*;

    /// Any text, control characters and markup included.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,12}",
            ".{0,12}",
            prop::collection::vec(any::<char>(), 0..12).prop_map(|v| v.into_iter().collect()),
        ]
    }

    fn design() -> impl Strategy<Value = Design> {
        (
            text(),
            prop::collection::vec((text(), text(), 0..Kind::ALL.len(), any::<bool>()), 1..8),
            prop::collection::vec(
                (
                    any::<prop::sample::Index>(),
                    any::<prop::sample::Index>(),
                    0..Protocol::ALL.len(),
                    text(),
                ),
                0..10,
            ),
            prop::collection::vec((-50i32..200, -50i32..200), 0..8),
        )
            .prop_map(|(name, comps, links, positions)| {
                let mut d = Design::new(name);
                d.servers.push(Server {
                    id: "s\"1<>".into(),
                    ip: Some("10.0.0.1".into()),
                    label: Some("a & b".into()),
                    ..Default::default()
                });
                for (i, (label, software, kind, on_server)) in comps.into_iter().enumerate() {
                    let mut c = Component::new(format!("{i}-{label}"), Kind::ALL[kind]);
                    c.label = Some(label);
                    c.software = Some(software);
                    c.server = on_server.then(|| "s\"1<>".to_string());
                    if let Some(&(x, y)) = positions.get(i) {
                        c.x = Some(x);
                        c.y = Some(y);
                    }
                    d.components.push(c);
                }
                let n = d.components.len();
                for (f, t, p, label) in links {
                    let (f, t) = (f.index(n), t.index(n));
                    if f != t {
                        d.links.push(Link {
                            from: d.components[f].id.clone(),
                            to: d.components[t].id.clone(),
                            protocol: Protocol::ALL[p],
                            port: None,
                            label: Some(label),
                        });
                    }
                }
                d
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the names and labels, the DOT reads back and the built-in SVG is XML
        /// that holds every label (control characters shown as U+FFFD).
        #[test]
        fn any_design_exports_to_dot_that_parses_and_svg_that_is_xml(d in design()) {
            let marks = Marks::new(&d);
            let dot = export::dot::to_dot(&d, Some(&marks));
            prop_assert!(graphviz_rust::parse(&dot).is_ok(), "{}", dot);
            let svg = export::svg::to_svg(&d, Some(&marks));
            let doc = roxmltree::Document::parse(&svg);
            prop_assert!(doc.is_ok(), "{:?}", doc.err());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// Graphviz itself accepts the DOT of any design and draws well-formed SVG.
        #[test]
        fn dot_accepts_any_design(d in design()) {
            if let Some(gv) = export::graphviz::Graphviz::locate(std::time::Duration::from_secs(60)) {
                let svg = gv.render(&export::dot::to_dot(&d, Some(&Marks::new(&d))), Format::Svg);
                prop_assert!(svg.is_ok(), "{:?}", svg.err());
                let svg = String::from_utf8(svg.unwrap_or_default());
                prop_assert!(svg.is_ok());
            }
        }
    }
}

/// The geometry of the built-in SVG, read back from the drawing: no link passes through a box
/// that is not one of its ends or runs along the border of a server frame that holds neither
/// of its ends, no label (a link's label or a DNS tag) touches a box, a line or another label,
/// and every link ends with room for its arrowhead.
mod geometry {
    use super::*;
    use infraplan::model::{Component, Design, Kind, Link, Protocol, Server};
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy)]
    struct R {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    }

    impl R {
        fn overlaps(&self, o: &R) -> bool {
            self.x < o.x + o.w
                && o.x < self.x + self.w
                && self.y < o.y + o.h
                && o.y < self.y + self.h
        }
        /// Whether the segment from `a` to `b` passes through the interior (1 px in).
        fn cut_by(&self, a: (f64, f64), b: (f64, f64)) -> bool {
            let (x0, y0, x1, y1) = (
                self.x + 1.0,
                self.y + 1.0,
                self.x + self.w - 1.0,
                self.y + self.h - 1.0,
            );
            // Sample the segment finely; segments are axis-aligned or short.
            let len = ((b.0 - a.0).abs() + (b.1 - a.1).abs()).max(1.0);
            let steps = (len / 2.0).ceil() as usize;
            (0..=steps).any(|k| {
                let t = k as f64 / steps as f64;
                let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                x > x0 && x < x1 && y > y0 && y < y1
            })
        }
    }

    fn num(n: roxmltree::Node, key: &str) -> f64 {
        n.attribute(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{key} on {n:?}"))
    }

    fn rect_of(n: roxmltree::Node) -> R {
        R {
            x: num(n, "x"),
            y: num(n, "y"),
            w: num(n, "width"),
            h: num(n, "height"),
        }
    }

    /// The points of a path's `d` (absolute M, L and C; a curve is sampled).
    fn polyline(d: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut cmd = ' ';
        let mut nums: Vec<f64> = Vec::new();
        let flush = |cmd: char, nums: &mut Vec<f64>, out: &mut Vec<(f64, f64)>| {
            match cmd {
                'M' | 'L' => out.extend(nums.chunks(2).map(|p| (p[0], p[1]))),
                'C' => {
                    for c in nums.chunks(6) {
                        let s = *out.last().expect("a curve starts somewhere");
                        for k in 1..=16 {
                            let t = k as f64 / 16.0;
                            let u = 1.0 - t;
                            let bz = |a: f64, b: f64, c: f64, d: f64| {
                                u * u * u * a
                                    + 3.0 * u * u * t * b
                                    + 3.0 * u * t * t * c
                                    + t * t * t * d
                            };
                            out.push((bz(s.0, c[0], c[2], c[4]), bz(s.1, c[1], c[3], c[5])));
                        }
                    }
                }
                _ => {}
            }
            nums.clear();
        };
        let mut token = String::new();
        for ch in d.chars().chain([' ']) {
            if ch.is_ascii_alphabetic() || ch == ' ' || ch == ',' {
                if !token.is_empty() {
                    nums.push(token.parse().expect("a number"));
                    token.clear();
                }
                if ch.is_ascii_alphabetic() {
                    flush(cmd, &mut nums, &mut out);
                    cmd = ch;
                }
            } else if ch == '-' && !token.is_empty() {
                nums.push(token.parse().expect("a number"));
                token = "-".into();
            } else {
                token.push(ch);
            }
        }
        flush(cmd, &mut nums, &mut out);
        out
    }

    /// Closer than this to a frame's border, a line parallel to it reads as running along it.
    const ALONG: f64 = 8.0;

    /// Which border of frame `fr` the axis-aligned segment from `a` to `b` runs along (within
    /// [`ALONG`], for more than [`ALONG`] of its length), if any.
    fn runs_along(fr: &R, a: (f64, f64), b: (f64, f64)) -> Option<&'static str> {
        let overlap = |lo: f64, hi: f64, s: f64, e: f64| s.max(e).min(hi) - s.min(e).max(lo);
        if (a.1 - b.1).abs() < 0.5 {
            for (y, side) in [(fr.y, "top"), (fr.y + fr.h, "bottom")] {
                if (a.1 - y).abs() < ALONG && overlap(fr.x, fr.x + fr.w, a.0, b.0) > ALONG {
                    return Some(side);
                }
            }
        } else if (a.0 - b.0).abs() < 0.5 {
            for (x, side) in [(fr.x, "left"), (fr.x + fr.w, "right")] {
                if (a.0 - x).abs() < ALONG && overlap(fr.y, fr.y + fr.h, a.1, b.1) > ALONG {
                    return Some(side);
                }
            }
        }
        None
    }

    /// What is wrong with the geometry of `svg`, one line per problem.
    pub(super) fn problems(svg: &str) -> Vec<String> {
        problems_of(svg, false)
    }

    /// [`problems`], and, with `frames`, the lines that run along the border of a server
    /// frame that holds neither of their ends.
    fn problems_of(svg: &str, frames_too: bool) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        let mut boxes: Vec<(usize, R)> = Vec::new();
        // (from, to, points) of every link drawn.
        type Drawn = (usize, usize, Vec<(f64, f64)>);
        let mut links: Vec<Drawn> = Vec::new();
        let mut labels: Vec<(&str, R)> = Vec::new();
        let mut frames: Vec<R> = Vec::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            match (n.tag_name().name(), n.attribute("class")) {
                ("g", Some("server")) => {
                    let r = n
                        .children()
                        .find(|c| c.tag_name().name() == "rect")
                        .expect("a server frame's outline");
                    frames.push(rect_of(r));
                }
                ("g", Some("component")) => {
                    let i: usize = num(n, "data-i") as usize;
                    let v: Vec<f64> = n
                        .attribute("data-box")
                        .expect("data-box")
                        .split(' ')
                        .map(|s| s.parse().expect("number"))
                        .collect();
                    let r = R {
                        x: v[0],
                        y: v[1],
                        w: v[2],
                        h: v[3],
                    };
                    // The outline drawn is the box stated.
                    let shape = n
                        .children()
                        .find(|c| matches!(c.tag_name().name(), "rect" | "path"))
                        .expect("an outline");
                    let start = match shape.tag_name().name() {
                        "rect" => (num(shape, "x"), num(shape, "y")),
                        _ => polyline(
                            shape
                                .attribute("d")
                                .unwrap_or_default()
                                .split('a')
                                .next()
                                .unwrap_or_default(),
                        )[0],
                    };
                    assert!(
                        start.0 >= r.x
                            && start.0 <= r.x + r.w
                            && start.1 >= r.y
                            && start.1 <= r.y + r.h,
                        "outline of {i} starts at {start:?}, outside its box {r:?}"
                    );
                    boxes.push((i, r));
                }
                ("path", Some("link")) => {
                    let f = num(n, "data-from") as usize;
                    let t = num(n, "data-to") as usize;
                    links.push((f, t, polyline(n.attribute("d").expect("d"))));
                }
                ("g", Some(class @ ("label" | "dns"))) => {
                    let r = n
                        .children()
                        .find(|c| c.tag_name().name() == "rect")
                        .expect("rect");
                    labels.push((class, rect_of(r)));
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        let inside = |b: &R, f: &R| {
            b.x >= f.x && b.y >= f.y && b.x + b.w <= f.x + f.w && b.y + b.h <= f.y + f.h
        };
        let box_of = |i: usize| boxes.iter().find(|(j, _)| *j == i).map(|(_, b)| *b);
        for (f, t, pts) in &links {
            // The frames of neither end: a line keeps off their borders.
            let others: Vec<&R> = frames
                .iter()
                .filter(|_| frames_too)
                .filter(|fr| {
                    [*f, *t]
                        .iter()
                        .all(|&i| box_of(i).is_none_or(|b| !inside(&b, fr)))
                })
                .collect();
            for w in pts.windows(2) {
                for fr in &others {
                    if let Some(side) = runs_along(fr, w[0], w[1]) {
                        out.push(format!(
                            "link {f}→{t} runs along the {side} border of the frame at {fr:?}: \
                             {:?}→{:?}",
                            w[0], w[1]
                        ));
                    }
                }
                for (i, b) in &boxes {
                    if i != f && i != t && b.cut_by(w[0], w[1]) {
                        out.push(format!(
                            "link {f}→{t} passes through box {i}: {:?}→{:?}",
                            w[0], w[1]
                        ));
                    }
                }
                for (class, l) in &labels {
                    if l.cut_by(w[0], w[1]) {
                        out.push(format!("link {f}→{t} runs under a {class} at {l:?}"));
                    }
                }
            }
            let n = pts.len();
            let last =
                ((pts[n - 1].0 - pts[n - 2].0).abs() + (pts[n - 1].1 - pts[n - 2].1).abs()) as i64;
            if last < 10 {
                out.push(format!(
                    "link {f}→{t} ends in {last} px, too short for its arrowhead"
                ));
            }
        }
        for (k, (class, l)) in labels.iter().enumerate() {
            for (i, b) in &boxes {
                if l.overlaps(b) {
                    out.push(format!("a {class} at {l:?} covers box {i}"));
                }
            }
            for (other, m) in &labels[k + 1..] {
                if l.overlaps(m) {
                    out.push(format!("a {class} at {l:?} covers a {other} at {m:?}"));
                }
            }
        }
        out
    }

    /// Checks `design`'s SVG; `frames`: its lines along other servers' frames too.
    fn check_with(what: &str, design: &Design, frames: bool) -> usize {
        let mut found = 0;
        for marks in [None, Some(Marks::new(design))] {
            let svg = export::svg::to_svg(design, marks.as_ref());
            let p = problems_of(&svg, frames);
            found += p.len();
            if std::env::var_os("GEOMETRY_COUNT").is_none() {
                assert!(
                    p.is_empty(),
                    "{what} (annotated: {}): {} problems, first:\n{}",
                    marks.is_some(),
                    p.len(),
                    p[..p.len().min(12)].join("\n")
                );
            }
        }
        found
    }

    fn without_positions(mut d: Design) -> Design {
        for c in &mut d.components {
            c.x = None;
            c.y = None;
        }
        d
    }

    #[test]
    fn reference_and_automatically_laid_out_designs() {
        let mut found = Vec::new();
        for path in designs() {
            let design = infraplan::io::load(&path).expect("valid");
            let name = stem(&path);
            found.push((name.clone(), check_with(&name, &design, true)));
            let auto = format!("{name}, laid out automatically");
            found.push((
                auto.clone(),
                check_with(&auto, &without_positions(design), true),
            ));
        }
        let zones = root().join("examples/zones-eu-west-1.toml");
        let design = infraplan::io::load(&zones).expect("valid");
        found.push((
            "zones example".into(),
            check_with("zones example", &design, true),
        ));
        for n in [30, 100, 200] {
            let name = format!("generated design of {n}");
            let d = infraplan::generate::layered(n);
            found.push((name.clone(), check_with(&name, &d, true)));
        }
        eprintln!("geometry problems per design: {found:?}");
    }

    /// The example designs (zones, networks), as placed and laid out automatically.
    #[test]
    fn example_designs() {
        let dir = root().join("examples");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("examples/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        assert!(!files.is_empty());
        for path in files {
            let design = infraplan::io::load(&path).expect("valid");
            let name = stem(&path);
            check_with(&name, &design, true);
            assert_frames_truthful(&name, &design);
            let auto = without_positions(design);
            check_with(&format!("{name}, laid out automatically"), &auto, true);
            assert_frames_truthful(&name, &auto);
        }
    }

    /// The outlines of zones and networks in the SVG of `design`: no two zones' overlap, and
    /// each holds exactly the frames of its own servers (a network's, those on it in its
    /// zone).
    fn assert_frames_truthful(what: &str, design: &Design) {
        let svg = export::svg::to_svg(design, None);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let titled = |class: &str| -> Vec<(String, R)> {
            doc.descendants()
                .filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some(class))
                .map(|g| {
                    let title = g
                        .children()
                        .find(|c| c.tag_name().name() == "title")
                        .and_then(|t| t.text())
                        .unwrap_or_default()
                        .to_string();
                    let rect = g
                        .children()
                        .find(|c| c.tag_name().name() == "rect")
                        .expect("an outline");
                    (title, rect_of(rect))
                })
                .collect()
        };
        let zones = titled("zone");
        let networks = titled("network");
        let servers = titled("server");
        let inside = |outer: &R, inner: &R| {
            outer.x < inner.x
                && outer.y < inner.y
                && inner.x + inner.w < outer.x + outer.w
                && inner.y + inner.h < outer.y + outer.h
        };
        for (k, (a, ra)) in zones.iter().enumerate() {
            for (b, rb) in &zones[k + 1..] {
                assert!(!ra.overlaps(rb), "{what}: {a} overlaps {b}");
            }
        }
        for (k, (a, ra)) in networks.iter().enumerate() {
            for (b, rb) in &networks[k + 1..] {
                assert!(!ra.overlaps(rb), "{what}: {a} overlaps {b}");
            }
        }
        let mut zoned = 0;
        for (title, r) in &servers {
            let id = title.trim_start_matches("server ");
            let s = design.server(id).expect("a server of the design");
            for (zone, zr) in &zones {
                if s.zone
                    .as_deref()
                    .is_some_and(|z| *zone == format!("zone {z}"))
                {
                    assert!(inside(zr, r), "{what}: {title} inside {zone}");
                    zoned += 1;
                } else {
                    assert!(!zr.overlaps(r), "{what}: {title} outside {zone}");
                }
            }
            for (net, nr) in &networks {
                let own = s.network.is_some_and(|n| {
                    let in_zone = s
                        .zone
                        .as_deref()
                        .map(|z| format!(" in zone {z}"))
                        .unwrap_or_default();
                    *net == format!("{} network{in_zone}", n.as_str())
                });
                if own {
                    assert!(inside(nr, r), "{what}: {title} inside {net}");
                } else {
                    assert!(!nr.overlaps(r), "{what}: {title} outside {net}");
                }
            }
        }
        let expected = design.servers.iter().filter(|s| s.zone.is_some()).count();
        assert!(zoned <= expected && (expected == 0 || zoned > 0), "{what}");
    }

    /// Servers of zones a, b and a again from left to right (each with one box, on `nets`).
    fn interleaved(nets: [Option<infraplan::model::Network>; 3]) -> Design {
        let mut d = Design::new("interleaved zones");
        for z in ["a", "b"] {
            d.zones.push(infraplan::model::Zone {
                id: z.into(),
                ..Default::default()
            });
        }
        let mut user = Component::new("user", Kind::Client);
        (user.x, user.y) = (Some(0), Some(20));
        d.components.push(user);
        for (k, (z, net)) in ["a", "b", "a"].into_iter().zip(nets).enumerate() {
            d.servers.push(Server {
                id: format!("s{k}"),
                zone: Some(z.into()),
                network: net,
                ..Default::default()
            });
            let mut c = Component::new(format!("c{k}"), Kind::WebServer);
            c.server = Some(format!("s{k}"));
            (c.x, c.y) = (Some(30 + 30 * k as i32), Some(4));
            d.components.push(c);
            d.links.push(Link {
                from: "user".into(),
                to: format!("c{k}"),
                protocol: Protocol::Https,
                port: None,
                label: None,
            });
        }
        d
    }

    #[test]
    fn interleaved_zones_and_networks_are_drawn_apart() {
        use infraplan::model::Network::{Private, Public};
        for nets in [
            [None, None, None],
            [Some(Public), Some(Public), Some(Private)],
            [Some(Public), Some(Private), Some(Private)],
        ] {
            let d = interleaved(nets);
            let what = format!("zones a, b, a on {nets:?}");
            assert_frames_truthful(&what, &d);
            check_with(&what, &d, true);
            // The file's positions are the design's: only the drawing moved them.
            assert_eq!(d.components[1].x, Some(30));
        }
    }

    /// Designs of 50–200 components of every kind, on servers or not, linked at random, laid
    /// out automatically.
    fn design() -> impl Strategy<Value = Design> {
        (50usize..=200)
            .prop_flat_map(|n| {
                (
                    prop::collection::vec((0..Kind::ALL.len(), 0..n / 3 + 2), n),
                    prop::collection::vec(
                        (0..n, 0..n, 0..Protocol::ALL.len(), any::<bool>()),
                        n..n * 3 / 2,
                    ),
                )
            })
            .prop_map(|(comps, links)| {
                let mut d = Design::new("random");
                d.domain = Some("example.com".into());
                let servers = comps.len() / 3;
                for s in 0..servers {
                    d.servers.push(Server {
                        id: format!("s{s}"),
                        ip: Some(format!("10.0.{}.{}", s / 200, s % 200)),
                        label: None,
                        ..Default::default()
                    });
                }
                for (i, (kind, server)) in comps.iter().enumerate() {
                    let mut c = Component::new(format!("c{i}"), Kind::ALL[*kind]);
                    c.server = (*server < servers).then(|| format!("s{server}"));
                    d.components.push(c);
                }
                for (f, t, p, labelled) in links {
                    if f != t {
                        d.links.push(Link {
                            from: format!("c{f}"),
                            to: format!("c{t}"),
                            protocol: Protocol::ALL[p],
                            port: None,
                            label: labelled.then(|| "reads".to_string()),
                        });
                    }
                }
                d.dns.push(infraplan::model::DnsRecord {
                    name: "www".into(),
                    record_type: infraplan::model::RecordType::A,
                    target: "c0".into(),
                });
                d
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn generated_designs_of_50_to_200_components(d in design()) {
            let svg = export::svg::to_svg(&d, None);
            let p = problems(&svg);
            prop_assert!(p.is_empty(), "{} problems, first:\n{}", p.len(), p[..p.len().min(12)].join("\n"));
        }
    }
}
