//! The canvas read back from a drawn screen: every line followed from its arrowhead to the
//! boxes it leaves, as a reviewer's eye would, into the set of links the picture shows. Tests
//! require it to equal the design's links, so a drawing that merges, hides or invents a
//! connection fails.

use super::canvas::{ZONE, network_look};
use crate::layout::{Layout, Rect};
use crate::model::Design;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect as Area;
use std::collections::{BTreeSet, HashSet, VecDeque};

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;
const DIRS: [u8; 4] = [UP, DOWN, LEFT, RIGHT];

fn step(d: u8) -> (i32, i32) {
    match d {
        UP => (0, -1),
        DOWN => (0, 1),
        LEFT => (-1, 0),
        _ => (1, 0),
    }
}

fn opposite(d: u8) -> u8 {
    match d {
        UP => DOWN,
        DOWN => UP,
        LEFT => RIGHT,
        _ => LEFT,
    }
}

/// The directions a line character goes.
fn line_bits(s: &str) -> u8 {
    match s {
        "─" | "┄" => LEFT | RIGHT,
        "│" | "┆" => UP | DOWN,
        "┌" => DOWN | RIGHT,
        "┐" => DOWN | LEFT,
        "└" => UP | RIGHT,
        "┘" => UP | LEFT,
        "├" => UP | DOWN | RIGHT,
        "┤" => UP | DOWN | LEFT,
        "┬" => DOWN | LEFT | RIGHT,
        "┴" => UP | LEFT | RIGHT,
        "┼" => UP | DOWN | LEFT | RIGHT,
        _ => 0,
    }
}

/// An arrowhead and where it points.
fn arrow_dir(s: &str) -> Option<u8> {
    match s {
        "▶" => Some(RIGHT),
        "◀" => Some(LEFT),
        "▼" => Some(DOWN),
        "▲" => Some(UP),
        _ => None,
    }
}

/// What one canvas cell shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Seen {
    Nothing,
    Box(usize),
    Line(u8),
    Arrow(u8),
    /// A printable character that is no line: a label's letter, a tag's.
    Text,
    /// Outside the canvas area.
    Off,
}

struct Reader<'a> {
    buf: &'a Buffer,
    area: Area,
    view: (i32, i32),
    layout: &'a Layout,
}

impl Reader<'_> {
    fn symbol(&self, x: i32, y: i32) -> Option<&str> {
        let (sx, sy) = (x - self.view.0, y - self.view.1);
        if sx < 0 || sy < 0 || sx >= i32::from(self.area.width) || sy >= i32::from(self.area.height)
        {
            return None;
        }
        let p = (self.area.x + sx as u16, self.area.y + sy as u16);
        self.buf.cell(p).map(|c| c.symbol())
    }

    /// Whether `sym` is a glyph a frame whose border passes through the cell draws there
    /// (where frames overlap, the one drawn last shows).
    fn frame_glyph(&self, x: i32, y: i32, sym: &str) -> bool {
        for (_, f) in &self.layout.frames {
            let (x2, y2) = (f.right() - 1, f.bottom() - 1);
            if !f.contains(x, y) {
                continue;
            }
            let top_or_bottom = y == f.y || y == y2;
            let side = x == f.x || x == x2;
            let g = match (top_or_bottom, side) {
                (true, true) => match (x == f.x, y == f.y) {
                    (true, true) => ["┌", "╔"],
                    (false, true) => ["┐", "╗"],
                    (true, false) => ["└", "╚"],
                    (false, false) => ["┘", "╝"],
                },
                (true, false) => ["─", "═"],
                (false, true) => ["│", "║"],
                _ => continue,
            };
            if g.contains(&sym) {
                return true;
            }
        }
        // A zone's or a network's frame, which only its own dashed glyphs may show (a link
        // crossing it replaces them and is read as a line).
        let dashed = self.layout.zones.iter().map(|(_, f)| (f, ZONE)).chain(
            self.layout
                .networks
                .iter()
                .map(|n| (&n.rect, network_look(n.network).0)),
        );
        for (f, glyphs) in dashed {
            let (x2, y2) = (f.right() - 1, f.bottom() - 1);
            if !f.contains(x, y) {
                continue;
            }
            let top_or_bottom = y == f.y || y == y2;
            let side = x == f.x || x == x2;
            let g = match (top_or_bottom, side) {
                (true, true) => match (x == f.x, y == f.y) {
                    (true, true) => glyphs[2],
                    (false, true) => glyphs[3],
                    (true, false) => glyphs[4],
                    (false, false) => glyphs[5],
                },
                (true, false) => glyphs[0],
                (false, true) => glyphs[1],
                _ => continue,
            };
            if g == sym {
                return true;
            }
        }
        false
    }

    fn seen(&self, x: i32, y: i32) -> Seen {
        let Some(sym) = self.symbol(x, y) else {
            return Seen::Off;
        };
        if let Some(i) = self.layout.boxes.iter().rposition(|b| b.contains(x, y)) {
            return Seen::Box(i);
        }
        if self.frame_glyph(x, y, sym) {
            return Seen::Nothing;
        }
        if let Some(d) = arrow_dir(sym) {
            return Seen::Arrow(d);
        }
        match line_bits(sym) {
            0 if sym.trim().is_empty() => Seen::Nothing,
            0 => Seen::Text,
            b => Seen::Line(b),
        }
    }
}

