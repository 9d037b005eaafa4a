//! SPOF-ZONE: a zone (failure domain) whose loss cuts clients off from a needed tier, where no
//! single server or component in it explains the loss. SPOF-REGION asks the same of regions
//! and shares the machinery here.

use super::spof_component::judge;
use crate::analyze::graph::Spof;
use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};
use crate::model::{Design, Kind};

pub static RULE: Rule = Rule {
    id: "SPOF-ZONE",
    severity: Severity::Critical,
    title: "single point of failure (zone)",
    checks: "A zone whose loss (every server in it at once: power, cooling, its network) leaves \
             clients unable to reach every instance of a needed tier. Decided by failing every server of the zone at once and asking what the entries still reach \
             (the question `simulate --fail ZONE` asks). Only in \
             designs that declare two zones or more, or one zone that holds every server (the \
             whole site then sits in one zone): a design that places only some servers in a \
             single zone says nothing of where the others are, and one without zones has made \
             no claim to check. A zone is reported only for what no single server or component \
             in it already explains (SPOF-SERVER or SPOF-COMPONENT speak for that): two web \
             servers on two servers of one zone are a zone finding; one web server is a server \
             finding, and its zone says nothing more.",
    why: "Zones fail as a whole more often than people expect (a power or network event, a \
          provider's incident): instances spread over servers but kept in one zone go down \
          together.",
    fix: "Run a second instance of each tier the zone holds alone in another zone (a second \
          load balancer, web or application server, a replica with failover), behind an entry \
          that spans both zones.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    domain_findings(ctx, Level::Zone)
}

/// Which failure domains a pass is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Zone,
    Region,
}

impl Level {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Level::Zone => "zone",
            Level::Region => "region",
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Level::Zone => RULE.id,
            Level::Region => super::spof_region::RULE.id,
        }
    }
}

/// The domains of one level: their names and which one each server and component is in.
pub(crate) struct Domains<'a> {
    pub names: Vec<&'a str>,
    pub of_server: Vec<Option<usize>>,
    pub of_comp: Vec<Option<usize>>,
}

