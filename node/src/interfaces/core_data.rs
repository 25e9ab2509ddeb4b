//! Core data for the Träger's own systems (Lastenheft 3.19 "Export-Schnittstelle zu Freien
//! Trägern – Kerndaten"; 3.14: "eine standardisierte Export-Schnittstelle … Damit sollen die
//! Daten der betreuten Kinder, PSB, Betreuungsverträge usw. exportiert werden können"):
//! the Kitas, the children under contract at them, their guardians (PSB), the contracts and
//! the contract lines, as five CSV tables in one zip file and as one XML file with the same
//! tables and columns.
//!
//! Which records: every contract of the Kitas (past, running and future: a Träger's system
//! keeps the history), the children those contracts are for, and the guardians of their
//! families. A sibling with no contract at these Kitas is not exported (data minimisation),
//! nor the family's fee data (the Beitragsstelle's, exported by its own files).

use super::queries::{holdings, Holdings};
use super::{audit_export, scope, scope_label, xml, ExportFile, Table, Value};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::Store;
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::kinds::Sex;
use std::collections::BTreeSet;
use std::io::Write;

/// The version of the format (the XML root's `version`; raise it on any change of columns).
pub const FORMAT_VERSION: &str = "1";

pub const KITA_COLUMNS: [&str; 11] = [
    "EINRICHTUNG_ID",
    "TRAEGER_ID",
    "NAME",
    "STRASSE",
    "PLZ",
    "ORT",
    "ORTSAMT",
    "KOSTENSTELLE",
    "TELEFON",
    "EMAIL",
    "LEITUNG",
];

pub const CHILD_COLUMNS: [&str; 9] = [
    "KIND_ID",
    "FAMILIE_ID",
    "FAMILIENNUMMER",
    "NACHNAME",
    "VORNAME",
    "GEBURTSDATUM",
    "GESCHLECHT",
    "INTEGRATIONSBEDARF",
    "EINRICHTUNG_ID",
];

pub const GUARDIAN_COLUMNS: [&str; 12] = [
    "SORGEBERECHTIGTE_ID",
    "FAMILIE_ID",
    "RANG",
    "NACHNAME",
    "VORNAME",
    "STRASSE",
    "PLZ",
    "ORT",
    "HAUPTWOHNSITZ_IN_STADT",
    "TELEFON",
    "EMAIL",
    "ALLEINERZIEHEND",
];

pub const CONTRACT_COLUMNS: [&str; 8] = [
    "VERTRAG_ID",
    "KIND_ID",
    "FAMILIE_ID",
    "EINRICHTUNG_ID",
    "BEGINN",
    "ENDE",
    "KUENDIGUNG_EINGANG",
    "KUENDIGUNGSGRUND",
];

pub const LINE_COLUMNS: [&str; 9] = [
    "VERTRAG_ID",
    "ZEILE_ID",
    "GUELTIG_AB",
    "GUELTIG_BIS",
    "BETREUUNGSART",
    "STUNDEN_TAEGLICH",
    "GRUPPE_ID",
    "ZAHLWEISE",
    "BELEGRECHT",
];

/// `w`, `m`, `d`, `o` (ohne Angabe).
pub fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "w",
        Sex::Male => "m",
        Sex::Diverse => "d",
        Sex::Unspecified => "o",
    }
}

