//! Zone and network frames that never lie: what the editor does with positions that would
//! draw a server inside another zone's or network's frame.

use super::*;
use crate::editor::topology;
use crate::model::{Network, Server, Zone};
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

fn step(app: &mut App, action: Action) {
    crate::editor::apply(app, action);
}

/// Servers in `zones` from left to right, 30 cells apart, one web server on each, a client
/// linked to all.
fn row_of(zones: &[&str]) -> Design {
    let mut d = Design::new("zones in a row");
    for z in ["a", "b"] {
        d.zones.push(Zone {
            id: z.into(),
            ..Default::default()
        });
    }
    let mut user = Component::new("user", Kind::Client);
    (user.x, user.y) = (Some(0), Some(30));
    d.components.push(user);
    for (k, z) in zones.iter().enumerate() {
        d.servers.push(Server {
            id: format!("s{k}"),
            zone: Some(z.to_string()),
            ..Default::default()
        });
        let mut c = Component::new(format!("c{k}"), Kind::WebServer);
        c.server = Some(format!("s{k}"));
        (c.x, c.y) = (Some(30 + k as i32 * 30), Some(4));
        d.components.push(c);
        d.links.push(Link {
            from: "user".into(),
            to: format!("c{k}"),
            protocol: Protocol::Https,
            port: None,
            label: None,
        });
    }
    d
}

fn at(design: Design, w: u16, h: u16) -> App {
    let mut a = App::new(design, None);
    step(&mut a, Action::Resize(w, h));
    a.fit_view();
    a
}

/// Draws the whole canvas and checks what it shows: each zone's frame drawn with its title
/// where the layout has it, and every server's frame inside its own zone's frame and clear of
/// every other zone's.
fn assert_frames_truthful(a: &App) {
    let l = &a.derived.layout;
    let b = l.bounds;
    let area = ratatui::layout::Rect::new(0, 0, (b.w + 2) as u16, (b.h + 2) as u16);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    let mut whole = a.clone();
    whole.view = (b.x - 1, b.y - 1);
    crate::editor::canvas::draw(&whole, &mut buf, area);
    let cell = |x: i32, y: i32| {
        buf[((x - whole.view.0) as u16, (y - whole.view.1) as u16)]
            .symbol()
            .to_string()
    };
    let zone_of = a.design.zone_of();
    for &(z, r) in &l.zones {
        let want = format!(" zone {} ", a.design.zones[z].id);
        let drawn: String = (0..want.chars().count() as i32)
            .map(|k| cell(r.x + 2 + k, r.y))
            .collect();
        assert_eq!(drawn, want, "zone {z}'s title is drawn on its frame");
        assert_eq!(cell(r.x, r.y), "┌", "zone {z}'s corner is drawn");
        for &(s, f) in &l.frames {
            let inside = r.x < f.x && r.y < f.y && f.right() < r.right() && f.bottom() < r.bottom();
            if zone_of[s] == Some(z) {
                assert!(inside, "server {s} inside its zone's frame {r:?}: {f:?}");
            } else {
                assert!(!r.intersects(&f), "server {s} clear of zone {z}'s frame");
            }
        }
    }
    for (k, (_, ra)) in l.zones.iter().enumerate() {
        for (_, rb) in &l.zones[k + 1..] {
            assert!(!ra.intersects(rb), "{ra:?} and {rb:?} overlap");
        }
    }
}

#[test]
fn a_design_whose_positions_interleave_zones_opens_placed_by_zone() {
    let file = row_of(&["a", "b", "a"]);
    let a = at(file.clone(), 160, 48);
    assert_ne!(a.design, file, "the servers were moved");
    assert!(a.dirty(), "moved servers are an unsaved change");
    let said = a
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        said.contains("servers placed by zone")
            && said.contains("zone a's frame would hold server s1 (zone b)"),
        "{said}"
    );
    assert_frames_truthful(&a);
    // The links read back from the screen, and from the whole canvas (at 120×40 the lines to
    // zone b run off the screen).
    let p = topology::check_screen(&a);
    assert!(p.is_empty(), "{p:?}");
    let p = topology::check_whole(&at(file.clone(), 120, 40));
    assert!(p.is_empty(), "{}", p.join("\n"));
    // Undo cannot bring back positions that cannot be drawn truthfully.
    let mut a = a;
    let placed = a.design.clone();
    step(&mut a, Action::Undo);
    assert_eq!(a.design, placed);
}

