use clap::Parser;
use kitanetz_node::config::NodeConfig;
use kitanetz_node::open_store;
use kitanetz_node::storage::AuditEntry;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    /// The node's data directory. Stop the node first.
    #[arg(long)]
    data_dir: PathBuf,
    /// The family id (fam-…). Its family document and contracts are erased on this node.
    family: String,
    /// Required: erasure cannot be undone.
    #[arg(long)]
    yes: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.yes, "erasure cannot be undone; repeat with --yes");
    let config = NodeConfig::load(&args.data_dir)?;
    let mut store = open_store(&args.data_dir, &config)?;
    let entry = AuditEntry {
        at: chrono::Utc::now().timestamp_millis(),
        actor: format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        ),
        action: "family.erase",
        target: Some(args.family.clone()),
        subjects: vec![args.family.clone()],
        valid_from: None,
    };
    let report = store.erase_family(&args.family, &entry)?;
    println!(
        "erased {} documents of {}; tombstones kept",
        report.documents.len(),
        report.family
    );
    Ok(ExitCode::SUCCESS)
}
