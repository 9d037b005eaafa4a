//! What changed between two versions of a design: its own fields (name, description, domain…),
//! DNS records, zones, servers, clusters, components, links and accepted risks added, removed and
//! changed, and the findings introduced and resolved.
//!
//! DNS records are matched by name and type (a record pointed at another target is "changed");
//! components, servers and clusters by id; links by from, to and protocol (a link whose port
//! or label changed is "changed"); accepted risks by rule and ids. Findings are matched by rule
//! and ids (the same identity acceptances use), so a finding whose sentence changed but that
//! concerns the same things is neither new nor resolved; findings left unmatched are then
//! matched by rule and sentence (see [`findings`]).

use crate::accept::{self, Reviewed};
use crate::analyze::{Severity, analyze};
use crate::date::Date;
use crate::model::SECTIONS;
use crate::model::{AcceptedRisk, Design, DnsRecord, Link};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// The whole difference between an old and a new design.
#[derive(Debug, Clone, Serialize)]
pub struct DesignDiff {
    /// The design's own fields: name, description, domain, version (and any other field that
    /// is not one of the sections below, compared whole).
    pub design: Vec<FieldChange>,
    pub dns: Section,
    /// Absent from the JSON where neither design changed its zones.
    #[serde(skip_serializing_if = "Section::is_empty")]
    pub zones: Section,
    pub clusters: Section,
    pub components: Section,
    pub servers: Section,
    pub links: Section,
    pub accepted: Section,
    pub findings: FindingsDiff,
}

/// Items of one kind added, removed and changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Section {
    pub added: Vec<Item>,
    pub removed: Vec<Item>,
    pub changed: Vec<Changed>,
}

/// An item with its key (the id, `from -> to (protocol)` for links, `RULE [ids]` for accepted
/// risks) and every field as the design file has it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub key: String,
    pub fields: Map<String, Value>,
}

/// An item present in both versions whose fields differ.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    pub key: String,
    pub fields: Vec<FieldChange>,
}

/// One field's old and new value; `null` where the field is absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingsDiff {
    /// In the new design and not the old one.
    pub introduced: Vec<ReviewedFinding>,
    /// In the old design and not the new one.
    pub resolved: Vec<ReviewedFinding>,
}

/// A finding with its acceptance status in the design it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewedFinding {
    #[serde(flatten)]
    pub finding: crate::analyze::Finding,
    #[serde(flatten)]
    pub status: accept::Status,
    /// The `[[accepted]]` entry concerned, in that design (see [`Reviewed::acceptance`]).
    #[serde(skip)]
    pub acceptance: Option<usize>,
}

impl From<Reviewed> for ReviewedFinding {
    fn from(r: Reviewed) -> ReviewedFinding {
        ReviewedFinding {
            finding: r.finding,
            status: r.status,
            acceptance: r.acceptance,
        }
    }
}

impl Section {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl DesignDiff {
    /// Whether the two designs hold the same things (positions and findings included).
    pub fn is_empty(&self) -> bool {
        self.design.is_empty()
            && self.dns.is_empty()
            && self.zones.is_empty()
            && self.clusters.is_empty()
            && self.components.is_empty()
            && self.servers.is_empty()
            && self.links.is_empty()
            && self.accepted.is_empty()
            && self.findings.introduced.is_empty()
            && self.findings.resolved.is_empty()
    }

