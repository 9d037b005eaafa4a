//! What the editor asks the user before it replaces work: the yes/no questions, and the design
//! waiting for an answer.

use crate::model::Design;
use std::path::PathBuf;

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
    /// Save to a file that is read-only, or that was deleted on disk since it was read
    /// ([`crate::io::check_save`] says which): y saves anyway (and quits, when the save came
    /// from quitting).
    Save {
        path: PathBuf,
        quit: bool,
        check: crate::io::SaveCheck,
    },
    /// The design's file changed on disk: y reloads it (undo brings the editor's version
    /// back), n keeps the editor's version.
    Reload(Box<Pending>),
    /// An earlier editor stopped (a crash, a signal) and left the unsaved design at `path`:
    /// y opens it in place of the file's version (undo brings that back), n keeps the file's.
    Recover { path: PathBuf },
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
