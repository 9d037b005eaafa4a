//! Drawing the screen from `&App`, and the screen geometry the mouse is tested against.
//!
//! Every rectangle comes from pure functions of the terminal size and the state ([`screen`],
//! [`popup`]), used both here and by `update` for hit-testing, so a click lands where the
//! thing was drawn.

use super::app::{App, Confirm, Mode, StartItem};
use super::{canvas, keymap};
use crate::analyze::{Severity, counts};
use crate::model::{Kind, Protocol};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

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

/// The finding under a screen cell.
pub fn finding_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let s = app.screen();
    if s.too_small || !contains(s.list, col, row) {
        return None;
    }
    let off = list_offset(app.finding, app.findings.len(), usize::from(s.list.height));
    let i = off + usize::from(row.saturating_sub(s.list.y));
    (i < app.findings.len()).then_some(i)
}

fn contains(r: Rect, col: u16, row: u16) -> bool {
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

/// The entries of the current menu, as lines of text.
pub fn menu_items(app: &App) -> Vec<String> {
    match &app.mode {
        Mode::Palette { .. } => Kind::ALL
            .iter()
            .map(|k| format!("{} {:<19} {}", k.glyph(), k.title(), k.description()))
            .collect(),
        Mode::Place { .. } => {
            let mut v = vec!["(no server)".to_string(), "+ a new server".to_string()];
            v.extend(app.design.servers.iter().map(|s| {
                format!(
                    "{}  {}{}",
                    s.id,
                    s.label.as_deref().unwrap_or(""),
                    s.ip.as_ref()
                        .map(|ip| format!(" · {ip}"))
                        .unwrap_or_default()
                )
            }));
            v
        }
        Mode::Protocol { .. } => Protocol::ALL
            .iter()
            .map(|p| {
                let port = p
                    .default_port()
                    .map(|p| format!(" port {p}"))
                    .unwrap_or_default();
                let enc = if p.encrypted() { " 🔒 encrypted" } else { "" };
                format!("{:<16}{port}{enc}", p.as_str())
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn menu_title(app: &App) -> String {
    match &app.mode {
        Mode::Palette { .. } => " Add a component ".into(),
        Mode::Place { component, .. } => format!(" Put `{component}` on… "),
        Mode::Protocol { from, to, .. } => format!(" Link `{from}` → `{to}` over… "),
        _ => String::new(),
    }
}

/// The popup of the current menu and the rectangle its entries are listed in.
pub fn menu_rect(app: &App) -> (Rect, Rect) {
    let s = app.screen();
    let items = menu_items(app);
    let w = items
        .iter()
        .map(|i| unicode_width::UnicodeWidthStr::width(i.as_str()) as u16)
        .max()
        .unwrap_or(10)
        .max(menu_title(app).len() as u16)
        .saturating_add(4);
    let h = (items.len() as u16).saturating_add(2);
    let outer = centered(s.area, w.min(s.area.width.saturating_sub(4)), h);
    (outer, outer.inner(ratatui::layout::Margin::new(1, 1)))
}

fn menu_sel(app: &App) -> usize {
    match &app.mode {
        Mode::Palette { sel } | Mode::Place { sel, .. } | Mode::Protocol { sel, .. } => *sel,
        Mode::Start { sel } => *sel,
        _ => 0,
    }
}

/// The menu entry under a screen cell.
pub fn menu_item_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let (_, inner) = menu_rect(app);
    if !contains(inner, col, row) {
        return None;
    }
    let n = menu_items(app).len();
    let off = list_offset(Some(menu_sel(app)), n, usize::from(inner.height));
    let i = off + usize::from(row.saturating_sub(inner.y));
    (i < n).then_some(i)
}

/// The start screen's list area.
fn start_rect(app: &App) -> Rect {
    let a = Rect::new(0, 0, app.size.0, app.size.1);
    let n = app.start_items().len() as u16;
    let box_ = centered(a, 72, n.saturating_add(8));
    Rect::new(
        box_.x.saturating_add(2),
        box_.y.saturating_add(4),
        box_.width.saturating_sub(4),
        box_.height.saturating_sub(6),
    )
}

/// The start-screen entry under a screen cell.
pub fn start_item_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let r = start_rect(app);
    if !contains(r, col, row) {
        return None;
    }
    let n = app.start_items().len();
    let sel = menu_sel(app);
    let off = list_offset(Some(sel), n, usize::from(r.height));
    let i = off + usize::from(row.saturating_sub(r.y));
    (i < n).then_some(i)
}

fn form_rect(app: &App) -> (Rect, Rect) {
    let s = app.screen();
    let n = match &app.mode {
        Mode::Form(f) => f.fields.len() as u16,
        _ => 0,
    };
    let outer = centered(s.area, 64, n.saturating_add(4));
    let inner = outer.inner(ratatui::layout::Margin::new(2, 1));
    (
        outer,
        Rect::new(inner.x, inner.y, inner.width, n.min(inner.height)),
    )
}

/// The form field under a screen cell.
pub fn form_field_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let (outer, inner) = form_rect(app);
    if !contains(outer, col, row) {
        return None;
    }
    if !contains(inner, col, row) {
        // Inside the popup but not on a field: keep the form open on the current field.
        return match &app.mode {
            Mode::Form(f) => Some(f.sel),
            _ => None,
        };
    }
    Some(usize::from(row.saturating_sub(inner.y)))
}

/// "no finding concerns it", "1 finding concerns it", "3 findings concern it".
fn concern_count(n: usize) -> String {
    match n {
        0 => "no finding concerns it".to_string(),
        1 => "1 finding concerns it".to_string(),
        n => format!("{n} findings concern it"),
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        Severity::High => Style::default().fg(Color::LightRed),
        Severity::Medium => Style::default().fg(Color::Yellow),
        Severity::Low => Style::default().fg(Color::Blue),
        Severity::Info => Style::default().fg(Color::Gray),
    }
}

fn severity_tag(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED ",
        Severity::Low => "LOW ",
        Severity::Info => "INFO",
    }
}

/// Draws the whole screen. Reads the state only.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let s = screen(area, app.show_panel);
    if s.too_small {
        draw_too_small(
            frame.buffer_mut(),
            area,
            matches!(app.mode, Mode::Confirm(_)),
        );
        return;
    }
    if let Mode::Start { .. } = app.mode {
        draw_start(frame, app, &s);
        draw_overlays(frame, app);
        return;
    }
    draw_title(frame, app, &s);
    canvas::draw(app, frame.buffer_mut(), s.canvas);
    if s.panel.width > 0 {
        draw_panel(frame, app, &s);
    }
    draw_status(frame, app, &s);
    draw_overlays(frame, app);
}

