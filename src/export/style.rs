//! How things look, shared by the DOT and the built-in SVG output so both engines draw a design
//! the same way: fill and border colour by kind, line colour by encryption, dash by traffic.

use crate::analyze::Severity;
use crate::model::{Component, Kind, Link, Protocol, Traffic};

pub const FONT: &str = "Helvetica";
/// The red of SPOFs, insecure links and other serious findings.
pub const RED: &str = "#d32f2f";
/// The orange of medium findings.
pub const ORANGE: &str = "#ef6c00";
pub const TEXT: &str = "#212121";
pub const MUTED: &str = "#616161";
pub const SERVER_FILL: &str = "#f5f7fa";
pub const SERVER_BORDER: &str = "#90a4ae";
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

pub fn link_style(protocol: Protocol, flagged: Option<Severity>) -> LinkStyle {
    let dash = match protocol.traffic() {
        Traffic::Request => Dash::Solid,
        Traffic::Replication => Dash::Dashed,
        Traffic::Monitoring => Dash::Dotted,
    };
    let (color, width) = match flagged {
        Some(s) if s >= Severity::High => (RED, 2.5),
        Some(Severity::Medium) => (ORANGE, 2.0),
        _ if protocol.encrypted() => (ENCRYPTED, 1.6),
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

/// The legend: (sample colour, dash, text) of every line style.
pub const LEGEND_LINES: [(&str, Dash, &str); 5] = [
    (ENCRYPTED, Dash::Solid, "encrypted request (https, tls…)"),
    (PLAIN, Dash::Solid, "plain request (http, mysql…)"),
    (PLAIN, Dash::Dashed, "replication"),
    (PLAIN, Dash::Dotted, "monitoring"),
    (RED, Dash::Solid, "flagged by a finding (--annotate)"),
];
