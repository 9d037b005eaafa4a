//! The interactive editor: `infraplan edit [FILE]`.
//!
//! The Elm architecture (see docs/editor.md, "Inside the editor"): terminal events become
//! [`action::Action`]s in [`input`] (keys through the [`keymap`] table, the mouse hit-tested
//! against the pure screen geometry of [`screen`]); [`update::update`] is the only code that
//! changes the [`state::App`], and returns [`effects::Effect`]s that this loop runs, their
//! outcomes coming back as actions; what follows from the design ([`derived`]) is recomputed
//! after each update; [`view::draw`] renders `&App`.

pub mod action;
pub mod canvas;
pub mod complete;
pub mod derived;
pub mod describe;
pub mod duplicate;
pub mod effects;
mod export;
pub mod form;
pub mod history;
pub mod input;
pub mod keymap;
pub mod navigate;
pub mod picker;
pub mod picker_view;
pub mod positions;
pub mod question;
pub mod recent;
pub mod routes;
pub mod screen;
pub mod settings;
pub mod state;
pub mod term;
pub mod textinput;
pub mod theme;
#[cfg(test)]
mod topology;
pub mod update;
pub mod view;

use crate::io::{self, DesignError};
use crate::model::Design;
use action::Action;
use ratatui::crossterm::event::{self, Event, KeyCode};
use state::App;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;
use update::update;

/// The editor's state for a command-line argument, before the terminal is touched: the start
/// screen without a file, the design in an existing file, a new design for a missing one. An
/// invalid file is the error, to be reported with exit status 2.
pub fn open(path: Option<PathBuf>) -> Result<App, DesignError> {
    let recent_file = recent::location();
    let recent = recent_file.as_deref().map(recent::load).unwrap_or_default();
    let mut app = match path {
        None => App::start_screen(recent),
        Some(p) => {
            let (design, original) = if let Some((design, text)) = io::load_existing(&p)? {
                (design, Some(text))
            } else {
                let name = p.file_stem().map_or_else(
                    || "Untitled design".into(),
                    |s| s.to_string_lossy().to_string(),
                );
                (Design::new(name), None)
            };
            let existed = original.is_some();
            let mut app = App::new(design, Some(p.clone()));
            app.original = original;
            app.recent = recent;
            app.recent_file = recent_file.clone();
            // Servers the editor had to place by zone are the news, where there are any.
            app.message = Some(match app.message.take() {
                Some(placed) => state::Message {
                    text: format!("opened {} · {}", p.display(), placed.text),
                    error: true,
                },
                None => state::Message {
                    text: if existed {
                        format!("opened {} · ? for help", p.display())
                    } else {
                        format!("new design; Ctrl-S creates {}", p.display())
                    },
                    error: false,
                },
            });
            if let Some(r) = term::recovery_for(&p) {
                app.message = Some(state::Message {
                    text: format!("unsaved work of an earlier editor is in {}", r.display()),
                    error: true,
                });
                app.mode = state::Mode::Confirm(question::Confirm::Recover { path: r });
            }
            app
        }
    };
    app.recent_file = recent_file;
    Ok(app)
}

/// Opens the editor on a file (or the start screen) and runs it until the user quits.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    let app = open(path).map_err(|e| anyhow::anyhow!(e.render(false)))?;
    run_app(app)
}

/// Runs an editor in the terminal; the terminal is restored whatever happens. On SIGHUP,
/// SIGTERM, SIGINT or SIGQUIT the unsaved design (the edits of the last burst of keys too) is
/// written to a recovery file, said where, and the process exits with 128 + the signal's
/// number; on a panic the same, with one line about the panic and an error.
pub fn run_app(mut app: App) -> anyhow::Result<()> {
    let signals = term::watch_signals();
    let mut terminal = term::init()?;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        event_loop(&mut terminal, &mut app, &signals)
    }));
    term::restore();
    term::forget_hook();
    let signal = signals.load(Ordering::SeqCst);
    let mut err = std::io::stderr();
    match result {
        // A closed terminal (SIGHUP) can show as an error reading it: the signal is the news.
        Ok(_) if signal != 0 => {
            let kept = recover(&mut app);
            let _ = writeln!(
                err,
                "infraplan: stopped by {}; {kept}",
                term::signal_name(signal)
            );
            std::process::exit(128 + signal as i32);
        }
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            let kept = recover(&mut app);
            Err(e.context(kept))
        }
        Err(_) => {
            let what = term::panic_line().unwrap_or_else(|| "a panic".into());
            let kept = recover(&mut app);
            Err(anyhow::anyhow!("the editor crashed ({what}); {kept}"))
        }
    }
}

