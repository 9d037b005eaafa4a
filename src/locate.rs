//! Where things are defined in a design file's text: the place of each component, server, link
//! (and its `protocol`) and accepted risk, so that reports (SARIF, annotations, diffs) can
//! point at them.
//!
//! The text is parsed once into an index, and the offsets of line starts are computed once, so
//! turning an offset into a line and column is a binary search: a report of thousands of
//! findings on a large design stays linear in the size of the file.

use crate::io::Format;
use crate::model::Design;
use std::collections::HashMap;
use std::ops::Range;

/// A 1-based line and column (columns count characters, as the loader's messages do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A stretch of text: from `start` to `end`, `end` excluded (the column after the last
/// character), as SARIF regions count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// Offsets of the line starts of a text, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The line and column of a byte offset (clamped to the text, rounded down to a character).
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = self.floor(offset);
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        Pos {
            line,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// The positions of many offsets at once, in time linear in the text and their number:
    /// offsets on one line are counted from the previous one, not from the line's start, so a
    /// thousand problems on one long line (minified JSON) cost one pass over it.
    pub fn positions(&self, offsets: &[usize]) -> Vec<Pos> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&i| offsets[i]);
        let mut out = vec![Pos { line: 1, column: 1 }; offsets.len()];
        let mut previous: Option<(usize, Pos)> = None;
        for i in order {
            let offset = self.floor(offsets[i]);
            let line = self.starts.partition_point(|&s| s <= offset);
            let pos = match previous {
                Some((at, pos)) if pos.line == line => Pos {
                    line,
                    column: pos.column + self.text[at..offset].chars().count(),
                },
                _ => self.pos(offset),
            };
            out[i] = pos;
            previous = Some((offset, pos));
        }
        out
    }

    /// The offset clamped to the text and rounded down to a character boundary.
    fn floor(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The number of lines (a text ending in a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line an offset is on.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset.min(self.text.len()))
            .saturating_sub(1)
    }

    /// The byte range of a 0-based line, without its line end (`\n` or `\r\n`).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let line = line.min(self.starts.len() - 1);
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        start..end
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span {
            start: self.pos(range.start),
            end: self.pos(range.end.max(range.start)),
        }
    }
}

/// A link's place: the whole entry's first key, and its `protocol` key and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkPlace {
    pub item: Span,
    pub protocol: Option<Span>,
}

/// The places of the items of a design file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lines {
    components: HashMap<String, Span>,
    servers: HashMap<String, Span>,
    links: Vec<LinkPlace>,
    accepted: Vec<Span>,
}

/// One item of an array of tables/objects: its `id` value (if a string), the range to point
/// at (the `id = "…"` pair where there is one, else the item's first key), and the range of
/// its `protocol` pair.
struct Item {
    id: Option<String>,
    range: std::ops::Range<usize>,
    protocol: Option<std::ops::Range<usize>>,
}

impl Lines {
    /// Indexes design text; text that does not parse gives an empty index (every lookup
    /// answers `None`), since the loader has already said what is wrong with it.
    pub fn new(text: &str, format: Format) -> Lines {
        let index = LineIndex::new(text);
        let mut sections = match format {
            Format::Toml => toml_items(text),
            Format::Json => json_items(text),
        };
        let mut take = |name: &str| sections.remove(name).unwrap_or_default();
        let by_id = |items: Vec<Item>| {
            let mut map = HashMap::with_capacity(items.len());
            for item in items {
                if let Some(id) = item.id {
                    // The first definition wins, as validation rejects duplicates anyway.
                    map.entry(id).or_insert_with(|| index.span(item.range));
                }
            }
            map
        };
        Lines {
            components: by_id(take("components")),
            servers: by_id(take("servers")),
            links: take("links")
                .into_iter()
                .map(|i| LinkPlace {
                    item: index.span(i.range),
                    protocol: i.protocol.map(|r| index.span(r)),
                })
                .collect(),
            accepted: take("accepted")
                .into_iter()
                .map(|i| index.span(i.range))
                .collect(),
        }
    }

