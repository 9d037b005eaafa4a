//! Saving, opening, reloading: the state side of file effects (asking for them, and taking
//! in how they ended).

use super::super::action::{Disk, Outcome};
use super::super::effects::{Effect, SaveCheck};
use super::super::state::{App, Confirm, Mode, Pending, PromptKind, place_unpositioned};
use crate::model::Design;
use std::path::{Path, PathBuf};

impl App {
    /// Ctrl-S: saves to the design's file, or asks for a name.
    pub(super) fn save(&mut self) {
        match self.path.clone() {
            Some(p) => self.request_save(p, false),
            None => self.save_as_prompt(),
        }
    }

    pub(super) fn save_as_prompt(&mut self) {
        let input = self.path.as_ref().map_or_else(
            || format!("{}.toml", slug(&self.design.name)),
            |p| p.display().to_string(),
        );
        self.mode = Mode::Prompt {
            kind: PromptKind::SaveAs,
            input: super::super::textinput::TextInput::new(input),
        };
    }

    /// Saves to `path` unless that would replace work without asking: another existing file
    /// (save as), or the design's own file changed on disk since it was read; `quit` once
    /// saved.
    pub(super) fn request_save(&mut self, path: PathBuf, quit: bool) {
        let check = if self.is_own_file(&path) {
            SaveCheck::OwnFile
        } else {
            SaveCheck::NewFile
        };
        self.save_effect(path, check, quit);
    }

    /// Saves to `path` as agreed (no more questions).
    pub(super) fn save_to(&mut self, path: PathBuf, quit: bool) {
        self.save_effect(path, SaveCheck::None, quit);
    }

    fn save_effect(&mut self, path: PathBuf, check: SaveCheck, quit: bool) {
        let what = format!("saving {}", path.display());
        let e = Effect::Save {
            path,
            design: Box::new(self.design.clone()),
            version: self.history.version(),
            original: self.original.clone(),
            check,
            quit,
        };
        self.slow_effect(e, what, false);
    }

    /// The design's file changed on disk: the loop looks at what it holds now.
    pub(super) fn file_changed(&mut self) {
        if let Some(path) = self.path.clone() {
            let original = self.original.clone();
            self.effect(Effect::ReadDisk { path, original });
        }
    }

    /// Takes in how an effect ended.
    pub(super) fn done(&mut self, outcome: Outcome) {
        if matches!(
            outcome,
            Outcome::Saved { .. }
                | Outcome::SaveFailed(_)
                | Outcome::Exported(_)
                | Outcome::ExportFailed(_)
                | Outcome::Ask(_)
        ) {
            self.busy = None;
        }
        match outcome {
            Outcome::Saved {
                path,
                version,
                text,
                quit,
            } => {
                self.original = Some(text);
                self.saved = version;
                self.say(format!("saved {}", path.display()));
                self.remember(&path);
                self.path = Some(path);
                if quit {
                    self.quit = true;
                }
            }
            Outcome::SaveFailed(e) | Outcome::LoadFailed(e) | Outcome::ExportFailed(e) => {
                self.warn(e)
            }
            Outcome::Ask(c) => self.mode = Mode::Confirm(c),
            Outcome::Loaded { path, design, text } => {
                self.open_or_confirm(*design, Some(path), text)
            }
            Outcome::Exported(msg) => self.say(msg),
            Outcome::Disk(disk) => self.disk(disk),
            Outcome::Analyzed(a) => self.derived.take_analysis(&self.design, *a),
            Outcome::Recovered { from, design } => {
                let mut design = *design;
                place_unpositioned(&mut design);
                self.placed = crate::layout::untangle(&mut design);
                self.design = design;
                self.history.record_step(&mut self.design);
                self.generation += 1;
                self.derive();
                self.say(format!(
                    "opened the design recovered from {}; Ctrl-S saves it, u brings back the file's",
                    from.display()
                ));
            }
        }
    }

    /// What the design's file holds after a change on disk: nothing to do when it holds what
    /// the editor last read or wrote; otherwise the user chooses between the two versions.
    fn disk(&mut self, disk: Disk) {
        let Some(path) = self.path.clone() else {
            return;
        };
        match disk {
            Disk::Same => {}
            Disk::Deleted => {
                if self.original.is_some() {
                    self.warn(format!(
                        "{} was deleted on disk; Ctrl-S writes it again",
                        path.display()
                    ));
                }
            }
            Disk::Invalid(e) => self.warn(format!(
                "changed on disk and now invalid, kept the editor's design: {e}"
            )),
            Disk::Changed { design, text } => {
                // A question about an earlier change is asked again about this one.
                let asking = matches!(self.mode, Mode::Normal | Mode::Confirm(Confirm::Reload(_)));
                if !asking {
                    self.warn(format!(
                        "{} changed on disk; Ctrl-S asks before overwriting it",
                        path.display()
                    ));
                } else {
                    self.mode = Mode::Confirm(Confirm::Reload(Box::new(Pending {
                        design: *design,
                        path: Some(path),
                        original: Some(text),
                    })));
                }
            }
        }
    }

    fn remember(&mut self, path: &Path) {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &abs);
        self.recent.insert(0, abs);
        self.recent.truncate(10);
        if let Some(file) = self.recent_file.clone() {
            let list = self.recent.clone();
            self.effect(Effect::StoreRecent { file, list });
        }
    }

    /// Replaces the design, as opening a file or a template does. `original` is the text of
    /// the file it was read from (none for a template or a file not created yet).
    pub(super) fn replace(
        &mut self,
        design: Design,
        path: Option<PathBuf>,
        original: Option<String>,
    ) {
        let recent = std::mem::take(&mut self.recent);
        let recent_file = self.recent_file.take();
        let outbox = std::mem::take(&mut self.outbox);
        let size = self.size;
        let existed = original.is_some();
        let mut next = App::at_generation(design, path, self.generation + 1);
        next.recent = recent;
        next.recent_file = recent_file;
        // What was asked before comes first (the new design's analysis, if any, after).
        next.outbox.splice(0..0, outbox);
        next.size = size;
        next.show_panel = self.show_panel;
        next.panel_chosen = self.panel_chosen;
        next.auto_panel();
        next.fit_view();
        next.original = original;
        *self = next;
        if let Some(p) = self.path.clone() {
            if existed {
                self.remember(&p);
            }
            match self.message.take() {
                Some(placed) => self.warn(format!("opened {} · {}", p.display(), placed.text)),
                None => self.say(format!("opened {}", p.display())),
            }
        }
    }

    pub(super) fn open_or_confirm(
        &mut self,
        design: Design,
        path: Option<PathBuf>,
        original: Option<String>,
    ) {
        if self.dirty() {
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

    /// Takes the design on disk as the current one; the editor's version stays one undo away.
    pub(super) fn reload(&mut self, pending: Pending) {
        let Pending {
            mut design,
            original,
            ..
        } = pending;
        place_unpositioned(&mut design);
        let placed = crate::layout::untangle(&mut design);
        self.design = design;
        self.history.record_step(&mut self.design);
        self.saved = self.history.version();
        self.original = original;
        self.generation += 1;
        self.derive();
        self.say(format!(
            "reloaded {} from disk · u brings back the editor's version",
            self.file_name()
        ));
        if let Some(why) = placed {
            self.saved = super::super::state::NOT_SAVED;
            self.derive();
            self.placed = Some(why);
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs(a) == abs(b)
}

/// A file-name-friendly version of a design's name.
pub(super) fn slug(name: &str) -> String {
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