impl<'a> Domains<'a> {
    pub(crate) fn of(design: &'a Design, server_of: &[Option<usize>], level: Level) -> Domains<'a> {
        let zone_of = design.zone_of();
        let (names, of_server): (Vec<&str>, Vec<Option<usize>>) = match level {
            Level::Zone => (
                design.zones.iter().map(|z| z.id.as_str()).collect(),
                zone_of,
            ),
            Level::Region => {
                let names = design.regions();
                let of_server = zone_of
                    .iter()
                    .map(|z| {
                        let r = design.zones[(*z)?].region.as_deref()?;
                        names.iter().position(|n| *n == r)
                    })
                    .collect();
                (names, of_server)
            }
        };
        let of_comp = server_of.iter().map(|s| of_server[(*s)?]).collect();
        Domains {
            names,
            of_server,
            of_comp,
        }
    }

    /// Whether the design says enough about its domains for the rule to judge them: two or
    /// more, or one that holds every server.
    pub(crate) fn judged(&self) -> bool {
        match self.names.len() {
            0 => false,
            1 => !self.of_server.is_empty() && self.of_server.iter().all(|d| d.is_some()),
            _ => true,
        }
    }

    /// Whether domain `d` holds every server of the design.
    fn holds_all(&self, d: usize) -> bool {
        !self.of_server.is_empty() && self.of_server.iter().all(|x| *x == Some(d))
    }

    /// The domains whose loss cuts an entry group off from a tier. Each domain is failed
    /// as a whole and the entries' reach recomputed: contracting a zone to one node, as the
    /// server pass contracts a server, would join what enters the zone at its front to what
    /// leaves it at the back and invent paths (a load balancer and an application server in
    /// the zone, the web servers elsewhere). Designs have few zones, so this stays cheap.
    pub(crate) fn spofs(&self, ctx: &Ctx) -> Vec<Spof> {
        let comps = &ctx.design.components;
        let tiers_of = |reach: &[bool], down: &dyn Fn(usize) -> bool| -> Vec<Tier> {
            Tier::ALL
                .into_iter()
                .filter(|t| {
                    (0..comps.len()).any(|i| {
                        ctx.serving(reach, |i| !down(i), i) && ctx.tiers(i).any(|x| x == *t)
                    })
                })
                .collect()
        };
        let before: Vec<Vec<Tier>> = (0..ctx.groups.len())
            .map(|g| tiers_of(&ctx.reach_group(g, |_| false), &|_| false))
            .collect();
        let mut out = Vec::new();
        for d in 0..self.names.len() {
            if !self.of_comp.contains(&Some(d)) {
                continue;
            }
            let mut cuts = Vec::new();
            for (g, had) in before.iter().enumerate() {
                let down = |i: usize| self.of_comp[i] == Some(d);
                let after = tiers_of(&ctx.reach_group(g, down), &down);
                let lost: Vec<Tier> = had.iter().copied().filter(|t| !after.contains(t)).collect();
                if !lost.is_empty() {
                    cuts.push((g, lost));
                }
            }
            if !cuts.is_empty() {
                out.push(Spof { node: d, cuts });
            }
        }
        out
    }
}

/// A smaller cause of loss: the domain it lies in, and the (entry group, tier) pairs it cuts.
type Cause = (Option<usize>, Vec<(usize, Tier)>);

/// The (entry group, tier) pairs a spof cuts, public groups only.
fn public_cuts(ctx: &Ctx, s: &Spof) -> Vec<(usize, Tier)> {
    s.cuts
        .iter()
        .filter(|(g, _)| ctx.groups[*g].public)
        .flat_map(|(g, t)| t.iter().map(move |t| (*g, *t)))
        .collect()
}

/// The findings of one level: each domain that cuts a public entry off from a tier that no
/// smaller cause inside it (a component, a server, for regions a zone) cuts off already.
pub(crate) fn domain_findings(ctx: &Ctx, level: Level) -> Vec<Finding> {
    let design = ctx.design;
    let domains = Domains::of(design, &ctx.server_of, level);
    if !domains.judged() {
        return Vec::new();
    }
    let spofs = domains.spofs(ctx);
    if spofs.is_empty() {
        return Vec::new();
    }
    // The smaller causes, each with the domain it lies in.
    let mut smaller: Vec<Cause> = Vec::new();
    for s in ctx.server_spofs() {
        smaller.push((domains.of_server[s.node], public_cuts(ctx, s)));
    }
    for s in ctx.component_spofs() {
        smaller.push((domains.of_comp[s.node], public_cuts(ctx, s)));
    }
    if level == Level::Region {
        let zones = Domains::of(design, &ctx.server_of, Level::Zone);
        let region_of_zone = |z: usize| {
            let r = design.zones[z].region.as_deref()?;
            domains.names.iter().position(|n| *n == r)
        };
        for s in zones.spofs(ctx) {
            smaller.push((region_of_zone(s.node), public_cuts(ctx, &s)));
        }
    }
    let mut findings = Vec::new();
    for s in &spofs {
        let d = s.node;
        let explained = |cut: &(usize, Tier)| {
            smaller
                .iter()
                .any(|(at, cuts)| *at == Some(d) && cuts.contains(cut))
        };
        let left: Vec<(usize, Tier)> = public_cuts(ctx, s)
            .into_iter()
            .filter(|c| !explained(c))
            .collect();
        if left.is_empty() {
            continue;
        }
        let mut cuts: Vec<(usize, Vec<Tier>)> = Vec::new();
        for (g, t) in &left {
            match cuts.iter_mut().find(|(x, _)| x == g) {
                Some((_, ts)) => ts.push(*t),
                None => cuts.push((*g, vec![*t])),
            }
        }
        let spof = Spof { node: d, cuts };
        let (severity, outcome) = judge(ctx, &spof);
        // A site in a single region made no claim to outlive it (most sites accept that
        // risk): said at low, not ranked with the flaws of a design that spans regions.
        let severity = if level == Level::Region && domains.names.len() == 1 {
            Severity::Low
        } else {
            severity
        };
        let culprits = culprits(ctx, &domains, d, &left);
        let ids: Vec<&str> = culprits
            .iter()
            .flat_map(|(_, members)| members.iter().map(|&i| ctx.id(i)))
            .collect();
        let mut servers: Vec<&str> = culprits
            .iter()
            .flat_map(|(_, members)| members.iter().filter_map(|&i| ctx.server_of[i]))
            .map(|s| design.servers[s].id.as_str())
            .collect();
        servers.sort_unstable();
        servers.dedup();
        let name = domain_name(design, level, domains.names[d]);
        let tiers = Tier::phrase(&spof.tiers());
        let from = if ctx.entry == crate::analyze::Entry::Clients {
            "the clients"
        } else {
            "the entry points (inferred: the design has no client)"
        };
        let message = if domains.holds_all(d) {
            format!(
                "every server of the design is in {name}: every path from {from} to the {tiers} passes through it, and if it fails, {outcome}"
            )
        } else {
            format!(
                "every path from {from} to the {tiers} passes through {name}, where {} {}: if it fails, {outcome}",
                some(&ids),
                if ids.len() == 1 { "runs" } else { "run" }
            )
        };
        let word = level.word();
        let each: Vec<String> = culprits
            .iter()
            .map(|(kind, members)| {
                let m: Vec<&str> = members.iter().map(|&i| ctx.id(i)).collect();
                match kind {
                    Kind::Database => format!(
                        "a standby copy of {} (a replica with automatic failover, or a second primary)",
                        some(&m)
                    ),
                    k => format!("a second {} (beside {})", k.title(), some(&m)),
                }
            })
            .collect();
        let what = crate::analyze::and_join(&each);
        let fix = if domains.holds_all(d) {
            // The whole site is in the domain: the answer is a second copy of the site.
            let roles: Vec<String> = culprits
                .iter()
                .filter(|(k, _)| *k != Kind::Database)
                .map(|(k, _)| k.title().to_string())
                .collect();
            let dbs: Vec<&str> = culprits
                .iter()
                .filter(|(k, _)| *k == Kind::Database)
                .flat_map(|(_, m)| m.iter().map(|&i| ctx.id(i)))
                .collect();
            let mut parts = roles;
            if !dbs.is_empty() {
                parts.push(format!(
                    "a copy of the data that takes over when {} fail{}",
                    some(&dbs),
                    if dbs.len() == 1 { "s" } else { "" }
                ));
            }
            let entry = match level {
                Level::Zone => "a load balancer that spans both zones",
                Level::Region => {
                    "an entry that sends clients to the region that is up (DNS failover or a global load balancer)"
                }
            };
            format!(
                "add a second {word} with its own {}, and {entry}, so that losing `{}` leaves the site running",
                crate::analyze::and_join(&parts),
                domains.names[d]
            )
        } else {
            format!(
                "put {what} in another {word}, so that losing `{}` leaves one of each running",
                domains.names[d]
            )
        };
        findings.push(
            Finding::new(level.rule(), severity, message)
                .components(ids.iter().copied())
                .servers(servers.iter().copied())
                .recommend(fix),
        );
    }
    findings
}

/// Ids for a message, the first few of a long list: "`a`, `b`, `c`, `d`, `e` and 12 more".
/// The finding itself lists them all.
fn some(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    if ids.len() <= SHOWN + 1 {
        return list(ids);
    }
    let quoted: Vec<String> = ids[..SHOWN].iter().map(|i| format!("`{i}`")).collect();
    format!("{} and {} more", quoted.join(", "), ids.len() - SHOWN)
}

/// "zone `a` (region `eu`)", "region `eu`".
fn domain_name(design: &Design, level: Level, name: &str) -> String {
    match level {
        Level::Zone => match design.zone(name).and_then(|z| z.region.as_deref()) {
            Some(r) => format!("zone `{name}` (region `{r}`)"),
            None => format!("zone `{name}`"),
        },
        Level::Region => format!("region `{name}`"),
    }
}

/// What in domain `d` the cut tiers hang on, kind by kind: the kinds whose instances in the
/// domain, lost together, cut one of the `left` pairs (each with its reachable instances in the
/// domain). Where no one kind does, every component in the domain that requests reach.
fn culprits(
    ctx: &Ctx,
    domains: &Domains,
    d: usize,
    left: &[(usize, Tier)],
) -> Vec<(Kind, Vec<usize>)> {
    let comps = &ctx.design.components;
    let inside: Vec<usize> = (0..ctx.len())
        .filter(|&i| domains.of_comp[i] == Some(d) && ctx.serving(&ctx.reachable, |_| true, i))
        .filter(|&i| {
            !matches!(
                comps[i].kind,
                Kind::Client | Kind::MonitoringAgent | Kind::AppFiles
            ) || !ctx.out[i].is_empty()
        })
        .collect();
    let mut kinds: Vec<Kind> = inside.iter().map(|&i| comps[i].kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let served = |reach: &[bool], down: &dyn Fn(usize) -> bool, t: Tier| {
        (0..comps.len())
            .any(|i| ctx.serving(reach, |i| !down(i), i) && ctx.tiers(i).any(|x| x == t))
    };
    let mut out = Vec::new();
    for k in kinds {
        let members: Vec<usize> = inside
            .iter()
            .copied()
            .filter(|&i| comps[i].kind == k)
            .collect();
        let cuts = left.iter().any(|&(g, t)| {
            let down = |i: usize| members.contains(&i);
            let reach = ctx.reach_group(g, down);
            !served(&reach, &down, t)
        });
        if cuts {
            out.push((k, members));
        }
    }
    if out.is_empty() {
        let mut by_kind: Vec<(Kind, Vec<usize>)> = Vec::new();
        for &i in &inside {
            match by_kind.iter_mut().find(|(k, _)| *k == comps[i].kind) {
                Some((_, m)) => m.push(i),
                None => by_kind.push((comps[i].kind, vec![i])),
            }
        }
        by_kind.sort_by_key(|(k, _)| *k);
        out = by_kind;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};
    use crate::model::{Server, Zone};

    fn zone(id: &str, region: Option<&str>) -> Zone {
        Zone {
            id: id.into(),
            region: region.map(Into::into),
            ..Default::default()
        }
    }

    /// Design 5 (every tier on two servers) with its servers placed by `place`.
    fn resilient(zones: &[Zone], place: impl Fn(&Server) -> &'static str) -> Design {
        let mut d = reference("05-resilient.toml");
        d.zones = zones.to_vec();
        for s in &mut d.servers {
            s.zone = Some(place(s).to_string());
        }
        d
    }

    #[test]
    fn long_lists_are_cut_in_words() {
        let ids = ["a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(some(&ids), "`a`, `b`, `c`, `d`, `e` and 2 more");
        assert_eq!(some(&ids[..6]), "`a`, `b`, `c`, `d`, `e` and `f`");
    }

    #[test]
    fn designs_without_zones_have_no_zone_finding() {
        for name in [
            "01-simple.toml",
            "02-distributed.toml",
            "03-secured-monitored.toml",
            "04-scale-up.toml",
            "05-resilient.toml",
        ] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }

    #[test]
    fn a_site_spread_over_two_zones_has_no_zone_spof() {
        let d = resilient(&[zone("a", None), zone("b", None)], |s| {
            if s.id.ends_with("01") { "a" } else { "b" }
        });
        assert!(run(&RULE, &d).is_empty());
    }

    #[test]
    fn both_web_servers_in_one_zone_make_it_a_spof() {
        let d = resilient(&[zone("a", Some("eu")), zone("b", Some("eu"))], |s| {
            if s.id.starts_with("web") || s.id.ends_with("01") {
                "a"
            } else {
                "b"
            }
        });
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message
                .contains("passes through zone `a` (region `eu`)"),
            "{}",
            f[0].message
        );
        assert!(f[0].components.contains(&"nginx-1".to_string()), "{f:#?}");
        assert!(
            f[0].recommendation.contains("another zone"),
            "{}",
            f[0].recommendation
        );
    }

    #[test]
    fn one_zone_holding_every_server_is_the_whole_site() {
        let d = resilient(&[zone("a", None)], |_| "a");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("every server of the design is in zone `a`"),
            "{}",
            f[0].message
        );
        assert!(f[0].recommendation.starts_with("add a second zone"));
        // One zone that holds only some servers says nothing about the others.
        let mut partial = d.clone();
        partial.servers[0].zone = None;
        assert!(run(&RULE, &partial).is_empty());
    }

    #[test]
    fn a_server_spof_is_not_repeated_by_its_zone() {
        // Design 1: one server holds everything; its zone adds nothing to SPOF-SERVER.
        let mut d = reference("01-simple.toml");
        d.zones = vec![zone("a", None), zone("b", None)];
        d.servers[0].zone = Some("a".into());
        assert!(run(&RULE, &d).is_empty());
    }
}
