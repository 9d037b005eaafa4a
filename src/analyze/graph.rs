//! The request graph the rules reason over: components as nodes, request links as edges
//! (clusters expanded to their members), entered from the clients.

use crate::model::{Design, Kind, Traffic};
use petgraph::algo::dominators::simple_fast;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::VecDeque;
use std::sync::OnceLock;

/// Designs from this many components on are analyzed on two threads (see
/// [`crate::analyze::analyze`]); below it, starting a thread costs more than it saves.
pub const PARALLEL_FROM: usize = 5_000;

/// Per tier, the nodes every request path to all of the tier's instances passes through.
pub type TierSpofs = Vec<(Tier, Vec<usize>)>;

/// How the analyzer decided where requests enter the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// The design has client components.
    Clients,
    /// No clients: the targets of the DNS records.
    DnsTargets,
    /// No clients and no usable DNS record: the components no request link enters.
    Sources,
}

/// The tiers a site needs clients to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    Web,
    App,
    /// Any database, primary or replica: without one, there is no data to serve.
    Data,
    /// Databases that accept writes.
    Primary,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Web, Tier::App, Tier::Data, Tier::Primary];

    pub fn of(c: &crate::model::Component) -> impl Iterator<Item = Tier> {
        let tiers: &[Tier] = match (c.kind, c.db_role()) {
            (Kind::WebServer, _) => &[Tier::Web],
            (Kind::AppServer, _) => &[Tier::App],
            (Kind::Database, Some(crate::model::DbRole::Primary)) => &[Tier::Data, Tier::Primary],
            (Kind::Database, _) => &[Tier::Data],
            _ => &[],
        };
        tiers.iter().copied()
    }

    /// One instance of the tier, in words.
    pub fn singular(self) -> &'static str {
        match self {
            Tier::Web => "web server",
            Tier::App => "application server",
            Tier::Data => "database",
            Tier::Primary => "primary database",
        }
    }

    /// The tiers cut off, in words: "web server, application server and database". Losing
    /// every database already says that the primaries are lost.
    pub fn phrase(tiers: &[Tier]) -> String {
        let words: Vec<&str> = tiers
            .iter()
            .filter(|t| **t != Tier::Primary || !tiers.contains(&Tier::Data))
            .map(|t| t.singular())
            .collect();
        match words.len() {
            0 => String::new(),
            1 => words[0].to_string(),
            n => format!("{} and {}", words[..n - 1].join(", "), words[n - 1]),
        }
    }

    /// The tier's instances, in words.
    pub fn plural(self) -> &'static str {
        match self {
            Tier::Web => "web servers",
            Tier::App => "application servers",
            Tier::Data => "databases",
            Tier::Primary => "primary databases",
        }
    }
}

/// Edges grouped by node in two flat vectors: `adj[n]` is node `n`'s (neighbour, link) pairs,
/// in link order. One allocation instead of one per node.
#[derive(Debug, Default)]
pub struct Adjacency {
    start: Vec<u32>,
    edges: Vec<(usize, usize)>,
}

