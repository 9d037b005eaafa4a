//! SPOF-COMPONENT: a component every request path to a needed tier passes through.

use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};

pub static RULE: Rule = Rule {
    id: "SPOF-COMPONENT",
    severity: Severity::Critical,
    title: "single point of failure (component)",
    checks: "A component whose failure leaves clients unable to reach every instance of a tier \
             the site needs: web servers, application servers, databases, or the primary \
             databases that take writes. Decided by dominators of the request graph from the \
             clients. Components marked `redundant` (managed services) are exempt.",
    why: "When it fails, the site is down (critical) or cannot take writes (high), however many \
          instances sit behind it.",
    fix: "Run a second instance beside it (a load-balancer pair sharing a virtual IP, a second \
          web or application server, a second primary), or use a managed service that is \
          redundant by itself and mark it `redundant = true`.",
    check,
};

/// The tiers lost with one node, and the severity and words for it.
pub(crate) fn verdict(tiers: &[Tier], site: &str) -> (Severity, String) {
    let down = tiers.iter().any(|t| *t != Tier::Primary);
    if down {
        (Severity::Critical, format!("{site} is down"))
    } else {
        (Severity::High, format!("{site} can no longer take writes"))
    }
}

/// Which tiers each node alone cuts off, from per-tier dominator lists.
pub(crate) fn by_node(spofs: &[(Tier, Vec<usize>)]) -> Vec<(usize, Vec<Tier>)> {
    let mut map: std::collections::BTreeMap<usize, Vec<Tier>> = Default::default();
    for (tier, nodes) in spofs {
        for &n in nodes {
            map.entry(n).or_default().push(*tier);
        }
    }
    map.into_iter().collect()
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let site = ctx.design.site_name();
    by_node(ctx.component_spofs())
        .into_iter()
        .filter(|(i, _)| !ctx.design.components[*i].redundant)
        .map(|(i, tiers)| {
            let c = &ctx.design.components[i];
            let (severity, outcome) = verdict(&tiers, &site);
            let what = Tier::phrase(&tiers);
            let own: Vec<Tier> = Tier::of(c).collect();
            let message = if tiers.iter().all(|t| own.contains(t)) {
                format!(
                    "{} {} ({}) is the only reachable {what}: if it fails, {outcome}",
                    c.kind.title(),
                    list(&[&c.id]),
                    c.display_name()
                )
            } else {
                format!(
                    "every path from the clients to the {what} passes through {} {} ({}): if it fails, {outcome}",
                    c.kind.title(),
                    list(&[&c.id]),
                    c.display_name()
                )
            };
            Finding::new(RULE.id, severity, message)
            .components([c.id.clone()])
            .recommend(match c.kind {
                crate::model::Kind::LoadBalancer => format!(
                    "add a second load balancer and put both in a cluster sharing a virtual IP that `{}` points to",
                    ctx.design.dns.first().map_or("the DNS record", |r| r.name.as_str())
                ),
                crate::model::Kind::Database => "add a second primary (multi-primary replication) or a managed database that fails over, and let the application fail over to it".to_string(),
                _ => format!("run a second {} on another server, behind a load balancer", c.kind.title()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn the_lone_load_balancer_and_primary_are_spofs() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        let ids: Vec<&str> = f.iter().map(|f| f.components[0].as_str()).collect();
        assert_eq!(ids, ["haproxy", "app", "mysql-primary"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[2].severity, Severity::High);
        assert!(
            f[2].message.contains("can no longer take writes"),
            "{}",
            f[2].message
        );
    }

    #[test]
    fn a_clustered_pair_is_not_a_spof() {
        let f = run(&RULE, &reference("04-scale-up.toml"));
        assert!(
            f.iter().all(|f| !f.components[0].starts_with("haproxy")),
            "{f:?}"
        );
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }

    #[test]
    fn a_redundant_managed_service_is_exempt() {
        let mut d = reference("02-distributed.toml");
        d.component_mut("haproxy").expect("exists").redundant = true;
        let f = run(&RULE, &d);
        assert!(f.iter().all(|f| f.components[0] != "haproxy"));
    }
}
