//! Where things sit on the canvas, in character cells: the boxes of components, the frames of
//! servers, and an automatic layered layout for designs without positions.
//!
//! The editor draws and hit-tests with this geometry and the built-in SVG renderer scales it, so
//! both show a design the same way.

use crate::model::{Design, Kind, Network, Traffic};
use std::collections::VecDeque;

/// Width of a component's box, borders included.
pub const BOX_W: i32 = 18;
/// Height of a component's box: border, glyph and label, software, border.
pub const BOX_H: i32 = 4;
/// Room between a server's frame and the boxes inside it.
pub const FRAME_PAD_X: i32 = 2;
pub const FRAME_PAD_Y: i32 = 1;
/// Room between boxes, left for the links.
pub const GAP_X: i32 = 6;
pub const GAP_Y: i32 = 2;
/// Room between a zone's frame and the server frames inside it: one free column on each side
/// for a line to turn in, and one free row.
pub const ZONE_PAD_X: i32 = 2;
pub const ZONE_PAD_Y: i32 = 2;
/// Room between a network's frame and the server frames inside it: a free column on each
/// side for a line to turn in, and no free row (the network's title sits right above its
/// servers' titles), so that a zone of two networks stays about as tall as it was. A zone's
/// frame goes round its networks' frames [`ZONE_PAD_X`] and [`ZONE_PAD_Y`] further out.
pub const NET_PAD_X: i32 = 2;
pub const NET_PAD_Y: i32 = 1;

/// A rectangle on the canvas; `x`, `y` is the top-left cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn new(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn right(&self) -> i32 {
        self.x.saturating_add(self.w)
    }
    pub fn bottom(&self) -> i32 {
        self.y.saturating_add(self.h)
    }
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }
    pub fn center(&self) -> (i32, i32) {
        (
            self.x.saturating_add(self.w / 2),
            self.y.saturating_add(self.h / 2),
        )
    }
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect::new(
            x,
            y,
            self.right().max(o.right()).saturating_sub(x),
            self.bottom().max(o.bottom()).saturating_sub(y),
        )
    }
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
}

/// The geometry of a whole design.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// One box per component, in the design's order.
    pub boxes: Vec<Rect>,
    /// One frame per server that has components, with the server's index in the design.
    pub frames: Vec<(usize, Rect)>,
    /// One frame per zone that has framed servers, with the zone's index in the design: round
    /// its servers' frames and its networks', [`ZONE_PAD_X`] and [`ZONE_PAD_Y`] away.
    pub zones: Vec<(usize, Rect)>,
    /// One frame per network and zone that has framed servers on it (a subnet sits in a
    /// zone), round those servers' frames, [`NET_PAD_X`] and [`NET_PAD_Y`] away; empty in a
    /// design that puts no server on a network.
    pub networks: Vec<NetworkFrame>,
    /// The components that carry a network mark of their own (see [`network_marks`]), by
    /// index, with the network.
    pub network_marks: Vec<(usize, Network)>,
    /// Everything drawn.
    pub bounds: Rect,
}

/// The frame of the servers on one network in one zone (or in none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkFrame {
    /// The zone's index in the design, if the servers are in one.
    pub zone: Option<usize>,
    pub network: Network,
    pub rect: Rect,
}

impl Layout {
    /// The component under a canvas cell, topmost (last drawn) first.
    pub fn component_at(&self, x: i32, y: i32) -> Option<usize> {
        self.boxes.iter().rposition(|b| b.contains(x, y))
    }

    /// The server whose frame holds a canvas cell (and no box does).
    pub fn server_at(&self, x: i32, y: i32) -> Option<usize> {
        self.frames
            .iter()
            .rev()
            .find(|(_, r)| r.contains(x, y))
            .map(|(i, _)| *i)
    }
}

/// The box of a component placed at `(x, y)`.
pub fn box_at(x: i32, y: i32) -> Rect {
    Rect::new(x, y, BOX_W, BOX_H)
}

/// The frame around a set of boxes.
pub fn frame_around(boxes: impl IntoIterator<Item = Rect>) -> Option<Rect> {
    let b = boxes.into_iter().reduce(|a, b| a.union(&b))?;
    Some(Rect::new(
        b.x.saturating_sub(FRAME_PAD_X),
        b.y.saturating_sub(FRAME_PAD_Y + 1),
        b.w.saturating_add(2 * FRAME_PAD_X),
        b.h.saturating_add(2 * FRAME_PAD_Y + 1),
    ))
}

/// The geometry of `design`: positions from the file, automatic ones for components without.
pub fn layout(design: &Design) -> Layout {
    let auto = if design.components.iter().any(|c| c.position().is_none()) {
        auto_positions(design)
    } else {
        Vec::new()
    };
    let boxes: Vec<Rect> = design
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (x, y) = c.position().unwrap_or_else(|| auto[i]);
            box_at(x, y)
        })
        .collect();
    let network_marks = if design.components.iter().any(|c| c.network.is_some()) {
        network_marks(design)
            .into_iter()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n)))
            .collect()
    } else {
        Vec::new()
    };
    let mut members: Vec<Vec<Rect>> = vec![Vec::new(); design.servers.len()];
    for (s, b) in design.server_of().into_iter().zip(&boxes) {
        if let Some(s) = s {
            members[s].push(*b);
        }
    }
    let frames: Vec<(usize, Rect)> = members
        .into_iter()
        .enumerate()
        .filter_map(|(i, m)| frame_around(m).map(|r| (i, r)))
        .collect();
    let networks = network_frames(design, &frames);
    let zones = zone_frames(design, &frames, &networks);
    let bounds = boxes
        .iter()
        .chain(frames.iter().map(|(_, r)| r))
        .chain(networks.iter().map(|n| &n.rect))
        .chain(zones.iter().map(|(_, r)| r))
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    Layout {
        boxes,
        frames,
        zones,
        networks,
        network_marks,
        bounds,
    }
}

/// Makes `layout`, the layout of a design, that of `design`, which differs from it only in
/// the positions of components `moved`: their boxes, their servers' frames, the networks,
/// the zones and the bounds are made again, the rest kept. `members` lists each server's components by
/// index. False, and `layout` unchanged, where components without a position take automatic
/// places (which depend on every other): then only [`layout`] can tell.
pub fn after_moves(
    design: &Design,
    layout: &mut Layout,
    moved: &[usize],
    members: &[Vec<usize>],
) -> bool {
    if layout.boxes.len() != design.components.len()
        || design.components.iter().any(|c| c.position().is_none())
    {
        return false;
    }
    let mut servers = Vec::new();
    for &i in moved {
        let Some((x, y)) = design.components.get(i).and_then(|c| c.position()) else {
            continue;
        };
        layout.boxes[i] = box_at(x, y);
        servers.extend(
            members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.contains(&i))
                .map(|(s, _)| s),
        );
    }
    servers.sort_unstable();
    servers.dedup();
    for s in servers {
        let frame = frame_around(members[s].iter().map(|&j| layout.boxes[j]));
        if let (Ok(k), Some(f)) = (layout.frames.binary_search_by_key(&s, |f| f.0), frame) {
            layout.frames[k].1 = f;
        }
    }
    layout.networks = network_frames(design, &layout.frames);
    layout.zones = zone_frames(design, &layout.frames, &layout.networks);
    layout.bounds = layout
        .boxes
        .iter()
        .chain(layout.frames.iter().map(|(_, r)| r))
        .chain(layout.networks.iter().map(|n| &n.rect))
        .chain(layout.zones.iter().map(|(_, r)| r))
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    true
}

