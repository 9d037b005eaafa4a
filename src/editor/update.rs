//! The one function that changes the editor's state: [`update`] applies an [`Action`] and
//! returns the [`Effect`]s (saving, opening, exporting, storing the recent list) the loop is
//! to run; their outcomes come back as [`Action::Done`]. Nothing here touches the terminal or
//! the view, so the tests drive the editor by building an `App` and applying actions.

mod files;
mod place;

use super::action::{Action, Hit, Outcome};
use super::describe;
use super::duplicate::{self, Onto};
use super::effects::Effect;
use super::form::{self, Form, Target};
use super::history::{Change, EditKey};
use super::navigate::{self, Dir};
use super::picker::{self, Families, Item, Pick, Picker};
use super::state::{
    App, Busy, Confirm, Drag, Message, Mode, Pending, PromptKind, Purpose, Selection, StartItem,
};
use super::textinput::{Edit, TextInput};
use crate::layout;
use crate::model::{Component, Design, Kind, Link, Protocol};
use std::path::PathBuf;

use place::put_on_server;
pub use place::{add_component, default_protocol};

impl App {
    pub(super) fn say(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn warn(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    fn effect(&mut self, e: Effect) {
        self.outbox.push(e);
    }

    /// Asks for a slow effect (a save, an export), which the loop runs off the UI thread
    /// while the status bar says what is going on; one at a time.
    fn slow_effect(&mut self, e: Effect, what: String, cancellable: bool) {
        if let Some(b) = &self.busy {
            let how = if b.cancellable { " (Esc stops it)" } else { "" };
            self.warn(format!("still {}{how}: try again when it is done", b.what));
            return;
        }
        self.busy = Some(Busy {
            what,
            since: std::time::Instant::now(),
            cancellable,
        });
        self.outbox.push(e);
    }

    /// Applies a change to the design as one undoable step. The change is refused, and the
    /// design left as it was, when it would make the design invalid.
    pub fn edit(&mut self, f: impl FnOnce(&mut Design) -> Result<(), String>) -> bool {
        self.edit_keyed(EditKey::Other, f)
    }

    /// Puts component `id` at `(x, y)`, one step of the run of moves of that box. Both
    /// coordinates set is always valid, so the design is not validated again: on a large
    /// design that is most of what a move costs.
    fn move_to(&mut self, id: &str, x: i32, y: i32) -> bool {
        let Some(i) = self.derived.component_index_of(&self.design, id) else {
            return false;
        };
        let c = &mut self.design.components[i];
        (c.x, c.y) = (Some(x), Some(y));
        let key = EditKey::Move(id.to_string());
        if !self.history.record_component(key, &mut self.design, i) {
            return false;
        }
        self.moved_since = Some((self.generation, i));
        self.generation += 1;
        self.derive();
        true
    }

    fn edit_keyed(
        &mut self,
        key: EditKey,
        f: impl FnOnce(&mut Design) -> Result<(), String>,
    ) -> bool {
        // The change is made in place; the history finds what it changed, and takes it back
        // when it is refused.
        if let Err(e) = f(&mut self.design) {
            self.history.revert(&mut self.design);
            self.warn(e);
            return false;
        }
        if let Some(p) = crate::validate::validate(&self.design).first() {
            let message = format!("not changed: {}", p.message);
            self.history.revert(&mut self.design);
            self.warn(message);
            return false;
        }
        // An edit that leaves a server among another zone's or network's servers (its zone
        // changed, a box added where it does not belong) places the servers by zone, in the
        // same undo step.
        let placed = layout::untangle(&mut self.design);
        let recorded = self.record(key);
        if recorded && placed.is_some() {
            self.placed = placed;
        }
        recorded
    }

    /// Why moving component `i` to `(x, y)` would make a zone's or a network's frame lie, if
    /// it would (a server's frame grown into another zone's, a box under a frame it is not in).
    fn move_would_lie(&mut self, i: usize, x: i32, y: i32) -> Option<String> {
        let d = &self.design;
        if d.zones.is_empty() && d.servers.iter().all(|s| s.network.is_none()) {
            return None;
        }
        let c = &mut self.design.components[i];
        let was = (c.x, c.y);
        (c.x, c.y) = (Some(x), Some(y));
        let why = layout::frame_conflict(&self.design, &layout::layout(&self.design));
        let c = &mut self.design.components[i];
        (c.x, c.y) = was;
        why
    }

    /// Makes the change just made to the design one undoable step and derives again.
    fn record(&mut self, key: EditKey) -> bool {
        if !self.history.record(key, &mut self.design) {
            return false;
        }
        self.generation += 1;
        self.derive();
        true
    }

    fn undo(&mut self) {
        let moved = self.history.next_undo().and_then(Change::moved_component);
        let before = self.copy_to_describe();
        if self.history.undo(&mut self.design) {
            let what = before.map_or_else(
                || "one step".to_string(),
                |b| describe::describe(&self.design, &b),
            );
            self.moved_since = moved.map(|i| (self.generation, i));
            self.after_history(&format!("undid: {what} (redo: Ctrl-Y)"));
        } else {
            self.say("nothing to undo");
        }
    }

    fn redo(&mut self) {
        let moved = self.history.next_redo().and_then(Change::moved_component);
        let before = self.copy_to_describe();
        if self.history.redo(&mut self.design) {
            let what = before.map_or_else(
                || "one step".to_string(),
                |b| describe::describe(&b, &self.design),
            );
            self.moved_since = moved.map(|i| (self.generation, i));
            self.after_history(&format!("redid: {what}"));
        } else {
            self.say("nothing to redo");
        }
    }

    /// The design as it is, for saying what an undo or redo changed; none for very large
    /// designs, whose step is just "one step" (so it costs no copy and no comparison).
    fn copy_to_describe(&self) -> Option<Design> {
        (self.design.components.len() <= 5_000).then(|| self.design.clone())
    }

    fn after_history(&mut self, what: &str) {
        self.generation += 1;
        self.derive();
        self.say(what);
    }

    /// The canvas rectangle of the selection.
    fn selection_rect(&self) -> Option<layout::Rect> {
        match &self.selection {
            Selection::Component(_) => self
                .selected_component()
                .and_then(|i| self.derived.layout.boxes.get(i).copied()),
            Selection::Server(_) => {
                let s = self.selected_server()?;
                self.derived
                    .layout
                    .frames
                    .iter()
                    .find(|(i, _)| *i == s)
                    .map(|(_, r)| *r)
            }
            Selection::Link(i) => self
                .derived
                .routes
                .iter()
                .find(|r| r.link == *i)
                .map(|r| r.bounds()),
            Selection::None => None,
        }
    }

    /// Centres the view on the selection.
    fn center(&mut self) {
        let Some(r) = self.selection_rect() else {
            self.fit_view();
            return;
        };
        let c = self.screen().canvas;
        let (cx, cy) = r.center();
        self.view = (cx - i32::from(c.width) / 2, cy - i32::from(c.height) / 2);
    }

    /// Scrolls the least needed for the selection to be on screen.
    fn reveal(&mut self) {
        let Some(r) = self.selection_rect() else {
            return;
        };
        let c = self.screen().canvas;
        let (w, h) = (i32::from(c.width), i32::from(c.height));
        if w == 0 || h == 0 {
            return;
        }
        let (mut vx, mut vy) = self.view;
        if r.right() > vx + w {
            vx = r.right() - w;
        }
        if r.x < vx {
            vx = r.x;
        }
        if r.bottom() > vy + h {
            vy = r.bottom() - h;
        }
        if r.y < vy {
            vy = r.y;
        }
        self.view = (vx, vy);
    }

    /// The selectable things in Tab order: components, then servers, then links.
    fn selectables(&self) -> Vec<Selection> {
        let d = &self.design;
        d.components
            .iter()
            .map(|c| Selection::Component(c.id.clone()))
            .chain(d.servers.iter().map(|s| Selection::Server(s.id.clone())))
            .chain((0..d.links.len()).map(Selection::Link))
            .collect()
    }

    fn cycle(&mut self, forward: bool, components_only: bool) {
        let mut all = self.selectables();
        if components_only {
            all.retain(|s| matches!(s, Selection::Component(_)));
        }
        if all.is_empty() {
            return;
        }
        let n = all.len();
        let next = match all.iter().position(|s| *s == self.selection) {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None if forward => 0,
            None => n - 1,
        };
        self.selection = all.swap_remove(next);
        self.reveal();
    }

    /// Selects the component nearest to the selected one in a direction (connect mode).
    fn select_towards(&mut self, dx: i32, dy: i32) {
        let Some(cur) = self.selected_component() else {
            self.cycle(true, true);
            return;
        };
        let Some(dir) = Dir::of(dx, dy) else {
            return;
        };
        let rect = |b: &layout::Rect| (b.x, b.y, b.w, b.h);
        let boxes = &self.derived.layout.boxes;
        let from = rect(&boxes[cur]);
        let others = boxes
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != cur)
            .map(|(i, b)| (i, rect(b)));
        if let Some(i) = navigate::nearest(from, others, dir) {
            self.selection = Selection::Component(self.design.components[i].id.clone());
            self.reveal();
        }
    }
}

/// How many entries the menu of the current mode has.
fn menu_len(app: &App) -> usize {
    match &app.mode {
        Mode::Start { .. } => app.start_items().len(),
        // The kinds of component, then zones.
        Mode::Palette { .. } => Kind::ALL.len() + 1,
        Mode::Place { .. } => 2 + app.design.servers.len(),
        Mode::Protocol { .. } => Protocol::ALL.len(),
        Mode::Duplicate { .. } => app.menu_items().len(),
        _ => 0,
    }
}

/// Applies one action: the only function that changes the editor's state. Returns the
/// effects the loop is to run; what follows from the design is up to date when it returns.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    update_mode(app, action);
    if let Some(why) = app.placed.take() {
        let placed = super::state::placed_by_zone(&why);
        match app.message.take() {
            Some(m) => app.warn(format!("{} · {placed}", m.text)),
            None => app.warn(placed),
        }
    }
    // However far a user pans, canvas arithmetic stays far from overflowing.
    const FAR: i32 = 1 << 24;
    app.view = (app.view.0.clamp(-FAR, FAR), app.view.1.clamp(-FAR, FAR));
    app.derive();
    std::mem::take(&mut app.outbox)
}

