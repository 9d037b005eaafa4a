//! The canvas: link routing (pure, shared by drawing and mouse hit-testing) and the drawing of
//! frames, links, boxes and DNS records into a ratatui buffer.

use super::state::{App, Selection};
use crate::layout::{Layout, Rect};
use crate::model::{Design, Traffic};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect as Area;
use ratatui::style::{Color, Modifier, Style};
use unicode_width::UnicodeWidthStr;

mod router;

/// Where an arrow points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Right,
    Left,
    Down,
    Up,
}

/// One drawn path of a link (a link to a cluster has one per member).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Index into the design's links.
    pub link: usize,
    /// Corner points, from the cell next to the source box to the arrowhead's cell.
    pub points: Vec<(i32, i32)>,
    pub arrow: Dir,
    pub label: String,
    /// Where the label starts, if it fits along the route.
    pub label_at: Option<(i32, i32)>,
    /// The direction from the first cell into the source box.
    pub source_side: u8,
}

impl Route {
    fn from_path(link: usize, path: router::Path, label: &str) -> Route {
        // Corner points: the ends and every cell where the line turns.
        let cells = &path.cells;
        let mut points = Vec::new();
        for (i, &(p, bits)) in cells.iter().enumerate() {
            if i == 0 || i + 1 == cells.len() || !(bits == LEFT | RIGHT || bits == UP | DOWN) {
                points.push(p);
            }
        }
        let arrow = match path.arrow {
            RIGHT => Dir::Right,
            LEFT => Dir::Left,
            DOWN => Dir::Down,
            _ => Dir::Up,
        };
        Route {
            link,
            points,
            arrow,
            label: label.to_string(),
            label_at: path.label_at,
            source_side: path.source_side,
        }
    }

    pub fn bounds(&self) -> Rect {
        let xs = self.points.iter().map(|p| p.0);
        let ys = self.points.iter().map(|p| p.1);
        let (x0, x1) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
        let (y0, y1) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
        let w = (x1 - x0 + 1).max(self.label.len() as i32 + 1);
        Rect::new(x0, y0, w, y1 - y0 + 1)
    }

    /// Whether the route passes through a canvas cell.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        self.points.windows(2).any(|w| {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            x >= x1.min(x2) && x <= x1.max(x2) && y >= y1.min(y2) && y <= y1.max(y2)
        }) || self.points.first() == Some(&(x, y))
    }

    /// The cells of the route inside `view`, each with the directions its line goes, so that
    /// drawing costs what is on screen however long the route is.
    pub fn visible_cells(&self, view: Rect, source_side: u8) -> Vec<((i32, i32), u8)> {
        let mut out = Vec::new();
        let pts = &self.points;
        for w in pts.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            if y1 == y2 {
                if y1 < view.y || y1 >= view.bottom() {
                    continue;
                }
                let lo = x1.min(x2).saturating_add(1).max(view.x);
                let hi = x1
                    .max(x2)
                    .saturating_sub(1)
                    .min(view.right().saturating_sub(1));
                out.extend((lo..=hi).map(|x| ((x, y1), LEFT | RIGHT)));
            } else {
                if x1 < view.x || x1 >= view.right() {
                    continue;
                }
                let lo = y1.min(y2).saturating_add(1).max(view.y);
                let hi = y1
                    .max(y2)
                    .saturating_sub(1)
                    .min(view.bottom().saturating_sub(1));
                out.extend((lo..=hi).map(|y| ((x1, y), UP | DOWN)));
            }
        }
        for (i, &pt) in pts.iter().enumerate() {
            if !view.contains(pt.0, pt.1) {
                continue;
            }
            let back = if i == 0 {
                source_side
            } else {
                toward_dir(pt, pts[i - 1])
            };
            let ahead = pts.get(i + 1).map_or(0, |&q| toward_dir(pt, q));
            out.push((pt, back | ahead));
        }
        out
    }
}

/// The direction from `p` toward `q` along a horizontal or vertical line.
fn toward_dir((x, y): (i32, i32), (qx, qy): (i32, i32)) -> u8 {
    match ((qx - x).signum(), (qy - y).signum()) {
        (1, _) => RIGHT,
        (-1, _) => LEFT,
        (_, 1) => DOWN,
        (_, -1) => UP,
        _ => 0,
    }
}

/// The link under a canvas cell.
pub fn link_at(routes: &[Route], x: i32, y: i32) -> Option<usize> {
    routes
        .iter()
        .rev()
        .find(|r| r.contains(x, y))
        .map(|r| r.link)
}

