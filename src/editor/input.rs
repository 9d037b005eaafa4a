//! Terminal events into [`Action`]s: keys through the keymap table ([`keymap`]), the mouse
//! through a pure function of the event, the screen's geometry and what is drawn where
//! ([`action_for_mouse`]). The hit-testing is done here, so `update` never needs the screen.

use super::action::{Action, Hit};
use super::keymap;
use super::routes;
use super::screen::{contains, list_offset};
use super::state::{App, Mode, ModeKind};
use ratatui::crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// The action a terminal event means.
pub fn action_for_event(app: &App, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => keymap::action_for_key(app, k),
        Event::Mouse(m) => action_for_mouse(app, m),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// The action a mouse event means in the current mode. The wheel pans the canvas, and over
/// the findings panel walks the findings instead.
pub fn action_for_mouse(app: &App, ev: MouseEvent) -> Option<Action> {
    let (col, row) = (ev.column, ev.row);
    let shift = ev.modifiers.contains(KeyModifiers::SHIFT);
    let s = app.screen();
    let over_panel =
        app.mode.kind() == ModeKind::Canvas && s.panel.width > 0 && contains(s.panel, col, row);
    match ev.kind {
        MouseEventKind::ScrollDown if over_panel => Some(Action::NextFinding),
        MouseEventKind::ScrollUp if over_panel => Some(Action::PrevFinding),
        MouseEventKind::Down(MouseButton::Left) => press(app, col, row),
        MouseEventKind::Drag(MouseButton::Left) => {
            let (x, y) = canvas_point(app, col, row);
            let inside = canvas_cell(app, col, row).is_some();
            Some(Action::DragTo { x, y, inside })
        }
        MouseEventKind::Up(MouseButton::Left) => Some(Action::Release),
        MouseEventKind::ScrollDown if shift => Some(Action::Scroll(1, 0)),
        MouseEventKind::ScrollUp if shift => Some(Action::Scroll(-1, 0)),
        MouseEventKind::ScrollDown => Some(Action::Scroll(0, 1)),
        MouseEventKind::ScrollUp => Some(Action::Scroll(0, -1)),
        MouseEventKind::ScrollRight => Some(Action::Scroll(1, 0)),
        MouseEventKind::ScrollLeft => Some(Action::Scroll(-1, 0)),
        _ => None,
    }
}

/// The button went down at a screen cell: what it is on, for the current mode.
fn press(app: &App, col: u16, row: u16) -> Option<Action> {
    match &app.mode {
        Mode::Start { .. } => start_item_at(app, col, row).map(Action::PickItem),
        Mode::Normal => {
            if let Some(i) = finding_at(app, col, row) {
                return Some(Action::PickFinding(i));
            }
            canvas_press(app, col, row)
        }
        Mode::Connect { .. } => canvas_press(app, col, row),
        Mode::Pick { picker, .. } => Some(
            super::picker_view::match_at(app.screen().area, picker, col, row)
                .map_or(Action::ClickAway, Action::PickItem),
        ),
        Mode::Palette { .. }
        | Mode::Place { .. }
        | Mode::Protocol { .. }
        | Mode::Duplicate { .. } => {
            Some(menu_item_at(app, col, row).map_or(Action::ClickAway, Action::PickItem))
        }
        Mode::Form(_) => {
            Some(form_field_at(app, col, row).map_or(Action::ClickAway, Action::PickItem))
        }
        Mode::Help { .. } => Some(Action::ClickAway),
        Mode::Prompt { .. } | Mode::Confirm(_) => None,
    }
}

fn canvas_press(app: &App, col: u16, row: u16) -> Option<Action> {
    let (x, y) = canvas_cell(app, col, row)?;
    Some(Action::Press {
        x,
        y,
        hit: hit(app, x, y),
    })
}

/// What is under a canvas cell: a box first, then a link, then a server's frame.
pub fn hit(app: &App, x: i32, y: i32) -> Hit {
    let d = &app.derived;
    if let Some(i) = d.layout.component_at(x, y) {
        Hit::Component(i)
    } else if let Some(l) = routes::link_at(&d.routes, x, y) {
        Hit::Link(l)
    } else if let Some(s) = d.layout.server_at(x, y) {
        Hit::Server(s)
    } else {
        Hit::Nothing
    }
}

/// The canvas cell shown at a screen cell, wherever the screen cell is.
fn canvas_point(app: &App, col: u16, row: u16) -> (i32, i32) {
    let c = app.screen().canvas;
    (
        i32::from(col) - i32::from(c.x) + app.view.0,
        i32::from(row) - i32::from(c.y) + app.view.1,
    )
}

/// Screen cell → canvas cell, when the cell is on the canvas.
pub fn canvas_cell(app: &App, col: u16, row: u16) -> Option<(i32, i32)> {
    let c = app.screen().canvas;
    contains(c, col, row).then(|| canvas_point(app, col, row))
}

/// The finding under a screen cell.
pub fn finding_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let s = app.screen();
    if s.too_small || !contains(s.list, col, row) {
        return None;
    }
    let n = app.derived.findings.len();
    let off = list_offset(app.finding, n, usize::from(s.list.height));
    let i = off + usize::from(row.saturating_sub(s.list.y));
    (i < n).then_some(i)
}

/// The menu entry under a screen cell.
pub fn menu_item_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let (_, inner) = app.menu_rect();
    if !contains(inner, col, row) {
        return None;
    }
    let n = app.menu_items().len();
    let off = list_offset(Some(app.menu_sel()), n, usize::from(inner.height));
    let i = off + usize::from(row.saturating_sub(inner.y));
    (i < n).then_some(i)
}

/// The start-screen entry under a screen cell.
pub fn start_item_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let r = app.start_rect();
    if !contains(r, col, row) {
        return None;
    }
    let n = app.start_items().len();
    let off = list_offset(Some(app.menu_sel()), n, usize::from(r.height));
    let i = off + usize::from(row.saturating_sub(r.y));
    (i < n).then_some(i)
}

/// The form field under a screen cell; inside the popup but not on a field, the current
/// field (the form stays open).
pub fn form_field_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let (outer, inner) = app.form_rect();
    if !contains(outer, col, row) {
        return None;
    }
    if !contains(inner, col, row) {
        return match &app.mode {
            Mode::Form(f) => Some(f.sel),
            _ => None,
        };
    }
    Some(usize::from(row.saturating_sub(inner.y)))
}
