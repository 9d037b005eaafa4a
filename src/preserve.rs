//! TOML text for a design that keeps the file it came from: its comments, blank lines, key and
//! item order and spelling (`#:schema` directives too).
//!
//! [`Layout::Keep`] is the editor's save: the original document is edited in place, so an
//! item the user did not change keeps its bytes and a save touches only the lines of what
//! changed. [`Layout::Canonical`] is `infraplan fmt`: the canonical text (what a new file gets),
//! with the original's comments moved onto the items and keys they were written above or
//! beside. Both pair the original items with the design's the same way, by identity (a
//! component's id, a link's ends and protocol…) in order, so a renamed or edited item is an
//! edit of its old self, not a deletion and an insertion.

use crate::model::Design;
use crate::model::SECTIONS;
use rustc_hash::FxHashMap as HashMap;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Key, Table, Value};

/// How the original file's layout is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Unchanged items keep their bytes; changed ones change in place.
    Keep,
    /// The canonical layout, with the original's comments.
    Canonical,
}

/// The canonical TOML text of a design: what a new file gets.
pub fn canonical(design: &Design) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    toml::to_string(design).unwrap_or_default()
}

/// The TOML text of `design`, keeping what `original` (the text it was read from, if any) can
/// lend it. An original that cannot be read as a design gives the canonical text.
pub fn render(design: &Design, original: Option<&str>, layout: Layout) -> String {
    let Some(original) = original else {
        return canonical(design);
    };
    // A byte-order mark the file starts with stays.
    match original.strip_prefix('\u{feff}') {
        Some(rest) => format!("\u{feff}{}", render_text(design, rest, layout)),
        None => render_text(design, original, layout),
    }
}

fn render_text(design: &Design, original: &str, layout: Layout) -> String {
    let fresh = canonical(design);
    let Some(old_design) = crate::fast_toml::from_str::<Design>(original)
        .or_else(|| toml::from_str::<Design>(original).ok())
    else {
        return fresh;
    };
    // A file in the canonical layout without comments has nothing to lend: its edit is the
    // canonical text (a test checks that the document path agrees). This keeps saving a
    // generated 100k-component design as fast as writing it anew.
    if canonical(&old_design) == original {
        return fresh;
    }
    edit_document(design, &old_design, original, fresh, layout)
}

/// [`render`] through the TOML document model, even for a canonical original.
pub fn render_document(design: &Design, original: &str, layout: Layout) -> Option<String> {
    let old_design = crate::fast_toml::from_str::<Design>(original)
        .or_else(|| toml::from_str::<Design>(original).ok())?;
    Some(edit_document(
        design,
        &old_design,
        original,
        canonical(design),
        layout,
    ))
}

fn edit_document(
    design: &Design,
    old_design: &Design,
    original: &str,
    fresh: String,
    layout: Layout,
) -> String {
    let (Ok(old_doc), Ok(new_doc)) = (
        original.parse::<DocumentMut>(),
        fresh.parse::<DocumentMut>(),
    ) else {
        return fresh;
    };
    match layout {
        Layout::Keep => keep(old_doc, old_design, new_doc, design),
        Layout::Canonical => with_comments(old_doc, old_design, new_doc, design),
    }
}

/// One item of a section: who it is (for pairing) and what it holds (for "unchanged").
struct Entry {
    key: String,
    content: String,
}

fn entries(design: &Design, section: &str) -> Vec<Entry> {
    fn of<T: serde::Serialize>(items: &[T], key: impl Fn(&T) -> String) -> Vec<Entry> {
        let mut seen: HashMap<String, usize> = HashMap::default();
        items
            .iter()
            .map(|it| {
                // Two links between the same ends are told apart by their order.
                let k = key(it);
                let n = seen.entry(k.clone()).or_default();
                *n += 1;
                Entry {
                    key: format!("{k}\u{0}{n}"),
                    content: serde_json::to_string(it).unwrap_or_default(),
                }
            })
            .collect()
    }
    match section {
        "dns" => of(&design.dns, |r| {
            format!("{}\u{0}{:?}", r.name, r.record_type)
        }),
        "zones" => of(&design.zones, |z| z.id.clone()),
        "servers" => of(&design.servers, |s| s.id.clone()),
        "clusters" => of(&design.clusters, |c| c.id.clone()),
        "components" => of(&design.components, |c| c.id.clone()),
        "links" => of(&design.links, |l| {
            format!("{}\u{0}{}\u{0}{}", l.from, l.to, l.protocol.as_str())
        }),
        "accepted" => of(&design.accepted, |a| {
            format!("{}\u{0}{}", a.rule, a.ids.join("\u{0}"))
        }),
        _ => Vec::new(),
    }
}

