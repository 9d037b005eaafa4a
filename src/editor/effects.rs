//! What `update` asks the loop to do outside the state: file I/O and exports. [`run`] does
//! one and reports how it ended as an [`Action::Done`], which the loop feeds back to
//! `update`.

use super::action::{Action, Disk, Outcome};
use super::history::Change;
use super::question::Confirm;
use crate::io;
use crate::model::Design;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// An effect asked for by `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Write `design` to `path`, keeping the comments and layout of `original` (the text it
    /// was read from), after `check`; `quit` once it is written.
    Save {
        path: PathBuf,
        design: Box<Design>,
        /// The design's version, for the outcome.
        version: u64,
        original: Option<String>,
        check: SaveCheck,
        quit: bool,
    },
    /// Read the design at `path` (a new one when the file does not exist).
    Load { path: PathBuf },
    /// Export `design` to `path`; `ask` first when the file exists.
    Export {
        path: PathBuf,
        design: Box<Design>,
        ask: bool,
    },
    /// Write the recent-files list.
    StoreRecent { file: PathBuf, list: Vec<PathBuf> },
    /// See what the design's file at `path` holds now, compared with `original`.
    ReadDisk {
        path: PathBuf,
        original: Option<String>,
    },
    /// Read the recovery file at `from`, to take its design in place of the file's.
    LoadRecovery { from: PathBuf },
    /// Stop the slow effect running (its result is dropped, and an export writes nothing).
    Cancel,
    /// Analyse the design as it is at `generation` off the UI thread. The analyst keeps its
    /// own copy of the design, brought up to date with `steps` (what the history did since
    /// the last request), or replaced by `reset` (a design just opened).
    Analyze {
        generation: u64,
        steps: Vec<(Change, bool)>,
        reset: Option<Box<Design>>,
    },
}

/// What a save checks before writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveCheck {
    /// The user has agreed: write.
    None,
    /// The design's own file: ask when it changed on disk since it was read.
    OwnFile,
    /// Another file: ask when it exists.
    NewFile,
}

impl Effect {
    /// Whether the effect may take long enough (Graphviz, a large design's save) to be run
    /// off the UI thread.
    pub fn is_slow(&self) -> bool {
        matches!(self, Effect::Save { .. } | Effect::Export { .. })
    }
}

/// Runs an effect; what to tell `update` about how it ended.
pub fn run(effect: Effect) -> Option<Action> {
    run_cancellable(effect, &AtomicBool::new(false))
}

/// Runs an effect, which stops before writing anything once `cancel` is set (the loop sets
/// it when the user cancels a slow effect running on another thread).
pub fn run_cancellable(effect: Effect, cancel: &AtomicBool) -> Option<Action> {
    let outcome = match effect {
        Effect::Save {
            path,
            design,
            version,
            original,
            check,
            quit,
        } => save(path, &design, version, original, check, quit),
        Effect::Load { path } => load(path),
        Effect::LoadRecovery { from } => match io::load(&from) {
            Ok(d) => Outcome::Recovered {
                from,
                design: Box::new(d),
            },
            Err(e) => Outcome::LoadFailed(first_line(&e.to_string())),
        },
        Effect::Export { path, design, ask } => {
            if ask && path.exists() {
                let what = if path.is_dir() {
                    "a folder".to_string()
                } else {
                    format!(
                        "a file of {} bytes",
                        std::fs::metadata(&path).map_or(0, |m| m.len())
                    )
                };
                Outcome::Ask(Confirm::ExportOver { path, what })
            } else {
                match super::export::export(&design, &path, cancel) {
                    Ok(Some(msg)) => Outcome::Exported(msg),
                    Ok(None) => return None,
                    Err(e) => Outcome::ExportFailed(e),
                }
            }
        }
        Effect::StoreRecent { file, list } => {
            super::recent::store(&file, &list);
            return None;
        }
        Effect::ReadDisk { path, original } => Outcome::Disk(read_disk(&path, original)?),
        // The loop's analyst runs these (and `editor::apply`, from the design at hand).
        Effect::Cancel | Effect::Analyze { .. } => return None,
    };
    Some(Action::Done(outcome))
}

fn save(
    path: PathBuf,
    design: &Design,
    version: u64,
    original: Option<String>,
    check: SaveCheck,
    quit: bool,
) -> Outcome {
    if check != SaveCheck::None {
        let disk = io::check_save(&path, check == SaveCheck::OwnFile && original.is_some());
        if disk != io::SaveCheck::Clear {
            return Outcome::Ask(Confirm::Save {
                path,
                quit,
                check: disk,
            });
        }
    }
    match check {
        SaveCheck::OwnFile if changed_on_disk(&path, original.as_deref()) => {
            return Outcome::Ask(Confirm::Overwrite { path, quit });
        }
        SaveCheck::NewFile if path.exists() => {
            let what = describe_existing(&path);
            return Outcome::Ask(Confirm::Replace { path, what });
        }
        _ => {}
    }
    match io::save_keeping(design, &path, original.as_deref()) {
        Ok(text) => Outcome::Saved {
            path,
            version,
            text,
            quit,
        },
        Err(e) => Outcome::SaveFailed(first_line(&e.to_string())),
    }
}

fn load(path: PathBuf) -> Outcome {
    if io::is_missing(&path) {
        return match io::Format::from_path(&path) {
            Ok(_) => {
                let name = path.file_stem().map_or("Untitled design".into(), |s| {
                    s.to_string_lossy().to_string()
                });
                Outcome::Loaded {
                    path,
                    design: Box::new(Design::new(name)),
                    text: None,
                }
            }
            Err(e) => Outcome::LoadFailed(e.to_string()),
        };
    }
    match io::load_with_text(&path) {
        Ok((d, text)) => Outcome::Loaded {
            path,
            design: Box::new(d),
            text: Some(text),
        },
        Err(e) => Outcome::LoadFailed(first_line(&e.to_string())),
    }
}

/// What the design's file holds after a change on disk; nothing to report when it cannot be
/// read but is there.
fn read_disk(path: &Path, original: Option<String>) -> Option<Disk> {
    let Ok(bytes) = std::fs::read(path) else {
        return (!path.exists()).then_some(Disk::Deleted);
    };
    if original.as_deref().map(str::as_bytes) == Some(&bytes[..]) {
        return Some(Disk::Same);
    }
    let design =
        io::Format::from_path(path).and_then(|format| io::parse_bytes(path, &bytes, format));
    Some(match design {
        Err(e) => Disk::Invalid(first_line(&e.to_string())),
        Ok(design) => Disk::Changed {
            design: Box::new(design),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        },
    })
}

/// Whether the file on disk is not what it was when read or last saved here.
fn changed_on_disk(path: &Path, original: Option<&str>) -> bool {
    match std::fs::read(path) {
        Ok(bytes) => original.map(str::as_bytes) != Some(&bytes[..]),
        Err(_) => false,
    }
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

pub(super) fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}