/// The links a drawn canvas shows, as (from, to) component indices, or what in the picture
/// cannot be read as links.
pub fn read_back(
    buf: &Buffer,
    area: Area,
    view: (i32, i32),
    layout: &Layout,
) -> Result<BTreeSet<(usize, usize)>, Vec<String>> {
    let r = Reader {
        buf,
        area,
        view,
        layout,
    };
    let mut problems = Vec::new();
    let mut edges = BTreeSet::new();
    let mut line_cells: Vec<(i32, i32)> = Vec::new();
    let mut arrows: Vec<((i32, i32), u8)> = Vec::new();
    for sy in 0..i32::from(area.height) {
        for sx in 0..i32::from(area.width) {
            let (x, y) = (view.0 + sx, view.1 + sy);
            match r.seen(x, y) {
                Seen::Line(_) => line_cells.push((x, y)),
                Seen::Arrow(d) => arrows.push(((x, y), d)),
                _ => {}
            }
        }
    }
    let mut visited: HashSet<(i32, i32)> = HashSet::new();
    let mut done_arrows: HashSet<(i32, i32)> = HashSet::new();
    for &(start, dir) in &arrows {
        if done_arrows.contains(&start) {
            continue;
        }
        let (dx, dy) = step(dir);
        let mut sources = BTreeSet::new();
        let mut targets = BTreeSet::new();
        // A network that runs off the screen is judged only by what the screen shows of it.
        let mut partial = false;
        match r.seen(start.0 + dx, start.1 + dy) {
            Seen::Box(t) => {
                targets.insert(t);
            }
            // Its box is off the screen: judged where it is seen whole.
            Seen::Off => partial = true,
            other => problems.push(format!(
                "arrowhead at {start:?} points at {other:?}, not at a box"
            )),
        }
        done_arrows.insert(start);
        // Walk the network: (cell, direction we arrived moving in).
        let mut queue: VecDeque<((i32, i32), u8)> = VecDeque::new();
        let mut seen_states: HashSet<((i32, i32), u8)> = HashSet::new();
        let back = opposite(dir);
        let push_from = |cell: (i32, i32),
                         d: u8,
                         queue: &mut VecDeque<((i32, i32), u8)>,
                         sources: &mut BTreeSet<usize>,
                         targets: &mut BTreeSet<usize>,
                         done_arrows: &mut HashSet<(i32, i32)>,
                         problems: &mut Vec<String>,
                         partial: &mut bool| {
            let (dx, dy) = step(d);
            let mut next = (cell.0 + dx, cell.1 + dy);
            // A label sits on its line: cross its letters to the line beyond.
            if d == LEFT || d == RIGHT {
                let mut k = 0;
                while r.seen(next.0, next.1) == Seen::Text && k < 40 {
                    next = (next.0 + dx, next.1);
                    k += 1;
                }
            }
            match r.seen(next.0, next.1) {
                Seen::Box(b) => {
                    sources.insert(b);
                }
                Seen::Line(bits) if bits & opposite(d) != 0 => queue.push_back((next, d)),
                Seen::Arrow(ad) if ad == d => {
                    let (ax, ay) = step(ad);
                    match r.seen(next.0 + ax, next.1 + ay) {
                        Seen::Box(t) => {
                            targets.insert(t);
                        }
                        Seen::Off => *partial = true,
                        other => problems.push(format!(
                            "arrowhead at {next:?} points at {other:?}, not at a box"
                        )),
                    }
                    done_arrows.insert(next);
                }
                Seen::Off => *partial = true,
                other => problems.push(format!(
                    "line at {cell:?} going {d} ends in {other:?} at {next:?}"
                )),
            }
        };
        push_from(
            start,
            back,
            &mut queue,
            &mut sources,
            &mut targets,
            &mut done_arrows,
            &mut problems,
            &mut partial,
        );
        while let Some((cell, arrived)) = queue.pop_front() {
            if !seen_states.insert((cell, arrived)) {
                continue;
            }
            visited.insert(cell);
            let Seen::Line(bits) = r.seen(cell.0, cell.1) else {
                continue;
            };
            let outs: Vec<u8> = if bits == UP | DOWN | LEFT | RIGHT {
                // A crossing: straight on.
                vec![arrived]
            } else {
                DIRS.iter()
                    .copied()
                    .filter(|&d| bits & d != 0 && d != opposite(arrived))
                    .collect()
            };
            for d in outs {
                push_from(
                    cell,
                    d,
                    &mut queue,
                    &mut sources,
                    &mut targets,
                    &mut done_arrows,
                    &mut problems,
                    &mut partial,
                );
            }
        }
        if partial {
            continue;
        }
        if sources.is_empty() {
            problems.push(format!("the arrowhead at {start:?} leads from no box"));
        }
        if sources.len() > 1 && targets.len() > 1 {
            problems.push(format!(
                "one line network joins sources {sources:?} and targets {targets:?}: \
                 which leads where cannot be told"
            ));
        }
        for &s in &sources {
            for &t in &targets {
                edges.insert((s, t));
            }
        }
    }
    // Lines no arrowhead leads to: fine where they run off the screen (their arrowhead is
    // elsewhere), a lie otherwise.
    for c in line_cells {
        if visited.contains(&c) {
            continue;
        }
        let mut stack = vec![c];
        let mut group: HashSet<(i32, i32)> = HashSet::new();
        let mut off = false;
        while let Some(q) = stack.pop() {
            if !group.insert(q) {
                continue;
            }
            let Seen::Line(bits) = r.seen(q.0, q.1) else {
                continue;
            };
            for d in DIRS {
                if bits & d == 0 {
                    continue;
                }
                let (dx, dy) = step(d);
                let n = (q.0 + dx, q.1 + dy);
                let mut n = n;
                if d == LEFT || d == RIGHT {
                    let mut k = 0;
                    while r.seen(n.0, n.1) == Seen::Text && k < 40 {
                        n = (n.0 + dx, n.1);
                        k += 1;
                    }
                }
                match r.seen(n.0, n.1) {
                    Seen::Off => off = true,
                    Seen::Line(_) => stack.push(n),
                    _ => {}
                }
            }
        }
        let unseen = group.iter().any(|q| !visited.contains(q));
        visited.extend(group.iter().copied());
        if !off && unseen {
            problems.push(format!(
                "line at {c:?} ({} cells) leads to no arrowhead",
                group.len()
            ));
        }
    }
    if problems.is_empty() {
        Ok(edges)
    } else {
        Err(problems)
    }
}

