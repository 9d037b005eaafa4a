//! UNREACHABLE: a component no request reaches and that serves nothing.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "UNREACHABLE",
    severity: Severity::Low,
    title: "unreachable component",
    checks: "A component that no request from the clients reaches and that serves nothing \
             else: not a client, not a monitoring agent, not a DNS service, not the target of a \
             replication, backup or monitoring link, not a job runner that sends requests itself \
             (kind `other`: a cron box, a worker; or an application server no request enters \
             whose id, label or software says cron, batch, scheduler, worker or job) nor what \
             such a runner calls, not application files on a server that is \
             in use, and not a firewall on such a server. Left out while the whole site is \
             unreachable (SITE-UNREACHABLE).",
    why: "It costs money and attention and does nothing, or a link is missing and the design \
          does not work the way it is drawn.",
    fix: "Link it to the component that should send it requests, or delete it.",
    category: super::Category::RELIABILITY,
    check,
};

/// A job runner: a component of kind `other` (a cron box, a worker), or an application
/// server that no request enters and whose name says it runs jobs (a scheduler drawn as an
/// application server because it runs the same code).
fn job_runner(ctx: &Ctx, i: usize) -> bool {
    let c = &ctx.design.components[i];
    match c.kind {
        Kind::Other => true,
        Kind::AppServer if ctx.into[i].is_empty() => {
            let words = [
                c.id.as_str(),
                c.label.as_deref().unwrap_or_default(),
                c.software.as_deref().unwrap_or_default(),
            ]
            .join(" ")
            .to_ascii_lowercase();
            ["cron", "batch", "schedul", "worker", "job"]
                .iter()
                .any(|w| words.contains(w))
        }
        _ => false,
    }
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    // With the whole site unreachable, that is the one finding to fix.
    if super::site_unreachable::down(ctx).is_some() {
        return Vec::new();
    }
    let d = ctx.design;
    let comps = &d.components;
    let mut fed = vec![false; ctx.len()];
    for (li, l) in d.links.iter().enumerate() {
        if l.protocol.traffic() != crate::model::Traffic::Request {
            // Either end: a monitoring service may pull from the agents.
            for &i in ctx.link_to(li).iter().chain(ctx.link_from(li)) {
                fed[i] = true;
            }
        }
    }
    // A job runner that sends requests is a source of requests, like a client: nothing needs
    // to reach it, and what it calls (a mail relay, the database) is in use.
    let mut called = vec![false; ctx.len()];
    let mut stack: Vec<usize> = (0..ctx.len())
        .filter(|&i| !ctx.out[i].is_empty() && job_runner(ctx, i))
        .collect();
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut called[i], true) {
            fed[i] = true;
            stack.extend(ctx.out[i].iter().map(|&(t, _)| t));
        }
    }
    let mut server_used = vec![false; d.servers.len()];
    for i in 0..ctx.len() {
        if let (true, Some(s)) = (
            ctx.reachable[i] || fed[i] && comps[i].kind != Kind::MonitoringAgent,
            ctx.server_of[i],
        ) {
            server_used[s] = true;
        }
    }
    let lost: Vec<usize> = (0..ctx.len())
        .filter(|&i| !ctx.reachable[i] && !fed[i])
        .filter(|&i| match comps[i].kind {
            Kind::Client | Kind::MonitoringAgent | Kind::Dns | Kind::Backup => false,
            Kind::AppFiles | Kind::Firewall => !ctx.server_of[i].is_some_and(|s| server_used[s]),
            _ => true,
        })
        .collect();
    // What is unused on one server is one finding: the server is the spare.
    let mut groups: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for i in lost {
        let s = ctx.server_of[i];
        match groups.iter_mut().find(|(g, _)| s.is_some() && *g == s) {
            Some((_, members)) => members.push(i),
            None => groups.push((s, vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|(server, members)| {
            let ids: Vec<&str> = members.iter().map(|&i| ctx.id(i)).collect();
            let what = match members[..] {
                [only] => format!("{} {}", comps[only].kind.title(), list(&[ctx.id(only)])),
                _ => list(&ids),
            };
            let on = server.map_or(String::new(), |s| {
                format!(" (on server `{}`)", d.servers[s].id)
            });
            let (is, serves) = if members.len() == 1 {
                ("is", "serves")
            } else {
                ("are", "serve")
            };
            Finding::new(
                RULE.id,
                Severity::Low,
                format!(
                    "{what}{on} {is} reached by no request from the clients and {serves} nothing"
                ),
            )
            .components(ids.iter().copied())
            .servers(server.map(|s| d.servers[s].id.clone()))
            .recommend(format!(
                "link {} to the component that should send {} requests, or delete {}",
                list(&ids),
                if members.len() == 1 { "it" } else { "them" },
                if members.len() == 1 { "it" } else { "them" }
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_runner_that_calls_the_site_is_a_source() {
        // A cron box (kind `other`) calls the load balancer every night; its server has a
        // firewall.
        let f = run(
            &RULE,
            &crate::analyze::rules::testing::corpus("cron-caller"),
        );
        assert!(f.is_empty(), "{f:?}");
    }
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn a_scheduler_drawn_as_an_application_server_and_what_it_calls_are_in_use() {
        // Design 2 plus a nightly batch on a server of its own that writes to the database
        // and mails through a relay nothing else calls.
        let mut d = reference("02-distributed.toml");
        let link = |from: &str, to: &str| crate::model::Link {
            from: from.into(),
            to: to.into(),
            protocol: crate::model::Protocol::Tls,
            port: None,
            label: None,
        };
        let mut batch = crate::model::Component::new("invoices", Kind::AppServer);
        batch.label = Some("Nightly batch".into());
        d.components.push(batch);
        d.components
            .push(crate::model::Component::new("relay", Kind::Other));
        let db = d
            .components
            .iter()
            .find(|c| c.kind == Kind::Database)
            .expect("a database")
            .id
            .clone();
        d.links.push(link("invoices", &db));
        d.links.push(link("invoices", "relay"));
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
        // An application server that only lost its way in is no job runner: still found.
        d.component_mut("invoices").expect("exists").label = Some("App 3".into());
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().any(|f| f.components == ["invoices"]), "{f:?}");
    }

    #[test]
    fn a_forgotten_component_is_found() {
        let mut d = reference("02-distributed.toml");
        d.components
            .push(crate::model::Component::new("old-cache", Kind::Cache));
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["old-cache"]);
    }

    #[test]
    fn reference_designs_have_none() {
        for name in [
            "01-simple.toml",
            "02-distributed.toml",
            "03-secured-monitored.toml",
            "04-scale-up.toml",
            "05-resilient.toml",
        ] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }
}
