//! SARIF 2.1.0 output, for code-scanning services (GitHub, GitLab, Azure DevOps) and editors.
//!
//! One run per `infraplan analyze` call; one result per finding, located at the line where the
//! first server it concerns is defined (findings that name servers are about the server: a
//! single point of failure, no firewall, contention; their components are what runs there),
//! else the first component, else the first link; a stale acceptance points at its
//! `[[accepted]]` entry. The rule catalog goes in
//! `tool.driver.rules`. Accepted findings are results with an in-source suppression (the
//! acceptance lives in the design file itself) carrying its reason. A design that fails to load
//! becomes a `toolExecutionNotifications` entry and `executionSuccessful: false`.

use crate::accept::{Reviewed, Status};
use crate::analyze::{Rule, Severity, catalog};
use crate::io::{DesignError, Format};
use crate::locate::Lines;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

/// A whole SARIF file.
#[derive(Debug, Clone, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
    /// Columns count characters, as the loader's messages do.
    pub column_kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: &'static str,
    pub name: String,
    pub short_description: Message,
    pub full_description: Message,
    pub help: MultiformatMessage,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MultiformatMessage {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Configuration {
    pub level: Level,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleProperties {
    /// infraplan's own severity, finer than SARIF's levels.
    pub severity: Severity,
    pub tags: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    /// critical and high are errors, medium a warning, low and info notes.
    pub fn of(severity: Severity) -> Level {
        match severity {
            Severity::Critical | Severity::High => Level::Error,
            Severity::Medium => Level::Warning,
            Severity::Low | Severity::Info => Level::Note,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub level: Level,
    pub message: Message,
    pub locations: Vec<Location>,
    /// Identifies the finding across runs whatever lines move: rule and ids.
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    pub properties: ResultProperties,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    pub severity: Severity,
    pub components: Vec<String>,
    pub servers: Vec<String>,
    pub recommendation: String,
    /// Set when an acceptance matched but has expired, so the finding counts again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance_expired: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    pub kind: &'static str,
    pub status: &'static str,
    pub justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<&'static str, String>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub level: Level,
    pub message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

/// Collects the results of several design files into one run.
#[derive(Debug, Default)]
pub struct Report {
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
}

fn location(uri: &str, line: Option<usize>, column: Option<usize>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri.to_string(),
            },
            region: line.filter(|&l| l > 0).map(|start_line| Region {
                start_line,
                start_column: column.filter(|&c| c > 0),
            }),
        },
    }
}

impl Report {
    pub fn new() -> Report {
        Report::default()
    }

    /// Adds the findings of one design; `text` is the file's text, to find lines in.
    pub fn add_design(&mut self, uri: &str, text: &str, format: Format, reviewed: &[Reviewed]) {
        let lines = Lines::new(text, format);
        let rule_ids: Vec<&str> = catalog().map(|r| r.id).collect();
        for r in reviewed {
            let f = &r.finding;
            let line = if f.rule == crate::accept::STALE_ACCEPTANCE {
                r.acceptance.and_then(|i| lines.accepted(i))
            } else {
                None
            }
            .or_else(|| f.servers.iter().find_map(|id| lines.server(id)))
            .or_else(|| f.components.iter().find_map(|id| lines.component(id)))
            .or_else(|| f.links.iter().find_map(|&i| lines.link(i)));
            let accepted_at = r.acceptance.map(|i| location(uri, lines.accepted(i), None));
            let suppressions = match &r.status {
                Status::Accepted { reason, expires } => vec![Suppression {
                    kind: "inSource",
                    status: "accepted",
                    justification: reason.clone(),
                    location: accepted_at,
                    properties: expires
                        .as_ref()
                        .map(|e| BTreeMap::from([("expires", e.clone())])),
                }],
                _ => Vec::new(),
            };
            let message = if f.recommendation.is_empty() {
                f.message.clone()
            } else {
                format!("{}. Fix: {}.", f.message, f.recommendation)
            };
            self.results.push(SarifResult {
                rule_id: f.rule,
                rule_index: rule_ids.iter().position(|id| *id == f.rule),
                level: Level::of(f.severity),
                message: Message { text: message },
                locations: vec![location(uri, line, None)],
                partial_fingerprints: BTreeMap::from([(
                    "infraplanFinding/v1",
                    format!("{}:{}", f.rule, f.ids().join(",")),
                )]),
                suppressions,
                properties: ResultProperties {
                    severity: f.severity,
                    components: f.components.clone(),
                    servers: f.servers.clone(),
                    recommendation: f.recommendation.clone(),
                    acceptance_expired: match &r.status {
                        Status::Expired { expired, .. } => Some(expired.clone()),
                        _ => None,
                    },
                },
            });
        }
    }

    /// Records a design that could not be loaded: one error notification per problem.
    pub fn add_error(&mut self, uri: &str, error: &DesignError) {
        match error {
            DesignError::Invalid(inv) => {
                for p in &inv.problems {
                    self.notifications.push(Notification {
                        level: Level::Error,
                        message: Message {
                            text: match &p.help {
                                Some(h) => format!("{}: {} ({h})", uri, p.message),
                                None => format!("{}: {}", uri, p.message),
                            },
                        },
                        locations: vec![location(uri, Some(p.line), Some(p.column))],
                    });
                }
            }
            other => self.notifications.push(Notification {
                level: Level::Error,
                message: Message {
                    text: other.to_string(),
                },
                locations: vec![location(uri, None, None)],
            }),
        }
    }

    /// The SARIF log: execution is successful when every design loaded.
    pub fn into_log(self) -> Log {
        Log {
            schema: SCHEMA,
            version: VERSION,
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "infraplan",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        rules: catalog().map(descriptor).collect(),
                    },
                },
                invocations: vec![Invocation {
                    execution_successful: self.notifications.is_empty(),
                    tool_execution_notifications: self.notifications,
                }],
                results: self.results,
                column_kind: "unicodeCodePoints",
            }],
        }
    }
}

