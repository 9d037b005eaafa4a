//! Undo and redo, bounded by memory rather than by a count of steps.
//!
//! A step is stored as what it changed, not as a copy of the design: for each of the large
//! sections (components, links, servers, DNS records) the one run of items it replaced and
//! the items it put there, and for everything else (the name, clusters, accepted risks…) the
//! old and new values when they changed. Finding what changed compares the design with the
//! one copy the history keeps of it as of the last step (no allocation where nothing changed),
//! so an edit of one box in a 100,000-component design costs a comparison, not a copy, and 400
//! moves keep a few hundred components, not 400 designs. Old steps are dropped once the steps
//! together hold more than [`BUDGET_RATIO`] of the design's own size.

use crate::model::{Component, Design, DnsRecord, Link, Server};
use serde::Serialize;
use std::collections::VecDeque;

/// The steps together may hold at most this share of the design's size (and always at least
/// [`MIN_BUDGET`] bytes, so small designs keep a long history).
const BUDGET_RATIO: f64 = 0.5;
const MIN_BUDGET: usize = 8 << 20;

/// Which edit made the last step, so a run of moves of one component undoes as one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditKey {
    Move(String),
    Other,
}

/// The run `at..at + old.len()` of a section was `old` and became `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Splice<T> {
    at: usize,
    old: Vec<T>,
    new: Vec<T>,
}

impl<T: Clone + PartialEq> Splice<T> {
    /// The one run that differs between `before` and `after` (the rest is a common prefix
    /// and a common suffix), if any.
    fn between(before: &[T], after: &[T]) -> Option<Splice<T>> {
        let pre = before.iter().zip(after).take_while(|(a, b)| a == b).count();
        if pre == before.len() && pre == after.len() {
            return None;
        }
        let room = before.len().min(after.len()) - pre;
        let suf = before
            .iter()
            .rev()
            .zip(after.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        Some(Splice {
            at: pre,
            old: before[pre..before.len() - suf].to_vec(),
            new: after[pre..after.len() - suf].to_vec(),
        })
    }

    /// Puts `new` (forward) or `old` (back) in place of the other.
    fn apply(&self, v: &mut Vec<T>, forward: bool) {
        let (out, put) = if forward {
            (&self.old, &self.new)
        } else {
            (&self.new, &self.old)
        };
        let end = (self.at + out.len()).min(v.len());
        let at = self.at.min(end);
        v.splice(at..end, put.iter().cloned());
    }
}

/// What one step changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Change {
    components: Option<Splice<Component>>,
    links: Option<Splice<Link>>,
    servers: Option<Splice<Server>>,
    dns: Option<Splice<DnsRecord>>,
    /// Everything else, before and after (each a design whose large sections are empty).
    rest: Option<Box<(Design, Design)>>,
    /// The versions of the design before and after the step.
    from: u64,
    to: u64,
}

impl Change {
    /// Makes `design` what it was after (forward) or before the step.
    pub fn apply(&self, design: &mut Design, forward: bool) {
        if let Some(s) = &self.components {
            s.apply(&mut design.components, forward);
        }
        if let Some(s) = &self.links {
            s.apply(&mut design.links, forward);
        }
        if let Some(s) = &self.servers {
            s.apply(&mut design.servers, forward);
        }
        if let Some(s) = &self.dns {
            s.apply(&mut design.dns, forward);
        }
        if let Some(r) = &self.rest {
            let rest = if forward { &r.1 } else { &r.0 };
            with_rest(design, |d| *d = rest.clone());
        }
    }

    /// The component this step moved, when moving it is all the step did.
    pub fn moved_component(&self) -> Option<usize> {
        let s = self.components.as_ref()?;
        let ([old], [new]) = (s.old.as_slice(), s.new.as_slice()) else {
            return None;
        };
        let only = self.links.is_none()
            && self.servers.is_none()
            && self.dns.is_none()
            && self.rest.is_none();
        let mut moved = old.clone();
        (moved.x, moved.y) = (new.x, new.y);
        (only && moved == *new).then_some(s.at)
    }

