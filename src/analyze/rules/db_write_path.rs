//! DB-WRITE-PATH: an application server that can reach no database taking writes.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{DbRole, Kind};

pub static RULE: Rule = Rule {
    id: "DB-WRITE-PATH",
    severity: Severity::High,
    title: "application server without a write path",
    checks: "An application server from which no request path leads to a primary database, in a \
             design that has databases: it reaches only replicas, or none at all.",
    why: "The load balancer sends it its share of requests; every one that writes (a sign-up, an \
          order) fails there.",
    fix: "Link the application server to the primary (or to the database cluster) for writes, \
          keeping replicas for reads.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    if !comps.iter().any(|c| c.kind == Kind::Database) {
        return Vec::new();
    }
    // Everything from which a request path leads to a primary, found backwards from the
    // primaries in one pass.
    let mut writes = vec![false; ctx.len()];
    let mut stack: Vec<usize> = (0..ctx.len())
        .filter(|&i| comps[i].db_role() == Some(DbRole::Primary))
        .collect();
    for &p in &stack {
        writes[p] = true;
    }
    while let Some(n) = stack.pop() {
        for &(f, _) in &ctx.into[n] {
            if !writes[f] {
                writes[f] = true;
                stack.push(f);
            }
        }
    }
    (0..ctx.len())
        .filter(|&i| comps[i].kind == Kind::AppServer && !writes[i])
        .filter_map(|a| {
            let reach = ctx.reach_from(a);
            let dbs: Vec<usize> = (0..ctx.len())
                .filter(|&i| reach[i] && comps[i].kind == Kind::Database)
                .collect();
            if dbs.iter().any(|&i| comps[i].db_role() == Some(DbRole::Primary)) {
                return None;
            }
            let reached: Vec<&str> = dbs.iter().map(|&i| ctx.id(i)).collect();
            let message = if reached.is_empty() {
                format!("application server {} reaches no database: its writes fail", list(&[ctx.id(a)]))
            } else {
                format!(
                    "application server {} reaches only the replica{} {}: every write sent to it fails",
                    list(&[ctx.id(a)]),
                    if reached.len() == 1 { "" } else { "s" },
                    list(&reached)
                )
            };
            Some(
                Finding::new(RULE.id, Severity::High, message)
                    .components(std::iter::once(ctx.id(a)).chain(reached.iter().copied()))
                    .recommend("link it to the primary database (or the database cluster) for writes"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn an_app_reaching_only_a_replica_has_no_write_path() {
        let mut d = reference("02-distributed.toml");
        d.links
            .retain(|l| !(l.from == "app" && l.to == "mysql-primary"));
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["app", "mysql-replica"]);
    }

    #[test]
    fn an_app_linked_to_the_primary_is_fine() {
        for name in ["01-simple.toml", "02-distributed.toml", "05-resilient.toml"] {
            assert!(run(&RULE, &reference(name)).is_empty(), "{name}");
        }
    }
}
