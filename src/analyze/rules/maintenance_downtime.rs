//! MAINTENANCE-DOWNTIME: a tier that deploying new code takes down.

use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "MAINTENANCE-DOWNTIME",
    severity: Severity::Medium,
    title: "downtime during maintenance",
    checks: "A web or application tier served by a single instance; a load balancer, or an inline \
             firewall or router, that every request passes through (no second one beside it); a single primary database \
             (the only database that takes writes). Managed services marked `redundant` are \
             exempt.",
    why: "Deploying new code, patching or upgrading restarts that instance, and the site (or, \
          for a primary with replicas, its writes) is down meanwhile; there is no rolling \
          deploy with one instance.",
    fix: "Run at least two instances (two web or application servers behind the load \
          balancer, a clustered pair of load balancers, a second primary or a replica that can \
          be promoted) and upgrade them one at a time.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let mut findings: Vec<Finding> = [Tier::Web, Tier::App]
        .into_iter()
        .filter_map(|tier| {
            let members = ctx.tier_members(tier);
            let [only] = members[..] else { return None };
            let c = &comps[only];
            if c.redundant {
                return None;
            }
            let site = ctx.entrance(ctx.public_groups_reaching(only));
            Some(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "{} is the only {}: deploying new code restarts it and {site} is down meanwhile",
                        list(&[&c.id]),
                        c.kind.title()
                    ),
                )
                .components([c.id.clone()])
                .recommend(format!(
                    "run a second {} on another server and deploy one instance at a time",
                    c.kind.title()
                )),
            )
        })
        .collect();
    // Load balancers and inline appliances (firewalls, routers) whose loss takes the site down
    // for its users.
    for spof in ctx.component_spofs() {
        let c = &comps[spof.node];
        let appliance = matches!(c.kind, Kind::Firewall | Kind::Router);
        if !(c.kind == Kind::LoadBalancer || appliance) || c.redundant {
            continue;
        }
        let public_down = spof
            .cuts
            .iter()
            .any(|(g, t)| ctx.groups[*g].public && t.iter().any(|t| *t != Tier::Primary));
        if !public_down {
            continue;
        }
        let site = ctx.entrance(
            spof.cuts
                .iter()
                .map(|(g, _)| *g)
                .filter(|&g| ctx.groups[g].public),
        );
        let kind = c.kind.title();
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "{} is the only {kind} on the way in: {} or restarting it takes {site} down meanwhile",
                    list(&[&c.id]),
                    if appliance { "patching" } else { "upgrading" }
                ),
            )
            .components([c.id.clone()])
            .recommend(if appliance {
                format!("add a second {kind} in a high-availability pair with it (a shared virtual IP) and patch one at a time")
            } else {
                "add a second load balancer in a cluster with it (a shared virtual IP) and upgrade one at a time".to_string()
            }),
        );
    }
    let primaries = ctx.tier_members(Tier::Primary);
    if let [only] = primaries[..]
        && !comps[only].redundant
    {
        let c = &comps[only];
        let site = ctx.entrance(ctx.public_groups_reaching(only));
        let alone = ctx.tier_members(Tier::Data).len() == 1;
        let outcome = if alone {
            format!("{site} is down meanwhile")
        } else {
            format!("{site} takes no writes meanwhile")
        };
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "{} is the only primary database: upgrading or restarting it means {outcome}",
                    list(&[&c.id])
                ),
            )
            .components([c.id.clone()])
            .recommend(if alone {
                "add a replica on another server that can be promoted, switch over to it and upgrade one at a time"
            } else {
                "promote a replica (or add a second primary) before upgrading, and upgrade one at a time"
            }),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{corpus, reference, run};

    #[test]
    fn a_single_inline_appliance_is_patched_with_downtime() {
        let f = run(&RULE, &corpus("standalone-firewall"));
        let fw: Vec<&Finding> = f.iter().filter(|f| f.concerns("fw-edge")).collect();
        assert_eq!(fw.len(), 1, "{f:?}");
        assert!(fw[0].message.contains("only firewall"), "{}", fw[0].message);
    }

    #[test]
    fn single_instances_restart_on_deploy() {
        let f = run(&RULE, &reference("01-simple.toml"));
        let ids: Vec<&str> = f.iter().map(|f| f.components[0].as_str()).collect();
        assert_eq!(ids, ["nginx", "app", "mysql"]);
        assert!(
            f[2].message.contains("is down meanwhile"),
            "{}",
            f[2].message
        );
    }

    #[test]
    fn two_instances_allow_rolling_deploys() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
        let f = run(&RULE, &reference("02-distributed.toml"));
        assert!(f.iter().all(|f| f.components != ["nginx-1"]));
    }

    #[test]
    fn a_lone_load_balancer_and_primary_are_upgraded_with_downtime() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        let ids: Vec<&str> = f.iter().map(|f| f.components[0].as_str()).collect();
        assert_eq!(ids, ["app", "haproxy", "mysql-primary"]);
        assert!(f[2].message.contains("no writes"), "{}", f[2].message);
        // A clustered pair is upgraded one at a time.
        let f = run(&RULE, &reference("04-scale-up.toml"));
        assert!(
            f.iter().all(|f| !f.components[0].starts_with("haproxy")),
            "{f:?}"
        );
    }
}
