//! The analyzer: what can take the site down, leak data or hurt its operation.
//!
//! Each rule lives in its own file under `rules/` with its id, documentation and tests; this
//! module runs them all in a fixed order and sorts the findings.

mod finding;
pub mod graph;
pub mod rules;
mod simulate;

pub use finding::{Finding, Severity};
pub use graph::{Ctx, Entry, Tier};
pub use rules::{RULES, Rule, catalog};
pub use simulate::{Impact, Loss, simulate};

use crate::model::Design;

/// Runs every rule; findings come out by severity (worst first), then rule, then ids.
pub fn analyze(design: &Design) -> Vec<Finding> {
    let ctx = Ctx::new(design);
    let mut findings: Vec<Finding> = RULES.iter().flat_map(|r| (r.check)(&ctx)).collect();
    for f in &mut findings {
        f.normalize();
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.ids().cmp(&b.ids()))
            .then_with(|| a.links.cmp(&b.links))
    });
    findings
}

/// How many findings there are of each severity, worst first.
pub fn counts(findings: &[Finding]) -> [(Severity, usize); 5] {
    Severity::ALL.map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
}

/// Formats ids as "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub(crate) fn list<S: AsRef<str>>(ids: &[S]) -> String {
    let quoted: Vec<String> = ids.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}
