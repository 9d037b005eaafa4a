//! Saving a hand-written design keeps it: every reference design, with comments, blank lines
//! and a `#:schema` line added, goes through each kind of edit the editor makes; the saved
//! file keeps every comment (but those of a deleted item) and differs from the original only
//! in the items the edit concerns.

use infraplan::io::{Format, render};
use infraplan::model::{Component, Design, DnsRecord, Kind, Link, Protocol, RecordType, Server};
use infraplan::preserve::{self, Layout};
use std::collections::BTreeMap;
use std::path::Path;

fn reference_designs() -> Vec<(String, String)> {
    let mut v: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("designs"))
        .expect("designs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    v.sort();
    v
}

/// The file as a person keeps it: a schema line, a comment above every item and on every
/// id line, extra blank lines and a comment at the end.
fn hand_written(text: &str) -> String {
    let mut out =
        String::from("#:schema ../assets/infraplan.schema.json\n# owner: platform team\n");
    let mut n = 0;
    for line in text.lines() {
        if line.starts_with("[[") {
            n += 1;
            out.push_str(&format!("\n# note {n}: why this item is here\n"));
        }
        out.push_str(line);
        if line.starts_with("id = ") || line.starts_with("name = ") {
            out.push_str("   # keep this id");
        }
        out.push('\n');
    }
    out.push_str("\n# TODO: a second data centre\n");
    out
}

/// The items of a TOML text, named by section and identity, with their text (header, comments
/// above it and its keys). The part before the first header is `root`, the comments after the
/// last item `tail`.
fn items(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut name = "root".to_string();
    let mut body = String::new();
    let mut pending = String::new();
    let flush = |name: &str, body: &str, out: &mut BTreeMap<String, String>| {
        let mut key = name.to_string();
        while out.contains_key(&key) {
            key.push('+');
        }
        out.insert(key, body.to_string());
    };
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            pending.push_str(line);
            pending.push('\n');
            continue;
        }
        if let Some(section) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            flush(&name, &body, &mut out);
            name = section.to_string();
            body = std::mem::take(&mut pending);
        } else {
            body.push_str(&pending);
            pending.clear();
            if let Some((k, v)) = line.split_once(" = ")
                && matches!(k, "id" | "name" | "from" | "to" | "protocol" | "rule")
                && name != "root"
            {
                let v = v.split('#').next().unwrap_or(v).trim();
                if !name.contains(' ') {
                    name.push(' ');
                }
                name.push_str(&format!("{k}={v};"));
            }
        }
        body.push_str(line);
        body.push('\n');
    }
    flush(&name, &body, &mut out);
    // What follows the last item (a closing comment) is an item of its own.
    flush("tail", &pending, &mut out);
    out
}

/// Names of the items whose text differs between two files (added, removed or changed).
fn changed(before: &str, after: &str) -> Vec<String> {
    let (a, b) = (items(before), items(after));
    let mut names: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .chain(b.keys().filter(|k| !a.contains_key(*k)).cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].to_string()))
        .filter(|c| !c.starts_with("#\""))
        .collect()
}

struct Edit {
    what: &'static str,
    apply: fn(&mut Design),
    /// The names (as `items` gives them) of the items the edit concerns.
    touches: fn(&Design) -> Vec<String>,
}

fn comp(d: &Design, i: usize) -> String {
    format!("components id=\"{}\";", d.components[i].id)
}

fn links_of(d: &Design, id: &str) -> Vec<String> {
    d.links
        .iter()
        .filter(|l| l.from == id || l.to == id)
        .map(|l| {
            format!(
                "links from=\"{}\";to=\"{}\";protocol=\"{}\";",
                l.from,
                l.to,
                l.protocol.as_str()
            )
        })
        .collect()
}

fn other_protocol(p: Protocol) -> Protocol {
    if p == Protocol::Https {
        Protocol::Http
    } else {
        Protocol::Https
    }
}

