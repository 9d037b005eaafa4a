//! SPOF-COMPONENT: a component every request path to a needed tier passes through.

use crate::analyze::graph::Spof;
use crate::analyze::{Ctx, Finding, Rule, Severity, Tier, list};
use crate::model::{DbRole, Kind};

pub static RULE: Rule = Rule {
    id: "SPOF-COMPONENT",
    severity: Severity::Critical,
    title: "single point of failure (component)",
    checks: "A component whose failure leaves clients unable to reach every instance of a tier \
             the site needs: web servers, application servers, databases, or the primary \
             databases that take writes. Decided by dominators of the request graph from the \
             clients. Components marked `redundant` (managed services) are exempt. A single queue \
             that alone feeds its workers is a SPOF of the work it carries (high: the site \
             stays up, the jobs stop); a single cache that application or web servers on other \
             servers all use is a SPOF of what it holds (high: sessions and cached data). The \
             writes of a MongoDB-style pair (two members that elect their primary by a vote) \
             are DB-QUORUM's finding.",
    why: "When it fails, the site is down (critical) or cannot take writes (high), however many \
          instances sit behind it.",
    fix: "Run a second instance beside it (a load-balancer pair sharing a virtual IP, a second \
          web or application server, a second primary), or use a managed service that is \
          redundant by itself and mark it `redundant = true`.",
    category: super::Category::RELIABILITY,
    check,
};