/// For each new item, the old item it continues, if any. Items with the same identity are
/// paired where their order agrees (a longest increasing run); the items left between two
/// such pairs are paired in order, as edits; what remains was added or deleted.
fn pair(old: &[Entry], new: &[Entry]) -> Vec<Option<usize>> {
    let by_key: HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.as_str(), i))
        .collect();
    let candidates: Vec<(usize, usize)> = old
        .iter()
        .enumerate()
        .filter_map(|(o, e)| by_key.get(e.key.as_str()).map(|&n| (o, n)))
        .collect();
    let anchors = increasing_run(&candidates);
    let mut result = vec![None; new.len()];
    let (mut o0, mut n0) = (0, 0);
    for &(o, n) in anchors
        .iter()
        .chain(std::iter::once(&(old.len(), new.len())))
    {
        for (k, slot) in result[n0..n].iter_mut().enumerate() {
            if o0 + k < o {
                *slot = Some(o0 + k);
            }
        }
        if n < new.len() {
            result[n] = Some(o);
        }
        (o0, n0) = (o + 1, n + 1);
    }
    result
}

/// The longest run of pairs increasing in their second element (patience sorting), given
/// pairs increasing in their first.
fn increasing_run(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
    for (i, &(_, n)) in pairs.iter().enumerate() {
        let at = tails.partition_point(|&t| pairs[t].1 < n);
        if at > 0 {
            prev[i] = Some(tails[at - 1]);
        }
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        run.push(pairs[i]);
        cur = prev[i];
    }
    run.reverse();
    run
}

/// The tables of a section, when it is written as `[[section]]` tables.
fn tables(doc: &DocumentMut, section: &str) -> Option<Vec<Table>> {
    match doc.get(section) {
        Some(Item::ArrayOfTables(a)) => Some(a.iter().cloned().collect()),
        _ => None,
    }
}

/// The effective order in which a document's tables are written: (section, index).
fn table_order(doc: &DocumentMut) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut last = 0;
    for (key, item) in doc.iter() {
        if let Item::ArrayOfTables(a) = item {
            for (i, t) in a.iter().enumerate() {
                if let Some(p) = t.position() {
                    last = p;
                }
                found.push((last, key.to_string(), i));
            }
        }
    }
    found.sort_by_key(|(p, _, _)| *p);
    found.into_iter().map(|(_, s, i)| (s, i)).collect()
}

