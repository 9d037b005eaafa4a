//! The rule catalog. Adding a rule: a file here with its `RULE` and tests, and a line in
//! [`RULES`].

use super::{Ctx, Finding, Severity};

mod db_exposed;
mod db_no_backup;
mod db_no_replica;
mod db_quorum;
pub(crate) mod db_single_primary;
mod db_write_path;
mod dns_round_robin;
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
mod spof_region;
mod spof_server;
pub(crate) mod spof_zone;
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
    /// What kind of weakness its findings are, and where a report points at them.
    pub category: Category,
    pub check: fn(&Ctx) -> Vec<Finding>,
}

/// A rule's kind of weakness, as code scanning classifies it, and where its findings are shown:
/// kept next to the rule so that reports never match on rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    /// A security weakness (GitHub gives these a security severity), else one of reliability.
    pub security: bool,
    /// The weakness in MITRE's catalog, where one fits.
    pub cwe: Option<Cwe>,
    /// The findings are about a link's encryption, so a report points at the link's
    /// `protocol` (the line a pull request changes), before the components.
    pub at_link: bool,
}

impl Category {
    /// Availability, data, operations, scale and hygiene: what keeps the site up.
    pub const RELIABILITY: Category = Category {
        security: false,
        cwe: None,
        at_link: false,
    };

    /// A security weakness that is an instance of `cwe`.
    pub const fn security(cwe: Cwe) -> Category {
        Category {
            security: true,
            cwe: Some(cwe),
            at_link: false,
        }
    }

    /// The same, an instance of `cwe`.
    pub const fn with_cwe(self, cwe: Cwe) -> Category {
        Category {
            cwe: Some(cwe),
            ..self
        }
    }

    /// The same, its findings pointed at their links.
    pub const fn at_link(self) -> Category {
        Category {
            at_link: true,
            ..self
        }
    }
}

/// A Common Weakness Enumeration entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cwe {
    pub id: u32,
    pub name: &'static str,
}

impl Cwe {
    pub const CLEARTEXT_TRANSMISSION: Cwe = Cwe {
        id: 319,
        name: "Cleartext Transmission of Sensitive Information",
    };
    pub const WRONG_SPHERE: Cwe = Cwe {
        id: 668,
        name: "Exposure of Resource to Wrong Sphere",
    };
    pub const ACCESS_CONTROL: Cwe = Cwe {
        id: 284,
        name: "Improper Access Control",
    };
    pub const INSUFFICIENT_LOGGING: Cwe = Cwe {
        id: 778,
        name: "Insufficient Logging",
    };

    /// The tag code scanning reads, `external/cwe/cwe-319`.
    pub fn tag(&self) -> String {
        format!("external/cwe/cwe-{}", self.id)
    }
}

impl Rule {
    /// Where the rule is documented in the repository: its section of `docs/rules.md` (the
    /// output of `infraplan rules --format markdown`), by the anchor GitHub gives its heading.
    pub fn docs(&self) -> String {
        format!("{RULES_DOCS}#{}", self.id.to_ascii_lowercase())
    }
}

/// The page of the rules' documentation, from the repository's root.
pub const RULES_DOCS: &str = "docs/rules.md";

/// Every rule, in the order they run.
pub static RULES: &[&Rule] = &[
    &site_unreachable::RULE,
    &spof_component::RULE,
    &spof_server::RULE,
    &spof_zone::RULE,
    &spof_region::RULE,
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
    &dns_round_robin::RULE,
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
