//! How a picker and a text input are drawn: the popup's place (a pure function of the
//! screen, shared by drawing and the mouse), the query line with its cursor, the matches.

use super::picker::Picker;
use super::textinput::TextInput;
use crate::text;
use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

/// Where the picker's popup goes on a screen `area`: its frame, the query line and the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PickerRects {
    pub outer: Rect,
    pub query: Rect,
    pub list: Rect,
}

/// The picker's place: near the top, 72 cells wide at most, as tall as its matches (within
/// the screen).
pub fn rects(area: Rect, matches: usize) -> PickerRects {
    let w = area.width.saturating_sub(4).min(72);
    let rows = u16::try_from(matches).unwrap_or(u16::MAX).clamp(1, 16);
    let h = rows.saturating_add(4).min(area.height.saturating_sub(2));
    let outer = Rect::new(
        area.x.saturating_add(area.width.saturating_sub(w) / 2),
        area.y.saturating_add(2.min(area.height.saturating_sub(h))),
        w,
        h,
    );
    let inner = outer.inner(Margin::new(1, 1));
    let query = Rect::new(inner.x, inner.y, inner.width, inner.height.min(1));
    let list = Rect::new(
        inner.x,
        inner.y.saturating_add(2),
        inner.width,
        inner.height.saturating_sub(2),
    );
    PickerRects { outer, query, list }
}

/// The first match shown, so the selected one is in view.
fn offset(sel: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        (sel + 1).saturating_sub(height)
    }
}

/// Which match a click at (col, row) lands on.
pub fn match_at(area: Rect, picker: &Picker, col: u16, row: u16) -> Option<usize> {
    let r = rects(area, picker.matches.len()).list;
    if col < r.x || col >= r.right() || row < r.y || row >= r.bottom() {
        return None;
    }
    let i = offset(picker.sel, usize::from(r.height)) + usize::from(row - r.y);
    (i < picker.matches.len()).then_some(i)
}

/// A text input in one line of `width` cells: the visible text with a bar at the cursor.
pub fn input_line(input: &TextInput, width: u16) -> Line<'static> {
    let w = usize::from(width).saturating_sub(1);
    let (shown, col) = input.visible(w);
    // The part before the cursor, the cursor, the rest as far as it fits.
    let mut before = String::new();
    let mut used = 0;
    let mut chars = shown.chars().peekable();
    while used < col {
        let Some(c) = chars.next() else { break };
        used += text::width(c.encode_utf8(&mut [0; 4]));
        before.push(c);
    }
    let after: String = chars.collect();
    let after = text::ellipsize(&after, w.saturating_sub(used));
    Line::from(vec![
        Span::raw(before),
        Span::styled("▏", Style::default().fg(Color::Cyan)),
        Span::raw(after),
    ])
}

/// Draws a picker over `area`.
pub fn draw(frame: &mut Frame, area: Rect, picker: &Picker) {
    let r = rects(area, picker.matches.len());
    if r.outer.width < 8 || r.outer.height < 4 {
        return;
    }
    frame.render_widget(Clear, r.outer);
    let title = format!(
        " {} — {} · ↑↓ choose · Enter ok · Esc cancel ",
        picker.title,
        picker.summary()
    );
    let title = text::ellipsize(&title, usize::from(r.outer.width.saturating_sub(2)));
    frame.render_widget(
        Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .border_style(Style::default().fg(Color::Cyan))
            .title(title),
        r.outer,
    );
    let mut q = input_line(&picker.query, r.query.width.saturating_sub(2));
    q.spans
        .insert(0, Span::styled("/ ", Style::default().fg(Color::Gray)));
    frame.render_widget(Paragraph::new(q), r.query);
    let height = usize::from(r.list.height);
    let width = usize::from(r.list.width);
    let off = offset(picker.sel, height);
    let kind_w = 10;
    let lines: Vec<Line> = picker
        .matches
        .iter()
        .enumerate()
        .skip(off)
        .take(height)
        .map(|(m, &i)| {
            let item = &picker.items[i];
            let title_w = width.saturating_sub(kind_w + 1);
            let title = text::ellipsize(&item.title, title_w);
            let room = title_w.saturating_sub(text::width(&title) + 2);
            let detail = if item.detail.is_empty() || room < 4 {
                String::new()
            } else {
                format!("  {}", text::ellipsize(&item.detail, room))
            };
            let mut line = Line::from(vec![
                Span::styled(
                    format!("{:<kind_w$} ", item.kind),
                    Style::default().fg(Color::DarkGray),
                ),
                Span::raw(title),
                Span::styled(detail, Style::default().fg(Color::Gray)),
            ]);
            if m == picker.sel {
                line = line.style(Style::default().add_modifier(Modifier::REVERSED));
            }
            line
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new("nothing matches; Backspace or Ctrl-U to widen")
                .style(Style::default().fg(Color::DarkGray)),
            r.list,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), r.list);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::picker::{Families, items};
    use crate::editor::textinput::Edit;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn picker() -> Picker {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/02-distributed.toml");
        let d = crate::io::load(&path).expect("design 2");
        Picker::new("Go to", items(&d, &[], Families::ALL))
    }

    #[test]
    fn the_picker_shows_the_query_and_the_best_matches() {
        let mut p = picker();
        for ch in "mysql".chars() {
            p.edit(Edit::Insert(ch));
        }
        let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        t.draw(|f| draw(f, f.area(), &p)).expect("draw");
        let screen: String = t
            .backend()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(screen.contains("/ mysql▏"), "{screen}");
        assert!(screen.contains("component  mysql-primary"), "{screen}");
        assert!(screen.contains("match"), "{screen}");
        // The best match is drawn reversed.
        let r = rects(Rect::new(0, 0, 80, 24), p.matches.len());
        let cell = &t.backend().buffer()[(r.list.x + 11, r.list.y)];
        assert!(cell.modifier.contains(Modifier::REVERSED));
        assert_eq!(
            match_at(Rect::new(0, 0, 80, 24), &p, r.list.x, r.list.y),
            Some(0)
        );
        assert_eq!(match_at(Rect::new(0, 0, 80, 24), &p, 0, 0), None);
    }

    #[test]
    fn tiny_screens_draw_without_panicking() {
        let p = picker();
        for (w, h) in [(1, 1), (8, 4), (20, 5), (200, 3)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            t.draw(|f| draw(f, f.area(), &p)).expect("draw");
        }
    }

    #[test]
    fn an_input_line_keeps_the_cursor_in_view() {
        let mut input = TextInput::new("a-rather-long-file-name.toml");
        input.apply(Edit::Home);
        let line = input_line(&input, 12);
        let shown: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(shown.starts_with('▏'), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
        assert!(text::width(&shown) <= 12, "{shown}");
    }
}
