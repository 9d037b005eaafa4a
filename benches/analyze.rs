//! Load, validate and analyze generated designs of 1k, 10k and 100k components.
//!
//! The analysis alone must take no longer than parsing the file, and all three together under
//! a second for 100k components.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use infraplan::analyze::{analyze, analyze_with_numbers};
use infraplan::generate::layered;
use infraplan::io::{Format, parse_bytes, to_string};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("design");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in [1_000, 10_000, 100_000] {
        let design = layered(n);
        let text = to_string(&design, Format::Toml);
        let json = to_string(&design, Format::Json);
        let path = Path::new("bench.toml");
        group.bench_with_input(BenchmarkId::new("parse+validate", n), &text, |b, text| {
            b.iter(|| parse_bytes(path, black_box(text.as_bytes()), Format::Toml))
        });
        group.bench_with_input(
            BenchmarkId::new("parse+validate-json", n),
            &json,
            |b, json| {
                b.iter(|| {
                    parse_bytes(
                        Path::new("bench.json"),
                        black_box(json.as_bytes()),
                        Format::Json,
                    )
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("load+analyze-json", n),
            &json,
            |b, json| {
                b.iter(|| {
                    let d = parse_bytes(
                        Path::new("bench.json"),
                        black_box(json.as_bytes()),
                        Format::Json,
                    )
                    .expect("generated designs are valid");
                    analyze(&d)
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("analyze", n), &design, |b, d| {
            b.iter(|| analyze(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("load+analyze", n), &text, |b, text| {
            b.iter(|| {
                let d = parse_bytes(path, black_box(text.as_bytes()), Format::Toml)
                    .expect("generated designs are valid");
                analyze(&d)
            })
        });
    }
    group.finish();

    // Availability and capacity under failure: the same designs with a peak load and a
    // capacity on every web, application and database server, analyzed with the figures.
    let mut group = c.benchmark_group("resilience");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in [1_000, 10_000, 100_000] {
        let mut design = layered(n);
        design.peak_load = Some(infraplan::model::Number(n as f64));
        for c in &mut design.components {
            use infraplan::model::Kind;
            let cap = match c.kind {
                Kind::LoadBalancer => 5_000.0,
                Kind::WebServer => 2_000.0,
                Kind::AppServer => 400.0,
                Kind::Database => 1_500.0,
                _ => continue,
            };
            c.capacity = Some(infraplan::model::Number(cap));
        }
        group.bench_with_input(BenchmarkId::new("analyze", n), &design, |b, d| {
            b.iter(|| analyze(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("analyze+numbers", n), &design, |b, d| {
            b.iter(|| analyze_with_numbers(black_box(d)))
        });
    }
    group.finish();
}

/// A design of one component and `n` links that are each a problem: to itself, or to an id
/// that does not exist.
fn flood(n: usize, dangling: bool) -> String {
    let mut text = String::from(
        "version = 1\nname = \"flood\"\n\n[[components]]\nid = \"a\"\nkind = \"web_server\"\n",
    );
    for i in 0..n {
        let to = if dangling {
            format!("missing-{i}")
        } else {
            "a".to_string()
        };
        text.push_str(&format!(
            "\n[[links]]\nfrom = \"a\"\nto = \"{to}\"\nprotocol = \"http\"\n"
        ));
    }
    text
}

/// Validating a file with thousands of problems, each placed at its line, and printing them as
/// `validate` does: must stay linear (20,000 problems in well under a second).
fn problems(c: &mut Criterion) {
    let mut group = c.benchmark_group("problems");
    group.sample_size(10);
    for (name, n, dangling) in [("self-links", 20_000, false), ("dangling", 5_000, true)] {
        let text = flood(n, dangling);
        group.bench_with_input(BenchmarkId::new(name, n), &text, |b, text| {
            b.iter(|| {
                let err = parse_bytes(
                    Path::new("flood.toml"),
                    black_box(text.as_bytes()),
                    Format::Toml,
                )
                .expect_err("every link is a problem");
                err.render(false)
            })
        });
        let json = text_to_json(&text);
        group.bench_with_input(
            BenchmarkId::new(format!("{name}-json"), n),
            &json,
            |b, json| {
                b.iter(|| {
                    parse_bytes(
                        Path::new("flood.json"),
                        black_box(json.as_bytes()),
                        Format::Json,
                    )
                    .expect_err("every link is a problem")
                    .render(false)
                })
            },
        );
    }
    group.finish();
}

/// The same design as JSON (read without validation, which would refuse it).
fn text_to_json(text: &str) -> String {
    let design: infraplan::model::Design = toml::from_str(text).expect("parses");
    to_string(&design, Format::Json)
}

criterion_group!(benches, bench, problems);
criterion_main!(benches);
