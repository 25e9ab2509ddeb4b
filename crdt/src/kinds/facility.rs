//! Facilities (Einrichtungen). Two documents per Kita because two organisations write them:
//! the Träger writes the profile, the city writes the licence (care types, approved places).

use crate::ids::{FacilityId, ProviderId};
use crate::kinds::optional_email;
use crate::period::{Period, Timeline};
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Betreuungsart.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Reconcile,
    Hydrate,
)]
pub enum CareType {
    /// Krippe: birth to 3rd birthday
    Nursery,
    /// Kindergarten: 3rd birthday to school entry
    Kindergarten,
    /// Hort: school grades 1–4
    AfterSchool,
    /// heilpädagogische Plätze
    Remedial,
    /// Förderhort
    SupportedAfterSchool,
}

impl CareType {
    pub const ALL: [CareType; 5] = [
        CareType::Nursery,
        CareType::Kindergarten,
        CareType::AfterSchool,
        CareType::Remedial,
        CareType::SupportedAfterSchool,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareType::Nursery => "nursery",
            CareType::Kindergarten => "kindergarten",
            CareType::AfterSchool => "after-school",
            CareType::Remedial => "remedial",
            CareType::SupportedAfterSchool => "supported-after-school",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            CareType::Nursery => "Krippe",
            CareType::Kindergarten => "Kindergarten",
            CareType::AfterSchool => "Hort",
            CareType::Remedial => "Heilpädagogisch",
            CareType::SupportedAfterSchool => "Förderhort",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CareType::Nursery => "Nursery",
            CareType::Kindergarten => "Kindergarten",
            CareType::AfterSchool => "After-school care",
            CareType::Remedial => "Remedial",
            CareType::SupportedAfterSchool => "Supported after-school care",
        }
    }

    pub fn parse(s: &str) -> Option<CareType> {
        CareType::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Address {
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// WGS84, for the map; optional.
    pub lat: Option<Dec>,
    pub lon: Option<Dec>,
}

impl Address {
    pub(crate) fn check(&self, v: &mut Validator, field: &str) {
        v.text(&format!("{field}.street"), &self.street, 200);
        v.check(
            self.postcode.len() == 5 && self.postcode.bytes().all(|b| b.is_ascii_digit()),
            format!("{field}.postcode"),
            "fünfstellige Postleitzahl / five-digit postcode",
        );
        v.text(&format!("{field}.city"), &self.city, 100);
        if let Some(lat) = self.lat {
            v.check(
                lat.0.abs() <= Decimal::from(90),
                format!("{field}.lat"),
                "Breitengrad −90…90 / latitude −90…90",
            );
        }
        if let Some(lon) = self.lon {
            v.check(
                lon.0.abs() <= Decimal::from(180),
                format!("{field}.lon"),
                "Längengrad −180…180 / longitude −180…180",
            );
        }
        v.check(
            self.lat.is_some() == self.lon.is_some(),
            format!("{field}.lon"),
            "Breite und Länge nur gemeinsam / latitude and longitude together",
        );
    }
}

/// Public profile, written by the Träger (and its Kita).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FacilityProfile {
    pub id: FacilityId,
    pub provider: ProviderId,
    pub name: String,
    pub address: Address,
    /// Ortsamt / district
    pub district: String,
    /// Kostenstelle
    pub cost_centre: String,
    pub opening_hours: String,
    pub concept: String,
    pub email: String,
    pub phone: String,
    pub lead_name: String,
}

impl FacilityProfile {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 200);
        self.address.check(&mut v, "address");
        v.text("district", &self.district, 100);
        v.optional_text("cost_centre", &self.cost_centre, 40);
        v.optional_text("opening_hours", &self.opening_hours, 200);
        v.optional_text("concept", &self.concept, 4000);
        optional_email(&mut v, "email", &self.email);
        v.optional_text("phone", &self.phone, 40);
        v.optional_text("lead_name", &self.lead_name, 200);
        v.finish()
    }
}

/// Belegrechte: places reserved for an employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ReservedSeats {
    pub holder: String,
    pub care_type: CareType,
    pub places: u32,
    pub period: Period,
}

/// Temporary (with substitute location and reduced capacity) or permanent closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Closure {
    pub period: Period,
    pub permanent: bool,
    pub substitute_location: String,
    pub reduced_capacity: Option<u32>,
    pub reason: String,
}

/// The approved places of one care type, changing over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ApprovedPlaces {
    pub care_type: CareType,
    pub places: Timeline<u32>,
}

/// Licence data, written by the city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FacilityLicence {
    pub id: FacilityId,
    pub provider: ProviderId,
    pub operating_licence_date: Option<Date>,
    pub care_types: Vec<ApprovedPlaces>,
    pub reserved_seats: Vec<ReservedSeats>,
    pub closures: Vec<Closure>,
}

impl FacilityLicence {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            !self.care_types.is_empty(),
            "care_types",
            "mindestens eine Betreuungsart / at least one care type",
        );
        for (i, ct) in self.care_types.iter().enumerate() {
            v.check(
                !ct.places.changes.is_empty(),
                format!("care_types[{i}].places"),
                "Platzzahl fehlt / approved places missing",
            );
            for (j, c) in ct.places.changes.iter().enumerate() {
                v.check(
                    c.value <= 1000,
                    format!("care_types[{i}].places[{j}]"),
                    "höchstens 1000 Plätze / at most 1000 places",
                );
            }
            if self.care_types[..i]
                .iter()
                .any(|o| o.care_type == ct.care_type)
            {
                v.fail(
                    format!("care_types[{i}].care_type"),
                    "Betreuungsart doppelt / care type listed twice",
                );
            }
        }
        for (i, r) in self.reserved_seats.iter().enumerate() {
            v.text(&format!("reserved_seats[{i}].holder"), &r.holder, 200);
            v.check(
                r.period.is_well_formed(),
                format!("reserved_seats[{i}].period"),
                "Ende vor Beginn / end before start",
            );
            let approved = self.places_on(r.care_type, r.period.start()).unwrap_or(0);
            v.check(
                r.places <= approved,
                format!("reserved_seats[{i}].places"),
                "mehr Belegrechte als genehmigte Plätze / more reserved than approved places",
            );
        }
        for (i, c) in self.closures.iter().enumerate() {
            v.check(
                c.period.is_well_formed(),
                format!("closures[{i}].period"),
                "Ende vor Beginn / end before start",
            );
            v.check(
                !c.permanent || c.reduced_capacity.is_none(),
                format!("closures[{i}].reduced_capacity"),
                "dauerhafte Schließung ohne Restkapazität / permanent closure has no capacity",
            );
        }
        v.finish()
    }

    /// Approved places of a care type on a day.
    pub fn places_on(&self, care_type: CareType, day: Date) -> Option<u32> {
        self.care_types
            .iter()
            .find(|c| c.care_type == care_type)
            .and_then(|c| c.places.at(day).copied())
    }

    /// Approved places of all care types on a day, reduced by closures in force.
    pub fn capacity_on(&self, day: Date) -> u32 {
        let total: u32 = self
            .care_types
            .iter()
            .filter_map(|c| c.places.at(day))
            .sum();
        match self.closures.iter().find(|c| c.period.contains(day)) {
            Some(c) if c.permanent => 0,
            Some(c) => c.reduced_capacity.map_or(total, |r| r.min(total)),
            None => total,
        }
    }

    pub fn permanently_closed_on(&self, day: Date) -> bool {
        self.closures
            .iter()
            .any(|c| c.permanent && c.period.start() <= day)
    }
}
