//! The binary as a user runs it: exit codes, messages, outputs.

use predicates::prelude::*;
use std::path::PathBuf;

mod common;
use common::{design, infraplan};

/// Writes `text` to a file named `name` in a fresh folder.
fn file(name: &str, text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

#[test]
fn analyze_prints_findings_grouped_by_severity() {
    infraplan()
        .args(["analyze"])
        .arg(design("01-simple.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("CRITICAL\n  SPOF-"))
        .stdout(predicate::str::contains(
            "SPOF-SERVER  server `server-1` (8.8.8.8)",
        ))
        .stdout(predicate::str::contains("fix: "))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn fail_on_sets_exit_one_only_at_or_above_the_level() {
    infraplan()
        .args(["analyze", "--fail-on", "high"])
        .arg(design("01-simple.toml"))
        .assert()
        .code(1);
    infraplan()
        .args(["analyze", "--fail-on", "medium"])
        .arg(design("05-resilient.toml"))
        .assert()
        .code(0);
    infraplan()
        .args(["analyze", "--fail-on", "bogus"])
        .arg(design("05-resilient.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown severity `bogus`"));
}

#[test]
fn json_output_has_the_documented_schema() {
    let out = infraplan()
        .args(["analyze", "--format", "json"])
        .arg(design("02-distributed.toml"))
        .arg(design("05-resilient.toml"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    let f = &files[0];
    assert_eq!(f["valid"], true);
    assert_eq!(f["design"], "Distributed web infrastructure");
    let first = &f["findings"][0];
    for key in [
        "rule",
        "severity",
        "components",
        "servers",
        "links",
        "message",
        "recommendation",
    ] {
        assert!(first.get(key).is_some(), "finding lacks {key}: {first}");
    }
    let https = f["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "NO-HTTPS")
        .expect("NO-HTTPS");
    assert_eq!(https["links"][0]["from"], "user");
    assert_eq!(https["links"][0]["protocol"], "http");
    // Design 5 has nothing at medium or above; its low findings ask to draw a backup and a
    // third vote for the multi-primary pair.
    let counts = &files[1]["counts"];
    for sev in ["critical", "high", "medium"] {
        assert_eq!(counts[sev], 0, "{sev}: {counts}");
    }
    assert_eq!(counts["low"], 2, "{counts}");
}

#[test]
fn several_files_are_analyzed_each_on_its_own() {
    let (_d, bad) = file("bad.toml", b"version = 1\n");
    infraplan()
        .arg("analyze")
        .arg(design("01-simple.toml"))
        .arg(&bad)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Simple web infrastructure"))
        .stderr(predicate::str::contains("bad.toml:1:1: missing key `name`"));
}

/// Each class of invalid input, with the words its message must hold.
#[test]
fn every_validation_error_class_is_reported_with_its_place() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "broken.toml",
            "version = 1\nname = \"x\n",
            "broken.toml:2:10: invalid basic string",
        ),
        (
            "broken.json",
            "{\"version\": 1,, }",
            "broken.json:1:15: key must be a string",
        ),
        (
            "kind.toml",
            "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"webserver\"\n",
            "kind.toml:5:8: unknown value `webserver`, expected one of `client`",
        ),
        (
            "key.toml",
            "version = 1\nname = \"x\"\ncolour = \"red\"\n",
            "key.toml:3:1: unknown key `colour`",
        ),
        (
            "dup.toml",
            "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"client\"\n[[components]]\nid = \"a\"\nkind = \"web_server\"\n",
            "dup.toml:7:1: duplicate id `a`",
        ),
        (
            "dangling.toml",
            "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"client\"\n[[links]]\nfrom = \"a\"\nto = \"web-3\"\nprotocol = \"http\"\n",
            "dangling.toml:8:1: link to `web-3`, which is not a component or cluster",
        ),
        (
            "server.json",
            "{\"version\": 1, \"name\": \"x\", \"components\": [{\"id\": \"a\", \"kind\": \"client\", \"server\": \"nope\"}]}",
            "server.json:1:74: component `a` is on server `nope`, which does not exist",
        ),
        (
            "dns.toml",
            "version = 1\nname = \"x\"\n[[dns]]\nname = \"www\"\ntarget = \"gone\"\n",
            "dns.toml:5:1: DNS record `www` points to `gone`",
        ),
        (
            "self.toml",
            "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"client\"\n[[links]]\nfrom = \"a\"\nto = \"a\"\nprotocol = \"http\"\n",
            "self.toml:8:1: link from `a` to itself",
        ),
        (
            "newer.toml",
            "version = 2\nname = \"x\"\n",
            "newer.toml:1:1: format version 2 is newer than this infraplan understands",
        ),
        ("empty.toml", "", "empty.toml: is empty"),
        (
            "design.yaml",
            "version: 1",
            "design.yaml: is not a design file: its name must end in .toml or .json",
        ),
    ];
    for (name, text, expected) in cases {
        let (_dir, path) = file(name, text.as_bytes());
        let before = std::fs::read(&path).expect("read");
        infraplan()
            .arg("validate")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expected));
        assert_eq!(
            std::fs::read(&path).expect("read"),
            before,
            "{name} was changed"
        );
    }
}

#[test]
fn binary_large_and_directory_inputs_are_refused() {
    let (_d, bin) = file("bin.toml", &[0, 159, 146, 150, 0, 1, 2]);
    infraplan()
        .arg("validate")
        .arg(&bin)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a text file"));
    let big = vec![b'#'; 50 * 1024 * 1024];
    let (_d2, large) = file("large.toml", &big);
    infraplan()
        .arg("analyze")
        .arg(&large)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is 50.0 MiB; infraplan reads design files of up to 32 MiB",
        ));
    let dir = tempfile::tempdir().expect("dir");
    infraplan()
        .arg("analyze")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a directory, not a design file",
        ));
    infraplan()
        .args(["validate", "/nonexistent/x.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/x.toml: cannot read"));
}