    /// Whether this step takes `other` back exactly (so the design after it is the one
    /// before `other`).
    fn undoes(&self, other: &Change) -> bool {
        fn inverse<T: PartialEq>(a: &Option<Splice<T>>, b: &Option<Splice<T>>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.at == b.at && a.old == b.new && a.new == b.old,
                _ => false,
            }
        }
        let rest = match (&self.rest, &other.rest) {
            (None, None) => true,
            (Some(a), Some(b)) => a.0 == b.1 && a.1 == b.0,
            _ => false,
        };
        rest && inverse(&self.components, &other.components)
            && inverse(&self.links, &other.links)
            && inverse(&self.servers, &other.servers)
            && inverse(&self.dns, &other.dns)
    }

    /// The bytes this step holds (see [`heap_bytes`]).
    pub fn bytes(&self) -> usize {
        fn splice<T: Serialize>(s: &Option<Splice<T>>) -> usize {
            s.as_ref()
                .map_or(0, |s| heap_bytes(&s.old) + heap_bytes(&s.new))
        }
        std::mem::size_of::<Change>()
            + splice(&self.components)
            + splice(&self.links)
            + splice(&self.servers)
            + splice(&self.dns)
            + self
                .rest
                .as_ref()
                .map_or(0, |r| design_bytes(&r.0) + design_bytes(&r.1))
    }
}

/// Runs `f` on the design without its large sections (so that comparing, cloning or setting
/// "everything else" never touches them), and puts them back.
fn with_rest<R>(design: &mut Design, f: impl FnOnce(&mut Design) -> R) -> R {
    let components = std::mem::take(&mut design.components);
    let links = std::mem::take(&mut design.links);
    let servers = std::mem::take(&mut design.servers);
    let dns = std::mem::take(&mut design.dns);
    let r = f(design);
    design.components = components;
    design.links = links;
    design.servers = servers;
    design.dns = dns;
    r
}

/// The undo and redo stacks, and the design as of the last step.
#[derive(Debug, Clone)]
pub struct History {
    /// The design as the last step (or the start) left it: an edit is found by comparing
    /// with it.
    base: Design,
    undo: VecDeque<Change>,
    redo: Vec<Change>,
    /// Bytes held by `undo` and `redo`.
    held: usize,
    /// The most the steps may hold.
    budget: usize,
    last_edit: Option<EditKey>,
    /// The version of the design as it is now; every step makes a new one, undo and redo go
    /// back to the old ones.
    version: u64,
    next_version: u64,
    /// The steps taken since [`History::take_log`] last ran, for who keeps a copy in step.
    log: Vec<(Change, bool)>,
    keep_log: bool,
}

impl History {
    /// A history that starts at `design`.
    pub fn new(design: &Design) -> History {
        History {
            base: design.clone(),
            undo: VecDeque::new(),
            redo: Vec::new(),
            held: 0,
            budget: ((design_bytes(design) as f64 * BUDGET_RATIO) as usize).max(MIN_BUDGET),
            last_edit: None,
            version: 0,
            next_version: 1,
            log: Vec::new(),
            keep_log: false,
        }
    }

    /// The version of the design now: equal versions are equal designs.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// What changed from the design as of the last step to `design`, if anything.
    pub fn pending(&mut self, design: &mut Design) -> Option<Change> {
        let mut c = Change {
            components: Splice::between(&self.base.components, &design.components),
            links: Splice::between(&self.base.links, &design.links),
            servers: Splice::between(&self.base.servers, &design.servers),
            dns: Splice::between(&self.base.dns, &design.dns),
            ..Change::default()
        };
        let base = &mut self.base;
        let same = with_rest(design, |d| with_rest(base, |b| b == d));
        if !same {
            let then = with_rest(base, |b| b.clone());
            let now = with_rest(design, |d| d.clone());
            c.rest = Some(Box::new((then, now)));
        }
        let none = c.components.is_none()
            && c.links.is_none()
            && c.servers.is_none()
            && c.dns.is_none()
            && c.rest.is_none();
        (!none).then_some(c)
    }

