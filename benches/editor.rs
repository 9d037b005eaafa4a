//! The editor's frame time on a 1,000-component design: one frame drawn into a TestBackend,
//! and an edit (move a box) followed by the analyzer and the redraw, as typing causes.

use criterion::{Criterion, criterion_group, criterion_main};
use infraplan::editor::app::{Action, App, Selection, update};
use infraplan::editor::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn editor(n: usize) -> App {
    let design = infraplan::generate::layered(n);
    let mut app = App::new(design, None);
    update(&mut app, Action::Resize(160, 48));
    app
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("editor");
    let app = editor(1_000);
    let n = app.design.components.len();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    g.bench_function(format!("frame/{n}"), |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
    let mut app = editor(1_000);
    let id = app.design.components[n / 2].id.clone();
    app.selection = Selection::Component(id);
    let mut step = 1;
    g.bench_function(format!("edit+analyze+frame/{n}"), |b| {
        b.iter(|| {
            step = -step;
            update(&mut app, Action::Nudge(step, 0));
            terminal.draw(|f| ui::draw(f, &app)).expect("draw");
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
