//! Orthogonal link routing for the built-in SVG renderer, in pixels.
//!
//! Each link leaves its source box from a port on one side and enters its target from a port
//! on another, with a short straight stub at each end so the arrowhead stays visible. Between
//! the stubs a route has at most two bends more; the renderer tries a few families of such
//! routes and keeps the first that passes no box but its endpoints, no frame title and no DNS
//! tag, and runs along no other link (two links may share a line only when they share their
//! source or their target: a fan-out or a fan-in). Every check looks only at the buckets of a
//! grid that the segment passes, so routing costs about the length of what is drawn.

/// Pixel rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Px {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
}

impl Px {
    pub fn right(&self) -> i64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> i64 {
        self.y + self.h
    }
    pub fn cx(&self) -> i64 {
        self.x + self.w / 2
    }
    pub fn cy(&self) -> i64 {
        self.y + self.h / 2
    }
    pub fn inflate(&self, d: i64) -> Px {
        Px {
            x: self.x - d,
            y: self.y - d,
            w: self.w + 2 * d,
            h: self.h + 2 * d,
        }
    }
    /// Whether the interiors overlap.
    pub fn intersects(&self, o: &Px) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    pub fn union(&self, o: &Px) -> Px {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Px {
            x,
            y,
            w: self.right().max(o.right()) - x,
            h: self.bottom().max(o.bottom()) - y,
        }
    }
}

pub(crate) type Pt = (i64, i64);

/// An axis-aligned segment: `c` is its x when vertical, its y when horizontal; it runs from
/// `lo` to `hi` along the other axis.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub vertical: bool,
    pub c: i64,
    pub lo: i64,
    pub hi: i64,
}

impl Seg {
    pub fn between(a: Pt, b: Pt) -> Seg {
        if a.0 == b.0 {
            Seg {
                vertical: true,
                c: a.0,
                lo: a.1.min(b.1),
                hi: a.1.max(b.1),
            }
        } else {
            Seg {
                vertical: false,
                c: a.1,
                lo: a.0.min(b.0),
                hi: a.0.max(b.0),
            }
        }
    }

    /// The segment's extent as a (thin) rectangle.
    fn bounds(&self) -> Px {
        if self.vertical {
            Px {
                x: self.c,
                y: self.lo,
                w: 0,
                h: self.hi - self.lo,
            }
        } else {
            Px {
                x: self.lo,
                y: self.c,
                w: self.hi - self.lo,
                h: 0,
            }
        }
    }

    /// Whether the segment passes through the interior of `r`.
    pub fn crosses(&self, r: &Px) -> bool {
        if self.vertical {
            self.c > r.x && self.c < r.right() && self.lo < r.bottom() && self.hi > r.y
        } else {
            self.c > r.y && self.c < r.bottom() && self.lo < r.right() && self.hi > r.x
        }
    }
}

/// Who a drawn segment belongs to: a link from `src` to `dst` (component indices), or a frame
/// border (`FRAME` for both).
#[derive(Debug, Clone, Copy)]
struct Owned {
    seg: Seg,
    src: u32,
    dst: u32,
}

const FRAME: u32 = u32::MAX;
/// The source or target of a line that several links with different ones share.
const MANY: u32 = u32::MAX - 1;
/// Lines closer than this run "along" each other.
const NEAR: i64 = 5;

/// A uniform grid of buckets over the drawing, and the items stored in each bucket. Each
/// bucket's items are chained, newest first, through one array, so that an empty bucket costs
/// one index: a drawing of 100k components has over a million buckets, most of them empty,
/// and its grids stay a few megabytes that the caches can hold, instead of a vector each.
pub(crate) struct Grid<T> {
    /// Buckets looked at so far: the router's measure of work.
    visited: std::cell::Cell<u64>,
    x0: i64,
    y0: i64,
    cols: i64,
    rows: i64,
    /// Per bucket, the index in `items` of its newest item, or `END`.
    head: Vec<u32>,
    /// The items, each with the index of the one stored before it in the same bucket.
    items: Vec<(T, u32)>,
}

const BUCKET: i64 = 64;
/// The end of a bucket's chain.
const END: u32 = u32::MAX;

impl<T> Grid<T> {
    fn new(area: &Px) -> Grid<T> {
        let cols = (area.w / BUCKET + 1).max(1);
        let rows = (area.h / BUCKET + 1).max(1);
        Grid {
            visited: std::cell::Cell::new(0),
            x0: area.x,
            y0: area.y,
            cols,
            rows,
            head: vec![END; (cols * rows) as usize],
            items: Vec::new(),
        }
    }

    /// The bucket indices a rectangle touches (clamped to the grid).
    fn span(&self, r: &Px) -> (i64, i64, i64, i64) {
        let c = |v: i64, n: i64| v.div_euclid(BUCKET).clamp(0, n - 1);
        (
            c(r.x - self.x0, self.cols),
            c(r.right() - self.x0, self.cols),
            c(r.y - self.y0, self.rows),
            c(r.bottom() - self.y0, self.rows),
        )
    }

    /// The items of bucket `i`, newest first, by index into `items`.
    fn chain(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut k = self.head[i];
        std::iter::from_fn(move || {
            (k != END).then(|| {
                let at = k as usize;
                k = self.items[at].1;
                at
            })
        })
    }

    /// Whether `f` holds for an item in a bucket `r` touches; the buckets looked at, up to the
    /// first item found, are counted as work.
    fn visit(&self, r: &Px, mut f: impl FnMut(&T) -> bool) -> bool {
        let mut seen = 0;
        let found = self.indices(r).any(|i| {
            seen += 1;
            self.chain(i).any(|k| f(&self.items[k].0))
        });
        self.visited.set(self.visited.get() + seen);
        found
    }

    /// The buckets a rectangle touches, by index, row by row.
    fn indices(&self, r: &Px) -> impl Iterator<Item = usize> + use<T> {
        let (c0, c1, r0, r1) = self.span(r);
        let cols = self.cols;
        (r0..=r1).flat_map(move |row| (c0..=c1).map(move |col| (row * cols + col) as usize))
    }