    /// [`History::pending`] where the edit changed at most component `only` (when given):
    /// that one comparison instead of the whole design's.
    fn pending_in(&mut self, design: &mut Design, only: Option<usize>) -> Option<Change> {
        let n = design.components.len();
        let Some(i) = only.filter(|&i| i < n && self.base.components.len() == n) else {
            return self.pending(design);
        };
        let (was, now) = (&self.base.components[i], &design.components[i]);
        let c = (was != now).then(|| Change {
            components: Some(Splice {
                at: i,
                old: vec![was.clone()],
                new: vec![now.clone()],
            }),
            ..Change::default()
        });
        debug_assert_eq!(
            c,
            self.pending(design),
            "the edit changed more than component {i}"
        );
        c
    }

    /// Takes `design` back to the design as of the last step (an edit refused).
    pub fn revert(&mut self, design: &mut Design) {
        if let Some(c) = self.pending(design) {
            c.apply(design, false);
        }
    }

    /// Records the edit `key` that made `design` from the design as of the last step. A move
    /// of the component the last edit moved too joins that step. Whether anything changed.
    pub fn record(&mut self, key: EditKey, design: &mut Design) -> bool {
        self.record_with(key, design, None)
    }

    /// [`History::record`] of an edit that changed component `i` and nothing else (a move):
    /// what changed is found by comparing that one component, not the whole design.
    pub fn record_component(&mut self, key: EditKey, design: &mut Design, i: usize) -> bool {
        self.record_with(key, design, Some(i))
    }

    fn record_with(&mut self, key: EditKey, design: &mut Design, only: Option<usize>) -> bool {
        let Some(change) = self.pending_in(design, only) else {
            return false;
        };
        let coalesce = key != EditKey::Other && self.last_edit.as_ref() == Some(&key);
        let change = match self.undo.pop_back() {
            Some(top) if coalesce => {
                // The run becomes one step from before its first move.
                self.held -= top.bytes();
                top.apply(&mut self.base, false);
                self.version = top.from;
                if self.keep_log {
                    self.log.push((top, false));
                }
                // A run of moves that ends where it began leaves no step, but it did change
                // the design (back to before the run).
                self.pending_in(design, only)
            }
            top => {
                self.undo.extend(top);
                Some(change)
            }
        };
        self.last_edit = Some(key);
        if let Some(c) = change {
            self.commit_change(c);
        }
        true
    }

    /// Records a step that nothing joins (a reload from disk). Whether anything changed.
    pub fn record_step(&mut self, design: &mut Design) -> bool {
        self.last_edit = None;
        self.commit(design)
    }

    fn commit(&mut self, design: &mut Design) -> bool {
        let Some(c) = self.pending(design) else {
            return false;
        };
        self.commit_change(c);
        true
    }

    /// Makes `c`, what changed from the design as of the last step, the next step.
    fn commit_change(&mut self, mut c: Change) {
        c.from = self.version;
        // A step that takes the last one back exactly returns to its version (moving a box
        // back by hand to where it was saved leaves nothing unsaved).
        match self.undo.back() {
            Some(last) if last.to == self.version && c.undoes(last) => c.to = last.from,
            _ => {
                c.to = self.next_version;
                self.next_version += 1;
            }
        }
        self.version = c.to;
        c.apply(&mut self.base, true);
        for r in self.redo.drain(..) {
            self.held -= r.bytes();
        }
        self.held += c.bytes();
        if self.keep_log {
            self.log.push((c.clone(), true));
        }
        self.undo.push_back(c);
        while self.held > self.budget && self.undo.len() > 1 {
            if let Some(old) = self.undo.pop_front() {
                self.held -= old.bytes();
            }
        }
    }

    /// The next edit starts a step of its own, whatever it is.
    pub fn break_run(&mut self) {
        self.last_edit = None;
    }

    /// The step [`History::undo`] would take back.
    pub fn next_undo(&self) -> Option<&Change> {
        self.undo.back()
    }

    /// The step [`History::redo`] would take again.
    pub fn next_redo(&self) -> Option<&Change> {
        self.redo.last()
    }

