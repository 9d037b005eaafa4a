//! Screens drawn into a TestBackend and compared with snapshots; colours checked on cells.

use super::*;
use crate::editor::action::Action;
use crate::editor::state::{App, Selection};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Applies an action and runs the effects it asks for, as the loop does.
fn step(app: &mut App, action: Action) {
    crate::editor::apply(app, action);
}

fn app(name: &str, w: u16, h: u16) -> App {
    let mut a = App::new(crate::templates::template(name).expect("template"), None);
    step(&mut a, Action::Resize(w, h));
    a.fit_view();
    a
}

fn render(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("terminal");
    t.draw(|f| draw(f, app)).expect("draw");
    t
}

#[test]
fn reference_designs() {
    for name in crate::templates::names() {
        let a = app(name, 120, 40);
        insta::assert_snapshot!(format!("design_{name}"), render(&a).backend());
    }
}

#[test]
fn zones_are_framed() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones-eu-west-1.toml");
    let d = crate::io::load(&path).expect("the zones example loads");
    let mut a = App::new(d, None);
    step(&mut a, Action::Resize(120, 40));
    a.fit_view();
    let t = render(&a);
    insta::assert_snapshot!(t.backend());
    let screen = format!("{:?}", t.backend());
    assert!(screen.contains("zone eu-west-1a · eu-west-1"), "{screen}");
    // The networks inside the zone, and the agent on the public host that reports over the
    // private network marked on its box.
    assert!(screen.contains("┏┅ public network"), "{screen}");
    assert!(screen.contains("┌┈ private network"), "{screen}");
    assert!(screen.contains("╰─────── private ╯"), "{screen}");
    // Public stands out in the warning colour.
    let buf = t.backend().buffer();
    let public = buf
        .content
        .iter()
        .find(|c| c.symbol() == "┅")
        .expect("a public network's border");
    assert_eq!(public.fg, ratatui::style::Color::Yellow);
}

#[test]
fn palette() {
    let mut a = app("simple", 120, 40);
    step(&mut a, Action::Add);
    insta::assert_snapshot!(render(&a).backend());
}

#[test]
fn form_of_a_load_balancer() {
    let mut a = app("distributed", 120, 40);
    a.selection = Selection::Component("haproxy".into());
    step(&mut a, Action::Edit);
    insta::assert_snapshot!(render(&a).backend());
}

#[test]
fn finding_selected() {
    let mut a = app("simple", 120, 40);
    step(&mut a, Action::NextFinding);
    let t = render(&a);
    insta::assert_snapshot!(t.backend());
    // The finding's component is outlined in the highlight colour.
    let f = &a.derived.findings[0];
    let i = a
        .design
        .components
        .iter()
        .position(|c| c.id == f.components[0])
        .expect("component");
    let b = a.derived.layout.boxes[i];
    let c = a.screen().canvas;
    let (x, y) = ((b.x - a.view.0) as u16 + c.x, (b.y - a.view.1) as u16 + c.y);
    let cell = t.backend().buffer()[(x + 1, y)].clone();
    assert_eq!(cell.fg, canvas::HIGHLIGHT);
}

#[test]
fn spofs_and_plain_links_are_red() {
    let a = app("simple", 120, 40);
    let t = render(&a);
    let c = a.screen().canvas;
    let b = a.derived.layout.boxes[1]; // nginx, a SPOF
    let (x, y) = ((b.x - a.view.0) as u16 + c.x, (b.y - a.view.1) as u16 + c.y);
    assert_eq!(t.backend().buffer()[(x + 1, y)].fg, canvas::RED);
    let r = a
        .derived
        .routes
        .iter()
        .find(|r| r.link == 0)
        .expect("user → nginx");
    let (px, py) = r.points[0];
    let (sx, sy) = ((px - a.view.0) as u16 + c.x, (py - a.view.1) as u16 + c.y);
    assert_eq!(t.backend().buffer()[(sx, sy)].fg, canvas::RED);
}

