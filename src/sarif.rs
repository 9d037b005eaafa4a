//! SARIF 2.1.0 output, for code-scanning services (GitHub, GitLab, Azure DevOps) and editors.
//!
//! One run per `infraplan analyze` call; one result per finding. GitHub's code scanning reads
//! only part of SARIF, so the log is shaped for it:
//! - a result's place is where a pull request would change it: a finding about a link's
//!   encryption (`NO-HTTPS`, `TLS-TERMINATED-EARLY`) points at the link's `protocol` line;
//!   other findings at the `id` of the first server they concern, else the first component,
//!   else the first link; a stale acceptance at its `[[accepted]]` entry. The other things a
//!   finding concerns are `relatedLocations`. Regions have start and end lines and columns.
//! - `partialFingerprints.primaryLocationLineHash` comes from the finding's identity (rule and
//!   ids), never from its place, so moving a box or inserting lines keeps the alert (and its
//!   dismissal); GitHub would otherwise hash the text around the line, `x`/`y` included.
//! - accepted findings are left out by default, since GitHub ignores `suppressions`
//!   ([`Accepted::Suppress`] keeps them with an in-source suppression, for other viewers);
//! - a design that fails to load is an `INVALID-DESIGN` error result at the error's line (a
//!   notification alone would read as "no alerts" and close them), besides the notification;
//! - rules carry `security-severity` (security rules), `precision`, `problem.severity`, CWE
//!   tags where one fits;
//! - URIs are relative to the repository root (`uriBaseId: "%SRCROOT%"`, resolved in
//!   `originalUriBaseIds`), and `--sarif-category` sets `automationDetails.id`.

use crate::accept::{Reviewed, Status};
use crate::analyze::rules::Category;
use crate::analyze::{Finding, Rule, Severity, catalog};
use crate::io::{DesignError, Format};
use crate::locate::{LineIndex, Lines, Span};
use crate::model::Design;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";
/// The rule id of the result a design that fails to load gives.
pub const INVALID_DESIGN: &str = "INVALID-DESIGN";
/// The base that relative URIs are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";
/// Related locations kept per result: enough to show what a finding concerns, while a
/// finding over a whole server of a huge design stays a reasonable size.
pub const MAX_RELATED: usize = 100;

/// What becomes of findings the design accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Accepted {
    /// Left out: GitHub ignores SARIF suppressions and would show them as open alerts.
    #[default]
    Omit,
    /// Kept, with an in-source suppression carrying the reason.
    Suppress,
}

