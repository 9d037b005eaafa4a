//! Availability: the share of the time the site serves reads and takes writes, from the
//! availability of each component and server, with the importance of each of them.
//!
//! The site works in a state (which components and servers are up) when every public entry
//! group still reaches every tier it reaches with everything up (web, application, data), the
//! same question that [`super::simulate`] asks for one chosen failure; it takes writes when it
//! works and also reaches a primary database. Components fail on their own (their software)
//! and with their server (its hardware and system), independently.
//!
//! Two methods, chosen by the size of the design:
//! - **exact**, by factoring (pivotal decomposition): pick a component or server that the
//!   outcome still depends on, and sum the availability with it up and with it down. A branch
//!   stops as soon as the outcome is settled (the site fails even with every open unit up, or
//!   works even with every one down), so series and parallel structures cost a number of steps
//!   linear in their size. It is used while the number of steps times the size of the graph
//!   stays under a budget.
//! - **sampled** beyond that: Monte Carlo with a seeded generator (the same design gives the
//!   same figures), 64 states at once as the bits of a word, swept through the request graph
//!   in topological order; the result carries a 95% Wilson score interval.

use super::graph::{Ctx, Tier};
use crate::model::{Component, Kind, Number};
use serde::Serialize;

/// Hours in a year (365.25 days), for downtime per year.
pub const HOURS_PER_YEAR: f64 = 8766.0;

/// Work allowed for the exact method, in graph steps (evaluations times the graph's size).
const EXACT_BUDGET: usize = 1_000_000;
/// Above this many units that can fail, factoring is not tried: a redundant structure that
/// large takes more than its budget, and trying would only delay the sampling.
const EXACT_MAX_UNITS: usize = 256;
/// Work allowed for sampling, in graph steps (64-state sweeps times the graph's size).
const SAMPLE_BUDGET: usize = 1_200_000;
/// Fewest and most 64-state sweeps when sampling.
const MIN_SWEEPS: usize = 32;
const MAX_SWEEPS: usize = 2_048;
/// The sampling seed: fixed, so that a design always gets the same figures.
const SEED: u64 = 0x1f2e_3d4c_5b6a_7988;
/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A server's availability when the design gives none.
pub const SERVER_DEFAULT: (f64, &str) = (
    0.999,
    "a single server or VM: about 9 hours a year down for hardware faults, kernel updates and reboots (between the 99.5% of EC2's single-instance SLA and the 99.99% of its regional one)",
);

/// A component's own availability (its software, apart from its server) when the design gives
/// none, with the assumption behind it.
pub fn default_availability(c: &Component) -> (f64, &'static str) {
    if c.redundant {
        return match c.kind {
            Kind::Database => (
                0.9995,
                "a managed multi-zone database: the 99.95% of Amazon RDS Multi-AZ's SLA",
            ),
            Kind::Dns => (
                0.999_99,
                "a managed name service (Route 53 promises 100%; five nines is what is seen)",
            ),
            _ => (
                0.9999,
                "a managed, internally redundant service: the 99.99% of Elastic Load Balancing's and S3's SLAs",
            ),
        };
    }
    match c.kind {
        Kind::Client => (1.0, "the user's own machine is outside the site"),
        Kind::Dns => (
            0.999_99,
            "the DNS provider's name service (Route 53 promises 100%; five nines is what is seen)",
        ),
        Kind::Cdn => (0.9999, "a CDN: the 99.99% that CDN providers' SLAs give"),
        Kind::ObjectStorage => (0.9999, "object storage: S3 Standard is designed for 99.99%"),
        Kind::Firewall | Kind::Router => (
            0.9999,
            "packet filtering or forwarding: simple, stateless software, about 1 hour a year",
        ),
        Kind::LoadBalancer | Kind::WebServer => (
            0.9999,
            "a mature proxy or web server (HAProxy, Nginx) under a supervisor: about 1 hour a year of crashes and bad reloads",
        ),
        Kind::AppServer => (
            0.999,
            "the site's own code: about 9 hours a year of bad deploys, leaks and crashes",
        ),
        Kind::Database | Kind::Cache | Kind::Queue => (
            0.9995,
            "a stateful server process (MySQL, Redis, RabbitMQ): about 4.4 hours a year of crashes, recovery and maintenance",
        ),
        Kind::AppFiles => (
            1.0,
            "files on disk fail with their server, not on their own",
        ),
        Kind::Backup | Kind::MonitoringAgent | Kind::MonitoringService | Kind::Other => (
            0.999,
            "a generic service: about 9 hours a year (off the request path for backups and monitoring)",
        ),
    }
}

/// The availability a design gives (`availability`, or `mtbf`/`mttr`), if it gives one.
pub fn stated(
    availability: Option<Number>,
    mtbf: Option<Number>,
    mttr: Option<Number>,
) -> Option<f64> {
    match (availability, mtbf, mttr) {
        (Some(Number(a)), _, _) => Some(a),
        (None, Some(Number(up)), Some(Number(down))) if up + down > 0.0 => Some(up / (up + down)),
        _ => None,
    }
}

/// A component's own availability: stated, else the default for its kind.
pub fn component_availability(c: &Component) -> f64 {
    stated(c.availability, c.mtbf, c.mttr).unwrap_or_else(|| default_availability(c).0)
}