fn draw_too_small(buf: &mut Buffer, area: Rect, asking: bool) {
    let mut text = format!(
        "Terminal too small: {}×{}; infraplan needs {MIN_W}×{MIN_H}. Enlarge it, or press q to quit.",
        area.width, area.height
    );
    if asking {
        text = format!("Unsaved changes: y save and quit, n quit without saving, Esc stay. {text}");
    }
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .style(Style::default().fg(Color::Yellow))
        .render_ref(area, buf);
}

/// `Widget::render` by reference, for widgets we build in place.
trait RenderRef {
    fn render_ref(self, area: Rect, buf: &mut Buffer);
}

impl<W: ratatui::widgets::Widget> RenderRef for W {
    fn render_ref(self, area: Rect, buf: &mut Buffer) {
        self.render(area, buf);
    }
}

fn draw_title(frame: &mut Frame, app: &App, s: &Screen) {
    let modified = if app.dirty { " ● modified" } else { "" };
    let line = Line::from(vec![
        Span::styled(
            " infraplan ",
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(" {} ", app.design.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!("— {}", app.file_name()),
            Style::default().fg(Color::Gray),
        ),
        Span::styled(modified, Style::default().fg(Color::Yellow)),
        Span::styled(
            format!(
                "   {} components · {} servers · {} links",
                app.design.components.len(),
                app.design.servers.len(),
                app.design.links.len()
            ),
            Style::default().fg(Color::DarkGray),
        ),
    ]);
    frame.render_widget(Paragraph::new(line), s.title);
}

fn draw_panel(frame: &mut Frame, app: &App, s: &Screen) {
    let accepted = app.findings.len() - app.open_findings.min(app.findings.len());
    let title = if accepted > 0 {
        format!(" Findings ({} + {accepted} accepted) ", app.open_findings)
    } else {
        format!(" Findings ({}) ", app.findings.len())
    };
    let block = Block::default()
        .borders(Borders::LEFT | Borders::TOP)
        .title(title)
        .border_style(Style::default().fg(Color::DarkGray));
    frame.render_widget(block, s.panel);
    // The list.
    let h = usize::from(s.list.height);
    let off = list_offset(app.finding, app.findings.len(), h);
    let lines: Vec<Line> = app
        .findings
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, f)| {
            // A server's finding by its server, the one id that tells it apart in the list.
            let ids = if f.servers.is_empty() {
                f.components.join(",")
            } else {
                f.servers.join(",")
            };
            let accepted = app.accepted_reason(i).is_some();
            let (tag, tag_style) = if accepted {
                ("ACC ", Style::default().fg(Color::DarkGray))
            } else {
                (severity_tag(f.severity), severity_style(f.severity))
            };
            let mut line = Line::from(vec![
                Span::styled(tag, tag_style),
                Span::raw(" "),
                Span::raw(f.rule),
                Span::styled(format!(" {ids}"), Style::default().fg(Color::Gray)),
            ]);
            if accepted {
                line = line.style(Style::default().fg(Color::DarkGray));
            }
            if app.finding == Some(i) {
                line = line.style(Style::default().add_modifier(Modifier::REVERSED));
            }
            line
        })
        .collect();
    if app.findings.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "✓ no findings",
                Style::default().fg(Color::Green),
            )),
            s.list,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), s.list);
    }
    // The separator and the detail.
    if s.detail.height == 0 {
        return;
    }
    let sep = Rect::new(s.list.x, s.list.bottom(), s.list.width, 1);
    let detail_title = if app.finding.is_some() {
        "─ Finding "
    } else if app.impact.is_some() {
        "─ Failure simulation "
    } else {
        "─ Selection "
    };
    frame.render_widget(
        Paragraph::new(format!(
            "{detail_title}{}",
            "─".repeat(usize::from(sep.width))
        ))
        .style(Style::default().fg(Color::DarkGray)),
        sep,
    );
    let mut text: Vec<Line> = Vec::new();
    if let Some(f) = app.finding.and_then(|i| app.findings.get(i)) {
        text.push(Line::from(vec![
            Span::styled(
                f.severity.as_str().to_uppercase(),
                severity_style(f.severity),
            ),
            Span::styled(
                format!(" {}", f.rule),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ]));
        text.push(Line::raw(strip_ticks(&f.message)));
        text.push(Line::raw(""));
        text.push(Line::styled(
            format!("Fix: {}", strip_ticks(&f.recommendation)),
            Style::default().fg(Color::Green),
        ));
        if let Some(reason) = app.finding.and_then(|i| app.accepted_reason(i)) {
            text.push(Line::raw(""));
            text.push(Line::styled(
                format!("Accepted risk: {reason}"),
                Style::default().fg(Color::Gray),
            ));
        }
    } else if let Some(imp) = &app.impact {
        let failed: Vec<&str> = app.failed.iter().map(String::as_str).collect();
        text.push(Line::styled(
            format!("Failed: {}", failed.join(", ")),
            Style::default().fg(Color::Red),
        ));
        text.push(Line::styled(
            format!("The site loses {}", imp.loss.describe()),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        if !imp.lost_tiers.is_empty() {
            text.push(Line::raw(format!(
                "No longer reached: {}",
                imp.lost_tiers.join(", ")
            )));
        }
        if !imp.unreachable.is_empty() {
            text.push(Line::raw(format!(
                "Unreachable: {}",
                imp.unreachable.join(", ")
            )));
        }
        text.push(Line::styled(
            "x toggles, X restores all",
            Style::default().fg(Color::DarkGray),
        ));
    } else {
        text.extend(selection_lines(app));
    }
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), s.detail);
}