fn edits() -> Vec<Edit> {
    vec![
        Edit {
            what: "move a component",
            apply: |d| {
                let c = &mut d.components[0];
                c.x = Some(c.x.unwrap_or(0) + 7);
                c.y = Some(c.y.unwrap_or(0) + 2);
            },
            touches: |d| vec![comp(d, 0)],
        },
        Edit {
            what: "edit a component's label and software",
            apply: |d| {
                let c = &mut d.components[1];
                c.label = Some("Renamed box".into());
                c.software = Some("Caddy".into());
            },
            touches: |d| vec![comp(d, 1)],
        },
        Edit {
            what: "add a component",
            apply: |d| {
                let mut c = Component::new("cache-1", Kind::Cache);
                c.x = Some(100);
                c.y = Some(40);
                d.components.push(c);
            },
            touches: |_| vec!["components id=\"cache-1\";".into()],
        },
        Edit {
            what: "delete a component and its links",
            apply: |d| {
                let id = d.components[1].id.clone();
                d.remove_component(&id);
            },
            touches: |d| {
                let id = &d.components[1].id;
                let mut t = vec![comp(d, 1)];
                t.extend(links_of(d, id));
                t
            },
        },
        Edit {
            what: "rename a component",
            apply: |d| {
                let id = d.components[1].id.clone();
                d.rename(&id, "renamed");
            },
            touches: |d| {
                let id = d.components[1].id.clone();
                let mut t = vec![comp(d, 1), "components id=\"renamed\";".into()];
                for l in links_of(d, &id) {
                    t.push(l.clone());
                    t.push(l.replace(&format!("\"{id}\""), "\"renamed\""));
                }
                t
            },
        },
        Edit {
            what: "add a link",
            apply: |d| {
                let (a, b) = (d.components[0].id.clone(), d.components[2].id.clone());
                d.links.push(Link {
                    from: a,
                    to: b,
                    protocol: Protocol::Tcp,
                    port: Some(9999),
                    label: None,
                });
            },
            touches: |d| {
                vec![format!(
                    "links from=\"{}\";to=\"{}\";protocol=\"tcp\";",
                    d.components[0].id, d.components[2].id
                )]
            },
        },
        Edit {
            what: "change a link's protocol",
            apply: |d| d.links[0].protocol = other_protocol(d.links[0].protocol),
            touches: |d| {
                let l = &d.links[0];
                vec![
                    format!(
                        "links from=\"{}\";to=\"{}\";protocol=\"{}\";",
                        l.from,
                        l.to,
                        l.protocol.as_str()
                    ),
                    format!(
                        "links from=\"{}\";to=\"{}\";protocol=\"{}\";",
                        l.from,
                        l.to,
                        other_protocol(l.protocol).as_str()
                    ),
                ]
            },
        },
        Edit {
            what: "delete a link",
            apply: |d| {
                d.links.remove(1);
            },
            touches: |d| {
                let l = &d.links[1];
                vec![format!(
                    "links from=\"{}\";to=\"{}\";protocol=\"{}\";",
                    l.from,
                    l.to,
                    l.protocol.as_str()
                )]
            },
        },
        Edit {
            what: "add a server",
            apply: |d| {
                d.servers.push(Server {
                    id: "spare".into(),
                    ip: Some("10.9.9.9".into()),
                    label: None,
                    ..Default::default()
                })
            },
            touches: |_| vec!["servers id=\"spare\";".into()],
        },
        Edit {
            what: "edit a server's IP",
            apply: |d| d.servers[0].ip = Some("192.0.2.10".into()),
            touches: |d| vec![format!("servers id=\"{}\";", d.servers[0].id)],
        },
        Edit {
            what: "add a DNS record",
            apply: |d| {
                let target = d.servers[0].id.clone();
                d.dns.push(DnsRecord {
                    name: "api".into(),
                    record_type: RecordType::A,
                    target,
                })
            },
            touches: |_| vec!["dns name=\"api\";".into()],
        },
        Edit {
            what: "rename the design and set its domain",
            apply: |d| {
                d.name = "A new name".into();
                d.domain = Some("example.org".into());
            },
            touches: |_| vec!["root".into()],
        },
    ]
}

