//! What the node hands in: facilities with their approved places and closures, care contracts
//! with time-valid lines, and seat reservations. Small on purpose, so that the node maps its
//! documents field by field (see the crate docs for the mapping from `kitanetz-crdt`).

use crate::period::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_owned())
            }
        }
    };
}

id!(
    /// A child's pseudonym: the only way this crate names a child (reports for roles that need
    /// only figures stay free of names; the Kita's own view resolves it).
    ChildPseudonym
);
id!(
    /// An Einrichtung (`kitanetz_crdt::FacilityId`).
    FacilityId
);
id!(
    /// The pseudonymous handle of the wish a seat is reserved for (`kitanetz_crdt::WishHandle`).
    WishHandle
);

/// Betreuungsart, as `kitanetz_crdt::CareType` (same variants and order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CareType {
    /// Krippe: birth to the 3rd birthday.
    Nursery,
    /// Kindergarten: 3rd birthday to school entry.
    Kindergarten,
    /// Hort: school grades 1–4.
    AfterSchool,
    /// heilpädagogische Plätze.
    Remedial,
    /// Förderhort.
    SupportedAfterSchool,
}

impl CareType {
    pub fn label_de(self) -> &'static str {
        match self {
            CareType::Nursery => "Krippe",
            CareType::Kindergarten => "Kindergarten",
            CareType::AfterSchool => "Hort",
            CareType::Remedial => "Heilpädagogisch",
            CareType::SupportedAfterSchool => "Förderhort",
        }
    }
}

/// The kind of place a child takes: a care type, as a regular or an integration place
/// (I-Krippe, I-Kiga, I-Hort are care types of their own with their own approved places,
/// Lastenheft 3.7.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PlaceKind {
    pub care_type: CareType,
    pub integration: bool,
}

impl PlaceKind {
    pub const fn regular(care_type: CareType) -> PlaceKind {
        PlaceKind {
            care_type,
            integration: false,
        }
    }

    pub const fn integration(care_type: CareType) -> PlaceKind {
        PlaceKind {
            care_type,
            integration: true,
        }
    }

    /// The same place kind with another care type (a switch keeps the integration place).
    pub(crate) fn with_care_type(self, care_type: CareType) -> PlaceKind {
        PlaceKind { care_type, ..self }
    }
}

impl fmt::Display for PlaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.integration {
            write!(f, "Integration-{}", self.care_type.label_de())
        } else {
            f.write_str(self.care_type.label_de())
        }
    }
}

/// What decides a child's school entry (Lastenheft 3.6.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum SchoolEntry {
    /// The statute: school from the school year of the year in which the child completes the
    /// school age by [`crate::Rules::compulsory_cutoff`].
    #[default]
    Statutory,
    /// The parents asked for school entry in the year in which the child completes the school
    /// age by [`crate::Rules::on_request_cutoff`].
    OnRequest,
    /// Schulrücksteller: deferred by the school; goes to school with the school year that
    /// starts in `school_year` and keeps the Kindergarten place until then.
    Deferred { school_year: i32 },
}

/// The child as the occupancy rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub pseudonym: ChildPseudonym,
    pub birth_date: NaiveDate,
    #[serde(default)]
    pub school_entry: SchoolEntry,
}

/// How a contract ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "end")]
pub enum ContractEnd {
    /// Until further notice (the age rules still end Krippe and Kindergarten places).
    Open,
    /// Agreed end without notice; `last_day` is the last day of care.
    Fixed { last_day: NaiveDate },
    /// Notice of exit received on `received_on`; the place is free from the day after
    /// `last_day` (Lastenheft 3.6.15, Satzung § 9 (7)).
    Notice {
        received_on: NaiveDate,
        last_day: NaiveDate,
    },
}

impl ContractEnd {
    pub fn last_day(self) -> Option<NaiveDate> {
        match self {
            ContractEnd::Open => None,
            ContractEnd::Fixed { last_day } | ContractEnd::Notice { last_day, .. } => {
                Some(last_day)
            }
        }
    }
}

