//! How findings, impacts and rules are shown: text for people (coloured on a terminal), JSON
//! with a stable schema for tools.

use crate::analyze::{self, Finding, Impact, Loss, Rule, Severity};
use crate::io::DesignError;
use crate::model::Design;
use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};
use std::path::Path;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Writes a line to stdout. A closed pipe (`infraplan analyze … | head`) ends the program
/// quietly with success, as Unix tools do; any other write error is an I/O failure (exit 2).
pub fn emit(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = anstream::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe {
            0
        } else {
            2
        });
    }
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

/// "2 critical, 1 high, 4 medium", or "no findings".
pub fn summary(findings: &[Finding]) -> String {
    let parts: Vec<String> = analyze::counts(findings)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        "no findings".to_string()
    } else {
        format!(
            "{} finding{}: {}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            parts.join(", ")
        )
    }
}

/// Findings grouped by severity, each with its rule, sentence and recommendation.
pub fn print_findings(path: &Path, design: &Design, findings: &[Finding]) {
    outln!(
        "{BOLD}{}{BOLD:#} — {} — {}",
        path.display(),
        design.name,
        summary(findings)
    );
    for severity in Severity::ALL {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let style = severity_style(severity);
        outln!();
        outln!("{style}{}{style:#}", severity.as_str().to_uppercase());
        for f in group {
            outln!("  {style}{}{style:#}  {}", f.rule, f.message);
            outln!(
                "  {DIM}{:width$}  fix: {}{DIM:#}",
                "",
                f.recommendation,
                width = f.rule.len()
            );
        }
    }
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

pub fn json_report(path: &Path, design: &Design, findings: &[Finding]) -> Value {
    let counts: serde_json::Map<String, Value> = analyze::counts(findings)
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    json!({
        "file": path.display().to_string(),
        "valid": true,
        "design": design.name,
        "counts": counts,
        "findings": findings.iter().map(|f| finding_json(design, f)).collect::<Vec<_>>(),
    })
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

pub fn print_impact(design: &Design, impact: &Impact) {
    let style = match impact.loss {
        Loss::Everything => severity_style(Severity::Critical),
        Loss::Writes => severity_style(Severity::High),
        Loss::Capacity => severity_style(Severity::Medium),
        Loss::Nothing => Style::new().bold(),
    };
    outln!("{BOLD}Failed:{BOLD:#} {}", impact.failed.join(", "));
    outln!(
        "{BOLD}{} loses:{BOLD:#} {style}{}{style:#}",
        design.site_name(),
        impact.loss.describe()
    );
    if !impact.lost_tiers.is_empty() {
        outln!(
            "{BOLD}No longer reached:{BOLD:#} {}",
            impact.lost_tiers.join(", ")
        );
    }
    if impact.unreachable.is_empty() {
        outln!("{BOLD}Unreachable:{BOLD:#} none");
    } else {
        outln!(
            "{BOLD}Unreachable:{BOLD:#} {}",
            impact.unreachable.join(", ")
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
