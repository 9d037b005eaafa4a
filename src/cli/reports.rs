//! Reports for CI services: GitHub workflow-command annotations and a Markdown pull-request
//! summary with a Mermaid diagram. Both read the same analysis the other formats do; the
//! annotations take their places from the SARIF report, so a finding is annotated exactly
//! where code scanning would show it.

use crate::accept::{Reviewed, Status};
use crate::analyze::{Finding, Severity};
use crate::diff::{DesignDiff, ReviewedFinding};
use crate::export::{Marks, mermaid};
use crate::io::{self, DesignError};
use crate::model::Design;
use crate::sarif;
use std::fmt::Write;
use std::path::PathBuf;

/// Designs with more components than this get no diagram in the summary: Mermaid cannot lay
/// out more in a readable way, and GitHub caps a step summary at 1 MiB.
pub const MAX_DIAGRAM_COMPONENTS: usize = 150;
/// Findings listed per design in the summary; the counts always cover all of them.
pub const MAX_LISTED: usize = 200;

/// One design file of an `analyze` run, analyzed or not.
pub struct Outcome {
    pub path: PathBuf,
    pub result: Result<Analyzed, DesignError>,
}

/// A design that loaded, its text and its reviewed findings.
pub struct Analyzed {
    pub design: Design,
    pub text: String,
    pub format: io::Format,
    pub reviewed: Vec<Reviewed>,
    /// Availability and capacity under failure.
    pub numbers: crate::analyze::Numbers,
}

/// GitHub's escapes for a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escapes for a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `error`, `warning` or `notice`, as SARIF levels map.
fn command(severity: Severity) -> &'static str {
    match sarif::Level::of(severity) {
        sarif::Level::Error => "error",
        sarif::Level::Warning => "warning",
        sarif::Level::Note => "notice",
    }
}

/// One annotation per counted finding (accepted ones aside) and per problem of an invalid
/// design, at the place SARIF gives it, then a summary line per file.
pub fn github(outcomes: &[Outcome], root: &sarif::Root) -> String {
    let mut out = String::new();
    for o in outcomes {
        let mut report = sarif::Report::new(sarif::Options::default(), root.clone());
        let file = root.relative(&o.path);
        let summary = match &o.result {
            Ok(a) => {
                report.add_design(&o.path, &a.text, a.format, &a.design, &a.reviewed);
                super::output::summary(&a.reviewed)
            }
            Err(e) => {
                report.add_error(&o.path, e);
                "invalid".to_string()
            }
        };
        annotations(&mut out, &file, report.into_log(), "");
        let _ = writeln!(out, "{file}: {summary}");
    }
    out
}

/// The workflow commands of a SARIF log's results, all about `file`; `tag` is added to titles.
fn annotations(out: &mut String, file: &str, log: sarif::Log, tag: &str) {
    for r in log.runs.into_iter().flat_map(|run| run.results) {
        let mut props = vec![format!("file={}", escape_property(file))];
        if let Some(region) = r
            .locations
            .first()
            .and_then(|l| l.physical_location.region.as_ref())
        {
            props.push(format!("line={}", region.start_line));
            if let Some(c) = region.start_column {
                props.push(format!("col={c}"));
            }
            if let Some(l) = region.end_line {
                props.push(format!("endLine={l}"));
            }
            if let Some(c) = region.end_column {
                props.push(format!("endColumn={c}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} ({}){tag}", r.rule_id, r.properties.severity))
        ));
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(r.properties.severity),
            props.join(","),
            escape_data(&r.message.text)
        );
    }
}

/// Annotations of the findings a diff introduces (accepted ones aside), on the new design's
/// file, then a summary line.
pub fn diff_github(
    file: &str,
    path: &std::path::Path,
    d: &DesignDiff,
    new: &crate::source::Loaded,
    root: &sarif::Root,
) -> String {
    let mut out = String::new();
    let introduced: Vec<Reviewed> = d
        .findings
        .introduced
        .iter()
        .filter(|r| !matches!(r.status, Status::Accepted { .. }))
        .map(|r| Reviewed {
            finding: r.finding.clone(),
            status: r.status.clone(),
            acceptance: r.acceptance,
        })
        .collect();
    let mut report = sarif::Report::new(sarif::Options::default(), root.clone());
    report.add_design(path, &new.text, new.format, &new.design, &introduced);
    annotations(&mut out, file, report.into_log(), " new finding");
    let _ = writeln!(
        out,
        "{file}: {} new finding{}, {} resolved",
        introduced.len(),
        if introduced.len() == 1 { "" } else { "s" },
        d.findings.resolved.len()
    );
    out
}

/// A Markdown table cell: pipes escaped, line breaks as `<br>`.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴",
        Severity::High => "🟠",
        Severity::Medium => "🟡",
        Severity::Low => "🔵",
        Severity::Info => "⚪",
    }
}

