//! Capacity under failure: how busy each tier is at the design's peak load, with everything up
//! and after the worst single failure of a server or a component (N−1).
//!
//! Requests enter where the public entry groups enter and flow along request links. At each
//! component they go on to every kind of component it links to (a web server that links to
//! application servers and to a cache sends each request to both), split among the instances of
//! one kind that are up: evenly (round-robin, least-connections, random and source-hash all
//! even out over many clients), by `weight` where backends give one, all to the first member
//! that is up in an active-passive cluster. A name service drawn on the path passes requests
//! on only where the clients enter nowhere else (DNS resolves names; it carries no requests).
//! Links that close a cycle carry nothing (the flow follows a topological order).
//!
//! A tier is the components of one kind; its utilization is that of its busiest instance that
//! states a `capacity`, since an even split overloads the smallest first.

use super::availability::topological;
use super::graph::{Ctx, Tier};
use crate::model::{ClusterMode, Kind};
use serde::Serialize;

/// Work allowed for recomputing the flow after single failures, in graph steps.
const FAILURE_BUDGET: usize = 400_000;
/// At least this many failures are recomputed, whatever the size.
const MIN_CHECKED: usize = 16;

/// One tier's load.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierLoad {
    /// The kind of its components, e.g. `web_server`.
    pub tier: Kind,
    /// Instances up that state a capacity.
    pub instances: usize,
    /// Requests per second into the tier.
    pub load: f64,
    /// Requests per second the tier's instances up can take together.
    pub capacity: f64,
    /// The busiest instance's load over its capacity (1.0 is full).
    pub utilization: f64,
    /// The busiest instance.
    pub busiest: String,
}

/// What fails in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    Server,
    Component,
    /// Every server in a zone at once.
    Zone,
}

impl FailureKind {
    pub fn word(self) -> &'static str {
        match self {
            FailureKind::Server => "server",
            FailureKind::Zone => "zone",
            FailureKind::Component => "component",
        }
    }
}

/// The worst single failure of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worst {
    pub kind: FailureKind,
    /// The id of what failed.
    pub failed: String,
    /// The tiers after it, as at peak.
    pub tiers: Vec<TierLoad>,
}

impl Worst {
    /// The busiest tier after the failure.
    pub fn busiest(&self) -> Option<&TierLoad> {
        busiest(&self.tiers)
    }
}

/// The busiest tier of a list.
pub fn busiest(tiers: &[TierLoad]) -> Option<&TierLoad> {
    tiers
        .iter()
        .max_by(|a, b| a.utilization.total_cmp(&b.utilization))
}

/// Utilization at peak and after the worst single failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capacity {
    /// Requests per second at the entry.
    pub peak_load: f64,
    /// Tiers whose instances state a capacity, with everything up.
    pub tiers: Vec<TierLoad>,
    /// The worst single failure of a server and of a component, where one leaves the site
    /// serving (failures that take a tier down are the SPOF rules' findings).
    pub worst: Vec<Worst>,
    /// Single failures recomputed in full, of those that carry load; the rest were ranked below
    /// them by the load they shift onto the instances next to them.
    pub checked: usize,
    pub candidates: usize,
}

impl Capacity {
    /// The highest utilization after any single failure checked (or at peak, if higher).
    pub fn worst_utilization(&self) -> Option<f64> {
        self.worst
            .iter()
            .filter_map(|w| w.busiest().map(|t| t.utilization))
            .chain(busiest(&self.tiers).map(|t| t.utilization))
            .max_by(f64::total_cmp)
    }
}

/// One kind of target of a component: the instances its requests are split among.
#[derive(Debug, Clone, Copy)]
struct Split {
    /// Range into [`Flow::members`].
    start: u32,
    end: u32,
    /// All to the first member up (an active-passive cluster).
    passive: bool,
}

/// The flow model of a design, prepared once: per component, its targets grouped by kind.
pub struct Flow<'c, 'a> {
    ctx: &'c Ctx<'a>,
    order: Vec<usize>,
    /// Per component (and last, the entry), a range into `splits`.
    split_of: Vec<(u32, u32)>,
    splits: Vec<Split>,
    members: Vec<usize>,
    weight: Vec<f64>,
    /// Components that state a capacity.
    measured: Vec<usize>,
}

