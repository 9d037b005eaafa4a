//! TLS-TERMINATED-EARLY: encrypted traffic that goes on in plain text after it is decrypted.

use crate::analyze::graph::pass_through;
use crate::analyze::{Ctx, Finding, Rule, Severity, arrows, list};
use crate::model::{Kind, Protocol};

pub static RULE: Rule = Rule {
    id: "TLS-TERMINATED-EARLY",
    severity: Severity::Medium,
    title: "TLS terminated before the servers",
    checks: "A component that receives encrypted request traffic (the protocol of the last \
             hop into it) decrypts it; every unencrypted link that then carries the decrypted \
             data off a host, anywhere downstream until it is encrypted again, is reported \
             (e.g. HTTPS terminated at the load balancer, HTTP to the web servers; or TLS ended \
             at Nginx, then plain `mysql` from the application to another server). Firewalls, \
             routers and name services are hops, not endpoints: the check looks through them. \
             Plain text between two components on the same server does not cross the network. \
             One finding per terminating component or cluster, listing its plain links; the fix \
             names the encrypted form of each (HTTPS, `mysql+tls`, `redis+tls`...).",
    why: "Inside the network, the users' data travels in clear text: anyone who gets onto it \
          (a compromised host, a misrouted mirror port) reads passwords and sessions.",
    fix: "Re-encrypt behind the terminating component (HTTPS to the backends with internal \
          certificates, `mysql+tls`/`postgres+tls`/`redis+tls` to databases and caches), or pass \
          TLS through to the web servers.",
    category: super::Category::security(super::Cwe::CLEARTEXT_TRANSMISSION).at_link(),
    check,
};

/// Components that decrypt as one (a cluster, or one component): the cluster, the members and
/// the plain links that carry the decrypted data off a host, each as (sender, receiver, link).
type Terminators<'a> = (Option<&'a str>, Vec<usize>, Vec<(usize, usize, usize)>);

/// Whether a component receives encrypted request traffic (the protocol of the last hop into
/// it) and so decrypts it.
fn terminates(ctx: &Ctx, i: usize) -> bool {
    !pass_through(ctx.kind(i))
        && ctx.kind(i) != Kind::Client
        && ctx.into[i]
            .iter()
            .any(|&(_, l)| ctx.design.links[l].encrypted())
}

/// The plain links that carry what `start` decrypted off a host: walking downstream over
/// plain links (through pass-through hops) until the data is encrypted again.
fn plain_downstream(ctx: &Ctx, start: usize, terminator: &[bool]) -> Vec<(usize, usize, usize)> {
    let links = &ctx.design.links;
    let mut out = Vec::new();
    let mut seen = vec![false; ctx.len()];
    seen[start] = true;
    let mut stack = vec![start];
    while let Some(j) = stack.pop() {
        for (t, path) in ctx.paths_beyond(j) {
            if ctx.kind(t) == Kind::Dns {
                continue;
            }
            let plain: Vec<usize> = path
                .iter()
                .copied()
                .filter(|&l| !links[l].encrypted() && links[l].protocol != Protocol::Dns)
                .collect();
            if plain.is_empty() {
                continue;
            }
            // Loopback: a plain link to a component on the same server stays on the host.
            let here = ctx.server_of[j];
            if here.is_none() || ctx.server_of[t] != here {
                out.extend(plain.iter().map(|&l| (j, t, l)));
            }
            let last = path[path.len() - 1];
            if !links[last].encrypted() && !seen[t] && !terminator[t] {
                seen[t] = true;
                stack.push(t);
            }
        }
    }
    out
}

