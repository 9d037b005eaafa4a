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

#[test]
fn spof_findings_match_single_failures() {
    for d in designs() {
        let findings = analyze(&d);
        for c in &d.components {
            if c.kind == Kind::Client || c.redundant {
                continue;
            }
            let loss = simulate(&d, &[&c.id]).expect("known id").loss;
            let flagged = findings
                .iter()
                .any(|f| f.rule == "SPOF-COMPONENT" && f.components == [c.id.clone()]);
            assert_eq!(
                flagged,
                matches!(loss, Loss::Everything | Loss::Writes),
                "{}: component {} loses {loss:?}",
                d.name,
                c.id
            );
        }
        for s in &d.servers {
            let loss = simulate(&d, &[&s.id]).expect("known id").loss;
            let flagged = findings
                .iter()
                .any(|f| f.rule == "SPOF-SERVER" && f.servers == [s.id.clone()]);
            assert_eq!(
                flagged,
                matches!(loss, Loss::Everything | Loss::Writes),
                "{}: server {} loses {loss:?}",
                d.name,
                s.id
            );
        }
    }
}
