//! Writes a generated layered design of N components, as used by the benchmarks:
//! `cargo run --release --example generate -- 100000 big.toml` (TOML or JSON by extension).

use infraplan::generate::layered;
use infraplan::io::{Format, save};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: generate COMPONENTS FILE.toml|FILE.json";
    let n: usize = args.next().ok_or_else(|| anyhow::anyhow!(usage))?.parse()?;
    let path = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!(usage))?);
    Format::from_path(&path)?;
    let design = layered(n);
    save(&design, &path)?;
    println!(
        "{}: {} components, {} servers, {} links",
        path.display(),
        design.components.len(),
        design.servers.len(),
        design.links.len()
    );
    Ok(())
}
