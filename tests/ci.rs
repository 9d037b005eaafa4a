//! infraplan in CI, as a pipeline runs it: SARIF output checked against the SARIF 2.1.0
//! schema, accepted risks, design diffs (files and git revisions) and watch mode.
//!
//! `tests/sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0 schema
//! (`https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json`)
//! as the `serde-sarif` 0.8.0 crate ships it in `src/schema.json`.

use predicates::prelude::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;
use common::{design, infraplan};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read design")
}

/// Runs infraplan in `dir` and returns (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = infraplan()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json"),
        )
        .expect("schema file"),
    )
    .expect("schema is JSON");
    let mut schema = schema;
    // The published schema's pattern for `language` (of runs and tool components) has a stray
    // `]` (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which jsonschema's check of the schema
    // itself rejects as a regex; it means a two-letter language with an optional region. Our
    // logs set no `language`, so the pattern is repaired here rather than in the shipped file.
    let repaired = repair_patterns(&mut schema);
    assert_eq!(repaired, 2, "the schema file changed");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn repair_patterns(v: &mut Value) -> usize {
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        Value::Object(map) => {
            let mut n = 0;
            for (k, v) in map.iter_mut() {
                if k == "pattern" && v == BAD {
                    *v = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    n += 1;
                } else {
                    n += repair_patterns(v);
                }
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(repair_patterns).sum(),
        _ => 0,
    }
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
}

fn sarif_of(args: &[&str], dir: &Path) -> (i32, Value) {
    let (code, stdout, _) = run_in(dir, args);
    (code, serde_json::from_str(&stdout).expect("SARIF is JSON"))
}

/// The `[[accepted]]` entry for a finding, in TOML.
fn acceptance(rule: &str, ids: &[&str], reason: &str, expires: Option<&str>) -> String {
    let ids: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
    let mut s = format!(
        "\n[[accepted]]\nrule = \"{rule}\"\nids = [{}]\nreason = \"{reason}\"\n",
        ids.join(", ")
    );
    if let Some(e) = expires {
        s.push_str(&format!("expires = \"{e}\"\n"));
    }
    s
}

#[test]
fn sarif_of_every_reference_design_is_valid_and_points_at_definitions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, log) = sarif_of(
        &[
            "analyze",
            "--format",
            "sarif",
            "designs/01-simple.toml",
            "designs/02-distributed.toml",
            "designs/03-secured-monitored.toml",
            "designs/04-scale-up.toml",
            "designs/05-resilient.toml",
        ],
        root,
    );
    assert_eq!(code, 0);
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for id in ["SPOF-SERVER", "NO-HTTPS", "STALE-ACCEPTANCE"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(rules.iter().all(|r| {
        r["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("How to fix"))
    }));

    let results = run["results"].as_array().expect("results");
    let simple: Vec<&Value> = results
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "designs/01-simple.toml"
        })
        .collect();
    // One result per finding.
    let (_, json, _) = run_in(
        root,
        &["analyze", "--format", "json", "designs/01-simple.toml"],
    );
    let json: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        simple.len(),
        json["files"][0]["findings"].as_array().map_or(0, Vec::len)
    );
    // SPOF-SERVER on design 1 concerns server-1: the line of its `id`.
    let text = read(&design("01-simple.toml"));
    let server_line = text
        .lines()
        .position(|l| l == "id = \"server-1\"")
        .expect("server-1 defined")
        + 1;
    let spof = simple
        .iter()
        .find(|r| r["ruleId"] == "SPOF-SERVER")
        .expect("SPOF-SERVER");
    assert_eq!(spof["level"], "error");
    assert_eq!(
        spof["locations"][0]["physicalLocation"]["region"]["startLine"],
        server_line
    );
    // The rule index points at the rule.
    let index = spof["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[index]["id"], "SPOF-SERVER");
    // A link finding points at the link's `protocol` line, with the components related.
    let https = simple
        .iter()
        .find(|r| r["ruleId"] == "NO-HTTPS")
        .expect("NO-HTTPS");
    let protocol_line = text
        .lines()
        .position(|l| l == "protocol = \"http\"")
        .expect("a plain link")
        + 1;
    let region = &https["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], protocol_line);
    assert_eq!(region["endLine"], protocol_line);
    assert_eq!(region["startColumn"], 1);
    assert_eq!(region["endColumn"], "protocol = \"http\"".len() + 1);
    let comp = https["properties"]["components"][0]
        .as_str()
        .expect("a component");
    let comp_line = text
        .lines()
        .position(|l| l == format!("id = \"{comp}\""))
        .expect("component defined")
        + 1;
    let related = https["relatedLocations"].as_array().expect("related");
    assert!(
        related
            .iter()
            .any(|l| l["physicalLocation"]["region"]["startLine"] == comp_line),
        "{related:?}"
    );
    // URIs are relative to the repository root.
    assert_eq!(
        https["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("file://") && u.ends_with('/'))
    );
    // Severity as GitHub reads it.
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).expect("rule");
    assert_eq!(rule("NO-HTTPS")["properties"]["security-severity"], "8.0");
    assert!(
        rule("NO-HTTPS")["properties"]["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "external/cwe/cwe-319"))
    );
    assert_eq!(
        rule("SPOF-SERVER")["properties"]["problem.severity"],
        "error"
    );
    assert!(
        rules
            .iter()
            .all(|r| r["properties"]["precision"].is_string())
    );
    // Levels follow severities.
    for r in results {
        let level = match r["properties"]["severity"].as_str() {
            Some("critical" | "high") => "error",
            Some("medium") => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level, "{r}");
    }
}

#[test]
fn sarif_of_json_designs_points_at_lines_too() {
    let dir = tempfile::tempdir().expect("temp");
    let json = dir.path().join("site.json");
    infraplan()
        .args(["new", "--template", "simple"])
        .arg(&json)
        .assert()
        .code(0);
    let (code, log) = sarif_of(&["analyze", "--format", "sarif", "site.json"], dir.path());
    assert_eq!(code, 0);
    assert_valid_sarif(&log);
    let text = read(&json);
    let line = text
        .lines()
        .position(|l| l.trim() == "\"id\": \"server-1\",")
        .expect("server-1")
        + 1;
    let spof = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "SPOF-SERVER")
        .cloned()
        .expect("SPOF-SERVER");
    assert_eq!(
        spof["locations"][0]["physicalLocation"]["region"]["startLine"],
        line
    );
}

#[test]
fn sarif_for_an_invalid_design_is_a_notification_and_exit_two() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("bad.toml"),
        "version = 1\nname = \"b\"\n\n[[components]]\nid = \"x\"\nkind = \"spaceship\"\n",
    )
    .expect("write");
    let (code, log) = sarif_of(
        &[
            "analyze",
            "--format",
            "sarif",
            "--fail-on",
            "high",
            "bad.toml",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert_valid_sarif(&log);
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert!(
        n["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("spaceship")),
        "{n}"
    );
    let region = &n["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 6);
    // And an error result at the same line, so code scanning does not read "no alerts".
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "INVALID-DESIGN");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    assert!(
        r["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("spaceship")),
        "{r}"
    );
    let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "INVALID-DESIGN"
    );

    // An unreadable file (a folder) too, next to a valid one whose results still come out.
    let (code, log) = sarif_of(
        &[
            "analyze",
            "--format",
            "sarif",
            ".",
            design("01-simple.toml").to_str().expect("utf-8 path"),
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert!(!run["results"].as_array().expect("results").is_empty());
}

/// Design 2 with an acceptance of its DB-SINGLE-PRIMARY finding, in a temp folder.
fn accepted_design(expires: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("site.toml");
    let mut text = read(&design("02-distributed.toml"));
    text.push_str(&acceptance(
        "DB-SINGLE-PRIMARY",
        &["mysql-replica", "mysql-primary"],
        "manual promotion within the hour is fine",
        expires,
    ));
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

#[test]
fn accepted_findings_are_shown_apart_and_do_not_fail() {
    let (dir, _) = accepted_design(Some("2999-01-01"));
    let (code, out, err) = run_in(dir.path(), &["analyze", "--fail-on", "medium", "site.toml"]);
    // Design 2 has other medium-or-worse findings, so it still fails…
    assert_eq!(code, 1, "{err}");
    assert!(out.contains(", 1 accepted"), "{out}");
    let accepted_part = out.split("ACCEPTED").nth(1).expect("an ACCEPTED section");
    assert!(accepted_part.contains("DB-SINGLE-PRIMARY"), "{out}");
    assert!(
        accepted_part.contains("accepted (until 2999-01-01): manual promotion"),
        "{out}"
    );
    let open_part = out.split("ACCEPTED").next().unwrap_or_default();
    assert!(!open_part.contains("DB-SINGLE-PRIMARY"), "{out}");

    // JSON: status, the acceptance and counts without it.
    let (_, json, _) = run_in(dir.path(), &["analyze", "--format", "json", "site.toml"]);
    let v: Value = serde_json::from_str(&json).expect("json");
    let f = &v["files"][0];
    assert_eq!(f["accepted"], 1);
    let dbsp = f["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "DB-SINGLE-PRIMARY")
        .expect("still listed");
    assert_eq!(dbsp["status"], "accepted");
    assert_eq!(dbsp["acceptance"]["index"], 0);
    assert_eq!(dbsp["acceptance"]["expires"], "2999-01-01");

    // SARIF: left out by default (code scanning ignores suppressions)…
    let (_, log) = sarif_of(&["analyze", "--format", "sarif", "site.toml"], dir.path());
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["ruleId"] != "DB-SINGLE-PRIMARY"));
    // …or kept with a suppression and the reason.
    let (_, log) = sarif_of(
        &[
            "analyze",
            "--format",
            "sarif",
            "--sarif-accepted",
            "suppress",
            "site.toml",
        ],
        dir.path(),
    );
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "DB-SINGLE-PRIMARY")
        .expect("result");
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        r["suppressions"][0]["justification"],
        "manual promotion within the hour is fine"
    );
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] != "DB-SINGLE-PRIMARY")
            .all(|r| r.get("suppressions").is_none())
    );
}

