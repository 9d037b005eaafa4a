//! D2 diagrams of a design (<https://d2lang.com>): one container per server holding its
//! components, shapes by kind, DNS records and the clusters that links name, and findings
//! marked with classes (`critical`, `high`, `medium`) on what they concern.
//!
//! Keys are generated (`c0`, `s0`, `k0`, `d0`) so no id from a design can break the syntax;
//! a component in a server is addressed as `s0.c1` in links. Labels are double-quoted strings.

use super::Marks;
use super::outline;
use super::style;
use crate::analyze::Severity;
use crate::model::{Design, Kind, Network, Traffic};
use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write;

/// A double-quoted D2 string: `"` and `\` escaped, line breaks as `\n`, control characters
/// dropped.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Client => "person",
        Kind::Database => "cylinder",
        Kind::LoadBalancer => "hexagon",
        Kind::Firewall => "parallelogram",
        Kind::Queue => "queue",
        Kind::Cdn | Kind::Dns => "cloud",
        Kind::ObjectStorage => "stored_data",
        Kind::MonitoringService => "circle",
        _ => "rectangle",
    }
}

fn class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        _ => "medium",
    }
}

/// The D2 diagram of `design`; with `marks`, findings at medium or worse are classes.
pub fn to_d2(design: &Design, marks: Option<&Marks>) -> String {
    let mut out = String::with_capacity(64 + design.components.len() * 64);
    let _ = writeln!(out, "# {}", design.name.replace('\n', " "));
    let _ = writeln!(out, "direction: right");
    if marks.is_some() {
        out.push_str(concat!(
            "classes: {\n",
            "  critical: {style: {stroke: \"#b91c1c\"; stroke-width: 3; fill: \"#fde2e2\"}}\n",
            "  high: {style: {stroke: \"#c2410c\"; stroke-width: 2; fill: \"#feecdc\"}}\n",
            "  medium: {style: {stroke: \"#a16207\"; stroke-width: 2; fill: \"#fef9c3\"}}\n",
            "}\n",
        ));
    }
    let worst = |list: &[usize]| marks.and_then(|m| m.worst(list));
    // Where each id is drawn: its key path.
    let (on_server, loose) = outline::by_server(design);
    // A server in a zone is a container inside the zone's: `z0.s1`; a server on a network
    // inside the network's: `z0.net_public.s1`, `net_private.s2`.
    let zone_of = design.zone_of();
    let net_key = |n: Network| format!("net_{}", n.as_str());
    let server_path = |s: usize| {
        let mut p = String::new();
        if let Some(z) = zone_of[s] {
            let _ = write!(p, "z{z}.");
        }
        if let Some(n) = design.servers[s].network {
            let _ = write!(p, "{}.", net_key(n));
        }
        let _ = write!(p, "s{s}");
        p
    };
    let mut path: HashMap<&str, String> = HashMap::default();
    for (s, ids) in on_server.iter().enumerate() {
        for &i in ids {
            path.insert(
                design.components[i].id.as_str(),
                format!("{}.c{i}", server_path(s)),
            );
        }
    }
    for &i in &loose {
        path.insert(design.components[i].id.as_str(), format!("c{i}"));
    }
    for (i, s) in design.servers.iter().enumerate() {
        path.entry(s.id.as_str()).or_insert_with(|| server_path(i));
    }
    for (i, k) in design.clusters.iter().enumerate() {
        path.entry(k.id.as_str()).or_insert_with(|| format!("k{i}"));
    }
    let component = |out: &mut String, i: usize, indent: &str| {
        let c = &design.components[i];
        let text = outline::component_text(design, c);
        let mut attrs = format!("shape: {}", shape(c.kind));
        if let Some(s) = marks.and_then(|m| m.worst(&m.components[i])) {
            let _ = write!(attrs, "; class: {}", class(s));
        }
        let _ = writeln!(out, "{indent}c{i}: {} {{{attrs}}}", quoted(&text));
    };
    for i in loose {
        component(&mut out, i, "");
    }
    let server = |out: &mut String, s: usize, indent: &str| {
        let title = outline::server_title(&design.servers[s], "\n");
        let _ = writeln!(out, "{indent}s{s}: {} {{", quoted(&title));
        if let Some(sev) = marks.and_then(|m| m.worst(&m.servers[s])) {
            let _ = writeln!(out, "{indent}  class: {}", class(sev));
        }
        let inner = format!("{indent}  ");
        for &i in &on_server[s] {
            component(out, i, &inner);
        }
        let _ = writeln!(out, "{indent}}}");
    };
    let members = |out: &mut String, servers: &[usize], indent: &str| {
        for m in outline::by_network(design, servers) {
            match m {
                outline::Member::Server(t) => server(out, t, indent),
                outline::Member::Network(n, list) => {
                    let fs = style::network_style(n);
                    let _ = writeln!(
                        out,
                        "{indent}{}: {} {{",
                        net_key(n),
                        quoted(outline::network_title(n))
                    );
                    let _ = writeln!(
                        out,
                        "{indent}  style: {{stroke: \"{}\"; stroke-width: {}; stroke-dash: {}{}}}",
                        fs.border,
                        fs.width.round() as i32,
                        if fs.dash == style::Dash::Dotted { 2 } else { 4 },
                        fs.fill
                            .map(|f| format!("; fill: \"{f}\""))
                            .unwrap_or_default()
                    );
                    let inner = format!("{indent}  ");
                    for t in list {
                        server(out, t, &inner);
                    }
                    let _ = writeln!(out, "{indent}}}");
                }
            }
        }
    };
    let mut drawn_zone = vec![false; design.zones.len()];
    let mut unzoned_drawn = false;
    for s in 0..design.servers.len() {
        let Some(z) = zone_of[s] else {
            if design.servers[s].network.is_none() {
                server(&mut out, s, "");
            } else if !std::mem::replace(&mut unzoned_drawn, true) {
                let on: Vec<usize> = (s..design.servers.len())
                    .filter(|&t| zone_of[t].is_none() && design.servers[t].network.is_some())
                    .collect();
                members(&mut out, &on, "");
            }
            continue;
        };
        if std::mem::replace(&mut drawn_zone[z], true) {
            continue;
        }
        let _ = writeln!(
            out,
            "z{z}: {} {{\n  style.stroke-dash: 4",
            quoted(&outline::zone_title(&design.zones[z]))
        );
        let in_zone: Vec<usize> = (s..design.servers.len())
            .filter(|&t| zone_of[t] == Some(z))
            .collect();
        members(&mut out, &in_zone, "  ");
        let _ = writeln!(out, "}}");
    }
    for (k, cluster) in design.clusters.iter().enumerate() {
        if path.get(cluster.id.as_str()) != Some(&format!("k{k}")) {
            continue;
        }
        let text = outline::cluster_text(cluster);
        let _ = writeln!(out, "k{k}: {} {{shape: hexagon}}", quoted(&text));
        for c in &design.components {
            if c.cluster.as_deref() == Some(cluster.id.as_str())
                && let Some(p) = path.get(c.id.as_str())
            {
                let _ = writeln!(out, "k{k} -- {p}: {{style.stroke-dash: 3}}");
            }
        }
    }
    for (d, r) in design.dns.iter().enumerate() {
        let name = design.record_name(&r.name);
        let _ = writeln!(out, "d{d}: {} {{shape: page}}", quoted(&name));
        if let Some(target) = path.get(r.target.as_str()) {
            let _ = writeln!(out, "d{d} -> {target}: {{style.stroke-dash: 3}}");
        }
    }
    for (l, link) in design.links.iter().enumerate() {
        let (Some(from), Some(to)) = (path.get(link.from.as_str()), path.get(link.to.as_str()))
        else {
            continue;
        };
        let mut text = link.protocol.as_str().to_string();
        if let Some(port) = link.port {
            let _ = write!(text, ":{port}");
        }
        if let Some(label) = &link.label {
            let _ = write!(text, " {label}");
        }
        let mut attrs = Vec::new();
        if link.protocol.traffic() != Traffic::Request {
            attrs.push("style.stroke-dash: 3".to_string());
        } else if link.encrypted() {
            attrs.push("style.stroke-width: 3".to_string());
        }
        if let Some(s) = marks.and_then(|m| worst(&m.links[l])) {
            attrs.push(format!("class: {}", class(s)));
        }
        let _ = if attrs.is_empty() {
            writeln!(out, "{from} -> {to}: {}", quoted(&text))
        } else {
            writeln!(
                out,
                "{from} -> {to}: {} {{{}}}",
                quoted(&text),
                attrs.join("; ")
            )
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::reference;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quoted("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }

    /// Braces balance outside strings, and every edge's ends are declared keys.
    fn assert_well_formed(text: &str) {
        let mut depth = 0i32;
        let mut in_string = false;
        let mut escaped = false;
        for c in text.chars() {
            match (in_string, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => in_string = false,
                (false, _, '"') => in_string = true,
                (false, _, '{') => depth += 1,
                (false, _, '}') => {
                    depth -= 1;
                    assert!(depth >= 0, "unbalanced: {text}");
                }
                _ => {}
            }
        }
        assert_eq!(depth, 0, "{text}");
        assert!(!in_string);
        let declared: std::collections::HashSet<String> = text
            .lines()
            .filter(|l| !l.contains("->") && !l.contains(" -- "))
            .filter_map(|l| {
                let key = l.split(':').next()?.trim();
                (key.starts_with(['c', 's', 'k', 'd']) && !key.contains(' '))
                    .then(|| key.to_string())
            })
            .collect();
        for l in text.lines().filter(|l| l.contains(" -> ")) {
            let (from, rest) = l.split_once(" -> ").expect("edge");
            let to = rest.split(':').next().expect("target").trim();
            for end in [from.trim(), to] {
                let last = end.rsplit('.').next().expect("key");
                assert!(declared.contains(last), "{end} undeclared in {l}");
            }
        }
    }

    #[test]
    fn every_reference_design_draws_well_formed() {
        for name in [
            "01-simple.toml",
            "02-distributed.toml",
            "03-secured-monitored.toml",
            "04-scale-up.toml",
            "05-resilient.toml",
        ] {
            let d = reference(name);
            let marks = Marks::new(&d);
            let text = to_d2(&d, Some(&marks));
            assert_well_formed(&text);
            assert_eq!(
                text.lines()
                    .filter(|l| l.contains(" -> ") && !l.starts_with('d'))
                    .count(),
                d.links.len(),
                "{name}"
            );
            assert_well_formed(&to_d2(&d, None));
        }
    }

    #[test]
    fn findings_are_classes_and_components_sit_in_their_server() {
        let d = reference("01-simple.toml");
        let text = to_d2(&d, Some(&Marks::new(&d)));
        assert!(text.contains("classes: {"));
        assert!(text.contains("class: critical"), "{text}");
        // Design 1's components run on its one server: links address them through it.
        assert!(
            text.lines()
                .any(|l| l.starts_with("s0.c") && l.contains(" -> s0.c")),
            "{text}"
        );
        assert!(!to_d2(&d, None).contains("class"));
    }
    #[test]
    fn zones_are_containers_round_their_servers() {
        let mut d = crate::io::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/02-distributed.toml"),
        )
        .expect("loads");
        d.zones.push(crate::model::Zone {
            id: "a".into(),
            ..Default::default()
        });
        d.servers[1].zone = Some("a".into());
        let out = to_d2(&d, None);
        assert!(out.contains("z0: \"zone a\" {"), "{out}");
        assert!(out.contains("\n  s1: "), "{out}");
        // Links into the zone's server address its components through the zone.
        assert!(out.contains("z0.s1.c"), "{out}");
    }
}
