//! The import from Kita-Planer (seed 000: "Daten aus Kita Planer importieren", "Datensätze im
//! Kita Planer Import Puffer verarbeiten"): a file of children Kita-Planer holds for this Kita
//! (an application or a contract entered there) lands in the Kita's import buffer; the Kita lead
//! works through it row by row: admits the child (the admission form comes filled in from the
//! row) or discards the row. The seeds name only the process; the file's columns are the export
//! buffer's own (`node/kitaplaner/IMPORT_FILE.md`), so the two directions read alike.
//!
//! A file with any error is refused whole, every error named by line and column; a row already
//! in the buffer is not added twice.

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::ids::FacilityId;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

pub use kitanetz_kitaplaner::import::{parse, FileError, ImportedChild};

/// A row of the Kita's import buffer.
#[derive(Debug, Clone, Serialize)]
pub struct BufferRow {
    pub id: i64,
    pub child: ImportedChild,
    pub file_name: String,
    pub imported_at: i64,
    /// `neu`, `aufgenommen` or `verworfen`.
    pub status: String,
    /// The child admitted from it.
    pub admitted: Option<String>,
}

/// Checks `who` may work the import buffer of the Kita this node serves; returns that Kita.
pub fn authorize_here(
    who: &Principal,
    facility: Option<&FacilityId>,
) -> Result<FacilityId, ActionError> {
    authorize(who, Action::ImportFromKitaplaner { facility })?;
    facility.cloned().ok_or_else(|| {
        ActionError::NotFound(
            "Der Import aus Kita-Planer läuft auf dem Knoten der Kita / the Kita-Planer import runs on the Kita's node"
                .into(),
        )
    })
}

/// Reads a file into the import buffer of the Kita this node serves: refused whole on any
/// error (the errors as field errors `file` with line and column), rows already in the buffer
/// skipped. Returns how many rows are new.
pub fn import_file(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    file_name: &str,
    text: &str,
    now: Now,
) -> Result<usize, ActionError> {
    let facility = authorize_here(who, facility)?;
    let mapping = kitanetz_kitaplaner::mapping::BetreuungszeitMapping::seed_default();
    let rows = parse(text, &mapping).map_err(|errors| kitanetz_crdt::ValidationError {
        errors: errors
            .into_iter()
            .take(50)
            .map(|e| kitanetz_crdt::validate::FieldError {
                field: "file".into(),
                message: format!(
                    "Zeile {}{}: {}",
                    e.line,
                    if e.column.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", e.column)
                    },
                    e.message
                ),
            })
            .collect(),
    })?;
    let actor = who.audit_name();
    store.write(|tx| -> Result<usize, ActionError> {
        let mut added = 0;
        for row in &rows {
            let json = serde_json::to_string(row).expect("a row serialises");
            added += tx.execute(
                "INSERT OR IGNORE INTO kitaplaner_imports (facility, kind_id_extern, row, file_name, imported_at, imported_by, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'neu')",
                params![facility.0, row.kind_id_extern, json, file_name, now.millis, actor],
            )?;
        }
        crate::storage::audit_in(
            tx,
            &AuditEntry {
                at: now.millis,
                actor: actor.clone(),
                action: "kitaplaner.import",
                target: Some(file_name.to_string()),
                subjects: rows.iter().map(|r| r.kind_id_extern.clone()).collect(),
                valid_from: None,
            },
        )?;
        Ok(added)
    })
}

/// The import buffer: open rows first, then the last 50 worked through.
pub fn buffer(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
) -> Result<Vec<BufferRow>, ActionError> {
    let facility = authorize_here(who, facility)?;
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, row, file_name, imported_at, status, child FROM kitaplaner_imports
         WHERE facility = ?1 ORDER BY status != 'neu', id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map([&facility.0], |r| {
        let json: String = r.get(1)?;
        Ok((r.get(0)?, json, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, json, file_name, imported_at, status, admitted): (
            i64,
            String,
            String,
            i64,
            String,
            Option<String>,
        ) = row.map_err(StoreError::from)?;
        out.push(BufferRow {
            id,
            child: serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("kitaplaner_imports: {e}")))?,
            file_name,
            imported_at,
            status,
            admitted,
        });
    }
    Ok(out)
}

