//! Failure simulation: what the site loses when some components or servers fail.

use super::graph::{Ctx, Tier};
use crate::model::{Design, Kind};
use serde::Serialize;

/// What the site loses, from nothing to everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// Clients reach everything they reached before.
    Nothing,
    /// Every tier is still served, by fewer instances.
    Capacity,
    /// Every tier is still served, but components that took their work from a failed queue
    /// (workers) get none.
    Work,
    /// Pages are served but no database accepts writes.
    Writes,
    /// Clients can no longer reach a tier the site needs: the site is down.
    Everything,
}

impl Loss {
    pub fn describe(self) -> &'static str {
        match self {
            Loss::Nothing => "nothing: clients reach everything they reached before",
            Loss::Capacity => "some capacity: every tier is still served, by fewer instances",
            Loss::Work => {
                "background work: every tier is still served, but what the failed queue fed gets no more jobs"
            }
            Loss::Writes => "writes: pages are served, but no database accepts writes",
            Loss::Everything => "everything: the site is down",
        }
    }
}

/// The outcome of a simulated failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub loss: Loss,
    /// The components that failed (servers expanded to what runs on them), in design order.
    pub failed: Vec<String>,
    /// The components clients reached before and no longer reach, failed ones excluded.
    pub unreachable: Vec<String>,
    /// The tiers clients can no longer reach at all.
    pub lost_tiers: Vec<&'static str>,
    /// Why a tier is lost though clients still reach some of it: a primary left alone in a
    /// group of two, which has no majority.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
    /// The host names that lose what is lost ("www.foobar.com", "foobar.com" where only the
    /// apex's entrance is cut); the site's name where nothing is lost.
    #[serde(skip)]
    pub site: String,
}

/// Fails the named components, servers or clusters. Unknown ids are returned as the error.
pub fn simulate<S: AsRef<str>>(design: &Design, ids: &[S]) -> Result<Impact, Vec<String>> {
    let failed = failed_set(design, ids)?;
    let ctx = Ctx::new(design);
    Ok(impact(&ctx, &failed))
}

/// One flag per component: whether it fails with the named components, servers, clusters,
/// zones (every server in it) or regions (every zone in it). Unknown ids are returned as the
/// error.
pub fn failed_set<S: AsRef<str>>(design: &Design, ids: &[S]) -> Result<Vec<bool>, Vec<String>> {
    let mut failed = vec![false; design.components.len()];
    let mut unknown = Vec::new();
    let zone_of = design.zone_of();
    let server_of = design.server_of();
    let regions = design.regions();
    for id in ids {
        let id = id.as_ref();
        let mut any = false;
        // The servers the id fails as a zone or a region.
        let in_domain = |s: usize| {
            zone_of[s].is_some_and(|z| {
                let zone = &design.zones[z];
                zone.id == id || zone.region.as_deref() == Some(id)
            })
        };
        for (i, c) in design.components.iter().enumerate() {
            if c.id == id
                || c.server.as_deref() == Some(id)
                || c.cluster.as_deref() == Some(id)
                || server_of[i].is_some_and(in_domain)
            {
                failed[i] = true;
                any = true;
            }
        }
        if !any
            && design.server(id).is_none()
            && design.cluster(id).is_none()
            && design.zone(id).is_none()
            && !regions.contains(&id)
        {
            unknown.push(id.to_string());
        }
    }
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok(failed)
}

