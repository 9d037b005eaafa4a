//! The design as a Graphviz graph, built with graphviz-rust's structures and printed by its
//! printer. Every id and string from the design is escaped here (see [`super::escape`]):
//! graphviz-rust prints them exactly as given.
//!
//! Node ids are namespaced (`c:` components, `v:` cluster virtual IPs, `r:` DNS records, `s:`
//! empty servers) so that no design id can collide with one the exporter adds.

use super::escape::{html, quoted, tooltip};
use super::style::{self, Dash, FONT, MUTED, RED, TEXT};
use super::{Index, Marks};
use crate::model::{Design, Kind, Network, RecordType, Traffic};
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use rustc_hash::FxHashMap as HashMap;

/// The DOT text of `design`, with the findings marked when `marks` is given.
///
/// The same text as printing [`build`]'s graph whole, but each top-level statement is printed
/// as soon as it is built and then dropped: on a 10k-component design the graph never exists
/// in full, which keeps memory small and the printing cache-friendly.
pub fn to_dot(design: &Design, marks: Option<&Marks>) -> String {
    let mut ctx = PrinterContext::default();
    // Printing the empty graph gives the header and leaves the context as the graph's own
    // statements see it (directed, indented one step).
    let head = Graph::DiGraph {
        id: q(&design.name),
        strict: false,
        stmts: Vec::new(),
    }
    .print(&mut ctx);
    let mut text = String::with_capacity(512 + design.components.len() * 450);
    text.push_str(head.trim_end_matches('}').trim_end());
    text.push('\n');
    let mut out = Emit::Print {
        ctx,
        text,
        first: true,
    };
    emit(design, marks, &mut out);
    match out {
        Emit::Print { mut text, .. } => {
            text.push_str("\n}\n");
            text
        }
        Emit::Keep(_) => String::new(),
    }
}

/// The design as a graphviz-rust graph.
pub fn build(design: &Design, marks: Option<&Marks>) -> Graph {
    let mut out = Emit::Keep(Vec::new());
    emit(design, marks, &mut out);
    let stmts = match out {
        Emit::Keep(stmts) => stmts,
        Emit::Print { .. } => Vec::new(),
    };
    Graph::DiGraph {
        id: q(&design.name),
        strict: false,
        stmts,
    }
}

/// Where statements go: kept in a list, or printed one by one.
enum Emit {
    Keep(Vec<Stmt>),
    Print {
        ctx: PrinterContext,
        text: String,
        first: bool,
    },
}

impl Emit {
    fn push(&mut self, stmt: Stmt) {
        match self {
            Emit::Keep(stmts) => stmts.push(stmt),
            Emit::Print { ctx, text, first } => {
                // The printer joins a graph's statements with newlines.
                if !*first {
                    text.push('\n');
                }
                *first = false;
                text.push_str(&stmt.print(ctx));
            }
        }
    }
}

/// The orange of a cluster's virtual IP and its lines to the members.
const VIP_COLOR: &str = "#ef6c00";

fn q(s: &str) -> Id {
    Id::Escaped(quoted(s))
}

/// An HTML-like label; `body` must already be escaped markup.
///
/// graphviz-rust's parser ends an HTML id at the first `>>`, so a label that does not end in a
/// tag (`<http :80>`) would not read back; such text is wrapped in an attribute-less `FONT`,
/// which Graphviz draws as plain text.
fn h(body: &str) -> Id {
    let mut s = String::with_capacity(body.len() + 16);
    s.push('<');
    if body.is_empty() {
        // Graphviz rejects an empty label, `<>`.
        s.push(' ');
    } else if body.ends_with('>') {
        s.push_str(body);
    } else {
        s.push_str("<FONT>");
        s.push_str(body);
        s.push_str("</FONT>");
    }
    s.push('>');
    Id::Html(s)
}

fn a(key: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(key.to_string()), value)
}

fn aq(key: &str, value: &str) -> Attribute {
    a(key, q(value))
}

/// A `tooltip` of user text: Graphviz expands escapes in tooltips, which [`tooltip`] prevents.
fn tip(text: &str) -> Attribute {
    a("tooltip", Id::Escaped(tooltip(text)))
}

fn node(id: &str, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node::new(NodeId(q(id), None), attributes))
}

fn edge(from: &str, to: &str, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Edge(Edge {
        ty: EdgeTy::Pair(
            Vertex::N(NodeId(q(from), None)),
            Vertex::N(NodeId(q(to), None)),
        ),
        attributes,
    })
}

fn font(color: &str, size: u32, body: &str) -> String {
    // Graphviz rejects an empty FONT element.
    let body = if body.is_empty() { " " } else { body };
    format!("<FONT COLOR=\"{color}\" POINT-SIZE=\"{size}\">{body}</FONT>")
}

fn comp_id(id: &str) -> String {
    format!("c:{id}")
}

fn server_cluster_id(id: &str) -> String {
    format!("cluster s:{id}")
}

