//! Checks that a parsed design is whole: ids unique, every reference names something that
//! exists, attributes that fit the kind. Each problem carries the path of the offending value in
//! the document so that the loader can point at its line.

use crate::io::excerpt as q;
use crate::model::{Design, FORMAT_VERSION, Kind};
use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

/// One step of a path into the document: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(&'static str),
    Index(usize),
}

/// A problem with a design, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: Option<String>,
    pub path: Vec<Step>,
}

impl Problem {
    fn new(message: String, path: Vec<Step>) -> Problem {
        Problem {
            message,
            help: None,
            path,
        }
    }
    fn help(mut self, help: String) -> Problem {
        self.help = Some(help);
        self
    }
}

fn at(section: &'static str, i: usize, key: &'static str) -> Vec<Step> {
    vec![Step::Key(section), Step::Index(i), Step::Key(key)]
}

/// What an id names, for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    Zone,
    Server,
    Cluster,
    Component,
}

impl Named {
    fn word(self) -> &'static str {
        match self {
            Named::Zone => "zone",
            Named::Server => "server",
            Named::Cluster => "cluster",
            Named::Component => "component",
        }
    }
}

/// Lists up to a few ids for a help line.
fn some_ids<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = ids.len();
    let ids: Vec<&str> = ids.take(8).collect();
    if ids.is_empty() {
        return "there are none".to_string();
    }
    let mut out: Vec<String> = ids.iter().take(8).map(|i| format!("`{}`", q(i))).collect();
    if total > 8 {
        out.push(format!("and {} more", total - 8));
    }
    out.join(", ")
}

