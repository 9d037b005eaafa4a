//! The screen's geometry: where the title, canvas, findings panel, status bar and popups are
//! for a terminal size. Pure functions of sizes, used both to draw ([`super::view`]) and to
//! hit-test the mouse ([`super::input`]).

use ratatui::layout::{Margin, Rect};

/// The smallest terminal the editor draws its full screen in.
pub const MIN_W: u16 = 40;
pub const MIN_H: u16 = 10;

/// Where each part of the screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Screen {
    pub area: Rect,
    pub title: Rect,
    pub canvas: Rect,
    /// The findings panel, border included.
    pub panel: Rect,
    /// The findings list inside the panel.
    pub list: Rect,
    /// The explanation under the list.
    pub detail: Rect,
    pub status: Rect,
    pub hints: Rect,
    pub too_small: bool,
}

/// The screen's geometry for a terminal area.
pub fn screen(area: Rect, show_panel: bool) -> Screen {
    if area.width < MIN_W || area.height < MIN_H {
        return Screen {
            area,
            too_small: true,
            ..Screen::default()
        };
    }
    let panel_w = match area.width {
        _ if !show_panel => 0,
        w if w >= 140 => 42,
        w if w >= 110 => 32,
        w if w >= 70 => 28,
        _ => 0,
    };
    let body_h = area.height.saturating_sub(3);
    let title = Rect::new(area.x, area.y, area.width, 1);
    let canvas = Rect::new(
        area.x,
        area.y.saturating_add(1),
        area.width.saturating_sub(panel_w),
        body_h,
    );
    let panel = Rect::new(canvas.right(), area.y.saturating_add(1), panel_w, body_h);
    let inner_w = panel_w.saturating_sub(1);
    let list_h = if panel_w == 0 {
        0
    } else {
        (body_h.saturating_sub(2) / 2).max(3)
    };
    let list = Rect::new(
        panel.x.saturating_add(1),
        panel.y.saturating_add(1),
        inner_w,
        list_h.min(body_h),
    );
    let detail_y = list.bottom().saturating_add(1);
    let detail = Rect::new(
        panel.x.saturating_add(1),
        detail_y,
        inner_w,
        panel.bottom().saturating_sub(detail_y),
    );
    Screen {
        area,
        title,
        canvas,
        panel,
        list,
        detail,
        status: Rect::new(area.x, area.bottom().saturating_sub(2), area.width, 1),
        hints: Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1),
        too_small: false,
    }
}

/// The first list row shown, so that `sel` is visible in `height` rows.
pub fn list_offset(sel: Option<usize>, len: usize, height: usize) -> usize {
    match sel {
        Some(s) if height > 0 && s >= height => (s + 1 - height).min(len.saturating_sub(height)),
        _ => 0,
    }
}

/// Whether a screen cell is inside a rectangle.
pub fn contains(r: Rect, col: u16, row: u16) -> bool {
    col >= r.x && col < r.right() && row >= r.y && row < r.bottom()
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x.saturating_add((area.width - w) / 2),
        area.y.saturating_add((area.height - h) / 2),
        w,
        h,
    )
}

/// The popup of a menu with these entries and title, and the rectangle its entries are
/// listed in.
pub fn menu_rect(area: Rect, items: &[String], title: &str) -> (Rect, Rect) {
    let w = items
        .iter()
        .map(|i| unicode_width::UnicodeWidthStr::width(i.as_str()) as u16)
        .max()
        .unwrap_or(10)
        .max(title.len() as u16)
        .saturating_add(4);
    let h = (items.len() as u16).saturating_add(2);
    let outer = centered(area, w.min(area.width.saturating_sub(4)), h);
    (outer, outer.inner(Margin::new(1, 1)))
}

/// The start screen's list area, for `n` entries in a terminal of `size`.
pub fn start_rect(size: (u16, u16), n: usize) -> Rect {
    let a = Rect::new(0, 0, size.0, size.1);
    let box_ = centered(a, 72, (n as u16).saturating_add(8));
    Rect::new(
        box_.x.saturating_add(2),
        box_.y.saturating_add(4),
        box_.width.saturating_sub(4),
        box_.height.saturating_sub(6),
    )
}

/// A form's popup with `n` fields, and the rectangle the fields are listed in.
pub fn form_rect(area: Rect, n: usize) -> (Rect, Rect) {
    let n = n as u16;
    let outer = centered(area, 64, n.saturating_add(4));
    let inner = outer.inner(Margin::new(2, 1));
    (
        outer,
        Rect::new(inner.x, inner.y, inner.width, n.min(inner.height)),
    )
}
