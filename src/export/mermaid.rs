//! Mermaid flowcharts of a design, which GitHub, GitLab and many wikis render in Markdown
//! (a ```` ```mermaid ```` block): one subgraph per server, a node per component, DNS records
//! and clusters that links name, and findings marked with classes (`critical`, `high`,
//! `medium`) on the nodes, subgraphs and links they concern.
//!
//! Node ids are generated (`c0`, `s0`, `k0`, `d0`), so no id from a design can break the
//! syntax; labels are quoted strings with Mermaid's entity escapes.

use super::Marks;
use super::outline;
use super::style;
use crate::analyze::Severity;
use crate::model::{Design, Kind, Network, Traffic};
use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write;

/// A label as the body of a Mermaid `"…"` string: quotes and the characters Mermaid reads
/// as markup become entities (`#quot;`, `#35;`…), line breaks `<br>`, control characters go.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The class of a severity that is drawn (medium or worse).
fn class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        _ => "medium",
    }
}

/// Opening and closing of a node's shape for its kind.
fn shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Client => ("([", "])"),
        Kind::Database => ("[(", ")]"),
        Kind::LoadBalancer => ("{{", "}}"),
        Kind::Firewall => ("[/", "/]"),
        Kind::Queue => ("[[", "]]"),
        Kind::Cdn | Kind::Dns => ("(", ")"),
        Kind::MonitoringService => ("((", "))"),
        _ => ("[", "]"),
    }
}

