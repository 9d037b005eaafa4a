//! What a CI job feeds infraplan and how it reads the answer: `file:line:column` in the text
//! output at the place SARIF gives, `-` for standard input, folders and globs walked as git
//! sees the tree, the project configuration in `diff` and `--watch`, rule help links, and bad
//! input refused before anything is written.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;
use common::{design, infraplan};

/// Runs infraplan in `dir` without a step summary; (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut cmd = infraplan();
    cmd.current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `file:line:column` of every result's primary location, in order.
fn sarif_places(log: &Value, file: &str) -> Vec<String> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            format!(
                "{file}:{}:{}",
                region["startLine"].as_u64().expect("line"),
                region["startColumn"].as_u64().expect("column")
            )
        })
        .collect()
}

/// The `at FILE:LINE:COLUMN` lines of a text report, in order.
fn text_places(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.trim_start().strip_prefix("at "))
        .map(str::to_string)
        .collect()
}

#[test]
fn text_findings_carry_the_place_sarif_gives() {
    for name in ["01-simple.toml", "02-distributed.toml", "04-scale-up.toml"] {
        let file = format!("designs/{name}");
        let (code, text, err) = run_in(root(), &["analyze", &file], None);
        assert_eq!(code, 0, "{err}");
        let (_, sarif, _) = run_in(root(), &["analyze", "--format", "sarif", &file], None);
        let log: Value = serde_json::from_str(&sarif).expect("sarif");
        let places = text_places(&text);
        assert!(!places.is_empty(), "{text}");
        assert_eq!(places, sarif_places(&log, &file), "{text}");
    }
    // NO-HTTPS on design 1 is at the link's `protocol = "http"` line.
    let text = std::fs::read_to_string(design("01-simple.toml")).expect("read");
    let line = text
        .lines()
        .position(|l| l == "protocol = \"http\"")
        .expect("plain link")
        + 1;
    let (_, out, _) = run_in(root(), &["analyze", "designs/01-simple.toml"], None);
    let mut lines = out.lines();
    lines
        .find(|l| l.starts_with("  NO-HTTPS "))
        .expect("a NO-HTTPS finding");
    assert_eq!(
        lines.next().map(str::trim),
        Some(format!("at designs/01-simple.toml:{line}:1").as_str()),
        "{out}"
    );
    // Accepted findings have their place too (the editor's reviewers jump to them).
    let dir = tempfile::tempdir().expect("temp");
    let site = dir.path().join("site.toml");
    std::fs::write(
        &site,
        format!(
            "{text}\n[[accepted]]\nrule = \"NO-HTTPS\"\nids = [\"nginx\", \"user\"]\nreason = \"internal\"\n"
        ),
    )
    .expect("write");
    let (_, out, _) = run_in(dir.path(), &["analyze", "site.toml"], None);
    let accepted = out.split("ACCEPTED").nth(1).expect("accepted section");
    assert!(
        accepted
            .lines()
            .any(|l| l.trim() == format!("at site.toml:{line}:1")),
        "{accepted}"
    );
}

#[test]
fn diff_text_places_new_findings_in_the_new_file_and_resolved_in_the_old() {
    let args = [
        "diff",
        "designs/03-secured-monitored.toml",
        "designs/02-distributed.toml",
    ];
    let (code, out, err) = run_in(root(), &args, None);
    assert_eq!(code, 0, "{err}");
    let (_, github, _) = run_in(
        root(),
        &[args[0], args[1], args[2], "--format", "github"],
        None,
    );
    // The annotations of the new findings come from SARIF: the same lines, in order.
    let annotated: Vec<String> = github
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| {
            let line = l.split("line=").nth(1).and_then(|s| s.split(',').next());
            let col = l.split("col=").nth(1).and_then(|s| s.split(',').next());
            format!(
                "designs/02-distributed.toml:{}:{}",
                line.expect("line"),
                col.expect("col")
            )
        })
        .collect();
    assert!(!annotated.is_empty(), "{github}");
    let places = text_places(&out);
    let (new, old): (Vec<&String>, Vec<&String>) = places
        .iter()
        .partition(|p| p.starts_with("designs/02-distributed.toml:"));
    assert_eq!(
        new.into_iter().cloned().collect::<Vec<_>>(),
        annotated,
        "{out}"
    );
    assert!(
        !old.is_empty()
            && old
                .iter()
                .all(|p| p.starts_with("designs/03-secured-monitored.toml:")),
        "resolved findings point into the old file: {out}"
    );
}

