//! Accepted risks: findings a team has decided to live with, recorded in the design as
//! `[[accepted]]` entries.
//!
//! An acceptance covers a finding when the rule is the same and the ids are the same set as
//! the finding's [`Finding::ids`] (components and servers); so a finding that now concerns
//! another component comes back. From its expiry date on, an acceptance no longer covers
//! anything: the finding counts again and says so. An acceptance that matches no finding at
//! all is reported as a `STALE-ACCEPTANCE` finding of its own, so stale entries get cleaned up.
//!
//! The analyzer itself ([`crate::analyze::analyze`]) knows nothing of acceptances; callers
//! that show or count findings (the CLI, SARIF, diffs, the editor) pass them through [`apply`].

use crate::analyze::{Finding, Severity, list};
use crate::date::{Date, parse_date};
use crate::model::{AcceptedRisk, Design};
use serde::Serialize;
use std::collections::BTreeSet;

/// The rule id of the findings raised for acceptances that match nothing.
pub const STALE_ACCEPTANCE: &str = "STALE-ACCEPTANCE";

/// A finding with what the design's accepted risks say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    pub finding: Finding,
    pub status: Status,
    /// The index in `design.accepted` of the entry that covers (or covered) this finding, or
    /// that a `STALE-ACCEPTANCE` finding is about.
    pub acceptance: Option<usize>,
}

/// Whether a finding counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// No acceptance covers it: it counts for `--fail-on`.
    Open,
    /// Covered by an acceptance: shown apart, does not count.
    Accepted {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        expires: Option<String>,
    },
    /// An acceptance matched it but expired on `expired`: it counts again.
    Expired { reason: String, expired: String },
}

impl Reviewed {
    /// Whether the finding counts (for `--fail-on`, severity counts and the like).
    pub fn counts(&self) -> bool {
        !self.is_accepted()
    }

    pub fn is_accepted(&self) -> bool {
        matches!(self.status, Status::Accepted { .. })
    }
}

/// The sorted, deduplicated ids of an acceptance, comparable with [`Finding::ids`].
fn key_ids(a: &AcceptedRisk) -> Vec<&str> {
    let set: BTreeSet<&str> = a.ids.iter().map(String::as_str).collect();
    set.into_iter().collect()
}

/// Whether the acceptance has expired on `today` (an unreadable date counts as expired, so
/// a typo never hides a finding forever; the loader rejects such dates anyway).
fn expired(a: &AcceptedRisk, today: Date) -> bool {
    a.expires
        .as_deref()
        .is_some_and(|d| parse_date(d).is_none_or(|d| d <= today))
}

/// Marks each finding open, accepted or expired, and adds a `STALE-ACCEPTANCE` finding for each
/// `[[accepted]]` entry that matches no finding. `today` decides expiry (pass
/// [`crate::date::today`]). Findings keep the analyzer's order (severity, rule, ids).
pub fn apply(design: &Design, findings: Vec<Finding>, today: Date) -> Vec<Reviewed> {
    let keys: Vec<Vec<&str>> = design.accepted.iter().map(key_ids).collect();
    let mut used = vec![false; design.accepted.len()];
    let mut reviewed: Vec<Reviewed> = findings
        .into_iter()
        .map(|finding| {
            let ids = finding.ids();
            let matching: Vec<usize> = design
                .accepted
                .iter()
                .enumerate()
                .filter(|(i, a)| a.rule == finding.rule && keys[*i] == ids)
                .map(|(i, _)| i)
                .collect();
            for &i in &matching {
                used[i] = true;
            }
            // A live acceptance wins over an expired one for the same finding.
            let live = matching
                .iter()
                .copied()
                .find(|&i| !expired(&design.accepted[i], today));
            let (status, acceptance) = match (live, matching.first()) {
                (Some(i), _) => {
                    let a = &design.accepted[i];
                    (
                        Status::Accepted {
                            reason: a.reason.clone(),
                            expires: a.expires.clone(),
                        },
                        Some(i),
                    )
                }
                (None, Some(&i)) => {
                    let a = &design.accepted[i];
                    (
                        Status::Expired {
                            reason: a.reason.clone(),
                            expired: a.expires.clone().unwrap_or_default(),
                        },
                        Some(i),
                    )
                }
                (None, None) => (Status::Open, None),
            };
            Reviewed {
                finding,
                status,
                acceptance,
            }
        })
        .collect();

    let stale: Vec<Reviewed> = design
        .accepted
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(i, a)| Reviewed {
            finding: stale_finding(design, a, &reviewed),
            status: Status::Open,
            acceptance: Some(i),
        })
        .collect();
    reviewed.extend(stale);
    // Keep the analyzer's order with the stale findings in their place.
    reviewed.sort_by(|a, b| {
        b.finding
            .severity
            .cmp(&a.finding.severity)
            .then_with(|| a.finding.rule.cmp(b.finding.rule))
            .then_with(|| a.finding.ids().cmp(&b.finding.ids()))
            .then_with(|| a.finding.links.cmp(&b.finding.links))
    });
    reviewed
}