/// The impact of `failed` (one flag per component) on an analyzed design.
pub fn impact(ctx: &Ctx, failed: &[bool]) -> Impact {
    let after = ctx.reach(|i| failed[i], |_, _| true);
    let before = &ctx.reachable;
    let comps = &ctx.design.components;
    // What the site's public loses: a second entrance (an admin's VPN) that still reaches a
    // tier does not keep the site up for its users.
    // Each public group on its own: losing a tier for one of them is losing it.
    // A primary of a multi-primary group of two takes writes only while its partner is up
    // (DB-QUORUM): alone, it has no majority.
    let partner = &ctx.databases().partner;
    let served = |reach: &[bool], tier: Tier| {
        (0..comps.len()).any(|i| {
            ctx.serving(reach, |i| !failed[i], i)
                && ctx.tiers(i).any(|t| t == tier)
                && (tier != Tier::Primary || partner[i].is_none_or(|p| !failed[p]))
        })
    };
    let mut lost: Vec<Tier> = Vec::new();
    let mut cut: Vec<usize> = Vec::new();
    for g in (0..ctx.groups.len()).filter(|&g| ctx.groups[g].public) {
        let group_before = ctx.reach_group(g, |_| false);
        let group_after = ctx.reach_group(g, |i| failed[i]);
        for t in Tier::ALL {
            if served(&group_before, t) && !served(&group_after, t) {
                if !cut.contains(&g) {
                    cut.push(g);
                }
                if !lost.contains(&t) {
                    lost.push(t);
                }
            }
        }
    }
    lost.sort_unstable();
    let because: Vec<String> = (0..comps.len())
        .filter(|&i| after[i] && !failed[i])
        .filter_map(|i| partner[i].filter(|&p| failed[p]).map(|p| (i, p)))
        .map(|(i, p)| {
            format!(
                "`{}` alone has no majority without `{}` and stops taking writes (DB-QUORUM)",
                comps[i].id, comps[p].id
            )
        })
        .collect();
    let unreachable: Vec<String> = (0..comps.len())
        .filter(|&i| before[i] && !after[i] && !failed[i])
        .map(|i| comps[i].id.clone())
        .collect();
    let capacity_lost =
        (0..comps.len()).any(|i| before[i] && !after[i] && comps[i].kind != Kind::Client);
    // Losing the entry loses every tier behind it; a design without tiers loses capacity only.
    let loss = if lost
        .iter()
        .any(|t| matches!(t, Tier::Web | Tier::App | Tier::Data))
    {
        Loss::Everything
    } else if lost.contains(&Tier::Primary) {
        Loss::Writes
    } else if (0..comps.len()).any(|i| {
        before[i]
            && !after[i]
            && !failed[i]
            && ctx.into[i]
                .iter()
                .any(|&(q, _)| failed[q] && comps[q].kind == Kind::Queue)
    }) {
        Loss::Work
    } else if capacity_lost {
        Loss::Capacity
    } else {
        Loss::Nothing
    };
    Impact {
        loss,
        failed: (0..comps.len())
            .filter(|&i| failed[i])
            .map(|i| comps[i].id.clone())
            .collect(),
        unreachable,
        lost_tiers: lost.iter().map(|t| t.plural()).collect(),
        because,
        site: if cut.is_empty() {
            ctx.design.site_name()
        } else {
            ctx.entrance(cut)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::load;
    use std::path::Path;

    fn design(name: &str) -> Design {
        load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("designs")
                .join(name),
        )
        .expect("reference design loads")
    }

    #[test]
    fn losing_the_only_server_loses_everything() {
        let d = design("01-simple.toml");
        let i = simulate(&d, &["server-1"]).expect("known id");
        assert_eq!(i.loss, Loss::Everything);
        assert_eq!(i.failed, ["nginx", "app", "code", "mysql"]);
    }

    #[test]
    fn losing_the_primary_loses_writes_only() {
        let d = design("02-distributed.toml");
        let i = simulate(&d, &["mysql-primary"]).expect("known id");
        assert_eq!(i.loss, Loss::Writes);
        assert_eq!(i.lost_tiers, ["primary databases"]);
    }

    #[test]
    fn losing_either_of_two_primaries_loses_writes() {
        // Neither has a majority alone (DB-QUORUM).
        let d = design("05-resilient.toml");
        for (id, left, gone) in [
            ("mysql-1", "mysql-2", "mysql-1"),
            ("db-02", "mysql-1", "mysql-2"),
        ] {
            let i = simulate(&d, &[id]).expect("known id");
            assert_eq!(i.loss, Loss::Writes, "{id}");
            assert_eq!(
                i.because,
                [format!(
                    "`{left}` alone has no majority without `{gone}` and stops taking writes (DB-QUORUM)"
                )]
            );
        }
        // With a replica its primary's failover promotes, losing the primary loses capacity.
        let mut d = design("04-scale-up.toml");
        d.component_mut("mysql-primary").expect("db").failover =
            Some(crate::model::Failover::Automatic);
        let i = simulate(&d, &["mysql-primary"]).expect("known id");
        assert_eq!(i.loss, Loss::Capacity);
    }

    #[test]
    fn the_loss_names_the_host_whose_entrance_is_cut() {
        let d = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/partner-api.toml"))
            .expect("corpus design loads");
        let i = simulate(&d, &["api-gw"]).expect("known id");
        assert_eq!(i.loss, Loss::Everything);
        assert_eq!(i.site, "api.shop.example");
        let i = simulate(&d, &["db"]).expect("known id");
        assert_eq!(i.site, "www.shop.example", "both names: the site's name");
    }

    #[test]
    fn losing_one_web_server_loses_capacity() {
        let d = design("02-distributed.toml");
        let i = simulate(&d, &["web-02"]).expect("known id");
        assert_eq!(i.loss, Loss::Capacity);
        assert!(i.unreachable.is_empty());
        assert_eq!(i.failed, ["nginx-2", "code-2", "mysql-replica"]);
    }

    #[test]
    fn losing_the_load_balancer_makes_the_rest_unreachable() {
        let d = design("02-distributed.toml");
        let i = simulate(&d, &["haproxy"]).expect("known id");
        assert_eq!(i.loss, Loss::Everything);
        assert!(i.unreachable.contains(&"nginx-1".to_string()));
        assert!(i.unreachable.contains(&"mysql-primary".to_string()));
    }

    #[test]
    fn one_of_a_clustered_pair_costs_capacity() {
        let d = design("04-scale-up.toml");
        assert_eq!(simulate(&d, &["lb-01"]).map(|i| i.loss), Ok(Loss::Capacity));
        assert_eq!(
            simulate(&d, &["lb-01", "lb-02"]).map(|i| i.loss),
            Ok(Loss::Everything)
        );
    }

    #[test]
    fn a_failed_queue_stops_the_work_it_carried() {
        let d = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/queue-single.toml"))
            .expect("loads");
        let i = simulate(&d, &["rabbit"]).expect("known id");
        assert_eq!(i.loss, Loss::Work);
        assert_eq!(i.unreachable, ["worker"]);
        assert!(!i.loss.describe().contains("fewer instances"));
    }

    #[test]
    fn a_zone_or_a_region_fails_every_server_in_it() {
        let mut d = design("02-distributed.toml");
        d.zones = vec![
            crate::model::Zone {
                id: "a".into(),
                region: Some("eu".into()),
                ..Default::default()
            },
            crate::model::Zone {
                id: "b".into(),
                region: Some("eu".into()),
                ..Default::default()
            },
        ];
        d.servers[1].zone = Some("a".into());
        d.servers[2].zone = Some("b".into());
        let i = simulate(&d, &["b"]).expect("known id");
        assert_eq!(i.failed, ["nginx-2", "code-2", "mysql-replica"]);
        assert_eq!(i.loss, Loss::Capacity);
        let i = simulate(&d, &["eu"]).expect("known id");
        assert_eq!(i.loss, Loss::Everything);
        assert!(i.failed.contains(&"nginx-1".to_string()));
        assert!(!i.failed.contains(&"haproxy".to_string()));
        // A zone with no server fails nothing, and is no unknown id.
        d.servers[2].zone = None;
        assert_eq!(simulate(&d, &["b"]).map(|i| i.loss), Ok(Loss::Nothing));
    }

    #[test]
    fn unknown_ids_are_named() {
        let d = design("01-simple.toml");
        assert_eq!(simulate(&d, &["nope"]), Err(vec!["nope".to_string()]));
    }
}
