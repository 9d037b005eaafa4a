//! NO-FIREWALL: a server that requests from clients reach without passing a firewall.

use crate::analyze::graph::Host;
use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "NO-FIREWALL",
    severity: Severity::High,
    title: "server reachable without a firewall",
    checks: "Servers that a request path from the clients reaches without passing a firewall: \
             neither a standalone firewall component on the path nor a firewall installed on the \
             server itself (which filters every link into that server, and guards no other \
             server: the web servers behind a firewalled load balancer need their own). A component without a \
             server (not a managed service) runs on a host of its own and is reported by its id. \
             A component on a `public` network (its own or its server's) is reached from the \
             internet whatever its links say, unless a firewall is installed on its server. \
             One finding lists every such server, and one every such host-less component. A \
             managed service (`redundant`) is the provider's to filter, even placed on a server \
             (a NAT gateway in a zone).",
    why: "Every port the server opens (SSH, the database, an admin page) is open to the \
          internet; one forgotten service is enough for an intrusion.",
    fix: "Install a firewall on the server (a `firewall` component on it) that only lets in \
          the ports the design's links use, or route traffic through a standalone firewall.",
    category: super::Category::security(super::Cwe::ACCESS_CONTROL),
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let standalone_fw = |i: usize| comps[i].kind == Kind::Firewall && ctx.server_of[i].is_none();
    // Entering a server with a host firewall from outside it is filtered.
    let filtered = |to: usize| ctx.server_of[to].is_some_and(|s| ctx.host_firewall[s]);
    let mut is_entry = vec![false; ctx.len()];
    for &e in ctx.entries.iter().chain(&ctx.resolved) {
        is_entry[e] = comps[e].kind != Kind::Client;
    }
    // An entry on a firewalled server is filtered as it is entered from the internet; its
    // host firewall guards that server only, so what it sends requests to on other servers is
    // reached as before (a standalone firewall on the path guards everything behind it).
    let mut open = ctx.reach(standalone_fw, |_, _| true);
    for (i, o) in open.iter_mut().enumerate() {
        *o &= !filtered(i);
    }
    // What sits on a public network without a firewall on its server is entered from the
    // internet, whatever the links say.
    let public = ctx.internet_facing();
    if !public.is_empty() {
        let more = ctx.reach_seeds(&public, standalone_fw, |from, to| {
            !(filtered(to) && ctx.server_of[from] != ctx.server_of[to])
        });
        for (o, m) in open.iter_mut().zip(more) {
            *o |= m;
        }
    }
    let mut reached: Vec<Vec<&str>> = vec![Vec::new(); ctx.design.servers.len()];
    let mut own: Vec<&str> = Vec::new();
    // A managed service (`redundant`) placed on a server to say where it runs (a NAT gateway
    // in a zone) is the provider's to filter, not a host the design runs.
    for i in (0..ctx.len()).filter(|&i| open[i] && !comps[i].redundant) {
        match ctx.host(i) {
            Some(Host::Server(s)) => reached[s].push(ctx.id(i)),
            Some(Host::Own(_)) => own.push(ctx.id(i)),
            None => {}
        }
    }
    // One finding for every exposed server, as NO-MONITORING lists its servers.
    let exposed: Vec<(usize, Vec<&str>)> = reached
        .into_iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .collect();
    let mut findings: Vec<Finding> = Vec::new();
    if !exposed.is_empty() {
        let servers: Vec<&str> = exposed
            .iter()
            .map(|&(s, _)| ctx.design.servers[s].id.as_str())
            .collect();
        let via: Vec<&str> = exposed
            .iter()
            .flat_map(|(_, r)| r.iter().copied())
            .collect();
        let one = servers.len() == 1;
        findings.push(
            Finding::new(
                RULE.id,
                Severity::High,
                format!(
                    "{} {} {} reachable from clients without passing a firewall (via {})",
                    if one { "server" } else { "servers" },
                    list(&servers),
                    if one { "is" } else { "are" },
                    list(&via)
                ),
            )
            .servers(servers.iter().copied())
            .components(via.iter().copied())
            .recommend(if one {
                format!(
                    "install a firewall on `{}` that only opens the ports its links use",
                    servers[0]
                )
            } else {
                format!(
                    "install a firewall on each of {} that only opens the ports its links use",
                    list(&servers)
                )
            }),
        );
    }
    if !own.is_empty() {
        let one = own.len() == 1;
        findings.push(
            Finding::new(
                RULE.id,
                Severity::High,
                format!(
                    "{} {} on {} (naming no server), which clients reach without passing a firewall",
                    list(&own),
                    if one { "runs" } else { "run" },
                    if one { "a host of its own" } else { "hosts of their own" }
                ),
            )
            .components(own.iter().copied())
            .recommend(format!(
                "put a firewall in front of {} that only opens the ports the links use, or install {} on servers with a firewall",
                list(&own),
                if one { "it" } else { "them" }
            )),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn servers_without_firewalls_are_open() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        // One finding lists every open server.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].servers, ["lb-01", "web-01", "web-02"]);
        assert!(f[0].message.starts_with("servers "), "{}", f[0].message);
    }

    #[test]
    fn a_managed_service_placed_on_a_server_is_the_providers_to_filter() {
        // Design 2's load balancer as a managed one, placed on lb-01 to say where it runs.
        let mut d = reference("02-distributed.toml");
        d.component_mut("haproxy").expect("exists").redundant = true;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].servers, ["web-01", "web-02"]);
    }

    #[test]
    fn host_firewalls_close_them() {
        assert!(run(&RULE, &reference("03-secured-monitored.toml")).is_empty());
    }

    #[test]
    fn one_missing_host_firewall_is_found() {
        let mut d = reference("03-secured-monitored.toml");
        // The load balancer's host firewall guards lb-01 only: web-02 behind it is open.
        d.remove_component("fw-web-02");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].servers, ["web-02"]);
        d.remove_component("fw-lb-01");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].servers, ["lb-01", "web-02"]);
    }

    #[test]
    fn a_component_without_a_server_is_a_host_of_its_own() {
        let mut d = reference("03-secured-monitored.toml");
        d.component_mut("haproxy").expect("exists").server = None;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["haproxy"]);
        assert!(f[0].servers.is_empty());
        // A managed load balancer is the provider's to filter.
        d.component_mut("haproxy").expect("exists").redundant = true;
        assert!(run(&RULE, &d).is_empty());
    }

    #[test]
    fn a_standalone_firewall_in_front_protects_what_is_behind() {
        let mut d = reference("02-distributed.toml");
        let mut fw = crate::model::Component::new("edge-fw", Kind::Firewall);
        fw.label = Some("Edge firewall".into());
        d.components.push(fw);
        for l in &mut d.links {
            if l.from == "user" {
                l.to = "edge-fw".into();
            }
        }
        d.links.push(crate::model::Link {
            from: "edge-fw".into(),
            to: "haproxy".into(),
            protocol: crate::model::Protocol::Http,
            port: None,
            label: None,
        });
        assert!(run(&RULE, &d).is_empty());
        // A server on a public network is entered from the internet past the edge firewall,
        // and so is what it links to without a firewall (web-02's web server calls the
        // application server on web-01).
        use crate::model::Network;
        assert_eq!(d.servers[2].id, "web-02");
        d.servers[2].network = Some(Network::Private);
        assert!(run(&RULE, &d).is_empty());
        d.servers[2].network = Some(Network::Public);
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].servers, ["web-01", "web-02"]);
        // A component that states its own network wins over its server's.
        for c in &mut d.components {
            if c.server.as_deref() == Some(d.servers[2].id.as_str()) {
                c.network = Some(Network::Private);
            }
        }
        assert!(run(&RULE, &d).is_empty());
    }
}
