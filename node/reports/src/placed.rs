//! Statistik zu vermittelten Plätzen (Lastenheft 3.12.1.3): the contracts concluded in the
//! range, with waiting time, rank of the placed facility, age bands, region and care hours.
//!
//! # Belegrechtsplätze
//! "Belegrechtsplätze sind gesondert auszuweisen": places reserved for an employer are filled by
//! the Kita directly, not through the placement office (RULES.md §2), so their waiting time and
//! wish rank say nothing about placement. They are therefore counted apart: [`PlacedReport::placed`]
//! holds the other contracts only, [`PlacedReport::employer_seats`] the Belegrecht contracts
//! with the same figures, and [`PlacedReport::concluded`] both. No figure mixes the two.
//!
//! # Waiting time
//! Desired start → realised start in calendar days. A start before the desired one waited 0
//! days (and is counted in [`Waiting::started_early`]); a contract without a desired start has
//! no waiting time and no age at desired start ([`Waiting::without_desired_start`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::age::{age_band, AgeBand};
use crate::breakdown::{tally, Breakdown, DayStats, Regions};
use crate::error::ReportError;
use crate::input::{Filter, PlacedContract};
use crate::sheet::{
    ages_table, breakdown_sheet, count_cell, regions_table, selection_table, text, Sheet,
};
use crate::waiting::WaitBand;

/// The wish ranks in table order; `None` is "keine Wunscheinrichtung".
const RANKS: [Option<u8>; 6] = [Some(1), Some(2), Some(3), Some(4), Some(5), None];

/// The placed-places report. Counts of 1..k children are `None` in a [`PlacedReport::suppressed`]
/// report only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacedReport {
    pub filter: Filter,
    /// `Some(k)` in the city's pseudonymous view: cells of 1..k children are hidden.
    pub suppressed_below: Option<u64>,
    /// Contracts concluded in the range that pass the filter, Belegrecht included (a total).
    pub concluded: u64,
    /// The contracts on places without Belegrecht.
    pub placed: PlacedFigures,
    /// The Belegrecht contracts, reported separately.
    pub employer_seats: PlacedFigures,
}

/// The figures of 3.12.1.3 over one set of contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacedFigures {
    /// A total, never hidden.
    pub count: u64,
    pub waiting: Waiting,
    /// Keys 1–5 and `None` (no wished facility), all listed.
    pub wish_rank: Breakdown<Option<u8>>,
    /// Contracts with a desired start only (their total is [`Waiting::days`]' count).
    pub age_at_desired_start: Breakdown<AgeBand>,
    pub age_at_start: Breakdown<AgeBand>,
    /// Of the child's home.
    pub regions: Regions,
    /// By daily hours as contracted (absolute and in percent).
    pub daily_hours: Breakdown<Decimal>,
}

/// Waiting time from desired to realised start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// Over the contracts with a desired start.
    pub days: DayStats,
    pub bands: Breakdown<WaitBand>,
    pub without_desired_start: Option<u64>,
    /// Started before the desired start (counted as 0 days above).
    pub started_early: Option<u64>,
}

/// The report over `contracts` concluded within the filter's range (`concluded_on`, both ends
/// included) that pass its region, provider, municipal and facility filters.
///
/// Refuses a reversed range and a wish rank outside 1–5 (of any contract, so that wrong data is
/// found whatever the filter).
pub fn placed_report(
    contracts: &[PlacedContract],
    filter: &Filter,
) -> Result<PlacedReport, ReportError> {
    filter.check()?;
    if let Some((index, c)) = contracts
        .iter()
        .enumerate()
        .find(|(_, c)| c.wish_rank.is_some_and(|r| !(1..=5).contains(&r)))
    {
        return Err(ReportError::WishRank {
            index,
            facility: c.facility.clone(),
            rank: c.wish_rank.unwrap_or_default(),
        });
    }
    let selected = contracts.iter().filter(|c| {
        filter.in_range(c.concluded_on)
            && filter.region_matches(&c.region)
            && filter.facility_matches(&c.facility, &c.provider, c.provider_is_municipal)
    });
    let (employer, other): (Vec<&PlacedContract>, Vec<&PlacedContract>) =
        selected.partition(|c| c.employer_seat);
    Ok(PlacedReport {
        filter: filter.clone(),
        suppressed_below: None,
        concluded: (employer.len() + other.len()) as u64,
        placed: PlacedFigures::of(&other),
        employer_seats: PlacedFigures::of(&employer),
    })
}

