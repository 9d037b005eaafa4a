//! Writes a generated layered design: `cargo run --release --example generate -- 100000 big.toml`.

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().unwrap_or_else(|| "1000".into()).parse()?;
    let path = std::path::PathBuf::from(args.next().unwrap_or_else(|| "generated.toml".into()));
    let design = infraplan::generate::layered(n);
    infraplan::io::save(&design, &path)?;
    eprintln!(
        "{}: {} components, {} servers, {} links",
        path.display(),
        design.components.len(),
        design.servers.len(),
        design.links.len()
    );
    Ok(())
}
