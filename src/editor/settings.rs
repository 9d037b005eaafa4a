//! The editor's settings, read once at start from the platform's config folder: on Linux and
//! other XDG systems `$XDG_CONFIG_HOME/infraplan/` (`~/.config/infraplan/`), on macOS
//! `~/Library/Application Support/org.infraplan.infraplan/`, on Windows
//! `%APPDATA%\infraplan\infraplan\config\`; `INFRAPLAN_CONFIG_DIR` names another folder.
//!
//! - `keys.toml`: bindings by name with their keys (`save = "ctrl-w"`), see
//!   [`super::keymap::apply_file`];
//! - `theme.toml`: colours by role (`accent = "#5fafff"`), see [`super::theme::Theme`].
//!
//! A missing file is no error; a file with a mistake is, with its file:line:column, before
//! the terminal is touched.

use super::keymap::{self, Binding};
use super::theme::{self, Theme};
use etcetera::app_strategy::{AppStrategy, AppStrategyArgs, choose_native_strategy};
use std::path::{Path, PathBuf};

/// What the settings files and the environment ask for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The keymap with `keys.toml` applied, when there is one.
    pub keymap: Option<Vec<Binding>>,
    pub theme: Theme,
    /// The files that were read, for the help.
    pub read: Vec<PathBuf>,
}

/// infraplan's config folder.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("INFRAPLAN_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let strategy = choose_native_strategy(AppStrategyArgs {
        top_level_domain: "org".into(),
        author: "infraplan".into(),
        app_name: "infraplan".into(),
    })
    .ok()?;
    Some(strategy.config_dir())
}

fn read(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: cannot be read: {e}", path.display())),
    }
}

/// Reads the settings in `dir` (none when there is no folder); `no_color` is whether
/// `NO_COLOR` is set.
pub fn load(dir: Option<&Path>, no_color: bool) -> Result<Settings, String> {
    let mut s = Settings {
        keymap: None,
        theme: Theme::default(),
        read: Vec::new(),
    };
    if let Some(dir) = dir {
        let keys = dir.join("keys.toml");
        if let Some(text) = read(&keys)? {
            let table =
                keymap::apply_file(keymap::defaults(), &text).map_err(|e| e.render(&keys))?;
            s.keymap = Some(table);
            s.read.push(keys);
        }
        let theme_file = dir.join("theme.toml");
        if let Some(text) = read(&theme_file)? {
            s.theme = Theme::from_file(&text).map_err(|e| e.render(&theme_file))?;
            s.read.push(theme_file);
        }
    }
    if no_color {
        s.theme.monochrome = true;
    }
    Ok(s)
}

/// Puts the settings in force for the rest of the run: the keymap for keys, the help and the
/// hints, the theme for every frame.
pub fn install(s: Settings) {
    if let Some(table) = s.keymap {
        keymap::install(table);
    }
    theme::install(s.theme);
}

/// Reads the settings from the config folder and the environment.
pub fn load_from_env() -> Result<Settings, String> {
    load(
        config_dir().as_deref(),
        theme::no_color(std::env::var_os("NO_COLOR").as_deref()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_folder_or_no_files_means_the_built_in_settings() {
        let s = load(None, false).expect("defaults");
        assert!(s.keymap.is_none() && s.theme.is_default() && s.read.is_empty());
        let d = tempfile::tempdir().expect("tempdir");
        let s = load(Some(d.path()), true).expect("defaults");
        assert!(s.theme.monochrome, "NO_COLOR");
    }

    #[test]
    fn both_files_are_read_and_mistakes_name_the_file_and_line() {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::write(d.path().join("keys.toml"), "save = \"ctrl-w\"\n").expect("write");
        std::fs::write(d.path().join("theme.toml"), "accent = \"blue\"\n").expect("write");
        let s = load(Some(d.path()), false).expect("valid files");
        assert_eq!(s.read.len(), 2);
        let save = s
            .keymap
            .as_ref()
            .and_then(|t| t.iter().find(|b| b.name == "save"))
            .map(|b| b.keys.clone());
        assert_eq!(save, keymap::parse_key("ctrl-w").ok().map(|k| vec![k]));
        assert_eq!(s.theme.color("accent"), Some(ratatui::style::Color::Blue));
        std::fs::write(d.path().join("theme.toml"), "\naccent = 7.5\n").expect("write");
        let e = load(Some(d.path()), false).expect_err("a bad theme");
        assert!(e.contains("theme.toml:2:10:"), "{e}");
    }
}
