//! The commands for CI and review: `analyze --format sarif`, `analyze --watch` and `diff`.

use super::input::{self, InputFormat};
use super::output::{self, BOLD, DIM, findings_text, severity_style};
use super::reports;
use super::{
    AnalyzeArgs, AnalyzeFormat, fails, parse_severity, report_error, review, stderr_color,
};
use crate::analyze::Severity;
use crate::config::Config;
use crate::diff::{self, DesignDiff, FieldChange, Item, ReviewedFinding, Section};
use crate::io;
use crate::locate::Lines;
use crate::sarif;
use crate::source::{Loaded, Source, SourceError};
use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The design before: a file, git:REV:path, or `-` for standard input.
    pub old: String,
    /// The design after: a file, git:REV:path, or `-` for standard input.
    pub new: String,
    /// Output format: text, JSON, GitHub annotations of the new findings, or a Markdown
    /// pull-request summary (appended to $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when the new design introduces a finding of this severity or worse (accepted
    /// findings aside). Default: `fail-on` of .infraplan.toml, if any.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Github,
    Markdown,
}

/// One `--output FORMAT[=PATH]`: a report and where it goes (stdout without a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: AnalyzeFormat,
    pub path: Option<PathBuf>,
}

/// Parses `--output`: `sarif=out.sarif`, `github`, `markdown=summary.md`.
pub fn parse_output(s: &str) -> Result<OutputSpec, String> {
    let (name, path) = match s.split_once('=') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    let format = <AnalyzeFormat as clap::ValueEnum>::from_str(name, true).map_err(|_| {
        format!("unknown output format `{name}`; use text, json, sarif, github or markdown, optionally =PATH")
    })?;
    match path {
        Some("") => Err(format!("`{s}`: no path after `=`")),
        Some(p) => Ok(OutputSpec {
            format,
            path: Some(PathBuf::from(p)),
        }),
        None => Ok(OutputSpec { format, path: None }),
    }
}

/// When to colour output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    Always,
    Never,
}

/// The options `analyze` (`--watch` too) and `diff` share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// Colour the text output and messages.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Text output: only the summary line of each design (of the diff).
    #[arg(long, short)]
    pub quiet: bool,
    /// Report only this rule's findings; repeat for several.
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    /// Leave out this rule's findings; repeat for several.
    #[arg(long = "skip-rule", value_name = "RULE")]
    pub skip_rules: Vec<String>,
    /// The format of the design read from standard input (`-`); default: what its first
    /// character tells (`{` JSON, else TOML).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
}

impl CommonArgs {
    /// Sets the colour choice of everything printed from now on.
    pub fn apply_color(&self) {
        match self.color {
            ColorWhen::Auto => {}
            ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
            ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
        }
    }

    /// The project configuration (`.infraplan.toml` found upward) with the rule flags on top.
    pub fn configuration(&self) -> Result<Config, String> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config = match crate::config::find(&cwd) {
            Some(path) => Config::load(&path).map_err(|e| e.to_string())?,
            None => Config::default(),
        };
        config.with_flags(&self.rules, &self.skip_rules)
    }
}

/// The CI options of `analyze`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CiArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Write this report, to PATH or stdout; repeat for several in one run (e.g. `--output
    /// sarif=infraplan.sarif --output github`). Replaces --format. FORMAT: text, json, sarif,
    /// github, markdown.
    #[arg(long, value_name = "FORMAT[=PATH]", value_parser = parse_output)]
    pub output: Vec<OutputSpec>,
    /// SARIF: leave out findings the design accepts (GitHub shows suppressed results as open
    /// alerts), or keep them with an in-source suppression.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = sarif::Accepted::Omit)]
    pub sarif_accepted: sarif::Accepted,
    /// SARIF: the run's category (`automationDetails.id`), to keep several analyses of one
    /// repository apart in code scanning.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
}

impl CiArgs {
    pub fn options(&self) -> sarif::Options {
        sarif::Options {
            accepted: self.sarif_accepted,
            category: self.sarif_category.clone(),
        }
    }
}

/// Where a report goes.
enum Sink {
    Stdout,
    /// A file, written whole through a temporary file in its folder (created before the
    /// analysis, so an unwritable path fails first and nothing half-written is left).
    File(PathBuf, tempfile::NamedTempFile),
    /// GitHub's step summary, appended to.
    Summary(PathBuf),
}

