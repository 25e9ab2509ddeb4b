//! The records the reports count and the filter of Lastenheft 3.12. Pseudonymous by
//! construction: no names, no addresses, only what a statistic needs. The node builds them from
//! its contracts and applications after restricting them to the caller's view (a Kita sees its
//! own facility, a free Träger its facilities, the city everything, pseudonymised).
//!
//! All records deserialize strictly (unknown fields are refused), so a JSON case can feed them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ReportError;

/// The social area (Sozialraum) of a record. Empty strings mean unknown; the reports list the
/// unknown area as its own row, after the known ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub ortsamt: String,
    pub stadtteil: String,
}

/// A care contract concluded (3.12.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacedContract {
    pub facility: String,
    pub facility_name: String,
    pub provider: String,
    pub provider_is_municipal: bool,
    /// Of the child's home; the node falls back to the facility's region when the home's is
    /// unknown.
    pub region: Region,
    pub birth_date: NaiveDate,
    /// From the application; `None` when there was none (a Belegrecht place filled directly,
    /// a child admitted without an application).
    pub desired_start: Option<NaiveDate>,
    /// The realised start of care.
    pub start: NaiveDate,
    /// The day the contract was concluded: the report's range selects on it ("von mm.jjjj bis
    /// mm.jjjj neu abgeschlossen").
    pub concluded_on: NaiveDate,
    /// 1 to 5: the facility's position among the application's wishes; `None` when it was not
    /// wished or there was no application.
    pub wish_rank: Option<u8>,
    pub daily_hours: Decimal,
    pub care_type: String,
    /// The place is one of an employer's reserved places (Belegrechtsplatz).
    pub employer_seat: bool,
}

/// A care contract given notice (3.12.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Termination {
    pub facility: String,
    pub facility_name: String,
    pub provider: String,
    pub provider_is_municipal: bool,
    pub region: Region,
    pub birth_date: NaiveDate,
    pub desired_start: Option<NaiveDate>,
    pub start: NaiveDate,
    /// The day notice was given: the report's range and its months select on it.
    pub notice_on: NaiveDate,
    pub end: NaiveDate,
    /// A code: the six of a contract's notice (`move`, `other-facility`, `school`, `parental-leave`,
    /// `dissatisfied`, `other`) have German labels ([`reason_label`]);
    /// any other code is listed as given.
    ///
    /// [`reason_label`]: crate::reason_label
    pub reason: String,
}

/// An application not (yet) placed (Vormerkung, 3.12.1.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDemand {
    pub region: Region,
    pub birth_date: NaiveDate,
    pub desired_start: NaiveDate,
    pub registered_on: NaiveDate,
    pub care_type: String,
    /// Facility ids in wish order.
    pub wished_facilities: Vec<String>,
}

/// Who runs a facility: the unmet-demand report needs it to apply the provider and municipal
/// filters to a demand's wished facilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityOwner {
    pub provider: String,
    pub provider_is_municipal: bool,
}

/// Facility id → owner.
pub type FacilityOwners = BTreeMap<String, FacilityOwner>;

/// The filters of 3.12 ("nach Ortsamt, Stadtteil; nach bestimmten freien Träger; nach
/// kommunalen Einrichtungen und Einrichtungen freier Träger") and the range. `None` does not
/// filter. Names and ids are compared exactly, as the node stores them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// First day of the range, inclusive.
    pub from: NaiveDate,
    /// Last day of the range, inclusive; the reference date (Stichtag) of the unmet demand.
    pub until: NaiveDate,
    #[serde(default)]
    pub ortsamt: Option<String>,
    #[serde(default)]
    pub stadtteil: Option<String>,
    /// A provider id.
    #[serde(default)]
    pub provider: Option<String>,
    /// `Some(true)`: municipal facilities only; `Some(false)`: free providers' only.
    #[serde(default)]
    pub municipal: Option<bool>,
    /// One facility id: the view of a Kita ("Zugriff auf Daten nur ihrer Einrichtung", 3.12).
    /// Not among the brief's filters, but the role rule needs it.
    #[serde(default)]
    pub facility: Option<String>,
}

impl Filter {
    /// A filter over `[from, until]` that selects nothing else.
    pub fn range(from: NaiveDate, until: NaiveDate) -> Filter {
        Filter {
            from,
            until,
            ortsamt: None,
            stadtteil: None,
            provider: None,
            municipal: None,
            facility: None,
        }
    }

    pub(crate) fn check(&self) -> Result<(), ReportError> {
        if self.from > self.until {
            return Err(ReportError::ReversedRange {
                from: self.from,
                until: self.until,
            });
        }
        Ok(())
    }

    pub(crate) fn in_range(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }

    pub(crate) fn region_matches(&self, region: &Region) -> bool {
        self.ortsamt.as_ref().is_none_or(|o| *o == region.ortsamt)
            && self
                .stadtteil
                .as_ref()
                .is_none_or(|s| *s == region.stadtteil)
    }

    /// Whether one facility passes the facility, provider and municipal filters.
    pub(crate) fn facility_matches(&self, facility: &str, provider: &str, municipal: bool) -> bool {
        self.facility.as_ref().is_none_or(|f| f == facility)
            && self.provider.as_ref().is_none_or(|p| p == provider)
            && self.municipal.is_none_or(|m| m == municipal)
    }

    /// Whether the provider or municipal filter is set, so that demands need their owners.
    pub(crate) fn needs_owners(&self) -> bool {
        self.provider.is_some() || self.municipal.is_some()
    }
}