/// Writes the unsaved design to a recovery file; what to tell the user.
fn recover(app: &mut App) -> String {
    if app.history.version() == app.saved {
        return "there were no unsaved changes".into();
    }
    // The design as of the last finished edit: one cut short by a panic is not half kept.
    app.history.revert(&mut app.design);
    match term::write_recovery(&app.design, app.path.as_deref()) {
        Some(p) => format!(
            "your unsaved design was written to {} (the next `infraplan edit` of it offers it)",
            p.display()
        ),
        None => "the unsaved design could not be written anywhere".into(),
    }
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    signals: &AtomicUsize,
) -> anyhow::Result<()> {
    let stopped = || signals.load(Ordering::SeqCst) != 0;
    let on_terminal = !term::hung_up();
    let mut runner = Runner::default();
    let size = terminal.size()?;
    runner.apply(app, Action::Resize(size.width, size.height));
    app.fit_view();
    // A status message fades a few seconds after it appeared (an error stays longer).
    let mut shown: Option<(state::Message, std::time::Instant)> = None;
    // term::init captures the mouse; the editor may be asked not to.
    let mut mouse_captured = true;
    let panic_key = std::env::var_os("INFRAPLAN_TEST_PANIC").is_some();
    let mut watching: Option<(PathBuf, mpsc::Receiver<()>)> = None;
    loop {
        terminal.draw(|f| {
            view::draw(f, app);
            theme::current().apply(f.buffer_mut());
        })?;
        match (&app.message, &shown) {
            (Some(m), Some((seen, at))) if m == seen => {
                let life = Duration::from_secs(if m.error { 12 } else { 6 });
                if at.elapsed() >= life {
                    shown = None;
                    apply(app, Action::FadeMessage);
                    continue;
                }
            }
            (Some(m), _) => shown = Some((m.clone(), std::time::Instant::now())),
            (None, _) => shown = None,
        }
        if app.mouse != mouse_captured {
            mouse_captured = app.mouse;
            term::capture_mouse(mouse_captured);
        }
        if app.quit {
            runner.finish(app);
            return Ok(());
        }
        // Follow the file the editor has open (it changes with save as and open).
        if watching.as_ref().map(|(p, _)| p) != app.path.as_ref() {
            watching = app.path.clone().map(|p| {
                let rx = watch_file(&p);
                (p, rx)
            });
        }
        // Wait for a terminal event, a change on disk or the end of a slow effect, whichever
        // comes first; while one runs, redraw now and then to show it is going on.
        let woke = loop {
            if stopped() {
                return Ok(());
            }
            // A terminal closed without a SIGHUP reaching the editor: the same as one.
            if on_terminal && term::hung_up() {
                signals.store(term::HANGUP, Ordering::SeqCst);
                return Ok(());
            }
            if event::poll(Duration::from_millis(100))? {
                break Wake::Input;
            }
            if let Some(a) = runner.finished() {
                break Wake::Done(a);
            }
            if let Some((m, at)) = &shown
                && at.elapsed() >= Duration::from_secs(if m.error { 12 } else { 6 })
            {
                break Wake::Tick;
            }
            if let Some((_, rx)) = &watching
                && rx.try_recv().is_ok()
            {
                while rx.try_recv().is_ok() {}
                break Wake::FileChanged;
            }
            if app.busy.is_some() {
                break Wake::Tick;
            }
        };
        match woke {
            Wake::Input => {}
            Wake::Done(a) => {
                runner.apply(app, a);
                continue;
            }
            Wake::FileChanged => {
                runner.apply(app, Action::FileChanged);
                continue;
            }
            Wake::Tick => continue,
        }
        // Handle everything that is waiting before drawing again, so a resize storm or a
        // burst of keys costs one frame.
        let first = event::read()?;
        let mut waiting = || -> std::io::Result<Option<Event>> {
            if event::poll(Duration::ZERO)? {
                event::read().map(Some)
            } else {
                Ok(None)
            }
        };
        drain(app, &mut runner, first, &mut waiting, &stopped, panic_key)?;
    }
}