/// The DNS records' tags: where each is written, its text and how many cells it may take.
/// Under what the record points to (the entry of the site), or over it, where the tag runs into
/// nothing; else cut short to the target's width.
pub fn dns_tags(design: &Design, layout: &Layout) -> Vec<(Rect, String)> {
    let index = design.component_index();
    let mut out = Vec::new();
    for r in &design.dns {
        let target = if let Some(&i) = index.get(r.target.as_str()) {
            layout.boxes.get(i).copied()
        } else if let Some(si) = design.servers.iter().position(|s| s.id == r.target) {
            layout
                .frames
                .iter()
                .find(|(i, _)| *i == si)
                .map(|(_, f)| *f)
        } else {
            design
                .expand_endpoint(&r.target)
                .iter()
                .filter_map(|m| index.get(m))
                .filter_map(|&i| layout.boxes.get(i).copied())
                .reduce(|a, b| a.union(&b))
        };
        let Some(t) = target else { continue };
        let name = if r.name == "@" || r.name.is_empty() {
            design.domain.clone().unwrap_or_default()
        } else {
            match &design.domain {
                Some(dom) => format!("{}.{dom}", r.name),
                None => r.name.clone(),
            }
        };
        let addr = design
            .server(&r.target)
            .and_then(|s| s.ip.clone())
            .or_else(|| design.cluster(&r.target).and_then(|c| c.vip.clone()))
            .unwrap_or_else(|| r.target.clone());
        let tag = format!("⌘ {name} {:?} → {addr}", r.record_type).replace("Aaaa", "AAAA");
        let tag = tag.replace("Cname", "CNAME");
        let w = tag.width() as i32;
        let free = |x: i32, y: i32| {
            let r = Rect::new(x, y, w, 1);
            !layout.boxes.iter().any(|b| b.intersects(&r))
                && !layout.frames.iter().any(|(_, f)| f.intersects(&r))
                && !out.iter().any(|(o, _): &(Rect, String)| o.intersects(&r))
        };
        let (x, y, max) = [(t.x, t.bottom()), (t.x, t.y - 1)]
            .into_iter()
            .find(|&(x, y)| free(x, y))
            .map_or((t.x, t.bottom(), t.w.max(0)), |(x, y)| (x, y, w));
        out.push((Rect::new(x, y, w.min(max), 1), tag));
    }
    out
}

/// The titles of server frames, longest first: name, IP, zone and state; name, zone and
/// state; name and state; name. The zone (the canvas draws no zone frames) says which failure
/// domain the server shares with others.
fn frame_titles(design: &Design, si: usize, room: usize, state: &str) -> String {
    let s = &design.servers[si];
    let ip =
        s.ip.as_ref()
            .map(|ip| format!(" · {ip}"))
            .unwrap_or_default();
    let zone = s
        .zone
        .as_ref()
        .map(|z| format!(" · zone {z}"))
        .unwrap_or_default();
    let name = s.display_name();
    [
        format!(" {name}{ip}{zone}{state} "),
        format!(" {name}{zone}{state} "),
        format!(" {name}{state} "),
        format!(" {name} "),
    ]
    .into_iter()
    .find(|t| t.width() <= room)
    .unwrap_or_else(|| format!(" {name} "))
}

/// The frames with the columns their titles always take: the server's name. The rest of the
/// title (IP, state) is written where no link crosses the frame's top edge.
fn frame_geometry(design: &Design, layout: &Layout) -> Vec<router::FrameGeo> {
    layout
        .frames
        .iter()
        .map(|(si, r)| {
            let room = (r.w - 4).max(0);
            let name = format!(" {} ", design.servers[*si].display_name());
            let w = (name.width() as i32).min(room);
            router::FrameGeo {
                rect: *r,
                title: (r.x + 1, r.x + 2 + w + 1),
            }
        })
        .collect()
}

/// The label a link's line carries: the protocol, and the port when it is not the usual one.
fn link_label(link: &crate::model::Link) -> String {
    match link.port {
        Some(p) if Some(p) != link.protocol.default_port() => format!("{}:{p}", link.protocol),
        _ => link.protocol.to_string(),
    }
}

/// Routes every link (one route per member of a cluster it names) with [`router`]: lines that
/// join only where links share an end, cross only straight over each other, and keep off
/// boxes, frame borders and titles, DNS tags and labels.
pub fn route_links(design: &Design, layout: &Layout) -> Vec<Route> {
    route_links_cached(design, layout, &mut RouteCache::default())
}

/// One job per (link, source member, target member).
fn jobs_of(design: &Design, expand: &dyn Fn(&str) -> Vec<usize>) -> Vec<(usize, u32, u32)> {
    let mut jobs = Vec::with_capacity(design.links.len());
    for (li, link) in design.links.iter().enumerate() {
        let targets = expand(&link.to);
        for fi in expand(&link.from) {
            for &ti in &targets {
                if fi != ti {
                    jobs.push((li, fi as u32, ti as u32));
                }
            }
        }
    }
    jobs
}

