//! DB-EXPOSED: a database that requests reach without passing an application server.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "DB-EXPOSED",
    severity: Severity::Critical,
    title: "database exposed to clients",
    checks: "A database that a request path from the clients reaches without passing an \
             application server.",
    why: "Whoever reaches the database port can try its passwords and its bugs directly; data \
          should only be reached through the code that enforces who may see what.",
    fix: "Remove the link that lets traffic reach the database directly; only application \
          servers should connect to it, and a firewall should close its port to everything else.",
    category: super::Category::security(super::Cwe::WRONG_SPHERE),
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let direct = ctx.reach(|i| comps[i].kind == Kind::AppServer, |_, _| true);
    (0..ctx.len())
        .filter(|&i| direct[i] && comps[i].kind == Kind::Database)
        .map(|db| {
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
            Finding::new(
                RULE.id,
                Severity::Critical,
                format!(
                    "database {} is reachable from clients without passing an application server (through {})",
                    list(&[ctx.id(db)]),
                    list(&from)
                ),
            )
            .components(std::iter::once(ctx.id(db)).chain(from.iter().copied()))
            .links(via)
            .recommend("connect the database only from application servers and close its port to everything else")
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
    fn databases_behind_the_application_are_not_exposed() {
        for name in ["01-simple.toml", "02-distributed.toml", "05-resilient.toml"] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }
}
