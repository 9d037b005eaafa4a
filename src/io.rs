//! Reading and writing design files: TOML or JSON by extension, validated on the way in,
//! written atomically on the way out.

use crate::locate::LineIndex;
use crate::model::Design;
use crate::strict::Strict;
use crate::validate::{Problem, Step, validate};
use miette::{Diagnostic, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Design files larger than this (32 MiB) are refused: before they are read where the size is
/// known, and by a read that stops there where it is not.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The problems of a design printed in full, as compilers cap their errors; the rest are
/// counted (JSON and SARIF reports list them all).
pub const MAX_SHOWN_PROBLEMS: usize = 50;

/// A size in MiB, the unit of the limit.
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn too_large(size: Option<u64>) -> String {
    let limit = MAX_FILE_BYTES / (1024 * 1024);
    match size {
        Some(size) => {
            format!(
                "is {}; infraplan reads design files of up to {limit} MiB",
                mib(size)
            )
        }
        None => format!("is larger than {limit} MiB, the most infraplan reads in a design file"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// The format a path's extension asks for.
    pub fn from_path(path: &Path) -> Result<Format, DesignError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("toml") => Ok(Format::Toml),
            Some("json") => Ok(Format::Json),
            _ => Err(DesignError::Extension {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Why a design file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DesignError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: is read-only; make it writable (chmod u+w) to save over it", path.display())]
    ReadOnly { path: PathBuf },
    #[error("{}: is a directory, not a design file", path.display())]
    Directory { path: PathBuf },
    #[error("{}: is not a design file: its name must end in .toml or .json", path.display())]
    Extension { path: PathBuf },
    /// `size` is `None` when the file was found too large by reading it (its metadata said
    /// less, as for a file still growing).
    #[error("{}: {}", path.display(), too_large(*size))]
    TooLarge { path: PathBuf, size: Option<u64> },
    /// A named pipe, a device or a socket: reading one could block forever or never end.
    #[error("{}: is {what}, not a regular file; design files are read from regular files only", path.display())]
    NotRegular { path: PathBuf, what: &'static str },
    #[error("{}: is a symbolic link to {}, which does not exist", path.display(), target.display())]
    DanglingLink { path: PathBuf, target: PathBuf },
    #[error("{}: is a symbolic link that loops (following it leads back to a link already followed)", path.display())]
    LinkLoop { path: PathBuf },
    #[error("{}:{line}:{column}: is not a text file (it holds binary data, starting here)", path.display())]
    Binary {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("{}:{line}:{column}: is not UTF-8 text (a byte here is no UTF-8 character); save the file as UTF-8", path.display())]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("{}: is empty; a design needs at least `version = 1` and `name = \"…\"`", path.display())]
    Empty { path: PathBuf },
    #[error("{0}")]
    Invalid(Box<Invalid>),
}

/// A design file with problems, each pointing at its place in the file.
#[derive(Debug)]
pub struct Invalid {
    pub path: PathBuf,
    pub source: String,
    pub problems: Vec<Located>,
}

/// One problem with its place in the file (1-based line and column), where known.
#[derive(Debug, Clone)]
pub struct Located {
    pub message: String,
    pub help: Option<String>,
    pub span: Option<std::ops::Range<usize>>,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(MAX_SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.path.display())?;
            if p.line > 0 {
                write!(f, ":{}:{}", p.line, p.column)?;
            }
            write!(f, ": {}", p.message)?;
        }
        if let Some(more) = self.more() {
            write!(f, "\n{more}")?;
        }
        Ok(())
    }
}

/// Longer lines are drawn as a stretch around the place a message points at.
const MAX_SNIPPET_LINE: usize = 400;
/// How much of a long line is drawn before the place pointed at, and in all.
const EXCERPT_BEFORE: usize = 40;
const EXCERPT_WIDTH: usize = 160;

/// A problem as a miette diagnostic, to show the offending line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
struct Snippet<'a> {
    message: String,
    #[source_code]
    src: Window<'a>,
    #[label(primary, "here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
}

/// The file's text as miette reads it: the lines around a span found with the line index
/// built once (miette's own reading of a `String` scans from the start for every problem),
/// and only a stretch of a line too long to read on a terminal.
#[derive(Debug)]
struct Window<'a> {
    name: &'a str,
    text: &'a str,
    lines: &'a LineIndex<'a>,
}

impl Window<'_> {
    /// The bytes drawn for a span with some lines of context.
    fn range(
        &self,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> std::ops::Range<usize> {
        let (start, end) = (start.min(self.text.len()), end.min(self.text.len()));
        let first = self.lines.line_of(start);
        if before == 0 && after == 0 {
            return start..end.max(start);
        }
        let last = self.lines.line_of(end.saturating_sub(1).max(start));
        let from = self.lines.line_range(first.saturating_sub(before)).start;
        let to = self
            .lines
            .line_range((last + after).min(self.lines.line_count() - 1))
            .end;
        let long = (first.saturating_sub(before)..=(last + after).min(self.lines.line_count() - 1))
            .any(|l| self.lines.line_range(l).len() > MAX_SNIPPET_LINE);
        if !long {
            return from..to;
        }
        // Only the span's own line, around the span.
        let line = self.lines.line_range(first);
        let a = ceil_char_boundary(
            self.text,
            start.saturating_sub(EXCERPT_BEFORE).max(line.start),
        );
        let b = floor_char_boundary(self.text, (a + EXCERPT_WIDTH).min(line.end)).max(a);
        a..b
    }
}

impl SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let range = self.range(span.offset(), span.offset() + span.len(), before, after);
        let line = self.lines.line_of(range.start);
        let column = self.text[self.lines.line_range(line).start..range.start]
            .chars()
            .count();
        let data = &self.text[range.clone()];
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data.as_bytes(),
            SourceSpan::from(range),
            line,
            column,
            data.matches('\n').count() + 1,
        )))
    }
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