#[test]
fn truthful_positions_open_unchanged_and_unmodified() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones-eu-west-1.toml");
    let file = crate::io::load(&path).expect("the zones example loads");
    let a = at(file.clone(), 160, 48);
    assert_eq!(a.design, file);
    assert!(!a.dirty());
    assert_frames_truthful(&a);
    let side_by_side = row_of(&["a", "a", "b"]);
    let a = at(side_by_side.clone(), 160, 48);
    assert_eq!(a.design, side_by_side);
    assert!(!a.dirty());
}

#[test]
fn a_box_is_not_nudged_into_another_zones_frame() {
    let mut a = at(row_of(&["a", "a", "b"]), 160, 48);
    a.selection = Selection::Component("c2".into());
    let mut refused = None;
    for _ in 0..30 {
        step(&mut a, Action::Nudge(-1, 0));
        if let Some(m) = a
            .message
            .as_ref()
            .filter(|m| m.text.starts_with("not moved"))
        {
            refused = Some(m.text.clone());
            break;
        }
    }
    let said = refused.expect("a nudge into zone a is refused");
    assert!(
        said.contains("would overlap") || said.contains("would hold"),
        "{said}"
    );
    assert_eq!(layout::frame_conflict(&a.design, &a.derived.layout), None);
    assert_frames_truthful(&a);
    // The moves that were allowed are undone as one step.
    step(&mut a, Action::Undo);
    assert_eq!(a.design, row_of(&["a", "a", "b"]));
}

#[test]
fn a_server_moved_to_another_zone_is_placed_with_it() {
    let before = row_of(&["a", "a", "b"]);
    let mut a = at(before.clone(), 160, 48);
    assert!(a.edit(|d| {
        d.servers[0].zone = Some("b".into());
        Ok(())
    }));
    // What the status bar says once the update returns.
    step(&mut a, Action::Resize(160, 48));
    let said = a
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("servers placed by zone"), "{said}");
    assert_frames_truthful(&a);
    // One undo takes back the zone and the placement together.
    step(&mut a, Action::Undo);
    assert_eq!(a.design, before);
    assert!(!a.dirty());
}

#[test]
fn a_box_dropped_where_its_frame_would_lie_goes_back() {
    let before = row_of(&["a", "a", "b"]);
    let mut a = at(before.clone(), 160, 48);
    a.design.servers[2].network = Some(Network::Public);
    let before = a.design.clone();
    let mut a = at(before.clone(), 160, 48);
    let c = a.design.component_index()["c1"];
    let b = a.derived.layout.boxes[c];
    // Grab c1 and drag it far right, into zone b's frame, away from any server's frame.
    let origin = a.screen().canvas;
    let to_screen = |x: i32, y: i32, a: &App| {
        (
            (x - a.view.0) as u16 + origin.x,
            (y - a.view.1) as u16 + origin.y,
        )
    };
    let (gx, gy) = to_screen(b.x + 1, b.y + 1, &a);
    let target = a.derived.layout.zones[1].1;
    let (tx, ty) = to_screen(target.x + 4, target.bottom() - 3, &a);
    let events = [
        MouseEventKind::Down(MouseButton::Left),
        MouseEventKind::Drag(MouseButton::Left),
        MouseEventKind::Up(MouseButton::Left),
    ];
    for (kind, (x, y)) in events.into_iter().zip([(gx, gy), (tx, ty), (tx, ty)]) {
        let ev = MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        };
        if let Some(act) = crate::editor::input::action_for_mouse(&a, ev) {
            step(&mut a, act);
        }
    }
    let said = a
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.starts_with("not moved"), "{said}");
    assert_eq!(a.design, before, "the box is back where it was");
    assert_frames_truthful(&a);
}