#[test]
fn accepting_every_finding_at_the_threshold_lets_fail_on_pass() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("site.toml");
    let mut text = read(&design("01-simple.toml"));
    std::fs::write(&path, &text).expect("write");
    let (code, json, _) = run_in(dir.path(), &["analyze", "--format", "json", "site.toml"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).expect("json");
    for f in v["files"][0]["findings"].as_array().expect("findings") {
        if matches!(f["severity"].as_str(), Some("critical" | "high")) {
            let ids: Vec<&str> = f["components"]
                .as_array()
                .into_iter()
                .chain(f["servers"].as_array())
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            text.push_str(&acceptance(
                f["rule"].as_str().expect("rule"),
                &ids,
                "prototype",
                None,
            ));
        }
    }
    std::fs::write(&path, &text).expect("write");
    let (code, out, err) = run_in(dir.path(), &["analyze", "--fail-on", "high", "site.toml"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, _) = run_in(dir.path(), &["analyze", "--fail-on", "medium", "site.toml"]);
    assert_eq!(code, 1);
}

#[test]
fn expired_acceptances_count_again_and_say_so() {
    let (dir, _) = accepted_design(Some("2020-01-01"));
    let (_, out, _) = run_in(dir.path(), &["analyze", "site.toml"]);
    assert!(!out.contains("ACCEPTED"), "{out}");
    assert!(
        out.contains("accepted until 2020-01-01, expired: manual promotion"),
        "{out}"
    );
    let (_, json, _) = run_in(dir.path(), &["analyze", "--format", "json", "site.toml"]);
    let v: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["files"][0]["accepted"], 0);
    let (_, log) = sarif_of(&["analyze", "--format", "sarif", "site.toml"], dir.path());
    let r = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "DB-SINGLE-PRIMARY")
        .cloned()
        .expect("result");
    assert!(r.get("suppressions").is_none());
    assert_eq!(r["properties"]["acceptanceExpired"], "2020-01-01");
}