fn update_mode(app: &mut App, action: Action) {
    if let Action::Resize(w, h) = action {
        app.size = (w, h);
        let shown = app.show_panel;
        app.auto_panel();
        if app.show_panel != shown {
            app.fit_view();
        }
        return;
    }
    if action == Action::FileChanged {
        app.file_changed();
        return;
    }
    if action == Action::FadeMessage {
        app.message = None;
        return;
    }
    if let Action::Done(Outcome::Analyzed(a)) = action {
        app.derived.take_analysis(&app.design, *a);
        return;
    }
    if let Action::Done(outcome) = action {
        app.done(outcome);
        return;
    }
    // Esc on the canvas stops a slow effect before it deselects anything.
    if action == Action::Cancel
        && app.mode == Mode::Normal
        && let Some(b) = app.busy.take_if(|b| b.cancellable)
    {
        app.effect(Effect::Cancel);
        app.say(format!("stopped {}: nothing was written", b.what));
        return;
    }
    match app.mode.clone() {
        Mode::Start { sel } => update_start(app, sel, action),
        Mode::Normal => update_normal(app, action),
        Mode::Palette { sel } => update_menu(app, sel, action),
        Mode::Place { .. } | Mode::Protocol { .. } | Mode::Duplicate { .. } => {
            let sel = match app.mode {
                Mode::Place { sel, .. }
                | Mode::Protocol { sel, .. }
                | Mode::Duplicate { sel, .. } => sel,
                _ => 0,
            };
            update_menu(app, sel, action)
        }
        Mode::Connect { from } => update_connect(app, from, action),
        Mode::Form(form) => update_form(app, form, action),
        Mode::Prompt { kind, input } => update_prompt(app, kind, input, action),
        Mode::Pick { picker, purpose } => update_pick(app, picker, purpose, action),
        Mode::Confirm(c) => update_confirm(app, c, action),
        Mode::Help { scroll } => match action {
            Action::Down => app.mode = Mode::Help { scroll: scroll + 1 },
            Action::Up => {
                app.mode = Mode::Help {
                    scroll: scroll.saturating_sub(1),
                }
            }
            Action::Scroll(_, dy) => {
                app.mode = Mode::Help {
                    scroll: scroll.saturating_add_signed(dy as i16),
                }
            }
            Action::Cancel | Action::Help | Action::Accept | Action::ClickAway => {
                app.mode = Mode::Normal
            }
            Action::Quit => request_quit(app),
            _ => {}
        },
    }
}

fn set_sel(app: &mut App, sel: usize) {
    let n = menu_len(app);
    let sel = if n == 0 { 0 } else { sel.min(n - 1) };
    match &mut app.mode {
        Mode::Start { sel: s }
        | Mode::Palette { sel: s }
        | Mode::Place { sel: s, .. }
        | Mode::Protocol { sel: s, .. }
        | Mode::Duplicate { sel: s, .. } => *s = sel,
        _ => {}
    }
}

fn update_start(app: &mut App, sel: usize, action: Action) {
    match action {
        Action::Up => set_sel(app, sel.saturating_sub(1)),
        Action::Down => set_sel(app, sel + 1),
        Action::PickItem(i) => {
            set_sel(app, i);
            update_start(app, i, Action::Accept);
        }
        Action::Accept => match app.start_items().get(sel).cloned() {
            Some(StartItem::Empty) | None => {
                app.mode = Mode::Normal;
                app.say("new design: press a to add a component");
            }
            Some(StartItem::Template(i)) => {
                if let Some(d) = crate::templates::TEMPLATES
                    .get(i)
                    .and_then(|t| crate::templates::template(t.0))
                {
                    app.replace(d, None, None);
                    app.say("template opened: Ctrl-S asks where to save it");
                }
            }
            Some(StartItem::Recent(path)) => app.effect(Effect::Load { path }),
        },
        Action::Open => open_prompt(app),
        Action::Quit | Action::Cancel => app.quit = true,
        Action::Help => app.mode = Mode::Help { scroll: 0 },
        _ => {}
    }
}