fn open_row(store: &Store, facility: &FacilityId, id: i64) -> Result<ImportedChild, ActionError> {
    let json: Option<String> = store
        .conn()
        .prepare_cached(
            "SELECT row FROM kitaplaner_imports WHERE id = ?1 AND facility = ?2 AND status = 'neu'",
        )?
        .query_row(params![id, facility.0], |r| r.get(0))
        .optional()?;
    // Unknown, or worked through already (perhaps in another window): nothing to do with it.
    let json = json.ok_or_else(|| {
        ActionError::Conflict(format!(
            "Die Importzeile {id} ist nicht (mehr) offen / the import row is not open"
        ))
    })?;
    Ok(serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("kitaplaner_imports: {e}")))?)
}

/// The admission form filled in from an open row.
pub fn admission_of(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    id: i64,
) -> Result<crate::families::admit::AdmitInput, ActionError> {
    let facility = authorize_here(who, facility)?;
    let row = open_row(store, &facility, id)?;
    Ok(crate::families::admit::AdmitInput {
        start: row.start.to_string(),
        care_type: "kindergarten".into(),
        kitaplaner_import: id.to_string(),
        person: crate::seats::contract::ConcludeInput {
            child_given_name: row.child_given_name,
            child_family_name: row.child_family_name,
            child_birth_date: row.child_birth_date.to_string(),
            child_sex: "unspecified".into(),
            guardian_given_name: row.guardian_given_name,
            guardian_family_name: row.guardian_family_name,
            street: row.street,
            postcode: row.postcode,
            city: row.city,
            daily_hours: row.daily_hours,
            payment_mode: "direct-debit".into(),
            ..Default::default()
        },
        ..Default::default()
    })
}

/// Marks an open row worked through: admitted as `child`, or discarded (`child` None).
pub fn close_row(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    id: i64,
    child: Option<&str>,
    now: Now,
) -> Result<(), ActionError> {
    let facility = authorize_here(who, facility)?;
    open_row(store, &facility, id)?;
    let actor = who.audit_name();
    store.write(|tx| -> Result<(), ActionError> {
        tx.execute(
            "UPDATE kitaplaner_imports SET status = ?2, child = ?3, done_at = ?4, done_by = ?5 WHERE id = ?1",
            params![
                id,
                if child.is_some() { "aufgenommen" } else { "verworfen" },
                child,
                now.millis,
                actor
            ],
        )?;
        crate::storage::audit_in(
            tx,
            &AuditEntry {
                at: now.millis,
                actor: actor.clone(),
                action: if child.is_some() {
                    "kitaplaner.import.admit"
                } else {
                    "kitaplaner.import.discard"
                },
                target: Some(id.to_string()),
                subjects: child.map(|c| vec![c.to_string()]).unwrap_or_default(),
                valid_from: None,
            },
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const FILE: &str = "KIND_ID_EXTERN;KITA_ID_EXTERN;VER_VERTRAG_AB;BETREUUNGSZEIT_ID;KIND_NACHNAME;KIND_VORNAME;KIND_GEBDATUM;KIND_STRASSE;KIND_HAUSNUMMER;KIND_POSTLEITZAHL;KIND_ORT;SB1_NACHNAME;SB1_VORNAME\n\
K-17;1234567;01.08.2027;5;Becker;Ben;2024-11-18;Weg;1;24103;Kiel;Becker;Anna\n";

    #[test]
    fn a_row_reads_with_its_hours_from_the_mapping() {
        let rows = parse(
            FILE,
            &kitanetz_kitaplaner::mapping::BetreuungszeitMapping::seed_default(),
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.start, NaiveDate::from_ymd_opt(2027, 8, 1).unwrap());
        assert_eq!(r.daily_hours, "7", "id 5 is 'bis 7 h'");
        assert_eq!(r.street, "Weg 1");
    }

    #[test]
    fn every_error_is_named_by_line_and_column() {
        let bad = FILE.replace("01.08.2027", "August").replace("24103", "241");
        let errors = parse(
            &bad,
            &kitanetz_kitaplaner::mapping::BetreuungszeitMapping::seed_default(),
        )
        .unwrap_err();
        let named: Vec<(usize, &str)> =
            errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(named, [(2, "VER_VERTRAG_AB"), (2, "KIND_POSTLEITZAHL")]);
        let no_header = parse(
            "A;B\n1;2\n",
            &kitanetz_kitaplaner::mapping::BetreuungszeitMapping::seed_default(),
        )
        .unwrap_err();
        assert!(no_header.iter().any(|e| e.column == "KIND_ID_EXTERN"));
    }
}
