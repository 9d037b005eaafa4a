//! DB-NO-BACKUP: data that no backup keeps; replication is not a backup.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};
use crate::model::Kind;

pub static RULE: Rule = Rule {
    id: "DB-NO-BACKUP",
    severity: Severity::Low,
    title: "no backup of the data",
    checks: "A group of databases that share their data (replication links or a cluster) of \
             which no member has a `backup` link to a `backup` component on another server (a \
             backup on the database's own server dies with it). Low: backups are often taken \
             outside what a design draws (provider snapshots, a cron job); the finding asks to \
             draw them. Where the data has no copy at all, DB-NO-REPLICA (high) says so too.",
    why: "Replication copies every change, including a mistaken `DELETE`, a bad migration or \
          ransomware, to every replica within seconds; only a backup taken earlier brings the \
          data back.",
    fix: "Add a `backup` component (snapshots, dumps to object storage, a backup service), \
          ideally on another site, and a `backup+tls` link from a database of the group to it.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    // A backup on the machine of the data it copies dies with it: it does not count.
    let elsewhere = |from: usize, to: usize| match (ctx.server_of[from], ctx.server_of[to]) {
        (Some(a), Some(b)) => a != b,
        _ => true,
    };
    let mut backed = vec![false; ctx.len()];
    for (li, l) in d.links.iter().enumerate() {
        if !l.protocol.is_backup() {
            continue;
        }
        for &f in ctx.link_from(li) {
            backed[f] |= ctx
                .link_to(li)
                .iter()
                .any(|&t| comps[t].kind == Kind::Backup && elsewhere(f, t));
        }
    }
    let bare: Vec<&Vec<usize>> = ctx
        .databases()
        .groups
        .iter()
        .filter(|g| !g.iter().any(|&i| backed[i]))
        .collect();
    if bare.is_empty() {
        return Vec::new();
    }
    let all: Vec<&str> = bare.iter().copied().flatten().map(|&i| ctx.id(i)).collect();
    let what = if bare.len() == 1 && all.len() == 1 {
        format!("{} has no backup", list(&all))
    } else if bare.len() == 1 {
        format!(
            "the data of {} has no backup (replication is not one)",
            list(&all)
        )
    } else {
        format!("no backup keeps the data of {}", list(&all))
    };
    vec![
        Finding::new(
            RULE.id,
            Severity::Low,
            format!(
                "{what}: a mistaken delete or a corruption {}cannot be undone",
                if bare.iter().all(|g| g.len() == 1) {
                    ""
                } else {
                    "is copied to every replica and "
                }
            ),
        )
        .components(all.iter().copied())
        .recommend(format!(
            "back up {} to a `backup` component on other storage (a `backup+tls` link) and test restoring it",
            if bare.len() == 1 { "the data" } else { "each database's data" }
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn a_database_without_copies_is_not_said_to_copy_mistakes() {
        let f = run(&RULE, &reference("01-simple.toml"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(!f[0].message.contains("copied"), "{}", f[0].message);
        let f = run(&RULE, &reference("03-secured-monitored.toml"));
        assert!(
            f[0].message.contains("copied to every replica"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn replication_is_not_a_backup() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["mysql-primary", "mysql-replica"]);
        let f = run(&RULE, &reference("01-simple.toml"));
        assert_eq!(f[0].components, ["mysql"]);
    }

    #[test]
    fn a_backup_link_from_any_member_covers_the_group() {
        let mut d = reference("02-distributed.toml");
        d.components
            .push(crate::model::Component::new("snapshots", Kind::Backup));
        d.links.push(crate::model::Link {
            from: "mysql-replica".into(),
            to: "snapshots".into(),
            protocol: crate::model::Protocol::BackupTls,
            port: None,
            label: None,
        });
        assert!(run(&RULE, &d).is_empty());
        // Not on the replica's own server, though.
        d.component_mut("snapshots").expect("exists").server = Some("web-02".into());
        assert_eq!(run(&RULE, &d).len(), 1);
    }
}
