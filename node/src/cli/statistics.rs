use clap::{Parser, Subcommand};
use kitanetz_statistics::CliOutput;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    #[command(subcommand)]
    command: StatisticsCommand,
}

#[derive(Subcommand)]
enum StatisticsCommand {
    /// Kita-Data-Webhouse (Baden-Württemberg): with --check, run the pre-export check of a case
    /// (`kitanetz-kdw-case/1`) and print `kitanetz-kdw-result/1`; with --xml, write the StaLa
    /// hand-over file (`kitanetz-kdw-stala/1`, node/statistics/KDW_XML.md) of a case that passes
    /// the check (else the check's result); exit 0 valid, 1 with errors, 2 for an invalid case.
    Kdw(KdwArgs),
    /// Landeszuschuss (SächsKitaG § 18): count a case (`kitanetz-landeszuschuss-case/1`) and
    /// print `kitanetz-landeszuschuss-result/1`; exit 2 for an invalid case.
    Landeszuschuss(CaseArgs),
    /// KJH statistic Teil III.1 (annex L): count one facility's case (`kitanetz-kjh-case/1`,
    /// node/statistics/KJH_CASE.md) and print `kitanetz-kjh-result/1`; exit 2 for an invalid case.
    Kjh(KjhArgs),
}

#[derive(Parser)]
struct KjhArgs {
    /// The case file (JSON), see `node/statistics/KJH_CASE.md`.
    #[arg(long)]
    case: PathBuf,
}

#[derive(Parser)]
struct KdwArgs {
    /// The case file (JSON), see `shared/formats/kdw-case.md`.
    #[arg(long)]
    case: PathBuf,
    /// Run the pre-export check.
    #[arg(long, conflicts_with = "xml")]
    check: bool,
    /// Write the StaLa XML hand-over file (only for a case that passes the check).
    #[arg(long)]
    xml: bool,
}

#[derive(Parser)]
struct CaseArgs {
    /// The case file (JSON), see `shared/formats/landeszuschuss-case.md`.
    #[arg(long)]
    case: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = match args.command {
        StatisticsCommand::Kdw(a) if a.xml => {
            with_case(&a.case, kitanetz_statistics::kdw::xml_output)
        }
        StatisticsCommand::Kdw(a) => with_case(&a.case, |text| {
            kitanetz_statistics::kdw::case_output(text, a.check)
        }),
        StatisticsCommand::Landeszuschuss(a) => {
            with_case(&a.case, kitanetz_statistics::landeszuschuss::case_output)
        }
        StatisticsCommand::Kjh(a) => with_case(&a.case, kitanetz_statistics::kjh::case_output),
    };
    super::print_case_output(&output.stdout, &output.stderr, output.exit_code)
}

/// The crate decides; this only reads the file.
fn with_case(path: &Path, decide: impl FnOnce(&str) -> CliOutput) -> CliOutput {
    match super::read_case(path) {
        Ok(text) => decide(&text),
        Err(message) => CliOutput::invalid(message),
    }
}
