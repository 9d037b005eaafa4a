//! Drawing the screen from `&App`: reads the state only.
//!
//! Every rectangle comes from the pure geometry of [`super::screen`], which
//! [`super::input`] hit-tests the mouse against, so a click lands where the thing was drawn.

use super::screen::{MIN_H, MIN_W, Screen, centered, list_offset, screen};
use super::state::{App, Confirm, Mode, StartItem};
use super::{canvas, keymap};
use crate::analyze::{Severity, counts};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

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
    use crate::text::{count, ellipsize, width};
    let modified = if app.dirty() { " ● modified" } else { "" };
    let counts = format!(
        "   {} · {} · {}",
        count(app.design.components.len(), "component"),
        count(app.design.servers.len(), "server"),
        count(app.design.links.len(), "link")
    );
    // In a narrow terminal the file, then the counts, then the name give way, each cut with an
    // ellipsis rather than off the edge.
    let room = usize::from(s.title.width).saturating_sub(width(" infraplan ") + width(modified));
    let name = ellipsize(&format!(" {} ", app.design.name), room);
    let room = room.saturating_sub(width(&name));
    let file_full = format!("— {}", app.file_name());
    let counts = if width(&file_full) + width(&counts) <= room {
        counts
    } else {
        ellipsize(
            &counts,
            room.saturating_sub(width(&file_full).min(room / 2)),
        )
    };
    let file = ellipsize(&file_full, room.saturating_sub(width(&counts)));
    let line = Line::from(vec![
        Span::styled(
            " infraplan ",
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ),
        Span::styled(name, Style::default().add_modifier(Modifier::BOLD)),
        Span::styled(file, Style::default().fg(Color::Gray)),
        Span::styled(modified, Style::default().fg(Color::Yellow)),
        Span::styled(counts, Style::default().fg(Color::DarkGray)),
    ]);
    frame.render_widget(Paragraph::new(line), s.title);
}