/// The encrypted protocol to use instead of a plain one towards `to`.
fn encrypted_form(ctx: &Ctx, p: Protocol, to: usize) -> &'static str {
    let c = &ctx.design.components[to];
    match p {
        // A storage or managed endpoint serves HTTPS with its provider's certificate.
        Protocol::Http if c.kind == Kind::ObjectStorage || c.redundant => {
            "HTTPS (the endpoint's own certificate)"
        }
        Protocol::Http => "HTTPS with internal certificates",
        Protocol::Mysql => "`mysql+tls`",
        Protocol::Postgres => "`postgres+tls`",
        Protocol::Redis => "`redis+tls`",
        Protocol::Amqp => "`amqps`",
        Protocol::Grpc => "`grpcs`",
        _ => "TLS",
    }
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let links = &ctx.design.links;
    let comps = &ctx.design.components;
    let terminator: Vec<bool> = (0..ctx.len()).map(|i| terminates(ctx, i)).collect();
    // Terminators grouped by cluster (a cluster decrypts as one), in design order.
    let mut groups: Vec<Terminators> = Vec::new();
    for (i, c) in comps.iter().enumerate() {
        if !terminator[i] {
            continue;
        }
        let plain = plain_downstream(ctx, i, &terminator);
        if plain.is_empty() {
            continue;
        }
        let key = c.cluster.as_deref();
        match groups
            .iter_mut()
            .find(|(k, _, _)| key.is_some() && *k == key)
        {
            Some((_, members, out)) => {
                members.push(i);
                out.extend(plain);
            }
            None => groups.push((key, vec![i], plain)),
        }
    }
    // Terminators whose decrypted data reaches the same component in plain text (over one link
    // or parallel ones) are one cause: one finding.
    let mut merged: Vec<Terminators> = Vec::new();
    for (cluster, members, plain) in groups {
        let shares = |(_, _, other): &Terminators| {
            other
                .iter()
                .any(|&(_, t, _)| plain.iter().any(|&(_, u, _)| u == t))
        };
        match merged.iter().position(shares) {
            Some(at) => {
                let into = &mut merged[at];
                if into.0 != cluster {
                    into.0 = None;
                }
                into.1.extend(members);
                into.2.extend(plain);
            }
            None => merged.push((cluster, members, plain)),
        }
    }
    merged
        .into_iter()
        .map(|(cluster, members, mut plain)| {
            // One entry per link and target: a link into a cluster reaches each member.
            plain.sort_unstable_by_key(|&(_, t, l)| (l, t));
            plain.dedup_by_key(|&mut (_, t, l)| (l, t));
            let direct = |from: usize| members.contains(&from);
            let mut to: Vec<&str> = plain
                .iter()
                .filter(|&&(f, _, _)| direct(f))
                .map(|&(_, t, _)| ctx.id(t))
                .collect();
            to.sort_unstable();
            to.dedup();
            let mut further: Vec<(&str, &str)> = plain
                .iter()
                .filter(|&&(f, _, _)| !direct(f))
                .map(|&(f, t, _)| (ctx.id(f), ctx.id(t)))
                .collect();
            further.dedup();
            let ids: Vec<&str> = members.iter().map(|&m| ctx.id(m)).collect();
            let one = members.len() == 1;
            let (who, from) = match cluster {
                Some(cl) if !one => (
                    if comps[members[0]].kind == Kind::LoadBalancer {
                        format!("the load balancers of cluster `{cl}` ({})", list(&ids))
                    } else {
                        format!("the members of cluster `{cl}` ({})", list(&ids))
                    },
                    format!("the `{cl}` cluster"),
                ),
                _ => (list(&ids), list(&ids)),
            };
            let (decrypt, forward) = if one {
                ("decrypts the traffic it receives", "forwards it")
            } else {
                ("decrypt the traffic they receive", "forward it")
            };
            let mut message = if to.is_empty() {
                format!("{who} {decrypt}")
            } else {
                format!(
                    "{who} {decrypt} and {forward} in plain text to {}",
                    list(&to)
                )
            };
            if !further.is_empty() {
                message.push_str(&format!(
                    "{} the decrypted data then leaves its host in plain text on {}",
                    if to.is_empty() { ";" } else { ", and" },
                    arrows(&further)
                ));
            }
            // One remedy per kind of plain link, in the order the links come.
            let mut remedies: Vec<(&str, Vec<&str>)> = Vec::new();
            for &(_, t, l) in &plain {
                let form = encrypted_form(ctx, links[l].protocol, t);
                match remedies.iter_mut().find(|(f, _)| *f == form) {
                    Some((_, ts)) => {
                        if !ts.contains(&ctx.id(t)) {
                            ts.push(ctx.id(t));
                        }
                    }
                    None => remedies.push((form, vec![ctx.id(t)])),
                }
            }
            let remedy: Vec<String> = remedies
                .iter()
                .map(|(form, ts)| format!("{form} to {}", list(ts)))
                .collect();
            // Passing TLS through is a remedy for HTTP out of the terminator only.
            let http_out = plain.iter().any(|&(f, t, l)| {
                direct(f)
                    && links[l].protocol == Protocol::Http
                    && comps[t].kind != Kind::ObjectStorage
                    && !comps[t].redundant
            });
            let pass = if !http_out {
                ""
            } else {
                " (or pass TLS through to the backends)"
            };
            let mut involved: Vec<&str> = ids.clone();
            for &(f, t, _) in &plain {
                involved.push(ctx.id(f));
                involved.push(ctx.id(t));
            }
            Finding::new(RULE.id, Severity::Medium, message)
                .components(involved)
                .links(plain.iter().map(|&(_, _, l)| l))
                .recommend(format!(
                    "re-encrypt behind {from}: {}{pass}",
                    remedy.join("; ")
                ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{corpus, reference, run};

    #[test]
    fn plain_text_further_downstream_is_found() {
        // TLS ends at Nginx; the application on the same host calls MySQL on db-01 in clear.
        let f = run(&RULE, &corpus("tls-two-hops"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["app", "mysql", "nginx"]);
        assert_eq!(f[0].links, [2]);
        assert!(
            f[0].message.ends_with("in plain text on `app` → `mysql`"),
            "{}",
            f[0].message
        );
        let fix = &f[0].recommendation;
        assert!(fix.contains("`mysql+tls` to `mysql`"), "{fix}");
        assert!(!fix.contains("pass TLS through"), "{fix}");
        assert!(!fix.contains("internal certificates"), "{fix}");
    }

    #[test]
    fn terminators_sending_plain_text_to_one_component_are_one_cause() {
        // Each web server terminates TLS; each application beside it calls one cache on
        // another server in plain `redis`.
        let mut d = reference("03-secured-monitored.toml");
        for l in &mut d.links {
            if l.from == "haproxy" {
                l.protocol = Protocol::Https;
            }
            if l.from == "app" {
                l.protocol = Protocol::MysqlTls;
            }
        }
        for id in ["nginx-1", "nginx-2"] {
            d.component_mut(id).expect("exists").certificate = Some("www.foobar.com".into());
        }
        let mut app2 = d.component("app").expect("exists").clone();
        app2.id = "app-2".into();
        app2.server = Some("web-02".into());
        let mut cache = crate::model::Component::new("redis", Kind::Cache);
        cache.server = Some("lb-01".into());
        d.components.extend([app2, cache]);
        for l in &mut d.links {
            if l.from == "nginx-2" {
                l.to = "app-2".into();
            }
        }
        for app in ["app", "app-2"] {
            d.links.push(crate::model::Link {
                from: app.into(),
                to: "redis".into(),
                protocol: Protocol::Redis,
                port: None,
                label: None,
            });
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].links.len(), 2, "{f:?}");
        assert!(
            f[0].recommendation.contains("`redis+tls` to `redis`"),
            "{f:?}"
        );
    }

    #[test]
    fn an_object_storage_origin_needs_no_internal_certificates() {
        let mut d = reference("01-simple.toml");
        d.components.clear();
        d.servers.clear();
        d.dns.clear();
        d.links.clear();
        let mut cdn = crate::model::Component::new("cdn", Kind::Cdn);
        cdn.redundant = true;
        cdn.certificate = Some("www.foobar.com".into());
        let mut bucket = crate::model::Component::new("bucket", Kind::ObjectStorage);
        bucket.redundant = true;
        d.components = vec![
            crate::model::Component::new("user", Kind::Client),
            cdn,
            bucket,
        ];
        for (from, to, protocol) in [
            ("user", "cdn", Protocol::Https),
            ("cdn", "bucket", Protocol::Http),
        ] {
            d.links.push(crate::model::Link {
                from: from.into(),
                to: to.into(),
                protocol,
                port: None,
                label: None,
            });
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            !f[0].recommendation.contains("internal certificates"),
            "{f:?}"
        );
    }

    #[test]
    fn a_firewall_in_front_hands_on_the_protocol_of_its_last_hop() {
        // HTTPS to the firewall, HTTP from it: HAProxy receives plain text and decrypts nothing.
        assert!(run(&RULE, &corpus("firewall-plain-after")).is_empty());
        // HTTP to the firewall, HTTPS from it to HAProxy, which forwards HTTP.
        let f = run(&RULE, &corpus("firewall-plain-before"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].concerns("haproxy") && !f[0].concerns("fw-edge"),
            "{f:?}"
        );
    }

    #[test]
    fn ssl_terminated_at_the_load_balancer() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        assert_eq!(f.len(), 1);
        // HTTP to both web servers, nginx-2 → app across servers, plain `mysql` to the replica
        // on web-02 (the primary shares web-01 with the application).
        assert_eq!(
            f[0].components,
            ["app", "haproxy", "mysql-replica", "nginx-1", "nginx-2"]
        );
        assert_eq!(f[0].links.len(), 4);
    }

    #[test]
    fn a_terminating_cluster_is_one_finding() {
        let f = run(&RULE, &reference("04-scale-up.toml"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].components,
            [
                "app",
                "haproxy-1",
                "haproxy-2",
                "mysql-primary",
                "mysql-replica",
                "nginx"
            ]
        );
        assert!(f[0].recommendation.contains("`mysql+tls` to"), "{f:?}");
    }

    #[test]
    fn plain_text_on_one_server_stays_on_it() {
        let mut d = reference("03-secured-monitored.toml");
        // TLS terminated by the web servers, which call the application on their own server.
        for l in &mut d.links {
            if l.from == "haproxy" {
                l.protocol = crate::model::Protocol::Https;
            }
            if l.from == "app" {
                l.protocol = crate::model::Protocol::MysqlTls;
            }
        }
        d.component_mut("nginx-1").expect("exists").certificate = Some("www.foobar.com".into());
        let f = run(&RULE, &d);
        // nginx-1 → app is on web-01; nginx-2 → app leaves web-02.
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].concerns("nginx-2") && !f[0].concerns("nginx-1"),
            "{f:?}"
        );
        // With plain `mysql` to the replica on web-02, both web servers' decrypted data crosses
        // it: one finding for that shared cause.
        for l in &mut d.links {
            if l.from == "app" {
                l.protocol = crate::model::Protocol::Mysql;
            }
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].concerns("nginx-1") && f[0].concerns("nginx-2"),
            "{f:?}"
        );
        assert!(
            f[0].message.contains("decrypt the traffic they receive"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn firewalls_are_looked_through() {
        let mut d = reference("05-resilient.toml");
        d.components
            .push(crate::model::Component::new("edge-fw", Kind::Firewall));
        for l in &mut d.links {
            if l.from == "user" {
                l.to = "edge-fw".into();
            }
        }
        d.links.push(crate::model::Link {
            from: "edge-fw".into(),
            to: "lb-cluster".into(),
            protocol: crate::model::Protocol::Https,
            port: None,
            label: None,
        });
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
    }

    #[test]
    fn end_to_end_encryption_passes() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
        assert!(run(&RULE, &reference("02-distributed.toml")).is_empty());
    }
}
