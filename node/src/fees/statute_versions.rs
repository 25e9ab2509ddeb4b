//! The node's versions of its fee statute. The engine ships the statute as dated data
//! (`kitanetz-fees`, `dresden-2011`); when the city publishes new operating costs (Satzung
//! § 10 (4): "gemeinsam mit der Bekanntmachung der jährlichen Betriebskosten"), the Beitragsstelle
//! enters them with a bulk fee change ([`super::bulk_change`]) and they become a new version of
//! the statute from the 1st of a month: the same rules, the fee at the base hours now
//! `round(cost × share)` (§ 11 (1)), named in every explanation as `dresden-2011/YYYY-MM`.
//!
//! The versions are rows of the node's table `fee_statute_versions` (migration 0027); the book
//! the fees are computed with is the shipped statute with them appended ([`with_versions`], pure).
//! The newest version can be corrected or taken back; the replaced row is kept as it was in
//! `fee_statute_versions_replaced` (migration 0035), with who, when and why.

use super::compute::STATUTE;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::scalar::Date;
use kitanetz_fees::care::FeeGroup;
use kitanetz_fees::{Money, Month, StatuteBook};
use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The shipped statutes, shared.
pub fn builtin() -> Arc<StatuteBook> {
    static BOOK: OnceLock<Arc<StatuteBook>> = OnceLock::new();
    BOOK.get_or_init(|| Arc::new(StatuteBook::builtin()))
        .clone()
}

/// A version the node added: new operating costs from a month on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatuteVersionRow {
    pub valid_from: Month,
    pub published_on: Date,
    pub basis: String,
    /// Fee group (`krippe`, `kindergarten`, `hort`, `foerderhort`) → operating cost per place
    /// and month at the base hours.
    pub operating_costs: BTreeMap<String, Money>,
    pub decided_by: String,
    pub decided_at: i64,
}

impl StatuteVersionRow {
    /// The version's name in the explanations.
    pub fn version_name(&self) -> String {
        format!("{STATUTE}/{}", self.valid_from)
    }
}

fn previous(month: Month) -> Month {
    if month.month() == 1 {
        Month::new(month.year() - 1, 12)
    } else {
        Month::new(month.year(), month.month() - 1)
    }
    .expect("a calendar month")
}

/// The shipped statutes with `rows` appended to the node's statute, each from its month until
/// the next. A row not later than the version before it is left out (the bulk change refuses
/// such a row before it is stored).
pub fn with_versions(rows: &[StatuteVersionRow]) -> StatuteBook {
    let mut book = StatuteBook::builtin();
    let Some(mut statute) = book.get(STATUTE).cloned() else {
        return book;
    };
    let mut rows: Vec<&StatuteVersionRow> = rows.iter().collect();
    rows.sort_by_key(|r| r.valid_from);
    for row in rows {
        let Some(last) = statute.versions.last_mut() else {
            break;
        };
        if row.valid_from <= last.valid_from {
            continue;
        }
        last.valid_until = Some(previous(row.valid_from));
        let mut version = last.clone();
        version.version = row.version_name();
        version.valid_from = row.valid_from;
        version.valid_until = None;
        version.basis = format!(
            "{}; bekanntgemacht am {}",
            row.basis,
            row.published_on.0.format("%d.%m.%Y")
        );
        for (group, rates) in version.fee_groups.iter_mut() {
            if let Some(cost) = row.operating_costs.get(group.wire_name()) {
                rates.operating_cost = Some(*cost);
                rates.fee_at_base_hours = None;
            }
        }
        statute.versions.push(version);
    }
    book.add(statute);
    book
}

const COLUMNS: &str = "valid_from, published_on, basis, operating_costs, decided_by, decided_at";

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatuteVersionRow> {
    let bad = |i: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let valid_from: String = r.get(0)?;
    let published_on: String = r.get(1)?;
    let costs: String = r.get(3)?;
    let costs: BTreeMap<String, String> = serde_json::from_str(&costs)
        .map_err(|e| bad(3, format!("fee_statute_versions.operating_costs: {e}")))?;
    let mut operating_costs = BTreeMap::new();
    for (group, cost) in costs {
        let cost = Money::parse(&cost)
            .map_err(|_| bad(3, format!("fee_statute_versions.operating_costs: {cost}")))?;
        operating_costs.insert(group, cost);
    }
    Ok(StatuteVersionRow {
        valid_from: Month::parse(&valid_from)
            .ok_or_else(|| bad(0, format!("fee_statute_versions.valid_from: {valid_from}")))?,
        published_on: published_on.parse().map_err(|_| {
            bad(
                1,
                format!("fee_statute_versions.published_on: {published_on}"),
            )
        })?,
        basis: r.get(2)?,
        operating_costs,
        decided_by: r.get(4)?,
        decided_at: r.get(5)?,
    })
}

/// The node's versions, by first month.
pub fn rows(conn: &Connection) -> Result<Vec<StatuteVersionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM fee_statute_versions ORDER BY valid_from"
    ))?;
    let rows = stmt.query_map([], row_of)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The statutes this node computes with. Every family's fees are loaded with it (a billing run