/// The (from, to) component pairs the design's links connect, clusters expanded.
pub fn design_edges(design: &Design) -> BTreeSet<(usize, usize)> {
    let index = design.component_index();
    let members = |id: &str| -> Vec<usize> {
        match index.get(id) {
            Some(&i) => vec![i],
            None => design
                .components
                .iter()
                .enumerate()
                .filter(|(_, c)| c.cluster.as_deref() == Some(id))
                .map(|(i, _)| i)
                .collect(),
        }
    };
    let mut out = BTreeSet::new();
    for l in &design.links {
        for f in members(&l.from) {
            for t in members(&l.to) {
                if f != t {
                    out.insert((f, t));
                }
            }
        }
    }
    out
}

/// The design's links whose both ends are wholly inside `view`.
pub fn visible_edges(design: &Design, layout: &Layout, view: Rect) -> BTreeSet<(usize, usize)> {
    let inside = |i: usize| {
        let b = layout.boxes[i];
        b.x >= view.x && b.y >= view.y && b.right() <= view.right() && b.bottom() <= view.bottom()
    };
    design_edges(design)
        .into_iter()
        .filter(|&(f, t)| inside(f) && inside(t))
        .collect()
}

/// Describes how a read-back picture differs from the design, by component id, among the
/// links between boxes wholly in `view`.
pub fn compare(
    design: &Design,
    layout: &Layout,
    view: Rect,
    drawn: &BTreeSet<(usize, usize)>,
) -> Vec<String> {
    let expected = visible_edges(design, layout, view);
    let drawn: BTreeSet<(usize, usize)> = drawn
        .iter()
        .copied()
        .filter(|&(f, t)| {
            [f, t].iter().all(|&i| {
                let b = layout.boxes[i];
                b.x >= view.x
                    && b.y >= view.y
                    && b.right() <= view.right()
                    && b.bottom() <= view.bottom()
            })
        })
        .collect();
    let name = |(f, t): &(usize, usize)| {
        format!(
            "{} → {}",
            design.components[*f].id, design.components[*t].id
        )
    };
    let mut out: Vec<String> = expected
        .difference(&drawn)
        .map(|e| format!("missing from the drawing: {}", name(e)))
        .collect();
    out.extend(
        drawn
            .difference(&expected)
            .map(|e| format!("drawn but not in the design: {}", name(e))),
    );
    out
}

