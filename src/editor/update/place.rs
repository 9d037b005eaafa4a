//! Where new and moved boxes go: free spots, a spot inside a server's frame, a server moved
//! out of the way, and adding a component or putting it on a server.

use super::super::state::{App, Mode, Selection};
use crate::layout::{self, BOX_H, BOX_W};
use crate::model::{Component, Kind, Protocol, Server};
use crate::text::capitalize;

impl App {
    /// A free spot for a new box near `(x, y)`: scans rings around it, nearest first, for a
    /// place that overlaps no box or frame and keeps a frame's room from them.
    fn free_spot(&self, x: i32, y: i32) -> (i32, i32) {
        let taken: Vec<layout::Rect> = self
            .derived
            .layout
            .boxes
            .iter()
            .copied()
            .chain(self.derived.layout.frames.iter().map(|(_, r)| *r))
            .collect();
        let margin = |r: layout::Rect| {
            layout::Rect::new(
                r.x - layout::FRAME_PAD_X - 2,
                r.y - layout::FRAME_PAD_Y - 2,
                r.w + 2 * layout::FRAME_PAD_X + 4,
                r.h + 2 * layout::FRAME_PAD_Y + 3,
            )
        };
        let fits = |cand: layout::Rect| !taken.iter().any(|t| margin(cand).intersects(t));
        for ring in 0..400 {
            let (dx, dy) = (ring * 4, ring * 3);
            let around = [
                (dx, 0),
                (0, dy),
                (dx, dy),
                (-dx, 0),
                (0, -dy),
                (-dx, dy),
                (dx, -dy),
                (-dx, -dy),
            ];
            for (ox, oy) in around {
                let cand = layout::box_at(x + ox, y + oy);
                if fits(cand) {
                    return (cand.x, cand.y);
                }
            }
        }
        // Past everything drawn.
        let b = self.derived.layout.bounds;
        (b.right() + layout::GAP_X, b.y)
    }

