//! Placement engine benchmark (run on demand; not a test).
//!
//! `cargo run --release -p kitanetz-bench --bin placement-bench -- [--sizes 5000,100000,1000000]
//! [--wishes 5,25] [--groups 0.0] [--group-budget 64] [--seed 1] [--sequential]
//! [--write-instance FILE] [--end-to-end]`
//!
//! `--end-to-end` measures `kitanetz place` as a user runs it (read and validate the instance
//! file, solve, write the result with its protocol, re-check what was written) on an instance
//! of the first size and wish count, written to a temporary file first.
//!
//! Generates Kita-like instances from a seed: facilities scattered over a city, each with
//! Krippe and Kindergarten programs for two start months; seats sum to about 85 % of the
//! children; popularity is Zipf-like; each child wishes programs of its care type and start
//! month at facilities near its home, favouring popular ones. Points follow the Lastenheft
//! order (sibling in this Kita, earlier desired start, older child). Each case runs in a fresh
//! child process so that its peak memory (VmHWM) is its own; times exclude generation and I/O.

use anyhow::{bail, Context, Result};
use kitanetz_placement::engine::{solve, Mode, SolveOptions};
use kitanetz_placement::{Problem, ProblemBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::time::Instant;

/// One generated child: wishes (program indices), points per wish, lottery, group.
type GenChild = (Vec<u32>, Vec<i64>, f64, Option<u32>);

/// One generated instance in index form.
struct Generated {
    /// Per facility: popularity weight.
    n_facilities: usize,
    /// Per program: (facility, capacity).
    programs: Vec<(u32, u32)>,
    /// Per child: wishes (program indices), points per wish, lottery, group.
    children: Vec<GenChild>,
}

const START_RANGE: i64 = 180;
const AGE_RANGE: i64 = 2000;

fn generate(n: usize, wishes: usize, group_share: f64, seed: u64) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (n as u64) << 8 ^ wishes as u64);
    // About 60 children per facility, at least enough facilities for distinct wishes.
    let nf = (n / 60).max(wishes * 4).max(8);
    let pos: Vec<(f64, f64)> = (0..nf).map(|_| (rng.gen(), rng.gen())).collect();
    // Zipf-like popularity over a random permutation of facilities.
    let mut perm: Vec<usize> = (0..nf).collect();
    for i in (1..nf).rev() {
        perm.swap(i, rng.gen_range(0..=i));
    }
    let mut pop = vec![0f64; nf];
    for (rank, &f) in perm.iter().enumerate() {
        pop[f] = 1.0 / ((rank + 1) as f64).powf(0.6);
    }
    let max_pop = pop.iter().cloned().fold(0.0, f64::max);
    // Grid of cells for the neighbourhood search.
    let g = ((nf as f64 / 6.0).sqrt().ceil() as usize).max(1);
    let mut cells: Vec<Vec<u32>> = vec![Vec::new(); g * g];
    let cell_of = |x: f64, y: f64| {
        let cx = ((x * g as f64) as usize).min(g - 1);
        let cy = ((y * g as f64) as usize).min(g - 1);
        (cx, cy)
    };
    for (f, &(x, y)) in pos.iter().enumerate() {
        let (cx, cy) = cell_of(x, y);
        cells[cy * g + cx].push(f as u32);
    }
    // Programs: facility × {Krippe, Kindergarten} × {two start months}; program index = f*4+t.
    let seats_total = (n as f64 * 0.85) as u64;
    let weight_sum: f64 = (0..nf).map(|f| 0.5 + pop[f] / max_pop).sum();
    let mut programs = Vec::with_capacity(nf * 4);
    for (f, &pf) in pop.iter().enumerate() {
        let fac_seats = seats_total as f64 * (0.5 + pf / max_pop) / weight_sum;
        for t in 0..4 {
            let share = [0.15, 0.1, 0.45, 0.3][t];
            let cap = (fac_seats * share + rng.gen::<f64>()) as u32;
            programs.push((f as u32, cap));
        }
    }
    let mut children = Vec::with_capacity(n);
    let mut chosen: Vec<u32> = Vec::with_capacity(wishes);
    let mut next_group = 0u32;
    let mut pending_sibling: Option<(Vec<u32>, u32)> = None;
    for _ in 0..n {
        let start = rng.gen_range(0..=START_RANGE);
        let age = rng.gen_range(0..=AGE_RANGE);
        // Care type and start month in the same proportions as the seats.
        let u: f64 = rng.gen();
        let care = [0.15, 0.25, 0.7, 1.0]
            .iter()
            .position(|&x| u < x)
            .unwrap_or(3) as u32;
        let lottery: f64 = rng.gen();
        // A sibling of the previous child applies together: same facilities.
        if let Some((facs, group)) = pending_sibling.take() {
            let w: Vec<u32> = facs.iter().map(|&f| f * 4 + care).collect();
            let pts = w.iter().map(|_| points(false, start, age)).collect();
            children.push((w, pts, lottery, Some(group)));
            continue;
        }
        let (hx, hy): (f64, f64) = (rng.gen(), rng.gen());
        chosen.clear();
        let mut radius = 1.5 / g as f64;
        let mut tries = 0;
        while chosen.len() < wishes {
            tries += 1;
            if tries % (wishes * 8) == 0 {
                radius *= 1.5;
            }
            let x = (hx + (rng.gen::<f64>() - 0.5) * 2.0 * radius).clamp(0.0, 0.999_999);
            let y = (hy + (rng.gen::<f64>() - 0.5) * 2.0 * radius).clamp(0.0, 0.999_999);
            let (cx, cy) = cell_of(x, y);
            let cell = &cells[cy * g + cx];
            if cell.is_empty() {
                continue;
            }
            let f = cell[rng.gen_range(0..cell.len())];
            if rng.gen::<f64>() > 0.2 + 0.8 * pop[f as usize] / max_pop || chosen.contains(&f) {
                continue;
            }
            chosen.push(f);
        }
        let sibling_at = (rng.gen::<f64>() < 0.05).then(|| rng.gen_range(0..wishes));
        let w: Vec<u32> = chosen.iter().map(|&f| f * 4 + care).collect();
        let pts = (0..wishes)
            .map(|i| points(sibling_at == Some(i), start, age))
            .collect();
        let group = (rng.gen::<f64>() < group_share / 2.0).then(|| {
            next_group += 1;
            pending_sibling = Some((chosen.clone(), next_group - 1));
            next_group - 1
        });
        children.push((w, pts, lottery, group));
    }
    Generated {
        n_facilities: nf,
        programs,
        children,
    }
}

