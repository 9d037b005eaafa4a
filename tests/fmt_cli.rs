//! `infraplan fmt` and `infraplan schema` as a user runs them: exit status, what they say,
//! what they leave on disk.

mod common;

use common::{design, infraplan};
use predicates::prelude::*;
use predicates::str::contains;

const MESSY: &str = "#:schema ./infraplan.schema.json
# owner: platform team
name   =   'Shop'
version = 1

[[components]]
kind = \"web_server\"   # Nginx
id = \"web\"



# where people come from
[[components]]
id = \"user\"
kind = \"client\"

[[links]]
from = \"user\"
to = \"web\"
protocol = \"http\"
# TODO: https
";

#[test]
fn check_names_unformatted_files_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = dir.path().join("messy.toml");
    std::fs::write(&messy, MESSY).expect("write");
    infraplan()
        .arg("fmt")
        .arg("--check")
        .arg(&messy)
        .arg(design("01-simple.toml"))
        .assert()
        .code(1)
        .stdout(contains("messy.toml: not formatted"))
        .stdout(contains("01-simple").not());
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), MESSY);
}

#[test]
fn fmt_rewrites_in_the_canonical_layout_keeping_every_comment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let messy = dir.path().join("messy.toml");
    std::fs::write(&messy, MESSY).expect("write");
    infraplan()
        .arg("fmt")
        .arg(&messy)
        .assert()
        .success()
        .stdout(contains("messy.toml: formatted"));
    let tidy = std::fs::read_to_string(&messy).expect("read");
    assert_eq!(
        tidy,
        "#:schema ./infraplan.schema.json
# owner: platform team
version = 1
name = \"Shop\"

[[components]]
id = \"web\"
kind = \"web_server\" # Nginx

# where people come from
[[components]]
id = \"user\"
kind = \"client\"

[[links]]
from = \"user\"
to = \"web\"
protocol = \"http\"

# TODO: https
"
    );
    // Formatted files pass the check, and a second run changes nothing.
    infraplan()
        .args(["fmt", "--check"])
        .arg(&messy)
        .assert()
        .success()
        .stdout("");
}

#[test]
fn an_invalid_file_is_reported_with_its_line_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    let text = "version = 1\nname = \"x\"\n[[components]]\nid = \"a\"\nkind = \"webserver\"\n";
    std::fs::write(&bad, text).expect("write");
    infraplan()
        .arg("fmt")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("bad.toml:5:8"));
    assert_eq!(std::fs::read_to_string(&bad).expect("read"), text);
}

#[test]
fn schema_prints_the_committed_schema_and_refuses_an_unwritable_path() {
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/infraplan.schema.json"),
    )
    .expect("committed schema");
    infraplan()
        .arg("schema")
        .assert()
        .success()
        .stdout(committed);
    infraplan()
        .args(["schema", "-o", "/nonexistent-dir/s.json"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent-dir/s.json: cannot write"));
}

#[test]
fn native_toml_dates_are_accepted_for_expires() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("d.toml");
    let mut text = std::fs::read_to_string(design("01-simple.toml")).expect("read");
    text.push_str(
        "\n[[accepted]]\nrule = \"NO-HTTPS\"\nids = [\"nginx\", \"user\"]\nreason = \"intranet\"\nexpires = 2999-12-31\n",
    );
    std::fs::write(&file, &text).expect("write");
    infraplan().arg("validate").arg(&file).assert().success();
    // fmt keeps the date as the file wrote it.
    infraplan()
        .args(["fmt", "--check"])
        .arg(&file)
        .assert()
        .success();
}