/// A server's availability: stated, else the default.
pub fn server_availability(s: &crate::model::Server) -> f64 {
    stated(s.availability, s.mtbf, s.mttr).unwrap_or(SERVER_DEFAULT.0)
}

/// A zone's availability as a whole (what takes every server in it down at once): stated,
/// else 1, since a design that names a zone without a figure makes no claim about it.
pub fn zone_availability(z: &crate::model::Zone) -> f64 {
    stated(z.availability, z.mtbf, z.mttr).unwrap_or(1.0)
}

/// How the figures were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Method {
    /// Exact up to floating-point rounding.
    Exact,
    /// Monte Carlo over this many states; the bounds are a 95% interval.
    Sampled { samples: u64 },
}

/// One availability figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Between 0 and 1.
    pub availability: f64,
    /// The 95% interval's bounds (both equal to `availability` when exact).
    pub low: f64,
    pub high: f64,
    /// (1 − availability) × 8766 hours.
    pub downtime_hours_per_year: f64,
}

impl Estimate {
    fn exact(a: f64) -> Estimate {
        let a = a.clamp(0.0, 1.0);
        Estimate {
            availability: a,
            low: a,
            high: a,
            downtime_hours_per_year: (1.0 - a) * HOURS_PER_YEAR,
        }
    }

    /// From `ok` successes out of `n` samples, with the Wilson score interval.
    fn sampled(ok: u64, n: u64) -> Estimate {
        let nf = n.max(1) as f64;
        let p = ok as f64 / nf;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
        let half = Z95 / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        Estimate {
            availability: p,
            low: (centre - half).max(0.0),
            high: (centre + half).min(1.0),
            downtime_hours_per_year: (1.0 - p) * HOURS_PER_YEAR,
        }
    }

    /// Whether sampling saw no failing state: the estimate is then only its lower bound, never
    /// "100%" (no design is never down).
    fn unseen(&self) -> bool {
        self.availability >= 1.0 && self.low < 1.0
    }

    /// As a percentage with as many nines as it has, e.g. "99.95%"; "≥ 99.997%" where
    /// sampling saw no failure.
    pub fn percent(&self) -> String {
        if self.unseen() {
            return format!("≥ {}", percent(self.low));
        }
        percent(self.availability)
    }

    /// Downtime per year in words, e.g. "4 h 23 min"; "≤ 16 min" where sampling saw no
    /// failure.
    pub fn downtime(&self) -> String {
        if self.unseen() {
            return format!("≤ {}", duration((1.0 - self.low) * HOURS_PER_YEAR));
        }
        duration(self.downtime_hours_per_year)
    }
}

/// A share as a percentage that shows its nines: 0.999 → "99.9%", 0.99995 → "99.995%".
pub fn percent(a: f64) -> String {
    let p = a * 100.0;
    if a >= 1.0 {
        return "100%".to_string();
    }
    // Enough decimals to show two significant digits of the unavailability.
    let decimals = ((1.0 - a).log10().floor().abs() as usize)
        .saturating_sub(1)
        .clamp(1, 7);
    let s = format!("{p:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// Hours in words, rounded to the last unit shown: "3 d 4 h", "8 h 46 min", "52 min", "31 s".
pub fn duration(hours: f64) -> String {
    let secs = (hours.max(0.0) * 3600.0).round() as u64;
    if secs < 60 {
        return format!("{secs} s");
    }
    let mins = (secs + 30) / 60;
    if mins < 60 {
        return format!("{mins} min");
    }
    if mins < 24 * 60 {
        return format!("{} h {} min", mins / 60, mins % 60);
    }
    let hours = (mins + 30) / 60;
    format!("{} d {} h", hours / 24, hours % 24)
}

/// What a failing unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Component,
    Server,
    Zone,
}

/// How much one component or server matters to the site's availability for reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importance {
    pub id: String,
    pub kind: UnitKind,
    /// Its own availability.
    pub availability: f64,
    /// Birnbaum importance: the site's availability with it always up minus with it always
    /// down.
    pub birnbaum: f64,
    /// How much the site's availability would rise if it never failed: (1 − its
    /// availability) × Birnbaum.
    pub gain: f64,
}

/// The site's availability for reads and writes, and what matters most to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Availability {
    #[serde(flatten)]
    pub method: Method,
    pub reads: Estimate,
    /// None where the site has no database that accepts writes.
    pub writes: Option<Estimate>,
    /// Ranked by Birnbaum importance, highest first (ties by gain, then id); only components
    /// and servers that can fail and that matter. When sampled, only those whose failure alone
    /// takes the site down, whose importance follows exactly from the estimate.
    pub importance: Vec<Importance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Up,
    Down,
}

/// What the site must still reach to count as working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Reads,
    Writes,
}

/// Units (components and servers that can fail) and the graph, prepared once.
struct Model<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// Per unit: its availability, what it is, its index (component or server).
    units: Vec<(f64, UnitKind, usize)>,
    /// Per component: its own unit, its server's unit and its zone's unit (`NONE` where they
    /// cannot fail). A zone is one unit shared by every component in it, so the factoring and
    /// the sampling both treat its servers as failing together, exactly.
    comp_units: Vec<[u32; 3]>,
    /// Per server: its unit (`NONE` where it cannot fail or matters to nothing).
    server_units: Vec<u32>,
    /// The public entry groups, each with the tiers it reaches with everything up.
    groups: Vec<(usize, Vec<Tier>)>,
    /// Components reachable with everything up: the only ones that matter.
    relevant: Vec<bool>,
}

