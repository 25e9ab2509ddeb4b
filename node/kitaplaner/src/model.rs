//! The tables the export reads, as typed data. Names follow the seed (001 line 9): Betreuter,
//! Kontakt, Betreuten Kontaktzuordnung, Betreuungsvereinbarungs­kopf/-zeile, Betreuten
//! Org.-Zuordnung, Einrichtung; plus the shared configuration (Leistungen, the mapping table,
//! the areas with Kita-Planer access).

use crate::hours::Hours;
use crate::ids::{
    ContactId, ContractHeadId, ContractLineId, FacilityId, OrgAssignmentId, ServiceId,
};
use crate::mapping::BetreuungszeitMapping;
use crate::period::Period;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// A postal address; every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
}

/// Betreuter: the child whose rows the buffer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub last_name: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
    pub address: Address,
}

/// Kontakt: a person related to the child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub last_name: String,
    pub first_name: String,
    pub address: Address,
}

/// Betreuten Kontaktzuordnung: who is main contact 1 and 2 (`SB1_*`, `SB2_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactAssignment {
    pub main_contact_1: Option<ContactId>,
    pub main_contact_2: Option<ContactId>,
}

/// Einrichtung: a facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    pub id: FacilityId,
    pub name: Option<String>,
    /// The area (Bereich) the facility belongs to, e.g. `kita`; only configured areas export.
    pub area: String,
    /// The facility's id in Kita-Planer; exports only when filled.
    pub kita_id_extern: Option<String>,
}

/// Betreuten Org.-Zuordnung: the child belongs to a facility for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAssignment {
    pub id: OrgAssignmentId,
    pub facility: FacilityId,
    pub period: Period,
    /// Vorzeitige Entlassung: the period's end is then the discharge date.
    pub early_discharge: bool,
}

impl OrgAssignment {
    /// The discharge date, when the child was discharged early.
    pub fn discharge_date(&self) -> Option<NaiveDate> {
        self.period.end().filter(|_| self.early_discharge)
    }
}

/// Leistung: a service a contract line books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub name: Option<String>,
    /// "Übertragung an Kita Planer".
    pub transfer_to_kitaplaner: bool,
    /// "Täglich erbrachte Stunden"; always set when `transfer_to_kitaplaner` is.
    pub daily_hours: Option<Hours>,
}

/// Betreuungsvereinbarungszeile: one booked service for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractLine {
    pub id: ContractLineId,
    pub service: ServiceId,
    pub period: Period,
    /// Storniert.
    pub cancelled: bool,
    /// "Abw. täglich erbrachte Stunden": replaces the service's hours for this line, `0` included.
    pub daily_hours_override: Option<Hours>,
}

/// Betreuungsvereinbarungskopf: the contract head with the Kita-Planer child id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractHead {
    pub id: ContractHeadId,
    /// The child's id in Kita-Planer for this application ("am Betreuungsvereinbarungskopf
    /// hinterlegt", seed 001 line 61); exports only when filled.
    pub kind_id_extern: Option<String>,
    pub lines: Vec<ContractLine>,
}

/// The six tables whose change rebuilds the child's rows (seed 001 line 9), for one child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRecord {
    pub child: Child,
    pub contacts: Vec<Contact>,
    pub contact_assignment: ContactAssignment,
    pub org_assignments: Vec<OrgAssignment>,
    pub contracts: Vec<ContractHead>,
    pub facilities: Vec<Facility>,
}

impl ChildRecord {
    pub fn facility(&self, id: &FacilityId) -> Option<&Facility> {
        self.facilities.iter().find(|f| &f.id == id)
    }

    pub fn contact(&self, id: &ContactId) -> Option<&Contact> {
        self.contacts.iter().find(|c| &c.id == id)
    }

    /// The org assignment in force on `day`; assignments do not overlap, so there is at most one.
    pub fn org_assignment_on(&self, day: NaiveDate) -> Option<&OrgAssignment> {
        self.org_assignments.iter().find(|a| a.period.contains(day))
    }
}

/// What the export shares across children: the services, the mapping table and the areas with
/// Kita-Planer access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSettings {
    /// Areas for which rows may be written ("nur für konfigurierbare Bereiche", seed 001 line 11).
    pub configured_areas: BTreeSet<String>,
    pub mapping: BetreuungszeitMapping,
    pub services: Vec<Service>,
}

impl ExportSettings {
    pub fn service(&self, id: &ServiceId) -> Option<&Service> {
        self.services.iter().find(|s| &s.id == id)
    }
}
