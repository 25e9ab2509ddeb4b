//! The statistics reports of Lastenheft 3.12 for Kitanetz, from plain pseudonymous records.
//! Pure: no clock (the range and its reference date are inputs), no files, no database; the
//! node selects the records of the caller's view, calls a report and writes its [`tables`]
//! with `kitanetz-sheets`.
//!
//! | Lastenheft | records | report |
//! |---|---|---|
//! | 3.12.1.3 Statistik zu vermittelten Plätzen | [`PlacedContract`] | [`placed_report`] → [`PlacedReport`] |
//! | 3.12.1.4 Statistik der gekündigten Betreuungsverträge | [`Termination`] | [`termination_report`] → [`TerminationReport`] |
//! | 3.12.1.5 Unbefriedigte Bedarfe | [`OpenDemand`] | [`demand_report`] → [`DemandReport`] |
//!
//! Every report takes a [`Filter`] (range with both ends included, Ortsamt, Stadtteil, provider,
//! municipal or free, facility), serializes to JSON, has a `suppressed(k)` variant for the
//! city's pseudonymous view ([`breakdown`]: cells of 1..k children hidden, totals kept,
//! default k = [`DEFAULT_MIN_CHILDREN`]) and a `tables()` for the Excel writer.
//!
//! Choices where the source is vague, each documented where it is made:
//! - age bands by completed months: 0–11, 12–23, 24–32, 33 and more ([`AgeBand`],
//!   [`completed_months`]);
//! - waiting time in calendar days from desired to realised start, an earlier start counting as
//!   0 ([`placed`]); for open demands until the reference date, "not yet due" when negative
//!   ([`demand`]);
//! - Belegrecht places counted apart from the placed places, with the same figures
//!   ([`placed`]);
//! - registrations by month only see the records passed in: the unmet-demand report counts the
//!   open ones, so to list every registration of a range (placed ones too) the node calls
//!   [`demand_report`] a second time with all applications of the range and reads its
//!   `registrations`.
//!
//! ```
//! use chrono::NaiveDate;
//! use kitanetz_reports::{placed_report, Filter, PlacedContract, Region};
//!
//! let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let contract = PlacedContract {
//!     facility: "K1".into(),
//!     facility_name: "Kita am Park".into(),
//!     provider: "city".into(),
//!     provider_is_municipal: true,
//!     region: Region { ortsamt: "Altstadt".into(), stadtteil: "Seevorstadt".into() },
//!     birth_date: day(2024, 3, 10),
//!     desired_start: Some(day(2025, 3, 1)),
//!     start: day(2025, 4, 1),
//!     concluded_on: day(2025, 1, 15),
//!     wish_rank: Some(1),
//!     daily_hours: "9".parse().unwrap(),
//!     care_type: "krippe".into(),
//!     employer_seat: false,
//! };
//! let report = placed_report(&[contract], &Filter::range(day(2025, 1, 1), day(2025, 6, 30))).unwrap();
//! assert_eq!(report.placed.waiting.days.max, Some(31));
//! // The city's view: the one child is hidden in every breakdown, the total stays.
//! let city = report.suppressed(kitanetz_reports::DEFAULT_MIN_CHILDREN);
//! assert_eq!(city.placed.wish_rank.count(&Some(1)), None);
//! assert_eq!(city.placed.count, 1);
//! let tables = city.tables();
//! assert_eq!(tables[0].title, "Vermittelt – Auswahl");
//! ```
//!
//! [`tables`]: PlacedReport::tables

pub mod age;
pub mod breakdown;
pub mod demand;
mod error;
pub mod input;
pub mod placed;
mod sheet;
pub mod terminations;
pub mod waiting;

pub use age::{age_band, completed_months, AgeBand};
pub use breakdown::{
    percent, Breakdown, DayStats, Entry, OrtsamtEntry, Regions, YearMonth, DEFAULT_MIN_CHILDREN,
};
pub use demand::{demand_report, DemandReport, MonthRegistrations};
pub use error::ReportError;
pub use input::{
    FacilityOwner, FacilityOwners, Filter, OpenDemand, PlacedContract, Region, Termination,
};
pub use placed::{placed_report, PlacedFigures, PlacedReport, Waiting};
pub use terminations::{reason_label, termination_report, TerminationReport};
pub use waiting::WaitBand;