impl Invalid {
    /// The line after the first batch of problems: how many more there are.
    fn more(&self) -> Option<String> {
        let more = self.problems.len().checked_sub(MAX_SHOWN_PROBLEMS)?;
        (more > 0).then(|| {
            format!(
                "… and {more} more problem{} (`infraplan analyze --format json` lists them all)",
                if more == 1 { "" } else { "s" }
            )
        })
    }

    /// The problems with the lines they are on, as miette draws them: the first
    /// [`MAX_SHOWN_PROBLEMS`], then a count of the rest.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        let lines = LineIndex::new(&self.source);
        let name = self.path.display().to_string();
        let mut out = String::new();
        for p in self.problems.iter().take(MAX_SHOWN_PROBLEMS) {
            let location = if p.line > 0 {
                format!("{}:{}:{}", self.path.display(), p.line, p.column)
            } else {
                self.path.display().to_string()
            };
            let src = Window {
                name: &name,
                text: &self.source,
                lines: &lines,
            };
            // The label stays within what is drawn: a long span (a huge value) is marked
            // from its start.
            let span = p.span.clone().map(|r| {
                let start = r.start.min(self.source.len());
                let shown = src.range(start, r.end.max(start), 1, 1);
                let end = floor_char_boundary(
                    &self.source,
                    r.end.max(start).min(shown.end).min(start + EXCERPT_WIDTH),
                )
                .max(start);
                SourceSpan::from(start..end)
            });
            let diag = Snippet {
                message: format!("{location}: {}", p.message),
                src,
                span,
                help: p.help.clone(),
            };
            let _ = handler.render_report(&mut out, &diag);
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        if let Some(more) = self.more() {
            out.push_str(&more);
            out.push('\n');
        }
        out
    }
}