fn keep(mut doc: DocumentMut, old: &Design, new_doc: DocumentMut, new: &Design) -> String {
    let order = table_order(&doc);
    // Where each old table ended up: section -> old index -> new index.
    let mut moved: HashMap<&str, Vec<Option<usize>>> = HashMap::default();
    // The new tables that continue no old one, by section.
    let mut added: HashMap<&str, Vec<usize>> = HashMap::default();
    for section in SECTIONS {
        let new_entries = entries(new, section);
        let old_entries = entries(old, section);
        let new_tables = tables(&new_doc, section).unwrap_or_default();
        let Some(old_tables) = tables(&doc, section) else {
            // Missing, or written as an inline array: written anew when it changed.
            let same = old_entries.len() == new_entries.len()
                && old_entries
                    .iter()
                    .zip(&new_entries)
                    .all(|(a, b)| a.content == b.content);
            if !same {
                set_item(doc.as_table_mut(), &new_doc, section);
                if !new_tables.is_empty() {
                    added.insert(section, (0..new_tables.len()).collect());
                }
            }
            continue;
        };
        let pairs = pair(&old_entries, &new_entries);
        let mut map = vec![None; old_tables.len()];
        let mut out = ArrayOfTables::new();
        for (n, (table, p)) in new_tables.into_iter().zip(&pairs).enumerate() {
            match p.and_then(|o| old_tables.get(o).map(|t| (o, t))) {
                Some((o, old_table)) => {
                    let mut kept = old_table.clone();
                    if old_entries[o].content != new_entries[n].content {
                        merge_table(&mut kept, &table);
                    }
                    map[o] = Some(n);
                    out.push(kept);
                }
                None => {
                    added.entry(section).or_default().push(n);
                    out.push(table);
                }
            }
        }
        moved.insert(section, map);
        if out.is_empty() {
            doc.as_table_mut().remove(section);
        } else if let Some(item) = doc.get_mut(section) {
            *item = Item::ArrayOfTables(out);
        }
    }
    merge_root(doc.as_table_mut(), new_doc.as_table());
    // The old tables in their old order, then each new one after the one before it in its
    // section (or where its section goes), all renumbered so the document writes them so.
    let mut seq: Vec<(&str, usize)> = order
        .iter()
        .filter_map(|(s, o)| {
            let section = SECTIONS.iter().find(|x| **x == s.as_str())?;
            let n = moved.get(section)?.get(*o).copied().flatten()?;
            Some((*section, n))
        })
        .collect();
    for (si, section) in SECTIONS.iter().enumerate() {
        for &n in added.get(section).map(Vec::as_slice).unwrap_or_default() {
            let at = if n > 0 {
                seq.iter()
                    .position(|&(s, i)| s == *section && i == n - 1)
                    .map(|p| p + 1)
            } else {
                seq.iter().position(|&(s, _)| s == *section)
            };
            let at = at.unwrap_or_else(|| {
                // The section is new: after the last table of the sections before it.
                seq.iter()
                    .rposition(|(s, _)| SECTIONS[..si].contains(s))
                    .map_or(0, |p| p + 1)
            });
            seq.insert(at, (section, n));
        }
    }
    for (pos, (section, n)) in seq.into_iter().enumerate() {
        if let Some(Item::ArrayOfTables(a)) = doc.get_mut(section)
            && let Some(t) = a.get_mut(n)
        {
            t.set_position(Some(pos as isize + 1));
        }
    }
    doc.to_string()
}

/// Replaces `key` of `table` by the new document's item (or removes it), keeping the key's
/// comments.
fn set_item(table: &mut Table, new_doc: &DocumentMut, key: &str) {
    match new_doc.as_table().get_key_value(key) {
        Some((_, item)) if table.contains_key(key) => {
            if let Some(slot) = table.get_mut(key) {
                *slot = item.clone();
            }
        }
        Some((k, item)) => {
            table.insert_formatted(k, item.clone());
        }
        None => {
            table.remove(key);
        }
    }
}

/// The top-level keys (version, name…): changed in place, added where the canonical order
/// puts them, removed when gone.
fn merge_root(root: &mut Table, new_root: &Table) {
    let mut plain = Table::new();
    for (k, item) in new_root.iter() {
        if item.is_value()
            && let Some((key, _)) = new_root.get_key_value(k)
        {
            plain.insert_formatted(key, item.clone());
        }
    }
    let gone: Vec<String> = root
        .iter()
        // Sections written inline are values too; they are the sections' business.
        .filter(|(k, item)| item.is_value() && !plain.contains_key(k) && !SECTIONS.contains(k))
        .map(|(k, _)| k.to_string())
        .collect();
    for k in gone {
        root.remove(&k);
    }
    merge_values(root, &plain);
}

/// Brings an old table's values to the new table's, keeping each unchanged value's bytes and
/// each changed one's comments.
fn merge_table(old: &mut Table, new: &Table) {
    let gone: Vec<String> = old
        .iter()
        .filter(|(k, _)| !new.contains_key(k))
        .map(|(k, _)| k.to_string())
        .collect();
    for k in gone {
        old.remove(&k);
    }
    merge_values(old, new);
}