#[test]
fn stale_acceptances_are_reported_and_located() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("site.toml");
    let mut text = read(&design("02-distributed.toml"));
    // The finding concerns both databases; accepting it for one of them matches nothing.
    text.push_str(&acceptance(
        "DB-SINGLE-PRIMARY",
        &["mysql-primary"],
        "old entry",
        None,
    ));
    std::fs::write(&path, &text).expect("write");
    let (_, out, _) = run_in(dir.path(), &["analyze", "site.toml"]);
    assert!(
        out.contains("STALE-ACCEPTANCE  accepted risk `DB-SINGLE-PRIMARY` for `mysql-primary` matches no finding"),
        "{out}"
    );
    // DB-SINGLE-PRIMARY is back among the counted findings.
    assert!(!out.contains("ACCEPTED"), "{out}");
    let (_, log) = sarif_of(&["analyze", "--format", "sarif", "site.toml"], dir.path());
    assert_valid_sarif(&log);
    let stale = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "STALE-ACCEPTANCE")
        .cloned()
        .expect("STALE-ACCEPTANCE result");
    let line = text
        .lines()
        .position(|l| l == "rule = \"DB-SINGLE-PRIMARY\"")
        .expect("entry")
        + 1;
    assert_eq!(stale["level"], "note");
    assert_eq!(
        stale["locations"][0]["physicalLocation"]["region"]["startLine"],
        line
    );
}

#[test]
fn rules_lists_stale_acceptance() {
    infraplan()
        .args(["rules", "stale-acceptance"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("STALE-ACCEPTANCE  low"));
    let out = infraplan()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v.as_array().and_then(|a| a.last()).map(|r| r["id"].clone()),
        Some(Value::from("STALE-ACCEPTANCE"))
    );
}

