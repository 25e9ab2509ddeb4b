//! The audit view (Lastenheft's "Protokollierung", issue #13 item 5): the system admin and the
//! Träger admin read who did what on this node, filter by person, action and day, and export
//! what they filtered as CSV. An export is itself audited (it carries personal references).

pub mod http;
mod queries;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, AuditRow, Store};
use kitanetz_crdt::validate::Validator;
use serde::Deserialize;

/// Rows on one page of the view.
pub const PAGE_ROWS: usize = 100;
/// Rows of one export at most (a year of a busy node fits; narrow the filter beyond).
pub const EXPORT_ROWS: usize = 200_000;

/// The filter as typed into the form (every field optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FilterInput {
    /// Part of the actor, e.g. a user name (`zvs`) or `node:` for synced changes.
    pub person: String,
    /// An action or its prefix, e.g. `application.` or `access.denied`.
    pub action: String,
    /// First day (YYYY-MM-DD, the city's calendar).
    pub from: String,
    /// Last day, inclusive.
    pub until: String,
    /// Paging: entries older than this sequence number.
    pub before: String,
}

/// A checked filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub person: String,
    pub action: String,
    /// Unix milliseconds, inclusive start and exclusive end.
    pub from_millis: Option<i64>,
    pub until_millis: Option<i64>,
    pub before_seq: Option<i64>,
}

impl FilterInput {
    /// Checks the days and the paging mark; a wrong field is named.
    pub fn check(&self) -> Result<Filter, ActionError> {
        let mut v = Validator::new();
        let day = |v: &mut Validator, field: &str, value: &str| {
            if value.trim().is_empty() {
                None
            } else {
                v.date(field, value)
            }
        };
        let from = day(&mut v, "from", &self.from);
        let until = day(&mut v, "until", &self.until);
        if let (Some(f), Some(u)) = (from, until) {
            v.check(
                f <= u,
                "until",
                "der letzte Tag liegt vor dem ersten / the last day is before the first",
            );
        }
        let before = if self.before.trim().is_empty() {
            None
        } else {
            let parsed = self.before.trim().parse::<i64>().ok();
            v.check(parsed.is_some(), "before", "eine Zahl / a number");
            parsed
        };
        v.finish()?;
        let start_of = |d: kitanetz_crdt::scalar::Date| {
            crate::clock::city_instant(d.0.and_hms_opt(0, 0, 0).expect("midnight"))
                .timestamp_millis()
        };
        Ok(Filter {
            person: self.person.trim().to_string(),
            action: self.action.trim().to_string(),
            from_millis: from.map(start_of),
            until_millis: until
                .map(|d| start_of(kitanetz_crdt::scalar::Date(d.0 + chrono::Days::new(1)))),
            before_seq: before,
        })
    }
}

/// One page of entries, newest first.
pub fn page(store: &Store, who: &Principal, filter: &Filter) -> Result<Vec<AuditRow>, ActionError> {
    authorize(
        who,
        Action::ViewAudit {
            provider: store.membership().provider.as_ref(),
        },
    )?;
    Ok(queries::search(store.conn(), filter, PAGE_ROWS)?)
}

/// The actions recorded on this node (for the filter's list).
pub fn actions(store: &Store, who: &Principal) -> Result<Vec<String>, ActionError> {
    authorize(
        who,
        Action::ViewAudit {
            provider: store.membership().provider.as_ref(),
        },
    )?;
    Ok(queries::actions(store.conn())?)
}

/// Every entry the filter matches (newest first, at most [`EXPORT_ROWS`]) as CSV; the export
/// is recorded with its filter.
pub fn export_csv(
    store: &mut Store,
    who: &Principal,
    filter: &Filter,
    now: Now,
) -> Result<String, ActionError> {
    Ok(to_csv(&export_rows(store, who, filter, now)?))
}

/// Every entry the filter matches (newest first, at most [`EXPORT_ROWS`]) for a file (CSV or
/// Excel); authorised, and the export itself recorded.
pub fn export_rows(
    store: &mut Store,
    who: &Principal,
    filter: &Filter,
    now: Now,
) -> Result<Vec<AuditRow>, ActionError> {
    authorize(
        who,
        Action::ViewAudit {
            provider: store.membership().provider.as_ref(),
        },
    )?;
    let rows = queries::search(store.conn(), filter, EXPORT_ROWS)?;
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "audit.export",
        target: None,
        subjects: vec![],
        valid_from: None,
    })?;
    Ok(rows)
}

/// The entries as an Excel table, the columns of the CSV.
pub fn to_table(rows: &[AuditRow]) -> kitanetz_sheets::Table {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let mut table = Table::new(
        "Protokoll",
        vec![
            Column::new("Nr.", ColumnKind::Integer),
            Column::new("Zeit", ColumnKind::Text),
            Column::new("Wer", ColumnKind::Text),
            Column::new("Aktion", ColumnKind::Text),
            Column::new("Ziel", ColumnKind::Text),
            Column::new("Betroffene", ColumnKind::Text),
            Column::new("Gültig ab", ColumnKind::Text),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Integer(r.seq),
                Cell::from(crate::clock::format_millis(r.at).as_str()),
                Cell::from(r.actor.as_str()),
                Cell::from(r.action.as_str()),
                Cell::from(r.target.as_deref().unwrap_or_default()),
                Cell::from(r.subjects.join(" ").as_str()),
                Cell::from(r.valid_from.as_deref().unwrap_or_default()),
            ]
        })
        .collect();
    table
}

/// RFC 4180 CSV with a header; times in the city's time.
pub fn to_csv(rows: &[AuditRow]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "seq",
        "time",
        "actor",
        "action",
        "target",
        "subjects",
        "valid_from",
    ];
    out.write_record(header).expect("in memory");
    for r in rows {
        out.write_record([
            r.seq.to_string(),
            crate::clock::format_millis(r.at),
            r.actor.clone(),
            r.action.clone(),
            r.target.clone().unwrap_or_default(),
            r.subjects.join(" "),
            r.valid_from.clone().unwrap_or_default(),
        ])
        .expect("in memory");
    }
    String::from_utf8(out.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}