/// Design 1 as JSON, written by infraplan itself.
fn json_design(dir: &Path) -> Vec<u8> {
    let path = dir.join("simple.json");
    let (code, _, err) = run_in(
        dir,
        &["new", "simple.json", "--template", "simple", "--force"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    std::fs::read(path).expect("json design")
}

#[test]
fn standard_input_is_read_as_toml_or_json() {
    let toml = std::fs::read(design("02-distributed.toml")).expect("read");
    let (code, from_file, _) = run_in(root(), &["analyze", "designs/02-distributed.toml"], None);
    assert_eq!(code, 0);
    let (code, piped, err) = run_in(root(), &["analyze", "-"], Some(&toml));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        piped,
        from_file.replace("designs/02-distributed.toml", "<stdin>"),
        "the same report, named <stdin>"
    );
    let dir = tempfile::tempdir().expect("temp");
    let json = json_design(dir.path());
    for args in [
        &["analyze", "--format", "json", "-"][..],
        &["analyze", "--format", "json", "--input-format", "json", "-"],
    ] {
        let (code, out, err) = run_in(dir.path(), args, Some(&json));
        assert_eq!(code, 0, "{args:?}: {err}");
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["files"][0]["file"], "<stdin>");
        assert_eq!(v["files"][0]["design"], "Simple web infrastructure");
    }
    // A stated format is believed: TOML read as JSON is invalid JSON, at its line.
    let (code, _, err) = run_in(
        root(),
        &["validate", "--input-format", "json", "-"],
        Some(&toml),
    );
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>:1:"), "{err}");
    let (code, out, err) = run_in(root(), &["validate", "-"], Some(&toml));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<stdin>: valid ("), "{out}");
    // What cannot be told is refused with the flag to use.
    let (code, out, err) = run_in(root(), &["analyze", "-"], Some(b"<design/>"));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("<stdin>: cannot tell whether it is TOML or JSON; add --input-format toml"),
        "{err}"
    );
    let (code, _, err) = run_in(root(), &["analyze", "-"], Some(b""));
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>: is empty"), "{err}");
    let (code, _, err) = run_in(root(), &["diff", "-", "-"], Some(&toml));
    assert_eq!(code, 2);
    assert!(err.contains("can be named only once"), "{err}");
    let (code, _, err) = run_in(
        root(),
        &[
            "analyze",
            "--input-format",
            "toml",
            "designs/01-simple.toml",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--input-format is for a design on standard input"),
        "{err}"
    );
    // diff and export read it too.
    let (code, out, err) = run_in(
        root(),
        &[
            "diff",
            "designs/03-secured-monitored.toml",
            "-",
            "--fail-on",
            "high",
        ],
        Some(&toml),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("designs/03-secured-monitored.toml → <stdin>"),
        "{out}"
    );
    assert!(out.contains("at <stdin>:"), "{out}");
    let (code, out, err) = run_in(
        dir.path(),
        &["export", "-", "--format", "mermaid"],
        Some(&json),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("flowchart LR\n"), "{out}");
    assert!(err.contains("<stdin>: wrote MMD to stdout"), "{err}");
    let (code, _, err) = run_in(root(), &["analyze", "--watch", "-"], Some(&toml));
    assert_eq!(code, 2);
    assert!(err.contains("--watch needs a design file"), "{err}");
}

/// A repository: designs in folders, generated ones git ignores, a configuration.
fn repository(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    let repo = dir.path();
    for d in [".git", "designs/prod", "designs/generated", "docs"] {
        std::fs::create_dir_all(repo.join(d)).expect("dirs");
    }
    std::fs::write(repo.join(".gitignore"), "designs/generated/\n").expect("write");
    std::fs::copy(design("01-simple.toml"), repo.join("designs/simple.toml")).expect("copy");
    std::fs::copy(
        design("05-resilient.toml"),
        repo.join("designs/prod/eu.toml"),
    )
    .expect("copy");
    std::fs::write(repo.join("designs/generated/broken.toml"), "not a design").expect("write");
    std::fs::write(repo.join("designs/notes.md"), "# notes\n").expect("write");
    std::fs::write(repo.join(".infraplan.toml"), config).expect("write");
    dir
}

/// The files a quiet text report names, in order.
fn named(out: &str) -> Vec<&str> {
    out.lines().filter_map(|l| l.split(" — ").next()).collect()
}

#[test]
fn configured_globs_and_folders_are_walked_as_git_sees_them() {
    let dir = repository("files = [\"designs/**/*.toml\"]\n");
    let repo = dir.path();
    let (code, out, err) = run_in(&repo.join("docs"), &["analyze", "-q"], None);
    assert_eq!(code, 0, "{err}");
    let prefix = format!("{}/", repo.display());
    let files: Vec<String> = named(&out)
        .iter()
        .map(|f| f.trim_start_matches(&prefix).to_string())
        .collect();
    assert_eq!(
        files,
        ["designs/prod/eu.toml", "designs/simple.toml"],
        "{out}"
    );
    // From the repository's root, they are named from there.
    let (code, out, _) = run_in(repo, &["analyze", "-q"], None);
    assert_eq!(code, 0);
    assert_eq!(named(&out), ["designs/prod/eu.toml", "designs/simple.toml"]);
    // A folder on the command line, and a glob quoted past the shell.
    let (code, out, err) = run_in(repo, &["analyze", "-q", "designs"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(named(&out), ["designs/prod/eu.toml", "designs/simple.toml"]);
    let (code, out, _) = run_in(repo, &["analyze", "-q", "designs/*.toml"], None);
    assert_eq!(code, 0);
    assert_eq!(named(&out), ["designs/simple.toml"]);
    // A git-ignored file named outright is still analyzed: here it is invalid.
    let (code, _, err) = run_in(repo, &["analyze", "designs/generated/broken.toml"], None);
    assert_eq!(code, 2);
    assert!(err.contains("designs/generated/broken.toml"), "{err}");
    let (code, out, err) = run_in(repo, &["analyze", "designs/*.yaml"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("`designs/*.yaml` matches no .toml or .json design file"),
        "{err}"
    );
}

#[test]
fn diff_reads_the_configuration_color_and_quiet() {
    let dir = repository("fail-on = \"high\"\n\n[rules.NO-HTTPS]\nenabled = false\n");
    let repo = dir.path();
    std::fs::copy(design("03-secured-monitored.toml"), repo.join("old.toml")).expect("copy");
    std::fs::copy(design("02-distributed.toml"), repo.join("new.toml")).expect("copy");
    // Design 2 brings NO-FIREWALL (high) and NO-HTTPS (high): the configuration's fail-on
    // counts the first, and its rule settings leave the second out.
    let (code, out, err) = run_in(repo, &["diff", "old.toml", "new.toml"], None);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("NO-FIREWALL"), "{out}");
    assert!(!out.contains("NO-HTTPS"), "{out}");
    let (code, out, _) = run_in(
        repo,
        &[
            "diff",
            "old.toml",
            "new.toml",
            "--skip-rule",
            "NO-FIREWALL",
            "-q",
        ],
        None,
    );
    assert_eq!(code, 0, "no new high finding is left: {out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("old.toml → new.toml: "), "{out}");
    let (_, out, _) = run_in(
        repo,
        &["diff", "old.toml", "new.toml", "--color", "always"],
        None,
    );
    assert!(out.contains('\u{1b}'), "{out}");
    let (_, out, _) = run_in(
        repo,
        &["diff", "old.toml", "new.toml", "--color", "never"],
        None,
    );
    assert!(!out.contains('\u{1b}'), "{out}");
    // An invalid configuration stops the diff.
    std::fs::write(repo.join(".infraplan.toml"), "[rules.NOPE]\n").expect("write");
    let (code, out, err) = run_in(repo, &["diff", "old.toml", "new.toml"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains(".infraplan.toml:1:"), "{err}");
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
fn watch_reads_the_configuration_and_quiet() {
    let dir = repository("fail-on = \"high\"\n\n[rules.NO-HTTPS]\nenabled = false\n");
    let repo = dir.path();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("infraplan"))
        .env("NO_COLOR", "1")
        .current_dir(repo)
        .args(["analyze", "--watch", "-q", "designs/simple.toml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut child = Reap(child);
    let stdout = child.0.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let done = line.contains("· last run");
                seen.push(line);
                if done {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let screen: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
    // Design 1 has 11 findings, 3 of them high; the configuration drops NO-HTTPS.
    assert_eq!(
        screen.first().copied(),
        Some(
            "designs/simple.toml — Simple web infrastructure — 10 findings: 1 critical, 2 high, 6 medium, 1 low"
        ),
        "{seen:#?}"
    );
    assert_eq!(
        screen.get(1).copied(),
        Some("fails --fail-on high"),
        "{seen:#?}"
    );
    assert_eq!(
        screen.len(),
        3,
        "quiet: the summary, the verdict, the watch line: {seen:#?}"
    );
}

#[test]
fn every_rule_links_to_its_section_of_the_rules_page() {
    let page = std::fs::read_to_string(root().join("docs/rules.md")).expect("docs/rules.md");
    let (code, generated, _) = run_in(root(), &["rules", "--format", "markdown"], None);
    assert_eq!(code, 0);
    assert_eq!(
        page, generated,
        "docs/rules.md is the output of `infraplan rules --format markdown`: regenerate it"
    );
    let (_, sarif, _) = run_in(
        root(),
        &["analyze", "--format", "sarif", "designs/01-simple.toml"],
        None,
    );
    let log: Value = serde_json::from_str(&sarif).expect("sarif");
    let repository = env!("CARGO_PKG_REPOSITORY");
    assert!(!repository.is_empty(), "Cargo.toml names the repository");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        let uri = rule["helpUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: no helpUri"));
        let (page_uri, anchor) = uri.split_once('#').expect("an anchor");
        let page_path = page_uri
            .strip_prefix(&format!("{repository}/blob/main/"))
            .unwrap_or_else(|| panic!("{id}: {uri}"));
        let text = std::fs::read_to_string(root().join(page_path)).expect("the linked page");
        // GitHub's anchor of a heading: lower case, spaces as dashes, punctuation dropped.
        let anchors: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| {
                l.trim_start_matches('#')
                    .trim()
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ' || *c == '_')
                    .map(|c| if c == ' ' { '-' } else { c })
                    .collect()
            })
            .collect();
        assert!(
            anchors.iter().any(|a| a == anchor),
            "{id}: no heading for #{anchor} in {page_path}"
        );
    }
    // The security rules carry a security severity and a CWE, from their own definitions.
    let https = rules
        .iter()
        .find(|r| r["id"] == "NO-HTTPS")
        .expect("NO-HTTPS");
    assert_eq!(https["properties"]["security-severity"], "8.0");
    assert!(
        https["properties"]["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t == "external/cwe/cwe-319")
    );
}

#[test]
fn bad_input_is_refused_before_any_output_file_is_written() {
    let dir = repository("fail-on = \"urgent\"\n");
    let repo = dir.path();
    let sarif = repo.join("out.sarif");
    let before: Vec<_> = std::fs::read_dir(repo)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    // An invalid configuration: named, exit 2, no report file, no temporary file.
    let (code, out, err) = run_in(
        repo,
        &[
            "analyze",
            "designs",
            "--output",
            "sarif=out.sarif",
            "--output",
            "github",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(".infraplan.toml:1:11: unknown severity `urgent`"),
        "{err}"
    );
    assert!(!sarif.exists());
    let after: Vec<_> = std::fs::read_dir(repo)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(before.len(), after.len(), "{after:?}");
    std::fs::write(repo.join(".infraplan.toml"), "").expect("write");
    // An output path that is a folder, or in a folder that cannot be written.
    let (code, _, err) = run_in(
        repo,
        &["analyze", "designs", "--output", "sarif=designs"],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("designs: cannot write: is a directory"),
        "{err}"
    );
    let locked = repo.join("locked");
    std::fs::create_dir(&locked).expect("dir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        // root writes anywhere: the check is only meaningful for other users.
        let probe = locked.join("probe");
        if std::fs::write(&probe, "").is_ok() {
            std::fs::remove_file(&probe).expect("remove the probe");
        } else {
            let (code, out, err) = run_in(
                repo,
                &[
                    "analyze",
                    "designs",
                    "--output",
                    "json",
                    "--output",
                    "sarif=locked/x.sarif",
                ],
                None,
            );
            assert_eq!(code, 2);
            assert!(out.is_empty(), "nothing on stdout either: {out}");
            assert!(err.contains("locked/x.sarif: cannot write"), "{err}");
        }
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    assert_eq!(std::fs::read_dir(&locked).expect("dir").count(), 0);
    // An unknown format, in diff's --format too.
    let (code, out, err) = run_in(repo, &["analyze", "designs", "--output", "pdf=x.pdf"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("unknown output format `pdf`"), "{err}");
    assert!(!repo.join("x.pdf").exists());
}