/// loads every family), so the book of the versions last read is kept and shared.
pub fn book(store: &Store) -> Result<Arc<StatuteBook>, StoreError> {
    static LAST: Mutex<Option<(Vec<StatuteVersionRow>, Arc<StatuteBook>)>> = Mutex::new(None);
    let rows = rows(store.conn())?;
    if rows.is_empty() {
        return Ok(builtin());
    }
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached, book)) = last.as_ref() {
        if *cached == rows {
            return Ok(book.clone());
        }
    }
    let book = Arc::new(with_versions(&rows));
    *last = Some((rows, book.clone()));
    Ok(book)
}

/// Stores a version (inside the bulk change's transaction).
pub(crate) fn insert_in(conn: &Connection, row: &StatuteVersionRow) -> Result<(), StoreError> {
    let costs: BTreeMap<&str, String> = row
        .operating_costs
        .iter()
        .map(|(g, c)| (g.as_str(), c.to_string()))
        .collect();
    conn.execute(
        &format!("INSERT INTO fee_statute_versions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![
            row.valid_from.to_string(),
            row.published_on.to_string(),
            row.basis,
            serde_json::to_string(&costs).expect("costs serialise"),
            row.decided_by,
            row.decided_at
        ],
    )?;
    Ok(())
}

/// A version that was corrected or taken back, as it was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplacedVersionRow {
    pub version: StatuteVersionRow,
    pub replaced_by: String,
    pub replaced_at: i64,
    /// Taken back (the version before applies again); otherwise corrected.
    pub withdrawn: bool,
    pub reason: String,
}

/// Moves the version in force from `old.valid_from` into the replaced versions (inside the bulk
/// change's transaction): a correction inserts its new row after it, a withdrawal does not.
pub(crate) fn replace_in(
    conn: &Connection,
    old: &StatuteVersionRow,
    by: &str,
    at: i64,
    withdrawn: bool,
    reason: &str,
) -> Result<(), StoreError> {
    let moved = conn.execute(
        &format!(
            "INSERT INTO fee_statute_versions_replaced ({COLUMNS}, replaced_by, replaced_at, withdrawn, reason)
             SELECT {COLUMNS}, ?2, ?3, ?4, ?5 FROM fee_statute_versions WHERE valid_from = ?1"
        ),
        params![old.valid_from.to_string(), by, at, withdrawn, reason],
    )?;
    if moved != 1 {
        return Err(StoreError::Corrupt(format!(
            "fee statute version {} is not in force on this node",
            old.valid_from
        )));
    }
    conn.execute(
        "DELETE FROM fee_statute_versions WHERE valid_from = ?1",
        [old.valid_from.to_string()],
    )?;
    Ok(())
}

/// The replaced versions, the latest replacement first.
pub fn replaced_rows(conn: &Connection) -> Result<Vec<ReplacedVersionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, replaced_by, replaced_at, withdrawn, reason
         FROM fee_statute_versions_replaced ORDER BY replaced_at DESC, rowid DESC"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok(ReplacedVersionRow {
            version: row_of(r)?,
            replaced_by: r.get(6)?,
            replaced_at: r.get(7)?,
            withdrawn: r.get(8)?,
            reason: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The fee at the base hours each fee group has in `month` under `book` (for the page).
pub fn base_fees(book: &StatuteBook, month: Month) -> Vec<(String, Decimal, Money)> {
    let Some(version) = book.get(STATUTE).and_then(|s| s.version_at(month)) else {
        return vec![];
    };
    FeeGroup::ALL
        .iter()
        .map(|g| {
            let rates = version.rates(*g);
            (
                rates.name.clone(),
                rates.cost_share_percent,
                rates.fee_at_base_hours().0,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_operating_costs_start_a_version_that_prices_the_base_fee_from_the_cost() {
        let row = StatuteVersionRow {
            valid_from: Month::parse("2026-09").unwrap(),
            published_on: Date::ymd(2026, 6, 26),
            basis: "Betriebskosten 2025, Amtsblatt Nr. 26/2026".into(),
            operating_costs: [("krippe".to_string(), Money::parse("850.00").unwrap())].into(),
            decided_by: "user:test".into(),
            decided_at: 1,
        };
        let book = with_versions(&[row]);
        let statute = book.get(STATUTE).unwrap();
        let before = statute
            .version_at(Month::parse("2026-08").unwrap())
            .unwrap();
        assert_eq!(before.valid_until, Month::parse("2026-08"));
        let after = statute
            .version_at(Month::parse("2026-09").unwrap())
            .unwrap();
        assert_eq!(after.version, "dresden-2011/2026-09");
        // 23 % of 850.00 € = 195.50 €; the other groups keep their published fees.
        let fees = base_fees(&book, Month::parse("2026-09").unwrap());
        assert_eq!(fees[0].0, "Krippe");
        assert_eq!(fees[0].2.to_string(), "195.50");
        assert_eq!(fees[1].2.to_string(), "132.13");
        assert_eq!(
            base_fees(&book, Month::parse("2026-08").unwrap())[0]
                .2
                .to_string(),
            "189.36"
        );
    }
}