    /// Indexes the text of a design that loaded from it. A TOML file in the usual layout (one
    /// `[[section]]` header per item, one `key = value` per line, as infraplan writes and people
    /// edit) is read line by line, which is several times faster than parsing it again; the
    /// scan is trusted only when it finds exactly the design's items, in order (ids, link
    /// protocols, counts), and otherwise the text is parsed in full as [`Lines::new`] does.
    pub fn for_design(text: &str, format: Format, design: &Design) -> Lines {
        match format {
            Format::Toml => scan_toml(text)
                .filter(|s| s.matches(design))
                .map(|s| s.into_lines(text))
                .unwrap_or_else(|| Lines::new(text, format)),
            Format::Json => Lines::new(text, format),
        }
    }

    /// The `id = "…"` of the component.
    pub fn component_span(&self, id: &str) -> Option<Span> {
        self.components.get(id).copied()
    }

    /// The `id = "…"` of the server.
    pub fn server_span(&self, id: &str) -> Option<Span> {
        self.servers.get(id).copied()
    }

    /// The place of the link with this index.
    pub fn link_place(&self, index: usize) -> Option<LinkPlace> {
        self.links.get(index).copied()
    }

    /// Where the `[[accepted]]` entry with this index starts.
    pub fn accepted_span(&self, index: usize) -> Option<Span> {
        self.accepted.get(index).copied()
    }

    /// The line of the component's `id`.
    pub fn component(&self, id: &str) -> Option<usize> {
        self.component_span(id).map(|s| s.start.line)
    }

    /// The line of the server's `id`.
    pub fn server(&self, id: &str) -> Option<usize> {
        self.server_span(id).map(|s| s.start.line)
    }

    /// The line where the link with this index starts.
    pub fn link(&self, index: usize) -> Option<usize> {
        self.link_place(index).map(|p| p.item.start.line)
    }

    /// The line of the link's `protocol`, else where the link starts.
    pub fn link_protocol(&self, index: usize) -> Option<usize> {
        self.link_place(index)
            .map(|p| p.protocol.unwrap_or(p.item).start.line)
    }

    /// The line where the `[[accepted]]` entry with this index starts.
    pub fn accepted(&self, index: usize) -> Option<usize> {
        self.accepted_span(index).map(|s| s.start.line)
    }
}

const SECTIONS: [&str; 4] = ["components", "servers", "links", "accepted"];

/// An item found by the line scan: its first pair, its `id` pair and value, its `protocol`
/// pair and value.
#[derive(Default)]
struct Scanned<'a> {
    first: Option<Range<usize>>,
    id: Option<(Range<usize>, &'a str)>,
    protocol: Option<(Range<usize>, &'a str)>,
}

/// What the line scan found, per section.
#[derive(Default)]
struct Scan<'a> {
    sections: [Vec<Scanned<'a>>; 4],
}

impl<'a> Scan<'a> {
    /// Whether the scan found exactly the design's items.
    fn matches(&self, design: &Design) -> bool {
        let [components, servers, links, accepted] = &self.sections;
        let ids_match = |found: &[Scanned<'_>], ids: &mut dyn ExactSizeIterator<Item = &str>| {
            found.len() == ids.len()
                && found
                    .iter()
                    .zip(ids)
                    .all(|(f, id)| f.id.as_ref().is_some_and(|(_, v)| *v == id))
        };
        ids_match(
            components,
            &mut design.components.iter().map(|c| c.id.as_str()),
        ) && ids_match(servers, &mut design.servers.iter().map(|s| s.id.as_str()))
            && links.len() == design.links.len()
            && links.iter().zip(&design.links).all(|(f, l)| {
                f.protocol
                    .as_ref()
                    .is_some_and(|(_, p)| *p == l.protocol.as_str())
            })
            && accepted.len() == design.accepted.len()
            && accepted.iter().all(|a| a.first.is_some())
    }

    fn into_lines(self, text: &str) -> Lines {
        let index = LineIndex::new(text);
        let [components, servers, links, accepted] = self.sections;
        let by_id = |items: Vec<Scanned<'_>>| {
            let mut map = HashMap::with_capacity(items.len());
            for item in items {
                if let Some((range, id)) = item.id {
                    map.entry(id.to_string())
                        .or_insert_with(|| index.span(range));
                }
            }
            map
        };
        let first = |item: &Scanned<'_>| item.first.clone().unwrap_or(0..0);
        Lines {
            links: links
                .iter()
                .map(|i| LinkPlace {
                    item: index.span(first(i)),
                    protocol: i.protocol.as_ref().map(|(r, _)| index.span(r.clone())),
                })
                .collect(),
            accepted: accepted.iter().map(|i| index.span(first(i))).collect(),
            components: by_id(components),
            servers: by_id(servers),
        }
    }
}

