//! How findings, impacts and rules are shown: text for people (coloured on a terminal), JSON
//! with a stable schema for tools.

use crate::accept::{Reviewed, Status};
use crate::analyze::{self, Finding, Impact, Loss, Rule, Severity};
use crate::io::DesignError;
use crate::locate::Lines;
use crate::model::Design;
use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// Writes a line to stdout. A closed pipe (`infraplan analyze … | head`) ends the program
/// quietly with success, as Unix tools do; any other write error is an I/O failure (exit 2).
/// Control characters that reached the text (from the design) are shown escaped
/// ([`crate::sanitize::styled`]), so no output can act on the terminal.
pub fn emit(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let line = args.to_string();
    let line = crate::sanitize::styled(&line);
    let mut out = anstream::stdout().lock();
    if let Err(e) = out
        .write_all(line.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
    {
        std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe {
            0
        } else {
            2
        });
    }
}

/// Text from the design in styled output: every control character escaped, so that only
/// infraplan's own styles reach the terminal.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::terminal(s)
}

pub fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// "2 critical, 1 high, 4 medium", or "no findings"; accepted findings are counted apart.
pub fn summary(reviewed: &[Reviewed]) -> String {
    let open: Vec<Finding> = reviewed
        .iter()
        .filter(|r| r.counts())
        .map(|r| r.finding.clone())
        .collect();
    let accepted = reviewed.len() - open.len();
    let parts: Vec<String> = analyze::counts(&open)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let mut text = if parts.is_empty() {
        "no findings".to_string()
    } else {
        format!(
            "{} finding{}: {}",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            parts.join(", ")
        )
    };
    if accepted > 0 {
        text.push_str(&format!(", {accepted} accepted"));
    }
    text
}

/// Where a finding is in its design file, for the text output.
pub struct Places<'a> {
    /// The file as the user named it.
    pub file: &'a str,
    pub lines: &'a Lines,
}

impl Places<'_> {
    /// `file:line:column` of the place every report points at (SARIF's primary location).
    pub fn of(&self, r: &Reviewed) -> Option<String> {
        crate::sarif::primary_span(self.lines, &r.finding, r.acceptance)
            .map(|s| format!("{}:{}:{}", shown(self.file), s.start.line, s.start.column))
    }
}

/// The first line of a design's report: its file, name and counts.
pub fn summary_line(name: &str, design: &Design, reviewed: &[Reviewed]) -> String {
    format!(
        "{BOLD}{}{BOLD:#} — {} — {}",
        shown(name),
        shown(&design.name),
        summary(reviewed)
    )
}

