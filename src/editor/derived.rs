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
    /// When the design differs from the one of generation `.0` only in the positions of the
    /// components `.1` (a move): then the layout and the routes are made again only where
    /// those boxes were and are.
    pub moved_since: Option<(u64, &'a [usize])>,
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
    /// Each server's components by index, once a move asked for them (until the next
    /// change that is not a move).
    members: Option<Vec<Vec<usize>>>,
    /// Each component's index by id, kept while edits only move boxes (built on the first
    /// move after any other change), so that finding the selection costs no scan of a large
    /// design.
    ids: Option<rustc_hash::FxHashMap<String, usize>>,
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
        moved_since,
    } = inputs;
    let mut d = prev;
    let made = d.made_from.take();
    let design_changed = made.as_ref().is_none_or(|m| m.generation != generation);
    if design_changed {
        let moved = moved_since
            .filter(|(since, _)| made.as_ref().is_some_and(|m| m.generation == *since))
            .map(|(_, moved)| moved);
        let relaid = moved.is_some_and(|moved| {
            let members = d.members.get_or_insert_with(|| server_members(design));
            layout::after_moves(design, &mut d.layout, moved, members)
        });
        if relaid {
            d.ids.get_or_insert_with(|| {
                design
                    .components
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.id.clone(), i))
                    .collect()
            });
        } else {
            d.layout = layout::layout(design);
            d.members = None;
            d.ids = None;
        }
        routes::reroute(design, &d.layout, &mut d.route_cache, relaid, &mut d.routes);
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

/// Each server's components, by index.
fn server_members(design: &Design) -> Vec<Vec<usize>> {
    let mut members = vec![Vec::new(); design.servers.len()];
    for (i, s) in design.server_of().into_iter().enumerate() {
        if let Some(s) = s {
            members[s].push(i);
        }
    }
    members
}

impl Derived {
    /// The index of component `id` in `design` (the design derived from).
    pub fn component_index_of(&self, design: &Design, id: &str) -> Option<usize> {
        self.ids
            .as_ref()
            .and_then(|ids| ids.get(id).copied())
            .filter(|&i| design.components.get(i).is_some_and(|c| c.id == id))
            .or_else(|| design.components.iter().position(|c| c.id == id))
    }