#[test]
fn validate_reports_valid_files() {
    infraplan()
        .arg("validate")
        .arg(design("03-secured-monitored.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "valid (16 components, 3 servers, 11 links)",
        ));
}

#[test]
fn simulate_says_what_the_site_loses() {
    infraplan()
        .args(["simulate"])
        .arg(design("02-distributed.toml"))
        .args(["--fail", "haproxy"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "loses: everything: the site is down",
        ))
        .stdout(predicate::str::contains(
            "Unreachable: nginx-1, app, mysql-primary, nginx-2, mysql-replica",
        ));
    infraplan()
        .args(["simulate"])
        .arg(design("04-scale-up.toml"))
        .args(["--fail", "lb-01"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("loses: some capacity"));
    infraplan()
        .args(["simulate"])
        .arg(design("02-distributed.toml"))
        .args(["--fail", "mysql-primary", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"loss\": \"writes\""));
    infraplan()
        .args(["simulate"])
        .arg(design("02-distributed.toml"))
        .args(["--fail", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no component, server or cluster named `nope`",
        ));
}

#[test]
fn rules_lists_the_catalog() {
    infraplan()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("SPOF-COMPONENT"))
        .stdout(predicate::str::contains("TLS-TERMINATED-EARLY"))
        .stdout(predicate::str::contains("why:"));
    infraplan()
        .args(["rules", "no-https"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("NO-HTTPS"));
    infraplan().args(["rules", "NOPE"]).assert().code(2);
}

#[test]
fn new_starts_from_a_template_and_keeps_existing_files() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("site.json");
    infraplan()
        .arg("new")
        .arg(&path)
        .args(["--template", "distributed"])
        .assert()
        .code(0);
    infraplan().arg("validate").arg(&path).assert().code(0);
    infraplan()
        .arg("new")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    infraplan()
        .arg("new")
        .arg(dir.path().join("x.toml"))
        .args(["--template", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown template `nope`"));
}

#[test]
fn help_has_examples_and_usage_errors_exit_two() {
    for sub in ["analyze", "validate", "simulate", "rules", "new"] {
        infraplan()
            .args([sub, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Examples:"));
    }
    infraplan().args(["analyze"]).assert().code(2);
    infraplan().args(["frobnicate"]).assert().code(2);
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    use std::process::{Command as Std, Stdio};
    let mut cmd = Std::new(assert_cmd::cargo::cargo_bin("infraplan"));
    cmd.arg("analyze");
    // Enough output to overflow the pipe's buffer once the reader is gone.
    for _ in 0..100 {
        cmd.arg(design("01-simple.toml"));
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `validate` on `text` and gives its exit code and stderr.
fn validate_text(name: &str, text: &[u8]) -> (Option<i32>, String) {
    let (_dir, path) = file(name, text);
    let out = infraplan()
        .arg("validate")
        .arg(&path)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn toml_mistakes_are_told_in_the_words_of_design_files() {
    for (text, expected) in [
        (
            &b"version = 1\nname = \"x\"\nname = \"y\"\n"[..],
            "d.toml:3:1: `name` is defined twice",
        ),
        (
            b"version = 1\nname = \"x\"\n[[servers]]\nid = \"a\"\n[servers]\n",
            "d.toml:5:2: table `[servers]` is defined twice",
        ),
        (
            b"version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"client\"\nx = 99999999999999999999\n",
            "d.toml:6:5: invalid type: integer `99999999999999999999`, expected a whole number from -2147483648 to 2147483647",
        ),
        (
            b"version = 1\nname = \"x\"\n[[links]]\nfrom = \"a\"\nto = \"b\"\nprotocol = \"http\"\nport = 70000\n",
            "d.toml:7:8: invalid value: integer `70000`, expected a whole number from 0 to 65535",
        ),
        (
            b"version = 1\nname = \"x\"\ndescription = 1979-05-27T07:32:00Z\n",
            "d.toml:3:15: invalid type: date-time, expected a string (write dates in quotes: \"2026-12-31\")",
        ),
        (
            b"version = 1\nname = \"caf\xe9\"\n",
            "d.toml:2:12: is not UTF-8 text",
        ),
        (
            b"version = 1\nname = \"ca\0f\"\n",
            "d.toml:2:11: is not a text file (it holds binary data, starting here)",
        ),
    ] {
        let (code, stderr) = validate_text("d.toml", text);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(expected), "expected {expected:?} in:\n{stderr}");
        assert!(!stderr.contains(" as i128") && !stderr.contains("expected i32"), "{stderr}");
    }
}

#[test]
fn a_very_long_line_is_drawn_as_an_excerpt_under_its_message() {
    let deep = format!(
        "version = 1\nname = \"x\"\nx = {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (code, stderr) = validate_text("deep.toml", deep.as_bytes());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("deep.toml:3:"), "{stderr}");
    assert!(stderr.contains(" 3 │ [[[["), "{stderr}");
    assert!(
        stderr.len() < 1_200,
        "the 20 kB line is drawn as a stretch of it: {} bytes",
        stderr.len()
    );
}
