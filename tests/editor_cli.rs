//! `infraplan edit` on bad input: reported before the terminal is touched, exit 2.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn infraplan() -> Command {
    Command::cargo_bin("infraplan").expect("binary")
}

#[test]
fn an_invalid_file_gets_the_validators_message_and_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"webserver\"\n",
    )
    .expect("write");
    infraplan()
        .args(["edit"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("bad.toml:5:8"))
        .stderr(contains("unknown value `webserver`"));
    assert!(
        std::fs::read_to_string(&bad)
            .expect("read")
            .contains("webserver")
    );
}

#[test]
fn a_file_that_is_not_a_design_is_refused() {
    infraplan()
        .args(["edit", "notes.txt"])
        .assert()
        .code(2)
        .stderr(contains("must end in .toml or .json"));
}

#[test]
fn without_a_terminal_the_editor_says_so() {
    infraplan()
        .args(["edit", "designs/01-simple.toml"])
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
}

#[test]
fn edit_has_help_with_examples() {
    infraplan()
        .args(["edit", "--help"])
        .assert()
        .success()
        .stdout(contains("infraplan edit mysite.toml --template simple"));
}

#[test]
fn edit_with_a_template_copies_it_once_and_never_touches_an_existing_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let site = dir.path().join("mysite.toml");
    // No terminal here: the editor refuses to start, but the copy is already written.
    infraplan()
        .args(["edit", "--template", "simple"])
        .arg(&site)
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
    let copy = std::fs::read_to_string(&site).expect("the copy");
    assert!(
        copy.contains("name = \"Simple web infrastructure\""),
        "{copy}"
    );
    std::fs::write(&site, "# mine\n").expect("the edit");
    infraplan()
        .args(["edit", "--template", "distributed"])
        .arg(&site)
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(&site).expect("the file"),
        "# mine\n"
    );
}

#[test]
fn edit_with_an_unknown_template_names_the_templates() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let site = dir.path().join("mysite.toml");
    infraplan()
        .args(["edit", "--template", "nope"])
        .arg(&site)
        .assert()
        .code(2)
        .stderr(contains("unknown template `nope`").and(contains("distributed")));
    assert!(!site.exists());
}
