//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The binary as a user runs it, without colour.
pub fn infraplan() -> Command {
    let mut cmd = Command::cargo_bin("infraplan").expect("binary builds");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A reference design in `designs/`, by file name.
pub fn design(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name)
}
