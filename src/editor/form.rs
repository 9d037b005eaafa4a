//! The property form: the fields of a component, server, link or the design itself, and how a
//! field's new value is written into the design.

use crate::model::{
    Algorithm, Cluster, ClusterMode, DbRole, Design, DnsRecord, Kind, Network, Protocol,
};

/// What a form edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Component(String),
    Server(String),
    Link(usize),
    Design,
}

/// One line of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub value: String,
    /// The values to cycle through; empty for free text.
    pub choices: Vec<String>,
    pub read_only: bool,
}

impl Field {
    fn text(name: &'static str, value: Option<&str>) -> Field {
        Field {
            name,
            value: value.unwrap_or_default().to_string(),
            choices: Vec::new(),
            read_only: false,
        }
    }

    fn choice(name: &'static str, value: &str, choices: Vec<String>) -> Field {
        Field {
            name,
            value: value.to_string(),
            choices,
            read_only: false,
        }
    }

    pub fn is_text(&self) -> bool {
        self.choices.is_empty() && !self.read_only
    }

    /// The next (or previous) choice, for choice fields.
    pub fn cycle(&self, forward: bool) -> Option<String> {
        if self.choices.is_empty() || self.read_only {
            return None;
        }
        let n = self.choices.len();
        let i = self.choices.iter().position(|c| *c == self.value);
        let next = match (i, forward) {
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
            (None, _) => 0,
        };
        Some(self.choices[next].clone())
    }
}

/// The form's state: its target, fields, the selected field and the text being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub target: Target,
    pub fields: Vec<Field>,
    pub sel: usize,
    pub editing: Option<super::textinput::TextInput>,
}

/// The value of an optional field that has none.
pub const NONE: &str = "(none)";

fn with_none(items: impl IntoIterator<Item = String>) -> Vec<String> {
    std::iter::once(NONE.to_string()).chain(items).collect()
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl Form {
    pub fn new(design: &Design, target: Target) -> Form {
        Form {
            fields: fields(design, &target),
            target,
            sel: 0,
            editing: None,
        }
    }

    pub fn title(&self) -> String {
        match &self.target {
            Target::Component(id) => format!("Component `{id}`"),
            Target::Server(id) => format!("Server `{id}`"),
            Target::Link(i) => format!("Link #{}", i + 1),
            Target::Design => "Design".to_string(),
        }
    }
}

/// The fields of a target as they are in the design now.
pub fn fields(design: &Design, target: &Target) -> Vec<Field> {
    match target {
        Target::Component(id) => {
            let Some(c) = design.component(id) else {
                return Vec::new();
            };
            let mut f = vec![
                Field::text("id", Some(&c.id)),
                Field::choice(
                    "kind",
                    c.kind.as_str(),
                    Kind::ALL.iter().map(|k| k.as_str().to_string()).collect(),
                ),
                Field::text("label", c.label.as_deref()),
                Field::text("software", c.software.as_deref()),
                Field::choice(
                    "server",
                    c.server.as_deref().unwrap_or(NONE),
                    with_none(design.servers.iter().map(|s| s.id.clone())),
                ),
                Field::text("cluster", c.cluster.as_deref()),
            ];
            // The cluster's own settings, shared by its members.
            if let Some(cl) = c.cluster.as_deref().and_then(|id| design.cluster(id)) {
                f.push(Field::choice(
                    "cluster mode",
                    cl.mode.as_str(),
                    ClusterMode::ALL
                        .iter()
                        .map(|m| m.as_str().to_string())
                        .collect(),
                ));
                f.push(Field::text("cluster vip", cl.vip.as_deref()));
            }
            if c.kind == Kind::LoadBalancer || c.algorithm.is_some() {
                f.push(Field::choice(
                    "algorithm",
                    c.algorithm.map_or(NONE, |a| a.as_str()),
                    with_none(Algorithm::ALL.iter().map(|a| a.as_str().to_string())),
                ));
            }
            if c.kind == Kind::Database || c.role.is_some() {
                f.push(Field::choice(
                    "role",
                    c.role.map_or(NONE, |r| r.as_str()),
                    with_none(["primary".to_string(), "replica".to_string()]),
                ));
            }
            f.push(Field::text("certificate", c.certificate.as_deref()));
            f.push(Field::choice(
                "redundant",
                yes_no(c.redundant),
                vec!["no".into(), "yes".into()],
            ));
            f
        }
        Target::Server(id) => {
            let Some(s) = design.server(id) else {
                return Vec::new();
            };
            let mut f = vec![
                Field::text("id", Some(&s.id)),
                Field::text("ip", s.ip.as_deref()),
                Field::text("label", s.label.as_deref()),
            ];
            // Placement is asked only of designs that place things: the others keep their form.
            let networks = design.servers.iter().any(|s| s.network.is_some())
                || design.components.iter().any(|c| c.network.is_some());
            if !design.zones.is_empty() {
                f.push(Field::choice(
                    "zone",
                    s.zone.as_deref().unwrap_or(NONE),
                    with_none(design.zones.iter().map(|z| z.id.clone())),
                ));
            }
            if !design.zones.is_empty() || networks {
                f.push(Field::choice(
                    "network",
                    s.network.map_or(NONE, Network::as_str),
                    with_none(
                        [Network::Public, Network::Private]
                            .iter()
                            .map(|n| n.as_str().to_string()),
                    ),
                ));
            }
            f
        }
        Target::Link(i) => {
            let Some(l) = design.links.get(*i) else {
                return Vec::new();
            };
            vec![
                Field::text("from", Some(&l.from)),
                Field::text("to", Some(&l.to)),
                Field::choice(
                    "protocol",
                    l.protocol.as_str(),
                    Protocol::ALL
                        .iter()
                        .map(|p| p.as_str().to_string())
                        .collect(),
                ),
                Field::text("port", l.port.map(|p| p.to_string()).as_deref()),
                Field::text("label", l.label.as_deref()),
            ]
        }
        Target::Design => {
            let dns = design.dns.first();
            vec![
                Field::text("name", Some(&design.name)),
                Field::text("domain", design.domain.as_deref()),
                Field::text("description", design.description.as_deref()),
                Field::text("dns name", dns.map(|r| r.name.as_str())),
                Field::text("dns target", dns.map(|r| r.target.as_str())),
            ]
        }
    }
}

fn opt(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v != NONE).then(|| v.to_string())
}

