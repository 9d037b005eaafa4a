//! A lean TOML reader for large designs.
//!
//! `toml::from_str` lexes the whole file into one token vector and builds a spanned document
//! tree with an index map per table before deserializing: about 700 MB and 2 s for a design of
//! 100k components. This reader uses the same lexer, parser and scalar decoder (`toml_parser`)
//! but feeds the parser a few thousand tokens at a time, keeps the document in two flat arenas
//! of borrowed strings without spans, and deserializes from those.
//!
//! It only ever answers "here is the value" or "not me": on any syntax error, any semantic
//! error (duplicate keys, redefined tables), any value the design types refuse, and on date-times
//! (which designs never hold), it returns `None`, and the caller parses the text again with the
//! `toml` crate, which stays the reference for what is valid and for every error message. The
//! table-definition rules below follow toml's own, and `tests/files.rs` checks that both readers
//! agree on generated documents.

use rustc_hash::FxHashMap;
use serde::de::{self, Deserialize, IntoDeserializer};
use std::borrow::Cow;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::lexer::{Token, TokenKind};
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace, parse_document};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

/// Nesting limit, as in the `toml` crate: deeper documents go to it and get its message.
const MAX_DEPTH: u32 = 80;
/// Tokens handed to the parser at once (each is 24 bytes).
const CHUNK_TOKENS: usize = 1 << 14;
/// Tables with more keys than this get a hash index for duplicate checks.
const INDEX_FROM: usize = 16;

/// Deserializes `text`, or `None` when the `toml` crate should (see the module comment).
pub fn from_str<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    let doc = parse(text)?;
    T::deserialize(De {
        doc: &doc,
        val: &Val::Table(ROOT),
    })
    .ok()
}

type Id = u32;
const ROOT: Id = 0;

#[derive(Debug)]
enum Val<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Table(Id),
    Array(Id),
}

/// How a table came to be, which decides how it may be extended (TOML's "defined once" rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Made {
    /// The root, a `[header]` table, or an element of `[[header]]`.
    Defined,
    /// Created on the way to a deeper `[a.b]` header; may still be defined by its own header.
    Implicit,
    /// Created by a dotted key `a.b = 1`; only dotted keys may add to it.
    Dotted,
    /// `{ … }`: closed once written.
    Inline,
}

#[derive(Debug)]
struct Table<'a> {
    entries: Vec<(Cow<'a, str>, Val<'a>)>,
    index: Option<FxHashMap<Cow<'a, str>, usize>>,
    made: Made,
}

#[derive(Debug)]
struct Array<'a> {
    items: Vec<Val<'a>>,
    /// Built by `[[header]]`s rather than written as `[ … ]`.
    of_tables: bool,
}

#[derive(Debug, Default)]
struct Doc<'a> {
    tables: Vec<Table<'a>>,
    arrays: Vec<Array<'a>>,
}

impl<'a> Doc<'a> {
    fn new_table(&mut self, made: Made) -> Id {
        self.tables.push(Table {
            entries: Vec::new(),
            index: None,
            made,
        });
        (self.tables.len() - 1) as Id
    }

    fn new_array(&mut self, of_tables: bool) -> Id {
        self.arrays.push(Array {
            items: Vec::new(),
            of_tables,
        });
        (self.arrays.len() - 1) as Id
    }

    fn find(&self, table: Id, key: &str) -> Option<usize> {
        let t = &self.tables[table as usize];
        match &t.index {
            Some(index) => index.get(key).copied(),
            None => t.entries.iter().position(|(k, _)| k == key),
        }
    }

    fn insert(&mut self, table: Id, key: Cow<'a, str>, val: Val<'a>) {
        let t = &mut self.tables[table as usize];
        let at = t.entries.len();
        if let Some(index) = &mut t.index {
            index.insert(key.clone(), at);
        } else if at >= INDEX_FROM {
            let mut index: FxHashMap<Cow<'a, str>, usize> = t
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            index.insert(key.clone(), at);
            t.index = Some(index);
        }
        t.entries.push((key, val));
    }

