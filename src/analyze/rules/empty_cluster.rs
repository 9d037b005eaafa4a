//! EMPTY-CLUSTER: a cluster with no member.

use crate::analyze::{Ctx, Finding, Rule, Severity, list};

pub static RULE: Rule = Rule {
    id: "EMPTY-CLUSTER",
    severity: Severity::Medium,
    title: "cluster without members",
    checks: "A cluster that no component belongs to: medium when a link or a DNS record names \
             it (those requests go nowhere), low when nothing does.",
    why: "A link or a DNS record to an empty cluster reaches no machine: the traffic drawn \
          there is lost. An unused one is a leftover that misleads readers.",
    fix: "Put the components that should share the cluster's virtual IP in it (`cluster = \
          \"id\"`), point the links at a component, or delete the cluster.",
    category: super::Category::RELIABILITY,
    check,
};

fn check(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    let mut members = vec![false; d.clusters.len()];
    for c in &d.components {
        if let Some(cl) = c.cluster.as_deref()
            && let Some(k) = d.clusters.iter().position(|x| x.id == cl)
        {
            members[k] = true;
        }
    }
    d.clusters
        .iter()
        .zip(members)
        .filter(|(_, has)| !has)
        .map(|(cl, _)| {
            let links: Vec<usize> = d
                .links
                .iter()
                .enumerate()
                .filter(|(_, l)| l.from == cl.id || l.to == cl.id)
                .map(|(i, _)| i)
                .collect();
            let records: Vec<&str> = d
                .dns
                .iter()
                .filter(|r| r.target == cl.id)
                .map(|r| r.name.as_str())
                .collect();
            let used = !links.is_empty() || !records.is_empty();
            let message = if used {
                let mut by = Vec::new();
                if !links.is_empty() {
                    by.push(format!(
                        "{} link{}",
                        links.len(),
                        if links.len() == 1 { "" } else { "s" }
                    ));
                }
                if !records.is_empty() {
                    by.push(format!("DNS record {}", list(&records)));
                }
                format!(
                    "cluster {} has no member, yet {} name{} it: what is sent there reaches nothing",
                    list(&[&cl.id]),
                    by.join(" and "),
                    if links.len() + records.len() == 1 { "s" } else { "" }
                )
            } else {
                format!("cluster {} has no member and nothing uses it", list(&[&cl.id]))
            };
            // A cluster is not a component; the finding names the components its links join.
            let ends: Vec<&str> = links
                .iter()
                .flat_map(|&l| [d.links[l].from.as_str(), d.links[l].to.as_str()])
                .filter(|id| *id != cl.id)
                .collect();
            Finding::new(
                RULE.id,
                if used { Severity::Medium } else { Severity::Low },
                message,
            )
            .components(ends.iter().copied().chain([cl.id.as_str()]))
            .links(links)
            .recommend(format!(
                "put the components that share its virtual IP in `{}` (`cluster = \"{}\"`), or point its links at a component",
                cl.id, cl.id
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{reference, run};

    #[test]
    fn a_cluster_with_no_member_is_found() {
        let mut d = reference("04-scale-up.toml");
        for c in &mut d.components {
            c.cluster = None;
        }
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].concerns("user"), "{f:?}");
        d.links.retain(|l| l.to != "lb-cluster");
        d.dns.clear();
        assert_eq!(run(&RULE, &d)[0].severity, Severity::Low);
    }

    #[test]
    fn clusters_with_members_are_fine() {
        assert!(run(&RULE, &reference("04-scale-up.toml")).is_empty());
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }
}