/// The five tables of `data`, in the order of `FORMATS.md`.
pub fn tables(data: &Holdings) -> Vec<Table> {
    let kitas = data
        .kitas
        .iter()
        .map(|k| {
            vec![
                Value::text(k.id.0.clone()),
                Value::text(k.provider.0.clone()),
                Value::text(k.name.clone()),
                Value::text(k.address.street.clone()),
                Value::text(k.address.postcode.clone()),
                Value::text(k.address.city.clone()),
                Value::text(k.district.clone()),
                Value::text(k.cost_centre.clone()),
                Value::text(k.phone.clone()),
                Value::text(k.email.clone()),
                Value::text(k.lead_name.clone()),
            ]
        })
        .collect();
    // The children under contract here, once each (the Kita of their latest contract).
    let mut children: Vec<(String, String, Vec<Value>)> = Vec::new();
    let mut families: BTreeSet<&str> = BTreeSet::new();
    let mut contracts = data.contracts.iter().collect::<Vec<_>>();
    contracts.sort_by(|a, b| (&a.child.0, b.period.start()).cmp(&(&b.child.0, a.period.start())));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for contract in &contracts {
        if !seen.insert(contract.child.0.as_str()) {
            continue;
        }
        let Some(family) = data.families.get(&contract.family.0) else {
            continue;
        };
        let Some(child) = family.child(&contract.child) else {
            continue;
        };
        families.insert(family.id.0.as_str());
        children.push((
            child.family_name.clone(),
            child.given_name.clone(),
            vec![
                Value::text(child.id.0.clone()),
                Value::text(family.id.0.clone()),
                Value::text(family.family_number.clone()),
                Value::text(child.family_name.clone()),
                Value::text(child.given_name.clone()),
                Value::Date(Some(child.birth_date.0)),
                Value::text(sex_code(child.sex)),
                Value::Flag(child.integration_need),
                Value::text(contract.facility.0.clone()),
            ],
        ));
    }
    children.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut guardians = Vec::new();
    for id in &families {
        let Some(family) = data.families.get(*id) else {
            continue;
        };
        for (rank, g) in family.guardians.iter().enumerate() {
            guardians.push(vec![
                Value::text(g.id.0.clone()),
                Value::text(family.id.0.clone()),
                Value::Count(u32::try_from(rank + 1).unwrap_or(u32::MAX)),
                Value::text(g.family_name.clone()),
                Value::text(g.given_name.clone()),
                Value::text(g.address.street.clone()),
                Value::text(g.address.postcode.clone()),
                Value::text(g.address.city.clone()),
                Value::Flag(g.main_residence_in_city),
                Value::text(g.phone.clone()),
                Value::text(g.email.clone()),
                Value::Flag(g.single_parent),
            ]);
        }
    }
    let mut contract_rows = Vec::new();
    let mut line_rows = Vec::new();
    for c in &data.contracts {
        contract_rows.push(vec![
            Value::text(c.id.0.clone()),
            Value::text(c.child.0.clone()),
            Value::text(c.family.0.clone()),
            Value::text(c.facility.0.clone()),
            Value::Date(Some(c.period.start().0)),
            Value::Date(c.period.end().map(|d| d.0)),
            Value::Date(c.notice_given_on.map(|d| d.0)),
            c.notice_reason
                .clone()
                .map(Value::Text)
                .unwrap_or(Value::Empty),
        ]);
        for l in c.effective_lines() {
            line_rows.push(vec![
                Value::text(c.id.0.clone()),
                Value::text(l.id.0.clone()),
                Value::Date(Some(l.valid.start().0)),
                Value::Date(l.valid.end().map(|d| d.0)),
                Value::text(l.care_type.as_str()),
                Value::Decimal(l.daily_hours.0),
                l.group
                    .as_ref()
                    .map(|g| Value::text(g.0.clone()))
                    .unwrap_or(Value::Empty),
                Value::text(l.payment_mode.as_str()),
                Value::Flag(l.reserved_seat),
            ]);
        }
    }
    vec![
        Table {
            name: "einrichtungen",
            row: "einrichtung",
            columns: &KITA_COLUMNS,
            rows: kitas,
        },
        Table {
            name: "kinder",
            row: "kind",
            columns: &CHILD_COLUMNS,
            rows: children.into_iter().map(|(_, _, r)| r).collect(),
        },
        Table {
            name: "sorgeberechtigte",
            row: "sorgeberechtigter",
            columns: &GUARDIAN_COLUMNS,
            rows: guardians,
        },
        Table {
            name: "vertraege",
            row: "vertrag",
            columns: &CONTRACT_COLUMNS,
            rows: contract_rows,
        },
        Table {
            name: "vertragszeilen",
            row: "zeile",
            columns: &LINE_COLUMNS,
            rows: line_rows,
        },
    ]
}

/// The tables as one zip of `<table>.csv` files.
pub fn zip(tables: &[Table]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for t in tables {
        out.start_file(format!("{}.csv", t.name), options)
            .expect("in memory");
        out.write_all(&t.csv()).expect("in memory");
    }
    out.finish().expect("in memory").into_inner()
}

/// The file format asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip of one CSV per table.
    CsvZip,
    Xml,
}

/// The core data of the Kitas `who` may export here (`facility`: one of them) as of today;
/// the export is audited with every child and guardian it holds.
pub fn export(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    format: Format,
    now: Now,
) -> Result<ExportFile, ActionError> {
    let scope = scope(store, who, facility)?;
    let data = holdings(store, &scope)?;
    let tables = tables(&data);
    // The people whose data leave: the children (column 0 of `kinder`) and the guardians.
    let subjects = tables[1]
        .rows
        .iter()
        .chain(&tables[2].rows)
        .filter_map(|r| match &r[0] {
            Value::Text(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let today = now.today.0;
    audit_export(
        store,
        who,
        "interfaces.core-data",
        &scope,
        today,
        subjects,
        now,
    )?;
    let base = format!("kerndaten-{}-{today}", scope_label(&scope));
    Ok(match format {
        Format::CsvZip => ExportFile {
            name: format!("{base}.zip"),
            media_type: "application/zip",
            bytes: zip(&tables),
        },
        Format::Xml => ExportFile {
            name: format!("{base}.xml"),
            media_type: "application/xml; charset=utf-8",
            bytes: xml(
                "kerndaten",
                &[
                    ("version", FORMAT_VERSION),
                    ("traeger", &scope.provider.0),
                    ("stand", &today.to_string()),
                ],
                &tables,
            ),
        },
    })
}