/// `r` grown by `dx` columns and `dy` rows on every side.
fn pad(r: Rect, dx: i32, dy: i32) -> Rect {
    Rect::new(
        r.x.saturating_sub(dx),
        r.y.saturating_sub(dy),
        r.w.saturating_add(2 * dx),
        r.h.saturating_add(2 * dy),
    )
}

/// The frame of each network in each zone round the frames of its servers: public first,
/// in zone order, then the servers in no zone.
fn network_frames(design: &Design, frames: &[(usize, Rect)]) -> Vec<NetworkFrame> {
    if design.servers.iter().all(|s| s.network.is_none()) {
        return Vec::new();
    }
    let zone_of = design.zone_of();
    let mut out: Vec<NetworkFrame> = Vec::new();
    for (si, r) in frames {
        let Some(network) = design.servers[*si].network else {
            continue;
        };
        let zone = zone_of.get(*si).copied().flatten();
        match out
            .iter_mut()
            .find(|n| n.zone == zone && n.network == network)
        {
            Some(n) => n.rect = n.rect.union(r),
            None => out.push(NetworkFrame {
                zone,
                network,
                rect: *r,
            }),
        }
    }
    for n in &mut out {
        n.rect = pad(n.rect, NET_PAD_X, NET_PAD_Y);
    }
    out.sort_by_key(|n| (n.zone.is_none(), n.zone, n.network != Network::Public));
    out
}

/// The frame of each zone round the frames of its servers and networks.
fn zone_frames(
    design: &Design,
    frames: &[(usize, Rect)],
    networks: &[NetworkFrame],
) -> Vec<(usize, Rect)> {
    if design.zones.is_empty() {
        return Vec::new();
    }
    let zone_of = design.zone_of();
    let mut inner: Vec<Option<Rect>> = vec![None; design.zones.len()];
    let mut add = |z: usize, r: &Rect| inner[z] = Some(inner[z].map_or(*r, |u| u.union(r)));
    for (si, r) in frames {
        if design.servers[*si].network.is_some() {
            continue;
        }
        if let Some(z) = zone_of.get(*si).copied().flatten() {
            add(z, r);
        }
    }
    for n in networks {
        if let Some(z) = n.zone {
            add(z, &n.rect);
        }
    }
    inner
        .into_iter()
        .enumerate()
        .filter_map(|(z, r)| r.map(|r| (z, pad(r, ZONE_PAD_X, ZONE_PAD_Y))))
        .collect()
}

/// The components whose own `network` their server's frame does not show (one on no
/// server, or on a server of another network or of none), with that network: they carry a
/// mark of their own.
pub fn network_marks(design: &Design) -> Vec<Option<Network>> {
    let server_of = design.server_of();
    design
        .components
        .iter()
        .zip(server_of)
        .map(|(c, s)| {
            let own = c.network?;
            (s.and_then(|s| design.servers[s].network) != Some(own)).then_some(own)
        })
        .collect()
}

/// The network mark of one component (see [`network_marks`]); costs a look-up of its server
/// only for a component that states a network.
pub fn network_mark(design: &Design, c: &crate::model::Component) -> Option<Network> {
    let own = c.network?;
    let server = c.server.as_deref().and_then(|s| design.server(s));
    (server.and_then(|s| s.network) != Some(own)).then_some(own)
}

/// Why the frames of zones and networks laid out from the design's positions would not tell
/// the truth, if they would not: a frame that holds a server or a box that is not in it, or
/// two frames that overlap without one being inside the other. `None` for a design that puts
/// nothing in zones or on networks.
pub fn frame_conflict(design: &Design, l: &Layout) -> Option<String> {
    if l.zones.is_empty() && l.networks.is_empty() {
        return None;
    }
    let zone_of = design.zone_of();
    let server_of = design.server_of();
    let zone_name = |z: Option<usize>| match z {
        Some(z) => format!("zone {}", design.zones[z].id),
        None => "no zone".to_string(),
    };
    let net_name = |n: &NetworkFrame| match n.zone {
        Some(z) => format!(
            "the {} network of zone {}",
            n.network.as_str(),
            design.zones[z].id
        ),
        None => format!("the {} network", n.network.as_str()),
    };
    // Each frame: what it is called, where it is, whether it is a zone's (else a network's),
    // its zone, and its network.
    struct Group {
        name: String,
        rect: Rect,
        is_zone: bool,
        zone: Option<usize>,
        network: Option<Network>,
    }
    let mut groups: Vec<Group> = l
        .zones
        .iter()
        .map(|&(z, rect)| Group {
            name: format!("zone {}'s frame", design.zones[z].id),
            rect,
            is_zone: true,
            zone: Some(z),
            network: None,
        })
        .collect();
    groups.extend(l.networks.iter().map(|n| Group {
        name: format!("{}'s frame", net_name(n)),
        rect: n.rect,
        is_zone: false,
        zone: n.zone,
        network: Some(n.network),
    }));
    let member = |g: &Group, s: usize| {
        zone_of[s] == g.zone && (g.is_zone || design.servers[s].network == g.network)
    };
    for g in &groups {
        for &(s, f) in &l.frames {
            if !member(g, s) && g.rect.intersects(&f) {
                let server = &design.servers[s];
                let on = match server.network {
                    Some(n) => format!(", {} network", n.as_str()),
                    None => String::new(),
                };
                return Some(format!(
                    "{} would hold server {} ({}{on})",
                    g.name,
                    server.id,
                    zone_name(zone_of[s])
                ));
            }
        }
        for (i, b) in l.boxes.iter().enumerate() {
            if server_of[i].is_none() && g.rect.intersects(b) {
                return Some(format!(
                    "{} would hold {}, which is on no server in it",
                    g.name, design.components[i].id
                ));
            }
        }
    }
    // Frames that overlap: two zones, two networks, or a network and a zone it is not in.
    for (a, ga) in groups.iter().enumerate() {
        for gb in &groups[a + 1..] {
            let nested = ga.is_zone != gb.is_zone && ga.zone == gb.zone;
            if !nested && ga.rect.intersects(&gb.rect) {
                return Some(format!("{} would overlap {}", ga.name, gb.name));
            }
        }
    }
    None
}

/// Gives every component an automatic position when the design's own positions would draw
/// zone or network frames that do not tell the truth (see [`frame_conflict`]); why, if it did.
/// A design whose frames are truthful, or that has none, is left as it is.
pub fn untangle(design: &mut Design) -> Option<String> {
    if design.zones.is_empty() && design.servers.iter().all(|s| s.network.is_none()) {
        return None;
    }
    let why = frame_conflict(design, &layout(design))?;
    arrange(design);
    Some(why)
}

