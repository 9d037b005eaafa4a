//! The link router: orthogonal paths found by a best-first search on the canvas grid, under
//! rules that keep the picture readable as the design's links and nothing else.
//!
//! - No line enters a box, a frame's corner or title, or a DNS tag; a frame border is only
//!   crossed straight across, by one line.
//! - Lines that touch (share a cell, join at a junction) belong to one *network*, and a
//!   network is either a fan-out (every link in it starts at one box) or a fan-in (every link
//!   ends at one box), so the picture says which source reaches which target.
//! - Unrelated lines meet only in a crossing `┼`: two straight lines, one across the other,
//!   away from where they start or end. A junction never has four arms.
//! - An arrowhead's cell belongs to the links that end there, arriving from its back.
//! - A label sits on a straight stretch of its own link that no other line touches, and no
//!   line is routed through it later.

use super::{ALL, DOWN, LEFT, RIGHT, UP};
use crate::layout::Rect;
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub type P = (i32, i32);

pub fn step(d: u8) -> (i32, i32) {
    match d {
        UP => (0, -1),
        DOWN => (0, 1),
        LEFT => (-1, 0),
        _ => (1, 0),
    }
}

pub fn opposite(d: u8) -> u8 {
    match d {
        UP => DOWN,
        DOWN => UP,
        LEFT => RIGHT,
        _ => LEFT,
    }
}

fn turns(d: u8) -> [u8; 2] {
    if d == UP || d == DOWN {
        [LEFT, RIGHT]
    } else {
        [UP, DOWN]
    }
}

fn straight(bits: u8) -> bool {
    bits == LEFT | RIGHT || bits == UP | DOWN
}

/// Whether an arrowhead at `c` pointing `dir` meets `b` away from its corners.
fn side_middle(b: Rect, c: P, dir: u8) -> bool {
    if dir == LEFT || dir == RIGHT {
        c.1 > b.y && c.1 < b.bottom() - 1
    } else {
        c.0 > b.x && c.0 < b.right() - 1
    }
}

/// What a cell is before any link: free, blocked, or a frame border that may be crossed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Static {
    Free,
    Blocked,
    /// The top or bottom edge of a frame: crossed by a vertical line only.
    HEdge,
    /// A side of a frame: crossed by a horizontal line only.
    VEdge,
}

const TILE_W: i32 = 64;
const TILE_H: i32 = 32;

/// What a tile entry is: a box, a frame or a DNS tag, by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Thing {
    Box(u32),
    Frame(u32),
    Tag(u32),
}

/// Rectangles bucketed by tile, so that a cell's lookup costs what is near it: one hash
/// lookup for everything in the cell's tile.
#[derive(Default, Debug, Clone)]
struct Tiles {
    map: HashMap<(i32, i32), Vec<Thing>>,
    /// Rectangles over too many tiles to list in each (a frame across a huge canvas).
    everywhere: Vec<Thing>,
}

impl Tiles {
    fn insert(&mut self, r: Rect, id: Thing) {
        if r.w <= 0 || r.h <= 0 {
            return;
        }
        if i64::from(r.w / TILE_W + 1) * i64::from(r.h / TILE_H + 1) > 4_096 {
            self.everywhere.push(id);
            return;
        }
        for ty in r.y.div_euclid(TILE_H)..=(r.bottom() - 1).div_euclid(TILE_H) {
            for tx in r.x.div_euclid(TILE_W)..=(r.right() - 1).div_euclid(TILE_W) {
                self.map.entry((tx, ty)).or_default().push(id);
            }
        }
    }

    /// Takes back what `insert(r, id)` put in.
    fn remove(&mut self, r: Rect, id: Thing) {
        if r.w <= 0 || r.h <= 0 {
            return;
        }
        if i64::from(r.w / TILE_W + 1) * i64::from(r.h / TILE_H + 1) > 4_096 {
            self.everywhere.retain(|t| *t != id);
            return;
        }
        for ty in r.y.div_euclid(TILE_H)..=(r.bottom() - 1).div_euclid(TILE_H) {
            for tx in r.x.div_euclid(TILE_W)..=(r.right() - 1).div_euclid(TILE_W) {
                if let Some(v) = self.map.get_mut(&(tx, ty)) {
                    v.retain(|t| *t != id);
                }
            }
        }
    }