/// Reads a TOML design line by line: `[[section]]` headers and `key = value` lines. `None` as
/// soon as it meets what it does not follow (a quoted key, a multi-line `id` or `protocol`),
/// so the caller parses the text in full.
fn scan_toml(text: &str) -> Option<Scan<'_>> {
    let mut scan = Scan::default();
    let mut current: Option<usize> = None;
    let mut open_string: Option<&str> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(delim) = open_string {
            if line.contains(delim) {
                open_string = None;
            }
            continue;
        }
        let body = line.trim_start();
        let at = start + (line.len() - body.len());
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some(rest) = body.strip_prefix("[[") {
            let name = rest.split("]]").next()?.trim();
            current = SECTIONS.iter().position(|s| *s == name);
            if let Some(i) = current {
                scan.sections[i].push(Scanned::default());
            }
            continue;
        }
        if body.starts_with('[') {
            current = None;
            continue;
        }
        let (key, value) = body.split_once('=')?;
        let key = key.trim_end();
        if !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        let value = value.trim_start();
        let value_at = at + (body.len() - value.len());
        let triple = ["\"\"\"", "\'\'\'"]
            .into_iter()
            .find(|d| value.starts_with(d));
        if let Some(delim) = triple {
            if matches!(key, "id" | "protocol") {
                return None;
            }
            if !value[3..].contains(delim) {
                open_string = Some(delim);
            }
        }
        let Some(item) = current.and_then(|i| scan.sections[i].last_mut()) else {
            continue;
        };
        // A basic string without escapes ends at the next quote; anything else (other values,
        // escapes) ends before a comment or at the end of the line.
        let (value_end, string) = match value.strip_prefix('"') {
            Some(inner) if triple.is_none() => {
                let close = inner.find('"')?;
                let s = &inner[..close];
                if s.contains('\\') {
                    if matches!(key, "id" | "protocol") {
                        return None;
                    }
                    (value_at + value.len(), None)
                } else {
                    (value_at + 1 + close + 1, Some(s))
                }
            }
            _ => (at + body.trim_end().len(), None),
        };
        let range = at..value_end;
        if item.first.is_none() {
            item.first = Some(range.clone());
        }
        match key {
            "id" => item.id = Some((range, string?)),
            "protocol" => item.protocol = Some((range, string?)),
            _ => {}
        }
    }
    Some(scan)
}

fn toml_items(text: &str) -> HashMap<&'static str, Vec<Item>> {
    use toml::de::{DeTable, DeValue};
    let mut out = HashMap::new();
    let Ok(root) = DeTable::parse(text) else {
        return out;
    };
    for section in SECTIONS {
        let Some(value) = root.get_ref().get(section) else {
            continue;
        };
        let DeValue::Array(items) = value.get_ref() else {
            continue;
        };
        let items = items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(t) => {
                    let first = t
                        .iter()
                        .map(|(k, v)| k.span().start..v.span().end)
                        .min_by_key(|r| r.start)
                        .unwrap_or(item.span());
                    let protocol = toml_pair(t, "protocol").map(|(r, _)| r);
                    match toml_pair(t, "id") {
                        Some((range, id)) => Item {
                            id: match id.get_ref() {
                                DeValue::String(s) => Some(s.to_string()),
                                _ => None,
                            },
                            range,
                            protocol,
                        },
                        None => Item {
                            id: None,
                            range: first,
                            protocol,
                        },
                    }
                }
                _ => Item {
                    id: None,
                    range: item.span(),
                    protocol: None,
                },
            })
            .collect();
        out.insert(section, items);
    }
    out
}

