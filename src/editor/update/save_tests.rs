//! Editing never loses work: saves keep comments, nothing is overwritten without asking, a
//! file changed on disk (by another process) is noticed, deleting a server asks about its
//! DNS records.

use super::*;
use std::path::Path;

/// Applies an action and runs the effects it asks for, as the loop does.
fn step(app: &mut App, action: Action) {
    crate::editor::apply(app, action);
}
use std::time::{Duration, Instant};

const COMMENTED: &str = "#:schema ../assets/infraplan.schema.json
# owner: platform team
version = 1
name = \"Shop\"
domain = \"shop.example\"

[[dns]]
name = \"www\"
type = \"A\"
target = \"edge\"

# the one machine we have
[[servers]]
id = \"edge\"   # rented, renew in May
ip = \"203.0.113.5\"

[[components]]
id = \"user\"
kind = \"client\"
x = 1
y = 1

# TODO: a second web server
[[components]]
id = \"web\"
kind = \"web_server\"
server = \"edge\"
x = 30
y = 1

[[links]]
from = \"user\"
to = \"web\"
protocol = \"http\"
";

/// An editor on a file holding `text`, opened as `infraplan edit` opens it.
fn opened(text: &str) -> (tempfile::TempDir, PathBuf, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.toml");
    std::fs::write(&path, text).expect("write");
    let mut app = crate::editor::open(Some(path.clone())).expect("opens");
    app.recent_file = None;
    step(&mut app, Action::Resize(160, 48));
    (dir, path, app)
}

/// Writes a file from another process, as another editor or `git pull` would.
fn write_from_another_process(path: &Path, text: &str) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("cat > \"$0\"")
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())?;
            child.wait()
        })
        .expect("sh runs");
    assert!(status.success());
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

#[test]
fn a_save_keeps_the_comments_and_changes_only_the_moved_box() {
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Nudge(2, 0));
    step(&mut app, Action::Save);
    assert!(!app.dirty(), "{:?}", app.message);
    let saved = read(&path);
    assert_eq!(saved, COMMENTED.replace("x = 30", "x = 32"));
    // A second edit builds on what was written, not on the text first read.
    step(&mut app, Action::Nudge(0, 1));
    step(&mut app, Action::Save);
    assert_eq!(
        read(&path),
        COMMENTED.replace("x = 30\ny = 1", "x = 32\ny = 2")
    );
}

#[test]
fn save_as_onto_an_existing_file_asks_and_says_what_is_there() {
    let (dir, _path, mut app) = opened(COMMENTED);
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        crate::io::to_string(&Design::new("Theirs"), crate::io::Format::Toml),
    )
    .expect("write");
    let before = read(&other);
    step(&mut app, Action::SaveAs);
    let Mode::Prompt { input, .. } = &app.mode else {
        panic!("no prompt: {:?}", app.mode)
    };
    let erase = input.text().chars().count();
    run_keys(&mut app, erase, &other.display().to_string());
    let Mode::Confirm(Confirm::Replace { what, .. }) = &app.mode else {
        panic!("no question: {:?}", app.mode)
    };
    assert!(what.contains("Theirs"), "{what}");
    step(&mut app, Action::No);
    assert_eq!(read(&other), before, "kept");
    step(&mut app, Action::SaveAs);
    let erase = match &app.mode {
        Mode::Prompt { input, .. } => input.text().chars().count(),
        m => panic!("{m:?}"),
    };
    run_keys(&mut app, erase, &other.display().to_string());
    step(&mut app, Action::Yes);
    assert!(read(&other).contains("name = \"Shop\""));
    assert_eq!(app.path.as_deref(), Some(other.as_path()));
}

fn run_keys(app: &mut App, erase: usize, text: &str) {
    for _ in 0..erase {
        step(app, Action::Backspace);
    }
    for c in text.chars() {
        step(app, Action::Char(c));
    }
    step(app, Action::Accept);
}

#[test]
fn export_onto_an_existing_file_asks_first() {
    let (dir, _path, mut app) = opened(COMMENTED);
    let out = dir.path().join("shop.dot");
    std::fs::write(&out, "keep me").expect("write");
    step(&mut app, Action::Export);
    let erase = match &app.mode {
        Mode::Prompt { input, .. } => input.text().chars().count(),
        m => panic!("{m:?}"),
    };
    run_keys(&mut app, erase, &out.display().to_string());
    let Mode::Confirm(Confirm::ExportOver { what, .. }) = &app.mode else {
        panic!("no question: {:?}", app.mode)
    };
    assert!(what.contains("7 bytes"), "{what}");
    step(&mut app, Action::Cancel);
    assert_eq!(read(&out), "keep me");
    step(&mut app, Action::Export);
    let erase = match &app.mode {
        Mode::Prompt { input, .. } => input.text().chars().count(),
        m => panic!("{m:?}"),
    };
    run_keys(&mut app, erase, &out.display().to_string());
    step(&mut app, Action::Yes);
    assert!(read(&out).contains("digraph"));
}

