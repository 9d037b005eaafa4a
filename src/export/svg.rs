//! The built-in SVG renderer: the design as the editor lays it out on its canvas (positions
//! from the file, or the automatic layout), scaled from character cells to pixels. No Graphviz
//! needed. Links are routed as orthogonal lines round the boxes ([`super::route`]), labels are
//! put beside their own line where they cover nothing, and every text is fitted to its box.
//! The cost grows with what is drawn: each check looks at the grid buckets it passes.
//! Pixel arithmetic is in `i64`: canvas positions are any `i32` a file holds, and eight times
//! one of them does not fit an `i32`.

use super::escape::xml;
use super::route::{Pt, Px, Router, union_all};
use super::style::{self, LinkStyle, MUTED, RED, TEXT, fit, text_width};
use super::{Index, Marks};
use crate::analyze::Severity;
use crate::layout::{self, Rect};
use crate::model::{Design, Kind, Network, RecordType};
use std::fmt::Write;

/// Pixels per canvas cell: a terminal cell is about twice as tall as it is wide.
pub const CELL_W: i64 = 8;
pub const CELL_H: i64 = 16;
const MARGIN: i64 = 24;
const HEADER: i64 = 72;
/// Room round the canvas for routes that go round everything.
const RING: i64 = 32;

struct Canvas {
    ox: i64,
    oy: i64,
}

impl Canvas {
    fn px(&self, r: &Rect) -> Px {
        Px {
            x: self.ox + i64::from(r.x) * CELL_W,
            y: self.oy + i64::from(r.y) * CELL_H,
            w: i64::from(r.w) * CELL_W,
            h: i64::from(r.h) * CELL_H,
        }
    }
}

fn marker_id(color: &str) -> String {
    format!("arrow-{}", color.trim_start_matches('#'))
}

/// How far from the origin a canvas position may be for the built-in renderer: past this the
/// drawing is millions of pixels wide, and the layout's `i32` arithmetic nears overflow.
pub const MAX_POSITION: i32 = 1_000_000;

/// The first component whose canvas position is out of [`MAX_POSITION`], if any.
pub fn out_of_range(design: &Design) -> Option<(&str, i32, i32)> {
    design.components.iter().find_map(|c| {
        let (x, y) = c.position()?;
        (x.unsigned_abs() > MAX_POSITION as u32 || y.unsigned_abs() > MAX_POSITION as u32)
            .then_some((c.id.as_str(), x, y))
    })
}

