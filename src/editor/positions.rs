//! The canvas positions of the reference designs, tuned by hand for a 120×40 terminal, and
//! the tool that writes them into `designs/` (`cargo test --lib write_reference_positions --
//! --ignored`). Positions not listed come from the automatic layout.

/// A component id and the top-left cell of its box.
pub type Place = (&'static str, i32, i32);

/// (file, where its components go).
pub const POSITIONS: &[(&str, &[Place])] = &[
    (
        "01-simple.toml",
        &[
            ("user", 1, 1),
            ("nginx", 27, 3),
            ("app", 48, 3),
            ("code", 48, 8),
            ("mysql", 27, 8),
        ],
    ),
    (
        "02-distributed.toml",
        &[
            ("user", 0, 10),
            ("haproxy", 24, 10),
            ("nginx-1", 48, 2),
            ("app", 68, 2),
            ("code-1", 48, 7),
            ("mysql-primary", 68, 7),
            ("nginx-2", 48, 19),
            ("mysql-replica", 68, 19),
            ("code-2", 48, 24),
        ],
    ),
    (
        "03-secured-monitored.toml",
        &[
            ("user", 0, 12),
            ("haproxy", 24, 12),
            ("fw-lb-01", 24, 17),
            ("agent-lb-01", 24, 22),
            ("nginx-1", 48, 2),
            ("app", 68, 2),
            ("code-1", 48, 7),
            ("mysql-primary", 68, 7),
            ("fw-web-01", 48, 12),
            ("agent-web-01", 68, 12),
            ("nginx-2", 48, 20),
            ("mysql-replica", 68, 20),
            ("code-2", 48, 25),
            ("fw-web-02", 68, 25),
            ("agent-web-02", 48, 30),
            ("sumologic", 0, 30),
        ],
    ),
    (
        "04-scale-up.toml",
        &[
            ("user", 0, 15),
            ("sumologic", 0, 30),
            ("haproxy-1", 24, 2),
            ("fw-lb-01", 24, 7),
            ("agent-lb-01", 24, 12),
            ("haproxy-2", 24, 20),
            ("fw-lb-02", 24, 25),
            ("agent-lb-02", 24, 30),
            ("nginx", 50, 2),
            ("fw-web-01", 50, 7),
            ("agent-web-01", 50, 12),
            ("mysql-replica", 50, 20),
            ("fw-db-02", 50, 25),
            ("agent-db-02", 50, 30),
            ("app", 76, 2),
            ("code", 96, 2),
            ("fw-app-01", 76, 7),
            ("agent-app-01", 96, 7),
            ("mysql-primary", 76, 20),
            ("fw-db-01", 96, 20),
            ("agent-db-01", 76, 25),
        ],
    ),
    (
        "05-resilient.toml",
        &[
            ("user", 0, 15),
            ("sumologic", 0, 30),
            ("haproxy-1", 23, 2),
            ("fw-lb-01", 23, 7),
            ("agent-lb-01", 23, 12),
            ("haproxy-2", 23, 20),
            ("fw-lb-02", 23, 25),
            ("agent-lb-02", 23, 30),
            ("nginx-1", 48, 2),
            ("fw-web-01", 48, 7),
            ("agent-web-01", 48, 12),
            ("nginx-2", 48, 20),
            ("fw-web-02", 48, 25),
            ("agent-web-02", 48, 30),
            ("app-1", 73, 2),
            ("fw-app-01", 73, 7),
            ("agent-app-01", 73, 12),
            ("app-2", 73, 20),
            ("fw-app-02", 73, 25),
            ("agent-app-02", 73, 30),
            ("mysql-1", 98, 2),
            ("fw-db-01", 98, 7),
            ("agent-db-01", 98, 12),
            ("mysql-2", 98, 20),
            ("fw-db-02", 98, 25),
            ("agent-db-02", 98, 30),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::POSITIONS;
    use crate::io;
    use std::path::Path;

    /// The reference designs with the positions above.
    fn positioned() -> Vec<(std::path::PathBuf, crate::model::Design)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
        POSITIONS
            .iter()
            .map(|(file, table)| {
                let path = dir.join(file);
                let mut d = io::load(&path).expect("reference design loads");
                for c in &mut d.components {
                    c.x = None;
                    c.y = None;
                }
                crate::layout::arrange(&mut d);
                for (id, x, y) in *table {
                    let c = d.component_mut(id).expect("id in the design");
                    c.x = Some(*x);
                    c.y = Some(*y);
                }
                (path, d)
            })
            .collect()
    }

    #[test]
    #[ignore = "writes designs/; run by hand after changing the table"]
    fn write_reference_positions() {
        for (path, d) in positioned() {
            io::save(&d, &path).expect("save");
        }
    }

    #[test]
    fn the_reference_designs_carry_these_positions() {
        for (path, d) in positioned() {
            let saved = io::load(&path).expect("loads");
            assert_eq!(
                saved,
                d,
                "{} is stale: run write_reference_positions",
                path.display()
            );
        }
    }

    #[test]
    fn no_boxes_overlap_in_the_reference_designs() {
        for (path, d) in positioned() {
            let l = crate::layout::layout(&d);
            for (i, a) in l.boxes.iter().enumerate() {
                for b in &l.boxes[i + 1..] {
                    assert!(!a.intersects(b), "{}: {a:?} overlaps {b:?}", path.display());
                }
            }
            for (i, (_, a)) in l.frames.iter().enumerate() {
                for (_, b) in &l.frames[i + 1..] {
                    assert!(
                        !a.intersects(b),
                        "{}: frames {a:?} and {b:?}",
                        path.display()
                    );
                }
            }
        }
    }
}
