//! The Kita-Data-Webhouse master data a Träger keeps per Kita (seed 002 L21–31, L87): the
//! Bundesland, the eight Zusatzfelder and the checkbox "mehr als eine Einrichtungsleitung", and
//! per child with Eingliederungshilfe the kind of the aid (L66–70), which no document holds.
//!
//! The Mandant option "Angaben der Mitarbeiter weitergeben" (L74, L90; `export_staff`, default
//! no, migration 0033) is kept per Kita with the rest: on, the Kita's staff documents are
//! mapped and checked too (see [`super::kdw`]).
//!
//! Kept on the Träger's node in `kdw_facilities` / `kdw_integration` (migration 0024), not in
//! the public facility profile: the statistic is made there and the values are nobody else's
//! business. A value may be left empty (the check then names it); a value that is there must
//! have its form, else a field error and nothing is stored. Every save is audited in its
//! transaction.

use super::kdw::{IntegrationKind, KdwMaster};
use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::validate::Validator;
use kitanetz_statistics::kdw::FACILITY_EXTRA_FIELDS;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sixteen Länder; the statistic is Baden-Württemberg's (L29), the others are refused by
/// its check, not by the form.
pub const STATES: [&str; 16] = [
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Bremen",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
];

/// The Zusatzfelder answered ja or nein.
pub const YES_NO_FIELDS: [&str; 4] = [
    "interaktionsentwicklung",
    "konzeptionsentwicklung",
    "leitungszeit_umgesetzt",
    "teamentwicklung",
];

/// The posted form (every field text: a typo becomes a field error). `more_than_one_lead` and
/// `export_staff`: checkboxes, on with any value but "" and "false".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MasterInput {
    pub facility: String,
    pub state: String,
    pub more_than_one_lead: String,
    /// Mandant option "Personal übergeben" (L74, L90).
    pub export_staff: String,
    pub einrichtungsnummer: String,
    pub stala_einrichtungsnummer: String,
    pub interaktionsentwicklung: String,
    pub konzeptionsentwicklung: String,
    pub leitungszeit_umgesetzt: String,
    pub teamentwicklung: String,
    pub ueberzaehlige_gruppen: String,
    pub woechentliche_oeffnungszeit: String,
}

impl MasterInput {
    /// The Zusatzfeld `key` as typed.
    pub fn field(&self, key: &str) -> &str {
        match key {
            "einrichtungsnummer" => &self.einrichtungsnummer,
            "stala_einrichtungsnummer" => &self.stala_einrichtungsnummer,
            "interaktionsentwicklung" => &self.interaktionsentwicklung,
            "konzeptionsentwicklung" => &self.konzeptionsentwicklung,
            "leitungszeit_umgesetzt" => &self.leitungszeit_umgesetzt,
            "teamentwicklung" => &self.teamentwicklung,
            "ueberzaehlige_gruppen" => &self.ueberzaehlige_gruppen,
            "woechentliche_oeffnungszeit" => &self.woechentliche_oeffnungszeit,
            _ => "",
        }
    }

    fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "einrichtungsnummer" => &mut self.einrichtungsnummer,
            "stala_einrichtungsnummer" => &mut self.stala_einrichtungsnummer,
            "interaktionsentwicklung" => &mut self.interaktionsentwicklung,
            "konzeptionsentwicklung" => &mut self.konzeptionsentwicklung,
            "leitungszeit_umgesetzt" => &mut self.leitungszeit_umgesetzt,
            "teamentwicklung" => &mut self.teamentwicklung,
            "ueberzaehlige_gruppen" => &mut self.ueberzaehlige_gruppen,
            "woechentliche_oeffnungszeit" => &mut self.woechentliche_oeffnungszeit,
            _ => return None,
        })
    }

    pub fn lead_checked(&self) -> bool {
        on(&self.more_than_one_lead)
    }

    pub fn staff_checked(&self) -> bool {
        on(&self.export_staff)
    }
}

/// The stored master data of one Kita.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MasterData {
    /// The values as stored (trimmed, the opening time with a decimal point).
    pub values: MasterInput,
    pub changed_by: String,
    pub changed_at: i64,
}