/// Findings grouped by severity, each with its rule, sentence, `file:line:column` (with
/// `places`) and recommendation; accepted findings last, apart, with the reason they were
/// accepted. With styles (anstream strips them where colour is off).
pub fn findings_text(
    name: &str,
    design: &Design,
    reviewed: &[Reviewed],
    places: Option<&Places>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", summary_line(name, design, reviewed));
    let at = |out: &mut String, pad: &str, r: &Reviewed| {
        if let Some(place) = places.and_then(|p| p.of(r)) {
            let _ = writeln!(out, "  {DIM}{pad}  at {place}{DIM:#}");
        }
    };
    for severity in Severity::ALL {
        let group: Vec<&Reviewed> = reviewed
            .iter()
            .filter(|r| r.counts() && r.finding.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let style = severity_style(severity);
        let _ = writeln!(out);
        let _ = writeln!(out, "{style}{}{style:#}", severity.as_str().to_uppercase());
        for r in group {
            let f = &r.finding;
            let pad = " ".repeat(f.rule.len());
            let _ = writeln!(out, "  {style}{}{style:#}  {}", f.rule, shown(&f.message));
            at(&mut out, &pad, r);
            let _ = writeln!(
                out,
                "  {DIM}{pad}  fix: {}{DIM:#}",
                shown(&f.recommendation)
            );
            if let Status::Expired { reason, expired } = &r.status {
                let _ = writeln!(
                    out,
                    "  {DIM}{pad}  accepted until {expired}, expired: {}{DIM:#}",
                    shown(reason)
                );
            }
        }
    }
    let accepted: Vec<&Reviewed> = reviewed.iter().filter(|r| r.is_accepted()).collect();
    if !accepted.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{BOLD}ACCEPTED{BOLD:#} {DIM}(not counted for --fail-on){DIM:#}"
        );
        for r in accepted {
            let f = &r.finding;
            let pad = " ".repeat(f.rule.len() + f.severity.as_str().len() + 1);
            let _ = writeln!(
                out,
                "  {DIM}{} {}{DIM:#}  {}",
                f.severity,
                f.rule,
                shown(&f.message)
            );
            at(&mut out, &pad, r);
            if let Status::Accepted { reason, expires } = &r.status {
                let until = expires
                    .as_ref()
                    .map(|d| format!(" (until {d})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {DIM}{pad}  accepted{until}: {}{DIM:#}",
                    shown(reason)
                );
            }
        }
    }
    out
}

/// A finding as JSON with its acceptance status: the schema documented in the README.
pub fn reviewed_json(design: &Design, r: &Reviewed) -> Value {
    let mut v = finding_json(design, &r.finding);
    if let Value::Object(map) = &mut v {
        let (status, acceptance) = match &r.status {
            Status::Open => ("open", Value::Null),
            Status::Accepted { reason, expires } => (
                "accepted",
                json!({ "index": r.acceptance, "reason": reason, "expires": expires }),
            ),
            Status::Expired { reason, expired } => (
                "expired",
                json!({ "index": r.acceptance, "reason": reason, "expires": expired }),
            ),
        };
        map.insert("status".into(), json!(status));
        map.insert("acceptance".into(), acceptance);
    }
    v
}

/// A finding as JSON: the schema documented in the README.
pub fn finding_json(design: &Design, f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity,
        "components": f.components,
        "servers": f.servers,
        "links": f.links.iter().filter_map(|&i| design.links.get(i)).zip(&f.links).map(|(l, i)| json!({
            "index": i,
            "from": l.from,
            "to": l.to,
            "protocol": l.protocol.as_str(),
        })).collect::<Vec<_>>(),
        "message": f.message,
        "recommendation": f.recommendation,
    })
}

/// One file's report; `counts` are of the findings that count (not accepted).
pub fn json_report(
    path: &Path,
    design: &Design,
    reviewed: &[Reviewed],
    numbers: Option<&analyze::Numbers>,
) -> Value {
    let open: Vec<Finding> = reviewed
        .iter()
        .filter(|r| r.counts())
        .map(|r| r.finding.clone())
        .collect();
    let counts: serde_json::Map<String, Value> = analyze::counts(&open)
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    json!({
        "file": path.display().to_string(),
        "valid": true,
        "design": design.name,
        "counts": counts,
        "accepted": reviewed.len() - open.len(),
        "findings": reviewed.iter().map(|r| reviewed_json(design, r)).collect::<Vec<_>>(),
        "resilience": numbers,
    })
}