fn open_prompt(app: &mut App) {
    app.mode = Mode::Prompt {
        kind: PromptKind::Open,
        input: TextInput::default(),
    };
}

fn request_quit(app: &mut App) {
    if app.dirty() {
        app.mode = Mode::Confirm(Confirm::Quit);
    } else {
        app.quit = true;
    }
}

fn update_normal(app: &mut App, action: Action) {
    match action {
        Action::Quit => request_quit(app),
        Action::Save => app.save(),
        Action::SaveAs => app.save_as_prompt(),
        Action::Open => open_prompt(app),
        Action::Export => {
            let base = app.path.as_ref().map_or_else(
                || PathBuf::from(files::slug(&app.design.name)),
                |p| p.clone(),
            );
            app.mode = Mode::Prompt {
                kind: PromptKind::Export,
                input: TextInput::new(base.with_extension("svg").display().to_string()),
            };
        }
        Action::Undo => app.undo(),
        Action::Redo => app.redo(),
        Action::Help => app.mode = Mode::Help { scroll: 0 },
        Action::Cancel => {
            if app.finding.is_some() {
                app.finding = None;
            } else {
                app.selection = Selection::None;
            }
        }
        Action::Nudge(dx, dy) => match app.selected_component() {
            Some(i) => move_component(app, i, dx, dy),
            None => update_normal(app, Action::Pan(dx, dy)),
        },
        Action::Pan(dx, dy) => app.view = (app.view.0 + dx, app.view.1 + dy),
        Action::SelectToward(dx, dy) => match app.selection {
            Selection::None => update_normal(app, Action::Pan(dx * 4, dy * 2)),
            _ => app.select_towards(dx, dy),
        },
        Action::Center => app.center(),
        Action::Fit => {
            app.fit_view();
            app.say("the whole design in view");
        }
        Action::GoTo => {
            let items = picker::items(&app.design, &app.derived.findings, Families::ALL);
            app.mode = Mode::Pick {
                picker: Picker::new("Go to", items),
                purpose: Purpose::GoTo,
            };
        }
        Action::Duplicate => match &app.selection {
            Selection::Component(id) => {
                app.mode = Mode::Duplicate {
                    component: id.clone(),
                    sel: 2,
                    links: true,
                }
            }
            _ => app.warn("select a component to duplicate it"),
        },
        Action::ToggleMouse => {
            app.mouse = !app.mouse;
            app.say(if app.mouse {
                "mouse on: click, drag and wheel work (M turns it off)"
            } else {
                "mouse off: the terminal selects text as usual (M turns it on)"
            });
        }
        Action::SelectNext => app.cycle(true, false),
        Action::SelectPrev => app.cycle(false, false),
        Action::SelectServer => {
            if let Some(s) = app
                .selected_component()
                .and_then(|i| app.design.components[i].server.clone())
            {
                app.selection = Selection::Server(s);
            }
        }
        Action::SelectLink => select_link(app),
        Action::Add => app.mode = Mode::Palette { sel: 0 },
        Action::Connect => match app.selected_component() {
            Some(i) => {
                let from = app.design.components[i].id.clone();
                app.say(format!(
                    "connect `{from}` to…: pick the target (arrows, Tab or click), Enter"
                ));
                app.mode = Mode::Connect { from };
            }
            None => app.warn("select the component the link starts from first"),
        },
        Action::Delete => delete(app),
        Action::Rename => {
            let id = match &app.selection {
                Selection::Component(id) | Selection::Server(id) => id.clone(),
                _ => {
                    app.warn("select a component or a server to rename");
                    return;
                }
            };
            app.mode = Mode::Prompt {
                kind: PromptKind::Rename,
                input: TextInput::new(id),
            };
        }
        Action::Edit | Action::Accept => {
            let target = match &app.selection {
                Selection::Component(id) => Target::Component(id.clone()),
                Selection::Server(id) => Target::Server(id.clone()),
                Selection::Link(i) => Target::Link(*i),
                Selection::None => Target::Design,
            };
            app.mode = Mode::Form(Form::new(&app.design, target));
        }
        Action::PlaceOnServer => match &app.selection {
            Selection::Component(id) => {
                app.mode = Mode::Place {
                    component: id.clone(),
                    sel: 0,
                }
            }
            _ => app.warn("select a component to put it on a server"),
        },
        Action::Arrange => {
            let arranged = app.edit(|d| {
                layout::arrange(d);
                Ok(())
            });
            if arranged {
                app.fit_view();
                app.say("arranged: clients on the left, then the tiers, data on the right");
            }
        }
        Action::ToggleFailed => {
            let id = match &app.selection {
                Selection::Component(id) | Selection::Server(id) => id.clone(),
                _ => {
                    app.warn("select a component or a server to fail it");
                    return;
                }
            };
            if !app.failed.remove(&id) {
                app.failed.insert(id);
            }
            app.derive();
            match &app.derived.impact {
                Some(i) => {
                    let text = format!("simulated failure: the site loses {}", i.loss.describe());
                    app.say(text);
                }
                None => app.say("no failure simulated"),
            }
        }
        Action::TogglePanel => {
            app.show_panel = !app.show_panel;
            app.panel_chosen = true;
            app.fit_view();
            app.say(if app.show_panel {
                "findings panel shown"
            } else {
                "findings panel hidden; the status bar keeps the counts"
            });
        }
        Action::ClearFailures => {
            app.failed.clear();
            app.say("failures cleared");
        }
        Action::NextFinding | Action::PrevFinding => {
            let n = app.derived.findings.len();
            if n == 0 {
                app.say("no findings");
                return;
            }
            app.finding = Some(match (app.finding, action == Action::NextFinding) {
                (None, true) => 0,
                (None, false) => n - 1,
                (Some(i), true) => (i + 1) % n,
                (Some(i), false) => (i + n - 1) % n,
            });
            reveal_finding(app);
        }
        Action::PickFinding(i) => {
            app.finding = if app.finding == Some(i) {
                None
            } else {
                Some(i)
            };
            reveal_finding(app);
        }
        Action::Press { x, y, hit } => press(app, x, y, hit),
        Action::DragTo { x, y, inside } => drag(app, x, y, inside),
        Action::Release => release(app),
        Action::Scroll(dx, dy) => app.view = (app.view.0 + dx * 4, app.view.1 + dy * 2),
        _ => {}
    }
}

/// The end of a drag: a box dropped into another server's frame moves onto that server, in
/// the same undo step as the move.
fn release(app: &mut App) {
    let Some(Drag::Component {
        id,
        moved: true,
        from,
        ..
    }) = app.drag.take()
    else {
        return;
    };
    let Some(ci) = app.design.components.iter().position(|c| c.id == id) else {
        return;
    };
    drop_onto_server(app, &id, ci);
    // A drop that leaves a zone's or a network's frame lying (a server's frame grown into
    // another zone's) puts the box back where the drag took it from, in the same step.
    if let Some(why) = layout::frame_conflict(&app.design, &app.derived.layout) {
        let (x, y) = from;
        app.edit_keyed(EditKey::Move(id.clone()), |d| {
            if let Some(c) = d.component_mut(&id) {
                (c.x, c.y) = (Some(x), Some(y));
            }
            Ok(())
        });
        app.warn(format!("not moved: {why}"));
    }
}

