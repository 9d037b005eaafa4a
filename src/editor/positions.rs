//! The canvas positions of the reference designs, tuned by hand for a 120×40 terminal, and
//! the tool that writes them into `designs/` (`cargo test --lib write_reference_positions --
//! --ignored`). Positions not listed come from the automatic layout.

/// A component id and the top-left cell of its box.
pub type Place = (&'static str, i32, i32);

/// (file, where its components go).
pub const POSITIONS: &[(&str, &[Place])] = &[
    ("01-simple.toml", &[]),
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
            ("user", 0, 10),
            ("sumologic", 0, 28),
            ("haproxy-1", 24, 2),
            ("fw-lb-01", 44, 2),
            ("agent-lb-01", 24, 7),
            ("haproxy-2", 24, 14),
            ("fw-lb-02", 44, 14),
            ("agent-lb-02", 24, 19),
            ("nginx", 68, 2),
            ("fw-web-01", 88, 2),
            ("agent-web-01", 68, 7),
            ("app", 68, 14),
            ("code", 88, 14),
            ("fw-app-01", 68, 19),
            ("agent-app-01", 88, 19),
            ("mysql-primary", 68, 26),
            ("fw-db-01", 88, 26),
            ("agent-db-01", 68, 31),
            ("mysql-replica", 24, 26),
            ("fw-db-02", 44, 26),
            ("agent-db-02", 24, 31),
        ],
    ),
    (
        "05-resilient.toml",
        &[
            ("user", 0, 16),
            ("sumologic", 0, 30),
            ("haproxy-1", 22, 2),
            ("fw-lb-01", 22, 7),
            ("agent-lb-01", 22, 12),
            ("haproxy-2", 22, 20),
            ("fw-lb-02", 22, 25),
            ("agent-lb-02", 22, 30),
            ("nginx-1", 48, 2),
            ("fw-web-01", 48, 7),
            ("agent-web-01", 48, 12),
            ("nginx-2", 48, 20),
            ("fw-web-02", 48, 25),
            ("agent-web-02", 48, 30),
            ("app-1", 74, 2),
            ("code-1", 74, 7),
            ("fw-app-01", 74, 12),
            ("agent-app-01", 74, 17),
            ("app-2", 74, 25),
            ("code-2", 74, 30),
            ("fw-app-02", 74, 35),
            ("agent-app-02", 74, 40),
            ("mysql-1", 100, 2),
            ("fw-db-01", 100, 7),
            ("agent-db-01", 100, 12),
            ("mysql-2", 100, 20),
            ("fw-db-02", 100, 25),
            ("agent-db-02", 100, 30),
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