/// Gives every component an automatic position (the editor's "arrange" command).
pub fn arrange(design: &mut Design) {
    let positions = auto_positions(design);
    for (c, (x, y)) in design.components.iter_mut().zip(positions) {
        c.x = Some(x);
        c.y = Some(y);
    }
}

/// How far from the clients each component is, following request links; components no
/// request reaches come after all others.
fn depths(design: &Design) -> Vec<usize> {
    let endpoints = design.endpoints();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); design.components.len()];
    let mut has_in = vec![false; design.components.len()];
    for l in &design.links {
        if l.protocol.traffic() != Traffic::Request {
            continue;
        }
        for &f in endpoints.resolve(&l.from) {
            for &t in endpoints.resolve(&l.to) {
                out[f].push(t);
                has_in[t] = true;
            }
        }
    }
    let mut depth = vec![usize::MAX; design.components.len()];
    let mut queue = VecDeque::new();
    let clients: Vec<usize> = (0..design.components.len())
        .filter(|&i| design.components[i].kind == Kind::Client)
        .collect();
    let starts = if clients.is_empty() {
        (0..design.components.len())
            .filter(|&i| !has_in[i] && !out[i].is_empty())
            .collect()
    } else {
        clients
    };
    for s in starts {
        depth[s] = 0;
        queue.push_back(s);
    }
    while let Some(n) = queue.pop_front() {
        for &m in &out[n] {
            if depth[m] == usize::MAX {
                depth[m] = depth[n] + 1;
                queue.push_back(m);
            }
        }
    }
    let max = depth
        .iter()
        .copied()
        .filter(|&d| d != usize::MAX)
        .max()
        .unwrap_or(0);
    for (d, c) in depth.iter_mut().zip(&design.components) {
        if *d == usize::MAX {
            // Agents sit with their server's other components; services they report to and
            // anything unconnected go to the far right.
            *d = match c.kind {
                Kind::Client => 0,
                _ => max + 1,
            };
        }
    }
    depth
}

/// A group placed as one: the components of a server, or one component without a server.
struct Block {
    members: Vec<usize>,
    /// Per member, its (column, row) inside the block.
    cells: Vec<(i32, i32)>,
    depth: usize,
    cols: i32,
    rows: i32,
    framed: bool,
    /// The zone of the block's server, in designs that place servers in zones.
    zone: Option<usize>,
    /// The network of the block's server, in designs that put servers on networks.
    network: Option<Network>,
}

impl Block {
    fn size(&self) -> (i32, i32) {
        let w = self.cols * BOX_W + (self.cols - 1) * GAP_X / 2;
        let h = self.rows * BOX_H + (self.rows - 1);
        if self.framed {
            (w + 2 * FRAME_PAD_X, h + 2 * FRAME_PAD_Y + 1)
        } else {
            (w, h)
        }
    }
}

/// Where a server's boxes go in its frame, `request` request-path components first (in path
/// order), then `support` firewalls, files and agents: the request path on the top rows, left
/// to right, and the support boxes on rows of their own under it, so that no support box sits
/// beside a request-path box and blocks the side its links leave or arrive by. Rows of at
/// most three; a server of one kind only fills rows of three (two and two for four).
/// Returns the cells and the block's columns and rows.
fn block_cells(request: usize, support: usize) -> (Vec<(i32, i32)>, i32, i32) {
    let per_row = |count: usize| match count {
        0 => 1,
        1..=3 => count,
        4 => 2,
        _ => 3,
    };
    let (rq, sp) = (per_row(request), per_row(support));
    // A kind that is absent takes one column, so the wider kind sets the width.
    let cols = rq.max(sp);
    let mut cells = Vec::with_capacity(request + support);
    let rq_rows = request.div_ceil(rq);
    cells.extend((0..request).map(|j| ((j % rq) as i32, (j / rq) as i32)));
    cells.extend((0..support).map(|j| ((j % sp) as i32, (rq_rows + j / sp) as i32)));
    let rows = (rq_rows + support.div_ceil(sp)).max(1);
    (cells, cols as i32, rows as i32)
}

/// Room between columns of blocks and between blocks in a column, in automatic layouts: wide
/// enough for a few lines to run between frames without touching their titles.
const COL_GAP: i32 = 8;
/// The widest gap [`column_gaps`] leaves between two columns.
const MAX_COL_GAP: i32 = 16;
/// Past this many links between blocks, every gap is [`COL_GAP`]: the editor's router gives
/// the lines of such designs a fixed number of search steps each, and wider gaps left more of
/// them out (at 983 components, 118 of 1,646 lines against 97), while up to here they leave
/// half as many out (generated designs of 50–200 components: 341 of 9,310 lines → 161).
const WIDE_GAPS_UP_TO: usize = 400;
const ROW_GAP: i32 = 3;

/// The blocks each block is linked to, in both directions, with how many links.
fn block_neighbours(design: &Design, block_of: &[usize], n_blocks: usize) -> Vec<Vec<usize>> {
    let endpoints = design.endpoints();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n_blocks];
    for l in &design.links {
        for &f in endpoints.resolve(&l.from) {
            for &t in endpoints.resolve(&l.to) {
                let (bf, bt) = (block_of[f], block_of[t]);
                if bf != bt {
                    out[bf].push(bt);
                    out[bt].push(bf);
                }
            }
        }
    }
    out
}

/// The gap after each column: [`COL_GAP`], and a column more for every two links that
/// cross it in the row where most do (up to [`MAX_COL_GAP`]), so that a full mesh between two
/// tiers has tracks enough to run up and down between them. Only in designs of up to
/// [`WIDE_GAPS_UP_TO`] links between blocks.
fn column_gaps(
    bands: &[Band],
    neighbours: &[Vec<usize>],
    n_cols: usize,
    n_blocks: usize,
) -> Vec<i32> {
    let links = neighbours.iter().map(Vec::len).sum::<usize>() / 2;
    if links > WIDE_GAPS_UP_TO {
        return vec![COL_GAP; n_cols];
    }
    let mut most = vec![0usize; n_cols];
    let mut col = vec![usize::MAX; n_blocks];
    let mut cross = vec![0usize; n_cols];
    for row in bands.iter().flat_map(|b| &b.rows) {
        for (c, blocks) in row.iter().enumerate() {
            for &k in blocks {
                col[k] = c;
            }
        }
        cross.iter_mut().for_each(|n| *n = 0);
        for &k in row.iter().flatten() {
            for &nb in &neighbours[k] {
                if col[nb] != usize::MAX && col[nb] > col[k] {
                    for n in &mut cross[col[k]..col[nb]] {
                        *n += 1;
                    }
                }
            }
        }
        for (m, &n) in most.iter_mut().zip(&cross) {
            *m = (*m).max(n);
        }
        for &k in row.iter().flatten() {
            col[k] = usize::MAX;
        }
    }
    most.iter()
        .map(|&n| (COL_GAP + (n / 2) as i32).min(MAX_COL_GAP))
        .collect()
}

