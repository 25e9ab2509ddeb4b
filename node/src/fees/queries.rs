//! The Beitragsstelle's SQL: which families and contracts the node holds, and the billing book.

use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ContractId, FamilyId};
use rusqlite::{params, OptionalExtension};

/// Every family this node holds a child of (on a Träger node: the Träger's families).
pub(super) fn family_ids(store: &Store) -> Result<Vec<FamilyId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT DISTINCT family FROM p_children ORDER BY family")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0).map(FamilyId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A proof the Beitragsstelle keeps from a self-assessment (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeptProof {
    pub declaration: String,
    pub idx: i64,
    pub name: String,
    pub media_type: String,
    pub uploaded_on: String,
}

/// Keeps the proofs of a declaration taken over into `family`'s fee case (those kept before stay).
pub(super) fn keep_proofs(
    tx: &rusqlite::Connection,
    family: &FamilyId,
    declaration: &str,
    proofs: &[kitanetz_crdt::kinds::DeclarationProof],
    today: kitanetz_crdt::scalar::Date,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO fee_proofs (family, declaration, idx, name, media_type, uploaded_on, content, taken_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, p) in proofs.iter().enumerate() {
        stmt.execute(params![
            family.0,
            declaration,
            i as i64 + 1,
            p.name,
            p.media_type,
            p.uploaded_on.to_string(),
            p.content.0,
            today.to_string()
        ])?;
    }
    Ok(())
}