/// Applies `first` and every event `waiting` still has (`None`: none is waiting now), in
/// order, before the loop draws again. Moves of a held arrow key that arrived meanwhile are
/// one move: one edit, one derivation, one frame. A signal (`stopped`) or quitting ends the
/// batch, what came before it applied.
fn drain(
    app: &mut App,
    runner: &mut Runner,
    first: Event,
    waiting: &mut dyn FnMut() -> std::io::Result<Option<Event>>,
    stopped: &dyn Fn() -> bool,
    panic_key: bool,
) -> std::io::Result<()> {
    let mut ev = first;
    let mut pending: Option<Action> = None;
    loop {
        if panic_key
            && let Event::Key(k) = &ev
            && k.code == KeyCode::F(12)
        {
            // As a crash in the middle of a burst: the keys before it were handled.
            if let Some(p) = pending.take() {
                runner.apply(app, p);
            }
            panic!("test panic requested with F12 (INFRAPLAN_TEST_PANIC)");
        }
        // An event means what it means in the state left by the ones before it (a key
        // after `a` picks from the palette), so what is pending is applied first; only a
        // move that follows a move joins it.
        let a = input::action_for_event(app, ev.clone());
        pending = match (pending.take(), a) {
            (Some(Action::Nudge(x1, y1)), Some(Action::Nudge(x2, y2)))
                if app.mode == state::Mode::Normal =>
            {
                Some(Action::Nudge(x1.saturating_add(x2), y1.saturating_add(y2)))
            }
            (Some(p), _) => {
                runner.apply(app, p);
                input::action_for_event(app, ev)
            }
            (None, a) => a,
        };
        // A signal ends the burst: what came before it is applied, then the loop ends.
        if app.quit || stopped() {
            break;
        }
        match waiting()? {
            Some(next) => ev = next,
            None => break,
        }
    }
    if let Some(p) = pending {
        runner.apply(app, p);
    }
    Ok(())
}

/// The outcome of analysing `design` as of `generation`.
fn analysis_of(design: &Design, generation: u64) -> Action {
    let r = derived::reviewed_findings(design);
    Action::Done(action::Outcome::Analyzed(Box::new(action::Analysis {
        generation,
        findings: r.findings,
        open: r.open,
        reasons: r.reasons,
        figures: r.figures,
    })))
}

/// What the analyst thread is sent: a design to start from, the steps that change it, or a
/// request to analyse it as it is at a generation.
enum ToAnalyst {
    Reset(Box<Design>),
    Steps(Vec<(history::Change, bool)>),
    Analyze(u64),
}

/// A thread that keeps its own copy of the design (brought up to date with the history's
/// steps, so the UI thread never copies the whole design for it) and analyses it on request,
/// only the latest of the requests that queued up while it was busy.
struct Analyst {
    to: mpsc::Sender<ToAnalyst>,
    from: mpsc::Receiver<Action>,
}

impl Analyst {
    fn spawn() -> Analyst {
        let (to, inbox) = mpsc::channel::<ToAnalyst>();
        let (outbox, from) = mpsc::channel();
        std::thread::spawn(move || {
            let mut design = Design::new("");
            while let Ok(first) = inbox.recv() {
                let mut wanted = None;
                for m in std::iter::once(first).chain(inbox.try_iter()) {
                    match m {
                        ToAnalyst::Reset(d) => design = *d,
                        ToAnalyst::Steps(steps) => {
                            for (c, forward) in steps {
                                c.apply(&mut design, forward);
                            }
                        }
                        ToAnalyst::Analyze(g) => wanted = Some(g),
                    }
                }
                if let Some(g) = wanted
                    && outbox.send(analysis_of(&design, g)).is_err()
                {
                    return;
                }
            }
        });
        Analyst { to, from }
    }
}

/// Why the loop stopped waiting.
enum Wake {
    Input,
    Done(Action),
    FileChanged,
    Tick,
}

/// Runs the effects `update` asks for: quick ones at once, slow ones (saves, exports) on a
/// thread of their own, so that a Graphviz export or a large save never freezes the screen.
#[derive(Default)]
struct Runner {
    running: Option<Running>,
    analyst: Option<Analyst>,
}

/// A slow effect on its thread: where its outcome comes, and the flag that stops it.
struct Running {
    done: mpsc::Receiver<Option<Action>>,
    cancel: Arc<AtomicBool>,
    /// Whether it is a save, which quitting waits for.
    save: bool,
}

