//! Unbefriedigte Bedarfe (Lastenheft 3.12.1.5): the open demands (Vormerkungen) on the reference
//! date — the filter's `until` — with waiting time so far, age band, region, and the
//! registrations of the range by month and age band ("Anmeldungen spezifisch nach
//! Altersbereichen … monatsweise").
//!
//! - Open on the reference date: every demand given that was registered on or before it; `from`
//!   does not narrow the stock (a demand from before the range is still unmet).
//! - Waiting so far: reference date − desired start in days; a desired start after the
//!   reference date is "not yet due" and stays out of mean, median and maximum.
//! - Age: the band on the reference date.
//! - Registrations: demands registered within `[from, until]`, by month of registration and
//!   the age band at the desired start (the place they need). Only the demands passed in are
//!   counted: to count every registration of the range, placed ones included, the node passes
//!   those too (see the crate documentation).
//! - Filters: region as for contracts; facility, provider and municipal match a demand when one
//!   of its wished facilities passes all three (the provider filter needs the owners).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
use serde::Serialize;

use crate::age::{age_band, AgeBand};
use crate::breakdown::{tally, Breakdown, DayStats, Entry, Regions, YearMonth};
use crate::error::ReportError;
use crate::input::{FacilityOwners, Filter, OpenDemand};
use crate::placed::days_between;
use crate::sheet::{
    ages_table, breakdown_sheet, count_cell, regions_table, selection_table, text, Sheet,
};
use crate::waiting::WaitBand;

/// The unmet-demand report. Counts of 1..k children are `None` in a
/// [`DemandReport::suppressed`] report only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemandReport {
    pub filter: Filter,
    pub suppressed_below: Option<u64>,
    /// The filter's `until`.
    pub reference_date: NaiveDate,
    /// Open demands on the reference date (a total).
    pub open: u64,
    /// Waiting so far of the demands already due.
    pub waiting: DayStats,
    /// All of [`WaitBand::OPEN`], "not yet due" first.
    pub waiting_bands: Breakdown<WaitBand>,
    /// Age band on the reference date.
    pub age: Breakdown<AgeBand>,
    pub regions: Regions,
    /// Every month of the range.
    pub registrations: Vec<MonthRegistrations>,
    /// Registrations of the whole range by age band; its total is never hidden.
    pub registrations_by_age: Breakdown<AgeBand>,
}

/// Registrations of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthRegistrations {
    pub month: YearMonth,
    /// A cell of the monthly list, hidden like the others.
    pub count: Option<u64>,
    /// By age band at the desired start; percentages of the month's count.
    pub by_age: Vec<Entry<AgeBand>>,
}

/// The report over `demands` on the filter's `until`; `owners` maps wished facilities to their
/// provider and is only read when the provider or municipal filter is set (it may be empty
/// otherwise).
///
/// Refuses a reversed range, and — with a provider or municipal filter — a wished facility of
/// a demand in the region filter that `owners` does not know.
pub fn demand_report(
    demands: &[OpenDemand],
    owners: &FacilityOwners,
    filter: &Filter,
) -> Result<DemandReport, ReportError> {
    filter.check()?;
    let reference = filter.until;
    let mut selected = Vec::new();
    for (index, demand) in demands.iter().enumerate() {
        if demand.registered_on > reference || !filter.region_matches(&demand.region) {
            continue;
        }
        if wishes_match(index, demand, owners, filter)? {
            selected.push(demand);
        }
    }

    let mut waited = Vec::new();
    let mut bands = BTreeMap::new();
    let mut ages = BTreeMap::new();
    let mut monthly: BTreeMap<YearMonth, BTreeMap<AgeBand, u64>> = BTreeMap::new();
    let mut registered = BTreeMap::new();
    for demand in &selected {
        let days = days_between(demand.desired_start, reference);
        if days >= 0 {
            waited.push(days);
        }
        tally(&mut bands, WaitBand::of_days(days));
        tally(&mut ages, age_band(demand.birth_date, reference));
        if filter.in_range(demand.registered_on) {
            let band = age_band(demand.birth_date, demand.desired_start);
            tally(
                monthly
                    .entry(YearMonth::of(demand.registered_on))
                    .or_default(),
                band,
            );
            tally(&mut registered, band);
        }
    }
    let registrations = YearMonth::span(filter.from, reference)
        .into_iter()
        .map(|month| {
            let counts = monthly.remove(&month).unwrap_or_default();
            let breakdown = Breakdown::over(AgeBand::ALL, &counts);
            MonthRegistrations {
                month,
                count: Some(breakdown.total),
                by_age: breakdown.entries,
            }
        })
        .collect();
    Ok(DemandReport {
        filter: filter.clone(),
        suppressed_below: None,
        reference_date: reference,
        open: selected.len() as u64,
        waiting: DayStats::of(&mut waited),
        waiting_bands: Breakdown::over(WaitBand::OPEN, &bands),
        age: Breakdown::over(AgeBand::ALL, &ages),
        regions: Regions::count(selected.iter().map(|d| &d.region)),
        registrations,
        registrations_by_age: Breakdown::over(AgeBand::ALL, &registered),
    })
}

