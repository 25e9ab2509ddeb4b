//! Subcommands, one file each.

mod backup;
mod cert;
mod demo;
mod dump;
mod enrol;
mod erase;
mod fees;
mod kitaplaner;
mod place;
mod rebuild;
mod serve;
mod staff;
mod statistics;
mod tagespflege;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Kitanetz: childcare registration, placement and fees for German cities, local-first.
#[derive(Parser)]
#[command(name = "kitanetz", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the demo network (city, two Träger, four Kitas) on loopback; with --smoke, run a
    /// scripted scenario against it and exit.
    Demo(demo::Args),
    /// Run one node from its data directory (created by `demo` or by hand with a node.toml);
    /// it syncs with its peers when node.toml has a `[p2p]` section.
    Serve(serve::Args),
    /// The city's root key, node certificates and revocation lists for `[p2p]`.
    Cert(cert::Args),
    /// Set up a Kita node from the enrolment file the city issued (`cert enrol`); the Kita
    /// lead's password is read from standard input.
    Enrol(enrol::Args),
    /// Print a node's documents as JSON lines (for inspection and tests).
    Dump(dump::Args),
    /// Check the dumps of every node of a network: nothing held where its visibility forbids
    /// it, identical heads for every document held twice.
    CheckDumps(dump::CheckArgs),
    /// Rebuild the projection tables from the stored documents.
    RebuildProjections(rebuild::Args),
    /// DANGEROUS: erase one family's documents on this node for good (tombstones are kept).
    EraseFamily(erase::Args),
    /// Run the placement engine on an instance file (deferred acceptance with proof).
    Place(place::Args),
    /// Parent fees: compute a fee case with explanations (`fees compute --case FILE.json`).
    Fees(fees::Args),
    /// Staff need (Personalschlüssel, SächsKitaG § 12, annex F): `staff need --case FILE.json`.
    Staff(staff::Args),
    /// Kindertagespflege insurance refunds (annex K): `tagespflege refund --case FILE.json`.
    Tagespflege(tagespflege::Args),
    /// Kita-Planer 2 export buffer (Schleswig-Holstein): fill it for one child
    /// (`kitaplaner export-buffer --case FILE.json`).
    Kitaplaner(kitaplaner::Args),
    /// State and statistics interfaces: `statistics kdw --case FILE.json --check|--xml`
    /// (Kita-Data-Webhouse pre-export check), `statistics landeszuschuss --case FILE.json`.
    Statistics(statistics::Args),
    /// Copy a node's data directory (online: the node may keep running) with a checked manifest.
    Backup(backup::BackupArgs),
    /// Restore a backup into a new data directory; the node then catches up with its peers.
    Restore(backup::RestoreArgs),
    /// Print a commented example node.toml.
    ConfigExample,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Cert(a) => cert::run(a),
        Command::Enrol(a) => enrol::run(a),
        Command::Dump(a) => dump::run(a),
        Command::CheckDumps(a) => dump::check(a),
        Command::RebuildProjections(a) => rebuild::run(a),
        Command::EraseFamily(a) => erase::run(a),
        Command::Place(a) => place::run(a),
        Command::Fees(a) => fees::run(a),
        Command::Staff(a) => staff::run(a),
        Command::Tagespflege(a) => tagespflege::run(a),
        Command::Kitaplaner(a) => kitaplaner::run(a),
        Command::Statistics(a) => statistics::run(a),
        Command::Backup(a) => backup::backup(a),
        Command::Restore(a) => backup::restore(a),
        Command::ConfigExample => {
            print!("{}", kitanetz_node::config::NodeConfig::example());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The text of a `--case` file, or the message for one that cannot be read (each rule crate
/// turns it into its own "invalid case" answer).
fn read_case(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the case file {}: {e}", path.display()))
}

/// Prints what a rule crate decided for a `--case` command and exits with its code. Not
/// `print!`: a closed pipe (`| head`) is an error to report, not a panic.
fn print_case_output(stdout: &str, stderr: &str, exit_code: u8) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(stdout.as_bytes())?;
    out.flush()?;
    std::io::stderr().lock().write_all(stderr.as_bytes())?;
    Ok(ExitCode::from(exit_code))
}
