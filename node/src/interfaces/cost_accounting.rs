//! Cost accounting (Kosten- und Leistungsrechnung, SAP-CO): "Kapazitäten und Auslastungen der
//! Einrichtungen (nach Betreuungsart, Betr.-Zeit zum Stichtag 20. des Monats)" (Lastenheft
//! 3.19; 3.14: "Schnittstelle KLR-Lauf Übertragung der belegten Plätze nach Betreuungsart und
//! Betreuungszeit zum Stichtag 20. des Monats").
//!
//! The figures are the occupancy module's (`kitanetz-occupancy`) on the 20th: approved places,
//! children under contract (one child counted once, on the place its contract gives it that
//! day), of them on an employer's Belegrecht, seats reserved for wishes, guests of a closed Kita,
//! free places and use beyond the capacity. Per Kita and kind of place one row `gesamt`, then
//! one row per contracted daily care time with the children on it (reservations carry no hours:
//! they count on the `gesamt` row only). The Kita's Kostenstelle (profile) identifies it in
//! SAP-CO. No personal data.

use super::{audit_export, scope, scope_label, ExportFile, Table, Value};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::{Store, StoreError};
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::kinds::FacilityProfile;
use kitanetz_occupancy as occ;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The day of the month the figures are taken on.
pub const REFERENCE_DAY: u32 = 20;

/// What the `BETREUUNGSZEIT` column says on a kind's total row.
pub const TOTAL: &str = "gesamt";

/// The columns, as `FORMATS.md` documents them.
pub const COLUMNS: [&str; 15] = [
    "STICHTAG",
    "MONAT",
    "EINRICHTUNG_ID",
    "KOSTENSTELLE",
    "EINRICHTUNG_NAME",
    "BETREUUNGSART",
    "INTEGRATION",
    "BETREUUNGSZEIT",
    "PLAETZE",
    "BELEGT",
    "DAVON_BELEGRECHT",
    "RESERVIERT",
    "GASTKINDER",
    "FREI",
    "UEBERBELEGT",
];

/// The 20th of `year`-`month`.
pub fn reference_date(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, REFERENCE_DAY)
}

/// The table of the Kitas of `books` on `on` (`profiles` name them and give the cost centre).
pub fn table(
    books: &[occ::FacilityBook],
    profiles: &BTreeMap<String, FacilityProfile>,
    on: NaiveDate,
) -> Result<Table, occ::OccupancyError> {
    let figures = occ::provider_occupancy(books, on, &occ::Rules::default())?;
    let month = format!("{}-{:02}", on.year(), on.month());
    let mut rows = Vec::new();
    for f in &figures.facilities {
        let profile = profiles.get(&f.facility.0);
        let head = |kind: &occ::PlaceKind, hours: Value| {
            vec![
                Value::Date(Some(on)),
                Value::text(month.clone()),
                Value::text(f.facility.0.clone()),
                Value::text(profile.map(|p| p.cost_centre.clone()).unwrap_or_default()),
                Value::text(profile.map(|p| p.name.clone()).unwrap_or_default()),
                Value::text(kind.care_type.label_de()),
                Value::Flag(kind.integration),
                hours,
            ]
        };
        for k in &f.places {
            let fig = &k.figures;
            let mut total = head(&k.kind, Value::text(TOTAL));
            total.extend([
                Value::Count(fig.capacity),
                Value::Count(fig.occupied),
                Value::Count(fig.employer_seats),
                Value::Count(fig.reserved),
                Value::Count(fig.guests),
                Value::Count(fig.free),
                Value::Count(fig.over),
            ]);
            rows.push(total);
            // (children, of them on a Belegrecht) per daily care time.
            let mut by_hours: BTreeMap<Decimal, (u32, u32)> = BTreeMap::new();
            for c in f.children.iter().filter(|c| c.kind == k.kind) {
                let e = by_hours.entry(c.daily_hours.normalize()).or_default();
                e.0 += 1;
                e.1 += u32::from(c.employer_seat);
            }
            for (hours, (children, employer)) in by_hours {
                let mut row = head(&k.kind, Value::Decimal(hours));
                row.extend([
                    Value::Empty,
                    Value::Count(children),
                    Value::Count(employer),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                ]);
                rows.push(row);
            }
        }
    }
    Ok(Table {
        name: "kostenrechnung",
        row: "belegung",
        columns: &COLUMNS,
        rows,
    })
}

fn profiles(
    store: &Store,
    facilities: &[FacilityId],
) -> Result<BTreeMap<String, FacilityProfile>, StoreError> {
    let mut out = BTreeMap::new();
    for f in facilities {
        if let Some((_, p)) =
            store.find::<FacilityProfile>(&crate::facilities::profile_doc_id(f))?
        {
            out.insert(f.0.clone(), p);
        }
    }
    Ok(out)
}

/// The cost-accounting CSV of the Kitas `who` may export here (`facility`: one of them) on the
/// 20th of `year`-`month`; the export is audited.
pub fn export(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    year: i32,
    month: u32,
    now: Now,
) -> Result<ExportFile, ActionError> {
    let scope = scope(store, who, facility)?;
    let on = reference_date(year, month).ok_or_else(|| {
        ActionError::Invalid(kitanetz_crdt::ValidationError::field(
            "month",
            "Monat als JJJJ-MM / month as YYYY-MM",
        ))
    })?;
    let books = crate::occupancy::books(store, &scope.facilities)?;
    let table = table(&books, &profiles(store, &scope.facilities)?, on)
        .map_err(|e| ActionError::Conflict(format!("Belegung / occupancy: {e}")))?;
    audit_export(
        store,
        who,
        "interfaces.cost-accounting",
        &scope,
        on,
        vec![],
        now,
    )?;
    Ok(ExportFile {
        name: format!(
            "kostenrechnung-{}-{}-{:02}.csv",
            scope_label(&scope),
            year,
            month
        ),
        media_type: "text/csv; charset=utf-8",
        bytes: table.csv(),
    })
}
