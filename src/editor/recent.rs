//! The recent-files list, one path a line, in the platform's state folder: on Linux and other
//! XDG systems `$XDG_STATE_HOME/infraplan/recent` (`~/.local/state/infraplan/recent`), on macOS
//! `~/Library/Application Support/org.infraplan.infraplan/recent`, on Windows
//! `%APPDATA%\infraplan\infraplan\data\recent`. Recovery files go to that folder too when
//! the design's own folder takes none.

use etcetera::app_strategy::{AppStrategy, AppStrategyArgs, choose_native_strategy};
use std::path::{Path, PathBuf};

/// infraplan's state folder, when a home folder is known.
pub fn state_dir() -> Option<PathBuf> {
    let strategy = choose_native_strategy(AppStrategyArgs {
        top_level_domain: "org".into(),
        author: "infraplan".into(),
        app_name: "infraplan".into(),
    })
    .ok()?;
    // macOS and Windows have no state folder apart: their data folder is the place.
    Some(strategy.state_dir().unwrap_or_else(|| strategy.data_dir()))
}

/// Where the list is kept, when a home or state folder is known.
pub fn location() -> Option<PathBuf> {
    state_dir().map(|d| d.join("recent"))
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

#[cfg(test)]
mod tests {
    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn the_list_is_in_the_xdg_state_folder() {
        // XDG_STATE_HOME is read at each call; the process's value is what the user has.
        let expected = match std::env::var_os("XDG_STATE_HOME").filter(|s| !s.is_empty()) {
            Some(s) => std::path::PathBuf::from(s),
            None => std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".local/state"),
        };
        assert_eq!(
            super::location(),
            Some(expected.join("infraplan").join("recent"))
        );
    }
}