/// What the last routing was made from and what it made, so that the next edit reroutes only
/// the links it touches (those of moved boxes, and those whose lines a moved box, frame or
/// tag now covers).
#[derive(Debug, Clone, Default)]
pub struct RouteCache {
    jobs: Vec<(usize, u32, u32)>,
    labels: Vec<String>,
    boxes: Vec<Rect>,
    frames: Vec<router::FrameGeo>,
    tags: Vec<Rect>,
    grid: router::Grid,
    /// Per job: its route id in the grid and its route, if it found room.
    routed: Vec<Option<(u32, Route)>>,
    /// Per route id: its job.
    job_of: Vec<usize>,
}

impl RouteCache {
    fn routes(&self) -> Vec<Route> {
        self.routed
            .iter()
            .filter_map(|r| r.as_ref().map(|(_, r)| r.clone()))
            .collect()
    }

    fn route_job(&mut self, statics: &router::Statics, j: usize) -> bool {
        let (li, fi, ti) = self.jobs[j];
        // A cell more for the `!` of a link in the clear.
        let label_w = self.labels[li].width() as i32 + 1;
        let id = self.grid.next_id();
        while self.job_of.len() <= id as usize {
            self.job_of.push(j);
        }
        let cap = link_budget(self.jobs.len());
        match self
            .grid
            .route(statics, fi, ti, label_w, 20_000.min(cap), cap)
        {
            Some((path, inside)) => {
                self.routed[j] = Some((id, Route::from_path(li, path, &self.labels[li])));
                inside
            }
            None => {
                self.grid.skip(fi, ti);
                self.routed[j] = None;
                false
            }
        }
    }
}

/// What all the searches of one routing may spend together, in grid steps: a design of
/// hundreds of links routes in well under a second instead of minutes, at the price of a line
/// left out where a crowded design gives a link no room within its share.
const ROUTING_BUDGET: usize = 2_000_000;

/// The most one link's search may spend in a design of `jobs` links.
fn link_budget(jobs: usize) -> usize {
    (ROUTING_BUDGET / jobs.max(1)).max(200)
}

fn full_route(
    statics: &router::Statics,
    jobs: Vec<(usize, u32, u32)>,
    labels: Vec<String>,
    cache: &mut RouteCache,
) {
    let n = jobs.len();
    let run = |order: &[usize]| {
        let mut c = RouteCache {
            jobs: jobs.clone(),
            labels: labels.clone(),
            routed: vec![None; n],
            ..RouteCache::default()
        };
        let bad: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&j| !c.route_job(statics, j))
            .collect();
        (c, bad)
    };
    let order: Vec<usize> = (0..n).collect();
    let (mut best, bad) = run(&order);
    // Greedy routing can box a later link in: route the links that found no room (or only
    // room outside the drawing) first, and keep that if it leaves fewer such links.
    if !bad.is_empty() && n <= 300 {
        let mut again: Vec<usize> = bad.clone();
        again.extend(order.iter().filter(|j| !bad.contains(j)));
        let (other, bad2) = run(&again);
        if bad2.len() < bad.len() {
            best = other;
        }
    }
    *cache = best;
}

