//! DB-QUORUM: a multi-primary group of two, which no failure leaves with a majority.

use crate::analyze::graph::elects;
use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{DbRole, Failover};

pub static RULE: Rule = Rule {
    id: "DB-QUORUM",
    severity: Severity::Low,
    title: "group of two with no majority",
    checks: "A group of databases that share their data (replication links or a cluster) made of \
             exactly two members, neither marked `redundant`: two primaries, or two members of an \
             engine whose members elect the primary among themselves (MongoDB, Elasticsearch, \
             OpenSearch, Galera, MySQL group replication, CockroachDB, etcd, Consul, ZooKeeper).",
    why: "Such a group keeps taking writes only where a majority of its members can see each \
          other. With two, losing either (or the link between them) leaves one of two, no \
          majority: the survivor stops taking writes (a MongoDB primary steps down, a secondary \
          cannot elect itself), or both go on alone and their data diverges (split brain). A \
          `failover = \"automatic\"` between two such members never happens. Quorum needs three. \
          Low for two primaries, which are often run with an arbitrator or witness that designs \
          do not draw (check that yours has one); medium where the design counts on an \
          automatic failover that the pair cannot elect.",
    fix: "Add a third member on another server (or a voter that holds no data: a MongoDB \
          arbiter, an Elasticsearch voting-only node, Galera's `garbd`), so that one failure \
          leaves a majority of two.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    // The availability and recovery figures read the same pairs: writes need both members.
    let comps = &ctx.design.components;
    let dbs = ctx.databases();
    dbs.groups
        .iter()
        .filter(|g| g.len() == 2 && dbs.partner[g[0]] == Some(g[1]))
        .map(|g| {
            let ids: Vec<&str> = g.iter().map(|&i| ctx.id(i)).collect();
            let engine = g
                .iter()
                .find_map(|&i| elects(&comps[i]).map(|third| (i, third)));
            let primary = g
                .iter()
                .copied()
                .filter(|&i| comps[i].db_role() == Some(DbRole::Primary))
                .collect::<Vec<_>>();
            let (severity, message) = match (engine, &primary[..]) {
                (Some((e, _)), &[p]) => {
                    let copy = if g[0] == p { g[1] } else { g[0] };
                    let claimed = g
                        .iter()
                        .any(|&i| comps[i].failover == Some(Failover::Automatic));
                    (
                        Severity::High,
                        format!(
                            "{} are the only two members of their {} group: if either fails, the other has no majority, so `{}` cannot be elected primary and `{}` steps down: writes stop{}",
                            list(&ids),
                            software(ctx, e),
                            ctx.id(copy),
                            ctx.id(p),
                            if claimed {
                                " (the automatic failover the design counts on cannot happen)"
                            } else {
                                ""
                            }
                        ),
                    )
                }
                (Some((e, _)), _) => (
                    Severity::Medium,
                    format!(
                        "{} are the only two members of their {} group: when either fails, the other has no majority and stops taking writes (quorum needs three)",
                        list(&ids),
                        software(ctx, e)
                    ),
                ),
                (None, _) => (
                    Severity::Low,
                    format!(
                        "{} are a multi-primary group of two: when either fails, the other has no majority and stops taking writes (quorum needs three)",
                        list(&ids)
                    ),
                ),
            };
            let third = engine.map_or(
                "a third member on another server (or an arbitrator such as garbd)".to_string(),
                |(_, third)| format!("{third} on another server, so that one failure leaves a majority of two"),
            );
            Finding::new(RULE.id, severity, message)
                .components(ids.iter().copied())
                .recommend(format!("add {third}"))
        })
        .collect()
}

/// The engine's name as the design writes it.
fn software<'a>(ctx: &'a Ctx, i: usize) -> &'a str {
    ctx.design.components[i]
        .software
        .as_deref()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn two_primaries_have_no_quorum() {
        let d = reference("05-resilient.toml");
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["mysql-1", "mysql-2"]);
    }

    #[test]
    fn two_members_that_elect_among_themselves_are_one_finding_with_the_engines_voter() {
        // Design 3's primary and replica, as a MongoDB replica set with automatic failover.
        let mut d = reference("03-secured-monitored.toml");
        for id in ["mysql-primary", "mysql-replica"] {
            let db = d.component_mut(id).expect("db");
            db.software = Some("MongoDB 7".into());
            db.failover = Some(Failover::Automatic);
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::High);
        assert!(f[0].message.contains("cannot happen"), "{}", f[0].message);
        assert!(
            f[0].recommendation.contains("arbiter"),
            "{}",
            f[0].recommendation
        );
        // The pair's loss of either member is this finding, not a SPOF's nor a lone primary's.
        let all = crate::analyze::analyze(&d);
        let about_pair = |rule: &str| {
            all.iter().any(|f| {
                f.rule == rule
                    && f.components
                        .iter()
                        .any(|c| c == "mysql-primary" || c == "mysql-replica")
            })
        };
        for rule in ["SPOF-COMPONENT", "SPOF-SERVER", "DB-SINGLE-PRIMARY"] {
            assert!(!about_pair(rule), "{rule}: {all:?}");
        }
        // PostgreSQL's replica is promoted by an orchestrator that holds the vote: no finding.
        for id in ["mysql-primary", "mysql-replica"] {
            d.component_mut(id).expect("db").software = Some("PostgreSQL 16".into());
        }
        assert!(run(&RULE, &d).is_empty());
    }

    #[test]
    fn two_elasticsearch_primaries_ask_for_a_master_eligible_third() {
        let mut d = reference("05-resilient.toml");
        for id in ["mysql-1", "mysql-2"] {
            d.component_mut(id).expect("db").software = Some("Elasticsearch 8".into());
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(
            f[0].recommendation.contains("master-eligible"),
            "{}",
            f[0].recommendation
        );
        assert!(
            !f[0].recommendation.contains("garbd"),
            "{}",
            f[0].recommendation
        );
    }

    #[test]
    fn three_members_or_primary_replica_are_fine() {
        let mut d = reference("05-resilient.toml");
        let mut third = d.component("mysql-2").expect("exists").clone();
        third.id = "mysql-3".into();
        third.server = Some("db-01".into());
        d.components.push(third);
        assert!(run(&RULE, &d).is_empty());
        assert!(run(&RULE, &reference("02-distributed.toml")).is_empty());
    }
}