/// Lastenheft order as mixed-radix points: sibling, earlier start, older.
fn points(sibling: bool, start: i64, age: i64) -> i64 {
    i64::from(sibling) * (START_RANGE + 1) * (AGE_RANGE + 1)
        + (START_RANGE - start) * (AGE_RANGE + 1)
        + age
}

fn build(g: &Generated) -> Problem {
    let entries = g.children.iter().map(|c| c.0.len()).sum();
    let mut b = ProblemBuilder::with_capacity(g.children.len(), entries);
    for &(f, cap) in &g.programs {
        b.add_program(f, cap);
    }
    for (w, pts, lot, group) in &g.children {
        b.add_child(w, pts, *lot, None, *group, false);
    }
    b.build()
}

/// Bytes held by the compiled problem plus the deferred-acceptance working arrays.
fn engine_mib(p: &Problem) -> f64 {
    let n = p.n_children();
    let np = p.n_programs();
    let seats: usize = p.capacity.iter().map(|&c| c as usize).sum();
    let problem =
        (p.off.len() + p.prog.len() + p.pts.len()) * 4 + n * (4 * 4 + 8 + 8 + 1 + 1) + np * 8;
    let working = n * 8 + seats * 8 + np * (8 + 4);
    (problem + working) as f64 / (1024.0 * 1024.0)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs one case in this process and prints one tab-separated result line.
fn single(n: usize, w: usize, groups: f64, seed: u64, sequential: bool, budget: u64) -> Result<()> {
    let g = generate(n, w, groups, seed);
    let seats: u64 = g.programs.iter().map(|p| p.1 as u64).sum();
    let t = Instant::now();
    let p = build(&g);
    let build_s = t.elapsed().as_secs_f64();
    drop(g);
    let t = Instant::now();
    let sol = solve(
        &p,
        &SolveOptions {
            group_budget: budget,
            ..SolveOptions::default()
        },
    );
    let da_s = t.elapsed().as_secs_f64();
    let placed = sol.pos.iter().filter(|&&x| x != u32::MAX).count();
    let first = sol.pos.iter().filter(|&&x| x == 0).count();
    let seq_s = if sequential {
        let t = Instant::now();
        let s = solve(
            &p,
            &SolveOptions {
                mode: Mode::Sequential,
                ..SolveOptions::default()
            },
        );
        std::hint::black_box(&s);
        t.elapsed().as_secs_f64()
    } else {
        f64::NAN
    };
    println!(
        "RESULT\t{n}\t{w}\t{}\t{seats}\t{build_s:.3}\t{da_s:.3}\t{}\t{}\t{:.3}\t{seq_s:.3}\t{:.0}\t{:.0}\t{}\t{}/{}",
        p.n_programs(),
        sol.proposals,
        n - placed,
        first as f64 / n as f64,
        engine_mib(&p),
        peak_rss_mib(),
        sol.groups.runs,
        sol.groups.residual.len(),
        sol.groups.groups,
    );
    Ok(())
}

/// Writes the instance of one case as `kitanetz-placement/1` JSON (for the oracle script).
fn write_instance(path: &str, n: usize, w: usize, groups: f64, seed: u64) -> Result<()> {
    let g = generate(n, w, groups, seed);
    let file = std::fs::File::create(path).with_context(|| format!("create {path}"))?;
    let mut out = std::io::BufWriter::new(file);
    let pid = |q: u32| {
        format!(
            "P{:05}-{}",
            q / 4,
            ["krippe-08", "krippe-09", "kiga-08", "kiga-09"][q as usize % 4]
        )
    };
    writeln!(out, "{{\"format\":\"kitanetz-placement/1\",\"programs\":[")?;
    for (q, &(f, cap)) in g.programs.iter().enumerate() {
        let sep = if q + 1 < g.programs.len() { "," } else { "" };
        writeln!(
            out,
            "{{\"id\":\"{}\",\"facility\":\"K{f:05}\",\"capacity\":{cap}}}{sep}",
            pid(q as u32)
        )?;
    }
    writeln!(out, "],\"children\":[")?;
    let mut prio: Vec<Vec<(usize, i64)>> = vec![Vec::new(); g.programs.len()];
    for (c, (wishes, pts, lot, group)) in g.children.iter().enumerate() {
        let ws: Vec<String> = wishes.iter().map(|&q| format!("\"{}\"", pid(q))).collect();
        let grp = group.map_or("null".to_owned(), |x| format!("\"g{x}\""));
        let sep = if c + 1 < g.children.len() { "," } else { "" };
        writeln!(
            out,
            "{{\"id\":\"c{c:07}\",\"wishes\":[{}],\"lottery\":{},\"together\":{grp},\"current\":null}}{sep}",
            ws.join(","),
            serde_json::to_string(lot)?
        )?;
        for (&q, &pt) in wishes.iter().zip(pts) {
            prio[q as usize].push((c, pt));
        }
    }
    writeln!(out, "],\"priorities\":{{")?;
    let nonempty: Vec<usize> = (0..prio.len()).filter(|&q| !prio[q].is_empty()).collect();
    for (i, &q) in nonempty.iter().enumerate() {
        let row: Vec<String> = prio[q]
            .iter()
            .map(|(c, pt)| format!("\"c{c:07}\":{pt}"))
            .collect();
        let sep = if i + 1 < nonempty.len() { "," } else { "" };
        writeln!(out, "\"{}\":{{{}}}{sep}", pid(q as u32), row.join(","))?;
    }
    writeln!(out, "}}}}")?;
    out.flush()?;
    eprintln!(
        "wrote {path}: {} children, {} facilities",
        g.children.len(),
        g.n_facilities
    );
    Ok(())
}

fn list<T: std::str::FromStr>(s: &str) -> Result<Vec<T>> {
    s.split(',')
        .map(|x| {
            x.trim()
                .parse::<T>()
                .map_err(|_| anyhow::anyhow!("bad number {x:?}"))
        })
        .collect()
}

fn main() -> Result<()> {
    let mut sizes = vec![5_000usize, 100_000, 1_000_000];
    let mut wishes = vec![5usize, 25];
    let mut groups = 0.0f64;
    let mut seed = 1u64;
    let mut sequential = false;
    let mut budget = kitanetz_placement::engine::DEFAULT_GROUP_BUDGET;
    let mut write: Option<String> = None;
    let mut one: Option<(usize, usize)> = None;
    let mut end_to_end = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut v = || args.next().context("missing value");
        match a.as_str() {
            "--sizes" => sizes = list(&v()?)?,
            "--wishes" => wishes = list(&v()?)?,
            "--groups" => groups = v()?.parse()?,
            "--seed" => seed = v()?.parse()?,
            "--sequential" => sequential = true,
            "--group-budget" => budget = v()?.parse()?,
            "--write-instance" => write = Some(v()?),
            "--end-to-end" => end_to_end = true,
            "--single" => {
                let x: Vec<usize> = list(&v()?)?;
                one = Some((x[0], x[1]));
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if let Some(path) = write {
        return write_instance(&path, sizes[0], wishes[0], groups, seed);
    }
    if end_to_end {
        return place_end_to_end(sizes[0], wishes[0], groups, seed);
    }
    if let Some((n, w)) = one {
        return single(n, w, groups, seed, sequential, budget);
    }
    let exe = std::env::current_exe()?;
    println!(
        "| children | wishes | programs | seats | build s | DA solve s | proposals | unplaced | 1st choice | sequential s | engine MiB | peak RSS MiB | DA runs | residual coalitions / groups |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &sizes {
        for &w in &wishes {
            let mut cmd = std::process::Command::new(&exe);
            cmd.args([
                "--single",
                &format!("{n},{w}"),
                "--groups",
                &groups.to_string(),
            ]);
            cmd.args(["--seed", &seed.to_string()]);
            cmd.args(["--group-budget", &budget.to_string()]);
            if sequential {
                cmd.arg("--sequential");
            }
            let out = cmd.output()?;
            let text = String::from_utf8_lossy(&out.stdout);
            let Some(line) = text.lines().find(|l| l.starts_with("RESULT")) else {
                bail!(
                    "case {n}x{w} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let f: Vec<&str> = line.split('\t').skip(1).collect();
            println!("| {} |", f.join(" | "));
        }
    }
    Ok(())
}

/// `kitanetz place --check --stats` on a written instance: wall time of each step as the CLI
/// does it, and the result's size.
fn place_end_to_end(n: usize, w: usize, groups: f64, seed: u64) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("kitanetz-place-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let instance = dir.join("instance.json");
    let output = dir.join("result.json");
    write_instance(instance.to_str().context("temp path")?, n, w, groups, seed)?;
    let instance_mib = std::fs::metadata(&instance)?.len() as f64 / (1 << 20) as f64;
    let args = kitanetz_placement::PlaceArgs {
        instance: instance.clone(),
        check: true,
        stats: true,
        ..Default::default()
    };
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&output)?);
    let code = kitanetz_placement::run_place(&args, &mut out)?;
    out.flush()?;
    drop(out);
    let seconds = started.elapsed().as_secs_f64();
    let result_mib = std::fs::metadata(&output)?.len() as f64 / (1 << 20) as f64;

    // The same steps one by one, to show where the time goes.
    let phase = Instant::now();
    let text = std::fs::read_to_string(&instance)?;
    let inst = kitanetz_placement::Instance::from_json(&text)?;
    let read_s = phase.elapsed().as_secs_f64();
    let phase = Instant::now();
    let (problem, _) = Problem::from_instance(&inst);
    let solution = solve(&problem, &SolveOptions::default());
    let solve_s = phase.elapsed().as_secs_f64();
    let phase = Instant::now();
    let result = kitanetz_placement::protocol::place(&inst, &SolveOptions::default(), true);
    let place_s = phase.elapsed().as_secs_f64();
    let phase = Instant::now();
    let bytes = serde_json::to_vec(&result)?;
    let write_s = phase.elapsed().as_secs_f64();
    let phase = Instant::now();
    let _ = kitanetz_placement::check::check(&inst, &result.assignment_ids());
    let check_s = phase.elapsed().as_secs_f64();
    drop((solution, bytes));
    std::fs::remove_dir_all(&dir)?;
    println!("| children | wishes | instance MiB | result MiB | place --check --stats s | exit | read+validate s | intern+solve s | intern+solve+protocol+certificate s | serialise s | check s |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!("| {n} | {w} | {instance_mib:.1} | {result_mib:.1} | {seconds:.2} | {code} | {read_s:.2} | {solve_s:.3} | {place_s:.2} | {write_s:.2} | {check_s:.2} |");
    Ok(())
}
