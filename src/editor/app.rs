//! The editor's state and the one function that changes it.
//!
//! Keys and mouse events become [`Action`]s (see `keymap`), [`update`] applies them, and the
//! screen is drawn from `&App` alone. Nothing here touches the terminal, so the tests drive the
//! editor by building an `App` and applying actions.

use super::canvas::{self, Route};
use super::form::{self, Form, Target};
use super::ui::{self, Screen};
use crate::analyze::{self, Finding, Impact};
use crate::io;
use crate::layout::{self, BOX_H, BOX_W, Layout};
use crate::model::{Component, Design, Kind, Link, Protocol, Server};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// How many design snapshots undo keeps.
const UNDO_DEPTH: usize = 200;

/// What is selected on the canvas.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    #[default]
    None,
    Component(String),
    Server(String),
    /// An index into the design's links.
    Link(usize),
}

/// The input mode: which keys mean what, and which overlay is shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The start screen: a new design, a template or a recent file.
    Start {
        sel: usize,
    },
    /// The canvas.
    Normal,
    /// Choosing the kind of a new component.
    Palette {
        sel: usize,
    },
    /// Choosing the server a component goes on: no server, a new one, or an existing one.
    Place {
        component: String,
        sel: usize,
    },
    /// Choosing the component a new link goes to; the selection is the candidate.
    Connect {
        from: String,
    },
    /// Choosing the protocol of a new link.
    Protocol {
        from: String,
        to: String,
        sel: usize,
    },
    /// Editing the properties of the selection (or of the design).
    Form(Form),
    /// Typing a line: a file name, an id.
    Prompt {
        kind: PromptKind,
        input: String,
    },
    /// A yes/no question.
    Confirm(Confirm),
    Help {
        scroll: u16,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    SaveAs,
    Open,
    Rename,
    Export,
}

impl PromptKind {
    pub fn title(self) -> &'static str {
        match self {
            PromptKind::SaveAs => "Save as (.toml or .json)",
            PromptKind::Open => "Open design file",
            PromptKind::Rename => "New id",
            PromptKind::Export => "Export to (.svg or .dot)",
        }
    }
}

/// What a confirmation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Quit with unsaved changes: y saves first, n discards.
    Quit,
    /// Replace the design with unsaved changes by another one.
    Discard(Box<Pending>),
    /// Save as onto a file that exists (`what` says what it holds): y replaces it.
    Replace { path: PathBuf, what: String },
    /// Save over the design's file, which changed on disk since it was read: y overwrites
    /// it (and quits, when the save came from quitting).
    Overwrite { path: PathBuf, quit: bool },
    /// The design's file changed on disk: y reloads it (undo brings the editor's version
    /// back), n keeps the editor's version.
    Reload(Box<Pending>),
    /// Export onto a file that exists: y replaces it.
    ExportOver { path: PathBuf, what: String },
    /// Delete a server that DNS records point at: y points them at `to` (a component that
    /// was on it) instead, n deletes them with it.
    DeleteServer {
        id: String,
        records: Vec<String>,
        to: Option<String>,
    },
}

/// A design waiting to replace the current one once the user agrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub design: Design,
    pub path: Option<PathBuf>,
    /// The text it was read from.
    pub original: Option<String>,
}

/// The mode's family, for the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModeKind {
    Start,
    Canvas,
    Menu,
    Connect,
    Form,
    Text,
    Confirm,
    Help,
}

impl Mode {
    pub fn kind(&self) -> ModeKind {
        match self {
            Mode::Start { .. } => ModeKind::Start,
            Mode::Normal => ModeKind::Canvas,
            Mode::Palette { .. } | Mode::Place { .. } | Mode::Protocol { .. } => ModeKind::Menu,
            Mode::Connect { .. } => ModeKind::Connect,
            Mode::Form(f) if f.editing.is_some() => ModeKind::Text,
            Mode::Form(_) => ModeKind::Form,
            Mode::Prompt { .. } => ModeKind::Text,
            Mode::Confirm(_) => ModeKind::Confirm,
            Mode::Help { .. } => ModeKind::Help,
        }
    }
}

/// Everything the user can ask for. Keys and mouse events map to these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The terminal's new size in cells.
    Resize(u16, u16),
    Quit,
    Save,
    SaveAs,
    Open,
    Export,
    Undo,
    Redo,
    Help,
    /// Esc: close, cancel, deselect.
    Cancel,
    /// Enter: pick, commit, confirm.
    Accept,
    Up,
    Down,
    Left,
    Right,
    /// Move the selected component (or pan when nothing is selected) by this many cells.
    Nudge(i32, i32),
    Pan(i32, i32),
    Center,
    SelectNext,
    SelectPrev,
    /// Select the server of the selected component.
    SelectServer,
    /// Select the next link touching the selected component.
    SelectLink,
    Add,
    Connect,
    Delete,
    Rename,
    Edit,
    PlaceOnServer,
    Arrange,
    ToggleFailed,
    ClearFailures,
    TogglePanel,
    NextFinding,
    PrevFinding,
    Char(char),
    Backspace,
    Yes,
    No,
    /// Mouse button pressed at a screen cell.
    Click(u16, u16),
    /// Mouse moved with the button held.
    Drag(u16, u16),
    Release,
    Scroll(i32, i32),
    /// The design's file changed on disk (the event loop watches it).
    FileChanged,
}

/// A mouse drag in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drag {
    /// Moving a component; the grab point inside its box.
    Component {
        id: String,
        dx: i32,
        dy: i32,
        moved: bool,
    },
    /// Panning the canvas from where the button went down.
    Pan {
        col: u16,
        row: u16,
        view: (i32, i32),
    },
}

/// Which edit made the last snapshot, so a run of moves of one component undoes as one step.
#[derive(Debug, Clone, PartialEq, Eq)]
enum EditKey {
    Move(String),
    Other,
}

/// Severity-tagged status line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

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

/// The editor.
#[derive(Debug, Clone)]
pub struct App {
    pub design: Design,
    pub path: Option<PathBuf>,
    pub dirty: bool,
    /// The design as last opened or saved: undoing back to it is no longer a change.
    saved: Design,
    /// The file's text as last read or written here: a save keeps its comments and layout,
    /// and a file on disk that differs from it was changed by someone else.
    pub original: Option<String>,
    pub mode: Mode,
    pub selection: Selection,
    /// Canvas coordinates of the top-left cell of the canvas area.
    pub view: (i32, i32),
    /// The terminal's size.
    pub size: (u16, u16),
    pub layout: Layout,
    pub routes: Vec<Route>,
    /// What the routes were made from, so an edit reroutes only the links it touches.
    route_cache: canvas::RouteCache,
    /// The open findings, then the accepted ones.
    pub findings: Vec<Finding>,
    /// How many of `findings` are open (the rest are accepted risks).
    pub open_findings: usize,
    /// Why each accepted finding (`findings[open_findings..]`) was accepted.
    pub accepted_reasons: Vec<String>,
    pub marks: Marks,
    pub finding: Option<usize>,
    /// Components and servers simulated as failed.
    pub failed: BTreeSet<String>,
    pub impact: Option<Impact>,
    /// Per component: failed, or no longer reached by the clients.
    pub dimmed: Vec<bool>,
    pub message: Option<Message>,
    pub drag: Option<Drag>,
    pub quit: bool,
    /// Whether the findings panel is shown (it can give its room to the canvas).
    pub show_panel: bool,
    /// Whether the user has shown or hidden the panel; until then the editor decides by
    /// whether the design fits beside it (see [`App::auto_panel`]).
    pub panel_chosen: bool,
    /// The recent-files list, most recent first, and where it is kept (none in tests).
    pub recent: Vec<PathBuf>,
    pub recent_file: Option<PathBuf>,
    undo: Vec<Design>,
    redo: Vec<Design>,
    last_edit: Option<EditKey>,
    /// Bumped on every change to the design, so the recovery copy is refreshed only then.
    pub generation: u64,
}

/// The entries of the start screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartItem {
    Empty,
    Template(usize),
    Recent(PathBuf),
}

