//! DB-NO-REPLICA: data with no copy on another machine.

use super::db_single_primary::database_groups;
use crate::analyze::{Ctx, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "DB-NO-REPLICA",
    severity: Severity::High,
    title: "no copy of the data",
    checks: "A group of databases whose copies all sit on one server: a single database, or a \
             replica on its primary's own server. Groups marked `redundant` are exempt.",
    why: "When that disk or server dies the data is gone, and restoring from backups (if any) \
          takes the site down for hours.",
    fix: "Add a replica on another server, fed by a replication link from the primary, or use \
          a managed database that keeps copies in several zones (`redundant = true`).",
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    database_groups(ctx)
        .into_iter()
        .filter(|g| !g.iter().any(|&i| comps[i].redundant))
        .filter_map(|g| {
            // A database without a server is a machine of its own.
            let mut places: Vec<Option<usize>> = g.iter().map(|&i| ctx.server_of[i]).collect();
            if places.iter().any(Option::is_none) && g.len() > 1 {
                return None;
            }
            places.sort_unstable();
            places.dedup();
            if places.len() > 1 {
                return None;
            }
            let ids: Vec<&str> = g.iter().map(|&i| ctx.id(i)).collect();
            let message = if g.len() == 1 {
                format!(
                    "{} holds the only copy of the data: if its disk or server dies, the data is lost",
                    list(&ids)
                )
            } else {
                format!(
                    "{} all run on server {}: the copies die together with it",
                    list(&ids),
                    list(&[places[0].map_or("?", |s| ctx.design.servers[s].id.as_str())])
                )
            };
            Some(
                Finding::new(RULE.id, Severity::High, message)
                    .components(ids.iter().copied())
                    .servers(places.into_iter().flatten().map(|s| ctx.design.servers[s].id.clone()))
                    .recommend("add a replica on another server, fed by a replication link from the primary"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn a_lone_database_has_no_copy() {
        let f = run(&RULE, &reference("01-simple.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["mysql"]);
    }

    #[test]
    fn a_replica_on_the_primarys_server_is_no_copy() {
        let mut d = reference("02-distributed.toml");
        d.component_mut("mysql-replica").expect("exists").server = Some("web-01".into());
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].servers, ["web-01"]);
    }

    #[test]
    fn a_replica_elsewhere_is_a_copy() {
        assert!(run(&RULE, &reference("02-distributed.toml")).is_empty());
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }
}
