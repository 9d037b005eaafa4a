//! SPOF-SERVER: a server whose loss cuts clients off from a needed tier.

use super::spof_component::spof_findings;
use crate::analyze::{Ctx, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "SPOF-SERVER",
    severity: Severity::Critical,
    title: "single point of failure (server)",
    checks: "A server whose loss (every component installed on it at once) leaves clients unable \
             to reach every instance of a needed tier. Decided by dominators over the request \
             graph contracted to servers, so two instances on one server count as one.",
    why: "Hardware, the kernel, the network card or a reboot take all of a server's components \
          down together; redundancy on one machine is no redundancy.",
    fix: "Spread the instances of each tier over at least two servers, and put a load balancer \
          (itself redundant) in front of them.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    spof_findings(ctx)
        .into_iter()
        .filter(|f| f.rule == RULE.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn the_one_server_is_a_spof() {
        let f = run(&RULE, &reference("01-simple.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].servers, ["server-1"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message.contains("www.foobar.com is down"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn two_instances_on_one_server_are_still_one() {
        let mut d = reference("02-distributed.toml");
        // Move the second web server onto the first one's machine.
        for c in &mut d.components {
            if c.server.as_deref() == Some("web-02") {
                c.server = Some("web-01".into());
            }
        }
        let f = run(&RULE, &d);
        assert!(
            f.iter()
                .any(|f| f.servers == ["web-01"] && f.severity == Severity::Critical)
        );
    }

    #[test]
    fn spread_tiers_have_no_server_spof() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }
}