/// How bad losing a node is, from what it cuts off and for whom: the severity, the outcome
/// in words and, where the design has several entrances, whom it cuts off.
pub(crate) fn judge(ctx: &Ctx, spof: &Spof) -> (Severity, String) {
    let public = |g: usize| ctx.groups[g].public;
    let site = ctx.entrance(spof.cuts.iter().map(|(g, _)| *g).filter(|&g| public(g)));
    let down = spof
        .cuts
        .iter()
        .any(|(g, t)| public(*g) && t.iter().any(|t| *t != Tier::Primary));
    let writes = spof.cuts.iter().any(|(g, _)| public(*g));
    let whole = spof.cuts.len() == ctx.groups.len();
    let whom = || {
        let clients: Vec<&str> = spof
            .cuts
            .iter()
            .flat_map(|(g, _)| ctx.groups[*g].clients.iter().map(|&c| ctx.id(c)))
            .collect();
        format!("for {}", list(&clients))
    };
    // A client that enters once per name is cut off from one name, not from the site: the
    // name says who loses it.
    let clients_of = |gs: &mut dyn Iterator<Item = usize>| {
        let mut c: Vec<usize> = gs.flat_map(|g| ctx.groups[g].clients.clone()).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let everyone = clients_of(&mut (0..ctx.groups.len()))
        == clients_of(&mut spof.cuts.iter().map(|(g, _)| *g).filter(|&g| public(g)));
    let for_whom = if whole || everyone || ctx.groups.len() < 2 {
        String::new()
    } else {
        format!(" {}", whom())
    };
    if down {
        (Severity::Critical, format!("{site} is down{for_whom}"))
    } else if writes {
        (
            Severity::High,
            format!("{site} can no longer take writes{for_whom}"),
        )
    } else {
        let lost = Tier::phrase(&spof.tiers());
        (
            Severity::High,
            format!("{} can no longer reach the {lost}", &whom()[4..]),
        )
    }
}

/// Keeps the cuts of the public entry groups (the site's users): a second entrance such as an
/// admin's VPN that enters at one web server does not make that web server a SPOF of the site.
fn public_only<'c>(ctx: &'c Ctx<'_>) -> impl Fn(&Spof) -> Option<Spof> + 'c {
    |s| {
        let cuts: Vec<(usize, Vec<Tier>)> = s
            .cuts
            .iter()
            .filter(|(g, _)| ctx.groups[*g].public)
            .cloned()
            .collect();
        (!cuts.is_empty()).then_some(Spof { node: s.node, cuts })
    }
}

/// Whether a loss cuts off only the writes of a two-member group that cannot elect a primary
/// alone (`member`, the group's component the lost node is or holds): DB-QUORUM's finding.
fn unelected(ctx: &Ctx, s: &Spof, member: Option<usize>) -> bool {
    member.is_some_and(|m| ctx.databases().no_election[m]) && s.tiers() == [Tier::Primary]
}

/// Whether a component's loss is reported as a single point of failure: not a managed service,
/// and not the provider's DNS (a name service without a server of the design).
fn reportable(ctx: &Ctx, i: usize) -> bool {
    let c = &ctx.design.components[i];
    !(c.redundant || c.kind == Kind::Dns && ctx.server_of[i].is_none())
}

/// The fix for a component that is a single point of failure, in its own role.
pub(crate) fn fix_for(ctx: &Ctx, i: usize) -> String {
    let c = &ctx.design.components[i];
    let named = ctx.records_to(i);
    let record = if named.is_empty() {
        ctx.design
            .dns
            .first()
            .map_or("the DNS record".to_string(), |r| format!("`{}`", r.name))
    } else {
        list(&named)
    };
    match c.kind {
        Kind::LoadBalancer => format!(
            "add a second load balancer on another server and put both in a cluster sharing a virtual IP that {record} points to"
        ),
        Kind::WebServer | Kind::AppServer => {
            let lb = ctx.into[i]
                .iter()
                .find(|&&(f, _)| ctx.kind(f) == Kind::LoadBalancer)
                .map(|&(f, _)| f);
            // A consumer that takes its work from a queue scales by consuming beside it.
            let queue = ctx.into[i]
                .iter()
                .find(|&&(f, _)| ctx.kind(f) == Kind::Queue)
                .map(|&(f, _)| f);
            match (lb, queue) {
                (Some(lb), _) => format!(
                    "run a second {} on another server behind {}",
                    c.kind.title(),
                    lb_name(ctx, lb)
                ),
                (None, Some(q)) => format!(
                    "run a second consumer of `{}` on another server: the consumers of one queue share its work by themselves",
                    ctx.design.components[q]
                        .cluster
                        .as_deref()
                        .unwrap_or(ctx.id(q))
                ),
                (None, None) => format!(
                    "run a second {} on another server and put a load balancer in front of both",
                    c.kind.title()
                ),
            }
        }
        Kind::Database if c.db_role() == Some(DbRole::Primary) => "add a second primary on another server (multi-primary replication) or automatic failover that promotes a replica, and let the application fail over to it".to_string(),
        Kind::Database => "add a second replica on another server, fed by replication from the primary".to_string(),
        Kind::Firewall | Kind::Router => format!(
            "add a second {} in parallel (a high-availability pair) so that traffic has another way in",
            c.kind.title()
        ),
        Kind::Dns => "add a second name server on another server, or use a managed DNS".to_string(),
        _ => format!(
            "run a second {} on another server (a cluster) and let what uses it fail over",
            c.kind.title()
        ),
    }
}

/// A load balancer in words: "the `lb-cluster` load balancers" for a cluster member, else
/// "load balancer `lb`".
pub(crate) fn lb_name(ctx: &Ctx, lb: usize) -> String {
    match &ctx.design.components[lb].cluster {
        Some(cl) => format!("the `{cl}` load balancers"),
        None => format!("load balancer {}", list(&[ctx.id(lb)])),
    }
}

/// The self-hosted name service, if clients depend on one: the only DNS that clients query,
/// installed on a server of the design.
fn self_hosted_dns(ctx: &Ctx) -> Option<usize> {
    let mut dns: Vec<usize> = ctx
        .groups
        .iter()
        .filter(|g| g.public)
        .flat_map(|g| g.targets.iter().copied())
        .filter(|&t| ctx.kind(t) == Kind::Dns)
        .collect();
    dns.sort_unstable();
    dns.dedup();
    match dns[..] {
        [d] if ctx.server_of[d].is_some() && !ctx.design.components[d].redundant => Some(d),
        _ => None,
    }
}

/// The single points of failure as causes: a server whose loss is explained by one component
/// on it is that component's finding (the server listed with it); a server that is the only
/// home of several tiers is one server finding that covers them; a server whose loss cuts
/// more than its components do is a server finding of its own. Both SPOF rules read this.
pub(crate) fn spof_findings(ctx: &Ctx) -> Vec<Finding> {
    let comps = &ctx.design.components;
    let mut component: Vec<(Spof, Severity, String)> = ctx
        .component_spofs()
        .iter()
        .filter(|s| reportable(ctx, s.node) && !unelected(ctx, s, Some(s.node)))
        .filter_map(public_only(ctx))
        .map(|s| {
            let (sev, outcome) = judge(ctx, &s);
            (s, sev, outcome)
        })
        .collect();
    // A primary that alone holds its data (no replica, no replication) is a single point of
    // failure of that data, even where other primaries hold other data: the dominators see
    // only "a primary". With a replica, DB-SINGLE-PRIMARY speaks for it.
    for g in &ctx.databases().groups {
        let primaries: Vec<usize> = g
            .iter()
            .copied()
            .filter(|&i| comps[i].db_role() == Some(DbRole::Primary))
            .collect();
        let ([p], 1) = (&primaries[..], g.len()) else {
            continue;
        };
        let p = *p;
        if !ctx.reachable[p] || comps[p].redundant || component.iter().any(|(s, _, _)| s.node == p)
        {
            continue;
        }
        let site = ctx.entrance(ctx.public_groups_reaching(p));
        let outcome = format!("what it holds can no longer be read or written on {site}");
        component.push((
            Spof {
                node: p,
                cuts: Vec::new(),
            },
            Severity::High,
            outcome,
        ));
    }
    if let Some(d) = self_hosted_dns(ctx)
        && !component.iter().any(|(s, _, _)| s.node == d)
    {
        let site = ctx.design.site_name();
        let spof = Spof {
            node: d,
            cuts: Vec::new(),
        };
        component.push((
            spof,
            Severity::Critical,
            format!("{site} no longer resolves and is down for every new visitor"),
        ));
    }
    let mut folded: Vec<Vec<usize>> = vec![Vec::new(); component.len()];
    let mut absorbed = vec![false; component.len()];
    let mut findings = Vec::new();
    let pairs: Vec<usize> = (0..ctx.len())
        .filter(|&c| ctx.databases().no_election[c])
        .collect();
    let servers: Vec<Spof> = ctx
        .server_spofs()
        .iter()
        .filter(|s| {
            let member = pairs
                .iter()
                .copied()
                .find(|&c| ctx.server_of[c] == Some(s.node));
            !unelected(ctx, s, member)
        })
        .filter_map(public_only(ctx))
        .collect();
    for s in &servers {
        let on: Vec<usize> = (0..component.len())
            .filter(|&k| ctx.server_of[component[k].0.node] == Some(s.node))
            .collect();
        let covered: Vec<Tier> = on.iter().flat_map(|&k| component[k].0.tiers()).collect();
        let explained = s.tiers().iter().all(|t| covered.contains(t));
        let (severity, outcome) = judge(ctx, s);
        let critical: Vec<usize> = on
            .iter()
            .copied()
            .filter(|&k| component[k].1 == Severity::Critical)
            .collect();
        let mut kinds: Vec<Kind> = critical
            .iter()
            .map(|&k| comps[component[k].0.node].kind)
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let server = &ctx.design.servers[s.node];
        let name = format!(
            "server {}{}",
            list(&[&server.id]),
            server
                .ip
                .as_deref()
                .map(|ip| format!(" ({ip})"))
                .unwrap_or_default()
        );
        // The server holds every database, two or more: losing it loses the data itself.
        let all_data = {
            let dbs = ctx.tier_members(Tier::Data);
            dbs.len() >= 2 && dbs.iter().all(|&i| ctx.server_of[i] == Some(s.node))
        };
        if explained && !((kinds.len() >= 2 || all_data) && severity == Severity::Critical) {
            for &k in &on {
                folded[k].push(s.node);
            }
            continue;
        }
        // What the server's loss takes with it that the site needs: the components on the
        // request path (a firewall requests pass through included), not its agent or code
        // unless requests go on through them.
        let hosted: Vec<&str> = ctx.hosted[s.node]
            .iter()
            .copied()
            .filter(|&i| {
                ctx.reachable[i]
                    && !(matches!(comps[i].kind, Kind::MonitoringAgent | Kind::AppFiles)
                        && ctx.out[i].is_empty())
            })
            .map(|i| ctx.id(i))
            .collect();
        let what = Tier::phrase(&s.tiers());
        let recommendation = if explained {
            for &k in &critical {
                absorbed[k] = true;
            }
            let roles: Vec<&str> = kinds
                .iter()
                .filter(|k| **k != Kind::Database)
                .map(|k| k.title())
                .collect();
            let dbs: Vec<&str> = critical
                .iter()
                .map(|&k| component[k].0.node)
                .filter(|&i| comps[i].kind == Kind::Database)
                .map(|i| ctx.id(i))
                .collect();
            let mut fix = if roles.is_empty() {
                String::new()
            } else {
                format!(
                    "run a second {} on another server, behind a load balancer",
                    phrase(&roles)
                )
            };
            if !dbs.is_empty() {
                if !fix.is_empty() {
                    fix.push_str(", and ");
                }
                fix.push_str(&format!(
                    "give {} a copy on another server that takes over when it fails (a second primary or a replica with automatic failover)",
                    list(&dbs)
                ));
            }
            fix
        } else {
            format!(
                "spread the {} over at least two servers, so that losing `{}` leaves one running",
                Tier::plural_phrase(&s.tiers()),
                server.id
            )
        };
        findings.push(
            Finding::new(
                SERVER_RULE,
                severity,
                format!("{name} runs or fronts every reachable {what}: if it goes down, {outcome}"),
            )
            .servers([server.id.clone()])
            .components(hosted.iter().map(|s| s.to_string()))
            .recommend(recommendation),
        );
    }
    // Components on one server that cut off exactly the same are one cause: one finding.
    let mut leader: Vec<Option<usize>> = vec![None; component.len()];
    for k in 0..component.len() {
        if absorbed[k] || component[k].0.cuts.is_empty() {
            continue;
        }
        let here = ctx.server_of[component[k].0.node];
        leader[k] = (0..k).find(|&j| {
            !absorbed[j]
                && leader[j].is_none()
                && here.is_some()
                && ctx.server_of[component[j].0.node] == here
                && component[j].0.cuts == component[k].0.cuts
        });
    }
    for (k, (spof, severity, outcome)) in component.iter().enumerate() {
        if absorbed[k] || leader[k].is_some() {
            continue;
        }
        let followers: Vec<usize> = (0..component.len())
            .filter(|&j| leader[j] == Some(k))
            .map(|j| component[j].0.node)
            .collect();
        let c = &comps[spof.node];
        let tiers = spof.tiers();
        let place = match ctx.server_of[spof.node] {
            Some(s) if !folded[k].is_empty() => {
                format!(", on server `{}`", ctx.design.servers[s].id)
            }
            _ => String::new(),
        };
        let named = format!(
            "{} {} ({}{place})",
            c.kind.title(),
            list(&[&c.id]),
            c.display_name()
        );
        let own: Vec<Tier> = Tier::of(c).collect();
        let from = if ctx.entry == crate::analyze::Entry::Clients {
            "the clients"
        } else {
            "the entry points (inferred: the design has no client)"
        };
        let message = if tiers.is_empty() && c.kind == Kind::Database {
            format!(
                "{named} is the only primary of the data it holds (no other database takes its writes): if it fails, {outcome}"
            )
        } else if tiers.is_empty() {
            format!("{named} is the only name service clients query: if it fails, {outcome}")
        } else if tiers.iter().all(|t| own.contains(t)) {
            format!(
                "{named} is the only reachable {}: if it fails, {outcome}",
                Tier::phrase(&tiers)
            )
        } else {
            format!(
                "every path from {from} to the {} passes through {named}: if it fails, {outcome}",
                Tier::phrase(&tiers)
            )
        };
        let (message, fix) = if followers.is_empty() {
            (message, fix_for(ctx, spof.node))
        } else {
            let ids: Vec<&str> = followers.iter().map(|&f| ctx.id(f)).collect();
            let fixes: Vec<String> = std::iter::once(spof.node)
                .chain(followers.iter().copied())
                .map(|i| fix_for(ctx, i))
                .collect();
            (
                format!(
                    "{message}; {} on the same server cut{} off the same",
                    list(&ids),
                    if ids.len() == 1 { "s" } else { "" }
                ),
                fixes.join("; "),
            )
        };
        findings.push(
            Finding::new(RULE.id, *severity, message)
                .components(
                    std::iter::once(c.id.as_str()).chain(followers.iter().map(|&f| ctx.id(f))),
                )
                .recommend(fix),
        );
    }
    findings
}

/// "a", "a and b", "a, b and c", unquoted.
fn phrase(words: &[&str]) -> String {
    match words.len() {
        0 => String::new(),
        1 => words[0].to_string(),
        n => format!("{} and {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

const SERVER_RULE: &str = "SPOF-SERVER";

fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut findings: Vec<Finding> = spof_findings(ctx)
        .into_iter()
        .filter(|f| f.rule == RULE.id)
        .collect();
    findings.extend(queue_spofs(ctx));
    findings.extend(cache_spofs(ctx));
    findings.extend(dependency_spofs(ctx));
    findings
}

/// " (RabbitMQ, on server `mq-01`)": a side component's software and server, for its finding.
fn about(ctx: &Ctx, i: usize) -> String {
    let mut parts: Vec<String> = ctx.design.components[i].software.iter().cloned().collect();
    if let Some(s) = ctx.server_of[i] {
        parts.push(format!("on server `{}`", ctx.design.servers[s].id));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// A single cache that application or web servers on other servers all depend on: the site
/// may stay up when it fails, but what it holds (sessions, cached data) is gone for every one
/// of them (high, not critical). Not where a cluster peer, a copy of it or a managed service
/// takes over, nor where it shares a server with every component that uses it (they fail
/// together, and that server is the finding).
fn cache_spofs(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    single_shared(ctx, Kind::Cache)
        .into_iter()
        .map(|(c, users)| {
            let cache = &d.components[c];
            let about = about(ctx, c);
            let ids: Vec<&str> = users.iter().map(|&u| ctx.id(u)).collect();
            shared_finding(
                ctx,
                c,
                format!(
                    "cache `{}`{about} is the only cache of {}: if it fails, what it holds (sessions, cached data) is gone for all of them: users may be logged out, and every request falls through to what it was caching",
                    cache.id,
                    list(&ids)
                ),
                format!(
                    "add a replica of `{}` on another server that takes over when it fails (e.g. Redis with a replica and Sentinel, or a Redis Cluster) and point {} at both, or use a managed cache and mark it `redundant = true`",
                    cache.id,
                    list(&ids)
                ),
            )
        })
        .collect()
}

/// A single service of kind `other` (a file server every web server mounts, a directory every
/// login asks) that several application or web servers on other servers all depend on: what
/// they need from it is gone for all of them when it fails (high: the design does not say
/// whether the pages still render). The same exemptions as a cache's.
fn dependency_spofs(ctx: &Ctx) -> Vec<Finding> {
    let d = ctx.design;
    // Mail is stored and forwarded: senders queue it while a relay is down.
    let mail = |c: usize| {
        ctx.into[c]
            .iter()
            .all(|&(_, l)| d.links[l].port.is_some_and(|p| matches!(p, 25 | 465 | 587)))
    };
    single_shared(ctx, Kind::Other)
        .into_iter()
        // A service with no server of the design is someone else's (a payment provider).
        .filter(|(c, users)| users.len() > 1 && ctx.server_of[*c].is_some() && !mail(*c))
        .map(|(c, users)| {
            let dep = &d.components[c];
            let about = about(ctx, c);
            let ids: Vec<&str> = users.iter().map(|&u| ctx.id(u)).collect();
            shared_finding(
                ctx,
                c,
                format!(
                    "`{}`{about} is the one instance of a service that {} all depend on: if it fails, what they need from it is gone for every one of them",
                    dep.id,
                    list(&ids)
                ),
                if crate::analyze::graph::elects(dep).is_some() {
                    // A store whose members vote: a second member would leave no majority.
                    format!(
                        "run `{}` as three members on three servers (two have no majority once one is lost; three keep one) and point {} at all of them, or use a managed service and mark it `redundant = true`",
                        dep.id,
                        list(&ids)
                    )
                } else {
                    format!(
                        "run a second instance of `{}` on another server that takes over when it fails (a replica, a cluster, replicated storage) and point {} at both, or use a managed service and mark it `redundant = true`",
                        dep.id,
                        list(&ids)
                    )
                },
            )
        })
        .collect()
}

/// The high finding about single shared component `c`, with its server.
fn shared_finding(ctx: &Ctx, c: usize, message: String, fix: String) -> Finding {
    let f = Finding::new(RULE.id, Severity::High, message)
        .components([ctx.id(c)])
        .recommend(fix);
    match ctx.server_of[c] {
        Some(s) => f.servers([ctx.design.servers[s].id.as_str()]),
        None => f,
    }
}

/// The components of `kind` that application or web servers on other servers depend on with
/// no other of that kind to turn to, each with those servers: not managed, not already a SPOF
/// finding, with no cluster peer or copy to take over, and not on the one server of all that
/// use it (they fail together, and that server is the finding).
fn single_shared(ctx: &Ctx, kind: Kind) -> Vec<(usize, Vec<usize>)> {
    let reported: Vec<usize> = ctx.component_spofs().iter().map(|s| s.node).collect();
    let d = ctx.design;
    let comps = &d.components;
    (0..ctx.len())
        .filter(|&c| {
            comps[c].kind == kind
                && !comps[c].redundant
                && ctx.reachable[c]
                && !reported.contains(&c)
        })
        .filter(|&c| {
            // A cluster of several, or one with a copy, has a peer to take over.
            let peers = comps[c].cluster.as_ref().is_some_and(|k| {
                comps
                    .iter()
                    .filter(|o| o.cluster.as_ref() == Some(k))
                    .count()
                    > 1
            });
            let copied = d.links.iter().any(|l| {
                l.protocol.traffic() == crate::model::Traffic::Replication
                    && (l.from == comps[c].id || l.to == comps[c].id)
            });
            !peers && !copied
        })
        .filter_map(|c| {
            let mut users: Vec<usize> = ctx.into[c]
                .iter()
                .map(|&(u, _)| u)
                .filter(|&u| {
                    ctx.reachable[u] && matches!(comps[u].kind, Kind::AppServer | Kind::WebServer)
                })
                .collect();
            users.sort_unstable();
            users.dedup();
            // Each user has no other of the kind to turn to (for `other`, none running the
            // same software: a file server and a directory are not each other's spare).
            let spare = |t: usize| {
                t != c
                    && comps[t].kind == kind
                    && (kind != Kind::Other || comps[t].software == comps[c].software)
            };
            let only = users
                .iter()
                .all(|&u| !ctx.out[u].iter().any(|&(t, _)| spare(t)));
            let apart = users.iter().any(|&u| ctx.server_of[u] != ctx.server_of[c]);
            (!users.is_empty() && only && apart).then_some((c, users))
        })
        .collect()
}

/// The consumers a queue alone feeds: reached before, not once the queue fails. Empty for a
/// redundant queue, one that is not reached, or one whose peers in a cluster take over.
pub(crate) fn starved_by(ctx: &Ctx, q: usize) -> Vec<usize> {
    let c = &ctx.design.components[q];
    if c.kind != Kind::Queue || c.redundant || !ctx.reachable[q] {
        return Vec::new();
    }
    let after = ctx.reach(|n| n == q, |_, _| true);
    let mut starved: Vec<usize> = ctx.out[q]
        .iter()
        .map(|&(m, _)| m)
        .filter(|&m| ctx.reachable[m] && !after[m])
        .collect();
    starved.sort_unstable();
    starved.dedup();
    starved
}

/// A single queue between the application and its workers: when it fails the site stays up,
/// but the work it carries stops (high, not critical). A queue whose loss cuts a tier off is
/// already a SPOF of the site and reported as such.
fn queue_spofs(ctx: &Ctx) -> Vec<Finding> {
    let reported: Vec<usize> = ctx.component_spofs().iter().map(|s| s.node).collect();
    let comps = &ctx.design.components;
    (0..ctx.len())
        .filter(|q| !reported.contains(q))
        .filter_map(|q| {
            let starved = starved_by(ctx, q);
            if starved.is_empty() {
                return None;
            }
            let c = &comps[q];
            let about = about(ctx, q);
            let ids: Vec<&str> = starved.iter().map(|&m| ctx.id(m)).collect();
            let mut f = Finding::new(
                RULE.id,
                Severity::High,
                format!(
                    "queue `{}`{about} is the only way work reaches {}: if it fails, the site stays up but the jobs it carries stop",
                    c.id,
                    list(&ids)
                ),
            )
            .components([c.id.as_str()])
            .recommend(
                "run the queue as a cluster on several servers (e.g. a RabbitMQ cluster with quorum queues) and link the producers and workers to the cluster, or use a managed queue and mark it `redundant = true`",
            );
            if let Some(s) = ctx.server_of[q] {
                f = f.servers([ctx.design.servers[s].id.as_str()]);
            }
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rules::testing::{corpus, reference, run};

    #[test]
    fn a_server_finding_names_the_inline_firewall_on_it() {
        // Requests pass a firewall on s3 to the database beside it: losing s3 loses both.
        let mut d = reference("01-simple.toml");
        d.components.clear();
        d.dns.clear();
        d.links.clear();
        d.servers.truncate(1);
        let s = d.servers[0].id.clone();
        let mut fw = crate::model::Component::new("fw", Kind::Firewall);
        fw.server = Some(s.clone());
        let mut db = crate::model::Component::new("db", Kind::Database);
        db.server = Some(s);
        d.components = vec![crate::model::Component::new("user", Kind::Client), fw, db];
        for (from, to) in [("user", "fw"), ("fw", "db")] {
            d.links.push(crate::model::Link {
                from: from.into(),
                to: to.into(),
                protocol: crate::model::Protocol::Http,
                port: None,
                label: None,
            });
        }
        let all = crate::analyze::analyze(&d);
        assert!(
            all.iter()
                .any(|f| f.rule.starts_with("SPOF-") && f.concerns("fw")),
            "{all:?}"
        );
    }

    #[test]
    fn a_single_consensus_store_is_run_as_three_not_two() {
        // A one-member etcd that both of design 2's web servers ask for their configuration.
        let mut d = reference("02-distributed.toml");
        let mut store = crate::model::Component::new("store", Kind::Other);
        store.software = Some("etcd".into());
        store.server = Some("lb-01".into());
        d.components.push(store);
        for web in ["nginx-1", "nginx-2"] {
            d.links.push(crate::model::Link {
                from: web.into(),
                to: "store".into(),
                protocol: crate::model::Protocol::Tls,
                port: Some(2379),
                label: None,
            });
        }
        let f = run(&RULE, &d);
        let s: Vec<&Finding> = f.iter().filter(|f| f.concerns("store")).collect();
        assert_eq!(s.len(), 1, "{f:?}");
        assert!(
            s[0].recommendation.contains("three members")
                && !s[0].recommendation.contains("second instance"),
            "{}",
            s[0].recommendation
        );
    }

    #[test]
    fn the_only_consumer_on_the_way_to_the_data_is_doubled_beside_it_not_behind_a_balancer() {
        // The API servers write only through the queue: its one worker is on every path to
        // the database.
        let mut d = corpus("queue-single");
        d.links
            .retain(|l| !(l.from.starts_with("api-") && l.to == "pg"));
        let f = run(&RULE, &d);
        let w: Vec<&Finding> = f.iter().filter(|f| f.concerns("worker")).collect();
        assert_eq!(w.len(), 1, "{f:?}");
        assert!(
            w[0].recommendation.contains("second consumer of `rabbit`")
                && !w[0].recommendation.contains("load balancer"),
            "{}",
            w[0].recommendation
        );
    }

    #[test]
    fn a_single_queue_is_a_spof_for_the_work_it_carries() {
        let f = run(&RULE, &corpus("queue-single"));
        let q: Vec<&Finding> = f.iter().filter(|f| f.concerns("rabbit")).collect();
        assert_eq!(q.len(), 1, "{f:?}");
        assert_eq!(q[0].severity, Severity::High);
        assert!(q[0].message.contains("`worker`"), "{}", q[0].message);
        // A queue cluster of two is no SPOF.
        let mut d = corpus("queue-single");
        let mut twin = d.component("rabbit").expect("exists").clone();
        twin.id = "rabbit-2".into();
        d.components.push(twin);
        for id in ["rabbit", "rabbit-2"] {
            d.component_mut(id).expect("exists").cluster = Some("mq".into());
        }
        for l in &mut d.links {
            for end in [&mut l.from, &mut l.to] {
                if end == "rabbit" {
                    *end = "mq".into();
                }
            }
        }
        assert!(!run(&RULE, &d).iter().any(|f| f.concerns("rabbit")));
    }

    #[test]
    fn a_single_cache_is_a_spof_for_what_it_holds() {
        let f = run(&RULE, &corpus("session-cache"));
        let c: Vec<&Finding> = f.iter().filter(|f| f.concerns("sessions")).collect();
        assert_eq!(c.len(), 1, "{f:?}");
        assert_eq!(c[0].severity, Severity::High);
        assert!(
            c[0].message.contains("`rails-1` and `rails-2`"),
            "{}",
            c[0].message
        );
        // Only the cache is the single point: the application servers are two.
        assert_eq!(c[0].components, ["sessions"]);
        // A copy of it (a replica fed by replication) takes over.
        let mut d = corpus("session-cache");
        let mut twin = d.component("sessions").expect("exists").clone();
        twin.id = "sessions-2".into();
        twin.server = Some("pg-2".into());
        d.components.push(twin);
        d.links.push(crate::model::Link {
            from: "sessions".into(),
            to: "sessions-2".into(),
            protocol: crate::model::Protocol::Replication,
            port: None,
            label: None,
        });
        assert!(!run(&RULE, &d).iter().any(|f| f.concerns("sessions")));
        // A managed cache is redundant by itself.
        let mut d = corpus("session-cache");
        d.component_mut("sessions").expect("exists").redundant = true;
        assert!(!run(&RULE, &d).iter().any(|f| f.concerns("sessions")));
        // On the one server of its only user, it fails with it: the server is the finding.
        let mut d = corpus("session-cache");
        d.component_mut("sessions").expect("exists").server = Some("r-1".into());
        d.links
            .retain(|l| !(l.from == "rails-2" && l.to == "sessions"));
        assert!(!run(&RULE, &d).iter().any(|f| f.concerns("sessions")));
    }

    #[test]
    fn the_lone_load_balancer_and_primary_are_spofs() {
        let f = run(&RULE, &reference("02-distributed.toml"));
        let ids: Vec<&str> = f.iter().map(|f| f.components[0].as_str()).collect();
        assert_eq!(ids, ["haproxy", "app", "mysql-primary"]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert_eq!(f[2].severity, Severity::High);
        assert!(
            f[2].message.contains("can no longer take writes"),
            "{}",
            f[2].message
        );
    }

    #[test]
    fn a_primary_whose_replica_is_promoted_by_itself_is_no_spof_for_writes() {
        let mut d = reference("02-distributed.toml");
        d.component_mut("mysql-primary").expect("db").failover =
            Some(crate::model::Failover::Automatic);
        let ids = |d: &crate::model::Design| -> Vec<String> {
            run(&RULE, d)
                .into_iter()
                .map(|f| f.components[0].clone())
                .collect()
        };
        assert_eq!(ids(&d), ["haproxy", "app"]);
        // A replica on the primary's own server fails with it: nothing takes over.
        d.component_mut("mysql-replica").expect("db").server = Some("web-01".into());
        assert!(
            ids(&d).contains(&"mysql-primary".to_string()),
            "{:?}",
            ids(&d)
        );
    }

    #[test]
    fn a_single_file_server_every_web_server_mounts_is_a_spof() {
        let mut d = reference("03-secured-monitored.toml");
        let f = |d: &crate::model::Design| -> Vec<String> {
            run(&RULE, d)
                .into_iter()
                .filter(|f| f.message.contains("is the one instance of a service"))
                .map(|f| f.components[0].clone())
                .collect()
        };
        d.servers.push(crate::model::Server {
            id: "nfs-01".into(),
            ..Default::default()
        });
        let mut nfs = crate::model::Component::new("nfs", Kind::Other);
        nfs.software = Some("NFS".into());
        nfs.server = Some("nfs-01".into());
        d.components.push(nfs);
        for from in ["nginx-1", "nginx-2"] {
            d.links.push(link(from, "nfs", crate::model::Protocol::Tcp));
        }
        assert_eq!(f(&d), ["nfs"]);
        // A mail relay queues at the senders; a third party's API has no server of ours.
        for l in d.links.iter_mut().filter(|l| l.to == "nfs") {
            l.port = Some(25);
        }
        assert!(f(&d).is_empty());
        for l in d.links.iter_mut().filter(|l| l.to == "nfs") {
            l.port = None;
        }
        d.component_mut("nfs").expect("nfs").server = None;
        assert!(f(&d).is_empty());
    }

    #[test]
    fn a_clustered_pair_is_not_a_spof() {
        let f = run(&RULE, &reference("04-scale-up.toml"));
        assert!(
            f.iter().all(|f| !f.components[0].starts_with("haproxy")),
            "{f:?}"
        );
        assert!(run(&RULE, &reference("05-resilient.toml")).is_empty());
    }

    #[test]
    fn a_redundant_managed_service_is_exempt() {
        let mut d = reference("02-distributed.toml");
        d.component_mut("haproxy").expect("exists").redundant = true;
        let f = run(&RULE, &d);
        assert!(f.iter().all(|f| f.components[0] != "haproxy"));
    }

    fn link(from: &str, to: &str, protocol: crate::model::Protocol) -> crate::model::Link {
        crate::model::Link {
            from: from.into(),
            to: to.into(),
            protocol,
            port: None,
            label: None,
        }
    }

    #[test]
    fn a_second_entrance_does_not_hide_the_customers_spof() {
        let mut d = reference("02-distributed.toml");
        d.components
            .push(crate::model::Component::new("admin", Kind::Client));
        d.links
            .push(link("admin", "nginx-1", crate::model::Protocol::Https));
        let f = run(&RULE, &d);
        let lb = f.iter().find(|f| f.concerns("haproxy")).expect("haproxy");
        assert_eq!(lb.severity, Severity::Critical);
        assert!(lb.message.contains("for `user`"), "{}", lb.message);
        // The admin's own way in is not a SPOF of the site.
        assert!(f.iter().all(|f| !f.concerns("nginx-1")), "{f:?}");
    }

    #[test]
    fn one_cause_one_finding_with_a_fix_in_the_components_role() {
        let d = reference("02-distributed.toml");
        let all = spof_findings(&Ctx::new(&d));
        // lb-01 runs only HAProxy: its loss is HAProxy's finding, fixed by a second LB.
        assert!(all.iter().all(|f| f.rule != "SPOF-SERVER"), "{all:?}");
        let lb = all.iter().find(|f| f.concerns("haproxy")).expect("haproxy");
        assert!(lb.message.contains("on server `lb-01`"), "{}", lb.message);
        assert!(
            lb.recommendation.contains("second load balancer"),
            "{}",
            lb.recommendation
        );
        let db = all
            .iter()
            .find(|f| f.concerns("mysql-primary"))
            .expect("db");
        assert!(
            !db.recommendation.contains("behind"),
            "{}",
            db.recommendation
        );
        // Design 1's one server is one finding, not one per component on it.
        let d = reference("01-simple.toml");
        let all = spof_findings(&Ctx::new(&d));
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].rule, "SPOF-SERVER");
        assert!(
            !all[0]
                .recommendation
                .contains("database on another server, behind")
        );
    }

    #[test]
    fn a_component_without_a_server_is_reported_once() {
        let mut d = reference("02-distributed.toml");
        d.component_mut("haproxy").expect("exists").server = None;
        let all = spof_findings(&Ctx::new(&d));
        assert_eq!(all.iter().filter(|f| f.concerns("haproxy")).count(), 1);
    }

    #[test]
    fn a_self_hosted_name_server_is_a_spof_and_the_providers_is_not() {
        let mut d = reference("05-resilient.toml");
        d.components
            .push(crate::model::Component::new("ns", Kind::Dns));
        d.links
            .push(link("user", "ns", crate::model::Protocol::Dns));
        assert!(run(&RULE, &d).is_empty());
        d.component_mut("ns").expect("exists").server = Some("lb-01".into());
        let f = run(&RULE, &d);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].components, ["ns"]);
    }

    #[test]
    fn unreplicated_primaries_each_hold_their_data_alone() {
        let mut d = reference("05-resilient.toml");
        for c in &mut d.components {
            c.cluster = c.cluster.take().filter(|cl| cl != "db-cluster");
        }
        d.links
            .retain(|l| l.protocol != crate::model::Protocol::ReplicationTls);
        for app in ["app-1", "app-2"] {
            for db in ["mysql-1", "mysql-2"] {
                d.links
                    .push(link(app, db, crate::model::Protocol::MysqlTls));
            }
        }
        let f = run(&RULE, &d);
        let ids: Vec<&str> = f.iter().map(|f| f.components[0].as_str()).collect();
        assert_eq!(ids, ["mysql-1", "mysql-2"], "{f:?}");
        assert!(f.iter().all(|f| f.severity == Severity::High));
    }
}
