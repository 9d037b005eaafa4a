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
    assert!(all.contains('\u{FFFD}'), "the noncharacters are replaced visibly");
    assert!(!all.contains('\u{FFFE}') && !all.contains('\u{FFFF}'));
}