/// Rule ids that fit `room` pixels in 9 px bold, worst first, and how many more there are.
fn fitted_rules(rules: &[(Severity, &'static str)], room: i64) -> (Vec<(Severity, String)>, usize) {
    let gap = 6;
    let mut shown = Vec::new();
    let mut used = 0;
    for (n, &(sev, rule)) in rules.iter().enumerate() {
        let rest = rules.len() - n - 1;
        let more = if rest > 0 {
            gap + text_width(&format!("+{rest}"), 9.0, true)
        } else {
            0
        };
        let w = text_width(rule, 9.0, true) + if n > 0 { gap } else { 0 };
        if used + w + more <= room {
            shown.push((sev, rule.to_string()));
            used += w;
        } else {
            if shown.is_empty() {
                let more = if rules.len() > 1 {
                    gap + text_width(&format!("+{}", rules.len() - 1), 9.0, true)
                } else {
                    0
                };
                shown.push((sev, fit(rule, 9.0, true, room - more)));
                return (shown, rules.len() - 1);
            }
            return (shown, rules.len() - n);
        }
    }
    (shown, 0)
}

/// A row of rule ids at (`x`, `y`), coloured by severity, with "+N" for those left out; its
/// width.
fn rules_row(
    out: &mut String,
    x: i64,
    y: i64,
    rules: &[(Severity, &'static str)],
    room: i64,
) -> i64 {
    let (shown, hidden) = fitted_rules(rules, room);
    let mut width = 0;
    let _ = write!(out, "<text x=\"{x}\" y=\"{y}\" class=\"k\">");
    for (n, (sev, rule)) in shown.iter().enumerate() {
        let color = style::severity_color(*sev).unwrap_or(MUTED);
        let gap = if n > 0 { " dx=\"6\"" } else { "" };
        width += text_width(rule, 9.0, true) + if n > 0 { 6 } else { 0 };
        let _ = write!(out, "<tspan fill=\"{color}\"{gap}>{}</tspan>", xml(rule));
    }
    if hidden > 0 {
        width += 6 + text_width(&format!("+{hidden}"), 9.0, true);
        let _ = write!(out, "<tspan fill=\"{MUTED}\" dx=\"6\">+{hidden}</tspan>");
    }
    out.push_str("</text>");
    width
}

/// A server frame's title: its name, then its id and IP while they fit; the texts and the
/// title's width.
fn frame_title(name: &str, id: Option<&str>, ip: Option<&str>, room: i64) -> (Vec<String>, i64) {
    let name_w = text_width(name, 13.0, true);
    let mut parts = vec![fit(name, 13.0, true, room)];
    let mut used = name_w.min(room);
    for extra in [id, ip].into_iter().flatten() {
        let w = 8 + text_width(extra, 11.0, false);
        if used + w <= room {
            parts.push(extra.to_string());
            used += w;
        }
    }
    (parts, used)
}

/// Draws `design` as SVG, findings marked when `marks` is given. Positions must be within
/// [`MAX_POSITION`] (see [`out_of_range`]; [`super::render`] checks).
pub fn to_svg(design: &Design, marks: Option<&Marks>) -> String {
    let mut geo = layout::layout(design);
    // Positions that would draw a zone's or network's frame round a server that is not in
    // it are replaced, in memory, by the automatic layout's, which places servers by zone.
    let placed: Design;
    let design = if layout::frame_conflict(design, &geo).is_some() {
        let mut d = design.clone();
        layout::arrange(&mut d);
        geo = layout::layout(&d);
        placed = d;
        &placed
    } else {
        design
    };
    let index = Index::new(design);
    let canvas = Canvas {
        ox: MARGIN + RING - i64::from(geo.bounds.x) * CELL_W,
        oy: HEADER + RING - i64::from(geo.bounds.y) * CELL_H,
    };
    let boxes: Vec<Px> = geo.boxes.iter().map(|r| canvas.px(r)).collect();
    let drawn = canvas.px(&geo.bounds);
    // Where routes and labels may go: the canvas and a ring round it.
    let ring = Px {
        x: drawn.x - RING,
        y: drawn.y - RING,
        w: drawn.w + 2 * RING,
        h: drawn.h + 2 * RING,
    };
    let canvas_bottom = ring.bottom() + 8;
    let canvas_right = ring.right() + MARGIN;

    let mut body = String::with_capacity(1024 + design.components.len() * 900);

    // Zones and networks: an outline round the frames of their servers (a zone's round its
    // networks' too), drawn under them, titled in the outline's lower margin (lines may cross
    // it, as they cross the outline); a public network's filled. Servers are grouped so that
    // outlines never overlap.
    let zone_of = design.zone_of();
    let border_of = |rect: &Rect| {
        let r = canvas.px(rect);
        Px {
            x: r.x,
            y: r.y + CELL_H / 2,
            w: r.w,
            h: r.h - CELL_H / 2,
        }
    };
    let grow = |p: Px| Px {
        x: p.x - 6,
        y: p.y - 6,
        w: p.w + 12,
        h: p.h + 22,
    };
    let networks: Vec<(layout::NetworkFrame, Px)> = geo
        .networks
        .iter()
        .filter_map(|n| {
            let servers = geo.frames.iter().filter(|(s, _)| {
                zone_of[*s] == n.zone && design.servers[*s].network == Some(n.network)
            });
            Some((*n, grow(union_all(servers.map(|(_, r)| border_of(r)))?)))
        })
        .collect();
    let mut keep_out: Vec<Px> = Vec::new();
    for (z, zone) in design.zones.iter().enumerate() {
        let plain = geo
            .frames
            .iter()
            .filter(|(s, _)| zone_of[*s] == Some(z) && design.servers[*s].network.is_none())
            .map(|(_, r)| grow(border_of(r)));
        let nets = networks
            .iter()
            .filter(|(n, _)| n.zone == Some(z))
            .map(|(_, p)| grow(*p));
        let Some(Px { x, y, w, h }) = union_all(plain.chain(nets)) else {
            continue;
        };
        let mut label = format!("zone {}", zone.display_name());
        if let Some(region) = zone.region.as_deref() {
            label.push_str(&format!(" · region {region}"));
        }
        let _ = write!(
            body,
            "<g class=\"zone\"><title>zone {}</title><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"12\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{}\" class=\"d\">{}</text></g>",
            xml(&zone.id),
            style::ZONE_BORDER,
            x + 8,
            y + h - 5,
            xml(&label)
        );
    }
    // Each network's title, written once the lines are routed, where they cross it least.
    let mut net_titles: Vec<(&str, &str, Px)> = Vec::new();
    for (n, p) in &networks {
        let fs = style::network_style(n.network);
        let title = style::network_title(n.network);
        let text = if n.network == Network::Public {
            style::PUBLIC_TEXT
        } else {
            MUTED
        };
        let dash = fs
            .dash
            .svg()
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        let in_zone = n
            .zone
            .map(|z| format!(" in zone {}", design.zones[z].id))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<g class=\"network\" data-network=\"{}\"><title>{} network{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{dash}/></g>",
            n.network.as_str(),
            n.network.as_str(),
            xml(&in_zone),
            p.x,
            p.y,
            p.w,
            p.h,
            fs.fill.unwrap_or("none"),
            fs.border,
            fs.width,
        );
        net_titles.push((title, text, *p));
    }

    // Server frames, their titles kept clear of lines and labels.
    let mut frames: Vec<Px> = Vec::with_capacity(geo.frames.len());
    for &(s, rect) in &geo.frames {
        let server = &design.servers[s];
        let r = canvas.px(&rect);
        let border = Px {
            x: r.x,
            y: r.y + CELL_H / 2,
            w: r.w,
            h: r.h - CELL_H / 2,
        };
        frames.push(border);
        let flagged = marks.map(|m| &m.servers[s][..]).unwrap_or(&[]);
        let outline = marks
            .and_then(|m| m.worst(flagged))
            .and_then(style::severity_color);
        let _ = write!(
            body,
            "<g class=\"server\"><title>server {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            xml(&server.id),
            border.x,
            border.y,
            border.w,
            border.h,
            style::SERVER_FILL,
            outline.unwrap_or(style::SERVER_BORDER),
            if outline.is_some() { 2.5 } else { 1.2 }
        );
        let room = r.w - 20;
        let (parts, title_w) = frame_title(
            server.display_name(),
            server.label.as_ref().map(|_| server.id.as_str()),
            server.ip.as_deref(),
            room,
        );
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\" class=\"st\"><tspan class=\"stb\">{}</tspan>",
            r.x + 10,
            r.y + CELL_H + 4,
            xml(&parts[0])
        );
        for (n, part) in parts.iter().enumerate().skip(1) {
            let class = if n == 1 && server.label.is_some() {
                " class=\"sm\""
            } else {
                ""
            };
            let _ = write!(body, "<tspan{class} dx=\"8\">{}</tspan>", xml(part));
        }
        body.push_str("</text>");
        let mut title = Px {
            x: r.x + 6,
            y: r.y + CELL_H / 2 + 2,
            w: title_w + 8,
            h: 14,
        };
        // Rule ids on the free row under the title, as many as fit the frame.
        if let Some(m) = marks {
            let rules = m.rules(flagged);
            if !rules.is_empty() {
                let w = rules_row(&mut body, r.x + 10, r.y + CELL_H + 14, &rules, room);
                title.h += 9;
                title.w = title.w.max(w + 8);
            }
        }
        keep_out.push(title);
        body.push_str("</g>");
    }

    // A component on a network its server's frame does not show: a tag on its box's bottom
    // border, kept clear of lines.
    let net_tags: Vec<(Px, Network)> = geo
        .network_marks
        .iter()
        .map(|&(i, n)| {
            let b = boxes[i];
            let w = text_width(n.as_str(), 9.0, true) + 10;
            (
                Px {
                    x: b.right() - w - 8,
                    y: b.bottom() - 7,
                    w,
                    h: 13,
                },
                n,
            )
        })
        .collect();
    keep_out.extend(net_tags.iter().map(|(r, _)| *r));

    // DNS records: a tag on what each one points at, where it covers nothing.
    let mut header_dns = Vec::new();
    let mut tags: Vec<(Px, String)> = Vec::new();
    for record in &design.dns {
        let name = design.record_name(&record.name);
        let rtype = match record.record_type {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
        };
        header_dns.push(format!("{name} {rtype} → {}", record.target));
        let text = format!("⌘ {name}");
        let w = text_width(&text, 10.0, false) + 10;
        let h = 14;
        let mut spots: Vec<(i64, i64)> = Vec::new();
        for &i in index.expand(&record.target) {
            let b = boxes[i];
            spots.extend([
                (b.right() - w, b.y - h - 1),
                (b.right() - w, b.bottom() + 1),
                (b.x, b.y - h - 1),
                (b.x, b.bottom() + 1),
            ]);
        }
        if spots.is_empty()
            && let Some(k) = geo
                .frames
                .iter()
                .position(|(s, _)| design.servers[*s].id == record.target)
        {
            let f = frames[k];
            spots.extend([
                (f.right() - w - 10, f.y - h / 2),
                (f.right() - w, f.y - h - 2),
                (f.right() - w - 10, f.bottom() - h / 2),
            ]);
        }
        let free = |r: &Px| {
            !boxes.iter().any(|b| b.intersects(r))
                && !keep_out.iter().any(|k| k.intersects(r))
                && !tags.iter().any(|(t, _)| t.intersects(r))
        };
        let chosen = spots
            .iter()
            .map(|&(x, y)| Px { x, y, w, h })
            .find(|r| free(r))
            .or_else(|| spots.first().map(|&(x, y)| Px { x, y, w, h }));
        if let Some(r) = chosen {
            tags.push((r, text));
        }
    }
    keep_out.extend(tags.iter().map(|(r, _)| *r));

    // Links: routed round everything, drawn under the boxes.
    let area = union_all([ring, drawn].into_iter().chain(keep_out.iter().copied()))
        .unwrap_or(ring)
        .inflate(BUCKET_MARGIN);
    // Each component's server frame, by its index in `frames` (one per entry of geo.frames).
    let mut frame_at = vec![None; design.servers.len()];
    for (k, &(s, _)) in geo.frames.iter().enumerate() {
        frame_at[s] = Some(k);
    }
    let frame_of: Vec<Option<usize>> = design
        .server_of()
        .into_iter()
        .map(|s| s.and_then(|s| frame_at[s]))
        .collect();
    let mut router = Router::new(&boxes, &keep_out, &frames, &frame_of, area, ring);
    let mut routes: Vec<(usize, usize, usize, Vec<Pt>)> = Vec::with_capacity(design.links.len());
    for (li, link) in design.links.iter().enumerate() {
        let tos = index.expand(&link.to);
        for &f in index.expand(&link.from) {
            for &t in tos {
                if f != t {
                    routes.push((li, f, t, router.route(f, t)));
                }
            }
        }
    }
    let mut labels = String::new();
    // The links' labels, which networks' titles keep off.
    let mut placed: Vec<Px> = Vec::new();
    for (li, f, t, pts) in &routes {
        let link = &design.links[*li];
        let flagged = marks.map(|m| &m.links[*li][..]).unwrap_or(&[]);
        let ls = style::link_style(
            link.protocol,
            link.encrypted(),
            marks.and_then(|m| m.worst(flagged)),
        );
        draw_link(&mut body, pts, &ls, link, design, *f, *t);
        let mut lines = style::link_label(link);
        if let Some(m) = marks {
            let rules: Vec<&str> = m.rules(flagged).into_iter().map(|(_, r)| r).collect();
            if !rules.is_empty() {
                lines.push(rules.join(" "));
            }
        }
        // The whole label where it fits, else its first line, else the protocol alone; the
        // full text is always in the line's tooltip.
        let protocol = vec![link.protocol.as_str().to_string()];
        let first = vec![lines[0].clone()];
        for variant in [lines, first, protocol] {
            let variant: Vec<String> = variant
                .into_iter()
                .map(|l| fit(&l, 9.0, false, 240))
                .collect();
            let w = variant
                .iter()
                .map(|l| text_width(l, 9.0, false))
                .max()
                .unwrap_or(0)
                + 6;
            let h = variant.len() as i64 * 11 + 3;
            if let Some(r) = router.place_label(pts, w, h) {
                draw_link_label(&mut labels, &r, &variant, &ls);
                placed.push(r);
                break;
            }
        }
    }

    for (title, color, p) in &net_titles {
        let w = text_width(title, 10.0, true);
        let spot = |x: i64| Px {
            x,
            y: p.bottom() - 15,
            w,
            h: 12,
        };
        let crossings = |r: &Px| {
            100 * placed.iter().filter(|l| l.intersects(r)).count()
                + routes
                    .iter()
                    .flat_map(|(_, _, _, pts)| pts.windows(2))
                    .filter(|seg| {
                        let ((x1, y1), (x2, y2)) = (seg[0], seg[1]);
                        let s = Px {
                            x: x1.min(x2),
                            y: y1.min(y2),
                            w: (x1 - x2).abs() + 1,
                            h: (y1 - y2).abs() + 1,
                        };
                        s.intersects(r)
                    })
                    .count()
        };
        let (left, right) = (p.x + 8, p.right() - 8 - w);
        let candidates = [left, (left + right) / 2, right];
        let best = candidates
            .into_iter()
            .filter(|&x| x >= left)
            .map(spot)
            .min_by_key(|r| crossings(r))
            .unwrap_or_else(|| spot(left));
        // A white halo keeps it legible where a line must cross it.
        let _ = write!(
            labels,
            "<text x=\"{}\" y=\"{}\" class=\"d\" font-weight=\"bold\" fill=\"{color}\" style=\"fill:{color}\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{title}</text>",
            best.x,
            p.bottom() - 5,
        );
    }

    // Component boxes.
    for (i, c) in design.components.iter().enumerate() {
        let b = boxes[i];
        let ks = style::kind_style(c.kind);
        let flagged = marks.map(|m| &m.components[i][..]).unwrap_or(&[]);
        let outline = marks
            .and_then(|m| m.worst(flagged))
            .and_then(style::severity_color);
        let stroke = outline.unwrap_or(ks.border);
        let width = if outline.is_some() { 3.0 } else { 1.2 };
        let _ = write!(
            body,
            "<g class=\"component\" data-i=\"{i}\" data-box=\"{} {} {} {}\"><title>{} ({}): {}</title>",
            b.x,
            b.y,
            b.w,
            b.h,
            xml(&c.id),
            c.kind.title(),
            xml(c.display_name())
        );
        let (x, y, w, h) = (b.x + 1, b.y + 1, b.w - 2, b.h - 2);
        match c.kind {
            Kind::Database | Kind::ObjectStorage => {
                let ry = 5;
                let _ = write!(
                    body,
                    "<path d=\"M{x} {t}a{rx} {ry} 0 0 1 {w} 0v{hh}a{rx} {ry} 0 0 1 -{w} 0z\" fill=\"{f}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/><path d=\"M{x} {t}a{rx} {ry} 0 0 0 {w} 0\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                    t = y + ry,
                    rx = w / 2,
                    hh = h - 2 * ry,
                    f = ks.fill,
                );
            }
            Kind::AppFiles => {
                let fold = 10;
                let _ = write!(
                    body,
                    "<path d=\"M{x} {y}h{a}l{fold} {fold}v{b}h-{w}z\" fill=\"{f}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                    a = w - fold,
                    b = h - fold,
                    f = ks.fill,
                );
            }
            _ => {
                let _ = write!(
                    body,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"{}\" fill=\"{}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                    if c.kind == Kind::Firewall { 2 } else { 8 },
                    ks.fill,
                );
            }
        }
        let name = fit(c.display_name(), 12.0, true, b.w - 2 * CELL_W - 16);
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\" class=\"l\"><tspan fill=\"{}\">{}</tspan> {}</text>",
            b.x + CELL_W,
            b.y + CELL_H + 10,
            ks.border,
            c.kind.glyph(),
            xml(&name)
        );
        let details = style::details(c).join(" · ");
        let mut row = b.y + 2 * CELL_H + 10;
        if !details.is_empty() {
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{row}\" class=\"d\">{}</text>",
                b.x + CELL_W,
                xml(&fit(&details, 10.0, false, b.w - 2 * CELL_W))
            );
            row += 14;
        }
        if let Some(m) = marks {
            let rules = m.rules(flagged);
            if !rules.is_empty() {
                rules_row(&mut body, b.x + CELL_W, row, &rules, b.w - 2 * CELL_W);
            }
        }
        body.push_str("</g>");
    }
    for (r, n) in &net_tags {
        let fs = style::network_style(*n);
        let text = if *n == Network::Public {
            style::PUBLIC_TEXT
        } else {
            MUTED
        };
        let _ = write!(
            body,
            "<g class=\"netmark\"><title>on the {n} network, not its server's</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\" class=\"k\" fill=\"{text}\" style=\"fill:{text}\">{n}</text></g>",
            r.x,
            r.y,
            r.w,
            r.h,
            fs.fill.unwrap_or("white"),
            fs.border,
            r.x + 5,
            r.y + 10,
            n = n.as_str(),
        );
    }
    body.push_str(&labels);
    for (r, text) in &tags {
        let _ = write!(
            body,
            "<g class=\"dns\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"7\" fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\" class=\"dn\">{}</text></g>",
            r.x,
            r.y,
            r.w,
            r.h,
            style::DNS_FILL,
            style::DNS_BORDER,
            r.x + 5,
            r.y + 10,
            xml(text)
        );
    }

    // Legend and findings below the canvas: side by side when the canvas is wide enough,
    // else the findings under the legend, so the picture stays about as wide as the canvas.
    let (legend_h, legend_w) = legend(&mut body, design, marks, MARGIN, canvas_bottom);
    let mut height = canvas_bottom + legend_h + MARGIN;
    let mut width = canvas_right.max(MARGIN + legend_w + MARGIN);
    if let Some(m) = marks {
        let (fw, rows) = findings_rows(m);
        let beside = MARGIN + legend_w + 24 + fw + MARGIN <= canvas_right.max(900);
        let (fx, fy) = if beside {
            (MARGIN + legend_w + 24, canvas_bottom)
        } else {
            (MARGIN, canvas_bottom + legend_h + 16)
        };
        let fh = findings_box(&mut body, m, &rows, fw, fx, fy);
        height = height.max(fy + fh + MARGIN);
        width = width.max(fx + fw + MARGIN);
    }

    // Header.
    let mut sub = Vec::new();
    if design.domain.is_some() {
        sub.push(design.site_name());
    }
    sub.push(super::counts_line(design));
    if let Some(m) = marks {
        sub.push(m.summary());
        sub.extend(m.figures());
    }
    let sub = sub.join(" · ");
    let mut head = String::new();
    let _ = write!(
        head,
        "<text x=\"{MARGIN}\" y=\"30\" class=\"t\">{}</text><text x=\"{MARGIN}\" y=\"48\" class=\"s\">{}</text>",
        xml(&design.name),
        xml(&sub)
    );
    let mut head_w = text_width(&design.name, 20.0, true).max(text_width(&sub, 12.0, false));
    if !header_dns.is_empty() {
        let dns = format!("DNS: {}", header_dns.join(", "));
        head_w = head_w.max(text_width(&dns, 10.0, false));
        let _ = write!(
            head,
            "<text x=\"{MARGIN}\" y=\"64\" class=\"dn\">{}</text>",
            xml(&dns)
        );
    }
    let width = width.max(head_w + 2 * MARGIN);

    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n<title>{}</title>\n",
        xml(&design.name)
    );
    out.push_str("<defs>");
    for color in [style::ENCRYPTED, style::PLAIN, RED, style::ORANGE] {
        let _ = write!(
            out,
            "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"{color}\"/></marker>",
            marker_id(color)
        );
    }
    let _ = write!(
        out,
        "</defs>\n<style>text{{font-family:{font},Helvetica,Arial,sans-serif;fill:{TEXT}}}.t{{font-size:20px;font-weight:bold}}.s{{font-size:12px;fill:{MUTED}}}.st{{font-size:11px}}.stb{{font-size:13px;font-weight:bold}}.sm{{fill:{MUTED}}}.l{{font-size:12px;font-weight:bold}}.d{{font-size:10px;fill:{MUTED}}}.k{{font-size:9px;font-weight:bold}}.e{{font-size:9px}}.dn{{font-size:10px;fill:{dns}}}.lg{{font-size:11px}}</style>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        font = style::FONT,
        dns = style::DNS_BORDER
    );
    out.push_str(&head);
    out.push('\n');
    out.push_str(&body);
    out.push_str("\n</svg>\n");
    out
}

