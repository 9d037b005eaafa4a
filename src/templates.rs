//! The reference designs, built into the binary as templates for `new` and the editor.

/// (name, file name, TOML text) of each reference design.
pub const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "simple",
        "01-simple.toml",
        include_str!("../designs/01-simple.toml"),
    ),
    (
        "distributed",
        "02-distributed.toml",
        include_str!("../designs/02-distributed.toml"),
    ),
    (
        "secured-monitored",
        "03-secured-monitored.toml",
        include_str!("../designs/03-secured-monitored.toml"),
    ),
    (
        "scale-up",
        "04-scale-up.toml",
        include_str!("../designs/04-scale-up.toml"),
    ),
    (
        "resilient",
        "05-resilient.toml",
        include_str!("../designs/05-resilient.toml"),
    ),
];

/// The names of the templates, for messages.
pub fn names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|t| t.0).collect()
}

/// A template's design, parsed.
pub fn template(name: &str) -> Option<crate::model::Design> {
    let (_, file, text) = TEMPLATES.iter().find(|t| t.0 == name || t.1 == name)?;
    crate::io::parse_bytes(
        std::path::Path::new(file),
        text.as_bytes(),
        crate::io::Format::Toml,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        for name in super::names() {
            assert!(super::template(name).is_some(), "{name}");
        }
    }
}
