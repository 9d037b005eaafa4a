//! Where things are defined in a design file's text: the line of each component, server, link
//! and accepted risk, so that reports (SARIF, diffs) can point at them.
//!
//! The text is parsed once into an index; looking up is then a hash lookup, so a report of
//! thousands of findings on a large design stays linear.

use crate::io::{Format, line_col};
use std::collections::HashMap;

/// 1-based lines of the items of a design file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lines {
    components: HashMap<String, usize>,
    servers: HashMap<String, usize>,
    links: Vec<usize>,
    accepted: Vec<usize>,
}

/// One item of an array of tables/objects: its `id` value (if a string) and the offset to
/// point at (the `id` key where there is one, else the item itself).
struct Item {
    id: Option<String>,
    offset: usize,
}

impl Lines {
    /// Indexes design text; text that does not parse gives an empty index (every lookup
    /// answers `None`), since the loader has already said what is wrong with it.
    pub fn new(text: &str, format: Format) -> Lines {
        let section = |name: &str| match format {
            Format::Toml => toml_items(text, name),
            Format::Json => json_items(text, name),
        };
        let line = |item: &Item| line_col(text, item.offset).0;
        let by_id = |items: Vec<Item>| {
            let mut map = HashMap::new();
            for item in &items {
                if let Some(id) = &item.id {
                    // The first definition wins, as validation rejects duplicates anyway.
                    map.entry(id.clone()).or_insert_with(|| line(item));
                }
            }
            map
        };
        Lines {
            components: by_id(section("components")),
            servers: by_id(section("servers")),
            links: section("links").iter().map(line).collect(),
            accepted: section("accepted").iter().map(line).collect(),
        }
    }

    /// The line of the component's `id`.
    pub fn component(&self, id: &str) -> Option<usize> {
        self.components.get(id).copied()
    }

    /// The line of the server's `id`.
    pub fn server(&self, id: &str) -> Option<usize> {
        self.servers.get(id).copied()
    }

    /// The line where the link with this index starts.
    pub fn link(&self, index: usize) -> Option<usize> {
        self.links.get(index).copied()
    }

    /// The line where the `[[accepted]]` entry with this index starts.
    pub fn accepted(&self, index: usize) -> Option<usize> {
        self.accepted.get(index).copied()
    }
}

fn toml_items(text: &str, section: &str) -> Vec<Item> {
    use toml::de::{DeTable, DeValue};
    let Ok(root) = DeTable::parse(text) else {
        return Vec::new();
    };
    let Some(value) = root.get_ref().get(section) else {
        return Vec::new();
    };
    let DeValue::Array(items) = value.get_ref() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(t) => match t.get_key_value("id") {
                Some((key, id)) => Item {
                    id: match id.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    },
                    offset: key.span().start,
                },
                None => Item {
                    id: None,
                    offset: first_key_offset(t).unwrap_or(item.span().start),
                },
            },
            _ => Item {
                id: None,
                offset: item.span().start,
            },
        })
        .collect()
}

/// The earliest key of a table: where an `[[x]]` entry's body starts.
fn first_key_offset(t: &toml::de::DeTable<'_>) -> Option<usize> {
    t.iter().map(|(k, _)| k.span().start).min()
}

fn json_items(text: &str, section: &str) -> Vec<Item> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let Ok(parsed) = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
    else {
        return Vec::new();
    };
    let Some(Value::Object(root)) = parsed.value else {
        return Vec::new();
    };
    let Some(prop) = root
        .properties
        .into_iter()
        .find(|p| p.name.as_str() == section)
    else {
        return Vec::new();
    };
    let Value::Array(items) = prop.value else {
        return Vec::new();
    };
    items
        .elements
        .into_iter()
        .map(|v| {
            let start = v.range().start;
            match v {
                Value::Object(o) => {
                    match o.properties.into_iter().find(|p| p.name.as_str() == "id") {
                        Some(p) => Item {
                            offset: p.range.start,
                            id: match p.value {
                                Value::StringLit(s) => Some(s.value.to_string()),
                                _ => None,
                            },
                        },
                        None => Item {
                            id: None,
                            offset: start,
                        },
                    }
                }
                _ => Item {
                    id: None,
                    offset: start,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"version = 1
name = "t"

[[servers]]
id = "s1"

[[components]]
id = "user"
kind = "client"

[[components]]
kind = "web_server"
id = "web"
server = "s1"

[[links]]
from = "user"
to = "web"
protocol = "http"

[[accepted]]
rule = "X"
ids = ["web"]
reason = "r"
"#;

    #[test]
    fn finds_the_lines_of_toml_items() {
        let l = Lines::new(TOML, Format::Toml);
        assert_eq!(l.server("s1"), Some(5));
        assert_eq!(l.component("user"), Some(8));
        assert_eq!(l.component("web"), Some(13));
        assert_eq!(l.link(0), Some(17));
        assert_eq!(l.accepted(0), Some(22));
        assert_eq!(l.component("nope"), None);
        assert_eq!(l.link(1), None);
    }

    #[test]
    fn finds_the_lines_of_json_items() {
        let text = r#"{
  "version": 1,
  "name": "t",
  "components": [
    {
      "id": "user",
      "kind": "client"
    },
    { "kind": "web_server",
      "id": "web" }
  ],
  "links": [
    { "from": "user", "to": "web", "protocol": "http" }
  ]
}"#;
        let l = Lines::new(text, Format::Json);
        assert_eq!(l.component("user"), Some(6));
        assert_eq!(l.component("web"), Some(10));
        assert_eq!(l.link(0), Some(13));
        assert_eq!(l.server("x"), None);
    }

    #[test]
    fn text_that_does_not_parse_gives_no_lines() {
        let l = Lines::new("[[components]\nid =", Format::Toml);
        assert_eq!(l, Lines::default());
        let l = Lines::new("{\"components\": [", Format::Json);
        assert_eq!(l, Lines::default());
    }
}