#[test]
fn diff_of_two_files_lists_changes_and_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = run_in(
        root,
        &[
            "diff",
            "designs/02-distributed.toml",
            "designs/03-secured-monitored.toml",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("designs/02-distributed.toml → designs/03-secured-monitored.toml\n"),
        "{out}"
    );
    assert!(out.contains("\nComponents: "), "{out}");
    assert!(out.contains("(firewall on "), "{out}");
    assert!(out.contains("\nLinks: "), "{out}");
    assert!(out.contains("introduced"), "{out}");
    assert!(out.contains("  - HIGH     NO-FIREWALL"), "{out}");
    // SPOF-SERVER on lb-01 concerns the new firewall too, but it is the same finding.
    assert!(!out.contains("SPOF-SERVER"), "{out}");
    assert!(
        out.contains("  + ") && out.contains("TLS-TERMINATED-EARLY"),
        "{out}"
    );

    // --fail-on: design 3 introduces TLS-TERMINATED-EARLY; going back to 2 brings high ones.
    let (code, _, _) = run_in(
        root,
        &[
            "diff",
            "--fail-on",
            "critical",
            "designs/02-distributed.toml",
            "designs/03-secured-monitored.toml",
        ],
    );
    assert_eq!(code, 0);
    let (code, _, _) = run_in(
        root,
        &[
            "diff",
            "--fail-on",
            "high",
            "designs/03-secured-monitored.toml",
            "designs/02-distributed.toml",
        ],
    );
    assert_eq!(code, 1);

    let (code, out, _) = run_in(
        root,
        &[
            "diff",
            "--format",
            "json",
            "designs/02-distributed.toml",
            "designs/03-secured-monitored.toml",
        ],
    );
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["old"], "designs/02-distributed.toml");
    let d = &v["diff"];
    assert!(
        d["components"]["added"]
            .as_array()
            .expect("added")
            .iter()
            .any(|c| c["fields"]["kind"] == "firewall")
    );
    assert!(
        d["findings"]["resolved"]
            .as_array()
            .expect("resolved")
            .iter()
            .any(|f| f["rule"] == "NO-FIREWALL" && f["status"] == "open")
    );
    for key in ["servers", "links", "accepted"] {
        assert!(d[key]["changed"].is_array(), "{key}");
    }

    let (code, out, _) = run_in(
        root,
        &["diff", "designs/01-simple.toml", "designs/01-simple.toml"],
    );
    assert_eq!(code, 0);
    assert!(out.ends_with("no differences\n"), "{out}");
}