/// A box dropped into another server's frame moves onto that server.
fn drop_onto_server(app: &mut App, id: &str, ci: usize) {
    let id = id.to_string();
    let (cx, cy) = app.derived.layout.boxes[ci].center();
    let mut others = app.design.clone();
    let current = others.components.remove(ci).server;
    let frames = crate::layout::layout(&others).frames;
    let Some(server) = frames
        .iter()
        .rev()
        .find(|(_, f)| f.contains(cx, cy))
        .map(|(s, _)| others.servers[*s].id.clone())
    else {
        return;
    };
    if current.as_deref() == Some(server.as_str()) {
        return;
    }
    let target = server.clone();
    if app.edit_keyed(EditKey::Move(id.clone()), |d| {
        if let Some(c) = d.component_mut(&id) {
            c.server = Some(target);
        }
        Ok(())
    }) {
        app.say(format!("`{id}` is now on server `{server}`"));
    }
}

fn reveal_finding(app: &mut App) {
    let Some(f) = app.finding_selected() else {
        return;
    };
    let index = app.design.component_index();
    let rects: Vec<layout::Rect> = f
        .components
        .iter()
        .filter_map(|c| index.get(c.as_str()))
        .filter_map(|&i| app.derived.layout.boxes.get(i).copied())
        .chain(f.servers.iter().filter_map(|s| {
            let si = app.design.servers.iter().position(|x| &x.id == s)?;
            app.derived
                .layout
                .frames
                .iter()
                .find(|(i, _)| *i == si)
                .map(|(_, r)| *r)
        }))
        .collect();
    let Some(u) = rects.into_iter().reduce(|a, b| a.union(&b)) else {
        return;
    };
    let c = app.screen().canvas;
    let (w, h) = (i32::from(c.width), i32::from(c.height));
    let (vx, vy) = app.view;
    let visible = u.x >= vx && u.y >= vy && u.right() <= vx + w && u.bottom() <= vy + h;
    if !visible {
        let (cx, cy) = u.center();
        app.view = (cx - w / 2, cy - h / 2);
    }
}

/// `o`: the next of all the links touching the component `o` started from, whichever way
/// they go (replication and monitoring links too), saying which of how many it is.
fn select_link(app: &mut App) {
    let anchor = match &app.selection {
        Selection::Component(id) => Some(id.clone()),
        Selection::Link(i) => app.design.links.get(*i).map(|l| match &app.link_anchor {
            Some(a) if l.from == *a || l.to == *a => a.clone(),
            _ => l.from.clone(),
        }),
        _ => None,
    };
    let Some(id) = anchor else {
        if !app.design.links.is_empty() {
            app.selection = Selection::Link(0);
        }
        return;
    };
    let touching: Vec<usize> = app
        .design
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.from == id || l.to == id)
        .map(|(i, _)| i)
        .collect();
    if touching.is_empty() {
        app.say(format!("`{id}` has no links"));
        return;
    }
    let next = match &app.selection {
        Selection::Link(cur) => touching
            .iter()
            .position(|i| i == cur)
            .map_or(0, |p| (p + 1) % touching.len()),
        _ => 0,
    };
    let i = touching[next];
    app.selection = Selection::Link(i);
    app.link_anchor = Some(id.clone());
    let l = &app.design.links[i];
    app.say(format!(
        "link {} of {} of `{id}`: `{}` → `{}` over {} (o: the next one)",
        next + 1,
        touching.len(),
        l.from,
        l.to,
        l.protocol
    ));
}

fn move_component(app: &mut App, i: usize, dx: i32, dy: i32) {
    let id = app.design.components[i].id.clone();
    let b = app.derived.layout.boxes[i];
    let (x, y) = (b.x.saturating_add(dx), b.y.saturating_add(dy));
    if let Some(why) = app.move_would_lie(i, x, y) {
        app.warn(format!("not moved: {why}"));
        return;
    }
    app.move_to(&id, x, y);
    app.reveal();
}

fn delete(app: &mut App) {
    match app.selection.clone() {
        Selection::Component(id) => {
            let n = app
                .design
                .links
                .iter()
                .filter(|l| l.from == id || l.to == id)
                .count();
            if app.edit(|d| {
                d.remove_component(&id);
                Ok(())
            }) {
                app.selection = Selection::None;
                app.say(format!("deleted `{id}` and its {n} link(s)"));
            }
        }
        Selection::Server(id) => {
            let records: Vec<String> = app
                .design
                .dns
                .iter()
                .filter(|r| r.target == id)
                .map(|r| app.design.record_name(&r.name))
                .collect();
            if records.is_empty() {
                delete_server(app, &id, None);
            } else {
                let to = entry_component(&app.design, &id);
                app.mode = Mode::Confirm(Confirm::DeleteServer { id, records, to });
            }
        }
        Selection::Link(i) => {
            if app.edit(|d| {
                if i < d.links.len() {
                    d.links.remove(i);
                }
                Ok(())
            }) {
                app.selection = Selection::None;
                app.say("deleted the link");
            }
        }
        Selection::None => app.warn("select something to delete"),
    }
}

/// The component on a server that traffic from outside it enters first (the one a link from
/// off the server reaches), or else its first component: where its DNS records can point
/// once the server is gone.
fn entry_component(design: &Design, server: &str) -> Option<String> {
    let on: Vec<&Component> = design
        .components
        .iter()
        .filter(|c| c.server.as_deref() == Some(server))
        .collect();
    let on_server = |id: &str| on.iter().any(|c| c.id == id);
    on.iter()
        .find(|c| {
            design
                .links
                .iter()
                .any(|l| l.to == c.id && !on_server(&l.from))
        })
        .or(on.first())
        .map(|c| c.id.clone())
}

/// Deletes a server in one undoable step: its DNS records point at `retarget` instead, or
/// are deleted with it.
fn delete_server(app: &mut App, id: &str, retarget: Option<&str>) {
    let records: Vec<String> = app
        .design
        .dns
        .iter()
        .filter(|r| r.target == id)
        .map(|r| app.design.record_name(&r.name))
        .collect();
    if app.edit(|d| {
        if let Some(to) = retarget {
            for r in d.dns.iter_mut().filter(|r| r.target == id) {
                r.target = to.to_string();
            }
        }
        d.remove_server(id);
        Ok(())
    }) {
        app.selection = Selection::None;
        let dns = match (records.len(), retarget) {
            (0, _) => String::new(),
            (1, Some(to)) => format!("; {} now points at `{to}`", records[0]),
            (_, Some(to)) => format!("; {} now point at `{to}`", records.join(", ")),
            (1, None) => format!("; deleted its DNS record {}", records[0]),
            (_, None) => format!("; deleted its DNS records {}", records.join(", ")),
        };
        app.say(format!(
            "deleted server `{id}`; its components stay, on no server{dns} · u undoes"
        ));
    }
}