fn merge_values(old: &mut Table, new: &Table) {
    let mut missing = Vec::new();
    for (k, item) in new.iter() {
        match old.get_mut(k) {
            Some(slot) if same_item(slot, item) => {}
            Some(slot) => {
                let decor = slot.as_value().map(|v| v.decor().clone());
                *slot = item.clone();
                if let (Some(d), Some(v)) = (decor, slot.as_value_mut()) {
                    *v.decor_mut() = d;
                }
            }
            None => missing.push(k.to_string()),
        }
    }
    if missing.is_empty() {
        return;
    }
    // A key the old table lacks goes after the nearest key before it in canonical order that
    // the old table has; the table is rebuilt in that order, every key with its decor.
    let new_keys: Vec<&str> = new.iter().map(|(k, _)| k).collect();
    let old_first = old.iter().next().and_then(|(k, _)| old.key(k)).cloned();
    let mut order: Vec<(Key, Item)> = old
        .iter()
        .filter_map(|(k, item)| old.key(k).map(|key| (key.clone(), item.clone())))
        .collect();
    for m in &missing {
        let Some(j) = new_keys.iter().position(|k| k == m) else {
            continue;
        };
        let at = new_keys[..j]
            .iter()
            .rev()
            .find_map(|p| order.iter().position(|(k, _)| k.get() == *p))
            .map_or(0, |p| p + 1);
        if let Some((key, item)) = new.get_key_value(m) {
            order.insert(at, (key.clone(), item.clone()));
        }
    }
    // Comments written at the top of the table stay at its top.
    if let (Some(first), Some(was_first)) =
        (order.first().map(|(k, _)| k.get().to_string()), old_first)
        && first != was_first.get()
    {
        if let Some((k, _)) = order.iter_mut().find(|(k, _)| k.get() == was_first.get()) {
            *k.leaf_decor_mut() = toml_edit::Decor::default();
        }
        if let Some((k, _)) = order.first_mut() {
            *k.leaf_decor_mut() = was_first.leaf_decor().clone();
        }
    }
    old.clear();
    for (key, item) in order {
        old.insert_formatted(&key, item);
    }
}

fn same_item(a: &Item, b: &Item) -> bool {
    match (a.as_value(), b.as_value()) {
        (Some(a), Some(b)) => same_value(a, b),
        _ => false,
    }
}