/// The Mermaid flowchart of `design`; with `marks`, findings at medium or worse are classes.
pub fn to_mermaid(design: &Design, marks: Option<&Marks>) -> String {
    let mut out = String::with_capacity(64 + design.components.len() * 48);
    let _ = writeln!(out, "flowchart LR");
    let _ = writeln!(out, "  %% {}", label(&design.name).replace("%%", "% %"));
    let mut node: HashMap<&str, String> = HashMap::default();
    for (i, c) in design.components.iter().enumerate() {
        node.insert(c.id.as_str(), format!("c{i}"));
    }
    for (i, s) in design.servers.iter().enumerate() {
        node.entry(s.id.as_str()).or_insert_with(|| format!("s{i}"));
    }
    for (i, k) in design.clusters.iter().enumerate() {
        node.entry(k.id.as_str()).or_insert_with(|| format!("k{i}"));
    }
    let component_line = |out: &mut String, i: usize, indent: &str| {
        let c = &design.components[i];
        let (open, close) = shape(c.kind);
        let text = outline::component_text(design, c);
        let _ = writeln!(out, "{indent}c{i}{open}\"{}\"{close}", label(&text));
    };
    // Components grouped by server, in design order.
    let (on_server, loose) = outline::by_server(design);
    for i in loose {
        component_line(&mut out, i, "  ");
    }
    let server = |out: &mut String, s: usize, indent: &str| {
        let title = outline::server_title(&design.servers[s], " ");
        let _ = writeln!(out, "{indent}subgraph s{s}[\"{}\"]", label(&title));
        let inner = format!("{indent}  ");
        for &i in &on_server[s] {
            component_line(out, i, &inner);
        }
        let _ = writeln!(out, "{indent}end");
    };
    // A server in a zone is drawn inside the zone's subgraph, where its first server would be;
    // a server on a network inside the network's (in its zone's, if it is in one).
    let zone_of = design.zone_of();
    let mut styled: Vec<(String, Network)> = Vec::new();
    let mut members = |out: &mut String, zone: Option<usize>, servers: &[usize], indent: &str| {
        for m in outline::by_network(design, servers) {
            match m {
                outline::Member::Server(t) => server(out, t, indent),
                outline::Member::Network(n, list) => {
                    let id = format!(
                        "n{}_{}",
                        zone.map_or("x".to_string(), |z| z.to_string()),
                        n.as_str()
                    );
                    let title = outline::network_title(n);
                    let _ = writeln!(out, "{indent}subgraph {id}[\"{}\"]", label(title));
                    let inner = format!("{indent}  ");
                    for t in list {
                        server(out, t, &inner);
                    }
                    let _ = writeln!(out, "{indent}end");
                    styled.push((id, n));
                }
            }
        }
    };
    let mut drawn_zone = vec![false; design.zones.len()];
    let mut unzoned_drawn = false;
    for s in 0..design.servers.len() {
        let Some(z) = zone_of[s] else {
            // The servers in no zone, each network's together where its first server is.
            if design.servers[s].network.is_none() {
                server(&mut out, s, "  ");
            } else if !std::mem::replace(&mut unzoned_drawn, true) {
                let on: Vec<usize> = (s..design.servers.len())
                    .filter(|&t| zone_of[t].is_none() && design.servers[t].network.is_some())
                    .collect();
                members(&mut out, None, &on, "  ");
            }
            continue;
        };
        if std::mem::replace(&mut drawn_zone[z], true) {
            continue;
        }
        let title = outline::zone_title(&design.zones[z]);
        let _ = writeln!(out, "  subgraph z{z}[\"{}\"]", label(&title));
        let in_zone: Vec<usize> = (s..design.servers.len())
            .filter(|&t| zone_of[t] == Some(z))
            .collect();
        members(&mut out, Some(z), &in_zone, "    ");
        let _ = writeln!(out, "  end");
    }
    // Public networks stand out; private ones are quiet.
    for (id, n) in &styled {
        let fs = style::network_style(*n);
        let dash = if fs.dash == style::Dash::Dotted {
            "2 3"
        } else {
            "6 3"
        };
        let _ = writeln!(
            out,
            "  style {id} fill:{},stroke:{},stroke-width:{}px,stroke-dasharray:{dash}",
            fs.fill.unwrap_or("none"),
            fs.border,
            fs.width
        );
    }
    // Clusters that links or DNS records name are nodes of their own.
    for (k, cluster) in design.clusters.iter().enumerate() {
        if node.get(cluster.id.as_str()) != Some(&format!("k{k}")) {
            continue;
        }
        let text = outline::cluster_text(cluster);
        let _ = writeln!(out, "  k{k}{{{{\"{}\"}}}}", label(&text));
        for (i, c) in design.components.iter().enumerate() {
            if c.cluster.as_deref() == Some(cluster.id.as_str()) {
                let _ = writeln!(out, "  k{k} -.- c{i}");
            }
        }
    }
    for (d, r) in design.dns.iter().enumerate() {
        let name = design.record_name(&r.name);
        let _ = writeln!(out, "  d{d}>\"{}\"]", label(&name));
        if let Some(target) = node.get(r.target.as_str()) {
            let _ = writeln!(out, "  d{d} -.-> {target}");
        }
    }
    // Links, counted in order: Mermaid numbers edges as they appear, for `linkStyle`. The
    // cluster membership and DNS edges above come first.
    let mut edge = out.matches(" -.- ").count() + out.matches(" -.-> ").count();
    let mut link_edges: Vec<(usize, Severity)> = Vec::new();
    for (l, link) in design.links.iter().enumerate() {
        let (Some(from), Some(to)) = (node.get(link.from.as_str()), node.get(link.to.as_str()))
        else {
            continue;
        };
        let mut text = link.protocol.as_str().to_string();
        if let Some(port) = link.port {
            let _ = write!(text, ":{port}");
        }
        if let Some(l) = &link.label {
            let _ = write!(text, " {l}");
        }
        let arrow = match (link.protocol.traffic(), link.encrypted()) {
            (Traffic::Request, true) => "==>",
            (Traffic::Request, false) => "-->",
            _ => "-.->",
        };
        let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", label(&text));
        if let Some(s) = marks.and_then(|m| m.worst(&m.links[l])) {
            link_edges.push((edge, s));
        }
        edge += 1;
    }
    let Some(marks) = marks else {
        return out;
    };
    let _ = writeln!(
        out,
        "  classDef critical fill:#fde2e2,stroke:#b91c1c,stroke-width:3px,color:#111"
    );
    let _ = writeln!(
        out,
        "  classDef high fill:#feecdc,stroke:#c2410c,stroke-width:2px,color:#111"
    );
    let _ = writeln!(
        out,
        "  classDef medium fill:#fef9c3,stroke:#a16207,stroke-width:2px,color:#111"
    );
    let mut classed: [Vec<String>; 3] = Default::default();
    let slot = |s: Severity| match s {
        Severity::Critical => 0,
        Severity::High => 1,
        _ => 2,
    };
    for (i, list) in marks.components.iter().enumerate() {
        if let Some(s) = marks.worst(list) {
            classed[slot(s)].push(format!("c{i}"));
        }
    }
    for (i, list) in marks.servers.iter().enumerate() {
        if let Some(s) = marks.worst(list) {
            classed[slot(s)].push(format!("s{i}"));
        }
    }
    for (ids, s) in classed
        .iter()
        .zip([Severity::Critical, Severity::High, Severity::Medium])
    {
        if !ids.is_empty() {
            let _ = writeln!(out, "  class {} {}", ids.join(","), class(s));
        }
    }
    for (e, s) in link_edges {
        let color = match s {
            Severity::Critical => "#b91c1c",
            Severity::High => "#c2410c",
            _ => "#a16207",
        };
        let _ = writeln!(out, "  linkStyle {e} stroke:{color},stroke-width:3px");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::reference;

    #[test]
    fn labels_cannot_break_out_of_their_string() {
        assert_eq!(label("a \"b\" <c>"), "a #quot;b#quot; #lt;c#gt;");
        assert_eq!(label("x|y#z"), "x#124;y#35;z");
        assert_eq!(label("two\nlines\u{7}"), "two<br>lines");
    }

    #[test]
    fn design_two_has_a_subgraph_per_server_and_marked_findings() {
        let d = reference("02-distributed.toml");
        let marks = Marks::new(&d);
        let m = to_mermaid(&d, Some(&marks));
        assert!(m.starts_with("flowchart LR\n"));
        assert_eq!(m.matches("  subgraph ").count(), d.servers.len());
        assert_eq!(m.matches("\n  end\n").count(), d.servers.len());
        for (i, _) in d.components.iter().enumerate() {
            assert!(m.contains(&format!("c{i}")), "c{i}");
        }
        // Every link is an edge.
        let edges =
            m.matches("-->|").count() + m.matches("==>|").count() + m.matches("-.->|").count();
        assert_eq!(edges, d.links.len());
        // Design 2's SPOFs are critical: a class line names them.
        assert!(m.contains("classDef critical"));
        assert!(
            m.lines()
                .any(|l| l.starts_with("  class ") && l.ends_with(" critical"))
        );
        // The plain link from the user is marked (NO-HTTPS, high).
        assert!(m.contains("linkStyle "));
        // Without marks, no classes.
        let plain = to_mermaid(&d, None);
        assert!(!plain.contains("classDef") && !plain.contains("linkStyle"));
    }

    #[test]
    fn link_styles_count_edges_as_mermaid_does() {
        let d = reference("04-scale-up.toml");
        let marks = Marks::new(&d);
        let m = to_mermaid(&d, Some(&marks));
        let edges: Vec<&str> = m
            .lines()
            .filter(|l| {
                l.contains(" -.- ") || l.contains("-->") || l.contains("==>") || l.contains("-.->")
            })
            .collect();
        for l in m
            .lines()
            .filter(|l| l.trim_start().starts_with("linkStyle "))
        {
            let n: usize = l
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .expect("index");
            assert!(n < edges.len(), "{l}");
        }
        // The cluster is a node, with its members.
        assert!(
            m.contains("k0{{\"lb-cluster (active-active)<br>8.8.8.8\"}}"),
            "{m}"
        );
    }
    #[test]
    fn zones_are_subgraphs_round_their_servers() {
        let mut d = crate::io::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/02-distributed.toml"),
        )
        .expect("loads");
        let plain = to_mermaid(&d, None);
        assert!(!plain.contains("subgraph z"));
        d.zones.push(crate::model::Zone {
            id: "a".into(),
            region: Some("eu".into()),
            ..Default::default()
        });
        d.servers[1].zone = Some("a".into());
        d.servers[2].zone = Some("a".into());
        let m = to_mermaid(&d, None);
        assert!(
            m.contains("  subgraph z0[\"zone a · region eu\"]\n    subgraph s1["),
            "{m}"
        );
        assert_eq!(m.matches("subgraph ").count(), d.servers.len() + 1);
        assert_eq!(m.matches("end\n").count(), d.servers.len() + 1);
    }
}