/// The button went down on the canvas: select what is there; a box starts a move, the
/// empty canvas a pan.
fn press(app: &mut App, x: i32, y: i32, hit: Hit) {
    match hit {
        Hit::Component(i) => {
            let (Some(b), Some(c)) = (
                app.derived.layout.boxes.get(i),
                app.design.components.get(i),
            ) else {
                return;
            };
            let id = c.id.clone();
            app.drag = Some(Drag::Component {
                id: id.clone(),
                dx: x - b.x,
                dy: y - b.y,
                moved: false,
                from: (b.x, b.y),
            });
            app.selection = Selection::Component(id);
        }
        Hit::Link(l) => app.selection = Selection::Link(l),
        Hit::Server(s) => {
            if let Some(s) = app.design.servers.get(s) {
                app.selection = Selection::Server(s.id.clone());
            }
        }
        Hit::Nothing => {
            app.selection = Selection::None;
            app.drag = Some(Drag::Pan { grab: (x, y) });
        }
    }
}

/// The pointer moved to canvas cell `(x, y)` with the button held.
fn drag(app: &mut App, x: i32, y: i32, inside: bool) {
    match app.drag.clone() {
        Some(Drag::Component {
            id,
            dx,
            dy,
            moved,
            from,
        }) => {
            if !inside {
                return;
            }
            if !moved {
                // A new drag is a new undo step even right after moving the same box by keys.
                app.history.break_run();
            }
            app.move_to(&id, x - dx, y - dy);
            app.drag = Some(Drag::Component {
                id,
                dx,
                dy,
                moved: true,
                from,
            });
        }
        // The grabbed cell comes back under the pointer.
        Some(Drag::Pan { grab }) => {
            app.view = (app.view.0 + grab.0 - x, app.view.1 + grab.1 - y);
        }
        None => {}
    }
}

fn update_menu(app: &mut App, sel: usize, action: Action) {
    if let Mode::Duplicate { links, .. } = &mut app.mode
        && matches!(action, Action::Left | Action::Right | Action::Char(' '))
    {
        *links = !*links;
        return;
    }
    match action {
        Action::Up | Action::Left => set_sel(app, sel.saturating_sub(1)),
        Action::Down | Action::Right => set_sel(app, sel + 1),
        Action::Scroll(_, dy) => set_sel(app, sel.saturating_add_signed(dy as isize)),
        Action::Cancel => {
            if let Mode::Place { component, .. } = &app.mode {
                app.say(format!("`{component}` left where it is"));
            }
            app.mode = Mode::Normal;
        }
        Action::PickItem(i) => {
            set_sel(app, i);
            update_menu(app, i, Action::Accept);
        }
        Action::ClickAway => app.mode = Mode::Normal,
        Action::Char(c) if matches!(app.mode, Mode::Palette { .. }) => {
            // Type-ahead: jump to the next entry whose name starts with the letter.
            let n = Kind::ALL.len() + 1;
            let title = |i: usize| {
                Kind::ALL
                    .get(i)
                    .map_or(super::state::PALETTE_ZONE, |k| k.title())
                    .to_lowercase()
            };
            if let Some(i) = (1..=n)
                .map(|k| (sel + k) % n)
                .find(|&i| title(i).starts_with(c))
            {
                set_sel(app, i);
            }
        }
        Action::Accept => accept_menu(app, sel),
        Action::Quit => app.mode = Mode::Normal,
        _ => {}
    }
}

fn accept_menu(app: &mut App, sel: usize) {
    match app.mode.clone() {
        Mode::Palette { .. } => match Kind::ALL.get(sel) {
            Some(&kind) => add_component(app, kind),
            None => {
                let title = if app.design.zones.is_empty() {
                    "New zone: type its id"
                } else {
                    "Zone to edit (or type a new one)"
                };
                app.mode = Mode::Pick {
                    picker: Picker::new(title, picker::zones(&app.design)),
                    purpose: Purpose::Zone,
                };
            }
        },
        Mode::Place { component, .. } => {
            app.mode = Mode::Normal;
            put_on_server(app, &component, sel);
        }
        Mode::Duplicate {
            component, links, ..
        } => {
            if sel == 0 {
                if let Mode::Duplicate { links, .. } = &mut app.mode {
                    *links = !*links;
                }
                return;
            }
            let here = app
                .design
                .component(&component)
                .and_then(|c| c.server.clone());
            let onto = match sel {
                1 => Onto::Same,
                2 => Onto::NewServer,
                n => {
                    let others: Vec<String> = app
                        .design
                        .servers
                        .iter()
                        .filter(|s| Some(&s.id) != here.as_ref())
                        .map(|s| s.id.clone())
                        .collect();
                    match others.get(n - 3) {
                        Some(s) => Onto::Server(s.clone()),
                        None => return,
                    }
                }
            };
            app.mode = Mode::Normal;
            duplicate_component(app, &component, &onto, links);
        }
        Mode::Protocol { from, to, .. } => {
            app.mode = Mode::Normal;
            let Some(&protocol) = Protocol::ALL.get(sel) else {
                return;
            };
            let link = Link {
                from: from.clone(),
                to: to.clone(),
                protocol,
                port: protocol.default_port(),
                label: None,
            };
            if app.edit(|d| {
                d.links.push(link);
                Ok(())
            }) {
                // The source stays selected, so fanning out is c, target, Enter again.
                app.selection = Selection::Component(from.clone());
                app.say(format!(
                    "linked `{from}` → `{to}` over {protocol} (o selects the link)"
                ));
            }
        }
        _ => {}
    }
}
fn update_connect(app: &mut App, from: String, action: Action) {
    match action {
        Action::Cancel | Action::Quit => {
            app.mode = Mode::Normal;
            app.say("connect cancelled");
        }
        Action::Nudge(dx, dy) | Action::Pan(dx, dy) => app.select_towards(dx.signum(), dy.signum()),
        Action::Up => app.select_towards(0, -1),
        Action::Down => app.select_towards(0, 1),
        Action::Left => app.select_towards(-1, 0),
        Action::Right => app.select_towards(1, 0),
        Action::SelectNext => app.cycle(true, true),
        Action::SelectPrev => app.cycle(false, true),
        Action::SelectToward(dx, dy) => app.select_towards(dx, dy),
        Action::GoTo => {
            let items: Vec<Item> = picker::items(&app.design, &[], Families::LINK_ENDS)
                .into_iter()
                .filter(|i| i.pick != Pick::Component(from.clone()))
                .collect();
            app.mode = Mode::Pick {
                picker: Picker::new(format!("Link `{from}` to"), items),
                purpose: Purpose::LinkTarget { from },
            };
        }
        Action::Press {
            hit: Hit::Component(i),
            ..
        } => {
            if let Some(c) = app.design.components.get(i) {
                app.selection = Selection::Component(c.id.clone());
                update_connect(app, from, Action::Accept);
            }
        }
        Action::Scroll(dx, dy) => app.view = (app.view.0 + dx * 4, app.view.1 + dy * 2),
        Action::Accept => {
            let Some(to) = app.selected_component() else {
                return;
            };
            let to_c = &app.design.components[to];
            if to_c.id == from {
                app.warn("a link goes to another component: pick the target");
                return;
            }
            let from_kind = app.design.component(&from).map_or(Kind::Other, |c| c.kind);
            let proto = default_protocol(from_kind, to_c.kind);
            let sel = Protocol::ALL.iter().position(|&p| p == proto).unwrap_or(0);
            app.mode = Mode::Protocol {
                from,
                to: to_c.id.clone(),
                sel,
            };
        }
        _ => {}
    }
}

