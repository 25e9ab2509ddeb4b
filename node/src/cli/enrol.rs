//! `kitanetz enrol`: set up a Kita node from the enrolment file the city issued (the headless
//! counterpart of the desktop app's first-start assistant).

use clap::Parser;
use kitanetz_node::enrolment::{enrol, Enrolment, FirstAccount};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    /// The new node's data directory (must not hold a node yet).
    #[arg(long)]
    data_dir: PathBuf,
    /// The enrolment file (`kitanetz cert enrol` wrote it).
    #[arg(long)]
    file: PathBuf,
    /// The Kita lead's user name on this node.
    #[arg(long)]
    username: String,
    /// The Kita lead's name as shown in the header.
    #[arg(long)]
    display_name: String,
}

/// The password is read from the first line of standard input, so that it shows up in no
/// process list or shell history.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("--file {}: {e}", args.file.display()))?;
    let enrolment = Enrolment::parse(&bytes)?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let first = FirstAccount {
        username: args.username,
        display_name: args.display_name,
        password_repeat: password.clone(),
        password,
    };
    let now = chrono::Utc::now().timestamp_millis();
    let config = enrol(&args.data_dir, &enrolment, &first, now)?;
    println!(
        "enrolled Kita node {} ({}) in {}; start it with `kitanetz serve --data-dir {}`",
        config.name,
        config.display_name,
        args.data_dir.display(),
        args.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
