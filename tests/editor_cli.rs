//! `infraplan edit` on bad input: reported before the terminal is touched, exit 2.

use assert_cmd::Command;
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
        .stdout(contains(
            "infraplan new mysite.toml --template simple && infraplan edit mysite.toml",
        ));
}
