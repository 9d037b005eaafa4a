//! TLS-TERMINATED-EARLY: encrypted traffic that goes on in plain text after it is decrypted.

use crate::analyze::graph::pass_through;
use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{Kind, Protocol};

pub static RULE: Rule = Rule {
    id: "TLS-TERMINATED-EARLY",
    severity: Severity::Medium,
    title: "TLS terminated before the servers",
    checks: "A component that receives encrypted request traffic and forwards requests over \
             unencrypted links that leave its host (e.g. HTTPS terminated at the load balancer, \
             HTTP to the web servers). Firewalls, routers and name services are hops, not \
             endpoints: the check looks through them. Plain text between two components on the \
             same server does not cross the network. A cluster that terminates TLS is one \
             finding.",
    why: "Inside the network, the users' data travels in clear text: anyone who gets onto it \
          (a compromised host, a misrouted mirror port) reads passwords and sessions.",
    fix: "Re-encrypt behind the terminating component (HTTPS to the backends with internal \
          certificates, TLS to the database), or pass TLS through to the web servers.",
    check,
};

/// Components that decrypt as one (a cluster, or one component): the cluster, the members and
/// the (target, link) pairs they forward in plain text.
type Terminators<'a> = (Option<&'a str>, Vec<usize>, Vec<(usize, usize)>);

fn check(ctx: &Ctx) -> Vec<Finding> {
    let links = &ctx.design.links;
    let comps = &ctx.design.components;
    // Terminators grouped by cluster (a cluster decrypts as one), in design order.
    let mut groups: Vec<Terminators> = Vec::new();
    for (i, c) in comps.iter().enumerate() {
        if pass_through(ctx.kind(i))
            || !ctx.into[i]
                .iter()
                .any(|&(_, l)| links[l].protocol.encrypted())
        {
            continue;
        }
        let plain: Vec<(usize, usize)> = ctx
            .beyond(i)
            .into_iter()
            .filter(|&(_, l)| {
                let p = links[l].protocol;
                !p.encrypted() && p != Protocol::Dns
            })
            // Loopback: a plain link to a component on the same server stays on the host.
            .filter(|&(_, l)| {
                let here = ctx.server_of[i];
                here.is_none() || ctx.link_to(l).iter().any(|&t| ctx.server_of[t] != here)
            })
            .collect();
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
    groups
        .into_iter()
        .map(|(cluster, members, plain)| {
            let mut to: Vec<&str> = plain.iter().map(|&(t, _)| ctx.id(t)).collect();
            to.sort_unstable();
            to.dedup();
            let ids: Vec<&str> = members.iter().map(|&m| ctx.id(m)).collect();
            let (who, verb, from) = match cluster {
                Some(cl) if members.len() > 1 => (
                    format!("the load balancers of cluster `{cl}` ({})", list(&ids)),
                    "decrypt the traffic they receive and forward it",
                    format!("the `{cl}` cluster"),
                ),
                _ => (
                    list(&ids),
                    "decrypts the traffic it receives and forwards it",
                    format!("`{}`", ids[0]),
                ),
            };
            let who = if members.len() > 1 && comps[members[0]].kind != Kind::LoadBalancer {
                format!("the members of cluster `{}` ({})", cluster.unwrap_or_default(), list(&ids))
            } else {
                who
            };
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!("{who} {verb} in plain text to {}", list(&to)),
            )
            .components(ids.iter().copied().chain(to.iter().copied()))
            .links(plain.iter().map(|&(_, l)| l))
            .recommend(format!(
                "re-encrypt from {from} to its backends (HTTPS with internal certificates) or pass TLS through"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn ssl_terminated_at_the_load_balancer() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["haproxy", "nginx-1", "nginx-2"]);
        assert_eq!(f[0].links.len(), 2);
    }

    #[test]
    fn a_terminating_cluster_is_one_finding() {
        let f = run(&RULE, &reference("04-scale-up.toml"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["haproxy-1", "haproxy-2", "nginx"]);
        assert_eq!(f[0].links.len(), 2);
    }

    #[test]
    fn plain_text_on_one_server_stays_on_it() {
        let mut d = reference("03-secured-monitored.toml");
        // TLS terminated by the web servers, which call the application on their own server.
        for l in &mut d.links {
            if l.from == "haproxy" {
                l.protocol = crate::model::Protocol::Https;
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
