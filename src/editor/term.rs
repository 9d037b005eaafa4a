//! The terminal: set up, always restored (on quit, on error, on panic, mouse capture too), and
//! on a panic the unsaved design written to a recovery file whose path is printed.

use crate::model::Design;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use std::io::stdout;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The design as it was after the last edit, for the panic hook.
struct Recovery {
    design: Design,
    path: Option<PathBuf>,
}

static RECOVERY: Mutex<Option<Recovery>> = Mutex::new(None);

/// Keeps a copy of an unsaved design for the panic hook; `None` when there is nothing to lose.
pub fn keep_for_recovery(design: Option<(&Design, Option<&Path>)>) {
    if let Ok(mut slot) = RECOVERY.lock() {
        *slot = design.map(|(d, p)| Recovery {
            design: d.clone(),
            path: p.map(Path::to_path_buf),
        });
    }
}

/// Where a design that was being edited at `path` is recovered to: beside it when possible,
/// else in the state folder, else in the temporary folder.
pub fn recovery_candidates(path: Option<&Path>) -> Vec<PathBuf> {
    let stamp = std::process::id();
    let mut out = Vec::new();
    if let Some(p) = path {
        let stem = p
            .file_stem()
            .map_or_else(|| "design".into(), |s| s.to_string_lossy().to_string());
        out.push(p.with_file_name(format!("{stem}.recovered-{stamp}.toml")));
    }
    if let Some(dir) = super::recent::location().and_then(|f| f.parent().map(Path::to_path_buf)) {
        out.push(dir.join(format!("recovered-{stamp}.toml")));
    }
    out.push(std::env::temp_dir().join(format!("infraplan-recovered-{stamp}.toml")));
    out
}

/// Writes the kept design to the first place that takes it.
fn write_recovery() -> Option<PathBuf> {
    // The hook may run while the lock is poisoned by the panicking thread; the data is fine.
    let slot = match RECOVERY.lock() {
        Ok(s) => s,
        Err(poisoned) => poisoned.into_inner(),
    };
    let r = slot.as_ref()?;
    let text = crate::io::to_string(&r.design, crate::io::Format::Toml);
    for p in recovery_candidates(r.path.as_deref()) {
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if crate::io::write_atomic(&p, text.as_bytes()).is_ok() {
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

/// A panic in one line: what it said and where.
fn panic_line(info: &std::panic::PanicHookInfo<'_>) -> String {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unexpected error".to_string());
    let what = what.lines().next().unwrap_or_default().to_string();
    match info.location() {
        Some(l) => format!("internal error: {what} (at {}:{})", l.file(), l.line()),
        None => format!("internal error: {what}"),
    }
}

/// Undoes everything `init` did; safe to call more than once.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// Installs the panic hook (before ratatui's, which then runs first and restores the screen),
/// enters raw mode and the alternate screen, and captures the mouse.
pub fn init() -> std::io::Result<DefaultTerminal> {
    // A person sees one line about what broke and one about their work, not a backtrace
    // (RUST_BACKTRACE=1 still gives the standard report, for a bug report).
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            previous(info);
        } else {
            eprintln!("infraplan: {}", panic_line(info));
        }
        match write_recovery() {
            Some(p) => eprintln!(
                "infraplan: the editor crashed; your unsaved design was written to {}",
                p.display()
            ),
            None => eprintln!("infraplan: the editor crashed; there were no unsaved changes"),
        }
    }));
    let terminal = ratatui::try_init()?;
    if let Err(e) = execute!(stdout(), EnableMouseCapture) {
        restore();
        return Err(e);
    }
    Ok(terminal)
}