/// How a report is made.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub accepted: Accepted,
    /// `automationDetails.id` is `CATEGORY/`: GitHub keeps one set of alerts per category.
    pub category: Option<String>,
}

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automation_details: Option<AutomationDetails>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
    /// Columns count characters, as the loader's messages do.
    pub column_kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct AutomationDetails {
    pub id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaseUri {
    pub uri: String,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
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
    pub tags: Vec<String>,
    /// How often a finding is a real problem: `high`, since findings follow from the design
    /// as drawn, which may leave out what the real site has.
    pub precision: &'static str,
    /// GitHub's severity of non-security rules: `error`, `warning` or `recommendation`.
    #[serde(rename = "problem.severity", skip_serializing_if = "Option::is_none")]
    pub problem_severity: Option<&'static str>,
    /// GitHub's severity of security rules, a CVSS-like score as a string.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<&'static str>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    /// `primaryLocationLineHash` (what GitHub matches alerts on) and infraplan's own key.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
}

impl Region {
    fn of(span: Span) -> Region {
        Region {
            start_line: span.start.line,
            start_column: Some(span.start.column),
            end_line: Some(span.end.line),
            end_column: Some(span.end.column),
        }
    }

    fn at(line: usize, column: usize) -> Option<Region> {
        (line > 0).then_some(Region {
            start_line: line,
            start_column: (column > 0).then_some(column),
            end_line: None,
            end_column: None,
        })
    }
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

/// Where design files are named from: the repository root (the nearest folder up from the
/// working directory with a `.git`, else the working directory), so URIs are relative to it.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
    cwd: PathBuf,
}

impl Root {
    /// The root for the current working directory.
    pub fn discover() -> Root {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Root::from_dir(&cwd)
    }

    /// The root for a working directory.
    pub fn from_dir(cwd: &Path) -> Root {
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        let dir = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        Root { dir, cwd }
    }

    /// The artifact location of a design file: relative to `%SRCROOT%` when it lies under the
    /// root, else an absolute `file://` URI.
    pub fn artifact(&self, path: &Path) -> ArtifactLocation {
        let absolute = self.cwd.join(path);
        let absolute = absolute.canonicalize().unwrap_or(absolute);
        match absolute.strip_prefix(&self.dir) {
            Ok(relative) => ArtifactLocation {
                uri: artifact_uri(relative),
                uri_base_id: Some(SRCROOT),
            },
            Err(_) => ArtifactLocation {
                uri: artifact_uri(&absolute),
                uri_base_id: None,
            },
        }
    }

    /// The path of a design file as people and annotations name it: from the root,
    /// `/`-separated, when it lies under the root, else as given.
    pub fn relative(&self, path: &Path) -> String {
        let absolute = self.cwd.join(path);
        let absolute = absolute.canonicalize().unwrap_or(absolute);
        match absolute.strip_prefix(&self.dir) {
            Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
            Err(_) => path.display().to_string(),
        }
    }

    /// The `file://` URI of the root itself, ending in `/` as SARIF requires of a base.
    pub fn uri(&self) -> String {
        let mut uri = artifact_uri(&self.dir);
        if !uri.starts_with("file://") {
            uri = format!("file://{uri}");
        }
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }
}

/// Collects the results of several design files into one run.
#[derive(Debug)]
pub struct Report {
    options: Options,
    root: Root,
    rule_index: HashMap<&'static str, usize>,
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
}

fn location(artifact: &ArtifactLocation, region: Option<Region>) -> Location {
    Location {
        id: None,
        physical_location: PhysicalLocation {
            artifact_location: artifact.clone(),
            region,
        },
        message: None,
    }
}

/// The rule's own category, from the catalog (`INVALID-DESIGN` and unknown ids: reliability).
fn category(rule: &str) -> Category {
    crate::analyze::rules::rule(rule).map_or(Category::RELIABILITY, |r| r.category)
}

/// A stable 64-bit FNV-1a hash, printed as 16 hex digits: the same input gives the same
/// fingerprint on every platform and version.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The fingerprints of a finding: its identity, rule and ids, with `n` telling apart findings
/// of the same identity in one file (GitHub's `hash:occurrence` form).
pub fn fingerprints(rule: &str, ids: &[&str], n: usize) -> BTreeMap<&'static str, String> {
    let mut parts = vec![rule];
    parts.extend_from_slice(ids);
    BTreeMap::from([
        ("primaryLocationLineHash", format!("{}:{n}", fnv1a(&parts))),
        ("infraplanFinding/v1", format!("{rule}:{}", ids.join(","))),
    ])
}

impl Report {
    pub fn new(options: Options, root: Root) -> Report {
        let rule_index = catalog()
            .map(|r| r.id)
            .chain([INVALID_DESIGN])
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        Report {
            options,
            root,
            rule_index,
            results: Vec::new(),
            notifications: Vec::new(),
        }
    }

    /// The artifact location of a design file.
    pub fn artifact(&self, path: &Path) -> ArtifactLocation {
        self.root.artifact(path)
    }

