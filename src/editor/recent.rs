//! The recent-files list, one path a line, in `$XDG_STATE_HOME/infraplan/recent` (or
//! `~/.local/state/infraplan/recent`).

use std::path::{Path, PathBuf};

/// Where the list is kept, when a home or state folder is known.
pub fn location() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_STATE_HOME").filter(|s| !s.is_empty()) {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".local/state"),
    };
    Some(base.join("infraplan").join("recent"))
}

/// The paths in the list that still exist, most recent first.
pub fn load(file: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .take(10)
        .collect()
}

/// Writes the list; a failure only costs the list, so it is ignored.
pub fn store(file: &Path, paths: &[PathBuf]) {
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let text: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    let _ = crate::io::write_atomic(file, text.as_bytes());
}
