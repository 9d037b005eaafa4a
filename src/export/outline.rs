//! What the text diagram formats (Mermaid, D2) say of each element, in one place: the
//! components grouped by server and the text of a component, a server and a cluster.

use crate::model::{Cluster, Component, Design, Network, Server, Zone};

/// The components on each server and those on none, each in design order.
pub(crate) fn by_server(design: &Design) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut on_server: Vec<Vec<usize>> = vec![Vec::new(); design.servers.len()];
    let mut loose = Vec::new();
    for (i, s) in design.server_of().into_iter().enumerate() {
        match s {
            Some(s) => on_server[s].push(i),
            None => loose.push(i),
        }
    }
    (on_server, loose)
}

/// A component's label (or id), then its id where it has a label, then its software, then
/// its own network where the frame round its server does not show it.
pub(crate) fn component_text(design: &Design, c: &Component) -> String {
    let mut text = c.label.clone().unwrap_or_else(|| c.id.clone());
    if c.label.is_some() {
        text = format!("{text}\n{}", c.id);
    }
    if let Some(sw) = &c.software {
        text = format!("{text}\n{sw}");
    }
    if let Some(n) = crate::layout::network_mark(design, c) {
        text = format!("{text}\n{} network", n.as_str());
    }
    text
}

/// Where a network's subgraph (container) goes: the servers of a zone, or of none, grouped
/// by network. Each entry is a server on no network, or a network with its servers, in the
/// order of their first server.
pub(crate) enum Member {
    Server(usize),
    Network(Network, Vec<usize>),
}

/// The servers from `servers` (in one zone, or in none) as [`Member`]s.
pub(crate) fn by_network(design: &Design, servers: &[usize]) -> Vec<Member> {
    let mut out: Vec<Member> = Vec::new();
    for &s in servers {
        match design.servers[s].network {
            None => out.push(Member::Server(s)),
            Some(n) => match out
                .iter_mut()
                .find(|m| matches!(m, Member::Network(k, _) if *k == n))
            {
                Some(Member::Network(_, list)) => list.push(s),
                _ => out.push(Member::Network(n, vec![s])),
            },
        }
    }
    out
}

/// "public network · internet-facing", "private network".
pub(crate) fn network_title(network: Network) -> &'static str {
    super::style::network_title(network)
}

/// A server's label and id (or its id), then its IP after `ip_sep`.
pub(crate) fn server_title(server: &Server, ip_sep: &str) -> String {
    let mut title = match &server.label {
        Some(label) => format!("{label} ({})", server.id),
        None => server.id.clone(),
    };
    if let Some(ip) = &server.ip {
        title = format!("{title}{ip_sep}{ip}");
    }
    title
}

/// "zone Label (id) · region eu-west-1".
pub(crate) fn zone_title(zone: &Zone) -> String {
    let mut title = match &zone.label {
        Some(label) => format!("zone {label} ({})", zone.id),
        None => format!("zone {}", zone.id),
    };
    if let Some(region) = &zone.region {
        title = format!("{title} · region {region}");
    }
    title
}

/// A cluster's id and mode, then its virtual IP.
pub(crate) fn cluster_text(cluster: &Cluster) -> String {
    let mut text = format!("{} ({})", cluster.id, cluster.mode.as_str());
    if let Some(vip) = &cluster.vip {
        text = format!("{text}\n{vip}");
    }
    text
}