    /// Walks `keys` down from `table`, creating missing tables as `made`; `None` where TOML
    /// forbids the step. `dotted` is true for the keys of a key/value pair.
    fn descend(&mut self, mut table: Id, keys: &[Cow<'a, str>], made: Made) -> Option<Id> {
        let dotted = made == Made::Dotted;
        for key in keys {
            table = match self.find(table, key) {
                None => {
                    let child = self.new_table(made);
                    self.insert(table, key.clone(), Val::Table(child));
                    child
                }
                Some(i) => match self.tables[table as usize].entries[i].1 {
                    Val::Table(child) => {
                        let m = self.tables[child as usize].made;
                        let open = match m {
                            Made::Inline => false,
                            Made::Defined => !dotted,
                            Made::Implicit | Made::Dotted => true,
                        };
                        if !open {
                            return None;
                        }
                        child
                    }
                    Val::Array(a) if self.arrays[a as usize].of_tables => {
                        match self.arrays[a as usize].items.last() {
                            Some(Val::Table(last)) => *last,
                            _ => return None,
                        }
                    }
                    _ => return None,
                },
            };
        }
        Some(table)
    }
}

/// An array or inline table being read.
#[derive(Debug, Clone, Copy)]
enum Open {
    Inline(Id),
    Array(Id),
}

/// Builds a [`Doc`] from parser events.
struct Builder<'a> {
    text: &'a str,
    doc: Doc<'a>,
    failed: bool,
    /// The dotted key being read.
    keys: Vec<Cow<'a, str>>,
    /// The table that key/value pairs outside `{ … }` go to.
    current: Id,
    /// Open arrays and inline tables, innermost last.
    open: Vec<Open>,
    /// The key of the value about to be read.
    pending: Option<(Id, Cow<'a, str>)>,
}

impl<'a> Builder<'a> {
    fn raw(&self, span: Span, encoding: Option<Encoding>) -> Raw<'a> {
        Raw::new_unchecked(&self.text[span.start()..span.end()], encoding, span)
    }

    fn fail(&mut self) {
        self.failed = true;
    }

    /// `[keys]` or `[[keys]]` closes: make it the current table.
    fn header(&mut self, array: bool) {
        let Some((last, path)) = self.keys.split_last() else {
            return self.fail();
        };
        let path = path.to_vec();
        let last = last.clone();
        self.keys.clear();
        self.pending = None;
        let Some(parent) = self.doc.descend(ROOT, &path, Made::Implicit) else {
            return self.fail();
        };
        let existing = self.doc.find(parent, &last);
        let table = match (array, existing) {
            (false, None) => {
                let t = self.doc.new_table(Made::Defined);
                self.doc.insert(parent, last, Val::Table(t));
                t
            }
            (false, Some(i)) => match self.doc.tables[parent as usize].entries[i].1 {
                Val::Table(t) if self.doc.tables[t as usize].made == Made::Implicit => {
                    self.doc.tables[t as usize].made = Made::Defined;
                    t
                }
                _ => return self.fail(),
            },
            (true, None) => {
                let a = self.doc.new_array(true);
                self.doc.insert(parent, last, Val::Array(a));
                let t = self.doc.new_table(Made::Defined);
                self.doc.arrays[a as usize].items.push(Val::Table(t));
                t
            }
            (true, Some(i)) => match self.doc.tables[parent as usize].entries[i].1 {
                Val::Array(a) if self.doc.arrays[a as usize].of_tables => {
                    let t = self.doc.new_table(Made::Defined);
                    self.doc.arrays[a as usize].items.push(Val::Table(t));
                    t
                }
                _ => return self.fail(),
            },
        };
        self.current = table;
    }

    /// `=` after a key: find the table it goes in and check the key is new.
    fn key_value(&mut self) {
        let (target, made) = match self.open.last() {
            None => (self.current, Made::Dotted),
            Some(Open::Inline(t)) => (*t, Made::Dotted),
            Some(Open::Array(_)) => return self.fail(),
        };
        let Some((last, path)) = self.keys.split_last() else {
            return self.fail();
        };
        let (path, last) = (path.to_vec(), last.clone());
        self.keys.clear();
        let Some(parent) = self.doc.descend(target, &path, made) else {
            return self.fail();
        };
        let parent_dotted = self.doc.tables[parent as usize].made == Made::Dotted;
        if parent_dotted == path.is_empty() || self.doc.find(parent, &last).is_some() {
            return self.fail();
        }
        self.pending = Some((parent, last));
    }

    fn place(&mut self, val: Val<'a>) {
        match self.open.last() {
            Some(Open::Array(a)) => self.doc.arrays[*a as usize].items.push(val),
            _ => match self.pending.take() {
                Some((table, key)) => self.doc.insert(table, key, val),
                None => self.fail(),
            },
        }
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        let raw = self.raw(span, encoding);
        let mut decoded = Cow::Borrowed("");
        let val = match raw.decode_scalar(&mut decoded, errors) {
            ScalarKind::String => Val::Str(decoded),
            ScalarKind::Boolean(b) => Val::Bool(b),
            ScalarKind::Integer(radix) => match i64::from_str_radix(&decoded, radix.value()) {
                Ok(i) => Val::Int(i),
                Err(_) => return self.fail(),
            },
            ScalarKind::Float => match decoded.parse::<f64>() {
                // As the toml crate: an overflow to infinity is not a float.
                Ok(f) if !f.is_infinite() || decoded.contains("inf") => Val::Float(f),
                _ => return self.fail(),
            },
            ScalarKind::DateTime => return self.fail(),
        };
        self.place(val);
    }
}