impl DesignError {
    /// The message with the offending lines drawn, for a person at a terminal: control
    /// characters of the file (in a snippet, an id, a file name) are shown escaped.
    pub fn render(&self, color: bool) -> String {
        let text = match self {
            DesignError::Invalid(inv) => inv.render(color),
            other => other.to_string(),
        };
        crate::sanitize::styled(&text).into_owned()
    }
}

/// 1-based line and column of a byte offset in bytes that are UTF-8 up to there.
fn byte_position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    line_col(valid, offset)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The problems with their lines and columns, from one line index.
fn locate(
    text: &str,
    problems: Vec<(String, Option<String>, Option<std::ops::Range<usize>>)>,
) -> Vec<Located> {
    let lines = LineIndex::new(text);
    let starts: Vec<usize> = problems
        .iter()
        .filter_map(|(_, _, span)| span.as_ref().map(|s| s.start))
        .collect();
    let mut positions = lines.positions(&starts).into_iter();
    problems
        .into_iter()
        .map(|(message, help, span)| {
            let (line, column) = match &span {
                Some(_) => positions.next().map_or((0, 0), |p| (p.line, p.column)),
                None => (0, 0),
            };
            Located {
                message,
                help,
                span,
                line,
                column,
            }
        })
        .collect()
}

/// Reads, parses and validates a design file.
pub fn load(path: &Path) -> Result<Design, DesignError> {
    let (bytes, format) = read_checked(path)?;
    parse_bytes(path, &bytes, format)
}

/// Like [`load`], also giving the file's text, for reports that point at its lines.
pub fn load_with_text(path: &Path) -> Result<(Design, String), DesignError> {
    let (bytes, format) = read_checked(path)?;
    let design = parse_bytes(path, &bytes, format)?;
    // parse_bytes accepted it, so it is UTF-8.
    Ok((design, String::from_utf8_lossy(&bytes).into_owned()))
}

/// What the editor opens for a path: `None` when nothing is there (a new design, to be
/// created by the first save), the design and its text when it loads, and the error when
/// something is there that cannot be read: a dangling symbolic link or a loop is not a
/// missing file, or a save would replace the link.
pub fn load_existing(path: &Path) -> Result<Option<(Design, String)>, DesignError> {
    if is_missing(path) {
        Format::from_path(path)?;
        return Ok(None);
    }
    load_with_text(path).map(Some)
}

/// Whether nothing at all is at `path`, not even a symbolic link (`Path::exists` is false
/// for a dangling link too, which is something a save must not replace).
pub fn is_missing(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// Why `path` cannot be opened, with symbolic links that lead nowhere told apart.
fn unreadable(path: &Path, source: std::io::Error) -> DesignError {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        match follow_links(path) {
            None => {
                return DesignError::LinkLoop {
                    path: path.to_path_buf(),
                };
            }
            Some(target) if source.kind() == std::io::ErrorKind::NotFound => {
                return DesignError::DanglingLink {
                    path: path.to_path_buf(),
                    target,
                };
            }
            Some(_) => {}
        }
    }
    DesignError::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// Where a chain of symbolic links ends (the first path that is no link), or `None` for a
/// loop (or a chain longer than systems follow).
fn follow_links(path: &Path) -> Option<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&at) {
            Ok(target) => {
                at = match at.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                }
            }
            Err(_) => return Some(at),
        }
    }
    None
}

/// Refuses what is not a regular file: a folder, a named pipe, a device, a socket.
fn regular(path: &Path, kind: std::fs::FileType) -> Result<(), DesignError> {
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err(DesignError::Directory {
            path: path.to_path_buf(),
        });
    }
    Err(DesignError::NotRegular {
        path: path.to_path_buf(),
        what: special_kind(kind),
    })
}

#[cfg(unix)]
fn special_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: std::fs::FileType) -> &'static str {
    "a special file"
}

