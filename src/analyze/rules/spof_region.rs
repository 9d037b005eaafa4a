//! SPOF-REGION: a region whose loss cuts clients off from a needed tier, where no single
//! zone, server or component in it explains the loss.

use super::spof_zone::{Level, domain_findings};
use crate::analyze::{Ctx, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "SPOF-REGION",
    severity: Severity::Critical,
    title: "single point of failure (region)",
    checks: "A region (the zones that name it in their `region`) whose loss leaves clients \
             unable to reach every instance of a needed tier, by failing every server of the \
             region at once. Only in designs whose zones name two regions or more, \
             or one region that holds every server. A region is reported only for what no zone, \
             server or component in it already explains (SPOF-ZONE, SPOF-SERVER and \
             SPOF-COMPONENT speak for those), so a site spread over two zones of one region is \
             a region finding, and a site in one zone is only a zone finding. Where every \
             server is in the one region the design names, the finding is low: a site in a \
             single region has made no claim to outlive it, and most sites accept that risk.",
    why: "A regional outage (a provider's control plane, a regional network or DNS event) takes \
          every zone of the region down together; zones protect against a data centre, not \
          against the region.",
    fix: "Run a second instance of each tier the region holds alone in another region, with \
          an entry (DNS failover, a global load balancer) that sends clients to the region \
          that is up, and a copy of the data there.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    domain_findings(ctx, Level::Region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};
    use crate::model::Zone;

    fn zoned(regions: [&str; 2]) -> crate::model::Design {
        let mut d = reference("05-resilient.toml");
        d.zones = vec![
            Zone {
                id: "a".into(),
                region: Some(regions[0].into()),
                ..Default::default()
            },
            Zone {
                id: "b".into(),
                region: Some(regions[1].into()),
                ..Default::default()
            },
        ];
        for s in &mut d.servers {
            s.zone = Some(if s.id.ends_with("01") { "a" } else { "b" }.into());
        }
        d
    }

    #[test]
    fn two_zones_of_one_region_are_a_region_spof() {
        let f = run(&RULE, &zoned(["eu", "eu"]));
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message
                .starts_with("every server of the design is in region `eu`"),
            "{}",
            f[0].message
        );
        assert!(f[0].recommendation.contains("second region"));
        // A site in the one region it names made no claim to outlive it: low.
        assert_eq!(f[0].severity, Severity::Low);
        // With a second region declared and left empty, the claim is made and not kept.
        let mut d = zoned(["eu", "eu"]);
        d.zones.push(Zone {
            id: "c".into(),
            region: Some("us".into()),
            ..Default::default()
        });
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].severity > Severity::Low, "{f:#?}");
    }

    #[test]
    fn two_regions_have_no_region_spof() {
        assert!(run(&RULE, &zoned(["eu", "us"])).is_empty());
    }

    #[test]
    fn a_region_whose_one_zone_is_already_the_spof_says_nothing_more() {
        let mut d = zoned(["eu", "eu"]);
        for s in &mut d.servers {
            s.zone = Some("a".into());
        }
        assert!(run(&RULE, &d).is_empty());
        assert!(!run(&super::super::spof_zone::RULE, &d).is_empty());
    }
}