/// Extra room round the router's grid, for stubs and labels just outside the ring.
const BUCKET_MARGIN: i64 = 64;

fn draw_link(
    out: &mut String,
    pts: &[Pt],
    ls: &LinkStyle,
    link: &crate::model::Link,
    design: &Design,
    f: usize,
    t: usize,
) {
    let dash = ls
        .dash
        .svg()
        .map(|d| format!(" stroke-dasharray=\"{d}\""))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<path class=\"link\" data-from=\"{f}\" data-to=\"{t}\" d=\""
    );
    for (n, (x, y)) in pts.iter().enumerate() {
        let _ = write!(out, "{}{x} {y}", if n == 0 { "M" } else { "L" });
    }
    let _ = write!(
        out,
        "\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{dash} marker-end=\"url(#{})\"><title>{} → {}: {}</title></path>",
        ls.color,
        ls.width,
        marker_id(ls.color),
        xml(&design.components[f].id),
        xml(&design.components[t].id),
        xml(&style::link_label(link).join(" "))
    );
}

fn draw_link_label(out: &mut String, r: &Px, lines: &[String], ls: &LinkStyle) {
    let _ = write!(
        out,
        "<g class=\"label\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"white\" fill-opacity=\"0.9\"/>",
        r.x, r.y, r.w, r.h
    );
    for (n, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" class=\"e\" text-anchor=\"middle\" fill=\"{}\" style=\"fill:{}\">{}</text>",
            r.cx(),
            r.y + 10 + n as i64 * 11,
            ls.color,
            ls.color,
            xml(line)
        );
    }
    out.push_str("</g>");
}

