//! Text from a design that would misbehave where it ends up: Graphviz escapes and characters
//! XML refuses in exports, terminal control sequences in text output.

use assert_cmd::Command;
use infraplan::export::{self, Engine, Format, Options};
use std::path::Path;

mod common;

/// A design whose every text holds Graphviz escapes, a noncharacter or a terminal sequence.
const HOSTILE: &str = r#"version = 1
name = "Site \\G \\N \uFFFE end"
domain = "ex\\Tample.com"

[[dns]]
name = "www\\H"
type = "A"
target = "pair\\E"

[[servers]]
id = "s\\G1"
ip = "10.0.0.1"
label = "Srv \\N \uFFFF \uFDD0 \U0001FFFE"

[[clusters]]
id = "pair\\E"
mode = "active-active"
label = "Pair \\L"

[[components]]
id = "lb\\L"
kind = "load_balancer"
label = "LB \\G \\N \\E \\T \\H \\L"
server = "s\\G1"
cluster = "pair\\E"

[[components]]
id = "web"
kind = "web_server"
label = "Web \u001B]0;pwned\u0007\u001B[2J"
server = "s\\G1"

[[links]]
from = "lb\\L"
to = "web"
protocol = "http"
label = "to \\E \\T \\H"
"#;

fn hostile(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("hostile.toml");
    std::fs::write(&path, HOSTILE).expect("write");
    path
}

fn have_dot() -> bool {
    let found = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("note: Graphviz `dot` is not installed; skipping the dot path");
    }
    found
}

fn options(format: Format, engine: Option<Engine>) -> Options {
    Options {
        format,
        engine,
        annotate: true,
        timeout: export::graphviz::DEFAULT_TIMEOUT,
    }
}

/// Every text node and attribute value of a well-formed SVG.
fn svg_strings(svg: &str) -> Vec<String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(svg, opts).expect("well-formed SVG");
    let mut out = Vec::new();
    for n in doc.descendants() {
        if let Some(t) = n.text().filter(|_| n.is_text()) {
            out.push(t.to_string());
        }
        out.extend(n.attributes().map(|a| a.value().to_string()));
    }
    out
}

#[test]
fn dot_draws_noncharacters_as_replacement_and_never_expands_escapes() {
    if !have_dot() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let design = infraplan::io::load(&hostile(dir.path())).expect("the hostile design is valid");
    let out = export::render(&design, &options(Format::Svg, Some(Engine::Dot)))
        .expect("dot accepts the DOT");
    let svg = String::from_utf8(out.bytes).expect("utf-8");
    let strings = svg_strings(&svg);
    let all = strings.join("\n");
    for shown in [
        "LB \\G \\N \\E \\T \\H \\L",
        "Srv \\N \u{FFFD} \u{FFFD} \u{FFFD}",
        "server s\\G1",
        "cluster pair\\E",
        "to \\E \\T \\H",
    ] {
        assert!(all.contains(shown), "missing {shown:?} in\n{all}");
    }
    for bad in ['\u{FFFE}', '\u{FFFF}', '\u{FDD0}', '\u{1FFFE}'] {
        assert!(!all.contains(bad), "{:X} drawn", bad as u32);
    }
}

#[test]
fn builtin_svg_of_noncharacters_is_well_formed() {
    let dir = tempfile::tempdir().expect("tmp");
    let design = infraplan::io::load(&hostile(dir.path())).expect("valid");
    let out = export::render(&design, &options(Format::Svg, Some(Engine::Builtin))).expect("svg");
    let svg = String::from_utf8(out.bytes).expect("utf-8");
    let all = svg_strings(&svg).join("\n");
    assert!(
        all.contains('\u{FFFD}'),
        "the noncharacters are replaced visibly"
    );
    assert!(!all.contains('\u{FFFE}') && !all.contains('\u{FFFF}'));
}

