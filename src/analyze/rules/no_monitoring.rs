//! NO-MONITORING: servers nobody watches, or agents that report nowhere.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{Kind, Traffic};

pub static RULE: Rule = Rule {
    id: "NO-MONITORING",
    severity: Severity::Medium,
    title: "no monitoring",
    checks: "Servers with no monitoring agent installed (one finding listing them), and \
             monitoring agents with no monitoring link to a monitoring service.",
    why: "Without metrics and logs, a failing disk, a full database or a spike in errors is \
          found by the users first; the team cannot see QPS, latency or intrusions.",
    fix: "Install a monitoring agent (Sumologic, Datadog, Prometheus node exporter) on every \
          server and link it (`protocol = \"metrics\"`) to a monitoring service.",
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    let mut findings = Vec::new();
    let mut watched = vec![false; d.servers.len()];
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
    if !blind.is_empty() {
        findings.push(
            Finding::new(
                RULE.id,
                Severity::Medium,
                format!(
                    "{} {} {} no monitoring agent: failures and load there go unseen until users notice",
                    if blind.len() == 1 { "server" } else { "servers" },
                    list(&blind),
                    if blind.len() == 1 { "has" } else { "have" },
                ),
            )
            .servers(blind.iter().copied())
            .recommend("install a monitoring agent (e.g. Sumologic) on each server and link it to a monitoring service"),
        );
    }
    let mut sends = vec![false; ctx.len()];
    for (li, l) in d.links.iter().enumerate() {
        if l.protocol.traffic() == Traffic::Monitoring
            && ctx
                .link_to(li)
                .iter()
                .any(|&t| comps[t].kind == Kind::MonitoringService)
        {
            for &f in ctx.link_from(li) {
                sends[f] = true;
            }
        }
    }
    for (i, c) in comps.iter().enumerate() {
        if c.kind == Kind::MonitoringAgent && !sends[i] {
            findings.push(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "monitoring agent {} sends its data nowhere: no metrics link to a monitoring service",
                        list(&[ctx.id(i)])
                    ),
                )
                .components([c.id.clone()])
                .servers(ctx.server_of[i].map(|s| d.servers[s].id.clone()))
                .recommend(format!("link `{}` to a monitoring service with a metrics link", c.id)),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
