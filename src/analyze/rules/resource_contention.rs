//! RESOURCE-CONTENTION: heavy roles competing on one server.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "RESOURCE-CONTENTION",
    severity: Severity::Medium,
    title: "heavy roles share a server",
    checks: "A server that hosts two or more of the heavy roles: web server, application server, \
             database.",
    why: "They compete for CPU, memory and disk: a slow query starves the web server, a traffic \
          spike starves the database, and neither can be sized or scaled on its own.",
    fix: "Give the web, application and database tiers servers of their own, sized for each.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let heavy = |k: Kind| matches!(k, Kind::WebServer | Kind::AppServer | Kind::Database);
    let mut on: Vec<Vec<usize>> = vec![Vec::new(); d.servers.len()];
    for i in 0..ctx.len() {
        if let Some(s) = ctx.server_of[i]
            && heavy(ctx.kind(i))
        {
            on[s].push(i);
        }
    }
    on.into_iter()
        .enumerate()
        .filter_map(|(s, members)| {
            let mut kinds: Vec<Kind> = members.iter().map(|&i| ctx.kind(i)).collect();
            kinds.sort_unstable();
            kinds.dedup();
            if kinds.len() < 2 {
                return None;
            }
            // Each role with what plays it: "web server `apache` and application server `php`".
            let roles: Vec<String> = kinds
                .iter()
                .map(|&k| {
                    let of: Vec<&str> = members
                        .iter()
                        .filter(|&&i| ctx.kind(i) == k)
                        .map(|&i| ctx.id(i))
                        .collect();
                    format!("{} {}", k.title(), list(&of))
                })
                .collect();
            let titles: Vec<String> = kinds.iter().map(|k| format!("the {}", k.title())).collect();
            let ids: Vec<&str> = members.iter().map(|&i| ctx.id(i)).collect();
            Some(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "server {} runs {}, which compete for its CPU, memory and disk",
                        list(&[&d.servers[s].id]),
                        crate::text::list(&roles),
                    ),
                )
                .servers([d.servers[s].id.clone()])
                .components(ids.iter().copied())
                .recommend(format!(
                    "put {} on servers of their own, each sized for its load",
                    crate::text::list(&titles)
                )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn shared_servers_contend() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        let servers: Vec<&str> = f.iter().map(|f| f.servers[0].as_str()).collect();
        assert_eq!(servers, ["web-01", "web-02"]);
    }

    #[test]
    fn the_fix_names_only_the_roles_the_server_runs() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        // web-02 runs a web server and a database, no application server.
        let web2 = f.iter().find(|f| f.servers[0] == "web-02").expect("web-02");
        assert!(
            web2.message
                .contains("runs web server `nginx-2` and database `mysql-replica`"),
            "{}",
            web2.message
        );
        let fix = &web2.recommendation;
        assert!(fix.contains("the web server and the database"), "{fix}");
        assert!(!fix.contains("application"), "{fix}");
    }

    #[test]
    fn split_roles_do_not() {
        assert!(run(&RULE, &reference("04-scale-up.toml")).is_empty());
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }
}
