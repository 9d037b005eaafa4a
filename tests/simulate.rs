//! The SPOF rules are the failure simulation asked for every single failure: both must agree
//! on every component and server of every reference design and of generated ones.

use infraplan::analyze::{Loss, analyze, simulate};
use infraplan::io::load;
use infraplan::model::{Design, Kind};
use std::path::Path;

fn designs() -> Vec<Design> {
    let mut v: Vec<Design> = [
        "01-simple.toml",
        "02-distributed.toml",
        "03-secured-monitored.toml",
        "04-scale-up.toml",
        "05-resilient.toml",
    ]
    .iter()
    .map(|n| {
        load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("designs")
                .join(n),
        )
        .expect("loads")
    })
    .collect();
    v.push(infraplan::generate::layered(100));
    v
}

/// One cause, one finding: a component whose failure costs the site everything or its writes
/// is reported, as its own SPOF-COMPONENT or in the SPOF-SERVER of the server that holds it
/// with others; a server whose loss costs that much is reported, as its own SPOF-SERVER or as
/// the SPOF-COMPONENT of the component on it that explains it. And every SPOF finding is such
/// a failure. The provider's name service (a `dns` without a server) is not the design's to
/// double, so it is never reported, though the generated designs route through it.
#[test]
fn spof_findings_match_single_failures() {
    for d in designs() {
        let findings = analyze(&d);
        let severe = |id: &str| {
            let loss = simulate(&d, &[id]).expect("known id").loss;
            matches!(loss, Loss::Everything | Loss::Writes | Loss::Work)
        };
        for c in &d.components {
            if c.kind == Kind::Client || c.redundant {
                continue;
            }
            let own = findings
                .iter()
                .any(|f| f.rule == "SPOF-COMPONENT" && f.components.first() == Some(&c.id));
            let in_server = findings
                .iter()
                .any(|f| f.rule == "SPOF-SERVER" && f.concerns(&c.id));
            // Either member of a multi-primary group of two costs the writes (no majority
            // alone): DB-QUORUM is that finding.
            let quorum = findings
                .iter()
                .any(|f| f.rule == "DB-QUORUM" && f.concerns(&c.id));
            let provider_dns = c.kind == Kind::Dns && c.server.is_none();
            let bad = severe(&c.id) && !provider_dns;
            assert!(
                !bad || own || in_server || quorum,
                "{}: component {} is a SPOF nobody reports",
                d.name,
                c.id
            );
            assert!(
                !own || bad,
                "{}: component {} is reported but is no SPOF",
                d.name,
                c.id
            );
        }
        for s in &d.servers {
            let own = findings
                .iter()
                .any(|f| f.rule == "SPOF-SERVER" && f.servers == [s.id.clone()]);
            let by_component = findings.iter().any(|f| {
                f.rule == "SPOF-COMPONENT"
                    && f.components
                        .iter()
                        .any(|c| d.component(c).and_then(|c| c.server.as_deref()) == Some(&s.id))
            });
            let quorum = findings.iter().any(|f| {
                f.rule == "DB-QUORUM"
                    && f.components
                        .iter()
                        .any(|c| d.component(c).and_then(|c| c.server.as_deref()) == Some(&s.id))
            });
            let bad = severe(&s.id);
            assert!(
                !bad || own || by_component || quorum,
                "{}: server {} is a SPOF nobody reports",
                d.name,
                s.id
            );
            assert!(
                !own || bad,
                "{}: server {} is reported but is no SPOF",
                d.name,
                s.id
            );
        }
    }
}