    fn at(&self, x: i32, y: i32) -> impl Iterator<Item = &Thing> {
        self.map
            .get(&(x.div_euclid(TILE_W), y.div_euclid(TILE_H)))
            .map_or(&[][..], |v| v.as_slice())
            .iter()
            .chain(&self.everywhere)
    }
}

/// A box and the cells round it, by which its lines leave and arrive.
fn ring(b: Rect) -> Rect {
    Rect::new(b.x - 1, b.y - 1, b.w + 2, b.h + 2)
}

/// A server frame and the part of its top edge its title may take.
#[derive(Debug, Clone, Copy)]
pub struct FrameGeo {
    pub rect: Rect,
    /// Columns `title.0..title.1` of the top edge hold the title.
    pub title: (i32, i32),
}

/// What routes go around: boxes, frames (borders, corners, titles) and DNS tags.
#[derive(Debug, Clone, Default)]
pub struct Statics {
    boxes: Vec<Rect>,
    frames: Vec<FrameGeo>,
    tags: Vec<Rect>,
    tiles: Tiles,
    /// Per box: whether more than one line leaves or reaches it, so that its ways in and out
    /// are worth keeping free (all are, until [`Statics::set_busy`] says).
    busy: Vec<bool>,
    /// Everything drawn.
    pub bounds: Rect,
}

impl Statics {
    pub fn new(bounds: Rect, boxes: &[Rect], frames: &[FrameGeo], tags: &[Rect]) -> Statics {
        let mut s = Statics {
            bounds,
            boxes: boxes.to_vec(),
            frames: frames.to_vec(),
            tags: tags.to_vec(),
            ..Statics::default()
        };
        for (i, b) in boxes.iter().enumerate() {
            s.tiles.insert(ring(*b), Thing::Box(i as u32));
        }
        for (i, f) in frames.iter().enumerate() {
            s.tiles.insert(f.rect, Thing::Frame(i as u32));
        }
        for (i, t) in tags.iter().enumerate() {
            s.tiles.insert(*t, Thing::Tag(i as u32));
        }
        s
    }

    /// Box `i` is now at `r`: what [`Statics::new`] would make with it there, at the cost of
    /// the tiles it leaves and enters.
    pub fn set_box(&mut self, i: usize, r: Rect) {
        self.tiles.remove(ring(self.boxes[i]), Thing::Box(i as u32));
        self.boxes[i] = r;
        self.tiles.insert(ring(r), Thing::Box(i as u32));
    }

    /// The lines to route, by their (source, target) boxes: a box with more than one is busy.
    pub fn set_busy(&mut self, ends: impl Iterator<Item = (u32, u32)>) {
        let mut lines = vec![0u8; self.boxes.len()];
        for (s, t) in ends {
            for b in [s, t] {
                if let Some(n) = lines.get_mut(b as usize) {
                    *n = n.saturating_add(1);
                }
            }
        }
        self.busy = lines.into_iter().map(|n| n > 1).collect();
    }

    /// Frame `i` is now `f` (see [`Statics::set_box`]).
    pub fn set_frame(&mut self, i: usize, f: FrameGeo) {
        self.tiles
            .remove(self.frames[i].rect, Thing::Frame(i as u32));
        self.frames[i] = f;
        self.tiles.insert(f.rect, Thing::Frame(i as u32));
    }

    /// The DNS tags are now `tags` (see [`Statics::set_box`]).
    pub fn set_tags(&mut self, tags: &[Rect]) {
        for (i, t) in self.tags.iter().enumerate() {
            self.tiles.remove(*t, Thing::Tag(i as u32));
        }
        self.tags = tags.to_vec();
        for (i, t) in tags.iter().enumerate() {
            self.tiles.insert(*t, Thing::Tag(i as u32));
        }
    }

    /// Whether a cell touches a side of a box other than `s` and `t` (the cells its lines
    /// leave and arrive by): a line passing there takes a way in or out of that box.
    pub fn hugs(&self, x: i32, y: i32, (s, t): (u32, u32)) -> bool {
        self.tiles.at(x, y).any(|th| match *th {
            Thing::Box(i) => {
                i != s
                    && i != t
                    && self.busy.get(i as usize).copied().unwrap_or(true)
                    && ring(self.boxes[i as usize]).contains(x, y)
            }
            _ => false,
        })
    }

