//! LIMITED-SCALABILITY: nothing spreads the load, or there is only one place to spread it to.

use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "LIMITED-SCALABILITY",
    severity: Severity::Medium,
    title: "limited scalability",
    checks: "A design with web or application servers but no load balancer; a load balancer \
             with fewer than two backends; a web or application tier that has a single \
             instance and no load balancer in front of it to add more behind.",
    why: "Traffic beyond what one machine handles cannot be absorbed by adding machines: the \
          site slows down and then fails under load.",
    fix: "Put a load balancer in front of each tier that serves requests and run several \
          instances behind it.",
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let lbs: Vec<usize> = (0..ctx.len())
        .filter(|&i| comps[i].kind == Kind::LoadBalancer)
        .collect();
    let mut findings = Vec::new();
    let serving: Vec<usize> = (0..ctx.len())
        .filter(|&i| matches!(comps[i].kind, Kind::WebServer | Kind::AppServer))
        .collect();
    if lbs.is_empty() && !serving.is_empty() {
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "there is no load balancer: {} cannot be joined by more instances to take more traffic",
                    list(&serving.iter().map(|&i| ctx.id(i)).collect::<Vec<_>>())
                ),
            )
            .components(serving.iter().map(|&i| ctx.id(i)))
            .recommend("add a load balancer (e.g. HAProxy) in front of the web servers and run several of them behind it"),
        );
        return findings;
    }
    for &lb in &lbs {
        let mut backends: Vec<usize> = ctx.out[lb].iter().map(|&(t, _)| t).collect();
        backends.sort_unstable();
        backends.dedup();
        if backends.len() < 2 && !comps[lb].redundant {
            let links: Vec<usize> = ctx.out[lb].iter().map(|&(_, l)| l).collect();
            let what = match backends.first() {
                Some(&b) => format!("a single backend, {}", list(&[ctx.id(b)])),
                None => "no backend".to_string(),
            };
            findings.push(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "load balancer {} has {what}: it balances nothing",
                        list(&[ctx.id(lb)])
                    ),
                )
                .components(std::iter::once(ctx.id(lb)).chain(backends.iter().map(|&b| ctx.id(b))))
                .links(links)
                .recommend("add a second backend on another server behind it"),
            );
        }
    }
    // A single instance fed by something other than a load balancer cannot be scaled out.
    for tier in [Tier::Web, Tier::App] {
        let members = ctx.tier_members(tier);
        let [only] = members[..] else { continue };
        if comps[only].redundant {
            continue;
        }
        let behind_lb = ctx.into[only]
            .iter()
            .any(|&(f, _)| comps[f].kind == Kind::LoadBalancer);
        if !behind_lb {
            findings.push(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "the {} tier is one instance, {}, with no load balancer in front of it: it cannot scale out",
                        comps[only].kind.title(),
                        list(&[ctx.id(only)])
                    ),
                )
                .components([ctx.id(only)])
                .recommend(format!(
                    "put a load balancer in front of the {}s and run several of them",
                    comps[only].kind.title()
                )),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn no_load_balancer_limits_scale() {
        let f = run(&RULE, &reference("01-simple.toml"));
        assert!(
            f[0].message.contains("no load balancer"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_load_balancer_with_one_backend_balances_nothing() {
        let f = run(&RULE, &reference("04-scale-up.toml"));
        assert!(
            f.iter().any(|f| f.components == ["haproxy-1", "nginx"]),
            "{f:?}"
        );
    }

    #[test]
    fn balanced_tiers_scale() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }
}