fn sink(spec: &OutputSpec) -> Result<Sink, String> {
    let summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
    match (&spec.path, spec.format, summary) {
        (Some(path), _, _) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if path.is_dir() {
                return Err(format!("{}: cannot write: is a directory", path.display()));
            }
            if !dir.is_dir() {
                return Err(format!(
                    "{}: cannot write: the folder {} does not exist",
                    path.display(),
                    dir.display()
                ));
            }
            tempfile::Builder::new()
                .prefix(".infraplan-")
                .tempfile_in(dir)
                .map(|t| Sink::File(path.clone(), t))
                .map_err(|e| {
                    format!(
                        "{}: cannot write: {}",
                        path.display(),
                        std::io::Error::from(e.kind())
                    )
                })
        }
        (None, AnalyzeFormat::Markdown, Some(summary)) => Ok(Sink::Summary(PathBuf::from(summary))),
        (None, _, _) => Ok(Sink::Stdout),
    }
}

fn write_sink(sink: Sink, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    match sink {
        Sink::Stdout => {
            if !text.is_empty() {
                outln!("{}", text.trim_end_matches('\n'));
            }
            Ok(())
        }
        Sink::File(path, mut tmp) => tmp
            .write_all(text.as_bytes())
            .and_then(|()| tmp.flush())
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))
            .and_then(|()| {
                tmp.persist(&path)
                    .map(|_| ())
                    .map_err(|e| format!("{}: cannot write: {}", path.display(), e.error))
            }),
        Sink::Summary(path) => std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| {
                format!(
                    "{} (GITHUB_STEP_SUMMARY): cannot write: {e}",
                    path.display()
                )
            }),
    }
}

/// The files to analyze: those named (folders walked and globs matched, as git sees the
/// tree), else the configuration's.
fn files(args: &AnalyzeArgs, config: &Config) -> Result<Vec<PathBuf>, String> {
    if args.files.is_empty() {
        if config.files.is_empty() {
            return Err(format!(
                "no design files: name some (infraplan analyze designs), or list them in {} (files = [\"designs\"])",
                crate::config::FILE_NAME
            ));
        }
        // Named from the working directory, as a user would name them, when they lie under it.
        let cwd = std::env::current_dir().unwrap_or_default();
        return Ok(crate::config::expand(&config.files)?
            .into_iter()
            .map(|p| match p.strip_prefix(&cwd) {
                Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
                _ => p,
            })
            .collect());
    }
    // Standard input is not a file to look for.
    let mut out = Vec::new();
    for path in &args.files {
        if input::is_stdin(path) {
            out.push(path.clone());
        } else {
            out.extend(crate::config::expand(std::slice::from_ref(path))?);
        }
    }
    Ok(out)
}

/// Loads and reviews every file of the run (`-` from `stdin`); errors are reported on stderr
/// as they come.
fn outcomes(
    files: &[PathBuf],
    config: &Config,
    stdin: Option<&input::Stdin>,
) -> Vec<reports::Outcome> {
    files
        .iter()
        .map(|path| match input::load(path, stdin) {
            Ok((design, text, format, name)) => {
                let (reviewed, numbers) = super::review_with_numbers(&design);
                let reviewed = config.apply(reviewed);
                reports::Outcome {
                    path: name,
                    result: Ok(reports::Analyzed {
                        design,
                        text,
                        format,
                        reviewed,
                        numbers,
                    }),
                }
            }
            Err(e) => {
                report_error(&e);
                let name = if input::is_stdin(path) && stdin.is_some() {
                    PathBuf::from(input::STDIN_NAME)
                } else {
                    path.clone()
                };
                reports::Outcome {
                    path: name,
                    result: Err(e),
                }
            }
        })
        .collect()
}

