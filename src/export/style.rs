//! How things look, shared by the DOT and the built-in SVG output so both engines draw a design
//! the same way: fill and border colour by kind, line colour by encryption, dash by traffic.

use crate::analyze::Severity;
use crate::model::{Component, Kind, Link, Network, Protocol, Traffic};

pub const FONT: &str = "Helvetica";
/// The red of SPOFs, insecure links and other serious findings.
pub const RED: &str = "#d32f2f";
/// The orange of medium findings.
pub const ORANGE: &str = "#ef6c00";
pub const TEXT: &str = "#212121";
pub const MUTED: &str = "#616161";
pub const SERVER_FILL: &str = "#f5f7fa";
pub const SERVER_BORDER: &str = "#90a4ae";
/// The dashed frame of a zone (failure domain) around its servers.
pub const ZONE_BORDER: &str = "#5c6bc0";
/// The frame of a public network, reachable from the internet: amber, filled, the one that
/// stands out.
pub const PUBLIC_BORDER: &str = "#ff8f00";
pub const PUBLIC_FILL: &str = "#fff8e1";
/// Text on or about a public network, darker than its border to read on its fill.
pub const PUBLIC_TEXT: &str = "#e65100";
/// The quiet dotted frame of a private network.
pub const PRIVATE_BORDER: &str = "#78909c";

/// The look of a zone's or network's frame: border colour, fill (if any), dash, width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameStyle {
    pub border: &'static str,
    pub fill: Option<&'static str>,
    pub dash: Dash,
    pub width: f32,
}

pub const ZONE_FRAME: FrameStyle = FrameStyle {
    border: ZONE_BORDER,
    fill: None,
    dash: Dash::Dashed,
    width: 1.2,
};

/// The look of a network's frame.
pub fn network_style(network: Network) -> FrameStyle {
    match network {
        Network::Public => FrameStyle {
            border: PUBLIC_BORDER,
            fill: Some(PUBLIC_FILL),
            dash: Dash::Dashed,
            width: 2.0,
        },
        Network::Private => FrameStyle {
            border: PRIVATE_BORDER,
            fill: None,
            dash: Dash::Dotted,
            width: 1.2,
        },
    }
}

/// What a network's frame is titled: public says it faces the internet.
pub fn network_title(network: Network) -> &'static str {
    match network {
        Network::Public => "public network · internet-facing",
        Network::Private => "private network",
    }
}

/// The legend's frame samples for what `design` draws: the networks it puts servers or
/// components on and, where it has networks, its zones, whose frames the networks' would
/// otherwise be taken for. (A design without networks titles its zones' frames, and draws
/// and explains them as before.)
pub fn legend_frames(design: &crate::model::Design) -> Vec<(FrameStyle, &'static str)> {
    let on = |n: Network| {
        design.servers.iter().any(|s| s.network == Some(n))
            || design.components.iter().any(|c| c.network == Some(n))
    };
    let mut rows = Vec::new();
    if !on(Network::Public) && !on(Network::Private) {
        return rows;
    }
    if !design.zones.is_empty() {
        rows.push((ZONE_FRAME, "zone: servers that fail together"));
    }
    if on(Network::Public) {
        rows.push((
            network_style(Network::Public),
            "public network: reachable from the internet",
        ));
    }
    if on(Network::Private) {
        rows.push((
            network_style(Network::Private),
            "private network: reached only through its links",
        ));
    }
    rows
}
pub const ENCRYPTED: &str = "#2e7d32";
pub const PLAIN: &str = "#78909c";
pub const DNS_FILL: &str = "#f3e5f5";
pub const DNS_BORDER: &str = "#8e24aa";

/// The look of a component's box.
#[derive(Debug, Clone, Copy)]
pub struct KindStyle {
    /// Graphviz node shape.
    pub shape: &'static str,
    pub fill: &'static str,
    pub border: &'static str,
}

