//! DB-EXPOSED: a database that requests reach without passing an application server.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "DB-EXPOSED",
    severity: Severity::Critical,
    title: "database exposed to clients",
    checks: "A database that a request path from the clients reaches without passing an \
             application server. A component on a `public` network (its own `network`, else its \
             server's) is reached from the internet whatever its links say, unless a firewall \
             component is installed on its server: a database there is exposed, and so is one \
             that such a component reaches without passing an application server. Designs that \
             state no network are judged by their links alone.",
    why: "Whoever reaches the database port can try its passwords and its bugs directly; data \
          should only be reached through the code that enforces who may see what.",
    fix: "Remove the link that lets traffic reach the database directly; only application \
          servers should connect to it, and a firewall should close its port to everything else.",
    category: super::Category::security(super::Cwe::WRONG_SPHERE),
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let mut direct = ctx.reach(|i| comps[i].kind == Kind::AppServer, |_, _| true);
    // What sits on a public network is entered from the internet as the entries are.
    let public = ctx.internet_facing();
    if !public.is_empty() {
        let more = ctx.reach_seeds(&public, |i| comps[i].kind == Kind::AppServer, |_, _| true);
        for (d, m) in direct.iter_mut().zip(more) {
            *d |= m;
        }
    }
    (0..ctx.len())
        .filter(|&i| direct[i] && comps[i].kind == Kind::Database)
        .map(|db| {
            if public.contains(&db) {
                let server = ctx.server_of[db]
                    .map(|s| format!(" and no firewall on server `{}`", ctx.design.servers[s].id))
                    .unwrap_or_default();
                return Finding::new(
                    RULE.id,
                    Severity::Critical,
                    format!(
                        "database {} is on a public network{server}: the internet reaches its port directly, whatever the links say",
                        list(&[ctx.id(db)])
                    ),
                )
                .components([ctx.id(db)])
                .recommend("move the database to a private network that only the application servers reach, or install a firewall on its server that only lets them in");
            }
            let via: Vec<usize> = ctx.into[db]
                .iter()
                .filter(|&&(f, _)| direct[f])
                .map(|&(_, l)| l)
                .collect();
            let from: Vec<&str> = ctx.into[db]
                .iter()
                .filter(|&&(f, _)| direct[f])
                .map(|&(f, _)| ctx.id(f))
                .collect();
            // Clients linked to the database itself: the link is the mistake to undo.
            let by_clients = from
                .iter()
                .all(|f| ctx.design.component(f).is_some_and(|c| c.kind == Kind::Client));
            let (message, fix) = if by_clients {
                (
                    format!(
                        "database {} is reached by {} directly, without passing an application server",
                        list(&[ctx.id(db)]),
                        list(&from)
                    ),
                    format!(
                        "remove the link from {} to {}: clients reach the data only through the application servers; close its port to everything else",
                        list(&from),
                        list(&[ctx.id(db)])
                    ),
                )
            } else {
                (
                    format!(
                        "database {} is reachable from clients without passing an application server (through {})",
                        list(&[ctx.id(db)]),
                        list(&from)
                    ),
                    "connect the database only from application servers and close its port to everything else".to_string(),
                )
            };
            Finding::new(RULE.id, Severity::Critical, message)
                .components(std::iter::once(ctx.id(db)).chain(from.iter().copied()))
                .links(via)
                .recommend(fix)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};
    use crate::model::{Link, Protocol};

    #[test]
    fn a_web_server_talking_to_the_database_exposes_it() {
        let mut d = reference("02-distributed.toml");
        d.links.push(Link {
            from: "nginx-1".into(),
            to: "mysql-primary".into(),
            protocol: Protocol::Mysql,
            port: Some(3306),
            label: None,
        });
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["mysql-primary", "nginx-1"]);
        assert_eq!(f[0].links, [d.links.len() - 1]);
    }

    #[test]
    fn a_client_linked_to_the_database_is_told_to_remove_the_link() {
        let mut d = reference("02-distributed.toml");
        d.links.push(Link {
            from: "user".into(),
            to: "mysql-primary".into(),
            protocol: Protocol::Mysql,
            port: Some(3306),
            label: None,
        });
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("is reached by `user` directly"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].recommendation
                .starts_with("remove the link from `user` to `mysql-primary`"),
            "{}",
            f[0].recommendation
        );
        // Serving HTTPS on a MySQL port is no fix: NO-HTTPS leaves this cause to DB-EXPOSED.
        let https = run(&crate::analyze::rules::no_https::RULE, &d);
        assert!(
            !https
                .iter()
                .any(|f| f.components.iter().any(|c| c == "mysql-primary")),
            "{https:#?}"
        );
    }

    #[test]
    fn a_database_on_a_public_network_is_exposed_unless_firewalled() {
        use crate::model::Network;
        let mut d = reference("02-distributed.toml");
        assert!(run(&RULE, &d).is_empty());
        d.component_mut("mysql-primary").expect("db").network = Some(Network::Public);
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].components, ["mysql-primary"]);
        assert!(f[0].message.contains("public network"), "{}", f[0].message);
        // The server's network is the component's unless it states its own.
        d.component_mut("mysql-primary").expect("db").network = Some(Network::Private);
        let server = d.component("mysql-primary").and_then(|c| c.server.clone());
        for s in &mut d.servers {
            if Some(&s.id) == server.as_ref() {
                s.network = Some(Network::Public);
            }
        }
        assert!(run(&RULE, &d).is_empty());
        d.component_mut("mysql-primary").expect("db").network = None;
        assert_eq!(run(&RULE, &d).len(), 1);
        // A firewall on its server closes the port.
        let mut fw = crate::model::Component::new("fw", Kind::Firewall);
        fw.server = server;
        d.components.push(fw);
        assert!(run(&RULE, &d).is_empty());
    }

    #[test]
    fn a_public_web_server_that_reaches_the_database_exposes_it() {
        use crate::model::Network;
        // Design 2 with the web server linked to the database only from a second web
        // server that no client reaches: nothing today, exposed once that one is public.
        let mut d = reference("02-distributed.toml");
        let mut side = crate::model::Component::new("admin-web", Kind::WebServer);
        side.server = Some("web-01".into());
        d.components.push(side);
        d.links.push(Link {
            from: "admin-web".into(),
            to: "mysql-primary".into(),
            protocol: Protocol::Mysql,
            port: None,
            label: None,
        });
        assert!(run(&RULE, &d).is_empty());
        d.component_mut("admin-web").expect("web").network = Some(Network::Public);
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].components, ["admin-web", "mysql-primary"]);
        // Behind design 3's host firewalls a public network changes nothing.
        let mut d3 = reference("03-secured-monitored.toml");
        d3.component_mut("mysql-primary").expect("db").network = Some(Network::Public);
        assert!(run(&RULE, &d3).is_empty());
    }

    #[test]
    fn databases_behind_the_application_are_not_exposed() {
        for name in ["01-simple.toml", "02-distributed.toml", "05-resilient.toml"] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }
}