/// One report of the run, as text.
fn render(
    format: AnalyzeFormat,
    outcomes: &[reports::Outcome],
    args: &AnalyzeArgs,
    root: &sarif::Root,
) -> String {
    match format {
        AnalyzeFormat::Text => {
            let quiet = args.ci.common.quiet;
            let mut out = String::new();
            for (n, o) in outcomes.iter().filter(|o| o.result.is_ok()).enumerate() {
                if let Ok(a) = &o.result {
                    let name = o.path.display().to_string();
                    if quiet {
                        let _ = writeln!(
                            out,
                            "{}",
                            output::summary_line(&name, &a.design, &a.reviewed)
                        );
                        continue;
                    }
                    if n > 0 {
                        out.push('\n');
                    }
                    let lines = Lines::for_design(&a.text, a.format, &a.design);
                    let places = output::Places {
                        file: &name,
                        lines: &lines,
                    };
                    out.push_str(&output::findings_text(
                        &name,
                        &a.design,
                        &a.reviewed,
                        Some(&places),
                    ));
                    out.push_str(&output::numbers_text(&a.numbers));
                }
            }
            out
        }
        AnalyzeFormat::Json => {
            let files: Vec<Value> = outcomes
                .iter()
                .map(|o| match &o.result {
                    Ok(a) => output::json_report(&o.path, &a.design, &a.reviewed, Some(&a.numbers)),
                    Err(e) => output::json_error(&o.path, e),
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "files": files }))
                .unwrap_or_default()
        }
        AnalyzeFormat::Sarif => {
            let mut report = sarif::Report::new(args.ci.options(), root.clone());
            for o in outcomes {
                match &o.result {
                    Ok(a) => report.add_design(&o.path, &a.text, a.format, &a.design, &a.reviewed),
                    Err(e) => report.add_error(&o.path, e),
                }
            }
            serde_json::to_string_pretty(&report.into_log()).unwrap_or_default()
        }
        AnalyzeFormat::Github => reports::github(outcomes, root),
        AnalyzeFormat::Markdown => reports::markdown(outcomes, root),
    }
}

/// `analyze` with SARIF, GitHub or Markdown output, or several `--output`s: every file is
/// analyzed once and each report written whole.
pub fn analyze(args: &AnalyzeArgs) -> u8 {
    args.ci.common.apply_color();
    let specs = if args.ci.output.is_empty() {
        vec![OutputSpec {
            format: args.format,
            path: None,
        }]
    } else {
        args.ci.output.clone()
    };
    let mut sinks = Vec::with_capacity(specs.len());
    for spec in &specs {
        match sink(spec) {
            Ok(s) => sinks.push(s),
            Err(e) => {
                eprintln!("infraplan analyze: {e}");
                return 2;
            }
        }
    }
    let root = sarif::Root::discover();
    let common = &args.ci.common;
    let prepared = common.configuration().and_then(|config| {
        let files = files(args, &config)?;
        let stdin =
            match input::check_args(files.iter().map(PathBuf::as_path), common.input_format)? {
                0 => None,
                _ => Some(input::Stdin::read(common.input_format)?),
            };
        Ok((config, files, stdin))
    });
    let (config, files, stdin) = match prepared {
        Ok(all) => all,
        Err(e) => {
            eprintln!("infraplan analyze: {e}");
            return 2;
        }
    };
    let fail_on = args.fail_on.or(config.fail_on);
    let outcomes = outcomes(&files, &config, stdin.as_ref());
    let mut status = 0;
    for o in &outcomes {
        match &o.result {
            Ok(a) if fails(&a.reviewed, fail_on) => status = status.max(1),
            Ok(_) => {}
            Err(_) => status = 2,
        }
    }
    for (spec, sink) in specs.iter().zip(sinks) {
        let text = render(spec.format, &outcomes, args, &root);
        if let Err(e) = write_sink(sink, &text) {
            eprintln!("infraplan analyze: {e}");
            status = 2;
        }
    }
    status
}

const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