/// Any error the parser reports fails the fast path.
struct Failed(bool);

impl ErrorSink for Failed {
    fn report_error(&mut self, _error: ParseError) {
        self.0 = true;
    }
}

impl<'a> EventReceiver for Builder<'a> {
    fn std_table_open(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        self.keys.clear();
    }
    fn std_table_close(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        self.header(false);
    }
    fn array_table_open(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        self.keys.clear();
    }
    fn array_table_close(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        self.header(true);
    }
    fn inline_table_open(&mut self, _span: Span, _errors: &mut dyn ErrorSink) -> bool {
        let t = self.doc.new_table(Made::Inline);
        self.place(Val::Table(t));
        self.open.push(Open::Inline(t));
        true
    }
    fn inline_table_close(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        if self.pending.is_some() || !matches!(self.open.pop(), Some(Open::Inline(_))) {
            self.fail();
        }
    }
    fn array_open(&mut self, _span: Span, _errors: &mut dyn ErrorSink) -> bool {
        let a = self.doc.new_array(false);
        self.place(Val::Array(a));
        self.open.push(Open::Array(a));
        true
    }
    fn array_close(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        if !matches!(self.open.pop(), Some(Open::Array(_))) {
            self.fail();
        }
    }
    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        let raw = self.raw(span, encoding);
        let mut key = Cow::Borrowed("");
        raw.decode_key(&mut key, errors);
        self.keys.push(key);
    }
    fn key_val_sep(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        self.key_value();
    }
    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        self.scalar(span, encoding, errors);
    }
    fn error(&mut self, _span: Span, _errors: &mut dyn ErrorSink) {
        self.fail();
    }
}

/// Parses `text` into a document, `None` on anything the `toml` crate should look at.
fn parse(text: &str) -> Option<Doc<'_>> {
    if text.len() >= u32::MAX as usize {
        return None;
    }
    let mut builder = Builder {
        text,
        doc: Doc::default(),
        failed: false,
        keys: Vec::new(),
        current: ROOT,
        open: Vec::new(),
        pending: None,
    };
    builder.doc.new_table(Made::Defined);
    let source = Source::new(text);
    let mut errors = Failed(false);
    let mut chunk: Vec<Token> = Vec::with_capacity(CHUNK_TOKENS + 64);
    // Brackets open in the tokens so far; a `[` that starts a line at depth 0 starts a
    // header, where the parser may begin afresh.
    let mut depth = 0usize;
    let mut line_start = true;
    let feed = |chunk: &mut Vec<Token>, builder: &mut Builder<'_>, errors: &mut Failed| {
        let mut ws = ValidateWhitespace::new(builder, source);
        let mut guard = RecursionGuard::new(&mut ws, MAX_DEPTH);
        parse_document(chunk, &mut guard, errors);
        chunk.clear();
    };
    for token in source.lex() {
        let kind = token.kind();
        if kind == TokenKind::LeftSquareBracket
            && depth == 0
            && line_start
            && chunk.len() >= CHUNK_TOKENS
        {
            feed(&mut chunk, &mut builder, &mut errors);
            if builder.failed || errors.0 {
                return None;
            }
        }
        match kind {
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
        line_start = kind == TokenKind::Newline;
        chunk.push(token);
    }
    feed(&mut chunk, &mut builder, &mut errors);
    if builder.failed || errors.0 || !builder.open.is_empty() || builder.pending.is_some() {
        return None;
    }
    Some(builder.doc)
}

/// Why the fast path gave up; never shown (the `toml` crate's message is).
#[derive(Debug)]
struct NotMine;

impl std::fmt::Display for NotMine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to the toml crate")
    }
}

impl std::error::Error for NotMine {}

impl de::Error for NotMine {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        NotMine
    }
}

#[derive(Clone, Copy)]
struct De<'d, 'a> {
    doc: &'d Doc<'a>,
    val: &'d Val<'a>,
}