/// Reads at most `limit` bytes; `None` when there is more.
fn read_capped(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The bytes of a design file and its format. Only a regular file (or a symbolic link to
/// one) is read, through a reader that stops at the size limit: the size in its metadata is
/// only a first check (it is 0 for pipes and devices, and a file may grow).
fn read_checked(path: &Path) -> Result<(Vec<u8>, Format), DesignError> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
    regular(path, meta.file_type())?;
    let format = Format::from_path(path)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(DesignError::TooLarge {
            path: path.to_path_buf(),
            size: Some(meta.len()),
        });
    }
    let read_error = |source| DesignError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, e))?;
    // What was opened, in case the name was changed to something else meanwhile.
    regular(path, file.metadata().map_err(read_error)?.file_type())?;
    let bytes = read_capped(file, MAX_FILE_BYTES)
        .map_err(read_error)?
        .ok_or_else(|| DesignError::TooLarge {
            path: path.to_path_buf(),
            size: None,
        })?;
    Ok((bytes, format))
}

#[cfg(test)]
mod read_tests {
    use super::*;

    #[test]
    fn the_read_stops_at_the_cap_whatever_the_source() {
        // An endless source (what /dev/zero or a growing file looks like to a reader).
        assert_eq!(read_capped(std::io::repeat(b'x'), 1000).ok(), Some(None));
        assert_eq!(
            read_capped(&b"abc"[..], 3).ok(),
            Some(Some(b"abc".to_vec()))
        );
        assert_eq!(read_capped(&b"abcd"[..], 3).ok(), Some(None));
    }