    pub fn get(&self, x: i32, y: i32) -> Static {
        let mut out = Static::Free;
        for t in self.tiles.at(x, y) {
            let f = match *t {
                Thing::Box(i) if self.boxes[i as usize].contains(x, y) => {
                    return Static::Blocked;
                }
                Thing::Tag(i) if self.tags[i as usize].contains(x, y) => {
                    return Static::Blocked;
                }
                Thing::Frame(i) => self.frames[i as usize],
                _ => continue,
            };
            let r = f.rect;
            if !r.contains(x, y) {
                continue;
            }
            let (x2, y2) = (r.right() - 1, r.bottom() - 1);
            let edge_row = y == r.y || y == y2;
            let edge_col = x == r.x || x == x2;
            let here = match (edge_row, edge_col) {
                (true, true) => Static::Blocked,
                (true, false) if y == r.y && x >= f.title.0 && x < f.title.1 => Static::Blocked,
                (true, false) => Static::HEdge,
                (false, true) => Static::VEdge,
                (false, false) => continue,
            };
            if out != Static::Free {
                return Static::Blocked;
            }
            out = here;
        }
        out
    }
}

/// One link's claim on a cell.
#[derive(Debug, Clone, Copy)]
struct Use {
    route: u32,
    bits: u8,
}

#[derive(Debug, Clone)]
struct Occ {
    uses: Vec<Use>,
    /// The directions of all its uses together.
    bits: u8,
    /// A route of each network here (`NONE` for none): one, or two where they cross. A
    /// trunk many lines share is then checked at the cost of one line, not of all of them.
    nets: [u32; 2],
    /// The target box and direction of the arrowhead drawn here.
    arrow: Option<(u32, u8)>,
    label: bool,
    /// Where a link starts or ends: no crossing here.
    end: bool,
}

const NONE: u32 = u32::MAX;

impl Default for Occ {
    fn default() -> Occ {
        Occ {
            uses: Vec::new(),
            bits: 0,
            nets: [NONE; 2],
            arrow: None,
            label: false,
            end: false,
        }
    }
}

impl Occ {
    fn bits(&self) -> u8 {
        self.bits
    }

    /// The networks here, each as one of its routes.
    fn nets(&self) -> impl Iterator<Item = u32> + '_ {
        self.nets.iter().copied().filter(|&r| r != NONE)
    }
}

/// A routed path: its cells with the directions the line goes in each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub cells: Vec<(P, u8)>,
    /// The direction the arrowhead points, into the target.
    pub arrow: u8,
    /// The direction from the first cell into the source box.
    pub source_side: u8,
    pub label_at: Option<P>,
}

const FANOUT: u8 = 1;
const FANIN: u8 = 2;

/// Boxes further apart than this (in cells, across plus down) get no line: a search across
/// such a canvas costs more than a frame may, and no screen shows both ends.
pub const MAX_SPAN: i64 = 4_000;

/// The fewest search steps a link is allowed, however close its boxes are.
const MIN_BUDGET: usize = 2_000;

const STEP: u32 = 2;
const SHARED_STEP: u32 = 1;
const BEND: u32 = 5;
const CROSS: u32 = 6;
const BORDER: u32 = 2;
/// Passing next to a box that is not the link's end: its ways in and out are few.
const HUG: u32 = 6;

/// The grid's claims: which links use each cell, how they join into networks.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    occ: HashMap<P, Occ>,
    parent: Vec<u32>,
    /// Per network root: how many routes it holds (the smaller joins the larger, so that
    /// finding a root takes few steps however many lines share a trunk).
    size: Vec<u32>,
    /// Per network root: the one source box of all its links, the one target box.
    src: Vec<Option<u32>>,
    dst: Vec<Option<u32>>,
    ends: Vec<(u32, u32)>,
    /// Per route: the cells it claimed.
    claimed: Vec<Vec<P>>,
    /// Whether searches lean toward the target more than the cheapest path would: in a
    /// design of many lines, a search then costs several times fewer steps and far fewer
    /// lines run out of them, for paths a little longer or with a bend more.
    pub hurry: bool,
}

/// The root of route `r`'s network in the union-find `parent`.
fn root_in(parent: &[u32], mut r: u32) -> u32 {
    while parent[r as usize] != r {
        r = parent[r as usize];
    }
    r
}