/// The legend at (`x`, `y`); its height and width.
fn legend(out: &mut String, design: &Design, marks: Option<&Marks>, x: i64, y: i64) -> (i64, i64) {
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| design.components.iter().any(|c| c.kind == *k))
        .collect();
    let lines = style::legend_lines(design, marks);
    let frames = style::legend_frames(design);
    let rows = 1 + kinds.len() + frames.len() + lines.len();
    let texts = kinds
        .iter()
        .map(|k| text_width(k.title(), 11.0, false))
        .chain(frames.iter().map(|(_, t)| text_width(t, 11.0, false)))
        .chain(lines.iter().map(|(_, _, t)| text_width(t, 11.0, false)));
    let w = (texts.max().unwrap_or(0) + 60).max(160);
    let h = rows as i64 * 18 + 10;
    let _ = write!(
        out,
        "<g class=\"legend\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"white\" stroke=\"#b0bec5\"/><text x=\"{}\" y=\"{}\" class=\"lg\" font-weight=\"bold\">Legend</text>",
        x + 8,
        y + 18
    );
    let mut ry = y + 18;
    for k in kinds {
        ry += 18;
        let ks = style::kind_style(k);
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"36\" height=\"14\" rx=\"3\" fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\" class=\"lg\" fill=\"{}\" style=\"fill:{}\">{}</text><text x=\"{}\" y=\"{ry}\" class=\"lg\">{}</text>",
            x + 8,
            ry - 11,
            ks.fill,
            ks.border,
            x + 21,
            ry,
            ks.border,
            ks.border,
            k.glyph(),
            x + 52,
            xml(k.title())
        );
    }
    for (fs, text) in frames {
        ry += 18;
        let dash = fs
            .dash
            .svg()
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"36\" height=\"14\" rx=\"4\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{dash}/><text x=\"{}\" y=\"{ry}\" class=\"lg\">{}</text>",
            x + 8,
            ry - 11,
            fs.fill.unwrap_or("none"),
            fs.border,
            fs.width,
            x + 52,
            xml(text)
        );
    }
    for (color, dash, text) in lines {
        ry += 18;
        let dash = dash
            .svg()
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/><text x=\"{}\" y=\"{ry}\" class=\"lg\">{}</text>",
            x + 8,
            ry - 4,
            x + 44,
            ry - 4,
            x + 52,
            xml(&text)
        );
    }
    out.push_str("</g>");
    (h, w)
}