pub fn kind_style(kind: Kind) -> KindStyle {
    let (shape, fill, border) = match kind {
        Kind::Client => ("box", "#e3f2fd", "#1565c0"),
        Kind::Dns => ("hexagon", DNS_FILL, DNS_BORDER),
        Kind::Cdn => ("box", "#e1f5fe", "#0277bd"),
        Kind::Firewall => ("box", "#ffebee", "#c62828"),
        Kind::Router => ("box", "#fbe9e7", "#bf360c"),
        Kind::LoadBalancer => ("box", "#fff3e0", "#ef6c00"),
        Kind::WebServer => ("box", "#e8f5e9", "#2e7d32"),
        Kind::AppServer => ("box", "#e0f2f1", "#00695c"),
        Kind::AppFiles => ("note", "#fffde7", "#f9a825"),
        Kind::Cache => ("box", "#fce4ec", "#ad1457"),
        Kind::Queue => ("box", "#ede7f6", "#5e35b1"),
        Kind::Database => ("cylinder", "#e8eaf6", "#283593"),
        Kind::ObjectStorage => ("cylinder", "#efebe9", "#5d4037"),
        Kind::Backup => ("cylinder", "#eceff1", "#455a64"),
        Kind::MonitoringAgent => ("box", "#f1f8e9", "#558b2f"),
        Kind::MonitoringService => ("box", "#f9fbe7", "#827717"),
        Kind::Other => ("box", "#fafafa", "#757575"),
    };
    KindStyle {
        shape,
        fill,
        border,
    }
}

/// The small print under a component's label: software and the attributes of its kind.
pub fn details(c: &Component) -> Vec<String> {
    let mut first = Vec::new();
    if let Some(s) = c
        .software
        .as_deref()
        .filter(|s| Some(*s) != c.label.as_deref())
    {
        first.push(s.to_string());
    }
    if let Some(role) = c.db_role() {
        first.push(role.as_str().to_string());
    }
    if let Some(a) = c.algorithm {
        first.push(a.as_str().to_string());
    }
    if c.redundant {
        first.push("redundant".to_string());
    }
    let mut lines = Vec::new();
    if !first.is_empty() {
        lines.push(first.join(" · "));
    }
    if let Some(cert) = c.certificate.as_deref() {
        lines.push(format!("TLS cert {cert}"));
    }
    lines
}

/// How a line is dashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

impl Dash {
    /// Graphviz `style`.
    pub fn dot(self) -> &'static str {
        match self {
            Dash::Solid => "solid",
            Dash::Dashed => "dashed",
            Dash::Dotted => "dotted",
        }
    }
    /// SVG `stroke-dasharray`, if any.
    pub fn svg(self) -> Option<&'static str> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some("7 4"),
            Dash::Dotted => Some("2 3"),
        }
    }
}

/// The look of a link: colour says whether it is encrypted (or flagged by a finding), the dash
/// says what it carries.
#[derive(Debug, Clone, Copy)]
pub struct LinkStyle {
    pub color: &'static str,
    pub dash: Dash,
    pub width: f32,
}

pub fn link_style(protocol: Protocol, encrypted: bool, flagged: Option<Severity>) -> LinkStyle {
    let dash = match protocol.traffic() {
        Traffic::Request => Dash::Solid,
        Traffic::Replication => Dash::Dashed,
        Traffic::Monitoring => Dash::Dotted,
    };
    let (color, width) = match flagged {
        Some(s) if s >= Severity::High => (RED, 2.5),
        Some(Severity::Medium) => (ORANGE, 2.0),
        _ if encrypted => (ENCRYPTED, 1.6),
        _ => (PLAIN, 1.2),
    };
    LinkStyle { color, dash, width }
}

/// A link's label: protocol and port (the usual one when the file names none), then the
/// link's own label.
pub fn link_label(link: &Link) -> Vec<String> {
    let mut first = link.protocol.as_str().to_string();
    if let Some(port) = link.port.or(link.protocol.default_port()) {
        first.push_str(&format!(" :{port}"));
    }
    let mut lines = vec![first];
    if let Some(l) = link.label.as_deref().filter(|l| !l.is_empty()) {
        lines.push(l.to_string());
    }
    lines
}

/// The outline colour for the worst severity of the findings on a component or server.
pub fn severity_color(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical | Severity::High => Some(RED),
        Severity::Medium => Some(ORANGE),
        Severity::Low | Severity::Info => None,
    }
}