    /// Whether a new finding that counts (not accepted) is at or above `severity`.
    pub fn introduces(&self, severity: Severity) -> bool {
        self.findings.introduced.iter().any(|f| {
            f.finding.severity >= severity && !matches!(f.status, accept::Status::Accepted { .. })
        })
    }
}

/// Compares two designs; acceptances are judged on `today` in each design.
pub fn diff(old: &Design, new: &Design, today: Date) -> DesignDiff {
    let old_findings = accept::apply(old, analyze(old), today);
    let new_findings = accept::apply(new, analyze(new), today);
    diff_reviewed(old, new, old_findings, new_findings)
}

/// Compares two designs whose findings are already reviewed (and, say, filtered by a project
/// configuration), each side's in the analyzer's order.
pub fn diff_reviewed(
    old: &Design,
    new: &Design,
    old_findings: Vec<Reviewed>,
    new_findings: Vec<Reviewed>,
) -> DesignDiff {
    DesignDiff {
        design: design_fields(old, new),
        dns: section(&old.dns, &new.dns, dns_key),
        zones: section(&old.zones, &new.zones, |z| z.id.clone()),
        clusters: section(&old.clusters, &new.clusters, |c| c.id.clone()),
        components: section(&old.components, &new.components, |c| c.id.clone()),
        servers: section(&old.servers, &new.servers, |s| s.id.clone()),
        links: section(&old.links, &new.links, link_key),
        accepted: section(&old.accepted, &new.accepted, accepted_key),
        findings: findings(old_findings, new_findings),
    }
}

/// The rule whose finding means that nothing else about the new design can be judged.
const SITE_UNREACHABLE: &str = "SITE-UNREACHABLE";

/// The changes of the design's own fields: everything but the item sections.
fn design_fields(old: &Design, new: &Design) -> Vec<FieldChange> {
    let own = |d: &Design| -> Map<String, Value> {
        fields(d)
            .into_iter()
            .filter(|(k, _)| !SECTIONS.contains(&k.as_str()))
            .collect()
    };
    compare(&own(old), &own(new))
}

fn dns_key(r: &DnsRecord) -> String {
    let kind = serde_json::to_value(r.record_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{} ({kind})", r.name)
}

fn link_key(l: &Link) -> String {
    format!("{} -> {} ({})", l.from, l.to, l.protocol)
}

fn accepted_key(a: &AcceptedRisk) -> String {
    let ids: BTreeSet<&str> = a.ids.iter().map(String::as_str).collect();
    format!(
        "{} [{}]",
        a.rule,
        ids.into_iter().collect::<Vec<_>>().join(", ")
    )
}

/// The fields of an item as the design file writes them.
fn fields<T: Serialize>(item: &T) -> Map<String, Value> {
    match serde_json::to_value(item) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Pairs items by key (the n-th item of a key in the old list with the n-th in the new one, so
/// repeated links pair up in order) and compares their fields.
fn section<T: Serialize>(old: &[T], new: &[T], key: impl Fn(&T) -> String) -> Section {
    let keyed = |items: &[T]| -> Vec<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        items
            .iter()
            .map(|item| {
                let k = key(item);
                let n = seen.entry(k.clone()).or_insert(0);
                *n += 1;
                if *n == 1 { k } else { format!("{k} #{n}") }
            })
            .collect()
    };
    let old_keys = keyed(old);
    let new_keys = keyed(new);
    let old_by_key: HashMap<&str, &T> = old_keys.iter().map(String::as_str).zip(old).collect();
    let new_by_key: HashMap<&str, &T> = new_keys.iter().map(String::as_str).zip(new).collect();
    let mut out = Section::default();
    for (k, item) in new_keys.iter().zip(new) {
        match old_by_key.get(k.as_str()) {
            None => out.added.push(Item {
                key: k.clone(),
                fields: fields(item),
            }),
            Some(before) => {
                let changes = compare(&fields(*before), &fields(item));
                if !changes.is_empty() {
                    out.changed.push(Changed {
                        key: k.clone(),
                        fields: changes,
                    });
                }
            }
        }
    }
    for (k, item) in old_keys.iter().zip(old) {
        if !new_by_key.contains_key(k.as_str()) {
            out.removed.push(Item {
                key: k.clone(),
                fields: fields(item),
            });
        }
    }
    out
}

/// The fields that differ, in the new item's field order, then fields only the old one had.
fn compare(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<FieldChange> {
    let mut changes: Vec<FieldChange> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(v))
        .map(|(k, v)| FieldChange {
            field: k.clone(),
            old: old.get(k).cloned().unwrap_or(Value::Null),
            new: v.clone(),
        })
        .collect();
    changes.extend(
        old.iter()
            .filter(|(k, _)| !new.contains_key(*k))
            .map(|(k, v)| FieldChange {
                field: k.clone(),
                old: v.clone(),
                new: Value::Null,
            }),
    );
    changes
}

/// Findings match by rule and ids; those left over match by rule and sentence, because some
/// findings list every component of a server (SPOF-SERVER) and adding a monitoring agent there
/// does not make the server's risk new.
///
/// A new design whose site no client reaches (SITE-UNREACHABLE) hides every finding about what
/// lies behind the entrance; those are not resolved, and are left out of `resolved`.
fn findings(old: Vec<Reviewed>, new: Vec<Reviewed>) -> FindingsDiff {
    let down = |v: &[Reviewed]| v.iter().any(|r| r.finding.rule == SITE_UNREACHABLE);
    let went_down = down(&new) && !down(&old);
    let key = |r: &Reviewed| -> (&'static str, Vec<String>) {
        (
            r.finding.rule,
            r.finding.ids().into_iter().map(str::to_string).collect(),
        )
    };
    let said = |r: &Reviewed| (r.finding.rule, r.finding.message.clone());
    let old_keys: BTreeSet<_> = old.iter().map(key).collect();
    let new_keys: BTreeSet<_> = new.iter().map(key).collect();
    let new_left: Vec<Reviewed> = new
        .into_iter()
        .filter(|r| !old_keys.contains(&key(r)))
        .collect();
    let old_left: Vec<Reviewed> = old
        .into_iter()
        .filter(|r| !new_keys.contains(&key(r)))
        .collect();
    let old_said: BTreeSet<_> = old_left.iter().map(said).collect();
    let new_said: BTreeSet<_> = new_left.iter().map(said).collect();
    FindingsDiff {
        introduced: new_left
            .into_iter()
            .filter(|r| !old_said.contains(&said(r)))
            .map(ReviewedFinding::from)
            .collect(),
        resolved: old_left
            .into_iter()
            .filter(|r| !went_down && !new_said.contains(&said(r)))
            .map(ReviewedFinding::from)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::reference;
    use crate::date::parse_date;

    fn today() -> Date {
        parse_date("2026-11-26").expect("date")
    }

    fn rules(f: &[ReviewedFinding]) -> Vec<&str> {
        f.iter().map(|f| f.finding.rule).collect()
    }

    #[test]
    fn zones_added_and_moved_are_reported() {
        let old = reference("02-distributed.toml");
        let mut new = old.clone();
        new.zones.push(crate::model::Zone {
            id: "a".into(),
            ..Default::default()
        });
        new.servers[0].zone = Some("a".into());
        let d = diff(&old, &new, today());
        assert_eq!(d.zones.added.len(), 1);
        assert_eq!(d.zones.added[0].key, "a");
        assert_eq!(d.servers.changed.len(), 1);
        assert_eq!(d.servers.changed[0].fields[0].field, "zone");
        // The JSON keeps its shape for designs without zones.
        let same = serde_json::to_value(diff(&old, &old, today())).expect("json");
        assert!(same.get("zones").is_none());
        assert!(
            serde_json::to_value(&d)
                .expect("json")
                .get("zones")
                .is_some()
        );
    }

    #[test]
    fn a_design_against_itself_has_no_difference() {
        let d = reference("03-secured-monitored.toml");
        let diff = diff(&d, &d, today());
        assert!(diff.is_empty(), "{diff:#?}");
        assert!(!diff.introduces(Severity::Info));
    }

    #[test]
    fn design_two_to_three_adds_firewalls_and_resolves_their_findings() {
        let old = reference("02-distributed.toml");
        let new = reference("03-secured-monitored.toml");
        let d = diff(&old, &new, today());
        let added: Vec<&str> = d.components.added.iter().map(|i| i.key.as_str()).collect();
        assert!(
            new.components
                .iter()
                .filter(|c| c.kind == crate::model::Kind::Firewall)
                .all(|c| added.contains(&c.id.as_str())),
            "{added:?}"
        );
        let resolved = rules(&d.findings.resolved);
        for rule in ["NO-FIREWALL", "NO-HTTPS", "NO-MONITORING"] {
            assert!(resolved.contains(&rule), "{rule} not in {resolved:?}");
        }
        let introduced = rules(&d.findings.introduced);
        assert!(
            introduced.contains(&"TLS-TERMINATED-EARLY"),
            "{introduced:?}"
        );
        assert!(d.introduces(Severity::Info));
    }

    #[test]
    fn deleting_the_clients_link_takes_the_site_down_and_resolves_nothing() {
        let old = reference("02-distributed.toml");
        let mut new = old.clone();
        new.links.retain(|l| l.from != "user");
        let d = diff(&old, &new, today());
        assert_eq!(rules(&d.findings.introduced), ["SITE-UNREACHABLE"]);
        assert!(d.findings.resolved.is_empty(), "{:#?}", d.findings.resolved);
        assert!(d.introduces(Severity::Critical));
        // And back: the findings behind the entrance count again.
        let back = diff(&new, &old, today());
        assert_eq!(rules(&back.findings.resolved), ["SITE-UNREACHABLE"]);
    }

    #[test]
    fn changed_removed_and_added_items_are_reported() {
        let old = reference("02-distributed.toml");
        let mut new = old.clone();
        let haproxy = new.component_mut("haproxy").expect("haproxy");
        haproxy.software = Some("Envoy".into());
        haproxy.algorithm = None;
        haproxy.x = Some(10);
        new.remove_component("code-2");
        new.remove_server("web-02");
        new.components.push(crate::model::Component::new(
            "cache",
            crate::model::Kind::Cache,
        ));
        let d = diff(&old, &new, today());
        assert_eq!(d.servers.removed.len(), 1);
        assert_eq!(d.servers.removed[0].key, "web-02");
        assert_eq!(d.components.removed[0].key, "code-2");
        assert_eq!(d.components.removed[0].fields["kind"], "app_files");
        assert_eq!(d.components.added[0].key, "cache");
        let haproxy = d
            .components
            .changed
            .iter()
            .find(|c| c.key == "haproxy")
            .expect("haproxy changed");
        assert_eq!(
            haproxy.fields,
            vec![
                FieldChange {
                    field: "software".into(),
                    old: "HAProxy".into(),
                    new: "Envoy".into(),
                },
                FieldChange {
                    field: "x".into(),
                    // The reference designs carry canvas positions (or not, before they did).
                    old: old
                        .component("haproxy")
                        .and_then(|c| c.x)
                        .map_or(Value::Null, Into::into),
                    new: 10.into(),
                },
                FieldChange {
                    field: "algorithm".into(),
                    old: "round-robin".into(),
                    new: Value::Null,
                },
            ]
        );
        // Components that lost their server changed too.
        assert!(d.components.changed.iter().any(|c| c.key == "nginx-2"));
    }

    #[test]
    fn link_port_change_is_a_change_and_protocol_change_is_add_and_remove() {
        let old = reference("01-simple.toml");
        let mut new = old.clone();
        new.links[1].port = Some(9000);
        new.links[0].protocol = crate::model::Protocol::Https;
        let d = diff(&old, &new, today());
        assert_eq!(d.links.changed.len(), 1);
        assert_eq!(d.links.changed[0].key, "nginx -> app (http)");
        assert_eq!(d.links.changed[0].fields[0].field, "port");
        assert_eq!(d.links.added[0].key, "user -> nginx (https)");
        assert_eq!(d.links.removed[0].key, "user -> nginx (http)");
    }

    #[test]
    fn dns_clusters_and_the_design_fields_are_compared() {
        let old = reference("04-scale-up.toml");
        let mut new = old.clone();
        new.domain = Some("example.org".into());
        new.name = "Renamed".into();
        let www = new.dns.first_mut().expect("a DNS record");
        let old_target = www.target.clone();
        www.target = "lb-02".into();
        let cluster = new.clusters.first_mut().expect("a cluster");
        cluster.vip = Some("203.0.113.9".into());
        cluster.mode = crate::model::ClusterMode::ActivePassive;
        let d = diff(&old, &new, today());
        assert!(!d.is_empty());
        let fields: Vec<&str> = d.design.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["domain", "name"]);
        assert_eq!(d.design[0].new, "example.org");
        assert_eq!(d.dns.changed.len(), 1, "{:?}", d.dns);
        assert_eq!(d.dns.changed[0].key, format!("{} (A)", old.dns[0].name));
        assert_eq!(
            d.dns.changed[0].fields,
            vec![FieldChange {
                field: "target".into(),
                old: old_target.into(),
                new: "lb-02".into(),
            }]
        );
        let cluster = &d.clusters.changed[0];
        let changed: Vec<&str> = cluster.fields.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(changed, ["mode", "vip"]);
        // Only what changed.
        assert!(d.components.is_empty() && d.links.is_empty() && d.servers.is_empty());
    }

    #[test]
    fn dns_records_added_and_removed() {
        let old = reference("01-simple.toml");
        let mut new = old.clone();
        new.dns.push(DnsRecord {
            name: "@".into(),
            record_type: crate::model::RecordType::Aaaa,
            target: old.dns[0].target.clone(),
        });
        let d = diff(&old, &new, today());
        assert_eq!(d.dns.added.len(), 1);
        assert_eq!(d.dns.added[0].key, "@ (AAAA)");
        let back = diff(&new, &old, today());
        assert_eq!(back.dns.removed[0].key, "@ (AAAA)");
    }

    #[test]
    fn accepted_new_findings_do_not_fail_but_open_ones_do() {
        let old = reference("05-resilient.toml");
        let mut new = reference("01-simple.toml");
        assert!(diff(&old, &new, today()).introduces(Severity::High));
        // Accept every high-or-worse finding of the new design.
        for f in analyze(&new) {
            if f.severity >= Severity::High {
                new.accepted.push(AcceptedRisk {
                    rule: f.rule.to_string(),
                    ids: f.ids().iter().map(|s| s.to_string()).collect(),
                    reason: "prototype".into(),
                    expires: None,
                });
            }
        }
        let d = diff(&old, &new, today());
        assert!(!d.introduces(Severity::High));
        assert!(d.introduces(Severity::Medium));
        assert!(!d.accepted.added.is_empty());
    }
}
