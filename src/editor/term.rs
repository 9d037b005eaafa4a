//! The terminal: set up, always restored (on quit, on error, on panic, on SIGHUP, SIGTERM,
//! SIGINT and SIGQUIT, mouse capture too), and the unsaved design written to a recovery file
//! when the editor stops in any way but a quit.

use crate::model::Design;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use std::io::{Write, stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

/// Where and what a panic on the UI thread was, for the one line said about it.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Where a design that was being edited at `path` is recovered to: beside it when possible,
/// else in the state folder, else in the temporary folder.
pub fn recovery_candidates(path: Option<&Path>) -> Vec<PathBuf> {
    let stamp = std::process::id();
    let mut out = Vec::new();
    if let Some(p) = path {
        out.push(p.with_file_name(format!("{}.recovered-{stamp}.toml", stem(p))));
    }
    if let Some(dir) = super::recent::state_dir() {
        out.push(dir.join(format!("recovered-{stamp}.toml")));
    }
    out.push(std::env::temp_dir().join(format!("infraplan-recovered-{stamp}.toml")));
    out
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(|| "design".into(), |s| s.to_string_lossy().to_string())
}

/// The newest recovery file an earlier editor left beside the design at `path`, when it is
/// newer than the design itself.
pub fn recovery_for(path: &Path) -> Option<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!("{}.recovered-", stem(path));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let design_time = modified(path);
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".toml"))
        })
        .filter_map(|p| Some((modified(&p)?, p)))
        .filter(|(t, _)| design_time.is_none_or(|d| *t >= d))
        .max()
        .map(|(_, p)| p)
}

/// Writes `design` (edited at `path`) to the first recovery place that takes it, readable as
/// the design's own file is (and by its owner only when there is no file yet); where it went.
pub fn write_recovery(design: &Design, path: Option<&Path>) -> Option<PathBuf> {
    let text = crate::io::to_string(design, crate::io::Format::Toml);
    let perms = path
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.permissions());
    for p in recovery_candidates(path) {
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if write_private(&p, text.as_bytes(), perms.clone()).is_ok() {
            return Some(p);
        }
    }
    None
}

/// Takes the mouse (clicks, drags and the wheel reach the editor) or leaves it to the
/// terminal (its own text selection works).
pub fn capture_mouse(on: bool) {
    let _ = if on {
        execute!(stdout(), EnableMouseCapture)
    } else {
        execute!(stdout(), DisableMouseCapture)
    };
}

/// Creates `path` readable by its owner only, writes `bytes`, then gives it `perms` (the
/// design's): it is never readable by others for a moment when the design is not.
fn write_private(
    path: &Path,
    bytes: &[u8],
    perms: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    #[cfg(unix)]
    {
        // An older file of the same name keeps its mode through `open`: narrow it first.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(bytes)?;
    f.sync_all()?;
    if let Some(p) = perms {
        f.set_permissions(p)?;
    }
    Ok(())
}

/// Undoes everything `init` did; safe to call more than once.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    // Not `ratatui::restore`, which prints its error: printing to a closed terminal panics.
    let _ = ratatui::try_restore();
}

/// The termination signals the editor handles: the number of the last one that arrived is
/// put in the flag (0 while none has). SIGHUP comes with a closed terminal window or a
/// dropped ssh session; SIGINT and SIGQUIT only from another process, since the editor's
/// raw mode reads Ctrl-C and Ctrl-\ as keys.
pub fn watch_signals() -> Arc<AtomicUsize> {
    let flag = Arc::new(AtomicUsize::new(0));
    #[cfg(unix)]
    {
        use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        for s in [SIGHUP, SIGINT, SIGQUIT, SIGTERM] {
            // A signal that cannot be watched keeps its default action.
            let _ = signal_hook::flag::register_usize(s, Arc::clone(&flag), s as usize);
        }
    }
    flag
}

/// The signal number of a hang-up (SIGHUP), for a terminal found closed.
#[cfg(unix)]
pub const HANGUP: usize = signal_hook::consts::signal::SIGHUP as usize;
#[cfg(not(unix))]
pub const HANGUP: usize = 1;

/// Whether the editor's terminal went away (its window closed, its ssh session dropped): a
/// hung-up terminal is no longer a terminal to the system, and reading it gives nothing.
pub fn hung_up() -> bool {
    use std::io::IsTerminal;
    !stdout().is_terminal()
}

/// The name of a signal, for the message.
pub fn signal_name(n: usize) -> String {
    #[cfg(unix)]
    {
        use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        match n as i32 {
            SIGHUP => return "SIGHUP".into(),
            SIGINT => return "SIGINT".into(),
            SIGQUIT => return "SIGQUIT".into(),
            SIGTERM => return "SIGTERM".into(),
            _ => {}
        }
    }
    format!("signal {n}")
}

/// The panic on the UI thread, as one line ("message, at file:line"), once one happened.
pub fn panic_line() -> Option<String> {
    match PANIC.lock() {
        Ok(mut p) => p.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    }
}

/// Installs the panic hook (before ratatui's, which then runs first and restores the screen),
/// enters raw mode and the alternate screen, and captures the mouse. A panic on this thread
/// restores the terminal and is kept for one line of message (no backtrace); the caller
/// writes the recovery file once the panic has unwound. Panics on other threads go to the
/// hook there was.
pub fn init() -> std::io::Result<DefaultTerminal> {
    let ui = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != ui {
            previous(info);
            return;
        }
        restore();
        // RUST_BACKTRACE=1 still gives the standard report, for a bug report.
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            previous(info);
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = info
            .location()
            .map(|l| format!(", at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let line = format!("{}{at}", what.lines().next().unwrap_or_default());
        match PANIC.lock() {
            Ok(mut p) => *p = Some(line),
            Err(poisoned) => *poisoned.into_inner() = Some(line),
        }
    }));
    let terminal = ratatui::try_init()?;
    if let Err(e) = execute!(stdout(), EnableMouseCapture) {
        restore();
        return Err(e);
    }
    Ok(terminal)
}

/// Puts back the panic hook there was before [`init`].
pub fn forget_hook() {
    let _ = std::panic::take_hook();
}
