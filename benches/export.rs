//! Export speed on generated layered designs: DOT text for 10k components (target under
//! 100 ms), the built-in SVG renderer for 1k and 10k (linear, well under a second), and
//! Graphviz `dot` itself on 100 and 1k components when it is installed (10k is timed by hand
//! in docs/export.md: one run takes minutes, too long for a benchmark loop).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use infraplan::export::{Format, Marks, dot::to_dot, graphviz::Graphviz, svg::to_svg};
use infraplan::generate::layered;
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in [1_000, 10_000] {
        let design = layered(n);
        group.bench_with_input(BenchmarkId::new("dot-text", n), &design, |b, d| {
            b.iter(|| to_dot(black_box(d), None))
        });
        let marks = Marks::new(&design);
        group.bench_with_input(
            BenchmarkId::new("dot-text-annotated", n),
            &design,
            |b, d| b.iter(|| to_dot(black_box(d), Some(&marks))),
        );
        group.bench_with_input(BenchmarkId::new("builtin-svg", n), &design, |b, d| {
            b.iter(|| to_svg(black_box(d), None))
        });
    }
    // The built-in renderer alone at 100k: it must stay linear.
    let design = layered(100_000);
    group.bench_with_input(BenchmarkId::new("builtin-svg", 100_000), &design, |b, d| {
        b.iter(|| to_svg(black_box(d), None))
    });
    group.finish();

    let Some(gv) = Graphviz::locate(Duration::from_secs(600)) else {
        eprintln!("note: Graphviz `dot` not installed; skipping the dot timings");
        return;
    };
    let mut group = c.benchmark_group("graphviz");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(100));
    group.measurement_time(Duration::from_secs(5));
    for n in [100, 1_000] {
        let text = to_dot(&layered(n), None);
        group.bench_with_input(BenchmarkId::new("dot-svg", n), &text, |b, t| {
            b.iter(|| gv.render(black_box(t), Format::Svg))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