impl Grid {
    fn root(&self, r: u32) -> u32 {
        root_in(&self.parent, r)
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra == rb {
            return;
        }
        let (s1, s2) = (self.src[ra as usize], self.src[rb as usize]);
        let (d1, d2) = (self.dst[ra as usize], self.dst[rb as usize]);
        let (ra, rb) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        self.src[ra as usize] = if s1 == s2 { s1 } else { None };
        self.dst[ra as usize] = if d1 == d2 { d1 } else { None };
    }

    /// The ways a link from `s` to `t` may join network `root`.
    fn compat(&self, root: u32, s: u32, t: u32) -> u8 {
        let mut o = 0;
        if self.src[root as usize] == Some(s) {
            o |= FANOUT;
        }
        if self.dst[root as usize] == Some(t) {
            o |= FANIN;
        }
        o
    }

    /// Whether a link from `s` to `t`, in sharing mode `opts`, may draw `bits` at `c`; the
    /// new mode and the cost of the step if so.
    fn fits(
        &self,
        here: Static,
        c: P,
        bits: u8,
        opts: u8,
        (s, t): (u32, u32),
        end: bool,
    ) -> Option<(u8, u32)> {
        let free = match here {
            Static::Blocked => return None,
            Static::HEdge => {
                return (bits == UP | DOWN && !self.occ.contains_key(&c) && !end)
                    .then_some((opts, STEP + BORDER));
            }
            Static::VEdge => {
                return (bits == LEFT | RIGHT && !self.occ.contains_key(&c) && !end)
                    .then_some((opts, STEP + BORDER));
            }
            Static::Free => true,
        };
        debug_assert!(free);
        let Some(o) = self.occ.get(&c) else {
            return Some((opts, STEP));
        };
        if o.label || o.arrow.is_some() {
            return None;
        }
        let have = o.bits();
        if have | bits == ALL {
            // A crossing: straight over one straight line of one network.
            let one_net = o.nets[1] == NONE;
            return (straight(have)
                && straight(bits)
                && have & bits == 0
                && one_net
                && !o.end
                && !end)
                .then_some((opts, STEP + CROSS));
        }
        let mut opts = opts;
        for r in o.nets() {
            opts &= self.compat(self.root(r), s, t);
            if opts == 0 {
                return None;
            }
        }
        Some((opts, SHARED_STEP))
    }

    /// Whether an arrowhead into `t`, pointing `dir`, may sit at `c`.
    fn arrow_fits(&self, st: &Statics, c: P, dir: u8, opts: u8, (s, t): (u32, u32)) -> Option<u8> {
        if st.get(c.0, c.1) != Static::Free {
            return None;
        }
        let Some(o) = self.occ.get(&c) else {
            return Some(opts);
        };
        if o.arrow != Some((t, dir)) || o.bits() != opposite(dir) {
            return None;
        }
        let mut opts = opts & FANIN;
        for r in o.nets() {
            opts &= self.compat(self.root(r), s, t);
        }
        (opts != 0).then_some(opts)
    }

