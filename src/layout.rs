//! Where things sit on the canvas, in character cells: the boxes of components, the frames of
//! servers, and an automatic layered layout for designs without positions.
//!
//! The editor draws and hit-tests with this geometry and the built-in SVG renderer scales it, so
//! both show a design the same way.

use crate::model::{Design, Kind, Traffic};
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
    /// its servers' frames, [`ZONE_PAD_X`] and [`ZONE_PAD_Y`] away.
    pub zones: Vec<(usize, Rect)>,
    /// Everything drawn.
    pub bounds: Rect,
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
    let zones = zone_frames(design, &frames);
    let bounds = boxes
        .iter()
        .chain(frames.iter().map(|(_, r)| r))
        .chain(zones.iter().map(|(_, r)| r))
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    Layout {
        boxes,
        frames,
        zones,
        bounds,
    }
}

/// Makes `layout`, the layout of a design, that of `design`, which differs from it only in
/// the positions of components `moved`: their boxes, their servers' frames, the zones and
/// the bounds are made again, the rest kept. `members` lists each server's components by
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
    layout.zones = zone_frames(design, &layout.frames);
    layout.bounds = layout
        .boxes
        .iter()
        .chain(layout.frames.iter().map(|(_, r)| r))
        .chain(layout.zones.iter().map(|(_, r)| r))
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    true
}

/// The frame of each zone round the frames of its servers.
fn zone_frames(design: &Design, frames: &[(usize, Rect)]) -> Vec<(usize, Rect)> {
    if design.zones.is_empty() {
        return Vec::new();
    }
    let zone_of = design.zone_of();
    let mut inner: Vec<Option<Rect>> = vec![None; design.zones.len()];
    for (si, r) in frames {
        if let Some(z) = zone_of.get(*si).copied().flatten() {
            inner[z] = Some(inner[z].map_or(*r, |u| u.union(r)));
        }
    }
    inner
        .into_iter()
        .enumerate()
        .filter_map(|(z, r)| {
            r.map(|r| {
                (
                    z,
                    Rect::new(
                        r.x.saturating_sub(ZONE_PAD_X),
                        r.y.saturating_sub(ZONE_PAD_Y),
                        r.w.saturating_add(2 * ZONE_PAD_X),
                        r.h.saturating_add(2 * ZONE_PAD_Y),
                    ),
                )
            })
        })
        .collect()
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
    depth: usize,
    cols: i32,
    rows: i32,
    framed: bool,
    /// The zone of the block's server, in designs that place servers in zones.
    zone: Option<usize>,
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

/// Room between columns of blocks and between blocks in a column, in automatic layouts: wide
/// enough for a few lines to run between frames without touching their titles.
const COL_GAP: i32 = 8;
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

/// The bands of a design that places servers in zones: first what is in no zone, then one
/// band per zone, so that the servers of a zone sit together and zones' frames do not overlap.
fn zone_bands(columns: &[Vec<usize>], blocks: &[Block], zones: usize) -> Vec<Vec<Vec<usize>>> {
    let mut bands = vec![vec![Vec::new(); columns.len()]; zones + 1];
    for (c, col) in columns.iter().enumerate() {
        for &k in col {
            let band = blocks[k].zone.map_or(0, |z| z + 1);
            bands[band][c].push(k);
        }
    }
    bands.retain(|b| b.iter().any(|col| !col.is_empty()));
    bands
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
                depth: depth[i],
                cols: 1,
                rows: 1,
                framed: false,
                zone: None,
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
        let count = members.len() as i32;
        let cols = match count {
            1..=3 => count,
            4 => 2,
            _ => 3,
        };
        let rows = (count + cols - 1) / cols;
        blocks.push(Block {
            members,
            depth: main_depth,
            cols,
            rows,
            framed: true,
            zone: zone_of[s],
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
    let zoned = blocks.iter().any(|b| b.zone.is_some());
    let groups = if zoned {
        zone_bands(&columns, &blocks, design.zones.len())
    } else {
        groups(&columns, &neighbours, blocks.len())
    };
    let mut bands: Vec<Vec<Vec<usize>>> = Vec::with_capacity(groups.len());
    for group in groups {
        let mut band_columns = group;
        order_columns(&mut band_columns, &neighbours, &mut pos, &mut col_of);
        bands.push(band_columns);
    }

    // Every band has the same columns, as wide as their widest block, so that the tiers line
    // up from band to band.
    let mut col_w = vec![0; columns.len()];
    for band in &bands {
        for (c, col) in band.iter().enumerate() {
            for &k in col {
                col_w[c] = col_w[c].max(blocks[k].size().0);
            }
        }
    }
    let band_w: i32 = col_w.iter().map(|w| w + COL_GAP).sum();
    let band_h = |band: &Vec<Vec<usize>>| -> i32 {
        band.iter()
            .map(|col| {
                col.iter()
                    .map(|&k| blocks[k].size().1 + ROW_GAP)
                    .sum::<i32>()
            })
            .max()
            .unwrap_or(0)
    };
    // A zone's band leaves room round its blocks for the zone's frame.
    let zone_band = |band: &Vec<Vec<usize>>| {
        zoned
            && band
                .iter()
                .flatten()
                .next()
                .is_some_and(|&k| blocks[k].zone.is_some())
    };
    let zone_extra = 2 * ZONE_PAD_Y + 2;
    let heights: Vec<i32> = bands
        .iter()
        .map(|b| band_h(b) + if zone_band(b) { zone_extra } else { 0 })
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
        let mut x = x0;
        let top = if zone_band(band) {
            y0 + ZONE_PAD_Y + 1
        } else {
            y0
        };
        for (c, col) in band.iter().enumerate() {
            let mut y = top;
            for &k in col {
                let b = &blocks[k];
                let (_, bh) = b.size();
                let (ox, oy) = if b.framed {
                    (x + FRAME_PAD_X, y + FRAME_PAD_Y + 1)
                } else {
                    (x, y)
                };
                for (j, &m) in b.members.iter().enumerate() {
                    let j = j as i32;
                    positions[m] = (
                        ox + (j % b.cols) * (BOX_W + GAP_X / 2),
                        oy + (j / b.cols) * (BOX_H + 1),
                    );
                }
                y += bh + ROW_GAP;
            }
            bottom = bottom.max(y);
            x += col_w[c] + COL_GAP;
        }
        if zone_band(band) {
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
}