impl Runner {
    /// Applies an action, runs the quick effects it asks for (and those their outcomes ask
    /// for), and starts the slow ones.
    fn apply(&mut self, app: &mut App, action: Action) {
        let mut queue = std::collections::VecDeque::from([action]);
        while let Some(a) = queue.pop_front() {
            for e in update(app, a) {
                if let effects::Effect::Analyze {
                    generation,
                    steps,
                    reset,
                } = e
                {
                    let analyst = self.analyst.get_or_insert_with(Analyst::spawn);
                    if let Some(d) = reset {
                        let _ = analyst.to.send(ToAnalyst::Reset(d));
                    }
                    let _ = analyst.to.send(ToAnalyst::Steps(steps));
                    let _ = analyst.to.send(ToAnalyst::Analyze(generation));
                } else if e == effects::Effect::Cancel {
                    if let Some(r) = self.running.take() {
                        r.cancel.store(true, Ordering::SeqCst);
                    }
                } else if e.is_slow() {
                    self.start(e);
                } else {
                    queue.extend(effects::run(e));
                }
            }
        }
    }

    fn start(&mut self, e: effects::Effect) {
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let save = matches!(e, effects::Effect::Save { .. });
        let flag = Arc::clone(&cancel);
        std::thread::spawn(move || {
            let _ = tx.send(effects::run_cancellable(e, &flag));
        });
        self.running = Some(Running {
            done: rx,
            cancel,
            save,
        });
    }

    /// The outcome of the slow effect or of an analysis, once it has ended.
    fn finished(&mut self) -> Option<Action> {
        if let Some(a) = self.analyst.as_ref().and_then(|a| a.from.try_recv().ok()) {
            return Some(a);
        }
        let r = self.running.as_ref()?;
        match r.done.try_recv() {
            Ok(outcome) => {
                self.running = None;
                outcome
            }
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.running = None;
                None
            }
        }
    }

    /// On quitting: a save under way is waited for (it writes the file the user asked for);
    /// an export is stopped.
    fn finish(&mut self, app: &mut App) {
        let Some(r) = self.running.take() else {
            return;
        };
        if r.save {
            if let Ok(Some(a)) = r.done.recv() {
                let _ = update(app, a);
            }
        } else {
            r.cancel.store(true, Ordering::SeqCst);
        }
    }
}

/// A message on the channel after every change to `path` on disk, by whichever process,
/// until the receiver is dropped. The editor's own saves come too: it tells them apart by
/// content (see [`action::Action::FileChanged`]).
pub fn watch_file(path: &std::path::Path) -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut first = true;
        // A folder that cannot be watched (not there yet) only costs the notice.
        let _ = crate::watch::watch(&path, crate::watch::DEBOUNCE, || {
            if std::mem::take(&mut first) {
                return true;
            }
            tx.send(()).is_ok()
        });
    });
    rx
}