/// Draws `app`'s whole screen and reads its canvas back: what the picture shows that differs
/// from the design's links among the boxes wholly on screen.
pub fn check_screen(app: &super::state::App) -> Vec<String> {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("terminal");
    t.draw(|f| super::view::draw(f, app)).expect("draw");
    let s = app.screen();
    let area = s.canvas;
    let view = Rect::new(
        app.view.0,
        app.view.1,
        i32::from(area.width),
        i32::from(area.height),
    );
    match read_back(t.backend().buffer(), area, app.view, &app.derived.layout) {
        Ok(drawn) => compare(&app.design, &app.derived.layout, view, &drawn),
        Err(p) => p,
    }
}

/// Draws the whole canvas of `app`, however large, and reads it back against every link.
pub fn check_whole(app: &super::state::App) -> Vec<String> {
    check_whole_but(app, &BTreeSet::new())
}

/// [`check_whole`], where the lines the status bar reports as not drawn (no room) may be
/// missing from the picture, and only they: what else differs, and how many were reported.
pub fn check_whole_reported(app: &super::state::App) -> (Vec<String>, usize) {
    let reported: BTreeSet<(usize, usize)> = app.derived.unrouted_pairs().into_iter().collect();
    (
        check_whole_but(app, &reported),
        app.derived.unrouted_lines(),
    )
}