/// Rule ids of findings, worst first, in red or orange small print, two to a line.
fn rule_line(marks: &Marks, list: &[usize]) -> Option<String> {
    let rules = marks.rules(list);
    if rules.is_empty() {
        return None;
    }
    let lines: Vec<String> = rules
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|(sev, rule)| {
                    let color = style::severity_color(*sev).unwrap_or(MUTED);
                    font(color, 9, &format!("<B>{}</B>", html(rule)))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Some(lines.join("<BR/>"))
}

fn emit(design: &Design, marks: Option<&Marks>, stmts: &mut Emit) {
    let common = common_link_style(design, marks);
    for stmt in [
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            aq("rankdir", "TB"),
            aq("newrank", "true"),
            aq("compound", "true"),
            aq("fontname", FONT),
            aq("fontsize", "12"),
            aq("fontcolor", TEXT),
            aq("nodesep", "0.3"),
            aq("ranksep", "0.6"),
            aq("pad", "0.3"),
            aq("bgcolor", "white"),
            aq("labelloc", "t"),
            aq("labeljust", "l"),
            a("label", h(&title(design, marks))),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            aq("fontname", FONT),
            aq("fontsize", "11"),
            aq("fontcolor", TEXT),
            aq("margin", "0.12,0.06"),
            aq("penwidth", "1.2"),
            aq("shape", "box"),
            aq("style", "rounded,filled"),
        ])),
        // What most links look like, so that each edge only states how it differs: on a
        // 10k-component design every attribute less is 15k fewer to build and print.
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            aq("fontname", FONT),
            aq("fontsize", "9"),
            aq("arrowsize", "0.7"),
            aq("color", common.color),
            aq("fontcolor", common.color),
            aq("penwidth", &format!("{}", common.width)),
            aq("weight", "2"),
        ])),
    ] {
        stmts.push(stmt);
    }

    // Components grouped by server; those without one sit at the top level.
    let index = Index::new(design);
    // Each component's node id, quoted once and cloned into its edges.
    let node_ids: Vec<Id> = design
        .components
        .iter()
        .map(|c| q(&comp_id(&c.id)))
        .collect();
    let mut on_server: Vec<Vec<usize>> = vec![Vec::new(); design.servers.len()];
    let mut loose = Vec::new();
    for (i, server) in design.server_of().into_iter().enumerate() {
        match server {
            Some(s) => on_server[s].push(i),
            None => loose.push(i),
        }
    }

    // Components on no request path (files, host firewalls, agents).
    let mut on_path = vec![false; design.components.len()];
    for link in design
        .links
        .iter()
        .filter(|l| l.protocol.traffic() == Traffic::Request)
    {
        for i in index
            .expand(&link.from)
            .iter()
            .chain(index.expand(&link.to))
        {
            on_path[*i] = true;
        }
    }

    let mut clients = Vec::new();
    for &i in &loose {
        if design.components[i].kind == Kind::Client {
            clients.push(comp_id(&design.components[i].id));
        }
        stmts.push(component_node(design, i, marks));
    }
    // Clients on the left edge whatever else has rank 0.
    if !clients.is_empty() {
        let mut same = vec![Stmt::Attribute(aq("rank", "min"))];
        same.extend(clients.iter().map(|c| node(c, Vec::new())));
        stmts.push(Stmt::Subgraph(Subgraph {
            id: q("clients"),
            stmts: same,
        }));
    }

    let mut server_frames: Vec<Option<Stmt>> = Vec::with_capacity(design.servers.len());
    for (s, server) in design.servers.iter().enumerate() {
        let flagged = marks.map(|m| &m.servers[s][..]).unwrap_or(&[]);
        let worst = marks.and_then(|m| m.worst(flagged));
        let border = worst
            .and_then(style::severity_color)
            .unwrap_or(style::SERVER_BORDER);
        let mut label = format!("<B>{}</B>", html(server.display_name()));
        if server.label.is_some() {
            label.push_str(&format!("  {}", font(MUTED, 10, &html(&server.id))));
        }
        if let Some(ip) = server.ip.as_deref() {
            label.push_str(&format!("  {}", font(TEXT, 10, &html(ip))));
        }
        if let Some(line) = marks.and_then(|m| rule_line(m, flagged)) {
            let line = line.replace("<BR/>", "<BR ALIGN=\"LEFT\"/>");
            label.push_str(&format!("<BR ALIGN=\"LEFT\"/>{line}<BR ALIGN=\"LEFT\"/>"));
        }
        let mut body = vec![
            Stmt::Attribute(a("label", h(&label))),
            Stmt::Attribute(tip(&format!("server {}", server.id))),
            Stmt::Attribute(aq("style", "rounded,filled")),
            Stmt::Attribute(aq("fillcolor", style::SERVER_FILL)),
            Stmt::Attribute(aq("color", border)),
            Stmt::Attribute(aq(
                "penwidth",
                if worst.and_then(style::severity_color).is_some() {
                    "2.5"
                } else {
                    "1.2"
                },
            )),
            Stmt::Attribute(aq("labeljust", "l")),
            Stmt::Attribute(aq("margin", "10")),
        ];
        if on_server[s].is_empty() {
            body.push(node(
                &format!("s:{}", server.id),
                vec![
                    a("label", h(&font(MUTED, 9, "no components"))),
                    aq("shape", "plaintext"),
                    aq("style", "solid"),
                ],
            ));
        }
        for &i in &on_server[s] {
            body.push(component_node(design, i, marks));
        }
        body.extend(anchor_support(design, &on_server[s], &on_path, &server.id));
        server_frames.push(Some(Stmt::Subgraph(Subgraph {
            id: q(&server_cluster_id(&server.id)),
            stmts: body,
        })));
    }
    // Servers in a zone are drawn inside its frame, where its first server would be, and
    // servers on a network inside the network's frame (in their zone's, if they are in one);
    // a design without zones or networks gets its servers as before.
    let zone_of = design.zone_of();
    // The frames of the servers from `from` on that are in `zone` and on `network`, taken.
    let take = |frames: &mut [Option<Stmt>], from: usize, zone: Option<usize>, network| {
        (from..design.servers.len())
            .filter(|&t| zone_of[t] == zone && design.servers[t].network == network)
            .filter_map(|t| frames[t].take())
            .collect::<Vec<Stmt>>()
    };
    let network_frame = |zone: Option<usize>, network: Network, members: Vec<Stmt>| {
        let fs = style::network_style(network);
        let text = if network == Network::Public {
            style::PUBLIC_TEXT
        } else {
            MUTED
        };
        let zone_id = zone.map_or("", |z| design.zones[z].id.as_str());
        let mut style = vec!["rounded", fs.dash.dot()];
        if fs.fill.is_some() {
            style.push("filled");
        }
        let mut body = vec![
            Stmt::Attribute(a(
                "label",
                h(&font(
                    text,
                    11,
                    &format!("<B>{}</B>", style::network_title(network)),
                )),
            )),
            Stmt::Attribute(tip(&format!("{} network", network.as_str()))),
            Stmt::Attribute(aq("style", &style.join(","))),
            Stmt::Attribute(aq("color", fs.border)),
            Stmt::Attribute(aq("penwidth", &format!("{}", fs.width))),
            Stmt::Attribute(aq("labeljust", "l")),
            Stmt::Attribute(aq("margin", "12")),
        ];
        if let Some(fill) = fs.fill {
            body.push(Stmt::Attribute(aq("fillcolor", fill)));
        }
        body.extend(members);
        Stmt::Subgraph(Subgraph {
            id: q(&format!("cluster n:{zone_id}:{}", network.as_str())),
            stmts: body,
        })
    };
    for s in 0..design.servers.len() {
        if server_frames[s].is_none() {
            continue;
        }
        let network = design.servers[s].network;
        let Some(z) = zone_of[s] else {
            match network {
                None => {
                    if let Some(f) = server_frames[s].take() {
                        stmts.push(f);
                    }
                }
                Some(n) => {
                    let members = take(&mut server_frames, s, None, network);
                    stmts.push(network_frame(None, n, members));
                }
            }
            continue;
        };
        let zone = &design.zones[z];
        let mut label = format!("<B>zone {}</B>", html(zone.display_name()));
        if zone.label.is_some() {
            label.push_str(&format!("  {}", font(MUTED, 10, &html(&zone.id))));
        }
        if let Some(region) = zone.region.as_deref() {
            label.push_str(&format!(
                "  {}",
                font(MUTED, 10, &html(&format!("region {region}")))
            ));
        }
        let mut body = vec![
            Stmt::Attribute(a("label", h(&label))),
            Stmt::Attribute(tip(&format!("zone {}", zone.id))),
            Stmt::Attribute(aq("style", "dashed,rounded")),
            Stmt::Attribute(aq("color", style::ZONE_BORDER)),
            Stmt::Attribute(aq("labeljust", "l")),
            Stmt::Attribute(aq("margin", "14")),
        ];
        for t in s..design.servers.len() {
            if zone_of[t] != Some(z) || server_frames[t].is_none() {
                continue;
            }
            match design.servers[t].network {
                None => body.extend(server_frames[t].take()),
                Some(n) => {
                    let members = take(&mut server_frames, t, Some(z), Some(n));
                    body.push(network_frame(Some(z), n, members));
                }
            }
        }
        stmts.push(Stmt::Subgraph(Subgraph {
            id: q(&format!("cluster z:{}", zone.id)),
            stmts: body,
        }));
    }

    // A cluster with a virtual IP is reached through it: one node for the address, fanning out
    // to the members.
    let mut vip_nodes: HashMap<&str, String> = HashMap::default();
    let dns_targets: Vec<&str> = design.dns.iter().map(|r| r.target.as_str()).collect();
    for cluster in &design.clusters {
        if cluster.vip.is_none() && !dns_targets.contains(&cluster.id.as_str()) {
            continue;
        }
        let id = format!("v:{}", cluster.id);
        let mode = cluster.mode.as_str();
        let mut label = format!(
            "<B>{}</B><BR/>",
            html(cluster.label.as_deref().unwrap_or(&cluster.id))
        );
        let detail = match cluster.vip.as_deref() {
            Some(vip) => format!("VIP {} · {mode}", html(vip)),
            None => mode.to_string(),
        };
        label.push_str(&font(MUTED, 9, &detail));
        stmts.push(node(
            &id,
            vec![
                a("label", h(&label)),
                aq("shape", "box"),
                aq("style", "rounded,dashed,filled"),
                aq("fillcolor", "#fff8e1"),
                aq("color", "#ef6c00"),
                tip(&format!("cluster {}", cluster.id)),
            ],
        ));
        for &m in index.expand(&cluster.id) {
            let m = design.components[m].id.as_str();
            stmts.push(edge(
                &id,
                &comp_id(m),
                vec![
                    aq("color", VIP_COLOR),
                    aq("style", "solid"),
                    aq("arrowhead", "empty"),
                    aq("penwidth", "1"),
                    tip(&format!("{} → {m}", cluster.id)),
                ],
            ));
        }
        vip_nodes.insert(cluster.id.as_str(), id);
    }

    // DNS records: what the clients look up, pointing at what answers.
    for (n, record) in design.dns.iter().enumerate() {
        let id = format!("r:{n}");
        let name = match (record.name.as_str(), design.domain.as_deref()) {
            ("@" | "", Some(d)) => d.to_string(),
            (name, Some(d)) => format!("{name}.{d}"),
            (name, None) => name.to_string(),
        };
        let rtype = match record.record_type {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
        };
        let address = record_address(design, &record.target);
        stmts.push(node(
            &id,
            vec![
                a(
                    "label",
                    h(&format!(
                        "{}<BR/><B>{}</B><BR/>{}",
                        font(MUTED, 9, "DNS record"),
                        html(&name),
                        font(TEXT, 10, &format!("{rtype} → {}", html(&address)))
                    )),
                ),
                aq("shape", "note"),
                aq("style", "filled"),
                aq("fillcolor", style::DNS_FILL),
                aq("color", style::DNS_BORDER),
                tip(&format!("{name} {rtype} {address}")),
            ],
        ));
        for c in &clients {
            stmts.push(edge(
                c,
                &id,
                vec![
                    aq("color", style::DNS_BORDER),
                    aq("fontcolor", style::DNS_BORDER),
                    aq("style", "dashed"),
                    aq("arrowhead", "vee"),
                    a("label", h("lookup")),
                ],
            ));
        }
        let mut attrs = vec![
            aq("color", style::DNS_BORDER),
            aq("style", "dashed"),
            aq("arrowhead", "vee"),
        ];
        let target = if let Some(v) = vip_nodes.get(record.target.as_str()) {
            Some(v.clone())
        } else if index.component(&record.target).is_some() {
            Some(comp_id(&record.target))
        } else if let Some(s) = design.servers.iter().position(|s| s.id == record.target) {
            attrs.push(aq("lhead", &server_cluster_id(&record.target)));
            Some(match on_server[s].first() {
                Some(&i) => comp_id(&design.components[i].id),
                None => format!("s:{}", record.target),
            })
        } else {
            None
        };
        if let Some(t) = target {
            stmts.push(edge(&id, &t, attrs));
        }
    }

    // The links, a cluster endpoint standing for its virtual IP (as a target) or its members.
    for (li, link) in design.links.iter().enumerate() {
        let flagged = marks.map(|m| &m.links[li][..]).unwrap_or(&[]);
        let worst = marks.and_then(|m| m.worst(flagged));
        let ls = style::link_style(link.protocol, link.encrypted(), worst);
        let mut label = style::link_label(link)
            .iter()
            .map(|l| html(l))
            .collect::<Vec<_>>()
            .join("<BR/>");
        if let Some(line) = marks.and_then(|m| rule_line(m, flagged)) {
            label.push_str(&format!("<BR/>{line}"));
        }
        let mut attrs = vec![a("label", h(&label))];
        if ls.color != common.color {
            attrs.push(aq("color", ls.color));
            attrs.push(aq("fontcolor", ls.color));
        }
        if ls.width != common.width {
            attrs.push(aq("penwidth", &format!("{}", ls.width)));
        }
        if ls.dash != Dash::Solid {
            attrs.push(aq("style", ls.dash.dot()));
        }
        match link.protocol.traffic() {
            // Replication runs between peers of one tier; it must not push one of them a rank
            // further down.
            Traffic::Replication => attrs.push(aq("constraint", "false")),
            // Monitoring must not pull the agents about; it only keeps the service below.
            Traffic::Monitoring => attrs.push(aq("weight", "0")),
            Traffic::Request => {}
        }
        let vip = vip_nodes.get(link.to.as_str()).map(|v| q(v));
        let tos: Vec<&Id> = match &vip {
            Some(v) => vec![v],
            None => index
                .expand(&link.to)
                .iter()
                .map(|&t| &node_ids[t])
                .collect(),
        };
        for &f in index.expand(&link.from) {
            for &t in &tos {
                stmts.push(Stmt::Edge(Edge {
                    ty: EdgeTy::Pair(
                        Vertex::N(NodeId(node_ids[f].clone(), None)),
                        Vertex::N(NodeId(t.clone(), None)),
                    ),
                    attributes: attrs.clone(),
                }));
            }
        }
    }

    // The legend and the findings go in a row below everything (the layout runs top to
    // bottom, so the picture stays about as wide as it is tall): an invisible edge from the
    // deepest component puts them there (newrank ignores rank=max for a node that nothing
    // connects to).
    stmts.push(legend(design, marks, !vip_nodes.is_empty()));
    let mut keys = vec!["legend"];
    if let Some(m) = marks {
        stmts.push(findings_box(m));
        keys.push("findings");
    }
    if let Some(deepest) = deepest(design, &index) {
        for k in keys {
            stmts.push(edge(
                &comp_id(&design.components[deepest].id),
                k,
                vec![aq("style", "invis"), aq("weight", "0")],
            ));
        }
    }
}

