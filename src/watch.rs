//! Watching a design file: call back on every save.
//!
//! Editors, and infraplan's own atomic save, do not write the file in place: they write a
//! temporary file and rename it over the design. A watch on the file itself would follow the
//! old, replaced inode and miss every save after the first, so this watches the file's folder
//! and keeps the events that name the file. A burst of events from one save (create, write,
//! rename) is debounced into one call.

use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long events must settle before the callback runs.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{}: cannot watch its folder: {source}", path.display())]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("{}: the folder watch failed: {source}", path.display())]
    Failed {
        path: PathBuf,
        source: notify::Error,
    },
}

/// The folder to watch for `file` (`.` for a bare file name).
fn folder(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether an event may have changed `name`'s content. Opening and reading the file (which
/// the callback itself does) must not count, or every run would trigger the next.
fn changes(event: &Event, name: Option<&std::ffi::OsStr>) -> bool {
    !matches!(event.kind, EventKind::Access(_)) && event.paths.iter().any(|p| p.file_name() == name)
}

/// Calls `run` once, then after every change to `file`, until `run` returns `false` or the
/// watch breaks. Changes to other files of the folder are ignored; a burst of events closer
/// together than `debounce` makes one call.
pub fn watch(
    file: &Path,
    debounce: Duration,
    mut run: impl FnMut() -> bool,
) -> Result<(), WatchError> {
    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(tx).map_err(|source| WatchError::Watch {
        path: file.to_path_buf(),
        source,
    })?;
    watcher
        .watch(&folder(file), RecursiveMode::NonRecursive)
        .map_err(|source| WatchError::Watch {
            path: file.to_path_buf(),
            source,
        })?;
    if !run() {
        return Ok(());
    }
    let name = file.file_name();
    let failed = |source| WatchError::Failed {
        path: file.to_path_buf(),
        source,
    };
    while let Ok(event) = rx.recv() {
        if !changes(&event.map_err(failed)?, name) {
            continue;
        }
        // Let the save finish: wait until no event has come for `debounce`.
        loop {
            match rx.recv_timeout(debounce) {
                Ok(event) => {
                    event.map_err(failed)?;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        if !run() {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    fn wait_for(count: &Arc<Mutex<usize>>, n: usize) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if *count.lock().expect("lock") >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn runs_on_start_then_on_writes_and_renames_over_the_file_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("site.toml");
        std::fs::write(&file, "a").expect("write");
        let count = Arc::new(Mutex::new(0usize));
        let seen = Arc::clone(&count);
        let watched = file.clone();
        std::thread::spawn(move || {
            let _ = watch(&watched, Duration::from_millis(200), || {
                // Read the file as the CLI does: reading must not trigger another run.
                let _ = std::fs::read(&watched);
                *seen.lock().expect("lock") += 1;
                true
            });
        });
        assert!(wait_for(&count, 1), "no first run");
        // Let the watch settle before the first change; reading alone runs nothing.
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(*count.lock().expect("lock"), 1, "runs without a change");
        std::fs::write(&file, "b").expect("write");
        assert!(wait_for(&count, 2), "write not seen");
        std::thread::sleep(Duration::from_millis(200));
        let tmp = dir.path().join(".site.tmp");
        std::fs::write(&tmp, "c").expect("write tmp");
        std::fs::rename(&tmp, &file).expect("rename");
        assert!(wait_for(&count, 3), "rename over the file not seen");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(*count.lock().expect("lock"), 3, "one run per save");
        let before = *count.lock().expect("lock");
        std::fs::write(dir.path().join("other.toml"), "x").expect("write other");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(*count.lock().expect("lock"), before, "other files ignored");
    }
}