#[test]
fn ctrl_s_over_a_file_changed_by_another_process_asks() {
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Nudge(1, 0));
    let theirs = COMMENTED.replace("name = \"Shop\"", "name = \"Their shop\"");
    write_from_another_process(&path, &theirs);
    step(&mut app, Action::Save);
    assert!(
        matches!(app.mode, Mode::Confirm(Confirm::Overwrite { .. })),
        "{:?}",
        app.mode
    );
    step(&mut app, Action::No);
    assert_eq!(read(&path), theirs, "their version stays");
    assert!(app.dirty());
    step(&mut app, Action::Save);
    step(&mut app, Action::Yes);
    assert!(!app.dirty());
    assert!(read(&path).contains("x = 31"));
}

#[test]
fn the_watch_sees_another_process_and_a_reload_keeps_undo() {
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Nudge(1, 0));
    let rx = crate::editor::watch_file(&path);
    // Let the watch start before the change.
    std::thread::sleep(Duration::from_millis(300));
    let theirs = COMMENTED.replace("name = \"Shop\"", "name = \"Their shop\"");
    write_from_another_process(&path, &theirs);
    let start = Instant::now();
    while rx.try_recv().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the change was not seen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    step(&mut app, Action::FileChanged);
    assert!(
        matches!(app.mode, Mode::Confirm(Confirm::Reload(_))),
        "{:?}",
        app.mode
    );
    step(&mut app, Action::Yes);
    assert_eq!(app.design.name, "Their shop");
    assert!(!app.dirty());
    // Undo brings back the editor's version, edit included.
    step(&mut app, Action::Undo);
    assert_eq!(app.design.name, "Shop");
    assert_eq!(app.design.component("web").and_then(|c| c.x), Some(31));
    assert!(app.dirty());
    // The reloaded text is the one a save keeps: saving now asks nothing.
    step(&mut app, Action::Save);
    assert_eq!(app.mode, Mode::Normal, "{:?}", app.message);
    assert!(read(&path).starts_with("#:schema"));
}

#[test]
fn keeping_the_editors_version_then_saving_still_asks() {
    let (_dir, path, mut app) = opened(COMMENTED);
    let theirs = COMMENTED.replace("\"Shop\"", "\"Theirs\"");
    write_from_another_process(&path, &theirs);
    step(&mut app, Action::FileChanged);
    step(&mut app, Action::No);
    assert_eq!(app.design.name, "Shop");
    step(&mut app, Action::Save);
    assert!(matches!(app.mode, Mode::Confirm(Confirm::Overwrite { .. })));
}

#[test]
fn an_own_save_or_an_invalid_change_is_not_taken_for_a_reload() {
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Nudge(1, 0));
    step(&mut app, Action::Save);
    step(&mut app, Action::FileChanged);
    assert_eq!(app.mode, Mode::Normal, "own save seen as a change");
    write_from_another_process(
        &path,
        "version = 1\nname = \"x\"\n[[links]]\nfrom = \"a\"\n",
    );
    step(&mut app, Action::FileChanged);
    assert_eq!(app.mode, Mode::Normal);
    let msg = app.message.clone().expect("a message");
    assert!(msg.error);
    assert!(msg.text.contains("shop.toml:"), "{}", msg.text);
    assert_eq!(app.design.name, "Shop", "the editor keeps its design");
}

#[test]
fn deleting_a_server_asks_about_its_dns_records_and_undo_restores_both() {
    let (_dir, _path, mut app) = opened(COMMENTED);
    app.selection = Selection::Server("edge".into());
    step(&mut app, Action::Delete);
    let Mode::Confirm(Confirm::DeleteServer { records, to, .. }) = &app.mode else {
        panic!("no question: {:?}", app.mode)
    };
    assert_eq!(records, &["www.shop.example"]);
    assert_eq!(
        to.as_deref(),
        Some("web"),
        "where traffic enters the server"
    );
    step(&mut app, Action::Yes);
    assert!(app.design.servers.is_empty());
    assert_eq!(app.design.dns[0].target, "web");
    let msg = app.message.clone().expect("a message").text;
    assert!(
        msg.contains("www.shop.example now points at `web`"),
        "{msg}"
    );
    step(&mut app, Action::Undo);
    assert_eq!(app.design.servers.len(), 1);
    assert_eq!(app.design.dns[0].target, "edge");
    // Esc keeps the server; n deletes the records with it.
    app.selection = Selection::Server("edge".into());
    step(&mut app, Action::Delete);
    step(&mut app, Action::Cancel);
    assert_eq!(app.design.servers.len(), 1);
    step(&mut app, Action::Delete);
    step(&mut app, Action::No);
    assert!(app.design.servers.is_empty() && app.design.dns.is_empty());
    step(&mut app, Action::Undo);
    assert_eq!(app.design.servers.len(), 1);
    assert_eq!(app.design.dns.len(), 1);
}

