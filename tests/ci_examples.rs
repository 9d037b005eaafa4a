//! The CI examples of `docs/ci.md` run as they are written: the GitHub Actions workflow's
//! shell steps and the pre-commit hook, in a throw-away git repository, with the `infraplan`
//! built for the tests first on PATH.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("docs/examples").join(name)).expect("example file")
}

fn design(name: &str) -> PathBuf {
    root().join("designs").join(name)
}

/// PATH with the test build of infraplan first.
fn path_with_infraplan() -> String {
    let bin = assert_cmd::cargo::cargo_bin("infraplan");
    let dir = bin.parent().expect("bin folder").to_path_buf();
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir];
    paths.extend(std::env::split_paths(&old));
    std::env::join_paths(paths)
        .expect("PATH")
        .to_string_lossy()
        .into_owned()
}

fn git(repo: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(repo)
        .env("PATH", path_with_infraplan())
        .env("NO_COLOR", "1")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs")
}

fn git_ok(repo: &Path, args: &[&str]) {
    let out = git(repo, args);
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// The `run: |` block of the workflow step with this name.
fn step(workflow: &str, name: &str) -> String {
    let lines: Vec<&str> = workflow.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no step {name}"));
    let run = (start + 1..lines.len())
        .find(|&i| lines[i].trim() == "run: |")
        .unwrap_or_else(|| panic!("step {name} has no run block"));
    let indent = lines[run].len() - lines[run].trim_start().len();
    let body: Vec<&str> = lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .copied()
        .collect();
    body.iter()
        .map(|l| l.get(indent + 2..).unwrap_or("").to_string() + "\n")
        .collect()
}

/// Runs a workflow step as GitHub's default `bash` shell runs it (`-eo pipefail`).
fn run_step(repo: &Path, script: &str, base: &str) -> Output {
    run_step_with(repo, script, base, &[])
}

/// The same, with more environment variables (an action's inputs, the step summary).
fn run_step_with(repo: &Path, script: &str, base: &str, env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(repo)
        .env("PATH", path_with_infraplan())
        .env("NO_COLOR", "1")
        .env("GITHUB_BASE_REF", base)
        .env_remove("GITHUB_STEP_SUMMARY")
        .envs(env.iter().copied())
        .output()
        .expect("bash runs")
}

/// The repository's action's analysis step, run with the inputs the workflow example gives
/// it (its defaults otherwise) and a step summary file.
fn run_action(repo: &Path, summary: &Path) -> Output {
    let action = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let workflow = example("github-workflow.yml");
    assert!(workflow.contains("uses: OWNER/infraplan@main"));
    let input = |name: &str| {
        workflow
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("the workflow gives the action `{name}`"))
            .to_string()
    };
    let script = step(&action, "Analyze designs");
    let summary = summary.to_string_lossy().into_owned();
    run_step_with(
        repo,
        &script,
        "main",
        &[
            ("INFRAPLAN_FILES", &input("files")),
            ("INFRAPLAN_FAIL_ON", &input("fail-on")),
            ("INFRAPLAN_SARIF", &input("sarif")),
            ("INFRAPLAN_CATEGORY", "infraplan"),
            ("GITHUB_STEP_SUMMARY", &summary),
        ],
    )
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A repository whose `main` (also as `origin/main`) holds the resilient design.
fn repo_with_design() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    let repo = dir.path();
    git_ok(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.join("designs")).expect("mkdir");
    std::fs::copy(design("05-resilient.toml"), repo.join("designs/site.toml")).expect("copy");
    git_ok(repo, &["add", "."]);
    git_ok(repo, &["commit", "-q", "-m", "site"]);
    git_ok(repo, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    dir
}

#[test]
fn the_docs_show_the_examples_as_they_are_tested() {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md");
    for name in ["github-workflow.yml", "pre-commit"] {
        assert!(
            doc.contains(&example(name)),
            "docs/ci.md does not show docs/examples/{name} as it is"
        );
    }
}

#[test]
fn the_workflow_fails_a_pull_request_that_brings_a_high_finding() {
    let dir = repo_with_design();
    let repo = dir.path();
    let workflow = example("github-workflow.yml");
    let diff_step = step(&workflow, "New findings in this pull request");
    let summary = tempfile::NamedTempFile::new().expect("summary file");

    // On main as it is: both steps pass and the SARIF file is written.
    let out = run_step(repo, &diff_step, "main");
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).contains("no differences"), "{out:?}");
    let out = run_action(repo, summary.path());
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::read_to_string(summary.path())
            .expect("summary")
            .contains("```mermaid"),
        "the step summary has the diagram"
    );
    let sarif: Value = serde_json::from_slice(
        &std::fs::read(repo.join("infraplan.sarif")).expect("infraplan.sarif written"),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");

    // A pull request that puts everything on one server.
    git_ok(repo, &["checkout", "-q", "-b", "one-server"]);
    std::fs::copy(design("01-simple.toml"), repo.join("designs/site.toml")).expect("copy");
    git_ok(repo, &["commit", "-q", "-am", "one server"]);
    let out = run_step(repo, &diff_step, "main");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stdout).contains("+ CRITICAL SPOF-SERVER"),
        "{}",
        text(&out.stdout)
    );
    let out = run_action(repo, summary.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // Annotations on the pull request.
    assert!(
        text(&out.stdout)
            .lines()
            .any(|l| l.starts_with("::error file=designs/site.toml,") && l.contains("SPOF-SERVER")),
        "{out:?}"
    );
    let sarif: Value = serde_json::from_slice(
        &std::fs::read(repo.join("infraplan.sarif")).expect("infraplan.sarif"),
    )
    .expect("SARIF is JSON");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|r| r["ruleId"] == "SPOF-SERVER" && r["level"] == "error")
    );

    // A design new in the pull request has no base version: the diff step skips it.
    std::fs::copy(design("01-simple.toml"), repo.join("designs/new.toml")).expect("copy");
    git_ok(repo, &["checkout", "-q", "main", "--", "designs/site.toml"]);
    let out = run_step(repo, &diff_step, "main");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn the_pre_commit_hook_blocks_high_findings_until_accepted() {
    let dir = repo_with_design();
    let repo = dir.path();
    let hook = repo.join(".git/hooks/pre-commit");
    std::fs::write(&hook, example("pre-commit")).expect("install hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    // A change that keeps the design clean goes through.
    let site = repo.join("designs/site.toml");
    let clean = std::fs::read_to_string(&site).expect("read") + "\n# reviewed\n";
    std::fs::write(&site, &clean).expect("write");
    git_ok(repo, &["add", "designs/site.toml"]);
    let out = git(repo, &["commit", "-q", "-m", "comment"]);
    assert!(out.status.success(), "{out:?}");

    // One server for everything: blocked, with the findings shown.
    std::fs::copy(design("01-simple.toml"), &site).expect("copy");
    git_ok(repo, &["add", "designs/site.toml"]);
    let out = git(repo, &["commit", "-q", "-m", "one server"]);
    assert!(!out.status.success(), "{out:?}");
    // git passes the hook's output on to stderr.
    let shown = text(&out.stdout) + &text(&out.stderr);
    assert!(shown.contains("SPOF-SERVER  server `server-1`"), "{out:?}");

    // An invalid design is blocked too.
    std::fs::write(&site, "version = 1\nname = \"x\"\nfoo = 1\n").expect("write");
    git_ok(repo, &["add", "designs/site.toml"]);
    let out = git(repo, &["commit", "-q", "-m", "broken"]);
    assert!(!out.status.success(), "{out:?}");
    assert!(text(&out.stderr).contains("unknown key `foo`"), "{out:?}");

    // Accepting the high-or-worse findings lets the commit through.
    std::fs::copy(design("01-simple.toml"), &site).expect("copy");
    let json = Command::new(assert_cmd::cargo::cargo_bin("infraplan"))
        .args(["analyze", "--format", "json"])
        .arg(&site)
        .output()
        .expect("runs");
    let v: Value = serde_json::from_slice(&json.stdout).expect("json");
    let mut accepted = String::new();
    for f in v["files"][0]["findings"].as_array().expect("findings") {
        if matches!(f["severity"].as_str(), Some("critical" | "high")) {
            let ids: Vec<String> = f["components"]
                .as_array()
                .into_iter()
                .chain(f["servers"].as_array())
                .flatten()
                .map(|id| id.to_string())
                .collect();
            accepted.push_str(&format!(
                "\n[[accepted]]\nrule = {}\nids = [{}]\nreason = \"prototype\"\n",
                f["rule"],
                ids.join(", ")
            ));
        }
    }
    let text_now = std::fs::read_to_string(&site).expect("read") + &accepted;
    std::fs::write(&site, text_now).expect("write");
    git_ok(repo, &["add", "designs/site.toml"]);
    let out = git(repo, &["commit", "-q", "-m", "one server, accepted"]);
    assert!(out.status.success(), "{out:?}");

    // Commits that touch no design skip the check.
    std::fs::write(repo.join("README"), "hi").expect("write");
    git_ok(repo, &["add", "README"]);
    let out = git(repo, &["commit", "-q", "-m", "readme"]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn the_pre_commit_framework_hook_runs_on_the_files_it_is_given() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("hooks");
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("an entry");
    let files = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("a files pattern");
    assert_eq!(files, "(^|/)designs/.*\\.(toml|json)$");
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir(dir.path().join("designs")).expect("mkdir");
    std::fs::copy(
        design("05-resilient.toml"),
        dir.path().join("designs/ok.toml"),
    )
    .expect("copy");
    std::fs::copy(
        design("01-simple.toml"),
        dir.path().join("designs/bad.toml"),
    )
    .expect("copy");
    // pre-commit runs the entry with the matching staged files appended.
    let run = |file: &str| {
        Command::new("sh")
            .args(["-c", &format!("{entry} \"$@\""), "hook", file])
            .current_dir(dir.path())
            .env("PATH", path_with_infraplan())
            .env("NO_COLOR", "1")
            .output()
            .expect("sh runs")
    };
    assert!(run("designs/ok.toml").status.success());
    let out = run("designs/bad.toml");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(text(&out.stdout).contains("SPOF-SERVER"));
}
