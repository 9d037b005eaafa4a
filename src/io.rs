//! Reading and writing design files: TOML or JSON by extension, validated on the way in,
//! written atomically on the way out.

use crate::model::Design;
use crate::validate::{Problem, Step, validate};
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Design files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

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
    #[error("{}: is {:.1} MB; infraplan reads design files of up to {} MB", path.display(), *size as f64 / 1e6, MAX_FILE_BYTES / 1_000_000)]
    TooLarge { path: PathBuf, size: u64 },
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
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.path.display())?;
            if p.line > 0 {
                write!(f, ":{}:{}", p.line, p.column)?;
            }
            write!(f, ": {}", p.message)?;
        }
        Ok(())
    }
}

/// Longer lines are not drawn under a message.
const MAX_SNIPPET_LINE: usize = 400;

/// A problem as a miette diagnostic, to show the offending line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
struct Snippet {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
}

impl Invalid {
    /// The problems with the lines they are on, as miette draws them.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        let mut out = String::new();
        for p in &self.problems {
            let location = if p.line > 0 {
                format!("{}:{}:{}", self.path.display(), p.line, p.column)
            } else {
                self.path.display().to_string()
            };
            // A line too long to read on a terminal (a generated file, a deep nesting) is
            // not drawn: file:line:column says where it is.
            let span = p.span.clone().filter(|r| {
                let start = self.source[..r.start.min(self.source.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let end = self.source[start..]
                    .find('\n')
                    .map_or(self.source.len(), |i| start + i);
                end - start <= MAX_SNIPPET_LINE
            });
            let src = if span.is_some() || p.span.is_none() {
                self.source.clone()
            } else {
                String::new()
            };
            let diag = Snippet {
                message: format!("{location}: {}", p.message),
                src: NamedSource::new(self.path.display().to_string(), src),
                span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
                help: p.help.clone(),
            };
            let _ = handler.render_report(&mut out, &diag);
            if !out.ends_with('\n') {
                out.push('\n');
            }
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

fn locate(
    src: &str,
    message: String,
    help: Option<String>,
    span: Option<std::ops::Range<usize>>,
) -> Located {
    let (line, column) = span.as_ref().map_or((0, 0), |s| line_col(src, s.start));
    Located {
        message,
        help,
        span,
        line,
        column,
    }
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

/// The bytes of a design file and its format, refusing folders, unknown extensions and
/// oversized files before reading.
fn read_checked(path: &Path) -> Result<(Vec<u8>, Format), DesignError> {
    let meta = std::fs::metadata(path).map_err(|source| DesignError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return Err(DesignError::Directory {
            path: path.to_path_buf(),
        });
    }
    let format = Format::from_path(path)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(DesignError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| DesignError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((bytes, format))
}

/// Parses and validates design text already read from `path` (used for messages).
pub fn parse_bytes(path: &Path, bytes: &[u8], format: Format) -> Result<Design, DesignError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(DesignError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
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
    let design = match format {
        // The lean reader handles valid designs; anything else is read again by the toml
        // crate, whose messages are the ones users see.
        Format::Toml => match crate::fast_toml::from_str::<Design>(text) {
            Some(design) => Ok(design),
            None => toml::from_str::<Design>(text).map_err(|e| {
                let message = friendly(e.message(), e.span().and_then(|s| text.get(s)));
                (toml_context(text, message, e.span()), e.span())
            }),
        },
        Format::Json => serde_json::from_str::<Design>(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            let message = friendly(&strip_json_position(&e.to_string()), None);
            (message, Some(offset..offset))
        }),
    };
    let design = design
        .map_err(|(message, span)| invalid(path, text, vec![locate(text, message, None, span)]))?;
    let problems = validate(&design);
    if problems.is_empty() {
        return Ok(design);
    }
    let located = problems
        .into_iter()
        .map(
            |Problem {
                 message,
                 help,
                 path: doc_path,
             }| {
                let span = match format {
                    Format::Toml => toml_span(text, &doc_path),
                    Format::Json => json_span(text, &doc_path),
                };
                locate(text, message, help, span)
            },
        )
        .collect();
    Err(invalid(path, text, located))
}

fn invalid(path: &Path, text: &str, problems: Vec<Located>) -> DesignError {
    DesignError::Invalid(Box::new(Invalid {
        path: path.to_path_buf(),
        source: text.to_string(),
        problems,
    }))
}

/// serde's messages, made to read well for people who edit design files; `found` is the text
/// the message is about, where known.
fn friendly(message: &str, found: Option<&str>) -> String {
    let message = message.trim();
    let message = message.strip_suffix('\n').unwrap_or(message);
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

/// The span of the value at `path` in TOML text.
fn toml_span(text: &str, path: &[Step]) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let mut span = root.span();
    let mut table = Some(root.get_ref());
    let mut array: Option<&toml::de::DeArray<'_>> = None;
    for step in path {
        match step {
            Step::Key(k) => {
                let (key, value) = table?.get_key_value(*k)?;
                // Point at the key for whole values, which reads better for `x = 1` lines.
                span = key.span().start..value.span().end;
                (table, array) = match value.get_ref() {
                    DeValue::Table(t) => (Some(t), None),
                    DeValue::Array(a) => (None, Some(a)),
                    _ => (None, None),
                };
            }
            Step::Index(i) => {
                let value = array?.get(*i)?;
                span = value.span();
                (table, array) = match value.get_ref() {
                    DeValue::Table(t) => (Some(t), None),
                    DeValue::Array(a) => (None, Some(a)),
                    _ => (None, None),
                };
            }
        }
    }
    Some(span)
}

/// The span of the value at `path` in JSON text.
fn json_span(text: &str, path: &[Step]) -> Option<std::ops::Range<usize>> {
    use jsonc_parser::ast::Value;
    use jsonc_parser::common::Ranged;
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    let mut value = parsed.value?;
    let mut span = value.range().start..value.range().end;
    for step in path {
        value = match (step, value) {
            (Step::Key(k), Value::Object(o)) => {
                let prop = o.properties.into_iter().find(|p| p.name.as_str() == *k)?;
                span = prop.range.start..prop.range.end;
                prop.value
            }
            (Step::Index(i), Value::Array(a)) => {
                let v = a.elements.into_iter().nth(*i)?;
                span = v.range().start..v.range().end;
                v
            }
            _ => return Some(span),
        };
    }
    Some(span)
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
