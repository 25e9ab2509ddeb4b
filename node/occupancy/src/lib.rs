//! Kitanetz occupancy (Belegung): pure rules, no I/O and no clock — the reference date is passed
//! in (STYLE.md 1).
//!
//! - [`occupancy_on`]: a facility on any reference date (Lastenheft 3.6.10, 3.7.6): children
//!   under contract per kind of place (care type, regular or integration), employer seats
//!   among them, reservations and guests apart, against the approved places; free places.
//! - Flexible use of the total capacity (3.6.19): a kind over its own places borrows other
//!   kinds' spare places with a [`Finding::FlexibleUse`] warning naming kind and number; over the
//!   total is [`Finding::OverTotalCapacity`], an error.
//! - Temporary closures (3.7.1.3): children are shown at the substitute building, as guests of
//!   a substitute facility (counted against its capacity, overbooking a warning), or as not
//!   cared for; they keep their places at home.
//! - [`forecast()`]: a year month by month (3.6.10, 3.12.1.2) with the Krippe → Kindergarten
//!   switch (3.6.16), school entry (3.6.17, Schulrücksteller keep their place), exits with
//!   notice (3.6.15); every [`Movement`] names the child's pseudonym, the day and the rule.
//! - [`provider_occupancy`], [`provider_forecast`]: the same summed across a Träger's
//!   facilities (3.8).
//! - [`switch_list`], [`school_list`]: the Kita lead's lists (3.6.16, 3.6.17).
//!
//! Ages are counted as German law counts them ([`age`]); every number a statute sets is in
//! [`Rules`].
//!
//! # Mapping from the node's documents
//!
//! This crate does not depend on `kitanetz-crdt` (it pulls automerge). The node maps:
//! - `FacilityLicence` → [`FacilityBook`]: `care_types[].places` (a `Timeline<u32>`) →
//!   [`ApprovedPlaces`] with `kind = PlaceKind::regular(care_type)`, one [`PlacesFrom`] per
//!   change; integration places as `PlaceKind::integration(..)` once the licence records them.
//!   `closures` (not permanent) → [`Closure`]: `substitute_location` non-empty →
//!   [`Substitute::Location`], empty → [`Substitute::None`]; a regular substitute facility →
//!   [`Substitute::Facility`].
//! - `CareContract` → [`Contract`]: `child` → [`Child`] (the pseudonym, the family document's
//!   `birth_date`, the Schulrücksteller flag as [`SchoolEntry`]); `period.start()` → `start`;
//!   `period.end()` with `notice_given_on` → [`ContractEnd::Notice`], without →
//!   [`ContractEnd::Fixed`], open → [`ContractEnd::Open`]; `effective_lines()` → [`ContractLine`]
//!   (`valid.start()`, care type with the child's `integration_need`, `daily_hours`,
//!   `reserved_seat` as `employer_seat`).
//! - `SeatLedger` holds with status `Reserved` → [`Reservation`] with the months held as
//!   period (first day of the first month to last day of the last).

pub mod age;
pub mod findings;
pub mod forecast;
pub mod input;
pub mod lists;
pub mod occupancy;
pub mod period;
pub mod projection;
pub mod provider;
pub mod rules;

pub use findings::{Finding, KindCount, Level};
pub use forecast::{forecast, Forecast, ForecastMonth, LeastFree};
pub use input::{
    ApprovedPlaces, CareType, Child, ChildPseudonym, Closure, Contract, ContractEnd, ContractLine,
    FacilityBook, FacilityId, PlaceKind, PlacesFrom, Reservation, SchoolEntry, Substitute,
    WishHandle,
};
pub use lists::{
    school_list, switch_list, SchoolEntrant, SchoolList, SchoolYearCase, SwitchCandidate,
    SwitchStatus,
};
pub use occupancy::{
    occupancy_on, CareLocation, ChildOnDate, ClosureOnDate, FacilityOccupancy, Figures, Guest,
    KindFigures, NotCounted, OccupancyError, ReservedSeat,
};
pub use period::{EndBeforeStart, Period};
pub use projection::{
    earliest_exit_after_notice, school_entry, switch_window, Basis, Movement, MovementReason,
    SchoolEntryDate, SchoolEntryRule, SwitchWindow,
};
pub use provider::{
    provider_forecast, provider_occupancy, ProviderFinding, ProviderForecast, ProviderMonth,
    ProviderOccupancy,
};
pub use rules::{MonthDay, NotADayOfEveryYear, Rules, RulesError};

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