impl PlacedFigures {
    fn of(contracts: &[&PlacedContract]) -> PlacedFigures {
        let mut waited = Vec::new();
        let mut bands = BTreeMap::new();
        let mut without = 0;
        let mut early = 0;
        let mut ranks = BTreeMap::new();
        let mut at_desired = BTreeMap::new();
        let mut at_start = BTreeMap::new();
        let mut hours = BTreeMap::new();
        for c in contracts {
            match c.desired_start {
                Some(desired) => {
                    let days = days_between(desired, c.start);
                    if days < 0 {
                        early += 1;
                    }
                    let days = days.max(0);
                    waited.push(days);
                    tally(&mut bands, WaitBand::of_days(days));
                    tally(&mut at_desired, age_band(c.birth_date, desired));
                }
                None => without += 1,
            }
            tally(&mut ranks, c.wish_rank);
            tally(&mut at_start, age_band(c.birth_date, c.start));
            tally(&mut hours, c.daily_hours.normalize());
        }
        PlacedFigures {
            count: contracts.len() as u64,
            waiting: Waiting {
                days: DayStats::of(&mut waited),
                bands: Breakdown::over(WaitBand::PLACED, &bands),
                without_desired_start: Some(without),
                started_early: Some(early),
            },
            wish_rank: Breakdown::over(RANKS, &ranks),
            age_at_desired_start: Breakdown::over(AgeBand::ALL, &at_desired),
            age_at_start: Breakdown::over(AgeBand::ALL, &at_start),
            regions: Regions::count(contracts.iter().map(|c| &c.region)),
            daily_hours: Breakdown::occurring(&hours),
        }
    }

    /// Cells of 1..`min_children` children hidden; `count` stays.
    pub fn suppressed(&self, min_children: u64) -> PlacedFigures {
        let hide = |n: Option<u64>| n.filter(|&n| n == 0 || n >= min_children);
        PlacedFigures {
            count: self.count,
            waiting: Waiting {
                days: self.waiting.days.suppressed(min_children),
                bands: self.waiting.bands.suppressed(min_children),
                without_desired_start: hide(self.waiting.without_desired_start),
                started_early: hide(self.waiting.started_early),
            },
            wish_rank: self.wish_rank.suppressed(min_children),
            age_at_desired_start: self.age_at_desired_start.suppressed(min_children),
            age_at_start: self.age_at_start.suppressed(min_children),
            regions: self.regions.suppressed(min_children),
            daily_hours: self.daily_hours.suppressed(min_children),
        }
    }
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The German label of a wish rank.
fn rank_label(rank: &Option<u8>) -> Cell {
    match rank {
        Some(n) => Cell::Text(format!("{n}. Wunsch")),
        None => text("keine Wunscheinrichtung"),
    }
}

impl PlacedReport {
    /// The city's pseudonymous view: every breakdown cell of 1..`min_children` children hidden
    /// (`None`, „< k“ in the tables), totals kept; see [`crate::breakdown`] for the rule and its
    /// limits. [`crate::DEFAULT_MIN_CHILDREN`] is 3.
    pub fn suppressed(&self, min_children: u64) -> PlacedReport {
        PlacedReport {
            filter: self.filter.clone(),
            suppressed_below: Some(
                self.suppressed_below
                    .map_or(min_children, |k| k.max(min_children)),
            ),
            concluded: self.concluded,
            placed: self.placed.suppressed(min_children),
            employer_seats: self.employer_seats.suppressed(min_children),
        }
    }