/// The proofs kept for `family`, in the order they arrived.
pub(super) fn kept_proofs(store: &Store, family: &FamilyId) -> Result<Vec<KeptProof>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT declaration, idx, name, media_type, uploaded_on FROM fee_proofs
         WHERE family = ?1 ORDER BY uploaded_on, declaration, idx",
    )?;
    let rows = stmt.query_map([&family.0], |r| {
        Ok(KeptProof {
            declaration: r.get(0)?,
            idx: r.get(1)?,
            name: r.get(2)?,
            media_type: r.get(3)?,
            uploaded_on: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One kept proof's type and bytes.
pub(super) fn kept_proof(
    store: &Store,
    family: &FamilyId,
    declaration: &str,
    idx: i64,
) -> Result<Option<(KeptProof, Vec<u8>)>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT name, media_type, uploaded_on, content FROM fee_proofs
             WHERE family = ?1 AND declaration = ?2 AND idx = ?3",
            params![family.0, declaration, idx],
            |r| {
                Ok((
                    KeptProof {
                        declaration: declaration.to_string(),
                        idx,
                        name: r.get(0)?,
                        media_type: r.get(1)?,
                        uploaded_on: r.get(2)?,
                    },
                    r.get(3)?,
                ))
            },
        )
        .optional()?)
}

/// The ids of every document of `kind` this node holds.
pub(super) fn doc_ids_of_kind(
    store: &Store,
    kind: kitanetz_crdt::meta::DocKind,
) -> Result<Vec<kitanetz_crdt::DocId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT doc_id FROM documents WHERE kind = ?1 ORDER BY doc_id")?;
    let rows = stmt.query_map([kind.as_str()], |r| {
        r.get::<_, String>(0).map(kitanetz_crdt::DocId)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn contract_ids_of_family(
    store: &Store,
    family: &FamilyId,
) -> Result<Vec<ContractId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id FROM p_contracts WHERE family = ?1 ORDER BY start, id")?;
    let rows = stmt.query_map([&family.0], |r| r.get::<_, String>(0).map(ContractId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One billing run as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRow {
    pub id: i64,
    pub billing_month: String,
    pub run_at: i64,
    pub run_by: String,
    pub positions: i64,
    pub total: String,
}

pub(super) fn runs(store: &Store) -> Result<Vec<RunRow>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, billing_month, run_at, run_by, positions, total FROM billing_runs ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RunRow {
            id: r.get(0)?,
            billing_month: r.get(1)?,
            run_at: r.get(2)?,
            run_by: r.get(3)?,
            positions: r.get(4)?,
            total: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn run(store: &Store, id: i64) -> Result<Option<RunRow>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT id, billing_month, run_at, run_by, positions, total FROM billing_runs WHERE id = ?1",
            [id],
            |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    billing_month: r.get(1)?,
                    run_at: r.get(2)?,
                    run_by: r.get(3)?,
                    positions: r.get(4)?,
                    total: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// The positions (JSON) of one run, or of every run.
pub(super) fn positions(store: &Store, run: Option<i64>) -> Result<Vec<String>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT data FROM billing_positions WHERE ?1 IS NULL OR run = ?1 ORDER BY pkn, id",
    )?;
    let rows = stmt.query_map([run], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a run and its positions (inside the caller's transaction).
pub(super) fn insert_run(
    conn: &rusqlite::Connection,
    billing_month: &str,
    run_at: i64,
    run_by: &str,
    total: &str,
    positions: &[(String, String, String)],
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO billing_runs (billing_month, run_at, run_by, positions, total) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![billing_month, run_at, run_by, positions.len() as i64, total])?;
    let run = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO billing_positions (id, run, billing_month, pkn, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (id, pkn, data) in positions {
        insert.execute(params![id, run, billing_month, pkn, data])?;
    }
    Ok(run)
}

/// The positions (JSON) of one payer account: the PKNs that start with its family number.
pub(super) fn positions_of_payer(
    store: &Store,
    family_number: &str,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        // A range on the PKN (eight digits, the family's six first) so that its index is used.
        "SELECT data FROM billing_positions WHERE pkn BETWEEN ?1 || '00' AND ?1 || '99' ORDER BY pkn, id",
    )?;
    let rows = stmt.query_map([family_number], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One upload of the finance system's payments file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub imported_at: i64,
    pub imported_by: String,
    pub file_name: String,
    /// Payments in the file.
    pub rows: i64,
    /// Of them, not stored before (a file uploaded again adds none).
    pub new_rows: i64,
    /// Σ of the file's amounts.
    pub total: String,
}

/// A stored payment as the arrears read it: payer, month, signed amount (decimal string).
pub(super) struct PaymentRow {
    pub payer: String,
    pub month: String,
    pub amount: String,
}

/// A payment to store (fields as text, amounts as decimal strings).
pub(super) struct NewPayment<'a> {
    pub key: &'a str,
    pub payer: String,
    pub month: String,
    pub amount: String,
    pub booked_on: String,
    pub reference: &'a str,
}

/// Stores an upload and those of its payments not stored before (inside the caller's
/// transaction); returns the upload's id.
pub(super) fn insert_import(
    conn: &rusqlite::Connection,
    imported_at: i64,
    imported_by: &str,
    file_name: &str,
    total: &str,
    payments: &[NewPayment<'_>],
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO payment_imports (imported_at, imported_by, file_name, rows, new_rows, total) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
    )?
    .execute(params![imported_at, imported_by, file_name, payments.len() as i64, total])?;
    let import = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO payments (key, import, payer, month, amount, booked_on, reference) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING",
    )?;
    let mut new_rows = 0;
    for p in payments {
        new_rows += insert.execute(params![
            p.key,
            import,
            p.payer,
            p.month,
            p.amount,
            p.booked_on,
            p.reference
        ])? as i64;
    }
    conn.prepare_cached("UPDATE payment_imports SET new_rows = ?1 WHERE id = ?2")?
        .execute(params![new_rows, import])?;
    Ok(import)
}

const IMPORT_COLUMNS: &str =
    "SELECT id, imported_at, imported_by, file_name, rows, new_rows, total FROM payment_imports";

fn import_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImportRow> {
    Ok(ImportRow {
        id: r.get(0)?,
        imported_at: r.get(1)?,
        imported_by: r.get(2)?,
        file_name: r.get(3)?,
        rows: r.get(4)?,
        new_rows: r.get(5)?,
        total: r.get(6)?,
    })
}

/// The uploads, newest first.
pub(super) fn imports(store: &Store) -> Result<Vec<ImportRow>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached(&format!("{IMPORT_COLUMNS} ORDER BY id DESC"))?;
    let rows = stmt.query_map([], import_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn import(store: &Store, id: i64) -> Result<Option<ImportRow>, StoreError> {
    Ok(store
        .conn()
        .query_row(&format!("{IMPORT_COLUMNS} WHERE id = ?1"), [id], import_row)
        .optional()?)
}

/// The stored payments, of one payer account or of all.
pub(super) fn payments(store: &Store, payer: Option<&str>) -> Result<Vec<PaymentRow>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT payer, month, amount FROM payments WHERE ?1 IS NULL OR payer = ?1 ORDER BY payer, month",
    )?;
    let rows = stmt.query_map([payer], |r| {
        Ok(PaymentRow {
            payer: r.get(0)?,
            month: r.get(1)?,
            amount: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
