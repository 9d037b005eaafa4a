//! Link routing for the canvas: pure, shared by the drawing, mouse hit-testing and the derived
//! state (which keeps the routes of the design as it stands).

use crate::layout::{Layout, Rect};
use crate::model::Design;
use unicode_width::UnicodeWidthStr;
mod router;

// Box-drawing line joining: each light line character as the set of directions it goes.
pub(super) const UP: u8 = 1;
pub(super) const DOWN: u8 = 2;
pub(super) const LEFT: u8 = 4;
pub(super) const RIGHT: u8 = 8;
pub(super) const ALL: u8 = UP | DOWN | LEFT | RIGHT;

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
pub(super) fn toward_dir((x, y): (i32, i32), (qx, qy): (i32, i32)) -> u8 {
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
    dns_tags_by(design, layout, &|id| index.get(id).copied())
}

/// [`dns_tags`], finding components by id with `index`.
fn dns_tags_by(
    design: &Design,
    layout: &Layout,
    index: &dyn Fn(&str) -> Option<usize>,
) -> Vec<(Rect, String)> {
    let mut out = Vec::new();
    for r in &design.dns {
        let target = if let Some(i) = index(r.target.as_str()) {
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
                .filter_map(|m| index(m))
                .filter_map(|i| layout.boxes.get(i).copied())
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
                && !layout.zones.iter().any(|(_, z)| on_border(z, &r))
                && !out.iter().any(|(o, _): &(Rect, String)| o.intersects(&r))
        };
        // Under or over the target, from its left edge or ending at its right one, within
        // the drawing: the whole tag where any of them is free.
        let b = layout.bounds;
        let (x, y, max) = [
            (t.x, t.bottom()),
            (t.right() - w, t.bottom()),
            (t.x, t.y - 1),
            (t.right() - w, t.y - 1),
        ]
        .into_iter()
        .enumerate()
        .find(|&(k, (x, y))| (k % 2 == 0 || (x >= b.x && x + w <= b.right())) && free(x, y))
        .map(|(_, p)| p)
        .map_or((t.x, t.bottom(), t.w.max(0)), |(x, y)| (x, y, w));
        out.push((Rect::new(x, y, w.min(max), 1), tag));
    }
    out
}

/// Whether `r` covers a cell of the border of `frame`.
fn on_border(frame: &Rect, r: &Rect) -> bool {
    let (x2, y2) = (frame.right() - 1, frame.bottom() - 1);
    [
        Rect::new(frame.x, frame.y, frame.w, 1),
        Rect::new(frame.x, y2, frame.w, 1),
        Rect::new(frame.x, frame.y, 1, frame.h),
        Rect::new(x2, frame.y, 1, frame.h),
    ]
    .iter()
    .any(|e| e.intersects(r))
}

