//! LIMITED-SCALABILITY: nothing spreads the load, or there is only one place to spread it to.

use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "LIMITED-SCALABILITY",
    severity: Severity::Medium,
    title: "limited scalability",
    checks: "A design with web or application servers but no load balancer; a load balancer \
             (or a cluster of them, counted once) with fewer than two backends, counted past \
             firewalls and routers; a web or application tier that has a single instance and no \
             load balancer in front of it; a database tier of one instance. Components fed by a \
             queue are a pool of consumers that scales by adding more, without a load balancer.",
    why: "Traffic beyond what one machine handles cannot be absorbed by adding machines: the \
          site slows down and then fails under load.",
    fix: "Put a load balancer in front of each tier that serves requests and run several \
          instances behind it; add read replicas to a database that is alone.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let queue_fed = |i: usize| {
        ctx.into[i]
            .iter()
            .any(|&(f, _)| comps[f].kind == Kind::Queue)
    };
    let all_lbs = (0..ctx.len()).filter(|&i| comps[i].kind == Kind::LoadBalancer);
    // A load balancer no request reaches is unused (UNREACHABLE), not short of backends.
    let lbs: Vec<usize> = all_lbs.clone().filter(|&i| ctx.reachable[i]).collect();
    let mut findings = Vec::new();
    let serving: Vec<usize> = (0..ctx.len())
        .filter(|&i| matches!(comps[i].kind, Kind::WebServer | Kind::AppServer))
        .filter(|&i| !queue_fed(i) && !comps[i].redundant)
        .collect();
    let all_lbs_none = all_lbs.count() == 0;
    if all_lbs_none && !serving.is_empty() {
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
    }
    // What each load balancer (a cluster counted once) sends requests to, past network hops.
    let mut balanced = vec![false; ctx.len()];
    let mut groups: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for &lb in &lbs {
        let key = comps[lb].cluster.as_deref();
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, members)) => members.push(lb),
            None => groups.push((key, vec![lb])),
        }
    }
    for (cluster, members) in &groups {
        let mut backends: Vec<usize> = Vec::new();
        let mut links: Vec<usize> = Vec::new();
        for &lb in members {
            for (t, l) in ctx.beyond(lb) {
                balanced[t] = true;
                links.push(l);
                if !backends.contains(&t) && backends.len() < 2 {
                    backends.push(t);
                }
            }
        }
        if backends.len() >= 2 || members.iter().any(|&m| comps[m].redundant) {
            continue;
        }
        let who = match cluster {
            Some(cl) if members.len() > 1 => format!(
                "the load balancers of cluster `{cl}` ({})",
                list(&members.iter().map(|&m| ctx.id(m)).collect::<Vec<_>>())
            ),
            _ => format!("load balancer {}", list(&[ctx.id(members[0])])),
        };
        let (what, fix) = match backends.first() {
            Some(&b) => (
                format!("a single backend, {}", list(&[ctx.id(b)])),
                format!(
                    "run a second {} on another server and add it as a backend",
                    comps[b].kind.title()
                ),
            ),
            None => (
                "no backend".to_string(),
                "link it to the servers it should balance, at least two of them".to_string(),
            ),
        };
        let have = if members.len() > 1 { "have" } else { "has" };
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "{who} {have} {what}: {} nothing",
                    if members.len() > 1 {
                        "they balance"
                    } else {
                        "it balances"
                    }
                ),
            )
            .components(
                members
                    .iter()
                    .map(|&m| ctx.id(m))
                    .chain(backends.iter().map(|&b| ctx.id(b))),
            )
            .links(links)
            .recommend(fix),
        );
    }
    // A single instance fed by something other than a load balancer cannot be scaled out.
    if !lbs.is_empty() {
        for tier in [Tier::Web, Tier::App] {
            let members = ctx.tier_members(tier);
            let [only] = members[..] else { continue };
            if comps[only].redundant || balanced[only] || queue_fed(only) {
                continue;
            }
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
                    "run a second {} on another server and put a load balancer in front of both",
                    comps[only].kind.title()
                )),
            );
        }
    }
    let dbs = ctx.tier_members(Tier::Data);
    let databases = comps.iter().filter(|c| c.kind == Kind::Database).count();
    if let [only] = dbs[..]
        && databases == 1
        && !comps[only].redundant
    {
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "the database tier is one instance, {}: reads cannot be spread over more machines",
                    list(&[ctx.id(only)])
                ),
            )
            .components([ctx.id(only)])
            .recommend("add read replicas on other servers, fed by replication from it, and send reads to them"),
        );
        // Without a load balancer nothing scales: one finding says so for every tier.
        if all_lbs_none && findings.len() == 2 {
            let db = findings.pop().expect("two findings");
            let lb = &mut findings[0];
            lb.message = format!(
                "there is no load balancer and one database: {} cannot be joined by more instances, nor {} by replicas, to take more traffic",
                list(&serving.iter().map(|&i| ctx.id(i)).collect::<Vec<_>>()),
                list(&[ctx.id(only)])
            );
            lb.components.extend(db.components);
            lb.recommendation = format!(
                "add a load balancer (e.g. HAProxy) in front of the web servers and run several of them behind it, and add read replicas of `{}` on other servers",
                ctx.id(only)
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
            f.iter()
                .any(|f| f.components == ["haproxy-1", "haproxy-2", "nginx"]),
            "{f:?}"
        );
        // One finding for the cluster, not one per member.
        assert_eq!(f.iter().filter(|f| f.concerns("haproxy-2")).count(), 1);
        assert!(
            f.iter().any(|f| f.message.contains("they balance nothing")),
            "{f:?}"
        );
        // A single load balancer: "it balances nothing".
        let mut d = reference("04-scale-up.toml");
        d.component_mut("haproxy-2").expect("exists").cluster = None;
        let f = run(&RULE, &d);
        assert!(
            f.iter().any(|f| f.message.contains("it balances nothing")),
            "{f:?}"
        );
    }

    #[test]
    fn backends_are_counted_past_firewalls_and_routers() {
        let mut d = reference("05-resilient.toml");
        d.components
            .push(crate::model::Component::new("edge-fw", Kind::Firewall));
        d.components
            .push(crate::model::Component::new("core", Kind::Router));
        for l in &mut d.links {
            if l.from.starts_with("haproxy") {
                l.to = if l.to == "nginx-1" {
                    "edge-fw".into()
                } else {
                    "core".into()
                };
            }
        }
        for (from, to) in [("edge-fw", "nginx-1"), ("core", "nginx-2")] {
            d.links.push(crate::model::Link {
                from: from.into(),
                to: to.into(),
                protocol: crate::model::Protocol::Https,
                port: None,
                label: None,
            });
        }
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
    }

    #[test]
    fn queue_consumers_scale_without_a_load_balancer() {
        let mut d = reference("05-resilient.toml");
        d.components
            .push(crate::model::Component::new("jobs", Kind::Queue));
        d.components
            .push(crate::model::Component::new("worker", Kind::AppServer));
        for (from, to) in [("app-1", "jobs"), ("app-2", "jobs"), ("worker", "jobs")] {
            d.links.push(crate::model::Link {
                from: from.into(),
                to: to.into(),
                protocol: crate::model::Protocol::Amqps,
                port: None,
                label: None,
            });
        }
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
        // Without the queue the lone worker is a single instance nobody balances.
        let ctx = crate::analyze::Ctx::new(&d);
        assert!(
            ctx.reachable[d.components.len() - 1],
            "the worker is fed by the queue"
        );
    }

    #[test]
    fn a_lone_database_cannot_scale_reads() {
        let f = run(&RULE, &reference("01-simple.toml"));
        // Without a load balancer, one finding says it for every tier.
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].concerns("mysql") && f[0].concerns("nginx"), "{f:?}");
        assert!(
            run(&RULE, &reference("02-distributed.toml"))
                .iter()
                .all(|f| !f.concerns("mysql-primary"))
        );
    }

    #[test]
    fn balanced_tiers_scale() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }
}