fn update_form(app: &mut App, mut form: Form, action: Action) {
    if let Some(mut buf) = form.editing.clone() {
        match action {
            Action::Cancel => {
                form.editing = None;
                app.mode = Mode::Form(form);
                return;
            }
            Action::Accept => {
                form.editing = None;
                commit_field(app, form, buf.text().to_string());
                return;
            }
            a => {
                if !type_into(&mut buf, &a) {
                    return;
                }
            }
        }
        form.editing = Some(buf);
        app.mode = Mode::Form(form);
        return;
    }
    match action {
        Action::Up => form.sel = form.sel.saturating_sub(1),
        Action::Down => form.sel = (form.sel + 1).min(form.fields.len().saturating_sub(1)),
        Action::Cancel | Action::Quit | Action::Edit => {
            app.mode = Mode::Normal;
            return;
        }
        Action::Left | Action::Right => {
            let Some(field) = form.fields.get(form.sel) else {
                return;
            };
            if let Some(next) = field.cycle(action == Action::Right) {
                commit_field(app, form, next);
                return;
            }
        }
        Action::Accept | Action::Char(' ') => {
            let Some(field) = form.fields.get(form.sel).cloned() else {
                return;
            };
            if field.read_only {
                return;
            }
            // Ids are chosen from a list, not typed; so are a choice field's values.
            if let Some(p) = field_picker(app, &form, &field) {
                app.mode = p;
                return;
            }
            form.editing = Some(TextInput::new(field.value.clone()));
        }
        Action::PickItem(i) => form.sel = i,
        Action::ClickAway => {
            app.mode = Mode::Normal;
            return;
        }
        Action::Undo => {
            app.undo();
            let sel = form.sel;
            form = Form::new(&app.design, form.target.clone());
            form.sel = sel.min(form.fields.len().saturating_sub(1));
            // Undoing what created the form's target (a new zone) closes the form.
            if form.fields.is_empty() {
                app.mode = Mode::Normal;
                return;
            }
        }
        Action::Delete => {
            match &form.target {
                Target::Zone(id) => delete_zone(app, &id.clone()),
                Target::Design => app.warn("the design itself cannot be deleted"),
                _ => {
                    // The form edits the selection: deleting it is `d` on the canvas.
                    app.mode = Mode::Normal;
                    delete(app);
                }
            }
            return;
        }
        Action::Save => {
            app.mode = Mode::Normal;
            app.save();
            return;
        }
        _ => {}
    }
    app.mode = Mode::Form(form);
}

fn commit_field(app: &mut App, mut form: Form, value: String) {
    let Some(field) = form.fields.get(form.sel).cloned() else {
        return;
    };
    let target = form.target.clone();
    let mut new_target = target.clone();
    let zones_before = app.design.zones.len();
    let ok = app.edit(|d| {
        new_target = form::apply(d, &target, field.name, &value)?;
        Ok(())
    });
    if ok {
        app.selection = match &new_target {
            Target::Component(id) => Selection::Component(id.clone()),
            Target::Server(id) => Selection::Server(id.clone()),
            Target::Link(i) => Selection::Link(*i),
            // A zone has no box: what was selected stays so.
            Target::Zone(_) => app.selection.clone(),
            Target::Design => Selection::None,
        };
        // A renamed zone or server that was failed stays failed under its new id.
        if let (Target::Zone(old) | Target::Server(old), Target::Zone(new) | Target::Server(new)) =
            (&target, &new_target)
            && old != new
            && app.failed.remove(old)
        {
            app.failed.insert(new.clone());
        }
        if app.design.zones.len() > zones_before {
            app.say(format!(
                "added zone `{}` and put the server in it (a, z, its id: its region and availability)",
                value.trim()
            ));
        } else {
            app.say(format!("{} set", field.name));
        }
    }
    let sel = form.sel;
    form = Form::new(&app.design, new_target);
    // The cursor stays on the field just set, though a field may have appeared before it.
    form.sel = form
        .fields
        .iter()
        .position(|f| f.name == field.name)
        .unwrap_or(sel)
        .min(form.fields.len().saturating_sub(1));
    app.mode = Mode::Form(form);
}

/// Types into a text input: characters, Backspace and the cursor keys. Whether the action
/// was one of those.
fn type_into(input: &mut TextInput, action: &Action) -> bool {
    match action {
        Action::Char(c) => input.apply(Edit::Insert(*c)),
        Action::Backspace => input.apply(Edit::Backspace),
        Action::TextEdit(e) => input.apply(*e),
        _ => return false,
    };
    true
}

/// The picker a form field is chosen with: ids of the design's things for link ends, DNS
/// targets, servers and clusters; the choices of a choice field. None for free text.
fn field_picker(app: &App, form: &Form, field: &form::Field) -> Option<Mode> {
    let families = match (&form.target, field.name) {
        (Target::Link(_), "from" | "to") => Some(Families::LINK_ENDS),
        (Target::Design, "dns target") => Some(Families::DNS_TARGETS),
        (Target::Component(_), "server") => Some(Families::SERVERS),
        (Target::Component(_), "cluster") => Some(Families::CLUSTERS),
        _ => None,
    };
    let zone = matches!(form.target, Target::Server(_)) && field.name == "zone";
    let region = matches!(form.target, Target::Zone(_)) && field.name == "region";
    let typed = field.name == "cluster" || zone || region;
    let none = || {
        Item::new(
            Pick::Other(form::NONE.to_string()),
            "",
            form::NONE.to_string(),
            String::new(),
        )
    };
    let items: Vec<Item> = match families {
        // A zone's region: the regions the zones name already, or a new one typed.
        None if region => std::iter::once(none())
            .chain(picker::regions(&app.design))
            .collect(),
        // A server's zone: the zones with their regions; a new id typed creates one.
        None if zone => std::iter::once(none())
            .chain(picker::zones(&app.design))
            .collect(),
        Some(f) => {
            let mut v = Vec::new();
            if matches!(field.name, "server" | "cluster") {
                v.push(Item::new(
                    Pick::Other(form::NONE.to_string()),
                    "",
                    form::NONE.to_string(),
                    String::new(),
                ));
            }
            v.extend(picker::items(&app.design, &[], f));
            v
        }
        None if !field.choices.is_empty() => field
            .choices
            .iter()
            .map(|c| Item::new(Pick::Other(c.clone()), "", c.clone(), String::new()))
            .collect(),
        None => return None,
    };
    let current = items
        .iter()
        .find(|i| i.pick.id() == Some(field.value.as_str()))
        .map(|i| i.pick.clone());
    let mut title = format!("{} of {}", field.name, form.title());
    if typed {
        title.push_str(" (or type a new one)");
    }
    let mut picker = Picker::new(title, items);
    if let Some(c) = current {
        picker = picker.preselect(&c);
    }
    Some(Mode::Pick {
        picker,
        purpose: Purpose::Field {
            form: Box::new(form.clone()),
            field: field.name,
            typed,
        },
    })
}

