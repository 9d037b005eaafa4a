//! The canvas: the drawing of frames, links, boxes and DNS records into a ratatui buffer, from
//! the routes of [`super::routes`].

use super::routes::{DOWN, Dir, LEFT, RIGHT, Route, UP, frame_titles, network_title, zone_title};
use super::state::{App, Selection};
use crate::layout::Rect;
use crate::model::{Network, Traffic};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect as Area;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

fn char_of(bits: u8) -> &'static str {
    match bits {
        b if b == LEFT | RIGHT || b == LEFT || b == RIGHT => "─",
        b if b == UP | DOWN || b == UP || b == DOWN => "│",
        b if b == DOWN | RIGHT => "┌",
        b if b == DOWN | LEFT => "┐",
        b if b == UP | RIGHT => "└",
        b if b == UP | LEFT => "┘",
        b if b == UP | DOWN | RIGHT => "├",
        b if b == UP | DOWN | LEFT => "┤",
        b if b == DOWN | LEFT | RIGHT => "┬",
        b if b == UP | LEFT | RIGHT => "┴",
        _ => "┼",
    }
}

/// Draws canvas cells onto a screen area scrolled to `view`.
pub struct Painter<'a> {
    pub buf: &'a mut Buffer,
    pub area: Area,
    pub view: (i32, i32),
}

impl Painter<'_> {
    fn screen(&self, x: i32, y: i32) -> Option<(u16, u16)> {
        let (sx, sy) = (
            i64::from(x) - i64::from(self.view.0),
            i64::from(y) - i64::from(self.view.1),
        );
        (sx >= 0 && sy >= 0 && sx < i64::from(self.area.width) && sy < i64::from(self.area.height))
            .then(|| (self.area.x + sx as u16, self.area.y + sy as u16))
    }

    /// The canvas cells the area shows.
    fn view_rect(&self) -> Rect {
        Rect::new(
            self.view.0,
            self.view.1,
            i32::from(self.area.width),
            i32::from(self.area.height),
        )
    }

    fn visible(&self, r: &Rect) -> bool {
        let (vx, vy) = (i64::from(self.view.0), i64::from(self.view.1));
        let (x, y) = (i64::from(r.x), i64::from(r.y));
        x < vx + i64::from(self.area.width)
            && vx < x + i64::from(r.w)
            && y < vy + i64::from(self.area.height)
            && vy < y + i64::from(r.h)
    }

    fn put(&mut self, x: i32, y: i32, s: &str, style: Style) {
        if let Some(p) = self.screen(x, y)
            && let Some(cell) = self.buf.cell_mut(p)
        {
            cell.set_symbol(s);
            cell.set_style(style);
        }
    }

    /// Writes text from `(x, y)`, clipped to `max` cells and to the area.
    /// Writes `text` in at most `max` cells; cut text ends in `…` so that it reads as cut.
    /// (See [`shorten`] for names whose end tells instances apart.)
    fn text(&mut self, x: i32, y: i32, text: &str, max: usize, style: Style) {
        let cut = text.width() > max;
        let room = if cut { max.saturating_sub(1) } else { max };
        let mut col = x;
        let mut used = 0;
        for ch in text.chars() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if w == 0 {
                continue;
            }
            if used + w > room {
                break;
            }
            let mut tmp = [0u8; 4];
            self.put(col, y, ch.encode_utf8(&mut tmp), style);
            if w == 2 {
                // The wide character covers the next cell.
                self.put(col + 1, y, "", style);
            }
            col += w as i32;
            used += w;
        }
        if cut && max > 0 {
            self.put(col, y, "…", style);
        }
    }

    fn frame(&mut self, r: Rect, chars: [&str; 6], style: Style) {
        let [h, v, tl, tr, bl, br] = chars;
        let (x1, y1) = (r.x, r.y);
        let (x2, y2) = (r.right() - 1, r.bottom() - 1);
        // Only the visible part of long edges.
        let vx0 = self.view.0.max(x1 + 1);
        let vx1 = (self.view.0.saturating_add(i32::from(self.area.width))).min(x2);
        for x in vx0..vx1 {
            self.put(x, y1, h, style);
            self.put(x, y2, h, style);
        }
        let vy0 = self.view.1.max(y1 + 1);
        let vy1 = (self.view.1.saturating_add(i32::from(self.area.height))).min(y2);
        for y in vy0..vy1 {
            self.put(x1, y, v, style);
            self.put(x2, y, v, style);
        }
        self.put(x1, y1, tl, style);
        self.put(x2, y1, tr, style);
        self.put(x1, y2, bl, style);
        self.put(x2, y2, br, style);
    }

    fn fill(&mut self, r: Rect) {
        let x0 = r.x.max(self.view.0);
        let x1 = r
            .right()
            .min(self.view.0.saturating_add(i32::from(self.area.width)));
        let y0 = r.y.max(self.view.1);
        let y1 = r
            .bottom()
            .min(self.view.1.saturating_add(i32::from(self.area.height)));
        for y in y0..y1 {
            for x in x0..x1 {
                self.put(x, y, " ", Style::default());
            }
        }
    }
}