/// Checks the form and gives the values as they are stored. Pure.
pub fn check(input: &MasterInput) -> Result<MasterInput, ActionError> {
    let mut v = Validator::new();
    let mut out = MasterInput {
        facility: input.facility.trim().to_owned(),
        state: input.state.trim().to_owned(),
        more_than_one_lead: if input.lead_checked() { "on" } else { "" }.into(),
        export_staff: if input.staff_checked() { "on" } else { "" }.into(),
        ..MasterInput::default()
    };
    for key in FACILITY_EXTRA_FIELDS {
        if let Some(slot) = out.field_mut(key) {
            *slot = input.field(key).trim().to_owned();
        }
    }
    v.check(
        out.state.is_empty() || STATES.contains(&out.state.as_str()),
        "state",
        "ein Bundesland der Liste / one of the listed Länder",
    );
    v.check(
        out.einrichtungsnummer.chars().count() <= 40
            && !out.einrichtungsnummer.chars().any(char::is_control),
        "einrichtungsnummer",
        "höchstens 40 Zeichen / at most 40 characters",
    );
    let stala = &out.stala_einrichtungsnummer;
    v.check(
        stala.is_empty() || (stala.len() <= 12 && stala.bytes().all(|b| b.is_ascii_digit())),
        "stala_einrichtungsnummer",
        "nur Ziffern, höchstens 12 (Datentyp Zahl) / digits only, at most 12 (a number)",
    );
    for key in YES_NO_FIELDS {
        let value = out.field(key).to_lowercase();
        v.check(
            value.is_empty() || value == "ja" || value == "nein",
            key,
            "„ja“ oder „nein“ / yes or no",
        );
        if let Some(slot) = out.field_mut(key) {
            *slot = value;
        }
    }
    let groups = &out.ueberzaehlige_gruppen;
    v.check(
        groups.is_empty() || groups.parse::<u32>().is_ok_and(|n| n <= 99),
        "ueberzaehlige_gruppen",
        "eine ganze Zahl von 0 bis 99 / a whole number from 0 to 99",
    );
    let hours = out.woechentliche_oeffnungszeit.replace(',', ".");
    let parsed = Decimal::from_str_exact(&hours)
        .ok()
        .filter(|h| *h > Decimal::ZERO && *h <= Decimal::from(168) && h.scale() <= 2);
    v.check(
        hours.is_empty() || parsed.is_some(),
        "woechentliche_oeffnungszeit",
        "Stunden je Woche, über 0 bis 168, höchstens zwei Nachkommastellen / hours a week, above 0 up to 168, at most two decimals",
    );
    v.finish()?;
    out.woechentliche_oeffnungszeit =
        parsed.map_or_else(String::new, |h| h.normalize().to_string());
    Ok(out)
}

/// `facility` must be a Kita of the Träger whose node this is; authorises first.
fn authorize_kita(
    store: &Store,
    who: &Principal,
    facility: &str,
    action: Action<'_>,
) -> Result<(), ActionError> {
    authorize(who, action)?;
    let kitas = super::kitas(store, who)?;
    if !kitas.iter().any(|(id, _)| id == facility) {
        return Err(ActionError::NotFound(facility.to_owned()));
    }
    Ok(())
}

const COLUMNS: &str = "state, more_than_one_lead, einrichtungsnummer, stala_einrichtungsnummer,
    interaktionsentwicklung, konzeptionsentwicklung, leitungszeit_umgesetzt, teamentwicklung,
    ueberzaehlige_gruppen, woechentliche_oeffnungszeit, changed_by, changed_at, export_staff";