    #[test]
    fn problems_on_one_long_line_are_placed_in_one_pass() {
        // Minified JSON: every problem on line 1, columns counted in characters.
        let links: Vec<String> = (0..3000)
            .map(|i| format!(r#"{{"from":"é","to":"missing-{i}","protocol":"http"}}"#))
            .collect();
        let text = format!(
            r#"{{"version":1,"name":"x","components":[{{"id":"é","kind":"client"}}],"links":[{}]}}"#,
            links.join(",")
        );
        let err = parse_bytes(Path::new("m.json"), text.as_bytes(), Format::Json)
            .expect_err("dangling links");
        let DesignError::Invalid(inv) = err else {
            panic!("{err}")
        };
        assert_eq!(inv.problems.len(), 3000);
        for p in inv.problems.iter().step_by(499) {
            let (line, column) = line_col(&text, p.span.clone().expect("placed").start);
            assert_eq!((p.line, p.column), (line, column), "{}", p.message);
        }
        assert!(inv.render(false).contains("… and 2950 more problems"));
    }

    #[test]
    fn long_quoted_parts_of_messages_are_excerpted() {
        let long = "x".repeat(500);
        let message = excerpt_quoted(&format!(
            "unknown value `{long}`, expected `a` or \"{long}\""
        ));
        assert_eq!(
            message,
            format!(
                "unknown value `{}… (500 characters)`, expected `a` or \"{}… (500 characters)\"",
                "x".repeat(40),
                "x".repeat(40)
            )
        );
        assert_eq!(excerpt_quoted("a `short` one"), "a `short` one");
        assert_eq!(excerpt("é".repeat(60).as_str()), "é".repeat(60));
    }
}

/// Parses and validates design text already read from `path` (used for messages).
pub fn parse_bytes(path: &Path, bytes: &[u8], format: Format) -> Result<Design, DesignError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(DesignError::TooLarge {
            path: path.to_path_buf(),
            size: Some(bytes.len() as u64),
        });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // A file with NUL bytes is binary; otherwise a byte that is no UTF-8 is an encoding
            // problem (a Latin-1 file, say). Either way the first bad byte is pointed at.
            let nul = bytes.iter().position(|&b| b == 0);
            let at = nul.map_or(e.valid_up_to(), |n| n.min(e.valid_up_to()));
            let (line, column) = byte_position(bytes, at);
            return Err(if nul.is_some() {
                DesignError::Binary {
                    path: path.to_path_buf(),
                    line,
                    column,
                }
            } else {
                DesignError::NotUtf8 {
                    path: path.to_path_buf(),
                    line,
                    column,
                }
            });
        }
    };
    if let Some(nul) = text.find('\0') {
        let (line, column) = line_col(text, nul);
        return Err(DesignError::Binary {
            path: path.to_path_buf(),
            line,
            column,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(DesignError::Empty {
            path: path.to_path_buf(),
        });
    }
    // Structs are read from tables only ([`Strict`]): a list in place of a component is
    // refused, not taken for its fields in order.
    let design = match format {
        // The lean reader handles valid designs; anything else is read again by the toml
        // crate, whose messages are the ones users see.
        Format::Toml => match crate::fast_toml::from_str::<Strict<Design>>(text) {
            Some(design) => Ok(design.0),
            None => toml::from_str::<Strict<Design>>(text)
                .map(|d| d.0)
                .map_err(|e| {
                    let message = friendly(e.message(), e.span().and_then(|s| text.get(s)));
                    (toml_context(text, message, e.span()), e.span())
                }),
        },
        Format::Json => serde_json::from_str::<Strict<Design>>(text)
            .map(|d| d.0)
            .map_err(|e| {
                let offset = offset_of(text, e.line(), e.column());
                let message = friendly(&strip_json_position(&e.to_string()), None)
                    .replace(
                        &format!("expected {}", crate::strict::TABLE),
                        "expected an object",
                    )
                    .replace(crate::strict::TABLE, "an object");
                (message, Some(offset..offset))
            }),
    };
    let design = design.map_err(|(message, span)| {
        invalid(path, text, locate(text, vec![(message, None, span)]))
    })?;
    let problems = validate(&design);
    if problems.is_empty() {
        return Ok(design);
    }
    // One parse of the text for the places of all the problems, however many there are.
    let paths: Vec<&[Step]> = problems.iter().map(|p| p.path.as_slice()).collect();
    let spans = match format {
        Format::Toml => toml_spans(text, &paths),
        Format::Json => json_spans(text, &paths),
    };
    let located = problems
        .into_iter()
        .zip(spans)
        .map(|(Problem { message, help, .. }, span)| (message, help, span))
        .collect();
    Err(invalid(path, text, locate(text, located)))
}

fn invalid(path: &Path, text: &str, problems: Vec<Located>) -> DesignError {
    DesignError::Invalid(Box::new(Invalid {
        path: path.to_path_buf(),
        source: text.to_string(),
        problems,
    }))
}

/// Quoted parts of a message longer than this are shortened: a message never echoes a
/// megabyte-long id or value.
const MAX_QUOTED: usize = 60;

/// `text` if short, else its start, an ellipsis and its length.
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    let count = text.chars().count();
    if count <= MAX_QUOTED {
        return text.into();
    }
    let head: String = text.chars().take(MAX_QUOTED - 20).collect();
    format!("{head}… ({count} characters)").into()
}