const LIGHT: [&str; 6] = ["─", "│", "┌", "┐", "└", "┘"];
const ROUND: [&str; 6] = ["─", "│", "╭", "╮", "╰", "╯"];
const HEAVY: [&str; 6] = ["━", "┃", "┏", "┓", "┗", "┛"];
const DOUBLE: [&str; 6] = ["═", "║", "╔", "╗", "╚", "╝"];
/// A zone's frame: dashed, so that it does not read as a server's frame or a link.
pub const ZONE: [&str; 6] = ["╌", "╎", "┌", "┐", "└", "┘"];
/// A public network's frame: heavy and dashed, in the warning colour, the one to look at.
pub const PUBLIC_NET: [&str; 6] = ["┅", "┇", "┏", "┓", "┗", "┛"];
/// A private network's frame: light and dotted, quiet.
pub const PRIVATE_NET: [&str; 6] = ["┈", "┊", "┌", "┐", "└", "┘"];

/// The glyphs and colour of a network's frame and of a box's network mark.
pub fn network_look(network: Network) -> ([&'static str; 6], Style) {
    match network {
        Network::Public => (
            PUBLIC_NET,
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ),
        Network::Private => (PRIVATE_NET, Style::default().fg(Color::Gray)),
    }
}

pub const RED: Color = Color::Red;
pub const HIGHLIGHT: Color = Color::Yellow;
pub const SELECTED: Color = Color::Cyan;
pub const DIM: Color = Color::DarkGray;

/// Draws the design onto `area` of the buffer.
pub fn draw(app: &App, buf: &mut Buffer, area: Area) {
    let mut p = Painter {
        buf,
        area,
        view: app.view,
    };
    let d = &app.design;
    let sel_comp = app.selected_component();
    let sel_server = app.selected_server();
    let connect_from = match &app.mode {
        super::state::Mode::Connect { from } => Some(from.as_str()),
        _ => None,
    };
    let sel_link = match app.selection {
        Selection::Link(i) => Some(i),
        _ => None,
    };

    // Every visible cell of a link with the directions of all the lines in it, and the link
    // drawn on top. The router made each cell one line, one junction of a fan-out or fan-in,
    // or one crossing of two straight lines; the glyph says which.
    let visible_routes: Vec<&Route> = app
        .derived
        .routes
        .iter()
        .filter(|r| p.visible(&r.bounds()))
        .collect();
    let view = p.view_rect();
    let mut cells: rustc_hash::FxHashMap<(i32, i32), (u8, usize)> = Default::default();
    for r in &visible_routes {
        for (c, bits) in r.visible_cells(view, r.source_side) {
            let e = cells.entry(c).or_insert((0, r.link));
            e.0 |= bits;
            e.1 = r.link;
        }
    }
    // Zone frames, under everything else.
    for (z, r) in &app.derived.layout.zones {
        if !p.visible(r) {
            continue;
        }
        let style = Style::default().fg(DIM);
        p.frame(*r, ZONE, style);
        let room = (r.w - 4).max(0) as usize;
        p.text(r.x + 2, r.y, &zone_title(d, *z), room, style);
    }
    // Network frames, inside their zones' and round their servers'.
    for n in &app.derived.layout.networks {
        if !p.visible(&n.rect) {
            continue;
        }
        let (chars, style) = network_look(n.network);
        p.frame(n.rect, chars, style);
        let room = (n.rect.w - 4).max(0) as usize;
        p.text(
            n.rect.x + 2,
            n.rect.y,
            &network_title(n.network, room),
            room,
            style,
        );
    }
    // Server frames.
    for (si, r) in &app.derived.layout.frames {
        if !p.visible(r) {
            continue;
        }
        let s = &d.servers[*si];
        let failed = app.failed.contains(&s.id);

        // Only a failure simulation dims (and the scan for the server's components costs the
        // design's size per frame on screen).
        let all_dim = app.derived.impact.is_some()
            && d.components
                .iter()
                .enumerate()
                .filter(|(_, c)| c.server.as_deref() == Some(&s.id))
                .all(|(i, _)| app.derived.dimmed.get(i).copied().unwrap_or(false));
        let mut style = Style::default().fg(Color::Blue);
        if app.derived.marks.spof_servers.contains(si) {
            style = style.fg(RED);
        }
        if app.highlighted_server(&s.id) {
            style = style.fg(HIGHLIGHT).add_modifier(Modifier::BOLD);
        }
        if all_dim && app.derived.impact.is_some() {
            style = style.fg(DIM);
        }
        let chars = if sel_server == Some(*si) {
            style = style.fg(SELECTED).add_modifier(Modifier::BOLD);
            DOUBLE
        } else {
            LIGHT
        };
        p.frame(*r, chars, style);
        let room = (r.w - 4).max(0) as usize;
        let state = if failed {
            " ✗ FAILED"
        } else if app.derived.marks.spof_servers.contains(si) {
            " ⚠ SPOF"
        } else {
            ""
        };
        // Up to the first link that crosses the top edge.
        let crossing = (r.x + 2..r.right() - 2)
            .find(|&x| cells.contains_key(&(x, r.y)))
            .unwrap_or(r.right() - 2);
        let room = room.min((crossing - (r.x + 2)).max(0) as usize);
        let title = frame_titles(d, *si, room, state);
        p.text(
            r.x + 2,
            r.y,
            &title,
            room,
            style.add_modifier(Modifier::BOLD),
        );
    }

    // Links: lines first, then arrowheads and labels on top.
    // Only a simulated failure dims links (finding their ends costs an index of the design).
    let index = app.derived.impact.as_ref().map(|_| d.component_index());
    let dim_link = |li: usize| {
        let Some(index) = &index else {
            return false;
        };
        let l = &d.links[li];
        let dim = |id: &str| {
            d.expand_endpoint(id).iter().all(|m| {
                index
                    .get(m)
                    .is_some_and(|&i| app.derived.dimmed.get(i).copied().unwrap_or(false))
            })
        };
        dim(&l.from) || dim(&l.to)
    };
    let link_style = |li: usize| {
        let l = &d.links[li];
        let mut st = match l.protocol.traffic() {
            Traffic::Request => Style::default().fg(Color::Gray),
            _ => Style::default().fg(Color::DarkGray),
        };
        if l.encrypted() {
            st = st.fg(Color::Green);
        }
        if app.derived.marks.insecure_links.contains(&li) {
            st = st.fg(RED);
        }
        if dim_link(li) {
            st = st.fg(DIM);
        }
        if app.highlighted_link(li) {
            st = st.fg(HIGHLIGHT).add_modifier(Modifier::BOLD);
        }
        if sel_link == Some(li) {
            st = st.fg(SELECTED).add_modifier(Modifier::BOLD);
        }
        st
    };
    // A line over a frame's border replaces it there, so the border shows a gap, not a
    // junction.
    let mut cells: Vec<_> = cells.into_iter().collect();
    cells.sort_unstable_by_key(|&(c, _)| (c.1, c.0));
    for ((x, y), (bits, li)) in cells {
        let dashed = d.links[li].protocol.traffic() != Traffic::Request;
        let sym = match bits {
            b if dashed && b == LEFT | RIGHT => "┄",
            b if dashed && b == UP | DOWN => "┆",
            b => char_of(b),
        };
        p.put(x, y, sym, link_style(li));
    }
    // DNS records, under what they point to: the entry of the site. The router keeps links
    // off them.
    for (r, tag) in app.derived.dns_tags() {
        p.text(
            r.x,
            r.y,
            tag,
            r.w.max(0) as usize,
            Style::default().fg(Color::Magenta),
        );
    }

    for r in &visible_routes {
        let st = link_style(r.link);
        if let Some(&(x, y)) = r.points.last() {
            let head = match r.arrow {
                Dir::Right => "▶",
                Dir::Left => "◀",
                Dir::Down => "▼",
                Dir::Up => "▲",
            };
            p.put(x, y, head, st);
        }
        if let Some((x, y)) = r.label_at {
            let mut label = r.label.clone();
            if app.derived.marks.insecure_links.contains(&r.link) {
                label.push('!');
            }
            // The router kept these cells for it.
            p.text(x, y, &label, label.width(), st);
        }
    }

    // Boxes, and the mark of a network of its own on a box whose server's frame does not
    // show it, on its bottom border.
    let mut marks = app.derived.layout.network_marks.iter().peekable();
    for (i, (c, b)) in d
        .components
        .iter()
        .zip(&app.derived.layout.boxes)
        .enumerate()
    {
        if !p.visible(b) {
            continue;
        }
        p.fill(*b);
        let failed = app.failed.contains(&c.id)
            || c.server.as_ref().is_some_and(|s| app.failed.contains(s))
            || c.cluster.as_ref().is_some_and(|s| app.failed.contains(s));
        let dim = app.derived.dimmed.get(i).copied().unwrap_or(false);
        let spof = app.derived.marks.spof_components.contains(&i);
        let mut border = Style::default().fg(Color::White);
        if spof {
            border = border.fg(RED);
        }
        if app.highlighted_component(&c.id) {
            border = border.fg(HIGHLIGHT).add_modifier(Modifier::BOLD);
        }
        if dim {
            border = border.fg(DIM);
        }
        let mut chars = ROUND;
        if sel_comp == Some(i) {
            border = border.fg(SELECTED).add_modifier(Modifier::BOLD);
            chars = HEAVY;
        }
        if connect_from == Some(c.id.as_str()) {
            // Where the new link starts, while its target is being picked.
            border = border.fg(Color::Magenta).add_modifier(Modifier::BOLD);
            chars = DOUBLE;
        }
        p.frame(*b, chars, border);
        let inner = (b.w - 4).max(0) as usize;
        let text_style = if dim {
            Style::default().fg(DIM)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        };
        let glyph = if failed {
            "✗".to_string()
        } else {
            c.kind.glyph().to_string()
        };
        let glyph_style = if failed {
            Style::default().fg(RED)
        } else if dim {
            Style::default().fg(DIM)
        } else {
            Style::default().fg(Color::Cyan)
        };
        p.text(b.x + 1, b.y + 1, &glyph, 2, glyph_style);
        p.text(
            b.x + 3,
            b.y + 1,
            &shorten(c.display_name(), inner),
            inner,
            text_style,
        );
        let second = c
            .software
            .as_deref()
            .filter(|s| Some(*s) != c.label.as_deref())
            .unwrap_or(c.kind.title());
        let sub_style = if dim {
            Style::default().fg(DIM)
        } else {
            Style::default().fg(Color::Gray)
        };
        p.text(b.x + 3, b.y + 2, second, inner, sub_style);
        if spof && !failed {
            p.text(b.right() - 7, b.y, " SPOF ", 6, Style::default().fg(RED));
        }
        while marks.next_if(|(k, _)| *k < i).is_some() {}
        if let Some((_, n)) = marks.next_if(|(k, _)| *k == i) {
            let tag = format!(" {} ", n.as_str());
            let (_, style) = network_look(*n);
            let w = tag.width() as i32;
            p.text(b.right() - 1 - w, b.bottom() - 1, &tag, tag.width(), style);
        }

        if failed {
            p.text(b.right() - 9, b.y, " FAILED ", 8, Style::default().fg(RED));
        }
    }
}

/// A name cut to `max` cells keeping a short last word, which often tells instances apart:
/// "Load balancer 1" becomes "Load balanc… 1" rather than "Load balancer…". Other names are
/// left for [`Painter::text`] to cut at the end.
fn shorten(name: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if name.width() <= max {
        return name.into();
    }
    match name.rsplit_once(' ') {
        Some((head, last)) if last.width() <= 3 && max > last.width() + 3 => {
            let room = max - last.width() - 2;
            let mut kept = String::new();
            for ch in head.chars() {
                if kept.width() + unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0) > room {
                    break;
                }
                kept.push(ch);
            }
            format!("{}… {last}", kept.trim_end()).into()
        }
        _ => name.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn names_are_cut_keeping_a_short_last_word() {
        assert_eq!(shorten("Load balancer 1", 14), "Load balanc… 1");
        assert_eq!(shorten("Web server 1", 14), "Web server 1");
        // A long last word is left for the painter to cut at the end.
        assert_eq!(shorten("Monitoring agent", 14), "Monitoring agent");
        assert_eq!(shorten("db 2", 3), "db 2");
    }
}