impl<'de> de::Deserializer<'de> for De<'_, 'de> {
    type Error = NotMine;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, NotMine> {
        match self.val {
            Val::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Val::Str(Cow::Owned(s)) => visitor.visit_str(s),
            Val::Int(i) => visitor.visit_i64(*i),
            Val::Float(f) => visitor.visit_f64(*f),
            Val::Bool(b) => visitor.visit_bool(*b),
            Val::Table(t) => visitor.visit_map(Entries {
                doc: self.doc,
                entries: self.doc.tables[*t as usize].entries.iter(),
                value: None,
            }),
            Val::Array(a) => visitor.visit_seq(Items {
                doc: self.doc,
                items: self.doc.arrays[*a as usize].items.iter(),
            }),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, NotMine> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, NotMine> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NotMine> {
        match self.val {
            Val::Str(s) => visitor.visit_enum(s.as_ref().into_deserializer()),
            _ => Err(NotMine),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Entries<'d, 'a> {
    doc: &'d Doc<'a>,
    entries: std::slice::Iter<'d, (Cow<'a, str>, Val<'a>)>,
    value: Option<&'d Val<'a>>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = NotMine;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, NotMine> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key = match key {
            Cow::Borrowed(k) => seed.deserialize(de::value::BorrowedStrDeserializer::new(k)),
            Cow::Owned(k) => seed.deserialize(k.as_str().into_deserializer()),
        };
        key.map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, NotMine> {
        let val = self.value.take().ok_or(NotMine)?;
        seed.deserialize(De { doc: self.doc, val })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Items<'d, 'a> {
    doc: &'d Doc<'a>,
    items: std::slice::Iter<'d, Val<'a>>,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = NotMine;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, NotMine> {
        match self.items.next() {
            Some(val) => seed.deserialize(De { doc: self.doc, val }).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Any = toml::Value;

    /// Both readers, as `toml::Value` so that every TOML type compares.
    fn both(text: &str) -> (Option<Any>, Option<Any>) {
        (from_str::<Any>(text), toml::from_str::<Any>(text).ok())
    }

    #[test]
    fn agrees_with_the_toml_crate_on_valid_documents() {
        for text in [
            "a = 1\nb = 'x'\nc = \"y\\n\"\nd = [1, 2.5, true]\n",
            "[a]\nx = 1\n[a.b]\ny = 2\n",
            "[a.b.c]\nz = 1\n[a]\nq = 2\n",
            "[[a]]\nx = 1\n[[a]]\nx = 2\n[a.sub]\ny = 3\n",
            "p = { x = 1, y.z = 2 }\n",
            "fruit.apple.color = 'red'\nfruit.apple.taste.sweet = true\n",
            "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n",
            "n = 0xff\nm = 1_000\no = 0o7\nb = 0b11\nf = -inf\ng = 1e3\n",
            "'quoted key' = 1\n\"a.b\" = 2\n",
            "s = '''\nmulti\nline'''\nt = \"\"\"\\\n  folded\"\"\"\n",
            "arr = [\n  [1, 2],\n  [3],\n]\n[t]\nx = 1\n",
            "# comment\n\n[a] # trailing\nx = 1 # value\n",
        ] {
            let (fast, reference) = both(text);
            assert!(reference.is_some(), "not valid TOML: {text}");
            assert_eq!(fast, reference, "{text}");
        }
    }

    #[test]
    fn leaves_every_invalid_document_to_the_toml_crate() {
        for text in [
            "a = 1\na = 2\n",
            "[a]\n[a]\n",
            "a.b = 1\n[a]\n",
            "[fruit]\napple.color = 'red'\n[fruit.apple]\n",
            "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n",
            "[a.b.c]\nz = 9\n[a]\nb.x = 1\n",
            "a = [1]\n[[a]]\n",
            "[[a]]\n[a]\n",
            "a = {x = 1}\n[a.b]\n",
            "a = {x = 1}\na.y = 2\n",
            "p = { x = {a = 1}, x.b = 2 }\n",
            "a = 1\n[a.b]\n",
            "a = \"unterminated\n",
            "a = 99999999999999999999\n",
            "a = 1979-05-27\n",
            "a = [1,\n[b]\nx = 1\n",
            "[a\nb = 1\n",
            "= 1\n",
            "a = 1 b = 2\n",
            "a = \"\u{0}\"\n",
        ] {
            let (fast, _) = both(text);
            assert!(fast.is_none(), "fast path accepted {text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_the_toml_crate_without_overflowing_the_stack() {
        for (open, close) in [("[", "]"), ("{ a = ", "}")] {
            let text = format!("x = {}1{}\n", open.repeat(10_000), close.repeat(10_000));
            assert!(from_str::<Any>(&text).is_none());
        }
        let shallow = format!("x = {}1{}\n", "[".repeat(20), "]".repeat(20));
        assert_eq!(
            from_str::<Any>(&shallow),
            toml::from_str::<Any>(&shallow).ok()
        );
    }

    #[test]
    fn headers_split_across_chunks_keep_their_tables() {
        let mut text = String::new();
        for i in 0..CHUNK_TOKENS {
            text.push_str(&format!(
                "[[item]]\nid = {i}\nname = \"n{i}\"\n[item.pos]\nx = {i}\n"
            ));
        }
        text.push_str("[tail]\nlast = true\n");
        let fast: BTreeMap<String, Any> = from_str(&text).expect("valid");
        let reference: BTreeMap<String, Any> = toml::from_str(&text).expect("valid");
        assert_eq!(fast, reference);
        assert_eq!(fast["item"].as_array().map(Vec::len), Some(CHUNK_TOKENS));
    }
}
