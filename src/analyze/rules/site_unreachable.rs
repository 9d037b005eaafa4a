//! SITE-UNREACHABLE: no request from the clients reaches the site at all.

use crate::analyze::{Ctx, Entry, Finding, Rule, Severity, list};
use crate::model::{DnsRecord, Kind};

pub static RULE: Rule = Rule {
    id: "SITE-UNREACHABLE",
    severity: Severity::Critical,
    title: "the site is unreachable",
    checks: "A design with web or application servers in which no request from the clients (or \
             the inferred entry points) reaches any of them: a client without a link, a link to \
             an empty cluster, a chain that stops short. Or, where clients and DNS records both \
             exist, every DNS record points at something no client request reaches: users who \
             look the name up connect to nothing the design serves. While it holds, the findings \
             about what lies behind (UNREACHABLE, DNS-UNREACHED) are left out: they have this \
             one cause.",
    why: "Nobody can use the site: it is down, whatever the rest of the design gets right.",
    fix: "Link the clients to the component that receives their requests (the load balancer or \
          web server), through the cluster that has members, and point the DNS records at it.",
    category: super::Category::RELIABILITY,
    check,
};

/// The components a DNS record points at: the component, a cluster's members, or every
/// component of a server.
pub(crate) fn record_components(ctx: &Ctx, r: &DnsRecord) -> Vec<usize> {
    if let Some(s) = ctx.design.servers.iter().position(|s| s.id == r.target) {
        return ctx.hosted[s].clone();
    }
    (0..ctx.len())
        .filter(|&i| {
            let c = &ctx.design.components[i];
            c.id == r.target || c.cluster.as_deref() == Some(r.target.as_str())
        })
        .collect()
}

/// Why the site is unreachable, if it is: the sentence of the finding.
pub(crate) fn down(ctx: &Ctx) -> Option<String> {
    if ctx.entry == Entry::Sources {
        return None;
    }
    let comps = &ctx.design.components;
    let serving: Vec<usize> = (0..ctx.len())
        .filter(|&i| matches!(comps[i].kind, Kind::WebServer | Kind::AppServer))
        .collect();
    if serving.is_empty() {
        return None;
    }
    let site = ctx.design.site_name();
    if !serving.iter().any(|&i| ctx.reachable[i]) {
        let who = if ctx.entry == Entry::Clients {
            let ids: Vec<&str> = ctx.entries.iter().map(|&i| ctx.id(i)).collect();
            format!("no request from {} reaches", list(&ids))
        } else {
            "no request from the DNS records' targets reaches".to_string()
        };
        return Some(format!("{who} a web or application server: {site} is down"));
    }
    if ctx.entry == Entry::Clients && !ctx.design.dns.is_empty() {
        let unreached = ctx
            .design
            .dns
            .iter()
            .all(|r| !record_components(ctx, r).iter().any(|&i| ctx.reachable[i]));
        if unreached {
            let names: Vec<String> = ctx
                .design
                .dns
                .iter()
                .map(|r| format!("{} → {}", r.name, r.target))
                .collect();
            return Some(format!(
                "every DNS record ({}) points at something no client request reaches: users who look up {site} connect to nothing the design serves",
                names.join(", ")
            ));
        }
    }
    None
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let Some(message) = down(ctx) else {
        return Vec::new();
    };
    let comps = &ctx.design.components;
    // Everything the site needs that no request reaches.
    let cut: Vec<&str> = (0..ctx.len())
        .filter(|&i| !ctx.reachable[i])
        .filter(|&i| {
            matches!(
                comps[i].kind,
                Kind::LoadBalancer | Kind::WebServer | Kind::AppServer | Kind::Database
            )
        })
        .map(|i| ctx.id(i))
        .collect();
    let clients = ctx.entries.iter().map(|&i| ctx.id(i));
    vec![
        Finding::new(RULE.id, Severity::Critical, message)
            .components(clients.chain(cut.iter().copied()))
            .recommend("link the clients to the component that receives their requests and point the DNS records at it"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn a_client_without_its_link_reaches_nothing() {
        let mut d = reference("02-distributed.toml");
        d.links.retain(|l| l.from != "user");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].concerns("haproxy") && f[0].concerns("user"), "{f:?}");
    }

    #[test]
    fn a_link_to_an_empty_cluster_reaches_nothing() {
        let mut d = reference("04-scale-up.toml");
        for c in &mut d.components {
            c.cluster = None;
        }
        assert_eq!(run(&RULE, &d).len(), 1);
    }

    #[test]
    fn a_dns_record_nobody_reaches_is_a_site_down() {
        let mut d = reference("02-distributed.toml");
        d.dns[0].target = "web-02".into();
        // The client still reaches haproxy, but the name points at web-02, which it reaches
        // too: still served.
        assert!(run(&RULE, &d).is_empty());
        d.servers.push(crate::model::Server {
            id: "old".into(),
            ip: Some("1.2.3.4".into()),
            label: None,
            ..Default::default()
        });
        let mut nginx = crate::model::Component::new("nginx-old", Kind::WebServer);
        nginx.server = Some("old".into());
        d.components.push(nginx);
        d.dns[0].target = "old".into();
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("www → old"), "{}", f[0].message);
    }

    #[test]
    fn reachable_sites_are_up() {
        for name in [
            "01-simple.toml",
            "03-secured-monitored.toml",
            "05-resilient.toml",
        ] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }
}