/// The stored master data of a Kita, if any (no authorisation: callers have it).
pub fn load(store: &Store, facility: &str) -> Result<Option<MasterData>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM kdw_facilities WHERE facility = ?1"),
            [facility],
            |r| {
                let lead: bool = r.get(1)?;
                Ok(MasterData {
                    values: MasterInput {
                        facility: facility.to_owned(),
                        state: r.get(0)?,
                        more_than_one_lead: if lead { "on" } else { "" }.into(),
                        export_staff: if r.get::<_, bool>(12)? { "on" } else { "" }.into(),
                        einrichtungsnummer: r.get(2)?,
                        stala_einrichtungsnummer: r.get(3)?,
                        interaktionsentwicklung: r.get(4)?,
                        konzeptionsentwicklung: r.get(5)?,
                        leitungszeit_umgesetzt: r.get(6)?,
                        teamentwicklung: r.get(7)?,
                        ueberzaehlige_gruppen: r.get(8)?,
                        woechentliche_oeffnungszeit: r.get(9)?,
                    },
                    changed_by: r.get(10)?,
                    changed_at: r.get(11)?,
                })
            },
        )
        .optional()?)
}

/// The kinds of integration aid entered, by child id.
pub fn integration_kinds(store: &Store) -> Result<BTreeMap<String, IntegrationKind>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT child, physical, mental, emotional FROM kdw_integration")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            IntegrationKind {
                physical: r.get(1)?,
                mental: r.get(2)?,
                emotional: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What the mapping reads: the stored values, empty ones left out (the check names them).
pub fn master_of(store: &Store, facility: &str) -> Result<KdwMaster, StoreError> {
    let stored = load(store, facility)?;
    Ok(to_master(
        stored.as_ref().map(|m| &m.values),
        integration_kinds(store)?,
    ))
}

/// The stored values as the mapping reads them. Pure.
pub fn to_master(
    values: Option<&MasterInput>,
    integration: BTreeMap<String, IntegrationKind>,
) -> KdwMaster {
    let mut master = KdwMaster {
        integration,
        ..KdwMaster::default()
    };
    if let Some(values) = values {
        master.state = Some(values.state.clone()).filter(|s| !s.is_empty());
        master.more_than_one_lead = values.lead_checked();
        master.export_staff = values.staff_checked();
        for key in FACILITY_EXTRA_FIELDS {
            let value = values.field(key);
            if !value.is_empty() {
                master
                    .extra_fields
                    .insert(key, serde_json::Value::String(value.to_owned()));
            }
        }
    }
    master
}

/// The master data of one Kita of the Träger for its form (authorised).
pub fn master_for(
    store: &Store,
    who: &Principal,
    facility: &str,
) -> Result<Option<MasterData>, ActionError> {
    authorize_kita(
        store,
        who,
        facility,
        Action::ViewStatistics {
            provider: store.membership().provider.as_ref(),
        },
    )?;
    Ok(load(store, facility)?)
}

/// Saves the master data of one Kita: authorised, checked (a field error stores nothing) and
/// audited in the same transaction.
pub fn save(
    store: &mut Store,
    who: &Principal,
    input: &MasterInput,
    now: Now,
) -> Result<MasterInput, ActionError> {
    let facility = input.facility.trim().to_owned();
    authorize_kita(
        store,
        who,
        &facility,
        Action::EditStatisticsMasterData {
            provider: store.membership().provider.as_ref(),
        },
    )?;
    let values = check(input)?;
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "statistics.kdw.master",
        target: Some(facility.clone()),
        subjects: vec![],
        valid_from: Some(now.today.to_string()),
    };
    store.write(|tx| -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT OR REPLACE INTO kdw_facilities (facility, {COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            params![
                facility,
                values.state,
                values.lead_checked(),
                values.einrichtungsnummer,
                values.stala_einrichtungsnummer,
                values.interaktionsentwicklung,
                values.konzeptionsentwicklung,
                values.leitungszeit_umgesetzt,
                values.teamentwicklung,
                values.ueberzaehlige_gruppen,
                values.woechentliche_oeffnungszeit,
                who.audit_name(),
                now.millis,
                values.staff_checked()
            ],
        )?;
        crate::storage::audit_in(tx, &entry)?;
        Ok(())
    })?;
    Ok(values)
}

/// The form of one child's kind of aid: three checkboxes (on with any value but "" and
/// "false").
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct IntegrationInput {
    pub facility: String,
    pub child: String,
    pub physical: String,
    pub mental: String,
    pub emotional: String,
}

fn on(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && v != "false"
}