#[test]
fn failure_simulation() {
    let mut a = app("distributed", 120, 40);
    a.selection = Selection::Component("haproxy".into());
    step(&mut a, Action::ToggleFailed);
    let t = render(&a);
    insta::assert_snapshot!(t.backend());
    // What the clients lost is grey.
    let i = a
        .design
        .components
        .iter()
        .position(|c| c.id == "nginx-1")
        .expect("nginx-1");
    let b = a.derived.layout.boxes[i];
    let c = a.screen().canvas;
    let (x, y) = ((b.x - a.view.0) as u16 + c.x, (b.y - a.view.1) as u16 + c.y);
    assert_eq!(t.backend().buffer()[(x + 1, y)].fg, canvas::DIM);
}

#[test]
fn help() {
    let mut a = app("simple", 120, 40);
    step(&mut a, Action::Help);
    insta::assert_snapshot!(render(&a).backend());
}

#[test]
fn start_screen() {
    let mut a = App::start_screen(Vec::new());
    step(&mut a, Action::Resize(100, 30));
    insta::assert_snapshot!(render(&a).backend());
}

#[test]
fn tiny_terminal() {
    let a = app("simple", 30, 6);
    insta::assert_snapshot!(render(&a).backend());
}

#[test]
fn every_size_down_to_one_cell_draws_without_panicking() {
    let mut a = app("scale-up", 120, 40);
    step(&mut a, Action::Help);
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 2),
        (39, 9),
        (40, 10),
        (41, 11),
        (69, 20),
        (200, 3),
    ] {
        for mode in [Action::Cancel, Action::Add, Action::Edit, Action::Help] {
            step(&mut a, Action::Resize(w, h));
            step(&mut a, mode);
            render(&a);
            step(&mut a, Action::Cancel);
        }
    }
    // A resize storm with the view scrolled far away.
    a.view = (i32::MAX - 10, i32::MIN + 10);
    for i in 0..200u16 {
        step(&mut a, Action::Resize(1 + i % 150, 1 + i % 50));
        render(&a);
    }
}

#[test]
fn boxes_at_the_ends_of_the_canvas_draw_without_overflow() {
    let mut d = crate::templates::template("simple").expect("template");
    d.components[0].x = Some(i32::MAX);
    d.components[0].y = Some(i32::MIN);
    d.components[1].x = Some(i32::MIN);
    d.components[1].y = Some(i32::MAX);
    let mut a = App::new(d, None);
    step(&mut a, Action::Resize(120, 40));
    render(&a);
    a.selection = Selection::Component("user".into());
    step(&mut a, Action::Center);
    step(&mut a, Action::Nudge(8, 4));
    render(&a);
}

#[test]
fn a_message_comes_first_and_the_figures_show_whole_or_not_at_all() {
    let mut a = app("distributed", 120, 40);
    let row = |a: &App| -> String {
        let t = render(a);
        let buf = t.backend().buffer();
        (0..a.size.0)
            .map(|x| buf[(x, a.size.1 - 2)].symbol().to_string())
            .collect::<String>()
            .trim_end()
            .to_string()
    };
    // Without a message: the counts and the figures.
    a.message = None;
    let r = row(&a);
    assert!(r.contains("avail 99.69% · writes 99.64%"), "{r}");
    // A short message and the figures both fit.
    a.say("saved");
    let r = row(&a);
    assert!(r.contains("saved") && r.contains("N−1 75%"), "{r}");
    assert!(r.find("saved") < r.find("avail"), "{r}");
    // A long one is cut with an ellipsis, and the figures step aside rather than be cut.
    a.say(format!(
        "opened {}.toml · ? for help",
        "a-long-name/".repeat(12)
    ));
    let r = row(&a);
    assert!(r.ends_with('…'), "{r}");
    assert!(!r.contains("avail"), "{r}");
}
