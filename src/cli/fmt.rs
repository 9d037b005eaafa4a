//! `infraplan fmt [--check] FILE…` and `infraplan schema [-o FILE]`.

use super::report_error;
use crate::io::{self, Format};
use crate::preserve::{self, Layout};
use anstream::eprintln;
use std::path::{Path, PathBuf};

/// The formatted text of a valid design file: TOML in the canonical layout with the file's
/// comments (the editor's save code, in its canonical mode), JSON pretty-printed.
fn formatted(path: &Path) -> Result<(String, String), io::DesignError> {
    let format = Format::from_path(path)?;
    let (design, text) = io::load_with_text(path)?;
    let tidy = match format {
        Format::Toml => preserve::render(&design, Some(&text), Layout::Canonical),
        Format::Json => io::to_string(&design, Format::Json),
    };
    Ok((text, tidy))
}

/// Rewrites each file in the canonical layout, or with `check` only names those that are not.
/// Exit status: 2 when a file is invalid (it is left as it is), else 1 when `check` found an
/// unformatted file, else 0.
pub fn fmt(files: &[PathBuf], check: bool) -> u8 {
    let mut status = 0;
    for path in files {
        let (text, tidy) = match formatted(path) {
            Ok(t) => t,
            Err(e) => {
                report_error(&e);
                status = 2;
                continue;
            }
        };
        if text == tidy {
            continue;
        }
        if check {
            outln!("{}: not formatted", path.display());
            status = status.max(1);
            continue;
        }
        if io::check_save(path, true) == io::SaveCheck::ReadOnly {
            report_error(&io::DesignError::ReadOnly {
                path: path.to_path_buf(),
            });
            status = 2;
            continue;
        }
        match io::write_atomic(path, tidy.as_bytes()) {
            Ok(()) => outln!("{}: formatted", path.display()),
            Err(source) => {
                report_error(&io::DesignError::Write {
                    path: path.to_path_buf(),
                    source,
                });
                status = 2;
            }
        }
    }
    status
}

/// Prints the design file's JSON Schema, or writes it to `out`.
pub fn schema(out: Option<&Path>) -> u8 {
    let text = crate::schema::json();
    let Some(out) = out else {
        print!("{text}");
        return 0;
    };
    match io::write_atomic(out, text.as_bytes()) {
        Ok(()) => {
            eprintln!("{}: JSON Schema of the design file written", out.display());
            0
        }
        Err(e) => {
            eprintln!("{}: cannot write: {e}", out.display());
            2
        }
    }
}