/// A child of the Kita with Eingliederungshilfe (its integration need, or a heilpädagogischer
/// place), its name and the kind entered.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrationChild {
    pub child: String,
    pub name: String,
    pub kind: IntegrationKind,
}

/// The Kita's children with Eingliederungshilfe (no authorisation: callers have it).
pub fn integration_children(
    store: &Store,
    facility: &str,
) -> Result<Vec<IntegrationChild>, ActionError> {
    let kinds = integration_kinds(store)?;
    let kitas = super::kita_data::load_all(store)?;
    let Some(kita) = kitas.iter().find(|k| k.facility.0 == facility) else {
        return Ok(Vec::new());
    };
    Ok(kita
        .children
        .iter()
        .filter(|(c, ks)| {
            c.integration_need
                || ks.iter().any(|k| {
                    k.effective_lines()
                        .iter()
                        .any(|l| l.care_type == kitanetz_crdt::kinds::CareType::Remedial)
                })
        })
        .map(|(c, _)| IntegrationChild {
            child: c.id.0.clone(),
            name: format!("{} {}", c.given_name, c.family_name),
            kind: kinds.get(&c.id.0).copied().unwrap_or_default(),
        })
        .collect())
}

/// Saves the kind of one child's integration aid: authorised, at least one kind, the child one
/// of the Kita's with Eingliederungshilfe; audited with the child as subject.
pub fn save_integration(
    store: &mut Store,
    who: &Principal,
    input: &IntegrationInput,
    now: Now,
) -> Result<IntegrationKind, ActionError> {
    let facility = input.facility.trim().to_owned();
    authorize_kita(
        store,
        who,
        &facility,
        Action::EditStatisticsMasterData {
            provider: store.membership().provider.as_ref(),
        },
    )?;
    let child = input.child.trim().to_owned();
    if !integration_children(store, &facility)?
        .iter()
        .any(|c| c.child == child)
    {
        return Err(ActionError::NotFound(child));
    }
    let kind = IntegrationKind {
        physical: on(&input.physical),
        mental: on(&input.mental),
        emotional: on(&input.emotional),
    };
    let mut v = Validator::new();
    v.check(
        kind.any(),
        "kind",
        "mindestens eine Art: körperlich, geistig oder seelisch / at least one kind: physical, mental or emotional",
    );
    v.finish()?;
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "statistics.kdw.integration",
        target: Some(facility),
        subjects: vec![child.clone()],
        valid_from: Some(now.today.to_string()),
    };
    store.write(|tx| -> Result<(), StoreError> {
        tx.execute(
            "INSERT OR REPLACE INTO kdw_integration (child, physical, mental, emotional, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                child,
                kind.physical,
                kind.mental,
                kind.emotional,
                who.audit_name(),
                now.millis
            ],
        )?;
        crate::storage::audit_in(tx, &entry)?;
        Ok(())
    })?;
    Ok(kind)
}

/// Plausible master data of the `index`-th demo Kita of a Träger: in Baden-Württemberg, a made-up
/// StaLa number (ten digits), no surplus groups, the opening time from the profile. Pure.
pub fn demo_values(index: usize, facility: &str) -> MasterInput {
    let yes_no = |n: usize| {
        if (index + n).is_multiple_of(3) {
            "nein"
        } else {
            "ja"
        }
        .to_owned()
    };
    MasterInput {
        facility: facility.to_owned(),
        state: "Baden-Württemberg".into(),
        more_than_one_lead: String::new(),
        export_staff: String::new(),
        einrichtungsnummer: format!("E-{:03}", index + 1),
        stala_einrichtungsnummer: format!("08311{:05}", 50_101 + index),
        interaktionsentwicklung: yes_no(0),
        konzeptionsentwicklung: yes_no(1),
        leitungszeit_umgesetzt: yes_no(2),
        teamentwicklung: "ja".into(),
        ueberzaehlige_gruppen: "0".into(),
        woechentliche_oeffnungszeit: String::new(),
    }
}

