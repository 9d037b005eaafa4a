//! The seed's table of issues per design (shared/spec/analyzer.md), both ways: what each
//! reference design must report and what the next design fixes.

use infraplan::analyze::{Finding, analyze};
use infraplan::io::load;
use std::path::Path;

fn findings(name: &str) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name);
    analyze(&load(&path).unwrap_or_else(|e| panic!("{e}")))
}

fn has(f: &[Finding], rule: &str, id: &str) -> bool {
    f.iter().any(|f| f.rule == rule && f.concerns(id))
}

fn rules(f: &[Finding]) -> Vec<&'static str> {
    let mut r: Vec<&str> = f.iter().map(|f| f.rule).collect();
    r.dedup();
    r
}

#[test]
fn design_1_simple() {
    let f = findings("01-simple.toml");
    assert!(has(&f, "SPOF-SERVER", "server-1"), "{:?}", rules(&f));
    assert!(has(&f, "MAINTENANCE-DOWNTIME", "nginx"));
    assert!(has(&f, "MAINTENANCE-DOWNTIME", "app"));
    assert!(f.iter().any(|f| f.rule == "LIMITED-SCALABILITY"));
}

#[test]
fn design_2_distributed() {
    let f = findings("02-distributed.toml");
    assert!(has(&f, "SPOF-COMPONENT", "haproxy"));
    assert!(has(&f, "SPOF-COMPONENT", "mysql-primary"));
    for server in ["lb-01", "web-01", "web-02"] {
        assert!(has(&f, "NO-FIREWALL", server), "{server}");
        assert!(has(&f, "NO-MONITORING", server), "{server}");
    }
    assert!(has(&f, "NO-HTTPS", "haproxy"));
    // Design 1's single server is gone: the web tier no longer hangs on one server.
    assert!(!has(&f, "SPOF-SERVER", "web-02"));
    assert!(!has(&f, "MAINTENANCE-DOWNTIME", "nginx-1"));
    assert!(!has(&f, "DB-NO-REPLICA", "mysql-primary"));
}

#[test]
fn design_3_secured_and_monitored() {
    let f = findings("03-secured-monitored.toml");
    assert!(has(&f, "TLS-TERMINATED-EARLY", "haproxy"));
    assert!(has(&f, "DB-SINGLE-PRIMARY", "mysql-primary"));
    assert!(has(&f, "RESOURCE-CONTENTION", "web-01"));
    assert!(has(&f, "RESOURCE-CONTENTION", "web-02"));
    // What design 3 fixes must be gone.
    for rule in ["NO-FIREWALL", "NO-HTTPS", "NO-MONITORING"] {
        assert!(
            !f.iter().any(|f| f.rule == rule),
            "{rule} still fires: {f:#?}"
        );
    }
}

#[test]
fn design_4_scale_up() {
    let f = findings("04-scale-up.toml");
    // The clustered load balancers are no longer a single point of failure…
    for id in ["haproxy-1", "haproxy-2", "lb-01", "lb-02"] {
        assert!(!has(&f, "SPOF-COMPONENT", id), "{id}");
        assert!(!has(&f, "SPOF-SERVER", id), "{id}");
    }
    // …and no server hosts more than one of web, application, database.
    assert!(!f.iter().any(|f| f.rule == "RESOURCE-CONTENTION"));
    for rule in ["NO-FIREWALL", "NO-HTTPS", "NO-MONITORING"] {
        assert!(!f.iter().any(|f| f.rule == rule), "{rule}");
    }
}

#[test]
fn design_5_resilient_has_nothing_at_medium_or_above() {
    let f = findings("05-resilient.toml");
    assert!(
        f.iter()
            .all(|f| f.severity < infraplan::analyze::Severity::Medium),
        "{f:#?}"
    );
}

#[test]
fn findings_come_out_in_a_stable_order() {
    for name in ["01-simple.toml", "02-distributed.toml", "04-scale-up.toml"] {
        let f = findings(name);
        assert_eq!(f, findings(name));
        assert!(f.windows(2).all(|w| w[0].severity >= w[1].severity));
    }
}
