//! The documents of one Kita that the yearly statistics read, loaded once, and what the two
//! mappings (KJH Teil III.1, Kita-Data-Webhouse) share: the readable problem rows and the
//! derivations both make the same way.

use crate::action::ActionError;
use crate::fees::{family_ids, load_family};
use crate::storage::Store;
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::kinds::{
    CareContract, Child, FacilityLicence, FacilityProfile, Group, ProviderProfile, StaffMember,
};
use kitanetz_crdt::DocId;
use serde::Serialize;
use std::collections::BTreeMap;

/// One Kita as the node holds it.
#[derive(Debug, Clone)]
pub struct KitaData {
    pub facility: FacilityId,
    pub profile: Option<FacilityProfile>,
    /// Written by the city; a Träger node may not have it yet.
    pub licence: Option<FacilityLicence>,
    pub provider: Option<ProviderProfile>,
    /// The Kita's group documents: `Group.members` says who is in which group.
    pub groups: Vec<Group>,
    /// Every child with a contract at this Kita, with those contracts (not the ones elsewhere).
    pub children: Vec<(Child, Vec<CareContract>)>,
    /// Every person with an assignment at this Kita, at any time.
    pub staff: Vec<StaffMember>,
}

impl KitaData {
    pub fn name(&self) -> String {
        self.profile
            .as_ref()
            .map_or_else(|| self.facility.0.clone(), |p| p.name.clone())
    }

    /// "Erika Muster" for a `child:<id>` or `staff:<id>` record, else the record itself.
    pub fn record_name(&self, record: &str) -> String {
        if let Some(id) = record.strip_prefix("child:") {
            if let Some((c, _)) = self.children.iter().find(|(c, _)| c.id.0 == id) {
                return format!("{} {}", c.given_name, c.family_name);
            }
        }
        if let Some(id) = record.strip_prefix("staff:") {
            if let Some(m) = self.staff.iter().find(|m| m.id.0 == id) {
                return format!("{} {}", m.given_name, m.family_name);
            }
        }
        if let Some(id) = record.strip_prefix("group:") {
            if let Some(g) = self.groups.iter().find(|g| g.id.0 == id) {
                return g.name.clone();
            }
        }
        if record == "facility" {
            return self.name();
        }
        record.to_owned()
    }
}

/// Loads every Kita of the Träger whose node this is, by name.
pub fn load_all(store: &Store) -> Result<Vec<KitaData>, ActionError> {
    let Some(provider) = store.membership().provider.clone() else {
        return Ok(Vec::new());
    };
    let kitas = crate::facilities::of_provider(store, &provider)?;
    // Families once for all Kitas: their contracts name the Kita.
    let mut contracts: BTreeMap<String, Vec<(Child, Vec<CareContract>)>> = BTreeMap::new();
    for family in family_ids(store)? {
        let fees = load_family(store, &family)?;
        for child in &fees.family.children {
            let mut by_kita: BTreeMap<String, Vec<CareContract>> = BTreeMap::new();
            for k in fees.contracts.iter().filter(|k| k.child == child.id) {
                by_kita
                    .entry(k.facility.0.clone())
                    .or_default()
                    .push(k.clone());
            }
            for (kita, ks) in by_kita {
                contracts.entry(kita).or_default().push((child.clone(), ks));
            }
        }
    }
    let staff: Vec<StaffMember> = store.values_of_kind::<StaffMember>()?;
    let mut out = Vec::new();
    for (id, _) in kitas {
        let facility = FacilityId(id);
        let profile = store
            .find::<FacilityProfile>(&crate::facilities::profile_doc_id(&facility))?
            .map(|(_, p)| p);
        let licence = store
            .find::<FacilityLicence>(&crate::facilities::licence_doc_id(&facility))?
            .map(|(_, l)| l);
        let provider = store
            .find::<ProviderProfile>(&kitanetz_crdt::ids::doc_id_for("provider", &provider.0))?
            .map(|(_, p)| p);
        let mut groups = Vec::new();
        for doc in crate::groups::queries::group_doc_ids(store, &facility)? {
            groups.push(store.get::<Group>(&DocId(doc))?.1);
        }
        let mut children = contracts.remove(&facility.0).unwrap_or_default();
        children.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let staff = staff
            .iter()
            .filter(|m| m.assignments.iter().any(|a| a.facility == facility))
            .cloned()
            .collect();
        out.push(KitaData {
            facility,
            profile,
            licence,
            provider,
            groups,
            children,
            staff,
        });
    }
    Ok(out)
}

/// Something the statistic needs that the node does not hold, or an error of the statistic's
/// own check, named so that a Kita lead knows whom and what to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `facility`, `child:<id>`, `staff:<id>`, `group:<id>`, `care_form:<id>`.
    pub record: String,
    /// The child's or person's name, the group's or the Kita's.
    pub name: String,
    /// The field in words ("Geschlecht / sex").
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(data: &KitaData, record: &str, field: &str, message: impl Into<String>) -> Problem {
        Problem {
            record: record.to_owned(),
            name: data.record_name(record),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// The contract of `contracts` that runs on `day`, else the one that started last before it,
/// else the first: the statistic decides whether it counts.
pub fn contract_for(contracts: &[CareContract], day: NaiveDate) -> Option<&CareContract> {
    let day = kitanetz_crdt::scalar::Date(day);
    contracts
        .iter()
        .find(|k| k.period.contains(day))
        .or_else(|| {
            contracts
                .iter()
                .filter(|k| k.period.start() <= day)
                .max_by_key(|k| k.period.start())
        })
        .or_else(|| contracts.first())
}

/// Days of care a week: contracts hold daily hours only. Saxon Kitas care Monday to Friday
/// (the opening hours a profile states are a regular weekday's), so five days.
pub const ASSUMED_DAYS_PER_WEEK: u32 = 5;

/// The calendar year in which the child's first school year starts: the recorded decision
/// (`SchoolEntryMark`, Lastenheft 3.6.17) of any of its contracts, else the statute: school age
/// (six) completed by 30 June.
pub fn school_entry_year(child: &Child, contracts: &[CareContract]) -> i32 {
    if let Some(mark) = contracts.iter().find_map(|k| k.school_entry.as_ref()) {
        return i32::try_from(mark.school_year).unwrap_or(i32::MAX);
    }
    let birth = child.birth_date.0;
    if (birth.month(), birth.day()) <= (6, 30) {
        birth.year() + 6
    } else {
        birth.year() + 7
    }
}

/// The Klassenstufe on `day` of a child that entered school in August of `entry_year`, assuming
/// it neither repeated nor skipped a year (the node does not hold the grade); `None` before
/// school.
pub fn school_grade(entry_year: i32, day: NaiveDate) -> Option<u32> {
    // The school year that runs on `day` began in August of this year.
    let year_begun = if day.month() >= 8 {
        day.year()
    } else {
        day.year() - 1
    };
    u32::try_from(year_begun - entry_year + 1)
        .ok()
        .filter(|g| *g >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn school_grade_counts_school_years_from_august() {
        // Entered in August 2024: grade 2 on 1 March 2026, grade 3 from August 2026.
        assert_eq!(school_grade(2024, d("2026-03-01")), Some(2));
        assert_eq!(school_grade(2024, d("2026-08-01")), Some(3));
        assert_eq!(school_grade(2024, d("2024-07-31")), None);
        assert_eq!(school_grade(2024, d("2024-08-01")), Some(1));
    }
}