impl App {
    /// An editor on `design`, stored at `path` (if any).
    pub fn new(design: Design, path: Option<PathBuf>) -> App {
        let mut app = App {
            design,
            path,
            dirty: false,
            saved: Design::new(""),
            original: None,
            mode: Mode::Normal,
            selection: Selection::None,
            view: (0, 0),
            size: (120, 40),
            layout: Layout::default(),
            routes: Vec::new(),
            route_cache: canvas::RouteCache::default(),
            findings: Vec::new(),
            open_findings: 0,
            accepted_reasons: Vec::new(),
            marks: Marks::default(),
            finding: None,
            failed: BTreeSet::new(),
            impact: None,
            dimmed: Vec::new(),
            message: None,
            drag: None,
            quit: false,
            show_panel: true,
            panel_chosen: false,
            recent: Vec::new(),
            recent_file: None,
            undo: Vec::new(),
            redo: Vec::new(),
            last_edit: None,
            generation: 0,
        };
        place_unpositioned(&mut app.design);
        app.saved = app.design.clone();
        app.refresh();
        app.auto_panel();
        app.fit_view();
        app
    }

    /// The start screen, over an empty design.
    pub fn start_screen(recent: Vec<PathBuf>) -> App {
        let mut app = App::new(Design::new("Untitled design"), None);
        app.recent = recent;
        app.mode = Mode::Start { sel: 0 };
        app
    }

    pub fn start_items(&self) -> Vec<StartItem> {
        let mut items = vec![StartItem::Empty];
        items.extend((0..crate::templates::TEMPLATES.len()).map(StartItem::Template));
        items.extend(self.recent.iter().cloned().map(StartItem::Recent));
        items
    }