/// A change of the contract from a day on (an annex): the line holds until the next line's
/// first day or the contract's end, as `CareContract::effective_lines` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractLine {
    pub valid_from: NaiveDate,
    pub kind: PlaceKind,
    pub daily_hours: Decimal,
    /// The child takes a place held for an employer (Belegrecht, Lastenheft 3.6.10).
    #[serde(default)]
    pub employer_seat: bool,
}

/// A Betreuungsvertrag of one child in the facility of its [`FacilityBook`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub child: Child,
    /// First day of care.
    pub start: NaiveDate,
    pub end: ContractEnd,
    pub lines: Vec<ContractLine>,
}

/// A seat reserved for a wish (status "reserviert"), not yet a contract (Lastenheft 3.6.10:
/// "Separat sind die reservierten Plätze anzugeben").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub wish: WishHandle,
    pub kind: PlaceKind,
    pub period: Period,
}

/// Approved places of one place kind from a day on (Betriebserlaubnis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacesFrom {
    pub valid_from: NaiveDate,
    pub places: u32,
}

/// The approved places of one place kind, changing over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedPlaces {
    pub kind: PlaceKind,
    pub changes: Vec<PlacesFrom>,
}

/// Where the children of a temporarily closed facility are cared for (Lastenheft 3.7.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "substitute")]
pub enum Substitute {
    /// No substitute care (e.g. the closing days 27–30 December, Satzung § 4 (4)).
    None,
    /// A substitute building recorded at the home facility, not a facility of its own
    /// ("brauchen … nicht als gesonderte Einrichtung abgebildet werden").
    Location { name: String },
    /// A regular facility takes the children in: they count as guests against its capacity,
    /// and an overbooking there is allowed with a warning.
    Facility { facility: FacilityId },
}

/// A temporary closure of a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub period: Period,
    pub substitute: Substitute,
    #[serde(default)]
    pub reason: String,
}

/// One facility with everything its occupancy is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityBook {
    pub facility: FacilityId,
    pub approved: Vec<ApprovedPlaces>,
    #[serde(default)]
    pub closures: Vec<Closure>,
    pub contracts: Vec<Contract>,
    #[serde(default)]
    pub reservations: Vec<Reservation>,
}

impl FacilityBook {
    /// Approved places of a kind on a day (0 when the facility has none). Looks at every change
    /// rather than trusting the order: changes merged from two devices come in any order.
    pub fn places_on(&self, kind: PlaceKind, day: NaiveDate) -> u32 {
        self.approved
            .iter()
            .filter(|a| a.kind == kind)
            .flat_map(|a| &a.changes)
            .filter(|c| c.valid_from <= day)
            .max_by_key(|c| c.valid_from)
            .map_or(0, |c| c.places)
    }

    /// Whether the facility has approved places of a care type (any variant) on a day.
    pub fn offers_on(&self, care_type: CareType, day: NaiveDate) -> bool {
        [false, true].into_iter().any(|integration| {
            self.places_on(
                PlaceKind {
                    care_type,
                    integration,
                },
                day,
            ) > 0
        })
    }

    /// The place kinds the permit names (with places or not).
    pub(crate) fn approved_kinds(&self) -> impl Iterator<Item = PlaceKind> + '_ {
        self.approved.iter().map(|a| a.kind)
    }

    /// The closure in force on a day; of overlapping closures the one that started first.
    pub fn closure_on(&self, day: NaiveDate) -> Option<&Closure> {
        self.closures
            .iter()
            .filter(|c| c.period.contains(day))
            .min_by_key(|c| c.period.start())
    }

    /// Days on which the approved places or a closure change (for the split of a month).
    pub(crate) fn change_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        let places = self
            .approved
            .iter()
            .flat_map(|a| &a.changes)
            .map(|c| c.valid_from);
        let closures = self
            .closures
            .iter()
            .flat_map(|c| [Some(c.period.start()), c.period.day_after()])
            .flatten();
        let reservations = self
            .reservations
            .iter()
            .flat_map(|r| [Some(r.period.start()), r.period.day_after()])
            .flatten();
        places.chain(closures).chain(reservations)
    }
}