#[test]
fn a_second_change_on_disk_replaces_the_pending_question() {
    let (_dir, path, mut app) = opened(COMMENTED);
    write_from_another_process(&path, &COMMENTED.replace("\"Shop\"", "\"First\""));
    step(&mut app, Action::FileChanged);
    write_from_another_process(&path, &COMMENTED.replace("\"Shop\"", "\"Second\""));
    step(&mut app, Action::FileChanged);
    step(&mut app, Action::Yes);
    assert_eq!(app.design.name, "Second");
    assert_eq!(app.mode, Mode::Normal);
}

#[cfg(unix)]
#[test]
fn ctrl_s_over_a_read_only_file_asks_and_keeps_it_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Nudge(1, 0));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    step(&mut app, Action::Save);
    assert!(
        matches!(
            app.mode,
            Mode::Confirm(Confirm::Save {
                check: crate::io::SaveCheck::ReadOnly,
                ..
            })
        ),
        "{:?}",
        app.mode
    );
    step(&mut app, Action::No);
    assert_eq!(read(&path), COMMENTED, "not written");
    assert!(app.dirty());
    step(&mut app, Action::Save);
    step(&mut app, Action::Yes);
    assert!(!app.dirty());
    assert!(read(&path).contains("x = 31"));
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o444, "still read-only");
}

#[test]
fn ctrl_s_after_the_file_was_deleted_on_disk_says_so() {
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Nudge(1, 0));
    std::fs::remove_file(&path).expect("rm");
    step(&mut app, Action::Save);
    assert!(
        matches!(
            app.mode,
            Mode::Confirm(Confirm::Save {
                check: crate::io::SaveCheck::Deleted,
                ..
            })
        ),
        "{:?}",
        app.mode
    );
    step(&mut app, Action::Cancel);
    assert!(!path.exists(), "not re-created without asking");
    step(&mut app, Action::Save);
    step(&mut app, Action::Yes);
    assert!(read(&path).contains("x = 31"), "saved again");
    assert!(!app.dirty());
}

#[test]
fn update_asks_for_a_save_and_writes_nothing_itself() {
    let (_dir, path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    step(&mut app, Action::Delete);
    let effects = update(&mut app, Action::Save);
    let [
        crate::editor::effects::Effect::Save {
            path: to,
            check,
            quit,
            ..
        },
    ] = &effects[..]
    else {
        panic!("one save expected: {effects:?}");
    };
    assert_eq!(to, &path);
    assert_eq!(*check, crate::editor::effects::SaveCheck::OwnFile);
    assert!(!quit);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), COMMENTED);
    assert!(app.dirty(), "still unsaved until the loop reports the save");
    for e in effects {
        let done = crate::editor::effects::run(e).expect("an outcome");
        assert!(update(&mut app, done).is_empty() || app.recent_file.is_some());
    }
    assert!(!app.dirty());
    assert!(
        !std::fs::read_to_string(&path)
            .expect("read")
            .contains("id = \"web\"")
    );
}

#[test]
fn moving_and_failing_ask_for_no_effects() {
    let (_dir, _path, mut app) = opened(COMMENTED);
    app.selection = Selection::Component("web".into());
    assert!(update(&mut app, Action::Nudge(1, 0)).is_empty());
    assert!(update(&mut app, Action::ToggleFailed).is_empty());
    assert!(app.derived.impact.is_some());
}

#[test]
fn an_export_runs_as_a_slow_effect_that_esc_stops() {
    use crate::editor::effects::Effect;
    let (dir, _path, mut app) = opened(COMMENTED);
    let target = dir.path().join("d.svg");
    step(&mut app, Action::Export);
    let Mode::Prompt { input, .. } = &mut app.mode else {
        panic!("an export prompt: {:?}", app.mode)
    };
    input.set(target.display().to_string());
    let effects = update(&mut app, Action::Accept);
    assert!(
        matches!(&effects[..], [Effect::Export { .. }]),
        "{effects:?}"
    );
    assert!(effects[0].is_slow());
    let busy = app.busy.clone().expect("busy while it runs");
    assert!(busy.cancellable && busy.what.contains("d.svg"), "{busy:?}");
    // A second one waits for the first.
    step(&mut app, Action::Export);
    let again = update(&mut app, Action::Accept);
    assert!(again.is_empty(), "{again:?}");
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("still exporting"))
    );
    // Esc stops it instead of deselecting.
    app.selection = Selection::Component("web".into());
    let stop = update(&mut app, Action::Cancel);
    assert_eq!(stop, vec![Effect::Cancel]);
    assert!(app.busy.is_none());
    assert_eq!(app.selection, Selection::Component("web".into()));
    // Run to the end, the export is written and the editor is no longer busy.
    step(&mut app, Action::Export);
    let Mode::Prompt { input, .. } = &mut app.mode else {
        panic!("an export prompt")
    };
    input.set(target.display().to_string());
    step(&mut app, Action::Accept);
    assert!(app.busy.is_none());
    assert!(target.exists());
}

