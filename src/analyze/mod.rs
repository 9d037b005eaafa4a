//! The analyzer: what can take the site down, leak data or hurt its operation.
//!
//! Each rule lives in its own file under `rules/` with its id, documentation and tests; this
//! module runs them all in a fixed order and sorts the findings.

pub mod availability;
pub mod capacity;
mod finding;
pub mod graph;
pub mod numbers;
pub mod recovery;
pub mod rules;
mod simulate;

pub use finding::{Finding, Severity};
pub use graph::{Ctx, Entry, Tier};
pub use numbers::Numbers;
pub use rules::{RULES, Rule, catalog};
pub use simulate::{Impact, Loss, failed_set, simulate};

use crate::model::Design;

/// Runs every rule; findings come out by severity (worst first), then rule, then ids.
pub fn analyze(design: &Design) -> Vec<Finding> {
    analyze_on(design, design.components.len() >= graph::PARALLEL_FROM)
}

/// [`analyze`] and the resilience figures (availability, capacity under failure) from one
/// pass over the design.
pub fn analyze_with_numbers(design: &Design) -> (Vec<Finding>, Numbers) {
    let ctx = Ctx::new(design);
    let findings = findings(&ctx, design.components.len() >= graph::PARALLEL_FROM);
    (findings, Numbers::of(&ctx))
}

/// [`analyze`], on one thread or two.
fn analyze_on(design: &Design, two_threads: bool) -> Vec<Finding> {
    findings(&Ctx::new(design), two_threads)
}

fn findings(ctx: &Ctx, two_threads: bool) -> Vec<Finding> {
    // The rules that read the dominators run last. On a large design a second thread computes
    // the component dominators (the longest pass) meanwhile, and the first of those rules waits
    // for it; the order findings come out in does not depend on this.
    let run = |ctx: &Ctx| -> Vec<Finding> {
        let early = RULES.iter().filter(|r| !NEED_DOMINATORS.contains(&r.id));
        let late = NEED_DOMINATORS
            .iter()
            .filter_map(|id| RULES.iter().find(|r| r.id == *id));
        early.chain(late).flat_map(|r| (r.check)(ctx)).collect()
    };
    let mut findings = if two_threads {
        std::thread::scope(|s| {
            s.spawn(|| {
                ctx.component_spofs();
            });
            run(ctx)
        })
    } else {
        run(ctx)
    };
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

/// The rules that read the dominators, in the order they run: the server pass on the analyzing
/// thread while the other thread finishes the component pass.
const NEED_DOMINATORS: [&str; 3] = ["SPOF-SERVER", "SPOF-COMPONENT", "MAINTENANCE-DOWNTIME"];

/// How many findings there are of each severity, worst first.
pub fn counts(findings: &[Finding]) -> [(Severity, usize); 5] {
    Severity::ALL.map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
}

/// Formats ids as "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub(crate) fn list<S: AsRef<str>>(ids: &[S]) -> String {
    let quoted: Vec<String> = ids.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    and_join(&quoted)
}

/// Formats links as "`a` → `b`", "`a` → `b` and `c` → `d`"...
pub(crate) fn arrows<S: AsRef<str>>(pairs: &[(S, S)]) -> String {
    let each: Vec<String> = pairs
        .iter()
        .map(|(a, b)| format!("`{}` → `{}`", a.as_ref(), b.as_ref()))
        .collect();
    and_join(&each)
}

pub(crate) fn and_join(quoted: &[String]) -> String {
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_threads_find_what_one_finds() {
        let mut designs: Vec<Design> = crate::templates::names()
            .into_iter()
            .filter_map(crate::templates::template)
            .collect();
        // The generated design's name service is the provider's; hosted on a server of the
        // design, it is a single point of failure that the dominator pass must find.
        let mut big = crate::generate::layered(2_000);
        big.servers.push(crate::model::Server {
            id: "ns".into(),
            ip: None,
            label: None,
            ..Default::default()
        });
        big.component_mut("dns").expect("generated").server = Some("ns".into());
        designs.push(big);
        for d in &designs {
            let one = analyze_on(d, false);
            assert_eq!(analyze_on(d, true), one, "{}", d.name);
            assert!(d.components.len() < 1_000 || one.iter().any(|f| f.rule == "SPOF-COMPONENT"));
        }
    }
}
