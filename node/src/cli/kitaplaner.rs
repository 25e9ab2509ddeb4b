use clap::{Parser, Subcommand};
use std::io::Write;
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
    let output = match std::fs::read_to_string(&args.case) {
        Ok(text) => kitanetz_kitaplaner::case_output(&text),
        Err(e) => kitanetz_kitaplaner::CaseOutput {
            stdout: String::new(),
            stderr: format!("cannot read the case file {}: {e}\n", args.case.display()),
            exit_code: kitanetz_kitaplaner::EXIT_REFUSED,
        },
    };
    // Not `print!`: a closed pipe (`| head`) is an error to report, not a panic.
    let mut out = std::io::stdout().lock();
    out.write_all(output.stdout.as_bytes())?;
    out.flush()?;
    std::io::stderr().write_all(output.stderr.as_bytes())?;
    Ok(ExitCode::from(output.exit_code))
}
