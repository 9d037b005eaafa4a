//! DB-SINGLE-PRIMARY: a primary-replica setup in which one database takes every write.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::DbRole;

pub static RULE: Rule = Rule {
    id: "DB-SINGLE-PRIMARY",
    severity: Severity::Medium,
    title: "single write-capable database",
    checks: "A group of databases that share their data (joined by replication links or a \
             cluster) with replicas but exactly one primary that accepts writes, not marked \
             `redundant` and without a failover that promotes a replica by itself \
             (`failover = \"automatic\"` or `\"vip\"`, or an active-passive cluster). A replica no replication link feeds is no part of a group (it is no \
             copy: DB-NO-REPLICA). A pair whose engine elects its primary by a vote of its \
             members (MongoDB, Elasticsearch, Galera...) is DB-QUORUM's: a third voter, not a \
             second primary, is its fix.",
    why: "Write availability and write throughput rest on one machine: when it fails, writes \
          stop until a replica is promoted by hand, and writes cannot scale out.",
    fix: "Use multi-primary replication (MySQL group replication, Galera) with two primaries, \
          or automatic failover that promotes a replica, or a managed database that does it \
          (mark it `redundant = true`).",
    category: super::Category::RELIABILITY,
    check,
};

/// How to stop one database from taking every write, in the words of its engine.
fn failover_fix(software: Option<&str>) -> &'static str {
    let s = software.unwrap_or_default().to_ascii_lowercase();
    if s.contains("postgres") {
        "set up automatic failover that promotes a replica (Patroni, or a managed PostgreSQL that does it, marked `redundant = true`) and set `failover = \"automatic\"`"
    } else if s.contains("oracle") {
        "promote a standby by itself with Data Guard fast-start failover (or run RAC) and set `failover = \"automatic\"`"
    } else if s.contains("sql server") || s.contains("mssql") {
        "use an Always On availability group with automatic failover and set `failover = \"automatic\"`"
    } else if s.contains("mongo") {
        "run a replica set of three members, which elects a new primary by itself"
    } else if s.contains("mysql") || s.contains("mariadb") || s.contains("percona") {
        "add a second primary (MySQL group replication or Galera, with a third member) or automatic failover that promotes a replica (Orchestrator, MHA) and set `failover = \"automatic\"`"
    } else {
        "add a second primary (multi-primary replication) or automatic failover that promotes a replica, and set `failover = \"automatic\"`"
    }
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let dbs = ctx.databases();
    let groups = &dbs.groups;
    // A replica that no replication link feeds (nor a cluster) is a group of its own with no
    // primary: it is no copy (DB-NO-REPLICA says so), and no primary-replica setup exists.
    groups
        .iter()
        .filter_map(|g| {
            let primaries: Vec<usize> = g
                .iter()
                .copied()
                .filter(|&i| comps[i].db_role() == Some(DbRole::Primary))
                .collect();
            let replicas: Vec<&str> = g
                .iter()
                .filter(|&&i| comps[i].db_role() == Some(DbRole::Replica))
                .map(|&i| ctx.id(i))
                .collect();
            let [p] = primaries[..] else { return None };
            // A replica the primary's failover promotes by itself takes the writes over: the
            // writes pause for the failover, they do not stop.
            if replicas.is_empty() || comps[p].redundant || g.iter().any(|&i| dbs.standby[i] || dbs.partner[i].is_some()) {
                return None;
            }
            // A replica nothing reads takes no reads off the primary: say so, it is the
            // other half of what a reviewer asks of this setup.
            let unread: Vec<&str> = g
                .iter()
                .filter(|&&i| comps[i].db_role() == Some(DbRole::Replica) && !ctx.reachable[i])
                .map(|&i| ctx.id(i))
                .collect();
            let one = replicas.len() == 1;
            let what = if unread.len() == replicas.len() {
                format!(
                    "{} {} that nothing reads: a copy to promote by hand, which takes no reads off it",
                    list(&replicas),
                    if one { "is a replica" } else { "are replicas" }
                )
            } else {
                format!(
                    "{} {} that only {}",
                    list(&replicas),
                    if one { "is a replica" } else { "are replicas" },
                    if one { "reads" } else { "read" }
                )
            };
            let mut fix = failover_fix(comps[p].software.as_deref()).to_string();
            if !unread.is_empty() {
                fix.push_str(&format!(
                    ", and send the application's reads to {} (a link from the application servers)",
                    list(&unread)
                ));
            }
            Some(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "{} is the only database that accepts writes ({what}): writes stop when it fails and cannot scale past it",
                        list(&[ctx.id(p)]),
                    ),
                )
                .components(std::iter::once(ctx.id(p)).chain(replicas.iter().copied()))
                .recommend(fix),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{corpus, reference, run};
    use crate::model::{Failover, Traffic};

    #[test]
    fn fires_on_primary_replica() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["mysql-primary", "mysql-replica"]);
    }

    #[test]
    fn a_replica_nothing_reads_is_said_to_be_unread() {
        let mut d = reference("03-secured-monitored.toml");
        let f = run(&RULE, &d);
        assert!(!f[0].message.contains("nothing reads"), "{}", f[0].message);
        d.links
            .retain(|l| l.to != "mysql-replica" || l.protocol.traffic() != Traffic::Request);
        let f = run(&RULE, &d);
        assert!(
            f[0].message
                .contains("`mysql-replica` is a replica that nothing reads"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].recommendation
                .contains("send the application's reads to `mysql-replica`"),
            "{}",
            f[0].recommendation
        );
    }

    #[test]
    fn the_fix_speaks_the_engine() {
        let mut d = reference("03-secured-monitored.toml");
        let fix = |d: &crate::model::Design| run(&RULE, d)[0].recommendation.clone();
        assert!(fix(&d).contains("group replication"), "{}", fix(&d));
        for (software, words) in [
            ("PostgreSQL 16", "Patroni"),
            ("Oracle 19c", "Data Guard"),
            ("IBM Db2", "multi-primary replication"),
        ] {
            for id in ["mysql-primary", "mysql-replica"] {
                d.component_mut(id).expect("db").software = Some(software.into());
            }
            assert!(fix(&d).contains(words), "{software}: {}", fix(&d));
            assert!(!fix(&d).contains("Galera"), "{software}: {}", fix(&d));
        }
    }

    #[test]
    fn silent_where_a_replica_is_promoted_by_itself() {
        for failover in [Failover::Automatic, Failover::Vip] {
            let mut d = reference("03-secured-monitored.toml");
            d.component_mut("mysql-primary").expect("db").failover = Some(failover);
            assert!(run(&RULE, &d).is_empty(), "{failover:?}");
        }
        let mut d = reference("03-secured-monitored.toml");
        d.component_mut("mysql-primary").expect("db").failover = Some(Failover::Manual);
        assert_eq!(run(&RULE, &d).len(), 1);
    }

    #[test]
    fn silent_with_two_primaries_or_no_replica() {
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
        assert!(run(&RULE, &reference("01-simple.toml")).is_empty());
    }

    #[test]
    fn an_unfed_replica_is_no_primary_replica_setup() {
        let mut d = reference("03-secured-monitored.toml");
        d.links
            .retain(|l| l.protocol != crate::model::Protocol::Replication);
        assert!(run(&RULE, &d).is_empty(), "{:?}", run(&RULE, &d));
        assert!(run(&RULE, &corpus("replica-no-link")).is_empty());
    }
}