/// Presses keys through the keymap, each against the mode it finds (`<…>` is one key).
fn press_keys(app: &mut App, keys: &str) {
    let mut rest = keys;
    while let Some(ch) = rest.chars().next() {
        let (name, len) = match rest.find('>') {
            Some(end) if ch == '<' && end > 1 => (&rest[1..end], end + 1),
            _ => (&rest[..ch.len_utf8()], ch.len_utf8()),
        };
        rest = &rest[len..];
        let key = crate::editor::keymap::parse_key(name).expect("a key");
        let ev = ratatui::crossterm::event::KeyEvent::new(key.code, key.mods);
        if let Some(a) = crate::editor::keymap::action_for_key(app, ev) {
            step(app, a);
        }
    }
}

#[test]
fn zones_made_in_the_editor_save_as_new_blocks_and_keep_the_comments() {
    let (_dir, path, mut app) = opened(COMMENTED);
    press_keys(&mut app, "az<enter>eu-1a<enter><enter>eu-1<enter><esc>");
    app.selection = Selection::Server("edge".into());
    press_keys(&mut app, "e<down><down><down><right><down><right><esc>");
    step(&mut app, Action::Save);
    assert!(!app.dirty(), "{:?}", app.message);
    let saved = read(&path);
    let expected = COMMENTED
        .replace(
            "ip = \"203.0.113.5\"\n",
            "ip = \"203.0.113.5\"\nzone = \"eu-1a\"\nnetwork = \"public\"\n",
        )
        .replace(
            "# the one machine we have\n",
            "[[zones]]\nid = \"eu-1a\"\nregion = \"eu-1\"\n\n# the one machine we have\n",
        );
    assert_eq!(saved, expected);
    // Deleting the zone takes its block and the server's line out again, and nothing else.
    press_keys(&mut app, "az<enter>eu-1a<enter>d");
    assert_eq!(app.design.server("edge").and_then(|s| s.zone.clone()), None);
    step(&mut app, Action::Save);
    assert_eq!(
        read(&path),
        COMMENTED.replace(
            "ip = \"203.0.113.5\"\n",
            "ip = \"203.0.113.5\"\nnetwork = \"public\"\n"
        )
    );
}

const ZONED: &str = "# two rooms of one building
version = 1
name = \"Shop\"

[[zones]]
id = \"room-a\"   # the old room
region = \"hq\"

[[zones]]
id = \"room-b\"
region = \"hq\"
availability = 0.999   # measured in 2025

[[servers]]
id = \"edge\"
zone = \"room-a\"   # moves in May

[[servers]]
id = \"spare\"
zone = \"room-b\"

[[components]]
id = \"web\"
kind = \"web_server\"
server = \"edge\"
x = 30
y = 1
";

#[test]
fn renaming_and_editing_a_zone_rewrites_only_its_lines() {
    let (_dir, path, mut app) = opened(ZONED);
    // The zone's id: every server naming it follows; then its availability.
    press_keys(
        &mut app,
        "az<enter>room-a<enter><up><enter><ctrl-u>room-1<enter>",
    );
    press_keys(&mut app, "<down><down><down><enter>0.9999<enter><esc>");
    step(&mut app, Action::Save);
    assert!(!app.dirty(), "{:?}", app.message);
    assert_eq!(
        read(&path),
        ZONED
            .replace(
                "id = \"room-a\"   # the old room",
                "id = \"room-1\"   # the old room"
            )
            .replace(
                "region = \"hq\"\n\n[[zones]]\nid = \"room-b\"",
                "region = \"hq\"\navailability = 0.9999\n\n[[zones]]\nid = \"room-b\""
            )
            .replace(
                "zone = \"room-a\"   # moves in May",
                "zone = \"room-1\"   # moves in May"
            )
    );
    // Deleting the other zone: its block goes and its server's zone line, nothing else.
    press_keys(&mut app, "az<enter>room-b<enter><del>");
    step(&mut app, Action::Save);
    assert_eq!(
        read(&path),
        "# two rooms of one building
version = 1
name = \"Shop\"

[[zones]]
id = \"room-1\"   # the old room
region = \"hq\"
availability = 0.9999

[[servers]]
id = \"edge\"
zone = \"room-1\"   # moves in May

[[servers]]
id = \"spare\"

[[components]]
id = \"web\"
kind = \"web_server\"
server = \"edge\"
x = 30
y = 1
"
    );
}
