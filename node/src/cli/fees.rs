use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    #[command(subcommand)]
    command: FeesCommand,
}

#[derive(Subcommand)]
enum FeesCommand {
    /// Compute one fee case (`kitanetz-fee-case/1`) and print the result JSON
    /// (`kitanetz-fee-result/1`); a refused case prints the offending field and exits 1.
    Compute(ComputeArgs),
}

#[derive(Parser)]
struct ComputeArgs {
    /// The case file (JSON), see `shared/formats/fee-case.md`.
    #[arg(long)]
    case: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        FeesCommand::Compute(a) => compute(a),
    }
}

/// The crate decides; this only reads the file and prints.
fn compute(args: ComputeArgs) -> anyhow::Result<ExitCode> {
    let output = match std::fs::read_to_string(&args.case) {
        Ok(text) => kitanetz_fees::case_output(&text),
        Err(e) => kitanetz_fees::CaseOutput {
            json: kitanetz_fees::error_json(&kitanetz_fees::CaseError::new(
                "",
                format!("cannot read the case file {}: {e}", args.case.display()),
            )),
            ok: false,
        },
    };
    // Not `println!`: a closed pipe (`| head`) is an error to report, not a panic.
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &output.json)?;
    writeln!(out)?;
    Ok(if output.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
