//! DB-SINGLE-PRIMARY: a primary-replica setup in which one database takes every write.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::{DbRole, Kind, Traffic};

pub static RULE: Rule = Rule {
    id: "DB-SINGLE-PRIMARY",
    severity: Severity::Medium,
    title: "single write-capable database",
    checks: "A group of databases that share their data (joined by replication links or a \
             cluster) with replicas but exactly one primary that accepts writes, not marked \
             `redundant`. A replica no replication link feeds is no part of a group (it is no \
             copy: DB-NO-REPLICA).",
    why: "Write availability and write throughput rest on one machine: when it fails, writes \
          stop until a replica is promoted by hand, and writes cannot scale out.",
    fix: "Use multi-primary replication (MySQL group replication, Galera) with two primaries, \
          or automatic failover that promotes a replica, or a managed database that does it \
          (mark it `redundant = true`).",
    category: super::Category::RELIABILITY,
    check,
};

/// Databases grouped by the copies they share: joined by a replication link (either way) or
/// by a cluster (a database cluster replicates inside itself). In design order of each
/// group's first member; a database linked to no other is a group of its own.
pub(crate) fn database_groups(ctx: &Ctx) -> Vec<Vec<usize>> {
    let comps = &ctx.design.components;
    let mut parent: Vec<usize> = (0..ctx.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    let is_db = |i: usize| comps[i].kind == Kind::Database;
    for (li, l) in ctx.design.links.iter().enumerate() {
        if l.protocol.traffic() != Traffic::Replication || l.protocol.is_backup() {
            continue;
        }
        for &f in ctx.link_from(li).iter().filter(|&&f| is_db(f)) {
            for &t in ctx.link_to(li).iter().filter(|&&t| is_db(t)) {
                join(&mut parent, f, t);
            }
        }
    }
    let mut first_of: std::collections::HashMap<&str, usize> = Default::default();
    for i in (0..ctx.len()).filter(|&i| is_db(i)) {
        if let Some(cl) = comps[i].cluster.as_deref() {
            match first_of.get(cl) {
                Some(&f) => join(&mut parent, f, i),
                None => {
                    first_of.insert(cl, i);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot: std::collections::HashMap<usize, usize> = Default::default();
    for i in (0..ctx.len()).filter(|&i| is_db(i)) {
        let r = root(&mut parent, i);
        let g = *slot.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

fn check(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let groups = database_groups(ctx);
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
            if replicas.is_empty() || comps[p].redundant {
                return None;
            }
            Some(
                Finding::new(
                    RULE.id,
                    Severity::Medium,
                    format!(
                        "{} is the only database that accepts writes ({} {} only {}): writes stop when it fails and cannot scale past it",
                        list(&[ctx.id(p)]),
                        list(&replicas),
                        if replicas.len() == 1 { "is a replica that" } else { "are replicas that" },
                        if replicas.len() == 1 { "reads" } else { "read" },
                    ),
                )
                .components(std::iter::once(ctx.id(p)).chain(replicas.iter().copied()))
                .recommend("add a second primary (MySQL group replication or Galera) or automatic failover that promotes a replica"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{corpus, reference, run};

    #[test]
    fn fires_on_primary_replica() {
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].components, ["mysql-primary", "mysql-replica"]);
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
