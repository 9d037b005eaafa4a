//! Availability and capacity as a user meets them: the report's figures, `simulate --load`, and
//! bad numbers refused with file:line:column, exit 2 and the file untouched.

use predicates::prelude::*;

mod common;
use common::{design, infraplan};

#[test]
fn analyze_reports_availability_and_capacity() {
    infraplan()
        .arg("analyze")
        .arg(design("05-resilient.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("RESILIENCE"))
        .stdout(predicate::str::contains("for reads"))
        .stdout(predicate::str::contains("peak load     300 rps"))
        .stdout(predicate::str::contains("N−1 server"));
    let out = infraplan()
        .args(["analyze", "--format", "json"])
        .arg(design("02-distributed.toml"))
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let r = &v["files"][0]["resilience"];
    assert_eq!(r["availability"]["method"], "exact");
    let reads = r["availability"]["reads"]["availability"]
        .as_f64()
        .expect("a number");
    let writes = r["availability"]["writes"]["availability"]
        .as_f64()
        .expect("a number");
    assert!(writes < reads && reads < 1.0, "{reads} {writes}");
    assert_eq!(r["capacity"]["peak_load"], 300.0);
    assert_eq!(r["capacity"]["tiers"][0]["tier"], "load_balancer");
}

#[test]
fn simulate_with_a_load_shows_overloaded_tiers() {
    infraplan()
        .args(["simulate", "--fail", "app-01", "--load", "600"])
        .arg(design("05-resilient.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "application server 150% (`app-2`)",
        ))
        .stdout(predicate::str::contains(
            "overloaded: the application server tier",
        ));
    infraplan()
        .args(["simulate", "--fail", "app-01", "--load=-5"])
        .arg(design("05-resilient.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not a number of requests per second",
        ));
}

#[test]
fn bad_numbers_are_refused_at_their_line() {
    let base = "version = 1\nname = \"x\"\n";
    let cases = [
        (
            format!(
                "{base}[[components]]\nid = \"a\"\nkind = \"web_server\"\navailability = 1.5\n"
            ),
            "bad.toml:6:1: component `a`: availability 1.5 is outside (0, 1]",
        ),
        (
            format!("{base}[[components]]\nid = \"a\"\nkind = \"web_server\"\navailability = 0\n"),
            "bad.toml:6:1: component `a`: availability 0 is outside (0, 1]",
        ),
        (
            format!("{base}[[servers]]\nid = \"s\"\nmtbf = 100\n"),
            "bad.toml:5:1: server `s` has `mtbf` but no `mttr`",
        ),
        (
            format!("{base}[[components]]\nid = \"a\"\nkind = \"app_server\"\ncapacity = -10\n"),
            "bad.toml:6:1: component `a`: capacity -10 must be requests per second above 0",
        ),
        (
            format!("peak_load = -1\n{base}"),
            "bad.toml:1:1: peak_load -1 must be requests per second, 0 or more",
        ),
    ];
    for (text, expected) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, &text).expect("write");
        infraplan()
            .arg("analyze")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            text,
            "changed"
        );
    }
}

#[test]
fn simulate_with_a_load_says_why_there_is_no_utilization() {
    // Losing the only application server takes the site down: no tier serves the load.
    infraplan()
        .args(["simulate", "--load", "500", "--fail", "app-01"])
        .arg(design("04-scale-up.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Utilization at 500 rps: none: the site is down",
        ))
        .stdout(predicate::str::contains("database 0%").not());
    // Without capacities there is nothing to measure, and the output says so.
    let dir = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string(design("02-distributed.toml")).expect("read");
    let bare: String = text
        .lines()
        .filter(|l| !l.starts_with("capacity") && !l.starts_with("peak_load"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.path().join("bare.toml");
    std::fs::write(&path, bare).expect("write");
    infraplan()
        .args(["simulate", "--load", "500", "--fail", "nginx-1"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "not measured: no component states a `capacity`",
        ));
}