/// A row of the findings box: its severity and rule (on a finding's first line) and a line
/// of its message.
type FindingRow = (Option<(&'static str, String)>, Vec<style::Piece>);

const FINDINGS_WRAP: usize = 90;

/// The findings box's rows and its width.
fn findings_rows(marks: &Marks) -> (i64, Vec<FindingRow>) {
    let mut rows: Vec<FindingRow> = Vec::new();
    for f in &marks.findings {
        let color = style::severity_color(f.severity).unwrap_or(MUTED);
        for (n, line) in style::message_lines(&f.message, FINDINGS_WRAP)
            .into_iter()
            .enumerate()
        {
            let head = (n == 0).then(|| {
                (
                    color,
                    format!("{} {}", f.severity.as_str().to_uppercase(), f.rule),
                )
            });
            rows.push((head, line));
        }
    }
    let head_w = rows
        .iter()
        .filter_map(|(h, _)| h.as_ref())
        .map(|(_, t)| text_width(t, 9.0, true))
        .max()
        .unwrap_or(0);
    let text_w = rows
        .iter()
        .map(|(_, l)| l.iter().map(|(t, c)| text_width(t, 9.0, *c)).sum::<i64>())
        .max()
        .unwrap_or(0);
    let title_w = text_width(&format!("Findings  {}", marks.summary()), 11.0, false);
    let w = (head_w + 24 + text_w + 16).max(title_w + 16);
    (w, rows)
}

/// The findings box at (`x`, `y`), `w` wide; its height.
fn findings_box(
    out: &mut String,
    marks: &Marks,
    rows: &[FindingRow],
    w: i64,
    x: i64,
    y: i64,
) -> i64 {
    let head_w = rows
        .iter()
        .filter_map(|(h, _)| h.as_ref())
        .map(|(_, t)| text_width(t, 9.0, true))
        .max()
        .unwrap_or(0);
    let h = 30 + rows.len() as i64 * 14 + 6;
    let _ = write!(
        out,
        "<g class=\"findings\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"#fffafa\" stroke=\"{RED}\"/><text x=\"{}\" y=\"{}\" class=\"lg\"><tspan font-weight=\"bold\">Findings</tspan>  <tspan class=\"sm\">{}</tspan></text>",
        x + 8,
        y + 18,
        xml(&marks.summary())
    );
    let mut ry = y + 18;
    for (head, line) in rows {
        ry += 14;
        if let Some((color, text)) = head {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{ry}\" class=\"k\" fill=\"{color}\" style=\"fill:{color}\">{}</text>",
                x + 8,
                xml(text)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{ry}\" class=\"e\">",
            x + 16 + head_w
        );
        for (text, code) in line {
            if *code {
                let _ = write!(out, "<tspan font-weight=\"bold\">{}</tspan>", xml(text));
            } else {
                out.push_str(&xml(text));
            }
        }
        out.push_str("</text>");
    }
    out.push_str("</g>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Link, Protocol, Server};

    fn reference(name: &str) -> Design {
        crate::templates::template(name).expect("reference design parses")
    }

    fn all_text(doc: &roxmltree::Document) -> String {
        doc.descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_reference_design_is_well_formed_svg_with_every_label() {
        for (name, _, _) in crate::templates::TEMPLATES {
            let d = reference(name);
            for marks in [None, Some(Marks::new(&d))] {
                let svg = to_svg(&d, marks.as_ref());
                let doc = roxmltree::Document::parse(&svg)
                    .unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
                assert_eq!(doc.root_element().tag_name().name(), "svg");
                let text = all_text(&doc);
                for c in &d.components {
                    assert!(text.contains(c.display_name()), "{name}: {}", c.id);
                }
                for s in &d.servers {
                    assert!(text.contains(s.display_name()), "{name}: {}", s.id);
                }
                let arrows = doc
                    .descendants()
                    .filter(|n| n.attribute("class") == Some("link"))
                    .count();
                assert!(arrows >= d.links.len(), "{name}: {arrows} links drawn");
            }
        }
    }

    #[test]
    fn hostile_labels_stay_well_formed() {
        let nasty = "say \"hi\" \\ <b>{x}|&amp; ünï ☃ \u{1}";
        let mut d = Design::new(nasty);
        d.servers.push(Server {
            id: "s<1>".into(),
            ip: Some("&".into()),
            label: Some(nasty.into()),
            ..Default::default()
        });
        let mut c = Component::new("a&b", Kind::Database);
        c.label = Some(nasty.into());
        c.server = Some("s<1>".into());
        d.components.push(c);
        d.components.push(Component::new("user", Kind::Client));
        d.links.push(Link {
            from: "user".into(),
            to: "a&b".into(),
            protocol: Protocol::Mysql,
            port: None,
            label: Some("<&>".into()),
        });
        let svg = to_svg(&d, Some(&Marks::new(&d)));
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let text = all_text(&doc);
        assert!(
            text.contains("say \"hi\" \\ <b>{x}|&amp; ünï ☃ \u{FFFD}"),
            "{text}"
        );
        assert!(text.contains("<&>"));
    }

    #[test]
    fn zones_are_outlined_round_their_servers() {
        let mut d = reference("02-distributed.toml");
        assert!(!to_svg(&d, None).contains("class=\"zone\""));
        d.zones.push(crate::model::Zone {
            id: "eu-1a".into(),
            region: Some("eu-1".into()),
            ..Default::default()
        });
        d.servers[1].zone = Some("eu-1a".into());
        let svg = to_svg(&d, None);
        roxmltree::Document::parse(&svg).expect("well-formed");
        assert!(svg.contains("<title>zone eu-1a</title>"), "{svg}");
        assert!(svg.contains("zone eu-1a · region eu-1"));
    }

    #[test]
    fn empty_design_draws() {
        let svg = to_svg(&Design::new("empty"), None);
        roxmltree::Document::parse(&svg).expect("well-formed");
    }
}