/// The range of `key = value` in a table, and the value.
fn toml_pair<'t, 'a>(
    t: &'t toml::de::DeTable<'a>,
    key: &str,
) -> Option<(
    std::ops::Range<usize>,
    &'t toml::Spanned<toml::de::DeValue<'a>>,
)> {
    t.get_key_value(key)
        .map(|(k, v)| (k.span().start..v.span().end.max(k.span().end), v))
}

fn json_items(text: &str) -> HashMap<&'static str, Vec<Item>> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let mut out = HashMap::new();
    let Ok(parsed) = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
    else {
        return out;
    };
    let Some(Value::Object(root)) = parsed.value else {
        return out;
    };
    for prop in root.properties {
        let Some(section) = SECTIONS.into_iter().find(|s| *s == prop.name.as_str()) else {
            continue;
        };
        if out.contains_key(section) {
            continue;
        }
        let Value::Array(items) = prop.value else {
            continue;
        };
        let items = items
            .elements
            .into_iter()
            .map(|v| {
                let whole = v.range();
                match v {
                    Value::Object(o) => {
                        let range_of = |name: &str| {
                            o.properties
                                .iter()
                                .find(|p| p.name.as_str() == name)
                                .map(|p| p.range.start..p.range.end)
                        };
                        let protocol = range_of("protocol");
                        let first = o
                            .properties
                            .first()
                            .map(|p| p.range.start..p.range.end)
                            .unwrap_or(whole.start..whole.end);
                        match o.properties.iter().find(|p| p.name.as_str() == "id") {
                            Some(p) => Item {
                                range: p.range.start..p.range.end,
                                id: match &p.value {
                                    Value::StringLit(s) => Some(s.value.to_string()),
                                    _ => None,
                                },
                                protocol,
                            },
                            None => Item {
                                id: None,
                                range: first,
                                protocol,
                            },
                        }
                    }
                    _ => Item {
                        id: None,
                        range: whole.start..whole.end,
                        protocol: None,
                    },
                }
            })
            .collect();
        out.insert(section, items);
    }
    out
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
        assert_eq!(l.link_protocol(0), Some(19));
        assert_eq!(l.accepted(0), Some(22));
        assert_eq!(l.component("nope"), None);
        assert_eq!(l.link(1), None);
    }

    #[test]
    fn spans_cover_the_key_and_its_value() {
        let l = Lines::new(TOML, Format::Toml);
        let web = l.component_span("web").expect("web");
        assert_eq!(
            web.start,
            Pos {
                line: 13,
                column: 1
            }
        );
        assert_eq!(
            web.end,
            Pos {
                line: 13,
                column: 11
            }
        );
        let protocol = l.link_place(0).and_then(|p| p.protocol).expect("protocol");
        assert_eq!(
            protocol.start,
            Pos {
                line: 19,
                column: 1
            }
        );
        assert_eq!(
            protocol.end,
            Pos {
                line: 19,
                column: 18
            }
        );
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
    { "from": "user", "to": "web",
      "protocol": "http" }
  ]
}"#;
        let l = Lines::new(text, Format::Json);
        assert_eq!(l.component("user"), Some(6));
        assert_eq!(l.component("web"), Some(10));
        assert_eq!(l.link(0), Some(13));
        assert_eq!(l.link_protocol(0), Some(14));
        let p = l.link_place(0).and_then(|p| p.protocol).expect("protocol");
        assert_eq!((p.start.column, p.end.column), (7, 25));
        assert_eq!(l.server("x"), None);
    }

    #[test]
    fn line_index_counts_characters_and_clamps() {
        let text = "ab\né = 1\n\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(0), Pos { line: 1, column: 1 });
        assert_eq!(idx.pos(3), Pos { line: 2, column: 1 });
        // After `é` (two bytes) is the second character.
        assert_eq!(idx.pos(5), Pos { line: 2, column: 2 });
        // Inside `é`: rounded down to its start.
        assert_eq!(idx.pos(4), Pos { line: 2, column: 1 });
        assert_eq!(idx.pos(11), Pos { line: 4, column: 1 });
        assert_eq!(idx.pos(1000), Pos { line: 4, column: 5 });
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                let (line, column) = crate::io::line_col(text, offset);
                assert_eq!(idx.pos(offset), Pos { line, column }, "offset {offset}");
            }
        }
    }

    #[test]
    fn positions_in_a_batch_agree_with_one_at_a_time() {
        let text = "ab\r\né = 1 é\n\nlast line here";
        let idx = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).rev().chain([4, 0, 9, 9]).collect();
        let batch = idx.positions(&offsets);
        for (offset, pos) in offsets.iter().zip(batch) {
            assert_eq!(idx.pos(*offset), pos, "offset {offset}");
        }
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_range(0), 0..2);
        assert_eq!(&text[idx.line_range(1)], "é = 1 é");
        assert_eq!(idx.line_range(2), 14..14);
        assert_eq!(&text[idx.line_range(3)], "last line here");
        assert_eq!(idx.line_of(0), 0);
        assert_eq!(idx.line_of(3), 0);
        assert_eq!(idx.line_of(4), 1);
        assert_eq!(idx.line_of(1000), 3);
    }

    #[test]
    fn the_line_scan_agrees_with_the_full_parse() {
        for name in [
            "01-simple.toml",
            "02-distributed.toml",
            "03-secured-monitored.toml",
            "04-scale-up.toml",
            "05-resilient.toml",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("designs")
                .join(name);
            let (design, text) = crate::io::load_with_text(&path).expect("loads");
            let scan = scan_toml(&text).expect("scans");
            assert!(scan.matches(&design), "{name}");
            assert_eq!(
                scan.into_lines(&text),
                Lines::new(&text, Format::Toml),
                "{name}"
            );
        }
        let design = crate::generate::layered(300);
        let text = crate::io::to_string(&design, Format::Toml);
        assert_eq!(
            Lines::for_design(&text, Format::Toml, &design),
            Lines::new(&text, Format::Toml)
        );
    }

    #[test]
    fn the_line_scan_gives_way_to_the_parser_where_it_cannot_follow() {
        // A multi-line label that holds a fake header: the scan skips the string.
        let tricky = TOML.replace(
            "kind = \"client\"",
            "kind = \"client\"\nlabel = \"\"\"\n[[components]]\nid = \"ghost\"\n\"\"\"",
        );
        let design: Design = toml::from_str(&tricky).expect("valid");
        let scanned = Lines::for_design(&tricky, Format::Toml, &design);
        assert_eq!(scanned, Lines::new(&tricky, Format::Toml));
        assert_eq!(scanned.component("ghost"), None);
        // Inline arrays are not the usual layout: the scan finds nothing and the parse answers.
        let inline =
            "version = 1\nname = \"t\"\ncomponents = [\n  { id = \"a\", kind = \"client\" },\n]\n";
        let design: Design = toml::from_str(inline).expect("valid");
        assert!(scan_toml(inline).is_none_or(|s| !s.matches(&design)));
        assert_eq!(
            Lines::for_design(inline, Format::Toml, &design).component("a"),
            Some(4)
        );
        // Quoted keys end the scan.
        assert!(scan_toml("[[components]]\n\"id\" = \"a\"\n").is_none());
    }

    #[test]
    fn text_that_does_not_parse_gives_no_lines() {
        let l = Lines::new("[[components]\nid =", Format::Toml);
        assert_eq!(l, Lines::default());
        let l = Lines::new("{\"components\": [", Format::Json);
        assert_eq!(l, Lines::default());
    }
}
