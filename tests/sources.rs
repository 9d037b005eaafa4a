//! Designs read from git (`git:REV:path`): a repository's own configuration runs nothing, a
//! blob over the size limit is refused before it is read, and a revision that git would take
//! for an option is refused with a message saying so.

mod common;

use std::path::Path;

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(ok.status.success(), "git {args:?}: {ok:?}");
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::infraplan()
        .current_dir(dir)
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A repository with `a.toml` committed and staged.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::copy(common::design("01-simple.toml"), dir.path().join("a.toml")).expect("copy");
    git(dir.path(), &["add", "a.toml"]);
    git(dir.path(), &["commit", "-q", "-m", "a"]);
    dir
}

#[cfg(unix)]
#[test]
fn a_planted_git_config_runs_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let repo = dir.path();
    let marker = repo.join("ran");
    let hook = repo.join("hook.sh");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n",
            marker.display()
        ),
    )
    .expect("hook");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let hook = hook.display().to_string();
    // Every setting of the repository's own config that names a program to run.
    for (key, value) in [
        ("core.fsmonitor", hook.as_str()),
        ("core.hooksPath", repo.to_str().expect("utf-8")),
        ("core.pager", hook.as_str()),
        ("pager.show", hook.as_str()),
        ("pager.cat-file", hook.as_str()),
        ("diff.external", hook.as_str()),
        ("gpg.program", hook.as_str()),
        ("log.showSignature", "true"),
        ("core.sshCommand", hook.as_str()),
    ] {
        git(repo, &["config", key, value]);
    }
    std::fs::create_dir_all(repo.join(".git/hooks")).expect("hooks");
    for name in [
        "post-checkout",
        "post-index-change",
        "reference-transaction",
    ] {
        std::fs::copy(repo.join("hook.sh"), repo.join(".git/hooks").join(name)).expect("copy");
    }
    for spec in ["git:HEAD:a.toml", "git::a.toml", "git:main:./a.toml"] {
        let (code, out, err) = run_in(repo, &["diff", spec, "a.toml"]);
        assert_eq!(code, 0, "{spec}: {err}");
        assert!(out.contains("no differences"), "{spec}: {out}");
        assert!(
            !marker.exists(),
            "{spec}: git ran {}",
            std::fs::read_to_string(&marker).unwrap_or_default()
        );
    }
}

#[test]
fn a_blob_over_the_limit_is_refused_before_it_is_read() {
    let dir = repo();
    let repo = dir.path();
    let mut big = std::fs::read_to_string(common::design("01-simple.toml")).expect("read");
    let line = "# padding padding padding padding padding padding padding padding\n";
    while big.len() as u64 <= infraplan::io::MAX_FILE_BYTES {
        big.push_str(line);
    }
    std::fs::write(repo.join("big.toml"), &big).expect("write");
    git(repo, &["add", "big.toml"]);
    git(repo, &["commit", "-q", "-m", "big"]);
    let (code, _, err) = run_in(repo, &["diff", "git:HEAD:big.toml", "a.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "git:HEAD:big.toml: is 32.0 MiB; infraplan reads design files of up to 32 MiB"
        ),
        "{err}"
    );
    // A tree is not a design file either.
    std::fs::create_dir(repo.join("sub.toml")).expect("mkdir");
    std::fs::copy(
        common::design("01-simple.toml"),
        repo.join("sub.toml/x.toml"),
    )
    .expect("copy");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "tree"]);
    let (code, _, err) = run_in(repo, &["diff", "git:HEAD:sub.toml", "a.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("git:HEAD:sub.toml: is a directory"), "{err}");
}

#[test]
fn a_revision_starting_with_a_dash_is_refused_and_says_why() {
    let dir = repo();
    for spec in ["git:--output=x:a.toml", "git:-p:a.toml"] {
        let (code, _, err) = run_in(dir.path(), &["diff", spec, "a.toml"]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("a revision cannot start with `-`"),
            "{spec}: {err}"
        );
        assert!(!dir.path().join("x").exists());
    }
}