/// Applies an action and runs the effects it asks for, and those their outcomes ask for, one
/// after the other on this thread, until none is left (an analysis too, of the design at
/// hand).
pub fn apply(app: &mut App, action: Action) {
    let mut queue = std::collections::VecDeque::from([action]);
    while let Some(a) = queue.pop_front() {
        for e in update(app, a) {
            match e {
                effects::Effect::Analyze { generation, .. } => {
                    queue.push_back(analysis_of(&app.design, generation));
                }
                e => queue.extend(effects::run(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analyst_follows_the_history_and_finds_what_the_analyzer_finds() {
        let mut app = App::new(
            crate::templates::template("distributed").expect("template"),
            None,
        );
        app.analyze_off_thread_from = 0;
        let mut runner = Runner::default();
        // Opening sends the whole design; every edit after it only its steps.
        app.analyst_has_design = false;
        app.generation += 1;
        runner.apply(&mut app, Action::Resize(160, 48));
        app.selection = state::Selection::Component("nginx".into());
        for a in [Action::Delete, Action::Undo, Action::Redo] {
            runner.apply(&mut app, a);
            assert!(
                app.derived.catching_up(app.generation),
                "shown as catching up"
            );
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while app.derived.catching_up(app.generation) {
            assert!(
                std::time::Instant::now() < deadline,
                "the analysis never came"
            );
            if let Some(a) = runner.finished() {
                runner.apply(&mut app, a);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let direct = derived::reviewed_findings(&app.design);
        assert_eq!(app.derived.findings, direct.findings);
        assert_eq!(app.derived.open_findings, direct.open);
        assert_eq!(app.derived.figures, direct.figures);
        assert!(app.design.component("nginx").is_none());
    }

    /// Feeds `batches` of queued events to the loop's drain, drawing once after each as the
    /// loop does; the frames drawn.
    fn run_batches(app: &mut App, batches: Vec<Vec<Event>>) -> usize {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("terminal");
        let mut runner = Runner::default();
        let mut frames = 0;
        for batch in batches {
            let mut queue = std::collections::VecDeque::from(batch);
            let Some(first) = queue.pop_front() else {
                continue;
            };
            drain(
                app,
                &mut runner,
                first,
                &mut || Ok(queue.pop_front()),
                &|| false,
                false,
            )
            .expect("drain");
            assert!(queue.is_empty(), "the batch was drained before drawing");
            terminal.draw(|f| view::draw(f, app)).expect("draw");
            frames += 1;
        }
        frames
    }

    #[test]
    fn held_move_keys_queued_before_a_frame_are_one_edit_and_one_frame() {
        use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
        let mut app = App::new(
            crate::templates::template("distributed").expect("template"),
            None,
        );
        update(&mut app, Action::Resize(160, 48));
        let i = 1;
        app.selection = state::Selection::Component(app.design.components[i].id.clone());
        let key = Event::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT));
        let Some(Action::Nudge(dx, 0)) = input::action_for_event(&app, key.clone()) else {
            panic!("shift-right moves the selected box");
        };
        let (x0, generation, steps) = (
            app.derived.layout.boxes[i].x,
            app.generation,
            app.history.undo_steps(),
        );
        // 50 repeats of a held key waiting when the loop next reads: one batch.
        assert_eq!(run_batches(&mut app, vec![vec![key.clone(); 50]]), 1);
        assert_eq!(app.derived.layout.boxes[i].x, x0 + 50 * dx);
        assert_eq!(app.generation, generation + 1, "one edit, one derivation");
        assert_eq!(app.history.undo_steps(), steps + 1);
        // Keys that come while a frame is drawn wait for the next batch: a frame each, and
        // still one step to undo.
        let frames = run_batches(&mut app, vec![vec![key.clone(); 30], vec![key.clone(); 20]]);
        assert_eq!(frames, 2);
        assert_eq!(app.derived.layout.boxes[i].x, x0 + 100 * dx);
        assert_eq!(app.generation, generation + 3);
        assert_eq!(app.history.undo_steps(), steps + 1);
        // A key that is not a move is applied in its place in the batch: the two moves before
        // it join the run, the undo takes the run back, the move after it is a step of its
        // own.
        let undo = Event::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::NONE));
        let frames = run_batches(&mut app, vec![vec![key.clone(), key.clone(), undo, key]]);
        assert_eq!(frames, 1);
        assert_eq!(app.generation, generation + 3 + 3);
        assert_eq!(app.derived.layout.boxes[i].x, x0 + dx);
        assert_eq!(app.history.undo_steps(), steps + 1);
    }

    #[test]
    fn a_missing_file_starts_a_new_design_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("shop.toml");
        let app = open(Some(p.clone())).expect("a new design");
        assert_eq!(app.design.name, "shop");
        assert_eq!(app.path.as_deref(), Some(p.as_path()));
        assert!(!p.exists(), "nothing is written before a save");
    }

    #[test]
    fn an_invalid_file_is_an_error_before_any_terminal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("bad.toml");
        std::fs::write(&p, "version = 1\n").expect("write");
        assert!(open(Some(p)).is_err());
        assert!(open(Some(dir.path().join("x.txt"))).is_err());
    }

    #[test]
    fn the_recent_list_round_trips_and_forgets_missing_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let list = dir.path().join("state/infraplan/recent");
        let kept = dir.path().join("a.toml");
        std::fs::write(&kept, "").expect("write");
        recent::store(&list, &[kept.clone(), dir.path().join("gone.toml")]);
        assert_eq!(recent::load(&list), vec![kept]);
    }

    #[test]
    fn recovery_goes_beside_the_design_first() {
        let c = term::recovery_candidates(Some(std::path::Path::new("/x/site.toml")));
        assert!(c[0].starts_with("/x"));
        assert!(c[0].to_string_lossy().contains("site.recovered-"));
        assert!(
            c.last()
                .is_some_and(|p| p.starts_with(std::env::temp_dir()))
        );
    }
}
