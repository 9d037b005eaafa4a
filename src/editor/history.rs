//! Undo and redo: the designs the editor can go back (and forward) to.

use crate::model::Design;

/// How many design snapshots undo keeps.
const UNDO_DEPTH: usize = 200;

/// Which edit made the last step, so a run of moves of one component undoes as one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditKey {
    Move(String),
    Other,
}

/// The undo and redo stacks.
#[derive(Debug, Clone, Default)]
pub struct History {
    undo: Vec<Design>,
    redo: Vec<Design>,
    last_edit: Option<EditKey>,
}

impl History {
    /// Records that the design went from `prev` to the current one by the edit `key`. A move
    /// of the component the last edit moved too joins that step.
    pub fn record(&mut self, key: EditKey, prev: Design) {
        let coalesce = key != EditKey::Other && self.last_edit.as_ref() == Some(&key);
        if !coalesce {
            self.push_undo(prev);
        }
        self.last_edit = Some(key);
        self.redo.clear();
    }

    /// Records a step that nothing joins (a reload from disk).
    pub fn record_step(&mut self, prev: Design) {
        self.push_undo(prev);
        self.redo.clear();
        self.last_edit = None;
    }

    fn push_undo(&mut self, prev: Design) {
        self.undo.push(prev);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// The next edit starts a step of its own, whatever it is.
    pub fn break_run(&mut self) {
        self.last_edit = None;
    }

    /// Takes the last step back: `current` becomes redoable and the design to go back to is
    /// returned (none when there is nothing to undo).
    pub fn undo(&mut self, current: &mut Design) -> bool {
        let Some(d) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(current, d));
        self.last_edit = None;
        true
    }

    /// Takes the last undone step again.
    pub fn redo(&mut self, current: &mut Design) -> bool {
        let Some(d) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(current, d));
        self.last_edit = None;
        true
    }

    /// How many changes undo can take back.
    pub fn undo_steps(&self) -> usize {
        self.undo.len()
    }
}