/// Components of a server on no request path would all fall into the first rank and
/// stretch the server's frame across the diagram; this puts each of them in the rank of a
/// component of the same server that is on a path (application files with the application
/// server), side by side in the server's frame.
fn anchor_support(design: &Design, members: &[usize], on_path: &[bool], server: &str) -> Vec<Stmt> {
    let main: Vec<usize> = members.iter().copied().filter(|&i| on_path[i]).collect();
    let Some(&first) = main.first() else {
        return Vec::new();
    };
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in members.iter().filter(|&&i| !on_path[i]) {
        let anchor = match design.components[i].kind {
            Kind::AppFiles => main
                .iter()
                .copied()
                .find(|&m| design.components[m].kind == Kind::AppServer)
                .unwrap_or(first),
            _ => first,
        };
        match groups.iter_mut().find(|(a, _)| *a == anchor) {
            Some((_, g)) => g.push(i),
            None => groups.push((anchor, vec![i])),
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(n, (anchor, group))| {
            let mut stmts = vec![Stmt::Attribute(aq("rank", "same"))];
            stmts.extend(
                std::iter::once(anchor)
                    .chain(group)
                    .map(|i| node(&comp_id(&design.components[i].id), Vec::new())),
            );
            Stmt::Subgraph(Subgraph {
                id: q(&format!("rank s:{server} {n}")),
                stmts,
            })
        })
        .collect()
}

/// The component farthest from the clients along links (breadth first), which Graphviz puts
/// in the last rank or near it.
fn deepest(design: &Design, index: &Index) -> Option<usize> {
    let n = design.components.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut has_in = vec![false; n];
    for link in &design.links {
        let tos = index.expand(&link.to);
        for &f in index.expand(&link.from) {
            for &t in tos {
                out[f].push(t);
                has_in[t] = true;
            }
        }
    }
    let mut depth = vec![usize::MAX; n];
    let mut queue = std::collections::VecDeque::new();
    for (i, c) in design.components.iter().enumerate() {
        if c.kind == Kind::Client || !has_in[i] {
            depth[i] = 0;
            queue.push_back(i);
        }
    }
    let mut last = queue.front().copied();
    while let Some(i) = queue.pop_front() {
        last = Some(i);
        for &t in &out[i] {
            if depth[t] == usize::MAX {
                depth[t] = depth[i] + 1;
                queue.push_back(t);
            }
        }
    }
    last.or(if n > 0 { Some(n - 1) } else { None })
}

/// The colour and width most links share, which become the edge defaults so that each edge
/// states only how it differs (on a 10k-component design, 45k fewer attributes to build and
/// print). Ties go to the plain style, so small designs keep plain as the default.
fn common_link_style(design: &Design, marks: Option<&Marks>) -> style::LinkStyle {
    let mut counts: Vec<(style::LinkStyle, usize)> = vec![(
        style::link_style(crate::model::Protocol::Http, false, None),
        0,
    )];
    for (li, link) in design.links.iter().enumerate() {
        let flagged = marks.map(|m| &m.links[li][..]).unwrap_or(&[]);
        let ls = style::link_style(
            link.protocol,
            link.encrypted(),
            marks.and_then(|m| m.worst(flagged)),
        );
        match counts
            .iter_mut()
            .find(|(c, _)| c.color == ls.color && c.width == ls.width)
        {
            Some((_, n)) => *n += 1,
            None => counts.push((ls, 1)),
        }
    }
    let mut best = counts[0];
    for &(ls, n) in &counts[1..] {
        if n > best.1 {
            best = (ls, n);
        }
    }
    best.0
}

/// The address a DNS record's target answers on.
fn record_address(design: &Design, target: &str) -> String {
    if let Some(s) = design.server(target) {
        return s.ip.clone().unwrap_or_else(|| s.id.clone());
    }
    if let Some(c) = design.cluster(target) {
        return c.vip.clone().unwrap_or_else(|| c.id.clone());
    }
    if let Some(ip) = design
        .component(target)
        .and_then(|c| c.server.as_deref())
        .and_then(|s| design.server(s))
        .and_then(|s| s.ip.clone())
    {
        return ip;
    }
    target.to_string()
}

fn title(design: &Design, marks: Option<&Marks>) -> String {
    let mut t = format!(
        "<FONT POINT-SIZE=\"16\"><B>{}</B></FONT>",
        html(&design.name)
    );
    let mut sub = Vec::new();
    if design.domain.is_some() {
        sub.push(html(&design.site_name()));
    }
    sub.push(super::counts_line(design));
    if let Some(m) = marks {
        sub.push(html(&m.summary()));
    }
    t.push_str(&format!(
        "<BR ALIGN=\"LEFT\"/>{}",
        font(MUTED, 10, &sub.join(" · "))
    ));
    if let Some(figures) = marks.and_then(Marks::figures) {
        t.push_str(&format!(
            "<BR ALIGN=\"LEFT\"/>{}",
            font(MUTED, 10, &html(&figures))
        ));
    }
    t
}

fn component_node(design: &Design, i: usize, marks: Option<&Marks>) -> Stmt {
    let c = &design.components[i];
    let ks = style::kind_style(c.kind);
    let flagged = marks.map(|m| &m.components[i][..]).unwrap_or(&[]);
    let outline = marks
        .and_then(|m| m.worst(flagged))
        .and_then(style::severity_color);
    let mut label = format!(
        "{} <B>{}</B>",
        font(ks.border, 13, &c.kind.glyph().to_string()),
        html(c.display_name())
    );
    for line in style::details(c) {
        label.push_str(&format!("<BR/>{}", font(MUTED, 9, &html(&line))));
    }
    // A network of its own, which the frame round its server does not show.
    if let Some(n) = crate::layout::network_mark(design, c) {
        let color = style::network_style(n).border;
        let text = format!("<B>{} network</B>", n.as_str());
        label.push_str(&format!("<BR/>{}", font(color, 9, &text)));
    }
    if let Some(line) = marks.and_then(|m| rule_line(m, flagged)) {
        label.push_str(&format!("<BR/>{line}"));
    }
    let mut attrs = vec![a("label", h(&label))];
    // Boxes are the default shape (rounded, filled); others say what they are.
    if ks.shape != "box" {
        attrs.push(aq("shape", ks.shape));
        attrs.push(aq("style", "filled"));
    }
    attrs.push(aq("fillcolor", ks.fill));
    attrs.push(aq("color", outline.unwrap_or(ks.border)));
    if outline.is_some() {
        attrs.push(aq("penwidth", "3"));
    }
    // No tooltip: Graphviz's default, the node id (`c:<component id>`), names the component,
    // and on large designs every attribute costs.
    Stmt::Node(Node::new(NodeId(q(&comp_id(&c.id)), None), attrs))
}

/// What the colours and lines mean: the kinds this design uses and the looks its lines take.
fn legend(design: &Design, marks: Option<&Marks>, vips: bool) -> Stmt {
    let mut rows = String::from("<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><B>Legend</B></TD></TR>");
    for kind in Kind::ALL {
        if !design.components.iter().any(|c| c.kind == kind) {
            continue;
        }
        let ks = style::kind_style(kind);
        rows.push_str(&format!(
            "<TR><TD BGCOLOR=\"{}\" COLOR=\"{}\">{}</TD><TD ALIGN=\"LEFT\">{}</TD></TR>",
            ks.fill,
            ks.border,
            font(ks.border, 11, &kind.glyph().to_string()),
            html(kind.title())
        ));
    }
    for (fs, text) in style::legend_frames(design) {
        let sample = match fs.dash {
            Dash::Dotted => "╭┈┈┈╮",
            _ => "╭╌╌╌╮",
        };
        rows.push_str(&format!(
            "<TR><TD BGCOLOR=\"{}\">{}</TD><TD ALIGN=\"LEFT\">{}</TD></TR>",
            fs.fill.unwrap_or("white"),
            font(fs.border, 11, sample),
            html(text)
        ));
    }
    let mut lines = style::legend_lines(design, marks);
    if !design.dns.is_empty() {
        lines.push((
            style::DNS_BORDER,
            Dash::Dashed,
            "DNS lookup and answer".to_string(),
        ));
    }
    if vips {
        lines.push((
            VIP_COLOR,
            Dash::Solid,
            "virtual IP to its members".to_string(),
        ));
    }
    for (color, dash, text) in lines {
        let sample = match dash {
            Dash::Solid => "━━━━",
            Dash::Dashed => "━ ━ ━",
            Dash::Dotted => "• • • •",
        };
        rows.push_str(&format!(
            "<TR><TD>{}</TD><TD ALIGN=\"LEFT\">{}</TD></TR>",
            font(color, 11, sample),
            html(&text)
        ));
    }
    let table = format!(
        "<TABLE BORDER=\"1\" COLOR=\"#b0bec5\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"white\">{rows}</TABLE>"
    );
    Stmt::Subgraph(Subgraph {
        id: q("legend"),
        stmts: vec![
            Stmt::Attribute(aq("rank", "sink")),
            node(
                "legend",
                vec![
                    a("label", h(&font(TEXT, 9, &table))),
                    aq("shape", "plaintext"),
                    aq("style", "solid"),
                    aq("margin", "0"),
                ],
            ),
        ],
    })
}

/// The analyzer's findings as a table, worst first.
fn findings_box(marks: &Marks) -> Stmt {
    let mut rows = format!(
        "<TR><TD COLSPAN=\"3\" ALIGN=\"LEFT\"><B>Findings</B>  {}</TD></TR>",
        font(MUTED, 9, &html(&marks.summary()))
    );
    for f in &marks.findings {
        let color = style::severity_color(f.severity).unwrap_or(MUTED);
        // Without the analyzer's backticks. Not in bold: Graphviz places each span by its
        // own font metrics, which renderers do not match, and the words would run together.
        let message = style::message_lines(&f.message, 70)
            .iter()
            .map(|line| line.iter().map(|(text, _)| html(text)).collect::<String>())
            .collect::<Vec<_>>()
            .join("<BR ALIGN=\"LEFT\"/>");
        rows.push_str(&format!(
            "<TR><TD ALIGN=\"LEFT\" VALIGN=\"TOP\">{}</TD><TD ALIGN=\"LEFT\" VALIGN=\"TOP\">{}</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">{}</TD></TR>",
            font(color, 9, &format!("<B>{}</B>", f.severity.as_str().to_uppercase())),
            font(color, 9, &format!("<B>{}</B>", html(f.rule))),
            message
        ));
    }
    let table = format!(
        "<TABLE BORDER=\"1\" COLOR=\"{RED}\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"3\" BGCOLOR=\"#fffafa\">{rows}</TABLE>"
    );
    Stmt::Subgraph(Subgraph {
        id: q("findings"),
        stmts: vec![
            Stmt::Attribute(aq("rank", "sink")),
            node(
                "findings",
                vec![
                    a("label", h(&font(TEXT, 9, &table))),
                    aq("shape", "plaintext"),
                    aq("style", "solid"),
                    aq("margin", "0"),
                ],
            ),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, ClusterMode, Component, DnsRecord, Link, Protocol, Server};
    use graphviz_rust::dot_structures::Graph;

    fn reference(name: &str) -> Design {
        crate::templates::template(name).expect("reference design parses")
    }

    fn parse(dot: &str) -> Graph {
        graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("DOT does not parse back: {e}\n{dot}"))
    }

    /// Every statement of a graph, subgraphs flattened.
    fn stmts(g: &Graph) -> Vec<Stmt> {
        fn walk(stmts: &[Stmt], out: &mut Vec<Stmt>) {
            for s in stmts {
                if let Stmt::Subgraph(sg) = s {
                    walk(&sg.stmts, out);
                }
                out.push(s.clone());
            }
        }
        let (Graph::DiGraph { stmts, .. } | Graph::Graph { stmts, .. }) = g;
        let mut out = Vec::new();
        walk(stmts, &mut out);
        out
    }

    fn node_attr(g: &Graph, id: &str, key: &str) -> Option<String> {
        let want = Id::Escaped(quoted(id));
        stmts(g).into_iter().find_map(|s| match s {
            Stmt::Node(n) if n.id.0 == want => n.attributes.iter().find_map(|Attribute(k, v)| {
                (k == &Id::Plain(key.to_string())).then(|| match v {
                    Id::Html(s) | Id::Escaped(s) | Id::Plain(s) | Id::Anonymous(s) => s.clone(),
                })
            }),
            _ => None,
        })
    }

    #[test]
    fn every_reference_design_parses_back_plain_and_annotated() {
        for (name, _, _) in crate::templates::TEMPLATES {
            let d = reference(name);
            for marks in [None, Some(Marks::new(&d))] {
                let g = parse(&to_dot(&d, marks.as_ref()));
                let nodes = stmts(&g)
                    .iter()
                    .filter(|s| matches!(s, Stmt::Node(n) if !n.attributes.is_empty()))
                    .count();
                // Components, DNS records, VIP nodes, legend (and findings).
                assert!(nodes > d.components.len(), "{name}: {nodes} nodes");
            }
        }
    }

    #[test]
    fn ids_are_quoted_so_dashes_and_dots_do_not_split_them() {
        let mut d = Design::new("ids");
        d.servers.push(Server {
            id: "10.0.0.1".into(),
            ip: Some("10.0.0.1".into()),
            label: None,
            ..Default::default()
        });
        let mut web = Component::new("web-1", Kind::WebServer);
        web.server = Some("10.0.0.1".into());
        d.components.push(web);
        d.components.push(Component::new("user", Kind::Client));
        d.links.push(Link {
            from: "user".into(),
            to: "web-1".into(),
            protocol: Protocol::Http,
            port: None,
            label: None,
        });
        let dot = to_dot(&d, None);
        assert!(dot.contains("\"c:user\" -> \"c:web-1\""), "{dot}");
        assert!(dot.contains("subgraph \"cluster s:10.0.0.1\""), "{dot}");
        parse(&dot);
    }

    #[test]
    fn hostile_labels_are_escaped_and_read_back_as_written() {
        let nasty = "say \"hi\" \\ back\nline 2 <b>{x}|&amp; ünï ☃";
        let mut d = Design::new(nasty);
        d.domain = Some("ex\"ample.com".into());
        d.servers.push(Server {
            id: "s\"1".into(),
            ip: Some("10.0.0.1\\".into()),
            label: Some(nasty.into()),
            ..Default::default()
        });
        d.clusters.push(Cluster {
            id: "pair".into(),
            mode: ClusterMode::ActiveActive,
            vip: Some("<vip>".into()),
            label: Some(nasty.into()),
        });
        let mut c = Component::new("web \"1\"\\", Kind::WebServer);
        c.label = Some(nasty.into());
        c.software = Some("Nginx <1.2> & {co}".into());
        c.server = Some("s\"1".into());
        c.cluster = Some("pair".into());
        d.components.push(c);
        d.components.push(Component::new("user", Kind::Client));
        d.dns.push(DnsRecord {
            name: "w<w>w".into(),
            record_type: RecordType::A,
            target: "pair".into(),
        });
        d.links.push(Link {
            from: "user".into(),
            to: "pair".into(),
            protocol: Protocol::Https,
            port: Some(443),
            label: Some(nasty.into()),
        });
        let dot = to_dot(&d, Some(&Marks::new(&d)));
        let g = parse(&dot);
        let label = node_attr(&g, "c:web \"1\"\\", "label").expect("node found by its id");
        assert!(
            // Graphviz reads `\\` in an HTML label as one backslash.
            label.contains("say &quot;hi&quot; \\\\ back<BR/>line 2 &lt;b&gt;{x}|&amp;amp; ünï ☃"),
            "{label}"
        );
        assert!(label.contains("Nginx &lt;1.2&gt; &amp; {co}"), "{label}");
        assert!(
            dot.contains(r#"tooltip="server s\"1""#),
            "the server's tooltip, a quoted string"
        );
    }

    #[test]
    fn styles_tell_encrypted_replication_and_monitoring_apart() {
        let d = reference("secured-monitored");
        let dot = to_dot(&d, None);
        let line = |from: &str, to: &str| {
            dot.lines()
                .find(|l| l.contains(&format!("\"c:{from}\" -> \"c:{to}\"")))
                .unwrap_or_else(|| panic!("edge {from} -> {to}"))
                .to_string()
        };
        assert!(line("user", "haproxy").contains(style::ENCRYPTED));
        assert!(line("user", "haproxy").contains("https :443"));
        // Plain links take the edge defaults, which are the plain style.
        assert!(!line("haproxy", "nginx-1").contains("color="));
        assert!(dot.contains(&format!(
            "edge[fontname=\"Helvetica\" fontsize=\"9\" arrowsize=\"0.7\" color=\"{}\"",
            style::PLAIN
        )));
        assert!(line("mysql-primary", "mysql-replica").contains("style=\"dashed\""));
        assert!(line("agent-web-01", "sumologic").contains("style=\"dotted\""));
        assert!(dot.contains("rankdir=\"TB\""));
        assert!(dot.contains("www.foobar.com"));
        assert!(dot.contains("<B>Legend</B>"));
    }

    #[test]
    fn annotate_marks_spofs_and_insecure_links_in_red_with_a_findings_box() {
        let d2 = reference("distributed");
        let dot = to_dot(&d2, Some(&Marks::new(&d2)));
        let haproxy = dot
            .lines()
            .find(|l| l.trim_start().starts_with("\"c:haproxy\"["))
            .expect("haproxy node");
        assert!(haproxy.contains(&format!("color=\"{RED}\"")), "{haproxy}");
        assert!(haproxy.contains("SPOF-COMPONENT"), "{haproxy}");
        // Design 1's one server is the SPOF: the finding is drawn on its frame.
        let d = reference("simple");
        let dot = to_dot(&d, Some(&Marks::new(&d)));
        let server = dot.find("SPOF-SERVER").expect("server tagged");
        assert!(server < dot.find("\"c:nginx\"[").expect("nginx"));
        let http = dot
            .lines()
            .find(|l| l.contains("\"c:user\" -> \"c:nginx\""))
            .expect("user -> nginx");
        assert!(http.contains(RED) && http.contains("NO-HTTPS"), "{http}");
        assert!(dot.contains("<B>Findings</B>"));
        assert!(!to_dot(&d, None).contains("NO-HTTPS"));
    }

    #[test]
    fn printing_statement_by_statement_matches_printing_the_graph() {
        for (name, _, _) in crate::templates::TEMPLATES {
            let d = reference(name);
            let marks = Marks::new(&d);
            for m in [None, Some(&marks)] {
                let whole = build(&d, m).print(&mut PrinterContext::default()) + "\n";
                assert_eq!(to_dot(&d, m), whole, "{name}");
            }
        }
        let empty = Design::new("empty");
        let whole = build(&empty, None).print(&mut PrinterContext::default()) + "\n";
        assert_eq!(to_dot(&empty, None), whole);
    }

    #[test]
    fn zones_are_frames_around_their_servers() {
        let mut d = reference("02-distributed.toml");
        assert!(!to_dot(&d, None).contains("cluster z:"));
        d.zones.push(crate::model::Zone {
            id: "eu-1a".into(),
            region: Some("eu-1".into()),
            ..Default::default()
        });
        d.servers[0].zone = Some("eu-1a".into());
        d.servers[2].zone = Some("eu-1a".into());
        let g = parse(&to_dot(&d, None));
        let zone = stmts(&g)
            .into_iter()
            .find_map(|s| match s {
                Stmt::Subgraph(sg) if sg.id == q("cluster z:eu-1a") => Some(sg),
                _ => None,
            })
            .expect("a zone frame");
        let inside: Vec<Id> = zone
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Subgraph(sg) => Some(sg.id.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            inside,
            [
                q(&server_cluster_id(&d.servers[0].id)),
                q(&server_cluster_id(&d.servers[2].id))
            ]
        );
        assert!(to_dot(&d, None).contains("region eu-1"));
    }

    #[test]
    fn dot_is_deterministic() {
        let d = reference("scale-up");
        assert_eq!(
            to_dot(&d, Some(&Marks::new(&d))),
            to_dot(&d, Some(&Marks::new(&d)))
        );
    }
}
