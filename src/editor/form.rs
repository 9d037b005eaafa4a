//! The property form: the fields of a component, server, zone, link or the design itself, and
//! how a field's new value is written into the design.

use crate::model::{
    Algorithm, Cluster, ClusterMode, DbRole, Design, DnsRecord, Kind, Network, Number, Protocol,
    Zone,
};

/// What a form edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Component(String),
    Server(String),
    /// A zone (failure domain), which has no box on the canvas.
    Zone(String),
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
            Target::Zone(id) => format!("Zone `{id}`"),
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
            f.push(network_field(c.network));
            f
        }
        Target::Server(id) => {
            let Some(s) = design.server(id) else {
                return Vec::new();
            };
            vec![
                Field::text("id", Some(&s.id)),
                Field::text("ip", s.ip.as_deref()),
                Field::text("label", s.label.as_deref()),
                // Typing a new id into its picker (Enter) creates the zone.
                Field::choice(
                    "zone",
                    s.zone.as_deref().unwrap_or(NONE),
                    with_none(design.zones.iter().map(|z| z.id.clone())),
                ),
                network_field(s.network),
            ]
        }
        Target::Zone(id) => {
            let Some(z) = design.zone(id) else {
                return Vec::new();
            };
            let mut f = vec![
                Field::text("id", Some(&z.id)),
                Field::text("region", z.region.as_deref()),
                Field::text("label", z.label.as_deref()),
                Field::text(
                    "availability",
                    z.availability.map(|a| a.to_string()).as_deref(),
                ),
            ];
            // A zone given by its repair figures keeps them editable; an availability
            // typed above replaces them.
            if z.mtbf.is_some() || z.mttr.is_some() {
                f.push(Field::text(
                    "mtbf",
                    z.mtbf.map(|h| h.to_string()).as_deref(),
                ));
                f.push(Field::text(
                    "mttr",
                    z.mttr.map(|h| h.to_string()).as_deref(),
                ));
            }
            let servers: Vec<&str> = design
                .servers
                .iter()
                .filter(|s| s.zone.as_deref() == Some(id.as_str()))
                .map(|s| s.id.as_str())
                .collect();
            f.push(Field {
                name: "servers",
                value: if servers.is_empty() {
                    "none yet: set `zone` in a server's form".to_string()
                } else {
                    crate::text::list(&servers)
                },
                choices: Vec::new(),
                read_only: true,
            });
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

fn network_field(network: Option<Network>) -> Field {
    Field::choice(
        "network",
        network.map_or(NONE, Network::as_str),
        with_none(
            [Network::Public, Network::Private]
                .iter()
                .map(|n| n.as_str().to_string()),
        ),
    )
}

fn network(value: &str) -> Result<Option<Network>, String> {
    match opt(value).as_deref() {
        None => Ok(None),
        Some("public") => Ok(Some(Network::Public)),
        Some("private") => Ok(Some(Network::Private)),
        Some(v) => Err(format!("`{v}` is not a network: public or private")),
    }
}

/// An optional availability: empty, or a fraction above 0 and at most 1.
fn availability(value: &str) -> Result<Option<Number>, String> {
    let Some(v) = opt(value) else {
        return Ok(None);
    };
    let v = v.trim_end_matches('%');
    let a: f64 = v
        .parse()
        .map_err(|_| format!("`{v}` is not a number: an availability is written like 0.9995"))?;
    // `99.95%` is a percentage; the file holds the fraction, rounded so that the file
    // reads 0.9995 and not 0.9994999999999999.
    let a = if value.trim().ends_with('%') {
        (a / 100.0 * 1e12).round() / 1e12
    } else {
        a
    };
    if !(a > 0.0 && a <= 1.0) {
        return Err(format!(
            "availability {a} is outside (0, 1]: write it as a fraction, 0.999 is 99.9%"
        ));
    }
    Ok(Some(Number(a)))
}

/// An optional number of hours: empty, or a number (above 0 unless `zero` is allowed).
fn hours(value: &str, what: &str, zero: bool) -> Result<Option<Number>, String> {
    let Some(v) = opt(value) else {
        return Ok(None);
    };
    match v.parse::<f64>() {
        Ok(h) if h.is_finite() && (h > 0.0 || (zero && h == 0.0)) => Ok(Some(Number(h))),
        _ => Err(format!(
            "`{v}` is not {what}: a number of hours{}",
            if zero { ", 0 or more" } else { " above 0" }
        )),
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
                "network" => c.network = network(value)?,
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
                // A new zone's name creates it, as a new cluster's name does.
                if design.id_taken(z) {
                    return Err(format!("`{z}` is not a zone: it names something else"));
                }
                design.zones.push(Zone {
                    id: z.to_string(),
                    ..Default::default()
                });
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
                "network" => s.network = network(value)?,
                _ => return Err(format!("unknown field {field}")),
            }
            Ok(target.clone())
        }
        Target::Zone(id) => {
            if field == "id" {
                return rename(design, id, value).map(Target::Zone);
            }
            let z = design
                .zones
                .iter_mut()
                .find(|z| &z.id == id)
                .ok_or_else(|| format!("no zone `{id}`"))?;
            match field {
                "region" => z.region = opt(value),
                "label" => z.label = opt(value),
                "availability" => {
                    z.availability = availability(value)?;
                    // One or the other: an availability replaces the repair figures.
                    if z.availability.is_some() {
                        z.mtbf = None;
                        z.mttr = None;
                    }
                }
                "mtbf" => z.mtbf = hours(value, "a time between failures", false)?,
                "mttr" => z.mttr = hours(value, "a time to repair", true)?,
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
    fn a_server_form_places_it_in_a_zone_and_on_a_network() {
        let mut d = design();
        assert_eq!(names(&d), ["id", "ip", "label", "zone", "network"]);
        let t = Target::Server("s1".into());
        // A new zone's id creates the zone, as a new cluster's name does.
        apply(&mut d, &t, "zone", "a").expect("a new zone");
        assert_eq!(d.servers[0].zone.as_deref(), Some("a"));
        assert_eq!(d.zones.len(), 1);
        assert_eq!(d.zones[0].id, "a");
        // An id that names something else is no zone.
        assert_eq!(
            apply(&mut d, &t, "zone", "s1"),
            Err("`s1` is not a zone: it names something else".into())
        );
        apply(&mut d, &t, "network", "public").expect("a network");
        assert_eq!(d.servers[0].network, Some(Network::Public));
        assert!(apply(&mut d, &t, "network", "dmz").is_err());
        apply(&mut d, &t, "zone", NONE).expect("none");
        apply(&mut d, &t, "network", NONE).expect("none");
        assert_eq!(d.servers[0].zone, None);
        assert_eq!(d.servers[0].network, None);
        // The zone stays: deleting it is the zone form's business.
        assert_eq!(d.zones.len(), 1);
    }

    #[test]
    fn a_zone_form_edits_region_label_and_availability() {
        let mut d = design();
        d.zones.push(Zone {
            id: "a".into(),
            ..Default::default()
        });
        d.servers[0].zone = Some("a".into());
        let t = Target::Zone("a".into());
        let names: Vec<&str> = fields(&d, &t).iter().map(|f| f.name).collect();
        assert_eq!(names, ["id", "region", "label", "availability", "servers"]);
        apply(&mut d, &t, "region", " eu-west-1 ").expect("a region");
        apply(&mut d, &t, "label", "Dublin a").expect("a label");
        apply(&mut d, &t, "availability", "0.9995").expect("an availability");
        assert_eq!(d.zones[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(d.zones[0].label.as_deref(), Some("Dublin a"));
        assert_eq!(d.zones[0].availability, Some(Number(0.9995)));
        apply(&mut d, &t, "availability", "99.9%").expect("a percentage");
        assert_eq!(d.zones[0].availability, Some(Number(0.999)));
        for bad in ["0", "1.5", "-0.1", "high"] {
            let e = apply(&mut d, &t, "availability", bad).expect_err(bad);
            assert!(
                e.contains("outside (0, 1]") || e.contains("is not a number"),
                "{bad}: {e}"
            );
        }
        assert_eq!(d.zones[0].availability, Some(Number(0.999)));
        let servers = fields(&d, &t).pop().expect("servers");
        assert!(servers.read_only);
        assert_eq!(servers.value, "s1");
        // A rename follows every server in the zone; a taken id is refused.
        assert_eq!(
            apply(&mut d, &t, "id", "s1"),
            Err("`s1` is already used".into())
        );
        assert_eq!(apply(&mut d, &t, "id", "b"), Ok(Target::Zone("b".into())));
        assert_eq!(d.servers[0].zone.as_deref(), Some("b"));
        apply(&mut d, &Target::Zone("b".into()), "region", "").expect("no region");
        assert_eq!(d.zones[0].region, None);
    }

    #[test]
    fn a_zone_given_by_repair_times_keeps_them_until_an_availability_replaces_them() {
        let mut d = design();
        d.zones.push(Zone {
            id: "a".into(),
            mtbf: Some(Number(8760.0)),
            mttr: Some(Number(4.0)),
            ..Default::default()
        });
        let t = Target::Zone("a".into());
        let names: Vec<&str> = fields(&d, &t).iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "id",
                "region",
                "label",
                "availability",
                "mtbf",
                "mttr",
                "servers"
            ]
        );
        apply(&mut d, &t, "mttr", "2").expect("hours");
        assert_eq!(d.zones[0].mttr, Some(Number(2.0)));
        assert!(apply(&mut d, &t, "mtbf", "0").is_err());
        apply(&mut d, &t, "availability", "0.999").expect("an availability");
        assert_eq!((d.zones[0].mtbf, d.zones[0].mttr), (None, None));
    }

    #[test]
    fn a_component_form_sets_its_own_network() {
        let mut d = design();
        d.components
            .push(crate::model::Component::new("db", Kind::Database));
        let t = Target::Component("db".into());
        assert_eq!(fields(&d, &t).last().map(|f| f.name), Some("network"));
        apply(&mut d, &t, "network", "private").expect("a network");
        assert_eq!(d.components[0].network, Some(Network::Private));
        apply(&mut d, &t, "network", NONE).expect("none");
        assert_eq!(d.components[0].network, None);
    }
}
