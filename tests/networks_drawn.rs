//! Networks as every export draws them: a group per network inside its zone's group, holding
//! exactly the servers on that network in that zone, and a mark on a component whose own
//! network its server's group does not show.

use graphviz_rust::dot_structures::{Graph, Id, Stmt};
use infraplan::export::{d2, dot, mermaid};
use infraplan::model::{Design, Network};
use std::collections::BTreeMap;

fn example() -> Design {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones-eu-west-1.toml");
    infraplan::io::load(&path).expect("the zones example loads")
}

/// The example without zones: its servers on the two networks only.
fn without_zones() -> Design {
    let mut d = example();
    d.zones.clear();
    for s in &mut d.servers {
        s.zone = None;
    }
    d
}

/// Where each server should be drawn: the groups round it, outermost first, as
/// ("zone", id) and ("network", public|private).
fn expected(d: &Design) -> BTreeMap<String, Vec<(String, String)>> {
    d.servers
        .iter()
        .map(|s| {
            let mut groups = Vec::new();
            if let Some(z) = &s.zone {
                groups.push(("zone".to_string(), z.clone()));
            }
            if let Some(n) = s.network {
                groups.push(("network".to_string(), n.as_str().to_string()));
            }
            (s.id.clone(), groups)
        })
        .collect()
}

fn id_text(id: &Id) -> String {
    let s = match id {
        Id::Escaped(s) => s.trim_matches('"').to_string(),
        Id::Plain(s) | Id::Html(s) | Id::Anonymous(s) => s.clone(),
    };
    s.replace("\\\"", "\"")
}

/// Every server cluster of a DOT graph with the zone and network clusters round it.
fn dot_groups(g: &Graph) -> BTreeMap<String, Vec<(String, String)>> {
    fn walk(
        stmts: &[Stmt],
        around: &mut Vec<(String, String)>,
        out: &mut BTreeMap<String, Vec<(String, String)>>,
    ) {
        for st in stmts {
            let Stmt::Subgraph(sub) = st else { continue };
            let id = id_text(&sub.id);
            if let Some(server) = id.strip_prefix("cluster s:") {
                out.insert(server.to_string(), around.clone());
                continue;
            }
            let group = if let Some(z) = id.strip_prefix("cluster z:") {
                Some(("zone".to_string(), z.to_string()))
            } else {
                id.strip_prefix("cluster n:").map(|rest| {
                    let (_, net) = rest.rsplit_once(':').expect("zone:network");
                    ("network".to_string(), net.to_string())
                })
            };
            match group {
                Some(g) => {
                    around.push(g);
                    walk(&sub.stmts, around, out);
                    around.pop();
                }
                None => walk(&sub.stmts, around, out),
            }
        }
    }
    let Graph::DiGraph { stmts, .. } = g else {
        panic!("a digraph")
    };
    let mut out = BTreeMap::new();
    walk(stmts, &mut Vec::new(), &mut out);
    out
}

#[test]
fn dot_nests_networks_in_zones_round_their_servers() {
    for d in [example(), without_zones()] {
        let g = dot::build(&d, None);
        assert_eq!(dot_groups(&g), expected(&d));
        let text = dot::to_dot(&d, None);
        // Public is filled amber and says it faces the internet; the legend explains both.
        assert!(text.contains("public network · internet-facing"), "{text}");
        assert!(text.contains("fillcolor=\"#fff8e1\""), "{text}");
        assert!(text.contains("public network: reachable from the internet"));
        assert!(text.contains("private network: reached only through its links"));
        // The agents on the public load balancers are on the private network themselves.
        let mark = "POINT-SIZE=\"9\"><B>private network</B>";
        assert_eq!(text.matches(mark).count(), 2, "{text}");
    }
}

/// Every server subgraph (`s<n>`) of a Mermaid flowchart with the subgraphs round it.
fn mermaid_groups(d: &Design, text: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let id = rest.split('[').next().expect("an id").to_string();
            if let Some(n) = id.strip_prefix('s').and_then(|n| n.parse::<usize>().ok()) {
                let around = stack
                    .iter()
                    .map(|g| match g.strip_prefix('z') {
                        Some(z) => {
                            let z: usize = z.parse().expect("a zone index");
                            ("zone".to_string(), d.zones[z].id.clone())
                        }
                        None => {
                            let (_, net) = g.rsplit_once('_').expect("n<zone>_<network>");
                            ("network".to_string(), net.to_string())
                        }
                    })
                    .collect();
                out.insert(d.servers[n].id.clone(), around);
            }
            stack.push(id);
        } else if line == "end" {
            stack.pop();
        }
    }
    assert!(stack.is_empty(), "every subgraph ends");
    out
}

