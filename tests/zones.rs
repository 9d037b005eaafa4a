//! Failure domains and networks as a user meets them: zones refused where they name nothing,
//! `simulate --fail` on a zone or region, and the zone findings of `analyze`.

use predicates::prelude::*;

mod common;
use common::infraplan;

#[test]
fn bad_zones_are_refused_at_their_line() {
    let base = "version = 1\nname = \"x\"\n";
    let cases = [
        (
            format!("{base}[[zones]]\nid = \"a\"\n\n[[servers]]\nid = \"s\"\nzone = \"b\"\n"),
            "bad.toml:8:1: server `s` is in zone `b`, which does not exist",
        ),
        (
            format!("{base}[[zones]]\nid = \"a\"\navailability = 1.2\n"),
            "bad.toml:5:1: zone `a`: availability 1.2 is outside (0, 1]",
        ),
        (
            format!("{base}[[zones]]\nid = \"a\"\n\n[[servers]]\nid = \"a\"\n"),
            "bad.toml:7:1: duplicate id `a`: zone #1 already uses it",
        ),
        (
            format!("{base}[[zones]]\nid = \"a\"\nnetwork = \"public\"\n"),
            "bad.toml:5:1",
        ),
        (
            format!("{base}[[servers]]\nid = \"s\"\nnetwork = \"dmz\"\n"),
            "bad.toml:5:",
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

fn example() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones-eu-west-1.toml")
}

#[test]
fn a_zone_outage_costs_the_writes_of_a_two_member_group_and_the_region_is_left() {
    // Pages are still served from the other zone; the MySQL group of two loses its majority.
    infraplan()
        .args(["simulate", "--fail", "eu-west-1a"])
        .arg(example())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("writes: pages are served"))
        .stdout(predicate::str::contains(
            "`mysql-2` alone has no majority without `mysql-1`",
        ));
    infraplan()
        .args(["simulate", "--fail", "eu-west-1"])
        .arg(example())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("the site is down"));
    infraplan()
        .arg("analyze")
        .arg(example())
        .assert()
        .stdout(predicate::str::contains("SPOF-REGION"))
        .stdout(predicate::str::contains("region `eu-west-1`"))
        .stdout(predicate::str::contains("SPOF-ZONE").not())
        .stdout(predicate::str::contains("N−1 zone"));
}