/// The message with every part between backticks or double quotes [`excerpt`]ed.
fn excerpt_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        match rest.find(quote) {
            Some(close) => {
                out.push_str(&excerpt(&rest[..close]));
                out.push(quote);
                rest = &rest[close + 1..];
            }
            None => {
                out.push_str(&excerpt(rest));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// serde's messages, made to read well for people who edit design files; `found` is the text
/// the message is about, where known.
fn friendly(message: &str, found: Option<&str>) -> String {
    let message = excerpt_quoted(message.trim());
    let message = message.strip_suffix('\n').unwrap_or(&message);
    // The parsers' limit on nesting, in words.
    if message.contains("recursion") || message.contains("recurse") {
        return "nested too deeply: a design's values are at most a list of tables of values"
            .to_string();
    }
    // A list where an item belongs (`components = [["a", "client"]]`).
    if let Some(rest) = message.strip_prefix("invalid type: sequence, expected ") {
        return format!("a list where {rest} is expected: give each item's keys by name");
    }
    // A `null` in JSON: say what belongs there instead.
    if let Some(rest) = message.strip_prefix("invalid type: null, expected ") {
        return format!("`null` is not a value here: expected {rest}");
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("unknown key {rest}");
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return format!("unknown value {rest}");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing key {rest}");
    }
    let mut message = message.to_string();
    // serde names the Rust type it wanted: say what numbers fit instead.
    for wide in [" as i128", " as u128", " as i64", " as u64"] {
        message = message.replace(wide, "");
    }
    for (rust, words) in [
        ("i32", "a whole number from -2147483648 to 2147483647"),
        ("u32", "a whole number from 0 to 4294967295"),
        ("u16", "a whole number from 0 to 65535"),
        ("u8", "a whole number from 0 to 255"),
        ("i64", "a whole number"),
        ("u64", "a whole number from 0 up"),
        ("f64", "a number"),
    ] {
        if let Some(head) = message.strip_suffix(&format!("expected {rust}")) {
            message = format!("{head}expected {words}");
            break;
        }
    }
    // The toml crate hands a date-time to serde as a map.
    if message.starts_with("invalid type: map")
        && found.is_some_and(|f| f.len() >= 8 && f.as_bytes()[..4].iter().all(u8::is_ascii_digit))
    {
        message =
            message.replacen("map", "date-time", 1) + " (write dates in quotes: \"2026-12-31\")";
    }
    message
}

/// The toml crate's "duplicate key" with the key named, and a table header called a table.
fn toml_context(text: &str, message: String, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span.filter(|_| message == "duplicate key") else {
        return message;
    };
    let Some(key) = text.get(span.clone()) else {
        return message;
    };
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or_default().trim();
    if line.starts_with('[') {
        let header = line.split('#').next().unwrap_or(line).trim();
        format!("table `{header}` is defined twice, or `{key}` is already a key or a value here")
    } else {
        format!("`{key}` is defined twice")
    }
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Byte offset of a 1-based line and column (serde_json counts the column in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return floor_char_boundary(text, (offset + column.saturating_sub(1)).min(text.len()));
        }
        offset += l.len();
    }
    text.len()
}

/// The spans of the values at `paths` in TOML text, from one parse.
fn toml_spans(text: &str, paths: &[&[Step]]) -> Vec<Option<std::ops::Range<usize>>> {
    use toml::de::{DeTable, DeValue};
    let Ok(root) = DeTable::parse(text) else {
        return vec![None; paths.len()];
    };
    let resolve = |path: &[Step]| {
        let mut span = root.span();
        let mut table = Some(root.get_ref());
        let mut array: Option<&toml::de::DeArray<'_>> = None;
        for step in path {
            let value = match step {
                Step::Key(k) => {
                    let (key, value) = table?.get_key_value(*k)?;
                    // Point at the key for whole values, which reads better for `x = 1` lines.
                    span = key.span().start..value.span().end;
                    value
                }
                Step::Index(i) => {
                    let value = array?.get(*i)?;
                    span = value.span();
                    value
                }
            };
            (table, array) = match value.get_ref() {
                DeValue::Table(t) => (Some(t), None),
                DeValue::Array(a) => (None, Some(a)),
                _ => (None, None),
            };
        }
        Some(span)
    };
    paths.iter().map(|p| resolve(p)).collect()
}

/// The spans of the values at `paths` in JSON text, from one parse.
fn json_spans(text: &str, paths: &[&[Step]]) -> Vec<Option<std::ops::Range<usize>>> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let root = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .ok()
        .and_then(|parsed| parsed.value);
    let Some(root) = root else {
        return vec![None; paths.len()];
    };
    let resolve = |path: &[Step]| {
        let mut value = &root;
        let mut span = value.range().start..value.range().end;
        for step in path {
            value = match (step, value) {
                (Step::Key(k), Value::Object(o)) => {
                    let prop = o.properties.iter().find(|p| p.name.as_str() == *k)?;
                    span = prop.range.start..prop.range.end;
                    &prop.value
                }
                (Step::Index(i), Value::Array(a)) => {
                    let v = a.elements.get(*i)?;
                    span = v.range().start..v.range().end;
                    v
                }
                _ => return Some(span),
            };
        }
        Some(span)
    };
    paths.iter().map(|p| resolve(p)).collect()
}