fn draw_panel(frame: &mut Frame, app: &App, s: &Screen) {
    let accepted =
        app.derived.findings.len() - app.derived.open_findings.min(app.derived.findings.len());
    let title = if accepted > 0 {
        format!(
            " Findings ({} + {accepted} accepted) ",
            app.derived.open_findings
        )
    } else {
        format!(" Findings ({}) ", app.derived.findings.len())
    };
    // An analysis off the UI thread has not caught up with the last edits yet.
    let title = if app.derived.catching_up(app.generation) {
        format!("{title}· catching up… ")
    } else {
        title
    };
    let block = Block::default()
        .borders(Borders::LEFT | Borders::TOP)
        .title(title)
        .border_style(Style::default().fg(Color::DarkGray));
    frame.render_widget(block, s.panel);
    // The list.
    let h = usize::from(s.list.height);
    let off = list_offset(app.finding, app.derived.findings.len(), h);
    // What each shown entry says after its tag, cut to the panel and told apart from the
    // other shown entries that would read the same.
    let shown: Vec<String> = app
        .derived
        .findings
        .iter()
        .skip(off)
        .take(h)
        .map(|f| {
            // A server's finding by its server, the one id that tells it apart in the list.
            let ids = if f.servers.is_empty() {
                f.components.join(",")
            } else {
                f.servers.join(",")
            };
            format!("{} {ids}", f.rule)
        })
        .collect();
    let texts = crate::text::tell_apart(&shown, usize::from(s.list.width).saturating_sub(5));
    let lines: Vec<Line> = app
        .derived
        .findings
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .zip(texts)
        .map(|((i, f), text)| {
            let accepted = app.accepted_reason(i).is_some();
            let (tag, tag_style) = if accepted {
                ("ACC ", Style::default().fg(Color::DarkGray))
            } else {
                (severity_tag(f.severity), severity_style(f.severity))
            };
            let (rule, rest) = match text.strip_prefix(f.rule) {
                Some(rest) => (f.rule.to_string(), rest.to_string()),
                None => (String::new(), text),
            };
            let mut line = Line::from(vec![
                Span::styled(tag, tag_style),
                Span::raw(" "),
                Span::raw(rule),
                Span::styled(rest, Style::default().fg(Color::Gray)),
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
    if app.derived.findings.is_empty() {
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
    } else if app.derived.impact.is_some() {
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
    if let Some(f) = app.finding.and_then(|i| app.derived.findings.get(i)) {
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
    } else if let Some(imp) = &app.derived.impact {
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
                "No longer served: {}",
                imp.lost_tiers.join(", ")
            )));
        }
        for why in &imp.because {
            text.push(Line::raw(format!("Because: {why}")));
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
    use super::state::Selection;
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
            let n = app
                .derived
                .findings
                .iter()
                .filter(|f| f.concerns(&c.id))
                .count();
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
                    if l.encrypted() {
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
    let open = &app.derived.findings[..app.derived.open_findings.min(app.derived.findings.len())];
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
    let accepted = app.derived.findings.len() - open.len();
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
    // A link the router found no route for (no room, or none within its steps) is said to be
    // missing, never left out unseen.
    let unrouted = app.derived.unrouted_lines();
    if unrouted > 0 {
        let what = if unrouted == 1 { "link" } else { "links" };
        spans.push(Span::styled(
            format!(" ⚠ {unrouted} {what} not drawn: no route found "),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(b) = &app.busy {
        let t = b.since.elapsed();
        let spin = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        let frame_no = (t.as_millis() / 100) as usize % spin.len();
        let stop = if b.cancellable {
            " · Esc stops it"
        } else {
            ""
        };
        spans.push(Span::styled(
            format!(" {} {}… {} s{stop} ", spin[frame_no], b.what, t.as_secs()),
            Style::default().fg(Color::Yellow),
        ));
    }
    if let Some(m) = &app.message {
        let style = if m.error {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::White)
        };
        // What does not fit is cut, and ends in an ellipsis.
        let room = usize::from(s.status.width).saturating_sub(width_of(&spans) + 1);
        spans.push(Span::styled(
            format!(" {}", crate::text::ellipsize(&m.text, room)),
            style,
        ));
    }
    // The design's figures, whole or not at all: while a message takes their room they step
    // aside, and come back when it fades.
    if let Some(text) = app.derived.status_figures(!app.failed.is_empty()) {
        let sep = if app.message.is_some() { "  " } else { " " };
        let figures = format!("{sep}{text} ");
        if width_of(&spans) + crate::text::width(&figures) <= usize::from(s.status.width) {
            spans.push(Span::styled(figures, Style::default().fg(Color::Cyan)));
        }
    }
    if !app.show_panel {
        spans.push(Span::styled(
            " · f shows the findings",
            Style::default().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), s.status);
    let mut hint_spans = Vec::new();
    for (k, word) in keymap::fit_hints(app.mode.kind(), usize::from(s.hints.width)) {
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
    let r = app.start_rect();
    let sel = app.menu_sel();
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
        Mode::Pick { picker, .. } => super::picker_view::draw(frame, area, picker),
        Mode::Palette { .. }
        | Mode::Place { .. }
        | Mode::Protocol { .. }
        | Mode::Duplicate { .. } => {
            let (outer, inner) = app.menu_rect();
            frame.render_widget(Clear, outer);
            frame.render_widget(popup_block(app.menu_title()), outer);
            let items = app.menu_items();
            let sel = app.menu_sel();
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
            let (outer, inner) = app.form_rect();
            frame.render_widget(Clear, outer);
            frame.render_widget(
                popup_block(format!(
                    " {} — Enter edit · ←→ change · Esc close ",
                    form.title()
                )),
                outer,
            );
            let value_w = inner.width.saturating_sub(14);
            let lines: Vec<Line> = form
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let value: Vec<Span> = match (&form.editing, i == form.sel) {
                        (Some(buf), true) => super::picker_view::input_line(buf, value_w).spans,
                        _ if !f.choices.is_empty() => vec![Span::raw(format!("‹ {} ›", f.value))],
                        _ => vec![Span::raw(crate::text::ellipsize(
                            &f.value,
                            usize::from(value_w),
                        ))],
                    };
                    let name_style = if f.read_only {
                        Style::default().fg(Color::DarkGray)
                    } else {
                        Style::default().fg(Color::Cyan)
                    };
                    let mut spans = vec![Span::styled(format!("{:>12}  ", f.name), name_style)];
                    spans.extend(value);
                    let mut line = Line::from(spans);
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
            frame.render_widget(
                Paragraph::new(super::picker_view::input_line(input, inner.width)),
                inner,
            );
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
        Confirm::Recover { path } => (
            "Recovered work",
            format!(
                "An earlier editor stopped before saving and left its design in\n{}\n\ny  open it (Ctrl-S then saves it here)    n / Esc  keep the file as it is",
                path.display()
            ),
        ),
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
        Confirm::Save { path, check, .. } => match check {
            crate::io::SaveCheck::ReadOnly => (
                "Read-only file",
                format!(
                    "{} is read-only. Save over it anyway? It stays read-only.\n\ny  save anyway    n / Esc  don't save",
                    path.display()
                ),
            ),
            crate::io::SaveCheck::Deleted | crate::io::SaveCheck::Clear => (
                "Deleted on disk",
                format!(
                    "{} was deleted on disk since it was opened (moved, or a git checkout?). Save it again?\n\ny  save it    n / Esc  don't save",
                    path.display()
                ),
            ),
        },
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
            let list = crate::text::list(records);
            let (record, point, it) = (
                crate::text::plural(n, "DNS record"),
                if n == 1 { "points" } else { "point" },
                if n == 1 { "it" } else { "them" },
            );
            let text = match to {
                Some(to) => format!(
                    "{record} {list} {point} at server `{id}`.\n\ny  point {it} at `{to}` instead    n  delete {it} too    Esc  keep the server"
                ),
                None => format!(
                    "{record} {list} {point} at server `{id}`, which runs nothing to point {it} at instead.\n\nn  delete {it} too    Esc  keep the server"
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
        for (i, part) in crate::text::wrap(desc, room).into_iter().enumerate() {
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
        lines.push(Line::styled(crate::text::capitalize(&place), heading));
        for b in members {
            // The binding's name, for a keymap file (`keys.toml`).
            entry(
                &mut lines,
                keymap::keys_text(b),
                &format!("{} · {}", b.desc, b.name),
            );
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Mouse", heading));
    entry(&mut lines, "mouse".to_string(), keymap::MOUSE);
    lines.push(Line::raw(""));
    for part in crate::text::wrap(
        "The name after · is what keys.toml in infraplan's config folder calls a binding, to give it other keys (docs/editor.md, Settings).",
        usize::from(width).max(20),
    ) {
        lines.push(Line::styled(part, Style::default().fg(Color::Gray)));
    }
    for part in crate::text::wrap(
        "On the canvas: red = single point of failure or plain-text link, yellow = the selected finding, grey = unreachable in the failure simulation.",
        usize::from(width).max(20),
    ) {
        lines.push(Line::styled(part, Style::default().fg(Color::Gray)));
    }
    for part in crate::text::wrap(
        "Frames: ╌ a zone (servers that fail together), ┅ in yellow a public network (reachable from the internet), ┈ a private network; \"public\" or \"private\" on a box's bottom edge is its own network, not its server's.",
        usize::from(width).max(20),
    ) {
        lines.push(Line::styled(part, Style::default().fg(Color::Gray)));
    }
    lines
}

#[cfg(test)]
mod tests;

/// The width of a line's spans in terminal cells.
fn width_of(spans: &[Span]) -> usize {
    spans.iter().map(|s| crate::text::width(&s.content)).sum()
}
