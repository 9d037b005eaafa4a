//! What the user (and the loop, reporting on effects it ran) can ask of the editor: the
//! input of [`super::update::update`]. Keys and mouse events become these in
//! [`super::input`]; mouse actions are already hit-tested (they say what was pressed).

use super::question::Confirm;
use crate::model::Design;
use std::path::PathBuf;

/// Everything the user can ask for, and what the loop reports back.
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
    /// A cursor move or a deletion in the text being typed (←/→, Home/End, Del, Ctrl-U,
    /// Ctrl-W).
    TextEdit(super::textinput::Edit),
    /// Tab in a file prompt: complete the path.
    Complete,
    /// `/`: the picker over everything in the design, to jump to and select.
    GoTo,
    /// Select the nearest box in this direction (`dx`, `dy` of -1, 0 or 1).
    SelectToward(i32, i32),
    /// Scroll so the whole design is in view.
    Fit,
    /// Duplicate the selected component (asks where, and whether with its links).
    Duplicate,
    /// The status message has been read (the loop sends this a few seconds after it
    /// appeared): it goes.
    FadeMessage,
    /// Mouse capture off (the terminal's own text selection works) or back on.
    ToggleMouse,
    Yes,
    No,
    /// The mouse button went down on the findings list, on entry `i`.
    PickFinding(usize),
    /// The mouse button went down on entry `i` of the open menu, start screen or form.
    PickItem(usize),
    /// The mouse button went down outside the open menu, form or help.
    ClickAway,
    /// The mouse button went down on the canvas, at canvas cell `(x, y)`, on `hit`.
    Press {
        x: i32,
        y: i32,
        hit: Hit,
    },
    /// The mouse moved with the button held, to canvas cell `(x, y)` (`inside`: over the
    /// canvas area).
    DragTo {
        x: i32,
        y: i32,
        inside: bool,
    },
    Release,
    Scroll(i32, i32),
    /// The design's file changed on disk (the event loop watches it).
    FileChanged,
    /// An effect the loop ran has finished.
    Done(Outcome),
}

/// What is under a canvas cell, topmost first: a box, a link, a server's frame, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Component(usize),
    Link(usize),
    Server(usize),
    Nothing,
}

/// How an effect ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The design at `version` (see [`super::history::History::version`]) was written to
    /// `path` as `text`; `quit` when the save came from quitting.
    Saved {
        path: PathBuf,
        version: u64,
        text: String,
        quit: bool,
    },
    SaveFailed(String),
    /// The effect needs the user's word first.
    Ask(Confirm),
    /// A design was read (`text: None` for a new design at a path that does not exist yet).
    Loaded {
        path: PathBuf,
        design: Box<Design>,
        text: Option<String>,
    },
    LoadFailed(String),
    /// The design left in the recovery file `from`.
    Recovered {
        from: PathBuf,
        design: Box<Design>,
    },
    Exported(String),
    ExportFailed(String),
    /// What the design's file holds now, after a change on disk.
    Disk(Disk),
    /// The findings of the design as it was at `generation`, analysed off the UI thread.
    Analyzed(Box<Analysis>),
}

/// The findings as the team sees them, for one generation of the design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub generation: u64,
    /// The open findings, then the accepted ones.
    pub findings: Vec<crate::analyze::Finding>,
    /// How many of `findings` are open.
    pub open: usize,
    /// Why each accepted finding was accepted.
    pub reasons: Vec<String>,
    /// The status bar's figures, from the same analysis.
    pub figures: Option<String>,
}

/// The design's file after a change on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disk {
    Deleted,
    /// It holds what the editor last read or wrote.
    Same,
    Invalid(String),
    Changed {
        design: Box<Design>,
        text: String,
    },
}