/// Whether one wished facility passes the facility, provider and municipal filters.
fn wishes_match(
    index: usize,
    demand: &OpenDemand,
    owners: &FacilityOwners,
    filter: &Filter,
) -> Result<bool, ReportError> {
    if filter.facility.is_none() && !filter.needs_owners() {
        return Ok(true);
    }
    for facility in &demand.wished_facilities {
        let matched = if filter.needs_owners() {
            let owner = owners
                .get(facility)
                .ok_or_else(|| ReportError::UnknownFacility {
                    index,
                    facility: facility.clone(),
                })?;
            filter.facility_matches(facility, &owner.provider, owner.provider_is_municipal)
        } else {
            filter.facility.as_ref() == Some(facility)
        };
        if matched {
            return Ok(true);
        }
    }
    Ok(false)
}

impl DemandReport {
    /// The city's pseudonymous view (see [`crate::breakdown`]): cells of 1..`min_children`
    /// children hidden, `open`, the city total and the range's registration total kept.
    pub fn suppressed(&self, min_children: u64) -> DemandReport {
        let hide = |n: Option<u64>| n.filter(|&n| n == 0 || n >= min_children);
        DemandReport {
            filter: self.filter.clone(),
            suppressed_below: Some(
                self.suppressed_below
                    .map_or(min_children, |k| k.max(min_children)),
            ),
            reference_date: self.reference_date,
            open: self.open,
            waiting: self.waiting.suppressed(min_children),
            waiting_bands: self.waiting_bands.suppressed(min_children),
            age: self.age.suppressed(min_children),
            regions: self.regions.suppressed(min_children),
            registrations: self
                .registrations
                .iter()
                .map(|m| MonthRegistrations {
                    month: m.month,
                    count: hide(m.count),
                    by_age: Breakdown {
                        entries: m.by_age.clone(),
                        total: 0,
                    }
                    .suppressed(min_children)
                    .entries,
                })
                .collect(),
            registrations_by_age: self.registrations_by_age.suppressed(min_children),
        }
    }

    /// Selection, overview, waiting time, ages (column chart), regions and the monthly
    /// registrations by age band.
    pub fn tables(&self) -> Vec<Table> {
        let k = self.suppressed_below;
        let mut overview = Sheet::new(
            "Bedarfe – Überblick".to_owned(),
            vec![
                Column::new("Kennzahl", ColumnKind::Text),
                Column::new("Anzahl", ColumnKind::Integer),
                Column::new("Tage", ColumnKind::Decimal),
            ],
            1,
            k,
        );
        overview.row(
            vec![
                text("Offene Vormerkungen am Stichtag"),
                count_cell(Some(self.open)),
                Cell::Empty,
            ],
            &[],
        );
        overview.row(
            vec![
                text("davon fällig"),
                count_cell(Some(self.waiting.count)),
                Cell::Empty,
            ],
            &[],
        );
        let hidden_days: &[&str] =
            if k.is_some() && self.waiting.count > 0 && self.waiting.mean.is_none() {
                &["Tage"]
            } else {
                &[]
            };
        for (label, days) in [
            ("Wartezeit bisher Mittelwert", self.waiting.mean),
            ("Wartezeit bisher Median", self.waiting.median),
            ("Wartezeit bisher Maximum", self.waiting.max.map(Into::into)),
        ] {
            overview.row(
                vec![
                    text(label),
                    Cell::Empty,
                    days.map_or(Cell::Empty, Cell::Decimal),
                ],
                hidden_days,
            );
        }
        vec![
            selection_table(
                "Bedarfe – Auswahl".to_owned(),
                "Anmeldungen",
                &self.filter,
                &[(
                    "Stichtag",
                    self.reference_date.format("%d.%m.%Y").to_string(),
                )],
                k,
            ),
            overview.done(),
            breakdown_sheet(
                "Bedarfe – Wartezeit".to_owned(),
                "Wartezeit bisher (Tage)",
                &self.waiting_bands,
                |band| text(band.label()),
                ColumnKind::Text,
                true,
                k,
            )
            .done(),
            ages_table(
                "Bedarfe – Alter".to_owned(),
                &[("am Stichtag", &self.age)],
                k,
            ),
            regions_table("Bedarfe – Regionen".to_owned(), &self.regions, k),
            self.registrations_table(),
        ]
    }

    /// Monat, one column per age band, Gesamt; a last row over the range.
    fn registrations_table(&self) -> Table {
        let k = self.suppressed_below;
        let mut columns = vec![Column::new("Monat der Anmeldung", ColumnKind::Text)];
        columns.extend(
            AgeBand::ALL
                .iter()
                .map(|band| Column::new(band.label(), ColumnKind::Integer)),
        );
        columns.push(Column::new("Gesamt", ColumnKind::Integer));
        let mut sheet = Sheet::new(
            "Bedarfe – Anmeldungen".to_owned(),
            columns,
            AgeBand::ALL.len() + 1,
            k,
        );
        let mut row = |label: String, by_age: &[Entry<AgeBand>], total: Option<u64>| {
            let mut cells = vec![Cell::Text(label)];
            let mut hidden = Vec::new();
            for entry in by_age {
                if entry.count.is_none() {
                    hidden.push(entry.key.label());
                }
                cells.push(count_cell(entry.count));
            }
            if total.is_none() {
                hidden.push("Gesamt");
            }
            cells.push(count_cell(total));
            sheet.row(cells, &hidden);
        };
        for month in &self.registrations {
            row(month.month.label(), &month.by_age, month.count);
        }
        row(
            "Zeitraum gesamt".to_owned(),
            &self.registrations_by_age.entries,
            Some(self.registrations_by_age.total),
        );
        sheet.done()
    }
}
