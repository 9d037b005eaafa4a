//! Every input the fuzz targets (`fuzz/`, run by `scripts/fuzz.sh`) ever crashed on, replayed
//! through the very check the targets run: loading never panics, and what loads analyzes,
//! saves (reading back the same), and exports (the built-in SVG well-formed).
//! Inputs live in `tests/fuzz-regressions/{toml,json}/`; the reference designs run too.

#[path = "../fuzz/fuzz_targets/common.rs"]
mod check;

use infraplan::io::Format;
use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_saved_crash_input_passes_the_fuzz_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut n = 0;
    for (dir, format) in [("toml", Format::Toml), ("json", Format::Json)] {
        for path in files(&root.join(dir)) {
            let bytes = std::fs::read(&path).expect("read");
            eprintln!("{}", path.display());
            check::check(&bytes, format);
            n += 1;
        }
    }
    assert!(n > 0, "the regression inputs are there");
}

#[test]
fn the_reference_designs_pass_the_fuzz_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in files(&root.join("designs")) {
        let bytes = std::fs::read(&path).expect("read");
        let design = infraplan::io::load(&path).expect("loads");
        check::check(&bytes, Format::Toml);
        let json = infraplan::io::to_string(&design, Format::Json);
        check::check(json.as_bytes(), Format::Json);
    }
}
