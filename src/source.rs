//! Where a design comes from: a file, or a file as git has it at a revision
//! (`git:REV:path`, the object `git show REV:path` shows), as `infraplan diff` takes them.

use crate::io::{DesignError, Format, MAX_FILE_BYTES, load_with_text, parse_bytes};
use crate::model::Design;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A design file, on disk or in git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// `git:REV:path`: `path` as in `git show REV:path` (from the repository's root, or
    /// relative to the current folder when it starts with `./`); an empty REV is the index,
    /// i.e. what is staged.
    Git {
        rev: String,
        path: String,
    },
}

/// A design with the text it was read from, for reports that point at lines.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub design: Design,
    pub text: String,
    pub format: Format,
}

/// Why a source could not be read; design problems are [`DesignError`]s named after the source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Design(#[from] DesignError),
    #[error("{spec}: cannot run git: {source}")]
    GitMissing {
        spec: String,
        source: std::io::Error,
    },
    #[error("{spec}: git cannot show it: {message}")]
    Git { spec: String, message: String },
    #[error("{spec}: write git sources as git:REV:path (e.g. git:main:designs/site.toml)")]
    BadSpec { spec: String },
    #[error(
        "{spec}: a revision cannot start with `-` (git would take it for an option); name a branch, tag or commit"
    )]
    DashRevision { spec: String },
}

impl SourceError {
    /// The message with the offending lines drawn, for a person at a terminal.
    pub fn render(&self, color: bool) -> String {
        match self {
            SourceError::Design(e) => e.render(color),
            other => other.to_string(),
        }
    }
}

impl Source {
    /// `git:REV:path` is a git source, anything else a file path.
    pub fn parse(spec: &str) -> Result<Source, SourceError> {
        let Some(rest) = spec.strip_prefix("git:") else {
            return Ok(Source::File(PathBuf::from(spec)));
        };
        match rest.split_once(':') {
            // A revision starting with `-` would reach git as an option.
            Some((rev, _)) if rev.starts_with('-') => Err(SourceError::DashRevision {
                spec: spec.to_string(),
            }),
            Some((rev, path)) if !path.is_empty() => Ok(Source::Git {
                rev: rev.to_string(),
                path: path.to_string(),
            }),
            _ => Err(SourceError::BadSpec {
                spec: spec.to_string(),
            }),
        }
    }

    /// How messages name it: the path, or `git:REV:path`.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Git { rev, path } => format!("git:{rev}:{path}"),
        }
    }

    /// The path whose extension says the format.
    pub fn path(&self) -> &Path {
        match self {
            Source::File(p) => p,
            Source::Git { path, .. } => Path::new(path),
        }
    }

    /// Reads, parses and validates the design.
    pub fn load(&self) -> Result<Loaded, SourceError> {
        match self {
            Source::File(path) => {
                let format = Format::from_path(path)?;
                let (design, text) = load_with_text(path)?;
                Ok(Loaded {
                    design,
                    text,
                    format,
                })
            }
            Source::Git { rev, path } => {
                let spec = self.name();
                let format =
                    Format::from_path(Path::new(path)).map_err(|_| DesignError::Extension {
                        path: PathBuf::from(&spec),
                    })?;
                let bytes = git_blob(&spec, &format!("{rev}:{path}"))?;
                let design = parse_bytes(Path::new(&spec), &bytes, format)?;
                Ok(Loaded {
                    design,
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    format,
                })
            }
        }
    }
}

/// git with every setting that runs a program switched off, so that reading a repository
/// someone else prepared (a pull request's checkout, a downloaded archive) cannot execute
/// code from its `.git/config`: the fsmonitor hook (run on reading the index), hooks, the
/// pager, and the transports a partial clone would use to fetch a missing object
/// (`core.sshCommand`, `ext::` remotes). Command-line settings override every config file.
fn git() -> Command {
    let mut cmd = Command::new("git");
    cmd.args([
        "--no-pager",
        "-c",
        "core.fsmonitor=false",
        "-c",
        "core.hooksPath=/dev/null",
        "-c",
        "core.pager=cat",
        "-c",
        "protocol.allow=never",
        "-c",
        "core.untrackedCache=false",
    ])
    .env("GIT_NO_LAZY_FETCH", "1")
    .env("GIT_TERMINAL_PROMPT", "0")
    .env("GIT_OPTIONAL_LOCKS", "0")
    .stdin(Stdio::null());
    cmd
}