    /// The DNS records' tags: where each is written and its text (see [`routes::dns_tags`]).
    pub fn dns_tags(&self) -> &[(crate::layout::Rect, String)] {
        self.route_cache.dns_tags()
    }

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
                        .filter(|&l| design.links.get(l).is_some_and(|l| !l.encrypted())),
                );
            }
            _ => {}
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One edit of a property test: move components `.0` (indices taken modulo the design's
    /// size) by `.1` cells, or, with `.2`, also change what links there are.
    type Edit = (Vec<usize>, (i32, i32), bool);

    fn inputs<'a>(
        design: &'a Design,
        generation: u64,
        failed: &'a BTreeSet<String>,
        moved_since: Option<(u64, &'a [usize])>,
    ) -> Inputs<'a> {
        Inputs {
            design,
            generation,
            failed,
            dirty: true,
            analyze_off_thread_from: ANALYZE_OFF_THREAD_FROM,
            moved_since,
        }
    }

    /// Applies `edits` to `design`, deriving after each twice: told which boxes moved (the
    /// incremental layout and routing), and not (the layout made afresh, every link's job
    /// checked again). Both must agree, and the layout must be the one made from scratch.
    fn incremental_equals_full(mut design: Design, edits: &[Edit]) {
        super::super::state::place_unpositioned(&mut design);
        let failed = BTreeSet::new();
        let mut generation = 0;
        let mut fast = derive(inputs(&design, 0, &failed, None), Derived::default());
        let mut full = fast.clone();
        let mut moves_taken = 0;
        for (picks, (dx, dy), relink) in edits {
            let n = design.components.len();
            let mut moved: Vec<usize> = picks.iter().map(|p| p % n).collect();
            moved.sort_unstable();
            moved.dedup();
            for &i in &moved {
                let b = fast.layout.boxes[i];
                let c = &mut design.components[i];
                (c.x, c.y) = (Some(b.x + dx), Some(b.y + dy));
            }
            if *relink {
                // A change that is not a move: a link added between two of the moved boxes, or
                // the last link taken away.
                match (moved.first(), moved.last(), design.links.first()) {
                    (Some(&a), Some(&b), Some(like)) if a != b => {
                        let link = crate::model::Link {
                            from: design.components[a].id.clone(),
                            to: design.components[b].id.clone(),
                            ..like.clone()
                        };
                        design.links.push(link);
                    }
                    _ => {
                        design.links.pop();
                    }
                }
            }
            let hint = (!relink).then_some((generation, moved.as_slice()));
            generation += 1;
            fast = derive(inputs(&design, generation, &failed, hint), fast);
            full = derive(inputs(&design, generation, &failed, None), full);
            if hint.is_some() {
                assert!(fast.members.is_some(), "the move took the incremental way");
                moves_taken += 1;
            }
            assert_eq!(
                fast.layout,
                layout::layout(&design),
                "layout after {moved:?}"
            );
            assert_eq!(fast.layout, full.layout);
            for &i in &moved {
                let id = &design.components[i].id;
                assert_eq!(fast.component_index_of(&design, id), Some(i));
            }
            assert_eq!(fast.routes, full.routes, "routes after moving {moved:?}");
            assert_eq!(fast.routes, fast.route_cache.routes());
            assert_eq!(
                fast.dns_tags(),
                routes::dns_tags(&design, &fast.layout).as_slice()
            );
        }
        assert_eq!(
            moves_taken,
            edits.iter().filter(|e| !e.2).count(),
            "every move was incremental"
        );
    }

    fn edits() -> impl Strategy<Value = Vec<Edit>> {
        prop::collection::vec(
            (
                prop::collection::vec(0usize..10_000, 1..4),
                (-12i32..=12, -6i32..=6),
                prop::bool::weighted(0.15),
            ),
            1..8,
        )
    }

    /// One step of the editor: move component `.0` (modulo the design's size) by `.1`, or
    /// undo (`.2 == 1`) or redo (`.2 == 2`).
    type Step = (usize, (i32, i32), u8);

    /// Runs `steps` in an editor on `design`; after each, its layout must be the one made
    /// from scratch and its routes those of a derivation told nothing about moves.
    fn editor_incremental_equals_full(design: Design, steps: &[Step]) {
        use super::super::action::Action;
        use super::super::state::{App, Selection};
        let mut app = App::new(design, None);
        super::super::update::update(&mut app, Action::Resize(160, 48));
        let mut full = app.derived.clone();
        for &(pick, (dx, dy), what) in steps {
            let action = match what {
                1 => Action::Undo,
                2 => Action::Redo,
                _ => {
                    let id = app.design.components[pick % app.design.components.len()]
                        .id
                        .clone();
                    app.selection = Selection::Component(id);
                    Action::Nudge(dx, dy)
                }
            };
            super::super::update::update(&mut app, action);
            let failed = BTreeSet::new();
            full = derive(inputs(&app.design, app.generation, &failed, None), full);
            assert_eq!(app.derived.layout, layout::layout(&app.design));
            assert_eq!(app.derived.routes, full.routes);
            assert_eq!(app.derived.dns_tags(), full.dns_tags());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

        #[test]
        fn incremental_layout_and_routes_equal_the_full_ones_on_a_generated_design(
            edits in edits()
        ) {
            incremental_equals_full(crate::generate::layered(300), &edits);
        }

        #[test]
        fn moves_undo_and_redo_in_the_editor_derive_what_a_full_derivation_does(
            steps in prop::collection::vec(
                (0usize..10_000, (-3i32..=3, -2i32..=2), prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)]),
                1..16,
            )
        ) {
            editor_incremental_equals_full(crate::generate::layered(300), &steps);
        }

        #[test]
        fn incremental_layout_and_routes_equal_the_full_ones_with_zones_and_dns(
            edits in edits()
        ) {
            let text = include_str!("../../examples/zones-eu-west-1.toml");
            let design = crate::io::parse_bytes(
                std::path::Path::new("zones.toml"),
                text.as_bytes(),
                crate::io::Format::Toml,
            )
            .expect("example");
            incremental_equals_full(design, &edits);
        }
    }
}