/// What an id holding a terminal sequence looks like in a design file (TOML escapes): it
/// would retitle the window and clear the screen if printed raw.
const SEQUENCE: &str = r"\u001B]0;pwned\u0007\u001B[2J\u009B2J\r\u001B[35m";
const SEQUENCE_CHARS: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}2J\r\u{1b}[35m";

fn terminal_design(dir: &Path, name: &str, extra: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let text = format!(
        r#"version = 1
name = "Site {SEQUENCE}"

[[components]]
id = "user"
kind = "client"

[[components]]
id = "web{SEQUENCE}"
kind = "web_server"
label = "Web {SEQUENCE}"

[[components]]
id = "db"
kind = "database"
{extra}
[[links]]
from = "user"
to = "web{SEQUENCE}"
protocol = "http"

[[links]]
from = "web{SEQUENCE}"
to = "db"
protocol = "mysql"
"#
    );
    std::fs::write(&path, text).expect("write");
    path
}

/// The binary with colour forced on, as on a terminal: nothing strips escape sequences.
fn coloured() -> Command {
    let mut cmd = Command::cargo_bin("infraplan").expect("binary");
    cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
    cmd
}

/// The control characters of `out` that are not part of a colour sequence (SGR).
fn raw_controls(out: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    let mut found = Vec::new();
    let mut rest: &str = &text;
    while let Some(c) = rest.chars().next() {
        if let Some(body) = rest.strip_prefix("\u{1b}[") {
            let n = body
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b';')
                .count();
            if body.as_bytes().get(n) == Some(&b'm') {
                rest = &body[n + 1..];
                continue;
            }
        }
        if c.is_control() && c != '\n' && c != '\t' {
            let at = text.len() - rest.len();
            found.push(format!("{:?} at {at}", c));
        }
        rest = &rest[c.len_utf8()..];
    }
    found
}

fn assert_neutral(what: &str, out: &std::process::Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let raw = raw_controls(bytes);
        assert!(
            raw.is_empty(),
            "{what} {stream} prints control characters {raw:?}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("\\u001b"),
        "{what}: the sequence is shown escaped:\n{all}"
    );
}

#[test]
fn text_outputs_neutralise_terminal_sequences_from_the_design() {
    let dir = tempfile::tempdir().expect("tmp");
    let old = terminal_design(dir.path(), "old.toml", "");
    let new = terminal_design(
        dir.path(),
        "new.toml",
        &format!("\n[[components]]\nid = \"cache{SEQUENCE}\"\nkind = \"cache\"\n"),
    );
    let web = format!("web{SEQUENCE_CHARS}");
    let runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("analyze", vec!["analyze".into(), old.clone().into()]),
        (
            "simulate",
            vec![
                "simulate".into(),
                old.clone().into(),
                "--fail".into(),
                web.clone().into(),
            ],
        ),
        (
            "diff",
            vec!["diff".into(), old.clone().into(), new.clone().into()],
        ),
    ];
    for (what, args) in runs {
        let out = coloured().args(&args).output().expect("runs");
        assert_neutral(what, &out);
        // A colour of the design's own (magenta, which infraplan never uses) is shown
        // escaped too where the design's text is printed by the report writers.
        if what != "diff" {
            assert!(
                !String::from_utf8_lossy(&out.stdout).contains("\u{1b}[35m"),
                "{what}"
            );
        }
    }
}

#[test]
fn validate_messages_and_snippets_neutralise_terminal_sequences() {
    let dir = tempfile::tempdir().expect("tmp");
    // A link to an id that does not exist: the message names it.
    let dangling = terminal_design(
        dir.path(),
        "dangling.toml",
        &format!("\n[[links]]\nfrom = \"db\"\nto = \"gone{SEQUENCE}\"\nprotocol = \"tcp\"\n"),
    );
    // Raw control characters in the file: a parse error whose snippet shows the line.
    let raw = dir.path().join("raw.toml");
    std::fs::write(&raw, format!("version = 1\nname = \"x{SEQUENCE_CHARS}\"\n")).expect("write");
    for path in [&dangling, &raw] {
        let out = coloured().arg("validate").arg(path).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert_neutral("validate", &out);
    }
}