    /// Finds a path from box `s` to box `t` within `region`, spending at most `*budget` steps
    /// (what it spends is taken off, so that the tries of one link share one budget).
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        st: &Statics,
        sb: Rect,
        tb: Rect,
        ends: (u32, u32),
        region: Rect,
        budget: &mut usize,
    ) -> Option<(Vec<(P, u8)>, u8)> {
        // Nodes: (cell, direction moved into it, sharing mode).
        type Node = (P, u8, u8);
        let goal = Rect::new(tb.x - 1, tb.y - 1, tb.w + 2, tb.h + 2);
        let h = |(x, y): P| -> u32 {
            let dx = (goal.x - x).max(x - (goal.right() - 1)).max(0);
            let dy = (goal.y - y).max(y - (goal.bottom() - 1)).max(0);
            // Weighted past what sharing could save: a directed search, near-linear in the
            // length of the path where the way is clear.
            (dx + dy) as u32 * if self.hurry { STEP * 3 / 2 } else { STEP }
        };
        let mut best: HashMap<Node, (u32, Option<Node>)> = HashMap::default();
        let mut heap: BinaryHeap<Reverse<(u32, u32, Node)>> = BinaryHeap::new();
        let full = FANOUT | FANIN;
        let mut starts: Vec<(P, u8, u32)> = Vec::new();
        for y in sb.y + 1..sb.bottom() - 1 {
            starts.push(((sb.right(), y), RIGHT, 0));
            starts.push(((sb.x - 1, y), LEFT, 0));
        }
        for x in sb.x + 1..sb.right() - 1 {
            starts.push(((x, sb.y - 1), UP, 1));
            starts.push(((x, sb.bottom()), DOWN, 1));
        }
        for (c, d, extra) in starts {
            if !region.contains(c.0, c.1) {
                continue;
            }
            // A start may turn at once: `└` under a box reads as leaving it.
            let node = (c, d, full);
            if best.get(&node).is_none_or(|&(b, _)| extra < b) {
                best.insert(node, (extra, None));
                heap.push(Reverse((extra + h(c), extra, node)));
            }
        }
        while let Some(Reverse((_, g, node))) = heap.pop() {
            if best.get(&node).is_some_and(|&(b, _)| b < g) {
                continue;
            }
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            let (c, din, opts) = node;
            let (dx, dy) = step(din);
            if tb.contains(c.0 + dx, c.1 + dy) {
                if !side_middle(tb, c, din) {
                    continue;
                }
                let Some(_) = self.arrow_fits(st, c, din, opts, ends) else {
                    continue;
                };
                // Walk back, then give each cell the directions to its neighbours.
                let mut nodes = vec![node];
                while let Some(prev) = best.get(nodes.last().expect("a node")).and_then(|n| n.1) {
                    nodes.push(prev);
                }
                nodes.reverse();
                // A path that passes a cell twice would draw a loop or cross itself: not
                // this one, the search goes on.
                let mut seen: Vec<P> = nodes.iter().map(|n| n.0).collect();
                seen.sort_unstable();
                if seen.windows(2).any(|w| w[0] == w[1]) {
                    continue;
                }
                let cells: Vec<(P, u8)> = nodes
                    .iter()
                    .enumerate()
                    .map(|(i, &(p, d, _))| {
                        let ahead = nodes.get(i + 1).map_or(0, |n| n.1);
                        (p, opposite(d) | ahead)
                    })
                    .collect();
                return Some((cells, din));
            }
            let start = best.get(&node).is_some_and(|n| n.1.is_none());
            // What the cell is before any link, looked up once for its three ways on.
            let here = st.get(c.0, c.1);
            for dout in [din, turns(din)[0], turns(din)[1]] {
                let bits = opposite(din) | dout;
                let Some((o2, cost)) = self.fits(here, c, bits, opts, ends, start) else {
                    continue;
                };
                let (ox, oy) = step(dout);
                let n = (c.0 + ox, c.1 + oy);
                if !region.contains(n.0, n.1) || st.get(n.0, n.1) == Static::Blocked {
                    continue;
                }
                let hug = if st.hugs(n.0, n.1, ends) { HUG } else { 0 };
                let g2 = g + cost + hug + if dout == din { 0 } else { BEND };
                let next = (n, dout, o2);
                if best.get(&next).is_none_or(|&(b, _)| g2 < b) {
                    best.insert(next, (g2, Some(node)));
                    heap.push(Reverse((g2 + h(n), g2, next)));
                }
            }
        }
        None
    }

    /// Routes a link from box `s` to box `t` and claims its cells; `label_w` cells are kept
    /// for its label where a stretch of its own is long enough.
    pub fn route(
        &mut self,
        st: &Statics,
        s: u32,
        t: u32,
        label_w: i32,
        budget: usize,
        cap: usize,
    ) -> Option<(Path, bool)> {
        let (sb, tb) = (st.boxes[s as usize], st.boxes[t as usize]);
        let far = i64::from(sb.x - tb.x).abs() + i64::from(sb.y - tb.y).abs();
        if far > MAX_SPAN {
            return None;
        }
        let both = sb.union(&tb);
        let mut found = None;
        // Inside the drawing's bounds first, so that a design shown whole shows its lines
        // whole; around it where nothing else fits.
        let inside = |r: Rect, m: i32| {
            let b = Rect::new(
                st.bounds.x - m,
                st.bounds.y - m,
                st.bounds.w + 2 * m,
                st.bounds.h + 2 * m,
            );
            let x0 = r.x.max(b.x);
            let y0 = r.y.max(b.y);
            Rect::new(
                x0,
                y0,
                r.right().min(b.right()) - x0,
                r.bottom().min(b.bottom()) - y0,
            )
        };
        let mut within = true;
        // One budget for all the tries, in proportion to the ground between the two boxes, so
        // that a link with no room gives up at what its neighbourhood costs to search, not at
        // what a canvas-wide search would.
        let near = i64::from(both.w + 120) * i64::from(both.h + 120);
        let mut budget = budget
            .max(far as usize * 8)
            .min((near as usize).saturating_mul(2).max(MIN_BUDGET))
            .min(cap);
        for (margin, outside) in [(4, 0), (16, 0), (60, 0), (8, 3), (60, 3)] {
            within = outside == 0;
            let region = inside(
                Rect::new(
                    both.x - margin,
                    both.y - margin,
                    both.w + 2 * margin,
                    both.h + 2 * margin,
                ),
                outside,
            );
            found = self.search(st, sb, tb, (s, t), region, &mut budget);
            if found.is_some() || budget == 0 {
                break;
            }
        }
        let (cells, arrow) = found?;
        let id = self.parent.len() as u32;
        self.parent.push(id);
        self.size.push(1);
        self.src.push(Some(s));
        self.dst.push(Some(t));
        self.ends.push((s, t));
        let last = cells[cells.len() - 1].0;
        let source_side = match cells.get(1) {
            Some(&(next, _)) => cells[0].1 & !super::toward_dir(cells[0].0, next),
            None => opposite(arrow),
        };
        for (i, &(c, bits)) in cells.iter().enumerate() {
            let is_end = i == 0 || i == cells.len() - 1;
            let o = self.occ.entry(c).or_default();
            let have = o.bits();
            let crossing = have | bits == ALL && have & bits == 0;
            // Every line here but one crossing is of one network: joining one of its
            // routes joins it.
            let other = o.nets[0];
            if o.nets[0] == NONE {
                o.nets[0] = id;
            } else if crossing {
                o.nets[1] = id;
            }
            o.uses.push(Use { route: id, bits });
            o.bits |= bits;
            o.end |= is_end;
            if c == last {
                o.arrow = Some((t, arrow));
            }
            if !crossing && other != NONE {
                self.union(id, other);
            }
        }
        let mut path = Path {
            cells,
            arrow,
            source_side,
            label_at: None,
        };
        path.label_at = self.place_label(st, id, &path, label_w);
        let mut claimed: Vec<P> = path.cells.iter().map(|c| c.0).collect();
        if let Some((x, y)) = path.label_at {
            for k in 0..label_w {
                claimed.push((x + k, y));
            }
        }
        self.claimed.push(claimed);
        Some((path, within))
    }

    /// The middle of the longest straight horizontal stretch only this route uses.
    fn place_label(&mut self, st: &Statics, id: u32, path: &Path, w: i32) -> Option<P> {
        if w <= 0 {
            return None;
        }
        let own = |c: &P, bits: u8| {
            bits == LEFT | RIGHT
                && st.get(c.0, c.1) == Static::Free
                && self
                    .occ
                    .get(c)
                    .is_some_and(|o| o.uses.len() == 1 && o.uses[0].route == id && !o.end)
        };
        let mut best: Option<(i32, i32, i32)> = None; // (len, start index)
        let mut run_start = 0usize;
        let mut run_len = 0i32;
        for (i, (c, bits)) in path.cells.iter().enumerate() {
            if own(c, *bits) {
                if run_len == 0 {
                    run_start = i;
                }
                run_len += 1;
                if best.is_none_or(|b| run_len > b.0) {
                    best = Some((run_len, run_start as i32, i as i32));
                }
            } else {
                run_len = 0;
            }
        }
        let (len, a, b) = best?;
        if len < w + 2 {
            return None;
        }
        let (xa, xb) = (path.cells[a as usize].0.0, path.cells[b as usize].0.0);
        let (lo, hi) = (xa.min(xb), xa.max(xb));
        let y = path.cells[a as usize].0.1;
        let x = lo + (hi - lo + 1 - w) / 2;
        for k in 0..w {
            if let Some(o) = self.occ.get_mut(&(x + k, y)) {
                o.label = true;
            }
        }
        Some((x, y))
    }

    /// The routes using a cell.
    pub fn routes_at(&self, c: P) -> impl Iterator<Item = u32> + '_ {
        self.occ
            .get(&c)
            .into_iter()
            .flat_map(|o| o.uses.iter().map(|u| u.route))
    }

    /// Takes a route's claims back. Its network keeps the constraints it had (union-find does
    /// not split), which only ever forbids more sharing, never allows a wrong one.
    pub fn remove(&mut self, id: u32) {
        let cells = std::mem::take(&mut self.claimed[id as usize]);
        for c in cells {
            let Some(o) = self.occ.get_mut(&c) else {
                continue;
            };
            o.uses.retain(|u| u.route != id);
            if o.uses.is_empty() {
                self.occ.remove(&c);
                continue;
            }
            o.bits = o.uses.iter().fold(0, |b, u| b | u.bits);
            if o.nets.contains(&id) {
                // Another route of each network still here stands for it.
                let parent = &self.parent;
                let first = o.uses[0].route;
                let root = root_in(parent, first);
                let crossed = (o.nets[1] != NONE)
                    .then(|| {
                        o.uses
                            .iter()
                            .map(|u| u.route)
                            .find(|&r| root_in(parent, r) != root)
                    })
                    .flatten();
                o.nets = [first, crossed.unwrap_or(NONE)];
            }
        }
    }

    /// The id the next route gets.
    pub fn next_id(&self) -> u32 {
        self.parent.len() as u32
    }

    /// Ensures route ids up to `n` exist (for routes that found no path).
    pub fn skip(&mut self, s: u32, t: u32) {
        let id = self.parent.len() as u32;
        self.parent.push(id);
        self.size.push(1);
        self.src.push(Some(s));
        self.dst.push(Some(t));
        self.ends.push((s, t));
        self.claimed.push(Vec::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cell that two networks use is a crossing of two straight lines, and the
    /// networks a cell records are those of the routes using it.
    fn check_cells(g: &Grid) {
        for (c, o) in &g.occ {
            let mut roots: Vec<u32> = o.uses.iter().map(|u| g.root(u.route)).collect();
            roots.sort_unstable();
            roots.dedup();
            let nets: Vec<u32> = o.nets().map(|r| g.root(r)).collect();
            let mut sorted = nets.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, roots, "the networks recorded at {c:?}");
            assert_eq!(o.bits(), o.uses.iter().fold(0, |b, u| b | u.bits), "{c:?}");
            if roots.len() > 1 {
                // Two networks at most, each one straight line, one across the other.
                assert_eq!(roots.len(), 2, "{c:?}");
                for r in &roots {
                    let arm = o
                        .uses
                        .iter()
                        .filter(|u| g.root(u.route) == *r)
                        .fold(0, |b, u| b | u.bits);
                    assert!(
                        straight(arm),
                        "a network at {c:?} turns where another crosses"
                    );
                }
                assert_eq!(o.bits(), ALL, "{c:?}");
            }
        }
    }

    #[test]
    fn lines_of_other_networks_only_cross_after_routes_are_taken_back() {
        // Three sources on the left, two targets on the right, every source to every
        // target: fan-outs and fan-ins that must not merge, in a space where they cross.
        let boxes: Vec<Rect> = [(0, 0), (0, 8), (0, 16), (40, 2), (40, 14)]
            .iter()
            .map(|&(x, y)| Rect::new(x, y, 18, 4))
            .collect();
        let st = Statics::new(Rect::new(0, 0, 58, 20), &boxes, &[], &[]);
        let mut g = Grid::default();
        let mut ids = Vec::new();
        for s in 0..3 {
            for t in 3..5 {
                let id = g.next_id();
                g.route(&st, s, t, 0, 50_000, 50_000)
                    .expect("room for every line");
                ids.push(id);
            }
        }
        check_cells(&g);
        // Take back every other route (the first of each trunk among them), then route
        // them again: what the cells remember of who uses them stays true.
        for &id in ids.iter().step_by(2) {
            g.remove(id);
            check_cells(&g);
        }
        for s in 0..3 {
            g.route(&st, s, 3, 0, 50_000, 50_000).expect("room again");
            check_cells(&g);
        }
    }
}