    /// A spot for component `ci` inside the frame of server `server`: next to its boxes,
    /// where the frame, grown to hold it, overlaps no other box, frame or DNS tag.
    fn spot_on_server(&self, ci: usize, server: &str) -> Option<(i32, i32)> {
        let members: Vec<layout::Rect> = self
            .design
            .components
            .iter()
            .zip(&self.derived.layout.boxes)
            .enumerate()
            .filter(|(i, (c, _))| c.server.as_deref() == Some(server) && *i != ci)
            .map(|(_, (_, b))| *b)
            .collect();
        let u = members.iter().copied().reduce(|a, b| a.union(&b))?;
        let others: Vec<layout::Rect> = self
            .derived
            .layout
            .boxes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != ci && !members.contains(&self.derived.layout.boxes[*i]))
            .map(|(_, b)| *b)
            .chain(
                self.derived
                    .layout
                    .frames
                    .iter()
                    .filter(|(s, _)| self.design.servers[*s].id != server)
                    .map(|(_, r)| *r),
            )
            .collect();
        let step_x = BOX_W + layout::GAP_X / 2;
        let step_y = BOX_H + 1;
        let mut cands = Vec::new();
        // Below the lowest row, left to right; right of the rightmost column, top to bottom;
        // then further out.
        for k in 0..40 {
            let by = u.bottom() + 1 + (k / 4) * step_y;
            for c in 0..4 {
                cands.push((u.x + c * step_x, by));
            }
            let rx = u.right() + layout::GAP_X / 2 + (k / 4) * step_x;
            for r in 0..4 {
                cands.push((rx, u.y + r * step_y));
            }
        }
        cands.into_iter().find(|&(x, y)| {
            let b = layout::box_at(x, y);
            let Some(frame) = layout::frame_around(members.iter().copied().chain([b])) else {
                return false;
            };
            // A cell of room around the grown frame, for lines to pass.
            let room = layout::Rect::new(frame.x - 1, frame.y - 1, frame.w + 2, frame.h + 2);
            !members.iter().any(|m| m.intersects(&b)) && !others.iter().any(|o| o.intersects(&room))
        })
    }

    /// Where server `server` can move, by how much, so that its boxes and a new one under them
    /// (component `ci`, placed at the first value) make a frame clear of everything else.
    fn relocated_server(&self, ci: usize, server: &str) -> Option<((i32, i32), (i32, i32))> {
        let mine: Vec<usize> = (0..self.design.components.len())
            .filter(|&i| i != ci && self.design.components[i].server.as_deref() == Some(server))
            .collect();
        let u = mine
            .iter()
            .map(|&i| self.derived.layout.boxes[i])
            .reduce(|a, b| a.union(&b))?;
        let block = layout::Rect::new(u.x, u.y, u.w.max(BOX_W), u.h + 1 + BOX_H);
        let others: Vec<layout::Rect> = (0..self.derived.layout.boxes.len())
            .filter(|i| *i != ci && !mine.contains(i))
            .map(|i| self.derived.layout.boxes[i])
            .chain(
                self.derived
                    .layout
                    .frames
                    .iter()
                    .filter(|(s, _)| self.design.servers[*s].id != server)
                    .map(|(_, r)| *r),
            )
            .collect();
        let room = |r: layout::Rect| {
            layout::Rect::new(
                r.x - layout::FRAME_PAD_X - 2,
                r.y - layout::FRAME_PAD_Y - 3,
                r.w + 2 * layout::FRAME_PAD_X + 4,
                r.h + 2 * layout::FRAME_PAD_Y + 4,
            )
        };
        let b = self.derived.layout.bounds;
        let tries = (0..200)
            .flat_map(|k| [(k * 4, 0), (0, k * 3), (k * 4, k * 3)])
            .map(|(dx, dy)| (u.x + dx, u.y + dy))
            .chain([(b.right() + layout::GAP_X + layout::FRAME_PAD_X, u.y)]);
        for (x, y) in tries {
            let moved = layout::Rect::new(x, y, block.w, block.h);
            if !others.iter().any(|o| o.intersects(&room(moved))) {
                let shift = (x - u.x, y - u.y);
                return Some(((u.x + shift.0, u.bottom() + 1 + shift.1), shift));
            }
        }
        None
    }

    /// Where a new component goes: right of the selection, or in the middle of the view.
    fn spot_for_new(&self) -> (i32, i32) {
        let (x, y) = match self.selection_rect() {
            Some(r) => (r.right() + layout::GAP_X, r.y),
            None => {
                let c = self.screen().canvas;
                (
                    self.view.0 + i32::from(c.width) / 2 - BOX_W / 2,
                    self.view.1 + i32::from(c.height) / 2 - BOX_H / 2,
                )
            }
        };
        self.free_spot(x, y)
    }
}

/// The id base for a new component of a kind.
fn id_base(kind: Kind) -> &'static str {
    match kind {
        Kind::Client => "client",
        Kind::Dns => "dns",
        Kind::Cdn => "cdn",
        Kind::Firewall => "firewall",
        Kind::Router => "router",
        Kind::LoadBalancer => "lb",
        Kind::WebServer => "web",
        Kind::AppServer => "app",
        Kind::AppFiles => "code",
        Kind::Cache => "cache",
        Kind::Queue => "queue",
        Kind::Database => "db",
        Kind::ObjectStorage => "storage",
        Kind::Backup => "backup",
        Kind::MonitoringAgent => "agent",
        Kind::MonitoringService => "monitoring",
        Kind::Other => "component",
    }
}

/// The protocol a new link between two kinds most likely uses.
pub fn default_protocol(from: Kind, to: Kind) -> Protocol {
    match (from, to) {
        (Kind::Database, Kind::Database) => Protocol::Replication,
        (_, Kind::Backup) => Protocol::BackupTls,
        (Kind::MonitoringAgent, _) | (_, Kind::MonitoringService) => Protocol::MetricsTls,
        (_, Kind::Database) => Protocol::Mysql,
        (_, Kind::Cache) => Protocol::Redis,
        (_, Kind::Queue) => Protocol::Amqp,
        (_, Kind::Dns) => Protocol::Dns,
        (Kind::Client, _) => Protocol::Https,
        _ => Protocol::Http,
    }
}