/// Serializes a design in the format its path asks for, in the canonical layout; same
/// design, same bytes.
pub fn to_string(design: &Design, format: Format) -> String {
    render(design, format, None)
}

/// The text a save writes: for TOML with the text the file was read from, that file's
/// comments and layout are kept and only what changed is rewritten
/// ([`crate::preserve::Layout::Keep`]); otherwise the canonical layout. JSON is always
/// canonical.
pub fn render(design: &Design, format: Format, original: Option<&str>) -> String {
    match format {
        Format::Toml => crate::preserve::render(design, original, crate::preserve::Layout::Keep),
        Format::Json => {
            // Serializing plain structs of strings and numbers cannot fail.
            let mut s = serde_json::to_string_pretty(design).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// Saves atomically: a temporary file in the same folder, flushed to disk, then renamed over
/// the target, so an interrupted save leaves the old file or the new one, never half of one.
pub fn save(design: &Design, path: &Path) -> Result<(), DesignError> {
    save_keeping(design, path, None).map(|_| ())
}

/// Like [`save`], keeping the layout and comments of `original`, the text the design was read
/// from (see [`render`]); gives the text written.
pub fn save_keeping(
    design: &Design,
    path: &Path,
    original: Option<&str>,
) -> Result<String, DesignError> {
    let format = Format::from_path(path)?;
    let text = render(design, format, original);
    write_atomic(path, text.as_bytes()).map_err(|source| DesignError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text)
}

/// What stands in the way of a save, found by [`check_save`] before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveCheck {
    /// Nothing: save.
    Clear,
    /// The file (or the one its symlink points at) is read-only: write it only if the user
    /// says so.
    ReadOnly,
    /// The file the design was read from is gone: saving creates it again, which the user
    /// should know about (it may have been moved or deleted on purpose).
    Deleted,
}

impl SaveCheck {
    /// What to tell the user, naming the file.
    pub fn describe(self, path: &Path) -> String {
        match self {
            SaveCheck::Clear => format!("{}: can be saved", path.display()),
            SaveCheck::ReadOnly => format!("{}: is read-only", path.display()),
            SaveCheck::Deleted => format!(
                "{}: was deleted on disk since it was opened",
                path.display()
            ),
        }
    }
}

/// Whether saving to `path` should ask first; `opened` says the design was read from that
/// file (so its absence means someone deleted it).
pub fn check_save(path: &Path, opened: bool) -> SaveCheck {
    // A symlink loop is reported by the save itself.
    let Ok(target) = save_target(path) else {
        return SaveCheck::Clear;
    };
    match std::fs::metadata(&target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && opened => SaveCheck::Deleted,
        Ok(meta) if meta.is_file() && read_only(&target, &meta) => SaveCheck::ReadOnly,
        _ => SaveCheck::Clear,
    }
}

/// No write permission bit at all (which even root respects here, as vim does), or none for
/// this user (the kernel says so when the file is opened for writing; nothing is written).
fn read_only(target: &Path, meta: &std::fs::Metadata) -> bool {
    meta.permissions().readonly()
        || std::fs::OpenOptions::new()
            .write(true)
            .open(target)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
}

/// How many symlinks a save follows before it calls the chain a loop (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

/// The file a save to `path` writes: `path`, or the end of its chain of symlinks (which may
/// not exist yet), so that the links stay links as they do with vim and helix.
fn save_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = std::fs::read_link(&current)?;
                // A relative link is relative to the folder holding it; `join` keeps an
                // absolute one as it is.
                current = match current.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(
        "too many levels of symbolic links (a symlink loop?)",
    ))
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Temporary files of saves to `target` are named `.infraplan-<file name>.<pid>-<random>.tmp`:
/// the name says whose they are, the process id whether their save may still be running.
fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Room for the rest of the name within the usual 255-byte limit.
    let mut end = name.len().min(160);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".infraplan-{}.", &name[..end])
}

