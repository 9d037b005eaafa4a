//! Every output format of `analyze` on generated designs of 10k and 100k components, as a
//! user runs it: the real binary, output to a null sink. Each format must stay within 2× of
//! `--format json` on the same design.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use infraplan::generate::layered;
use infraplan::io::{Format, to_string};
use std::process::{Command, Stdio};
use std::time::Duration;

const FORMATS: [&str; 5] = ["json", "text", "sarif", "github", "markdown"];

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = env!("CARGO_BIN_EXE_infraplan");
    let mut group = c.benchmark_group("analyze-output");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in [10_000, 100_000] {
        let path = dir.path().join(format!("design-{n}.toml"));
        std::fs::write(&path, to_string(&layered(n), Format::Toml)).expect("write design");
        for format in FORMATS {
            group.bench_with_input(BenchmarkId::new(format, n), &path, |b, path| {
                b.iter(|| {
                    let status = Command::new(bin)
                        .args(["analyze", "--format", format])
                        .arg(path)
                        .env_remove("GITHUB_STEP_SUMMARY")
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .expect("infraplan runs");
                    assert!(status.code().is_some_and(|c| c <= 1), "{format}: {status}");
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
