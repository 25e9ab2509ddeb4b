//! `kitanetz place` end to end at state scale, measured inside this crate (issue #9 item 8).
//!
//! `cargo run --release -p kitanetz-placement --example end_to_end -- [--children 100000]
//! [--wishes 5] [--seed 1] [--pretty] [--keep DIR]`
//!
//! Writes a Kita-like `kitanetz-placement/1` instance (with districts, birth dates and a
//! reference date, so that the round statistics have something to count) to a temporary file,
//! then times `run_place` as the CLI runs it (read and validate, solve, protocol, write through a
//! buffered writer into a file) in three variants: plain, `--stats`, and `--check --stats`.
//! Each variant is run twice and the faster run is printed (the first one warms the page cache).
//! A last line shows where the time of a plain run goes, step by step.
//!
//! The generator follows `tools/bench`'s `placement-bench` (facilities scattered over a city,
//! Krippe and Kindergarten programs for two start months, seats about 85 % of the children,
//! Zipf-like popularity, wishes near home), with SplitMix64 instead of `rand` so that this crate
//! keeps no extra dependency. The figures are therefore comparable, not identical.

use kitanetz_placement::{run_place, PlaceArgs};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const START_RANGE: i64 = 180;
const AGE_RANGE: i64 = 2000;
const DISTRICTS: usize = 10;
/// 2027-08-01 as days since 1970-01-01: the reference date of the generated round.
const REFERENCE_DAYS: i64 = 21_031;

fn iso(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes a generated instance; returns its size in bytes.
fn write_instance(path: &Path, n: usize, wishes: usize, seed: u64) -> std::io::Result<u64> {
    let mut rng = Rng(seed ^ ((n as u64) << 8) ^ wishes as u64);
    let nf = (n / 60).max(wishes * 4).max(8);
    let pos: Vec<(f64, f64)> = (0..nf).map(|_| (rng.unit(), rng.unit())).collect();
    let mut perm: Vec<usize> = (0..nf).collect();
    for i in (1..nf).rev() {
        perm.swap(i, rng.below(i + 1));
    }
    let mut pop = vec![0f64; nf];
    for (rank, &f) in perm.iter().enumerate() {
        pop[f] = 1.0 / ((rank + 1) as f64).powf(0.6);
    }
    let max_pop = pop.iter().cloned().fold(0.0, f64::max);
    let g = ((nf as f64 / 6.0).sqrt().ceil() as usize).max(1);
    let mut cells: Vec<Vec<usize>> = vec![Vec::new(); g * g];
    let cell_of = |x: f64, y: f64| {
        let cx = ((x * g as f64) as usize).min(g - 1);
        let cy = ((y * g as f64) as usize).min(g - 1);
        (cx, cy)
    };
    for (f, &(x, y)) in pos.iter().enumerate() {
        let (cx, cy) = cell_of(x, y);
        cells[cy * g + cx].push(f);
    }
    let seats_total = n as f64 * 0.85;
    let weight_sum: f64 = (0..nf).map(|f| 0.5 + pop[f] / max_pop).sum();
    let pid = |q: usize| {
        format!(
            "P{:05}-{}",
            q / 4,
            ["krippe-08", "krippe-09", "kiga-08", "kiga-09"][q % 4]
        )
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(
        out,
        "{{\"format\":\"kitanetz-placement/1\",\"reference_date\":\"{}\",\"programs\":[",
        iso(REFERENCE_DAYS)
    )?;
    for (f, &pf) in pop.iter().enumerate() {
        let fac_seats = seats_total * (0.5 + pf / max_pop) / weight_sum;
        for t in 0..4 {
            let share = [0.15, 0.1, 0.45, 0.3][t];
            let cap = (fac_seats * share + rng.unit()) as u32;
            let sep = if f + t == 0 { "" } else { "," };
            write!(
                out,
                "{sep}{{\"id\":\"{}\",\"facility\":\"K{f:05}\",\"capacity\":{cap}}}",
                pid(f * 4 + t)
            )?;
        }
    }
    write!(out, "],\"children\":[")?;
    let mut prio: Vec<Vec<(usize, i64)>> = vec![Vec::new(); nf * 4];
    let mut chosen: Vec<usize> = Vec::with_capacity(wishes);
    for c in 0..n {
        let start = rng.below(START_RANGE as usize + 1) as i64;
        let u = rng.unit();
        let care = [0.15, 0.25, 0.7, 1.0]
            .iter()
            .position(|&x| u < x)
            .unwrap_or(3);
        // Krippe children are 0–3 years old at the reference date, Kindergarten children 2–6.
        let age_days = if care < 2 {
            rng.below(3 * 365) as i64
        } else {
            2 * 365 + rng.below(4 * 365) as i64
        };
        let age_points = age_days * AGE_RANGE / (6 * 365);
        let lottery = rng.unit();
        let (hx, hy) = (rng.unit(), rng.unit());
        let district = ((hx * DISTRICTS as f64) as usize).min(DISTRICTS - 1);
        chosen.clear();
        let mut radius = 1.5 / g as f64;
        let mut tries = 0;
        while chosen.len() < wishes {
            tries += 1;
            if tries % (wishes * 8) == 0 {
                radius *= 1.5;
            }
            let x = (hx + (rng.unit() - 0.5) * 2.0 * radius).clamp(0.0, 0.999_999);
            let y = (hy + (rng.unit() - 0.5) * 2.0 * radius).clamp(0.0, 0.999_999);
            let (cx, cy) = cell_of(x, y);
            let cell = &cells[cy * g + cx];
            if cell.is_empty() {
                continue;
            }
            let f = cell[rng.below(cell.len())];
            if rng.unit() > 0.2 + 0.8 * pop[f] / max_pop || chosen.contains(&f) {
                continue;
            }
            chosen.push(f);
        }
        let sibling_at = (rng.unit() < 0.05).then(|| rng.below(wishes));
        let sep = if c == 0 { "" } else { "," };
        write!(out, "{sep}{{\"id\":\"c{c:07}\",\"wishes\":[")?;
        for (i, &f) in chosen.iter().enumerate() {
            let q = f * 4 + care;
            let sep = if i == 0 { "" } else { "," };
            write!(out, "{sep}\"{}\"", pid(q))?;
            let sibling = i64::from(sibling_at == Some(i));
            let pts = sibling * (START_RANGE + 1) * (AGE_RANGE + 1)
                + (START_RANGE - start) * (AGE_RANGE + 1)
                + age_points;
            prio[q].push((c, pts));
        }
        write!(
            out,
            "],\"lottery\":{lottery},\"together\":null,\"current\":null,\"district\":\"D{district:02}\",\"birth_date\":\"{}\"}}",
            iso(REFERENCE_DAYS - age_days)
        )?;
    }
    write!(out, "],\"priorities\":{{")?;
    let mut first = true;
    for (q, row) in prio.iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        let sep = if first { "" } else { "," };
        first = false;
        write!(out, "{sep}\"{}\":{{", pid(q))?;
        for (i, (c, pts)) in row.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(out, "{sep}\"c{c:07}\":{pts}")?;
        }
        write!(out, "}}")?;
    }
    writeln!(out, "}}}}")?;
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 20) as f64
}

