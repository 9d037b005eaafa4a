//! The commands for CI and review: `analyze --format sarif`, `analyze --watch` and `diff`.

use super::output::{self, BOLD, DIM, findings_text, severity_style};
use super::{AnalyzeArgs, Format, fails, parse_severity, report_error, review, stderr_color};
use crate::analyze::Severity;
use crate::diff::{self, DesignDiff, FieldChange, Item, ReviewedFinding, Section};
use crate::io;
use crate::sarif;
use crate::source::{Loaded, Source, SourceError};
use anstream::eprintln;
use anstyle::{AnsiColor, Style};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The design before: a file, or git:REV:path.
    pub old: String,
    /// The design after: a file, or git:REV:path.
    pub new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when the new design introduces a finding of this severity or worse (accepted
    /// findings aside).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
}

/// The SARIF options of `analyze`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SarifArgs {
    /// SARIF: leave out findings the design accepts (GitHub shows suppressed results as open
    /// alerts), or keep them with an in-source suppression.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = sarif::Accepted::Omit)]
    pub sarif_accepted: sarif::Accepted,
    /// SARIF: the run's category (`automationDetails.id`), to keep several analyses of one
    /// repository apart in code scanning.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
}

impl SarifArgs {
    pub fn options(&self) -> sarif::Options {
        sarif::Options {
            accepted: self.sarif_accepted,
            category: self.sarif_category.clone(),
        }
    }
}

/// `analyze --format sarif`: one SARIF log for every file; invalid files become error results.
pub fn sarif(args: &AnalyzeArgs) -> u8 {
    let mut status = 0;
    let mut report = sarif::Report::new(args.sarif.options(), sarif::Root::discover());
    for path in &args.files {
        match io::load_with_text(path) {
            Ok((design, text)) => {
                let reviewed = review(&design);
                if fails(&reviewed, args.fail_on) {
                    status = status.max(1);
                }
                // The load succeeded, so the extension is known.
                let format = io::Format::from_path(path).unwrap_or(io::Format::Toml);
                report.add_design(path, &text, format, &design, &reviewed);
            }
            Err(e) => {
                status = 2;
                report.add_error(path, &e);
                report_error(&e);
            }
        }
    }
    output::print_json(&report.into_log());
    status
}

const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

/// `analyze --watch FILE`: redraw the findings on every save until Ctrl-C.
pub fn watch(args: &AnalyzeArgs) -> u8 {
    let [path] = args.files.as_slice() else {
        eprintln!("--watch takes one design file");
        return 2;
    };
    // Clearing goes straight to the terminal: anstream strips escape codes under NO_COLOR.
    let tty = std::io::stdout().is_terminal();
    let result = crate::watch::watch(path, crate::watch::DEBOUNCE, || {
        let screen = watch_screen(path, args.fail_on);
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
fn watch_screen(path: &Path, fail_on: Option<Severity>) -> String {
    let mut screen = match io::load(path) {
        Ok(design) => {
            let reviewed = review(&design);
            let mut text = findings_text(&path.display().to_string(), &design, &reviewed);
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

/// `diff OLD NEW`.
pub fn diff(args: &DiffArgs) -> u8 {
    let old = load_source("old", &args.old);
    let new = load_source("new", &args.new);
    let (Some(old), Some(new)) = (old, new) else {
        return 2;
    };
    let d = diff::diff(&old.design, &new.design, crate::date::today());
    match args.format {
        Format::Text => outln!(
            "{}",
            diff_text(&args.old, &args.new, &d).trim_end_matches('\n')
        ),
        Format::Json => output::print_json(&serde_json::json!({
            "version": 1,
            "old": args.old,
            "new": args.new,
            "diff": d,
        })),
    }
    if args.fail_on.is_some_and(|s| d.introduces(s)) {
        1
    } else {
        0
    }
}

/// Loads one side of a diff, saying which side a failure is on.
fn load_source(side: &str, spec: &str) -> Option<Loaded> {
    let loaded = Source::parse(spec).and_then(|s| s.load());
    match loaded {
        Ok(l) => Some(l),
        Err(e) => {
            let what = match &e {
                SourceError::Design(io::DesignError::Invalid(_)) => "is invalid",
                _ => "cannot be read",
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

fn finding_line(out: &mut String, mark: &str, mark_style: Style, f: &ReviewedFinding) {
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
}

/// The diff for people: each section with `+` added, `-` removed, `~` changed.
fn diff_text(old: &str, new: &str, d: &DesignDiff) -> String {
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
        finding_line(&mut out, "+", RED, r);
    }
    for r in &f.resolved {
        finding_line(&mut out, "-", GREEN, r);
    }
    out
}