    pub fn screen(&self) -> Screen {
        ui::screen(
            ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1),
            self.show_panel,
        )
    }

    fn say(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// Recomputes everything derived from the design: geometry, routes, findings, marks, impact.
    pub fn refresh(&mut self) {
        self.layout = layout::layout(&self.design);
        self.routes = canvas::route_links_cached(&self.design, &self.layout, &mut self.route_cache);
        // Accepted risks are listed after the open findings and do not count.
        let reviewed = crate::accept::apply(
            &self.design,
            analyze::analyze(&self.design),
            crate::date::today(),
        );
        let (open, accepted): (Vec<_>, Vec<_>) =
            reviewed.into_iter().partition(|r| !r.is_accepted());
        self.open_findings = open.len();
        self.accepted_reasons = accepted
            .iter()
            .map(|r| match &r.status {
                crate::accept::Status::Accepted { reason, .. } => reason.clone(),
                _ => String::new(),
            })
            .collect();
        self.findings = open
            .into_iter()
            .chain(accepted)
            .map(|r| r.finding)
            .collect();
        self.marks = marks(&self.design, &self.findings);
        if let Some(f) = self.finding {
            if self.findings.is_empty() {
                self.finding = None;
            } else if f >= self.findings.len() {
                self.finding = Some(self.findings.len() - 1);
            }
        }
        let design = &self.design;
        self.failed.retain(|id| design.id_taken(id));
        self.simulate();
        self.selection = match std::mem::take(&mut self.selection) {
            Selection::Component(id) if self.design.component(&id).is_some() => {
                Selection::Component(id)
            }
            Selection::Server(id) if self.design.server(&id).is_some() => Selection::Server(id),
            Selection::Link(i) if i < self.design.links.len() => Selection::Link(i),
            _ => Selection::None,
        };
    }

    fn simulate(&mut self) {
        self.dimmed = vec![false; self.design.components.len()];
        if self.failed.is_empty() {
            self.impact = None;
            return;
        }
        let ids: Vec<&str> = self.failed.iter().map(String::as_str).collect();
        self.impact = analyze::simulate(&self.design, &ids).ok();
        if let Some(impact) = &self.impact {
            let index = self.design.component_index();
            for id in impact.failed.iter().chain(&impact.unreachable) {
                if let Some(&i) = index.get(id.as_str()) {
                    self.dimmed[i] = true;
                }
            }
        }
    }

    /// Applies a change to the design as one undoable step. The change is refused, and the
    /// design left as it was, when it would make the design invalid.
    pub fn edit(&mut self, f: impl FnOnce(&mut Design) -> Result<(), String>) -> bool {
        self.edit_keyed(EditKey::Other, f)
    }

    fn edit_keyed(
        &mut self,
        key: EditKey,
        f: impl FnOnce(&mut Design) -> Result<(), String>,
    ) -> bool {
        let mut next = self.design.clone();
        if let Err(e) = f(&mut next) {
            self.warn(e);
            return false;
        }
        if let Some(p) = crate::validate::validate(&next).first() {
            self.warn(format!("not changed: {}", p.message));
            return false;
        }
        if next == self.design {
            return false;
        }
        let coalesce = key != EditKey::Other && self.last_edit.as_ref() == Some(&key);
        if !coalesce {
            let prev = std::mem::replace(&mut self.design, next);
            self.undo.push(prev);
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
        } else {
            self.design = next;
        }
        self.last_edit = Some(key);
        self.redo.clear();
        self.dirty = self.design != self.saved;
        self.generation += 1;
        self.refresh();
        true
    }

    fn undo(&mut self) {
        match self.undo.pop() {
            Some(d) => {
                let cur = std::mem::replace(&mut self.design, d);
                self.redo.push(cur);
                self.after_history("undone");
            }
            None => self.say("nothing to undo"),
        }
    }

    fn redo(&mut self) {
        match self.redo.pop() {
            Some(d) => {
                let cur = std::mem::replace(&mut self.design, d);
                self.undo.push(cur);
                self.after_history("redone");
            }
            None => self.say("nothing to redo"),
        }
    }

    fn after_history(&mut self, what: &str) {
        self.last_edit = None;
        self.dirty = self.design != self.saved;
        self.generation += 1;
        self.refresh();
        self.say(what);
    }

    /// How many changes undo can take back.
    pub fn undo_steps(&self) -> usize {
        self.undo.len()
    }

    /// The selected component's index.
    pub fn selected_component(&self) -> Option<usize> {
        match &self.selection {
            Selection::Component(id) => self.design.components.iter().position(|c| &c.id == id),
            _ => None,
        }
    }

    pub fn selected_server(&self) -> Option<usize> {
        match &self.selection {
            Selection::Server(id) => self.design.servers.iter().position(|s| &s.id == id),
            _ => None,
        }
    }

    /// The canvas rectangle of the selection.
    fn selection_rect(&self) -> Option<layout::Rect> {
        match &self.selection {
            Selection::Component(_) => self
                .selected_component()
                .and_then(|i| self.layout.boxes.get(i).copied()),
            Selection::Server(_) => {
                let s = self.selected_server()?;
                self.layout
                    .frames
                    .iter()
                    .find(|(i, _)| *i == s)
                    .map(|(_, r)| *r)
            }
            Selection::Link(i) => self
                .routes
                .iter()
                .find(|r| r.link == *i)
                .map(|r| r.bounds()),
            Selection::None => None,
        }
    }

    /// Unless the user has chosen, shows the findings panel when the whole design fits
    /// beside it, and also when the design needs scrolling anyway; hides it when hiding it is
    /// what lets the whole design be seen (designs 4 and 5 in a 120×40 terminal). The status
    /// bar keeps the counts, and `f` brings the panel back.
    pub fn auto_panel(&mut self) {
        if self.panel_chosen {
            return;
        }
        let b = self.layout.bounds;
        let fits = |show_panel: bool| {
            let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
            let c = ui::screen(area, show_panel).canvas;
            b.w <= i32::from(c.width) && b.h <= i32::from(c.height)
        };
        self.show_panel = fits(true) || !fits(false);
    }

    /// Scrolls so that the whole design fits, or its top-left corner is shown.
    pub fn fit_view(&mut self) {
        let b = self.layout.bounds;
        let c = self.screen().canvas;
        let (w, h) = (i32::from(c.width), i32::from(c.height));
        let x = if b.w <= w {
            b.x - (w - b.w) / 2
        } else {
            b.x - 1
        };
        let y = if b.h <= h {
            b.y - (h - b.h) / 2
        } else {
            b.y - 1
        };
        self.view = (x, y);
    }

    /// Centres the view on the selection.
    fn center(&mut self) {
        let Some(r) = self.selection_rect() else {
            self.fit_view();
            return;
        };
        let c = self.screen().canvas;
        let (cx, cy) = r.center();
        self.view = (cx - i32::from(c.width) / 2, cy - i32::from(c.height) / 2);
    }

    /// Scrolls the least needed for the selection to be on screen.
    fn reveal(&mut self) {
        let Some(r) = self.selection_rect() else {
            return;
        };
        let c = self.screen().canvas;
        let (w, h) = (i32::from(c.width), i32::from(c.height));
        if w == 0 || h == 0 {
            return;
        }
        let (mut vx, mut vy) = self.view;
        if r.right() > vx + w {
            vx = r.right() - w;
        }
        if r.x < vx {
            vx = r.x;
        }
        if r.bottom() > vy + h {
            vy = r.bottom() - h;
        }
        if r.y < vy {
            vy = r.y;
        }
        self.view = (vx, vy);
    }

    /// Screen cell → canvas cell, when the cell is on the canvas.
    pub fn canvas_cell(&self, col: u16, row: u16) -> Option<(i32, i32)> {
        let c = self.screen().canvas;
        let inside = col >= c.x && row >= c.y && col < c.right() && row < c.bottom();
        inside.then(|| {
            (
                i32::from(col.saturating_sub(c.x)) + self.view.0,
                i32::from(row.saturating_sub(c.y)) + self.view.1,
            )
        })
    }

    /// The selectable things in Tab order: components, then servers, then links.
    fn selectables(&self) -> Vec<Selection> {
        let d = &self.design;
        d.components
            .iter()
            .map(|c| Selection::Component(c.id.clone()))
            .chain(d.servers.iter().map(|s| Selection::Server(s.id.clone())))
            .chain((0..d.links.len()).map(Selection::Link))
            .collect()
    }

    fn cycle(&mut self, forward: bool, components_only: bool) {
        let mut all = self.selectables();
        if components_only {
            all.retain(|s| matches!(s, Selection::Component(_)));
        }
        if all.is_empty() {
            return;
        }
        let n = all.len();
        let next = match all.iter().position(|s| *s == self.selection) {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None if forward => 0,
            None => n - 1,
        };
        self.selection = all.swap_remove(next);
        self.reveal();
    }

    /// Selects the component nearest to the selected one in a direction (connect mode).
    fn select_towards(&mut self, dx: i32, dy: i32) {
        let Some(cur) = self.selected_component() else {
            self.cycle(true, true);
            return;
        };
        let (cx, cy) = self.layout.boxes[cur].center();
        let best = self
            .layout
            .boxes
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != cur)
            .filter_map(|(i, b)| {
                let (x, y) = b.center();
                let (ox, oy) = (x - cx, y - cy);
                let along = ox * dx + oy * dy;
                if along <= 0 {
                    return None;
                }
                let across = (ox * dy - oy * dx).abs();
                Some((along + 2 * across, i))
            })
            .min();
        if let Some((_, i)) = best {
            self.selection = Selection::Component(self.design.components[i].id.clone());
            self.reveal();
        }
    }

    /// A free spot for a new box near `(x, y)`: scans rings around it, nearest first, for a
    /// place that overlaps no box or frame and keeps a frame's room from them.
    fn free_spot(&self, x: i32, y: i32) -> (i32, i32) {
        let taken: Vec<layout::Rect> = self
            .layout
            .boxes
            .iter()
            .copied()
            .chain(self.layout.frames.iter().map(|(_, r)| *r))
            .collect();
        let margin = |r: layout::Rect| {
            layout::Rect::new(
                r.x - layout::FRAME_PAD_X - 2,
                r.y - layout::FRAME_PAD_Y - 2,
                r.w + 2 * layout::FRAME_PAD_X + 4,
                r.h + 2 * layout::FRAME_PAD_Y + 3,
            )
        };
        let fits = |cand: layout::Rect| !taken.iter().any(|t| margin(cand).intersects(t));
        for ring in 0..400 {
            let (dx, dy) = (ring * 4, ring * 3);
            let around = [
                (dx, 0),
                (0, dy),
                (dx, dy),
                (-dx, 0),
                (0, -dy),
                (-dx, dy),
                (dx, -dy),
                (-dx, -dy),
            ];
            for (ox, oy) in around {
                let cand = layout::box_at(x + ox, y + oy);
                if fits(cand) {
                    return (cand.x, cand.y);
                }
            }
        }
        // Past everything drawn.
        let b = self.layout.bounds;
        (b.right() + layout::GAP_X, b.y)
    }

    /// A spot for component `ci` inside the frame of server `server`: next to its boxes,
    /// where the frame, grown to hold it, overlaps no other box, frame or DNS tag.
    fn spot_on_server(&self, ci: usize, server: &str) -> Option<(i32, i32)> {
        let members: Vec<layout::Rect> = self
            .design
            .components
            .iter()
            .zip(&self.layout.boxes)
            .enumerate()
            .filter(|(i, (c, _))| c.server.as_deref() == Some(server) && *i != ci)
            .map(|(_, (_, b))| *b)
            .collect();
        let u = members.iter().copied().reduce(|a, b| a.union(&b))?;
        let others: Vec<layout::Rect> = self
            .layout
            .boxes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != ci && !members.contains(&self.layout.boxes[*i]))
            .map(|(_, b)| *b)
            .chain(
                self.layout
                    .frames
                    .iter()
                    .filter(|(s, _)| self.design.servers[*s].id != server)
                    .map(|(_, r)| *r),
            )
            .collect();
        let step_x = BOX_W + layout::GAP_X / 2;
        let step_y = BOX_H + 1;
        let mut cands = Vec::new();
        // Below the lowest row, left to right; right of the rightmost column, top to bottom;
        // then further out.
        for k in 0..40 {
            let by = u.bottom() + 1 + (k / 4) * step_y;
            for c in 0..4 {
                cands.push((u.x + c * step_x, by));
            }
            let rx = u.right() + layout::GAP_X / 2 + (k / 4) * step_x;
            for r in 0..4 {
                cands.push((rx, u.y + r * step_y));
            }
        }
        cands.into_iter().find(|&(x, y)| {
            let b = layout::box_at(x, y);
            let Some(frame) = layout::frame_around(members.iter().copied().chain([b])) else {
                return false;
            };
            // A cell of room around the grown frame, for lines to pass.
            let room = layout::Rect::new(frame.x - 1, frame.y - 1, frame.w + 2, frame.h + 2);
            !members.iter().any(|m| m.intersects(&b)) && !others.iter().any(|o| o.intersects(&room))
        })
    }

    /// Where server `server` can move, by how much, so that its boxes and a new one under them
    /// (component `ci`, placed at the first value) make a frame clear of everything else.
    fn relocated_server(&self, ci: usize, server: &str) -> Option<((i32, i32), (i32, i32))> {
        let mine: Vec<usize> = (0..self.design.components.len())
            .filter(|&i| i != ci && self.design.components[i].server.as_deref() == Some(server))
            .collect();
        let u = mine
            .iter()
            .map(|&i| self.layout.boxes[i])
            .reduce(|a, b| a.union(&b))?;
        let block = layout::Rect::new(u.x, u.y, u.w.max(BOX_W), u.h + 1 + BOX_H);
        let others: Vec<layout::Rect> = (0..self.layout.boxes.len())
            .filter(|i| *i != ci && !mine.contains(i))
            .map(|i| self.layout.boxes[i])
            .chain(
                self.layout
                    .frames
                    .iter()
                    .filter(|(s, _)| self.design.servers[*s].id != server)
                    .map(|(_, r)| *r),
            )
            .collect();
        let room = |r: layout::Rect| {
            layout::Rect::new(
                r.x - layout::FRAME_PAD_X - 2,
                r.y - layout::FRAME_PAD_Y - 3,
                r.w + 2 * layout::FRAME_PAD_X + 4,
                r.h + 2 * layout::FRAME_PAD_Y + 4,
            )
        };
        let b = self.layout.bounds;
        let tries = (0..200)
            .flat_map(|k| [(k * 4, 0), (0, k * 3), (k * 4, k * 3)])
            .map(|(dx, dy)| (u.x + dx, u.y + dy))
            .chain([(b.right() + layout::GAP_X + layout::FRAME_PAD_X, u.y)]);
        for (x, y) in tries {
            let moved = layout::Rect::new(x, y, block.w, block.h);
            if !others.iter().any(|o| o.intersects(&room(moved))) {
                let shift = (x - u.x, y - u.y);
                return Some(((u.x + shift.0, u.bottom() + 1 + shift.1), shift));
            }
        }
        None
    }

    /// Where a new component goes: right of the selection, or in the middle of the view.
    fn spot_for_new(&self) -> (i32, i32) {
        let (x, y) = match self.selection_rect() {
            Some(r) => (r.right() + layout::GAP_X, r.y),
            None => {
                let c = self.screen().canvas;
                (
                    self.view.0 + i32::from(c.width) / 2 - BOX_W / 2,
                    self.view.1 + i32::from(c.height) / 2 - BOX_H / 2,
                )
            }
        };
        self.free_spot(x, y)
    }

    /// Why the finding at `i` was accepted, when it is an accepted risk.
    pub fn accepted_reason(&self, i: usize) -> Option<&str> {
        i.checked_sub(self.open_findings)
            .and_then(|k| self.accepted_reasons.get(k))
            .map(String::as_str)
    }

    fn finding_selected(&self) -> Option<&Finding> {
        self.finding.and_then(|i| self.findings.get(i))
    }

    /// Whether a component is highlighted by the selected finding.
    pub fn highlighted_component(&self, id: &str) -> bool {
        self.finding_selected()
            .is_some_and(|f| f.components.iter().any(|c| c == id))
    }

    pub fn highlighted_server(&self, id: &str) -> bool {
        self.finding_selected()
            .is_some_and(|f| f.servers.iter().any(|s| s == id))
    }

    pub fn highlighted_link(&self, i: usize) -> bool {
        self.finding_selected()
            .is_some_and(|f| f.links.contains(&i))
    }

    /// The title shown for the file.
    pub fn file_name(&self) -> String {
        self.path.as_ref().map_or_else(
            || "(not saved yet)".to_string(),
            |p| p.display().to_string(),
        )
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match io::save_keeping(&self.design, path, self.original.as_deref()) {
            Ok(text) => {
                self.original = Some(text);
                self.path = Some(path.to_path_buf());
                self.dirty = false;
                self.saved = self.design.clone();
                self.say(format!("saved {}", path.display()));
                self.remember(path);
                true
            }
            Err(e) => {
                self.warn(first_line(&e.to_string()));
                false
            }
        }
    }

    fn remember(&mut self, path: &Path) {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &abs);
        self.recent.insert(0, abs);
        self.recent.truncate(10);
        if let Some(file) = &self.recent_file {
            super::recent::store(file, &self.recent);
        }
    }

    /// Replaces the design, as opening a file or a template does.
    fn replace(&mut self, design: Design, path: Option<PathBuf>, original: Option<String>) {
        let recent = std::mem::take(&mut self.recent);
        let recent_file = self.recent_file.take();
        let size = self.size;
        let mut next = App::new(design, path);
        next.recent = recent;
        next.recent_file = recent_file;
        next.size = size;
        next.show_panel = self.show_panel;
        next.panel_chosen = self.panel_chosen;
        next.auto_panel();
        next.generation = self.generation + 1;
        next.fit_view();
        next.original = original;
        *self = next;
        if let Some(p) = self.path.clone() {
            if p.exists() {
                self.remember(&p);
            }
            self.say(format!("opened {}", p.display()));
        }
    }

    fn open_or_confirm(&mut self, design: Design, path: Option<PathBuf>, original: Option<String>) {
        if self.dirty {
            self.mode = Mode::Confirm(Confirm::Discard(Box::new(Pending {
                design,
                path,
                original,
            })));
        } else {
            self.replace(design, path, original);
        }
    }

    /// Whether `path` is the file the design was read from (or last saved to).
    fn is_own_file(&self, path: &Path) -> bool {
        self.path.as_deref().is_some_and(|p| same_file(p, path))
    }

    /// Whether the design's file on disk is not what it was when read or last saved here.
    fn changed_on_disk(&self, path: &Path) -> bool {
        match std::fs::read(path) {
            Ok(bytes) => self.original.as_deref().map(str::as_bytes) != Some(&bytes[..]),
            Err(_) => false,
        }
    }

    /// Takes the design on disk as the current one; the editor's version stays one undo away.
    fn reload(&mut self, pending: Pending) {
        let Pending {
            mut design,
            original,
            ..
        } = pending;
        place_unpositioned(&mut design);
        let prev = std::mem::replace(&mut self.design, design);
        self.undo.push(prev);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.last_edit = None;
        self.saved = self.design.clone();
        self.original = original;
        self.dirty = false;
        self.generation += 1;
        self.drop_stale_selection();
        self.refresh();
        self.say(format!(
            "reloaded {} from disk · u brings back the editor's version",
            self.file_name()
        ));
    }

    fn drop_stale_selection(&mut self) {
        let gone = match &self.selection {
            Selection::Component(id) => self.design.component(id).is_none(),
            Selection::Server(id) => self.design.server(id).is_none(),
            Selection::Link(i) => *i >= self.design.links.len(),
            Selection::None => false,
        };
        if gone {
            self.selection = Selection::None;
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

fn same_file(a: &Path, b: &Path) -> bool {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs(a) == abs(b)
}

/// What an existing file holds, for a question before it is replaced.
fn describe_existing(path: &Path) -> String {
    if path.is_dir() {
        return "a folder".into();
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    match io::Format::from_path(path).ok().map(|_| io::load(path)) {
        Some(Ok(d)) => format!(
            "the design \u{201c}{}\u{201d} ({} components, {} links)",
            d.name,
            d.components.len(),
            d.links.len()
        ),
        Some(Err(_)) => format!("a file of {size} bytes that is not a valid design"),
        None => format!("a file of {size} bytes"),
    }
}

/// Gives components without a position the automatic one, so that moving one box does not
/// shift the others, and brings absurdly distant positions within the canvas.
pub fn place_unpositioned(design: &mut Design) {
    // The canvas is ±16M cells: enough for any design, and far from overflowing arithmetic.
    const FAR: i32 = 1 << 24;
    for c in &mut design.components {
        c.x = c.x.map(|x| x.clamp(-FAR, FAR));
        c.y = c.y.map(|y| y.clamp(-FAR, FAR));
    }
    if design.components.iter().all(|c| c.position().is_some()) {
        return;
    }
    let l = layout::layout(design);
    for (c, b) in design.components.iter_mut().zip(&l.boxes) {
        if c.position().is_none() {
            c.x = Some(b.x);
            c.y = Some(b.y);
        }
    }
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

/// The id base for a new component of a kind.
fn id_base(kind: Kind) -> &'static str {
    match kind {
        Kind::Client => "client",
        Kind::Dns => "dns",
        Kind::Cdn => "cdn",
        Kind::Firewall => "firewall",
        Kind::Router => "router",
        Kind::LoadBalancer => "lb",
        Kind::WebServer => "web",
        Kind::AppServer => "app",
        Kind::AppFiles => "code",
        Kind::Cache => "cache",
        Kind::Queue => "queue",
        Kind::Database => "db",
        Kind::ObjectStorage => "storage",
        Kind::Backup => "backup",
        Kind::MonitoringAgent => "agent",
        Kind::MonitoringService => "monitoring",
        Kind::Other => "component",
    }
}

/// The protocol a new link between two kinds most likely uses.
pub fn default_protocol(from: Kind, to: Kind) -> Protocol {
    match (from, to) {
        (Kind::Database, Kind::Database) => Protocol::Replication,
        (_, Kind::Backup) => Protocol::BackupTls,
        (Kind::MonitoringAgent, _) | (_, Kind::MonitoringService) => Protocol::MetricsTls,
        (_, Kind::Database) => Protocol::Mysql,
        (_, Kind::Cache) => Protocol::Redis,
        (_, Kind::Queue) => Protocol::Amqp,
        (_, Kind::Dns) => Protocol::Dns,
        (Kind::Client, _) => Protocol::Https,
        _ => Protocol::Http,
    }
}

/// How many entries the menu of the current mode has.
fn menu_len(app: &App) -> usize {
    match &app.mode {
        Mode::Start { .. } => app.start_items().len(),
        Mode::Palette { .. } => Kind::ALL.len(),
        Mode::Place { .. } => 2 + app.design.servers.len(),
        Mode::Protocol { .. } => Protocol::ALL.len(),
        _ => 0,
    }
}

/// Applies one action. The only function that changes the editor's state.
pub fn update(app: &mut App, action: Action) {
    update_mode(app, action);
    // However far a user pans, canvas arithmetic stays far from overflowing.
    const FAR: i32 = 1 << 24;
    app.view = (app.view.0.clamp(-FAR, FAR), app.view.1.clamp(-FAR, FAR));
}

fn update_mode(app: &mut App, action: Action) {
    if let Action::Resize(w, h) = action {
        app.size = (w, h);
        let shown = app.show_panel;
        app.auto_panel();
        if app.show_panel != shown {
            app.fit_view();
        }
        return;
    }
    if action == Action::FileChanged {
        file_changed(app);
        return;
    }
    match app.mode.clone() {
        Mode::Start { sel } => update_start(app, sel, action),
        Mode::Normal => update_normal(app, action),
        Mode::Palette { sel } => update_menu(app, sel, action),
        Mode::Place { .. } | Mode::Protocol { .. } => {
            let sel = match app.mode {
                Mode::Place { sel, .. } | Mode::Protocol { sel, .. } => sel,
                _ => 0,
            };
            update_menu(app, sel, action)
        }
        Mode::Connect { from } => update_connect(app, from, action),
        Mode::Form(form) => update_form(app, form, action),
        Mode::Prompt { kind, input } => update_prompt(app, kind, input, action),
        Mode::Confirm(c) => update_confirm(app, c, action),
        Mode::Help { scroll } => match action {
            Action::Down => app.mode = Mode::Help { scroll: scroll + 1 },
            Action::Up => {
                app.mode = Mode::Help {
                    scroll: scroll.saturating_sub(1),
                }
            }
            Action::Scroll(_, dy) => {
                app.mode = Mode::Help {
                    scroll: scroll.saturating_add_signed(dy as i16),
                }
            }
            Action::Cancel | Action::Help | Action::Accept | Action::Click(..) => {
                app.mode = Mode::Normal
            }
            Action::Quit => request_quit(app),
            _ => {}
        },
    }
}

fn set_sel(app: &mut App, sel: usize) {
    let n = menu_len(app);
    let sel = if n == 0 { 0 } else { sel.min(n - 1) };
    match &mut app.mode {
        Mode::Start { sel: s }
        | Mode::Palette { sel: s }
        | Mode::Place { sel: s, .. }
        | Mode::Protocol { sel: s, .. } => *s = sel,
        _ => {}
    }
}

fn update_start(app: &mut App, sel: usize, action: Action) {
    match action {
        Action::Up => set_sel(app, sel.saturating_sub(1)),
        Action::Down => set_sel(app, sel + 1),
        Action::Click(col, row) => {
            if let Some(i) = ui::start_item_at(app, col, row) {
                set_sel(app, i);
                update_start(app, i, Action::Accept);
            }
        }
        Action::Accept => match app.start_items().get(sel).cloned() {
            Some(StartItem::Empty) | None => {
                app.mode = Mode::Normal;
                app.say("new design: press a to add a component");
            }
            Some(StartItem::Template(i)) => {
                if let Some(d) = crate::templates::TEMPLATES
                    .get(i)
                    .and_then(|t| crate::templates::template(t.0))
                {
                    app.replace(d, None, None);
                    app.say("template opened: Ctrl-S asks where to save it");
                }
            }
            Some(StartItem::Recent(p)) => match io::load_with_text(&p) {
                Ok((d, text)) => app.replace(d, Some(p), Some(text)),
                Err(e) => app.warn(first_line(&e.to_string())),
            },
        },
        Action::Open => open_prompt(app),
        Action::Quit | Action::Cancel => app.quit = true,
        Action::Help => app.mode = Mode::Help { scroll: 0 },
        _ => {}
    }
}

fn open_prompt(app: &mut App) {
    app.mode = Mode::Prompt {
        kind: PromptKind::Open,
        input: String::new(),
    };
}

fn request_quit(app: &mut App) {
    if app.dirty {
        app.mode = Mode::Confirm(Confirm::Quit);
    } else {
        app.quit = true;
    }
}

fn save(app: &mut App) {
    match app.path.clone() {
        Some(p) => {
            request_save(app, &p, false);
        }
        None => save_as_prompt(app),
    }
}

/// Saves to `path` unless that would replace work without asking: another existing file
/// (save as), or the design's own file changed on disk since it was read. Whether it saved.
fn request_save(app: &mut App, path: &Path, quit: bool) -> bool {
    if app.is_own_file(path) {
        if app.changed_on_disk(path) {
            app.mode = Mode::Confirm(Confirm::Overwrite {
                path: path.to_path_buf(),
                quit,
            });
            return false;
        }
    } else if path.exists() {
        app.mode = Mode::Confirm(Confirm::Replace {
            path: path.to_path_buf(),
            what: describe_existing(path),
        });
        return false;
    }
    app.save_to(path)
}

/// The design's file changed on disk: nothing to do when it holds what the editor last read
/// or wrote; otherwise the user chooses between the two versions.
fn file_changed(app: &mut App) {
    let Some(path) = app.path.clone() else {
        return;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        if path.exists() || app.original.is_none() {
            return;
        }
        app.warn(format!(
            "{} was deleted on disk; Ctrl-S writes it again",
            path.display()
        ));
        return;
    };
    if app.original.as_deref().map(str::as_bytes) == Some(&bytes[..]) {
        return;
    }
    let design =
        io::Format::from_path(&path).and_then(|format| io::parse_bytes(&path, &bytes, format));
    match design {
        Err(e) => app.warn(format!(
            "changed on disk and now invalid, kept the editor's design: {}",
            first_line(&e.to_string())
        )),
        Ok(design) => {
            let original = Some(String::from_utf8_lossy(&bytes).into_owned());
            // A question about an earlier change is asked again about this one.
            let asking = matches!(app.mode, Mode::Normal | Mode::Confirm(Confirm::Reload(_)));
            if !asking {
                app.warn(format!(
                    "{} changed on disk; Ctrl-S asks before overwriting it",
                    path.display()
                ));
            } else {
                app.mode = Mode::Confirm(Confirm::Reload(Box::new(Pending {
                    design,
                    path: Some(path),
                    original,
                })));
            }
        }
    }
}

fn save_as_prompt(app: &mut App) {
    let input = app.path.as_ref().map_or_else(
        || format!("{}.toml", slug(&app.design.name)),
        |p| p.display().to_string(),
    );
    app.mode = Mode::Prompt {
        kind: PromptKind::SaveAs,
        input,
    };
}

/// A file-name-friendly version of a design's name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "design".into() } else { s }
}

fn update_normal(app: &mut App, action: Action) {
    match action {
        Action::Quit => request_quit(app),
        Action::Save => save(app),
        Action::SaveAs => save_as_prompt(app),
        Action::Open => open_prompt(app),
        Action::Export => {
            let base = app
                .path
                .as_ref()
                .map_or_else(|| PathBuf::from(slug(&app.design.name)), |p| p.clone());
            app.mode = Mode::Prompt {
                kind: PromptKind::Export,
                input: base.with_extension("svg").display().to_string(),
            };
        }
        Action::Undo => app.undo(),
        Action::Redo => app.redo(),
        Action::Help => app.mode = Mode::Help { scroll: 0 },
        Action::Cancel => {
            if app.finding.is_some() {
                app.finding = None;
            } else {
                app.selection = Selection::None;
            }
        }
        Action::Nudge(dx, dy) => match app.selected_component() {
            Some(i) => move_component(app, i, dx, dy),
            None => update_normal(app, Action::Pan(dx, dy)),
        },
        Action::Pan(dx, dy) => app.view = (app.view.0 + dx, app.view.1 + dy),
        Action::Center => app.center(),
        Action::SelectNext => app.cycle(true, false),
        Action::SelectPrev => app.cycle(false, false),
        Action::SelectServer => {
            if let Some(s) = app
                .selected_component()
                .and_then(|i| app.design.components[i].server.clone())
            {
                app.selection = Selection::Server(s);
            }
        }
        Action::SelectLink => select_link(app),
        Action::Add => app.mode = Mode::Palette { sel: 0 },
        Action::Connect => match app.selected_component() {
            Some(i) => {
                let from = app.design.components[i].id.clone();
                app.say(format!(
                    "connect `{from}` to…: pick the target (arrows, Tab or click), Enter"
                ));
                app.mode = Mode::Connect { from };
            }
            None => app.warn("select the component the link starts from first"),
        },
        Action::Delete => delete(app),
        Action::Rename => {
            let id = match &app.selection {
                Selection::Component(id) | Selection::Server(id) => id.clone(),
                _ => {
                    app.warn("select a component or a server to rename");
                    return;
                }
            };
            app.mode = Mode::Prompt {
                kind: PromptKind::Rename,
                input: id,
            };
        }
        Action::Edit | Action::Accept => {
            let target = match &app.selection {
                Selection::Component(id) => Target::Component(id.clone()),
                Selection::Server(id) => Target::Server(id.clone()),
                Selection::Link(i) => Target::Link(*i),
                Selection::None => Target::Design,
            };
            app.mode = Mode::Form(Form::new(&app.design, target));
        }
        Action::PlaceOnServer => match &app.selection {
            Selection::Component(id) => {
                app.mode = Mode::Place {
                    component: id.clone(),
                    sel: 0,
                }
            }
            _ => app.warn("select a component to put it on a server"),
        },
        Action::Arrange => {
            let arranged = app.edit(|d| {
                layout::arrange(d);
                Ok(())
            });
            if arranged {
                app.fit_view();
                app.say("arranged: clients on the left, then the tiers, data on the right");
            }
        }
        Action::ToggleFailed => {
            let id = match &app.selection {
                Selection::Component(id) | Selection::Server(id) => id.clone(),
                _ => {
                    app.warn("select a component or a server to fail it");
                    return;
                }
            };
            if !app.failed.remove(&id) {
                app.failed.insert(id);
            }
            app.simulate();
            match &app.impact {
                Some(i) => {
                    let text = format!("simulated failure: the site loses {}", i.loss.describe());
                    app.say(text);
                }
                None => app.say("no failure simulated"),
            }
        }
        Action::TogglePanel => {
            app.show_panel = !app.show_panel;
            app.panel_chosen = true;
            app.fit_view();
            app.say(if app.show_panel {
                "findings panel shown"
            } else {
                "findings panel hidden; the status bar keeps the counts"
            });
        }
        Action::ClearFailures => {
            app.failed.clear();
            app.simulate();
            app.say("failures cleared");
        }
        Action::NextFinding | Action::PrevFinding => {
            let n = app.findings.len();
            if n == 0 {
                app.say("no findings");
                return;
            }
            app.finding = Some(match (app.finding, action == Action::NextFinding) {
                (None, true) => 0,
                (None, false) => n - 1,
                (Some(i), true) => (i + 1) % n,
                (Some(i), false) => (i + n - 1) % n,
            });
            reveal_finding(app);
        }
        Action::Click(col, row) => click(app, col, row),
        Action::Drag(col, row) => drag(app, col, row),
        Action::Release => release(app),
        Action::Scroll(dx, dy) => app.view = (app.view.0 + dx * 4, app.view.1 + dy * 2),
        _ => {}
    }
}

/// The end of a drag: a box dropped into another server's frame moves onto that server, in
/// the same undo step as the move.
fn release(app: &mut App) {
    let Some(Drag::Component {
        id, moved: true, ..
    }) = app.drag.take()
    else {
        return;
    };
    let Some(ci) = app.design.components.iter().position(|c| c.id == id) else {
        return;
    };
    let (cx, cy) = app.layout.boxes[ci].center();
    let mut others = app.design.clone();
    let current = others.components.remove(ci).server;
    let frames = crate::layout::layout(&others).frames;
    let Some(server) = frames
        .iter()
        .rev()
        .find(|(_, f)| f.contains(cx, cy))
        .map(|(s, _)| others.servers[*s].id.clone())
    else {
        return;
    };
    if current.as_deref() == Some(server.as_str()) {
        return;
    }
    let target = server.clone();
    if app.edit_keyed(EditKey::Move(id.clone()), |d| {
        if let Some(c) = d.component_mut(&id) {
            c.server = Some(target);
        }
        Ok(())
    }) {
        app.say(format!("`{id}` is now on server `{server}`"));
    }
}

fn reveal_finding(app: &mut App) {
    let Some(f) = app.finding_selected() else {
        return;
    };
    let index = app.design.component_index();
    let rects: Vec<layout::Rect> = f
        .components
        .iter()
        .filter_map(|c| index.get(c.as_str()))
        .filter_map(|&i| app.layout.boxes.get(i).copied())
        .chain(f.servers.iter().filter_map(|s| {
            let si = app.design.servers.iter().position(|x| &x.id == s)?;
            app.layout
                .frames
                .iter()
                .find(|(i, _)| *i == si)
                .map(|(_, r)| *r)
        }))
        .collect();
    let Some(u) = rects.into_iter().reduce(|a, b| a.union(&b)) else {
        return;
    };
    let c = app.screen().canvas;
    let (w, h) = (i32::from(c.width), i32::from(c.height));
    let (vx, vy) = app.view;
    let visible = u.x >= vx && u.y >= vy && u.right() <= vx + w && u.bottom() <= vy + h;
    if !visible {
        let (cx, cy) = u.center();
        app.view = (cx - w / 2, cy - h / 2);
    }
}

fn select_link(app: &mut App) {
    let Some(id) = (match &app.selection {
        Selection::Component(id) => Some(id.clone()),
        Selection::Link(i) => app.design.links.get(*i).map(|l| l.from.clone()),
        _ => None,
    }) else {
        if !app.design.links.is_empty() {
            app.selection = Selection::Link(0);
        }
        return;
    };
    let touching: Vec<usize> = app
        .design
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.from == id || l.to == id)
        .map(|(i, _)| i)
        .collect();
    if touching.is_empty() {
        app.say(format!("`{id}` has no links"));
        return;
    }
    let next = match &app.selection {
        Selection::Link(cur) => touching
            .iter()
            .position(|i| i == cur)
            .map_or(0, |p| (p + 1) % touching.len()),
        _ => 0,
    };
    app.selection = Selection::Link(touching[next]);
}

fn move_component(app: &mut App, i: usize, dx: i32, dy: i32) {
    let id = app.design.components[i].id.clone();
    let b = app.layout.boxes[i];
    let key = EditKey::Move(id.clone());
    app.edit_keyed(key, |d| {
        if let Some(c) = d.component_mut(&id) {
            c.x = Some(b.x.saturating_add(dx));
            c.y = Some(b.y.saturating_add(dy));
        }
        Ok(())
    });
    app.reveal();
}

fn delete(app: &mut App) {
    match app.selection.clone() {
        Selection::Component(id) => {
            let n = app
                .design
                .links
                .iter()
                .filter(|l| l.from == id || l.to == id)
                .count();
            if app.edit(|d| {
                d.remove_component(&id);
                Ok(())
            }) {
                app.selection = Selection::None;
                app.say(format!("deleted `{id}` and its {n} link(s)"));
            }
        }
        Selection::Server(id) => {
            let records: Vec<String> = app
                .design
                .dns
                .iter()
                .filter(|r| r.target == id)
                .map(|r| app.design.record_name(&r.name))
                .collect();
            if records.is_empty() {
                delete_server(app, &id, None);
            } else {
                let to = entry_component(&app.design, &id);
                app.mode = Mode::Confirm(Confirm::DeleteServer { id, records, to });
            }
        }
        Selection::Link(i) => {
            if app.edit(|d| {
                if i < d.links.len() {
                    d.links.remove(i);
                }
                Ok(())
            }) {
                app.selection = Selection::None;
                app.say("deleted the link");
            }
        }
        Selection::None => app.warn("select something to delete"),
    }
}

/// The component on a server that traffic from outside it enters first (the one a link from
/// off the server reaches), or else its first component: where its DNS records can point
/// once the server is gone.
fn entry_component(design: &Design, server: &str) -> Option<String> {
    let on: Vec<&Component> = design
        .components
        .iter()
        .filter(|c| c.server.as_deref() == Some(server))
        .collect();
    let on_server = |id: &str| on.iter().any(|c| c.id == id);
    on.iter()
        .find(|c| {
            design
                .links
                .iter()
                .any(|l| l.to == c.id && !on_server(&l.from))
        })
        .or(on.first())
        .map(|c| c.id.clone())
}

/// Deletes a server in one undoable step: its DNS records point at `retarget` instead, or
/// are deleted with it.
fn delete_server(app: &mut App, id: &str, retarget: Option<&str>) {
    let records: Vec<String> = app
        .design
        .dns
        .iter()
        .filter(|r| r.target == id)
        .map(|r| app.design.record_name(&r.name))
        .collect();
    if app.edit(|d| {
        if let Some(to) = retarget {
            for r in d.dns.iter_mut().filter(|r| r.target == id) {
                r.target = to.to_string();
            }
        }
        d.remove_server(id);
        Ok(())
    }) {
        app.selection = Selection::None;
        let dns = match (records.len(), retarget) {
            (0, _) => String::new(),
            (1, Some(to)) => format!("; {} now points at `{to}`", records[0]),
            (_, Some(to)) => format!("; {} now point at `{to}`", records.join(", ")),
            (1, None) => format!("; deleted its DNS record {}", records[0]),
            (_, None) => format!("; deleted its DNS records {}", records.join(", ")),
        };
        app.say(format!(
            "deleted server `{id}`; its components stay, on no server{dns} · u undoes"
        ));
    }
}

fn click(app: &mut App, col: u16, row: u16) {
    if let Some(i) = ui::finding_at(app, col, row) {
        app.finding = if app.finding == Some(i) {
            None
        } else {
            Some(i)
        };
        reveal_finding(app);
        return;
    }
    let Some((x, y)) = app.canvas_cell(col, row) else {
        return;
    };
    if let Some(i) = app.layout.component_at(x, y) {
        let b = app.layout.boxes[i];
        let id = app.design.components[i].id.clone();
        app.selection = Selection::Component(id.clone());
        app.drag = Some(Drag::Component {
            id,
            dx: x - b.x,
            dy: y - b.y,
            moved: false,
        });
        return;
    }
    if let Some(l) = canvas::link_at(&app.routes, x, y) {
        app.selection = Selection::Link(l);
        return;
    }
    if let Some(s) = app.layout.server_at(x, y) {
        app.selection = Selection::Server(app.design.servers[s].id.clone());
        return;
    }
    app.selection = Selection::None;
    app.drag = Some(Drag::Pan {
        col,
        row,
        view: app.view,
    });
}

fn drag(app: &mut App, col: u16, row: u16) {
    match app.drag.clone() {
        Some(Drag::Component { id, dx, dy, moved }) => {
            let Some((x, y)) = app.canvas_cell(col, row) else {
                return;
            };
            let (nx, ny) = (x - dx, y - dy);
            let key = EditKey::Move(id.clone());
            if !moved {
                // A new drag is a new undo step even right after moving the same box by keys.
                app.last_edit = None;
            }
            app.edit_keyed(key, |d| {
                if let Some(c) = d.component_mut(&id) {
                    c.x = Some(nx);
                    c.y = Some(ny);
                }
                Ok(())
            });
            app.drag = Some(Drag::Component {
                id,
                dx,
                dy,
                moved: true,
            });
        }
        Some(Drag::Pan {
            col: c0,
            row: r0,
            view,
        }) => {
            app.view = (
                view.0 - (i32::from(col) - i32::from(c0)),
                view.1 - (i32::from(row) - i32::from(r0)),
            );
        }
        None => {}
    }
}

fn update_menu(app: &mut App, sel: usize, action: Action) {
    match action {
        Action::Up | Action::Left => set_sel(app, sel.saturating_sub(1)),
        Action::Down | Action::Right => set_sel(app, sel + 1),
        Action::Scroll(_, dy) => set_sel(app, sel.saturating_add_signed(dy as isize)),
        Action::Cancel => {
            if let Mode::Place { component, .. } = &app.mode {
                app.say(format!("`{component}` left where it is"));
            }
            app.mode = Mode::Normal;
        }
        Action::Click(col, row) => {
            if let Some(i) = ui::menu_item_at(app, col, row) {
                set_sel(app, i);
                update_menu(app, i, Action::Accept);
            } else {
                app.mode = Mode::Normal;
            }
        }
        Action::Char(c) if matches!(app.mode, Mode::Palette { .. }) => {
            // Type-ahead: jump to the next kind whose name starts with the letter.
            let n = Kind::ALL.len();
            if let Some(i) = (1..=n)
                .map(|k| (sel + k) % n)
                .find(|&i| Kind::ALL[i].title().to_lowercase().starts_with(c))
            {
                set_sel(app, i);
            }
        }
        Action::Accept => accept_menu(app, sel),
        Action::Quit => app.mode = Mode::Normal,
        _ => {}
    }
}

fn accept_menu(app: &mut App, sel: usize) {
    match app.mode.clone() {
        Mode::Palette { .. } => {
            let Some(&kind) = Kind::ALL.get(sel) else {
                return;
            };
            add_component(app, kind);
        }
        Mode::Place { component, .. } => {
            app.mode = Mode::Normal;
            put_on_server(app, &component, sel);
        }
        Mode::Protocol { from, to, .. } => {
            app.mode = Mode::Normal;
            let Some(&protocol) = Protocol::ALL.get(sel) else {
                return;
            };
            let link = Link {
                from: from.clone(),
                to: to.clone(),
                protocol,
                port: protocol.default_port(),
                label: None,
            };
            if app.edit(|d| {
                d.links.push(link);
                Ok(())
            }) {
                // The source stays selected, so fanning out is c, target, Enter again.
                app.selection = Selection::Component(from.clone());
                app.say(format!(
                    "linked `{from}` → `{to}` over {protocol} (o selects the link)"
                ));
            }
        }
        _ => {}
    }
}

/// Adds a component of `kind` next to the selection and asks which server it goes on.
pub fn add_component(app: &mut App, kind: Kind) {
    let id = app.design.fresh_id(id_base(kind));
    let (x, y) = app.spot_for_new();
    let mut c = Component::new(id.clone(), kind);
    c.label = Some(capitalize(kind.title()));
    c.x = Some(x);
    c.y = Some(y);
    if kind == Kind::Database {
        c.role = Some(crate::model::DbRole::Primary);
    }
    if kind == Kind::LoadBalancer {
        c.algorithm = Some(crate::model::Algorithm::RoundRobin);
    }
    app.mode = Mode::Normal;
    if app.edit(|d| {
        d.components.push(c);
        Ok(())
    }) {
        app.selection = Selection::Component(id.clone());
        app.reveal();
        if kind == Kind::Client {
            app.say(format!("added `{id}`"));
        } else {
            app.say(format!(
                "added `{id}`: choose its server (Esc leaves it on none)"
            ));
            app.mode = Mode::Place {
                component: id,
                sel: 1,
            };
        }
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Puts a component on no server (0), a new server (1) or an existing one (2…).
fn put_on_server(app: &mut App, id: &str, choice: usize) {
    let Some(ci) = app.design.components.iter().position(|c| c.id == id) else {
        return;
    };
    let b = app.layout.boxes[ci];
    match choice {
        0 => {
            let id = id.to_string();
            if app.edit(|d| {
                if let Some(c) = d.component_mut(&id) {
                    c.server = None;
                }
                Ok(())
            }) {
                app.say(format!("`{id}` is on no server"));
            }
        }
        1 => {
            let n = app.design.servers.len() + 1;
            let server = app.design.fresh_id(&format!("server-{n}"));
            // Move the box clear of other frames so the new frame stands alone.
            let (x, y) = {
                let mut probe = app.clone();
                probe.design.components.remove(ci);
                probe.layout = layout::layout(&probe.design);
                probe.free_spot(b.x, b.y)
            };
            let (sid, cid) = (server.clone(), id.to_string());
            if app.edit(|d| {
                d.servers.push(Server {
                    id: sid.clone(),
                    ip: None,
                    label: Some(format!("Server {n}")),
                    ..Default::default()
                });
                if let Some(c) = d.component_mut(&cid) {
                    c.server = Some(sid);
                    c.x = Some(x);
                    c.y = Some(y);
                }
                Ok(())
            }) {
                app.say(format!("`{cid}` is on the new server `{server}`"));
                app.reveal();
            }
        }
        n => {
            let Some(server) = app.design.servers.get(n - 2).map(|s| s.id.clone()) else {
                return;
            };
            // Join the server's frame, which grows to hold it without covering anything; where
            // it cannot grow, the server moves, with the new box below its others, to where
            // the whole frame is clear.
            let (spot, shift) = match app.spot_on_server(ci, &server) {
                Some(p) => (p, (0, 0)),
                None => app
                    .relocated_server(ci, &server)
                    .unwrap_or(((b.x, b.y), (0, 0))),
            };
            let (x, y) = spot;
            let cid = id.to_string();
            let sid = server.clone();
            if app.edit(|d| {
                for c in &mut d.components {
                    if c.server.as_deref() == Some(sid.as_str()) && c.id != cid {
                        c.x = c.x.map(|x| x + shift.0);
                        c.y = c.y.map(|y| y + shift.1);
                    }
                }
                if let Some(c) = d.component_mut(&cid) {
                    c.server = Some(sid);
                    c.x = Some(x);
                    c.y = Some(y);
                }
                Ok(())
            }) {
                app.say(format!("`{cid}` is on `{server}`"));
                app.reveal();
            }
        }
    }
}

fn update_connect(app: &mut App, from: String, action: Action) {
    match action {
        Action::Cancel | Action::Quit => {
            app.mode = Mode::Normal;
            app.say("connect cancelled");
        }
        Action::Nudge(dx, dy) | Action::Pan(dx, dy) => app.select_towards(dx.signum(), dy.signum()),
        Action::Up => app.select_towards(0, -1),
        Action::Down => app.select_towards(0, 1),
        Action::Left => app.select_towards(-1, 0),
        Action::Right => app.select_towards(1, 0),
        Action::SelectNext => app.cycle(true, true),
        Action::SelectPrev => app.cycle(false, true),
        Action::Click(col, row) => {
            let hit = app
                .canvas_cell(col, row)
                .and_then(|(x, y)| app.layout.component_at(x, y));
            if let Some(i) = hit {
                app.selection = Selection::Component(app.design.components[i].id.clone());
                update_connect(app, from, Action::Accept);
            }
        }
        Action::Scroll(dx, dy) => app.view = (app.view.0 + dx * 4, app.view.1 + dy * 2),
        Action::Accept => {
            let Some(to) = app.selected_component() else {
                return;
            };
            let to_c = &app.design.components[to];
            if to_c.id == from {
                app.warn("a link goes to another component: pick the target");
                return;
            }
            let from_kind = app.design.component(&from).map_or(Kind::Other, |c| c.kind);
            let proto = default_protocol(from_kind, to_c.kind);
            let sel = Protocol::ALL.iter().position(|&p| p == proto).unwrap_or(0);
            app.mode = Mode::Protocol {
                from,
                to: to_c.id.clone(),
                sel,
            };
        }
        _ => {}
    }
}

fn update_form(app: &mut App, mut form: Form, action: Action) {
    if let Some(mut buf) = form.editing.clone() {
        match action {
            Action::Char(c) => buf.push(c),
            Action::Backspace => {
                buf.pop();
            }
            Action::Cancel => {
                form.editing = None;
                app.mode = Mode::Form(form);
                return;
            }
            Action::Accept => {
                form.editing = None;
                commit_field(app, form, buf);
                return;
            }
            _ => return,
        }
        form.editing = Some(buf);
        app.mode = Mode::Form(form);
        return;
    }
    match action {
        Action::Up => form.sel = form.sel.saturating_sub(1),
        Action::Down => form.sel = (form.sel + 1).min(form.fields.len().saturating_sub(1)),
        Action::Cancel | Action::Quit | Action::Edit => {
            app.mode = Mode::Normal;
            return;
        }
        Action::Left | Action::Right => {
            let Some(field) = form.fields.get(form.sel) else {
                return;
            };
            if let Some(next) = field.cycle(action == Action::Right) {
                commit_field(app, form, next);
                return;
            }
        }
        Action::Accept | Action::Char(' ') => {
            let Some(field) = form.fields.get(form.sel) else {
                return;
            };
            if field.is_text() {
                form.editing = Some(field.value.clone());
            } else if let Some(next) = field.cycle(true) {
                commit_field(app, form, next);
                return;
            }
        }
        Action::Click(col, row) => {
            if let Some(i) = ui::form_field_at(app, col, row) {
                form.sel = i;
            } else {
                app.mode = Mode::Normal;
                return;
            }
        }
        Action::Undo => {
            app.undo();
            form = Form::new(&app.design, form.target.clone());
        }
        Action::Save => {
            app.mode = Mode::Normal;
            save(app);
            return;
        }
        _ => {}
    }
    app.mode = Mode::Form(form);
}

fn commit_field(app: &mut App, mut form: Form, value: String) {
    let Some(field) = form.fields.get(form.sel).cloned() else {
        return;
    };
    let target = form.target.clone();
    let mut new_target = target.clone();
    let ok = app.edit(|d| {
        new_target = form::apply(d, &target, field.name, &value)?;
        Ok(())
    });
    if ok {
        app.selection = match &new_target {
            Target::Component(id) => Selection::Component(id.clone()),
            Target::Server(id) => Selection::Server(id.clone()),
            Target::Link(i) => Selection::Link(*i),
            Target::Design => Selection::None,
        };
        app.say(format!("{} set", field.name));
    }
    let sel = form.sel;
    form = Form::new(&app.design, new_target);
    form.sel = sel.min(form.fields.len().saturating_sub(1));
    app.mode = Mode::Form(form);
}

fn update_prompt(app: &mut App, kind: PromptKind, mut input: String, action: Action) {
    match action {
        Action::Char(c) => input.push(c),
        Action::Backspace => {
            input.pop();
        }
        Action::Cancel | Action::Quit => {
            // Back where the prompt came from: the start screen when nothing is open yet.
            let nothing_open = app.path.is_none() && !app.dirty && app.design.components.is_empty();
            app.mode = if kind == PromptKind::Open && nothing_open {
                Mode::Start { sel: 0 }
            } else {
                Mode::Normal
            };
            return;
        }
        Action::Accept => {
            app.mode = Mode::Normal;
            let text = input.trim().to_string();
            if text.is_empty() {
                return;
            }
            match kind {
                PromptKind::SaveAs => {
                    request_save(app, Path::new(&text), false);
                }
                PromptKind::Open => {
                    let path = PathBuf::from(&text);
                    if !path.exists() {
                        match io::Format::from_path(&path) {
                            Ok(_) => {
                                let name = path.file_stem().map_or("Untitled design".into(), |s| {
                                    s.to_string_lossy().to_string()
                                });
                                app.open_or_confirm(Design::new(name), Some(path), None);
                            }
                            Err(e) => app.warn(e.to_string()),
                        }
                        return;
                    }
                    match io::load_with_text(&path) {
                        Ok((d, text)) => app.open_or_confirm(d, Some(path), Some(text)),
                        Err(e) => {
                            // The current design stays; the first problem is shown.
                            app.warn(first_line(&e.to_string()));
                        }
                    }
                }
                PromptKind::Rename => rename(app, &text),
                PromptKind::Export => {
                    let path = PathBuf::from(&text);
                    if path.exists() {
                        let what = if path.is_dir() {
                            "a folder".to_string()
                        } else {
                            format!(
                                "a file of {} bytes",
                                std::fs::metadata(&path).map_or(0, |m| m.len())
                            )
                        };
                        app.mode = Mode::Confirm(Confirm::ExportOver { path, what });
                    } else {
                        export(app, &path);
                    }
                }
            }
            return;
        }
        _ => {}
    }
    app.mode = Mode::Prompt { kind, input };
}

fn rename(app: &mut App, new: &str) {
    let old = match &app.selection {
        Selection::Component(id) | Selection::Server(id) => id.clone(),
        _ => return,
    };
    if old == new {
        return;
    }
    if app.design.id_taken(new) {
        app.warn(format!("`{new}` is already used"));
        return;
    }
    let is_server = matches!(app.selection, Selection::Server(_));
    let new_id = new.to_string();
    if app.edit(|d| {
        d.rename(&old, &new_id);
        Ok(())
    }) {
        if app.failed.remove(&old) {
            app.failed.insert(new_id.clone());
            app.simulate();
        }
        app.selection = if is_server {
            Selection::Server(new_id.clone())
        } else {
            Selection::Component(new_id.clone())
        };
        app.say(format!("renamed `{old}` to `{new_id}`"));
    }
}

fn export(app: &mut App, path: &Path) {
    match super::export::export(&app.design, path) {
        Ok(msg) => app.say(msg),
        Err(e) => app.warn(e),
    }
}

fn update_confirm(app: &mut App, c: Confirm, action: Action) {
    match (c, action) {
        (Confirm::Quit, Action::Yes) => {
            app.mode = Mode::Normal;
            match app.path.clone() {
                Some(p) => {
                    if request_save(app, &p, true) {
                        app.quit = true;
                    }
                }
                None => {
                    save_as_prompt(app);
                    app.say("choose a file name, then quit again");
                }
            }
        }
        (Confirm::Quit, Action::No) => app.quit = true,
        (Confirm::Discard(p), Action::Yes) => {
            let Pending {
                design,
                path,
                original,
            } = *p;
            app.replace(design, path, original);
        }
        (Confirm::Replace { path, .. }, Action::Yes) => {
            app.mode = Mode::Normal;
            // The file replaced is not the one the design was read from: nothing of its
            // layout is kept, but the design's own file's is.
            app.save_to(&path);
        }
        (Confirm::Overwrite { path, quit }, Action::Yes) => {
            app.mode = Mode::Normal;
            if app.save_to(&path) && quit {
                app.quit = true;
            }
        }
        (Confirm::Overwrite { path, .. }, Action::No | Action::Cancel) => {
            app.mode = Mode::Normal;
            app.say(format!("not saved: {} is as on disk", path.display()));
        }
        (Confirm::Reload(p), Action::Yes) => {
            app.mode = Mode::Normal;
            app.reload(*p);
        }
        (Confirm::Reload(_), Action::No | Action::Cancel) => {
            app.mode = Mode::Normal;
            app.say("kept the editor's version; Ctrl-S asks before overwriting the file on disk");
        }
        (Confirm::ExportOver { path, .. }, Action::Yes) => {
            app.mode = Mode::Normal;
            export(app, &path);
        }
        (
            Confirm::DeleteServer {
                id, to: Some(to), ..
            },
            Action::Yes,
        ) => {
            app.mode = Mode::Normal;
            delete_server(app, &id, Some(&to));
        }
        (Confirm::DeleteServer { id, .. }, Action::No) => {
            app.mode = Mode::Normal;
            delete_server(app, &id, None);
        }
        (_, Action::No | Action::Cancel) => app.mode = Mode::Normal,
        _ => {}
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod save_tests;
