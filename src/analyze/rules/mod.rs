//! The rule catalog. Adding a rule: a file here with its `RULE` and tests, and a line in
//! [`RULES`].

use super::{Ctx, Finding, Severity};

mod db_exposed;
mod db_no_backup;
mod db_no_replica;
mod db_quorum;
pub(crate) mod db_single_primary;
mod db_write_path;
mod dns_unreached;
mod empty_cluster;
mod entry_inferred;
mod limited_scalability;
mod maintenance_downtime;
mod metrics_plaintext;
mod no_firewall;
mod no_https;
mod no_monitoring;
mod overload_at_peak;
mod overload_on_failure;
mod resource_contention;
mod site_unreachable;
mod spof_component;
mod spof_server;
pub mod stale_acceptance;
mod tls_terminated_early;
mod unreachable;

/// A rule: its id, documentation and check.
pub struct Rule {
    /// The stable id users match on.
    pub id: &'static str,
    /// The severity of its findings (the worst one where it varies).
    pub severity: Severity,
    /// What it is about, in a few words.
    pub title: &'static str,
    /// What it checks.
    pub checks: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    pub check: fn(&Ctx) -> Vec<Finding>,
}

/// Every rule, in the order they run.
pub static RULES: &[&Rule] = &[
    &site_unreachable::RULE,
    &spof_component::RULE,
    &spof_server::RULE,
    &db_single_primary::RULE,
    &db_no_replica::RULE,
    &db_quorum::RULE,
    &db_no_backup::RULE,
    &db_write_path::RULE,
    &maintenance_downtime::RULE,
    &overload_at_peak::RULE,
    &overload_on_failure::RULE,
    &limited_scalability::RULE,
    &no_firewall::RULE,
    &db_exposed::RULE,
    &no_https::RULE,
    &tls_terminated_early::RULE,
    &no_monitoring::RULE,
    &metrics_plaintext::RULE,
    &resource_contention::RULE,
    &unreachable::RULE,
    &dns_unreached::RULE,
    &empty_cluster::RULE,
    &entry_inferred::RULE,
];

/// Every rule a finding can come from: [`RULES`], then the rules decided after the analysis
/// (stale accepted risks). This is what `infraplan rules` and SARIF's rule list show.
pub fn catalog() -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .copied()
        .chain(std::iter::once(&stale_acceptance::RULE))
}

/// The rule with this id, from the whole [`catalog`].
pub fn rule(id: &str) -> Option<&'static Rule> {
    catalog().find(|r| r.id == id)
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::analyze::{Ctx, Finding};
    use crate::model::Design;
    use std::path::Path;

    /// A reference design from `designs/`.
    pub fn reference(name: &str) -> Design {
        crate::io::load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("designs")
                .join(name),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A design of the reviewer's corpus, `tests/corpus/NAME.toml`.
    pub fn corpus(name: &str) -> Design {
        crate::io::load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/corpus")
                .join(format!("{name}.toml")),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The findings of one rule on a design.
    pub fn run(rule: &super::Rule, design: &Design) -> Vec<Finding> {
        let mut findings = (rule.check)(&Ctx::new(design));
        findings.iter_mut().for_each(Finding::normalize);
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut ids: Vec<&str> = catalog().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len() + 1);
        for r in catalog() {
            assert!(!r.title.is_empty() && !r.checks.is_empty(), "{}", r.id);
            assert!(!r.why.is_empty() && !r.fix.is_empty(), "{}", r.id);
        }
    }
}