/// Runs `run_place` twice into `output`; returns the faster wall time, the exit code and the size.
fn timed(args: &PlaceArgs, output: &Path) -> (f64, i32, u64) {
    let mut best = f64::INFINITY;
    let mut code = 0;
    for _ in 0..2 {
        let started = Instant::now();
        let file = std::fs::File::create(output).expect("create result file");
        let mut out = std::io::BufWriter::new(file);
        code = run_place(args, &mut out).expect("run_place");
        out.flush().expect("flush");
        drop(out);
        best = best.min(started.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(output).map_or(0, |m| m.len());
    (best, code, size)
}

fn main() {
    let (mut n, mut wishes, mut seed, mut pretty) = (100_000usize, 5usize, 1u64, false);
    let mut keep: Option<PathBuf> = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().expect("argument needs a value");
        match a.as_str() {
            "--children" => n = value().parse().expect("number of children"),
            "--wishes" => wishes = value().parse().expect("number of wishes"),
            "--seed" => seed = value().parse().expect("seed"),
            "--pretty" => pretty = true,
            "--keep" => keep = Some(value().into()),
            other => panic!("unknown argument {other}"),
        }
    }
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kitanetz-e2e-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).expect("create directory");
    let instance = dir.join("instance.json");
    let output = dir.join("result.json");
    let size = write_instance(&instance, n, wishes, seed).expect("write instance");
    println!(
        "instance: {n} children, {wishes} wishes, {:.1} MiB",
        mib(size)
    );
    println!("| variant | seconds | exit | result MiB |");
    println!("|---|---:|---:|---:|");
    for (name, check, stats) in [
        ("place", false, false),
        ("place --stats", false, true),
        ("place --check --stats", true, true),
    ] {
        let args = PlaceArgs {
            instance: instance.clone(),
            check,
            stats,
            pretty,
            ..PlaceArgs::default()
        };
        let (s, code, bytes) = timed(&args, &output);
        let name = if pretty {
            format!("{name} --pretty")
        } else {
            name.to_owned()
        };
        println!("| {name} | {s:.2} | {code} | {:.1} |", mib(bytes));
    }
    phases(&instance);
    if keep.is_none() {
        std::fs::remove_dir_all(&dir).expect("remove temporary directory");
    }
}

/// Where the time of one plain run goes (each step alone; `place(all)` is hash, interning,
/// solve, certificate and protocol together).
fn phases(instance: &Path) {
    use kitanetz_placement::engine::SolveOptions;
    let t = Instant::now();
    let text = std::fs::read_to_string(instance).unwrap();
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let inst = kitanetz_placement::Instance::from_json(&text).unwrap();
    let parse = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hash = inst.canonical_hash();
    let hash_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (p, names) = kitanetz_placement::Problem::from_instance(&inst);
    let intern = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let sol = kitanetz_placement::solve(&p, &SolveOptions::default());
    let solve = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let a = kitanetz_placement::protocol::assignment_of(&p, &names, &sol);
    let cert = kitanetz_placement::check::check(&inst, &a);
    let check = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = kitanetz_placement::protocol::place(&inst, &SolveOptions::default(), false);
    let place = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let bytes = serde_json::to_vec(&r).unwrap();
    let ser = t.elapsed().as_secs_f64();
    println!("read {read:.3} parse+validate {parse:.3} hash {hash_s:.3} intern {intern:.3} solve {solve:.3} check {check:.3} place(all) {place:.3} serialise {ser:.3} ({} {} {})", hash.len(), cert.stable, bytes.len());
}
