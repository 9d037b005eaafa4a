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
use super::graph::Ctx;
use crate::model::{ClusterMode, Kind};
use serde::Serialize;

/// Work allowed for recomputing the flow after single failures, in graph steps.
const FAILURE_BUDGET: usize = 3_000_000;
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
}

impl FailureKind {
    pub fn word(self) -> &'static str {
        match self {
            FailureKind::Server => "server",
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

/// The flow model of a design, prepared once.
pub struct Flow<'c, 'a> {
    ctx: &'c Ctx<'a>,
    order: Vec<usize>,
    /// Position of each component in `order` (`usize::MAX` if unreachable).
    rank: Vec<usize>,
    /// Where requests enter.
    entry: Vec<usize>,
    /// Components that state a capacity.
    measured: Vec<usize>,
}

impl<'c, 'a> Flow<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>) -> Flow<'c, 'a> {
        let (order, _) = topological(ctx, &ctx.reachable);
        let mut rank = vec![usize::MAX; ctx.len()];
        for (k, &i) in order.iter().enumerate() {
            rank[i] = k;
        }
        let mut entry: Vec<usize> = ctx
            .groups
            .iter()
            .filter(|g| g.public)
            .flat_map(|g| g.targets.iter().copied())
            .collect();
        entry.sort_unstable();
        entry.dedup();
        let comps = &ctx.design.components;
        if entry.iter().any(|&i| comps[i].kind != Kind::Dns) {
            entry.retain(|&i| comps[i].kind != Kind::Dns);
        }
        let measured = (0..ctx.len())
            .filter(|&i| ctx.reachable[i] && comps[i].capacity.is_some())
            .collect();
        Flow {
            ctx,
            order,
            rank,
            entry,
            measured,
        }
    }

    /// Whether there is anything to measure.
    pub fn measures(&self) -> bool {
        !self.measured.is_empty()
    }

    /// Splits `load` from `from` (None: the entry) over `targets`, adding to `into`.
    fn split(
        &self,
        from: Option<usize>,
        targets: &[usize],
        load: f64,
        failed: &[bool],
        into: &mut [f64],
    ) {
        let comps = &self.ctx.design.components;
        let from_rank = from.map(|f| self.rank[f]);
        let mut live: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|&t| !failed[t] && self.rank[t] != usize::MAX)
            .filter(|&t| from_rank.is_none_or(|r| self.rank[t] > r))
            .collect();
        live.sort_unstable();
        live.dedup();
        // A name service on the path carries requests only where nothing else is there.
        if from.is_some() && live.iter().any(|&t| comps[t].kind != Kind::Dns) {
            live.retain(|&t| comps[t].kind != Kind::Dns);
        }
        let mut kinds: Vec<Kind> = live.iter().map(|&t| comps[t].kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            let members: Vec<usize> = live
                .iter()
                .copied()
                .filter(|&t| comps[t].kind == kind)
                .collect();
            let passive = members.iter().all(|&m| {
                comps[m].cluster.as_deref().is_some_and(|c| {
                    self.ctx
                        .design
                        .cluster(c)
                        .is_some_and(|c| c.mode == ClusterMode::ActivePassive)
                })
            });
            if passive {
                into[members[0]] += load;
                continue;
            }
            let weight = |m: usize| comps[m].weight.map_or(1.0, |w| w.0);
            let total: f64 = members.iter().map(|&m| weight(m)).sum();
            for &m in &members {
                let share = if total > 0.0 {
                    weight(m) / total
                } else {
                    1.0 / members.len() as f64
                };
                into[m] += load * share;
            }
        }
    }

    /// Requests per second into each component, with `failed` components down.
    pub fn loads(&self, load: f64, failed: &[bool]) -> Vec<f64> {
        let mut into = vec![0.0; self.ctx.len()];
        self.split(None, &self.entry, load, failed, &mut into);
        let mut targets = Vec::new();
        for &n in &self.order {
            if failed[n] || into[n] == 0.0 {
                continue;
            }
            targets.clear();
            targets.extend(self.ctx.out[n].iter().map(|&(m, _)| m));
            let l = into[n];
            self.split(Some(n), &targets, l, failed, &mut into);
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
    for i in 0..n {
        if base[i] <= 0.0 || comps[i].kind == Kind::Client {
            continue;
        }
        let siblings = ctx.into[i]
            .iter()
            .flat_map(|&(p, _)| ctx.out[p].iter().map(|&(m, _)| m))
            .filter(|&m| m != i && comps[m].kind == comps[i].kind)
            .count()
            .max(1);
        let shift = base[i] / siblings as f64;
        candidates.push((shift, FailureKind::Component, i));
        if let Some(s) = ctx.server_of[i] {
            server_load[s] += shift;
        }
    }
    for (s, l) in server_load.iter().enumerate() {
        if *l > 0.0 {
            candidates.push((*l, FailureKind::Server, s));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let steps = (n + ctx.out.iter().map(<[_]>::len).sum::<usize>()).max(1);
    let limit = (FAILURE_BUDGET / steps).max(MIN_CHECKED);
    let total = candidates.len();
    candidates.truncate(limit);
    let still_serves = |failed: &[bool]| {
        // Only failures that leave every tier served: the rest are the SPOF rules' concern.
        super::simulate::impact(ctx, failed).loss <= super::Loss::Capacity
    };
    let mut worst: Vec<Worst> = Vec::new();
    let mut failed = vec![false; n];
    for &(_, kind, index) in &candidates {
        let members: Vec<usize> = match kind {
            FailureKind::Component => vec![index],
            FailureKind::Server => ctx.hosted[index].clone(),
        };
        for &m in &members {
            failed[m] = true;
        }
        let after = if still_serves(&failed) {
            Some(flow.utilization(peak, &failed))
        } else {
            None
        };
        for &m in &members {
            failed[m] = false;
        }
        let Some(after) = after else { continue };
        let u = busiest(&after).map_or(0.0, |t| t.utilization);
        let id = match kind {
            FailureKind::Component => comps[index].id.clone(),
            FailureKind::Server => ctx.design.servers[index].id.clone(),
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