impl<'c, 'a> Flow<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>) -> Flow<'c, 'a> {
        let (order, _) = topological(ctx, &ctx.reachable);
        let n = ctx.len();
        let mut rank = vec![usize::MAX; n];
        for (k, &i) in order.iter().enumerate() {
            rank[i] = k;
        }
        let comps = &ctx.design.components;
        let mut entry: Vec<usize> = ctx
            .groups
            .iter()
            .filter(|g| g.public)
            .flat_map(|g| g.targets.iter().copied())
            .collect();
        entry.sort_unstable();
        entry.dedup();
        let passive_member = |m: usize| {
            comps[m].cluster.as_deref().is_some_and(|c| {
                ctx.design
                    .cluster(c)
                    .is_some_and(|c| c.mode == ClusterMode::ActivePassive)
            })
        };
        let mut flow = Flow {
            ctx,
            order: Vec::new(),
            split_of: vec![(0, 0); n + 1],
            splits: Vec::new(),
            members: Vec::new(),
            weight: comps
                .iter()
                .map(|c| c.weight.map_or(1.0, |w| w.0))
                .collect(),
            measured: (0..n)
                .filter(|&i| ctx.reachable[i] && comps[i].capacity.is_some())
                .collect(),
        };
        let mut targets: Vec<usize> = Vec::new();
        for node in (0..=n).filter(|&i| i == n || rank[i] != usize::MAX) {
            targets.clear();
            if node == n {
                targets.extend_from_slice(&entry);
            } else {
                // Links that close a cycle carry nothing.
                targets.extend(
                    ctx.out[node]
                        .iter()
                        .map(|&(m, _)| m)
                        .filter(|&m| rank[m] != usize::MAX && rank[m] > rank[node]),
                );
            }
            targets.sort_unstable();
            targets.dedup();
            // A name service on the path carries requests only where nothing else is there.
            if targets.iter().any(|&t| comps[t].kind != Kind::Dns) {
                targets.retain(|&t| comps[t].kind != Kind::Dns);
            }
            targets.sort_by_key(|&t| (comps[t].kind, t));
            let first = flow.splits.len() as u32;
            let mut k = 0;
            while k < targets.len() {
                let kind = comps[targets[k]].kind;
                let start = flow.members.len() as u32;
                while k < targets.len() && comps[targets[k]].kind == kind {
                    flow.members.push(targets[k]);
                    k += 1;
                }
                let end = flow.members.len() as u32;
                let passive = flow.members[start as usize..end as usize]
                    .iter()
                    .all(|&m| passive_member(m));
                flow.splits.push(Split {
                    start,
                    end,
                    passive,
                });
            }
            flow.split_of[node] = (first, flow.splits.len() as u32);
        }
        flow.order = order;
        flow
    }

    /// Per component, the most instances it shares a split with besides itself: those that
    /// take its load when it fails.
    fn siblings(&self) -> Vec<usize> {
        let mut out = vec![0; self.ctx.len()];
        for s in &self.splits {
            let members = &self.members[s.start as usize..s.end as usize];
            for &m in members {
                out[m] = out[m].max(members.len() - 1);
            }
        }
        out
    }

    /// Whether there is anything to measure.
    pub fn measures(&self) -> bool {
        !self.measured.is_empty()
    }

    /// Splits `load` from `node` (the component count for the entry) over its targets.
    fn split(&self, node: usize, load: f64, failed: &[bool], into: &mut [f64]) {
        let (a, b) = self.split_of[node];
        for s in &self.splits[a as usize..b as usize] {
            let members = &self.members[s.start as usize..s.end as usize];
            if s.passive {
                if let Some(&m) = members.iter().find(|&&m| !failed[m]) {
                    into[m] += load;
                }
                continue;
            }
            let (mut total, mut live) = (0.0, 0usize);
            for &m in members.iter().filter(|&&m| !failed[m]) {
                total += self.weight[m];
                live += 1;
            }
            for &m in members.iter().filter(|&&m| !failed[m]) {
                let share = if total > 0.0 {
                    self.weight[m] / total
                } else {
                    1.0 / live as f64
                };
                into[m] += load * share;
            }
        }
    }

    /// Requests per second into each component, with `failed` components down.
    pub fn loads(&self, load: f64, failed: &[bool]) -> Vec<f64> {
        let mut into = vec![0.0; self.ctx.len()];
        self.split(self.ctx.len(), load, failed, &mut into);
        for &n in &self.order {
            if failed[n] || into[n] == 0.0 {
                continue;
            }
            let l = into[n];
            self.split(n, l, failed, &mut into);
        }
        into
    }

    /// The tiers' loads for per-component loads.
    pub fn tiers(&self, loads: &[f64], failed: &[bool]) -> Vec<TierLoad> {
        let comps = &self.ctx.design.components;
        let mut tiers: Vec<TierLoad> = Vec::new();
        for &i in &self.measured {
            if failed[i] {
                continue;
            }
            let c = &comps[i];
            let cap = c.capacity.map_or(0.0, |c| c.0);
            let util = loads[i] / cap;
            let t = match tiers.iter_mut().find(|t| t.tier == c.kind) {
                Some(t) => t,
                None => {
                    tiers.push(TierLoad {
                        tier: c.kind,
                        instances: 0,
                        load: 0.0,
                        capacity: 0.0,
                        utilization: -1.0,
                        busiest: String::new(),
                    });
                    tiers.last_mut().expect("pushed")
                }
            };
            t.instances += 1;
            t.load += loads[i];
            t.capacity += cap;
            if util > t.utilization {
                t.utilization = util;
                t.busiest = c.id.clone();
            }
        }
        tiers.sort_by_key(|t| t.tier);
        tiers
    }

    /// Utilization per tier at `load` with `failed` components down.
    pub fn utilization(&self, load: f64, failed: &[bool]) -> Vec<TierLoad> {
        self.tiers(&self.loads(load, failed), failed)
    }
}