    /// The tables for the Excel writer: the selection, then overview, waiting time, wish rank,
    /// ages (with a column chart), regions and care hours, first for the placed contracts
    /// („Vermittelt – …“), then for the Belegrecht places („Belegrecht – …“).
    pub fn tables(&self) -> Vec<Table> {
        let k = self.suppressed_below;
        let mut tables = vec![selection_table(
            "Vermittelt – Auswahl".to_owned(),
            "Verträge abgeschlossen",
            &self.filter,
            &[],
            k,
        )];
        tables.extend(self.placed.tables("Vermittelt", Some(self), k));
        tables.extend(self.employer_seats.tables("Belegrecht", None, k));
        tables
    }
}

impl PlacedFigures {
    /// `report` is given for the placed contracts, whose overview also shows the totals.
    fn tables(&self, prefix: &str, report: Option<&PlacedReport>, k: Option<u64>) -> Vec<Table> {
        let mut overview = Sheet::new(
            format!("{prefix} – Überblick"),
            vec![
                Column::new("Kennzahl", ColumnKind::Text),
                Column::new("Anzahl", ColumnKind::Integer),
                Column::new("Tage", ColumnKind::Decimal),
            ],
            1,
            k,
        );
        let count_row = |sheet: &mut Sheet, label: &str, n: Option<u64>| {
            let hidden: &[&str] = if n.is_none() { &["Anzahl"] } else { &[] };
            sheet.row(vec![text(label), count_cell(n), Cell::Empty], hidden);
        };
        let days_row = |sheet: &mut Sheet, label: &str, days: Option<Decimal>| {
            let hidden: &[&str] = if days.is_none() && k.is_some() && self.waiting.days.count > 0 {
                &["Tage"]
            } else {
                &[]
            };
            sheet.row(
                vec![
                    text(label),
                    Cell::Empty,
                    days.map_or(Cell::Empty, Cell::Decimal),
                ],
                hidden,
            );
        };
        match report {
            Some(report) => {
                count_row(
                    &mut overview,
                    "Verträge neu abgeschlossen",
                    Some(report.concluded),
                );
                count_row(
                    &mut overview,
                    "davon Belegrechtsplätze (gesondert ausgewiesen)",
                    Some(report.employer_seats.count),
                );
                count_row(&mut overview, "davon vermittelte Plätze", Some(self.count));
            }
            None => count_row(&mut overview, "Belegrechtsplätze", Some(self.count)),
        }
        let waiting = &self.waiting;
        count_row(&mut overview, "mit Wunschtermin", Some(waiting.days.count));
        count_row(
            &mut overview,
            "ohne Wunschtermin",
            waiting.without_desired_start,
        );
        count_row(
            &mut overview,
            "Beginn vor dem Wunschtermin",
            waiting.started_early,
        );
        days_row(&mut overview, "Wartezeit Mittelwert", waiting.days.mean);
        days_row(&mut overview, "Wartezeit Median", waiting.days.median);
        days_row(
            &mut overview,
            "Wartezeit Maximum",
            waiting.days.max.map(Decimal::from),
        );

        let bands = breakdown_sheet(
            format!("{prefix} – Wartezeit"),
            "Wartezeit (Tage)",
            &waiting.bands,
            |band| text(band.label()),
            ColumnKind::Text,
            true,
            k,
        );
        let mut ranks = breakdown_sheet(
            format!("{prefix} – Wunschposition"),
            "Position der Einrichtung",
            &self.wish_rank,
            rank_label,
            ColumnKind::Text,
            false,
            k,
        );
        ranks.column_chart("Position der vermittelten Einrichtung", vec![1]);
        let ages = ages_table(
            format!("{prefix} – Alter"),
            &[
                ("bei Wunschtermin", &self.age_at_desired_start),
                ("bei Betreuungsbeginn", &self.age_at_start),
            ],
            k,
        );
        let hours = breakdown_sheet(
            format!("{prefix} – Betreuungszeit"),
            "Betreuungszeit (Stunden täglich)",
            &self.daily_hours,
            |h| Cell::Decimal(*h),
            ColumnKind::Decimal,
            true,
            k,
        );
        vec![
            overview.done(),
            bands.done(),
            ranks.done(),
            ages,
            regions_table(format!("{prefix} – Regionen"), &self.regions, k),
            hours.done(),
        ]
    }
}
