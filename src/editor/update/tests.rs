//! State transitions, without a terminal: build an App, apply actions, look at the design.

use super::*;
use crate::editor::input;
use crate::model::DbRole;
use crate::{analyze, io};
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// Applies an action and runs the effects it asks for, as the loop does.
fn step(app: &mut App, action: Action) {
    crate::editor::apply(app, action);
}

/// A mouse event at a screen cell.
#[derive(Debug, Clone, Copy)]
enum M {
    Down(u16, u16),
    Drag(u16, u16),
    Up,
}

/// Sends mouse events through the input mapping, each against the state it finds.
fn mouse(app: &mut App, events: impl IntoIterator<Item = M>) {
    for m in events {
        let (kind, column, row) = match m {
            M::Down(c, r) => (MouseEventKind::Down(MouseButton::Left), c, r),
            M::Drag(c, r) => (MouseEventKind::Drag(MouseButton::Left), c, r),
            M::Up => (MouseEventKind::Up(MouseButton::Left), 0, 0),
        };
        let ev = MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        if let Some(a) = input::action_for_mouse(app, ev) {
            step(app, a);
        }
    }
}

fn reference(name: &str) -> Design {
    crate::templates::template(name).expect("template")
}

fn app(name: &str) -> App {
    let mut a = App::new(reference(name), None);
    step(&mut a, Action::Resize(160, 48));
    a
}

fn run(app: &mut App, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        step(app, a);
    }
}

fn select(app: &mut App, id: &str) {
    app.selection = Selection::Component(id.to_string());
}

/// Erases `erase` characters of the text being edited, types `text` and accepts it.
fn retype(app: &mut App, erase: usize, text: &str) {
    run(app, std::iter::repeat_n(Action::Backspace, erase));
    run(app, text.chars().map(Action::Char));
    step(app, Action::Accept);
}

