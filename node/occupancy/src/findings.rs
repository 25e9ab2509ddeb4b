//! What a person should look at: warnings (allowed, but to be checked) and errors.

use crate::input::{ChildPseudonym, FacilityId, PlaceKind};
use chrono::NaiveDate;
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Allowed, but a person should check it.
    Warning,
    /// Not allowed: more children than the operating permit's total places.
    Error,
}

/// A number of places of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: PlaceKind,
    pub places: u32,
}

/// One finding about the occupancy on a day (or about a contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "finding")]
pub enum Finding {
    /// More children (and reservations, guests) of `kind` than places of that kind, within the
    /// total capacity: they use places of other kinds (Lastenheft 3.6.19, RULES.md §3 "flexibly
    /// inside its total capacity").
    FlexibleUse {
        kind: PlaceKind,
        children: u32,
        on_places_of: Vec<KindCount>,
    },
    /// More children under contract than the total approved places.
    OverTotalCapacity { occupied: u32, capacity: u32 },
    /// Children of a closed facility cared for here push it over its total capacity: allowed
    /// with a warning (Lastenheft 3.7.1.3).
    SubstituteCareOverbooking {
        guests: u32,
        occupied: u32,
        capacity: u32,
    },
    /// Reservations beyond the places that contracts and guests leave (Lastenheft 3.6.10).
    ReservationsBeyondCapacity {
        reserved: u32,
        free_before_reservations: u32,
    },
    /// A child with more than one contract on the day in this facility; counted once.
    ChildCountedOnce {
        child: ChildPseudonym,
        contracts: u32,
    },
    /// A child with places in several facilities of the Träger on the day.
    ChildInSeveralFacilities {
        child: ChildPseudonym,
        facilities: Vec<FacilityId>,
    },
    /// A child on a Kindergarten place before it may switch (Lastenheft 3.6.16, SächsKitaG
    /// § 1 (3)): the "Krippe child on a Kindergarten place" of flexible use.
    YoungChildOnKindergartenPlace {
        child: ChildPseudonym,
        completed_months: u32,
        earliest_switch: NaiveDate,
    },
    /// An exit earlier than the notice period allows (Satzung § 9 (7); a shorter period may be
    /// agreed).
    ShortNotice {
        child: ChildPseudonym,
        received_on: NaiveDate,
        last_day: NaiveDate,
        earliest_last_day: NaiveDate,
    },
    /// A contract without lines, or ending before it starts: it takes no place.
    ContractWithoutPlace { child: ChildPseudonym },
}

impl Finding {
    pub fn level(&self) -> Level {
        match self {
            Finding::OverTotalCapacity { .. } => Level::Error,
            _ => Level::Warning,
        }
    }

    /// The sources of the rule behind the finding.
    pub fn source(&self) -> &'static str {
        match self {
            Finding::FlexibleUse { .. } | Finding::OverTotalCapacity { .. } => {
                "Lastenheft 3.6.19, 3.7.1.1; RULES.md §3"
            }
            Finding::SubstituteCareOverbooking { .. } => "Lastenheft 3.7.1.3",
            Finding::ReservationsBeyondCapacity { .. } => "Lastenheft 3.6.10; RULES.md §2",
            Finding::ChildCountedOnce { .. } | Finding::ChildInSeveralFacilities { .. } => {
                "Lastenheft 3.6.10"
            }
            Finding::YoungChildOnKindergartenPlace { .. } => {
                "Lastenheft 3.6.16; SächsKitaG § 1 Abs. 3"
            }
            Finding::ShortNotice { .. } => "Lastenheft 3.6.15; Satzung § 9 Abs. 7",
            Finding::ContractWithoutPlace { .. } => "Lastenheft 3.6.14",
        }
    }

    /// The finding in words (German, as the Kita lead reads it).
    pub fn explain_de(&self) -> String {
        let text = match self {
            Finding::FlexibleUse {
                kind,
                children,
                on_places_of,
            } => {
                let on: Vec<String> = on_places_of
                    .iter()
                    .map(|c| format!("{} {}", c.places, c.kind))
                    .collect();
                format!(
                    "{children} {kind}-Kind(er) über den genehmigten {kind}-Plätzen, innerhalb der Gesamtkapazität auf Plätzen: {}",
                    if on.is_empty() { "—".to_owned() } else { on.join(", ") }
                )
            }
            Finding::OverTotalCapacity { occupied, capacity } => format!(
                "Überbelegung: {occupied} Kinder mit Vertrag bei {capacity} genehmigten Plätzen insgesamt"
            ),
            Finding::SubstituteCareOverbooking {
                guests,
                occupied,
                capacity,
            } => format!(
                "Überbelegung durch Ausweichbetreuung: {occupied} eigene Kinder und {guests} Kinder einer geschlossenen Einrichtung bei {capacity} Plätzen"
            ),
            Finding::ReservationsBeyondCapacity {
                reserved,
                free_before_reservations,
            } => format!(
                "{reserved} Reservierungen, aber nur {free_before_reservations} freie Plätze"
            ),
            Finding::ChildCountedOnce { child, contracts } => format!(
                "{child} hat an diesem Tag {contracts} Verträge in der Einrichtung; einmal gezählt"
            ),
            Finding::ChildInSeveralFacilities { child, facilities } => {
                let names: Vec<&str> = facilities.iter().map(|f| f.0.as_str()).collect();
                format!(
                    "{child} belegt an diesem Tag Plätze in mehreren Einrichtungen: {}",
                    names.join(", ")
                )
            }
            Finding::YoungChildOnKindergartenPlace {
                child,
                completed_months,
                earliest_switch,
            } => format!(
                "{child} ({completed_months} vollendete Lebensmonate) auf einem Kindergartenplatz; Wechsel frühestens ab {earliest_switch}"
            ),
            Finding::ShortNotice {
                child,
                received_on,
                last_day,
                earliest_last_day,
            } => format!(
                "{child}: Kündigung vom {received_on} zum {last_day}; die Kündigungsfrist reicht bis {earliest_last_day} (Verkürzung nur nach Vereinbarung)"
            ),
            Finding::ContractWithoutPlace { child } => format!(
                "{child}: Vertrag ohne gültige Vertragszeile oder mit Ende vor Beginn; kein Platz gezählt"
            ),
        };
        format!("{text} — {}", self.source())
    }
}
