use clap::Parser;
use kitanetz_node::config::NodeConfig;
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
    let node = serde_json::json!({ "node": { "name": config.name, "role": config.role, "organisation": config.organisation, "provider": config.provider } });
    writeln!(out, "{node}")?;
    for row in store.doc_rows()? {
        let doc = store.load_doc(&kitanetz_crdt::DocId(row.doc_id.clone()))?;
        let value = doc.any_value()?;
        let line = serde_json::json!({
            "id": row.doc_id,
            "kind": row.kind,
            "owner": row.owner,
            "provider": row.provider,
            "visibility": row.visibility,
            "heads": row.heads,
            "value": value,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