#[test]
fn diff_says_which_input_is_invalid() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("bad.toml"),
        "version = 1\nname = \"b\"\nfoo = 1\n",
    )
    .expect("write");
    let simple = design("01-simple.toml");
    let simple = simple.to_str().expect("utf-8");
    let (code, out, err) = run_in(dir.path(), &["diff", simple, "bad.toml"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("the new design (bad.toml) is invalid"),
        "{err}"
    );
    assert!(err.contains("bad.toml:3:1: unknown key `foo`"), "{err}");
    assert!(!err.contains("the old design"), "{err}");
    let (code, _, err) = run_in(dir.path(), &["diff", "missing.toml", simple]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the old design (missing.toml) cannot be read"),
        "{err}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(ok.status.success(), "git {args:?}: {ok:?}");
}

#[test]
fn diff_reads_git_revisions() {
    let dir = tempfile::tempdir().expect("temp");
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.join("designs")).expect("mkdir");
    let site = repo.join("designs/site.toml");
    std::fs::copy(design("05-resilient.toml"), &site).expect("copy");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "resilient"]);
    std::fs::copy(design("01-simple.toml"), &site).expect("copy");
    git(repo, &["commit", "-q", "-am", "simple"]);

    let (code, out, err) = run_in(
        repo,
        &[
            "diff",
            "--fail-on",
            "high",
            "git:HEAD~1:designs/site.toml",
            "git:HEAD:designs/site.toml",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("git:HEAD~1:designs/site.toml → git:HEAD:designs/site.toml"),
        "{out}"
    );
    assert!(out.contains("+ CRITICAL SPOF-SERVER"), "{out}");

    // The working tree against HEAD: no difference.
    let (code, out, _) = run_in(
        repo,
        &["diff", "git:HEAD:designs/site.toml", "designs/site.toml"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("no differences"), "{out}");

    // `git::path` is the staged version.
    std::fs::copy(design("05-resilient.toml"), &site).expect("copy");
    git(repo, &["add", "designs/site.toml"]);
    std::fs::copy(design("01-simple.toml"), &site).expect("copy");
    let (code, out, err) = run_in(
        repo,
        &[
            "diff",
            "--fail-on",
            "high",
            "git:HEAD~1:designs/site.toml",
            "git::designs/site.toml",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no differences"), "{out}");
    git(repo, &["checkout", "HEAD", "--", "designs/site.toml"]);

    // A revision or path git does not have.
    let (code, _, err) = run_in(
        repo,
        &["diff", "git:nope:designs/site.toml", "designs/site.toml"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("the old design (git:nope:designs/site.toml) cannot be read"),
        "{err}"
    );
    let (code, _, err) = run_in(
        repo,
        &["diff", "git:HEAD:designs/other.toml", "designs/site.toml"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("git cannot show it"), "{err}");

    // An invalid design committed in git is named by its git spec and line.
    std::fs::write(&site, "version = 1\nname = \"x\"\nbogus = true\n").expect("write");
    git(repo, &["commit", "-q", "-am", "broken"]);
    let (code, _, err) = run_in(
        repo,
        &[
            "diff",
            "git:HEAD~1:designs/site.toml",
            "git:HEAD:designs/site.toml",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("git:HEAD:designs/site.toml:3:1: unknown key `bogus`"),
        "{err}"
    );
}

/// Reads the child's stdout lines on a thread, so the test can wait with a deadline.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits until a line containing `needle` arrives; every line seen is appended to `seen`.
fn wait_for(rx: &mpsc::Receiver<String>, needle: &str, seen: &mut String) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains(needle) {
                    return true;
                }
            }
            Err(_) => return false,
        }
    }
    false
}

/// Kills the watcher when the test ends, whatever happens.
struct Reap(std::process::Child);
impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_redraws_on_every_save_and_survives_invalid_states() {
    let dir = tempfile::tempdir().expect("temp");
    let site = dir.path().join("site.toml");
    std::fs::copy(design("05-resilient.toml"), &site).expect("copy");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("infraplan"))
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .args(["analyze", "--watch", "site.toml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut child = Reap(child);
    let rx = lines_of(&mut child.0);
    let mut seen = String::new();
    assert!(
        wait_for(&rx, "watching site.toml · last run", &mut seen),
        "{seen}"
    );
    assert!(
        seen.contains("Resilient") || seen.contains("site.toml — "),
        "{seen}"
    );
    assert!(!seen.contains("SPOF-SERVER"), "{seen}");
    std::thread::sleep(Duration::from_millis(300));

    // An atomic save, as editors and infraplan do: write a temp file, rename it over.
    let tmp = dir.path().join(".site.toml.tmp");
    std::fs::copy(design("01-simple.toml"), &tmp).expect("copy");
    std::fs::rename(&tmp, &site).expect("rename");
    let mut seen = String::new();
    assert!(wait_for(&rx, "SPOF-SERVER", &mut seen), "{seen}");
    assert!(wait_for(&rx, "last run", &mut seen), "{seen}");
    std::thread::sleep(Duration::from_millis(300));

    // A broken intermediate state shows the error and keeps watching.
    std::fs::write(
        &site,
        "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"boat\"\n",
    )
    .expect("write");
    let mut seen = String::new();
    assert!(wait_for(&rx, "unknown value `boat`", &mut seen), "{seen}");
    assert!(wait_for(&rx, "last run", &mut seen), "{seen}");
    std::thread::sleep(Duration::from_millis(300));

    // An in-place write is seen too.
    std::fs::write(&site, read(&design("05-resilient.toml"))).expect("write");
    let mut seen = String::new();
    assert!(
        wait_for(&rx, "site.toml — Resilient web infrastructure", &mut seen),
        "{seen}"
    );
    let mut seen = String::new();
    assert!(wait_for(&rx, "last run", &mut seen), "{seen}");
    assert!(
        !seen.contains("SPOF-SERVER") && !seen.contains("boat"),
        "{seen}"
    );
    // Reading the file to analyze it is no change: nothing more is drawn until the next save.
    std::thread::sleep(Duration::from_millis(800));
    let extra: Vec<String> = rx.try_iter().collect();
    assert!(
        !extra.iter().any(|l| l.contains("last run")),
        "redrawn without a save: {extra:#?}"
    );
    assert!(
        child.0.try_wait().expect("status").is_none(),
        "still running"
    );
}

#[test]
fn watch_takes_one_text_file() {
    infraplan()
        .args(["analyze", "--watch", "a.toml", "b.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--watch takes one design file"));
    infraplan()
        .args(["analyze", "--watch", "--format", "json", "a.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn the_schema_check_rejects_what_sarif_forbids() {
    let validator = sarif_validator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, mut log) = sarif_of(
        &["analyze", "--format", "sarif", "designs/01-simple.toml"],
        root,
    );
    assert!(validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = Value::from("error");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&log));
}

#[test]
fn diff_text_sums_up_boxes_that_only_moved() {
    let out = infraplan()
        .args(["diff"])
        .arg(design("02-distributed.toml"))
        .arg(design("03-secured-monitored.toml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Components: 7 added, 1 changed, 5 moved"),
        "{text}"
    );
    assert!(
        text.contains("  ~ haproxy: certificate (none) → \"www.foobar.com\"\n"),
        "{text}"
    );
    assert!(
        text.contains("moved on the canvas: user, haproxy, nginx-2"),
        "{text}"
    );
    assert!(
        !text.contains(" → 12"),
        "positions are not listed one by one: {text}"
    );
}

/// The results of a SARIF log by identity (`infraplanFinding/v1`): fingerprint and start line.
fn by_identity(log: &Value) -> std::collections::BTreeMap<String, (String, u64)> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["infraplanFinding/v1"]
                    .as_str()
                    .expect("key")
                    .to_string(),
                (
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .expect("GitHub's fingerprint")
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("line"),
                ),
            )
        })
        .collect()
}