const NONE: u32 = u32::MAX;

impl<'c, 'a> Model<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>) -> Model<'c, 'a> {
        let design = ctx.design;
        let mut units: Vec<(f64, UnitKind, usize)> = Vec::new();
        let mut server_unit = vec![NONE; design.servers.len()];
        let partner = &ctx.databases().partner;
        let mut relevant = ctx.reachable.clone();
        // The partner of a reachable primary in a group of two decides its writes; a standby
        // takes over when its primary's senders are reached.
        for (i, p) in partner.iter().enumerate() {
            if let Some(p) = *p
                && ctx.reachable[i]
            {
                relevant[p] = true;
            }
        }
        for (i, r) in relevant.iter_mut().enumerate() {
            *r |= ctx.serving(&ctx.reachable, |_| true, i);
        }
        let mut used_server = vec![false; design.servers.len()];
        for (i, s) in ctx.server_of.iter().enumerate() {
            if let Some(s) = *s
                && relevant[i]
            {
                used_server[s] = true;
            }
        }
        for (s, server) in design.servers.iter().enumerate() {
            let a = server_availability(server);
            if a < 1.0 && used_server[s] {
                server_unit[s] = units.len() as u32;
                units.push((a, UnitKind::Server, s));
            }
        }
        let zone_of = design.zone_of();
        let mut zone_unit = vec![NONE; design.zones.len()];
        for (z, zone) in design.zones.iter().enumerate() {
            let a = zone_availability(zone);
            let used = (0..design.servers.len()).any(|s| used_server[s] && zone_of[s] == Some(z));
            if a < 1.0 && used {
                zone_unit[z] = units.len() as u32;
                units.push((a, UnitKind::Zone, z));
            }
        }
        let mut comp_units = Vec::with_capacity(design.components.len());
        for (i, c) in design.components.iter().enumerate() {
            let a = component_availability(c);
            let own = if a < 1.0 && relevant[i] && c.kind != Kind::Client {
                units.push((a, UnitKind::Component, i));
                (units.len() - 1) as u32
            } else {
                NONE
            };
            let server = ctx.server_of[i].map_or(NONE, |s| server_unit[s]);
            let zone = ctx.server_of[i]
                .and_then(|s| zone_of[s])
                .map_or(NONE, |z| zone_unit[z]);
            comp_units.push([own, server, zone]);
        }
        let mut groups = Vec::new();
        for (g, group) in ctx.groups.iter().enumerate() {
            if !group.public {
                continue;
            }
            let reach = ctx.reach_group(g, |_| false);
            let tiers: Vec<Tier> = Tier::ALL
                .into_iter()
                .filter(|t| {
                    (0..ctx.len())
                        .any(|i| ctx.serving(&reach, |_| true, i) && ctx.tiers(i).any(|x| x == *t))
                })
                .collect();
            groups.push((g, tiers));
        }
        Model {
            ctx,
            units,
            comp_units,
            server_units: server_unit,
            groups,
            relevant,
        }
    }

    /// Whether any public group reaches a tier at all: else there is nothing to estimate.
    fn serves(&self, need: Need) -> bool {
        self.groups.iter().any(|(_, t)| {
            t.iter().any(|t| match need {
                Need::Reads => *t != Tier::Primary,
                Need::Writes => *t == Tier::Primary,
            })
        })
    }

    fn needed(tiers: &[Tier], need: Need) -> impl Iterator<Item = Tier> + '_ {
        tiers
            .iter()
            .copied()
            .filter(move |t| need == Need::Writes || *t != Tier::Primary)
    }

    fn size(&self) -> usize {
        (self.ctx.len() + self.ctx.out.iter().map(<[_]>::len).sum::<usize>()).max(1)
            * self.groups.len().max(1)
    }

    /// Whether the site works when components for which `up` says so are up; the components
    /// reached are pushed to `order` (in breadth-first order) when given.
    fn works(
        &self,
        up: &dyn Fn(usize) -> bool,
        need: Need,
        mut order: Option<&mut Vec<usize>>,
    ) -> bool {
        let comps = &self.ctx.design.components;
        let partner = &self.ctx.databases().partner;
        let mut ok = true;
        for (g, tiers) in &self.groups {
            let reach = self.ctx.reach_group(*g, |i| !up(i));
            if let Some(order) = order.as_deref_mut() {
                order.extend((0..reach.len()).filter(|&i| reach[i]));
            }
            for t in Self::needed(tiers, need) {
                let serves = |i: usize| {
                    self.ctx.serving(&reach, up, i)
                        && self.ctx.tiers(i).any(|x| x == t)
                        && (t != Tier::Primary || partner[i].is_none_or(up))
                };
                if !(0..comps.len()).any(serves) {
                    ok = false;
                }
            }
            if let Some(order) = order.as_deref_mut() {
                order.extend(
                    (0..reach.len())
                        .filter(|&i| reach[i])
                        .filter_map(|i| partner[i]),
                );
                order.extend(
                    (0..reach.len())
                        .filter(|&i| !reach[i] && self.ctx.serving(&reach, |_| true, i)),
                );
            }
            if !ok && order.is_none() {
                return false;
            }
        }
        ok
    }

    fn comp_up(&self, states: &[State], i: usize, open_up: bool) -> bool {
        self.comp_units[i].iter().all(|&u| {
            u == NONE
                || match states[u as usize] {
                    State::Up => true,
                    State::Down => false,
                    State::Open => open_up,
                }
        })
    }

    /// Exact availability by factoring, or None when it would take more than `budget`
    /// evaluations.
    fn exact(&self, states: &mut Vec<State>, need: Need, budget: &mut usize) -> Option<f64> {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let mut order = Vec::new();
        let s: &[State] = states;
        if !self.works(&|i| self.comp_up(s, i, true), need, Some(&mut order)) {
            return Some(0.0);
        }
        if self.works(&|i| self.comp_up(s, i, false), need, None) {
            return Some(1.0);
        }
        let pivot = order.iter().find_map(|&i| {
            self.comp_units[i]
                .iter()
                .find(|&&u| u != NONE && states[u as usize] == State::Open)
                .copied()
        })? as usize;
        let a = self.units[pivot].0;
        states[pivot] = State::Up;
        let up = self.exact(states, need, budget);
        states[pivot] = State::Down;
        let down = self.exact(states, need, budget);
        states[pivot] = State::Open;
        Some(a * up? + (1.0 - a) * down?)
    }

    /// Monte Carlo over `sweeps` × 64 states: (read successes, write successes, samples).
    fn sample(&self, sweeps: usize) -> (u64, u64, u64) {
        let ctx = self.ctx;
        let n = ctx.len();
        let order = topological(ctx, &self.relevant);
        let acyclic = order.1;
        let order = order.0;
        let mut rng = SplitMix(SEED);
        // The index of the next failing sample of each unit, drawn geometrically.
        let gaps: Vec<f64> = self.units.iter().map(|u| (u.0).ln()).collect();
        let mut next: Vec<u64> = gaps.iter().map(|&g| rng.gap(g)).collect();
        let mut unit_down = vec![0u64; self.units.len()];
        let mut up = vec![0u64; n];
        let mut reach = vec![0u64; n];
        let mut starts = vec![vec![false; n]; self.groups.len()];
        for (k, (g, _)) in self.groups.iter().enumerate() {
            let group = &ctx.groups[*g];
            for &e in &group.targets {
                starts[k][e] = true;
            }
        }
        let members: Vec<Vec<usize>> = Tier::ALL
            .iter()
            .map(|t| {
                (0..n)
                    .filter(|&i| self.relevant[i] && ctx.tiers(i).any(|x| x == *t))
                    .collect()
            })
            .collect();
        let dbs = ctx.databases();
        let partner = &dbs.partner;
        let (mut reads, mut writes) = (0u64, 0u64);
        for sweep in 0..sweeps as u64 {
            let end = (sweep + 1) * 64;
            for (u, down) in unit_down.iter_mut().enumerate() {
                let mut mask = 0u64;
                while next[u] < end {
                    mask |= 1 << (next[u] - sweep * 64);
                    next[u] = next[u] + 1 + rng.gap(gaps[u]);
                }
                *down = mask;
            }
            for &i in &order {
                let mut down = 0u64;
                for &u in &self.comp_units[i] {
                    if u != NONE {
                        down |= unit_down[u as usize];
                    }
                }
                up[i] = !down;
            }
            let (mut read_ok, mut write_ok) = (!0u64, !0u64);
            for (k, (_, tiers)) in self.groups.iter().enumerate() {
                let start = &starts[k];
                reach.iter_mut().for_each(|r| *r = 0);
                loop {
                    let mut changed = false;
                    for &i in &order {
                        let mut r = if start[i] { !0 } else { 0 };
                        for &(p, _) in &ctx.into[i] {
                            r |= reach[p];
                        }
                        r &= up[i];
                        if r != reach[i] {
                            reach[i] = r;
                            changed = true;
                        }
                    }
                    if acyclic || !changed {
                        break;
                    }
                }
                // A standby serves where it is up and its primary's senders are reached.
                let serving = |m: usize| {
                    let fed = dbs.feeds[m].iter().fold(0u64, |acc, &f| acc | reach[f]);
                    reach[m] | (up[m] & fed)
                };
                for t in tiers {
                    let served = members[*t as usize]
                        .iter()
                        .fold(0u64, |acc, &m| acc | serving(m));
                    if *t == Tier::Primary {
                        // A primary of a group of two takes writes only with its partner up.
                        let served = members[*t as usize].iter().fold(0u64, |acc, &m| {
                            acc | (serving(m) & partner[m].map_or(!0, |p| up[p]))
                        });
                        write_ok &= served;
                    } else {
                        read_ok &= served;
                    }
                }
            }
            reads += u64::from(read_ok.count_ones());
            writes += u64::from((read_ok & write_ok).count_ones());
        }
        (reads, writes, sweeps as u64 * 64)
    }
}

