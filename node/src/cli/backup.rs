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
    /// Where the subject key file is backed up (a node with `[storage] encrypt_personal`).
    /// Default: `kitanetz-<node>-subject-keys.db` beside the backup directory, replaced by
    /// every backup. Keep only the newest key backup: an older one brings back the families
    /// erased since in every backup of the same age.
    #[arg(long)]
    keys: Option<PathBuf>,
}

#[derive(Parser)]
pub struct RestoreArgs {
    /// A directory written by `kitanetz backup`.
    #[arg(long)]
    from: PathBuf,
    /// A new (or empty) data directory for the restored node.
    #[arg(long)]
    data_dir: PathBuf,
    /// The node's subject key file: its current one if the disk survived, else its newest key
    /// backup. Default: the key backup beside the backup directory. Documents whose key it
    /// lacks were erased after the backup and stay erased.
    #[arg(long)]
    keys: Option<PathBuf>,
}

pub fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let manifest = kitanetz_node::backup::backup(
        &args.data_dir,
        &args.to,
        args.keys.as_deref(),
        chrono::Utc::now(),
    )?;
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
    if manifest.keys.is_some() {
        println!(
            "The subject key file went to {} (not into the backup): keep only the newest one.",
            match &args.keys {
                Some(path) => path.display().to_string(),
                None => args
                    .to
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(kitanetz_node::backup::key_backup_name(&manifest.node))
                    .display()
                    .to_string(),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let restored =
        kitanetz_node::backup::restore(&args.from, &args.data_dir, args.keys.as_deref())?;
    println!(
        "restored {} (backup of {}) into {}: {} documents",
        restored.manifest.node,
        restored.manifest.created_at,
        args.data_dir.display(),
        restored.documents
    );
    if restored.erased_since > 0 {
        println!(
            "{} documents were erased after the backup (their keys are gone): they stay erased.",
            restored.erased_since
        );
    }
    println!(
        "Start it with `kitanetz serve --data-dir {}`: it catches up with its peers; everyone logs in again.",
        args.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