fn update_pick(app: &mut App, mut picker: Picker, purpose: Purpose, action: Action) {
    let back = |app: &mut App, purpose: Purpose| {
        app.mode = match purpose {
            Purpose::GoTo | Purpose::Zone => Mode::Normal,
            Purpose::LinkTarget { from } => Mode::Connect { from },
            Purpose::Field { form, .. } => Mode::Form(*form),
        }
    };
    match action {
        Action::Cancel | Action::ClickAway => return back(app, purpose),
        Action::Up => picker.up(),
        Action::Down => picker.down(),
        Action::Scroll(_, dy) => {
            if dy < 0 {
                picker.up()
            } else {
                picker.down()
            }
        }
        Action::PickItem(i) => {
            picker.sel = i.min(picker.matches.len().saturating_sub(1));
            return update_pick(app, picker, purpose, Action::Accept);
        }
        Action::Char(c) => picker.edit(Edit::Insert(c)),
        Action::Backspace => picker.edit(Edit::Backspace),
        Action::TextEdit(e) => picker.edit(e),
        Action::Accept => {
            let chosen = picker.chosen().map(|i| i.pick.clone());
            let typed = picker.query.text().trim().to_string();
            return choose(app, chosen, typed, purpose);
        }
        Action::Quit => return back(app, purpose),
        _ => {}
    }
    app.mode = Mode::Pick { picker, purpose };
}

/// What choosing `pick` (or, where a new value may be typed, `typed`) in a picker does.
fn choose(app: &mut App, pick: Option<Pick>, typed: String, purpose: Purpose) {
    match purpose {
        Purpose::GoTo => {
            app.mode = Mode::Normal;
            match pick {
                Some(Pick::Component(id)) => app.selection = Selection::Component(id),
                Some(Pick::Server(id)) => app.selection = Selection::Server(id),
                Some(Pick::Link(i)) => app.selection = Selection::Link(i),
                Some(Pick::Cluster(id)) => {
                    match app
                        .design
                        .components
                        .iter()
                        .find(|c| c.cluster.as_deref() == Some(&id))
                    {
                        Some(c) => app.selection = Selection::Component(c.id.clone()),
                        None => app.say(format!("cluster `{id}` has no members")),
                    }
                }
                Some(Pick::Finding(i)) => {
                    app.finding = Some(i);
                    reveal_finding(app);
                    return;
                }
                Some(Pick::Zone(id)) => {
                    // A zone or region is no item on the canvas: choosing it toggles its
                    // failure, every server in it at once.
                    let failing = !app.failed.remove(&id);
                    if failing {
                        app.failed.insert(id.clone());
                    }
                    app.derive();
                    let text = match (&app.derived.impact, failing) {
                        (Some(i), true) => format!(
                            "simulated failure of `{id}`: the site loses {}",
                            i.loss.describe()
                        ),
                        (Some(i), false) => {
                            format!("`{id}` is up again; the site loses {}", i.loss.describe())
                        }
                        (None, _) => "no failure simulated".to_string(),
                    };
                    app.say(text);
                    return;
                }
                Some(Pick::Other(_)) | None => {
                    app.say("nothing chosen");
                    return;
                }
            }
            app.reveal();
        }
        Purpose::LinkTarget { from } => {
            let Some(to) = pick.as_ref().and_then(Pick::id).map(str::to_string) else {
                app.mode = Mode::Connect { from };
                app.warn("nothing matches: choose a component or a cluster");
                return;
            };
            // A cluster's protocol is its members'.
            let kind_of = |id: &str| {
                app.design
                    .component(id)
                    .or_else(|| {
                        app.design
                            .components
                            .iter()
                            .find(|c| c.cluster.as_deref() == Some(id))
                    })
                    .map_or(Kind::Other, |c| c.kind)
            };
            let proto = default_protocol(kind_of(&from), kind_of(&to));
            let sel = Protocol::ALL.iter().position(|&p| p == proto).unwrap_or(0);
            app.mode = Mode::Protocol { from, to, sel };
        }
        Purpose::Zone => {
            let existing = pick
                .as_ref()
                .and_then(Pick::id)
                .filter(|_| typed.is_empty() || !picker_misses(&pick, &typed))
                .map(str::to_string);
            match existing {
                Some(id) => open_zone_form(app, &id, 1),
                None if typed.is_empty() => {
                    app.mode = Mode::Normal;
                    app.warn("type the new zone's id (eu-west-1a), Enter");
                }
                None => add_zone(app, &typed),
            }
        }
        Purpose::Field {
            form,
            typed: may_type,
            ..
        } => {
            let value = match pick.as_ref().and_then(Pick::id) {
                Some(id) if !(may_type && !typed.is_empty() && picker_misses(&pick, &typed)) => {
                    id.to_string()
                }
                _ if may_type && !typed.is_empty() => typed,
                _ => {
                    app.mode = Mode::Form(*form);
                    app.warn("nothing matches; Esc keeps the value");
                    return;
                }
            };
            commit_field(app, *form, value);
        }
    }
}

/// Creates zone `id` as one undoable step and opens its form on its region.
fn add_zone(app: &mut App, id: &str) {
    let id = id.trim().to_string();
    let new = id.clone();
    if !app.edit(|d| {
        if d.id_taken(&new) {
            return Err(format!(
                "`{new}` is already used: choose another id for the zone"
            ));
        }
        d.zones.push(crate::model::Zone {
            id: new,
            ..Default::default()
        });
        Ok(())
    }) {
        app.mode = Mode::Normal;
        return;
    }
    open_zone_form(app, &id, 1);
    app.say(format!(
        "added zone `{id}`: give its region and availability here; a server joins it in its own form (zone)"
    ));
}

/// Opens the form of zone `id` on field `sel`.
fn open_zone_form(app: &mut App, id: &str, sel: usize) {
    let mut form = Form::new(&app.design, Target::Zone(id.to_string()));
    form.sel = sel.min(form.fields.len().saturating_sub(1));
    app.mode = Mode::Form(form);
}

/// Deletes zone `id` as one undoable step: its servers stay, in no zone.
fn delete_zone(app: &mut App, id: &str) {
    let servers: Vec<String> = app
        .design
        .servers
        .iter()
        .filter(|s| s.zone.as_deref() == Some(id))
        .map(|s| format!("`{}`", s.id))
        .collect();
    if app.edit(|d| {
        d.remove_zone(id);
        Ok(())
    }) {
        app.mode = Mode::Normal;
        app.failed.remove(id);
        let rest = match servers.len() {
            0 => String::new(),
            1 => format!("; {} is in no zone now", servers[0]),
            _ => format!("; {} are in no zone now", crate::text::list(&servers)),
        };
        app.say(format!("deleted zone `{id}`{rest} · u undoes"));
    }
}

/// Whether a typed name is meant as a new value rather than the best match: it is no prefix
/// of the match's id.
fn picker_misses(pick: &Option<Pick>, typed: &str) -> bool {
    pick.as_ref()
        .and_then(Pick::id)
        .is_none_or(|id| !id.starts_with(typed))
}