/// [`route_links`], reusing `cache`: after a small edit only the links it touches are routed
/// again, so an edit costs what it changes, not the size of the design.
pub fn route_links_cached(design: &Design, layout: &Layout, cache: &mut RouteCache) -> Vec<Route> {
    let tags: Vec<Rect> = dns_tags(design, layout).into_iter().map(|t| t.0).collect();
    let frames = frame_geometry(design, layout);
    let statics = router::Statics::new(layout.bounds, &layout.boxes, &frames, &tags);
    let index = design.component_index();
    let mut members: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    for (i, c) in design.components.iter().enumerate() {
        if let Some(cl) = c.cluster.as_deref() {
            members.entry(cl).or_default().push(i);
        }
    }
    let expand = |id: &str| -> Vec<usize> {
        match index.get(id) {
            Some(&i) => vec![i],
            None => members.get(id).cloned().unwrap_or_default(),
        }
    };
    let jobs = jobs_of(design, &expand);
    let labels: Vec<String> = design.links.iter().map(link_label).collect();
    let same_shape = cache.jobs == jobs
        && cache.labels == labels
        && cache.boxes.len() == layout.boxes.len()
        && cache.frames.len() == frames.len();
    let changed: Vec<usize> = if same_shape {
        (0..layout.boxes.len())
            .filter(|&i| cache.boxes[i] != layout.boxes[i])
            .collect()
    } else {
        Vec::new()
    };
    if !same_shape || changed.len() > 256 {
        full_route(&statics, jobs, labels, cache);
    } else {
        // The links to reroute: those of moved boxes, and those whose cells something moved
        // onto now covers (a box, a frame's border or title, a tag).
        let mut affected: rustc_hash::FxHashSet<usize> = Default::default();
        let moved: rustc_hash::FxHashSet<u32> = changed.iter().map(|&i| i as u32).collect();
        for (j, &(_, fi, ti)) in cache.jobs.iter().enumerate() {
            if moved.contains(&fi) || moved.contains(&ti) {
                affected.insert(j);
            }
        }
        let mut covered: Vec<Rect> = changed.iter().map(|&i| layout.boxes[i]).collect();
        for (k, f) in frames.iter().enumerate() {
            let old = cache.frames[k];
            if old.rect != f.rect || old.title != f.title {
                let r = f.rect;
                covered.push(Rect::new(r.x, r.y, r.w, 1));
                covered.push(Rect::new(r.x, r.bottom() - 1, r.w, 1));
                covered.push(Rect::new(r.x, r.y, 1, r.h));
                covered.push(Rect::new(r.right() - 1, r.y, 1, r.h));
            }
        }
        if cache.tags != tags {
            covered.extend(tags.iter().copied());
        }
        for r in covered {
            for y in r.y..r.bottom() {
                for x in r.x..r.right() {
                    for id in cache.grid.routes_at((x, y)) {
                        affected.insert(cache.job_of[id as usize]);
                    }
                }
            }
        }
        let mut affected: Vec<usize> = affected.into_iter().collect();
        affected.sort_unstable();
        let had: Vec<bool> = affected
            .iter()
            .map(|&j| cache.routed[j].is_some())
            .collect();
        for &j in &affected {
            if let Some((id, _)) = cache.routed[j].take() {
                cache.grid.remove(id);
            }
        }
        let mut failed = false;
        for (k, &j) in affected.iter().enumerate() {
            cache.route_job(&statics, j);
            // Only a link that had a line and lost it asks for a fresh layout of every line.
            failed |= had[k] && cache.routed[j].is_none();
        }
        if failed && jobs.len() <= 300 {
            // No room where the old lines left it: lay every line out afresh.
            full_route(&statics, jobs, labels, cache);
        }
    }
    cache.boxes = layout.boxes.clone();
    cache.frames = frames;
    cache.tags = tags;
    cache.routes()
}

/// The direction from `p` toward `q` along a horizontal or vertical line.
fn toward(p: (i32, i32), q: (i32, i32)) -> u8 {
    toward_dir(p, q)
}

// Box-drawing line joining: each light line character as the set of directions it goes.
const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;
const ALL: u8 = UP | DOWN | LEFT | RIGHT;

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
    // Server frames.
    for (si, r) in &app.derived.layout.frames {
        if !p.visible(r) {
            continue;
        }
        let s = &d.servers[*si];
        let failed = app.failed.contains(&s.id);

        let all_dim = d
            .components
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
    let index = d.component_index();
    let dim_link = |li: usize| {
        let l = &d.links[li];
        let dim = |id: &str| {
            d.expand_endpoint(id).iter().all(|m| {
                index
                    .get(m)
                    .is_some_and(|&i| app.derived.dimmed.get(i).copied().unwrap_or(false))
            })
        };
        app.derived.impact.is_some() && (dim(&l.from) || dim(&l.to))
    };
    let link_style = |li: usize| {
        let l = &d.links[li];
        let mut st = match l.protocol.traffic() {
            Traffic::Request => Style::default().fg(Color::Gray),
            _ => Style::default().fg(Color::DarkGray),
        };
        if l.protocol.encrypted() {
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
    for (r, tag) in dns_tags(d, &app.derived.layout) {
        p.text(
            r.x,
            r.y,
            &tag,
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

    // Boxes.
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

#[cfg(test)]
mod zone_title_tests {
    use super::*;

    #[test]
    fn a_server_frame_names_its_zone_while_it_fits() {
        let mut d = Design::new("zones");
        d.servers.push(crate::model::Server {
            id: "web-01".into(),
            ip: Some("10.0.0.1".into()),
            zone: Some("a".into()),
            ..Default::default()
        });
        assert_eq!(
            frame_titles(&d, 0, 80, " ✗ FAILED"),
            " web-01 · 10.0.0.1 · zone a ✗ FAILED "
        );
        assert_eq!(frame_titles(&d, 0, 25, ""), " web-01 · zone a ");
        d.servers[0].zone = None;
        assert_eq!(frame_titles(&d, 0, 80, ""), " web-01 · 10.0.0.1 ");
    }
}