impl Adjacency {
    /// From (node, neighbour, link) triples over `n` nodes.
    fn build(n: usize, triples: &[(usize, usize, usize)]) -> Adjacency {
        let mut start = vec![0u32; n + 1];
        for &(node, _, _) in triples {
            start[node + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut next: Vec<u32> = start[..n].to_vec();
        let mut edges = vec![(0, 0); triples.len()];
        for &(node, nbr, link) in triples {
            edges[next[node] as usize] = (nbr, link);
            next[node] += 1;
        }
        Adjacency { start, edges }
    }

    /// Each node's edges, in node order.
    pub fn iter(&self) -> impl Iterator<Item = &[(usize, usize)]> {
        self.start
            .windows(2)
            .map(|w| &self.edges[w[0] as usize..w[1] as usize])
    }
}

impl std::ops::Index<usize> for Adjacency {
    type Output = [(usize, usize)];

    fn index(&self, node: usize) -> &[(usize, usize)] {
        &self.edges[self.start[node] as usize..self.start[node + 1] as usize]
    }
}

/// The design as a graph, built once per analysis.
pub struct Ctx<'a> {
    pub design: &'a Design,
    /// The server index of each component.
    pub server_of: Vec<Option<usize>>,
    /// Request edges out of each component: (target, link index).
    pub out: Adjacency,
    /// Request edges into each component: (source, link index).
    pub into: Adjacency,
    pub entries: Vec<usize>,
    pub entry: Entry,
    /// Components that requests from the entries reach.
    pub reachable: Vec<bool>,
    /// Servers that have a firewall installed on them.
    pub host_firewall: Vec<bool>,
    /// The components installed on each server.
    pub hosted: Vec<Vec<usize>>,
    /// Each link's endpoints as ranges into `end_ids` (from, to), resolved once.
    ends: Vec<(u32, u32, u32)>,
    end_ids: Vec<usize>,
    /// The component and server dominators, each computed on first use.
    component_spofs: OnceLock<TierSpofs>,
    server_spofs: OnceLock<TierSpofs>,
}

impl<'a> Ctx<'a> {
    pub fn new(design: &'a Design) -> Ctx<'a> {
        let n = design.components.len();
        let server_of = design.server_of();
        let endpoints = design.endpoints();
        let mut edges: Vec<(usize, usize, usize)> = Vec::with_capacity(design.links.len());
        let mut ends = Vec::with_capacity(design.links.len());
        let mut end_ids = Vec::with_capacity(design.links.len() * 2);
        for (li, l) in design.links.iter().enumerate() {
            let from = endpoints.resolve(&l.from);
            let to = endpoints.resolve(&l.to);
            let start = end_ids.len() as u32;
            end_ids.extend_from_slice(from);
            let mid = end_ids.len() as u32;
            end_ids.extend_from_slice(to);
            ends.push((start, mid, end_ids.len() as u32));
            if l.protocol.traffic() != Traffic::Request {
                continue;
            }
            for &f in from {
                for &t in to {
                    if f != t {
                        edges.push((f, t, li));
                    }
                }
            }
        }
        let out = Adjacency::build(n, &edges);
        for e in &mut edges {
            *e = (e.1, e.0, e.2);
        }
        let into = Adjacency::build(n, &edges);
        drop(edges);
        let mut host_firewall = vec![false; design.servers.len()];
        let mut hosted = vec![Vec::new(); design.servers.len()];
        for (i, (c, s)) in design.components.iter().zip(&server_of).enumerate() {
            if let Some(s) = *s {
                hosted[s].push(i);
                host_firewall[s] |= c.kind == Kind::Firewall;
            }
        }
        let (entries, entry) = find_entries(design, &endpoints, &server_of, &into, &out);
        let mut ctx = Ctx {
            design,
            server_of,
            out,
            into,
            entries,
            entry,
            reachable: Vec::new(),
            host_firewall,
            hosted,
            ends,
            end_ids,
            component_spofs: OnceLock::new(),
            server_spofs: OnceLock::new(),
        };
        ctx.reachable = ctx.reach(|_| false, |_, _| true);
        ctx
    }

    pub fn len(&self) -> usize {
        self.design.components.len()
    }

    pub fn is_empty(&self) -> bool {
        self.design.components.is_empty()
    }

    pub fn kind(&self, i: usize) -> Kind {
        self.design.components[i].kind
    }

    pub fn id(&self, i: usize) -> &'a str {
        &self.design.components[i].id
    }

    /// The components link `link` leaves from (a cluster's members; none if unknown).
    pub fn link_from(&self, link: usize) -> &[usize] {
        let (start, mid, _) = self.ends[link];
        &self.end_ids[start as usize..mid as usize]
    }

    /// The components link `link` goes to (a cluster's members; none if unknown).
    pub fn link_to(&self, link: usize) -> &[usize] {
        let (_, mid, end) = self.ends[link];
        &self.end_ids[mid as usize..end as usize]
    }

    /// Breadth-first reach from the entries, never entering `blocked` components nor crossing
    /// edges that `edge_ok` refuses.
    pub fn reach(
        &self,
        blocked: impl Fn(usize) -> bool,
        edge_ok: impl Fn(usize, usize) -> bool,
    ) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for &e in &self.entries {
            if !blocked(e) && !seen[e] {
                seen[e] = true;
                queue.push_back(e);
            }
        }
        while let Some(n) = queue.pop_front() {
            for &(m, _) in &self.out[n] {
                if !seen[m] && !blocked(m) && edge_ok(n, m) {
                    seen[m] = true;
                    queue.push_back(m);
                }
            }
        }
        seen
    }