/// About how wide `text` is in Helvetica at `size` pixels, a little generous, so that text
/// can be fitted to a box and a label's background sized to its text.
pub fn text_width(text: &str, size: f64, bold: bool) -> i64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.28,
            ' ' | 'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' | '/' => 0.36,
            'm' | 'w' | 'M' | 'W' => 0.86,
            'A'..='Z' => 0.70,
            '0'..='9' | 'a'..='z' => 0.57,
            c if c.is_ascii() => 0.60,
            // Symbols, accented and wide characters: a full em is safe.
            _ => 1.0,
        })
        .sum();
    (em * size * if bold { 1.1 } else { 1.0 }).ceil() as i64
}

/// `text` as it fits `width` pixels: whole, or cut with `…`.
pub fn fit(text: &str, size: f64, bold: bool, width: i64) -> String {
    if text_width(text, size, bold) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>() + "…";
        if text_width(&cut, size, bold) <= width {
            return cut;
        }
    }
    String::new()
}

/// A piece of a finding's message: its text and whether it names something (written between
/// backticks in the analyzer's messages, which diagrams show in bold instead).
pub type Piece = (String, bool);

/// A finding's message without its backticks, wrapped at about `width` characters.
pub fn message_lines(message: &str, width: usize) -> Vec<Vec<Piece>> {
    let mut words: Vec<Vec<Piece>> = Vec::new();
    let mut word: Vec<Piece> = Vec::new();
    let mut piece = String::new();
    let mut code = false;
    for ch in message.chars() {
        match ch {
            '`' => {
                if !piece.is_empty() {
                    word.push((std::mem::take(&mut piece), code));
                }
                code = !code;
            }
            ' ' => {
                if !piece.is_empty() {
                    word.push((std::mem::take(&mut piece), code));
                }
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => piece.push(c),
        }
    }
    if !piece.is_empty() {
        word.push((piece, code));
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut lines = Vec::new();
    let mut line: Vec<Piece> = Vec::new();
    let mut len = 0;
    let push = |line: &mut Vec<Piece>, (text, code): Piece| match line.last_mut() {
        Some((t, c)) if *c == code => t.push_str(&text),
        _ => line.push((text, code)),
    };
    for word in words {
        let n: usize = word.iter().map(|(t, _)| t.chars().count()).sum();
        if len > 0 && len + 1 + n > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            push(&mut line, (" ".to_string(), false));
            len += 1;
        }
        for p in word {
            push(&mut line, p);
        }
        len += n;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The legend's line samples for what `design` draws: (colour, dash, meaning), one per look
/// its links take, in the colour they are drawn (an encrypted monitoring link is green and
/// dotted), with the colours of findings when `marks` is given.
pub fn legend_lines(
    design: &crate::model::Design,
    marks: Option<&super::Marks>,
) -> Vec<(&'static str, Dash, String)> {
    let mut seen: Vec<(&'static str, Dash)> = Vec::new();
    for (li, link) in design.links.iter().enumerate() {
        let flagged = marks.map(|m| &m.links[li][..]).unwrap_or(&[]);
        let ls = link_style(
            link.protocol,
            link.encrypted(),
            marks.and_then(|m| m.worst(flagged)),
        );
        if !seen.contains(&(ls.color, ls.dash)) {
            seen.push((ls.color, ls.dash));
        }
    }
    let mut rows = Vec::new();
    for (traffic, dash) in [
        ("request", Dash::Solid),
        ("replication", Dash::Dashed),
        ("monitoring", Dash::Dotted),
    ] {
        for (color, how) in [(ENCRYPTED, "encrypted"), (PLAIN, "plain")] {
            if seen.contains(&(color, dash)) {
                let examples = match (traffic, color == ENCRYPTED) {
                    ("request", true) => " (https, tls…)",
                    ("request", false) => " (http, mysql…)",
                    _ => "",
                };
                rows.push((color, dash, format!("{how} {traffic}{examples}")));
            }
        }
    }
    for (color, what) in [
        (RED, "flagged: critical or high finding"),
        (ORANGE, "flagged: medium finding"),
    ] {
        if seen.iter().any(|(c, _)| *c == color) {
            rows.push((color, Dash::Solid, what.to_string()));
        }
    }
    rows
}