/// The finding for an acceptance that matches nothing, saying what the rule reports now.
fn stale_finding(design: &Design, a: &AcceptedRisk, reviewed: &[Reviewed]) -> Finding {
    let ids = key_ids(a);
    let what = format!("accepted risk {} for {}", list(&[&a.rule]), list(&ids));
    let now: Vec<String> = reviewed
        .iter()
        .filter(|r| r.finding.rule == a.rule)
        .map(|r| format!("[{}]", r.finding.ids().join(", ")))
        .collect();
    let (message, recommendation) = if crate::analyze::rules::rule(&a.rule).is_none() {
        (
            format!("{what} names no rule of infraplan: it covers nothing"),
            "fix the rule id (see `infraplan rules`) or remove the entry".to_string(),
        )
    } else if now.is_empty() {
        (
            format!("{what} matches no finding: the rule no longer fires, so the entry can go"),
            "remove this `[[accepted]]` entry".to_string(),
        )
    } else {
        (
            format!(
                "{what} matches no finding: the rule now reports {} instead",
                now.join(", ")
            ),
            "review the rule's current findings; accept one with its own ids if it is still a \
             risk you take, and remove this entry"
                .to_string(),
        )
    };
    let components = ids.iter().filter(|id| design.component(id).is_some());
    let servers = ids.iter().filter(|id| design.server(id).is_some());
    Finding::new(STALE_ACCEPTANCE, Severity::Low, message)
        .components(components.copied())
        .servers(servers.copied())
        .recommend(recommendation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;
    use crate::analyze::rules::testing::reference;
    use crate::model::AcceptedRisk;

    fn day(s: &str) -> Date {
        parse_date(s).expect("test date")
    }

    fn accept(rule: &str, ids: &[&str], expires: Option<&str>) -> AcceptedRisk {
        AcceptedRisk {
            rule: rule.to_string(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            reason: "we know".to_string(),
            expires: expires.map(str::to_string),
        }
    }

    fn review(design: &Design, today: &str) -> Vec<Reviewed> {
        apply(design, analyze(design), day(today))
    }

    fn find<'a>(r: &'a [Reviewed], rule: &str) -> Vec<&'a Reviewed> {
        r.iter().filter(|r| r.finding.rule == rule).collect()
    }

    /// Design 2's DB-SINGLE-PRIMARY finding and its ids.
    fn single_primary_ids() -> Vec<String> {
        let d = reference("02-distributed.toml");
        let f = analyze(&d);
        let f = f
            .iter()
            .find(|f| f.rule == "DB-SINGLE-PRIMARY")
            .expect("design 2 has a single primary");
        f.ids().iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_stale_rule_id_is_the_catalogs() {
        assert_eq!(
            crate::analyze::rules::stale_acceptance::RULE.id,
            STALE_ACCEPTANCE
        );
        assert!(crate::analyze::rules::rule(STALE_ACCEPTANCE).is_some());
    }

    #[test]
    fn without_acceptances_every_finding_is_open() {
        let d = reference("02-distributed.toml");
        let r = review(&d, "2026-11-26");
        assert_eq!(r.len(), analyze(&d).len());
        assert!(r.iter().all(|r| r.status == Status::Open && r.counts()));
    }

    #[test]
    fn matching_rule_and_ids_accepts_the_finding_in_any_order() {
        let mut d = reference("02-distributed.toml");
        let mut ids = single_primary_ids();
        ids.reverse();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        d.accepted
            .push(accept("DB-SINGLE-PRIMARY", &ids, Some("2027-01-01")));
        let r = review(&d, "2026-11-26");
        let hit = find(&r, "DB-SINGLE-PRIMARY");
        assert_eq!(hit.len(), 1);
        assert_eq!(
            hit[0].status,
            Status::Accepted {
                reason: "we know".into(),
                expires: Some("2027-01-01".into())
            }
        );
        assert_eq!(hit[0].acceptance, Some(0));
        assert!(!hit[0].counts());
        assert!(find(&r, STALE_ACCEPTANCE).is_empty());
        // Other findings are untouched.
        assert!(
            r.iter()
                .filter(|r| r.finding.rule != "DB-SINGLE-PRIMARY")
                .all(|r| r.status == Status::Open)
        );
    }

    #[test]
    fn an_expired_acceptance_no_longer_covers_from_its_date_on() {
        let mut d = reference("02-distributed.toml");
        let ids = single_primary_ids();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        d.accepted
            .push(accept("DB-SINGLE-PRIMARY", &ids, Some("2026-11-26")));
        let before = review(&d, "2026-11-25");
        assert!(find(&before, "DB-SINGLE-PRIMARY")[0].is_accepted());
        let on = review(&d, "2026-11-26");
        let hit = find(&on, "DB-SINGLE-PRIMARY");
        assert_eq!(
            hit[0].status,
            Status::Expired {
                reason: "we know".into(),
                expired: "2026-11-26".into()
            }
        );
        assert!(hit[0].counts());
        // It matched, so it is not stale.
        assert!(find(&on, STALE_ACCEPTANCE).is_empty());
    }

    #[test]
    fn a_live_acceptance_wins_over_an_expired_one_and_neither_is_stale() {
        let mut d = reference("02-distributed.toml");
        let ids = single_primary_ids();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        d.accepted
            .push(accept("DB-SINGLE-PRIMARY", &ids, Some("2020-01-01")));
        d.accepted
            .push(accept("DB-SINGLE-PRIMARY", &ids, Some("2030-01-01")));
        let r = review(&d, "2026-11-26");
        let hit = find(&r, "DB-SINGLE-PRIMARY");
        assert!(hit[0].is_accepted());
        assert_eq!(hit[0].acceptance, Some(1));
        assert!(find(&r, STALE_ACCEPTANCE).is_empty());
    }

    #[test]
    fn a_finding_about_other_ids_comes_back_and_the_acceptance_is_stale() {
        let mut d = reference("02-distributed.toml");
        d.accepted
            .push(accept("DB-SINGLE-PRIMARY", &["someone-else"], None));
        let r = review(&d, "2026-11-26");
        assert!(find(&r, "DB-SINGLE-PRIMARY")[0].counts());
        let stale = find(&r, STALE_ACCEPTANCE);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].finding.severity, Severity::Low);
        assert_eq!(stale[0].acceptance, Some(0));
        assert!(
            stale[0].finding.message.contains("the rule now reports ["),
            "{}",
            stale[0].finding.message
        );
        // A subset of the ids is not a match either.
        let ids = single_primary_ids();
        let mut d = reference("02-distributed.toml");
        d.accepted
            .push(accept("DB-SINGLE-PRIMARY", &[ids[0].as_str()], None));
        let r = review(&d, "2026-11-26");
        assert!(find(&r, "DB-SINGLE-PRIMARY")[0].counts());
        assert_eq!(find(&r, STALE_ACCEPTANCE).len(), 1);
    }

    #[test]
    fn acceptances_of_fixed_or_unknown_rules_are_stale() {
        let mut d = reference("05-resilient.toml");
        d.accepted.push(accept("NO-HTTPS", &["lb-1"], None));
        d.accepted.push(accept("NO-SUCH-RULE", &["lb-1"], None));
        let r = review(&d, "2026-11-26");
        let stale = find(&r, STALE_ACCEPTANCE);
        assert_eq!(stale.len(), 2);
        assert!(
            stale[0]
                .finding
                .message
                .contains("the rule no longer fires")
        );
        assert!(stale[1].finding.message.contains("names no rule"));
        assert_eq!(stale[1].acceptance, Some(1));
    }

    #[test]
    fn stale_finding_lists_the_ids_that_still_exist() {
        let mut d = reference("02-distributed.toml");
        let server = d.servers[0].id.clone();
        d.accepted.push(accept(
            "NO-SUCH-RULE",
            &[server.as_str(), "haproxy", "gone"],
            None,
        ));
        let r = review(&d, "2026-11-26");
        let stale = &find(&r, STALE_ACCEPTANCE)[0].finding;
        assert_eq!(stale.servers, vec![server]);
        assert_eq!(stale.components, vec!["haproxy".to_string()]);
    }

    #[test]
    fn order_stays_by_severity_with_stale_findings_in_place() {
        let mut d = reference("02-distributed.toml");
        d.accepted.push(accept("NO-SUCH-RULE", &["x"], None));
        let r = review(&d, "2026-11-26");
        assert!(
            r.windows(2)
                .all(|w| w[0].finding.severity >= w[1].finding.severity)
        );
    }

    proptest::proptest! {
        /// Whatever the acceptances, each one either covers findings or is reported stale, the
        /// analyzer's findings all stay, and only accepted ones stop counting.
        #[test]
        fn every_acceptance_is_used_or_stale(
            picks in proptest::collection::vec((0usize..40, 0usize..8, proptest::bool::ANY), 0..6)
        ) {
            let mut d = reference("02-distributed.toml");
            let findings = analyze(&d);
            let ids: Vec<String> = d
                .components
                .iter()
                .map(|c| c.id.clone())
                .chain(d.servers.iter().map(|s| s.id.clone()))
                .collect();
            for (i, extra, expired) in &picks {
                let f = &findings[i % findings.len()];
                let mut a_ids: Vec<String> = f.ids().iter().map(|s| s.to_string()).collect();
                // Sometimes the exact ids, sometimes one more (which matches nothing).
                if *extra > 4 {
                    a_ids.push(ids[extra % ids.len()].clone());
                }
                let expires = if *expired { "2020-01-01" } else { "2999-01-01" };
                d.accepted.push(AcceptedRisk {
                    rule: f.rule.to_string(),
                    ids: a_ids,
                    reason: "r".into(),
                    expires: Some(expires.into()),
                });
            }
            let r = apply(&d, findings.clone(), day("2026-11-26"));
            let stale: Vec<usize> = r
                .iter()
                .filter(|r| r.finding.rule == STALE_ACCEPTANCE)
                .filter_map(|r| r.acceptance)
                .collect();
            for (i, a) in d.accepted.iter().enumerate() {
                let matches = findings
                    .iter()
                    .any(|f| f.rule == a.rule && f.ids() == key_ids(a));
                proptest::prop_assert_eq!(stale.contains(&i), !matches, "acceptance {}", i);
            }
            proptest::prop_assert_eq!(r.len() - stale.len(), findings.len());
            for x in &r {
                if x.finding.rule == STALE_ACCEPTANCE {
                    continue;
                }
                let live = d.accepted.iter().any(|a| {
                    a.rule == x.finding.rule
                        && key_ids(a) == x.finding.ids()
                        && a.expires.as_deref() == Some("2999-01-01")
                });
                proptest::prop_assert_eq!(x.is_accepted(), live);
                proptest::prop_assert_eq!(x.acceptance.is_some(), x.status != Status::Open);
            }
        }
    }
}