    /// Adds `item` to bucket `i`.
    fn push(&mut self, i: usize, item: T) {
        let next = std::mem::replace(&mut self.head[i], self.items.len() as u32);
        self.items.push((item, next));
    }

    /// Adds `item` to every bucket `r` touches.
    fn insert(&mut self, r: &Px, item: T)
    where
        T: Clone,
    {
        for i in self.indices(r) {
            self.push(i, item.clone());
        }
    }

    /// The item stored first in bucket `i` of those for which `f` holds.
    fn oldest_mut(&mut self, i: usize, f: impl Fn(&T) -> bool) -> Option<&mut T> {
        let k = self.chain(i).filter(|&k| f(&self.items[k].0)).last()?;
        Some(&mut self.items[k].0)
    }
}

/// Fixed rectangles indexed for one question, asked of an axis-aligned segment: does it pass
/// through the interior of any of them? One index answers it for segments along one axis (the
/// segment's fixed coordinate "stabs" the rectangles' spans on the other): a segment tree over
/// the spans' ends, each node holding the rectangles that cover its whole range sorted by where
/// they start along the segment. A query walks one leaf's ancestors and looks, in each, only at
/// the rectangles that overlap the segment, so it costs the same however long the segment is.
struct Stab {
    /// The ends of the elementary ranges along the stabbing axis: leaf `i` is
    /// `breaks[i]..breaks[i + 1]`.
    breaks: Vec<i64>,
    /// Node `n`'s rectangles (the leaves at `leaves..2 * leaves`) are
    /// `items[first[n]..first[n + 1]]`: `(start, end, id)` along the segment's axis, sorted by
    /// start. One array for all nodes, so that a query's walk up the tree reads memory that
    /// lies together.
    first: Vec<u32>,
    items: Vec<(i64, i64, u32)>,
    /// Per item, the greatest end among its node's items up to it.
    reach: Vec<i64>,
}

impl Stab {
    /// `spans`: per rectangle, the id a query can exempt, its open interior `(a, b)` on the
    /// stabbing axis and `(lo, hi)` along the segment's axis.
    fn new(spans: impl Iterator<Item = (u32, (i64, i64), (i64, i64))> + Clone) -> Stab {
        // A rectangle covers the integer points a + 1 ..= b - 1: the half-open a + 1 .. b.
        let mut breaks: Vec<i64> = spans
            .clone()
            .filter(|(_, (a, b), _)| b - a >= 2)
            .flat_map(|(_, (a, b), _)| [a + 1, b])
            .collect();
        breaks.sort_unstable();
        breaks.dedup();
        let leaves = breaks.len().saturating_sub(1);
        // (node, start, end, id) for each node a rectangle covers whole.
        let mut placed: Vec<(u32, i64, i64, u32)> = Vec::new();
        for (id, (a, b), (lo, hi)) in spans {
            if b - a < 2 || hi <= lo {
                continue;
            }
            let leaf = |v: i64| breaks.partition_point(|&e| e < v);
            let (mut l, mut r) = (leaf(a + 1) + leaves, leaf(b) + leaves);
            while l < r {
                if l & 1 == 1 {
                    placed.push((l as u32, lo, hi, id));
                    l += 1;
                }
                if r & 1 == 1 {
                    r -= 1;
                    placed.push((r as u32, lo, hi, id));
                }
                l >>= 1;
                r >>= 1;
            }
        }
        placed.sort_unstable();
        let mut first = Vec::with_capacity(2 * leaves + 1);
        let mut items = Vec::with_capacity(placed.len());
        let mut reach = Vec::with_capacity(placed.len());
        let mut k = 0;
        for node in 0..2 * leaves {
            first.push(items.len() as u32);
            let mut most = i64::MIN;
            while k < placed.len() && placed[k].0 as usize == node {
                let (_, lo, hi, id) = placed[k];
                most = most.max(hi);
                items.push((lo, hi, id));
                reach.push(most);
                k += 1;
            }
        }
        first.push(items.len() as u32);
        Stab {
            breaks,
            first,
            items,
            reach,
        }
    }

    /// The nodes holding the rectangles that have `c` inside their span on the stabbing axis,
    /// from its leaf up: each node's `(start, end, id)`, sorted by start, and per item the
    /// greatest end up to it.
    fn nodes(&self, c: i64) -> impl Iterator<Item = (&[(i64, i64, u32)], &[i64])> {
        let leaves = self.breaks.len().saturating_sub(1);
        let leaf = (leaves > 0 && c >= self.breaks[0] && c < self.breaks[leaves])
            .then(|| self.breaks.partition_point(|&e| e <= c) - 1 + leaves);
        std::iter::successors(leaf, |&n| (n > 1).then_some(n >> 1)).map(|node| {
            let (a, b) = (self.first[node] as usize, self.first[node + 1] as usize);
            (&self.items[a..b], &self.reach[a..b])
        })
    }

    /// Whether a rectangle other than `exempt` has `c` inside its span on the stabbing axis and
    /// overlaps the open range `lo..hi` along the other; `seen` counts the rectangles looked at.
    fn hits(&self, c: i64, lo: i64, hi: i64, exempt: [usize; 2], seen: &mut u64) -> bool {
        for (list, reach) in self.nodes(c) {
            let mut k = list.partition_point(|&(start, _, _)| start < hi);
            while k > 0 {
                k -= 1;
                *seen += 1;
                if reach[k] <= lo {
                    break;
                }
                let (_, end, id) = list[k];
                if end > lo && !exempt.contains(&(id as usize)) {
                    return true;
                }
            }
        }
        false
    }