/// Equal as TOML values, however they are spelled.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::Float(x), Value::Float(y)) => x.value().to_bits() == y.value().to_bits(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        (Value::Datetime(x), Value::Datetime(y)) => x.value() == y.value(),
        // A date the file writes bare and the model keeps as text (`expires`).
        (Value::Datetime(x), Value::String(y)) | (Value::String(y), Value::Datetime(x)) => {
            x.value().to_string() == *y.value()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same_value(a, b))
        }
        (Value::InlineTable(x), Value::InlineTable(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

/// The comment lines of some decor text, each ending in a newline.
fn comment_lines(raw: Option<&str>) -> String {
    raw.unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The comment at the end of a line (in a value's or header's suffix), if any.
fn trailing_comment(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    raw.find('#').map(|i| format!(" {}", raw[i..].trim_end()))
}

fn prefix(decor: &toml_edit::Decor) -> Option<&str> {
    decor.prefix().and_then(|p| p.as_str())
}

fn suffix(decor: &toml_edit::Decor) -> Option<&str> {
    decor.suffix().and_then(|p| p.as_str())
}

/// Moves the comments of an old table (or the root) onto its new counterpart: those above a
/// key stay above it, those at a line's end stay there, those of keys that are gone go to the
/// top of the table.
fn move_comments(old: &Table, new: &mut Table) -> String {
    let mut orphans = String::new();
    for (k, item) in old.iter() {
        if !item.is_value() {
            continue;
        }
        let above = old
            .key(k)
            .map(|key| comment_lines(prefix(key.leaf_decor())))
            .unwrap_or_default();
        let beside = item
            .as_value()
            .and_then(|v| trailing_comment(suffix(v.decor())));
        // A date the file wrote bare stays bare.
        if let Some(Value::Datetime(date)) = item.as_value()
            && let Some(slot) = new.get_mut(k)
            && slot
                .as_value()
                .is_some_and(|v| same_value(v, &Value::Datetime(date.clone())))
        {
            let mut date = date.clone();
            date.decor_mut().clear();
            *slot = Item::Value(Value::Datetime(date));
        }
        // A section written inline becomes `[[tables]]`: its comments go above the first.
        if let Some(Item::ArrayOfTables(a)) = new.get_mut(k)
            && let Some(first) = a.get_mut(0)
        {
            let mut text = above;
            if let Some(c) = beside {
                text.push_str(c.trim_start());
                text.push('\n');
            }
            if !text.is_empty() {
                first.decor_mut().set_prefix(format!("\n{text}"));
            }
            continue;
        }
        match new.key_mut(k) {
            Some(mut key) => {
                if !above.is_empty() {
                    key.leaf_decor_mut().set_prefix(above);
                }
                if let Some(c) = beside
                    && let Some(v) = new.get_mut(k).and_then(Item::as_value_mut)
                {
                    v.decor_mut().set_suffix(c);
                }
            }
            None => {
                orphans.push_str(&above);
                if let Some(c) = beside {
                    orphans.push_str(c.trim_start());
                    orphans.push('\n');
                }
            }
        }
    }
    orphans
}

fn with_comments(old_doc: DocumentMut, old: &Design, mut doc: DocumentMut, new: &Design) -> String {
    // Comments before the first key (a `#:schema` line) are the file's, whichever key is
    // first; those at the end of the file stay at its end.
    let mut old_root = old_doc.as_table().clone();
    let mut head = comment_lines(prefix(old_doc.decor()));
    let old_first = old_root.iter().next().map(|(k, _)| k.to_string());
    if let Some(first) = old_first
        && let Some(mut key) = old_root.key_mut(&first)
    {
        head.push_str(&comment_lines(prefix(key.leaf_decor())));
        key.leaf_decor_mut().clear();
    }
    let orphans = move_comments(&old_root, doc.as_table_mut());
    let first_key_comments = doc
        .as_table()
        .iter()
        .next()
        .and_then(|(k, _)| doc.as_table().key(k))
        .map(|k| comment_lines(prefix(k.leaf_decor())))
        .unwrap_or_default();
    let top = format!("{head}{first_key_comments}{orphans}");
    let first = doc.as_table().iter().next().map(|(k, _)| k.to_string());
    if let Some(first) = first
        && let Some(mut key) = doc.as_table_mut().key_mut(&first)
    {
        key.leaf_decor_mut().set_prefix(top);
    }
    for section in SECTIONS {
        let (Some(old_tables), Some(Item::ArrayOfTables(new_tables))) =
            (tables(&old_doc, section), doc.get_mut(section))
        else {
            continue;
        };
        let pairs = pair(&entries(old, section), &entries(new, section));
        for (table, p) in new_tables.iter_mut().zip(pairs) {
            let Some(old_table) = p.and_then(|o| old_tables.get(o)) else {
                continue;
            };
            let above = comment_lines(prefix(old_table.decor()));
            let orphans = move_comments(old_table, table);
            let first_key = table.iter().next().map(|(k, _)| k.to_string());
            let key_comments = first_key
                .as_deref()
                .and_then(|k| table.key(k))
                .map(|k| comment_lines(prefix(k.leaf_decor())))
                .unwrap_or_default();
            if !above.is_empty() {
                table.decor_mut().set_prefix(format!("\n{above}"));
            }
            if let Some(k) = first_key
                && let Some(mut key) = table.key_mut(&k)
            {
                key.leaf_decor_mut()
                    .set_prefix(format!("{key_comments}{orphans}"));
            }
            if let Some(c) = trailing_comment(suffix(old_table.decor())) {
                table.decor_mut().set_suffix(c);
            }
        }
    }
    let tail = comment_lines(old_doc.trailing().as_str());
    if !tail.is_empty() {
        doc.set_trailing(format!("\n{tail}"));
    }
    doc.to_string()
}
