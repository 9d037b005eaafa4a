//! Saves keep what the file was: its permission bits (whatever the umask), the symlink that
//! points at it, its other hard links; they ask before writing over a read-only file or
//! re-creating one deleted on disk, and clear away what interrupted saves left behind.
#![cfg(unix)]

use infraplan::io::{self, Format, SaveCheck, check_save, save};
use infraplan::model::Design;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

mod common;

fn design() -> Design {
    io::load(&common::design("01-simple.toml")).expect("the reference design loads")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A design file whose text is valid but not in the canonical layout, so `fmt` rewrites it.
fn unformatted(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let text = io::to_string(&design(), Format::Toml).replacen("version = 1", "version   =   1", 1);
    std::fs::write(&path, text).expect("write");
    path
}

/// `infraplan ARGS` run by a shell with the given umask.
fn with_umask(umask: &str, args: &[&Path]) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_infraplan");
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(bin)
        .args(args)
        .env("NO_COLOR", "1");
    cmd.output().expect("runs")
}

#[test]
fn permission_bits_are_kept_exactly_whatever_the_umask() {
    let dir = tempfile::tempdir().expect("tmp");
    for want in [0o664, 0o660, 0o666, 0o640, 0o600, 0o751] {
        let path = unformatted(dir.path(), "d.toml");
        chmod(&path, want);
        let out = with_umask("077", &[Path::new("fmt"), &path]);
        assert!(out.status.success(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("formatted"));
        assert_eq!(mode(&path), want, "{want:o} after fmt under umask 077");
        // The library's save, under the test's own umask.
        chmod(&path, want);
        save(&design(), &path).expect("saves");
        assert_eq!(mode(&path), want, "{want:o} after save");
    }
}

#[test]
fn a_new_file_gets_the_usual_mode_less_the_umask() {
    let dir = tempfile::tempdir().expect("tmp");
    for (umask, want) in [("002", 0o664), ("022", 0o644), ("027", 0o640)] {
        let path = dir.path().join(format!("new-{umask}.toml"));
        let out = with_umask(umask, &[Path::new("new"), &path]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(mode(&path), want, "umask {umask}");
    }
}

#[test]
fn a_save_writes_through_a_symlink_to_its_target() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("real")).expect("mkdir");
    let target = dir.path().join("real/site.toml");
    std::fs::write(&target, "old").expect("write");
    chmod(&target, 0o640);
    // A relative link to a relative link, as dotfile managers make them.
    let middle = dir.path().join("middle.toml");
    std::os::unix::fs::symlink("real/site.toml", &middle).expect("symlink");
    let link = dir.path().join("site.toml");
    std::os::unix::fs::symlink("middle.toml", &link).expect("symlink");
    save(&design(), &link).expect("saves");
    for l in [&link, &middle] {
        assert!(
            std::fs::symlink_metadata(l)
                .expect("meta")
                .file_type()
                .is_symlink(),
            "{} is still a symlink",
            l.display()
        );
    }
    assert_eq!(
        io::load(&target).expect("target holds the design"),
        design()
    );
    assert_eq!(mode(&target), 0o640);
    let names: Vec<_> = std::fs::read_dir(dir.path().join("real"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        names,
        ["site.toml"],
        "no temporary file left next to the target"
    );
}

#[test]
fn a_dangling_symlink_is_written_through_and_a_loop_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let link = dir.path().join("d.toml");
    std::os::unix::fs::symlink("elsewhere/new.toml", &link).expect("symlink");
    std::fs::create_dir(dir.path().join("elsewhere")).expect("mkdir");
    save(&design(), &link).expect("saves");
    assert!(dir.path().join("elsewhere/new.toml").is_file());
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );

    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::os::unix::fs::symlink("b.toml", &a).expect("symlink");
    std::os::unix::fs::symlink("a.toml", &b).expect("symlink");
    let err = save(&design(), &a).expect_err("a loop cannot be saved through");
    assert!(err.to_string().contains("a.toml: cannot write"), "{err}");
    assert!(
        std::fs::symlink_metadata(&a)
            .expect("meta")
            .file_type()
            .is_symlink(),
        "the link is left as it was"
    );
}

#[test]
fn a_save_keeps_hard_links() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, "old").expect("write");
    std::fs::hard_link(&a, &b).expect("link");
    save(&design(), &a).expect("saves");
    assert_eq!(std::fs::metadata(&a).expect("meta").nlink(), 2);
    assert_eq!(
        std::fs::metadata(&a).expect("meta").ino(),
        std::fs::metadata(&b).expect("meta").ino()
    );
    assert_eq!(
        io::load(&b).expect("the other name sees the save"),
        design()
    );
    let names = std::fs::read_dir(dir.path()).expect("ls").count();
    assert_eq!(names, 2, "no temporary file left");
}

#[test]
fn a_read_only_file_is_reported_and_fmt_refuses_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = unformatted(dir.path(), "ro.toml");
    let before = std::fs::read(&path).expect("read");
    chmod(&path, 0o444);
    assert_eq!(check_save(&path, true), SaveCheck::ReadOnly);
    let out = with_umask("022", &[Path::new("fmt"), &path]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ro.toml: is read-only"),
        "a clear message: {stderr}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), before, "untouched");
    assert_eq!(mode(&path), 0o444);
    // Writable again: nothing stands in the way.
    chmod(&path, 0o644);
    assert_eq!(check_save(&path, true), SaveCheck::Clear);
}

#[test]
fn a_file_deleted_since_it_was_opened_is_told_apart_from_a_new_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("gone.toml");
    assert_eq!(check_save(&path, false), SaveCheck::Clear, "a new file");
    assert_eq!(check_save(&path, true), SaveCheck::Deleted);
    assert!(
        SaveCheck::Deleted
            .describe(&path)
            .contains("gone.toml: was deleted on disk")
    );
    std::fs::write(&path, "x").expect("write");
    assert_eq!(check_save(&path, true), SaveCheck::Clear);
}

#[test]
fn the_next_save_removes_what_interrupted_saves_of_that_design_left() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("d.toml");
    // Left by saves whose process is gone (no such pid), of this design and of another one,
    // and one of a save still running (this process).
    let dead = "4194999";
    let ours = [
        format!(".infraplan-d.toml.{dead}-a1b2c3.tmp"),
        format!(".infraplan-d.toml.{dead}-zzzzzz.tmp"),
    ];
    let other = format!(".infraplan-e.toml.{dead}-a1b2c3.tmp");
    let running = format!(".infraplan-d.toml.{}-q1w2e3.tmp", std::process::id());
    for name in ours.iter().chain([&other, &running]) {
        std::fs::write(dir.path().join(name), "half a design").expect("write");
    }
    save(&design(), &path).expect("saves");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec![other, running, "d.toml".to_string()];
    want.sort();
    assert_eq!(names, want);
}
