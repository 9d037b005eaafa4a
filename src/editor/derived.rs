//! What follows from the design and the user's choices: the layout, the link routes, the
//! findings as the team sees them (open, then accepted), the canvas marks, the impact of the
//! simulated failures, and whether there are unsaved changes. One function, [`derive`], makes
//! it from its [`Inputs`] after every update; it reuses the parts whose inputs did not change.

use super::routes::{self, Route};
use crate::analyze::{self, Finding, Impact};
use crate::layout::{self, Layout};
use crate::model::Design;
use std::collections::BTreeSet;

/// What [`derive`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub design: &'a Design,
    /// Bumped on every change to the design.
    pub generation: u64,
    /// Components and servers simulated as failed.
    pub failed: &'a BTreeSet<String>,
    /// Whether the design differs from the one last opened or saved.
    pub dirty: bool,
    /// From how many components on the analysis runs off the UI thread.
    pub analyze_off_thread_from: usize,
}

/// From how many components on the analysis runs off the UI thread: below, it takes a few
/// milliseconds and the findings are exact after every edit.
pub const ANALYZE_OFF_THREAD_FROM: usize = 2_000;

/// What the analyzer marks on the canvas at all times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// Component indices that are single points of failure.
    pub spof_components: BTreeSet<usize>,
    /// Server indices that are single points of failure.
    pub spof_servers: BTreeSet<usize>,
    /// Link indices that carry traffic in the clear where it should not.
    pub insecure_links: BTreeSet<usize>,
}

/// Everything derived; see the module's documentation.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub layout: Layout,
    pub routes: Vec<Route>,
    /// The open findings, then the accepted ones.
    pub findings: Vec<Finding>,
    /// How many of `findings` are open (the rest are accepted risks).
    pub open_findings: usize,
    /// Why each accepted finding (`findings[open_findings..]`) was accepted.
    pub accepted_reasons: Vec<String>,
    pub marks: Marks,
    pub impact: Option<Impact>,
    /// The design's figures for the status bar (availability, utilization at peak and N−1),
    /// from the same analysis as `findings`.
    pub figures: Option<String>,
    /// With failures toggled: each tier's utilization at peak after them.
    pub failure_figures: Option<String>,
    /// Per component: failed, or no longer reached by the clients.
    pub dimmed: Vec<bool>,
    /// Whether the design differs from the one last opened or saved.
    pub dirty: bool,
    /// The generation of the design the findings are of: behind the design's while an
    /// analysis off the UI thread catches up.
    pub findings_for: u64,
    /// Set when the design changed and its analysis is to be asked of the analyst.
    pub analysis_wanted: bool,
    /// What this was made from, so the next derivation redoes only what changed.
    made_from: Option<Made>,
    /// What the routes were made from, so an edit reroutes only the links it touches.
    route_cache: routes::RouteCache,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Made {
    generation: u64,
    failed: BTreeSet<String>,
}

/// Derives everything from `inputs`; `prev` is the last derivation (or the default), whose
/// parts are reused where their inputs are unchanged.
pub fn derive(inputs: Inputs, prev: Derived) -> Derived {
    let Inputs {
        design,
        generation,
        failed,
        dirty,
        analyze_off_thread_from,
    } = inputs;
    let mut d = prev;
    let made = d.made_from.take();
    let design_changed = made.as_ref().is_none_or(|m| m.generation != generation);
    if design_changed {
        d.layout = layout::layout(design);
        d.routes = routes::route_links_cached(design, &d.layout, &mut d.route_cache);
        if design.components.len() < analyze_off_thread_from {
            let r = reviewed_findings(design);
            d.findings = r.findings;
            d.open_findings = r.open;
            d.accepted_reasons = r.reasons;
            d.figures = r.figures;
            d.marks = marks(design, &d.findings);
            d.findings_for = generation;
        } else {
            // The findings of an earlier generation stay shown until the new ones come.
            d.analysis_wanted = true;
        }
    }
    if design_changed || made.as_ref().is_none_or(|m| &m.failed != failed) {
        (d.impact, d.dimmed) = impact(design, failed);
        d.failure_figures = if failed.is_empty() {
            None
        } else {
            analyze::numbers::failure_status(design, failed)
        };
    }
    d.dirty = dirty;
    d.made_from = Some(Made {
        generation,
        failed: failed.clone(),
    });
    d
}

