//! The `export` command: its arguments and the code the binary runs for it.

use super::{Engine, Format, Options, Rendered, render};
use crate::io::{self, DesignError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const AFTER_HELP: &str = "Examples:
  infraplan export designs/01-simple.toml -o simple.svg
  infraplan export designs/04-scale-up.toml -o scale-up.png --annotate
  infraplan export designs/02-distributed.toml --format dot -o - | dot -Tpdf > d.pdf
  infraplan export --all designs -o diagrams --annotate
  infraplan export designs/02-distributed.toml --format mermaid -o - --annotate

The format follows OUT's extension (.dot/.gv, .svg, .png, .mmd, .d2), else --format, else SVG.
Mermaid and D2 are text that GitHub (Mermaid) and the d2 tool render.
SVG and PNG are drawn by Graphviz `dot` when it is installed; without it, SVG is drawn by the
built-in renderer (the editor's canvas layout). The engine used is reported on stderr.

Exit status: 0 done, 2 invalid input, usage or output error (nothing half-written is left).";

#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// The design file (.toml or .json), `-` for standard input; with --all, a folder of them.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// The format of the design on standard input (`-`); default: what its first character
    /// tells (`{` JSON, else TOML).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<crate::cli::input::InputFormat>,
    /// Export every design in the folder FILE into the folder given by -o.
    #[arg(long)]
    pub all: bool,
    /// Where to write: a file, `-` for stdout, or with --all a folder. Default: FILE with the
    /// format's extension (stdout when FILE is `-`).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// The format, when OUT's extension does not say.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Mark the analyzer's findings: SPOFs outlined in red with the rule id, insecure links in
    /// red, a box listing the findings.
    #[arg(long)]
    pub annotate: bool,
    /// Who draws SVG and PNG. Default: dot when installed, else builtin (SVG only).
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,
    /// Seconds Graphviz `dot` may run before it is stopped.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
}

/// Why the command failed, as one message.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{}", .0.render(false))]
    Design(DesignError),
    #[error("{0}")]
    Usage(String),
    #[error("{input}: {source}")]
    Export {
        input: PathBuf,
        source: super::ExportError,
    },
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Runs `infraplan export`; the exit status (0 or 2). Messages go to stderr.
pub fn run(args: &ExportArgs) -> u8 {
    let result = if args.all {
        export_all(args)
    } else {
        export_one(args).map(|_| ())
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            report(&e);
            2
        }
    }
}

fn report(e: &Failure) {
    let text = match e {
        Failure::Design(d) => d.render(stderr_color()),
        other => other.to_string(),
    };
    let _ = writeln!(
        std::io::stderr(),
        "infraplan export: {}",
        crate::sanitize::styled(text.trim_end())
    );
}

fn stderr_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// The format for OUT: its extension, else --format, else SVG; a contradiction is an error.
fn choose_format(out: Option<&Path>, flag: Option<Format>) -> Result<Format, Failure> {
    let from_ext = match out {
        Some(p) if p != Path::new("-") => match p.extension().and_then(|e| e.to_str()) {
            Some(ext) => Some(Format::from_extension(ext).ok_or_else(|| {
                Failure::Usage(format!(
                    "{}: unknown extension `.{ext}`; use .dot, .gv, .svg, .png, .mmd or .d2 (or --format)",
                    p.display()
                ))
            })?),
            None => None,
        },
        _ => None,
    };
    match (from_ext, flag) {
        (Some(e), Some(f)) if e != f => Err(Failure::Usage(format!(
            "--format {} contradicts the output name `{}`",
            f.extension(),
            out.map(|p| p.display().to_string()).unwrap_or_default()
        ))),
        (Some(e), _) => Ok(e),
        (None, Some(f)) => Ok(f),
        (None, None) => Ok(Format::Svg),
    }
}

fn options(args: &ExportArgs, format: Format) -> Options {
    Options {
        format,
        annotate: args.annotate,
        engine: args.engine,
        timeout: Duration::from_secs(args.timeout.max(1)),
    }
}

/// Refuses an output folder that does not exist before any work is done.
fn check_parent(path: &Path) -> Result<(), Failure> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => return Ok(()),
    };
    if !parent.is_dir() {
        return Err(Failure::Write {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", parent.display()),
            ),
        });
    }
    Ok(())
}