/// A rule of the catalog as SARIF describes rules.
fn descriptor(r: &Rule) -> ReportingDescriptor {
    let tags = match r.id {
        "NO-FIREWALL" | "DB-EXPOSED" | "NO-HTTPS" | "TLS-TERMINATED-EARLY" => {
            vec!["security", "infrastructure"]
        }
        _ => vec!["reliability", "infrastructure"],
    };
    ReportingDescriptor {
        id: r.id,
        name: camel(r.title),
        short_description: Message {
            text: r.title.to_string(),
        },
        full_description: Message {
            text: r.checks.to_string(),
        },
        help: MultiformatMessage {
            text: format!(
                "{}\n\nWhy it matters: {}\n\nHow to fix: {}",
                r.checks, r.why, r.fix
            ),
            markdown: format!(
                "{}\n\n**Why it matters:** {}\n\n**How to fix:** {}",
                r.checks, r.why, r.fix
            ),
        },
        default_configuration: Configuration {
            level: Level::of(r.severity),
        },
        properties: RuleProperties {
            severity: r.severity,
            tags,
        },
    }
}

/// "single point of failure" → "SinglePointOfFailure", SARIF's style for rule names.
fn camel(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The URI of a design file for `artifactLocation`: relative paths stay relative (code scanning
/// resolves them against the repository root), with `/` separators and the characters a URI
/// cannot hold percent-encoded; absolute paths become `file://` URIs.
pub fn artifact_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'+'
            | b'@'
            | b'='
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.is_absolute() {
        format!("file://{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_severity() {
        assert_eq!(Level::of(Severity::Critical), Level::Error);
        assert_eq!(Level::of(Severity::High), Level::Error);
        assert_eq!(Level::of(Severity::Medium), Level::Warning);
        assert_eq!(Level::of(Severity::Low), Level::Note);
        assert_eq!(Level::of(Severity::Info), Level::Note);
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(
            artifact_uri(Path::new("designs/01-simple.toml")),
            "designs/01-simple.toml"
        );
        assert_eq!(artifact_uri(Path::new("./a b#.toml")), "a%20b%23.toml");
        assert_eq!(artifact_uri(Path::new("/tmp/x.toml")), "file:///tmp/x.toml");
        assert_eq!(artifact_uri(Path::new("é.toml")), "%C3%A9.toml");
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(camel("single point of failure"), "SinglePointOfFailure");
        assert_eq!(camel("no HTTPS / TLS"), "NoHTTPSTLS");
    }
}
