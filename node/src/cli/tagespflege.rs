use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    #[command(subcommand)]
    command: TagespflegeCommand,
}

#[derive(Subcommand)]
enum TagespflegeCommand {
    /// Decide one insurance refund of a childminder (annex K: health and care, pension or BGW
    /// accident insurance; `kitanetz-tagespflege-refund-case/1`) and print the result JSON
    /// (`kitanetz-tagespflege-refund-result/1`); an invalid case prints the offending field on
    /// stderr and exits 2.
    Refund(RefundArgs),
}

#[derive(Parser)]
struct RefundArgs {
    /// The case file (JSON), see `shared/formats/tagespflege-refund-case.md`.
    #[arg(long)]
    case: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        TagespflegeCommand::Refund(a) => refund(a),
    }
}

/// The crate decides; this only reads the file and prints.
fn refund(args: RefundArgs) -> anyhow::Result<ExitCode> {
    let output = match super::read_case(&args.case) {
        Ok(text) => kitanetz_tagespflege::case_output(&text),
        Err(message) => {
            kitanetz_tagespflege::invalid_case(&kitanetz_tagespflege::CaseError::new("", message))
        }
    };
    super::print_case_output(&output.stdout, &output.stderr, output.exit_code)
}
