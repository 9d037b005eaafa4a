//! STALE-ACCEPTANCE: an `[[accepted]]` entry that matches no finding.
//!
//! Unlike the other rules it is not decided from the graph: whether an acceptance still matches
//! is known only once every other rule has run, so [`crate::accept::apply`] raises it. It is in
//! the catalog (`infraplan rules`, SARIF's rule list) but not in [`super::RULES`], the rules
//! [`crate::analyze::analyze`] runs.

use crate::analyze::{Ctx, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "STALE-ACCEPTANCE",
    severity: Severity::Low,
    title: "accepted risk that matches no finding",
    checks: "An `[[accepted]]` entry whose rule and ids (compared as a set) match no finding of \
             the design, expired or not: the design changed, the risk was fixed, or the entry \
             names a rule that does not exist. Decided after the analysis, by comparing the \
             findings with the accepted risks.",
    why: "An acceptance that no longer matches anything silently covers nothing; if the finding \
          comes back with the same ids it would be hidden again without anyone deciding it. Old \
          entries also make the list of accepted risks hard to review.",
    fix: "Remove the `[[accepted]]` entry, or, if the risk moved (e.g. the finding now concerns \
          another component), accept the new finding with its own ids after reviewing it.",
    category: super::Category::RELIABILITY,
    check,
};

/// Nothing to decide from the graph; see the module documentation.
fn check(_: &Ctx) -> Vec<Finding> {
    Vec::new()
}