const TEMP_RANDOM: usize = 6;

/// The start of this process's temporary file names for a file whose temporaries start with
/// `prefix`.
fn temp_start(prefix: &str) -> String {
    format!("{prefix}{}-", std::process::id())
}

/// Whether the process `pid` is running (on Linux from `/proc`, elsewhere `kill -0`); when it
/// cannot be told, it is taken to be running, so nothing of a live save is removed.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_or(true, |s| s.success())
}

/// Removes the temporary files that earlier saves of the file whose temporaries start with
/// `prefix` left when they were interrupted (killed, a power cut): those whose process is
/// gone.
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|n| n.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some((pid, random)) = rest.split_once('-') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let ours = random.len() == TEMP_RANDOM && random.chars().all(|c| c.is_ascii_alphanumeric());
        if !ours || pid == me || process_alive(pid) {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The owner, group and permission bits of `meta` on `file` (a new file replacing the old
/// one). Permissions are set with fchmod, which the umask does not touch; the owner only
/// root may give, the group any member may; what cannot be kept stays as created.
#[cfg(unix)]
fn copy_metadata(file: &std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).is_err() {
        let _ = std::os::unix::fs::fchown(file, None, Some(meta.gid()));
    }
    // After the chown, which clears set-id bits.
    file.set_permissions(meta.permissions())
}

#[cfg(not(unix))]
fn copy_metadata(file: &std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<()> {
    file.set_permissions(meta.permissions())
}

#[cfg(unix)]
fn hard_linked(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(meta) > 1
}

#[cfg(not(unix))]
fn hard_linked(_: &std::fs::Metadata) -> bool {
    false
}

/// Writes `bytes` to `path` atomically (temp file, fsync, rename, fsync of the folder).
///
/// What the file was is kept: a symlink is written through to its target; the permission
/// bits (exactly, whatever the umask), owner and group are copied; a file with other hard
/// links is rewritten in place, so every name still shows it (the new text is on disk in a
/// temporary file first). A new file gets rw-rw-rw- less the umask, as editors create files.
/// Temporary files that interrupted saves of this file left are removed. Folders, devices
/// and pipes are refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = save_target(path)?;
    let dir = folder_of(&target);
    let existing = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return Err(std::io::Error::other(
            "is not a regular file (a folder, a device or a pipe); infraplan writes regular files only",
        ));
    }
    let prefix = temp_prefix(&target);
    remove_stale_temporaries(&dir, &prefix);
    let start = temp_start(&prefix);
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&start)
        .suffix(".tmp")
        .rand_bytes(TEMP_RANDOM);
    if existing.is_none() {
        // Created with this mode, so the umask applies as it does to any new file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    if let Some(meta) = &existing {
        if hard_linked(meta) {
            tmp.as_file().sync_all()?;
            let mut file = std::fs::OpenOptions::new().write(true).open(&target)?;
            // Written over, then cut to length: the file is never empty on the way.
            file.write_all(bytes)?;
            file.set_len(bytes.len() as u64)?;
            file.sync_all()?;
            return Ok(());
        }
        copy_metadata(tmp.as_file(), meta)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod permission_tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn saves_keep_the_files_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = dir.path().join("new.toml");
        super::write_atomic(&new, b"x").expect("write");
        let mode = std::fs::metadata(&new).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode & 0o600, 0o600, "{mode:o}");
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        super::write_atomic(&new, b"y").expect("write");
        let mode = std::fs::metadata(&new).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}
