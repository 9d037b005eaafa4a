//! Design files named on the command line, `-` for standard input: `analyze`, `validate`,
//! `diff` and `export` read a design piped to them (`git show main:site.toml | infraplan
//! analyze -`), in the format `--input-format` gives, else the one its first character tells.

use crate::io::{self, DesignError, Format};
use crate::model::Design;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file name that means standard input.
pub const STDIN: &str = "-";
/// How messages and reports name standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The format of a design on standard input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Toml,
    Json,
}

impl From<InputFormat> for Format {
    fn from(f: InputFormat) -> Format {
        match f {
            InputFormat::Toml => Format::Toml,
            InputFormat::Json => Format::Json,
        }
    }
}

/// Whether a path names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path == Path::new(STDIN)
}

/// The format a design's text shows, when it shows one: a JSON design is an object, so it
/// starts with `{`; a TOML design starts with a key, a `[table]` or a comment. Anything else
/// (nothing at all, binary data) cannot be told.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace())?;
    match first {
        b'{' => Some(Format::Json),
        b'#' | b'[' | b'"' | b'\'' | b'_' | b'-' => Some(Format::Toml),
        b if b.is_ascii_alphanumeric() => Some(Format::Toml),
        _ => None,
    }
}

/// A design read from standard input: its bytes, read once, and their format.
#[derive(Debug, Clone)]
pub struct Stdin {
    pub bytes: Vec<u8>,
    pub format: Format,
}

impl Stdin {
    /// Reads standard input whole; the message says what is wrong when it cannot be used.
    pub fn read(flag: Option<InputFormat>) -> Result<Stdin, String> {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(io::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{STDIN_NAME}: cannot read: {e}"))?;
        Stdin::from_bytes(bytes, flag)
    }

    /// Standard input's bytes, in the format the flag gives, else the one they show.
    pub fn from_bytes(bytes: Vec<u8>, flag: Option<InputFormat>) -> Result<Stdin, String> {
        let format = match flag {
            Some(f) => f.into(),
            None => sniff(&bytes).ok_or_else(|| {
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    format!("{STDIN_NAME}: is empty; pipe a design to `-`")
                } else {
                    format!(
                        "{STDIN_NAME}: cannot tell whether it is TOML or JSON; add --input-format toml or --input-format json"
                    )
                }
            })?,
        };
        Ok(Stdin { bytes, format })
    }

    /// Parses and validates the design, named `<stdin>` in messages; with its text.
    pub fn load(&self) -> Result<(Design, String), DesignError> {
        let design = io::parse_bytes(Path::new(STDIN_NAME), &self.bytes, self.format)?;
        Ok((design, String::from_utf8_lossy(&self.bytes).into_owned()))
    }
}

/// Refuses `-` named more than once (standard input is read once) and `--input-format`
/// without `-`, which would be silently ignored.
pub fn check_args<'a>(
    paths: impl IntoIterator<Item = &'a Path>,
    flag: Option<InputFormat>,
) -> Result<usize, String> {
    let n = paths.into_iter().filter(|p| is_stdin(p)).count();
    if n > 1 {
        return Err("`-` (standard input) can be named only once".to_string());
    }
    if n == 0 && flag.is_some() {
        return Err(
            "--input-format is for a design on standard input: name it `-` (files' names say their format)"
                .to_string(),
        );
    }
    Ok(n)
}

/// Loads a named design, `-` from standard input (already read into `stdin`): the design, its
/// text, its format and the name reports give it.
pub fn load(
    path: &Path,
    stdin: Option<&Stdin>,
) -> Result<(Design, String, Format, PathBuf), DesignError> {
    match stdin.filter(|_| is_stdin(path)) {
        Some(s) => {
            let (design, text) = s.load()?;
            Ok((design, text, s.format, PathBuf::from(STDIN_NAME)))
        }
        None => {
            let (design, text) = io::load_with_text(path)?;
            // The load succeeded, so the extension is known.
            let format = Format::from_path(path).unwrap_or(Format::Toml);
            Ok((design, text, format, path.to_path_buf()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_character_tells_the_format() {
        assert_eq!(sniff(b"  \n{\"version\": 1}"), Some(Format::Json));
        assert_eq!(sniff(b"version = 1\n"), Some(Format::Toml));
        assert_eq!(sniff(b"# a comment\nversion = 1\n"), Some(Format::Toml));
        assert_eq!(sniff(b"\xef\xbb\xbf[[servers]]\n"), Some(Format::Toml));
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"\x00\x01"), None);
        assert_eq!(sniff(b"<svg>"), None);
    }

    #[test]
    fn the_flag_wins_and_unknown_input_is_refused_with_a_hint() {
        let s = Stdin::from_bytes(b"<x>".to_vec(), Some(InputFormat::Json)).expect("flag");
        assert_eq!(s.format, Format::Json);
        let e = Stdin::from_bytes(b"<x>".to_vec(), None).expect_err("cannot tell");
        assert!(e.contains("--input-format toml"), "{e}");
        let e = Stdin::from_bytes(b" \n".to_vec(), None).expect_err("empty");
        assert!(e.contains("is empty"), "{e}");
        let s = Stdin::from_bytes(b"version = 1\nname = \"x\"\n".to_vec(), None).expect("toml");
        let (design, _) = s.load().expect("a valid design");
        assert_eq!(design.name, "x");
    }

    #[test]
    fn stdin_is_named_once_and_the_flag_needs_it() {
        let dash = Path::new("-");
        let file = Path::new("a.toml");
        assert_eq!(check_args([file], None), Ok(0));
        assert_eq!(check_args([file, dash], Some(InputFormat::Toml)), Ok(1));
        assert!(check_args([dash, dash], None).is_err());
        assert!(check_args([file], Some(InputFormat::Json)).is_err());
    }
}
