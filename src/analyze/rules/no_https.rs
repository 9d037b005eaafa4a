//! NO-HTTPS: plain traffic from the internet, or HTTPS without a fitting certificate.

use crate::analyze::graph::pass_through;
use crate::analyze::{Ctx, Entry, Finding, Rule, Severity, arrows, list};
use crate::model::{Kind, Protocol};

pub static RULE: Rule = Rule {
    id: "NO-HTTPS",
    severity: Severity::High,
    title: "traffic from the internet not encrypted",
    checks: "The links a client's requests cross up to the first component past firewalls, \
             routers and gateways: any that is not encrypted is reported (one finding per \
             component that receives the traffic, listing the plain hops); what reaches that \
             component is the protocol of the last hop into it, so encrypted traffic arriving \
             at a component without a certificate is reported (one finding per terminating \
             component or cluster); a \
             certificate that does not cover the name users reach it by, matched as browsers \
             match (`foobar.com` does not cover `www.foobar.com`, `*.foobar.com` does). Name \
             service (`dns` links and components) is not user traffic. Where the design has no \
             client, the inferred entry points must hold a certificate, and the message says \
             that the entry was inferred.",
    why: "Passwords, cookies and personal data cross the internet in clear text, readable and \
          changeable by anyone on the way; browsers mark such sites as not secure, and refuse \
          a certificate for another name.",
    fix: "Serve HTTPS at the entry (`protocol = \"https\"`, port 443), install a certificate for \
          the site's name on the component that terminates it, and redirect HTTP to HTTPS.",
    category: super::Category::security(super::Cwe::CLEARTEXT_TRANSMISSION).at_link(),
    check,
};

/// Whether a certificate name covers a host name as a browser checks it: the same name, or a
/// wildcard `*.parent` for exactly one label more than `parent`.
pub(crate) fn covers(cert: &str, host: &str) -> bool {
    let cert = cert.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if cert == host {
        return true;
    }
    match (cert.strip_prefix("*."), host.split_once('.')) {
        (Some(parent), Some((label, rest))) => !label.is_empty() && rest == parent,
        _ => false,
    }
}

