//! The built-in SVG renderer: the design as the editor lays it out on its canvas (positions
//! from the file, or the automatic layout), scaled from character cells to pixels. No Graphviz
//! needed, and linear in the size of the design: one pass over servers, components and links.
//! Pixel arithmetic is in `i64`: canvas positions are any `i32` a file holds, and eight times
//! one of them does not fit an `i32`.

use super::escape::xml;
use super::style::{self, LinkStyle, MUTED, RED, TEXT};
use super::{Index, Marks};
use crate::layout::{self, Rect};
use crate::model::{Design, Kind, RecordType};
use std::fmt::Write;

/// Pixels per canvas cell: a terminal cell is about twice as tall as it is wide.
pub const CELL_W: i64 = 8;
pub const CELL_H: i64 = 16;
const MARGIN: i64 = 24;
const HEADER: i64 = 72;
/// Characters of a label that fit a box at the label's size; longer ones are squeezed, and
/// past `SQUEEZE_MAX` cut (the full text stays in the box's tooltip).
const FIT: usize = 18;
const SQUEEZE_MAX: usize = 30;

/// Pixel rectangle.
#[derive(Debug, Clone, Copy)]
struct Px {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

impl Px {
    fn right(&self) -> i64 {
        self.x + self.w
    }
    fn bottom(&self) -> i64 {
        self.y + self.h
    }
    fn cx(&self) -> i64 {
        self.x + self.w / 2
    }
    fn cy(&self) -> i64 {
        self.y + self.h / 2
    }
}

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

/// `text` cut to `max` characters with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A text element that fits `width` pixels: squeezed when a little too long, cut when much.
fn fitted(out: &mut String, x: i64, y: i64, class: &str, prefix: &str, text: &str, width: i64) {
    let n = text.chars().count();
    let shown = cut(text, SQUEEZE_MAX);
    let squeeze = if n > FIT {
        format!(" textLength=\"{width}\" lengthAdjust=\"spacingAndGlyphs\"")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<text x=\"{x}\" y=\"{y}\" class=\"{class}\"{squeeze}>{prefix}{}</text>",
        xml(&shown)
    );
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

/// Draws `design` as SVG, findings marked when `marks` is given. Positions must be within
/// [`MAX_POSITION`] (see [`out_of_range`]; [`super::render`] checks).
pub fn to_svg(design: &Design, marks: Option<&Marks>) -> String {
    let geo = layout::layout(design);
    let index = Index::new(design);
    let canvas = Canvas {
        ox: MARGIN - i64::from(geo.bounds.x) * CELL_W,
        oy: HEADER - i64::from(geo.bounds.y) * CELL_H + CELL_H,
    };
    let boxes: Vec<Px> = geo.boxes.iter().map(|r| canvas.px(r)).collect();
    let canvas_bottom = HEADER + (i64::from(geo.bounds.h) + 2) * CELL_H;
    let canvas_right = MARGIN + i64::from(geo.bounds.w) * CELL_W + MARGIN;

    let mut body = String::with_capacity(512 + design.components.len() * 700);

    // Server frames.
    for &(s, rect) in &geo.frames {
        let server = &design.servers[s];
        let r = canvas.px(&rect);
        let flagged = marks.map(|m| &m.servers[s][..]).unwrap_or(&[]);
        let outline = marks
            .and_then(|m| m.worst(flagged))
            .and_then(style::severity_color);
        let _ = write!(
            body,
            "<g class=\"server\"><title>server {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            xml(&server.id),
            r.x,
            r.y + CELL_H / 2,
            r.w,
            r.h - CELL_H / 2,
            style::SERVER_FILL,
            outline.unwrap_or(style::SERVER_BORDER),
            if outline.is_some() { 2.5 } else { 1.2 }
        );
        let _ = write!(
            body,
            "<text x=\"{}\" y=\"{}\" class=\"st\"><tspan class=\"stb\">{}</tspan>",
            r.x + 10,
            r.y + CELL_H + 4,
            xml(server.display_name())
        );
        if server.label.is_some() {
            let _ = write!(
                body,
                "<tspan class=\"sm\" dx=\"8\">{}</tspan>",
                xml(&server.id)
            );
        }
        if let Some(ip) = server.ip.as_deref() {
            let _ = write!(body, "<tspan dx=\"8\">{}</tspan>", xml(ip));
        }
        body.push_str("</text>");
        // Rule ids on the free row under the title, squeezed to the frame's width when long.
        if let Some(m) = marks {
            let rules = m.rules(flagged);
            if !rules.is_empty() {
                let chars: usize = rules.iter().map(|(_, r)| r.len() + 1).sum();
                let room = r.w - 20;
                let squeeze = if chars as i64 * 6 > room {
                    format!(" textLength=\"{room}\" lengthAdjust=\"spacingAndGlyphs\"")
                } else {
                    String::new()
                };
                let _ = write!(
                    body,
                    "<text x=\"{}\" y=\"{}\" class=\"k\"{squeeze}>",
                    r.x + 10,
                    r.y + CELL_H + 15
                );
                for (n, (sev, rule)) in rules.into_iter().enumerate() {
                    let color = style::severity_color(sev).unwrap_or(MUTED);
                    let gap = if n > 0 { " dx=\"6\"" } else { "" };
                    let _ = write!(body, "<tspan fill=\"{color}\"{gap}>{rule}</tspan>");
                }
                body.push_str("</text>");
            }
        }
        body.push_str("</g>");
    }

    // Links under the boxes, their labels collected to go on top of everything.
    let mut labels = String::new();
    for (li, link) in design.links.iter().enumerate() {
        let flagged = marks.map(|m| &m.links[li][..]).unwrap_or(&[]);
        let ls = style::link_style(link.protocol, marks.and_then(|m| m.worst(flagged)));
        let mut lines = style::link_label(link);
        if let Some(m) = marks {
            let rules: Vec<&str> = m.rules(flagged).into_iter().map(|(_, r)| r).collect();
            if !rules.is_empty() {
                lines.push(rules.join(" "));
            }
        }
        let tos = index.expand(&link.to);
        for &f in index.expand(&link.from) {
            for &t in tos {
                if f == t {
                    continue;
                }
                let (path, mid) = route(&boxes[f], &boxes[t]);
                draw_link(&mut body, &path, &ls, link, design, f, t);
                draw_link_label(&mut labels, mid, &lines, &ls);
            }
        }
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
            "<g class=\"component\"><title>{} ({}): {}</title>",
            xml(&c.id),
            c.kind.title(),
            xml(c.display_name())
        );
        let (x, y, w, h) = (b.x + 1, b.y + 1, b.w - 2, b.h - 2);
        match c.kind {
            Kind::Database | Kind::ObjectStorage => {
                let ry = 6;
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
        let glyph = format!("<tspan fill=\"{}\">{}</tspan> ", ks.border, c.kind.glyph());
        fitted(
            &mut body,
            b.x + CELL_W,
            b.y + CELL_H + 10,
            "l",
            &glyph,
            c.display_name(),
            b.w - 3 * CELL_W,
        );
        let details = style::details(c).join(" · ");
        if !details.is_empty() {
            fitted(
                &mut body,
                b.x + CELL_W,
                b.y + 2 * CELL_H + 10,
                "d",
                "",
                &details,
                b.w - 2 * CELL_W,
            );
        }
        if let Some(m) = marks {
            let rules: Vec<String> = m
                .rules(flagged)
                .into_iter()
                .map(|(sev, r)| {
                    format!(
                        "<tspan fill=\"{}\">{r}</tspan>",
                        style::severity_color(sev).unwrap_or(MUTED)
                    )
                })
                .collect();
            if !rules.is_empty() {
                // Inside the box, under the details, squeezed to its width when long.
                let chars: usize = m.rules(flagged).iter().map(|(_, r)| r.len() + 1).sum();
                let squeeze = if chars > 22 {
                    format!(
                        " textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
                        b.w - 2 * CELL_W
                    )
                } else {
                    String::new()
                };
                let _ = write!(
                    body,
                    "<text x=\"{}\" y=\"{}\" class=\"k\"{squeeze}>{}</text>",
                    b.x + CELL_W,
                    b.y + 3 * CELL_H + 9,
                    rules.join(" ")
                );
            }
        }
        body.push_str("</g>");
    }
    body.push_str(&labels);

    // DNS records: a tag on what each one points at.
    let mut header_dns = Vec::new();
    for record in &design.dns {
        let name = record_name(design, &record.name);
        let rtype = match record.record_type {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
        };
        header_dns.push(format!("{name} {rtype} → {}", record.target));
        let mut at: Vec<Px> = index
            .expand(&record.target)
            .iter()
            .map(|&i| boxes[i])
            .collect();
        if at.is_empty()
            && let Some(&(_, r)) = geo
                .frames
                .iter()
                .find(|(s, _)| design.servers[*s].id == record.target)
        {
            at.push(canvas.px(&r));
        }
        for p in at {
            let text = format!("⌘ {name}");
            let w = text.chars().count() as i64 * 6 + 8;
            let _ = write!(
                body,
                "<g class=\"dns\"><rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"14\" rx=\"7\" fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\" class=\"dn\">{}</text></g>",
                p.right() - w + 4,
                p.y - 7,
                style::DNS_FILL,
                style::DNS_BORDER,
                p.right() - w + 8,
                p.y + 3,
                xml(&text)
            );
        }
    }

    // Legend and findings below the canvas.
    let (legend_h, legend_w) = legend(&mut body, design, MARGIN, canvas_bottom);
    let mut height = canvas_bottom + legend_h + MARGIN;
    let mut width = canvas_right.max(MARGIN + legend_w + MARGIN);
    if let Some(m) = marks {
        let fx = MARGIN + legend_w + 24;
        let (fh, fw) = findings_box(&mut body, m, fx, canvas_bottom);
        height = height.max(canvas_bottom + fh + MARGIN);
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
    }
    let mut head = String::new();
    let _ = write!(
        head,
        "<text x=\"{MARGIN}\" y=\"30\" class=\"t\">{}</text><text x=\"{MARGIN}\" y=\"48\" class=\"s\">{}</text>",
        xml(&design.name),
        xml(&sub.join(" · "))
    );
    if !header_dns.is_empty() {
        let _ = write!(
            head,
            "<text x=\"{MARGIN}\" y=\"64\" class=\"dn\">DNS: {}</text>",
            xml(&header_dns.join(", "))
        );
    }
    let min_w = design.name.chars().count() as i64 * 12 + 2 * MARGIN;
    let width = width.max(min_w);

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
            "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"{color}\"/></marker>",
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

fn record_name(design: &Design, name: &str) -> String {
    match (name, design.domain.as_deref()) {
        ("@" | "", Some(d)) => d.to_string(),
        (name, Some(d)) => format!("{name}.{d}"),
        (name, None) => name.to_string(),
    }
}

/// A curve from box `a` to box `b`, leaving and entering on the sides that face each other,
/// and the point at its middle for the label.
fn route(a: &Px, b: &Px) -> (String, (i64, i64)) {
    let (s, e, c1, c2) = if b.x >= a.right() {
        let (s, e) = ((a.right(), a.cy()), (b.x, b.cy()));
        let d = ((e.0 - s.0) / 2).max(20);
        (s, e, (s.0 + d, s.1), (e.0 - d, e.1))
    } else if b.right() <= a.x {
        let (s, e) = ((a.x, a.cy()), (b.right(), b.cy()));
        let d = ((s.0 - e.0) / 2).max(20);
        (s, e, (s.0 - d, s.1), (e.0 + d, e.1))
    } else if b.y >= a.bottom() {
        let (s, e) = ((a.cx(), a.bottom()), (b.cx(), b.y));
        let d = ((e.1 - s.1) / 2).max(10);
        (s, e, (s.0, s.1 + d), (e.0, e.1 - d))
    } else {
        let (s, e) = ((a.cx(), a.y), (b.cx(), b.bottom()));
        let d = ((s.1 - e.1) / 2).max(10);
        (s, e, (s.0, s.1 - d), (e.0, e.1 + d))
    };
    let mid = (
        (s.0 + 3 * c1.0 + 3 * c2.0 + e.0) / 8,
        (s.1 + 3 * c1.1 + 3 * c2.1 + e.1) / 8,
    );
    (
        format!(
            "M{} {}C{} {} {} {} {} {}",
            s.0, s.1, c1.0, c1.1, c2.0, c2.1, e.0, e.1
        ),
        mid,
    )
}

fn draw_link(
    out: &mut String,
    path: &str,
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
        "<path class=\"link\" d=\"{path}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{dash} marker-end=\"url(#{})\"><title>{} → {}: {}</title></path>",
        ls.color,
        ls.width,
        marker_id(ls.color),
        xml(&design.components[f].id),
        xml(&design.components[t].id),
        link.protocol
    );
}

fn draw_link_label(out: &mut String, (x, y): (i64, i64), lines: &[String], ls: &LinkStyle) {
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i64;
    let w = widest * 5 + 6;
    let h = lines.len() as i64 * 11 + 2;
    let top = y - h / 2;
    let _ = write!(
        out,
        "<g class=\"label\"><rect x=\"{}\" y=\"{top}\" width=\"{w}\" height=\"{h}\" rx=\"3\" fill=\"white\" fill-opacity=\"0.85\"/>",
        x - w / 2
    );
    for (n, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{}\" class=\"e\" text-anchor=\"middle\" fill=\"{}\" style=\"fill:{}\">{}</text>",
            top + 10 + n as i64 * 11,
            ls.color,
            ls.color,
            xml(&cut(line, 60))
        );
    }
    out.push_str("</g>");
}

/// The legend at (`x`, `y`); its height and width.
fn legend(out: &mut String, design: &Design, x: i64, y: i64) -> (i64, i64) {
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| design.components.iter().any(|c| c.kind == *k))
        .collect();
    let rows = 1 + kinds.len() + style::LEGEND_LINES.len();
    let (w, h) = (260, rows as i64 * 18 + 10);
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
    for (color, dash, text) in style::LEGEND_LINES {
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
            xml(text)
        );
    }
    out.push_str("</g>");
    (h, w)
}

/// The findings box at (`x`, `y`); its height and width.
fn findings_box(out: &mut String, marks: &Marks, x: i64, y: i64) -> (i64, i64) {
    const WRAP: usize = 90;
    let mut rows: Vec<(Option<(&str, String)>, String)> = Vec::new();
    for f in &marks.findings {
        let color = style::severity_color(f.severity).unwrap_or(MUTED);
        let lines = super::dot::wrap(&f.message, WRAP);
        for (n, line) in lines.into_iter().enumerate() {
            let head = (n == 0).then(|| {
                (
                    color,
                    format!("{} {}", f.severity.as_str().to_uppercase(), f.rule),
                )
            });
            rows.push((head, line));
        }
    }
    let w = 230 + (WRAP as i64) * 6;
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
                xml(&text)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{ry}\" class=\"e\">{}</text>",
            x + 222,
            xml(&line)
        );
    }
    out.push_str("</g>");
    (h, w)
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
    fn empty_design_draws() {
        let svg = to_svg(&Design::new("empty"), None);
        roxmltree::Document::parse(&svg).expect("well-formed");
    }
}
