//! NO-HTTPS: plain traffic from the internet, or HTTPS without a fitting certificate.

use crate::analyze::{Ctx, Entry, Finding, Rule, Severity, list};
use crate::model::{Design, Kind};

pub static RULE: Rule = Rule {
    id: "NO-HTTPS",
    severity: Severity::High,
    title: "traffic from the internet not encrypted",
    checks: "A request link from a client (or, in a design without clients, into an entry \
             point) whose protocol is not encrypted; an encrypted link from a client to a \
             component without a certificate; a certificate whose name does not match the \
             design's domain.",
    why: "Passwords, cookies and personal data cross the internet in clear text, readable and \
          changeable by anyone on the way; browsers mark such sites as not secure.",
    fix: "Serve HTTPS at the entry (`protocol = \"https\"`, port 443), install a certificate for \
          the site's name on the component that terminates it, and redirect HTTP to HTTPS.",
    check,
};

/// Whether a certificate name covers the design's domain (exact, subdomain or wildcard).
pub(crate) fn cert_matches(design: &Design, name: &str) -> bool {
    let Some(domain) = design.domain.as_deref() else {
        return true;
    };
    let name = name.trim_end_matches('.');
    let domain = domain.trim_end_matches('.');
    name.eq_ignore_ascii_case(domain)
        || name
            .to_ascii_lowercase()
            .strip_suffix(&domain.to_ascii_lowercase())
            .is_some_and(|head| head.ends_with('.'))
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    let mut findings = Vec::new();
    let mut endpoints: Vec<usize> = Vec::new();
    // The links that come from the internet side.
    let mut internet: Vec<(usize, usize, usize)> = Vec::new();
    for (from, outs) in ctx.out.iter().enumerate() {
        if comps[from].kind != Kind::Client {
            continue;
        }
        internet.extend(outs.iter().map(|&(to, l)| (from, to, l)));
    }
    if ctx.entry != Entry::Clients {
        for &e in &ctx.entries {
            endpoints.push(e);
        }
    }
    for &(from, to, l) in &internet {
        let link = &d.links[l];
        if link.protocol.encrypted() {
            endpoints.push(to);
        } else {
            findings.push(
                Finding::new(
                    RULE.id,
                    Severity::High,
                    format!(
                        "{} talks to {} over plain {}: what users send crosses the internet unencrypted",
                        list(&[ctx.id(from)]),
                        list(&[ctx.id(to)]),
                        link.protocol.as_str().to_uppercase()
                    ),
                )
                .components([ctx.id(from), ctx.id(to)])
                .links([l])
                .recommend(format!(
                    "serve HTTPS on `{}` with a certificate for {} and redirect HTTP to it",
                    ctx.id(to),
                    d.site_name()
                )),
            );
        }
    }
    endpoints.sort_unstable();
    endpoints.dedup();
    for e in endpoints {
        let c = &comps[e];
        match &c.certificate {
            None => findings.push(
                Finding::new(
                    RULE.id,
                    Severity::High,
                    format!(
                        "{} receives HTTPS from the internet but holds no SSL certificate",
                        list(&[&c.id])
                    ),
                )
                .components([c.id.clone()])
                .recommend(format!("install a certificate for {} on `{}`", d.site_name(), c.id)),
            ),
            Some(name) if !cert_matches(d, name) => findings.push(
                Finding::new(
                    RULE.id,
                    Severity::High,
                    format!(
                        "the certificate on {} is for `{name}`, which does not match the domain `{}`: browsers will refuse it",
                        list(&[&c.id]),
                        d.domain.as_deref().unwrap_or_default()
                    ),
                )
                .components([c.id.clone()])
                .recommend(format!("install a certificate for {} on `{}`", d.site_name(), c.id)),
            ),
            Some(_) => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

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
        assert!(f[0].message.contains("does not match"), "{}", f[0].message);
        d.component_mut("haproxy").expect("exists").certificate = None;
        let f = run(&RULE, &d);
        assert!(
            f[0].message.contains("no SSL certificate"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn certificate_names_match_subdomains_and_wildcards() {
        let d = reference("01-simple.toml");
        assert!(cert_matches(&d, "www.foobar.com"));
        assert!(cert_matches(&d, "*.foobar.com"));
        assert!(cert_matches(&d, "foobar.com"));
        assert!(!cert_matches(&d, "notfoobar.com"));
        assert!(!cert_matches(&d, "www.foobar.org"));
    }
}
