use clap::Parser;
use kitanetz_placement::{run_place, run_what_if, Mode, PlaceArgs, WhatIfArgs};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes: 0 placed (and checked), 1 `--check` found a blocking pair, 2 bad input.
#[derive(Parser)]
pub struct Args {
    /// Instance in the interchange format `kitanetz-placement/1` (see PLACEMENT.md).
    #[arg(long)]
    instance: PathBuf,
    /// Re-verify the result with the independent checker; exit 1 on any blocking pair among
    /// children without a `together` group.
    #[arg(long)]
    check: bool,
    /// Add statistics: rank distribution, first choice, top 3, unplaced.
    #[arg(long)]
    stats: bool,
    /// `da` (deferred acceptance, default) or `sequential` (Lastenheft 3.2, for comparison).
    #[arg(long, default_value = "da")]
    mode: Mode,
    /// Draw every child's lottery number from this seed (its SHA-256 goes into the protocol).
    #[arg(long)]
    seed: Option<String>,
    /// Search budget for children applying together (DA runs); smaller is faster.
    #[arg(long)]
    group_budget: Option<u64>,
    /// Indent the JSON for a person (default: compact, one line; much faster on large rounds).
    #[arg(long)]
    pretty: bool,
    /// What-if: run the instance again under this criteria catalogue (JSON) and print both
    /// results side by side with every child whose outcome differs (`kitanetz-placement-what-if/1`);
    /// nothing is written anywhere else.
    #[arg(long, value_name = "CATALOGUE.json")]
    what_if: Option<PathBuf>,
    /// The facts the what-if catalogue reads (default: the instance's `facts`).
    #[arg(long, value_name = "FACTS.json", requires = "what_if")]
    facts: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let ran = match args.what_if {
        Some(catalogue) => run_what_if(
            &WhatIfArgs {
                instance: args.instance,
                catalogue,
                facts: args.facts,
                mode: args.mode,
                seed: args.seed,
                group_budget: args.group_budget,
                pretty: args.pretty,
            },
            &mut out,
        ),
        None => run_place(
            &PlaceArgs {
                instance: args.instance,
                check: args.check,
                stats: args.stats,
                mode: args.mode,
                seed: args.seed,
                group_budget: args.group_budget,
                pretty: args.pretty,
            },
            &mut out,
        ),
    };
    let code = match ran {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::io::Write::flush(&mut out)?;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}