/// Writes one field into the design; the target afterwards (a rename changes it).
pub fn apply(
    design: &mut Design,
    target: &Target,
    field: &str,
    value: &str,
) -> Result<Target, String> {
    match target {
        Target::Component(id) => {
            if field == "id" {
                return rename(design, id, value).map(Target::Component);
            }
            if field == "cluster"
                && let Some(cl) = opt(value)
                && design.cluster(&cl).is_none()
            {
                if design.id_taken(&cl) {
                    return Err(format!("`{cl}` is not a cluster"));
                }
                design.clusters.push(Cluster {
                    id: cl,
                    mode: Default::default(),
                    vip: None,
                    label: None,
                });
            }
            if let Some(setting) = field.strip_prefix("cluster ") {
                let cl = design
                    .component(id)
                    .and_then(|c| c.cluster.clone())
                    .ok_or_else(|| format!("`{id}` is in no cluster"))?;
                let cluster = design
                    .clusters
                    .iter_mut()
                    .find(|c| c.id == cl)
                    .ok_or_else(|| format!("no cluster `{cl}`"))?;
                match setting {
                    "mode" => {
                        cluster.mode = ClusterMode::ALL
                            .into_iter()
                            .find(|m| m.as_str() == value)
                            .ok_or("unknown cluster mode")?
                    }
                    "vip" => cluster.vip = ip(value, "a virtual IP")?,
                    _ => return Err(format!("unknown field {field}")),
                }
                return Ok(target.clone());
            }
            let c = design
                .component_mut(id)
                .ok_or_else(|| format!("no component `{id}`"))?;
            match field {
                "kind" => c.kind = Kind::parse(value).ok_or("unknown kind")?,
                "label" => c.label = opt(value),
                "software" => c.software = opt(value),
                "server" => c.server = opt(value),
                "cluster" => c.cluster = opt(value),
                "algorithm" => {
                    c.algorithm = Algorithm::ALL.into_iter().find(|a| a.as_str() == value)
                }
                "role" => {
                    c.role = match value {
                        "primary" => Some(DbRole::Primary),
                        "replica" => Some(DbRole::Replica),
                        _ => None,
                    }
                }
                "certificate" => c.certificate = opt(value),
                "redundant" => c.redundant = value == "yes",
                _ => return Err(format!("unknown field {field}")),
            }
            // Attributes that no longer fit the kind go, so the design stays valid.
            if c.kind != Kind::Database {
                c.role = None;
            }
            if c.kind != Kind::LoadBalancer {
                c.algorithm = None;
            }
            Ok(target.clone())
        }
        Target::Server(id) => {
            if field == "id" {
                return rename(design, id, value).map(Target::Server);
            }
            let zone = opt(value);
            if field == "zone"
                && let Some(z) = zone.as_deref()
                && design.zone(z).is_none()
            {
                return Err(format!("no zone `{z}`"));
            }
            let s = design
                .servers
                .iter_mut()
                .find(|s| &s.id == id)
                .ok_or_else(|| format!("no server `{id}`"))?;
            match field {
                "ip" => s.ip = ip(value, "a server's IP")?,
                "label" => s.label = opt(value),
                "zone" => s.zone = zone,
                "network" => {
                    s.network = match opt(value).as_deref() {
                        None => None,
                        Some("public") => Some(Network::Public),
                        Some("private") => Some(Network::Private),
                        Some(v) => {
                            return Err(format!("`{v}` is not a network: public or private"));
                        }
                    }
                }
                _ => return Err(format!("unknown field {field}")),
            }
            Ok(target.clone())
        }
        Target::Link(i) => {
            let l = design.links.get_mut(*i).ok_or("no such link")?;
            match field {
                // A component or a cluster; the validator refuses ids that name neither.
                "from" => l.from = value.trim().to_string(),
                "to" => l.to = value.trim().to_string(),
                "protocol" => {
                    let p = Protocol::parse(value).ok_or("unknown protocol")?;
                    if l.port == l.protocol.default_port() {
                        l.port = p.default_port();
                    }
                    l.protocol = p;
                }
                "port" => {
                    l.port = match opt(value) {
                        None => None,
                        Some(v) => Some(
                            v.parse::<u16>()
                                .map_err(|_| format!("`{v}` is not a port (1–65535)"))?,
                        ),
                    }
                }
                "label" => l.label = opt(value),
                _ => return Err(format!("unknown field {field}")),
            }
            Ok(target.clone())
        }
        Target::Design => {
            match field {
                "name" => {
                    design.name = opt(value).ok_or("a design needs a name")?;
                }
                "domain" => design.domain = opt(value),
                "description" => design.description = opt(value),
                "dns name" | "dns target" => {
                    let v = opt(value);
                    match (design.dns.first_mut(), v) {
                        (Some(r), Some(v)) => {
                            if field == "dns name" {
                                r.name = v;
                            } else {
                                r.target = v;
                            }
                        }
                        (Some(_), None) => {
                            design.dns.remove(0);
                        }
                        (None, Some(v)) => {
                            let first_target = design
                                .servers
                                .first()
                                .map(|s| s.id.clone())
                                .unwrap_or_default();
                            let (name, target) = if field == "dns name" {
                                (v, first_target)
                            } else {
                                ("www".to_string(), v)
                            };
                            design.dns.push(DnsRecord {
                                name,
                                record_type: Default::default(),
                                target,
                            });
                        }
                        (None, None) => {}
                    }
                }
                _ => return Err(format!("unknown field {field}")),
            }
            Ok(Target::Design)
        }
    }
}

