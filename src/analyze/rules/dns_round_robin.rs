//! DNS-ROUND-ROBIN: one name with several address records, to load balancers that share no
//! virtual IP.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "DNS-ROUND-ROBIN",
    severity: Severity::Medium,
    title: "round-robin DNS instead of failover",
    checks: "A DNS name with several records that lead to different components (none of them \
             managed, not members of one cluster), one of them at least to a lone component \
             (records to clustered pairs, one per region, fail over inside each pair): the \
             name is spread over separate entrances by the resolvers, and none takes over for \
             another.",
    why: "Round-robin DNS spreads load but is no failover: when one entrance fails, the clients \
          that resolved its address keep connecting to it and fail until their cached record \
          expires (minutes to hours, whatever the TTL says), and half of the new ones are sent \
          to it until someone removes the record.",
    fix: "Put the entrances in a cluster sharing a virtual IP (keepalived) and point one record \
          at it, or use DNS that health-checks its targets (a failover routing policy) and mark \
          the name service `redundant`.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let comps = &d.components;
    let mut names: Vec<&str> = Vec::new();
    for r in &d.dns {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let hits: Vec<&[usize]> = (0..d.dns.len())
            .filter(|&r| d.dns[r].name == name)
            .map(|r| ctx.record_hits(r))
            .filter(|h| !h.is_empty())
            .collect();
        if hits.len() < 2 {
            continue;
        }
        let mut all: Vec<usize> = hits.iter().flat_map(|h| h.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        // Separate entrances: no component reached by two records, none managed, and not one
        // cluster (records to each member of a pair that shares an address are that pair).
        let disjoint = all.len() == hits.iter().map(|h| h.len()).sum::<usize>();
        let managed = all.iter().any(|&i| comps[i].redundant);
        let one_cluster = comps[all[0]].cluster.is_some()
            && all
                .iter()
                .all(|&i| comps[i].cluster == comps[all[0]].cluster);
        // Records to pairs that each share an address (one per region) fail over inside each
        // pair: only a record to a lone entrance is the round robin's weak point.
        let lone = hits.iter().any(|h| h.len() == 1);
        if !disjoint || managed || one_cluster || !lone {
            continue;
        }
        let ids: Vec<&str> = all.iter().map(|&i| ctx.id(i)).collect();
        let host = match (name, d.domain.as_deref()) {
            ("@" | "", Some(domain)) => domain.to_string(),
            (n, Some(domain)) => format!("{n}.{domain}"),
            (n, None) => n.to_string(),
        };
        let mut f = Finding::new(
            RULE.id,
            Severity::Medium,
            format!(
                "{host} has {} records, to {}, which share no virtual IP: round-robin DNS is no failover, and when one fails the clients that resolved its address get errors until their cached record expires",
                hits.len(),
                list(&ids)
            ),
        )
        .components(ids.iter().copied())
        .recommend(format!(
            "put {} in a cluster sharing a virtual IP that one `{name}` record points to, or use DNS that health-checks its targets",
            list(&ids)
        ));
        let servers: Vec<&str> = all
            .iter()
            .filter_map(|&i| ctx.server_of[i].map(|s| d.servers[s].id.as_str()))
            .collect();
        f = f.servers(servers);
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};
    use crate::model::{DnsRecord, RecordType};

    #[test]
    fn two_records_to_two_unclustered_load_balancers() {
        let mut d = reference("04-scale-up.toml");
        assert!(
            run(&RULE, &d).is_empty(),
            "one record to the pair's cluster"
        );
        // Each member by its own record, and no cluster: round robin.
        for c in &mut d.components {
            if c.cluster.as_deref() == Some("lb-cluster") {
                c.cluster = None;
            }
        }
        d.clusters.retain(|c| c.id != "lb-cluster");
        d.dns = ["haproxy-1", "haproxy-2"]
            .iter()
            .map(|t| DnsRecord {
                name: "www".into(),
                record_type: RecordType::A,
                target: t.to_string(),
            })
            .collect();
        for l in &mut d.links {
            if l.to == "lb-cluster" {
                l.to = "haproxy-1".into();
            }
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.starts_with("www.foobar.com has 2 records"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].servers, ["lb-01", "lb-02"]);
        // Managed entrances (a cloud load balancer) fail over by themselves.
        d.component_mut("haproxy-1").expect("lb").redundant = true;
        assert!(run(&RULE, &d).is_empty());
    }
}
