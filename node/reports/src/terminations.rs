//! Statistik der gekündigten Betreuungsverträge (Lastenheft 3.12.1.4): the notices given in the
//! range, by month of the notice, age band (at desired start and at start), region and reason.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use kitanetz_sheets::{Column, ColumnKind, Table};
use serde::Serialize;

use crate::age::{age_band, AgeBand};
use crate::breakdown::{tally, Breakdown, Regions, YearMonth};
use crate::error::ReportError;
use crate::input::{Filter, Termination};
use crate::sheet::{
    ages_table, breakdown_sheet, count_cell, regions_table, selection_table, text, Sheet,
};

/// Reason codes with a German label, in table order.
/// The codes are those of a contract's notice (`kitanetz_crdt::kinds::contract::NOTICE_REASONS`).
const REASONS: [(&str, &str); 6] = [
    ("move", "Umzug"),
    ("other-facility", "Wechsel in eine andere Einrichtung"),
    ("school", "Schuleintritt"),
    ("parental-leave", "Elternzeit / Betreuung zu Hause"),
    ("dissatisfied", "Unzufriedenheit"),
    ("other", "Sonstiges"),
];

/// The German label of a termination reason code; an unknown code is shown as given, an empty
/// one as „ohne Angabe“.
pub fn reason_label(code: &str) -> &str {
    if code.is_empty() {
        return "ohne Angabe";
    }
    REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, label)| label)
}

/// Known codes in [`REASONS`] order, then the others alphabetically, the empty code last. Not
/// by count: in a suppressed report an order by size would tell the hidden cells apart.
fn reason_order(a: &String, b: &String) -> Ordering {
    let rank = |code: &str| {
        REASONS
            .iter()
            .position(|(c, _)| *c == code)
            .unwrap_or(if code.is_empty() {
                REASONS.len() + 1
            } else {
                REASONS.len()
            })
    };
    (rank(a), a).cmp(&(rank(b), b))
}

/// The terminations report. Counts of 1..k children are `None` in a
/// [`TerminationReport::suppressed`] report only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminationReport {
    pub filter: Filter,
    pub suppressed_below: Option<u64>,
    /// Notices in the range passing the filter (a total).
    pub count: u64,
    /// Every month of the range, by the month of the notice.
    pub by_month: Breakdown<YearMonth>,
    /// Contracts with a desired start only.
    pub age_at_desired_start: Breakdown<AgeBand>,
    pub without_desired_start: Option<u64>,
    pub age_at_start: Breakdown<AgeBand>,
    pub regions: Regions,
    /// By reason code: the codes that occur (see [`reason_label`]).
    pub reasons: Breakdown<String>,
}

/// The report over `terminations` whose notice was given within the filter's range (both ends
/// included) and that pass its other filters.
pub fn termination_report(
    terminations: &[Termination],
    filter: &Filter,
) -> Result<TerminationReport, ReportError> {
    filter.check()?;
    let selected: Vec<&Termination> = terminations
        .iter()
        .filter(|t| {
            filter.in_range(t.notice_on)
                && filter.region_matches(&t.region)
                && filter.facility_matches(&t.facility, &t.provider, t.provider_is_municipal)
        })
        .collect();
    let mut months = BTreeMap::new();
    let mut at_desired = BTreeMap::new();
    let mut without = 0;
    let mut at_start = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    for t in &selected {
        tally(&mut months, YearMonth::of(t.notice_on));
        match t.desired_start {
            Some(desired) => tally(&mut at_desired, age_band(t.birth_date, desired)),
            None => without += 1,
        }
        tally(&mut at_start, age_band(t.birth_date, t.start));
        tally(&mut reasons, t.reason.clone());
    }
    let mut reason_keys: Vec<String> = reasons.keys().cloned().collect();
    reason_keys.sort_by(reason_order);
    Ok(TerminationReport {
        filter: filter.clone(),
        suppressed_below: None,
        count: selected.len() as u64,
        by_month: Breakdown::over(YearMonth::span(filter.from, filter.until), &months),
        age_at_desired_start: Breakdown::over(AgeBand::ALL, &at_desired),
        without_desired_start: Some(without),
        age_at_start: Breakdown::over(AgeBand::ALL, &at_start),
        regions: Regions::count(selected.iter().map(|t| &t.region)),
        reasons: Breakdown::over(reason_keys, &reasons),
    })
}

impl TerminationReport {
    /// The city's pseudonymous view (see [`crate::breakdown`]): cells of 1..`min_children`
    /// children hidden, `count` and the city total kept.
    pub fn suppressed(&self, min_children: u64) -> TerminationReport {
        TerminationReport {
            filter: self.filter.clone(),
            suppressed_below: Some(
                self.suppressed_below
                    .map_or(min_children, |k| k.max(min_children)),
            ),
            count: self.count,
            by_month: self.by_month.suppressed(min_children),
            age_at_desired_start: self.age_at_desired_start.suppressed(min_children),
            without_desired_start: self
                .without_desired_start
                .filter(|&n| n == 0 || n >= min_children),
            age_at_start: self.age_at_start.suppressed(min_children),
            regions: self.regions.suppressed(min_children),
            reasons: self.reasons.suppressed(min_children),
        }
    }

    /// Selection, overview, months, ages (column chart), regions and reasons.
    pub fn tables(&self) -> Vec<Table> {
        let k = self.suppressed_below;
        let mut overview = Sheet::new(
            "Kündigungen – Überblick".to_owned(),
            vec![
                Column::new("Kennzahl", ColumnKind::Text),
                Column::new("Anzahl", ColumnKind::Integer),
            ],
            1,
            k,
        );
        overview.row(vec![text("Kündigungen"), count_cell(Some(self.count))], &[]);
        let hidden: &[&str] = if self.without_desired_start.is_none() {
            &["Anzahl"]
        } else {
            &[]
        };
        overview.row(
            vec![
                text("davon ohne Wunschtermin"),
                count_cell(self.without_desired_start),
            ],
            hidden,
        );
        vec![
            selection_table(
                "Kündigungen – Auswahl".to_owned(),
                "Kündigung ausgesprochen",
                &self.filter,
                &[],
                k,
            ),
            overview.done(),
            breakdown_sheet(
                "Kündigungen – Monate".to_owned(),
                "Monat der Kündigung",
                &self.by_month,
                |m| text(&m.label()),
                ColumnKind::Text,
                true,
                k,
            )
            .done(),
            ages_table(
                "Kündigungen – Alter".to_owned(),
                &[
                    ("bei Wunschtermin", &self.age_at_desired_start),
                    ("bei Betreuungsbeginn", &self.age_at_start),
                ],
                k,
            ),
            regions_table("Kündigungen – Regionen".to_owned(), &self.regions, k),
            breakdown_sheet(
                "Kündigungen – Gründe".to_owned(),
                "Grund der Kündigung",
                &self.reasons,
                |code| text(reason_label(code)),
                ColumnKind::Text,
                true,
                k,
            )
            .done(),
        ]
    }
}