/// `analyze --watch FILE`: redraw the findings on every save until Ctrl-C, with the project
/// configuration, `--color` and `--quiet` as `analyze` has them.
pub fn watch(args: &AnalyzeArgs) -> u8 {
    let common = &args.ci.common;
    common.apply_color();
    let [path] = args.files.as_slice() else {
        eprintln!("--watch takes one design file");
        return 2;
    };
    if input::is_stdin(path) {
        eprintln!("--watch needs a design file to watch, not standard input (`-`)");
        return 2;
    }
    let config = match common.configuration() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("infraplan analyze: {e}");
            return 2;
        }
    };
    let fail_on = args.fail_on.or(config.fail_on);
    // Clearing goes straight to the terminal: anstream strips escape codes under NO_COLOR.
    let tty = std::io::stdout().is_terminal();
    let result = crate::watch::watch(path, crate::watch::DEBOUNCE, || {
        let screen = watch_screen(path, fail_on, &config, common.quiet);
        let cleared = if tty {
            let mut raw = std::io::stdout();
            write!(raw, "\x1b[2J\x1b[H").and_then(|()| raw.flush())
        } else {
            // In a pipe, runs are separated by a blank line.
            Ok(())
        };
        let mut out = anstream::stdout();
        let sep = if tty { "" } else { "\n" };
        // A closed stdout (the reader went away) ends the watch.
        cleared
            .and_then(|()| write!(out, "{sep}{screen}"))
            .and_then(|()| out.flush())
            .is_ok()
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

/// One redraw of the watch: findings (or the validation error) and when it ran.
fn watch_screen(path: &Path, fail_on: Option<Severity>, config: &Config, quiet: bool) -> String {
    let mut screen = match io::load_with_text(path) {
        Ok((design, text)) => {
            let reviewed = config.apply(review(&design));
            let name = path.display().to_string();
            let mut text = if quiet {
                format!("{}\n", output::summary_line(&name, &design, &reviewed))
            } else {
                let format = io::Format::from_path(path).unwrap_or(io::Format::Toml);
                let lines = Lines::for_design(&text, format, &design);
                let places = output::Places {
                    file: &name,
                    lines: &lines,
                };
                findings_text(&name, &design, &reviewed, Some(&places))
            };
            if let Some(s) = fail_on {
                let verdict = if fails(&reviewed, Some(s)) {
                    format!("{RED}fails --fail-on {s}{RED:#}")
                } else {
                    format!("{GREEN}passes --fail-on {s}{GREEN:#}")
                };
                let _ = writeln!(text, "\n{verdict}");
            }
            text
        }
        Err(e) => format!("{}\n", e.render(stderr_color()).trim_end()),
    };
    let _ = writeln!(
        screen,
        "\n{DIM}watching {} · last run {} · Ctrl-C to stop{DIM:#}",
        path.display(),
        clock()
    );
    screen
}

/// The time of day in UTC, `HH:MM:SS UTC`.
fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        % 86_400;
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One side of a diff, loaded: how it is named, the design and its text, and its findings
/// as the configuration wants them.
struct Side {
    name: String,
    loaded: Loaded,
    lines: Lines,
    reviewed: Vec<crate::accept::Reviewed>,
}

/// `diff OLD NEW`, with the project configuration (rule settings, default `--fail-on`),
/// `--color` and `--quiet` as `analyze` has them.
pub fn diff(args: &DiffArgs) -> u8 {
    let common = &args.common;
    common.apply_color();
    let specs = [args.old.as_str(), args.new.as_str()];
    let prepared = common.configuration().and_then(|config| {
        let stdin = match input::check_args(specs.map(Path::new), common.input_format)? {
            0 => None,
            _ => Some(input::Stdin::read(common.input_format)?),
        };
        Ok((config, stdin))
    });
    let (config, stdin) = match prepared {
        Ok(both) => both,
        Err(e) => {
            eprintln!("infraplan diff: {e}");
            return 2;
        }
    };
    let fail_on = args.fail_on.or(config.fail_on);
    let side = |which: &str, spec: &str| {
        load_source(which, spec, stdin.as_ref()).map(|loaded| Side {
            name: if input::is_stdin(Path::new(spec)) {
                input::STDIN_NAME.to_string()
            } else {
                spec.to_string()
            },
            reviewed: config.apply(review(&loaded.design)),
            lines: Lines::for_design(&loaded.text, loaded.format, &loaded.design),
            loaded,
        })
    };
    let (Some(old), Some(new)) = (side("old", &args.old), side("new", &args.new)) else {
        return 2;
    };
    let d = diff::diff_reviewed(
        &old.loaded.design,
        &new.loaded.design,
        old.reviewed.clone(),
        new.reviewed.clone(),
    );
    match args.format {
        DiffFormat::Text if common.quiet => outln!("{}", diff_summary(&old.name, &new.name, &d)),
        DiffFormat::Text => outln!("{}", diff_text(&old, &new, &d).trim_end_matches('\n')),
        DiffFormat::Json => output::print_json(&serde_json::json!({
            "version": 1,
            "old": old.name,
            "new": new.name,
            "diff": d,
        })),
        DiffFormat::Github | DiffFormat::Markdown => {
            let root = sarif::Root::discover();
            let (path, file) = match Source::parse(&args.new) {
                _ if input::is_stdin(Path::new(&args.new)) => {
                    (PathBuf::from(input::STDIN_NAME), new.name.clone())
                }
                Ok(Source::File(p)) => {
                    let file = root.relative(&p);
                    (p, file)
                }
                Ok(Source::Git { path, .. }) => (
                    PathBuf::from(&path),
                    path.trim_start_matches("./").to_string(),
                ),
                Err(_) => (PathBuf::from(&args.new), args.new.clone()),
            };
            let text = if args.format == DiffFormat::Github {
                reports::diff_github(&file, &path, &d, &new.loaded, &root)
            } else {
                reports::diff_markdown(
                    &old.name,
                    &file,
                    &d,
                    &new.loaded.design,
                    &new.reviewed,
                    &new.loaded.text,
                    new.loaded.format,
                )
            };
            let spec = OutputSpec {
                format: if args.format == DiffFormat::Github {
                    AnalyzeFormat::Github
                } else {
                    AnalyzeFormat::Markdown
                },
                path: None,
            };
            if let Err(e) = sink(&spec).and_then(|s| write_sink(s, &text)) {
                eprintln!("infraplan diff: {e}");
                return 2;
            }
        }
    }
    if fail_on.is_some_and(|s| d.introduces(s)) {
        1
    } else {
        0
    }
}

/// Loads one side of a diff (`-` from standard input, already read), saying which side a
/// failure is on.
fn load_source(side: &str, spec: &str, stdin: Option<&input::Stdin>) -> Option<Loaded> {
    let loaded = match stdin.filter(|_| input::is_stdin(Path::new(spec))) {
        Some(s) => s
            .load()
            .map(|(design, text)| Loaded {
                design,
                text,
                format: s.format,
            })
            .map_err(SourceError::Design),
        None => Source::parse(spec).and_then(|s| s.load()),
    };
    match loaded {
        Ok(l) => Some(l),
        Err(e) => {
            let what = match &e {
                SourceError::Design(io::DesignError::Invalid(_)) => "is invalid",
                _ => "cannot be read",
            };
            let spec = if input::is_stdin(Path::new(spec)) {
                input::STDIN_NAME
            } else {
                spec
            };
            eprintln!("{BOLD}the {side} design ({spec}) {what}:{BOLD:#}");
            eprintln!("{}", e.render(stderr_color()).trim_end());
            None
        }
    }
}

/// A value as the design file would show it; absent fields read `(none)`.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "(none)".to_string(),
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// A short description of an added or removed item.
fn describe(what: &str, item: &Item) -> String {
    let field = |k: &str| item.fields.get(k).and_then(Value::as_str);
    match what {
        "Components" => {
            let mut s = format!("{} ({}", item.key, field("kind").unwrap_or("?"));
            if let Some(server) = field("server") {
                let _ = write!(s, " on {server}");
            }
            s.push(')');
            s
        }
        "DNS records" => match field("target") {
            Some(target) => format!("{} → {target}", item.key),
            None => item.key.clone(),
        },
        "Clusters" => match (field("mode"), field("vip")) {
            (Some(mode), Some(vip)) => format!("{} ({mode}, {vip})", item.key),
            (Some(mode), None) => format!("{} ({mode})", item.key),
            _ => item.key.clone(),
        },
        "Servers" => match field("ip") {
            Some(ip) => format!("{} ({ip})", item.key),
            None => item.key.clone(),
        },
        "Accepted risks" => match field("reason") {
            Some(reason) => format!("{}: {reason}", item.key),
            None => item.key.clone(),
        },
        _ => item.key.clone(),
    }
}

fn changes(fields: &[FieldChange]) -> String {
    fields
        .iter()
        .map(|c| format!("{} {} → {}", c.field, show(&c.old), show(&c.new)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A canvas position: where a box is drawn, not what the site is. Moves are summed up on one
/// line so that they do not drown the changes that matter in a review.
fn is_position(c: &FieldChange) -> bool {
    c.field == "x" || c.field == "y"
}

fn counted(section: &Section) -> String {
    let mut parts = Vec::new();
    let changed = section
        .changed
        .iter()
        .filter(|c| !c.fields.iter().all(is_position))
        .count();
    let moved = section
        .changed
        .iter()
        .filter(|c| c.fields.iter().any(is_position))
        .count();
    for (n, word) in [
        (section.added.len(), "added"),
        (section.removed.len(), "removed"),
        (changed, "changed"),
        (moved, "moved"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    parts.join(", ")
}

fn finding_line(out: &mut String, mark: &str, mark_style: Style, f: &ReviewedFinding, side: &Side) {
    let style = severity_style(f.finding.severity);
    let accepted = match &f.status {
        crate::accept::Status::Accepted { .. } => format!(" {DIM}(accepted){DIM:#}"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "  {mark_style}{mark}{mark_style:#} {style}{:<8}{style:#} {}  {}{accepted}",
        f.finding.severity.as_str().to_uppercase(),
        f.finding.rule,
        f.finding.message
    );
    if let Some(span) = sarif::primary_span(&side.lines, &f.finding, f.acceptance) {
        let _ = writeln!(
            out,
            "             {DIM}at {}:{}:{}{DIM:#}",
            side.name, span.start.line, span.start.column
        );
    }
}

/// The one line `--quiet` prints: the two sides and how many findings came and went.
fn diff_summary(old: &str, new: &str, d: &DesignDiff) -> String {
    if d.is_empty() {
        return format!("{BOLD}{old} → {new}{BOLD:#}: no differences");
    }
    let counted = |v: &[ReviewedFinding]| {
        v.iter()
            .filter(|r| !matches!(r.status, crate::accept::Status::Accepted { .. }))
            .count()
    };
    format!(
        "{BOLD}{old} → {new}{BOLD:#}: {} new finding{}, {} resolved",
        counted(&d.findings.introduced),
        if counted(&d.findings.introduced) == 1 {
            ""
        } else {
            "s"
        },
        counted(&d.findings.resolved)
    )
}

/// The diff for people: each section with `+` added, `-` removed, `~` changed.
fn diff_text(old_side: &Side, new_side: &Side, d: &DesignDiff) -> String {
    let (old, new) = (&old_side.name, &new_side.name);
    let mut out = String::new();
    let _ = writeln!(out, "{BOLD}{old} → {new}{BOLD:#}");
    if d.is_empty() {
        let _ = writeln!(out, "no differences");
        return out;
    }
    if !d.design.is_empty() {
        let _ = writeln!(out, "\n{BOLD}Design:{BOLD:#}");
        for c in &d.design {
            let _ = writeln!(
                out,
                "  {YELLOW}~{YELLOW:#} {}",
                changes(std::slice::from_ref(c))
            );
        }
    }
    for (what, section) in [
        ("DNS records", &d.dns),
        ("Zones", &d.zones),
        ("Servers", &d.servers),
        ("Clusters", &d.clusters),
        ("Components", &d.components),
        ("Links", &d.links),
        ("Accepted risks", &d.accepted),
    ] {
        if section.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{BOLD}{what}:{BOLD:#} {}", counted(section));
        for item in &section.added {
            let _ = writeln!(out, "  {GREEN}+{GREEN:#} {}", describe(what, item));
        }
        for item in &section.removed {
            let _ = writeln!(out, "  {RED}-{RED:#} {}", describe(what, item));
        }
        let mut moved = Vec::new();
        for c in &section.changed {
            let (position, content): (Vec<FieldChange>, Vec<FieldChange>) =
                c.fields.iter().cloned().partition(is_position);
            if !position.is_empty() {
                moved.push(c.key.as_str());
            }
            if !content.is_empty() {
                let _ = writeln!(
                    out,
                    "  {YELLOW}~{YELLOW:#} {}: {}",
                    c.key,
                    changes(&content)
                );
            }
        }
        if !moved.is_empty() {
            let _ = writeln!(
                out,
                "  {DIM}moved on the canvas: {}{DIM:#}",
                moved.join(", ")
            );
        }
    }
    let f = &d.findings;
    let _ = writeln!(
        out,
        "\n{BOLD}Findings:{BOLD:#} {} introduced, {} resolved",
        f.introduced.len(),
        f.resolved.len()
    );
    for r in &f.introduced {
        finding_line(&mut out, "+", RED, r, new_side);
    }
    for r in &f.resolved {
        finding_line(&mut out, "-", GREEN, r, old_side);
    }
    out
}