    /// How far a segment at `c` starting at `from` may run, forward (to greater values) or
    /// backward, before it overlaps a rectangle other than `exempt`: the segment from `from` to
    /// `to` misses them all exactly when `to` is not past the value returned. `from` itself
    /// when a rectangle holds it; `i64::MAX` (`i64::MIN` backward) when nothing is in the way.
    /// `seen` counts the rectangles looked at.
    fn free_run(
        &self,
        c: i64,
        from: i64,
        forward: bool,
        exempt: [usize; 2],
        seen: &mut u64,
    ) -> i64 {
        let free = |id: u32| !exempt.contains(&(id as usize));
        let mut run = if forward { i64::MAX } else { i64::MIN };
        for (list, reach) in self.nodes(c) {
            if forward {
                // One starting at or before `from` and ending after it holds `from`; else the
                // nearest is the first to start after it.
                let k = list.partition_point(|&(start, _, _)| start <= from);
                for j in (0..k).rev() {
                    *seen += 1;
                    if reach[j] <= from {
                        break;
                    }
                    if list[j].1 > from && free(list[j].2) {
                        return from;
                    }
                }
                for &(start, _, id) in &list[k..] {
                    *seen += 1;
                    if free(id) {
                        run = run.min(start);
                        break;
                    }
                }
            } else {
                // The greatest end of those starting before `from`.
                let k = list.partition_point(|&(start, _, _)| start < from);
                for j in (0..k).rev() {
                    *seen += 1;
                    if reach[j] <= run {
                        break;
                    }
                    if free(list[j].2) {
                        run = run.max(list[j].1);
                        if run >= from {
                            return from;
                        }
                    }
                }
            }
        }
        run
    }
}

/// The lines drawn so far (and the frame borders), for the checks that keep lines apart and
/// labels off them: short segments in the buckets of a grid, long ones (which would fill many
/// buckets: a monitoring line across a design of thousands of components) by their fixed
/// coordinate, so that storing or looking past one costs the same whatever its length.
struct Lines {
    grid: Grid<Owned>,
    /// Long horizontal segments by y, long vertical ones by x.
    long: [std::collections::BTreeMap<i64, Vec<Owned>>; 2],
    /// Long segments looked at: work, as the grid counts its buckets.
    seen: std::cell::Cell<u64>,
}

/// Segments longer than this are stored by coordinate instead of in the grid's buckets.
const LONG: i64 = 16 * BUCKET;

impl Lines {
    fn new(area: &Px) -> Lines {
        Lines {
            grid: Grid::new(area),
            long: Default::default(),
            seen: std::cell::Cell::new(0),
        }
    }

    fn visited(&self) -> u64 {
        self.grid.visited.get() + self.seen.get()
    }

