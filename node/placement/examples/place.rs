//! Minimal stand-in for `kitanetz place` while testing the crate alone:
//! `cargo run -p kitanetz-placement --example place -- --instance FILE [--check] [--stats]
//! [--mode da|sequential] [--seed S] [--group-budget N]`.

use kitanetz_placement::{run_place, PlaceArgs};

fn main() {
    let mut args = PlaceArgs::default();
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
            "--mode" => args.mode = value().parse().unwrap_or_else(|e: String| usage(&e)),
            "--seed" => args.seed = Some(value()),
            "--group-budget" => {
                args.group_budget = Some(value().parse().unwrap_or_else(|_| usage("bad budget")))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let mut out = std::io::stdout().lock();
    let code = match run_place(&args, &mut out) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn usage(msg: &str) -> ! {
    eprintln!("{msg}\nusage: place --instance FILE [--check] [--stats] [--mode da|sequential] [--seed S] [--group-budget N]");
    std::process::exit(2);
}
