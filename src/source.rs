//! Where a design comes from: a file, or a file as git has it at a revision
//! (`git:REV:path`, read with `git show REV:path`), as `infraplan diff` takes them.

use crate::io::{DesignError, Format, load_with_text, parse_bytes};
use crate::model::Design;
use std::path::{Path, PathBuf};
use std::process::Command;

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
            Some((rev, path)) if !path.is_empty() && !rev.starts_with('-') => Ok(Source::Git {
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
                let bytes = git_show(&spec, &format!("{rev}:{path}"))?;
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

/// The content of a git object, by `git show` run as a child process with arguments.
fn git_show(spec: &str, object: &str) -> Result<Vec<u8>, SourceError> {
    let out = Command::new("git")
        .args(["show", "--no-textconv", "--end-of-options", object])
        .output()
        .map_err(|source| SourceError::GitMissing {
            spec: spec.to_string(),
            source,
        })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let message = String::from_utf8_lossy(&out.stderr);
        let message = message
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("git show failed")
            .trim_start_matches("fatal: ")
            .to_string();
        Err(SourceError::Git {
            spec: spec.to_string(),
            message,
        })
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
            Err(SourceError::BadSpec { .. })
        ));
        assert_eq!(
            Source::parse("git:main:a.toml")
                .map(|s| s.name())
                .unwrap_or_default(),
            "git:main:a.toml"
        );
    }
}
