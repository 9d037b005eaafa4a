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
    let bounds = boxes
        .iter()
        .chain(frames.iter().map(|(_, r)| r))
        .copied()
        .reduce(|a, b| a.union(&b))
        .unwrap_or_default();
    Layout {
        boxes,
        frames,
        bounds,
    }
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

/// Layered positions: clients on the left, then each server as a block in the column of its
/// shallowest component, its members in a small grid ordered by depth.
pub fn auto_positions(design: &Design) -> Vec<(i32, i32)> {
    let n = design.components.len();
    let depth = depths(design);
    let mut by_server: Vec<Vec<usize>> = vec![Vec::new(); design.servers.len()];
    let mut blocks: Vec<Block> = Vec::new();
    for (i, server) in design.server_of().into_iter().enumerate() {
        match server {
            Some(s) => by_server[s].push(i),
            None => blocks.push(Block {
                members: vec![i],
                depth: depth[i],
                cols: 1,
                rows: 1,
                framed: false,
            }),
        }
    }
    for mut members in by_server.into_iter().filter(|m| !m.is_empty()) {
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
        });
    }
    blocks.sort_by_key(|b| (b.depth, b.members.first().copied().unwrap_or(0)));

    let mut positions = vec![(0, 0); n];
    let mut x = 1;
    let mut i = 0;
    while i < blocks.len() {
        let d = blocks[i].depth;
        let mut j = i;
        let mut y = 1;
        let mut col_w = 0;
        while j < blocks.len() && blocks[j].depth == d {
            let b = &blocks[j];
            let (w, h) = b.size();
            let (ox, oy) = if b.framed {
                (x + FRAME_PAD_X, y + FRAME_PAD_Y + 1)
            } else {
                (x, y)
            };
            for (k, &m) in b.members.iter().enumerate() {
                let k = k as i32;
                positions[m] = (
                    ox + (k % b.cols) * (BOX_W + GAP_X / 2),
                    oy + (k / b.cols) * (BOX_H + 1),
                );
            }
            col_w = col_w.max(w);
            y += h + GAP_Y;
            j += 1;
        }
        x += col_w + GAP_X;
        i = j;
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
}
