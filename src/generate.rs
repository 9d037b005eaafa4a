//! Generated designs of any size, for benchmarks and property tests: clients → DNS → a
//! clustered pair of load balancers per group → web → app → a primary database and its
//! replica, two or three components per server, about 1.5 links per component.

use crate::model::{
    Algorithm, Cluster, ClusterMode, Component, DbRole, Design, DnsRecord, Kind, Link, Protocol,
    RecordType, Server,
};

fn link(from: &str, to: &str, protocol: Protocol) -> Link {
    Link {
        from: from.to_string(),
        to: to.to_string(),
        protocol,
        port: protocol.default_port(),
        label: None,
    }
}

fn on(id: String, kind: Kind, server: &str) -> Component {
    let mut c = Component::new(id, kind);
    c.server = Some(server.to_string());
    c
}

/// A layered design of about `n` components (at least one group of 24).
pub fn layered(n: usize) -> Design {
    let mut d = Design::new(format!("Generated design of {n} components"));
    d.domain = Some("example.com".into());
    d.dns.push(DnsRecord {
        name: "www".into(),
        record_type: RecordType::A,
        target: "dns".into(),
    });
    d.components.push(Component::new("user", Kind::Client));
    d.components.push(Component::new("dns", Kind::Dns));
    let mut mon = Component::new("monitoring", Kind::MonitoringService);
    mon.redundant = true;
    d.components.push(mon);
    d.links.push(link("user", "dns", Protocol::Dns));

    // A group: 2 load balancers and 2 databases, each on a server with a firewall and a
    // monitoring agent; 4 web and 4 app servers, each with an agent: 28 components on 12
    // servers, 42 links.
    let groups = (n.saturating_sub(3) / 28).max(1);
    for g in 0..groups {
        let cluster = format!("lb-{g}");
        d.clusters.push(Cluster {
            id: cluster.clone(),
            mode: ClusterMode::ActiveActive,
            vip: None,
            label: None,
        });
        d.links.push(link("dns", &cluster, Protocol::Https));
        let mut servers = Vec::new();
        let agent = |d: &mut Design, server: &str| {
            let id = format!("agent-{server}");
            d.components
                .push(on(id.clone(), Kind::MonitoringAgent, server));
            d.links.push(link(&id, "monitoring", Protocol::MetricsTls));
        };
        for k in 0..2 {
            let s = format!("g{g}-lb{k}");
            let mut lb = on(format!("{s}-haproxy"), Kind::LoadBalancer, &s);
            lb.cluster = Some(cluster.clone());
            lb.algorithm = Some(Algorithm::RoundRobin);
            lb.certificate = Some("www.example.com".into());
            d.components.push(lb);
            agent(&mut d, &s);
            servers.push(s);
        }
        let db = [format!("g{g}-db0"), format!("g{g}-db1")];
        for (k, s) in db.iter().enumerate() {
            let mut c = on(format!("{s}-mysql"), Kind::Database, s);
            c.role = Some(if k == 0 {
                DbRole::Primary
            } else {
                DbRole::Replica
            });
            d.components.push(c);
            agent(&mut d, s);
            servers.push(s.clone());
        }
        d.links.push(link(
            &format!("{}-mysql", db[0]),
            &format!("{}-mysql", db[1]),
            Protocol::ReplicationTls,
        ));
        for cell in 0..4 {
            let web = format!("g{g}-web{cell}");
            let app = format!("g{g}-app{cell}");
            d.components
                .push(on(format!("{web}-nginx"), Kind::WebServer, &web));
            agent(&mut d, &web);
            d.components
                .push(on(format!("{app}-app"), Kind::AppServer, &app));
            agent(&mut d, &app);
            d.links
                .push(link(&cluster, &format!("{web}-nginx"), Protocol::Https));
            for a in 0..4 {
                d.links.push(link(
                    &format!("{web}-nginx"),
                    &format!("g{g}-app{a}-app"),
                    Protocol::Https,
                ));
            }
            for s in &db {
                d.links.push(link(
                    &format!("{app}-app"),
                    &format!("{s}-mysql"),
                    Protocol::MysqlTls,
                ));
            }
            servers.push(web);
            servers.push(app);
        }
        for (k, s) in servers.into_iter().enumerate() {
            if k < 4 {
                d.components.push(on(format!("fw-{s}"), Kind::Firewall, &s));
            }
            d.servers.push(Server {
                id: s,
                ip: None,
                label: None,
                ..Default::default()
            });
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_designs_are_valid_and_near_the_size_asked() {
        for n in [10, 1000, 5000] {
            let d = layered(n);
            assert!(crate::validate::validate(&d).is_empty());
            let c = d.components.len();
            assert!(c + 30 >= n && c <= n.max(31), "{n} asked, {c} made");
            let links = d.links.len() as f64 / c as f64;
            assert!((1.3..=1.6).contains(&links), "{links}");
            let per_server = c as f64 / d.servers.len() as f64;
            assert!((1.9..=3.1).contains(&per_server), "{per_server}");
        }
    }

    #[test]
    fn generated_designs_have_no_single_point_of_failure() {
        let f = crate::analyze::analyze(&layered(200));
        assert!(
            f.iter()
                .all(|f| !f.rule.starts_with("SPOF") || f.concerns("dns")),
            "{f:#?}"
        );
    }
}
