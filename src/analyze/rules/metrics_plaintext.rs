//! METRICS-PLAINTEXT: monitoring data sent unencrypted to a service outside the design's servers.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{Kind, Protocol};

pub static RULE: Rule = Rule {
    id: "METRICS-PLAINTEXT",
    severity: Severity::Medium,
    title: "monitoring data leaves unencrypted",
    checks: "A plain `metrics` link, in either direction, between a component and a monitoring \
             service that runs on none of the design's servers (a SaaS such as Sumologic or \
             Datadog): one finding per service, listing its plain links.",
    why: "Metrics and logs carry host names, internal addresses, error messages and often user \
          data; sent in clear text they cross the internet readable by anyone on the way.",
    fix: "Use `metrics+tls` (the agents' HTTPS or TLS endpoint of the service) for every link to \
          the monitoring service.",
    category: super::Category::security(super::Cwe::CLEARTEXT_TRANSMISSION).at_link(),
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    let saas = |i: usize| comps[i].kind == Kind::MonitoringService && ctx.server_of[i].is_none();
    // Per SaaS service: the plain links and the components at their other end.
    let mut by_service: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new();
    for (li, l) in d.links.iter().enumerate() {
        if l.protocol != Protocol::Metrics {
            continue;
        }
        for (ends, other) in [
            (ctx.link_to(li), ctx.link_from(li)),
            (ctx.link_from(li), ctx.link_to(li)),
        ] {
            for &svc in ends.iter().filter(|&&s| saas(s)) {
                match by_service.iter_mut().find(|(s, _, _)| *s == svc) {
                    Some((_, links, peers)) => {
                        links.push(li);
                        peers.extend_from_slice(other);
                    }
                    None => by_service.push((svc, vec![li], other.to_vec())),
                }
            }
        }
    }
    by_service
        .into_iter()
        .map(|(svc, links, mut peers)| {
            peers.sort_unstable();
            peers.dedup();
            let ids: Vec<&str> = peers.iter().map(|&p| ctx.id(p)).collect();
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "{} exchange{} plain `metrics` with {}, a service outside the design's servers: monitoring data crosses the internet unencrypted",
                    list(&ids),
                    if ids.len() == 1 { "s" } else { "" },
                    list(&[ctx.id(svc)])
                ),
            )
            .components(std::iter::once(ctx.id(svc)).chain(ids.iter().copied()))
            .links(links)
            .recommend(format!("send the metrics to `{}` over TLS (`metrics+tls`)", ctx.id(svc)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn plain_metrics_to_a_saas_are_one_finding() {
        let mut d = reference("03-secured-monitored.toml");
        for l in &mut d.links {
            if l.protocol == Protocol::MetricsTls {
                l.protocol = Protocol::Metrics;
            }
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].concerns("sumologic") && f[0].links.len() == 3, "{f:?}");
    }

    #[test]
    fn encrypted_or_in_house_monitoring_is_fine() {
        assert!(run(&RULE, &reference("03-secured-monitored.toml")).is_empty());
        let mut d = reference("03-secured-monitored.toml");
        for l in &mut d.links {
            if l.protocol == Protocol::MetricsTls {
                l.protocol = Protocol::Metrics;
            }
        }
        // A monitoring server of the design's own: the metrics stay inside.
        d.component_mut("sumologic").expect("exists").server = Some("web-01".into());
        assert!(run(&RULE, &d).is_empty());
    }
}
