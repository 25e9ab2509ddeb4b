use clap::Parser;
use kitanetz_node::config::NodeConfig;
use kitanetz_node::open_store;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    /// The node's data directory. Stop the node first: this takes the writer connection.
    #[arg(long)]
    data_dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = NodeConfig::load(&args.data_dir)?;
    let mut store = open_store(&args.data_dir, &config)?;
    let started = std::time::Instant::now();
    let n = store.rebuild_projections()?;
    println!(
        "rebuilt projections of {n} documents in {} ms",
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}