#[test]
fn mermaid_nests_networks_in_zones_round_their_servers() {
    for d in [example(), without_zones()] {
        let text = mermaid::to_mermaid(&d, None);
        assert_eq!(mermaid_groups(&d, &text), expected(&d), "{text}");
        assert!(text.contains("[\"public network · internet-facing\"]"));
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("style n") && l.contains("fill:#fff8e1")),
            "public stands out: {text}"
        );
        assert_eq!(text.matches("Sumologic<br>private network").count(), 2);
        // Annotated, the classes still name real nodes and links.
        let annotated = mermaid::to_mermaid(&d, Some(&infraplan::export::Marks::new(&d)));
        assert_eq!(mermaid_groups(&d, &annotated), expected(&d));
    }
}

/// Every server container (`s<n>`) of a D2 diagram with the containers round it.
fn d2_groups(d: &Design, text: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line == "}" {
            stack.pop();
            continue;
        }
        let Some((key, rest)) = line.split_once(": ") else {
            continue;
        };
        // A container opens a block of its own on its line; `{...}` closed on the same line
        // is attributes.
        if !rest.ends_with('{') || key.contains(' ') {
            continue;
        }
        if let Some(n) = key.strip_prefix('s').and_then(|n| n.parse::<usize>().ok()) {
            let around = stack
                .iter()
                .filter_map(|g| {
                    if let Some(net) = g.strip_prefix("net_") {
                        Some(("network".to_string(), net.to_string()))
                    } else {
                        let z: usize = g.strip_prefix('z')?.parse().ok()?;
                        Some(("zone".to_string(), d.zones[z].id.clone()))
                    }
                })
                .collect();
            out.insert(d.servers[n].id.clone(), around);
        }
        stack.push(key.to_string());
    }
    out
}

#[test]
fn d2_nests_networks_in_zones_round_their_servers() {
    for d in [example(), without_zones()] {
        let text = d2::to_d2(&d, None);
        assert_eq!(d2_groups(&d, &text), expected(&d), "{text}");
        // Links address components through their groups.
        let nginx = d
            .components
            .iter()
            .position(|c| c.id == "nginx-1")
            .expect("nginx-1");
        let path = if d.zones.is_empty() {
            format!("net_private.s2.c{nginx}")
        } else {
            format!("z0.net_private.s2.c{nginx}")
        };
        assert!(text.contains(&format!("-> {path}:")), "{path} in {text}");
        assert!(text.contains("fill: \"#fff8e1\""), "public stands out");
        assert_eq!(text.matches("Sumologic\\nprivate network").count(), 2);
    }
}

#[test]
fn designs_without_networks_draw_no_network_groups() {
    let mut d = example();
    for s in &mut d.servers {
        s.network = None;
    }
    for c in &mut d.components {
        c.network = None;
    }
    assert!(!dot::to_dot(&d, None).contains("cluster n:"));
    assert!(!mermaid::to_mermaid(&d, None).contains("subgraph n"));
    assert!(!d2::to_d2(&d, None).contains("net_"));
    let svg = infraplan::export::svg::to_svg(&d, None);
    assert!(!svg.contains("class=\"network\"") && !svg.contains("class=\"netmark\""));
    // A component on a network of its own is marked even where no server is on one.
    d.components[0].network = Some(Network::Public);
    assert!(mermaid::to_mermaid(&d, None).contains("user<br>public network"));
}

#[test]
fn a_public_component_on_a_private_server_is_marked_in_every_format() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/networks-exposed-admin.toml");
    let d = infraplan::io::load(&path).expect("the networks example loads");
    let g = dot::build(&d, None);
    assert_eq!(dot_groups(&g), expected(&d));
    let text = dot::to_dot(&d, None);
    // The admin panel on the private app server, and the CDN on no server.
    assert_eq!(
        text.matches("POINT-SIZE=\"9\"><B>public network</B>")
            .count(),
        2
    );
    let m = mermaid::to_mermaid(&d, None);
    assert_eq!(mermaid_groups(&d, &m), expected(&d));
    assert!(m.contains("Django admin<br>public network"), "{m}");
    assert!(m.contains("CloudFront<br>public network"), "{m}");
    let t = d2::to_d2(&d, None);
    assert_eq!(d2_groups(&d, &t), expected(&d));
    assert!(t.contains("Django admin\\npublic network"), "{t}");
    let svg = infraplan::export::svg::to_svg(&d, None);
    assert_eq!(svg.matches("<g class=\"netmark\">").count(), 2);
    assert_eq!(svg.matches("<g class=\"network\"").count(), 2);
}