/// The names users reach a component by: the DNS records that point at it (or at its server
/// or cluster), else the site's name.
fn names_of(ctx: &Ctx, i: usize) -> Vec<String> {
    let d = ctx.design;
    let Some(domain) = d.domain.as_deref() else {
        return Vec::new();
    };
    let c = &d.components[i];
    let server = c.server.as_deref();
    let mut names: Vec<String> = d
        .dns
        .iter()
        .filter(|r| {
            r.target == c.id
                || Some(r.target.as_str()) == c.cluster.as_deref()
                || Some(r.target.as_str()) == server
        })
        .map(|r| match r.name.as_str() {
            "@" | "" => domain.to_string(),
            n => format!("{n}.{domain}"),
        })
        .collect();
    if names.is_empty() {
        names.push(d.site_name());
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// The names of a certificate field: one name, or several separated by commas or spaces.
fn cert_names(cert: &str) -> impl Iterator<Item = &str> {
    cert.split([',', ' ']).filter(|n| !n.is_empty())
}

/// Plain links from clients into one component or cluster: its key, the clients, the
/// components that receive them and the links.
type PlainGroup = (String, Vec<usize>, Vec<usize>, Vec<usize>);

/// Where the TLS that reaches component `e` ends: `e` itself, unless every request link into
/// it and out of it is raw `tls` (TCP passthrough) and it holds no certificate of its own, then
/// wherever its `tls` links lead, and so on.
fn tls_ends(ctx: &Ctx, e: usize) -> Vec<usize> {
    let links = &ctx.design.links;
    let raw = |edges: &[(usize, usize)]| {
        !edges.is_empty()
            && edges
                .iter()
                .all(|&(_, l)| links[l].protocol == Protocol::Tls)
    };
    let mut out = Vec::new();
    let mut seen = vec![false; ctx.len()];
    let mut stack = vec![e];
    while let Some(c) = stack.pop() {
        if std::mem::replace(&mut seen[c], true) {
            continue;
        }
        let holds = ctx.design.components[c].certificate.is_some();
        if !holds && raw(&ctx.into[c]) && raw(&ctx.out[c]) {
            stack.extend(ctx.out[c].iter().map(|&(t, _)| t));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a link carries HTTPS (or gRPC over TLS), which needs a certificate for the site's
/// names where it ends: raw `tls` does on the HTTPS ports (or where no port is given), not on
/// others (SSH on 22, a WireGuard tunnel on 51820), whose keys are no web certificate.
fn carries_https(link: &crate::model::Link) -> bool {
    match link.protocol {
        Protocol::Https | Protocol::Grpcs => true,
        Protocol::Tls => link.port.is_none_or(|p| matches!(p, 443 | 8443)),
        _ => false,
    }
}

/// The host names whose records lead to component `e`: "www.foobar.com", "foobar.com" for the
/// apex; the site's name where no record names it.
fn looked_up(ctx: &Ctx, e: usize) -> String {
    let d = ctx.design;
    let hosts: Vec<String> = ctx
        .records_to(e)
        .into_iter()
        .filter_map(|n| {
            let domain = d.domain.as_deref()?;
            Some(if n == "@" || n.is_empty() {
                domain.to_string()
            } else {
                format!("{n}.{domain}")
            })
        })
        .collect();
    if hosts.is_empty() {
        d.site_name()
    } else {
        crate::analyze::and_join(&hosts)
    }
}

/// How requests reached a component that must hold a certificate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// An encrypted link from a client.
    Https,
    /// A client that queries the DNS and connects where the records point.
    Record,
    /// An entry point inferred in a design without clients.
    Inferred,
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    let key = |i: usize| {
        comps[i]
            .cluster
            .clone()
            .unwrap_or_else(|| comps[i].id.clone())
    };
    let mut findings = Vec::new();
    // Plain links from clients, by the component (or cluster) that receives them.
    let mut plain: Vec<PlainGroup> = Vec::new();
    let mut endpoints: Vec<(usize, Via)> = Vec::new();
    for from in 0..ctx.len() {
        if comps[from].kind != Kind::Client {
            continue;
        }
        for (to, path) in ctx.paths_beyond(from) {
            if comps[to].kind == Kind::Dns
                || path.iter().any(|&l| d.links[l].protocol == Protocol::Dns)
            {
                continue;
            }
            // What reaches the component is the protocol of the last hop into it; every hop
            // the user's traffic crosses must be encrypted.
            let last = path[path.len() - 1];
            if d.links[last].encrypted() && path.iter().any(|&l| carries_https(&d.links[l])) {
                endpoints.push((to, Via::Https));
            }
            let bare: Vec<usize> = path
                .iter()
                .copied()
                .filter(|&l| !d.links[l].encrypted())
                .collect();
            if bare.is_empty() {
                continue;
            }
            let k = key(to);
            match plain.iter_mut().find(|(kk, _, _, _)| *kk == k) {
                Some((_, clients, tos, ls)) => {
                    clients.push(from);
                    tos.push(to);
                    ls.extend(bare);
                }
                None => plain.push((k, vec![from], vec![to], bare)),
            }
        }
    }
    // Where clients already talk plain HTTP, that finding asks for HTTPS with a certificate:
    // the record's missing certificate there is the same cause.
    let plain_to: Vec<usize> = plain
        .iter()
        .flat_map(|(_, _, tos, _)| tos.clone())
        .collect();
    for (_, mut clients, mut tos, mut ls) in plain {
        // A client linked to a database is DB-EXPOSED's finding (remove the link), not a
        // matter of serving HTTPS on the database.
        if tos.iter().all(|&t| comps[t].kind == Kind::Database) {
            continue;
        }
        clients.sort_unstable();
        clients.dedup();
        tos.sort_unstable();
        tos.dedup();
        ls.sort_unstable();
        ls.dedup();
        let protocols: Vec<String> = {
            let mut p: Vec<String> = ls
                .iter()
                .map(|&l| d.links[l].protocol.as_str().to_uppercase())
                .collect();
            p.sort_unstable();
            p.dedup();
            p
        };
        let cl: Vec<&str> = clients.iter().map(|&c| ctx.id(c)).collect();
        let to_ids: Vec<&str> = tos.iter().map(|&t| ctx.id(t)).collect();
        // Plain links that are not the client's own link into the component: hops on the way.
        let direct = ls.iter().all(|&l| {
            ctx.link_from(l).iter().any(|f| clients.contains(f))
                && ctx.link_to(l).iter().any(|t| tos.contains(t))
        });
        let message = if direct {
            format!(
                "{} {} {} over plain {}: what users send crosses the internet unencrypted",
                list(&cl),
                if cl.len() == 1 { "talks to" } else { "talk to" },
                list(&to_ids),
                protocols.join(" and ")
            )
        } else {
            let hops: Vec<(&str, &str)> = ls
                .iter()
                .map(|&l| (d.links[l].from.as_str(), d.links[l].to.as_str()))
                .collect();
            format!(
                "what {} {} to {} crosses plain {} on {}: it travels the network unencrypted",
                list(&cl),
                if cl.len() == 1 { "sends" } else { "send" },
                list(&to_ids),
                protocols.join(" and "),
                arrows(&hops)
            )
        };
        let mut involved: Vec<&str> = cl.iter().chain(&to_ids).copied().collect();
        for &l in &ls {
            involved.extend(ctx.link_from(l).iter().map(|&c| ctx.id(c)));
            involved.extend(ctx.link_to(l).iter().map(|&c| ctx.id(c)));
        }
        let fix = if direct {
            format!(
                "serve HTTPS on {} with a certificate for {} and redirect HTTP to it",
                list(&to_ids),
                d.site_name()
            )
        } else {
            let cert = if tos.iter().all(|&t| comps[t].certificate.is_some()) {
                String::new()
            } else {
                format!(
                    ", with a certificate for {} on {},",
                    d.site_name(),
                    list(&to_ids)
                )
            };
            format!(
                "make every hop to {} HTTPS{cert} and redirect HTTP to it",
                list(&to_ids),
            )
        };
        findings.push(
            Finding::new(RULE.id, Severity::High, message)
                .components(involved)
                .links(ls)
                .recommend(fix),
        );
    }
    match ctx.entry {
        Entry::Clients => endpoints.extend(ctx.resolved.iter().map(|&r| (r, Via::Record))),
        _ => endpoints.extend(ctx.entries.iter().map(|&e| (e, Via::Inferred))),
    }
    // A component that takes raw TLS and forwards only raw TLS (a load balancer in TCP mode)
    // passes the encryption through: the certificate belongs where it ends.
    let endpoints: Vec<(usize, Via)> = endpoints
        .into_iter()
        .flat_map(|(e, via)| tls_ends(ctx, e).into_iter().map(move |t| (t, via)))
        .collect();
    let mut endpoints = endpoints;
    endpoints.retain(|&(e, via)| via != Via::Record || !plain_to.contains(&e));
    endpoints.retain(|&(e, _)| !pass_through(comps[e].kind) && comps[e].kind != Kind::Client);
    endpoints.sort_unstable_by_key(|&(e, via)| (e, via as u8));
    endpoints.dedup_by_key(|(e, _)| *e);
    // Missing or wrong certificates, one finding per terminating component or cluster.
    let mut bad: Vec<(String, Vec<usize>, Via, Option<String>)> = Vec::new();
    for (e, via) in endpoints {
        let c = &comps[e];
        let wrong = match &c.certificate {
            None => None,
            Some(cert) => {
                let names = names_of(ctx, e);
                let uncovered: Vec<String> = names
                    .into_iter()
                    .filter(|n| !cert_names(cert).any(|c| covers(c, n)))
                    .collect();
                if uncovered.is_empty() {
                    continue;
                }
                Some(uncovered.join(", "))
            }
        };
        let k = key(e);
        match bad.iter_mut().find(|(kk, _, _, w)| *kk == k && *w == wrong) {
            Some((_, members, _, _)) => members.push(e),
            None => bad.push((k, vec![e], via, wrong)),
        }
    }
    for (_, members, via, wrong) in bad {
        let ids: Vec<&str> = members.iter().map(|&m| ctx.id(m)).collect();
        let who = list(&ids);
        let message = match (&wrong, via) {
            (Some(names), _) => format!(
                "the certificate on {who} ({}) does not cover {}: browsers will refuse it",
                list(&[comps[members[0]].certificate.as_deref().unwrap_or_default()]),
                list(&[names])
            ),
            (None, Via::Https) => format!(
                "{who} {} HTTPS from the clients but {} no SSL certificate",
                if ids.len() == 1 {
                    "receives"
                } else {
                    "receive"
                },
                if ids.len() == 1 { "holds" } else { "hold" }
            ),
            (None, Via::Record) => format!(
                "{who}, where the DNS record points, {} no SSL certificate: users who look up {} cannot reach it over HTTPS",
                if ids.len() == 1 { "holds" } else { "hold" },
                looked_up(ctx, members[0])
            ),
            (None, Via::Inferred) => format!(
                "{who}, taken as the entry point (inferred: the design has no client), {} no SSL certificate: it cannot serve HTTPS to users",
                if ids.len() == 1 { "holds" } else { "hold" }
            ),
        };
        let names = names_of(ctx, members[0]);
        let for_names = if names.is_empty() {
            d.site_name()
        } else {
            names.join(" and ")
        };
        findings.push(
            Finding::new(RULE.id, Severity::High, message)
                .components(ids.iter().copied())
                .recommend(format!("install a certificate for {for_names} on {who}")),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{corpus, reference, run};

    #[test]
    fn the_hop_past_a_gateway_or_firewall_counts() {
        // TLS to the VPN gateway, plain HTTP from it to Nginx (which holds a certificate).
        let mut d = corpus("vpn-plain-after");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains(" on `vpn` → `nginx`:"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].links, [1]);
        // Without the certificate it is still one finding, and never "receives HTTPS".
        d.component_mut("nginx").expect("exists").certificate = None;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(!f[0].message.contains("receives HTTPS"), "{}", f[0].message);
        // HTTPS to a standalone firewall, HTTP from it to HAProxy.
        let f = run(&RULE, &corpus("firewall-plain-after"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].concerns("haproxy") && f[0].concerns("fw-edge"),
            "{f:?}"
        );
        assert!(
            f[0].message.contains("`fw-edge` → `haproxy`"),
            "{}",
            f[0].message
        );
        // HTTP from the users to the firewall: the users' own link is plain.
        let f = run(&RULE, &corpus("firewall-plain-before"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("`user` → `fw-edge`"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn plain_http_from_clients_is_found() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["haproxy", "user"]);
        assert_eq!(f[0].links, [0]);
    }

    #[test]
    fn https_with_a_matching_certificate_passes() {
        for name in [
            "03-secured-monitored.toml",
            "04-scale-up.toml",
            "05-resilient.toml",
        ] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }

    #[test]
    fn missing_or_wrong_certificates_are_found() {
        let mut d = reference("03-secured-monitored.toml");
        d.component_mut("haproxy").expect("exists").certificate = Some("www.example.org".into());
        let f = run(&RULE, &d);
        assert!(f[0].message.contains("does not cover"), "{}", f[0].message);
        d.component_mut("haproxy").expect("exists").certificate = None;
        let f = run(&RULE, &d);
        assert!(
            f[0].message.contains("no SSL certificate"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn certificate_names_match_as_browsers_match() {
        assert!(covers("www.foobar.com", "www.foobar.com"));
        assert!(covers("*.foobar.com", "www.foobar.com"));
        assert!(covers("WWW.Foobar.com.", "www.foobar.com"));
        assert!(!covers("foobar.com", "www.foobar.com"));
        assert!(!covers("*.foobar.com", "foobar.com"));
        assert!(!covers("*.foobar.com", "a.b.foobar.com"));
        assert!(!covers("notfoobar.com", "foobar.com"));
        let mut d = reference("03-secured-monitored.toml");
        d.component_mut("haproxy").expect("exists").certificate = Some("foobar.com".into());
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("does not cover `www.foobar.com`"),
            "{}",
            f[0].message
        );
        d.component_mut("haproxy").expect("exists").certificate =
            Some("foobar.com, *.foobar.com".into());
        assert!(run(&RULE, &d).is_empty());
    }

    #[test]
    fn a_terminating_cluster_without_certificates_is_one_finding() {
        let mut d = reference("04-scale-up.toml");
        for id in ["haproxy-1", "haproxy-2"] {
            d.component_mut(id).expect("exists").certificate = None;
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["haproxy-1", "haproxy-2"]);
        // Plain HTTP to a cluster is one finding too.
        d.links[0].protocol = crate::model::Protocol::Http;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("plain HTTP"), "{}", f[0].message);
    }

    #[test]
    fn dns_is_not_user_traffic_and_firewalls_are_looked_through() {
        let mut d = reference("05-resilient.toml");
        d.components
            .push(crate::model::Component::new("resolver", Kind::Dns));
        d.components
            .push(crate::model::Component::new("edge", Kind::Router));
        for l in &mut d.links {
            if l.from == "user" {
                l.to = "edge".into();
            }
        }
        for (from, to, protocol) in [
            ("user", "resolver", crate::model::Protocol::Dns),
            ("edge", "lb-cluster", crate::model::Protocol::Https),
        ] {
            d.links.push(crate::model::Link {
                from: from.into(),
                to: to.into(),
                protocol,
                port: None,
                label: None,
            });
        }
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
    }

    #[test]
    fn inferred_entries_are_not_said_to_receive_https() {
        let mut d = reference("03-secured-monitored.toml");
        d.remove_component("user");
        d.component_mut("haproxy").expect("exists").certificate = None;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("inferred"), "{}", f[0].message);
        assert!(
            !f[0].message.contains("from the internet"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn ssh_and_vpn_tunnels_need_no_web_certificate() {
        // An admin's WireGuard tunnel to a gateway, SSH on to the application server.
        let mut d = reference("02-distributed.toml");
        let mut admin = crate::model::Component::new("admin", Kind::Client);
        admin.label = Some("Admin laptop".into());
        d.components.push(admin);
        d.components
            .push(crate::model::Component::new("bastion", Kind::Other));
        let tls = |from: &str, to: &str, port: u16| crate::model::Link {
            from: from.into(),
            to: to.into(),
            protocol: Protocol::Tls,
            port: Some(port),
            label: None,
        };
        d.links.push(tls("admin", "bastion", 22));
        d.links.push(tls("bastion", "app", 22));
        let before = run(&RULE, &reference("02-distributed.toml"));
        assert_eq!(run(&RULE, &d), before);
        // The same link on 443 is HTTPS: where its TLS ends must hold a certificate.
        d.links.retain(|l| l.from != "admin");
        d.links.push(tls("admin", "bastion", 443));
        let f = run(&RULE, &d);
        assert_eq!(f.len(), before.len() + 1, "{f:?}");
        // As people write them: WireGuard is UDP on 51820, SSH is TCP on 22. Both encrypted.
        d.links.retain(|l| l.from != "admin" && l.from != "bastion");
        let raw = |from: &str, to: &str, protocol: Protocol, port: u16| crate::model::Link {
            from: from.into(),
            to: to.into(),
            protocol,
            port: Some(port),
            label: None,
        };
        d.links.push(raw("admin", "bastion", Protocol::Udp, 51820));
        d.links.push(raw("bastion", "app", Protocol::Tcp, 22));
        assert_eq!(run(&RULE, &d), before);
        // A plain TCP port is plain.
        d.links.retain(|l| l.from != "admin");
        d.links.push(raw("admin", "bastion", Protocol::Tcp, 8080));
        assert_eq!(run(&RULE, &d).len(), before.len() + 1);
    }

    #[test]
    fn tls_passed_through_needs_its_certificate_where_it_ends() {
        // HAProxy in TCP mode: raw TLS in, raw TLS out to Nginx, which holds the certificate.
        let mut d = reference("04-scale-up.toml");
        for l in &mut d.links {
            if l.from == "user" || l.from.starts_with("haproxy") {
                l.protocol = Protocol::Tls;
            }
        }
        for c in &mut d.components {
            if c.kind == Kind::LoadBalancer {
                c.certificate = None;
            }
        }
        d.component_mut("nginx").expect("exists").certificate = Some("www.foobar.com".into());
        let f = run(&RULE, &d);
        assert!(f.is_empty(), "{f:#?}");
        // Without a certificate where the TLS ends, that is where the finding is.
        d.component_mut("nginx").expect("exists").certificate = None;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].components.iter().any(|c| c == "nginx"), "{f:#?}");
        assert!(
            !f[0].components.iter().any(|c| c.starts_with("haproxy")),
            "{f:#?}"
        );
    }
}
