//! DNS-UNREACHED: a DNS record that points where no client request goes.

use super::site_unreachable::{down, record_components};
use crate::analyze::{Ctx, Entry, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "DNS-UNREACHED",
    severity: Severity::Medium,
    title: "DNS record points where no request goes",
    checks: "In a design with clients, a DNS record whose target (a server, a component or a \
             cluster) no request from the clients reaches, while other records work (when none \
             does, SITE-UNREACHABLE says the site is down instead).",
    why: "Users who use that name connect to a machine that the design does not route requests \
          to: a stale record after a migration, a typo in the target, or a link that is \
          missing from the design.",
    fix: "Point the record at the component the clients connect to (the load balancer's \
          cluster, or the entry server), or remove it.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    if ctx.entry != Entry::Clients || down(ctx).is_some() {
        return Vec::new();
    }
    ctx.design
        .dns
        .iter()
        .filter(|r| {
            !record_components(ctx, r)
                .iter()
                .any(|&i| ctx.reachable[i])
        })
        .map(|r| {
            let f = Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "DNS record `{}` points at {}, which no request from the clients reaches: who uses that name reaches nothing the design serves",
                    r.name,
                    list(&[&r.target])
                ),
            )
            .recommend(format!(
                "point `{}` at the component the clients connect to, or remove it",
                r.name
            ));
            if ctx.design.server(&r.target).is_some() {
                f.servers([r.target.clone()])
            } else {
                f.components([r.target.clone()])
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn a_stale_record_is_found() {
        let mut d = reference("05-resilient.toml");
        d.servers.push(crate::model::Server {
            id: "old".into(),
            ip: None,
            label: None,
            ..Default::default()
        });
        let mut web = crate::model::Component::new("old-web", crate::model::Kind::WebServer);
        web.server = Some("old".into());
        d.components.push(web);
        d.dns.push(crate::model::DnsRecord {
            name: "legacy".into(),
            record_type: crate::model::RecordType::A,
            target: "old".into(),
        });
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].servers, ["old"]);
    }

    #[test]
    fn records_that_clients_follow_are_fine() {
        for name in ["01-simple.toml", "04-scale-up.toml", "05-resilient.toml"] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }
}
