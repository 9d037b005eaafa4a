//! Running Graphviz `dot` as a child process: arguments, never a shell; input and output
//! through temporary files, so no pipe can fill and block either side; a timeout after which
//! the process is killed.

use super::{ExportError, Format};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// How long `dot` may run unless told otherwise: a 10k-component design takes well under this.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Set to the path of a `dot` program to use instead of the one on `PATH`.
pub const DOT_ENV: &str = "INFRAPLAN_DOT";

/// A located `dot` program.
#[derive(Debug, Clone)]
pub struct Graphviz {
    pub program: PathBuf,
    pub timeout: Duration,
}

fn executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Where `name` is on `PATH`, if anywhere.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<OsString> = if cfg!(windows) {
        vec![format!("{name}.exe").into(), name.into()]
    } else {
        vec![name.into()]
    };
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| executable(p))
}

impl Graphviz {
    /// `$INFRAPLAN_DOT` if set (even to a missing file, which then fails to start with a clear
    /// message), else `dot` on `PATH`.
    pub fn locate(timeout: Duration) -> Option<Graphviz> {
        let program = match std::env::var_os(DOT_ENV).filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => which("dot")?,
        };
        Some(Graphviz { program, timeout })
    }

    /// Lays out and draws `dot_text` as SVG or PNG.
    pub fn render(&self, dot_text: &str, format: Format) -> Result<Vec<u8>, ExportError> {
        let kind = match format {
            Format::Svg => "-Tsvg",
            Format::Png => "-Tpng",
            // Text formats: `render` writes Mermaid and D2 itself, without Graphviz.
            Format::Dot | Format::Mermaid | Format::D2 => {
                return Ok(dot_text.as_bytes().to_vec());
            }
        };
        let dir = tempfile::tempdir().map_err(ExportError::DotIo)?;
        let input = dir.path().join("in.dot");
        let output = dir.path().join("out");
        let errors = dir.path().join("stderr");
        std::fs::write(&input, dot_text).map_err(ExportError::DotIo)?;
        let stderr_file = std::fs::File::create(&errors).map_err(ExportError::DotIo)?;

        let mut child = Command::new(&self.program)
            // Without newrank, Graphviz 2.43 fails on clustered graphs of a few thousand nodes
            // ("trouble in init_rank").
            .arg("-Gnewrank=true")
            .arg(kind)
            .arg("-o")
            .arg(&output)
            .arg(&input)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(stderr_file))
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    ExportError::DotNotFound
                } else {
                    ExportError::DotSpawn {
                        program: self.program.clone(),
                        source: e,
                    }
                }
            })?;
        let status = match child
            .wait_timeout(self.timeout)
            .map_err(ExportError::DotIo)?
        {
            Some(status) => status,
            None => {
                // Past the deadline: stop it and reap it so no zombie is left.
                let _ = child.kill();
                let _ = child.wait();
                return Err(ExportError::DotTimeout {
                    seconds: self.timeout.as_secs(),
                });
            }
        };
        let stderr = std::fs::read_to_string(&errors).unwrap_or_default();
        let stderr = stderr.trim();
        if !status.success() {
            let status = match status.code() {
                Some(code) => format!("exit status {code}"),
                None => describe_signal(&status),
            };
            return Err(ExportError::DotFailed {
                status,
                stderr: if stderr.is_empty() {
                    "no message".to_string()
                } else {
                    first_lines(stderr, 5)
                },
            });
        }
        let bytes = std::fs::read(&output).unwrap_or_default();
        if bytes.is_empty() {
            return Err(ExportError::DotFailed {
                status: "no output".to_string(),
                stderr: if stderr.is_empty() {
                    "it wrote nothing".to_string()
                } else {
                    first_lines(stderr, 5)
                },
            });
        }
        Ok(bytes)
    }

    /// `dot -V`'s answer, e.g. "dot - graphviz version 2.43.0 (0)".
    pub fn version(&self) -> Option<String> {
        let out = Command::new(&self.program).arg("-V").output().ok()?;
        let text = String::from_utf8_lossy(&out.stderr).trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}

fn describe_signal(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    format!("{status}")
}

fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines[..lines.len().min(n)].join("\n");
    if lines.len() > n {
        out.push_str(&format!("\n… ({} more lines)", lines.len() - n));
    }
    out
}
