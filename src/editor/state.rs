//! The editor's state: what the user is doing (mode, selection, view, simulated failures) on
//! which design, and what follows from it ([`Derived`], recomputed after every update). Only
//! [`super::update`] changes it; the view reads it.

use super::derived::{self, Derived};
use super::form::Form;
use super::history::History;
use super::picker::Picker;
pub use super::question::{Confirm, Pending};
use super::screen::{self, Screen};
use super::textinput::TextInput;
use crate::analyze::Finding;
use crate::layout;
use crate::model::{Design, Kind, Protocol};
use std::collections::BTreeSet;
use std::path::PathBuf;

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
        input: TextInput,
    },
    /// Choosing from a fuzzy picker: what to go to, a link's target, a form field's value.
    Pick {
        picker: Picker,
        purpose: Purpose,
    },
    /// Choosing where a copy of a component goes (entry 0 says whether its links come too).
    Duplicate {
        component: String,
        sel: usize,
        links: bool,
    },
    /// A yes/no question.
    Confirm(Confirm),
    Help {
        scroll: u16,
    },
}

/// What choosing in a picker does.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Select it and bring it into view.
    GoTo,
    /// The target of a new link from `from`.
    LinkTarget { from: String },
    /// A zone to edit in its form; a new id typed creates the zone.
    Zone,
    /// The value of a form field (the form comes back afterwards); with `typed`, the query
    /// itself is a value too (a new cluster's name).
    Field {
        form: Box<Form>,
        field: &'static str,
        typed: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    SaveAs,
    /// Save as, then quit (quitting a new design with "save").
    SaveAsAndQuit,
    Open,
    Rename,
    Export,
}

impl PromptKind {
    pub fn title(self) -> &'static str {
        match self {
            PromptKind::SaveAs | PromptKind::SaveAsAndQuit => "Save as (.toml or .json)",
            PromptKind::Open => "Open design file",
            PromptKind::Rename => "New id",
            PromptKind::Export => "Export to (.svg or .dot)",
        }
    }
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
    /// A picker: typing filters, ↑↓ choose.
    Pick,
}

impl Mode {
    pub fn kind(&self) -> ModeKind {
        match self {
            Mode::Start { .. } => ModeKind::Start,
            Mode::Normal => ModeKind::Canvas,
            Mode::Palette { .. }
            | Mode::Place { .. }
            | Mode::Protocol { .. }
            | Mode::Duplicate { .. } => ModeKind::Menu,
            Mode::Connect { .. } => ModeKind::Connect,
            Mode::Form(f) if f.editing.is_some() => ModeKind::Text,
            Mode::Form(_) => ModeKind::Form,
            Mode::Prompt { .. } => ModeKind::Text,
            Mode::Confirm(_) => ModeKind::Confirm,
            Mode::Help { .. } => ModeKind::Help,
            Mode::Pick { .. } => ModeKind::Pick,
        }
    }
}

/// A mouse drag in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drag {
    /// Moving a component; the grab point inside its box, and where the box was.
    Component {
        id: String,
        dx: i32,
        dy: i32,
        moved: bool,
        from: (i32, i32),
    },
    /// Panning the canvas: the canvas cell grabbed, which stays under the pointer.
    Pan { grab: (i32, i32) },
}

/// A slow effect (a save, an export) the loop is running off the UI thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    /// What it is doing, for the status bar: "exporting site.svg".
    pub what: String,
    pub since: std::time::Instant,
    /// Whether Esc can stop it (an export can; a save, once asked for, is finished).
    pub cancellable: bool,
}

/// Severity-tagged status line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// The editor.
#[derive(Debug, Clone)]
pub struct App {
    pub design: Design,
    pub path: Option<PathBuf>,
    /// The version (see [`History::version`]) of the design as last opened or saved:
    /// undoing back to it is no longer a change.
    pub saved: u64,
    /// The file's text as last read or written here: a save keeps its comments and layout,
    /// and a file on disk that differs from it was changed by someone else.
    pub original: Option<String>,
    pub mode: Mode,
    pub selection: Selection,
    /// Canvas coordinates of the top-left cell of the canvas area.
    pub view: (i32, i32),
    /// The terminal's size.
    pub size: (u16, u16),
    /// The selected finding, an index into `derived.findings`.
    pub finding: Option<usize>,
    /// Components and servers simulated as failed.
    pub failed: BTreeSet<String>,
    pub message: Option<Message>,
    /// The slow effect running, if any.
    pub busy: Option<Busy>,
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
    pub history: History,
    /// Bumped on every change to the design, so what follows from it is recomputed (and the
    /// recovery copy refreshed) only then.
    pub generation: u64,
    /// What follows from the design and the choices above: layout, routes, findings, marks,
    /// failure impact, dirty.
    pub derived: Derived,
    /// The component whose links `o` walks through.
    pub link_anchor: Option<String>,
    /// Whether the editor takes the mouse (off: the terminal selects text as usual).
    pub mouse: bool,
    /// From how many components on the analysis runs off the UI thread (see
    /// [`derived::ANALYZE_OFF_THREAD_FROM`]).
    pub analyze_off_thread_from: usize,
    /// Whether the loop's analyst has this design (a design just opened must be sent whole).
    pub(super) analyst_has_design: bool,
    /// The generation before the last change and the component it moved, when that change
    /// was a move and nothing else (so derivation redoes only what the move touched).
    pub(super) moved_since: Option<(u64, usize)>,
    /// Effects asked for by the update in progress, handed to the loop when it returns.
    pub(super) outbox: Vec<super::effects::Effect>,
    /// Why the update in progress moved the servers (see [`layout::untangle`]): said in the
    /// status bar when it returns, after whatever the edit itself says.
    pub(super) placed: Option<String>,
}

