//! OVERLOAD-ON-FAILURE: after the worst single failure of a server or a component, a tier's
//! busiest instance gets more requests than its capacity (N−1 fails at peak load).

use crate::analyze::capacity::{FailureKind, TierLoad};
use crate::analyze::{Ctx, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "OVERLOAD-ON-FAILURE",
    severity: Severity::High,
    title: "overloaded after a single failure",
    checks: "With the design's `peak_load` at the entry and `capacity` (requests per second per \
             instance) on components, the load of each tier after losing each server, each \
             component and, in designs with zones, each zone (every server in it) that carries load (the worst ones recomputed in full, see `analyze`'s \
             capacity section): a tier whose busiest instance would run above 100%. Load \
             balancers split evenly over the backends that are up (by `weight` where given). \
             Failures that take a tier down entirely are the SPOF rules' findings, not this \
             one's. Designs without a peak load or capacities get no finding.",
    why: "A site sized for its peak with everything up falls over when one machine dies at \
          peak: the survivors take the dead one's share, slow down, time out, and the retries \
          pile on until the whole tier is down. N−1 capacity is what redundancy is for.",
    fix: "Add an instance to the tier (or bigger ones) so that it stays under 100% with one \
          server down; keep headroom for deploys, which take instances out too.",
    category: super::Category::RELIABILITY,
    check,
};

/// "120%".
pub(crate) fn percent(u: f64) -> String {
    format!("{:.0}%", u * 100.0)
}

/// "the web server tier".
pub(crate) fn tier(t: &TierLoad) -> String {
    format!("the {} tier", t.tier.title())
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let Some(c) = ctx.capacity() else {
        return Vec::new();
    };
    // The worst failures of each kind that overload a tier, grouped by what they overload: a
    // server and the one component on it that carries load (or a zone and its one loaded
    // server) are one cause with the same figures, and one finding.
    let mut causes: Vec<(Vec<&TierLoad>, Vec<&crate::analyze::capacity::Worst>)> = Vec::new();
    for w in &c.worst {
        let over: Vec<&TierLoad> = w.tiers.iter().filter(|t| t.utilization > 1.0).collect();
        if over.is_empty() {
            continue;
        }
        let same = |a: &[&TierLoad]| {
            a.len() == over.len()
                && a.iter().zip(&over).all(|(x, y)| {
                    x.tier == y.tier
                        && x.busiest == y.busiest
                        && percent(x.utilization) == percent(y.utilization)
                })
        };
        match causes.iter_mut().find(|(o, _)| same(o)) {
            Some((_, ws)) => ws.push(w),
            None => causes.push((over, vec![w])),
        }
    }
    let mut out = Vec::new();
    for (over, ws) in causes {
        let whats: Vec<String> = ws
            .iter()
            .map(|w| match w.kind {
                FailureKind::Server => format!("server `{}`", w.failed),
                FailureKind::Component => format!("`{}`", w.failed),
                FailureKind::Zone => format!("zone `{}` (every server in it)", w.failed),
            })
            .collect();
        let what = whats.join(" or ");
        let tiers: Vec<String> = over
            .iter()
            .map(|t| {
                format!(
                    "{} runs at {} (`{}`: {:.0} rps for {} up)",
                    tier(t),
                    percent(t.utilization),
                    t.busiest,
                    t.load,
                    t.instances
                )
            })
            .collect();
        let mut f = Finding::new(
            RULE.id,
            Severity::High,
            format!(
                "at the peak of {:.0} rps, losing {what} overloads the site: {}",
                c.peak_load,
                tiers.join("; ")
            ),
        )
        .components(over.iter().map(|t| t.busiest.as_str()))
        .recommend(format!(
            "add an instance to {} (or raise its capacity) so that it stays under 100% without {what}",
            crate::analyze::and_join(&over.iter().map(|t| tier(t)).collect::<Vec<_>>())
        ));
        for w in ws {
            f = match w.kind {
                FailureKind::Server => f.servers([w.failed.as_str()]),
                FailureKind::Component => f.components([w.failed.as_str()]),
                // The zone is named in the message; its servers are what it takes down.
                FailureKind::Zone => f.servers(
                    ctx.design
                        .servers
                        .iter()
                        .filter(|s| s.zone.as_deref() == Some(w.failed.as_str()))
                        .map(|s| s.id.as_str()),
                ),
            };
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};
    use crate::model::Number;

    #[test]
    fn a_site_sized_for_all_up_fails_when_one_web_server_goes() {
        let mut d = reference("02-distributed.toml");
        d.peak_load = Some(Number(800.0));
        // Only the web servers' capacities, so that only their tier can overload.
        d.components.iter_mut().for_each(|c| c.capacity = None);
        for id in ["nginx-1", "nginx-2"] {
            d.component_mut(id).expect("web").capacity = Some(Number(500.0));
        }
        let f = run(&RULE, &d);
        assert!(!f.is_empty(), "800 rps on one web server of 500 is 160%");
        assert!(f[0].message.contains("160%"), "{}", f[0].message);
        assert!(
            f.iter()
                .any(|f| f.servers.iter().any(|s| s.starts_with("web-")))
        );
        // With capacity for one of them to carry the peak alone, no finding.
        for id in ["nginx-1", "nginx-2"] {
            d.component_mut(id).expect("web").capacity = Some(Number(1000.0));
        }
        assert!(run(&RULE, &d).is_empty());
    }

    #[test]
    fn a_server_and_its_one_loaded_component_are_one_cause() {
        // Design 4: the application server is alone on app-01; losing either overloads
        // nothing (it is a SPOF); so take design 5, where app-01 holds only `app-1`.
        let mut d = reference("05-resilient.toml");
        d.peak_load = Some(Number(600.0));
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message
                .contains("losing server `app-01` or `app-1` overloads"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].servers, ["app-01"]);
        assert!(f[0].components.contains(&"app-1".to_string()));
    }

    #[test]
    fn no_numbers_no_finding() {
        let mut d = reference("02-distributed.toml");
        assert!(
            run(&RULE, &d).is_empty(),
            "the reference design has headroom"
        );
        d.peak_load = None;
        assert!(run(&RULE, &d).is_empty());
    }
}
