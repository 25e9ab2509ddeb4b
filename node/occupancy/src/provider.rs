//! The Träger's view: the same figures summed across its facilities (Lastenheft 3.8 "sämtliche
//! Auswertungen des Kita-Moduls bezogen auf alle seine Einrichtungen", 3.7.6).

use crate::findings::{Finding, KindCount};
use crate::forecast::{months_of, sum_least_free, Forecast};
use crate::input::{ChildPseudonym, FacilityBook, FacilityId, PlaceKind};
use crate::occupancy::{FacilityOccupancy, Figures, KindFigures, OccupancyError, Prepared};
use crate::period::Period;
use crate::rules::Rules;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// A finding with the facility it is about (`None`: about the Träger as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderFinding {
    pub facility: Option<FacilityId>,
    #[serde(flatten)]
    pub finding: Finding,
}

/// Occupancy of all facilities of a Träger on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderOccupancy {
    pub date: NaiveDate,
    /// Per kind, summed over the facilities. Free places do not move between facilities, so
    /// `free` is the sum of each facility's free places, not total capacity minus total use.
    pub places: Vec<KindFigures>,
    pub total: Figures,
    pub facilities: Vec<FacilityOccupancy>,
    pub findings: Vec<ProviderFinding>,
}

/// One month of the Träger's forecast, summed over its facilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderMonth {
    pub year: i32,
    pub month: u32,
    pub on: NaiveDate,
    pub places: Vec<KindFigures>,
    pub total: Figures,
    /// Per kind, the places free on every day of the month, added up over the facilities.
    pub least_free: Vec<KindCount>,
}

/// The Träger's forecast: the sums per month and each facility's forecast with its moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderForecast {
    pub reference_date: NaiveDate,
    pub period: Period,
    pub months: Vec<ProviderMonth>,
    pub facilities: Vec<Forecast>,
}

fn sum_rows<'a>(rows: impl Iterator<Item = &'a KindFigures>) -> Vec<KindFigures> {
    let mut sums: BTreeMap<PlaceKind, Figures> = BTreeMap::new();
    for r in rows {
        sums.entry(r.kind).or_default().add(&r.figures);
    }
    sums.into_iter()
        .map(|(kind, figures)| KindFigures { kind, figures })
        .collect()
}

fn sum_total<'a>(totals: impl Iterator<Item = &'a Figures>) -> Figures {
    let mut sum = Figures::default();
    for t in totals {
        sum.add(t);
    }
    sum
}

/// Occupancy of every facility in `books` (the Träger's) on `date`, and the sums.
pub fn provider_occupancy(
    books: &[FacilityBook],
    date: NaiveDate,
    rules: &Rules,
) -> Result<ProviderOccupancy, OccupancyError> {
    let prepared = Prepared::new(books, rules)?;
    let facilities: Vec<FacilityOccupancy> = (0..books.len())
        .map(|i| prepared.occupancy_on(i, date))
        .collect();
    let mut findings: Vec<ProviderFinding> = facilities
        .iter()
        .flat_map(|f| {
            f.findings.iter().map(|finding| ProviderFinding {
                facility: Some(f.facility.clone()),
                finding: finding.clone(),
            })
        })
        .collect();
    let mut places_of: BTreeMap<&ChildPseudonym, Vec<FacilityId>> = BTreeMap::new();
    for f in &facilities {
        for c in &f.children {
            places_of
                .entry(&c.child)
                .or_default()
                .push(f.facility.clone());
        }
    }
    for (child, facilities) in places_of {
        if facilities.len() > 1 {
            findings.push(ProviderFinding {
                facility: None,
                finding: Finding::ChildInSeveralFacilities {
                    child: child.clone(),
                    facilities,
                },
            });
        }
    }
    Ok(ProviderOccupancy {
        date,
        places: sum_rows(facilities.iter().flat_map(|f| &f.places)),
        total: sum_total(facilities.iter().map(|f| &f.total)),
        facilities,
        findings,
    })
}

/// The forecast of every facility in `books` (the Träger's) from `reference_date`, and the
/// sums per month.
pub fn provider_forecast(
    books: &[FacilityBook],
    reference_date: NaiveDate,
    rules: &Rules,
) -> Result<ProviderForecast, OccupancyError> {
    let prepared = Prepared::new(books, rules)?;
    let facilities: Vec<Forecast> = (0..books.len())
        .map(|i| prepared.forecast(i, reference_date))
        .collect();
    let (period, months) = months_of(reference_date, rules)
        .unwrap_or_else(|| (Period::from(reference_date), Vec::new()));
    let months = months
        .iter()
        .enumerate()
        .map(|(n, (year, month, days))| {
            // Every facility's forecast has the same months, in the same order.
            let of_month = || facilities.iter().filter_map(move |f| f.months.get(n));
            ProviderMonth {
                year: *year,
                month: *month,
                on: days.start(),
                places: sum_rows(of_month().flat_map(|m| &m.places)),
                total: sum_total(of_month().map(|m| &m.total)),
                least_free: sum_least_free(of_month().flat_map(|m| &m.least_free)),
            }
        })
        .collect();
    Ok(ProviderForecast {
        reference_date,
        period,
        months,
        facilities,
    })
}