    /// Adds the findings of one design; `text` is the file's text, to find places in.
    pub fn add_design(
        &mut self,
        path: &Path,
        text: &str,
        format: Format,
        design: &Design,
        reviewed: &[Reviewed],
    ) {
        let artifact = self.artifact(path);
        let lines = Lines::for_design(text, format, design);
        let mut seen: HashMap<(&str, Vec<&str>), usize> = HashMap::new();
        for r in reviewed {
            let accepted = r.is_accepted();
            if accepted && self.options.accepted == Accepted::Omit {
                continue;
            }
            let f = &r.finding;
            let ids = f.ids();
            let n = {
                let n = seen.entry((f.rule, ids.clone())).or_insert(0);
                *n += 1;
                *n
            };
            let (primary, related) = places(&lines, design, r, &artifact);
            let suppressions = match &r.status {
                Status::Accepted { reason, expires } => vec![Suppression {
                    kind: "inSource",
                    status: "accepted",
                    justification: reason.clone(),
                    location: r
                        .acceptance
                        .map(|i| location(&artifact, lines.accepted_span(i).map(Region::of))),
                    properties: expires
                        .as_ref()
                        .map(|e| BTreeMap::from([("expires", e.clone())])),
                }],
                _ => Vec::new(),
            };
            self.results.push(SarifResult {
                rule_id: f.rule,
                rule_index: self.rule_index.get(f.rule).copied(),
                level: Level::of(f.severity),
                message: Message { text: message(f) },
                locations: vec![primary],
                related_locations: related,
                partial_fingerprints: fingerprints(f.rule, &ids, n),
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

    /// Records a design that could not be loaded: an `INVALID-DESIGN` error result and an
    /// error notification per problem, at the problem's place.
    pub fn add_error(&mut self, path: &Path, error: &DesignError) {
        let artifact = self.artifact(path);
        let problems: Vec<(String, Option<Region>)> = match error {
            DesignError::Invalid(inv) => {
                let index = LineIndex::new(&inv.source);
                inv.problems
                    .iter()
                    .map(|p| {
                        let text = match &p.help {
                            Some(h) => format!("{} ({h})", p.message),
                            None => p.message.clone(),
                        };
                        let region = match &p.span {
                            Some(span) => Some(Region::of(index.span(span.clone()))),
                            None => Region::at(p.line, p.column),
                        };
                        (text, region)
                    })
                    .collect()
            }
            DesignError::Binary { line, column, .. }
            | DesignError::NotUtf8 { line, column, .. } => {
                vec![(error.to_string(), Region::at(*line, *column))]
            }
            other => vec![(other.to_string(), None)],
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (text, region) in problems {
            let n = {
                let n = seen.entry(text.clone()).or_insert(0);
                *n += 1;
                *n
            };
            self.results.push(SarifResult {
                rule_id: INVALID_DESIGN,
                rule_index: self.rule_index.get(INVALID_DESIGN).copied(),
                level: Level::Error,
                message: Message {
                    text: format!("the design cannot be analyzed: {text}"),
                },
                locations: vec![location(&artifact, region.clone())],
                related_locations: Vec::new(),
                partial_fingerprints: fingerprints(INVALID_DESIGN, &[&text], n),
                suppressions: Vec::new(),
                properties: ResultProperties {
                    severity: Severity::High,
                    components: Vec::new(),
                    servers: Vec::new(),
                    recommendation: "fix the design file so that `infraplan validate` accepts it"
                        .to_string(),
                    acceptance_expired: None,
                },
            });
            self.notifications.push(Notification {
                level: Level::Error,
                message: Message {
                    text: format!("{}: {text}", artifact.uri),
                },
                locations: vec![location(&artifact, region)],
            });
        }
    }

    /// The SARIF log: execution is successful when every design loaded.
    pub fn into_log(self) -> Log {
        let repository = env!("CARGO_PKG_REPOSITORY");
        Log {
            schema: SCHEMA,
            version: VERSION,
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "infraplan",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: (!repository.is_empty()).then(|| repository.to_string()),
                        rules: catalog()
                            .map(|r| descriptor(r, repository))
                            .chain([invalid_descriptor(repository)])
                            .collect(),
                    },
                },
                automation_details: self.options.category.as_ref().map(|c| AutomationDetails {
                    id: format!("{}/", c.trim_end_matches('/')),
                }),
                original_uri_base_ids: BTreeMap::from([(
                    SRCROOT,
                    BaseUri {
                        uri: self.root.uri(),
                    },
                )]),
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

/// The finding's sentence and its fix.
pub fn message(f: &Finding) -> String {
    if f.recommendation.is_empty() {
        f.message.clone()
    } else {
        format!("{}. Fix: {}.", f.message, f.recommendation)
    }
}

/// Something a finding concerns, with a place in the design file.
#[derive(Debug, Clone, Copy)]
enum Place<'a> {
    /// The `[[accepted]]` entry of a stale acceptance.
    Accepted,
    Link(usize),
    Server(&'a str),
    Component(&'a str),
}

/// The places of what a finding concerns, in the order reports prefer them as the one to point
/// at: a stale acceptance's entry; for a rule about links' encryption, the links' `protocol`
/// lines; the servers' `id` lines, then the components', then (for other rules) the links'.
fn candidates<'a>(
    lines: &'a Lines,
    f: &'a Finding,
    acceptance: Option<usize>,
) -> impl Iterator<Item = (Span, Place<'a>)> + 'a {
    let at_link = category(f.rule).at_link;
    let links = move |wanted: bool| {
        f.links
            .iter()
            .filter(move |_| wanted)
            .filter_map(move |&i| {
                lines
                    .link_place(i)
                    .map(|p| (p.protocol.unwrap_or(p.item), Place::Link(i)))
            })
    };
    let stale = (f.rule == crate::accept::STALE_ACCEPTANCE)
        .then(|| acceptance.and_then(|i| lines.accepted_span(i)))
        .flatten()
        .map(|span| (span, Place::Accepted));
    stale
        .into_iter()
        .chain(links(at_link))
        .chain(f.servers.iter().filter_map(move |id| {
            lines
                .server_span(id)
                .map(|s| (s, Place::Server(id.as_str())))
        }))
        .chain(f.components.iter().filter_map(move |id| {
            lines
                .component_span(id)
                .map(|s| (s, Place::Component(id.as_str())))
        }))
        .chain(links(!at_link))
}

/// Where every report points at a finding (SARIF's primary location, the annotations, the text
/// and Markdown `file:line:column`): see [`candidates`]. `acceptance` is the index of the
/// `[[accepted]]` entry the finding is about, for a stale acceptance.
pub fn primary_span(lines: &Lines, f: &Finding, acceptance: Option<usize>) -> Option<Span> {
    candidates(lines, f, acceptance).next().map(|(s, _)| s)
}

/// Where a finding points, and the other things it concerns.
fn places(
    lines: &Lines,
    design: &Design,
    r: &Reviewed,
    artifact: &ArtifactLocation,
) -> (Location, Vec<Location>) {
    let name = |place: Place| match place {
        Place::Accepted => "the accepted risk".to_string(),
        Place::Link(i) => design.links.get(i).map_or_else(
            || format!("link {i}"),
            |l| format!("link `{}` → `{}` ({})", l.from, l.to, l.protocol.as_str()),
        ),
        Place::Server(id) => format!("server `{id}`"),
        Place::Component(id) => format!("`{id}`"),
    };
    let mut candidates = candidates(lines, &r.finding, r.acceptance);
    let primary = location(artifact, candidates.next().map(|(s, _)| Region::of(s)));
    let related = candidates
        .take(MAX_RELATED)
        .enumerate()
        .map(|(i, (span, place))| Location {
            id: Some(i + 1),
            message: Some(Message { text: name(place) }),
            ..location(artifact, Some(Region::of(span)))
        })
        .collect();
    (primary, related)
}

/// GitHub's `security-severity` for a security rule: a score in the band of its severity
/// (critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.1",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match Level::of(s) {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "recommendation",
    }
}

/// The web address of a page of the repository's documentation (`docs/rules.md#no-https`), when
/// the package names its repository (`repository` in Cargo.toml).
fn help_uri(repository: &str, page: &str) -> Option<String> {
    (!repository.is_empty())
        .then(|| format!("{}/blob/main/{page}", repository.trim_end_matches('/')))
}

/// Where the design file's refusals are documented, for `INVALID-DESIGN`.
pub const INVALID_DESIGN_DOCS: &str = "docs/format.md#what-is-refused";

/// A rule of the catalog as SARIF describes rules.
fn descriptor(r: &Rule, repository: &str) -> ReportingDescriptor {
    let security = r.category.security;
    let mut tags = vec![
        if security { "security" } else { "reliability" }.to_string(),
        "infrastructure".to_string(),
    ];
    tags.extend(r.category.cwe.map(|c| c.tag()));
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
        help_uri: help_uri(repository, &r.docs()),
        default_configuration: Configuration {
            level: Level::of(r.severity),
        },
        properties: RuleProperties {
            severity: r.severity,
            tags,
            precision: "high",
            problem_severity: (!security).then(|| problem_severity(r.severity)),
            security_severity: security.then(|| security_severity(r.severity)),
        },
    }
}

/// The pseudo-rule of designs that fail to load.
fn invalid_descriptor(repository: &str) -> ReportingDescriptor {
    let checks = "The design file is valid: TOML or JSON that `infraplan validate` accepts.";
    let fix = "Fix the file at the line the result points at; `infraplan validate FILE` \
               shows every problem with the offending line.";
    ReportingDescriptor {
        id: INVALID_DESIGN,
        name: "InvalidDesign".to_string(),
        short_description: Message {
            text: "the design file cannot be analyzed".to_string(),
        },
        full_description: Message {
            text: checks.to_string(),
        },
        help: MultiformatMessage {
            text: format!(
                "{checks}\n\nWhy it matters: an invalid design is not analyzed, so none of its risks are reported.\n\nHow to fix: {fix}"
            ),
            markdown: format!(
                "{checks}\n\n**Why it matters:** an invalid design is not analyzed, so none of its risks are reported.\n\n**How to fix:** {fix}"
            ),
        },
        help_uri: help_uri(repository, INVALID_DESIGN_DOCS),
        default_configuration: Configuration {
            level: Level::Error,
        },
        properties: RuleProperties {
            severity: Severity::High,
            tags: vec!["correctness".to_string(), "infrastructure".to_string()],
            precision: "very-high",
            problem_severity: Some("error"),
            security_severity: None,
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
    fn fingerprints_depend_on_identity_only() {
        let a = fingerprints("NO-HTTPS", &["haproxy", "user"], 1);
        assert_eq!(a, fingerprints("NO-HTTPS", &["haproxy", "user"], 1));
        let hash = &a["primaryLocationLineHash"];
        assert_eq!(hash.len(), 16 + 2, "{hash}");
        assert!(hash.ends_with(":1"));
        assert_ne!(
            hash,
            &fingerprints("NO-HTTPS", &["haproxy"], 1)["primaryLocationLineHash"]
        );
        assert_ne!(
            hash,
            &fingerprints("NO-FIREWALL", &["haproxy", "user"], 1)["primaryLocationLineHash"]
        );
        // Ids are separated, so ["ab"] and ["a", "b"] differ.
        assert_ne!(fnv1a(&["ab"]), fnv1a(&["a", "b"]));
        assert_eq!(a["infraplanFinding/v1"], "NO-HTTPS:haproxy,user");
    }

    #[test]
    fn security_rules_have_a_security_severity_and_others_a_problem_severity() {
        for r in catalog() {
            let d = descriptor(r, "https://example.com/infraplan/");
            assert_eq!(
                d.help_uri,
                Some(format!(
                    "https://example.com/infraplan/blob/main/docs/rules.md#{}",
                    r.id.to_ascii_lowercase()
                ))
            );
            assert_eq!(
                d.properties
                    .tags
                    .iter()
                    .any(|t| t.starts_with("external/cwe/")),
                r.category.cwe.is_some(),
                "{}",
                r.id
            );
            if r.category.security {
                assert!(d.properties.security_severity.is_some(), "{}", r.id);
                assert!(d.properties.tags.iter().any(|t| t == "security"));
                assert!(d.properties.problem_severity.is_none());
            } else {
                assert!(d.properties.security_severity.is_none(), "{}", r.id);
                assert!(d.properties.problem_severity.is_some());
            }
        }
        assert_eq!(help_uri("", "docs/rules.md"), None);
        let tls = descriptor(
            crate::analyze::rules::rule("TLS-TERMINATED-EARLY").expect("a rule"),
            "",
        );
        assert!(
            tls.properties
                .tags
                .contains(&"external/cwe/cwe-319".to_string())
        );
        assert_eq!(tls.properties.security_severity, Some("5.5"));
    }

    #[test]
    fn paths_under_the_root_are_relative_to_srcroot() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::create_dir_all(dir.path().join(".git")).expect("git dir");
        std::fs::create_dir_all(dir.path().join("sub/designs")).expect("dirs");
        let root = Root::from_dir(&dir.path().join("sub"));
        let a = root.artifact(Path::new("designs/x.toml"));
        assert_eq!(a.uri, "sub/designs/x.toml");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        assert!(root.uri().starts_with("file:///") && root.uri().ends_with('/'));
        let outside = root.artifact(Path::new("/definitely/elsewhere.toml"));
        assert_eq!(outside.uri, "file:///definitely/elsewhere.toml");
        assert_eq!(outside.uri_base_id, None);
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(camel("single point of failure"), "SinglePointOfFailure");
        assert_eq!(camel("no HTTPS / TLS"), "NoHTTPSTLS");
    }
}
