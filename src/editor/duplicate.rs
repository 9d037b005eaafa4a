//! Duplicating a component: a copy with the same kind, software and settings, on the same
//! server, another one or a new one, optionally with copies of its links. Building a design
//! with "a firewall and an agent on every server" is then one duplicate per server instead
//! of adding, naming, placing and linking each by hand.

use crate::model::{DbRole, Design, Link, Server};

/// Where the copy goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Onto {
    /// The original's server (or none, as the original).
    Same,
    /// A new server, named after the original's (`web-01` → `web-02`).
    NewServer,
    /// An existing server.
    Server(String),
}

/// What a duplicate made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicated {
    pub id: String,
    pub server: Option<String>,
    /// Whether the server is new.
    pub new_server: bool,
    pub links: usize,
}

/// `base` with its trailing number (`web-01`, `nginx-1`, `Server 2`) and the number's width,
/// when it has one.
fn split_number(id: &str) -> Option<(&str, u64, usize)> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits == id.len() {
        return None;
    }
    let (stem, num) = id.split_at(id.len() - digits);
    Some((stem, num.parse().ok()?, digits))
}

/// The next free name after `id` by its number: `web-01` → `web-02`, `nginx-1` → `nginx-2`,
/// `haproxy` → `haproxy-2`; `taken` says which names are used.
pub fn next_name(id: &str, taken: impl Fn(&str) -> bool) -> String {
    let (stem, start, width) = match split_number(id) {
        Some((stem, n, w)) => (stem.to_string(), n + 1, w),
        None => (format!("{id}-"), 2, 1),
    };
    (start..)
        .map(|n| format!("{stem}{n:0width$}"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| format!("{id}-copy"))
}

/// Copies component `id` onto `onto`, with copies of its links when `with_links`. The
/// copy's id follows the original's: one that ends in its server's id takes the new
/// server's (`fw-web-01` on `lb-02` is `fw-lb-02`), else it takes the next number. A copy of
/// a primary database is a replica; the copy stays in the original's cluster. The copy has
/// no position: the editor places it.
pub fn duplicate(
    design: &mut Design,
    id: &str,
    onto: &Onto,
    with_links: bool,
) -> Result<Duplicated, String> {
    let original = design
        .component(id)
        .cloned()
        .ok_or_else(|| format!("no component `{id}`"))?;
    let (server, new_server) = match onto {
        Onto::Same => (original.server.clone(), false),
        Onto::Server(s) => {
            if design.server(s).is_none() {
                return Err(format!("no server `{s}`"));
            }
            (Some(s.clone()), false)
        }
        Onto::NewServer => {
            let base = original.server.as_deref().unwrap_or("server-1");
            let sid = next_name(base, |n| design.id_taken(n));
            let like = original.server.as_deref().and_then(|s| design.server(s));
            let label = like.and_then(|s| s.label.as_deref()).map(|l| {
                next_name(l, |n| {
                    design.servers.iter().any(|s| s.label.as_deref() == Some(n))
                })
            });
            let ip = like
                .and_then(|s| s.ip.as_deref())
                .and_then(|ip| next_ip(ip, design));
            design.servers.push(Server {
                id: sid.clone(),
                ip,
                label,
                // A copy of a server is the same machine: it fails as often.
                availability: like.and_then(|s| s.availability),
                mtbf: like.and_then(|s| s.mtbf),
                mttr: like.and_then(|s| s.mttr),
                // In the same failure domain and network as the one it copies.
                zone: like.and_then(|s| s.zone.clone()),
                network: like.and_then(|s| s.network),
            });
            (Some(sid), true)
        }
    };
    let new_id = match (&original.server, &server) {
        (Some(from), Some(to)) if from != to && id.ends_with(from.as_str()) => {
            let renamed = format!("{}{to}", &id[..id.len() - from.len()]);
            if design.id_taken(&renamed) {
                next_name(&renamed, |n| design.id_taken(n))
            } else {
                renamed
            }
        }
        _ => next_name(id, |n| design.id_taken(n)),
    };
    let mut copy = original.clone();
    copy.id = new_id.clone();
    copy.server = server.clone();
    copy.x = None;
    copy.y = None;
    if copy.role == Some(DbRole::Primary) {
        copy.role = Some(DbRole::Replica);
    }
    // A numbered label follows the id's number ("Web server 1" → "Web server 2").
    if let Some(label) = &original.label
        && split_number(label).is_some()
    {
        copy.label = Some(next_name(label, |n| {
            design
                .components
                .iter()
                .any(|c| c.label.as_deref() == Some(n))
        }));
    }
    let at = design
        .components
        .iter()
        .position(|c| c.id == id)
        .map_or(design.components.len(), |i| i + 1);
    design.components.insert(at, copy);
    let mut links = 0;
    if with_links {
        let copies: Vec<Link> = design
            .links
            .iter()
            .filter(|l| l.from == id || l.to == id)
            .map(|l| {
                let mut c = l.clone();
                if c.from == id {
                    c.from = new_id.clone();
                }
                if c.to == id {
                    c.to = new_id.clone();
                }
                c
            })
            .collect();
        links = copies.len();
        design.links.extend(copies);
    }
    Ok(Duplicated {
        id: new_id,
        server,
        new_server,
        links,
    })
}

/// The next free IPv4 address after `ip`, when it is one.
fn next_ip(ip: &str, design: &Design) -> Option<String> {
    let addr: std::net::Ipv4Addr = ip.parse().ok()?;
    let mut n = u32::from(addr);
    for _ in 0..256 {
        n = n.checked_add(1)?;
        let next = std::net::Ipv4Addr::from(n).to_string();
        if !design
            .servers
            .iter()
            .any(|s| s.ip.as_deref() == Some(&next))
        {
            return Some(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design3() -> Design {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("designs/03-secured-monitored.toml");
        crate::io::load(&path).expect("design 3")
    }

    #[test]
    fn names_take_the_next_free_number() {
        let taken = |n: &str| ["web-02", "nginx-2"].contains(&n);
        assert_eq!(next_name("web-01", taken), "web-03");
        assert_eq!(next_name("lb-01", taken), "lb-02");
        assert_eq!(next_name("nginx-1", taken), "nginx-3");
        assert_eq!(next_name("haproxy", taken), "haproxy-2");
        assert_eq!(next_name("Server 1", taken), "Server 2");
        assert_eq!(next_name("42", taken), "42-2");
    }

    #[test]
    fn a_firewall_and_its_agent_go_onto_a_new_server_under_its_name() {
        let mut d = design3();
        let fw = duplicate(&mut d, "fw-lb-01", &Onto::NewServer, false).expect("duplicate");
        assert_eq!(fw.id, "fw-lb-02");
        assert_eq!(fw.server.as_deref(), Some("lb-02"));
        assert!(fw.new_server);
        let server = d.server("lb-02").expect("the new server");
        assert_eq!(server.ip.as_deref(), Some("8.8.8.9"));
        let agent = duplicate(&mut d, "agent-lb-01", &Onto::Server("lb-02".into()), true)
            .expect("duplicate");
        assert_eq!(agent.id, "agent-lb-02");
        assert_eq!(agent.links, 1);
        assert!(
            d.links
                .iter()
                .any(|l| l.from == "agent-lb-02" && l.to == "sumologic")
        );
        let copy = d.component("agent-lb-02").expect("the copy");
        assert_eq!(copy.software.as_deref(), Some("Sumologic"));
        assert_eq!((copy.x, copy.y), (None, None));
        assert!(
            crate::validate::validate(&d).is_empty(),
            "still a valid design"
        );
    }

    #[test]
    fn a_copy_keeps_links_both_ways_its_cluster_and_a_primary_becomes_a_replica() {
        let mut d = design3();
        let before = d.links.len();
        let lb = duplicate(&mut d, "haproxy", &Onto::NewServer, true).expect("duplicate");
        assert_eq!(lb.id, "haproxy-2");
        // user → haproxy and haproxy → nginx-1, nginx-2.
        assert_eq!(lb.links, 3);
        assert_eq!(d.links.len(), before + 3);
        assert!(
            d.links
                .iter()
                .any(|l| l.from == "user" && l.to == "haproxy-2")
        );
        let db = duplicate(&mut d, "mysql-primary", &Onto::Same, false).expect("duplicate");
        assert_eq!(
            d.component(&db.id).and_then(|c| c.role),
            Some(DbRole::Replica)
        );
        assert_eq!(db.server.as_deref(), Some("web-01"));
        let web = duplicate(&mut d, "nginx-1", &Onto::Same, false).expect("duplicate");
        assert_eq!(web.id, "nginx-3", "nginx-2 is taken");
        assert_eq!(
            d.component("nginx-3")
                .and_then(|c| c.label.clone())
                .as_deref(),
            Some("Web server 3")
        );
        assert!(duplicate(&mut d, "nope", &Onto::Same, false).is_err());
        assert!(duplicate(&mut d, "app", &Onto::Server("nope".into()), false).is_err());
    }
}