#[test]
fn fingerprints_stay_when_boxes_move_and_lines_shift() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("site.toml");
    let original = read(&design("02-distributed.toml"));
    std::fs::write(&path, &original).expect("write");
    let (_, before) = sarif_of(&["analyze", "--format", "sarif", "site.toml"], dir.path());
    // Move every box (as the editor does) and insert lines at the top.
    let moved: String = original
        .lines()
        .map(|l| match l.split_once(" = ") {
            Some(("x" | "y", v)) => format!(
                "{} = {}\n",
                &l[..1],
                v.parse::<i64>().expect("a position") + 7
            ),
            _ => format!("{l}\n"),
        })
        .collect();
    assert_ne!(moved, original, "design 2 has positions to move");
    let shifted = moved.replacen("\n", "\n# a\n# b\n# c\n", 1);
    std::fs::write(&path, &shifted).expect("write");
    let (_, after) = sarif_of(&["analyze", "--format", "sarif", "site.toml"], dir.path());
    let (before, after) = (by_identity(&before), by_identity(&after));
    assert_eq!(before.len(), after.len());
    for (key, (hash, line)) in &before {
        let (hash_after, line_after) = &after[key];
        assert_eq!(hash, hash_after, "{key}");
        assert_eq!(*line_after, line + 3, "{key} moved with its lines");
    }
    // Fingerprints are distinct within the run.
    let hashes: std::collections::BTreeSet<&String> = before.values().map(|(h, _)| h).collect();
    assert_eq!(hashes.len(), before.len());
}

#[test]
fn a_pull_request_that_drops_https_is_annotated_on_the_changed_line() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("site.toml");
    let secured = read(&design("03-secured-monitored.toml"));
    let (changed_line, _) = secured
        .lines()
        .enumerate()
        .find(|(_, l)| *l == "protocol = \"https\"")
        .expect("an https link");
    let plain: String = secured
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == changed_line {
                "protocol = \"http\"\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&path, plain).expect("write");
    let (_, log) = sarif_of(
        &[
            "analyze",
            "--format",
            "sarif",
            "--sarif-category",
            "designs",
            "site.toml",
        ],
        dir.path(),
    );
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "designs/");
    let https: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ruleId"] == "NO-HTTPS")
        .collect();
    assert!(
        https.iter().any(
            |r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == changed_line + 1
        ),
        "{https:?}"
    );
}