/// The index of a field in the open form.
fn field(app: &App, name: &str) -> usize {
    let Mode::Form(f) = &app.mode else {
        panic!("form expected");
    };
    f.fields
        .iter()
        .position(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn rules(app: &App) -> Vec<&'static str> {
    app.derived.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn designs_without_positions_get_the_automatic_ones() {
    let a = app("simple");
    assert!(a.design.components.iter().all(|c| c.position().is_some()));
    assert!(!a.dirty(), "placing boxes on open is not an edit");
    assert_eq!(a.derived.layout.boxes.len(), 5);
}

#[test]
fn adding_from_the_palette_then_a_new_server() {
    let mut a = app("simple");
    run(
        &mut a,
        [
            Action::Add,
            Action::Char('w'),
            Action::Accept, // web server
        ],
    );
    assert_eq!(a.design.components.len(), 6);
    let id = a.design.components[5].id.clone();
    assert_eq!(id, "web");
    assert_eq!(a.design.components[5].kind, Kind::WebServer);
    assert!(matches!(a.mode, Mode::Place { sel: 1, .. }));
    step(&mut a, Action::Accept); // a new server
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(a.design.servers.len(), 2);
    let server = a.design.servers[1].id.clone();
    assert_eq!(
        a.design.components[5].server.as_deref(),
        Some(server.as_str())
    );
    // Its frame stands apart from server-1's.
    let frames: Vec<_> = a.derived.layout.frames.iter().map(|(_, r)| *r).collect();
    assert_eq!(frames.len(), 2);
    assert!(!frames[0].intersects(&frames[1]), "{frames:?}");
    assert!(a.dirty());
}

#[test]
fn putting_on_an_existing_server_and_back_off() {
    let mut a = app("simple");
    run(&mut a, [Action::Add, Action::Accept]);
    // Palette entry 0 is the client: no server question for clients.
    assert_eq!(a.mode, Mode::Normal);
    select(&mut a, "nginx");
    run(&mut a, [Action::PlaceOnServer, Action::Accept]); // (no server)
    assert_eq!(
        a.design.component("nginx").and_then(|c| c.server.clone()),
        None
    );
    run(
        &mut a,
        [
            Action::PlaceOnServer,
            Action::Down,
            Action::Down,
            Action::Accept,
        ],
    );
    assert_eq!(
        a.design.component("nginx").and_then(|c| c.server.clone()),
        Some("server-1".into())
    );
}

#[test]
fn moving_by_keys_coalesces_into_one_undo_step() {
    let mut a = app("simple");
    select(&mut a, "nginx");
    let before = a.design.component("nginx").and_then(|c| c.position());
    run(
        &mut a,
        [
            Action::Nudge(1, 0),
            Action::Nudge(1, 0),
            Action::Nudge(0, 4),
        ],
    );
    let after = a.design.component("nginx").and_then(|c| c.position());
    let (bx, by) = before.expect("positioned");
    assert_eq!(after, Some((bx + 2, by + 4)));
    assert_eq!(a.undo_steps(), 1);
    step(&mut a, Action::Undo);
    assert_eq!(
        a.design.component("nginx").and_then(|c| c.position()),
        before
    );
    step(&mut a, Action::Redo);
    assert_eq!(
        a.design.component("nginx").and_then(|c| c.position()),
        after
    );
}

#[test]
fn arrows_pan_when_nothing_is_selected() {
    let mut a = app("simple");
    let v = a.view;
    step(&mut a, Action::Nudge(1, 0));
    assert_eq!(a.view, (v.0 + 1, v.1));
    assert!(!a.dirty());
}

#[test]
fn connecting_two_components_with_a_chosen_protocol() {
    let mut a = app("simple");
    select(&mut a, "user");
    step(&mut a, Action::Connect);
    assert!(matches!(a.mode, Mode::Connect { .. }));
    select(&mut a, "app");
    step(&mut a, Action::Accept);
    let Mode::Protocol { sel, .. } = a.mode else {
        panic!("protocol menu expected, got {:?}", a.mode);
    };
    assert_eq!(
        Protocol::ALL[sel],
        Protocol::Https,
        "clients default to https"
    );
    run(&mut a, [Action::Up, Action::Accept]); // http
    let l = a.design.links.last().expect("link");
    assert_eq!((l.from.as_str(), l.to.as_str()), ("user", "app"));
    assert_eq!(l.protocol, Protocol::Http);
    assert_eq!(l.port, Some(80));
    assert_eq!(a.selection, Selection::Component("user".into()));
}

#[test]
fn connecting_a_component_to_itself_is_refused() {
    let mut a = app("simple");
    select(&mut a, "app");
    run(&mut a, [Action::Connect, Action::Accept]);
    assert!(matches!(a.mode, Mode::Connect { .. }));
    assert!(a.message.as_ref().is_some_and(|m| m.error));
}

#[test]
fn connect_mode_moves_the_candidate_with_the_arrows() {
    let mut a = app("simple");
    select(&mut a, "user");
    run(&mut a, [Action::Connect, Action::Nudge(1, 0)]);
    assert_eq!(a.selection, Selection::Component("nginx".into()));
}

#[test]
fn the_form_edits_properties_and_renames() {
    let mut a = app("simple");
    select(&mut a, "mysql");
    step(&mut a, Action::Edit);
    let role = field(&a, "role");
    let label = field(&a, "label");
    // Cycle the role: primary → replica.
    run(&mut a, std::iter::repeat_n(Action::Down, role));
    step(&mut a, Action::Right);
    assert_eq!(
        a.design.component("mysql").and_then(|c| c.role),
        Some(DbRole::Replica)
    );
    // Type a new label.
    run(&mut a, std::iter::repeat_n(Action::Up, role - label));
    step(&mut a, Action::Accept);
    retype(&mut a, "Database".len(), "Main DB");
    assert_eq!(
        a.design.component("mysql").and_then(|c| c.label.clone()),
        Some("Main DB".into())
    );
    // The id, renamed everywhere.
    run(&mut a, std::iter::repeat_n(Action::Up, label));
    step(&mut a, Action::Accept);
    run(&mut a, "-2".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert!(a.design.component("mysql-2").is_some());
    assert!(a.design.links.iter().any(|l| l.to == "mysql-2"));
    assert_eq!(a.selection, Selection::Component("mysql-2".into()));
    step(&mut a, Action::Cancel);
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(a.undo_steps(), 3);
}

#[test]
fn a_bad_port_is_refused_with_a_message() {
    let mut a = app("simple");
    a.selection = Selection::Link(0);
    step(&mut a, Action::Edit);
    let port = field(&a, "port");
    run(&mut a, std::iter::repeat_n(Action::Down, port));
    step(&mut a, Action::Accept);
    run(&mut a, "x".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert_eq!(a.design.links[0].port, Some(80));
    assert!(a.message.as_ref().is_some_and(|m| m.error));
    assert_eq!(a.undo_steps(), 0);
}

#[test]
fn a_link_cannot_be_pointed_at_nothing() {
    let mut a = app("simple");
    a.selection = Selection::Link(0);
    step(&mut a, Action::Edit);
    // Enter on `to` opens the picker over components and clusters, not a text field.
    run(&mut a, [Action::Down, Action::Accept]);
    assert!(matches!(a.mode, Mode::Pick { .. }), "{:?}", a.mode);
    run(&mut a, "zzz".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert_eq!(a.design.links[0].to, "nginx");
    assert!(matches!(a.mode, Mode::Form(_)), "back in the form");
    let m = a.message.clone().expect("message");
    assert!(m.error && m.text.contains("nothing matches"), "{m:?}");
}

#[test]
fn a_link_end_is_chosen_from_the_picker() {
    let mut a = app("simple");
    a.selection = Selection::Link(0);
    let from = a.design.links[0].from.clone();
    step(&mut a, Action::Edit);
    run(&mut a, [Action::Down, Action::Accept]);
    run(&mut a, "app".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert_eq!(a.design.links[0].to, "app");
    assert_eq!(a.design.links[0].from, from);
    let Mode::Form(f) = &a.mode else {
        panic!("back in the form: {:?}", a.mode)
    };
    assert_eq!(f.fields[f.sel].name, "to", "the cursor stays on the field");
}

#[test]
fn renaming_by_prompt_to_a_taken_id_is_refused() {
    let mut a = app("simple");
    select(&mut a, "app");
    step(&mut a, Action::Rename);
    retype(&mut a, 3, "nginx");
    assert!(a.design.component("app").is_some());
    assert!(a.message.as_ref().is_some_and(|m| m.error));
}

#[test]
fn deleting_a_component_takes_its_links_and_undo_brings_them_back() {
    let mut a = app("simple");
    select(&mut a, "nginx");
    step(&mut a, Action::Delete);
    assert!(a.design.component("nginx").is_none());
    assert_eq!(a.design.links.len(), 1, "user→nginx and nginx→app went");
    assert_eq!(a.selection, Selection::None);
    step(&mut a, Action::Undo);
    assert!(a.design.component("nginx").is_some());
    assert_eq!(a.design.links.len(), 3);
}

#[test]
fn deleting_a_link_and_a_server() {
    let mut a = app("simple");
    a.selection = Selection::Link(2);
    step(&mut a, Action::Delete);
    assert_eq!(a.design.links.len(), 2);
    a.selection = Selection::Server("server-1".into());
    step(&mut a, Action::Delete);
    // `www` points at the server: the editor asks what becomes of it; n deletes it too.
    assert!(matches!(
        a.mode,
        Mode::Confirm(Confirm::DeleteServer { .. })
    ));
    step(&mut a, Action::No);
    assert!(a.design.servers.is_empty());
    assert!(a.design.components.iter().all(|c| c.server.is_none()));
    assert!(
        a.design.dns.is_empty(),
        "the record that named the server went too"
    );
}

#[test]
fn findings_follow_every_edit() {
    let mut a = app("simple");
    assert!(rules(&a).contains(&"NO-HTTPS"));
    a.selection = Selection::Link(0);
    step(&mut a, Action::Edit);
    let p = field(&a, "protocol");
    run(&mut a, std::iter::repeat_n(Action::Down, p));
    step(&mut a, Action::Right); // http → https
    assert_eq!(a.design.links[0].protocol, Protocol::Https);
    assert_eq!(
        a.design.links[0].port,
        Some(443),
        "the default port follows"
    );
    assert!(!a.derived.marks.insecure_links.contains(&0));
    assert!(rules(&a).contains(&"NO-HTTPS"), "no certificate yet");
    step(&mut a, Action::Cancel);
    select(&mut a, "nginx");
    step(&mut a, Action::Edit);
    let cert = field(&a, "certificate");
    run(&mut a, std::iter::repeat_n(Action::Down, cert));
    step(&mut a, Action::Accept);
    run(&mut a, "www.foobar.com".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert!(!rules(&a).contains(&"NO-HTTPS"), "{:?}", rules(&a));
}

#[test]
fn selecting_a_finding_highlights_what_it_concerns() {
    let mut a = app("simple");
    step(&mut a, Action::NextFinding);
    let f = a.derived.findings[0].clone();
    assert_eq!(a.finding, Some(0));
    for c in &f.components {
        assert!(a.highlighted_component(c));
    }
    step(&mut a, Action::PrevFinding);
    assert_eq!(a.finding, Some(a.derived.findings.len() - 1));
    step(&mut a, Action::Cancel);
    assert_eq!(a.finding, None);
}

#[test]
fn spofs_and_plain_links_are_marked() {
    let a = app("simple");
    let nginx = a.design.components.iter().position(|c| c.id == "nginx");
    assert!(
        a.derived
            .marks
            .spof_components
            .contains(&nginx.expect("nginx"))
    );
    assert!(a.derived.marks.spof_servers.contains(&0));
    assert!(
        a.derived.marks.insecure_links.contains(&0),
        "user → nginx over http"
    );
}

#[test]
fn failing_a_component_dims_what_clients_lose() {
    let mut a = app("distributed");
    select(&mut a, "haproxy");
    step(&mut a, Action::ToggleFailed);
    let impact = a.derived.impact.clone().expect("impact");
    assert_eq!(impact.loss, analyze::Loss::Everything);
    let i = |id: &str| {
        a.design
            .components
            .iter()
            .position(|c| c.id == id)
            .expect(id)
    };
    assert!(a.derived.dimmed[i("haproxy")]);
    assert!(a.derived.dimmed[i("nginx-1")]);
    assert!(!a.derived.dimmed[i("user")]);
    assert!(!a.dirty(), "a simulation is not an edit");
    step(&mut a, Action::ToggleFailed);
    assert!(a.derived.impact.is_none());
    assert!(a.derived.dimmed.iter().all(|d| !d));
}

#[test]
fn failing_a_server_and_clearing() {
    let mut a = app("distributed");
    a.selection = Selection::Server("web-02".into());
    step(&mut a, Action::ToggleFailed);
    assert_eq!(
        a.derived.impact.as_ref().map(|i| i.loss),
        Some(analyze::Loss::Capacity)
    );
    step(&mut a, Action::ClearFailures);
    assert!(a.failed.is_empty() && a.derived.impact.is_none());
}

#[test]
fn a_zone_is_failed_from_the_go_to_picker() {
    let mut a = app("distributed");
    let mut d = a.design.clone();
    d.zones.push(crate::model::Zone {
        id: "zone-b".into(),
        region: Some("eu".into()),
        ..Default::default()
    });
    let web2 = d
        .servers
        .iter_mut()
        .find(|s| s.id == "web-02")
        .expect("web-02");
    web2.zone = Some("zone-b".into());
    a = App::new(d, None);
    step(&mut a, Action::GoTo);
    run(&mut a, "zone-b".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert!(a.failed.contains("zone-b"), "{:?}", a.failed);
    assert_eq!(
        a.derived.impact.as_ref().map(|i| i.loss),
        Some(analyze::Loss::Capacity)
    );
    let m = a.message.clone().expect("message");
    assert!(m.text.contains("simulated failure of `zone-b`"), "{m:?}");
    // A region is listed too, and stays failed across the next derive.
    step(&mut a, Action::ClearFailures);
    step(&mut a, Action::GoTo);
    run(&mut a, "eu".chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert!(a.failed.contains("eu"), "{:?}", a.failed);
    a.derive();
    assert!(a.failed.contains("eu"));
}

#[test]
fn saving_writes_the_file_and_clears_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("d.toml");
    let mut a = App::new(reference("simple"), Some(path.clone()));
    select(&mut a, "nginx");
    step(&mut a, Action::Delete);
    assert!(a.dirty());
    step(&mut a, Action::Save);
    assert!(!a.dirty());
    let saved = io::load(&path).expect("saved design loads");
    assert_eq!(saved, a.design);
}

#[test]
fn save_as_asks_for_a_name_when_there_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.json");
    let mut a = app("simple");
    step(&mut a, Action::Save);
    let Mode::Prompt { kind, input } = a.mode.clone() else {
        panic!("prompt expected");
    };
    assert_eq!(kind, PromptKind::SaveAs);
    retype(
        &mut a,
        input.text().chars().count(),
        &path.display().to_string(),
    );
    assert_eq!(a.path.as_deref(), Some(path.as_path()));
    assert!(io::load(&path).is_ok());
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let mut a = app("simple");
    step(&mut a, Action::Quit);
    assert!(a.quit, "nothing to lose");
    let mut a = app("simple");
    select(&mut a, "code");
    step(&mut a, Action::Delete);
    step(&mut a, Action::Quit);
    assert!(!a.quit);
    assert_eq!(a.mode, Mode::Confirm(Confirm::Quit));
    step(&mut a, Action::Cancel);
    assert_eq!(a.mode, Mode::Normal);
    run(&mut a, [Action::Quit, Action::No]);
    assert!(a.quit);
}

#[test]
fn opening_a_broken_file_keeps_the_design() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\nname = \"x\"\n[[components]]\nid = 3\n").expect("write");
    let mut a = app("simple");
    step(&mut a, Action::Open);
    run(&mut a, bad.display().to_string().chars().map(Action::Char));
    step(&mut a, Action::Accept);
    assert_eq!(a.design.name, reference("simple").name);
    let m = a.message.clone().expect("message");
    assert!(m.error && m.text.contains("bad.toml"), "{m:?}");
}

#[test]
fn the_start_screen_opens_templates() {
    let mut a = App::start_screen(Vec::new());
    step(&mut a, Action::Resize(120, 40));
    run(&mut a, [Action::Down, Action::Down, Action::Accept]);
    assert_eq!(a.mode, Mode::Normal);
    assert_eq!(a.design.name, reference("distributed").name);
    assert_eq!(a.path, None);
}

#[test]
fn the_automatic_layout_is_an_undoable_command() {
    let mut a = app("simple");
    select(&mut a, "nginx");
    step(&mut a, Action::Nudge(30, 10));
    step(&mut a, Action::Arrange);
    let auto = crate::layout::auto_positions(&a.design);
    assert_eq!(a.design.components[1].position(), Some(auto[1]));
    step(&mut a, Action::Undo);
    assert_ne!(a.design.components[1].position(), Some(auto[1]));
}

#[test]
fn clicking_selects_and_dragging_moves_a_box() {
    let mut a = app("simple");
    let c = a.screen().canvas;
    let b = a.derived.layout.boxes[1]; // nginx
    let col = (b.x + 2 - a.view.0) as u16 + c.x;
    let row = (b.y + 1 - a.view.1) as u16 + c.y;
    mouse(&mut a, [M::Down(col, row)]);
    assert_eq!(a.selection, Selection::Component("nginx".into()));
    mouse(
        &mut a,
        [M::Drag(col + 3, row + 2), M::Drag(col + 5, row + 2), M::Up],
    );
    assert_eq!(a.design.components[1].position(), Some((b.x + 5, b.y + 2)));
    assert_eq!(a.undo_steps(), 1, "one drag, one undo step");
}

#[test]
fn dragging_the_empty_canvas_pans() {
    let mut a = app("simple");
    let v = a.view;
    let c = a.screen().canvas;
    mouse(&mut a, [M::Down(c.x, c.bottom() - 1)]);
    assert_eq!(a.selection, Selection::None);
    mouse(&mut a, [M::Drag(c.x + 4, c.bottom() - 3), M::Up]);
    assert_eq!(a.view, (v.0 - 4, v.1 + 2));
}

#[test]
fn clicking_a_finding_selects_it() {
    let mut a = app("simple");
    let s = a.screen();
    mouse(&mut a, [M::Down(s.list.x + 2, s.list.y + 1)]);
    assert_eq!(a.finding, Some(1));
}

#[test]
fn tab_cycles_components_servers_and_links() {
    let mut a = app("simple");
    let n = a.design.components.len() + a.design.servers.len() + a.design.links.len();
    step(&mut a, Action::SelectNext);
    assert_eq!(a.selection, Selection::Component("user".into()));
    run(&mut a, std::iter::repeat_n(Action::SelectNext, 5));
    assert_eq!(a.selection, Selection::Server("server-1".into()));
    run(&mut a, std::iter::repeat_n(Action::SelectNext, n - 5));
    assert_eq!(a.selection, Selection::Component("user".into()));
}

#[test]
fn every_edit_keeps_the_design_valid() {
    let mut a = app("scale-up");
    select(&mut a, "haproxy-1");
    step(&mut a, Action::Delete);
    assert!(crate::validate::validate(&a.design).is_empty());
    a.selection = Selection::Server("app-01".into());
    step(&mut a, Action::Delete);
    assert!(crate::validate::validate(&a.design).is_empty());
}

/// The walkthrough of docs/editor.md, design 1 to design 4, step by step through actions.
mod walkthrough {
    use super::*;

    fn add_on_new_server(a: &mut App, kind: Kind) -> String {
        let sel = Kind::ALL.iter().position(|&k| k == kind).expect("kind");
        run(a, [Action::Add]);
        run(a, std::iter::repeat_n(Action::Down, sel));
        run(a, [Action::Accept, Action::Accept]);
        assert_eq!(a.mode, Mode::Normal);
        a.design.components.last().expect("added").id.clone()
    }

    fn connect(a: &mut App, from: &str, to: &str, protocol: Protocol) {
        select(a, from);
        step(a, Action::Connect);
        select(a, to);
        step(a, Action::Accept);
        let Mode::Protocol { sel, .. } = a.mode.clone() else {
            panic!("protocol menu expected: {:?}", a.message);
        };
        let want = Protocol::ALL
            .iter()
            .position(|&p| p == protocol)
            .expect("protocol");
        let moves: Vec<Action> = if want >= sel {
            vec![Action::Down; want - sel]
        } else {
            vec![Action::Up; sel - want]
        };
        run(a, moves);
        step(a, Action::Accept);
        assert!(
            a.design.links.iter().any(|l| l.from == from && l.to == to),
            "{from} → {to}: {:?}",
            a.message
        );
    }

    fn set(a: &mut App, id: &str, field: &str, value: &str) {
        if id.is_empty() {
            a.selection = Selection::None;
        } else {
            select(a, id);
        }
        step(a, Action::Edit);
        let Mode::Form(f) = a.mode.clone() else {
            panic!("form expected");
        };
        let i = f.fields.iter().position(|f| f.name == field).expect(field);
        run(a, std::iter::repeat_n(Action::Down, i));
        let field = f.fields[i].clone();
        if field.choices.is_empty() {
            step(a, Action::Accept);
            retype(a, field.value.chars().count(), value);
        } else {
            for _ in 0..field.choices.len() {
                let Mode::Form(f) = &a.mode else { break };
                if f.fields[i].value == value {
                    break;
                }
                step(a, Action::Right);
            }
        }
        step(a, Action::Cancel);
    }

    fn put_on_new_server(a: &mut App, id: &str) {
        select(a, id);
        run(a, [Action::PlaceOnServer, Action::Down, Action::Accept]);
    }

    /// The canvas, drawn whole and as the screen shows it, reads back as the design's links.
    fn drawn_truly(a: &App, step: &str) {
        let f = &a.derived.layout.frames;
        for (i, (_, x)) in f.iter().enumerate() {
            for (_, y) in &f[i + 1..] {
                assert!(
                    !x.intersects(y),
                    "after step {step}: frames {x:?} and {y:?}"
                );
            }
        }
        let mut p = crate::editor::topology::check_whole(a);
        p.extend(crate::editor::topology::check_screen(a));
        assert!(p.is_empty(), "after step {step}:\n{}", p.join("\n"));
    }

    fn has(a: &App, rule: &str, id: &str) -> bool {
        a.derived
            .findings
            .iter()
            .any(|f| f.rule == rule && f.concerns(id))
    }

    #[test]
    fn design_1_to_design_4() {
        let mut a = app("simple");
        assert_eq!(a.derived.findings.len(), 11);

        // 1. A load balancer in front of the web server, HTTPS from the browser.
        let lb = add_on_new_server(&mut a, Kind::LoadBalancer);
        connect(&mut a, &lb, "nginx", Protocol::Http);
        a.selection = Selection::Link(0); // user → nginx
        step(&mut a, Action::Delete);
        connect(&mut a, "user", &lb, Protocol::Https);
        set(&mut a, &lb, "certificate", "www.foobar.com");
        set(&mut a, "", "dns target", &lb);
        assert!(!has(&a, "NO-HTTPS", "user"));
        // nginx still shares server-1 with the application and the database: the server is
        // the single point of failure that takes it down.
        assert!(
            has(&a, "SPOF-COMPONENT", "nginx") || has(&a, "SPOF-SERVER", "nginx"),
            "one web server still"
        );
        drawn_truly(&a, "1");

        // 2. A second web server on its own server.
        let web = add_on_new_server(&mut a, Kind::WebServer);
        set(&mut a, &web, "software", "Nginx");
        connect(&mut a, &lb, &web, Protocol::Http);
        connect(&mut a, &web, "app", Protocol::Http);
        assert!(!has(&a, "SPOF-COMPONENT", "nginx"));
        assert!(!has(&a, "MAINTENANCE-DOWNTIME", "nginx"));
        drawn_truly(&a, "2");

        // 3. The application (with its files) and the database on servers of their own,
        //    and a replica of the database.
        put_on_new_server(&mut a, "app");
        let app_server = a.design.component("app").and_then(|c| c.server.clone());
        let i = a
            .design
            .servers
            .iter()
            .position(|s| Some(&s.id) == app_server.as_ref())
            .expect("app's server");
        select(&mut a, "code");
        run(&mut a, [Action::PlaceOnServer]);
        run(&mut a, std::iter::repeat_n(Action::Down, i + 2));
        step(&mut a, Action::Accept);
        assert_eq!(
            a.design.component("code").and_then(|c| c.server.clone()),
            app_server
        );
        put_on_new_server(&mut a, "mysql");
        assert!(!has(&a, "RESOURCE-CONTENTION", "server-1"));
        let replica = add_on_new_server(&mut a, Kind::Database);
        set(&mut a, &replica, "role", "replica");
        connect(&mut a, "mysql", &replica, Protocol::Replication);
        connect(&mut a, "app", &replica, Protocol::Mysql);
        assert!(!has(&a, "DB-NO-REPLICA", "mysql"));
        drawn_truly(&a, "3");

        // 4. A second load balancer, clustered with the first behind the DNS record.
        let lb2 = add_on_new_server(&mut a, Kind::LoadBalancer);
        set(&mut a, &lb2, "certificate", "www.foobar.com");
        set(&mut a, &lb, "cluster", "lb-cluster");
        set(&mut a, &lb2, "cluster", "lb-cluster");
        set(&mut a, "", "dns target", "lb-cluster");
        // The browser's link goes to the cluster: its `to` field in the link's form.
        let l = a
            .design
            .links
            .iter()
            .position(|l| l.from == "user" && l.to == lb)
            .expect("user → lb");
        a.selection = Selection::Link(l);
        step(&mut a, Action::Edit);
        run(&mut a, [Action::Down, Action::Accept]);
        run(&mut a, std::iter::repeat_n(Action::Backspace, lb.len()));
        run(&mut a, "lb-cluster".chars().map(Action::Char));
        run(&mut a, [Action::Accept, Action::Cancel]);
        assert_eq!(a.design.links[l].to, "lb-cluster");
        connect(&mut a, &lb2, "nginx", Protocol::Http);
        connect(&mut a, &lb2, &web, Protocol::Http);
        assert!(!has(&a, "SPOF-COMPONENT", &lb), "{:#?}", rules(&a));
        drawn_truly(&a, "4");

        // 5. A firewall and a monitoring agent on every server, one monitoring service.
        run(&mut a, [Action::Add]);
        let k = Kind::ALL
            .iter()
            .position(|&x| x == Kind::MonitoringService)
            .expect("kind");
        run(&mut a, std::iter::repeat_n(Action::Down, k));
        run(&mut a, [Action::Accept, Action::Cancel]); // on no server
        let mon = a.design.components.last().expect("added").id.clone();
        set(&mut a, &mon, "redundant", "yes");
        let servers: Vec<String> = a.design.servers.iter().map(|s| s.id.clone()).collect();
        for (n, s) in servers.iter().enumerate() {
            for kind in [Kind::Firewall, Kind::MonitoringAgent] {
                let k = Kind::ALL.iter().position(|&x| x == kind).expect("kind");
                run(&mut a, [Action::Add]);
                run(&mut a, std::iter::repeat_n(Action::Down, k));
                step(&mut a, Action::Accept);
                run(&mut a, std::iter::repeat_n(Action::Down, n + 1));
                step(&mut a, Action::Accept);
                let id = a.design.components.last().expect("added").id.clone();
                assert_eq!(
                    a.design.component(&id).and_then(|c| c.server.clone()),
                    Some(s.clone())
                );
                // Placed inside its server's frame, over nothing.
                let l = &a.derived.layout;
                let b = l.boxes[a.design.components.len() - 1];
                for (i, o) in l.boxes.iter().enumerate().take(l.boxes.len() - 1) {
                    assert!(!o.intersects(&b), "{id} over {}", a.design.components[i].id);
                }
                if kind == Kind::MonitoringAgent {
                    connect(&mut a, &id, &mon, Protocol::MetricsTls);
                }
            }
        }
        assert!(!a.derived.findings.iter().any(|f| f.rule == "NO-FIREWALL"));
        assert!(!a.derived.findings.iter().any(|f| f.rule == "NO-MONITORING"));
        drawn_truly(&a, "5");
        assert!(crate::validate::validate(&a.design).is_empty());
        let critical = a
            .derived
            .findings
            .iter()
            .filter(|f| f.severity == crate::analyze::Severity::Critical)
            .count();
        let left: Vec<(&str, Vec<&str>)> = a
            .derived
            .findings
            .iter()
            .map(|f| (f.rule, f.ids()))
            .collect();
        eprintln!("{left:?}");
        // The application server and its server are one cause: one finding.
        assert_eq!(critical, 1, "the application server: {left:?}");
    }
}

#[test]
fn accepted_risks_are_listed_apart_and_do_not_count() {
    let mut d = reference("simple");
    d.accepted.push(crate::model::AcceptedRisk {
        rule: "NO-MONITORING".into(),
        ids: vec!["server-1".into()],
        reason: "a hobby site".into(),
        expires: None,
    });
    let a = App::new(d, None);
    assert_eq!(a.derived.findings.len(), 11);
    assert_eq!(a.derived.open_findings, 10);
    assert_eq!(a.derived.findings[10].rule, "NO-MONITORING");
    assert_eq!(a.accepted_reason(10), Some("a hobby site"));
    assert_eq!(a.accepted_reason(0), None);
}

/// Whether the whole design is on the canvas at the current view.
fn whole_design_shown(a: &App) -> bool {
    let b = a.derived.layout.bounds;
    let c = a.screen().canvas;
    let (vx, vy) = a.view;
    b.x >= vx
        && b.y >= vy
        && b.right() <= vx + i32::from(c.width)
        && b.bottom() <= vy + i32::from(c.height)
}

#[test]
fn every_reference_design_is_shown_whole_in_120_by_40() {
    for name in crate::templates::names() {
        let mut a = App::new(crate::templates::template(name).expect("template"), None);
        step(&mut a, Action::Resize(120, 40));
        a.fit_view();
        assert!(
            whole_design_shown(&a),
            "{name}: {:?}",
            a.derived.layout.bounds
        );
        // The panel gives way only where it must: designs 1 to 3 fit beside it.
        let beside = !matches!(name, "scale-up" | "resilient");
        assert_eq!(a.show_panel, beside, "{name}");
        // In 160×48 every design fits beside the panel.
        step(&mut a, Action::Resize(160, 48));
        a.fit_view();
        assert!(a.show_panel && whole_design_shown(&a), "{name} in 160×48");
    }
}

#[test]
fn the_panel_comes_back_when_the_terminal_grows_and_stays_as_the_user_chose() {
    let mut a = App::new(reference("04-scale-up.toml"), None);
    step(&mut a, Action::Resize(120, 40));
    assert!(!a.show_panel);
    step(&mut a, Action::Resize(160, 48));
    assert!(a.show_panel, "room for both at 160×48");
    assert!(whole_design_shown(&a));
    step(&mut a, Action::Resize(120, 40));
    assert!(!a.show_panel);
    // Once the user shows it, resizing no longer hides it.
    step(&mut a, Action::TogglePanel);
    assert!(a.show_panel && a.panel_chosen);
    step(&mut a, Action::Resize(110, 40));
    step(&mut a, Action::Resize(120, 40));
    assert!(a.show_panel);
}

#[test]
fn a_design_too_big_for_any_screen_keeps_the_panel() {
    let mut a = App::new(crate::generate::layered(200), None);
    step(&mut a, Action::Resize(120, 40));
    assert!(
        a.show_panel,
        "it scrolls either way, so the findings stay in view"
    );
}

/// The screen cell showing canvas cell (x, y).
fn screen_cell(a: &App, x: i32, y: i32) -> (u16, u16) {
    let c = a.screen().canvas;
    ((x - a.view.0) as u16 + c.x, (y - a.view.1) as u16 + c.y)
}

#[test]
fn dropping_a_box_into_another_frame_puts_it_on_that_server() {
    let mut a = app("distributed");
    let before = a.design.clone();
    let i = a
        .design
        .components
        .iter()
        .position(|c| c.id == "nginx-2")
        .expect("nginx-2");
    let b = a.derived.layout.boxes[i];
    let target = a
        .design
        .component("nginx-1")
        .and_then(|c| c.server.clone())
        .expect("server");
    assert_ne!(a.design.components[i].server.as_ref(), Some(&target));
    let si = a
        .design
        .servers
        .iter()
        .position(|s| s.id == target)
        .expect("target");
    let frame = a
        .derived
        .layout
        .frames
        .iter()
        .find(|(s, _)| *s == si)
        .expect("frame")
        .1;
    let (fx, fy) = frame.center();
    let from = screen_cell(&a, b.x + 2, b.y + 1);
    let to = screen_cell(&a, fx - layout::BOX_W / 2 + 2, fy - layout::BOX_H / 2 + 1);
    mouse(
        &mut a,
        [M::Down(from.0, from.1), M::Drag(to.0, to.1), M::Up],
    );
    assert_eq!(a.design.components[i].server.as_ref(), Some(&target));
    assert!(a.message.as_ref().is_some_and(|m| m.text.contains(&target)));
    step(&mut a, Action::Undo);
    assert_eq!(
        a.design, before,
        "one undo takes back the move and the new server"
    );
}

#[test]
fn dragging_a_box_within_its_own_frame_keeps_its_server() {
    let mut a = app("distributed");
    let i = a
        .design
        .components
        .iter()
        .position(|c| c.id == "nginx-2")
        .expect("nginx-2");
    let server = a.design.components[i].server.clone();
    let b = a.derived.layout.boxes[i];
    let from = screen_cell(&a, b.x + 2, b.y + 1);
    mouse(
        &mut a,
        [M::Down(from.0, from.1), M::Drag(from.0, from.1 + 1), M::Up],
    );
    assert_eq!(a.design.components[i].position(), Some((b.x, b.y + 1)));
    assert_eq!(a.design.components[i].server, server);
}

#[test]
fn the_wheel_walks_the_findings_over_the_panel_and_pans_elsewhere() {
    use ratatui::crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
    let mut a = app("simple");
    let wheel = |col, row| MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let p = a.screen().panel;
    let on_panel = crate::editor::input::action_for_mouse(&a, wheel(p.x + 2, p.y + 2));
    assert_eq!(on_panel, Some(Action::NextFinding));
    step(&mut a, on_panel.expect("action"));
    assert_eq!(a.finding, Some(0));
    let c = a.screen().canvas;
    let on_canvas = crate::editor::input::action_for_mouse(&a, wheel(c.x + 2, c.y + 2));
    assert_eq!(on_canvas, Some(Action::Scroll(0, 1)));
}

#[test]
fn the_form_of_a_cluster_member_edits_the_clusters_mode_and_vip() {
    let mut a = app("scale-up");
    select(&mut a, "haproxy-1");
    step(&mut a, Action::Edit);
    let (mode, vip) = (field(&a, "cluster mode"), field(&a, "cluster vip"));
    run(&mut a, std::iter::repeat_n(Action::Down, mode));
    step(&mut a, Action::Right);
    let cluster = |a: &App| a.design.cluster("lb-cluster").cloned().expect("cluster");
    assert_eq!(cluster(&a).mode, crate::model::ClusterMode::ActivePassive);
    run(&mut a, std::iter::repeat_n(Action::Down, vip - mode));
    step(&mut a, Action::Accept);
    retype(&mut a, "8.8.8.8".len(), "203.0.113.7");
    assert_eq!(cluster(&a).vip.as_deref(), Some("203.0.113.7"));
    // haproxy-2 shares the cluster, so its form shows the same settings.
    let fields = form::fields(&a.design, &form::Target::Component("haproxy-2".into()));
    let value = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
    };
    assert_eq!(value("cluster vip").as_deref(), Some("203.0.113.7"));
    assert_eq!(value("cluster mode").as_deref(), Some("active-passive"));
    // A component in no cluster has no cluster settings.
    let nginx = form::fields(&a.design, &form::Target::Component("nginx".into()));
    assert!(!nginx.iter().any(|f| f.name.starts_with("cluster ")));
}

#[test]
fn undoing_back_to_the_opened_design_leaves_nothing_unsaved() {
    let mut a = app("simple");
    select(&mut a, "nginx");
    run(&mut a, [Action::Nudge(1, 0), Action::Nudge(1, 0)]);
    assert!(a.dirty());
    step(&mut a, Action::Undo);
    assert!(!a.dirty(), "back to the design as opened");
    step(&mut a, Action::Redo);
    assert!(a.dirty());
    // Moving back by hand counts too.
    run(&mut a, [Action::Nudge(-1, 0), Action::Nudge(-1, 0)]);
    assert!(!a.dirty());
}
