//! DB-QUORUM: a multi-primary group of two, which no failure leaves with a majority.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "DB-QUORUM",
    severity: Severity::Low,
    title: "multi-primary group of two",
    checks: "A group of databases that share their data (replication links or a cluster) made of \
             exactly two primaries, neither marked `redundant`.",
    why: "Multi-primary replication (MySQL group replication, Galera) keeps taking writes only \
          where a majority of the members can see each other. With two, losing either (or the \
          link between them) leaves one of two, no majority: the survivor stops taking writes, \
          or both go on alone and their data diverges (split brain). Quorum needs three. Low, \
          because a two-node group is often run with an arbitrator or witness that designs do \
          not draw: check that yours has one.",
    fix: "Add a third member on another server (or an arbitrator such as Galera's `garbd`), so \
          that one failure leaves a majority of two.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    // The availability and recovery figures read the same pairs: writes need both members.
    let dbs = ctx.databases();
    dbs.groups
        .iter()
        .filter(|g| g.len() == 2 && dbs.partner[g[0]] == Some(g[1]))
        .map(|g| {
            let ids: Vec<&str> = g.iter().map(|&i| ctx.id(i)).collect();
            Finding::new(
                RULE.id,
                Severity::Low,
                format!(
                    "{} are a multi-primary group of two: when either fails, the other has no majority and stops taking writes (quorum needs three)",
                    list(&ids)
                ),
            )
            .components(ids.iter().copied())
            .recommend("add a third member on another server (or an arbitrator such as garbd)")
        })
        .collect()
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