    /// Whether `f` holds for a stored segment whose extent touches `r`.
    fn visit(&self, r: &Px, mut f: impl FnMut(&Owned) -> bool) -> bool {
        if self.grid.visit(r, &mut f) {
            return true;
        }
        let mut seen = 0;
        let found = 'scan: {
            for (vertical, (c0, c1, lo, hi)) in [
                (false, (r.y, r.bottom(), r.x, r.right())),
                (true, (r.x, r.right(), r.y, r.bottom())),
            ] {
                for (_, list) in self.long[usize::from(vertical)].range(c0..=c1) {
                    for o in list {
                        seen += 1;
                        if o.seg.lo <= hi && lo <= o.seg.hi && f(o) {
                            break 'scan true;
                        }
                    }
                }
            }
            false
        };
        self.seen.set(self.seen.get() + seen);
        found
    }

    /// Stores a segment of a link from `src` to `dst` (or of a frame: `FRAME`). A fan-in or
    /// fan-out keeps one entry per line, however many links share it; a line shared by
    /// several sources (targets) belongs to none of them alone.
    fn insert(&mut self, s: Seg, src: u32, dst: u32) {
        // The entry, if any, that already holds a line this one overlaps and shares an end
        // with: it takes this one in.
        let shares = |o: &Owned| {
            src != FRAME
                && (o.dst == dst || o.src == src)
                && o.src != FRAME
                && o.seg.vertical == s.vertical
                && o.seg.c == s.c
                && o.seg.lo <= s.hi
                && s.lo <= o.seg.hi
        };
        let widen = |o: &mut Owned| {
            if o.src != src {
                o.src = MANY;
            }
            if o.dst != dst {
                o.dst = MANY;
            }
            o.seg.lo = o.seg.lo.min(s.lo);
            o.seg.hi = o.seg.hi.max(s.hi);
        };
        let new = Owned { seg: s, src, dst };
        if s.hi - s.lo > LONG {
            let list = self.long[usize::from(s.vertical)].entry(s.c).or_default();
            match list.iter_mut().find(|o| shares(o)) {
                Some(o) => widen(o),
                None => list.push(new),
            }
        } else {
            for i in self.grid.indices(&s.bounds()) {
                match self.grid.oldest_mut(i, shares) {
                    Some(o) => widen(o),
                    None => self.grid.push(i, new),
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
    Top,
    Bottom,
}

impl Side {
    const ALL: [Side; 4] = [Side::Right, Side::Left, Side::Bottom, Side::Top];

    fn dir(self) -> Pt {
        match self {
            Side::Left => (-1, 0),
            Side::Right => (1, 0),
            Side::Top => (0, -1),
            Side::Bottom => (0, 1),
        }
    }
    fn horizontal(self) -> bool {
        matches!(self, Side::Left | Side::Right)
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// Offsets of the ports from the middle of a side: spread so that links do not meet at one
/// point.
const PORTS_V: [i64; 5] = [0, -12, 12, -22, 22];
const PORTS_H: [i64; 7] = [0, -20, 20, -40, 40, -60, 60];

fn port(b: &Px, side: Side, slot: usize) -> Pt {
    match side {
        Side::Left => (b.x, b.cy() + PORTS_V[slot]),
        Side::Right => (b.right(), b.cy() + PORTS_V[slot]),
        Side::Top => (b.cx() + PORTS_H[slot], b.y),
        Side::Bottom => (b.cx() + PORTS_H[slot], b.bottom()),
    }
}

/// A leg of a route across the middle's axis, from the end of a stub (`from`, on the line at
/// `c`) to the middle: how far it may run backward and forward, once asked.
struct Leg {
    vertical: bool,
    c: i64,
    from: i64,
    ends: [Option<i64>; 2],
}

/// The legs asked about while one link is routed at one level: a port's leg is the same
/// whichever port the other end takes, so each is asked once for all pairs of sides.
#[derive(Default)]
struct Legs(Vec<Leg>);

impl Legs {
    /// The index of the leg from `end` (a stub's end) across a middle that is vertical or not.
    fn at(&mut self, (x, y): Pt, vertical_middle: bool) -> usize {
        let (vertical, c, from) = if vertical_middle {
            (false, y, x)
        } else {
            (true, x, y)
        };
        let found = self
            .0
            .iter()
            .position(|l| l.vertical == vertical && l.c == c && l.from == from);
        found.unwrap_or_else(|| {
            self.0.push(Leg {
                vertical,
                c,
                from,
                ends: [None; 2],
            });
            self.0.len() - 1
        })
    }
}

/// How a port is used: free, by links leaving, by links arriving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Use {
    #[default]
    Free,
    Out,
    In,
}

/// Length of the straight end of a link: room for the arrowhead.
pub(crate) const STUB: i64 = 14;
/// How many grid buckets a link's search may look at per bucket of its length.
const WORK_PER_BUCKET: u64 = 1024;
/// The most buckets one link's search may look at. Links longer than about a thousandth of this
/// in buckets (thousands of pixels: a monitoring line across a design of thousands of
/// components) are drawn on their natural route without the checks.
const MAX_WORK: u64 = 262144;
/// The least: enough for a short link to look round a crowded frame.
const MIN_WORK: u64 = 32768;
/// The strict pass's budget, the same for every link: past it, the link may run along others.
const STRICT_WORK: u64 = 32768;
/// The longest link, in buckets, that the strict pass routes.
const STRICT_REACH: i64 = 64;
/// How many middles of each family the strict pass tries for a pair of sides.
const STRICT_MIDDLES: usize = 8;
/// The shortest straight end that still shows the arrowhead.
const MIN_STUB: i64 = 10;
/// A line keeps this far from the border of a server frame round neither of its ends.
const FRAME_NEAR: i64 = 10;
/// How strictly a route is checked: clear of other lines and frames, of frames, of boxes.
const STRICT: u8 = 0;
const FRAMED: u8 = 1;
const LOOSE: u8 = 2;
/// Obstacles are kept this far from lines.
const CLEARANCE: i64 = 4;
/// Segments up to this long are checked against the boxes in the grid's buckets.
const SHORT: i64 = 4 * BUCKET;

/// The router's state: obstacles, the lines drawn so far and the ports in use.
pub(crate) struct Router {
    /// Component boxes first (index = component), then titles and tags, which no link ends at.
    obstacles: Vec<Px>,
    /// The obstacles by bucket, for labels, and indexed for vertical and horizontal
    /// segments, for routes.
    boxes: Grid<u32>,
    across: [Stab; 2],
    /// Obstacles looked at by route checks.
    stabbed: std::cell::Cell<u64>,
    segs: Lines,
    ports: Vec<[[Use; 7]; 4]>,
    /// Where routes may go around everything; labels stay inside it too.
    ring: Px,
    /// Labels placed so far, and the arrowheads no label may cover.
    labels: Vec<Px>,
    marks: Grid<u32>,
    /// Per component: the index of the server frame round it, or `FRAME` for none.
    frame_of: Vec<u32>,
    /// The server frames' borders (also in `segs`), for the frame check: per axis, each
    /// border widened by `FRAME_NEAR` either side, with its frame's index as id, so that
    /// asking whether a segment runs along one costs the same however long the segment is.
    borders: [Stab; 2],
    /// The same borders (frame index, side) by bucket, for short segments.
    sides: Vec<(u32, Seg)>,
    near_sides: Grid<u32>,
    /// Where the middles of routes already drawn run, by (component, whether it is their
    /// target, whether the middle is vertical): a fan-out or fan-in tries them first, so that
    /// its links share one line instead of each drawing its own beside the others.
    buses: std::collections::HashMap<(u32, bool, bool), Vec<i64>>,
}

/// How many middles of a fan-out or fan-in are remembered.
const BUS_LINES: usize = 4;

impl Router {
    /// `components`: the boxes, by component; `others`: frame titles and DNS tags; `frames`:
    /// server frames, whose borders no link runs along; `frame_of`: per component, the index
    /// in `frames` of its server's (None for none); `area`: the drawing, a ring around it
    /// included.
    pub fn new(
        components: &[Px],
        others: &[Px],
        frames: &[Px],
        frame_of: &[Option<usize>],
        area: Px,
        ring: Px,
    ) -> Router {
        let mut boxes = Grid::new(&area);
        let mut obstacles = Vec::with_capacity(components.len() + others.len());
        for (i, b) in components.iter().chain(others).enumerate() {
            let o = b.inflate(CLEARANCE);
            boxes.insert(&o, i as u32);
            obstacles.push(o);
        }
        let across = [false, true].map(|vertical| {
            Stab::new(obstacles.iter().enumerate().map(move |(i, o)| {
                if vertical {
                    (i as u32, (o.x, o.right()), (o.y, o.bottom()))
                } else {
                    (i as u32, (o.y, o.bottom()), (o.x, o.right()))
                }
            }))
        });
        let mut segs = Lines::new(&area);
        let mut sides = Vec::with_capacity(4 * frames.len());
        for (fi, f) in frames.iter().enumerate() {
            let corners = [
                (f.x, f.y),
                (f.right(), f.y),
                (f.right(), f.bottom()),
                (f.x, f.bottom()),
            ];
            for k in 0..4 {
                let s = Seg::between(corners[k], corners[(k + 1) % 4]);
                segs.insert(s, FRAME, fi as u32);
                sides.push((fi as u32, s));
            }
        }
        let mut near_sides = Grid::new(&area);
        for (k, (_, s)) in sides.iter().enumerate() {
            near_sides.insert(&s.bounds().inflate(FRAME_NEAR), k as u32);
        }
        // A segment at `c` runs along a border at `e` when |c - e| < FRAME_NEAR: `c` is in
        // the open range (e - FRAME_NEAR, e + FRAME_NEAR).
        let borders = [false, true].map(|vertical| {
            Stab::new(
                sides
                    .iter()
                    .filter(move |(_, s)| s.vertical == vertical)
                    .map(|&(fi, s)| (fi, (s.c - FRAME_NEAR, s.c + FRAME_NEAR), (s.lo, s.hi))),
            )
        });
        let frame_of = frame_of
            .iter()
            .map(|k| k.map_or(FRAME, |k| k as u32))
            .collect();
        Router {
            obstacles,
            boxes,
            across,
            stabbed: std::cell::Cell::new(0),
            segs,
            ports: vec![[[Use::Free; 7]; 4]; components.len()],
            ring,
            labels: Vec::new(),
            marks: Grid::new(&area),
            frame_of,
            borders,
            sides,
            near_sides,
            buses: std::collections::HashMap::new(),
        }
    }

    fn work(&self) -> u64 {
        self.boxes.visited.get()
            + self.stabbed.get()
            + self.segs.visited()
            + self.near_sides.visited.get()
    }

    fn slot(&self, b: usize, side: Side, want: Use) -> Option<usize> {
        let n = if side.horizontal() {
            PORTS_V.len()
        } else {
            PORTS_H.len()
        };
        let uses = &self.ports[b][side.index()][..n];
        uses.iter()
            .position(|u| *u == Use::Free)
            .or_else(|| uses.iter().position(|u| *u == want))
    }

    /// Whether stab index `index` (one per axis) has an entry but `exempt` on `s`, counting
    /// the entries it looked at as work.
    fn stab(&self, index: &[Stab; 2], s: &Seg, exempt: [usize; 2]) -> bool {
        let mut seen = 1;
        let hit = index[usize::from(s.vertical)].hits(s.c, s.lo, s.hi, exempt, &mut seen);
        self.stabbed.set(self.stabbed.get() + seen);
        hit
    }

    /// The indices of the server frames round components `src` and `dst` (`usize::MAX` for
    /// none): a line may run along their borders.
    fn frames_round(&self, src: u32, dst: u32) -> [usize; 2] {
        [src, dst].map(|c| match self.frame_of.get(c as usize) {
            Some(&k) if k != FRAME => k as usize,
            _ => usize::MAX,
        })
    }

    /// Whether a leg of a route from `f` to `t` that runs from `leg.from` to `to` misses every
    /// box but theirs and, below [`LOOSE`], runs along no border of a frame round neither: what
    /// [`Router::clear`] looks at first, for a part of the segment it is asked about. How far
    /// the leg may run each way is asked of the stab indexes once per leg, and kept.
    fn leg_clear(&self, leg: &mut Leg, to: i64, f: usize, t: usize, level: u8) -> bool {
        if to == leg.from {
            return true;
        }
        let forward = to > leg.from;
        let end = *leg.ends[usize::from(forward)].get_or_insert_with(|| {
            let axis = usize::from(leg.vertical);
            let mut seen = 1;
            let mut end = self.across[axis].free_run(leg.c, leg.from, forward, [f, t], &mut seen);
            if level != LOOSE && end != leg.from {
                let mine = self.frames_round(f as u32, t as u32);
                let frames = self.borders[axis].free_run(leg.c, leg.from, forward, mine, &mut seen);
                end = if forward {
                    end.min(frames)
                } else {
                    end.max(frames)
                };
            }
            self.stabbed.set(self.stabbed.get() + seen);
            end
        });
        if forward { to <= end } else { to >= end }
    }

    /// Whether segment `s` is clear at `level` ([`STRICT`], [`FRAMED`] or [`LOOSE`]): no
    /// obstacle but `exempt` in its way; below `LOOSE`, no border of a server frame round
    /// neither end that it would run along; at `STRICT`, no line it would run along or meet
    /// end-on that is not a fan-out or fan-in with it.
    fn clear(&self, s: &Seg, exempt: [usize; 2], src: u32, dst: u32, level: u8) -> bool {
        // A short segment looks at the few buckets it lies in; a long one asks the stab
        // index, which costs the same for any length but walks a tree.
        let blocked = if s.hi - s.lo <= SHORT {
            self.boxes.visit(&s.bounds(), |&i| {
                !exempt.contains(&(i as usize)) && s.crosses(&self.obstacles[i as usize])
            })
        } else {
            self.stab(&self.across, s, exempt)
        };
        if blocked || level == LOOSE {
            return !blocked;
        }
        let mine = self.frames_round(src, dst);
        let along_frame = if s.hi - s.lo <= SHORT {
            self.near_sides.visit(&s.bounds(), |&k| {
                let (frame, e) = &self.sides[k as usize];
                e.vertical == s.vertical
                    && !mine.contains(&(*frame as usize))
                    && (e.c - s.c).abs() < FRAME_NEAR
                    && e.lo < s.hi
                    && e.hi > s.lo
            })
        } else {
            self.stab(&self.borders, s, mine)
        };
        if along_frame || level != STRICT {
            return !along_frame;
        }
        !self.segs.visit(&s.bounds().inflate(NEAR), |o| {
            if o.src != FRAME && (o.src == src || o.dst == dst) {
                return false;
            }
            let e = &o.seg;
            if e.vertical == s.vertical {
                (e.c - s.c).abs() < NEAR && e.lo.max(s.lo) < e.hi.min(s.hi) + NEAR
            } else {
                // Perpendicular: a crossing is fine, one line ending on the other is a join.
                let meets =
                    e.lo - 2 <= s.c && s.c <= e.hi + 2 && s.lo - 2 <= e.c && e.c <= s.hi + 2;
                meets
                    && ((e.c - s.lo).abs() < 3
                        || (e.c - s.hi).abs() < 3
                        || (s.c - e.lo).abs() < 3
                        || (s.c - e.hi).abs() < 3)
            }
        })
    }

    fn path_clear(&self, budget: u64, pts: &[Pt], f: usize, t: usize, level: u8) -> bool {
        let strict = level == STRICT;
        let n = pts.len();
        // Keeping clear of lines looks at the grid's buckets along the path: a path longer
        // than the work left is not looked at. Keeping clear of boxes costs the same for any
        // length.
        let len: i64 = pts
            .windows(2)
            .map(|w| ((w[0].0 - w[1].0).abs() + (w[0].1 - w[1].1).abs()) / BUCKET + 1)
            .sum();
        if strict && self.work() + 2 * len as u64 > budget {
            // Counted as looked at, so that a search of paths too long ends.
            self.stabbed.set(self.stabbed.get() + 2 * len as u64);
            return false;
        }
        (0..n - 1).all(|k| {
            let s = Seg::between(pts[k], pts[k + 1]);
            // The first segment leaves the source and the last enters the target; a segment
            // leaving a box's border outward never re-enters it.
            let exempt = [
                if k == 0 { f } else { usize::MAX },
                if k == n - 2 { t } else { usize::MAX },
            ];
            self.clear(&s, exempt, f as u32, t as u32, level)
        })
    }

    fn commit(&mut self, pts: &[Pt], f: usize, t: usize) {
        if let Some(&(x, y)) = pts.last() {
            let head = Px {
                x: x - 7,
                y: y - 7,
                w: 14,
                h: 14,
            };
            // Links sharing a port share its arrowhead.
            let known = self
                .marks
                .visit(&head, |&i| self.labels[i as usize] == head);
            if !known {
                self.marks.insert(&head, self.labels.len() as u32);
                self.labels.push(head);
            }
        }
        let n = pts.len();
        for k in 1..n.saturating_sub(2) {
            let s = Seg::between(pts[k], pts[k + 1]);
            for key in [(f as u32, false, s.vertical), (t as u32, true, s.vertical)] {
                let lines = self.buses.entry(key).or_default();
                if lines.len() < BUS_LINES && !lines.contains(&s.c) {
                    lines.push(s.c);
                }
            }
        }
        for w in pts.windows(2) {
            self.segs
                .insert(Seg::between(w[0], w[1]), f as u32, t as u32);
        }
    }

    /// The sides to try for a link from `a` to `b`, the most natural first.
    fn sides(a: &Px, b: &Px) -> Vec<(Side, Side)> {
        let hs = if b.cx() >= a.cx() {
            (Side::Right, Side::Left)
        } else {
            (Side::Left, Side::Right)
        };
        let vs = if b.cy() >= a.cy() {
            (Side::Bottom, Side::Top)
        } else {
            (Side::Top, Side::Bottom)
        };
        let h_apart = b.x >= a.right() + 2 * STUB || b.right() + 2 * STUB <= a.x;
        let v_apart = b.y >= a.bottom() + 2 * STUB || b.bottom() + 2 * STUB <= a.y;
        let dx = (b.cx() - a.cx()).abs();
        let dy = (b.cy() - a.cy()).abs() * 2;
        let mut out = if h_apart && (dx >= dy || !v_apart) {
            vec![hs, (hs.0, vs.1), (vs.0, hs.1), vs]
        } else {
            vec![vs, (vs.0, hs.1), (hs.0, vs.1), hs]
        };
        for sa in Side::ALL {
            for sb in Side::ALL {
                if !out.contains(&(sa, sb)) {
                    out.push((sa, sb));
                }
            }
        }
        out
    }

    /// Routes a link from component `f` to component `t`: the points of its polyline, from
    /// the source's border to the target's.
    pub fn route(&mut self, f: usize, t: usize) -> Vec<Pt> {
        let (a, b) = (
            self.obstacles[f].inflate(-CLEARANCE),
            self.obstacles[t].inflate(-CLEARANCE),
        );
        let combos = Router::sides(&a, &b);
        let mut pts = Vec::with_capacity(6);
        // Work in proportion to the link's length, and at most `MAX_WORK`, so that a design
        // costs time in proportion to its links: past it, the link takes its natural route.
        let reach = ((a.cx() - b.cx()).abs() + (a.cy() - b.cy()).abs()) / BUCKET + 4;
        // Keeping clear of other lines costs time in proportion to a route's length at each
        // try; a link longer than `STRICT_REACH` only keeps clear of boxes.
        // A line along a frame that holds neither end is tried only where nothing else fits;
        // it is still better than one through a box.
        let passes: &[u8] = if reach <= STRICT_REACH {
            &[STRICT, FRAMED, LOOSE]
        } else {
            &[FRAMED, LOOSE]
        };
        'search: for &level in passes {
            let strict = level == STRICT;
            let mut legs = Legs::default();
            // Each pass has its own budget: the second, which lets lines run along others,
            // must not be starved by the first.
            let budget = self.work()
                + if strict {
                    STRICT_WORK
                } else {
                    (WORK_PER_BUCKET * reach as u64).clamp(MIN_WORK, MAX_WORK)
                };
            for &(sa, sb) in &combos {
                if self.work() > budget {
                    continue 'search;
                }
                let (Some(pa), Some(pb)) = (self.slot(f, sa, Use::Out), self.slot(t, sb, Use::In))
                else {
                    continue;
                };
                let p = port(&a, sa, pa);
                let q = port(&b, sb, pb);
                if self.try_families(budget, p, sa, q, sb, f, t, level, &mut legs, &mut pts) {
                    self.ports[f][sa.index()][pa] = Use::Out;
                    self.ports[t][sb.index()][pb] = Use::In;
                    self.commit(&pts, f, t);
                    return pts;
                }
            }
        }
        // Boxes overlap or enclose each other: no clear route exists; draw the natural one.
        let (sa, sb) = combos[0];
        let p = port(&a, sa, 0);
        let q = port(&b, sb, 0);
        let d = (sa.dir(), sb.dir());
        let p1 = (p.0 + d.0.0 * STUB, p.1 + d.0.1 * STUB);
        let q1 = (q.0 + d.1.0 * STUB, q.1 + d.1.1 * STUB);
        pts.clear();
        pts.extend([p, p1, (p1.0, q1.1), q1, q]);
        simplify(&mut pts);
        pts
    }

    #[allow(clippy::too_many_arguments)]
    fn try_families(
        &self,
        budget: u64,
        p: Pt,
        sa: Side,
        q: Pt,
        sb: Side,
        f: usize,
        t: usize,
        level: u8,
        legs: &mut Legs,
        pts: &mut Vec<Pt>,
    ) -> bool {
        let strict = level == STRICT;
        let (da, db) = (sa.dir(), sb.dir());
        // Facing sides close together: a straight line when the ports line up, else shorter
        // stubs, never shorter than an arrowhead.
        let facing = da.0 == -db.0 && da.1 == -db.1;
        let gap = (q.0 - p.0) * da.0 + (q.1 - p.1) * da.1;
        if facing && gap > 0 && (p.0 == q.0 || p.1 == q.1) {
            pts.clear();
            pts.extend([p, q]);
            if self.path_clear(budget, pts, f, t, level) {
                return true;
            }
        }
        let stub = if facing && gap > 0 {
            (gap / 2).clamp(MIN_STUB, STUB)
        } else {
            STUB
        };
        let p1 = (p.0 + da.0 * stub, p.1 + da.1 * stub);
        let q1 = (q.0 + db.0 * stub, q.1 + db.1 * stub);
        // Every route of both families starts with the stub p → p1 and ends with q1 → q (or a
        // straight run through them). Where a box or a frame border blocks a stub, it blocks
        // every longer run through it, so no middle can help: the pair of ports is done.
        let stubs_clear = [(p, p1, [f, usize::MAX]), (q1, q, [usize::MAX, t])]
            .iter()
            .all(|&(a, b, exempt)| {
                a == b || self.clear(&Seg::between(a, b), exempt, f as u32, t as u32, FRAMED)
            });
        if !stubs_clear {
            return false;
        }
        // Family V: the middle runs vertically at x = m; family H: horizontally at y = m.
        for vertical_middle in [true, false] {
            let (pc, qc) = if vertical_middle {
                (p1.0, q1.0)
            } else {
                (p1.1, q1.1)
            };
            let (ring_lo, ring_hi) = if vertical_middle {
                (self.ring.x, self.ring.right())
            } else {
                (self.ring.y, self.ring.bottom())
            };
            // A stub pointing along the middle's axis must not turn back on itself.
            let mut lo = ring_lo;
            let mut hi = ring_hi;
            for (side, c) in [(sa, pc), (sb, qc)] {
                if side.horizontal() == vertical_middle {
                    let d = if vertical_middle {
                        side.dir().0
                    } else {
                        side.dir().1
                    };
                    if d > 0 {
                        lo = lo.max(c);
                    } else {
                        hi = hi.min(c);
                    }
                }
            }
            if lo > hi {
                continue;
            }
            let shared = [(f as u32, false), (t as u32, true)]
                .into_iter()
                .flat_map(|(c, to)| {
                    self.buses
                        .get(&(c, to, vertical_middle))
                        .into_iter()
                        .flatten()
                        .copied()
                });
            let shared: Vec<i64> = shared.filter(|m| (lo..=hi).contains(m)).collect();
            // The legs from the stubs' ends to the middle, across the middle's axis: where one
            // would run into a box or along a frame, so would every longer one from the same
            // point, so a middle past that is passed over without building its route.
            let (first, last) = (legs.at(p1, vertical_middle), legs.at(q1, vertical_middle));
            // The strict pass tries the middles near the straight route only: one that keeps
            // clear of other lines further out is rarely worth its detour, and trying them all
            // for every pair of sides is most of the cost of a crowded design.
            let near = if strict { STRICT_MIDDLES } else { usize::MAX };
            for m in shared
                .into_iter()
                .chain(middles(pc, qc, lo, hi).into_iter().take(near))
            {
                if self.work() > budget {
                    return false;
                }
                if !self.leg_clear(&mut legs.0[first], m, f, t, level)
                    || !self.leg_clear(&mut legs.0[last], m, f, t, level)
                {
                    continue;
                }
                pts.clear();
                if vertical_middle {
                    pts.extend([p, p1, (m, p1.1), (m, q1.1), q1, q]);
                } else {
                    pts.extend([p, p1, (p1.0, m), (q1.0, m), q1, q]);
                }
                simplify(pts);
                if pts.len() >= 2 && self.path_clear(budget, pts, f, t, level) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether a label's rectangle is clear of every obstacle, line, arrowhead and label.
    fn label_clear(&self, r: &Px) -> bool {
        let r1 = r.inflate(1);
        r.x >= self.ring.x
            && r.right() <= self.ring.right()
            && r.y >= self.ring.y
            && r.bottom() <= self.ring.bottom()
            && !self.boxes.visit(&r1, |&i| {
                self.obstacles[i as usize]
                    .inflate(1 - CLEARANCE)
                    .intersects(&r1)
            })
            && !self
                .segs
                .visit(&r1, |o| o.src != FRAME && o.seg.crosses(&r1))
            && !self
                .marks
                .visit(&r1, |&i| self.labels[i as usize].intersects(&r1))
    }

    /// A place for a `w` × `h` label beside its own route `pts` that covers nothing else,
    /// if there is one; it is then taken.
    pub fn place_label(&mut self, pts: &[Pt], w: i64, h: i64) -> Option<Px> {
        let mut order: Vec<usize> = (0..pts.len().saturating_sub(1)).collect();
        let len = |k: usize| (pts[k].0 - pts[k + 1].0).abs() + (pts[k].1 - pts[k + 1].1).abs();
        order.sort_by_key(|&k| std::cmp::Reverse(len(k)));
        for k in order {
            let (a, b) = (pts[k], pts[k + 1]);
            for frac in [50, 30, 70, 15, 85, 0, 100] {
                let x = a.0 + (b.0 - a.0) * frac / 100;
                let y = a.1 + (b.1 - a.1) * frac / 100;
                let spots = if a.1 == b.1 {
                    [(x - w / 2, y - h - 4), (x - w / 2, y + 4)]
                } else {
                    [(x + 5, y - h / 2), (x - w - 5, y - h / 2)]
                };
                for (x, y) in spots {
                    let r = Px { x, y, w, h };
                    if self.label_clear(&r) {
                        self.marks.insert(&r, self.labels.len() as u32);
                        self.labels.push(r);
                        return Some(r);
                    }
                }
            }
        }
        None
    }
}

/// Where the middle of a route may run: between the two stubs first (the middle, then the
/// ends, then spreading out), then beyond them, then round the outside of the drawing.
fn middles(pc: i64, qc: i64, lo: i64, hi: i64) -> Vec<i64> {
    let (a, b) = (pc.min(qc), pc.max(qc));
    let center = ((a + b) / 2).clamp(lo, hi);
    let step = ((b - a) / 32).max(NEAR);
    let mut out = Vec::with_capacity(72);
    for v in [center, pc, qc] {
        if (lo..=hi).contains(&v) && !out.contains(&v) {
            out.push(v);
        }
    }
    for k in 1..=60 {
        for v in [center - k * step, center + k * step] {
            if (lo..=hi).contains(&v) {
                out.push(v);
            }
        }
    }
    for v in [lo + 4, hi - 4] {
        if lo + 4 <= hi - 4 {
            out.push(v);
        }
    }
    out
}

/// Drops repeated points and points in the middle of a straight run.
fn simplify(pts: &mut Vec<Pt>) {
    pts.dedup();
    let mut k = 1;
    while k + 1 < pts.len() {
        let (a, b, c) = (pts[k - 1], pts[k], pts[k + 1]);
        let straight = (a.0 == b.0 && b.0 == c.0 && (a.1 - b.1).signum() == (b.1 - c.1).signum())
            || (a.1 == b.1 && b.1 == c.1 && (a.0 - b.0).signum() == (b.0 - c.0).signum());
        if straight {
            pts.remove(k);
        } else {
            k += 1;
        }
    }
}

/// The union of rectangles, if any.
pub(crate) fn union_all(rects: impl IntoIterator<Item = Px>) -> Option<Px> {
    rects.into_iter().reduce(|a, b| a.union(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_buckets_hold_their_items_and_the_oldest_match_is_found() {
        let area = Px {
            x: -100,
            y: -100,
            w: 1000,
            h: 600,
        };
        let mut grid: Grid<u32> = Grid::new(&area);
        let r = |x, y, w, h| Px { x, y, w, h };
        grid.insert(&r(0, 0, 10, 10), 1);
        grid.insert(&r(0, 0, 200, 10), 2);
        grid.insert(&r(500, 300, 10, 10), 3);
        // Outside the area: clamped into the border buckets.
        grid.insert(&r(5000, 5000, 1, 1), 4);
        let found = |grid: &Grid<u32>, r: &Px| {
            let mut out = Vec::new();
            grid.visit(r, |&i| {
                out.push(i);
                false
            });
            out.sort_unstable();
            out
        };
        assert_eq!(found(&grid, &r(1, 1, 2, 2)), vec![1, 2]);
        assert_eq!(found(&grid, &r(150, 5, 2, 2)), vec![2]);
        assert_eq!(found(&grid, &r(505, 305, 1, 1)), vec![3]);
        assert_eq!(found(&grid, &r(300, 200, 1, 1)), Vec::<u32>::new());
        assert_eq!(found(&grid, &r(899, 499, 1, 1)), vec![4]);
        // Stops at the first bucket with a match, and counts the buckets looked at.
        let before = grid.visited.get();
        assert!(grid.visit(&r(0, 0, 300, 0), |&i| i == 2));
        assert_eq!(grid.visited.get() - before, 1);
        // The oldest of the items that match, however many the bucket holds.
        let b = grid.indices(&r(1, 1, 0, 0)).next().expect("a bucket");
        grid.push(b, 5);
        grid.push(b, 6);
        assert_eq!(grid.oldest_mut(b, |&i| i >= 2).copied(), Some(2));
        *grid.oldest_mut(b, |&i| i == 5).expect("5 is there") = 7;
        assert_eq!(found(&grid, &r(1, 1, 2, 2)), vec![1, 2, 6, 7]);
        assert_eq!(grid.oldest_mut(b, |&i| i == 5), None);
    }

    #[test]
    fn a_free_run_ends_where_a_segment_first_hits_a_rectangle() {
        // Rectangles of all sizes, some overlapping, some nested, some too thin to count.
        let mut seed = 7u64;
        let mut next = |n: i64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % n as u64) as i64
        };
        let rects: Vec<[i64; 4]> = (0..60)
            .map(|_| {
                let (a, lo) = (next(200), next(200));
                [a, a + next(40), lo, lo + next(60)]
            })
            .collect();
        let stab = Stab::new(
            rects
                .iter()
                .enumerate()
                .map(|(id, &[a, b, lo, hi])| (id as u32, (a, b), (lo, hi))),
        );
        let mut seen = 0;
        for c in -2..242 {
            for from in (-5..265).step_by(5) {
                for exempt in [[usize::MAX; 2], [3, 17]] {
                    let forward = stab.free_run(c, from, true, exempt, &mut seen);
                    let backward = stab.free_run(c, from, false, exempt, &mut seen);
                    assert!(forward >= from && backward <= from);
                    for to in (-10..270).step_by(3) {
                        let (lo, hi) = (from.min(to), from.max(to));
                        let clear = lo == hi || !stab.hits(c, lo, hi, exempt, &mut seen);
                        let allowed = if to >= from {
                            to <= forward
                        } else {
                            to >= backward
                        };
                        assert_eq!(clear, allowed, "c {c}, from {from} to {to}, {exempt:?}");
                    }
                }
            }
        }
    }
}