fn strip_ticks(s: &str) -> String {
    s.replace('`', "")
}

fn selection_lines(app: &App) -> Vec<Line<'static>> {
    use super::app::Selection;
    let d = &app.design;
    let dim = Style::default().fg(Color::Gray);
    match &app.selection {
        Selection::Component(id) => {
            let Some(c) = d.component(id) else {
                return Vec::new();
            };
            let mut v = vec![
                Line::styled(
                    format!("{} {} ({})", c.kind.glyph(), c.display_name(), c.id),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Line::styled(c.kind.title().to_string(), dim),
            ];
            if let Some(s) = &c.server {
                v.push(Line::raw(format!("on server {s}")));
            }
            let n = app.findings.iter().filter(|f| f.concerns(&c.id)).count();
            v.push(Line::raw(concern_count(n)));
            v
        }
        Selection::Server(id) => {
            let Some(s) = d.server(id) else {
                return Vec::new();
            };
            let n = d
                .components
                .iter()
                .filter(|c| c.server.as_deref() == Some(id))
                .count();
            vec![
                Line::styled(
                    format!("server {} {}", s.id, s.ip.clone().unwrap_or_default()),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Line::raw(format!("{n} component(s) installed")),
            ]
        }
        Selection::Link(i) => {
            let Some(l) = d.links.get(*i) else {
                return Vec::new();
            };
            vec![
                Line::styled(
                    format!("{} → {}", l.from, l.to),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Line::raw(format!(
                    "{}{}{}",
                    l.protocol,
                    l.port.map(|p| format!(" port {p}")).unwrap_or_default(),
                    if l.protocol.encrypted() {
                        ", encrypted"
                    } else {
                        ", in the clear"
                    }
                )),
            ]
        }
        Selection::None => vec![
            Line::styled("Nothing selected.", dim),
            Line::styled("Click a box, or Tab; n walks the findings.", dim),
        ],
    }
}

fn draw_status(frame: &mut Frame, app: &App, s: &Screen) {
    let mut spans: Vec<Span> = Vec::new();
    let open = &app.findings[..app.open_findings.min(app.findings.len())];
    for (sev, n) in counts(open) {
        if n > 0 {
            spans.push(Span::styled(
                format!(" {n} {sev} "),
                severity_style(sev).add_modifier(Modifier::REVERSED),
            ));
            spans.push(Span::raw(" "));
        }
    }
    if open.is_empty() {
        spans.push(Span::styled(
            " no findings ",
            Style::default().fg(Color::Green),
        ));
    }
    let accepted = app.findings.len() - open.len();
    if accepted > 0 {
        spans.push(Span::styled(
            format!(" {accepted} accepted "),
            Style::default().fg(Color::DarkGray),
        ));
    }
    if !app.failed.is_empty() {
        spans.push(Span::styled(
            format!(" ✗ {} failed ", app.failed.len()),
            Style::default().fg(Color::Red),
        ));
    }
    if let Some(m) = &app.message {
        let style = if m.error {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::White)
        };
        spans.push(Span::styled(format!(" {}", m.text), style));
    }
    if let Some(text) = crate::analyze::numbers::status_text(&app.design, &app.failed) {
        spans.push(Span::styled(
            format!(" {text} "),
            Style::default().fg(Color::Cyan),
        ));
    }
    if !app.show_panel {
        spans.push(Span::styled(
            " · f shows the findings",
            Style::default().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), s.status);
    let mut hint_spans = Vec::new();
    for (k, word) in keymap::hints(app.mode.kind()) {
        hint_spans.push(Span::styled(
            format!(" {k} "),
            Style::default().fg(Color::Black).bg(Color::Gray),
        ));
        hint_spans.push(Span::styled(
            format!(" {word}  "),
            Style::default().fg(Color::Gray),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(hint_spans)), s.hints);
}

fn draw_start(frame: &mut Frame, app: &App, s: &Screen) {
    let a = s.area;
    let items = app.start_items();
    let box_ = centered(a, 72, (items.len() as u16).saturating_add(8));
    frame.render_widget(Clear, box_);
    frame.render_widget(
        Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Rounded)
            .title(" infraplan — design web infrastructure, see where it breaks "),
        box_,
    );
    let intro = Rect::new(
        box_.x.saturating_add(2),
        box_.y.saturating_add(1),
        box_.width.saturating_sub(4),
        2,
    );
    frame.render_widget(
        Paragraph::new("Start from an empty design, a reference design, or a recent file:")
            .wrap(Wrap { trim: true }),
        intro,
    );
    let r = start_rect(app);
    let sel = menu_sel(app);
    let off = list_offset(Some(sel), items.len(), usize::from(r.height));
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(off)
        .take(usize::from(r.height))
        .map(|(i, it)| {
            let text = match it {
                StartItem::Empty => "＋ New empty design".to_string(),
                StartItem::Template(t) => {
                    let (name, file, _) = crate::templates::TEMPLATES[*t];
                    let title = crate::templates::template(name)
                        .map(|d| d.name)
                        .unwrap_or_default();
                    format!("▣ {file:<28} {title}")
                }
                StartItem::Recent(p) => format!("↺ {}", p.display()),
            };
            let style = if i == sel {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), r);
    let foot = Rect::new(
        box_.x.saturating_add(2),
        box_.bottom().saturating_sub(2),
        r.width,
        1,
    );
    frame.render_widget(
        Paragraph::new("↑↓ choose · Enter open · Ctrl-O open a file · ? help · q quit")
            .style(Style::default().fg(Color::DarkGray)),
        foot,
    );
    if let Some(m) = &app.message {
        frame.render_widget(
            Paragraph::new(m.text.clone()).style(Style::default().fg(if m.error {
                Color::Red
            } else {
                Color::White
            })),
            s.status,
        );
    }
}

fn popup_block(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(Color::Cyan))
        .title(title)
}

fn draw_overlays(frame: &mut Frame, app: &App) {
    let area = frame.area();
    match &app.mode {
        Mode::Palette { .. } | Mode::Place { .. } | Mode::Protocol { .. } => {
            let (outer, inner) = menu_rect(app);
            frame.render_widget(Clear, outer);
            frame.render_widget(popup_block(menu_title(app)), outer);
            let items = menu_items(app);
            let sel = menu_sel(app);
            let off = list_offset(Some(sel), items.len(), usize::from(inner.height));
            let lines: Vec<Line> = items
                .into_iter()
                .enumerate()
                .skip(off)
                .take(usize::from(inner.height))
                .map(|(i, t)| {
                    let st = if i == sel {
                        Style::default().add_modifier(Modifier::REVERSED)
                    } else {
                        Style::default()
                    };
                    Line::styled(t, st)
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Mode::Form(form) => {
            let (outer, inner) = form_rect(app);
            frame.render_widget(Clear, outer);
            frame.render_widget(
                popup_block(format!(
                    " {} — Enter edit · ←→ change · Esc close ",
                    form.title()
                )),
                outer,
            );
            let lines: Vec<Line> = form
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let value = match (&form.editing, i == form.sel) {
                        (Some(buf), true) => format!("{buf}▏"),
                        _ if !f.choices.is_empty() => format!("‹ {} ›", f.value),
                        _ => f.value.clone(),
                    };
                    let name_style = if f.read_only {
                        Style::default().fg(Color::DarkGray)
                    } else {
                        Style::default().fg(Color::Cyan)
                    };
                    let mut line = Line::from(vec![
                        Span::styled(format!("{:>12}  ", f.name), name_style),
                        Span::raw(value),
                    ]);
                    if i == form.sel {
                        line = line.style(Style::default().add_modifier(Modifier::REVERSED));
                    }
                    line
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Mode::Prompt { kind, input } => {
            let outer = centered(area, 64, 3);
            frame.render_widget(Clear, outer);
            let title = format!(" {} — Enter ok · Esc cancel ", kind.title());
            frame.render_widget(popup_block(title), outer);
            let inner = outer.inner(ratatui::layout::Margin::new(1, 1));
            // Show the end of long input.
            let w = usize::from(inner.width.saturating_sub(1));
            let chars: Vec<char> = input.chars().collect();
            let shown: String = chars[chars.len().saturating_sub(w)..].iter().collect();
            frame.render_widget(Paragraph::new(format!("{shown}▏")), inner);
        }
        Mode::Confirm(c) => {
            let (title, text) = confirm_text(c);
            let outer = centered(area, 64, 7);
            frame.render_widget(Clear, outer);
            frame.render_widget(popup_block(format!(" {title} ")), outer);
            frame.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: false }),
                outer.inner(ratatui::layout::Margin::new(2, 1)),
            );
        }
        Mode::Help { scroll } => {
            let outer = centered(area, 96, area.height.saturating_sub(2));
            frame.render_widget(Clear, outer);
            frame.render_widget(popup_block(" Keys — ↑↓ scroll · Esc close ".into()), outer);
            let inner = outer.inner(ratatui::layout::Margin::new(2, 1));
            frame.render_widget(
                Paragraph::new(help_lines(inner.width)).scroll((*scroll, 0)),
                inner,
            );
        }
        Mode::Start { .. } | Mode::Normal | Mode::Connect { .. } => {}
    }
}

/// A question's title and text, with the answers it takes.
fn confirm_text(c: &Confirm) -> (&'static str, String) {
    match c {
        Confirm::Quit => (
            "Unsaved changes",
            "There are unsaved changes. Save them before quitting?\n\ny  save and quit    n  quit without saving    Esc  stay".into(),
        ),
        Confirm::Discard(_) => (
            "Unsaved changes",
            "There are unsaved changes. Discard them and open the other design?\n\ny  discard and open    n / Esc  stay".into(),
        ),
        Confirm::Replace { path, what } => (
            "File exists",
            format!(
                "{} already exists: {what}. Replace it with this design?\n\ny  replace it    n / Esc  keep it",
                path.display()
            ),
        ),
        Confirm::Overwrite { path, .. } => (
            "Changed on disk",
            format!(
                "{} changed on disk since it was read (another editor, a git pull?). Overwrite it with the editor's version?\n\ny  overwrite    n / Esc  don't save",
                path.display()
            ),
        ),
        Confirm::Reload(p) => (
            "Changed on disk",
            format!(
                "{} changed on disk. Reload it? Undo brings the editor's version back.\n\ny  reload    n / Esc  keep the editor's version",
                p.path.as_deref().map_or_else(String::new, |p| p.display().to_string())
            ),
        ),
        Confirm::ExportOver { path, what } => (
            "File exists",
            format!(
                "{} already exists: {what}. Replace it with the export?\n\ny  replace it    n / Esc  keep it",
                path.display()
            ),
        ),
        Confirm::DeleteServer { id, records, to } => {
            let n = records.len();
            let list = records.join(", ");
            let text = match to {
                Some(to) => format!(
                    "DNS record{} {list} point{} at server `{id}`.\n\ny  point {} at `{to}` instead    n  delete {} too    Esc  keep the server",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" },
                    if n == 1 { "it" } else { "them" },
                    if n == 1 { "it" } else { "them" },
                ),
                None => format!(
                    "DNS record{} {list} point{} at server `{id}`, which runs nothing to point {} at instead.\n\nn  delete {} too    Esc  keep the server",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" },
                    if n == 1 { "it" } else { "them" },
                    if n == 1 { "it" } else { "them" },
                ),
            };
            ("Delete server", text)
        }
    }
}

/// The help text, from the keymap, for a popup `width` cells wide: the bindings under a
/// heading for where they work, descriptions wrapped beside the keys.
pub fn help_lines(width: u16) -> Vec<Line<'static>> {
    const KEYS_W: usize = 26;
    let room = usize::from(width).saturating_sub(KEYS_W).max(20);
    let key_style = Style::default().fg(Color::Cyan);
    let heading = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    let entry = |lines: &mut Vec<Line<'static>>, keys: String, desc: &str| {
        for (i, part) in crate::export::dot::wrap(desc, room).into_iter().enumerate() {
            let left = if i == 0 { keys.clone() } else { String::new() };
            lines.push(Line::from(vec![
                Span::styled(format!("{left:<KEYS_W$}"), key_style),
                Span::raw(part),
            ]));
        }
    };
    // Grouped by where they work, groups in the order the keymap first names them.
    let mut groups: Vec<(String, Vec<&keymap::Binding>)> = Vec::new();
    for b in keymap::bindings() {
        let place = keymap::where_text(b);
        match groups.iter_mut().find(|(p, _)| *p == place) {
            Some((_, members)) => members.push(b),
            None => groups.push((place, vec![b])),
        }
    }
    for (place, members) in groups {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(super::app::capitalize(&place), heading));
        for b in members {
            entry(&mut lines, keymap::keys_text(b), b.desc);
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Mouse", heading));
    entry(&mut lines, "mouse".to_string(), keymap::MOUSE);
    lines.push(Line::raw(""));
    for part in crate::export::dot::wrap(
        "On the canvas: red = single point of failure or plain-text link, yellow = the selected finding, grey = unreachable in the failure simulation.",
        usize::from(width).max(20),
    ) {
        lines.push(Line::styled(part, Style::default().fg(Color::Gray)));
    }
    lines
}

#[cfg(test)]
mod tests;