/// The palette's last entry, after the kinds of component: zones, to add or edit.
pub const PALETTE_ZONE: &str = "zone";

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
        App::at_generation(design, path, 0)
    }

    /// An editor on `design` whose changes are counted from `generation` on (a design opened
    /// in place of another continues its count).
    pub(super) fn at_generation(mut design: Design, path: Option<PathBuf>, generation: u64) -> App {
        place_unpositioned(&mut design);
        let placed = layout::untangle(&mut design);
        let mut app = App {
            saved: 0,
            history: History::new(&design),
            design,
            path,
            original: None,
            mode: Mode::Normal,
            selection: Selection::None,
            view: (0, 0),
            size: (120, 40),
            finding: None,
            failed: BTreeSet::new(),
            message: None,
            busy: None,
            drag: None,
            quit: false,
            show_panel: true,
            panel_chosen: false,
            recent: Vec::new(),
            recent_file: None,
            generation,
            derived: Derived::default(),
            link_anchor: None,
            mouse: true,
            outbox: Vec::new(),
            placed: None,
            analyze_off_thread_from: derived::ANALYZE_OFF_THREAD_FROM,
            analyst_has_design: false,
            moved_since: None,
        };
        if let Some(why) = placed {
            // The design is not the file's: unsaved from the start, and no undo brings back
            // positions that cannot be drawn truthfully.
            app.saved = NOT_SAVED;
            app.message = Some(Message {
                text: placed_by_zone(&why),
                error: true,
            });
        }
        app.derive();
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

    /// Where each part of the screen is, for the terminal's size.
    pub fn screen(&self) -> Screen {
        screen::screen(
            ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1),
            self.show_panel,
        )
    }

    /// Brings what follows from the design and the user's choices up to date: drops choices
    /// about things no longer there, then recomputes (see [`derived::derive`]).
    pub(super) fn derive(&mut self) {
        let design = &self.design;
        let regions = design.regions();
        self.failed
            .retain(|id| design.id_taken(id) || regions.contains(&id.as_str()));
        self.selection = match std::mem::take(&mut self.selection) {
            Selection::Component(id) if self.derived.component_index_of(design, &id).is_some() => {
                Selection::Component(id)
            }
            Selection::Server(id) if design.server(&id).is_some() => Selection::Server(id),
            Selection::Link(i) if i < design.links.len() => Selection::Link(i),
            _ => Selection::None,
        };
        let inputs = derived::Inputs {
            design: &self.design,
            generation: self.generation,
            failed: &self.failed,
            dirty: self.history.version() != self.saved,
            analyze_off_thread_from: self.analyze_off_thread_from,
            moved_since: self
                .moved_since
                .as_ref()
                .map(|(g, i)| (*g, std::slice::from_ref(i))),
        };
        let prev = std::mem::take(&mut self.derived);
        self.derived = derived::derive(inputs, prev);
        if std::mem::take(&mut self.derived.analysis_wanted) {
            // The analyst follows the history's steps from the design it was last sent.
            self.history.keep_log();
            let steps = self.history.take_log();
            let reset = (!std::mem::replace(&mut self.analyst_has_design, true))
                .then(|| Box::new(self.design.clone()));
            self.outbox.push(super::effects::Effect::Analyze {
                generation: self.generation,
                steps: if reset.is_some() { Vec::new() } else { steps },
                reset,
            });
        }
        let n = self.derived.findings.len();
        self.finding = self.finding.filter(|_| n > 0).map(|f| f.min(n - 1));
    }

    /// Whether the design differs from the one last opened or saved.
    pub fn dirty(&self) -> bool {
        self.derived.dirty
    }

    /// How many changes undo can take back.
    pub fn undo_steps(&self) -> usize {
        self.history.undo_steps()
    }

    /// The selected component's index.
    pub fn selected_component(&self) -> Option<usize> {
        match &self.selection {
            Selection::Component(id) => self.derived.component_index_of(&self.design, id),
            _ => None,
        }
    }

    pub fn selected_server(&self) -> Option<usize> {
        match &self.selection {
            Selection::Server(id) => self.design.servers.iter().position(|s| &s.id == id),
            _ => None,
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
        let b = self.derived.layout.bounds;
        let fits = |show_panel: bool| {
            let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
            let c = screen::screen(area, show_panel).canvas;
            b.w <= i32::from(c.width) && b.h <= i32::from(c.height)
        };
        // Below 100 columns the canvas needs the room: the panel collapses to the counts in
        // the status bar (f still shows it).
        self.show_panel = self.size.0 >= 100 && (fits(true) || !fits(false));
    }

    /// Scrolls so that the whole design fits, or its top-left corner is shown.
    pub fn fit_view(&mut self) {
        let b = self.derived.layout.bounds;
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

    /// Why the finding at `i` was accepted, when it is an accepted risk.
    pub fn accepted_reason(&self, i: usize) -> Option<&str> {
        i.checked_sub(self.derived.open_findings)
            .and_then(|k| self.derived.accepted_reasons.get(k))
            .map(String::as_str)
    }

    pub fn finding_selected(&self) -> Option<&Finding> {
        self.finding.and_then(|i| self.derived.findings.get(i))
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

    /// The entries of the current menu, as lines of text.
    pub fn menu_items(&self) -> Vec<String> {
        match &self.mode {
            Mode::Palette { .. } => Kind::ALL
                .iter()
                .map(|k| format!("{} {:<19} {}", k.glyph(), k.title(), k.description()))
                .chain(std::iter::once(format!(
                    "╎ {:<19} {}",
                    PALETTE_ZONE, "a failure domain servers are in (a new one, or one to edit)"
                )))
                .collect(),
            Mode::Place { .. } => {
                let mut v = vec!["(no server)".to_string(), "+ a new server".to_string()];
                v.extend(self.design.servers.iter().map(|s| {
                    format!(
                        "{}  {}{}",
                        s.id,
                        s.label.as_deref().unwrap_or(""),
                        s.ip.as_ref()
                            .map(|ip| format!(" · {ip}"))
                            .unwrap_or_default()
                    )
                }));
                v
            }
            Mode::Duplicate {
                component, links, ..
            } => {
                let here = self
                    .design
                    .component(component)
                    .and_then(|c| c.server.clone());
                let mut v = vec![
                    format!(
                        "links: ‹ {} › (←→ change)",
                        if *links { "copy them too" } else { "no links" }
                    ),
                    match &here {
                        Some(s) => format!("on the same server ({s})"),
                        None => "beside it (no server)".to_string(),
                    },
                    "+ on a new server".to_string(),
                ];
                v.extend(
                    self.design
                        .servers
                        .iter()
                        .filter(|s| Some(&s.id) != here.as_ref())
                        .map(|s| {
                            format!(
                                "{}  {}{}",
                                s.id,
                                s.label.as_deref().unwrap_or(""),
                                s.ip.as_ref()
                                    .map(|ip| format!(" · {ip}"))
                                    .unwrap_or_default()
                            )
                        }),
                );
                v
            }
            Mode::Protocol { .. } => Protocol::ALL
                .iter()
                .map(|p| {
                    let port = p
                        .default_port()
                        .map(|p| format!(" port {p}"))
                        .unwrap_or_default();
                    let enc = if p.encrypted() { " 🔒 encrypted" } else { "" };
                    format!("{:<16}{port}{enc}", p.as_str())
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The title of the current menu.
    pub fn menu_title(&self) -> String {
        match &self.mode {
            Mode::Palette { .. } => " Add a component or a zone ".into(),
            Mode::Place { component, .. } => format!(" Put `{component}` on… "),
            Mode::Duplicate { component, .. } => format!(" Duplicate `{component}` onto… "),
            Mode::Protocol { from, to, .. } => format!(" Link `{from}` → `{to}` over… "),
            _ => String::new(),
        }
    }

    /// The highlighted entry of the current menu or start screen.
    pub fn menu_sel(&self) -> usize {
        match &self.mode {
            Mode::Palette { sel }
            | Mode::Place { sel, .. }
            | Mode::Protocol { sel, .. }
            | Mode::Duplicate { sel, .. } => *sel,
            Mode::Start { sel } => *sel,
            _ => 0,
        }
    }

    /// The popup of the current menu and the rectangle its entries are listed in.
    pub fn menu_rect(&self) -> (ratatui::layout::Rect, ratatui::layout::Rect) {
        screen::menu_rect(self.screen().area, &self.menu_items(), &self.menu_title())
    }

    /// The open form's popup and the rectangle its fields are listed in.
    pub fn form_rect(&self) -> (ratatui::layout::Rect, ratatui::layout::Rect) {
        let n = match &self.mode {
            Mode::Form(f) => f.fields.len(),
            _ => 0,
        };
        screen::form_rect(self.screen().area, n)
    }

    /// The start screen's list area.
    pub fn start_rect(&self) -> ratatui::layout::Rect {
        screen::start_rect(self.size, self.start_items().len())
    }
}

/// Gives components without a position the automatic one, so that moving one box does not
/// shift the others, and brings absurdly distant positions within the canvas.
/// A [`App::saved`] that is no version of the design: what is open differs from its file.
pub(super) const NOT_SAVED: u64 = u64::MAX;

/// What the status bar says when the editor moved the servers so that zone and network frames
/// tell the truth (see [`layout::untangle`]).
pub(super) fn placed_by_zone(why: &str) -> String {
    format!("servers placed by zone (as A does): {why}")
}

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