/// An optional IP address field: empty, or an IPv4 or IPv6 address.
fn ip(value: &str, what: &str) -> Result<Option<String>, String> {
    match opt(value) {
        None => Ok(None),
        Some(v) if v.parse::<std::net::IpAddr>().is_ok() => Ok(Some(v)),
        Some(v) => Err(format!(
            "`{v}` is not an IP address: {what} is written like 10.0.0.1 or 2001:db8::1"
        )),
    }
}

fn rename(design: &mut Design, old: &str, new: &str) -> Result<String, String> {
    let new = new.trim();
    if new.is_empty() {
        return Err("an id cannot be empty".into());
    }
    if new != old && design.id_taken(new) {
        return Err(format!("`{new}` is already used"));
    }
    design.rename(old, new);
    Ok(new.to_string())
}

#[cfg(test)]
mod zone_tests {
    use super::*;
    use crate::model::{Server, Zone};

    fn design() -> Design {
        let mut d = Design::new("zones");
        d.servers.push(Server {
            id: "s1".into(),
            ..Default::default()
        });
        d
    }

    fn names(d: &Design) -> Vec<&'static str> {
        fields(d, &Target::Server("s1".into()))
            .iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn a_server_form_asks_for_a_zone_only_in_designs_with_zones() {
        let mut d = design();
        assert_eq!(names(&d), ["id", "ip", "label"]);
        d.zones.push(Zone {
            id: "a".into(),
            ..Default::default()
        });
        assert_eq!(names(&d), ["id", "ip", "label", "zone", "network"]);
        let t = Target::Server("s1".into());
        apply(&mut d, &t, "zone", "a").expect("a known zone");
        assert_eq!(d.servers[0].zone.as_deref(), Some("a"));
        assert!(apply(&mut d, &t, "zone", "b").is_err());
        apply(&mut d, &t, "network", "public").expect("a network");
        assert_eq!(d.servers[0].network, Some(Network::Public));
        apply(&mut d, &t, "zone", NONE).expect("none");
        apply(&mut d, &t, "network", NONE).expect("none");
        assert_eq!(d.servers[0].zone, None);
        assert_eq!(d.servers[0].network, None);
    }
}