/// Orders the blocks of each column by the mean position of their neighbours in the column
/// before (sweeping right) or after (sweeping left), the barycentre heuristic of layered
/// (Sugiyama-style) layouts, which removes most crossings between columns.
/// `pos` and `col_of` are scratch space, one entry per block (`col_of` all `usize::MAX`, as it
/// is left), so that ordering the columns of many bands costs only their blocks.
fn order_columns(
    columns: &mut [Vec<usize>],
    neighbours: &[Vec<usize>],
    pos: &mut [f64],
    col_of: &mut [usize],
) {
    for col in columns.iter() {
        for (k, &b) in col.iter().enumerate() {
            pos[b] = k as f64;
        }
    }
    for (c, col) in columns.iter().enumerate() {
        for &b in col {
            col_of[b] = c;
        }
    }
    let in_col = &*col_of;
    let sweep = |columns: &mut [Vec<usize>], pos: &mut [f64], c: usize, from: usize| {
        let mut keyed: Vec<(f64, usize)> = columns[c]
            .iter()
            .map(|&b| {
                let ns: Vec<f64> = neighbours[b]
                    .iter()
                    .filter(|&&m| in_col[m] == from)
                    .map(|&m| pos[m])
                    .collect();
                let key = if ns.is_empty() {
                    pos[b]
                } else {
                    ns.iter().sum::<f64>() / ns.len() as f64
                };
                (key, b)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(pos[a.1].total_cmp(&pos[b.1])));
        columns[c] = keyed.into_iter().map(|k| k.1).collect();
        for (k, &b) in columns[c].iter().enumerate() {
            pos[b] = k as f64;
        }
    };
    for _ in 0..4 {
        for c in 1..columns.len() {
            sweep(columns, pos, c, c - 1);
        }
        for c in (0..columns.len().saturating_sub(1)).rev() {
            sweep(columns, pos, c, c + 1);
        }
    }
    for &b in columns.iter().flatten() {
        col_of[b] = usize::MAX;
    }
}

/// How many times [`row_offsets`] places each column again.
const PLACE_SWEEPS: usize = 8;

/// Where each block of a row of columns sits, in rows from the row's top (into `off`): each as
/// near as its column's order allows to the middle of the blocks it is linked to in the row
/// (the coordinate assignment of layered layouts), so that links run across the gaps between
/// columns instead of up and down them. Blocks keep their order and [`ROW_GAP`] rows between
/// them; `in_row` is scratch space, all false, as it is left.
fn row_offsets(
    row: &[Vec<usize>],
    height: &dyn Fn(usize) -> i32,
    neighbours: &[Vec<usize>],
    off: &mut [i32],
    in_row: &mut [bool],
) {
    for col in row {
        let mut y = 0;
        for &k in col {
            off[k] = y;
            in_row[k] = true;
            y += height(k) + ROW_GAP;
        }
    }
    let mut want: Vec<f64> = Vec::new();
    // Pool-adjacent-violators: blocks of (first index, count, mean), merged while out of order.
    let mut pools: Vec<(usize, usize, f64)> = Vec::new();
    for sweep in 0..PLACE_SWEEPS {
        for c in 0..row.len() {
            let col = &row[if sweep % 2 == 0 { c } else { row.len() - 1 - c }];
            // What each block wants, less the room the blocks above it take: the places then
            // only have to be in order (isotonic regression), and at or under the top.
            want.clear();
            let mut above = 0;
            for &k in col {
                let (mut sum, mut count) = (0.0, 0);
                for &m in &neighbours[k] {
                    if m < in_row.len() && in_row[m] {
                        sum += f64::from(off[m]) + f64::from(height(m)) / 2.0;
                        count += 1;
                    }
                }
                let w = if count == 0 {
                    f64::from(off[k])
                } else {
                    sum / f64::from(count) - f64::from(height(k)) / 2.0
                };
                want.push(w - f64::from(above));
                above += height(k) + ROW_GAP;
            }
            pools.clear();
            for (i, &w) in want.iter().enumerate() {
                pools.push((i, 1, w));
                while pools.len() > 1 && pools[pools.len() - 2].2 > pools[pools.len() - 1].2 {
                    let (_, n2, m2) = pools.pop().expect("two pools");
                    let last = pools.last_mut().expect("a pool");
                    last.2 = (last.2 * last.1 as f64 + m2 * n2 as f64) / (last.1 + n2) as f64;
                    last.1 += n2;
                }
            }
            let mut above = 0;
            for &(first, count, mean) in &pools {
                let z = mean.max(0.0).round() as i32;
                for &k in &col[first..first + count] {
                    off[k] = z + above;
                    above += height(k) + ROW_GAP;
                }
            }
        }
    }
    // The highest block at the row's top.
    let top = row.iter().flatten().map(|&k| off[k]).min().unwrap_or(0);
    for &k in row.iter().flatten() {
        off[k] -= top;
        in_row[k] = false;
    }
}

/// Designs with fewer blocks are drawn as one band.
const GROUPED_FROM: usize = 48;
/// A block linked to more blocks than this is a hub (a DNS server in front of every group),
/// which does not tie the groups it serves into one.
const HUB_DEGREE: usize = 12;

/// The bands of a large design: the groups of blocks that are linked to each other when hubs
/// are left out (in a generated design, one per group of load balancers, web, app and database
/// servers), each with its own columns, the hubs in the first; a design of fewer blocks, or one
/// that does not fall apart so, is one band. Keeping each group in its own band keeps its links
/// short, however large the design.
fn groups(
    columns: &[Vec<usize>],
    neighbours: &[Vec<usize>],
    n_blocks: usize,
) -> Vec<Vec<Vec<usize>>> {
    if n_blocks < GROUPED_FROM {
        return vec![columns.to_vec()];
    }
    let degree = |b: usize| {
        let mut ns: Vec<usize> = neighbours[b]
            .iter()
            .copied()
            .filter(|&m| m < n_blocks)
            .collect();
        ns.sort_unstable();
        ns.dedup();
        ns.len()
    };
    let hub: Vec<bool> = (0..n_blocks).map(|b| degree(b) > HUB_DEGREE).collect();
    // Union-find over the links between blocks that are not hubs.
    let mut parent: Vec<usize> = (0..n_blocks).collect();
    fn find(parent: &mut [usize], mut b: usize) -> usize {
        while parent[b] != b {
            parent[b] = parent[parent[b]];
            b = parent[b];
        }
        b
    }
    // Blocks linked to hubs only (the clients in front of a DNS server), or to nothing, go
    // with the hubs.
    let mut alone = vec![true; n_blocks];
    for b in 0..n_blocks {
        if hub[b] {
            continue;
        }
        for &m in &neighbours[b] {
            if m < n_blocks && !hub[m] {
                alone[b] = false;
                let (rb, rm) = (find(&mut parent, b), find(&mut parent, m));
                if rb != rm {
                    parent[rb.max(rm)] = rb.min(rm);
                }
            }
        }
    }
    // Bands in the order of their first block (blocks are in depth order, then file order),
    // the hubs and the blocks that go with them first.
    let first = (0..n_blocks).any(|b| hub[b] || alone[b]);
    let mut band_of = vec![0; n_blocks];
    let mut band_of_root = vec![usize::MAX; n_blocks];
    let mut count = usize::from(first);
    for col in columns {
        for &b in col {
            if hub[b] || alone[b] {
                continue;
            }
            let r = find(&mut parent, b);
            if band_of_root[r] == usize::MAX {
                band_of_root[r] = count;
                count += 1;
            }
            band_of[b] = band_of_root[r];
        }
    }
    if count - usize::from(first) <= 1 {
        return vec![columns.to_vec()];
    }
    let mut bands = vec![vec![Vec::new(); columns.len()]; count];
    for (c, col) in columns.iter().enumerate() {
        for &b in col {
            bands[band_of[b]][c].push(b);
        }
    }
    bands
}

/// A band of the automatic layout: rows of columns of blocks, one row under the other.
struct Band {
    rows: Vec<Vec<Vec<usize>>>,
    /// Whether the band is a zone's, with room round it for the zone's frame.
    zone: bool,
}

/// The bands of a design that places servers in zones or on networks: first what is in no
/// zone, then one band per zone, so that the servers of a zone sit together and zones' frames
/// do not overlap. In a band, the servers of each network are a group of their own, and groups
/// share a row only where their columns do not interleave, so that networks' frames do not
/// overlap either (a public entry tier and private tiers behind it share one row).
fn zone_bands(columns: &[Vec<usize>], blocks: &[Block], zones: usize) -> Vec<Band> {
    let net = |n: Option<Network>| match n {
        None => 0,
        Some(Network::Public) => 1,
        Some(Network::Private) => 2,
    };
    let mut groups = vec![vec![vec![Vec::new(); columns.len()]; 3]; zones + 1];
    for (c, col) in columns.iter().enumerate() {
        for &k in col {
            let band = blocks[k].zone.map_or(0, |z| z + 1);
            groups[band][net(blocks[k].network)][c].push(k);
        }
    }
    let mut out = Vec::new();
    for (band, nets) in groups.into_iter().enumerate() {
        let mut spans: Vec<(usize, usize, Vec<Vec<usize>>)> = nets
            .into_iter()
            .filter_map(|cols| {
                let first = cols.iter().position(|c| !c.is_empty())?;
                let last = cols.iter().rposition(|c| !c.is_empty())?;
                Some((first, last, cols))
            })
            .collect();
        if spans.is_empty() {
            continue;
        }
        spans.sort_by_key(|s| s.0);
        // Each row with the last column it uses.
        let mut rows: Vec<(usize, Vec<Vec<usize>>)> = Vec::new();
        for (first, last, cols) in spans {
            match rows.iter_mut().find(|(end, _)| *end < first) {
                Some((end, row)) => {
                    for (c, col) in cols.into_iter().enumerate() {
                        row[c].extend(col);
                    }
                    *end = last;
                }
                None => rows.push((last, cols)),
            }
        }
        out.push(Band {
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            zone: band > 0,
        });
    }
    out
}

/// Layered positions: clients on the left, then each server as a block in the column of its
/// shallowest component, its members in a small grid ordered by depth; the blocks of each
/// column ordered to keep links from crossing; monitoring services and components no request
/// reaches in a row below, near what reports to them.
pub fn auto_positions(design: &Design) -> Vec<(i32, i32)> {
    let n = design.components.len();
    let depth = depths(design);
    let reached_max = depth
        .iter()
        .zip(&design.components)
        .filter(|(_, c)| c.kind != Kind::MonitoringService)
        .map(|(d, _)| *d)
        .max()
        .unwrap_or(0);
    // Below the columns: monitoring services, and what no request reaches (the depth past all
    // others that `depths` gives it).
    let in_band = |i: usize| {
        let c = &design.components[i];
        c.kind == Kind::MonitoringService || (c.server.is_none() && depth[i] > reached_max)
    };
    let mut by_server: Vec<Vec<usize>> = vec![Vec::new(); design.servers.len()];
    let mut blocks: Vec<Block> = Vec::new();
    let mut band: Vec<usize> = Vec::new();
    for (i, server) in design.server_of().into_iter().enumerate() {
        match server {
            Some(s) => by_server[s].push(i),
            None if in_band(i) => band.push(i),
            None => blocks.push(Block {
                members: vec![i],
                cells: vec![(0, 0)],
                depth: depth[i],
                cols: 1,
                rows: 1,
                framed: false,
                zone: None,
                network: None,
            }),
        }
    }
    let zone_of = design.zone_of();
    for (s, mut members) in by_server
        .into_iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
    {
        // Request-path components first, in path order; firewalls, files and agents after.
        let rank = |i: usize| {
            let c = &design.components[i];
            let support = matches!(
                c.kind,
                Kind::Firewall | Kind::AppFiles | Kind::MonitoringAgent
            );
            (support, depth[i], c.kind)
        };
        members.sort_by_key(|&i| rank(i));
        let main_depth = members.iter().map(|&i| depth[i]).min().unwrap_or(0);
        let support = members.iter().filter(|&&i| rank(i).0).count();
        let (cells, cols, rows) = block_cells(members.len() - support, support);
        blocks.push(Block {
            members,
            cells,
            depth: main_depth,
            cols,
            rows,
            framed: true,
            zone: zone_of[s],
            network: design.servers[s].network,
        });
    }
    blocks.sort_by_key(|b| (b.depth, b.members.first().copied().unwrap_or(0)));
    // Columns by depth, in depth order.
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for (k, b) in blocks.iter().enumerate() {
        match columns.last_mut() {
            Some(col) if blocks[col[0]].depth == b.depth => col.push(k),
            _ => columns.push(vec![k]),
        }
    }
    let mut block_of = vec![blocks.len(); n];
    for (k, b) in blocks.iter().enumerate() {
        for &m in &b.members {
            block_of[m] = k;
        }
    }
    // The band's members as blocks of their own for ordering, after the others.
    for (k, &i) in band.iter().enumerate() {
        block_of[i] = blocks.len() + k;
    }
    let n_blocks = blocks.len() + band.len();
    let neighbours = block_neighbours(design, &block_of, n_blocks);
    let mut pos = vec![0.0; n_blocks];
    let mut col_of = vec![usize::MAX; n_blocks];
    let zoned = blocks
        .iter()
        .any(|b| b.zone.is_some() || b.network.is_some());
    let mut bands: Vec<Band> = if zoned {
        zone_bands(&columns, &blocks, design.zones.len())
    } else {
        groups(&columns, &neighbours, blocks.len())
            .into_iter()
            .map(|g| Band {
                rows: vec![g],
                zone: false,
            })
            .collect()
    };
    let mut off = vec![0; n_blocks];
    let mut in_row = vec![false; n_blocks];
    let height = |k: usize| blocks[k].size().1;
    for band in &mut bands {
        for row in &mut band.rows {
            order_columns(row, &neighbours, &mut pos, &mut col_of);
            row_offsets(row, &height, &neighbours, &mut off, &mut in_row);
        }
    }

    // Every band has the same columns, as wide as their widest block, so that the tiers line
    // up from band to band.
    let mut col_w = vec![0; columns.len()];
    for row in bands.iter().flat_map(|b| &b.rows) {
        for (c, col) in row.iter().enumerate() {
            for &k in col {
                col_w[c] = col_w[c].max(blocks[k].size().0);
            }
        }
    }
    let gaps = column_gaps(&bands, &neighbours, columns.len(), n_blocks);
    let band_w: i32 = col_w.iter().zip(&gaps).map(|(w, g)| w + g).sum();
    // A row that holds servers on a network leaves room round them for the network's frame.
    let networked =
        |row: &Vec<Vec<usize>>| row.iter().flatten().any(|&k| blocks[k].network.is_some());
    let row_h = |row: &Vec<Vec<usize>>| -> i32 {
        let h = row
            .iter()
            .flatten()
            .map(|&k| off[k] + blocks[k].size().1 + ROW_GAP)
            .max()
            .unwrap_or(0);
        h + if networked(row) { 2 * NET_PAD_Y } else { 0 }
    };
    // A zone's band leaves room round its blocks for the zone's frame, and two free rows
    // under it (not the gap under its last blocks as well) for lines to run between zones.
    let zone_extra = 2 * ZONE_PAD_Y + 2 - ROW_GAP;
    let heights: Vec<i32> = bands
        .iter()
        .map(|b| b.rows.iter().map(row_h).sum::<i32>() + if b.zone { zone_extra } else { 0 })
        .collect();
    // Bands one under the other, in as many stacks side by side as make the drawing about
    // as wide as it is tall (a cell is about twice as tall as it is wide).
    let total_h: i64 = heights.iter().map(|&h| i64::from(h)).sum();
    let stacks = (((2 * total_h) as f64 / f64::from(band_w.max(1)))
        .sqrt()
        .round() as i64)
        .clamp(1, bands.len().max(1) as i64);
    let stack_h = total_h / stacks;
    let mut positions = vec![(0, 0); n];
    let mut x0 = 1;
    let mut y0 = 1;
    let mut bottom = 1;
    for (band, &h) in bands.iter().zip(&heights) {
        if y0 > 1 && i64::from(y0 - 1 + h) > stack_h + i64::from(h) / 2 {
            x0 += band_w + COL_GAP;
            y0 = 1;
        }
        let mut row_top = if band.zone { y0 + ZONE_PAD_Y + 1 } else { y0 };
        for row in &band.rows {
            let top = row_top + if networked(row) { NET_PAD_Y } else { 0 };
            let mut x = x0;
            for (c, col) in row.iter().enumerate() {
                for &k in col {
                    let b = &blocks[k];
                    let (_, bh) = b.size();
                    let y = top + off[k];
                    let (ox, oy) = if b.framed {
                        (x + FRAME_PAD_X, y + FRAME_PAD_Y + 1)
                    } else {
                        (x, y)
                    };
                    for (&m, &(col, row)) in b.members.iter().zip(&b.cells) {
                        positions[m] = (ox + col * (BOX_W + GAP_X / 2), oy + row * (BOX_H + 1));
                    }
                    bottom = bottom.max(y + bh + ROW_GAP);
                }
                x += col_w[c] + gaps[c];
            }
            row_top += row_h(row);
        }
        if band.zone || band.rows.iter().any(networked) {
            bottom = bottom.max(y0 + h);
        }
        y0 += h;
    }
    // The band: each under the mean of what it is linked to, left to right, never overlapping.
    let mut placed: Vec<(f64, usize)> = band
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let xs: Vec<f64> = neighbours[blocks.len() + k]
                .iter()
                .filter(|&&b| b < blocks.len())
                .map(|&b| f64::from(positions[blocks[b].members[0]].0))
                .collect();
            let key = if xs.is_empty() {
                f64::MAX
            } else {
                xs.iter().sum::<f64>() / xs.len() as f64
            };
            (key, i)
        })
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut next_x = 1;
    for (key, i) in placed {
        let want = if key == f64::MAX { next_x } else { key as i32 };
        let bx = want.max(next_x);
        positions[i] = (bx, bottom + 1);
        next_x = bx + BOX_W + COL_GAP;
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Link, Protocol, Server};

    fn design() -> Design {
        let mut d = Design::new("t");
        d.servers.push(Server {
            id: "s1".into(),
            ip: None,
            label: None,
            ..Default::default()
        });
        d.components.push(Component::new("user", Kind::Client));
        for (id, kind) in [("web", Kind::WebServer), ("db", Kind::Database)] {
            let mut c = Component::new(id, kind);
            c.server = Some("s1".into());
            d.components.push(c);
        }
        for (f, t) in [("user", "web"), ("web", "db")] {
            d.links.push(Link {
                from: f.into(),
                to: t.into(),
                protocol: Protocol::Http,
                port: None,
                label: None,
            });
        }
        d
    }

    #[test]
    fn auto_layout_puts_clients_left_and_boxes_apart() {
        let d = design();
        let l = layout(&d);
        assert!(
            l.boxes[0].right() < l.boxes[1].x,
            "client left of the server"
        );
        for (a, ra) in l.boxes.iter().enumerate() {
            for rb in &l.boxes[a + 1..] {
                assert!(!ra.intersects(rb), "{ra:?} overlaps {rb:?}");
            }
        }
        let (_, frame) = l.frames[0];
        assert!(
            !frame.intersects(&l.boxes[0]),
            "the client is outside the frame"
        );
        assert!(frame.contains(l.boxes[1].x, l.boxes[1].y));
        assert!(frame.contains(l.boxes[2].right() - 1, l.boxes[2].bottom() - 1));
    }

    #[test]
    fn gaps_between_columns_widen_with_the_links_that_cross_them() {
        // Blocks 0-3 in column 0, 4-7 in column 1, 8 in column 2: a full mesh between the
        // first two columns (16 links), one link from block 7 to block 8, and one from block
        // 0 over column 1 to block 8 (it crosses both gaps).
        let mut neighbours = vec![Vec::new(); 9];
        let mut link = |a: usize, b: usize| {
            neighbours[a].push(b);
            neighbours[b].push(a);
        };
        for a in 0..4 {
            for b in 4..8 {
                link(a, b);
            }
        }
        link(7, 8);
        link(0, 8);
        let row = vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8]];
        let bands = [Band {
            rows: vec![row],
            zone: false,
        }];
        assert_eq!(
            column_gaps(&bands, &neighbours, 3, 9),
            [COL_GAP + 17 / 2, COL_GAP + 1, COL_GAP]
        );
        // The same mesh in two rows of its own: each row's links count alone.
        let split = [Band {
            rows: vec![
                vec![vec![0, 1], vec![4, 5], vec![]],
                vec![vec![2, 3], vec![6, 7], vec![8]],
            ],
            zone: false,
        }];
        assert_eq!(
            column_gaps(&split, &neighbours, 3, 9),
            [COL_GAP + 2, COL_GAP, COL_GAP]
        );
        // However many links cross it, a gap stays within bounds.
        let mut many = vec![Vec::new(); 9];
        for _ in 0..100 {
            many[0].push(4);
        }
        assert_eq!(column_gaps(&bands, &many, 3, 9)[0], MAX_COL_GAP);
    }

    #[test]
    fn blocks_sit_level_with_what_they_are_linked_to_in_order_and_apart() {
        // Column 0: block 0; column 1: blocks 1, 2, 3; block 0 is linked to block 3 only.
        let row = vec![vec![0], vec![1, 2, 3]];
        let neighbours = vec![vec![3], vec![], vec![], vec![0]];
        let height = |_: usize| 4;
        let (mut off, mut in_row) = (vec![0; 4], vec![false; 4]);
        row_offsets(&row, &height, &neighbours, &mut off, &mut in_row);
        assert_eq!(off[0], off[3], "level with its only neighbour: {off:?}");
        assert_eq!(&off[1..], &[0, 4 + ROW_GAP, 2 * (4 + ROW_GAP)], "{off:?}");
        assert!(in_row.iter().all(|&b| !b), "scratch space left clear");
        // Two blocks linked to one block straddle it, in their order, never overlapping;
        // the highest block is at the row's top.
        let row = vec![vec![0, 1], vec![2]];
        let neighbours = vec![vec![2], vec![2], vec![0, 1]];
        let mut off = vec![0; 3];
        row_offsets(&row, &height, &neighbours, &mut off, &mut [false; 3]);
        assert_eq!(off[1] - off[0], 4 + ROW_GAP, "{off:?}");
        assert_eq!(off[0].min(off[2]), 0, "{off:?}");
        let middle = |k: usize| off[k] * 2 + 4;
        assert!(
            (middle(0) + middle(1) - 2 * middle(2)).abs() <= 2,
            "{off:?}"
        );
    }

    #[test]
    fn support_boxes_sit_under_the_request_path_of_their_server() {
        assert_eq!(block_cells(1, 2), (vec![(0, 0), (0, 1), (1, 1)], 2, 2));
        assert_eq!(block_cells(2, 0), (vec![(0, 0), (1, 0)], 2, 1));
        assert_eq!(
            block_cells(0, 4),
            (vec![(0, 0), (1, 0), (0, 1), (1, 1)], 2, 2)
        );
        assert_eq!(block_cells(2, 1), (vec![(0, 0), (1, 0), (0, 1)], 2, 2));
        // On every reference design laid out automatically: in each server, every firewall,
        // agent and file store is below every request-path box, and nothing is beside one.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
        let mut servers_checked = 0;
        for entry in std::fs::read_dir(dir).expect("designs/") {
            let mut d = crate::io::load(&entry.expect("entry").path()).expect("loads");
            arrange(&mut d);
            let l = layout(&d);
            let support =
                |k: Kind| matches!(k, Kind::Firewall | Kind::AppFiles | Kind::MonitoringAgent);
            for s in &d.servers {
                let on: Vec<usize> = (0..d.components.len())
                    .filter(|&i| d.components[i].server.as_deref() == Some(s.id.as_str()))
                    .collect();
                let (sup, req): (Vec<usize>, Vec<usize>) =
                    on.iter().partition(|&&i| support(d.components[i].kind));
                if sup.is_empty() || req.is_empty() {
                    continue;
                }
                servers_checked += 1;
                for &a in &sup {
                    for &b in &req {
                        assert!(
                            l.boxes[a].y >= l.boxes[b].bottom(),
                            "{}: {} is not under {}",
                            d.name,
                            d.components[a].id,
                            d.components[b].id
                        );
                    }
                }
            }
        }
        assert!(
            servers_checked >= 5,
            "only {servers_checked} servers with both kinds"
        );
    }

    #[test]
    fn columns_are_ordered_so_that_links_do_not_cross() {
        let mut d = Design::new("t");
        d.components.push(Component::new("user", Kind::Client));
        for id in ["a1", "a2"] {
            d.components.push(Component::new(id, Kind::LoadBalancer));
        }
        for id in ["b1", "b2"] {
            d.components.push(Component::new(id, Kind::WebServer));
        }
        for (f, t) in [("user", "a1"), ("user", "a2"), ("a1", "b2"), ("a2", "b1")] {
            d.links.push(Link {
                from: f.into(),
                to: t.into(),
                protocol: Protocol::Http,
                port: None,
                label: None,
            });
        }
        let p = auto_positions(&d);
        // In file order b1 would face a1 and the two links would cross.
        assert_eq!(p[1].0, p[2].0, "a1 and a2 share a column");
        assert_eq!(p[3].0, p[4].0, "b1 and b2 share a column");
        assert_eq!(
            p[1].1 < p[2].1,
            p[4].1 < p[3].1,
            "b2 is level with a1's side: {p:?}"
        );
    }

    #[test]
    fn monitoring_services_sit_below_the_columns() {
        let mut d = design();
        let mut agent = Component::new("agent", Kind::MonitoringAgent);
        agent.server = Some("s1".into());
        d.components.push(agent);
        d.components
            .push(Component::new("mon", Kind::MonitoringService));
        d.links.push(Link {
            from: "agent".into(),
            to: "mon".into(),
            protocol: Protocol::MetricsTls,
            port: None,
            label: None,
        });
        let l = layout(&d);
        let others = l.boxes[..4].iter().copied().reduce(|a, b| a.union(&b));
        let frames = l.frames.iter().map(|f| f.1).reduce(|a, b| a.union(&b));
        let above = others.zip(frames).map(|(a, b)| a.union(&b)).expect("boxes");
        assert!(
            l.boxes[4].y >= above.bottom(),
            "{:?} under {above:?}",
            l.boxes[4]
        );
    }

    #[test]
    fn hit_testing_finds_boxes_and_frames() {
        let mut d = design();
        arrange(&mut d);
        let l = layout(&d);
        let (x, y) = l.boxes[1].center();
        assert_eq!(l.component_at(x, y), Some(1));
        let (_, f) = l.frames[0];
        assert_eq!(l.server_at(f.x, f.y), Some(0));
        assert_eq!(l.component_at(f.x, f.y), None);
    }

    #[test]
    fn zones_frames_are_apart_and_hold_exactly_their_servers() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones-eu-west-1.toml");
        let mut d = crate::io::load(&path).expect("the zones example loads");
        let placed = layout(&d);
        arrange(&mut d);
        let arranged = layout(&d);
        let zone_of = d.zone_of();
        for l in [placed, arranged] {
            assert_eq!(l.zones.len(), 2, "{:?}", l.zones);
            let (a, b) = (l.zones[0].1, l.zones[1].1);
            assert!(!a.intersects(&b), "{a:?} overlaps {b:?}");
            for &(z, zr) in &l.zones {
                for &(s, f) in &l.frames {
                    if zone_of[s] == Some(z) {
                        let inner = Rect::new(zr.x + 1, zr.y + 1, zr.w - 2, zr.h - 2);
                        assert_eq!(inner.union(&f), inner, "{f:?} inside {zr:?}");
                    } else {
                        assert!(!zr.intersects(&f), "{f:?} outside {zr:?}");
                    }
                }
            }
            assert_eq!(l.bounds.union(&a.union(&b)), l.bounds);
        }
        // Without zones, no zone frames.
        d.zones.clear();
        for s in &mut d.servers {
            s.zone = None;
        }
        assert!(layout(&d).zones.is_empty());
    }

    /// Every zone's and network's frame holds exactly its own servers' frames (well inside),
    /// and no two frames overlap unless one is a network inside its zone.
    fn assert_truthful(d: &Design, l: &Layout) {
        let zone_of = d.zone_of();
        let inside = |outer: Rect, f: Rect| {
            let inner = Rect::new(outer.x + 1, outer.y + 1, outer.w - 2, outer.h - 2);
            inner.union(&f) == inner
        };
        for &(z, zr) in &l.zones {
            for &(s, f) in &l.frames {
                if zone_of[s] == Some(z) {
                    assert!(inside(zr, f), "{f:?} inside {zr:?}");
                } else {
                    assert!(!zr.intersects(&f), "{f:?} outside {zr:?}");
                }
            }
        }
        for n in &l.networks {
            for &(s, f) in &l.frames {
                if zone_of[s] == n.zone && d.servers[s].network == Some(n.network) {
                    assert!(inside(n.rect, f), "{f:?} inside {n:?}");
                } else {
                    assert!(!n.rect.intersects(&f), "{f:?} outside {n:?}");
                }
            }
            if let Some(z) = n.zone {
                let (_, zr) = l.zones.iter().find(|(k, _)| *k == z).expect("its zone");
                assert!(inside(*zr, n.rect), "{n:?} inside {zr:?}");
            }
        }
        for (a, na) in l.networks.iter().enumerate() {
            for nb in &l.networks[a + 1..] {
                assert!(!na.rect.intersects(&nb.rect), "{na:?} overlaps {nb:?}");
            }
        }
        for (a, (_, za)) in l.zones.iter().enumerate() {
            for (_, zb) in &l.zones[a + 1..] {
                assert!(!za.intersects(zb), "{za:?} overlaps {zb:?}");
            }
        }
        assert_eq!(frame_conflict(d, l), None);
    }

    #[test]
    fn networks_are_framed_inside_their_zones() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones-eu-west-1.toml");
        let mut d = crate::io::load(&path).expect("the zones example loads");
        let placed = layout(&d);
        assert_truthful(&d, &placed);
        // Public and private in each of the two zones.
        let nets: Vec<(Option<usize>, Network)> = placed
            .networks
            .iter()
            .map(|n| (n.zone, n.network))
            .collect();
        assert_eq!(
            nets,
            [
                (Some(0), Network::Public),
                (Some(0), Network::Private),
                (Some(1), Network::Public),
                (Some(1), Network::Private)
            ]
        );
        // The agents on the public load balancers report over the private network: marked.
        let marks = network_marks(&d);
        let marked: Vec<&str> = d
            .components
            .iter()
            .zip(&marks)
            .filter(|(_, m)| **m == Some(Network::Private))
            .map(|(c, _)| c.id.as_str())
            .collect();
        assert_eq!(marked, ["agent-lb-01", "agent-lb-02"]);
        assert!(
            untangle(&mut d).is_none(),
            "the example's own positions stay"
        );
        arrange(&mut d);
        assert_truthful(&d, &layout(&d));
        // Networks without zones are framed too, and arranged apart.
        d.zones.clear();
        for s in &mut d.servers {
            s.zone = None;
        }
        arrange(&mut d);
        let l = layout(&d);
        assert_eq!(l.networks.len(), 2);
        assert_truthful(&d, &l);
        // Without networks, none.
        for s in &mut d.servers {
            s.network = None;
        }
        assert!(layout(&d).networks.is_empty());
    }

    /// Servers in `zones` (with networks) from left to right, each with one component, the
    /// first linked to all.
    fn row_of(zones: &[(&str, Option<Network>)]) -> Design {
        let mut d = Design::new("interleaved");
        for z in ["a", "b"] {
            d.zones.push(crate::model::Zone {
                id: z.into(),
                ..Default::default()
            });
        }
        for (k, (z, net)) in zones.iter().enumerate() {
            d.servers.push(Server {
                id: format!("s{k}"),
                zone: Some(z.to_string()),
                network: *net,
                ..Default::default()
            });
            let mut c = Component::new(format!("c{k}"), Kind::WebServer);
            c.server = Some(format!("s{k}"));
            (c.x, c.y) = (Some(k as i32 * 30), Some(2));
            d.components.push(c);
            if k > 0 {
                d.links.push(Link {
                    from: "c0".into(),
                    to: format!("c{k}"),
                    protocol: Protocol::Https,
                    port: None,
                    label: None,
                });
            }
        }
        d
    }

    #[test]
    fn interleaved_zones_are_placed_by_zone() {
        let mut d = row_of(&[("a", None), ("b", None), ("a", None)]);
        let why = frame_conflict(&d, &layout(&d)).expect("zone a's frame holds s1");
        assert_eq!(why, "zone a's frame would hold server s1 (zone b)");
        let before = d.clone();
        assert_eq!(untangle(&mut d), Some(why));
        assert_ne!(d, before, "moved");
        assert_truthful(&d, &layout(&d));
        assert_eq!(untangle(&mut d), None, "once is enough");
        // Networks interleaved in one zone.
        let mut d = row_of(&[
            ("a", Some(Network::Public)),
            ("a", Some(Network::Private)),
            ("a", Some(Network::Public)),
        ]);
        assert!(
            frame_conflict(&d, &layout(&d)).is_some_and(|w| w.contains("public network of zone a")),
        );
        assert!(untangle(&mut d).is_some());
        assert_truthful(&d, &layout(&d));
        // A server in no zone under a zone's frame.
        let mut d = row_of(&[("a", None), ("b", None), ("a", None)]);
        d.servers[1].zone = None;
        assert!(untangle(&mut d).is_some());
        assert_truthful(&d, &layout(&d));
        // Side by side zones tell the truth: nothing moves.
        let mut d = row_of(&[("a", None), ("a", None), ("b", None)]);
        let before = d.clone();
        assert_eq!(untangle(&mut d), None);
        assert_eq!(d, before);
        // A design without zones or networks is never moved.
        let mut d = design();
        arrange(&mut d);
        d.components[1].x = Some(500);
        let before = d.clone();
        assert_eq!(untangle(&mut d), None);
        assert_eq!(d, before);
    }
}
