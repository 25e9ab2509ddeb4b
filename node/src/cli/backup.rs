use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct BackupArgs {
    /// The node's data directory (the node may keep running).
    #[arg(long)]
    data_dir: PathBuf,
    /// A new (or empty) directory for the backup.
    #[arg(long)]
    to: PathBuf,
}

#[derive(Parser)]
pub struct RestoreArgs {
    /// A directory written by `kitanetz backup`.
    #[arg(long)]
    from: PathBuf,
    /// A new (or empty) data directory for the restored node.
    #[arg(long)]
    data_dir: PathBuf,
}

pub fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let manifest = kitanetz_node::backup::backup(&args.data_dir, &args.to, chrono::Utc::now())?;
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    println!(
        "backup of {} written to {}: {} files, {} bytes, schema version {}",
        manifest.node,
        args.to.display(),
        manifest.files.len(),
        bytes,
        manifest.schema_version
    );
    println!("It holds the node's keys and personal data: keep it as safe as the node.");
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let restored = kitanetz_node::backup::restore(&args.from, &args.data_dir)?;
    println!(
        "restored {} (backup of {}) into {}: {} documents",
        restored.manifest.node,
        restored.manifest.created_at,
        args.data_dir.display(),
        restored.documents
    );
    println!(
        "Start it with `kitanetz serve --data-dir {}`: it catches up with its peers; everyone logs in again.",
        args.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
