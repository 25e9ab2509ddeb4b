use clap::Parser;
use kitanetz_node::config::NodeConfig;
use kitanetz_node::dump::{check_dumps, read_dump, write_dump};
use kitanetz_node::open_store;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    /// The node's data directory.
    #[arg(long)]
    data_dir: PathBuf,
}

/// First line: the node; then one line per document (sorted by id).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = NodeConfig::load(&args.data_dir)?;
    let store = open_store(&args.data_dir, &config)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_dump(&store, &config, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Parser)]
pub struct CheckArgs {
    /// Dump files (`kitanetz dump` output), one per node of the network.
    #[arg(required = true)]
    dumps: Vec<PathBuf>,
}

/// Exit 0 when no node holds a document it may not hold and every shared document has the
/// same heads everywhere; otherwise lists each problem and exits 1.
pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut dumps = Vec::new();
    for path in &args.dumps {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        dumps.push(
            read_dump(&text).map_err(|e| anyhow::anyhow!("{}: not a dump: {e}", path.display()))?,
        );
    }
    let check = check_dumps(&dumps);
    for p in &check.problems {
        println!("problem: {p}");
    }
    println!(
        "{} nodes, {} document copies: {} documents held more than once, {} problems",
        check.nodes,
        check.copies,
        check.shared,
        check.problems.len()
    );
    Ok(if check.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