#[test]
fn json_output_keeps_every_character() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = terminal_design(dir.path(), "d.toml", "");
    let out = coloured()
        .args(["analyze", "--format", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(raw_controls(&out.stdout).is_empty());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ids: Vec<String> = json["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| f["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    assert!(
        ids.iter().any(|id| *id == format!("web{SEQUENCE_CHARS}")),
        "the id as written: {ids:?}"
    );
    assert_eq!(json["files"][0]["design"], format!("Site {SEQUENCE_CHARS}"));
}

/// A fake `dot`: a shell script with the given body.
#[cfg(unix)]
fn fake_dot(dir: &Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-dot");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// `infraplan export` of a reference design through a fake `dot` into `out`.
#[cfg(unix)]
fn export_through(dot: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    common::infraplan()
        .env(export::graphviz::DOT_ENV, dot)
        .arg("export")
        .arg(common::design("01-simple.toml"))
        .args(extra)
        .arg("-o")
        .arg(out)
        .output()
        .expect("runs")
}

#[cfg(unix)]
fn alive(pid: &str) -> bool {
    Path::new("/proc").join(pid).exists()
        && !std::fs::read_to_string(Path::new("/proc").join(pid).join("stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[cfg(unix)]
#[test]
fn a_hanging_dot_is_killed_with_its_children_at_the_timeout() {
    let dir = tempfile::tempdir().expect("tmp");
    let pids = dir.path().join("pids");
    // A wrapper that starts a child and waits for it, as a `dot` script of a distribution may.
    let dot = fake_dot(
        dir.path(),
        &format!("sleep 60 &\necho $! > '{}'\nwait", pids.display()),
    );
    let out = dir.path().join("d.svg");
    let start = std::time::Instant::now();
    let run = export_through(&dot, &out, &["--timeout", "1"]);
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    assert!(String::from_utf8_lossy(&run.stderr).contains("was stopped"));
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    let child = std::fs::read_to_string(&pids).expect("the child's pid");
    let child = child.trim();
    let gone = std::time::Instant::now();
    while alive(child) && gone.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        !alive(child),
        "the wrapper's child {child} outlived the timeout"
    );
}

#[cfg(unix)]
#[test]
fn dots_messages_are_neutralised_and_bounded() {
    let dir = tempfile::tempdir().expect("tmp");
    // 4 MB on one line, with terminal sequences, then many more lines.
    let dot = fake_dot(
        dir.path(),
        "printf 'Error: \\033]0;pwned\\007\\033[2J' >&2\nhead -c 4000000 /dev/zero | tr '\\0' x >&2\nprintf '\\n' >&2\ni=0; while [ $i -lt 1000 ]; do echo \"line $i\" >&2; i=$((i+1)); done\nexit 1",
    );
    let out = dir.path().join("d.svg");
    let run = export_through(&dot, &out, &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.len() < 4096, "{} bytes of message", stderr.len());
    assert!(
        stderr.contains("Error: \\u001b]0;pwned\\u0007\\u001b[2J"),
        "{stderr}"
    );
    assert!(raw_controls(&run.stderr).is_empty(), "{stderr}");
    assert!(stderr.contains("more bytes not read"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn what_dot_writes_is_checked_before_it_replaces_the_target() {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, written, message) in [
        ("d.svg", "garbage", "not SVG"),
        (
            "d.svg",
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><g>",
            "not SVG",
        ),
        ("d.svg", "<html></html>", "not SVG"),
        ("d.png", "GIF89a", "not a PNG"),
        ("d.png", "\\211PNG\\r\\n\\032\\n\\0\\0", "not a PNG"),
    ] {
        let dot = fake_dot(
            dir.path(),
            &format!(
                "while [ $# -gt 1 ]; do if [ \"$1\" = -o ]; then printf '{written}' > \"$2\"; fi; shift; done"
            ),
        );
        let out = dir.path().join(name);
        std::fs::write(&out, "old").expect("write");
        let run = export_through(&dot, &out, &[]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{written}: {stderr}");
        assert!(stderr.contains(message), "{written}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(&out).expect("read"),
            "old",
            "untouched"
        );
    }
}
