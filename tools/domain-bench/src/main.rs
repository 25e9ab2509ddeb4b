//! Benchmark of the pure domain crates at Dresden scale (run on demand; not a test).
//!
//! `cargo run --release -p kitanetz-domain-bench -- [--kitas 400] [--seed 1] [--runs 7]
//! [--today 2026-03-16]`
//!
//! Generates a city from the seed (about 75 children per Kita, so 400 Kitas hold about 30,000
//! children; about 10 staff per Kita) and measures, each over `--runs` runs:
//! - occupancy of one Kita on the reference date (`occupancy_on`), the largest Kita, with its
//!   own book (as a Kita node calls it) and with all books passed in (as the crate asks callers
//!   to pass every facility that may send guests);
//! - the one-year forecast of that Kita (`forecast`), the same two ways;
//! - the city view: `provider_occupancy` and `provider_forecast` over all Kitas (what a Träger
//!   office or the city's node computes for its page);
//! - the staffing balance (`balance`) for the 12 months of the reference year of the Kita with
//!   the most staff, its monthly children rows built from the book as the node builds them
//!   (node/src/staff/mod.rs `need_case`), and the same for every Kita;
//! - the Kita-Planer export buffer (`fill_export_buffer`) for every child of one big Träger
//!   (the first Kitas of the city up to about 16,000 contract heads; issue 12 item 8), and the
//!   full rebuild (`plan_rebuild` and the new buffer) after a change to every Kita's Einrichtung;
//! - the Landeszuschuss count (`landeszuschuss::count`) on 1 April for the whole city,
//!   Tagespflege included, once for the city and as the node's page does it (one count per Kita
//!   and Tagespflegeperson and one for all).
//!
//! Prints one figure per line: median and max in ms; the most heap one run held beyond what
//! was allocated before it (its result included; counted by the global allocator); and the
//! process's peak resident memory (VmHWM, the generated city included; reset before each figure
//! through /proc/self/clear_refs where the kernel allows it). Generation is not timed.

mod generate;
mod interfaces;

use anyhow::{bail, Context, Result};
use chrono::{Datelike, Months, NaiveDate};
use generate::{Assignment, City};
use kitanetz_kitaplaner as kp;
use kitanetz_occupancy as occ;
use kitanetz_staffing as st;
use kitanetz_statistics::landeszuschuss as lz;
use rust_decimal::Decimal;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Args {
    kitas: usize,
    seed: u64,
    runs: usize,
    today: NaiveDate,
}