    /// Takes the last step back on `design`; whether there was one.
    pub fn undo(&mut self, design: &mut Design) -> bool {
        let Some(c) = self.undo.pop_back() else {
            return false;
        };
        c.apply(design, false);
        c.apply(&mut self.base, false);
        self.version = c.from;
        self.last_edit = None;
        if self.keep_log {
            self.log.push((c.clone(), false));
        }
        self.redo.push(c);
        true
    }

    /// Takes the last undone step again on `design`; whether there was one.
    pub fn redo(&mut self, design: &mut Design) -> bool {
        let Some(c) = self.redo.pop() else {
            return false;
        };
        c.apply(design, true);
        c.apply(&mut self.base, true);
        self.version = c.to;
        self.last_edit = None;
        if self.keep_log {
            self.log.push((c.clone(), true));
        }
        self.undo.push_back(c);
        true
    }

    /// How many changes undo can take back.
    pub fn undo_steps(&self) -> usize {
        self.undo.len()
    }

    /// The bytes the history holds besides its copy of the design: the steps.
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// The bytes the history holds in all, its copy of the design included.
    pub fn bytes(&self) -> usize {
        self.held + design_bytes(&self.base)
    }

    /// From now on, keep the steps taken (forward or back) for [`History::take_log`].
    pub fn keep_log(&mut self) {
        self.keep_log = true;
    }

    /// The steps taken since the last call, in order, each with its direction.
    pub fn take_log(&mut self) -> Vec<(Change, bool)> {
        std::mem::take(&mut self.log)
    }
}

/// About how many bytes a list of items occupies in memory: each item's own size, and the
/// text and lists it owns (counted by serializing it, so new fields count without a change
/// here).
pub fn heap_bytes<T: Serialize>(items: &[T]) -> usize {
    let mut counter = Counter::default();
    for i in items {
        let _ = i.serialize(&mut counter);
    }
    std::mem::size_of_val(items) + counter.bytes
}

/// About how many bytes a design occupies in memory (see [`heap_bytes`]).
pub fn design_bytes(design: &Design) -> usize {
    std::mem::size_of::<Design>()
        + heap_bytes(&design.components)
        + heap_bytes(&design.links)
        + heap_bytes(&design.servers)
        + heap_bytes(&design.dns)
        + heap_bytes(&design.clusters)
        + heap_bytes(&design.accepted)
        + design.name.len()
}

/// A serializer that only counts the bytes of text and lists an item owns on the heap.
#[derive(Default)]
struct Counter {
    bytes: usize,
}

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("counting cannot fail")
    }
}

impl std::error::Error for Never {}

impl serde::ser::Error for Never {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Never
    }
}

macro_rules! ignore {
    ($($name:ident: $t:ty),*) => {
        $(fn $name(self, _: $t) -> Result<(), Never> { Ok(()) })*
    };
}

