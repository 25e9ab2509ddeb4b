use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    #[command(subcommand)]
    command: KitaplanerCommand,
}

#[derive(Subcommand)]
enum KitaplanerCommand {
    /// Fill the Kita-Planer 2 export buffer for one child (`kitanetz-kitaplaner-case/1`) and
    /// print it (`kitanetz-kitaplaner-buffer/1`); exits 0 also when the output holds care-gap
    /// errors, 2 with a message on stderr when the case breaks the format or a precondition.
    ExportBuffer(ExportBufferArgs),
}

#[derive(Parser)]
struct ExportBufferArgs {
    /// The case file (JSON), see `shared/formats/kitaplaner-case.md`.
    #[arg(long)]
    case: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        KitaplanerCommand::ExportBuffer(a) => export_buffer(a),
    }
}

/// The crate decides; this only reads the file and prints.
fn export_buffer(args: ExportBufferArgs) -> anyhow::Result<ExitCode> {
    let output = match super::read_case(&args.case) {
        Ok(text) => kitanetz_kitaplaner::case_output(&text),
        Err(message) => kitanetz_kitaplaner::CaseOutput::refused(
            "kitaplaner case refused",
            &kitanetz_kitaplaner::CaseError::new("", message),
        ),
    };
    super::print_case_output(&output.stdout, &output.stderr, output.exit_code)
}