/// Adds a component of `kind` next to the selection and asks which server it goes on.
pub fn add_component(app: &mut App, kind: Kind) {
    let id = app.design.fresh_id(id_base(kind));
    let (x, y) = app.spot_for_new();
    let mut c = Component::new(id.clone(), kind);
    c.label = Some(capitalize(kind.title()));
    c.x = Some(x);
    c.y = Some(y);
    if kind == Kind::Database {
        c.role = Some(crate::model::DbRole::Primary);
    }
    if kind == Kind::LoadBalancer {
        c.algorithm = Some(crate::model::Algorithm::RoundRobin);
    }
    app.mode = Mode::Normal;
    if app.edit(|d| {
        d.components.push(c);
        Ok(())
    }) {
        app.selection = Selection::Component(id.clone());
        app.reveal();
        if kind == Kind::Client {
            app.say(format!("added `{id}`"));
        } else {
            app.say(format!(
                "added `{id}`: choose its server (Esc leaves it on none)"
            ));
            app.mode = Mode::Place {
                component: id,
                sel: 1,
            };
        }
    }
}

/// Puts a component on no server (0), a new server (1) or an existing one (2…).
pub(super) fn put_on_server(app: &mut App, id: &str, choice: usize) {
    let Some(ci) = app.design.components.iter().position(|c| c.id == id) else {
        return;
    };
    let b = app.derived.layout.boxes[ci];
    match choice {
        0 => {
            let id = id.to_string();
            if app.edit(|d| {
                if let Some(c) = d.component_mut(&id) {
                    c.server = None;
                }
                Ok(())
            }) {
                app.say(format!("`{id}` is on no server"));
            }
        }
        1 => {
            let n = app.design.servers.len() + 1;
            let server = app.design.fresh_id(&format!("server-{n}"));
            // Move the box clear of other frames so the new frame stands alone.
            let (x, y) = {
                let mut probe = app.clone();
                probe.design.components.remove(ci);
                probe.derived.layout = layout::layout(&probe.design);
                probe.free_spot(b.x, b.y)
            };
            let (sid, cid) = (server.clone(), id.to_string());
            if app.edit(|d| {
                d.servers.push(Server {
                    id: sid.clone(),
                    ip: None,
                    label: Some(format!("Server {n}")),
                    ..Default::default()
                });
                if let Some(c) = d.component_mut(&cid) {
                    c.server = Some(sid);
                    c.x = Some(x);
                    c.y = Some(y);
                }
                Ok(())
            }) {
                app.say(format!("`{cid}` is on the new server `{server}`"));
                app.reveal();
            }
        }
        n => {
            let Some(server) = app.design.servers.get(n - 2).map(|s| s.id.clone()) else {
                return;
            };
            // Join the server's frame, which grows to hold it without covering anything; where
            // it cannot grow, the server moves, with the new box below its others, to where
            // the whole frame is clear.
            let (spot, shift) = match app.spot_on_server(ci, &server) {
                Some(p) => (p, (0, 0)),
                None => app
                    .relocated_server(ci, &server)
                    .unwrap_or(((b.x, b.y), (0, 0))),
            };
            let (x, y) = spot;
            let cid = id.to_string();
            let sid = server.clone();
            if app.edit(|d| {
                for c in &mut d.components {
                    if c.server.as_deref() == Some(sid.as_str()) && c.id != cid {
                        c.x = c.x.map(|x| x + shift.0);
                        c.y = c.y.map(|y| y + shift.1);
                    }
                }
                if let Some(c) = d.component_mut(&cid) {
                    c.server = Some(sid);
                    c.x = Some(x);
                    c.y = Some(y);
                }
                Ok(())
            }) {
                app.say(format!("`{cid}` is on `{server}`"));
                app.reveal();
            }
        }
    }
}
