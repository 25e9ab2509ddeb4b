//! Time of each report on a city-sized data set: 100,000 placed contracts, 20,000 terminations
//! and 50,000 open demands from a small seeded generator (same numbers on every run), over a
//! year's range without further filters (the largest selection).
//!
//! `cargo run --release -p kitanetz-reports --example reports_bench [SEED]`
//!
//! Prints, per report, the time to compute it, to make the suppressed view, to build its tables
//! and to write them with `kitanetz_sheets::workbook`.
//!
//! Measured on the 2-core development machine (release, seed 20251201, three runs): placed
//! places (76,040 selected) 21–22 ms, terminations (17,345) 3.8–3.9 ms, unmet demand (50,000)
//! 9–10 ms, 11–12 ms with a provider filter; the suppressed view under 15 µs and the tables
//! written in 1.4–4.1 ms (13 + 6 + 6 sheets, 14–27 KiB). The aggregates are small, so the node
//! can compute a report on a request thread; loading the records is what costs.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use kitanetz_reports::{
    demand_report, placed_report, termination_report, FacilityOwner, FacilityOwners, Filter,
    OpenDemand, PlacedContract, Region, Termination, DEFAULT_MIN_CHILDREN,
};
use kitanetz_sheets::{workbook, Table, WorkbookInfo};
use rust_decimal::Decimal;

/// splitmix64: enough for test data, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn day(&mut self, from: NaiveDate, span_days: u64) -> NaiveDate {
        from + Days::new(self.below(span_days))
    }
}

const FACILITIES: u64 = 340;
const PROVIDERS: u64 = 40;
const ORTSAEMTER: u64 = 10;
const STADTTEILE_PER_ORTSAMT: u64 = 6;
const HOURS: [i64; 7] = [45, 60, 70, 80, 90, 100, 110];
const REASONS: [&str; 5] = ["move", "school", "dissatisfied", "other", "kita_closed"];

fn provider_of(facility: u64) -> (String, bool) {
    let provider = facility % PROVIDERS;
    (format!("T{provider:02}"), provider < 8)
}

fn region(rng: &mut Rng) -> Region {
    // One in fifty without a known region.
    if rng.below(50) == 0 {
        return Region::default();
    }
    let ortsamt = rng.below(ORTSAEMTER);
    Region {
        ortsamt: format!("Ortsamt {ortsamt}"),
        stadtteil: format!("Stadtteil {ortsamt}-{}", rng.below(STADTTEILE_PER_ORTSAMT)),
    }
}

fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .map_or(20_251_201, |s| s.parse().expect("SEED is a number"));
    println!("seed {seed}");
    let mut rng = Rng(seed);
    let year = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let filter = Filter::range(year, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());

    let generated = Instant::now();
    let contracts: Vec<PlacedContract> = (0..100_000)
        .map(|_| {
            let facility = rng.below(FACILITIES);
            let (provider, municipal) = provider_of(facility);
            let birth = rng.day(NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), 6 * 365);
            let desired = (rng.below(10) != 0).then(|| rng.day(year, 400));
            let start = desired.map_or(rng.day(year, 400), |d| d + Days::new(rng.below(300)));
            PlacedContract {
                facility: format!("K{facility:03}"),
                facility_name: format!("Kita {facility}"),
                provider,
                provider_is_municipal: municipal,
                region: region(&mut rng),
                birth_date: birth,
                desired_start: desired,
                start,
                concluded_on: rng.day(year - Days::new(60), 480),
                wish_rank: [None, Some(1), Some(1), Some(2), Some(3), Some(4), Some(5)]
                    [rng.below(7) as usize],
                daily_hours: Decimal::new(HOURS[rng.below(7) as usize], 1),
                care_type: "krippe".into(),
                employer_seat: rng.below(25) == 0,
            }
        })
        .collect();
    let terminations: Vec<Termination> = (0..20_000)
        .map(|_| {
            let facility = rng.below(FACILITIES);
            let (provider, municipal) = provider_of(facility);
            let start = rng.day(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(), 5 * 365);
            let notice = rng.day(year - Days::new(30), 420);
            Termination {
                facility: format!("K{facility:03}"),
                facility_name: format!("Kita {facility}"),
                provider,
                provider_is_municipal: municipal,
                region: region(&mut rng),
                birth_date: start - Days::new(200 + rng.below(1500)),
                desired_start: (rng.below(5) != 0).then(|| start - Days::new(rng.below(200))),
                start,
                notice_on: notice,
                end: notice + Days::new(61),
                reason: REASONS[rng.below(5) as usize].into(),
            }
        })
        .collect();
    let demands: Vec<OpenDemand> = (0..50_000)
        .map(|_| {
            let registered = rng.day(year - Days::new(365), 730);
            OpenDemand {
                region: region(&mut rng),
                birth_date: registered - Days::new(rng.below(1200)),
                desired_start: registered + Days::new(rng.below(365)),
                registered_on: registered,
                care_type: "krippe".into(),
                wished_facilities: (0..1 + rng.below(5))
                    .map(|_| format!("K{:03}", rng.below(FACILITIES)))
                    .collect(),
            }
        })
        .collect();
    let owners: FacilityOwners = (0..FACILITIES)
        .map(|f| {
            let (provider, municipal) = provider_of(f);
            (
                format!("K{f:03}"),
                FacilityOwner {
                    provider,
                    provider_is_municipal: municipal,
                },
            )
        })
        .collect();
    println!(
        "generated {} contracts, {} terminations, {} open demands in {:.0?}",
        contracts.len(),
        terminations.len(),
        demands.len(),
        generated.elapsed()
    );

    let info = WorkbookInfo {
        title: "Bench".into(),
        author: "reports_bench".into(),
        created: year.and_hms_opt(0, 0, 0).unwrap(),
    };
    let k = DEFAULT_MIN_CHILDREN;

    let (placed, compute) = timed(|| placed_report(&contracts, &filter).unwrap());
    let (city, suppress) = timed(|| placed.suppressed(k));
    print_line(
        "placed places",
        placed.concluded,
        compute,
        suppress,
        &city.tables(),
        &info,
    );

    let (ended, compute) = timed(|| termination_report(&terminations, &filter).unwrap());
    let (city, suppress) = timed(|| ended.suppressed(k));
    print_line(
        "terminations",
        ended.count,
        compute,
        suppress,
        &city.tables(),
        &info,
    );

    let (open, compute) = timed(|| demand_report(&demands, &owners, &filter).unwrap());
    let (city, suppress) = timed(|| open.suppressed(k));
    print_line(
        "unmet demand",
        open.open,
        compute,
        suppress,
        &city.tables(),
        &info,
    );

    // The provider filter walks every demand's wishes through the owner map.
    let mut by_provider = filter.clone();
    by_provider.provider = Some("T03".into());
    let (open, compute) = timed(|| demand_report(&demands, &owners, &by_provider).unwrap());
    println!(
        "unmet demand, one provider: {} open, computed in {:.1?}",
        open.open, compute
    );
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

fn print_line(
    name: &str,
    selected: u64,
    compute: Duration,
    suppress: Duration,
    tables: &[Table],
    info: &WorkbookInfo,
) {
    let (bytes, write) = timed(|| workbook(tables, info).expect("workbook written"));
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    println!(
        "{name}: {selected} selected; computed in {compute:.1?}, suppressed in {suppress:.1?}, \
         {} tables ({rows} rows) written in {write:.1?} ({} KiB)",
        tables.len(),
        bytes.len() / 1024
    );
}