/// The resilience section of the text report (empty where the design gives no figures).
pub fn numbers_text(numbers: &analyze::Numbers) -> String {
    let lines = numbers.text();
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{BOLD}RESILIENCE{BOLD:#}\n");
    for l in lines {
        let _ = writeln!(out, "  {}", shown(&l));
    }
    out
}

pub fn json_error(path: &Path, e: &DesignError) -> Value {
    let errors: Vec<Value> = match e {
        DesignError::Invalid(inv) => inv
            .problems
            .iter()
            .map(|p| json!({ "line": p.line, "column": p.column, "message": p.message }))
            .collect(),
        other => vec![json!({ "line": 0, "column": 0, "message": other.to_string() })],
    };
    json!({ "file": path.display().to_string(), "valid": false, "errors": errors })
}

pub fn print_json<T: serde::Serialize>(value: &T) {
    // Serializing plain data cannot fail.
    outln!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

pub fn print_impact(impact: &Impact) {
    let style = match impact.loss {
        Loss::Everything => severity_style(Severity::Critical),
        Loss::Writes | Loss::Work => severity_style(Severity::High),
        Loss::Capacity => severity_style(Severity::Medium),
        Loss::Nothing => Style::new().bold(),
    };
    outln!("{BOLD}Failed:{BOLD:#} {}", shown(&impact.failed.join(", ")));
    outln!(
        "{BOLD}{} loses:{BOLD:#} {style}{}{style:#}",
        shown(&impact.site),
        impact.loss.describe()
    );
    if !impact.lost_tiers.is_empty() {
        outln!(
            "{BOLD}No longer served:{BOLD:#} {}",
            impact.lost_tiers.join(", ")
        );
    }
    for why in &impact.because {
        outln!("{BOLD}Because:{BOLD:#} {}", shown(why));
    }
    if impact.unreachable.is_empty() {
        outln!("{BOLD}Unreachable:{BOLD:#} none");
    } else {
        outln!(
            "{BOLD}Unreachable:{BOLD:#} {}",
            shown(&impact.unreachable.join(", "))
        );
    }
}

/// Each tier's utilization at `rps` after a simulated failure.
/// Each tier's utilization at `rps` after the failures; `down`: they took the site down.
pub fn print_utilization(rps: f64, tiers: &[crate::analyze::capacity::TierLoad], down: bool) {
    if down {
        outln!("{BOLD}Utilization at {rps} rps:{BOLD:#} none: the site is down");
        return;
    }
    if tiers.is_empty() {
        outln!(
            "{BOLD}Utilization at {rps} rps:{BOLD:#} not measured: no component states a `capacity`"
        );
        return;
    }
    outln!(
        "{BOLD}Utilization at {rps} rps:{BOLD:#} {}",
        shown(&crate::analyze::numbers::tiers_line(tiers))
    );
    for t in tiers.iter().filter(|t| t.utilization > 1.0) {
        let style = severity_style(Severity::High);
        outln!(
            "  {style}overloaded{style:#}: the {} tier at {} (`{}`)",
            t.tier.title(),
            crate::analyze::numbers::util(t.utilization),
            shown(&t.busiest)
        );
    }
}

pub fn print_rules(rules: &[&Rule]) {
    for (i, r) in rules.iter().enumerate() {
        if i > 0 {
            outln!();
        }
        let style = severity_style(r.severity);
        outln!(
            "{BOLD}{}{BOLD:#}  {style}{}{style:#}  {}",
            r.id,
            r.severity,
            r.title
        );
        outln!("  {BOLD}checks:{BOLD:#} {}", r.checks);
        outln!("  {BOLD}why:{BOLD:#}    {}", r.why);
        outln!("  {BOLD}fix:{BOLD:#}    {}", r.fix);
    }
}

pub fn rules_json(rules: &[&Rule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "severity": r.severity,
                    "title": r.title,
                    "checks": r.checks,
                    "why": r.why,
                    "fix": r.fix,
                })
            })
            .collect(),
    )
}

/// The rules as the Markdown page `docs/rules.md`: one section per rule, headed by its id so
/// that GitHub's anchor for it is the id in lower case (what SARIF's `helpUri` links to).
pub fn rules_markdown(rules: &[&Rule]) -> String {
    let mut out = String::from(
        "# The analyzer's rules\n\nGenerated by `infraplan rules --format markdown`; \
         code-scanning alerts link here. Rule ids are stable: scripts match on them.\n",
    );
    for r in rules {
        let kind = if r.category.security {
            "security"
        } else {
            "reliability"
        };
        let cwe = r
            .category
            .cwe
            .map(|c| {
                format!(
                    " · [CWE-{id}](https://cwe.mitre.org/data/definitions/{id}.html): {}",
                    c.name,
                    id = c.id
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            "\n## {}\n\n**{}** · severity {} · {kind}{cwe}\n\n{}\n\n**Why it matters:** {}\n\n**How to fix:** {}\n",
            r.id, r.title, r.severity, r.checks, r.why, r.fix
        );
    }
    out
}
