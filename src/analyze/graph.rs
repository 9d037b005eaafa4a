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

/// A node (component or server) whose loss cuts some entry groups off from some tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spof {
    pub node: usize,
    /// Per entry group cut off (index into [`Ctx::groups`]), the tiers it no longer reaches.
    pub cuts: Vec<(usize, Vec<Tier>)>,
}

impl Spof {
    /// Every tier it cuts off for some group, sorted.
    pub fn tiers(&self) -> Vec<Tier> {
        let mut t: Vec<Tier> = self
            .cuts
            .iter()
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    }
}

/// Clients that enter the site at the same place, and whether they are its public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryGroup {
    /// The clients of the group (none where the entry was inferred).
    pub clients: Vec<usize>,
    /// Where their requests enter: the components they link to (and the DNS records' targets
    /// for clients that query a `dns` component), sorted.
    pub targets: Vec<usize>,
    /// Whether they enter where the DNS records point (the site's users), or there is no way
    /// to tell which clients those are.
    pub public: bool,
}

/// Above this many entry groups, the rest are merged into one, to keep the SPOF pass linear.
const MAX_GROUPS: usize = 16;

/// Whether a component is a network hop requests pass through (a standalone firewall, a
/// router, a name service drawn on the path): neither a TLS endpoint nor a backend.
pub fn pass_through(kind: Kind) -> bool {
    matches!(kind, Kind::Firewall | Kind::Router | Kind::Dns)
}

/// Whether a component without a server runs on a host of its own that the host rules
/// (firewall, monitoring, server SPOF) concern: software the team runs, not a managed service,
/// a client, the provider's DNS or a SaaS.
pub fn own_host(c: &crate::model::Component) -> bool {
    c.server.is_none()
        && !c.redundant
        && matches!(
            c.kind,
            Kind::LoadBalancer
                | Kind::WebServer
                | Kind::AppServer
                | Kind::Cache
                | Kind::Queue
                | Kind::Database
        )
}

/// The databases of a design as the data they hold: which share it, which replica takes over
/// a primary's writes, and which primaries lose their writes with their partner.
#[derive(Debug, Clone, Default)]
pub struct Databases {
    /// Databases grouped by the copies they share ([`database_groups`]).
    pub groups: Vec<Vec<usize>>,
    /// Per component: a replica, on another server than its primary, that the primary's
    /// failover promotes by itself (`failover = "automatic"` or `"vip"`, or an active-passive
    /// cluster): it takes the writes when the primary fails, so it counts as write-capable.
    pub standby: Vec<bool>,
    /// Per component: the other member of a multi-primary group of exactly two (neither
    /// `redundant`). Such a group takes writes only while both are up: one alone has no
    /// majority (DB-QUORUM), with no arbitrator drawn.
    pub partner: Vec<Option<usize>>,
    /// Per component: a member of a group of two, one primary and one copy, of an engine
    /// whose members elect the primary ([`elects`]): neither takes the writes alone, so the
    /// pair's loss of either is DB-QUORUM's finding, not a single point of failure's.
    pub no_election: Vec<bool>,
    /// Per standby: the components that send requests to the primaries it stands by for.
    /// After a failover they send them to it, whether or not the design draws that link (an
    /// application reaches the new primary through a proxy, a DNS name or a virtual IP).
    pub feeds: Vec<Vec<usize>>,
}

