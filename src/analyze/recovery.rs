//! RPO and RTO per primary database: how much data losing it loses, and how long until the
//! site takes writes again, from how its data is copied (replication, backups) and how a copy
//! takes over. Each figure comes with the assumption that gives it.

use super::graph::Ctx;
use crate::model::{DbRole, Failover, Kind};
use serde::Serialize;

/// Assumed replication lag of asynchronous replication, in seconds.
pub const ASYNC_LAG_S: f64 = 1.0;
/// Hours between backups when a backup component does not say.
pub const BACKUP_EVERY_H: f64 = 24.0;

/// The recovery figures of one primary database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    pub database: String,
    /// Seconds of writes lost; None where all the data may be lost.
    pub rpo_seconds: Option<f64>,
    /// Why, with the assumption.
    pub rpo_because: String,
    /// Seconds until writes are taken again; None where the data cannot come back.
    pub rto_seconds: Option<f64>,
    pub rto_because: String,
}

/// Seconds in words: "0 s", "1 s", "30 min", "1 d 0 h"; "all data" / "never" for None.
pub fn seconds(s: Option<f64>, none: &str) -> String {
    match s {
        None => none.to_string(),
        Some(s) => super::availability::duration(s / 3600.0),
    }
}

/// RPO and RTO of every primary database that requests reach.
pub fn recovery(ctx: &Ctx) -> Vec<Recovery> {
    let design = ctx.design;
    let comps = &design.components;
    let ids = |v: &[usize]| super::list(&v.iter().map(|&i| ctx.id(i)).collect::<Vec<_>>());
    let mut out = Vec::new();
    // Backup links once: (from, backup) pairs.
    let backup_links: Vec<(usize, usize)> = design
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.protocol.is_backup())
        .flat_map(|(li, _)| {
            ctx.link_from(li)
                .iter()
                .flat_map(move |&f| ctx.link_to(li).iter().map(move |&t| (f, t)))
        })
        .filter(|&(_, t)| comps[t].kind == Kind::Backup)
        .collect();
    for group in &ctx.databases().groups {
        for &p in group {
            let db = &comps[p];
            if db.db_role() != Some(DbRole::Primary) || !ctx.reachable[p] {
                continue;
            }
            let server = ctx.server_of[p];
            // A copy on the primary's own server dies with it.
            let elsewhere = |i: usize| server.is_none() || ctx.server_of[i] != server;
            let copies: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&i| i != p && elsewhere(i))
                .collect();
            let primaries: Vec<usize> = copies
                .iter()
                .copied()
                .filter(|&i| comps[i].db_role() == Some(DbRole::Primary))
                .collect();
            let mut backups: Vec<usize> = Vec::new();
            for &(f, b) in &backup_links {
                if group.contains(&f) && elsewhere(b) && !backups.contains(&b) {
                    backups.push(b);
                }
            }
            let every = backups
                .iter()
                .map(|&b| comps[b].backup_every.map_or(BACKUP_EVERY_H, |h| h.0))
                .fold(f64::INFINITY, f64::min);
            // The copies a write waits for: each copy's own mode, else the primary's.
            let synced: Vec<usize> = copies
                .iter()
                .copied()
                .filter(|&c| super::graph::waits_for(ctx, p, c))
                .collect();
            let (rpo_seconds, rpo_because) = if db.redundant {
                (
                    Some(0.0),
                    "a managed multi-zone database keeps a synchronous standby (assumed, as RDS Multi-AZ does)".to_string(),
                )
            } else if !synced.is_empty() {
                (
                    Some(0.0),
                    format!(
                        "synchronous replication: a write is acknowledged only once {} {} it",
                        ids(&synced),
                        if synced.len() == 1 { "has" } else { "have" }
                    ),
                )
            } else if !copies.is_empty() {
                (
                    Some(ASYNC_LAG_S),
                    format!(
                        "asynchronous replication to {}: the writes of the last moment are lost (assumed {ASYNC_LAG_S} s of replication lag)",
                        ids(&copies)
                    ),
                )
            } else if !backups.is_empty() {
                (
                    Some(every * 3600.0),
                    format!(
                        "no copy on another server: everything since the last backup to {} (every {every} h{})",
                        ids(&backups),
                        if backups.iter().all(|&b| comps[b].backup_every.is_none()) {
                            ", assumed nightly"
                        } else {
                            ""
                        }
                    ),
                )
            } else {
                (
                    None,
                    format!(
                        "no copy and no backup: all of it if `{}`'s disk is lost",
                        db.id
                    ),
                )
            };
            let (rto_seconds, rto_because) = if db.redundant {
                (
                    Some(120.0),
                    "the managed service fails over by itself (RDS Multi-AZ quotes 60–120 s)"
                        .to_string(),
                )
            } else if let Some(other) = ctx.databases().partner[p] {
                (
                    Some(1800.0),
                    format!(
                        "{} alone has no majority and stops taking writes: someone forces it to run alone (assumed 30 min; with a third member or an arbitrator, it goes on taking writes)",
                        ids(&[other])
                    ),
                )
            } else if !primaries.is_empty() {
                (
                    Some(30.0),
                    format!(
                        "{} already takes writes: clients reconnect to it (assumed 30 s of retries)",
                        ids(&primaries)
                    ),
                )
            } else if !copies.is_empty() {
                // The fastest way any copy takes over, and the copies that take it.
                let modes = |f: Failover| -> Vec<usize> {
                    copies
                        .iter()
                        .copied()
                        .filter(|&c| super::graph::promotion(ctx, p, c) == f)
                        .collect()
                };
                let (failover, copies) = [Failover::Vip, Failover::Automatic, Failover::Manual]
                    .into_iter()
                    .map(|f| (f, modes(f)))
                    .find(|(_, c)| !c.is_empty())
                    .unwrap_or((Failover::Manual, copies.clone()));
                match failover {
                    Failover::Automatic => (
                        Some(60.0),
                        format!(
                            "automatic promotion of {} by an orchestrator (assumed 1 min: health checks, then promotion)",
                            ids(&copies)
                        ),
                    ),
                    Failover::Vip => (
                        Some(30.0),
                        format!(
                            "the virtual IP moves to {} once health checks fail (assumed 30 s)",
                            ids(&copies)
                        ),
                    ),
                    Failover::Manual => (
                        Some(1800.0),
                        format!(
                            "manual promotion: someone is paged, promotes {} and points the application at it (assumed 30 min; set `failover`)",
                            ids(&copies)
                        ),
                    ),
                }
            } else if !backups.is_empty() {
                (
                    Some(4.0 * 3600.0),
                    format!(
                        "restore from {} onto a new server (assumed 4 h)",
                        ids(&backups)
                    ),
                )
            } else {
                (
                    Some(8.0 * 3600.0),
                    format!(
                        "until `{}`'s server is repaired (assumed 8 h; never if its disk is lost)",
                        db.id
                    ),
                )
            };
            out.push(Recovery {
                database: db.id.clone(),
                rpo_seconds,
                rpo_because,
                rto_seconds,
                rto_because,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Design, Number, ReplicationMode};

    fn reference(name: &str) -> Design {
        crate::io::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("designs")
                .join(name),
        )
        .expect("reference design loads")
    }

    #[test]
    fn an_async_replica_promoted_by_hand() {
        let d = reference("04-scale-up.toml");
        let r = recovery(&Ctx::new(&d));
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].database, "mysql-primary");
        assert_eq!(r[0].rpo_seconds, Some(ASYNC_LAG_S));
        assert_eq!(r[0].rto_seconds, Some(1800.0));
        assert!(r[0].rto_because.contains("`mysql-replica`"), "{:?}", r[0]);
    }

    #[test]
    fn sync_replication_and_automatic_failover() {
        let mut d = reference("04-scale-up.toml");
        let p = d.component_mut("mysql-primary").expect("db");
        p.replication = Some(ReplicationMode::Sync);
        p.failover = Some(Failover::Automatic);
        let r = recovery(&Ctx::new(&d));
        assert_eq!(r[0].rpo_seconds, Some(0.0));
        assert_eq!(r[0].rto_seconds, Some(60.0));
    }

    #[test]
    fn each_copy_keeps_its_own_replication_and_failover() {
        // A synchronous standby promoted by itself, and a remote asynchronous replica promoted
        // by hand: the write waits for the standby only, and the standby takes over.
        let mut d = reference("04-scale-up.toml");
        let p = d.component_mut("mysql-primary").expect("db");
        p.replication = Some(ReplicationMode::Sync);
        p.failover = Some(Failover::Automatic);
        let mut far = d.component("mysql-replica").expect("db").clone();
        far.id = "far".into();
        far.server = Some("app-01".into());
        far.replication = Some(ReplicationMode::Async);
        far.failover = Some(Failover::Manual);
        d.components.push(far);
        d.links.push(crate::model::Link {
            from: "mysql-primary".into(),
            to: "far".into(),
            protocol: crate::model::Protocol::Replication,
            port: None,
            label: None,
        });
        let r = recovery(&Ctx::new(&d));
        assert_eq!(r[0].rpo_seconds, Some(0.0));
        assert!(
            r[0].rpo_because
                .contains("only once `mysql-replica` has it"),
            "{:?}",
            r[0]
        );
        assert_eq!(r[0].rto_seconds, Some(60.0));
        assert!(
            r[0].rto_because.contains("promotion of `mysql-replica` by"),
            "{:?}",
            r[0]
        );
        let ctx = Ctx::new(&d);
        let far = d
            .components
            .iter()
            .position(|c| c.id == "far")
            .expect("far");
        assert!(!ctx.databases().standby[far], "promoted by hand");
    }

    #[test]
    fn a_lone_database_loses_everything_without_a_backup() {
        let mut d = reference("01-simple.toml");
        let r = recovery(&Ctx::new(&d));
        assert_eq!(r[0].rpo_seconds, None);
        // A backup elsewhere, every 6 hours: up to 6 hours lost, a restore to come back.
        d.servers.push(crate::model::Server {
            id: "vault-host".into(),
            ..Default::default()
        });
        let mut b = crate::model::Component::new("vault", Kind::Backup);
        b.server = Some("vault-host".into());
        b.backup_every = Some(Number(6.0));
        d.components.push(b);
        d.links.push(crate::model::Link {
            from: "mysql".into(),
            to: "vault".into(),
            protocol: crate::model::Protocol::BackupTls,
            port: None,
            label: None,
        });
        let r = recovery(&Ctx::new(&d));
        assert_eq!(r[0].rpo_seconds, Some(6.0 * 3600.0));
        assert_eq!(r[0].rto_seconds, Some(4.0 * 3600.0));
    }

    #[test]
    fn a_group_of_two_primaries_waits_for_someone() {
        // One of two has no majority (DB-QUORUM): the survivor stops taking writes.
        let r = recovery(&Ctx::new(&reference("05-resilient.toml")));
        assert_eq!(r.len(), 2);
        assert!(r.iter().all(|r| r.rto_seconds == Some(1800.0)), "{r:?}");
        assert!(
            r[0].rto_because.contains("`mysql-2` alone has no majority"),
            "{r:?}"
        );
    }

    #[test]
    fn a_third_primary_keeps_taking_writes() {
        let mut d = reference("05-resilient.toml");
        let mut third = d.component("mysql-2").expect("exists").clone();
        third.id = "mysql-3".into();
        d.components.push(third);
        let r = recovery(&Ctx::new(&d));
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|r| r.rto_seconds == Some(30.0)), "{r:?}");
    }
}
