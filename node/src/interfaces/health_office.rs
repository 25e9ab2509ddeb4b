//! Health office (Gesundheitsamt, "Octoware"): "Übergabe der Adressdaten aller Kinder in Kitas
//! für die Durchführung von Gesundheitsuntersuchungen in den Kitas (Alter 0-5 Jahre), Export im
//! csv-Format" (Lastenheft 3.19).
//!
//! A child is listed once per Kita when, on the reference date, a contract at that Kita is in
//! force and the child is 0 to 5 years old (completed years: from birth to the day before the
//! sixth birthday). The child's address is the first guardian's (Kitanetz keeps the address with
//! the guardians), and that guardian is named as the addressee of the invitation. The Kita's
//! address says where the examination takes place. Nothing else leaves: no sex, no hours, no
//! second guardian (data minimisation; the Lastenheft asks for "Adressdaten").

use super::queries::{holdings, Holdings};
use super::{audit_export, scope, scope_label, ExportFile, Table, Value};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::Store;
use chrono::NaiveDate;
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::scalar::Date;
use std::collections::BTreeSet;

/// The oldest age listed, in completed years ("Alter 0-5 Jahre").
pub const MAX_AGE_YEARS: u32 = 5;

/// The columns, as `FORMATS.md` documents them.
pub const COLUMNS: [&str; 17] = [
    "STICHTAG",
    "EINRICHTUNG_ID",
    "EINRICHTUNG_NAME",
    "EINRICHTUNG_STRASSE",
    "EINRICHTUNG_PLZ",
    "EINRICHTUNG_ORT",
    "KIND_ID",
    "KIND_NACHNAME",
    "KIND_VORNAME",
    "KIND_GEBURTSDATUM",
    "KIND_ALTER_JAHRE",
    "KIND_STRASSE",
    "KIND_PLZ",
    "KIND_ORT",
    "SORGEBERECHTIGTE_NACHNAME",
    "SORGEBERECHTIGTE_VORNAME",
    "VERTRAG_ID",
];

/// Completed years of a child born on `birth` on `day`.
pub fn age_years(birth: NaiveDate, day: NaiveDate) -> u32 {
    kitanetz_occupancy::age::completed_months_on(birth, day) / 12
}

/// The table of the children 0–5 in care at the Kitas of `data` on `on`, by Kita, family name,
/// given name.
pub fn table(data: &Holdings, on: NaiveDate) -> Table {
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut rows: Vec<(String, String, String, Vec<Value>)> = Vec::new();
    for contract in &data.contracts {
        if !contract.period.contains(Date(on)) {
            continue;
        }
        let Some(family) = data.families.get(&contract.family.0) else {
            continue;
        };
        let Some(child) = family.child(&contract.child) else {
            continue;
        };
        let birth = child.birth_date.0;
        if birth > on || age_years(birth, on) > MAX_AGE_YEARS {
            continue;
        }
        if !seen.insert((contract.facility.0.clone(), child.id.0.clone())) {
            continue;
        }
        let kita = data.kita(&contract.facility);
        let kita_name = kita.map(|k| k.name.clone()).unwrap_or_default();
        let guardian = family.guardians.first();
        let text = |f: &dyn Fn(&kitanetz_crdt::kinds::Guardian) -> String| {
            guardian.map(f).map(Value::Text).unwrap_or(Value::Empty)
        };
        let row = vec![
            Value::Date(Some(on)),
            Value::text(contract.facility.0.clone()),
            Value::text(kita_name.clone()),
            Value::text(kita.map(|k| k.address.street.clone()).unwrap_or_default()),
            Value::text(kita.map(|k| k.address.postcode.clone()).unwrap_or_default()),
            Value::text(kita.map(|k| k.address.city.clone()).unwrap_or_default()),
            Value::text(child.id.0.clone()),
            Value::text(child.family_name.trim()),
            Value::text(child.given_name.trim()),
            Value::Date(Some(birth)),
            Value::Count(age_years(birth, on)),
            text(&|g| g.address.street.trim().to_string()),
            text(&|g| g.address.postcode.trim().to_string()),
            text(&|g| g.address.city.trim().to_string()),
            text(&|g| g.family_name.trim().to_string()),
            text(&|g| g.given_name.trim().to_string()),
            Value::text(contract.id.0.clone()),
        ];
        rows.push((
            kita_name,
            child.family_name.clone(),
            child.given_name.clone(),
            row,
        ));
    }
    rows.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    Table {
        name: "gesundheitsamt",
        row: "kind",
        columns: &COLUMNS,
        rows: rows.into_iter().map(|(_, _, _, r)| r).collect(),
    }
}

/// The health office's CSV of the Kitas `who` may export here (`facility`: one of them) on
/// `on`; the export is audited with the children it lists.
pub fn export(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    on: NaiveDate,
    now: Now,
) -> Result<ExportFile, ActionError> {
    let scope = scope(store, who, facility)?;
    let table = table(&holdings(store, &scope)?, on);
    let subjects = table
        .rows
        .iter()
        .filter_map(|r| match &r[6] {
            Value::Text(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    audit_export(
        store,
        who,
        "interfaces.health-office",
        &scope,
        on,
        subjects,
        now,
    )?;
    Ok(ExportFile {
        name: format!("gesundheitsamt-{}-{on}.csv", scope_label(&scope)),
        media_type: "text/csv; charset=utf-8",
        bytes: table.csv(),
    })
}
