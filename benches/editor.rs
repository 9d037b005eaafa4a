//! The editor's speed on generated designs of about 1,000, 10,000 and 100,000 components in a
//! 160×48 terminal: one frame drawn into a TestBackend, and an edit (move a box one cell)
//! followed by what every edit costs (validation, layout, link routing, analysis) and the
//! redraw.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use infraplan::editor::action::Action;
use infraplan::editor::state::{App, Selection};
use infraplan::editor::update::update;
use infraplan::editor::view;
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
    g.sample_size(10);
    for n in [1_000, 10_000, 100_000] {
        let mut app = editor(n);
        let size = app.design.components.len();
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
        g.bench_with_input(BenchmarkId::new("frame", size), &size, |b, _| {
            b.iter(|| {
                terminal
                    .draw(|f| view::draw(f, black_box(&app)))
                    .expect("draw");
            })
        });
        let id = app.design.components[size / 2].id.clone();
        app.selection = Selection::Component(id);
        let mut step = 1;
        g.bench_with_input(BenchmarkId::new("edit+frame", size), &size, |b, _| {
            b.iter(|| {
                step = -step;
                update(&mut app, Action::Nudge(step, 0));
                terminal.draw(|f| view::draw(f, &app)).expect("draw");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
