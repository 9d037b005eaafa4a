//! MAINTENANCE-DOWNTIME: a tier that deploying new code takes down.

use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};

pub static RULE: Rule = Rule {
    id: "MAINTENANCE-DOWNTIME",
    severity: Severity::Medium,
    title: "downtime during maintenance",
    checks: "A web or application tier served by a single instance (managed services marked \
             `redundant` excepted).",
    why: "Deploying new code or patching restarts that instance, and the site is down \
          meanwhile; there is no rolling deploy with one instance.",
    fix: "Run at least two instances of the tier behind a load balancer and deploy them one at \
          a time (rolling deploy), or blue-green.",
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let site = ctx.design.site_name();
    [Tier::Web, Tier::App]
        .into_iter()
        .filter_map(|tier| {
            let members = ctx.tier_members(tier);
            let [only] = members[..] else { return None };
            let c = &ctx.design.components[only];
            if c.redundant {
                return None;
            }
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
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn single_instances_restart_on_deploy() {
        let f = run(&RULE, &reference("01-simple.toml"));
        let ids: Vec<&str> = f.iter().map(|f| f.components[0].as_str()).collect();
        assert_eq!(ids, ["nginx", "app"]);
    }

    #[test]
    fn two_instances_allow_rolling_deploys() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
        let f = run(&RULE, &reference("02-distributed.toml"));
        assert!(f.iter().all(|f| f.components != ["nginx-1"]));
    }
}
