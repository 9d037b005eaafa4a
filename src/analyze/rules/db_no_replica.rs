//! DB-NO-REPLICA: data with no copy on another machine.

use crate::analyze::graph::Host;
use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::DbRole;

pub static RULE: Rule = Rule {
    id: "DB-NO-REPLICA",
    severity: Severity::High,
    title: "no copy of the data",
    checks: "Databases that hold the only copy of their data: a database no replication link \
             (or cluster) joins to another, each of several such primaries alike (a second \
             database with no replication link is no copy); a group whose copies all sit on one \
             server; a replica that no replication link feeds. Groups marked `redundant` are \
             exempt.",
    why: "When that disk or server dies the data is gone, and restoring from backups (if any) \
          takes the site down for hours.",
    fix: "Add a replica on another server, fed by a replication link from the primary, or use \
          a managed database that keeps copies in several zones (`redundant = true`).",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let mut alone: Vec<usize> = Vec::new();
    let mut unfed: Vec<usize> = Vec::new();
    let mut findings = Vec::new();
    for g in &ctx.databases().groups {
        if g.iter().any(|&i| comps[i].redundant) {
            continue;
        }
        if let [only] = g[..] {
            if comps[only].db_role() == Some(DbRole::Replica) {
                unfed.push(only);
            } else {
                alone.push(only);
            }
            continue;
        }
        let mut places: Vec<Option<Host>> = g.iter().map(|&i| ctx.host(i)).collect();
        places.sort_unstable();
        places.dedup();
        let [Some(Host::Server(s))] = places[..] else {
            continue;
        };
        let ids: Vec<&str> = g.iter().map(|&i| ctx.id(i)).collect();
        findings.push(
            Finding::new(
                RULE.id,
                Severity::High,
                format!(
                    "{} all run on server {}: the copies die together with it",
                    list(&ids),
                    list(&[&ctx.design.servers[s].id])
                ),
            )
            .components(ids.iter().copied())
            .servers([ctx.design.servers[s].id.clone()])
            .recommend(
                "move a replica to another server, fed by a replication link from the primary",
            ),
        );
    }
    // One primary and replicas nothing feeds: one cause, the missing replication link.
    if let ([p], [_, ..]) = (&alone[..], &unfed[..]) {
        let replicas: Vec<&str> = unfed.iter().map(|&i| ctx.id(i)).collect();
        findings.push(
            Finding::new(
                RULE.id,
                Severity::High,
                format!(
                    "{} holds the only copy of the data: no replication link feeds {} {}, so if its disk or server dies, the data is lost",
                    list(&[ctx.id(*p)]),
                    if replicas.len() == 1 { "the replica" } else { "the replicas" },
                    list(&replicas)
                ),
            )
            .components(std::iter::once(ctx.id(*p)).chain(replicas.iter().copied()))
            .servers(ctx.server_of[*p].map(|s| ctx.design.servers[s].id.clone()))
            .recommend(format!(
                "add a replication link from `{}` to {}",
                ctx.id(*p),
                list(&replicas)
            )),
        );
        return findings;
    }
    if !alone.is_empty() {
        let ids: Vec<&str> = alone.iter().map(|&i| ctx.id(i)).collect();
        let message = if let [id] = ids[..] {
            format!(
                "{} holds the only copy of the data: if its disk or server dies, the data is lost",
                list(&[id])
            )
        } else {
            format!(
                "{} each hold the only copy of their data (no replication link joins them): if a disk or server dies, what it held is lost",
                list(&ids)
            )
        };
        findings.push(
            Finding::new(RULE.id, Severity::High, message)
                .components(ids.iter().copied())
                .servers(alone.iter().filter_map(|&i| ctx.server_of[i]).map(|s| ctx.design.servers[s].id.clone()))
                .recommend(if ids.len() == 1 {
                    "add a replica on another server, fed by a replication link from the primary".to_string()
                } else {
                    format!("replicate between {} (multi-primary replication) or give each a replica on another server", list(&ids))
                }),
        );
    }
    if !unfed.is_empty() {
        let ids: Vec<&str> = unfed.iter().map(|&i| ctx.id(i)).collect();
        findings.push(
            Finding::new(
                RULE.id,
                Severity::High,
                format!(
                    "{} {} no replication link feeds: {} no copy of anything",
                    list(&ids),
                    if ids.len() == 1 {
                        "is a replica that"
                    } else {
                        "are replicas that"
                    },
                    if ids.len() == 1 {
                        "it holds"
                    } else {
                        "they hold"
                    }
                ),
            )
            .components(ids.iter().copied())
            .recommend("add a replication link from the primary to each replica"),
        );
    }
    findings
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

    #[test]
    fn a_second_database_without_replication_is_no_copy() {
        let mut d = reference("01-simple.toml");
        let mut other = crate::model::Component::new("mysql-2", crate::model::Kind::Database);
        other.server = Some("server-1".into());
        d.components.push(other);
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["mysql", "mysql-2"]);
        assert!(
            f[0].message.contains("each hold the only copy"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn an_unfed_replica_is_no_copy() {
        let mut d = reference("02-distributed.toml");
        d.links
            .retain(|l| l.protocol != crate::model::Protocol::Replication);
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["mysql-primary", "mysql-replica"]);
        assert!(
            f[0].recommendation.contains("replication link"),
            "{}",
            f[0].recommendation
        );
    }
}