/// Utilization at the design's peak and after the worst single failures; None without a peak
/// load or without a component that states a capacity.
pub fn capacity(ctx: &Ctx) -> Option<Capacity> {
    let peak = ctx.design.peak_load?.0;
    let flow = Flow::new(ctx);
    if !flow.measures() {
        return None;
    }
    let n = ctx.len();
    let none = vec![false; n];
    let base = flow.loads(peak, &none);
    let tiers = flow.tiers(&base, &none);
    // Candidates: what carries load, with the load it shifts onto its neighbours as a first
    // estimate of how bad its loss is (its load over the instances left beside it).
    let comps = &ctx.design.components;
    let mut candidates: Vec<(f64, FailureKind, usize)> = Vec::new();
    let mut server_load = vec![0.0f64; ctx.design.servers.len()];
    let siblings = flow.siblings();
    for i in 0..n {
        if base[i] <= 0.0 || comps[i].kind == Kind::Client {
            continue;
        }
        let shift = base[i] / siblings[i].max(1) as f64;
        candidates.push((shift, FailureKind::Component, i));
        if let Some(s) = ctx.server_of[i] {
            server_load[s] += shift;
        }
    }
    // A zone's loss shifts what its servers carry; only designs that place servers in zones
    // have these candidates.
    let zone_of = ctx.design.zone_of();
    let mut zone_load = vec![0.0f64; ctx.design.zones.len()];
    for (s, l) in server_load.iter().enumerate() {
        if *l > 0.0 {
            candidates.push((*l, FailureKind::Server, s));
            if let Some(z) = zone_of[s] {
                zone_load[z] += l;
            }
        }
    }
    for (z, l) in zone_load.iter().enumerate() {
        if *l > 0.0 {
            candidates.push((*l, FailureKind::Zone, z));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let steps = (n + ctx.out.iter().map(<[_]>::len).sum::<usize>()).max(1);
    let limit = (FAILURE_BUDGET / steps).max(MIN_CHECKED);
    let total = candidates.len();
    candidates.truncate(limit);
    // Only failures that leave every tier that had load with some: the rest take the site (or
    // its writes) down, and are the SPOF rules' concern.
    let tier_members: Vec<Vec<usize>> = Tier::ALL
        .iter()
        .map(|t| {
            (0..n)
                .filter(|&i| base[i] > 0.0 && ctx.tiers(i).any(|x| x == *t))
                .collect()
        })
        .collect();
    let still_serves = |loads: &[f64], failed: &[bool]| {
        tier_members
            .iter()
            .all(|m| m.is_empty() || m.iter().any(|&i| !failed[i] && loads[i] > 0.0))
    };
    let mut worst: Vec<Worst> = Vec::new();
    let mut failed = vec![false; n];
    for &(_, kind, index) in &candidates {
        let members: Vec<usize> = match kind {
            FailureKind::Component => vec![index],
            FailureKind::Server => ctx.hosted[index].clone(),
            FailureKind::Zone => (0..ctx.design.servers.len())
                .filter(|&s| zone_of[s] == Some(index))
                .flat_map(|s| ctx.hosted[s].iter().copied())
                .collect(),
        };
        for &m in &members {
            failed[m] = true;
        }
        let loads = flow.loads(peak, &failed);
        let after = still_serves(&loads, &failed).then(|| flow.tiers(&loads, &failed));
        for &m in &members {
            failed[m] = false;
        }
        let Some(after) = after else { continue };
        let u = busiest(&after).map_or(0.0, |t| t.utilization);
        let id = match kind {
            FailureKind::Component => comps[index].id.clone(),
            FailureKind::Server => ctx.design.servers[index].id.clone(),
            FailureKind::Zone => ctx.design.zones[index].id.clone(),
        };
        match worst.iter_mut().find(|w| w.kind == kind) {
            Some(w) if w.busiest().map_or(0.0, |t| t.utilization) >= u => {}
            Some(w) => {
                w.failed = id;
                w.tiers = after;
            }
            None => worst.push(Worst {
                kind,
                failed: id,
                tiers: after,
            }),
        }
    }
    worst.sort_by_key(|w| w.kind as u8);
    Some(Capacity {
        peak_load: peak,
        tiers,
        worst,
        checked: candidates.len(),
        candidates: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Design, Link, Number, Protocol};

    fn link(d: &mut Design, from: &str, to: &str) {
        d.links.push(Link {
            from: from.into(),
            to: to.into(),
            protocol: Protocol::Http,
            port: None,
            label: None,
        });
    }

    /// user → lb → `webs` web servers of `cap` rps each → one app server.
    fn site(webs: usize, cap: f64, peak: f64) -> Design {
        let mut d = Design::new("site");
        d.peak_load = Some(Number(peak));
        d.components.push(Component::new("user", Kind::Client));
        d.components.push(Component::new("lb", Kind::LoadBalancer));
        let mut app = Component::new("app", Kind::AppServer);
        app.capacity = Some(Number(10_000.0));
        d.components.push(app);
        link(&mut d, "user", "lb");
        for k in 0..webs {
            let id = format!("web-{k}");
            let mut w = Component::new(id.clone(), Kind::WebServer);
            w.capacity = Some(Number(cap));
            w.server = Some(format!("s{k}"));
            d.servers.push(crate::model::Server {
                id: format!("s{k}"),
                ..Default::default()
            });
            d.components.push(w);
            link(&mut d, "lb", &id);
            link(&mut d, &id, "app");
        }
        d
    }

    #[test]
    fn round_robin_splits_evenly_and_a_failure_moves_the_load() {
        let d = site(3, 500.0, 1200.0);
        let ctx = Ctx::new(&d);
        let c = capacity(&ctx).expect("measured");
        let web = c
            .tiers
            .iter()
            .find(|t| t.tier == Kind::WebServer)
            .expect("web");
        assert_eq!(web.instances, 3);
        assert!((web.utilization - 0.8).abs() < 1e-9, "{web:?}");
        let app = c
            .tiers
            .iter()
            .find(|t| t.tier == Kind::AppServer)
            .expect("app");
        assert!((app.load - 1200.0).abs() < 1e-9);
        // Losing one web server: 600 rps on each of the other two, 120%.
        let w = c
            .worst
            .iter()
            .find(|w| w.kind == FailureKind::Component)
            .expect("worst");
        let t = w.busiest().expect("tier");
        assert_eq!(t.tier, Kind::WebServer);
        assert!((t.utilization - 1.2).abs() < 1e-9, "{t:?}");
        assert!(c.worst.iter().any(|w| w.kind == FailureKind::Server));
    }

    #[test]
    fn the_worst_zone_lost_counts_as_one_failure() {
        // Four web servers of 500 rps at a peak of 1200: one lost leaves three at 80%; a zone
        // of two lost leaves two at 120%.
        let mut d = site(4, 500.0, 1200.0);
        let by_server = capacity(&Ctx::new(&d)).expect("measured");
        assert!(by_server.worst.iter().all(|w| w.kind != FailureKind::Zone));
        for id in ["a", "b"] {
            d.zones.push(crate::model::Zone {
                id: id.into(),
                ..Default::default()
            });
        }
        for (k, s) in d.servers.iter_mut().enumerate() {
            s.zone = Some(if k < 2 { "a" } else { "b" }.into());
        }
        let c = capacity(&Ctx::new(&d)).expect("measured");
        let server = c
            .worst
            .iter()
            .find(|w| w.kind == FailureKind::Server)
            .expect("server");
        assert!((server.busiest().expect("tier").utilization - 0.8).abs() < 1e-9);
        let zone = c
            .worst
            .iter()
            .find(|w| w.kind == FailureKind::Zone)
            .expect("zone");
        assert_eq!(zone.failed, "a");
        let t = zone.busiest().expect("tier");
        assert_eq!(t.tier, Kind::WebServer);
        assert!((t.utilization - 1.2).abs() < 1e-9, "{t:?}");
        let f = crate::analyze::rules::testing::run(
            crate::analyze::rules::rule("OVERLOAD-ON-FAILURE").expect("rule"),
            &d,
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].message.contains("losing zone `a`"), "{}", f[0].message);
        assert_eq!(f[0].servers, ["s0", "s1"]);
    }

    #[test]
    fn weights_share_the_load_in_proportion() {
        let mut d = site(2, 1000.0, 900.0);
        d.component_mut("web-0").expect("web").weight = Some(Number(2.0));
        let ctx = Ctx::new(&d);
        let flow = Flow::new(&ctx);
        let loads = flow.loads(900.0, &vec![false; ctx.len()]);
        let i = |id: &str| d.components.iter().position(|c| c.id == id).expect("id");
        assert!((loads[i("web-0")] - 600.0).abs() < 1e-9);
        assert!((loads[i("web-1")] - 300.0).abs() < 1e-9);
    }

    #[test]
    fn an_active_passive_pair_sends_everything_to_one() {
        let mut d = site(2, 1000.0, 900.0);
        d.clusters.push(crate::model::Cluster {
            id: "pair".into(),
            mode: ClusterMode::ActivePassive,
            vip: None,
            label: None,
        });
        for w in ["web-0", "web-1"] {
            d.component_mut(w).expect("web").cluster = Some("pair".into());
        }
        let ctx = Ctx::new(&d);
        let flow = Flow::new(&ctx);
        let t = flow.utilization(900.0, &vec![false; ctx.len()]);
        let web = t.iter().find(|t| t.tier == Kind::WebServer).expect("web");
        assert!((web.utilization - 0.9).abs() < 1e-9);
        assert_eq!(web.busiest, "web-0");
    }

    #[test]
    fn nothing_to_measure_without_a_peak_or_capacities() {
        let mut d = site(2, 1000.0, 900.0);
        d.peak_load = None;
        assert!(capacity(&Ctx::new(&d)).is_none());
        let mut d = site(2, 1000.0, 900.0);
        for c in &mut d.components {
            c.capacity = None;
        }
        assert!(capacity(&Ctx::new(&d)).is_none());
    }

    #[test]
    fn a_failure_that_takes_the_site_down_is_not_a_capacity_case() {
        // One web server: losing it is a SPOF, not an overload.
        let d = site(1, 2000.0, 1000.0);
        let c = capacity(&Ctx::new(&d)).expect("measured");
        assert!(
            c.worst
                .iter()
                .all(|w| w.failed != "web-0" && w.failed != "s0"),
            "{:?}",
            c.worst
        );
    }
}