impl Derived {
    /// How many of the design's lines (one per link, one per member of a cluster it names)
    /// found no room on the canvas and are not drawn.
    pub fn unrouted_lines(&self) -> usize {
        self.route_cache.unrouted()
    }

    /// The (source, target) components of the lines not drawn for want of room.
    pub fn unrouted_pairs(&self) -> Vec<(usize, usize)> {
        self.route_cache.unrouted_pairs()
    }

    /// The status bar's figures: after the toggled failures, else the design's.
    pub fn status_figures(&self, failing: bool) -> Option<&str> {
        if failing {
            self.failure_figures.as_deref()
        } else {
            self.figures.as_deref()
        }
    }

    /// Whether the findings are of an earlier version of the design than `generation`.
    pub fn catching_up(&self, generation: u64) -> bool {
        self.findings_for != generation
    }

    /// Takes in the findings analysed off the UI thread, when they are newer than those
    /// shown.
    pub fn take_analysis(&mut self, design: &Design, a: super::action::Analysis) {
        if a.generation < self.findings_for {
            return;
        }
        self.marks = marks(design, &a.findings);
        self.findings = a.findings;
        self.open_findings = a.open;
        self.accepted_reasons = a.reasons;
        self.figures = a.figures;
        self.findings_for = a.generation;
    }
}

/// The findings as the team sees them, and the figures of the same analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    /// The open findings, then the accepted risks (which do not count).
    pub findings: Vec<Finding>,
    /// How many of `findings` are open.
    pub open: usize,
    /// Why each accepted finding was accepted.
    pub reasons: Vec<String>,
    /// The status bar's figures (see [`Derived::figures`]).
    pub figures: Option<String>,
}

/// Analyses `design` once: its findings as the team sees them (the open ones, then the
/// accepted risks) and its figures.
pub fn reviewed_findings(design: &Design) -> Review {
    let (findings, numbers) = analyze::analyze_with_numbers(design);
    let reviewed = crate::accept::apply(design, findings, crate::date::today());
    let (open, accepted): (Vec<_>, Vec<_>) = reviewed.into_iter().partition(|r| !r.is_accepted());
    let n = open.len();
    let reasons = accepted
        .iter()
        .map(|r| match &r.status {
            crate::accept::Status::Accepted { reason, .. } => reason.clone(),
            _ => String::new(),
        })
        .collect();
    let findings = open
        .into_iter()
        .chain(accepted)
        .map(|r| r.finding)
        .collect();
    Review {
        findings,
        open: n,
        reasons,
        figures: numbers.status(),
    }
}

/// What the simulated failures cost, and per component whether it is failed or no longer
/// reached by the clients.
pub fn impact(design: &Design, failed: &BTreeSet<String>) -> (Option<Impact>, Vec<bool>) {
    let mut dimmed = vec![false; design.components.len()];
    if failed.is_empty() {
        return (None, dimmed);
    }
    let ids: Vec<&str> = failed.iter().map(String::as_str).collect();
    let impact = analyze::simulate(design, &ids).ok();
    if let Some(impact) = &impact {
        let index = design.component_index();
        for id in impact.failed.iter().chain(&impact.unreachable) {
            if let Some(&i) = index.get(id.as_str()) {
                dimmed[i] = true;
            }
        }
    }
    (impact, dimmed)
}

/// The canvas marks from the findings: SPOFs and links in the clear.
pub fn marks(design: &Design, findings: &[Finding]) -> Marks {
    let mut m = Marks::default();
    let index = design.component_index();
    for f in findings {
        match f.rule {
            "SPOF-COMPONENT" => {
                m.spof_components
                    .extend(f.components.iter().filter_map(|c| index.get(c.as_str())));
            }
            "SPOF-SERVER" => {
                // The components it lists are those the server's loss takes down with it.
                m.spof_components
                    .extend(f.components.iter().filter_map(|c| index.get(c.as_str())));
                m.spof_servers.extend(
                    f.servers
                        .iter()
                        .filter_map(|s| design.servers.iter().position(|x| &x.id == s)),
                );
            }
            "NO-HTTPS" | "TLS-TERMINATED-EARLY" | "DB-EXPOSED" => {
                m.insecure_links.extend(
                    f.links
                        .iter()
                        .copied()
                        .filter(|&l| design.links.get(l).is_some_and(|l| !l.protocol.encrypted())),
                );
            }
            _ => {}
        }
    }
    m
}