fn export_one(args: &ExportArgs) -> Result<PathBuf, Failure> {
    use crate::cli::input;
    let format = choose_format(args.output.as_deref(), args.format)?;
    let stdin = input::is_stdin(&args.input);
    input::check_args([args.input.as_path()], args.input_format).map_err(Failure::Usage)?;
    let out = match &args.output {
        Some(p) => p.clone(),
        None if stdin => PathBuf::from("-"),
        None => args.input.with_extension(format.extension()),
    };
    if out != Path::new("-") {
        check_parent(&out)?;
        if out.is_dir() {
            return Err(Failure::Usage(format!(
                "{}: is a folder; name a file, or use --all to export a folder of designs",
                out.display()
            )));
        }
    }
    let design = if stdin {
        let piped = input::Stdin::read(args.input_format).map_err(Failure::Usage)?;
        piped.load().map_err(Failure::Design)?.0
    } else {
        io::load(&args.input).map_err(Failure::Design)?
    };
    let name = if stdin {
        PathBuf::from(input::STDIN_NAME)
    } else {
        args.input.clone()
    };
    let rendered = render(&design, &options(args, format)).map_err(|e| Failure::Export {
        input: name.clone(),
        source: e,
    })?;
    write_out(&out, &rendered.bytes)?;
    announce(&name, &out, format, &rendered);
    Ok(out)
}

fn write_out(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if out == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
            Ok(()) => Ok(()),
            // A closed pipe (`| head`) is the reader's choice, not a failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure::Write {
                path: PathBuf::from("<stdout>"),
                source: e,
            }),
        };
    }
    // Written next to the target and renamed over it: never a half-written diagram.
    let before = std::fs::metadata(out).ok().map(|m| m.permissions());
    io::write_atomic(out, bytes).map_err(|e| Failure::Write {
        path: out.to_path_buf(),
        source: e,
    })?;
    // The temporary file is private (0600); a diagram is for sharing, so give it the
    // permissions of the file it replaced, or the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = before.unwrap_or_else(|| std::fs::Permissions::from_mode(0o644));
        let _ = std::fs::set_permissions(out, perms);
    }
    #[cfg(not(unix))]
    let _ = before;
    Ok(())
}

fn announce(input: &Path, out: &Path, format: Format, rendered: &Rendered) {
    let by = match rendered.engine {
        Some(e) => format!(" with {}", e.describe()),
        None => String::new(),
    };
    let to = if out == Path::new("-") {
        "stdout".to_string()
    } else {
        out.display().to_string()
    };
    let _ = writeln!(
        std::io::stderr(),
        "{}: wrote {} to {to}{by}",
        input.display(),
        format.extension().to_uppercase()
    );
}

/// The design files in `dir`, sorted by name.
fn design_files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::Usage(format!("{}: cannot read the folder: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("toml" | "json")
                )
        })
        .collect();
    files.sort();
    Ok(files)
}

fn export_all(args: &ExportArgs) -> Result<(), Failure> {
    if !args.input.is_dir() {
        return Err(Failure::Usage(format!(
            "{}: is not a folder; --all exports every design in a folder",
            args.input.display()
        )));
    }
    let Some(out_dir) = args.output.clone() else {
        return Err(Failure::Usage(
            "--all needs -o OUTDIR, the folder to write the diagrams to".to_string(),
        ));
    };
    if out_dir == Path::new("-") {
        return Err(Failure::Usage(
            "--all writes one file per design; -o must name a folder, not `-`".to_string(),
        ));
    }
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Failure::Usage(format!(
            "{}: is a file; --all needs a folder",
            out_dir.display()
        )));
    }
    if !out_dir.exists() {
        // The folder is the user's explicit target for many files: made like `mkdir -p`.
        std::fs::create_dir_all(&out_dir).map_err(|e| Failure::Write {
            path: out_dir.clone(),
            source: e,
        })?;
    }
    let format = args.format.unwrap_or(Format::Svg);
    let files = design_files(&args.input)?;
    if files.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: holds no design files (.toml or .json)",
            args.input.display()
        )));
    }
    let mut failed = 0;
    for file in &files {
        let stem = file.file_stem().unwrap_or_default();
        let out = out_dir.join(stem).with_extension(format.extension());
        let one = ExportArgs {
            input: file.clone(),
            all: false,
            output: Some(out),
            format: Some(format),
            ..args.clone()
        };
        if let Err(e) = export_one(&one) {
            report(&e);
            failed += 1;
        }
    }
    if failed > 0 {
        return Err(Failure::Usage(format!(
            "{failed} of {} designs could not be exported",
            files.len()
        )));
    }
    Ok(())
}
