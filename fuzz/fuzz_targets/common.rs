//! What every fuzz target checks on a design file's bytes: loading never panics, and a design
//! that loads can be analyzed, simulated, compared, saved (and read back the same) and drawn
//! in every text format, the built-in SVG being well-formed XML.

use infraplan::export::{d2, dot, mermaid, svg};
use infraplan::io::{self, Format};
use infraplan::{analyze, diff, preserve};
use std::path::Path;

pub fn check(bytes: &[u8], format: Format) {
    let path = Path::new(match format {
        Format::Toml => "fuzz.toml",
        Format::Json => "fuzz.json",
    });
    let Ok(design) = io::parse_bytes(path, bytes, format) else {
        return;
    };
    let findings = analyze::analyze(&design);
    let _ = analyze::counts(&findings);
    if let Some(first) = design.components.first() {
        let _ = analyze::simulate(&design, &[first.id.as_str()]);
    }
    let _ = diff::diff(&design, &design, infraplan::date::from_days(20_000));

    // What a save writes reads back as the same design, in both formats and with the file's
    // own layout kept.
    let original = std::str::from_utf8(bytes).ok();
    for (text, format) in [
        (io::to_string(&design, Format::Toml), Format::Toml),
        (io::to_string(&design, Format::Json), Format::Json),
        (
            io::render(
                &design,
                Format::Toml,
                original.filter(|_| format == Format::Toml),
            ),
            Format::Toml,
        ),
        (
            preserve::render(
                &design,
                original.filter(|_| format == Format::Toml),
                preserve::Layout::Canonical,
            ),
            Format::Toml,
        ),
    ] {
        match io::parse_bytes(path, text.as_bytes(), format) {
            Ok(again) => assert_eq!(again, design, "saved text reads back differently:\n{text}"),
            Err(e) => panic!("saved text does not load: {e}\n{text}"),
        }
    }

    let _ = dot::to_dot(&design, None);
    let _ = mermaid::to_mermaid(&design, None);
    let _ = d2::to_d2(&design, None);
    if svg::out_of_range(&design).is_none() {
        let drawn = svg::to_svg(&design, None);
        if let Err(e) = roxmltree::Document::parse(&drawn) {
            panic!("built-in SVG is not well-formed XML: {e}\n{drawn}");
        }
    }
}