/// The kind of aid the demo gives its `n`-th integration child, in turn. Pure.
pub fn demo_kind(n: usize) -> IntegrationKind {
    IntegrationKind {
        physical: n.is_multiple_of(3),
        mental: n % 3 == 1,
        emotional: n % 3 == 2,
    }
}

/// The demo's master data on the node of a Träger: [`demo_values`] for each of its Kitas (in
/// the order of its list) and [`demo_kind`] for each integration child, so that the demo's
/// statistic can be made; written as `system`, a value already entered is kept.
pub fn seed_demo(store: &mut Store, now: Now) -> Result<(), ActionError> {
    let Some(provider) = store.membership().provider.clone() else {
        return Ok(());
    };
    let kitas = crate::facilities::of_provider(store, &provider)?;
    let mut integration = Vec::new();
    for (id, _) in &kitas {
        integration.extend(integration_children(store, id)?);
    }
    store.write(|tx| -> Result<(), StoreError> {
        for (i, (id, _)) in kitas.iter().enumerate() {
            let v = check(&demo_values(i, id)).expect("the demo's values pass the form");
            tx.execute(
                &format!(
                    "INSERT OR IGNORE INTO kdw_facilities (facility, {COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'system', ?12, ?13)"
                ),
                params![
                    id,
                    v.state,
                    v.lead_checked(),
                    v.einrichtungsnummer,
                    v.stala_einrichtungsnummer,
                    v.interaktionsentwicklung,
                    v.konzeptionsentwicklung,
                    v.leitungszeit_umgesetzt,
                    v.teamentwicklung,
                    v.ueberzaehlige_gruppen,
                    v.woechentliche_oeffnungszeit,
                    now.millis,
                    v.staff_checked()
                ],
            )?;
        }
        for (n, c) in integration.iter().enumerate() {
            let kind = demo_kind(n);
            tx.execute(
                "INSERT OR IGNORE INTO kdw_integration (child, physical, mental, emotional, changed_by, changed_at)
                 VALUES (?1, ?2, ?3, ?4, 'system', ?5)",
                params![c.child, kind.physical, kind.mental, kind.emotional, now.millis],
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> MasterInput {
        MasterInput {
            facility: "fac-1".into(),
            state: "Baden-Württemberg".into(),
            more_than_one_lead: String::new(),
            export_staff: "on".into(),
            einrichtungsnummer: " E-1 ".into(),
            stala_einrichtungsnummer: "0831150117".into(),
            interaktionsentwicklung: "Ja".into(),
            konzeptionsentwicklung: "nein".into(),
            leitungszeit_umgesetzt: "ja".into(),
            teamentwicklung: String::new(),
            ueberzaehlige_gruppen: "0".into(),
            woechentliche_oeffnungszeit: "47,50".into(),
        }
    }

    #[test]
    fn the_form_is_stored_trimmed_and_an_empty_value_stays_empty() {
        let out = check(&typed()).unwrap();
        assert_eq!(out.einrichtungsnummer, "E-1");
        assert_eq!(out.interaktionsentwicklung, "ja");
        assert_eq!(out.teamentwicklung, "");
        assert_eq!(out.woechentliche_oeffnungszeit, "47.5");
        assert!(!out.lead_checked());
        assert!(out.staff_checked());
        assert!(to_master(Some(&out), BTreeMap::new()).export_staff);
        assert!(
            !to_master(None, BTreeMap::new()).export_staff,
            "default no (L74)"
        );
    }

    #[test]
    fn each_malformed_value_is_a_field_error_of_its_own() {
        let bad = MasterInput {
            state: "Bavaria".into(),
            stala_einrichtungsnummer: "08-31".into(),
            konzeptionsentwicklung: "vielleicht".into(),
            ueberzaehlige_gruppen: "-1".into(),
            woechentliche_oeffnungszeit: "200".into(),
            ..typed()
        };
        let fields: Vec<String> = check(&bad)
            .unwrap_err()
            .into_field_errors()
            .unwrap()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "state",
                "stala_einrichtungsnummer",
                "konzeptionsentwicklung",
                "ueberzaehlige_gruppen",
                "woechentliche_oeffnungszeit"
            ]
        );
    }
}