/// The relevant components in an order where each comes after those that send it requests,
/// and whether there was such an order (no cycle); cycles are appended in index order.
pub(crate) fn topological(ctx: &Ctx, relevant: &[bool]) -> (Vec<usize>, bool) {
    let n = ctx.len();
    let mut indegree = vec![0u32; n];
    for i in (0..n).filter(|&i| relevant[i]) {
        for &(m, _) in &ctx.out[i] {
            if relevant[m] {
                indegree[m] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..n)
        .filter(|&i| relevant[i] && indegree[i] == 0)
        .collect();
    let mut head = 0;
    while head < order.len() {
        let i = order[head];
        head += 1;
        for &(m, _) in &ctx.out[i] {
            if relevant[m] {
                indegree[m] -= 1;
                if indegree[m] == 0 {
                    order.push(m);
                }
            }
        }
    }
    let total = relevant.iter().filter(|r| **r).count();
    let acyclic = order.len() == total;
    if !acyclic {
        order.extend((0..n).filter(|&i| relevant[i] && indegree[i] > 0));
    }
    (order, acyclic)
}

/// SplitMix64: small, fast and good enough for sampling failures.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Successes before the next failure, for a success probability `a` given as `ln a`.
    fn gap(&mut self, ln_a: f64) -> u64 {
        if ln_a >= 0.0 {
            return u64::MAX / 2;
        }
        let g = (self.unit().ln() / ln_a).floor();
        if g >= (u64::MAX / 4) as f64 {
            u64::MAX / 4
        } else {
            g as u64
        }
    }
}

/// The site's availability; None where no public entry reaches any tier.
pub fn availability(ctx: &Ctx) -> Option<Availability> {
    let model = Model::new(ctx);
    estimate(&model, EXACT_BUDGET, SAMPLE_BUDGET)
}

fn estimate(model: &Model, exact_budget: usize, sample_budget: usize) -> Option<Availability> {
    if !model.serves(Need::Reads) {
        return None;
    }
    let has_writes = model.serves(Need::Writes);
    // One budget for every exact run: the two figures first, then the importances.
    let mut budget = if model.units.len() <= EXACT_MAX_UNITS {
        exact_budget / model.size()
    } else {
        0
    };
    let mut states = vec![State::Open; model.units.len()];
    let reads = model.exact(&mut states, Need::Reads, &mut budget);
    let writes = match (reads, has_writes) {
        (Some(_), true) => model.exact(&mut states, Need::Writes, &mut budget),
        (r, _) => r,
    };
    if let (Some(reads), Some(writes)) = (reads, writes) {
        let mut importance = Vec::with_capacity(model.units.len());
        for u in 0..model.units.len() {
            states[u] = State::Up;
            let up = model.exact(&mut states, Need::Reads, &mut budget);
            states[u] = State::Down;
            let down = model.exact(&mut states, Need::Reads, &mut budget);
            states[u] = State::Open;
            match (up, down) {
                (Some(up), Some(down)) => importance.push(model.importance(u, up - down)),
                _ => {
                    importance = model.spof_importance(reads);
                    break;
                }
            }
        }
        return Some(model.finish(
            Method::Exact,
            Estimate::exact(reads),
            has_writes.then(|| Estimate::exact(writes)),
            importance,
        ));
    }
    let sweeps =
        (sample_budget / (model.size() + model.units.len()).max(1)).clamp(MIN_SWEEPS, MAX_SWEEPS);
    let (reads, writes, n) = model.sample(sweeps);
    let reads = Estimate::sampled(reads, n);
    let writes = has_writes.then(|| Estimate::sampled(writes, n));
    let importance = model.spof_importance(reads.availability);
    Some(model.finish(Method::Sampled { samples: n }, reads, writes, importance))
}

impl Model<'_, '_> {
    fn importance(&self, u: usize, birnbaum: f64) -> Importance {
        let (a, kind, index) = self.units[u];
        let id = match kind {
            UnitKind::Component => self.ctx.design.components[index].id.clone(),
            UnitKind::Server => self.ctx.design.servers[index].id.clone(),
            UnitKind::Zone => self.ctx.design.zones[index].id.clone(),
        };
        let birnbaum = birnbaum.clamp(0.0, 1.0);
        Importance {
            id,
            kind,
            availability: a,
            birnbaum,
            gain: (1.0 - a) * birnbaum,
        }
    }

    /// Importance where the exact method is out of reach: a unit whose failure alone takes
    /// the site down (a single point of failure, from the dominators the SPOF rules compute)
    /// has importance A / a, exactly, since the site works only while it is up.
    fn spof_importance(&self, reads: f64) -> Vec<Importance> {
        let cuts_reads = |s: &super::graph::Spof| {
            s.cuts.iter().any(|(g, tiers)| {
                self.ctx.groups[*g].public && tiers.iter().any(|t| *t != Tier::Primary)
            })
        };
        let mut out = Vec::new();
        for s in self.ctx.component_spofs().iter().filter(|s| cuts_reads(s)) {
            let u = self.comp_units[s.node][0];
            if u != NONE {
                out.push(self.importance(u as usize, reads / self.units[u as usize].0));
            }
        }
        for s in self.ctx.server_spofs().iter().filter(|s| cuts_reads(s)) {
            if let Some(u) = self
                .server_units
                .get(s.node)
                .copied()
                .filter(|&u| u != NONE)
            {
                out.push(self.importance(u as usize, reads / self.units[u as usize].0));
            }
        }
        // A zone whose loss alone takes the site down (SPOF-ZONE), the same way.
        use super::rules::spof_zone::{Domains, Level};
        let zones = Domains::of(self.ctx.design, &self.ctx.server_of, Level::Zone);
        for s in zones.spofs(self.ctx).iter().filter(|s| cuts_reads(s)) {
            let Some(z) = self
                .ctx
                .design
                .zones
                .iter()
                .position(|z| z.id == zones.names[s.node])
            else {
                continue;
            };
            if let Some(u) = self
                .units
                .iter()
                .position(|&(_, kind, i)| kind == UnitKind::Zone && i == z)
            {
                out.push(self.importance(u, reads / self.units[u].0));
            }
        }
        out
    }

    fn finish(
        &self,
        method: Method,
        reads: Estimate,
        writes: Option<Estimate>,
        mut importance: Vec<Importance>,
    ) -> Availability {
        importance.retain(|i| i.birnbaum > 1e-12);
        importance.sort_by(|a, b| {
            b.birnbaum
                .total_cmp(&a.birnbaum)
                .then(b.gain.total_cmp(&a.gain))
                .then_with(|| a.id.cmp(&b.id))
        });
        Availability {
            method,
            reads,
            writes,
            importance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, DbRole, Design, Link, Protocol};

    fn link(d: &mut Design, from: &str, to: &str) {
        d.links.push(Link {
            from: from.into(),
            to: to.into(),
            protocol: Protocol::Http,
            port: None,
            label: None,
        });
    }

    fn comp(d: &mut Design, id: &str, kind: Kind, a: f64) {
        let mut c = Component::new(id, kind);
        c.availability = Some(Number(a));
        d.components.push(c);
    }

    /// user → lb → web → app → db: five in series (the client cannot fail).
    fn series(a: [f64; 4]) -> Design {
        let mut d = Design::new("series");
        comp(&mut d, "user", Kind::Client, 1.0);
        let kinds = [
            Kind::LoadBalancer,
            Kind::WebServer,
            Kind::AppServer,
            Kind::Database,
        ];
        let ids = ["lb", "web", "app", "db"];
        for ((id, kind), a) in ids.iter().zip(kinds).zip(a) {
            comp(&mut d, id, kind, a);
        }
        link(&mut d, "user", "lb");
        link(&mut d, "lb", "web");
        link(&mut d, "web", "app");
        link(&mut d, "app", "db");
        d
    }

    fn run(d: &Design, exact: usize, sample: usize) -> Availability {
        let ctx = Ctx::new(d);
        estimate(&Model::new(&ctx), exact, sample).expect("the site serves")
    }

    #[test]
    fn series_is_the_product() {
        let a = [0.99, 0.995, 0.97, 0.9995];
        let r = run(&series(a), EXACT_BUDGET, SAMPLE_BUDGET);
        assert_eq!(r.method, Method::Exact);
        let product: f64 = a.iter().product();
        assert!((r.reads.availability - product).abs() < 1e-9, "{r:?}");
        // A lone database is the primary: writes need nothing more.
        let w = r.writes.expect("a primary");
        assert!((w.availability - product).abs() < 1e-9);
        // In series, Birnbaum importance is the product of the others: the least available
        // component ranks first.
        assert_eq!(r.importance[0].id, "app");
        assert!((r.importance[0].birnbaum - product / 0.97).abs() < 1e-9);
    }

    /// user → app → db-1, and db-1 replicating to db-2 (a replica, or a second primary),
    /// both read by the application.
    fn copied(second: DbRole, failover: Option<crate::model::Failover>) -> Design {
        let mut d = Design::new("copied");
        comp(&mut d, "user", Kind::Client, 1.0);
        comp(&mut d, "app", Kind::AppServer, 1.0);
        comp(&mut d, "db-1", Kind::Database, 0.99);
        comp(&mut d, "db-2", Kind::Database, 0.99);
        d.components[2].failover = failover;
        d.components[3].role = Some(second);
        link(&mut d, "user", "app");
        link(&mut d, "app", "db-1");
        link(&mut d, "app", "db-2");
        d.links.push(Link {
            from: "db-1".into(),
            to: "db-2".into(),
            protocol: Protocol::Replication,
            port: None,
            label: None,
        });
        d
    }

    #[test]
    fn a_replica_takes_writes_only_where_it_is_promoted_by_itself() {
        use crate::model::Failover;
        let both = 1.0 - 0.01 * 0.01;
        for (failover, writes) in [
            (None, 0.99),
            (Some(Failover::Manual), 0.99),
            (Some(Failover::Automatic), both),
            (Some(Failover::Vip), both),
        ] {
            let r = run(
                &copied(DbRole::Replica, failover),
                EXACT_BUDGET,
                SAMPLE_BUDGET,
            );
            assert!((r.reads.availability - both).abs() < 1e-9, "{r:?}");
            let w = r.writes.expect("a primary").availability;
            assert!((w - writes).abs() < 1e-9, "{failover:?}: {w}");
        }
    }

    #[test]
    fn two_primaries_take_writes_only_together() {
        // A group of two has no majority once either fails (DB-QUORUM): writes are in series.
        let d = copied(DbRole::Primary, None);
        for (exact, sample) in [(EXACT_BUDGET, SAMPLE_BUDGET), (0, SAMPLE_BUDGET)] {
            let r = run(&d, exact, sample);
            let w = r.writes.expect("primaries");
            assert!(
                (r.reads.availability - (1.0 - 0.01 * 0.01)).abs() < 1e-3,
                "{r:?}"
            );
            assert!(
                w.low - 1e-9 <= 0.99 * 0.99 && 0.99 * 0.99 <= w.high + 1e-9,
                "{exact}: {w:?}"
            );
        }
        // A third member keeps a majority: any one primary reached takes writes.
        let mut d = copied(DbRole::Primary, None);
        comp(&mut d, "db-3", Kind::Database, 0.99);
        link(&mut d, "app", "db-3");
        d.links.push(Link {
            from: "db-1".into(),
            to: "db-3".into(),
            protocol: Protocol::Replication,
            port: None,
            label: None,
        });
        let w = run(&d, EXACT_BUDGET, SAMPLE_BUDGET)
            .writes
            .expect("primaries");
        assert!(
            (w.availability - (1.0 - 0.01f64.powi(3))).abs() < 1e-9,
            "{w:?}"
        );
    }

    #[test]
    fn parallel_is_one_minus_the_product_of_failures() {
        let mut d = Design::new("parallel");
        comp(&mut d, "user", Kind::Client, 1.0);
        let a = [0.9, 0.95, 0.8];
        for (k, a) in a.iter().enumerate() {
            let id = format!("web-{k}");
            comp(&mut d, &id, Kind::WebServer, *a);
            link(&mut d, "user", &id);
        }
        let r = run(&d, EXACT_BUDGET, SAMPLE_BUDGET);
        let expected = 1.0 - a.iter().map(|a| 1.0 - a).product::<f64>();
        assert!((r.reads.availability - expected).abs() < 1e-9, "{r:?}");
        assert!(r.writes.is_none(), "no database, no writes");
        // Birnbaum importance of one in parallel: the chance that the others are all down.
        let web0 = r
            .importance
            .iter()
            .find(|i| i.id == "web-0")
            .expect("ranked");
        assert!((web0.birnbaum - 0.05 * 0.2).abs() < 1e-9);
    }

    /// The classic bridge between the entry and the web tier: five elements (here routers,
    /// whose junctions cannot fail), `e1`–`e3` and `e2`–`e4` the two sides and `e5` the bridge
    /// carrying requests both ways. With every element at p its reliability is
    /// 2p² + 2p³ − 5p⁴ + 2p⁵.
    #[test]
    fn the_bridge_has_its_known_exact_value() {
        for p in [0.9_f64, 0.99, 0.5] {
            let mut d = Design::new("bridge");
            comp(&mut d, "user", Kind::Client, 1.0);
            comp(&mut d, "web", Kind::WebServer, 1.0);
            for id in ["j1", "j2"] {
                comp(&mut d, id, Kind::Other, 1.0);
            }
            for id in ["e1", "e2", "e3", "e4", "e5"] {
                comp(&mut d, id, Kind::Router, p);
            }
            for (f, t) in [
                ("user", "e1"),
                ("e1", "j1"),
                ("user", "e2"),
                ("e2", "j2"),
                ("j1", "e3"),
                ("e3", "web"),
                ("j2", "e4"),
                ("e4", "web"),
                ("j1", "e5"),
                ("e5", "j2"),
                ("j2", "e5"),
                ("e5", "j1"),
            ] {
                link(&mut d, f, t);
            }
            let textbook = 2.0 * p.powi(2) + 2.0 * p.powi(3) - 5.0 * p.powi(4) + 2.0 * p.powi(5);
            let r = run(&d, EXACT_BUDGET, SAMPLE_BUDGET);
            assert_eq!(r.method, Method::Exact);
            assert!(
                (r.reads.availability - textbook).abs() < 1e-9,
                "p = {p}: {} vs {textbook}",
                r.reads.availability
            );
            // The sampler has a cycle to iterate here (e5 both ways) and still agrees.
            let s = run(&d, 0, SAMPLE_BUDGET).reads;
            assert!(
                s.low <= textbook && textbook <= s.high,
                "{s:?} vs {textbook}"
            );
        }
    }

    #[test]
    fn sampling_agrees_with_the_exact_method_within_its_interval() {
        let designs = [series([0.99, 0.98, 0.97, 0.95]), {
            let mut d = series([0.99, 0.98, 0.97, 0.95]);
            comp(&mut d, "web-2", Kind::WebServer, 0.9);
            link(&mut d, "lb", "web-2");
            link(&mut d, "web-2", "app");
            let mut replica = Component::new("replica", Kind::Database);
            replica.role = Some(DbRole::Replica);
            replica.availability = Some(Number(0.9));
            d.components.push(replica);
            link(&mut d, "app", "replica");
            d
        }];
        for d in &designs {
            let exact = run(d, EXACT_BUDGET, SAMPLE_BUDGET);
            // No budget for the exact method: it samples.
            let sampled = run(d, 0, SAMPLE_BUDGET);
            assert!(
                matches!(sampled.method, Method::Sampled { samples } if samples >= 64 * MIN_SWEEPS as u64)
            );
            for (e, s) in [
                (exact.reads, sampled.reads),
                (
                    exact.writes.expect("primary"),
                    sampled.writes.expect("primary"),
                ),
            ] {
                assert!(
                    s.low <= e.availability && e.availability <= s.high,
                    "{}: exact {} outside [{}, {}]",
                    d.name,
                    e.availability,
                    s.low,
                    s.high
                );
                assert!(s.high - s.low < 0.01, "the interval is useful: {s:?}");
            }
            // The same design samples to the same figures.
            assert_eq!(run(d, 0, SAMPLE_BUDGET), sampled);
        }
    }

    #[test]
    fn a_server_takes_its_components_down_with_it() {
        // Two web servers on one server are no better than the server.
        let mut d = Design::new("shared host");
        d.servers.push(crate::model::Server {
            id: "box".into(),
            availability: Some(Number(0.99)),
            ..Default::default()
        });
        comp(&mut d, "user", Kind::Client, 1.0);
        for id in ["w1", "w2"] {
            comp(&mut d, id, Kind::WebServer, 0.9);
            d.component_mut(id).expect("added").server = Some("box".into());
            link(&mut d, "user", id);
        }
        let r = run(&d, EXACT_BUDGET, SAMPLE_BUDGET);
        assert!(
            (r.reads.availability - 0.99 * (1.0 - 0.01)).abs() < 1e-9,
            "{r:?}"
        );
        assert_eq!(r.importance[0].id, "box");
        assert_eq!(r.importance[0].kind, UnitKind::Server);
    }

    /// user → two web servers, each alone on a server of availability `s`, the servers in
    /// zones of availability `z` as `place` says.
    fn zoned(s: f64, z: f64, place: [&str; 2]) -> Design {
        let mut d = Design::new("zones");
        for id in ["a", "b"] {
            d.zones.push(crate::model::Zone {
                id: id.into(),
                availability: Some(Number(z)),
                ..Default::default()
            });
        }
        comp(&mut d, "user", Kind::Client, 1.0);
        for (k, zone) in place.iter().enumerate() {
            let id = format!("w{k}");
            d.servers.push(crate::model::Server {
                id: format!("s{k}"),
                availability: Some(Number(s)),
                zone: Some(zone.to_string()),
                ..Default::default()
            });
            comp(&mut d, &id, Kind::WebServer, 1.0);
            d.component_mut(&id).expect("added").server = Some(format!("s{k}"));
            link(&mut d, "user", &id);
        }
        d
    }

    #[test]
    fn a_zone_is_one_factor_shared_by_its_servers() {
        let (s, z) = (0.99, 0.999);
        // One zone: both servers need it, so it multiplies once, not once per server.
        let one = run(&zoned(s, z, ["a", "a"]), EXACT_BUDGET, SAMPLE_BUDGET);
        let expected = z * (1.0 - (1.0 - s) * (1.0 - s));
        assert!((one.reads.availability - expected).abs() < 1e-9, "{one:?}");
        assert_eq!(one.importance[0].id, "a");
        assert_eq!(one.importance[0].kind, UnitKind::Zone);
        // Two zones: two independent branches of zone × server.
        let two = run(&zoned(s, z, ["a", "b"]), EXACT_BUDGET, SAMPLE_BUDGET);
        let expected = 1.0 - (1.0 - z * s) * (1.0 - z * s);
        assert!((two.reads.availability - expected).abs() < 1e-9, "{two:?}");
        assert!(two.reads.availability > one.reads.availability);
        // Sampling treats the shared zone the same way.
        let sampled = run(&zoned(s, z, ["a", "a"]), 0, SAMPLE_BUDGET);
        let e = z * (1.0 - (1.0 - s) * (1.0 - s));
        assert!(
            sampled.reads.low <= e && e <= sampled.reads.high,
            "{sampled:?}"
        );
        // A zone without a figure never fails as a whole: the figures are as without zones.
        let mut plain = zoned(s, z, ["a", "a"]);
        plain.zones.iter_mut().for_each(|z| z.availability = None);
        let r = run(&plain, EXACT_BUDGET, SAMPLE_BUDGET);
        assert!((r.reads.availability - (1.0 - (1.0 - s) * (1.0 - s))).abs() < 1e-9);
    }

    #[test]
    fn mtbf_and_mttr_give_an_availability() {
        assert_eq!(
            stated(None, Some(Number(999.0)), Some(Number(1.0))),
            Some(0.999)
        );
        assert_eq!(stated(Some(Number(0.5)), None, None), Some(0.5));
        assert_eq!(stated(None, Some(Number(1.0)), None), None);
    }

    #[test]
    fn a_sample_without_failures_gives_its_bound_not_100_percent() {
        let e = Estimate::sampled(131_072, 131_072);
        assert_eq!(e.availability, 1.0);
        assert!(e.percent().starts_with("≥ 99.99"), "{}", e.percent());
        assert!(e.downtime().starts_with("≤ "), "{}", e.downtime());
        assert_eq!(Estimate::exact(1.0).percent(), "100%");
    }

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(percent(0.999), "99.9%");
        assert_eq!(percent(0.9995), "99.95%");
        assert_eq!(percent(0.99123), "99.12%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(duration(8.766), "8 h 46 min");
        assert_eq!(duration(0.5), "30 min");
        assert_eq!(duration(0.001), "4 s");
        assert_eq!(duration(30.0), "1 d 6 h");
    }
}
