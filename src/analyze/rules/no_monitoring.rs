//! NO-MONITORING: servers nobody watches, or agents that report nowhere.

use crate::analyze::graph::Host;
use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{Kind, Traffic};

pub static RULE: Rule = Rule {
    id: "NO-MONITORING",
    severity: Severity::Medium,
    title: "no monitoring",
    checks: "Servers with no monitoring (one finding listing them): no monitoring agent \
             installed, and no metrics link between a monitoring service and a component on it. \
             A component without a server (not a managed service), a standalone firewall or router \
             on the request path included, is a host of its own, watched when a metrics link \
             joins it to a monitoring service or agent. And monitoring agents \
             with no metrics link to or from a monitoring service: monitoring may be pushed by \
             the agent or pulled (scraped) by the service, in either direction.",
    why: "Without metrics and logs, a failing disk, a full database or a spike in errors is \
          found by the users first; the team cannot see QPS, latency or intrusions.",
    fix: "Install a monitoring agent (Sumologic, Datadog, Prometheus node exporter) on every \
          server and link it (`protocol = \"metrics+tls\"`) to a monitoring service, which may \
          also scrape it (a link from the service to the agent).",
    category: super::Category::RELIABILITY.with_cwe(super::Cwe::INSUFFICIENT_LOGGING),
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    let mut findings = Vec::new();
    let mut watched = vec![false; d.servers.len()];
    let mut own_watched = vec![false; ctx.len()];
    // Agents that a monitoring service hears from (pushed or pulled).
    let mut sends = vec![false; ctx.len()];
    for (li, l) in d.links.iter().enumerate() {
        if l.protocol.traffic() != Traffic::Monitoring {
            continue;
        }
        let (from, to) = (ctx.link_from(li), ctx.link_to(li));
        let service = |ends: &[usize]| {
            ends.iter()
                .any(|&t| comps[t].kind == Kind::MonitoringService)
        };
        let watcher = |ends: &[usize]| {
            ends.iter().any(|&t| {
                matches!(
                    comps[t].kind,
                    Kind::MonitoringService | Kind::MonitoringAgent
                )
            })
        };
        for (ends, other) in [(from, to), (to, from)] {
            if service(other) {
                for &i in ends {
                    sends[i] = true;
                    if let Some(s) = ctx.server_of[i] {
                        watched[s] = true;
                    }
                }
            }
            if watcher(other) {
                for &i in ends {
                    own_watched[i] = true;
                }
            }
        }
    }
    for (c, server) in comps.iter().zip(&ctx.server_of) {
        if let (Kind::MonitoringAgent, Some(s)) = (c.kind, *server) {
            watched[s] = true;
        }
    }
    // Servers that host something: an empty server is a placeholder, not a blind spot.
    let blind: Vec<&str> = (0..d.servers.len())
        .filter(|&s| !ctx.hosted[s].is_empty() && !watched[s])
        .map(|s| d.servers[s].id.as_str())
        .collect();
    let own_blind: Vec<&str> = (0..ctx.len())
        .filter(|&i| {
            // A standalone firewall or router in use is an appliance of its own to watch.
            let appliance = comps[i].server.is_none()
                && !comps[i].redundant
                && matches!(comps[i].kind, Kind::Firewall | Kind::Router)
                && ctx.reachable[i];
            (appliance || matches!(ctx.host(i), Some(Host::Own(_)))) && !own_watched[i]
        })
        .map(|i| ctx.id(i))
        .collect();
    let appliances: Vec<&str> = own_blind
        .iter()
        .copied()
        .filter(|id| {
            d.component(id)
                .is_some_and(|c| matches!(c.kind, Kind::Firewall | Kind::Router))
        })
        .collect();
    if !blind.is_empty() || !own_blind.is_empty() {
        let mut what = Vec::new();
        if !blind.is_empty() {
            what.push(format!(
                "{} {}",
                if blind.len() == 1 {
                    "server"
                } else {
                    "servers"
                },
                list(&blind)
            ));
        }
        if !own_blind.is_empty() {
            what.push(format!(
                "{} (on {} of {} own, naming no server)",
                list(&own_blind),
                if own_blind.len() == 1 {
                    "a host"
                } else {
                    "hosts"
                },
                if own_blind.len() == 1 { "its" } else { "their" },
            ));
        }
        let many = blind.len() + own_blind.len() > 1;
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "{} {} no monitoring: failures and load there go unseen until users notice",
                    what.join(" and "),
                    if many { "have" } else { "has" },
                ),
            )
            .servers(blind.iter().copied())
            .components(own_blind.iter().copied())
            .recommend(if appliances.is_empty() {
                "install a monitoring agent (e.g. Sumologic) on each server and link it to a monitoring service".to_string()
            } else if blind.is_empty() && appliances.len() == own_blind.len() {
                format!(
                    "have {} send metrics (SNMP or an exporter) to a monitoring service, with a `metrics+tls` link",
                    list(&appliances)
                )
            } else {
                format!(
                    "install a monitoring agent (e.g. Sumologic) on each server and link it to a monitoring service; have {} send metrics (SNMP or an exporter) to it",
                    list(&appliances)
                )
            }),
        );
    }
    for (i, c) in comps.iter().enumerate() {
        if c.kind == Kind::MonitoringAgent && !sends[i] {
            findings.push(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "monitoring agent {} sends its data nowhere: no metrics link to or from a monitoring service",
                        list(&[ctx.id(i)])
                    ),
                )
                .components([c.id.clone()])
                .servers(ctx.server_of[i].map(|s| d.servers[s].id.clone()))
                .recommend(format!("link `{}` to a monitoring service with a metrics link (pushed, or scraped by the service)", c.id)),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_standalone_firewall_is_a_host_to_watch() {
        let f = run(
            &RULE,
            &crate::analyze::rules::testing::corpus("standalone-firewall"),
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["fw-edge"]);
        assert!(f[0].servers.is_empty(), "{f:?}");
        assert!(f[0].recommendation.contains("SNMP"), "{f:?}");
    }
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn unmonitored_servers_are_listed() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].servers, ["lb-01", "web-01", "web-02"]);
    }

    #[test]
    fn agents_that_report_nowhere_are_found() {
        let mut d = reference("03-secured-monitored.toml");
        assert!(run(&RULE, &d).is_empty());
        d.links.retain(|l| l.from != "agent-web-02");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["agent-web-02"]);
    }

    #[test]
    fn pull_based_monitoring_counts() {
        let mut d = reference("03-secured-monitored.toml");
        // The service scrapes the agents instead of the agents pushing.
        for l in &mut d.links {
            if l.protocol.traffic() == Traffic::Monitoring {
                std::mem::swap(&mut l.from, &mut l.to);
            }
        }
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
    }

    #[test]
    fn a_component_without_a_server_needs_watching_too() {
        let mut d = reference("03-secured-monitored.toml");
        d.component_mut("haproxy").expect("exists").server = None;
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["haproxy"]);
        d.links.push(crate::model::Link {
            from: "sumologic".into(),
            to: "haproxy".into(),
            protocol: crate::model::Protocol::MetricsTls,
            port: None,
            label: None,
        });
        assert!(run(&RULE, &d).is_empty());
    }
}