#[test]
fn every_edit_keeps_the_comments_and_touches_only_its_items() {
    for (file, text) in reference_designs() {
        let original = hand_written(&text);
        let design: Design = toml::from_str(&original).expect("the commented file is valid");
        // Saving what was read changes nothing at all.
        assert_eq!(
            render(&design, Format::Toml, Some(&original)),
            original,
            "{file}: a save without an edit rewrote the file"
        );
        for edit in edits() {
            let mut next = design.clone();
            (edit.apply)(&mut next);
            assert!(
                infraplan::validate::validate(&next).is_empty(),
                "{file}: {}: the edit makes an invalid design",
                edit.what
            );
            let saved = render(&next, Format::Toml, Some(&original));
            let reread: Design = toml::from_str(&saved)
                .unwrap_or_else(|e| panic!("{file}: {}: unreadable save: {e}\n{saved}", edit.what));
            assert_eq!(
                reread, next,
                "{file}: {}: the save lost the edit",
                edit.what
            );
            let mut expected = (edit.touches)(&design);
            expected.sort();
            expected.dedup();
            assert_eq!(
                changed(&original, &saved),
                expected,
                "{file}: {}: the diff touches other items\n{saved}",
                edit.what
            );
            let deleted: String = items(&original)
                .into_iter()
                .filter(|(k, _)| expected.contains(k) && !items(&saved).contains_key(k))
                .map(|(_, v)| v)
                .collect();
            for c in comments(&original) {
                assert!(
                    saved.contains(&c) || deleted.contains(&c),
                    "{file}: {}: lost the comment {c:?}\n{saved}",
                    edit.what
                );
            }
            assert!(saved.starts_with("#:schema "), "{file}: {}", edit.what);
            // Saving twice gives the same bytes.
            assert_eq!(render(&next, Format::Toml, Some(&saved)), saved);
        }
    }
}

#[test]
fn an_edit_of_a_canonical_file_gives_the_canonical_file() {
    for (file, text) in reference_designs() {
        let design: Design = toml::from_str(&text).expect("valid");
        for edit in edits() {
            let mut next = design.clone();
            (edit.apply)(&mut next);
            let through_the_document = preserve::render_document(&next, &text, Layout::Keep);
            assert_eq!(
                through_the_document.as_deref(),
                Some(preserve::canonical(&next).as_str()),
                "{file}: {}",
                edit.what
            );
        }
    }
}

#[test]
fn canonical_layout_keeps_the_comments_and_is_stable() {
    for (file, text) in reference_designs() {
        let messy = hand_written(&text)
            .replace("\n\n[[", "\n\n\n[[")
            .replace("kind = ", "kind   =   ");
        let design: Design = toml::from_str(&messy).expect("valid");
        let tidy = preserve::render(&design, Some(&messy), Layout::Canonical);
        for c in comments(&messy) {
            assert!(tidy.contains(c.trim_end()), "{file}: lost {c:?}\n{tidy}");
        }
        assert!(!tidy.contains("\n\n\n"), "{file}: blank lines kept\n{tidy}");
        assert!(!tidy.contains("kind   ="), "{file}: spacing kept\n{tidy}");
        let again = preserve::render(&design, Some(&tidy), Layout::Canonical);
        assert_eq!(again, tidy, "{file}: formatting is not stable");
        assert_eq!(render(&design, Format::Toml, Some(&tidy)), tidy);
        let stripped: Design = toml::from_str(&tidy).expect("valid");
        assert_eq!(stripped, design);
        // Without comments, the canonical layout is what a new file gets.
        assert_eq!(
            preserve::render_document(&design, &text, Layout::Canonical),
            Some(preserve::canonical(&design))
        );
    }
}

#[test]
fn a_byte_order_mark_stays() {
    let (_, text) = &reference_designs()[0];
    let original = format!("\u{feff}# mine\n{text}");
    let mut design: Design = toml::from_str(text).expect("valid");
    design.name = "Renamed".into();
    let saved = render(&design, Format::Toml, Some(&original));
    assert!(saved.starts_with("\u{feff}# mine\n"), "{saved:?}");
    let plain = format!("\u{feff}{text}");
    assert!(render(&design, Format::Toml, Some(&plain)).starts_with("\u{feff}version = 1"));
}

#[test]
fn inline_arrays_are_kept_when_unchanged_and_rewritten_when_changed() {
    let original = "version = 1
name = \"Inline\"
links = [
  { from = \"user\", to = \"web\", protocol = \"http\" }, # the only link
]

[[components]]
id = \"user\"
kind = \"client\"

[[components]]
id = \"web\"
kind = \"web_server\"
";
    let design: Design = toml::from_str(original).expect("valid");
    let mut moved = design.clone();
    moved.components[1].x = Some(5);
    moved.components[1].y = Some(6);
    let saved = render(&moved, Format::Toml, Some(original));
    assert!(saved.contains("# the only link"), "{saved}");
    assert_eq!(toml::from_str::<Design>(&saved).expect("valid"), moved);
    let mut relinked = design.clone();
    relinked.links[0].protocol = Protocol::Https;
    let saved = render(&relinked, Format::Toml, Some(original));
    assert_eq!(
        toml::from_str::<Design>(&saved).expect("valid"),
        relinked,
        "{saved}"
    );
    assert!(saved.contains("[[components]]\nid = \"user\""), "{saved}");
}
