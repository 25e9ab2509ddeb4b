use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    #[command(subcommand)]
    command: StaffCommand,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Compute the staff need (Soll-Personalbedarf, SächsKitaG § 12, annex F) of one case
    /// (`kitanetz-staff-need-case/1`) and print the result JSON (`kitanetz-staff-need-result/1`);
    /// an invalid case prints the offending field on stderr and exits 2.
    Need(NeedArgs),
}

#[derive(Parser)]
struct NeedArgs {
    /// The case file (JSON), see `shared/formats/staff-need-case.md`.
    #[arg(long)]
    case: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        StaffCommand::Need(a) => need(a),
    }
}

/// The crate decides; this only reads the file and prints.
fn need(args: NeedArgs) -> anyhow::Result<ExitCode> {
    let output = match super::read_case(&args.case) {
        Ok(text) => kitanetz_staffing::case_output(&text),
        Err(message) => {
            kitanetz_staffing::invalid_case(&kitanetz_staffing::CaseError::new("", message))
        }
    };
    super::print_case_output(&output.stdout, &output.stderr, output.exit_code)
}