fn check_whole_but(app: &super::state::App, reported: &BTreeSet<(usize, usize)>) -> Vec<String> {
    // The router may take a line a few cells round the outside of the drawing.
    const ROUND: i32 = 4;
    let b = app.derived.layout.bounds;
    let area = Area::new(
        0,
        0,
        (b.w + 2 * ROUND).clamp(1, 4000) as u16,
        (b.h + 2 * ROUND).clamp(1, 4000) as u16,
    );
    let mut buf = Buffer::empty(area);
    let mut whole = app.clone();
    whole.view = (b.x - ROUND, b.y - ROUND);
    super::canvas::draw(&whole, &mut buf, area);
    let view = Rect::new(
        whole.view.0,
        whole.view.1,
        i32::from(area.width),
        i32::from(area.height),
    );
    let mut problems = match read_back(&buf, area, whole.view, &app.derived.layout) {
        Ok(drawn) => {
            // A pair reported missing may still be drawn by another link between the two.
            let drawn: BTreeSet<_> = drawn.union(reported).copied().collect();
            compare(&app.design, &app.derived.layout, view, &drawn)
        }
        Err(p) => p,
    };
    if !problems.is_empty() {
        // The picture, to see what the check saw (canvas coordinates from the view's corner).
        problems.push(format!("view from {:?}:", whole.view));
        for y in 0..area.height {
            let row: String = (0..area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            problems.push(row);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::action::Action;
    use crate::editor::state::App;
    use crate::editor::update::update;
    use std::path::Path;
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

    fn reference() -> Vec<(String, Design)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("designs/")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        // The designs with zones and networks, whose frames the lines cross.
        for example in ["zones-eu-west-1.toml", "networks-exposed-admin.toml"] {
            files.push(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("examples")
                    .join(example),
            );
        }
        files
            .into_iter()
            .map(|p| {
                let d = crate::io::load(&p).expect("reference design loads");
                (
                    p.file_name().unwrap_or_default().to_string_lossy().into(),
                    d,
                )
            })
            .collect()
    }

    fn at(design: Design, w: u16, h: u16) -> App {
        let mut a = App::new(design, None);
        update(&mut a, Action::Resize(w, h));
        a.fit_view();
        a
    }

    fn report(failures: &[(String, Vec<String>)]) -> String {
        failures
            .iter()
            .map(|(n, p)| format!("{n}:\n  {}", p.join("\n  ")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_reference_designs_read_back_as_their_links() {
        let mut failures = Vec::new();
        for (name, d) in reference() {
            for (w, h) in [(160, 48), (120, 40)] {
                let a = at(d.clone(), w, h);
                let p = check_screen(&a);
                if !p.is_empty() {
                    failures.push((format!("{name} at {w}×{h}"), p));
                }
            }
        }
        assert!(failures.is_empty(), "{}", report(&failures));
    }

    #[test]
    fn automatically_laid_out_designs_read_back_as_their_links() {
        let mut failures = Vec::new();
        for (name, mut d) in reference() {
            crate::layout::arrange(&mut d);
            for (w, h) in [(160, 48), (120, 40)] {
                let a = at(d.clone(), w, h);
                let p = check_screen(&a);
                if !p.is_empty() {
                    failures.push((format!("{name}, arranged, at {w}×{h}"), p));
                }
            }
            let p = check_whole(&at(d.clone(), 160, 48));
            if !p.is_empty() {
                failures.push((format!("{name}, arranged, whole"), p));
            }
        }
        assert!(failures.is_empty(), "{}", report(&failures));
    }

    #[test]
    fn a_link_merged_into_another_is_caught() {
        // The check itself: a picture that joins two unrelated links must fail it.
        let d = reference().remove(1).1;
        let mut a = at(d, 120, 40);
        let (fi, ti) = (0, 1);
        let mut lie = a.derived.routes[fi].clone();
        lie.link = a.derived.routes[ti].link;
        a.derived.routes[ti] = lie;
        assert!(!check_screen(&a).is_empty());
    }

    /// At most one line in this many may be reported missing for want of room. Generated
    /// designs of 50–200 components, laid out automatically, leave 0–7 % of their lines
    /// without room (341 of 9,310 over every third size from 50 to 200, at most 16 of 236 in
    /// one design; 30 of 236 at 143 components with a box moved into the crowd). Before each
    /// block was placed level with what it is linked to, 858 of 9,310 and up to 17 %.
    const MISSING_ONE_IN: usize = 6;

    /// A generated design, laid out automatically, with some boxes moved: drawn whole, the
    /// lines it shows are its links, and those it does not are reported missing.
    fn generated(n: usize, moves: &[(usize, i32, i32)]) -> App {
        let mut d = crate::generate::layered(n);
        crate::layout::arrange(&mut d);
        let len = d.components.len();
        for &(i, dx, dy) in moves {
            let c = &mut d.components[i % len];
            c.x = c.x.map(|x| x + dx);
            c.y = c.y.map(|y| y + dy);
        }
        at(d, 160, 48)
    }

    /// The cases the property test below found, shrunk: 50 components laid out automatically,
    /// where two lines found no room and were left out unsaid; the same with the bottom box of
    /// a frame moved down, so that its frame's corners lie on another frame's border (read as
    /// stray lines; with the request path on the frame's top row that box is now the
    /// database's agent, component 8); 143 components with one box moved, which left 60 of 236
    /// lines out, past the bound; 89 components, where a line went up past the side of its
    /// target and came back round to reach it, crossing itself at its own arrowhead.
    #[test]
    fn generated_designs_found_failing_read_back_as_their_links() {
        for (n, moves) in [
            (50, vec![]),
            (89, vec![]),
            (50, vec![(8, 0, 4)]),
            (143, vec![(0, 0, 0), (15, 23, -6)]),
        ] {
            let a = generated(n, &moves);
            let b = &a.derived.layout.boxes;
            assert!(
                (0..b.len()).all(|i| b[i + 1..].iter().all(|o| !o.intersects(&b[i]))),
                "{n}, moves {moves:?}: boxes overlap, the case no longer tests the drawing"
            );
            let (p, unrouted) = check_whole_reported(&a);
            assert!(p.is_empty(), "{n}, moves {moves:?}:\n{}", p.join("\n"));
            let lines = design_edges(&a.design).len();
            assert!(unrouted * MISSING_ONE_IN <= lines, "{unrouted} of {lines}");
        }
    }

    #[test]
    fn dns_tags_are_drawn_whole() {
        for (name, d) in reference() {
            for (w, h) in [(160, 48), (120, 40)] {
                let a = at(d.clone(), w, h);
                let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h))
                    .expect("terminal");
                t.draw(|f| crate::editor::view::draw(f, &a)).expect("draw");
                let area = a.screen().canvas;
                let buf = t.backend().buffer();
                for (r, tag) in super::super::routes::dns_tags(&a.design, &a.derived.layout) {
                    let (sx, sy) = (r.x - a.view.0, r.y - a.view.1);
                    let row: String = (0..i32::from(area.width))
                        .filter_map(|x| buf.cell((area.x + x as u16, area.y + sy as u16)))
                        .map(|c| c.symbol().to_string())
                        .collect();
                    assert!(
                        sy >= 0 && sy < i32::from(area.height) && sx >= 0,
                        "{name} at {w}×{h}: the tag {tag:?} at {r:?} is off the screen"
                    );
                    // Whole, or cut short where it would cover a frame, and then ending in `…`:
                    // never overwritten by a line or a border.
                    let shown = if tag.width() as i32 <= r.w {
                        tag.clone()
                    } else {
                        let mut cut = String::new();
                        for ch in tag.chars() {
                            if (cut.width() + ch.width().unwrap_or(0)) as i32 > r.w - 1 {
                                break;
                            }
                            cut.push(ch);
                        }
                        format!("{cut}…")
                    };
                    assert!(
                        row.contains(&shown),
                        "{name} at {w}×{h}: the tag {tag:?} is not drawn as {shown:?}:\n{row}"
                    );
                    if name.starts_with("03") {
                        assert_eq!(shown, tag, "{name} at {w}×{h}: the tag is drawn whole");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]
        #[test]
        fn generated_designs_read_back_as_their_links(
            n in 50usize..=200,
            moves in proptest::collection::vec((0usize..200, -30i32..30, -12i32..12), 0..6),
        ) {
            let a = generated(n, &moves);
            // A box moved onto another hides it and its lines: a placement defect, not one
            // of the drawing of links.
            let b = &a.derived.layout.boxes;
            proptest::prop_assume!(
                (0..b.len()).all(|i| b[i + 1..].iter().all(|o| !o.intersects(&b[i])))
            );
            let (p, unrouted) = check_whole_reported(&a);
            proptest::prop_assert!(p.is_empty(), "{}", p.join("\n"));
            let lines = design_edges(&a.design).len();
            // The lines with no room are said to be missing; they must stay few.
            proptest::prop_assert!(
                unrouted * MISSING_ONE_IN <= lines,
                "{unrouted} of {lines} lines not drawn"
            );
        }
    }
}
