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
        std::fs::write(&input, dot_text).map_err(ExportError::DotIo)?;

        let mut command = Command::new(&self.program);
        command
            // Without newrank, Graphviz 2.43 fails on clustered graphs of a few thousand nodes
            // ("trouble in init_rank").
            .arg("-Gnewrank=true")
            .arg(kind)
            .arg("-o")
            .arg(&output)
            .arg(&input)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Its own process group, so that a timeout stops whatever it started too (a wrapper
        // script's children).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ExportError::DotNotFound
            } else {
                ExportError::DotSpawn {
                    program: self.program.clone(),
                    source: e,
                }
            }
        })?;
        let stderr = Stderr::read(child.stderr.take());
        let status = match child
            .wait_timeout(self.timeout)
            .map_err(ExportError::DotIo)?
        {
            Some(status) => status,
            None => {
                // Past the deadline: stop it with everything it started, and reap it so no
                // zombie is left.
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(ExportError::DotTimeout {
                    seconds: self.timeout.as_secs(),
                });
            }
        };
        let stderr = stderr.text();
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
                    stderr
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
                    stderr
                },
            });
        }
        check_output(&bytes, format)?;
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

/// How much of `dot`'s messages is kept: the rest is read and dropped, so a flood (one
/// 300 MB line) costs neither memory nor a screenful.
const STDERR_BYTES: usize = 16 * 1024;
const STDERR_LINES: usize = 5;
const STDERR_LINE_CHARS: usize = 300;

/// `dot`'s stderr, drained by a thread (so a full pipe never blocks it) into a bounded buffer.
struct Stderr {
    /// The first bytes, and how many more there were.
    kept: std::sync::Arc<std::sync::Mutex<(Vec<u8>, u64)>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Stderr {
    fn read(pipe: Option<std::process::ChildStderr>) -> Stderr {
        use std::io::Read;
        let kept = std::sync::Arc::new(std::sync::Mutex::new((Vec::new(), 0)));
        let reader = pipe.map(|mut pipe| {
            let kept = std::sync::Arc::clone(&kept);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut kept) = kept.lock() {
                        let room = STDERR_BYTES.saturating_sub(kept.0.len());
                        kept.0.extend_from_slice(&buf[..n.min(room)]);
                        kept.1 += n.saturating_sub(room) as u64;
                    }
                }
            })
        });
        Stderr { kept, reader }
    }

    /// The first lines of what `dot` wrote, neutralised for the terminal. A child of `dot`
    /// that keeps the pipe open is not waited for more than a moment.
    fn text(mut self) -> String {
        if let Some(reader) = self.reader.take() {
            let start = std::time::Instant::now();
            while !reader.is_finished() && start.elapsed() < Duration::from_secs(1) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let (kept, dropped) = self.kept.lock().map(|k| k.clone()).unwrap_or_default();
        let text = String::from_utf8_lossy(&kept);
        let mut text = crate::sanitize::bounded(text.trim(), STDERR_LINES, STDERR_LINE_CHARS);
        if dropped > 0 {
            text.push_str(&format!("\n… ({dropped} more bytes not read)"));
        }
        text
    }
}

/// Sends SIGKILL to the process group `pgid` (the shell's `kill`, as std has no killpg).
fn kill_group(pgid: u32) {
    #[cfg(unix)]
    {
        let _ = Command::new("sh")
            .arg("-c")
            .arg("kill -KILL -\"$1\"")
            .arg("sh")
            .arg(pgid.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The last chunk of every PNG: length 0, `IEND`, its CRC.
const PNG_END: &[u8] = b"\0\0\0\0IEND\xae\x42\x60\x82";

/// Whether `bytes` is a whole file of the kind asked for: SVG that parses as XML with an
/// `svg` root, or a PNG from its signature to its end chunk. A `dot` that exits 0 after
/// writing half a file (a full disk, a crash in a plugin) is caught here.
fn check_output(bytes: &[u8], format: Format) -> Result<(), ExportError> {
    match format {
        Format::Svg => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ExportError::DotOutput("not SVG (not UTF-8 text)".into()))?;
            let options = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| {
                ExportError::DotOutput(format!(
                    "not SVG ({})",
                    crate::sanitize::bounded(&e.to_string(), 1, STDERR_LINE_CHARS)
                ))
            })?;
            let root = doc.root_element().tag_name().name();
            if root != "svg" {
                return Err(ExportError::DotOutput(format!(
                    "not SVG (its root element is `{}`)",
                    crate::sanitize::bounded(root, 1, 40)
                )));
            }
        }
        Format::Png => {
            if !bytes.starts_with(PNG_SIGNATURE) {
                return Err(ExportError::DotOutput(
                    "not a PNG (no PNG signature)".into(),
                ));
            }
            if !bytes.ends_with(PNG_END) {
                return Err(ExportError::DotOutput(
                    "not a PNG (cut short: no end chunk)".into(),
                ));
            }
        }
        Format::Dot | Format::Mermaid | Format::D2 => {}
    }
    Ok(())
}