fn args() -> Result<Args> {
    let mut a = Args {
        kitas: 400,
        seed: 1,
        runs: 7,
        today: NaiveDate::from_ymd_opt(2026, 3, 16).expect("a date"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--kitas" => a.kitas = value()?.parse().context("--kitas")?,
            "--seed" => a.seed = value()?.parse().context("--seed")?,
            "--runs" => a.runs = value()?.parse().context("--runs")?,
            "--today" => a.today = value()?.parse().context("--today (YYYY-MM-DD)")?,
            "-h" | "--help" => {
                println!("domain-bench [--kitas 400] [--seed 1] [--runs 7] [--today 2026-03-16]");
                std::process::exit(0);
            }
            other => bail!("unknown flag {other}; known: --kitas --seed --runs --today"),
        }
    }
    if a.kitas == 0 || a.runs == 0 {
        bail!("--kitas and --runs must be at least 1");
    }
    Ok(a)
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> f64 {
    kib.unwrap_or(0) as f64 / 1024.0
}

/// Resets VmHWM to the current resident size (Linux: "5" to clear_refs); false where refused.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The global allocator, counting the bytes in use and their peak (the heap a computation
/// needs, its result included, without the allocator's own slack).
struct Counting;

static HEAP_NOW: AtomicUsize = AtomicUsize::new(0);
static HEAP_PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = HEAP_NOW.fetch_add(by, Ordering::Relaxed) + by;
    HEAP_PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        HEAP_NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            HEAP_NOW.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` `runs` times and prints median, max, the process's peak resident memory and the
/// most heap one run held beyond what was allocated before it, on one line.
fn measure<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) {
    let reset = reset_peak();
    let heap_before = HEAP_NOW.load(Ordering::Relaxed);
    HEAP_PEAK.store(heap_before, Ordering::Relaxed);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        drop(black_box(out));
    }
    times.sort_by(f64::total_cmp);
    let median = if runs % 2 == 1 {
        times[runs / 2]
    } else {
        (times[runs / 2 - 1] + times[runs / 2]) / 2.0
    };
    let max = times[runs - 1];
    let heap = (HEAP_PEAK.load(Ordering::Relaxed) - heap_before) as f64 / (1024.0 * 1024.0);
    let peak = mib(status_kib("VmHWM:"));
    let since = if reset { "" } else { " since start" };
    println!(
        "{label:<66} median {median:>9.3} ms  max {max:>9.3} ms  heap +{heap:>6.2} MiB  VmHWM{since} {peak:>6.1} MiB"
    );
}

/// The staffing group of a child on a place (§ 12 (2) S. 3), as the node's `staff` module
/// reads it (node/src/staff/mod.rs `staffing_group`).
fn staffing_group(
    care_type: occ::CareType,
    integration: bool,
    birth_date: NaiveDate,
    day: NaiveDate,
) -> (st::CareType, Option<st::StaffKey>) {
    let under_three = day < birth_date + Months::new(36);
    match (care_type, integration) {
        (occ::CareType::Nursery | occ::CareType::Kindergarten, false) if under_three => {
            (st::CareType::Krippe, None)
        }
        (occ::CareType::Nursery | occ::CareType::Kindergarten, true) if under_three => {
            (st::CareType::KrippeIntegration, None)
        }
        (occ::CareType::Nursery | occ::CareType::Kindergarten, false) => {
            (st::CareType::Kindergarten, None)
        }
        (occ::CareType::Nursery | occ::CareType::Kindergarten, true) => {
            (st::CareType::KindergartenIntegration, None)
        }
        (occ::CareType::AfterSchool, false) => (st::CareType::Hort, None),
        (occ::CareType::AfterSchool, true) | (occ::CareType::SupportedAfterSchool, _) => {
            (st::CareType::HortIntegration, None)
        }
        (occ::CareType::Remedial, _) => (
            st::CareType::Heilpaedagogisch,
            st::StaffKey::new(Decimal::ONE, Decimal::new(45, 1)),
        ),
    }
}

/// The children under contract on `day` as the need counts them: the node's `need_case`
/// (node/src/staff/mod.rs), so that the figure includes what the node does per month.
fn need_case(book: &occ::FacilityBook, day: NaiveDate) -> st::StaffNeedCase {
    type Rows = BTreeMap<(String, Option<Decimal>), (st::CareType, Option<st::StaffKey>, u32)>;
    let mut rows = Rows::new();
    for contract in &book.contracts {
        let last = contract.end.last_day();
        if contract.start > day || last.is_some_and(|l| l < day) {
            continue;
        }
        let Some(line) = contract
            .lines
            .iter()
            .filter(|l| l.valid_from <= day)
            .max_by_key(|l| l.valid_from)
        else {
            continue;
        };
        let (care_type, key) = staffing_group(
            line.kind.care_type,
            line.kind.integration,
            contract.child.birth_date,
            day,
        );
        let hours =
            (!matches!(care_type, st::CareType::Heilpaedagogisch)).then_some(line.daily_hours);
        rows.entry((care_type.name().to_string(), hours))
            .or_insert((care_type, key, 0))
            .2 += 1;
    }
    st::StaffNeedCase {
        children: rows
            .into_iter()
            .enumerate()
            .map(
                |(i, ((_, hours), (care_type, key, count)))| st::ChildrenRow {
                    field: format!("children[{i}]"),
                    care_type,
                    hours,
                    count,
                    key,
                },
            )
            .collect(),
        additional: vec![],
    }
}

/// The Soll/Ist balance of one Kita over the 12 months of `year`, cases included.
fn staffing_year(
    book: &occ::FacilityBook,
    staff: &[Assignment],
    year: i32,
    today: NaiveDate,
    rules: &st::RuleBook,
) -> Result<st::Balance<String>> {
    let first = st::Month::new(year, 1).context("a year")?;
    let last = st::Month::new(year, 12).context("a year")?;
    let input = st::BalanceInput {
        facility: book.facility.0.clone(),
        first_month: first,
        last_month: last,
        cases: first
            .through(last)
            .map(|m| (m, need_case(book, m.first_day())))
            .collect(),
        staff: staff.to_vec(),
        today,
    };
    Ok(st::balance(&input, rules)?)
}

fn main() -> Result<()> {
    let a = args()?;
    let rules = occ::Rules::default();
    let rule_book = st::RuleBook::annex_f();

    let start = Instant::now();
    let City {
        books,
        staff,
        persons,
    } = generate::city(a.kitas, a.seed, a.today);
    let generated_ms = start.elapsed().as_secs_f64() * 1000.0;
    let contracts: usize = books.iter().map(|b| b.contracts.len()).sum();
    let assignments: usize = staff.iter().map(Vec::len).sum();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "domain-bench: --kitas {} --seed {} --runs {} --today {} ({cpus} CPUs seen)",
        a.kitas, a.seed, a.runs, a.today
    );

    // The city on the reference date, once, to say how big it is.
    let city = occ::provider_occupancy(&books, a.today, &rules)?;
    println!(
        "data: {} Kitas, {} contracts, {} children counted on {} ({} places), {} staff, {} assignments; generated in {:.0} ms, resident {:.1} MiB",
        books.len(),
        contracts,
        city.total.occupied,
        a.today,
        city.total.capacity,
        persons,
        assignments,
        generated_ms,
        mib(status_kib("VmRSS:")),
    );
    let (largest, book) = books
        .iter()
        .enumerate()
        .max_by_key(|(_, b)| b.contracts.len())
        .context("at least one Kita")?;
    let one = std::slice::from_ref(book);
    let id = &book.facility;
    let counted = city.facilities[largest].total.occupied;
    let of = format!(
        "{id}, {} contracts, {counted} counted",
        book.contracts.len()
    );
    drop(city);

    measure(&format!("(a) occupancy, one Kita ({of})"), a.runs, || {
        occ::occupancy_on(one, id, a.today, &rules).expect("computes")
    });
    measure(
        "(a') occupancy, the same Kita among all books",
        a.runs,
        || occ::occupancy_on(&books, id, a.today, &rules).expect("computes"),
    );
    measure("(b) forecast 12 months, one Kita", a.runs, || {
        occ::forecast(one, id, a.today, &rules).expect("computes")
    });
    measure(
        "(b') forecast 12 months, the same Kita among all books",
        a.runs,
        || occ::forecast(&books, id, a.today, &rules).expect("computes"),
    );
    measure(
        &format!(
            "(c) occupancy, all {} Kitas (provider_occupancy)",
            books.len()
        ),
        a.runs,
        || occ::provider_occupancy(&books, a.today, &rules).expect("computes"),
    );
    measure(
        &format!(
            "(c) forecast 12 months, all {} Kitas (provider_forecast)",
            books.len()
        ),
        a.runs,
        || occ::provider_forecast(&books, a.today, &rules).expect("computes"),
    );
    let year = a.today.year();
    // The Kita with the most staff (the largest by children may be a Hort with few).
    let most = (0..books.len())
        .max_by_key(|&k| staff[k].len())
        .context("at least one Kita")?;
    measure(
        &format!(
            "(d) staffing balance {year}, one Kita ({}, {} assignments)",
            books[most].facility,
            staff[most].len()
        ),
        a.runs,
        || staffing_year(&books[most], &staff[most], year, a.today, &rule_book).expect("computes"),
    );
    measure(
        &format!("(d) staffing balance {year}, all {} Kitas", books.len()),
        a.runs,
        || {
            books
                .iter()
                .zip(&staff)
                .map(|(b, s)| staffing_year(b, s, year, a.today, &rule_book).expect("computes"))
                .collect::<Vec<_>>()
        },
    );

    kitaplaner(&books, &a);
    landeszuschuss(&books, &a);

    // What was computed, so that a change in the data or the crates shows in the output.
    let forecast = occ::provider_forecast(&books, a.today, &rules)?;
    let movements: usize = forecast
        .facilities
        .iter()
        .map(|f| f.movements().count())
        .sum();
    let findings: usize = forecast
        .facilities
        .iter()
        .flat_map(|f| &f.months)
        .map(|m| m.findings.len())
        .sum();
    let mut short = 0usize;
    for (b, s) in books.iter().zip(&staff) {
        let balance = staffing_year(b, s, year, a.today, &rule_book)?;
        short += balance.months.iter().filter(|m| m.is_short()).count();
    }
    println!(
        "check: {movements} movements and {findings} findings in the city forecast; {short} Kita-months short of staff in {year}"
    );
    Ok(())
}

/// The contract heads of the Träger whose export buffer is measured (issue 12 item 8: "a
/// Dresden-scale Träger, about 16,000 contracts").
const TRAGER_CONTRACTS: usize = 16_000;

/// The export buffer of every child of one Träger, and its full rebuild after a change.
fn kitaplaner(books: &[occ::FacilityBook], a: &Args) {
    let trager = interfaces::trager_books(books, TRAGER_CONTRACTS);
    let settings = interfaces::kitaplaner_settings();
    let records = interfaces::kitaplaner_records(trager, a.seed);
    let heads: usize = records.iter().map(|r| r.contracts.len()).sum();
    let lines: usize = records
        .iter()
        .flat_map(|r| &r.contracts)
        .map(|h| h.lines.len())
        .sum();
    let buffers = || -> Vec<kp::Buffer> {
        records
            .iter()
            .map(|r| kp::fill_export_buffer(r, &settings).expect("generated records are valid"))
            .collect()
    };
    let built = buffers();
    let rows: usize = built.iter().map(|b| b.rows.len()).sum();
    let gaps: usize = built.iter().map(|b| b.care_gaps.len()).sum();
    println!(
        "kitaplaner: {} Kitas of one Träger, {} children, {heads} contract heads, {lines} lines; {rows} rows, {gaps} care gaps",
        trager.len(),
        records.len()
    );
    drop(built);
    measure(
        &format!(
            "(e) Kita-Planer export buffer, {} children of the Träger",
            records.len()
        ),
        a.runs,
        buffers,
    );
    let previous = interfaces::before_renaming(&records);
    measure(
        "(e') rebuild of every child after the Kitas were renamed",
        a.runs,
        || {
            previous
                .iter()
                .zip(&records)
                .map(|(before, now)| {
                    let rebuild = kp::plan_rebuild(before, now, &settings).expect("valid");
                    assert!(rebuild.required());
                    (
                        rebuild,
                        kp::fill_export_buffer(now, &settings).expect("valid"),
                    )
                })
                .collect::<Vec<_>>()
        },
    );
}

/// The Landeszuschuss count on 1 April of the reference year, for the whole city.
fn landeszuschuss(books: &[occ::FacilityBook], a: &Args) {
    let stichtag = interfaces::stichtag(a.today.year());
    let contracts = interfaces::landeszuschuss_contracts(books, a.seed, stichtag);
    let input = lz::CountInput {
        reference_date: stichtag,
        rate_per_child: lz::DEFAULT_RATE_PER_CHILD,
        contracts,
    };
    let result = lz::count(&input);
    let tagespflege = input
        .contracts
        .iter()
        .filter(|c| c.care_type == lz::CareType::Tagespflege)
        .count();
    println!(
        "landeszuschuss {stichtag}: {} contracts ({tagespflege} Tagespflege); {} children in 9-hour places, {} with Eingliederungshilfe, {} in Tagespflege, {} excluded; subsidy {} EUR",
        input.contracts.len(),
        result.facility_children_9h.0,
        result.eingliederungshilfe_children,
        result.tagespflege_children_9h.0,
        result.excluded.len(),
        result.subsidy.0.round_dp(2),
    );
    measure(
        &format!(
            "(f) Landeszuschuss count, the city ({} contracts)",
            input.contracts.len()
        ),
        a.runs,
        || lz::count(&input),
    );
    // The node's page (node/src/statistics/mod.rs `landeszuschuss`): per facility, the
    // contracts filtered out of all and cloned, then counted; then all of them.
    measure(
        "(f') the same, one count per Kita and Tagespflege + the city",
        a.runs,
        || {
            let mut facilities: Vec<&String> = input
                .contracts
                .iter()
                .filter_map(|c| c.facility.as_ref())
                .collect();
            facilities.sort();
            facilities.dedup();
            let count_of = |facility: Option<&String>| {
                lz::count(&lz::CountInput {
                    reference_date: input.reference_date,
                    rate_per_child: input.rate_per_child,
                    contracts: input
                        .contracts
                        .iter()
                        .filter(|c| facility.is_none_or(|f| c.facility.as_ref() == Some(f)))
                        .cloned()
                        .collect(),
                })
            };
            let mut out: Vec<_> = facilities.iter().map(|f| count_of(Some(f))).collect();
            out.push(count_of(None));
            out
        },
    );
}