#[test]
fn diff_sees_dns_cluster_and_domain_changes() {
    let dir = tempfile::tempdir().expect("temp");
    let old = read(&design("04-scale-up.toml"));
    let new = old
        .replace("target = \"lb-cluster\"", "target = \"lb-01\"")
        .replace("vip = \"8.8.8.8\"", "vip = \"8.8.4.4\"")
        .replace("mode = \"active-active\"", "mode = \"active-passive\"")
        .replace("domain = \"foobar.com\"", "domain = \"example.org\"");
    std::fs::write(dir.path().join("old.toml"), &old).expect("write");
    std::fs::write(dir.path().join("new.toml"), &new).expect("write");
    let (code, out, err) = run_in(dir.path(), &["diff", "old.toml", "new.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("no differences"), "{out}");
    for expected in [
        "Design:",
        "domain \"foobar.com\" → \"example.org\"",
        "DNS records: 1 changed",
        "www (A): target \"lb-cluster\" → \"lb-01\"",
        "Clusters: 1 changed",
        "lb-cluster: mode \"active-active\" → \"active-passive\"; vip \"8.8.8.8\" → \"8.8.4.4\"",
    ] {
        assert!(out.contains(expected), "{expected} not in {out}");
    }
    let (_, json, _) = run_in(
        dir.path(),
        &["diff", "old.toml", "new.toml", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["diff"]["dns"]["changed"][0]["key"], "www (A)");
    assert_eq!(v["diff"]["design"][0]["field"], "domain");
    assert_eq!(v["diff"]["clusters"]["changed"][0]["key"], "lb-cluster");
}

/// Runs infraplan in the repository root without a step summary set.
fn run_at_root(args: &[&str]) -> (i32, String, String) {
    let out = infraplan()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn github_annotations_point_where_sarif_does() {
    let (code, out, err) = run_at_root(&[
        "analyze",
        "--format",
        "github",
        "--fail-on",
        "high",
        "designs/01-simple.toml",
    ]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("github-01-simple", out);
    let text = read(&design("01-simple.toml"));
    let protocol_line = text
        .lines()
        .position(|l| l == "protocol = \"http\"")
        .expect("plain link")
        + 1;
    assert!(
        out.lines().any(|l| l.starts_with(&format!(
            "::error file=designs/01-simple.toml,line={protocol_line},"
        )) && l.contains("title=NO-HTTPS (high)")),
        "{out}"
    );
    // Every finding but the accepted ones, and a summary.
    let (_, json, _) = run_at_root(&["analyze", "--format", "json", "designs/01-simple.toml"]);
    let v: Value = serde_json::from_str(&json).expect("json");
    let n = v["files"][0]["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(out.lines().filter(|l| l.starts_with("::")).count(), n);
    assert!(
        out.ends_with("designs/01-simple.toml: 12 findings: 4 critical, 3 high, 5 medium\n")
            || out
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("designs/01-simple.toml: "))
    );
}

#[test]
fn github_annotations_of_an_invalid_design_are_errors_at_its_line() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("bad.toml"),
        "version = 1\nname = \"b\"\n\n[[components]]\nid = \"x\"\nkind = \"spaceship\"\n",
    )
    .expect("write");
    let (code, out, _) = run_in(dir.path(), &["analyze", "--format", "github", "bad.toml"]);
    assert_eq!(code, 2);
    let first = out.lines().next().expect("an annotation");
    assert!(
        first.starts_with("::error file=bad.toml,line=6,") && first.contains("INVALID-DESIGN"),
        "{out}"
    );
}

#[test]
fn markdown_summary_has_counts_a_diagram_and_the_findings() {
    let (code, out, err) = run_at_root(&[
        "analyze",
        "--format",
        "markdown",
        "designs/02-distributed.toml",
        "designs/05-resilient.toml",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("markdown-02-05", out);
    assert!(out.starts_with("## infraplan: 2 designs, "));
    assert_eq!(out.matches("```mermaid\nflowchart LR\n").count(), 2);
    assert!(out.contains("class "), "findings are marked");
    assert!(out.contains("| `SPOF-COMPONENT` |"));
    assert!(
        out.contains("Resilient web infrastructure | 0 | 0 | 0 | 2 | 0 | 0 |"),
        "design 5 has only low findings"
    );
}

#[test]
fn markdown_goes_to_the_step_summary_when_there_is_one() {
    let dir = tempfile::tempdir().expect("temp");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("write");
    let out = infraplan()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["analyze", "--format", "markdown", "designs/01-simple.toml"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let text = read(&summary);
    assert!(
        text.starts_with("earlier step\n## infraplan: 1 design, 11 findings"),
        "{text}"
    );
}

#[test]
fn several_outputs_in_one_run() {
    let dir = tempfile::tempdir().expect("temp");
    let sarif = dir.path().join("out.sarif");
    let md = dir.path().join("summary.md");
    let (code, out, err) = run_at_root(&[
        "analyze",
        "designs/01-simple.toml",
        "--fail-on",
        "critical",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        "github",
        "--output",
        &format!("markdown={}", md.display()),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("::error file=designs/01-simple.toml,"),
        "{out}"
    );
    let log: Value = serde_json::from_str(&read(&sarif)).expect("SARIF file");
    assert_valid_sarif(&log);
    assert!(read(&md).contains("```mermaid"));
}

#[test]
fn bad_outputs_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp");
    let sarif = dir.path().join("out.sarif");
    // An unknown format.
    let (code, out, err) = run_at_root(&["analyze", "designs/01-simple.toml", "--output", "xml"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("unknown output format `xml`"), "{err}");
    // An unwritable path next to a good one: neither file is written.
    let (code, out, err) = run_at_root(&[
        "analyze",
        "designs/01-simple.toml",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        "json=/nonexistent-folder/x.json",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("/nonexistent-folder/x.json: cannot write: the folder /nonexistent-folder does not exist"),
        "{err}"
    );
    assert!(!sarif.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no temporary file left"
    );
}

#[test]
fn diff_summaries_for_pull_requests() {
    let (code, out, err) = run_at_root(&[
        "diff",
        "designs/03-secured-monitored.toml",
        "designs/02-distributed.toml",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("diff-markdown-03-02", out);
    assert!(out.starts_with("## ⚠️ infraplan: "));
    assert!(out.contains("### New findings"));
    assert!(out.contains("```mermaid"));
    let (code, out, _) = run_at_root(&[
        "diff",
        "designs/03-secured-monitored.toml",
        "designs/02-distributed.toml",
        "--format",
        "github",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.lines().any(
            |l| l.starts_with("::error file=designs/02-distributed.toml,")
                && l.contains("title=NO-HTTPS (high) new finding")
        ),
        "{out}"
    );
    assert!(
        !out.contains("TLS-TERMINATED-EARLY"),
        "resolved findings are not annotated"
    );
}

#[test]
fn project_configuration_sets_files_fail_on_and_rules() {
    let dir = tempfile::tempdir().expect("temp");
    let repo = dir.path();
    std::fs::create_dir_all(repo.join(".git")).expect("git dir");
    std::fs::create_dir_all(repo.join("designs/sub")).expect("dirs");
    std::fs::create_dir_all(repo.join("docs")).expect("dirs");
    std::fs::copy(design("01-simple.toml"), repo.join("designs/a.toml")).expect("copy");
    std::fs::copy(design("05-resilient.toml"), repo.join("designs/sub/b.toml")).expect("copy");
    std::fs::write(
        repo.join(".infraplan.toml"),
        "fail-on = \"high\"\nfiles = [\"designs\"]\n\n[rules.NO-HTTPS]\nseverity = \"low\"\n\n[rules.MAINTENANCE-DOWNTIME]\nenabled = false\n",
    )
    .expect("write");
    // From a subfolder, with no file named: the configuration's files, its fail-on.
    let (code, out, err) = run_in(&repo.join("docs"), &["analyze", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 2, "{out}");
    let findings = files[0]["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["rule"] != "MAINTENANCE-DOWNTIME"));
    let https = findings
        .iter()
        .find(|f| f["rule"] == "NO-HTTPS")
        .expect("NO-HTTPS");
    assert_eq!(https["severity"], "low");
    // Flags on top: only one rule, which design 1 has at critical.
    let (code, out, _) = run_in(
        &repo.join("docs"),
        &["analyze", "--format", "json", "--rule", "SPOF-SERVER"],
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert!(
        v["files"][0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["rule"] == "SPOF-SERVER")
    );
    let (code, _, err) = run_in(repo, &["analyze", "--skip-rule", "NOPE"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `NOPE`"), "{err}");
    // An invalid configuration: file:line, exit 2, nothing analyzed.
    std::fs::write(
        repo.join(".infraplan.toml"),
        "fail-on = \"high\"\nfial = 1\n",
    )
    .expect("write");
    let (code, out, err) = run_in(repo, &["analyze"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains(".infraplan.toml:2:1: unknown key `fial`"),
        "{err}"
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    for (shell, marker) in [
        ("bash", "complete -F _infraplan"),
        ("zsh", "#compdef infraplan"),
        ("fish", "complete -c infraplan"),
    ] {
        let (code, out, err) = run_at_root(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(marker), "{shell}: {out}");
        // Subcommands and the new options are completed.
        assert!(
            out.contains("analyze") && out.contains("sarif-accepted"),
            "{shell}"
        );
    }
    let (code, out, _) = run_at_root(&["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH infraplan 1"), "{out}");
    assert!(out.contains("analyze"), "the subcommands are listed");
    let (code, _, err) = run_at_root(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("possible values"), "{err}");
}

#[test]
fn color_and_quiet_flags() {
    let (code, out, _) = run_at_root(&[
        "analyze",
        "-q",
        "designs/01-simple.toml",
        "designs/05-resilient.toml",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "designs/01-simple.toml — Simple web infrastructure — 11 findings: 1 critical, 3 high, 6 medium, 1 low\n\
         designs/05-resilient.toml — Resilient web infrastructure — 2 findings: 2 low\n"
    );
    // NO_COLOR is set for the tests: --color always wins over it, never keeps it plain.
    let (_, out, _) = run_at_root(&["analyze", "--color", "always", "designs/01-simple.toml"]);
    assert!(out.contains("\u{1b}["), "{out}");
    let (_, out, _) = run_at_root(&["analyze", "--color", "never", "designs/01-simple.toml"]);
    assert!(!out.contains('\u{1b}'));
}