impl serde::Serializer for &mut Counter {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;
    ignore!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char);
    fn serialize_str(self, v: &str) -> Result<(), Never> {
        self.bytes += v.len();
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Never> {
        self.bytes += v.len();
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        // A list's items are on the heap: count a word-sized slot for each (the items' own
        // text is counted as they come).
        self.bytes += len.unwrap_or(0) * std::mem::size_of::<String>();
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Never> {
        self.bytes += len.unwrap_or(0) * 2 * std::mem::size_of::<String>();
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
}

macro_rules! compound {
    ($($tr:ident :: $f:ident),*) => {
        $(impl serde::ser::$tr for &mut Counter {
            type Ok = ();
            type Error = Never;
            fn $f<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        })*
    };
}

compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl serde::ser::SerializeMap for &mut Counter {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Never> {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Never> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl serde::ser::SerializeStruct for &mut Counter {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl serde::ser::SerializeStructVariant for &mut Counter {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(design: &mut Design, i: usize, dx: i32) {
        let c = &mut design.components[i];
        c.x = Some(c.x.unwrap_or(0) + dx);
    }

    #[test]
    fn a_splice_is_the_one_run_that_differs() {
        let s = Splice::between(&[1, 2, 3, 4], &[1, 9, 9, 4]).expect("a change");
        assert_eq!(
            (s.at, s.old.as_slice(), s.new.as_slice()),
            (1, &[2, 3][..], &[9, 9][..])
        );
        let mut v = vec![1, 2, 3, 4];
        s.apply(&mut v, true);
        assert_eq!(v, [1, 9, 9, 4]);
        s.apply(&mut v, false);
        assert_eq!(v, [1, 2, 3, 4]);
        let grow = Splice::between(&[1, 2], &[1, 2, 2]).expect("a change");
        let mut v = vec![1, 2];
        grow.apply(&mut v, true);
        assert_eq!(v, [1, 2, 2]);
        assert_eq!(Splice::between(&[1, 2], &[1, 2]), None);
    }

    #[test]
    fn undo_and_redo_walk_the_steps_and_the_versions() {
        let mut d = crate::templates::template("distributed").expect("template");
        let start = d.clone();
        let mut h = History::new(&d);
        moved(&mut d, 1, 3);
        assert!(h.record(EditKey::Other, &mut d));
        d.name = "Renamed".into();
        d.links.remove(0);
        assert!(h.record(EditKey::Other, &mut d));
        let after = d.clone();
        assert!(!h.record(EditKey::Other, &mut d), "nothing changed");
        assert!(h.undo(&mut d) && h.undo(&mut d) && !h.undo(&mut d));
        assert_eq!(d, start);
        assert_eq!(h.version(), 0);
        assert!(h.redo(&mut d) && h.redo(&mut d));
        assert_eq!(d, after);
        // A refused edit goes back to the design as of the last step.
        d.components.clear();
        h.revert(&mut d);
        assert_eq!(d, after);
    }

    #[test]
    fn moves_of_one_box_are_one_step() {
        let mut d = crate::templates::template("simple").expect("template");
        let mut h = History::new(&d);
        let id = d.components[1].id.clone();
        for _ in 0..5 {
            moved(&mut d, 1, 1);
            h.record(EditKey::Move(id.clone()), &mut d);
        }
        assert_eq!(h.undo_steps(), 1);
        for _ in 0..5 {
            moved(&mut d, 1, -1);
            h.record(EditKey::Move(id.clone()), &mut d);
        }
        assert_eq!(h.version(), 0, "back where it started: the version it had");
    }

    /// 400 edits of a 100,000-component design: the history holds its one copy of the design
    /// and the steps, within twice the design's own size (200 copies before).
    #[test]
    fn undo_memory_is_bounded_by_the_design_not_by_the_steps() {
        let mut d = crate::generate::layered(100_000);
        let n = d.components.len();
        let own = design_bytes(&d);
        let mut h = History::new(&d);
        for k in 0..400 {
            match k % 4 {
                0 | 1 => moved(&mut d, (k * 7919) % n, 1 + (k % 3) as i32),
                2 => d.components[(k * 104_729) % n].label = Some(format!("edited {k}")),
                _ => {
                    let l = (k * 31) % d.links.len();
                    d.links[l].port = Some(8000 + k as u16);
                }
            }
            assert!(
                h.record(EditKey::Other, &mut d),
                "edit {k} changed something"
            );
        }
        assert_eq!(h.undo_steps(), 400, "every step kept");
        let held = h.bytes();
        eprintln!(
            "design {} bytes; history {held} bytes ({} in its steps)",
            own,
            h.held_bytes()
        );
        assert!(held <= 2 * own, "history {held} bytes, design {own}");
        assert!(h.held_bytes() < own / 100, "steps {} bytes", h.held_bytes());
    }

    #[test]
    fn old_steps_go_when_they_outgrow_the_budget() {
        let mut d = crate::templates::template("simple").expect("template");
        let mut h = History::new(&d);
        h.budget = 4_000;
        for k in 0..200 {
            d.description = Some("x".repeat(100 + k));
            h.record(EditKey::Other, &mut d);
        }
        assert!(h.held_bytes() <= 4_000 + 2 * 400, "{}", h.held_bytes());
        assert!(h.undo_steps() < 200 && h.undo_steps() >= 1);
    }
}