/// git's own reason for not having an object (its first line, without `fatal: `).
fn git_reason(stderr: &[u8], fallback: &str) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(fallback)
        .trim_start_matches("fatal: ")
        .to_string()
}

/// The content of the blob `object` (`REV:path`), its type and size asked first, so that a
/// tree or an oversized blob is refused before anything is read; the read itself is bounded
/// too.
fn git_blob(spec: &str, object: &str) -> Result<Vec<u8>, SourceError> {
    let missing = |source| SourceError::GitMissing {
        spec: spec.to_string(),
        source,
    };
    // The object name goes through stdin, where it cannot be taken for an option.
    let mut child = git()
        .args([
            "cat-file",
            "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(missing)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A name with a newline would be two requests: git answers the first only.
        let name = object.replace('\n', " ");
        let _ = writeln!(stdin, "{name}");
    }
    let out = child.wait_with_output().map_err(missing)?;
    let answer = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = answer.trim_end().rsplitn(3, ' ').collect();
    let (oid, kind, size) = match (out.status.success(), fields.as_slice()) {
        (true, [size, kind, oid]) if size.parse::<u64>().is_ok() => (
            oid.to_string(),
            *kind,
            size.parse::<u64>().unwrap_or(u64::MAX),
        ),
        (true, _) => {
            // `missing` or `ambiguous`: ask again for git's reason.
            let why = git()
                .args(["cat-file", "-e", "--end-of-options", object])
                .output()
                .map_err(missing)?;
            return Err(SourceError::Git {
                spec: spec.to_string(),
                message: git_reason(&why.stderr, &format!("git has no {object}")),
            });
        }
        (false, _) => {
            return Err(SourceError::Git {
                spec: spec.to_string(),
                message: git_reason(&out.stderr, "git cat-file failed"),
            });
        }
    };
    let path = PathBuf::from(spec);
    match kind {
        "blob" => {}
        "tree" => return Err(DesignError::Directory { path }.into()),
        other => {
            return Err(SourceError::Git {
                spec: spec.to_string(),
                message: format!("it is a {other}, not a file"),
            });
        }
    }
    if size > MAX_FILE_BYTES {
        return Err(DesignError::TooLarge {
            path,
            size: Some(size),
        }
        .into());
    }
    let mut child = git()
        .args(["cat-file", "blob", &oid])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(missing)?;
    let mut bytes = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|out| out.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let _ = child.kill();
        let _ = child.wait();
        return Err(DesignError::TooLarge { path, size: None }.into());
    }
    let out = child.wait_with_output().map_err(missing)?;
    match read {
        Some(Ok(_)) if out.status.success() => Ok(bytes),
        Some(Err(e)) => Err(missing(e)),
        _ => Err(SourceError::Git {
            spec: spec.to_string(),
            message: git_reason(&out.stderr, "git cat-file failed"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_files_and_git_specs() {
        assert_eq!(
            Source::parse("designs/a.toml").ok(),
            Some(Source::File("designs/a.toml".into()))
        );
        assert_eq!(
            Source::parse("git:HEAD~1:designs/a.toml").ok(),
            Some(Source::Git {
                rev: "HEAD~1".into(),
                path: "designs/a.toml".into()
            })
        );
        assert_eq!(
            Source::parse("git::a.toml").ok(),
            Some(Source::Git {
                rev: String::new(),
                path: "a.toml".into()
            })
        );
        assert!(matches!(
            Source::parse("git:HEAD"),
            Err(SourceError::BadSpec { .. })
        ));
        assert!(matches!(
            Source::parse("git:--output=x:a.toml"),
            Err(SourceError::DashRevision { .. })
        ));
        assert_eq!(
            Source::parse("git:main:a.toml")
                .map(|s| s.name())
                .unwrap_or_default(),
            "git:main:a.toml"
        );
    }
}
