//! The command line: arguments in, exit status out. Exit 0 when all is well, 1 when findings
//! reach `--fail-on`, 2 for invalid input or usage.

/// Prints a line to stdout, colour stripped when it is not a terminal; see [`output::emit`].
macro_rules! outln {
    () => {
        $crate::cli::output::emit(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::emit(format_args!($($arg)*))
    };
}

mod ci;
mod dist;
mod fmt;
pub(crate) mod input;
mod output;
mod reports;

pub use ci::DiffArgs;

use crate::analyze::{self, Severity};
use crate::io::{self, DesignError};
use crate::model::Design;
use anstream::eprintln;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const ABOUT: &str = "Design web infrastructure in the terminal, see where it breaks, draw it.";

#[derive(Parser, Debug)]
#[command(name = "infraplan", version, about = ABOUT, long_about = None)]
#[command(after_help = "Examples:
  infraplan analyze designs/*.toml
  infraplan analyze --fail-on high --format json design.toml
  infraplan diff git:main:design.toml design.toml --fail-on high
  infraplan simulate designs/02-distributed.toml --fail haproxy
  infraplan new mysite.toml --template distributed")]
pub struct Cli {
    /// Without a command, the editor opens on its start screen.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Edit a design in the terminal: canvas, live analyzer, failure simulation.
    #[command(after_help = "Examples:
  infraplan edit mysite.toml --template simple   (a missing file starts as a copy of design 1)
  infraplan edit mysite.toml      (a missing file starts a new design there)
  infraplan                        (the start screen: templates and recent files)

Press ? in the editor for every key. Exit status: 0 done, 2 invalid FILE or no terminal.")]
    Edit {
        /// The design file (.toml or .json); created on the first save when missing.
        file: Option<PathBuf>,
        /// When FILE is missing, write it at once as a copy of this reference design (see
        /// `infraplan new`); an existing FILE opens as it is.
        #[arg(long, short, value_name = "NAME", requires = "file")]
        template: Option<String>,
        /// Leave the mouse to the terminal, so its own text selection works (M in the editor
        /// turns it on and off).
        #[arg(long)]
        no_mouse: bool,
    },
    /// Analyze designs: single points of failure, security gaps, operations.
    #[command(after_help = "Examples:
  infraplan analyze designs/01-simple.toml
  infraplan analyze designs/*.toml --fail-on high
  infraplan analyze design.toml --format json | jq '.files[0].findings[].rule'
  infraplan analyze designs/*.toml --format sarif --fail-on high > infraplan.sarif
  infraplan analyze --watch design.toml
  git show main:design.toml | infraplan analyze -

Findings the design accepts ([[accepted]] entries) are shown apart and do not count for
--fail-on; an acceptance that matches no finding is reported as STALE-ACCEPTANCE.

Exit status: 0 no counted finding at or above --fail-on (or no --fail-on), 1 some, 2 invalid
input.")]
    Analyze(AnalyzeArgs),
    /// Compare two versions of a design: what changed, which findings are new or resolved.
    #[command(
        after_help = "OLD and NEW are files, or git:REV:path for a file as git has it at a
revision (read with `git show REV:path`; git::path is the staged version).

Examples:
  infraplan diff old.toml new.toml
  infraplan diff git:main:designs/site.toml designs/site.toml --fail-on high
  infraplan diff git:HEAD~1:designs/site.toml git:HEAD:designs/site.toml --format json

Exit status: 0 no new counted finding at or above --fail-on (or no --fail-on), 1 some, 2 an
invalid design or an unreadable source."
    )]
    Diff(DiffArgs),
    /// Check that design files are valid, reporting file:line:column of each problem (50 in full).
    #[command(after_help = "Examples:
  infraplan validate designs/*.toml
  git show main:designs/site.toml | infraplan validate -

Exit status: 0 all valid, 2 some file invalid.")]
    Validate {
        /// Design files (.toml or .json); `-` reads one from standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The format of the design on standard input; default: what its first character
        /// tells (`{` JSON, else TOML).
        #[arg(long, value_enum, value_name = "FORMAT")]
        input_format: Option<input::InputFormat>,
    },
    /// Simulate failures of components or servers: what the site loses.
    #[command(after_help = "Examples:
  infraplan simulate designs/02-distributed.toml --fail haproxy
  infraplan simulate designs/04-scale-up.toml --fail lb-01 --fail lb-02

Exit status: 0 done, 2 invalid input or unknown id.")]
    Simulate {
        /// The design file.
        file: PathBuf,
        /// A component, server or cluster id to fail; repeat for several.
        #[arg(long = "fail", value_name = "ID", required = true)]
        fail: Vec<String>,
        /// Requests per second at the entry: show each tier's utilization after the failures
        /// (components need a `capacity`).
        #[arg(long, value_name = "RPS", value_parser = parse_load)]
        load: Option<f64>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the analyzer's rules: what each checks, why it matters, how to fix it.
    #[command(after_help = "Examples:
  infraplan rules
  infraplan rules SPOF-SERVER
  infraplan rules --format json
  infraplan rules --format markdown > docs/rules.md")]
    Rules {
        /// Show only this rule.
        id: Option<String>,
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Start a new design file from a reference design.
    #[command(
        after_help = "Templates: simple, distributed, secured-monitored, scale-up, resilient.

Examples:
  infraplan new mysite.toml --template distributed
  infraplan new generated.json --template simple"
    )]
    New {
        /// The file to create (.toml or .json); an existing file is left alone.
        file: PathBuf,
        /// The reference design to start from.
        #[arg(long, short, default_value = "simple")]
        template: String,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Rewrite design files in the canonical layout, keeping their comments.
    #[command(
        after_help = "The layout is the one the editor gives a new file: keys and items in the
canonical order, one blank line before each [[table]]; comments stay with the keys and
items they were written above or beside. An invalid file is reported and left alone.

Examples:
  infraplan fmt designs/*.toml
  infraplan fmt --check designs/*.toml      (in CI or a pre-commit hook)

Exit status: 0 all formatted (or now formatted), 1 with --check: some file is not, 2 an
invalid file."
    )]
    Fmt {
        /// Design files (.toml or .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: name the files that are not formatted and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Print the JSON Schema of the design file, for editors that check files as you type.
    #[command(
        after_help = "Put `#:schema ./infraplan.schema.json` on the first line of a design to
have taplo or Even Better TOML complete keys and flag mistakes; saves keep that line.

Examples:
  infraplan schema > infraplan.schema.json
  infraplan schema -o assets/infraplan.schema.json

Exit status: 0 written, 2 the file cannot be written."
    )]
    Schema {
        /// Write it to this file (atomically) instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Draw a design as a diagram: DOT, SVG or PNG, findings optionally marked.
    #[command(after_help = crate::export::cli::AFTER_HELP)]
    Export(crate::export::cli::ExportArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  infraplan completions bash > ~/.local/share/bash-completion/completions/infraplan
  infraplan completions zsh > ~/.zfunc/_infraplan
  infraplan completions fish > ~/.config/fish/completions/infraplan.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Examples:
  infraplan man | man -l -
  infraplan man > /usr/local/share/man/man1/infraplan.1")]
    Man,
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// Design files (.toml or .json), folders of them or globs (`designs/**/*.toml`), `-` for
    /// standard input; each is analyzed on its own. Folders and globs skip hidden and
    /// git-ignored files. Without any, the `files` of .infraplan.toml.
    pub files: Vec<PathBuf>,
    /// Output format: text for people, JSON for tools, SARIF 2.1.0 for code scanning, GitHub
    /// annotations, a Markdown pull-request summary.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
    /// Exit 1 when a finding of this severity or worse exists (accepted findings aside):
    /// critical, high, medium, low or info. Default: `fail-on` of .infraplan.toml, if any.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Re-run on every save of FILE and redraw the findings, until Ctrl-C.
    #[arg(long, conflicts_with = "format")]
    pub watch: bool,
    #[command(flatten)]
    pub ci: ci::CiArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    /// The page `docs/rules.md` is: a section per rule, which SARIF's `helpUri` links to.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// Findings grouped by severity, for people.
    Text,
    /// The documented JSON schema, for tools.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub workflow-command annotations (`::error file=…,line=…::…`).
    Github,
    /// A pull-request summary with a Mermaid diagram; appended to $GITHUB_STEP_SUMMARY when set.
    Markdown,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| {
        format!("unknown severity `{s}`; use one of critical, high, medium, low, info")
    })
}

/// Runs the command line and returns the process's exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    ExitCode::from(run(cli.command))
}

/// Runs one command; the exit status.
pub fn run(command: Option<Command>) -> u8 {
    let Some(command) = command else {
        return edit(None, None, false);
    };
    match command {
        Command::Edit {
            file,
            template,
            no_mouse,
        } => edit(file, template.as_deref(), no_mouse),
        Command::Analyze(args) if args.watch => ci::watch(&args),
        Command::Analyze(args) => ci::analyze(&args),
        Command::Diff(args) => ci::diff(&args),
        Command::Validate {
            files,
            input_format,
        } => validate_files(&files, input_format),
        Command::Simulate {
            file,
            fail,
            load,
            format,
        } => simulate(&file, &fail, load, format),
        Command::Rules { id, format } => rules(id.as_deref(), format),
        Command::New {
            file,
            template,
            force,
        } => new(&file, &template, force, true),
        Command::Export(args) => crate::export::cli::run(&args),
        Command::Fmt { files, check } => fmt::fmt(&files, check),
        Command::Schema { output } => fmt::schema(output.as_deref()),
        Command::Completions { shell } => dist::completions(shell),
        Command::Man => dist::man(),
    }
}

/// Whether stderr gets colour (a terminal, NO_COLOR unset).
fn stderr_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// Prints a design error to stderr with the offending line drawn.
pub fn report_error(e: &DesignError) {
    let text = e.render(stderr_color());
    eprintln!("{}", text.trim_end());
}

fn load(path: &Path) -> Result<Design, u8> {
    io::load(path).map_err(|e| {
        report_error(&e);
        2
    })
}

/// Opens the editor; an invalid file is reported before the terminal is touched.
fn edit(file: Option<PathBuf>, template: Option<&str>, no_mouse: bool) -> u8 {
    use std::io::IsTerminal;
    if let (Some(path), Some(template)) = (&file, template) {
        // A copy the user may change, so that following the README never edits a tracked file.
        if !path.exists() {
            let status = new(path, template, false, false);
            if status != 0 {
                return status;
            }
        }
    }
    // The keymap and theme files, checked like a design before the terminal is touched.
    match crate::editor::settings::load_from_env() {
        Ok(settings) => crate::editor::settings::install(settings),
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    }
    let mut app = match crate::editor::open(file) {
        Ok(app) => app,
        Err(e) => {
            report_error(&e);
            return 2;
        }
    };
    app.mouse = !no_mouse;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        eprintln!("infraplan edit: the editor needs a terminal (stdin and stdout are not one)");
        return 2;
    }
    match crate::editor::run_app(app) {
        Ok(()) => 0,
        Err(e) => {
            // The terminal may be gone (a closed window): what could not be said is no panic.
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "infraplan edit: {e:#}");
            1
        }
    }
}

/// The design's findings with its accepted risks applied, as of today.
pub(crate) fn review(design: &Design) -> Vec<crate::accept::Reviewed> {
    crate::accept::apply(design, analyze::analyze(design), crate::date::today())
}

/// [`review`] and the design's resilience figures, from one analysis.
pub(crate) fn review_with_numbers(
    design: &Design,
) -> (Vec<crate::accept::Reviewed>, analyze::Numbers) {
    let (findings, numbers) = analyze::analyze_with_numbers(design);
    (
        crate::accept::apply(design, findings, crate::date::today()),
        numbers,
    )
}

/// Whether a finding that counts (not accepted) reaches `fail_on`.
pub(crate) fn fails(reviewed: &[crate::accept::Reviewed], fail_on: Option<Severity>) -> bool {
    fail_on.is_some_and(|s| {
        reviewed
            .iter()
            .any(|r| r.counts() && r.finding.severity >= s)
    })
}

fn validate_files(files: &[PathBuf], input_format: Option<input::InputFormat>) -> u8 {
    let stdin =
        match input::check_args(files.iter().map(PathBuf::as_path), input_format).and_then(|n| {
            (n > 0)
                .then(|| input::Stdin::read(input_format))
                .transpose()
        }) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("infraplan validate: {e}");
                return 2;
            }
        };
    let mut status = 0;
    for path in files {
        let loaded = input::load(path, stdin.as_ref()).map_err(|e| {
            report_error(&e);
            2
        });
        match loaded {
            Ok((d, _, _, name)) => outln!(
                "{}: valid ({}, {}, {})",
                name.display(),
                count(d.components.len(), "component"),
                count(d.servers.len(), "server"),
                count(d.links.len(), "link")
            ),
            Err(code) => status = code,
        }
    }
    status
}

/// "1 server", "3 servers".
fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A load in requests per second: a number, 0 or more.
fn parse_load(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of requests per second (0 or more)"
        )),
    }
}

fn simulate(path: &Path, fail: &[String], rps: Option<f64>, format: Format) -> u8 {
    let design = match load(path) {
        Ok(d) => d,
        Err(code) => return code,
    };
    match analyze::simulate(&design, fail) {
        Ok(impact) => {
            // With the site down no tier serves anything: there is no load to measure.
            let down = impact.loss == analyze::Loss::Everything;
            let tiers = rps.map(|rps| {
                let tiers = if down {
                    Vec::new()
                } else {
                    analyze::numbers::utilization_after(&design, fail, rps).unwrap_or_default()
                };
                (rps, tiers)
            });
            match format {
                Format::Text => {
                    output::print_impact(&impact);
                    if let Some((rps, tiers)) = &tiers {
                        output::print_utilization(*rps, tiers, down);
                    }
                }
                Format::Json => {
                    let mut v = serde_json::to_value(&impact).unwrap_or_default();
                    if let (Some((rps, tiers)), serde_json::Value::Object(map)) = (&tiers, &mut v) {
                        map.insert("load".into(), serde_json::json!(rps));
                        map.insert("utilization".into(), serde_json::json!(tiers));
                    }
                    output::print_json(&v)
                }
            }
            0
        }
        Err(unknown) => {
            eprintln!(
                "{}: no component, server or cluster named {}",
                path.display(),
                analyze::list(&unknown)
            );
            2
        }
    }
}

fn rules(id: Option<&str>, format: RulesFormat) -> u8 {
    let selected: Vec<&analyze::Rule> = match id {
        None => analyze::catalog().collect(),
        Some(id) => match analyze::rules::rule(&id.to_ascii_uppercase()) {
            Some(r) => vec![r],
            None => {
                eprintln!(
                    "no rule `{id}`; the rules are: {}",
                    analyze::catalog()
                        .map(|r| r.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return 2;
            }
        },
    };
    match format {
        RulesFormat::Text => output::print_rules(&selected),
        RulesFormat::Json => output::print_json(&output::rules_json(&selected)),
        RulesFormat::Markdown => outln!("{}", output::rules_markdown(&selected).trim_end()),
    }
    0
}

/// Writes a copy of a reference design to `path`; `announce` says so on stdout.
fn new(path: &Path, template: &str, force: bool, announce: bool) -> u8 {
    let Some(design) = crate::templates::template(template) else {
        eprintln!(
            "unknown template `{template}`; the templates are: {}",
            crate::templates::names().join(", ")
        );
        return 2;
    };
    if let Err(e) = io::Format::from_path(path) {
        report_error(&e);
        return 2;
    }
    if path.exists() && !force {
        eprintln!(
            "{}: already exists; use --force to overwrite it",
            path.display()
        );
        return 2;
    }
    match io::save(&design, path) {
        Ok(()) if !announce => 0,
        Ok(()) => {
            outln!(
                "{}: new design from template `{template}` ({} components); edit it with `infraplan edit {}`",
                path.display(),
                design.components.len(),
                path.display()
            );
            0
        }
        Err(e) => {
            report_error(&e);
            2
        }
    }
}