/// Duplicates a component as one undoable step, places the copy and says what was made.
fn duplicate_component(app: &mut App, id: &str, onto: &Onto, links: bool) {
    let mut made = None;
    let ok = app.edit(|d| {
        made = Some(duplicate::duplicate(d, id, onto, links)?);
        super::state::place_unpositioned(d);
        Ok(())
    });
    let Some(made) = made.filter(|_| ok) else {
        return;
    };
    app.selection = Selection::Component(made.id.clone());
    app.reveal();
    let place = match (&made.server, made.new_server) {
        (Some(s), true) => format!(" on the new server `{s}`"),
        (Some(s), false) => format!(" on `{s}`"),
        (None, _) => String::new(),
    };
    let links = if made.links > 0 {
        format!(" with {}", crate::text::count(made.links, "link"))
    } else {
        String::new()
    };
    app.say(format!("duplicated `{id}` as `{}`{place}{links}", made.id));
}

fn update_prompt(app: &mut App, kind: PromptKind, mut input: TextInput, action: Action) {
    match action {
        Action::Cancel | Action::Quit => {
            // Back where the prompt came from: the start screen when nothing is open yet.
            let nothing_open =
                app.path.is_none() && !app.dirty() && app.design.components.is_empty();
            app.mode = if kind == PromptKind::Open && nothing_open {
                Mode::Start { sel: 0 }
            } else {
                Mode::Normal
            };
            return;
        }
        Action::Complete => {
            let exts: &[&str] = match kind {
                PromptKind::Rename => {
                    app.mode = Mode::Prompt { kind, input };
                    return;
                }
                PromptKind::Export => &["svg", "dot"],
                _ => &["toml", "json"],
            };
            let cwd = std::env::current_dir().unwrap_or_default();
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let c = super::complete::complete(input.text(), &cwd, home.as_deref(), exts);
            if c.candidates.is_empty() && c.text == input.text() {
                app.say("no file name goes on from there");
            } else if !c.candidates.is_empty() {
                let names: Vec<&str> = c.candidates.iter().take(8).map(String::as_str).collect();
                let more = c.candidates.len().saturating_sub(names.len());
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                app.say(format!("{}{tail}", names.join("  ")));
            }
            input.set(c.text);
        }
        Action::Accept => {
            let text = input.text().trim().to_string();
            app.mode = Mode::Normal;
            if text.is_empty() {
                return;
            }
            match kind {
                PromptKind::SaveAs => app.request_save(PathBuf::from(text), false),
                PromptKind::SaveAsAndQuit => app.request_save(PathBuf::from(text), true),
                // A file that cannot be read leaves the current design as it is.
                PromptKind::Open => app.effect(Effect::Load {
                    path: PathBuf::from(text),
                }),
                PromptKind::Rename => {
                    // A refused id keeps the prompt open with the reason, to correct it.
                    if let Err(why) = rename(app, &text) {
                        app.warn(why);
                        app.mode = Mode::Prompt { kind, input };
                    }
                }
                PromptKind::Export => export(app, PathBuf::from(text), true),
            }
            return;
        }
        a => {
            type_into(&mut input, &a);
        }
    }
    app.mode = Mode::Prompt { kind, input };
}

fn rename(app: &mut App, new: &str) -> Result<(), String> {
    let old = match &app.selection {
        Selection::Component(id) | Selection::Server(id) => id.clone(),
        _ => return Ok(()),
    };
    if old == new {
        return Ok(());
    }
    if app.design.id_taken(new) {
        return Err(format!(
            "`{new}` is already used: choose another id (Esc keeps `{old}`)"
        ));
    }
    let is_server = matches!(app.selection, Selection::Server(_));
    let new_id = new.to_string();
    let mut refused = None;
    let renamed = app.edit(|d| {
        d.rename(&old, &new_id);
        Ok(())
    });
    if !renamed {
        refused = app
            .message
            .as_ref()
            .filter(|m| m.error)
            .map(|m| m.text.clone());
    }
    if let Some(why) = refused {
        return Err(why);
    }
    if renamed {
        if app.failed.remove(&old) {
            app.failed.insert(new_id.clone());
        }
        app.selection = if is_server {
            Selection::Server(new_id.clone())
        } else {
            Selection::Component(new_id.clone())
        };
        app.say(format!("renamed `{old}` to `{new_id}`"));
    }
    Ok(())
}

/// Asks for an export of the design to `path`; `ask` first when the file exists.
fn export(app: &mut App, path: PathBuf, ask: bool) {
    let design = Box::new(app.design.clone());
    let what = format!("exporting {}", path.display());
    app.slow_effect(Effect::Export { path, design, ask }, what, true);
}

fn update_confirm(app: &mut App, c: Confirm, action: Action) {
    match (c, action) {
        (Confirm::Quit, Action::Yes) => {
            app.mode = Mode::Normal;
            match app.path.clone() {
                Some(p) => app.request_save(p, true),
                None => {
                    app.save_as_prompt();
                    if let Mode::Prompt { kind, .. } = &mut app.mode {
                        *kind = PromptKind::SaveAsAndQuit;
                    }
                    app.say("choose a file name: the editor quits once it is saved");
                }
            }
        }
        (Confirm::Quit, Action::No) => app.quit = true,
        (Confirm::Discard(p), Action::Yes) => {
            let Pending {
                design,
                path,
                original,
            } = *p;
            app.replace(design, path, original);
        }
        (Confirm::Replace { path, .. }, Action::Yes) => {
            app.mode = Mode::Normal;
            // The file replaced is not the one the design was read from: nothing of its
            // layout is kept, but the design's own file's is.
            app.save_to(path, false);
        }
        (Confirm::Overwrite { path, quit } | Confirm::Save { path, quit, .. }, Action::Yes) => {
            app.mode = Mode::Normal;
            app.save_to(path, quit);
        }
        (
            Confirm::Overwrite { path, .. } | Confirm::Save { path, .. },
            Action::No | Action::Cancel,
        ) => {
            app.mode = Mode::Normal;
            app.say(format!("not saved: {} is as on disk", path.display()));
        }
        (Confirm::Reload(p), Action::Yes) => {
            app.mode = Mode::Normal;
            app.reload(*p);
        }
        (Confirm::Reload(_), Action::No | Action::Cancel) => {
            app.mode = Mode::Normal;
            app.say("kept the editor's version; Ctrl-S asks before overwriting the file on disk");
        }
        (Confirm::Recover { path }, Action::Yes) => {
            app.mode = Mode::Normal;
            app.effect(Effect::LoadRecovery { from: path });
        }
        (Confirm::Recover { path }, Action::No | Action::Cancel) => {
            app.mode = Mode::Normal;
            app.say(format!(
                "kept the file's version; the recovered design stays in {}",
                path.display()
            ));
        }
        (Confirm::ExportOver { path, .. }, Action::Yes) => {
            app.mode = Mode::Normal;
            export(app, path, false);
        }
        (
            Confirm::DeleteServer {
                id, to: Some(to), ..
            },
            Action::Yes,
        ) => {
            app.mode = Mode::Normal;
            delete_server(app, &id, Some(&to));
        }
        (Confirm::DeleteServer { id, .. }, Action::No) => {
            app.mode = Mode::Normal;
            delete_server(app, &id, None);
        }
        (_, Action::No | Action::Cancel) => app.mode = Mode::Normal,
        _ => {}
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod frames_tests;
#[cfg(test)]
mod keys_tests;
#[cfg(test)]
mod save_tests;