impl Databases {
    fn new(ctx: &Ctx) -> Databases {
        let comps = &ctx.design.components;
        let groups = database_groups(ctx);
        let mut standby = vec![false; ctx.len()];
        let mut partner = vec![None; ctx.len()];
        let mut no_election = vec![false; ctx.len()];
        let mut feeds: Vec<Vec<usize>> = vec![Vec::new(); ctx.len()];
        for g in &groups {
            let primaries: Vec<usize> = g
                .iter()
                .copied()
                .filter(|&i| comps[i].db_role() == Some(crate::model::DbRole::Primary))
                .collect();
            // Two primaries, or two members of an engine whose members elect the primary
            // among themselves: one alone has no majority.
            if let [a, b] = g[..]
                && !comps[a].redundant
                && !comps[b].redundant
                && (primaries.len() == 2 || g.iter().any(|&i| elects(&comps[i]).is_some()))
            {
                partner[a] = Some(b);
                partner[b] = Some(a);
                if primaries.len() == 1 {
                    no_election[a] = true;
                    no_election[b] = true;
                }
            }
            for &p in &primaries {
                if comps[p].redundant {
                    continue;
                }
                let server = ctx.server_of[p];
                for &r in g {
                    if comps[r].db_role() == Some(crate::model::DbRole::Replica)
                        && partner[p].is_none()
                        && (server.is_none() || ctx.server_of[r] != server)
                        && matches!(
                            promotion(ctx, p, r),
                            crate::model::Failover::Automatic | crate::model::Failover::Vip
                        )
                    {
                        standby[r] = true;
                        for &(f, _) in &ctx.into[p] {
                            if f != r && !feeds[r].contains(&f) {
                                feeds[r].push(f);
                            }
                        }
                    }
                }
            }
        }
        Databases {
            groups,
            standby,
            partner,
            no_election,
            feeds,
        }
    }
}

/// Database engines whose members elect their primary (or master) by a majority of votes
/// among themselves, with what makes a third vote: a group of two of them has no majority
/// once either member is gone.
pub fn elects(c: &crate::model::Component) -> Option<&'static str> {
    let s = c.software.as_deref()?.to_ascii_lowercase();
    let third = if s.contains("mongo") {
        "a third member or an arbiter (`rs.addArb`)"
    } else if s.contains("elasticsearch") || s.contains("opensearch") {
        "a third master-eligible node (a small voting-only node will do)"
    } else if s.contains("galera") || s.contains("xtradb") {
        "a third node or the Galera arbitrator `garbd`"
    } else if [
        "group replication",
        "innodb cluster",
        "cockroach",
        "rethinkdb",
        "etcd",
        "consul",
        "zookeeper",
    ]
    .iter()
    .any(|e| s.contains(e))
    {
        "a third member"
    } else {
        return None;
    };
    Some(third)
}

/// How copy `r` takes over primary `p`'s writes: the copy's own `failover` where it states
/// one, else the primary's, else a virtual IP where both are in one active-passive cluster
/// (which moves one), else by hand.
pub fn promotion(ctx: &Ctx, p: usize, r: usize) -> crate::model::Failover {
    use crate::model::{ClusterMode, Failover};
    let comps = &ctx.design.components;
    let passive = comps[p].cluster.is_some()
        && comps[p].cluster == comps[r].cluster
        && comps[p]
            .cluster
            .as_deref()
            .and_then(|c| ctx.design.cluster(c))
            .is_some_and(|c| c.mode == ClusterMode::ActivePassive);
    comps[r]
        .failover
        .or(comps[p].failover)
        .unwrap_or(if passive {
            Failover::Vip
        } else {
            Failover::Manual
        })
}

/// Whether a write to primary `p` waits for copy `r`: the copy's own `replication` where it
/// states one, else the primary's, else asynchronous.
pub fn waits_for(ctx: &Ctx, p: usize, r: usize) -> bool {
    let comps = &ctx.design.components;
    comps[r].replication.or(comps[p].replication) == Some(crate::model::ReplicationMode::Sync)
}