/// Counts by severity, as table cells.
fn count_cells(findings: &[&Finding]) -> String {
    Severity::ALL
        .iter()
        .map(|s| {
            findings
                .iter()
                .filter(|f| f.severity == *s)
                .count()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn severity_header() -> String {
    Severity::ALL
        .iter()
        .map(|s| format!("{} {s}", icon(*s)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The design as a Mermaid block with `findings` marked, or why it is left out.
fn diagram(out: &mut String, design: &Design, findings: Vec<Finding>) {
    if design.components.len() > MAX_DIAGRAM_COMPONENTS {
        let _ = writeln!(
            out,
            "_No diagram: {} components, more than the {MAX_DIAGRAM_COMPONENTS} a summary draws \
             (`infraplan export --format mermaid` draws it all)._\n",
            design.components.len()
        );
        return;
    }
    let marks = Marks::from_findings(design, findings);
    let _ = writeln!(
        out,
        "<details open><summary>Diagram (findings at medium or worse marked)</summary>\n\n```mermaid\n{}```\n\n</details>\n",
        mermaid::to_mermaid(design, Some(&marks))
    );
}

/// A row of the findings table: its mark, the finding, and the `[[accepted]]` entry it is
/// about (a stale acceptance's).
type Row<'a> = (&'a str, &'a Finding, Option<usize>);

/// Rows of findings: severity, rule, sentence and fix, where.
fn finding_rows(out: &mut String, file: &str, lines: &crate::locate::Lines, findings: &[Row]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "| | severity | rule | finding | where |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for (mark, f, acceptance) in findings.iter().take(MAX_LISTED) {
        // The same place SARIF, the annotations and the text give.
        let place = match sarif::primary_span(lines, f, *acceptance) {
            Some(s) => format!("`{file}:{}:{}`", s.start.line, s.start.column),
            None => format!("`{file}`"),
        };
        let _ = writeln!(
            out,
            "| {mark} | {} {} | `{}` | {}<br>**Fix:** {} | {place} |",
            icon(f.severity),
            f.severity,
            f.rule,
            cell(&f.message),
            cell(&f.recommendation)
        );
    }
    if findings.len() > MAX_LISTED {
        let _ = writeln!(out, "\n_…and {} more._", findings.len() - MAX_LISTED);
    }
    out.push('\n');
}

fn invalid(out: &mut String, file: &str, e: &DesignError) {
    let _ = writeln!(out, "### ❌ `{file}` is invalid\n");
    match e {
        DesignError::Invalid(inv) => {
            for p in &inv.problems {
                let _ = writeln!(
                    out,
                    "- `{file}:{}:{}`: {}",
                    p.line,
                    p.column,
                    cell(&p.message)
                );
            }
        }
        other => {
            let _ = writeln!(out, "- {}", cell(&other.to_string()));
        }
    }
    out.push('\n');
}

/// The pull-request summary of an `analyze` run: counts per design, then each design's
/// diagram and findings.
pub fn markdown(outcomes: &[Outcome], root: &sarif::Root) -> String {
    let mut out = String::new();
    let open: usize = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .map(|a| a.reviewed.iter().filter(|r| r.counts()).count())
        .sum();
    let bad = outcomes.iter().filter(|o| o.result.is_err()).count();
    let _ = writeln!(
        out,
        "## infraplan: {} design{}, {open} finding{}{}\n",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        if open == 1 { "" } else { "s" },
        if bad > 0 {
            format!(", {bad} invalid")
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "| design | {} | accepted |", severity_header());
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for o in outcomes {
        let file = root.relative(&o.path);
        match &o.result {
            Ok(a) => {
                let counted: Vec<&Finding> = a
                    .reviewed
                    .iter()
                    .filter(|r| r.counts())
                    .map(|r| &r.finding)
                    .collect();
                let accepted = a.reviewed.len() - counted.len();
                let _ = writeln!(
                    out,
                    "| `{}` — {} | {} | {accepted} |",
                    cell(&file),
                    cell(&a.design.name),
                    count_cells(&counted)
                );
            }
            Err(_) => {
                let _ = writeln!(out, "| `{}` — ❌ invalid | | | | | | |", cell(&file));
            }
        }
    }
    out.push('\n');
    for o in outcomes {
        let file = root.relative(&o.path);
        let a = match &o.result {
            Ok(a) => a,
            Err(e) => {
                invalid(&mut out, &file, e);
                continue;
            }
        };
        let _ = writeln!(out, "### `{file}` — {}\n", cell(&a.design.name));
        let counted: Vec<Finding> = a
            .reviewed
            .iter()
            .filter(|r| r.counts())
            .map(|r| r.finding.clone())
            .collect();
        diagram(&mut out, &a.design, counted);
        let lines = crate::locate::Lines::for_design(&a.text, a.format, &a.design);
        let rows: Vec<Row> = a
            .reviewed
            .iter()
            .filter(|r| r.counts())
            .map(|r| {
                (
                    if matches!(r.status, Status::Expired { .. }) {
                        "⏰"
                    } else {
                        ""
                    },
                    &r.finding,
                    r.acceptance,
                )
            })
            .collect();
        if rows.is_empty() {
            let _ = writeln!(out, "✅ No open findings.\n");
        }
        finding_rows(&mut out, &file, &lines, &rows);
        let accepted: Vec<&Reviewed> = a.reviewed.iter().filter(|r| r.is_accepted()).collect();
        if !accepted.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{} accepted risk{}</summary>\n",
                accepted.len(),
                if accepted.len() == 1 { "" } else { "s" }
            );
            for r in accepted {
                if let Status::Accepted { reason, .. } = &r.status {
                    let _ = writeln!(
                        out,
                        "- `{}` {}: {}",
                        r.finding.rule,
                        cell(&r.finding.message),
                        cell(reason)
                    );
                }
            }
            let _ = writeln!(out, "\n</details>\n");
        }
    }
    out
}

/// The findings that count (not accepted).
fn counted(f: &[ReviewedFinding]) -> Vec<&Finding> {
    f.iter()
        .filter(|r| !matches!(r.status, Status::Accepted { .. }))
        .map(|r| &r.finding)
        .collect()
}

/// The pull-request summary of a diff: new, resolved and remaining findings with counts, and
/// the new design's diagram with its open findings marked (new ones listed first).
pub fn diff_markdown(
    old: &str,
    new: &str,
    d: &DesignDiff,
    new_design: &Design,
    new_reviewed: &[Reviewed],
    new_text: &str,
    new_format: io::Format,
) -> String {
    let mut out = String::new();
    let introduced = counted(&d.findings.introduced);
    let resolved = counted(&d.findings.resolved);
    let is_new = |f: &Finding| {
        d.findings
            .introduced
            .iter()
            .any(|n| n.finding.rule == f.rule && n.finding.ids() == f.ids())
    };
    let remaining_rows: Vec<Row> = new_reviewed
        .iter()
        .filter(|r| r.counts() && !is_new(&r.finding))
        .map(|r| ("", &r.finding, r.acceptance))
        .collect();
    let remaining: Vec<&Finding> = remaining_rows.iter().map(|(_, f, _)| *f).collect();
    let verdict = if introduced.is_empty() {
        "✅"
    } else {
        "⚠️"
    };
    let _ = writeln!(
        out,
        "## {verdict} infraplan: {} new, {} resolved, {} remaining\n\n`{}` → `{}`\n",
        introduced.len(),
        resolved.len(),
        remaining.len(),
        cell(old),
        cell(new)
    );
    let _ = writeln!(out, "| findings | {} |", severity_header());
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (what, list) in [
        ("new", &introduced),
        ("resolved", &resolved),
        ("remaining", &remaining),
    ] {
        let _ = writeln!(out, "| {what} | {} |", count_cells(list));
    }
    out.push('\n');
    let changed: Vec<String> = [
        ("DNS records", &d.dns),
        ("zones", &d.zones),
        ("servers", &d.servers),
        ("clusters", &d.clusters),
        ("components", &d.components),
        ("links", &d.links),
        ("accepted risks", &d.accepted),
    ]
    .iter()
    .filter(|(_, s)| !s.is_empty())
    .map(|(what, s)| {
        format!(
            "{what} +{} −{} ~{}",
            s.added.len(),
            s.removed.len(),
            s.changed.len()
        )
    })
    .chain((!d.design.is_empty()).then(|| format!("design fields ~{}", d.design.len())))
    .collect();
    if !changed.is_empty() {
        let _ = writeln!(out, "Changes: {}.\n", changed.join(", "));
    }
    let open: Vec<Finding> = new_reviewed
        .iter()
        .filter(|r| r.counts())
        .map(|r| r.finding.clone())
        .collect();
    diagram(&mut out, new_design, open);
    let lines = crate::locate::Lines::for_design(new_text, new_format, new_design);
    if !introduced.is_empty() {
        let _ = writeln!(out, "### New findings\n");
        let rows: Vec<Row> = d
            .findings
            .introduced
            .iter()
            .filter(|r| !matches!(r.status, Status::Accepted { .. }))
            .map(|r| ("🆕", &r.finding, r.acceptance))
            .collect();
        finding_rows(&mut out, new, &lines, &rows);
    }
    if !resolved.is_empty() {
        let _ = writeln!(out, "### Resolved findings\n");
        for f in &resolved {
            let _ = writeln!(
                out,
                "- ✅ {} {} `{}` {}",
                icon(f.severity),
                f.severity,
                f.rule,
                cell(&f.message)
            );
        }
        out.push('\n');
    }
    if !remaining.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} remaining finding{}</summary>\n",
            remaining.len(),
            if remaining.len() == 1 { "" } else { "s" }
        );
        finding_rows(&mut out, new, &lines, &remaining_rows);
        let _ = writeln!(out, "</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn cells_keep_the_table_whole() {
        assert_eq!(cell("a|b\nc"), "a\\|b<br>c");
    }
}