/// Checks a design; an empty list means it is valid.
pub fn validate(design: &Design) -> Vec<Problem> {
    let mut problems = Vec::new();
    if design.version > FORMAT_VERSION {
        problems.push(
            Problem::new(
                format!(
                    "format version {} is newer than this infraplan understands (version {FORMAT_VERSION})",
                    design.version
                ),
                vec![Step::Key("version")],
            )
            .help("upgrade infraplan to read this file".to_string()),
        );
        return problems;
    }
    if design.version == 0 {
        problems.push(Problem::new(
            "format version 0 does not exist; the current version is 1".to_string(),
            vec![Step::Key("version")],
        ));
    }

    let mut names: HashMap<&str, (Named, usize)> = HashMap::with_capacity_and_hasher(
        design.components.len() + design.servers.len() + design.clusters.len() + design.zones.len(),
        Default::default(),
    );
    let sections: [(&'static str, Named, Vec<&str>); 4] = [
        (
            "zones",
            Named::Zone,
            design.zones.iter().map(|z| z.id.as_str()).collect(),
        ),
        (
            "servers",
            Named::Server,
            design.servers.iter().map(|s| s.id.as_str()).collect(),
        ),
        (
            "clusters",
            Named::Cluster,
            design.clusters.iter().map(|c| c.id.as_str()).collect(),
        ),
        (
            "components",
            Named::Component,
            design.components.iter().map(|c| c.id.as_str()).collect(),
        ),
    ];
    for (section, named, ids) in &sections {
        for (i, id) in ids.iter().enumerate() {
            if id.trim().is_empty() {
                problems.push(Problem::new(
                    format!("{} id is empty", named.word()),
                    at(section, i, "id"),
                ));
                continue;
            }
            if let Some((other, j)) = names.get(id) {
                problems.push(
                    Problem::new(
                        format!(
                            "duplicate id `{}`: {} #{} already uses it",
                            q(id),
                            other.word(),
                            j + 1
                        ),
                        at(section, i, "id"),
                    )
                    .help(
                        "ids must be unique across zones, servers, clusters and components"
                            .to_string(),
                    ),
                );
            } else {
                names.insert(id, (*named, i));
            }
        }
    }
    let kind_of = |id: &str| names.get(id).map(|(n, _)| *n);
    let server_help = OnceCell::new();
    let cluster_help = OnceCell::new();

    for (i, s) in design.servers.iter().enumerate() {
        if let Some(zone) = &s.zone
            && kind_of(zone) != Some(Named::Zone)
        {
            problems.push(
                Problem::new(
                    format!(
                        "server `{}` is in zone `{}`, which does not exist",
                        q(&s.id),
                        q(zone)
                    ),
                    at("servers", i, "zone"),
                )
                .help(format!(
                    "zones: {}",
                    some_ids(design.zones.iter().map(|z| z.id.as_str()))
                )),
            );
        }
    }
    for (i, z) in design.zones.iter().enumerate() {
        if let Some(region) = &z.region {
            if region.trim().is_empty() {
                problems.push(Problem::new(
                    format!("zone `{}` names an empty region", q(&z.id)),
                    at("zones", i, "region"),
                ));
            } else if let Some((other, _)) = names.get(region.as_str()) {
                // `simulate --fail` and the picker name a region by its name, as they name
                // everything else by its id.
                problems.push(
                    Problem::new(
                        format!(
                            "zone `{}` is in region `{}`, but a {} already has that id",
                            q(&z.id),
                            q(region),
                            other.word()
                        ),
                        at("zones", i, "region"),
                    )
                    .help("a region's name must differ from every id".to_string()),
                );
            }
        }
    }

    for (i, c) in design.components.iter().enumerate() {
        if let Some(server) = &c.server {
            match kind_of(server) {
                Some(Named::Server) => {}
                _ => problems.push(
                    Problem::new(
                        format!(
                            "component `{}` is on server `{}`, which does not exist",
                            q(&c.id),
                            q(server)
                        ),
                        at("components", i, "server"),
                    )
                    .help(
                        server_help
                            .get_or_init(|| {
                                format!(
                                    "servers: {}",
                                    some_ids(design.servers.iter().map(|s| s.id.as_str()))
                                )
                            })
                            .clone(),
                    ),
                ),
            }
        }
        if let Some(cluster) = &c.cluster
            && kind_of(cluster) != Some(Named::Cluster)
        {
            problems.push(
                Problem::new(
                    format!(
                        "component `{}` is in cluster `{}`, which does not exist",
                        q(&c.id),
                        q(cluster)
                    ),
                    at("components", i, "cluster"),
                )
                .help(
                    cluster_help
                        .get_or_init(|| {
                            format!(
                                "clusters: {}",
                                some_ids(design.clusters.iter().map(|c| c.id.as_str()))
                            )
                        })
                        .clone(),
                ),
            );
        }
        if c.algorithm.is_some() && c.kind != Kind::LoadBalancer {
            problems.push(Problem::new(
                format!(
                    "`algorithm` applies to load balancers, but `{}` is a {}",
                    q(&c.id),
                    c.kind
                ),
                at("components", i, "algorithm"),
            ));
        }
        if c.role.is_some() && c.kind != Kind::Database {
            problems.push(Problem::new(
                format!(
                    "`role` applies to databases, but `{}` is a {}",
                    q(&c.id),
                    c.kind
                ),
                at("components", i, "role"),
            ));
        }
        if c.x.is_some() != c.y.is_some() {
            let (key, missing) = if c.x.is_some() {
                ("x", "y")
            } else {
                ("y", "x")
            };
            problems.push(Problem::new(
                format!(
                    "component `{}` has `{key}` but no `{missing}`: give both or neither",
                    q(&c.id)
                ),
                at("components", i, key),
            ));
        }
    }

    // Each help line is made once, however many problems share it.
    let components_help = OnceCell::new();
    let endpoint_help = || {
        components_help
            .get_or_init(|| {
                format!(
                    "components: {}",
                    some_ids(design.components.iter().map(|c| c.id.as_str()))
                )
            })
            .clone()
    };
    let backup_clusters = OnceCell::new();
    for (i, l) in design.links.iter().enumerate() {
        for (key, id) in [("from", &l.from), ("to", &l.to)] {
            match kind_of(id) {
                Some(Named::Component | Named::Cluster) => {}
                Some(Named::Zone) => problems.push(
                    Problem::new(
                        format!(
                            "link {key} `{}`: that is a zone; links join components or clusters",
                            q(id)
                        ),
                        at("links", i, key),
                    )
                    .help(endpoint_help()),
                ),
                Some(Named::Server) => problems.push(
                    Problem::new(
                        format!(
                            "link {key} `{}`: that is a server; links join components or clusters",
                            q(id)
                        ),
                        at("links", i, key),
                    )
                    .help(format!(
                        "link to one of the components installed on `{}`",
                        q(id)
                    )),
                ),
                None => problems.push(
                    Problem::new(
                        format!(
                            "link {key} `{}`, which is not a component or cluster",
                            q(id)
                        ),
                        at("links", i, key),
                    )
                    .help(endpoint_help()),
                ),
            }
        }
        if l.from == l.to {
            problems.push(Problem::new(
                format!("link from `{}` to itself", q(&l.from)),
                at("links", i, "to"),
            ));
        }
        // A backup link says where copies of the data are kept: it must end at a backup (a
        // cluster: all its members).
        let ends_at_backup = || match names.get(l.to.as_str()) {
            Some((Named::Component, i)) => design.components[*i].kind == Kind::Backup,
            Some((Named::Cluster, _)) => backup_clusters
                .get_or_init(|| clusters_of_backups(design))
                .get(l.to.as_str())
                .copied()
                .unwrap_or(true),
            // A server is refused as an endpoint above.
            _ => true,
        };
        if l.protocol.is_backup() && kind_of(&l.to).is_some() && !ends_at_backup() {
            problems.push(
                Problem::new(
                    format!(
                        "link `{}` -> `{}` uses protocol `{}`, but `{}` is not a backup",
                        q(&l.from),
                        q(&l.to),
                        l.protocol,
                        q(&l.to)
                    ),
                    at("links", i, "protocol"),
                )
                .help("backup links go to a component of kind `backup`".to_string()),
            );
        }
    }

    for (i, r) in design.dns.iter().enumerate() {
        if matches!(kind_of(&r.target), None | Some(Named::Zone)) {
            problems.push(
                Problem::new(
                    format!(
                        "DNS record `{}` points to `{}`, which is not a server, cluster or component",
                        q(&r.name), q(&r.target)
                    ),
                    at("dns", i, "target"),
                )
                .help(endpoint_help()),
            );
        }
    }

    for (i, a) in design.accepted.iter().enumerate() {
        if let Some(date) = &a.expires
            && crate::date::parse_date(date).is_none()
        {
            problems.push(Problem::new(
                format!(
                    "expiry date `{}` is not a date: write it as YYYY-MM-DD",
                    q(date)
                ),
                at("accepted", i, "expires"),
            ));
        }
        if a.ids.is_empty() {
            problems.push(Problem::new(
                format!(
                    "accepted risk `{}` names no ids: list the ids the finding concerns",
                    q(&a.rule)
                ),
                at("accepted", i, "ids"),
            ));
        }
    }
    problems.extend(resilience_problems(design));
    problems
}

/// The numbers of the resilience analysis: availabilities, repair times, capacities and the
/// peak load must be numbers that mean something.
fn resilience_problems(design: &Design) -> Vec<Problem> {
    use crate::model::Number;
    let mut problems = Vec::new();
    let mut reliability = |what: &str,
                           section: &'static str,
                           i: usize,
                           availability: Option<Number>,
                           mtbf: Option<Number>,
                           mttr: Option<Number>| {
        if let Some(Number(a)) = availability {
            if !(a > 0.0 && a <= 1.0) {
                problems.push(
                    Problem::new(
                        format!("{what}: availability {a} is outside (0, 1]"),
                        at(section, i, "availability"),
                    )
                    .help("write it as a fraction: 0.999 is 99.9%".to_string()),
                );
            }
            if mtbf.is_some() || mttr.is_some() {
                let key = if mtbf.is_some() { "mtbf" } else { "mttr" };
                problems.push(Problem::new(
                    format!("{what} has both `availability` and `{key}`: give one or the other"),
                    at(section, i, key),
                ));
            }
        }
        if let Some(Number(h)) = mtbf
            && !(h.is_finite() && h > 0.0)
        {
            problems.push(Problem::new(
                format!("{what}: mtbf {h} must be a number of hours above 0"),
                at(section, i, "mtbf"),
            ));
        }
        if let Some(Number(h)) = mttr
            && !(h.is_finite() && h >= 0.0)
        {
            problems.push(Problem::new(
                format!("{what}: mttr {h} must be a number of hours, 0 or more"),
                at(section, i, "mttr"),
            ));
        }
        if mtbf.is_some() != mttr.is_some() && availability.is_none() {
            let (key, missing) = if mtbf.is_some() {
                ("mtbf", "mttr")
            } else {
                ("mttr", "mtbf")
            };
            problems.push(Problem::new(
                format!("{what} has `{key}` but no `{missing}`: give both"),
                at(section, i, key),
            ));
        }
    };
    for (i, z) in design.zones.iter().enumerate() {
        reliability(
            &format!("zone `{}`", z.id),
            "zones",
            i,
            z.availability,
            z.mtbf,
            z.mttr,
        );
    }
    for (i, s) in design.servers.iter().enumerate() {
        reliability(
            &format!("server `{}`", s.id),
            "servers",
            i,
            s.availability,
            s.mtbf,
            s.mttr,
        );
    }
    for (i, c) in design.components.iter().enumerate() {
        reliability(
            &format!("component `{}`", c.id),
            "components",
            i,
            c.availability,
            c.mtbf,
            c.mttr,
        );
    }
    for (i, c) in design.components.iter().enumerate() {
        if let Some(Number(rps)) = c.capacity
            && !(rps.is_finite() && rps > 0.0)
        {
            problems.push(
                Problem::new(
                    format!(
                        "component `{}`: capacity {rps} must be requests per second above 0",
                        c.id
                    ),
                    at("components", i, "capacity"),
                )
                .help("leave `capacity` out where it is not known".to_string()),
            );
        }
        for (key, set) in [
            ("replication", c.replication.is_some()),
            ("failover", c.failover.is_some()),
        ] {
            if set && c.kind != Kind::Database {
                problems.push(Problem::new(
                    format!(
                        "`{key}` applies to databases, but `{}` is a {}",
                        c.id, c.kind
                    ),
                    at("components", i, key),
                ));
            }
        }
        if let Some(Number(h)) = c.backup_every {
            if c.kind != Kind::Backup {
                problems.push(Problem::new(
                    format!(
                        "`backup_every` applies to backups, but `{}` is a {}",
                        c.id, c.kind
                    ),
                    at("components", i, "backup_every"),
                ));
            } else if !(h.is_finite() && h > 0.0) {
                problems.push(Problem::new(
                    format!(
                        "component `{}`: backup_every {h} must be hours above 0",
                        c.id
                    ),
                    at("components", i, "backup_every"),
                ));
            }
        }
        if let Some(Number(w)) = c.weight
            && !(w.is_finite() && w >= 0.0)
        {
            problems.push(Problem::new(
                format!("component `{}`: weight {w} must be 0 or more", c.id),
                at("components", i, "weight"),
            ));
        }
    }
    if let Some(Number(rps)) = design.peak_load
        && !(rps.is_finite() && rps >= 0.0)
    {
        problems.push(Problem::new(
            format!("peak_load {rps} must be requests per second, 0 or more"),
            vec![Step::Key("peak_load")],
        ));
    }
    problems
}

/// For each cluster with members, whether all of them are backups.
fn clusters_of_backups(design: &Design) -> HashMap<&str, bool> {
    let mut all: HashMap<&str, bool> = HashMap::default();
    for c in &design.components {
        if let Some(cluster) = c.cluster.as_deref() {
            let entry = all.entry(cluster).or_insert(true);
            *entry &= c.kind == Kind::Backup;
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Link, Protocol};

    #[test]
    fn backup_links_end_at_a_backup() {
        let mut d = Design::new("backups");
        d.components.push(Component::new("db", Kind::Database));
        d.components.push(Component::new("web", Kind::WebServer));
        d.components.push(Component::new("vault", Kind::Backup));
        d.links.push(Link {
            from: "db".into(),
            to: "vault".into(),
            protocol: Protocol::BackupTls,
            port: None,
            label: None,
        });
        assert!(validate(&d).is_empty());
        d.links[0].to = "web".into();
        let problems = validate(&d);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("not a backup"),
            "{}",
            problems[0].message
        );
    }
}

#[cfg(test)]
mod zone_tests {
    use super::*;
    use crate::model::{Number, Server, Zone};

    fn zoned() -> Design {
        let mut d = Design::new("zones");
        d.zones.push(Zone {
            id: "a".into(),
            region: Some("eu".into()),
            ..Default::default()
        });
        d.servers.push(Server {
            id: "s1".into(),
            zone: Some("a".into()),
            ..Default::default()
        });
        d
    }

    #[test]
    fn a_server_in_a_known_zone_is_valid() {
        assert!(validate(&zoned()).is_empty());
    }

    #[test]
    fn a_server_in_an_unknown_zone_is_refused_at_its_zone() {
        let mut d = zoned();
        d.servers[0].zone = Some("b".into());
        let p = validate(&d);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("zone `b`, which does not exist"));
        assert_eq!(p[0].path, at("servers", 0, "zone"));
        assert_eq!(p[0].help.as_deref(), Some("zones: `a`"));
    }

    #[test]
    fn zones_share_the_id_space() {
        let mut d = zoned();
        d.servers[0].id = "a".into();
        d.servers[0].zone = None;
        let p = validate(&d);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message.contains("zone #1 already uses it"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn a_zone_availability_must_be_a_fraction() {
        for bad in [0.0, 1.5, -0.1] {
            let mut d = zoned();
            d.zones[0].availability = Some(Number(bad));
            let p = validate(&d);
            assert_eq!(p.len(), 1, "{bad}");
            assert!(p[0].message.starts_with("zone `a`: availability"));
            assert_eq!(p[0].path, at("zones", 0, "availability"));
        }
        let mut d = zoned();
        d.zones[0].mtbf = Some(Number(1000.0));
        assert!(validate(&d)[0].message.contains("no `mttr`"));
    }

    #[test]
    fn a_region_named_like_an_id_is_ambiguous() {
        let mut d = zoned();
        d.zones[0].region = Some("s1".into());
        let p = validate(&d);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("a server already has that id"));
    }
}
