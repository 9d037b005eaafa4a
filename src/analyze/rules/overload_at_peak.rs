//! OVERLOAD-AT-PEAK: with everything up, a tier's busiest instance gets more requests at the
//! design's peak load than its capacity.

use super::overload_on_failure::{percent, tier};
use crate::analyze::capacity::TierLoad;
use crate::analyze::{Ctx, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "OVERLOAD-AT-PEAK",
    severity: Severity::Critical,
    title: "overloaded at peak load",
    checks: "With the design's `peak_load` at the entry and `capacity` on components, a tier \
             whose busiest instance would run above 100% with every component up.",
    why: "The site cannot take its own peak: requests queue, time out and are retried, and the \
          tier goes down under the load even though nothing failed.",
    fix: "Add instances to the tier or give them more capacity; then check N−1 \
          (OVERLOAD-ON-FAILURE) too.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let Some(c) = ctx.capacity() else {
        return Vec::new();
    };
    let over: Vec<&TierLoad> = c.tiers.iter().filter(|t| t.utilization > 1.0).collect();
    over.iter()
        .map(|t| {
            Finding::new(
                RULE.id,
                Severity::Critical,
                format!(
                    "at the peak of {:.0} rps, {} runs at {} with everything up (`{}`; {:.0} rps for {:.0} rps of capacity over {} instances)",
                    c.peak_load,
                    tier(t),
                    percent(t.utilization),
                    t.busiest,
                    t.load,
                    t.capacity,
                    t.instances
                ),
            )
            .components([t.busiest.as_str()])
            .recommend(format!(
                "add instances to {} or raise their capacity above their share of {:.0} rps",
                tier(t),
                t.load
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};
    use crate::model::Number;

    #[test]
    fn a_tier_below_its_peak_is_overloaded() {
        let mut d = reference("01-simple.toml");
        d.peak_load = Some(Number(300.0));
        d.components.iter_mut().for_each(|c| c.capacity = None);
        d.component_mut("nginx").expect("web").capacity = Some(Number(200.0));
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("150%"), "{}", f[0].message);
        d.component_mut("nginx").expect("web").capacity = Some(Number(400.0));
        assert!(run(&RULE, &d).is_empty());
    }
}