    /// Reach from one component, following request links.
    pub fn reach_from(&self, start: usize) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        seen[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for &(m, _) in &self.out[n] {
                if !seen[m] {
                    seen[m] = true;
                    queue.push_back(m);
                }
            }
        }
        seen
    }

    /// The components of each tier that requests reach.
    pub fn tier_members(&self, tier: Tier) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| {
                self.reachable[i] && Tier::of(&self.design.components[i]).any(|t| t == tier)
            })
            .collect()
    }

    /// For each tier, the components every request path to all of the tier's instances
    /// passes through (clients excluded): the single points of failure of that tier.
    pub fn component_spofs(&self) -> &[(Tier, Vec<usize>)] {
        self.component_spofs
            .get_or_init(|| self.compute_component_spofs())
    }

    /// The same over the graph contracted to servers: the servers whose loss cuts a tier off.
    pub fn server_spofs(&self) -> &[(Tier, Vec<usize>)] {
        self.server_spofs
            .get_or_init(|| self.compute_server_spofs())
    }

    fn compute_component_spofs(&self) -> TierSpofs {
        let groups: Vec<usize> = (0..self.len()).collect();
        self.spofs_over(&groups, self.len())
            .into_iter()
            .map(|(t, g)| {
                let comps = g
                    .into_iter()
                    .filter(|&i| self.kind(i) != Kind::Client)
                    .collect();
                (t, comps)
            })
            .collect()
    }

    fn compute_server_spofs(&self) -> TierSpofs {
        let servers = self.design.servers.len();
        // Servers keep their index; a component without a server is a group of its own.
        let mut next = servers;
        let groups: Vec<usize> = self
            .server_of
            .iter()
            .map(|s| {
                s.unwrap_or_else(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        self.spofs_over(&groups, next)
            .into_iter()
            .map(|(t, g)| (t, g.into_iter().filter(|&s| s < servers).collect()))
            .collect()
    }

    /// Dominators over components merged into `groups` (group of each component), from a
    /// virtual root joined to the entries, to a virtual sink per tier joined from its members.
    fn spofs_over(&self, groups: &[usize], group_count: usize) -> Vec<(Tier, Vec<usize>)> {
        let root = group_count;
        let sink_base = group_count + 1;
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(group_count + 5, self.len() * 2);
        for _ in 0..group_count + 1 + Tier::ALL.len() {
            g.add_node(());
        }
        let node = NodeIndex::new;
        for &e in &self.entries {
            g.add_edge(node(root), node(groups[e]), ());
        }
        for (from, outs) in self.out.iter().enumerate() {
            for &(to, _) in outs {
                let (a, b) = (groups[from], groups[to]);
                if a != b {
                    g.add_edge(node(a), node(b), ());
                }
            }
        }
        let mut present = [false; 4];
        for (i, c) in self.design.components.iter().enumerate() {
            for t in Tier::of(c) {
                let ti = t as usize;
                present[ti] = true;
                g.add_edge(node(groups[i]), node(sink_base + ti), ());
            }
        }
        let dom = simple_fast(&g, node(root));
        Tier::ALL
            .iter()
            .filter(|t| present[**t as usize])
            .filter_map(|&t| {
                let sink = node(sink_base + t as usize);
                let chain = dom.dominators(sink)?;
                let mut spofs: Vec<usize> = chain
                    .map(|n| n.index())
                    .filter(|&n| n < group_count)
                    .collect();
                spofs.sort_unstable();
                Some((t, spofs))
            })
            .collect()
    }
}

fn find_entries(
    design: &Design,
    endpoints: &crate::model::Endpoints<'_>,
    server_of: &[Option<usize>],
    into: &Adjacency,
    out: &Adjacency,
) -> (Vec<usize>, Entry) {
    let clients: Vec<usize> = (0..design.components.len())
        .filter(|&i| design.components[i].kind == Kind::Client)
        .collect();
    if !clients.is_empty() {
        return (clients, Entry::Clients);
    }
    let serves = |i: usize| {
        !matches!(
            design.components[i].kind,
            Kind::MonitoringAgent | Kind::MonitoringService | Kind::AppFiles
        )
    };
    let mut entries = Vec::new();
    for r in &design.dns {
        let resolved = endpoints.resolve(&r.target);
        if !resolved.is_empty() {
            entries.extend(resolved);
        } else if let Some(s) = design.servers.iter().position(|s| s.id == r.target) {
            // The components on the server that nothing on the same server feeds.
            let on: Vec<usize> = (0..design.components.len())
                .filter(|&i| server_of[i] == Some(s) && serves(i))
                .collect();
            let fronts: Vec<usize> = on
                .iter()
                .copied()
                .filter(|&i| into[i].iter().all(|&(f, _)| server_of[f] != Some(s)))
                .collect();
            entries.extend(if fronts.is_empty() { on } else { fronts });
        }
    }
    if !entries.is_empty() {
        entries.sort_unstable();
        entries.dedup();
        return (entries, Entry::DnsTargets);
    }
    let sources: Vec<usize> = (0..design.components.len())
        .filter(|&i| serves(i) && into[i].is_empty() && !out[i].is_empty())
        .collect();
    (sources, Entry::Sources)
}
