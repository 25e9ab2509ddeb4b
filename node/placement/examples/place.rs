//! Minimal stand-in for `kitanetz place` while testing the crate alone:
//! `cargo run -p kitanetz-placement --example place -- --instance FILE [--check] [--stats] [--pretty]
//! [--mode da|sequential] [--seed S] [--group-budget N] [--what-if CATALOGUE [--facts FILE]]`.
//!
//! With `--what-if` it runs [`run_what_if`] instead: the instance as given and under the other
//! catalogue, compared (`kitanetz-placement-what-if/1`).

use kitanetz_placement::{run_place, run_what_if, PlaceArgs, WhatIfArgs};

fn main() {
    let mut args = PlaceArgs::default();
    let (mut what_if, mut facts) = (None, None);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--instance" => args.instance = value().into(),
            "--check" => args.check = true,
            "--stats" => args.stats = true,
            "--pretty" => args.pretty = true,
            "--mode" => args.mode = value().parse().unwrap_or_else(|e: String| usage(&e)),
            "--seed" => args.seed = Some(value()),
            "--group-budget" => {
                args.group_budget = Some(value().parse().unwrap_or_else(|_| usage("bad budget")))
            }
            "--what-if" => what_if = Some(value().into()),
            "--facts" => facts = Some(value().into()),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let mut out = std::io::stdout().lock();
    let result = match what_if {
        Some(catalogue) => run_what_if(
            &WhatIfArgs {
                instance: args.instance,
                catalogue,
                facts,
                mode: args.mode,
                seed: args.seed,
                group_budget: args.group_budget,
                pretty: args.pretty,
            },
            &mut out,
        ),
        None => run_place(&args, &mut out),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn usage(msg: &str) -> ! {
    eprintln!("{msg}\nusage: place --instance FILE [--check] [--stats] [--pretty] [--mode da|sequential] [--seed S] [--group-budget N] [--what-if CATALOGUE [--facts FILE]]");
    std::process::exit(2);
}