/// Databases grouped by the copies they share: joined by a replication link (either way) or
/// by a cluster (a database cluster replicates inside itself). In design order of each
/// group's first member; a database linked to no other is a group of its own.
fn database_groups(ctx: &Ctx) -> Vec<Vec<usize>> {
    let comps = &ctx.design.components;
    let mut parent: Vec<usize> = (0..ctx.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    let is_db = |i: usize| comps[i].kind == Kind::Database;
    for (li, l) in ctx.design.links.iter().enumerate() {
        if l.protocol.traffic() != Traffic::Replication || l.protocol.is_backup() {
            continue;
        }
        for &f in ctx.link_from(li).iter().filter(|&&f| is_db(f)) {
            for &t in ctx.link_to(li).iter().filter(|&&t| is_db(t)) {
                join(&mut parent, f, t);
            }
        }
    }
    let mut first_of: std::collections::HashMap<&str, usize> = Default::default();
    for i in (0..ctx.len()).filter(|&i| is_db(i)) {
        if let Some(cl) = comps[i].cluster.as_deref() {
            match first_of.get(cl) {
                Some(&f) => join(&mut parent, f, i),
                None => {
                    first_of.insert(cl, i);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot: std::collections::HashMap<usize, usize> = Default::default();
    for i in (0..ctx.len()).filter(|&i| is_db(i)) {
        let r = root(&mut parent, i);
        let g = *slot.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

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

    /// The tiers' instances, in words: "web servers and application servers".
    pub fn plural_phrase(tiers: &[Tier]) -> String {
        let words: Vec<&str> = tiers
            .iter()
            .filter(|t| **t != Tier::Primary || !tiers.contains(&Tier::Data))
            .map(|t| t.plural())
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
    /// The DNS records' targets that clients querying a `dns` component go on to.
    pub resolved: Vec<usize>,
    /// The entries grouped by where they enter.
    pub groups: Vec<EntryGroup>,
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
    component_spofs: OnceLock<Vec<Spof>>,
    server_spofs: OnceLock<Vec<Spof>>,
    /// Utilization under failure, computed on first use (see [`super::capacity`]).
    capacity: OnceLock<Option<super::capacity::Capacity>>,
    /// The databases grouped by the data they share, computed on first use.
    databases: OnceLock<Databases>,
    /// Per DNS record, the components its name leads to (as `resolved`, record by record).
    record_hits: Vec<Vec<usize>>,
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
        // A component that takes work from a queue (a link to it) and that no request reaches
        // otherwise is the queue's consumer: the queue feeds it.
        let mut fed = vec![false; n];
        for &(_, t, _) in &edges {
            fed[t] = true;
        }
        let consumers: Vec<(usize, usize, usize)> = edges
            .iter()
            .filter(|&&(f, t, _)| design.components[t].kind == Kind::Queue && !fed[f])
            .filter(|&&(f, _, _)| design.components[f].kind != Kind::Client)
            .map(|&(f, t, l)| (t, f, l))
            .collect();
        edges.extend(consumers);
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
        let record_hits = record_targets(design, &endpoints, &server_of, &into);
        let mut record_targets: Vec<usize> = record_hits.iter().flatten().copied().collect();
        record_targets.sort_unstable();
        record_targets.dedup();
        let (groups, resolved) =
            entry_groups(design, &entries, entry, &out, &record_targets, &record_hits);
        let mut ctx = Ctx {
            design,
            server_of,
            out,
            into,
            entries,
            resolved,
            groups,
            entry,
            reachable: Vec::new(),
            host_firewall,
            hosted,
            ends,
            end_ids,
            component_spofs: OnceLock::new(),
            server_spofs: OnceLock::new(),
            capacity: OnceLock::new(),
            databases: OnceLock::new(),
            record_hits,
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
        for &e in self.entries.iter().chain(&self.resolved) {
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

    /// Breadth-first reach from `seeds` as [`Ctx::reach`] does from the entries.
    pub fn reach_seeds(
        &self,
        seeds: &[usize],
        blocked: impl Fn(usize) -> bool,
        edge_ok: impl Fn(usize, usize) -> bool,
    ) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for &e in seeds {
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

    /// The components the design puts on a public network (their own `network`, else their
    /// server's) with no firewall installed on their server: the internet reaches them
    /// whatever the links say. Empty where the design states no network.
    pub fn internet_facing(&self) -> Vec<usize> {
        let networks = self.design.network_of();
        (0..self.len())
            .filter(|&i| networks[i] == Some(crate::model::Network::Public))
            .filter(|&i| self.kind(i) != Kind::Client)
            .filter(|&i| !self.server_of[i].is_some_and(|s| self.host_firewall[s]))
            .collect()
    }

    /// Breadth-first reach from where entry group `group` enters, never entering `blocked`
    /// components.
    pub fn reach_group(&self, group: usize, blocked: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut queue: VecDeque<usize> = VecDeque::new();
        if let Some(g) = self.groups.get(group) {
            // The clients are reached, but their requests go on only where this group enters:
            // a client that enters once per name it looks up reaches the rest through the
            // other groups.
            for &c in &g.clients {
                seen[c] = !blocked(c);
            }
            for &e in &g.targets {
                if !blocked(e) && !seen[e] {
                    seen[e] = true;
                    queue.push_back(e);
                }
            }
        }
        while let Some(n) = queue.pop_front() {
            for &(m, _) in &self.out[n] {
                if !seen[m] && !blocked(m) {
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
                self.serving(&self.reachable, |_| true, i) && self.tiers(i).any(|t| t == tier)
            })
            .collect()
    }

    /// The host a component runs on for the host rules: its server, or itself when it runs on
    /// a host of its own ([`own_host`]).
    pub fn host(&self, i: usize) -> Option<Host> {
        match self.server_of[i] {
            Some(s) => Some(Host::Server(s)),
            None if own_host(&self.design.components[i]) => Some(Host::Own(i)),
            None => None,
        }
    }

    /// The first components past pass-through hops that `from` sends requests to, each with the
    /// link that leaves `from` towards it, in link order.
    pub fn beyond(&self, from: usize) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        let mut taken: rustc_hash::FxHashSet<usize> = Default::default();
        for &(first, link) in &self.out[from] {
            if !pass_through(self.kind(first)) {
                if taken.insert(first) {
                    found.push((first, link));
                }
                continue;
            }
            let mut seen: rustc_hash::FxHashSet<usize> = [from].into_iter().collect();
            let mut stack = vec![first];
            while let Some(n) = stack.pop() {
                if !seen.insert(n) {
                    continue;
                }
                if pass_through(self.kind(n)) {
                    stack.extend(self.out[n].iter().map(|&(m, _)| m));
                } else if taken.insert(n) {
                    found.push((n, link));
                }
            }
        }
        found
    }

    /// The first components past pass-through hops that `from` sends requests to, each with
    /// the links of one path there (the first leaves `from`, the last enters the component),
    /// one entry per (component, first link, last link), in link order.
    pub fn paths_beyond(&self, from: usize) -> Vec<(usize, Vec<usize>)> {
        let mut found: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut taken: rustc_hash::FxHashSet<(usize, usize, usize)> = Default::default();
        for &(first, link) in &self.out[from] {
            let mut seen: rustc_hash::FxHashSet<usize> = [from].into_iter().collect();
            let mut stack = vec![(first, vec![link])];
            while let Some((n, path)) = stack.pop() {
                if pass_through(self.kind(n)) {
                    if !seen.insert(n) {
                        continue;
                    }
                    for &(m, l) in self.out[n].iter().rev() {
                        let mut p = path.clone();
                        p.push(l);
                        stack.push((m, p));
                    }
                } else if n != from && taken.insert((n, path[0], path[path.len() - 1])) {
                    found.push((n, path));
                }
            }
        }
        found
    }

    /// The components DNS record `r` (an index into the design's records) leads to.
    pub fn record_hits(&self, r: usize) -> &[usize] {
        self.record_hits.get(r).map_or(&[], Vec::as_slice)
    }

    /// The names of the DNS records that lead to component `i`, in record order, once each.
    pub fn records_to(&self, i: usize) -> Vec<&'a str> {
        let mut names: Vec<&'a str> = Vec::new();
        for (r, hits) in self.record_hits.iter().enumerate() {
            let name = self.design.dns[r].name.as_str();
            if hits.contains(&i) && !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// The public entry groups whose requests reach component `i`.
    pub fn public_groups_reaching(&self, i: usize) -> Vec<usize> {
        (0..self.groups.len())
            .filter(|&g| self.groups[g].public && self.reach_group(g, |_| false)[i])
            .collect()
    }

    /// The host names users reach entry groups `groups` by: `www.foobar.com`, or
    /// `api.foobar.com` for a group entering where only the `api` record leads. The site's
    /// name ([`Design::site_name`]) where the groups enter where every record leads, or where
    /// no record leads to them.
    pub fn entrance(&self, groups: impl IntoIterator<Item = usize>) -> String {
        let site = self.design.site_name();
        let Some(domain) = self.design.domain.as_deref() else {
            return site;
        };
        let mut hit = vec![false; self.record_hits.len()];
        for g in groups {
            let targets = &self.groups[g].targets;
            for (r, hits) in self.record_hits.iter().enumerate() {
                hit[r] |= hits.iter().any(|t| targets.binary_search(t).is_ok());
            }
        }
        if hit.iter().all(|&h| h) || !hit.iter().any(|&h| h) {
            return site;
        }
        let mut names: Vec<String> = Vec::new();
        for (r, _) in hit.iter().enumerate().filter(|(_, h)| **h) {
            let name = &self.design.dns[r].name;
            let host = if name == "@" || name.is_empty() {
                domain.to_string()
            } else {
                format!("{name}.{domain}")
            };
            if !names.contains(&host) {
                names.push(host);
            }
        }
        match names.len() {
            1 => names.remove(0),
            n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
        }
    }

    /// The databases grouped by the data they share, with the replicas that take over writes
    /// and the members of groups without a quorum.
    pub fn databases(&self) -> &Databases {
        self.databases.get_or_init(|| Databases::new(self))
    }

    /// The tiers component `i` serves: its kind's ([`Tier::of`]), and the primary tier too
    /// for a replica that is promoted by itself when its primary fails ([`Databases::standby`]).
    pub fn tiers(&self, i: usize) -> impl Iterator<Item = Tier> + '_ {
        let standby = self.databases().standby[i];
        Tier::of(&self.design.components[i]).chain(standby.then_some(Tier::Primary))
    }

    /// Whether component `i` serves the requests of a state in which `reach` says what they
    /// reach and `up` which components are up: reached, or a standby that is up and that the
    /// senders of its primary reach ([`Databases::feeds`]).
    pub fn serving(&self, reach: &[bool], up: impl Fn(usize) -> bool, i: usize) -> bool {
        reach[i]
            || (self.databases().standby[i]
                && up(i)
                && self.databases().feeds[i].iter().any(|&f| reach[f]))
    }

    /// For each component whose loss cuts an entry group off from a needed tier (clients
    /// excluded), which groups and tiers: the single points of failure.
    pub fn component_spofs(&self) -> &[Spof] {
        self.component_spofs
            .get_or_init(|| self.compute_component_spofs())
    }

    /// The same over the graph contracted to servers: the servers whose loss cuts a tier off.
    pub fn server_spofs(&self) -> &[Spof] {
        self.server_spofs
            .get_or_init(|| self.compute_server_spofs())
    }

    /// Utilization at peak and after the worst single failures, if the design states a peak
    /// load and capacities.
    pub fn capacity(&self) -> Option<&super::capacity::Capacity> {
        self.capacity
            .get_or_init(|| super::capacity::capacity(self))
            .as_ref()
    }

    fn compute_component_spofs(&self) -> Vec<Spof> {
        let groups: Vec<usize> = (0..self.len()).collect();
        let mut spofs = self.spofs_over(&groups, self.len());
        spofs.retain(|s| self.kind(s.node) != Kind::Client);
        spofs
    }

    fn compute_server_spofs(&self) -> Vec<Spof> {
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
        let mut spofs = self.spofs_over(&groups, next);
        spofs.retain(|s| s.node < servers);
        spofs
    }

    /// Dominators over components merged into `groups` (group of each component), once per
    /// entry group: from a virtual root joined to where the group enters, to a virtual sink per
    /// tier joined from its members. The graph is built once; only the root's edges change.
    fn spofs_over(&self, groups: &[usize], group_count: usize) -> Vec<Spof> {
        let root = group_count;
        let sink_base = group_count + 1;
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(group_count + 5, self.len() * 2);
        for _ in 0..group_count + 1 + Tier::ALL.len() {
            g.add_node(());
        }
        let node = NodeIndex::new;
        for (from, outs) in self.out.iter().enumerate() {
            for &(to, _) in outs {
                let (a, b) = (groups[from], groups[to]);
                if a != b {
                    g.add_edge(node(a), node(b), ());
                }
            }
        }
        let mut present = [false; 4];
        for (i, &group) in groups.iter().enumerate().take(self.len()) {
            for t in self.tiers(i) {
                let ti = t as usize;
                present[ti] = true;
                g.add_edge(node(group), node(sink_base + ti), ());
            }
            // After a failover, the primary's senders send to the standby.
            for &f in &self.databases().feeds[i] {
                if groups[f] != group {
                    g.add_edge(node(groups[f]), node(group), ());
                }
            }
        }
        let mut by_node: std::collections::BTreeMap<usize, Vec<(usize, Vec<Tier>)>> =
            Default::default();
        for (gi, group) in self.groups.iter().enumerate() {
            let root_edges: Vec<_> = group
                .targets
                .iter()
                .map(|&t| g.add_edge(node(root), node(groups[t]), ()))
                .collect();
            let dom = simple_fast(&g, node(root));
            for &t in Tier::ALL.iter().filter(|t| present[**t as usize]) {
                let sink = node(sink_base + t as usize);
                let Some(chain) = dom.dominators(sink) else {
                    continue;
                };
                for n in chain.map(|n| n.index()).filter(|&n| n < group_count) {
                    let cuts = by_node.entry(n).or_default();
                    match cuts.last_mut() {
                        Some((last, tiers)) if *last == gi => tiers.push(t),
                        _ => cuts.push((gi, vec![t])),
                    }
                }
            }
            // Edges were added last, so removing them in reverse keeps the other indices.
            for e in root_edges.into_iter().rev() {
                g.remove_edge(e);
            }
        }
        by_node
            .into_iter()
            .map(|(node, cuts)| Spof { node, cuts })
            .collect()
    }
}

/// Where a component runs, for the host rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// A server of the design (its index).
    Server(usize),
    /// The component (its index) runs on a machine of its own that the design does not name.
    Own(usize),
}

/// The components the DNS records point at: the component, a cluster's members, or the
/// components of a server that nothing on the same server feeds.
fn record_targets(
    design: &Design,
    endpoints: &crate::model::Endpoints<'_>,
    server_of: &[Option<usize>],
    into: &Adjacency,
) -> Vec<Vec<usize>> {
    let serves = |i: usize| {
        !matches!(
            design.components[i].kind,
            Kind::MonitoringAgent
                | Kind::MonitoringService
                | Kind::AppFiles
                | Kind::Backup
                | Kind::Firewall
        )
    };
    design
        .dns
        .iter()
        .map(|r| {
            targets_of_records(
                design,
                std::slice::from_ref(r),
                endpoints,
                server_of,
                into,
                &serves,
            )
        })
        .collect()
}

/// The components the DNS records point at, where a record naming a server stands for those
/// of its components that `serves` and that nothing on the same server feeds (all of them
/// where every one is fed from the server itself); sorted, without repeats.
fn targets_of_records(
    design: &Design,
    records: &[crate::model::DnsRecord],
    endpoints: &crate::model::Endpoints<'_>,
    server_of: &[Option<usize>],
    into: &Adjacency,
    serves: &dyn Fn(usize) -> bool,
) -> Vec<usize> {
    let mut targets = Vec::new();
    for r in records {
        let resolved = endpoints.resolve(&r.target);
        if !resolved.is_empty() {
            targets.extend(resolved);
        } else if let Some(s) = design.servers.iter().position(|s| s.id == r.target) {
            let on: Vec<usize> = (0..design.components.len())
                .filter(|&i| server_of[i] == Some(s) && serves(i))
                .collect();
            let fronts: Vec<usize> = on
                .iter()
                .copied()
                .filter(|&i| into[i].iter().all(|&(f, _)| server_of[f] != Some(s)))
                .collect();
            targets.extend(if fronts.is_empty() { on } else { fronts });
        }
    }
    targets.sort_unstable();
    targets.dedup();
    targets
}

/// Groups the entries by where they enter; also returns the DNS records' targets that clients
/// reach by querying a `dns` component.
fn entry_groups(
    design: &Design,
    entries: &[usize],
    entry: Entry,
    out: &Adjacency,
    record_targets: &[usize],
    record_hits: &[Vec<usize>],
) -> (Vec<EntryGroup>, Vec<usize>) {
    if entry != Entry::Clients {
        let mut targets = entries.to_vec();
        targets.sort_unstable();
        return (
            vec![EntryGroup {
                clients: Vec::new(),
                targets,
                public: true,
            }],
            Vec::new(),
        );
    }
    let mut resolved = Vec::new();
    let mut by_targets: std::collections::BTreeMap<Vec<usize>, Vec<usize>> = Default::default();
    // The names users look up, each with where its records lead: two records of one name
    // (round-robin) are one entrance, `www` and the apex two.
    let mut names: Vec<(&str, Vec<usize>)> = Vec::new();
    for (r, hits) in record_hits.iter().enumerate() {
        let name = design.dns[r].name.as_str();
        match names.iter_mut().find(|(n, _)| *n == name) {
            Some((_, h)) => h.extend_from_slice(hits),
            None => names.push((name, hits.clone())),
        }
    }
    names.retain(|(_, h)| !h.is_empty());
    for &c in entries {
        let mut targets: Vec<usize> = out[c].iter().map(|&(t, _)| t).collect();
        if targets
            .iter()
            .any(|&t| design.components[t].kind == Kind::Dns)
        {
            targets.extend_from_slice(record_targets);
            resolved.extend_from_slice(record_targets);
        }
        targets.sort_unstable();
        targets.dedup();
        // A client enters once per name it reaches, where that name leads: losing what one
        // name leads to is losing that name, whatever the others lead to. What it reaches that
        // no record leads to is in every one.
        let own: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|t| record_targets.binary_search(t).is_err())
            .collect();
        let mut split = false;
        for (_, hits) in &names {
            let mut t: Vec<usize> = hits
                .iter()
                .copied()
                .filter(|h| targets.binary_search(h).is_ok())
                .collect();
            if t.is_empty() {
                continue;
            }
            split = true;
            t.extend_from_slice(&own);
            t.sort_unstable();
            t.dedup();
            let clients = by_targets.entry(t).or_default();
            if !clients.contains(&c) {
                clients.push(c);
            }
        }
        if !split {
            by_targets.entry(targets).or_default().push(c);
        }
    }
    resolved.sort_unstable();
    resolved.dedup();
    let mut groups: Vec<EntryGroup> = by_targets
        .into_iter()
        .map(|(targets, clients)| EntryGroup {
            public: targets
                .iter()
                .any(|t| record_targets.binary_search(t).is_ok()),
            clients,
            targets,
        })
        .collect();
    if !groups.iter().any(|g| g.public) {
        groups.iter_mut().for_each(|g| g.public = true);
    }
    // Public groups first, then the largest: those keep a pass of their own.
    groups.sort_by(|a, b| {
        b.public
            .cmp(&a.public)
            .then(b.clients.len().cmp(&a.clients.len()))
            .then(a.clients.cmp(&b.clients))
    });
    if groups.len() > MAX_GROUPS {
        let rest = groups.split_off(MAX_GROUPS - 1);
        let mut merged = EntryGroup {
            clients: Vec::new(),
            targets: Vec::new(),
            public: rest.iter().any(|g| g.public),
        };
        for g in rest {
            merged.clients.extend(g.clients);
            merged.targets.extend(g.targets);
        }
        merged.clients.sort_unstable();
        merged.targets.sort_unstable();
        merged.targets.dedup();
        groups.push(merged);
    }
    (groups, resolved)
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
    let entries = targets_of_records(design, &design.dns, endpoints, server_of, into, &serves);
    if !entries.is_empty() {
        return (entries, Entry::DnsTargets);
    }
    let sources: Vec<usize> = (0..design.components.len())
        .filter(|&i| serves(i) && into[i].is_empty() && !out[i].is_empty())
        .collect();
    (sources, Entry::Sources)
}