/// The titles of server frames, longest first: name, IP, zone and state; name, zone and
/// state; name and state; name. The zone says which failure domain the server shares with
/// others, also where the zone's frame is off the screen.
pub(super) fn frame_titles(design: &Design, si: usize, room: usize, state: &str) -> String {
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

/// The title of a zone's frame: " zone eu-west-1a · eu-west-1 ", the region where it has one.
pub(super) fn zone_title(design: &Design, z: usize) -> String {
    let zone = &design.zones[z];
    match zone.region.as_deref() {
        Some(region) => format!(" zone {} · {region} ", zone.id),
        None => format!(" zone {} ", zone.id),
    }
}

/// The title of a network's frame that fits `room` cells: public says it faces the internet.
pub(super) fn network_title(network: crate::model::Network, room: usize) -> String {
    let titles: &[&str] = match network {
        crate::model::Network::Public => &[
            " public network · internet-facing ",
            " public network ",
            " public ",
        ],
        crate::model::Network::Private => &[" private network ", " private "],
    };
    titles
        .iter()
        .find(|t| t.width() <= room)
        .or(titles.last())
        .map_or_else(String::new, |t| t.to_string())
}

/// The frames with the columns their titles always take: the server's name. The rest of the
/// title (IP, state) is written where no link crosses the frame's top edge. Zones' frames
/// and networks' follow, with the whole of their titles: lines cross them as they cross a
/// server's frame.
fn frame_geometry(design: &Design, layout: &Layout) -> Vec<router::FrameGeo> {
    (0..layout.frames.len() + layout.zones.len() + layout.networks.len())
        .map(|k| frame_geo(design, layout, k))
        .collect()
}

/// Frame `k` of [`frame_geometry`]: the servers', then the zones', then the networks'.
fn frame_geo(design: &Design, layout: &Layout, k: usize) -> router::FrameGeo {
    let (frames, zones) = (layout.frames.len(), layout.zones.len());
    let (r, title) = if let Some((si, r)) = layout.frames.get(k) {
        (r, format!(" {} ", design.servers[*si].display_name()))
    } else if let Some((z, r)) = layout.zones.get(k - frames) {
        (r, zone_title(design, *z))
    } else {
        let n = &layout.networks[k - frames - zones];
        let room = (n.rect.w - 4).max(0) as usize;
        (&n.rect, network_title(n.network, room))
    };
    let room = (r.w - 4).max(0);
    let w = (title.width() as i32).min(room);
    router::FrameGeo {
        rect: *r,
        title: (r.x + 1, r.x + 2 + w + 1),
    }
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

/// [`route_links`], reusing `cache`: after a small edit only the links it touches are routed
/// again, so an edit costs what it changes, not the size of the design.
pub fn route_links_cached(design: &Design, layout: &Layout, cache: &mut RouteCache) -> Vec<Route> {
    let mut routes = Vec::new();
    reroute(design, layout, cache, false, &mut routes);
    routes
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
    /// What the routes go around, as of the last routing.
    statics: router::Statics,
    /// The components the DNS records name (as targets or members of a target cluster).
    dns_index: rustc_hash::FxHashMap<String, usize>,
    /// Per job: where its route is in the list last given out (`u32::MAX`: none).
    given_at: Vec<u32>,
    /// How long that list was.
    given: usize,
    /// Whether all of the above is of a routing.
    ready: bool,
    /// The DNS records' tags as [`dns_tags`] makes them for the layout last routed.
    tag_texts: Vec<(Rect, String)>,
    /// How many jobs found no room.
    unrouted: usize,
}

impl RouteCache {
    /// The DNS records' tags of the layout last routed (see [`dns_tags`]).
    pub fn dns_tags(&self) -> &[(Rect, String)] {
        &self.tag_texts
    }

    /// How many lines found no room and are not drawn.
    pub fn unrouted(&self) -> usize {
        self.unrouted
    }

    /// The (source, target) boxes of the lines that found no room.
    pub fn unrouted_pairs(&self) -> Vec<(usize, usize)> {
        self.jobs
            .iter()
            .zip(&self.routed)
            .filter(|(_, r)| r.is_none())
            .map(|(&(_, f, t), _)| (f as usize, t as usize))
            .collect()
    }

    pub(super) fn routes(&self) -> Vec<Route> {
        self.routed
            .iter()
            .filter_map(|r| r.as_ref().map(|(_, r)| r.clone()))
            .collect()
    }

    fn route_job(&mut self, statics: &router::Statics, j: usize) -> bool {
        self.route_job_with(statics, j, link_budget(self.jobs.len()))
    }

    /// Routes job `j` with at most `cap` search steps.
    fn route_job_with(&mut self, statics: &router::Statics, j: usize, cap: usize) -> bool {
        let (li, fi, ti) = self.jobs[j];
        // A cell more for the `!` of a link in the clear.
        let label_w = self.labels[li].width() as i32 + 1;
        let id = self.grid.next_id();
        while self.job_of.len() <= id as usize {
            self.job_of.push(j);
        }
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

/// What all the searches of one routing may spend together, in grid steps, in a design of
/// at most [`RIPUP_JOBS`] lines (which then get rip-up rounds as well): hundreds of links
/// route in about a second instead of minutes, at the price of a line left out where a
/// crowded design gives a link no room within its share.
const ROUTING_BUDGET: usize = 2_000_000;

/// What one link's search may spend in a design of up to [`LARGE_JOBS`] lines: what a line
/// between neighbouring servers takes where the way is crowded (about 1,100 steps on
/// average at 1,000 components).
const LARGE_LINK_BUDGET: usize = 6_000;
/// Past this many lines, a link's search gets [`HUGE_LINK_BUDGET`] steps, so that opening a
/// design of 10,000 components takes seconds, not minutes; the lines that found no room in
/// it are counted in the status bar.
const LARGE_JOBS: usize = 2_000;
const HUGE_LINK_BUDGET: usize = 200;

/// The most one link's search may spend in a design of `jobs` links.
fn link_budget(jobs: usize) -> usize {
    if jobs <= RIPUP_JOBS {
        (ROUTING_BUDGET / jobs.max(1)).max(HUGE_LINK_BUDGET)
    } else if jobs <= LARGE_JOBS {
        LARGE_LINK_BUDGET
    } else {
        HUGE_LINK_BUDGET
    }
}

/// How many times a full routing is tried again with the links that found no room first.
const RIPUP_ROUNDS: usize = 3;
/// What the links that found no room may spend together when tried again first, in each
/// round: a crowded link needs a wider search than its share of `ROUTING_BUDGET`, and only
/// the few that failed get it, so a round costs at most this much more.
const RETRY_BUDGET: usize = 8_000_000;
/// The most one link tried again may spend.
const RETRY_LINK_BUDGET: usize = 400_000;
/// The most lines a full routing routes again: past it, once is all an edit may cost.
const RIPUP_JOBS: usize = 400;

fn full_route(
    statics: &router::Statics,
    jobs: Vec<(usize, u32, u32)>,
    labels: Vec<String>,
    cache: &mut RouteCache,
) {
    let n = jobs.len();
    // `first` jobs lead the order and share `RETRY_BUDGET`.
    let run = |order: &[usize], first: usize| {
        let mut c = RouteCache {
            jobs: jobs.clone(),
            labels: labels.clone(),
            routed: vec![None; n],
            ..RouteCache::default()
        };
        c.grid.hurry = n > RIPUP_JOBS;
        let cap = link_budget(n);
        let wide = (RETRY_BUDGET / first.max(1))
            .min(RETRY_LINK_BUDGET)
            .max(cap);
        let bad: Vec<usize> = order
            .iter()
            .enumerate()
            .filter(|&(k, &j)| !c.route_job_with(statics, j, if k < first { wide } else { cap }))
            .map(|(_, &j)| j)
            .collect();
        (c, bad)
    };
    let order: Vec<usize> = (0..n).collect();
    let (mut best, mut bad) = run(&order, 0);
    // Greedy routing can box a later link in: route the links that found no room (or only
    // room outside the drawing) first, and keep that if it leaves fewer such links; a few
    // rounds, each putting every link that failed in any round so far first.
    if n <= RIPUP_JOBS {
        let mut first: Vec<usize> = Vec::new();
        let mut last = bad.clone();
        for _ in 0..RIPUP_ROUNDS {
            if last.is_empty() {
                break;
            }
            for &j in &last {
                if !first.contains(&j) {
                    first.push(j);
                }
            }
            let mut again = first.clone();
            again.extend(order.iter().filter(|j| !first.contains(j)));
            let (other, bad2) = run(&again, first.len());
            if bad2.len() < bad.len() {
                best = other;
                bad = bad2.clone();
            }
            last = bad2;
        }
    }
    best.dns_index = std::mem::take(&mut cache.dns_index);
    *cache = best;
}

/// Routes the links of `design` into `routes`, reusing `cache` (and `routes`, the list it gave
/// last): after a small edit only the links it touches are routed again. With
/// `same_structure` the caller promises that since the cache was made only positions changed
/// (the same components, servers, links, clusters and DNS records, by id and in order), so the
/// jobs, labels and lookups of the last routing still hold and an edit costs what it moves,
/// not the size of the design. The routes are those [`route_links`] would make after the same
/// sequence of edits.
pub fn reroute(
    design: &Design,
    layout: &Layout,
    cache: &mut RouteCache,
    same_structure: bool,
    routes: &mut Vec<Route>,
) {
    let fast = same_structure
        && cache.ready
        && cache.boxes.len() == layout.boxes.len()
        && cache.frames.len() == layout.frames.len() + layout.zones.len() + layout.networks.len();
    let index = (!fast).then(|| design.component_index());
    let tag_texts = match &index {
        Some(index) => dns_tags_by(design, layout, &|id| index.get(id).copied()),
        None => dns_tags_by(design, layout, &|id| cache.dns_index.get(id).copied()),
    };
    let tags: Vec<Rect> = tag_texts.iter().map(|t| t.0).collect();
    let frames: Vec<router::FrameGeo> = if fast {
        (0..cache.frames.len())
            .map(|k| {
                let old = cache.frames[k];
                let (frames, zones) = (layout.frames.len(), layout.zones.len());
                let rect = match layout.frames.get(k) {
                    Some(f) => f.1,
                    None => layout
                        .zones
                        .get(k - frames)
                        .map_or_else(|| layout.networks[k - frames - zones].rect, |z| z.1),
                };
                if old.rect == rect {
                    old
                } else {
                    frame_geo(design, layout, k)
                }
            })
            .collect()
    } else {
        frame_geometry(design, layout)
    };
    let changed: Vec<usize> = if fast || cache.boxes.len() == layout.boxes.len() {
        (0..layout.boxes.len())
            .filter(|&i| cache.boxes[i] != layout.boxes[i])
            .collect()
    } else {
        Vec::new()
    };
    let mut statics = if fast {
        let mut st = std::mem::take(&mut cache.statics);
        for &i in &changed {
            st.set_box(i, layout.boxes[i]);
        }
        for (k, f) in frames.iter().enumerate() {
            if cache.frames[k].rect != f.rect || cache.frames[k].title != f.title {
                st.set_frame(k, *f);
            }
        }
        if cache.tags != tags {
            st.set_tags(&tags);
        }
        st.bounds = layout.bounds;
        st
    } else {
        router::Statics::new(layout.bounds, &layout.boxes, &frames, &tags)
    };
    let mut whole = true;
    let mut affected: Vec<usize> = Vec::new();
    if let Some(index) = &index {
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
        statics.set_busy(jobs.iter().map(|&(_, f, t)| (f, t)));
        let labels: Vec<String> = design.links.iter().map(link_label).collect();
        let same_shape = cache.ready
            && cache.jobs == jobs
            && cache.labels == labels
            && cache.boxes.len() == layout.boxes.len()
            && cache.frames.len() == frames.len();
        cache.dns_index = design
            .dns
            .iter()
            .flat_map(|r| design.expand_endpoint(&r.target))
            .filter_map(|id| index.get(id).map(|&i| (id.to_string(), i)))
            .collect();
        if !same_shape || changed.len() > 256 {
            full_route(&statics, jobs, labels, cache);
        } else {
            (affected, whole) = reroute_touched(&statics, &changed, layout, &frames, &tags, cache);
        }
    } else if changed.len() > 256 {
        let (jobs, labels) = (cache.jobs.clone(), cache.labels.clone());
        full_route(&statics, jobs, labels, cache);
    } else {
        (affected, whole) = reroute_touched(&statics, &changed, layout, &frames, &tags, cache);
    }
    if whole {
        cache.boxes = layout.boxes.clone();
    } else {
        for &i in &changed {
            cache.boxes[i] = layout.boxes[i];
        }
    }
    cache.frames = frames;
    cache.tags = tags;
    cache.tag_texts = tag_texts;
    cache.statics = statics;
    cache.ready = true;
    cache.unrouted = cache.routed.iter().filter(|r| r.is_none()).count();
    // Only the routes of the links routed again change in the list given out, unless one of
    // them gained or lost its line (which moves the others).
    let in_place = !whole
        && routes.len() == cache.given
        && cache.given_at.len() == cache.routed.len()
        && affected
            .iter()
            .all(|&j| (cache.given_at[j] == u32::MAX) == cache.routed[j].is_none());
    if in_place {
        for &j in &affected {
            if let Some((_, r)) = &cache.routed[j] {
                routes[cache.given_at[j] as usize] = r.clone();
            }
        }
    } else {
        *routes = cache.routes();
        let mut next = 0u32;
        cache.given_at = cache
            .routed
            .iter()
            .map(|r| match r {
                Some(_) => {
                    next += 1;
                    next - 1
                }
                None => u32::MAX,
            })
            .collect();
        cache.given = routes.len();
    }
}

/// Routes again the links an edit touched: those of moved boxes (`changed`), and those whose
/// cells something moved onto now covers (a box, a frame's border or title, a tag). The jobs
/// routed again, and whether every line was laid out afresh instead.
fn reroute_touched(
    statics: &router::Statics,
    changed: &[usize],
    layout: &Layout,
    frames: &[router::FrameGeo],
    tags: &[Rect],
    cache: &mut RouteCache,
) -> (Vec<usize>, bool) {
    let mut affected: rustc_hash::FxHashSet<usize> = Default::default();
    let moved: rustc_hash::FxHashSet<u32> = changed.iter().map(|&i| i as u32).collect();
    if !moved.is_empty() {
        for (j, &(_, fi, ti)) in cache.jobs.iter().enumerate() {
            if moved.contains(&fi) || moved.contains(&ti) {
                affected.insert(j);
            }
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
        cache.route_job(statics, j);
        // Only a link that had a line and lost it asks for a fresh layout of every line.
        failed |= had[k] && cache.routed[j].is_none();
    }
    if failed && cache.jobs.len() <= 300 {
        // No room where the old lines left it: lay every line out afresh.
        let (jobs, labels) = (cache.jobs.clone(), cache.labels.clone());
        full_route(statics, jobs, labels, cache);
        return (affected, true);
    }
    (affected, false)
}

#[cfg(test)]
mod tests {
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
