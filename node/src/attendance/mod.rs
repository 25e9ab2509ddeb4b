//! Attendance on heilpädagogische places (Lastenheft 3.6.12, 3.9.2, annex E): the Kita lead marks
//! each day who was there and why a child was not (sick, vacation, other); the year's days
//! present, days away and the days the social welfare office pays for follow per child. The
//! office pays for at most [`DEFAULT_MAX_BILLABLE_DAYS`] days a year (configurable,
//! `[kita] attendance_max_days`), pro rata for a child who came or left during the year.

pub mod http;

use crate::action::{at_this_kita, ActionError};
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::facilities::provider_of;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::Datelike;
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, facility_org, ChildId, FacilityId};
use kitanetz_crdt::kinds::{AttendanceMark, AttendanceMonth, ExtraCareMonth};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days a year the social welfare office pays for (Lastenheft 3.9.2).
pub const DEFAULT_MAX_BILLABLE_DAYS: u32 = 250;

pub fn month_doc_id(facility: &FacilityId, month: Date) -> DocId {
    doc_id_for(
        "attendance",
        &format!("{}-{}", facility.0, month.0.format("%Y-%m")),
    )
}

/// The billable days of a child in care `days_in_care` of the `days_in_year` days of a year:
/// the yearly maximum pro rata, rounded half up (a child in care all year: the maximum).
pub fn cap_for(max_per_year: u32, days_in_care: u32, days_in_year: u32) -> u32 {
    if days_in_year == 0 {
        return 0;
    }
    let scaled = u64::from(max_per_year) * u64::from(days_in_care.min(days_in_year));
    ((2 * scaled + u64::from(days_in_year)) / (2 * u64::from(days_in_year))) as u32
}

/// A child on a heilpädagogischer place of the Kita, with the periods of those places.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RemedialChild {
    id: String,
    name: String,
    /// (first day, last day or none) of each remedial contract line.
    periods: Vec<(Date, Option<Date>)>,
}

impl RemedialChild {
    fn on(&self, day: Date) -> bool {
        self.periods
            .iter()
            .any(|(from, to)| *from <= day && to.is_none_or(|t| day <= t))
    }
}

/// The Kita's children with a remedial contract line touching `[from, to]`, by name.
fn remedial_children(
    store: &Store,
    facility: &FacilityId,
    from: Date,
    to: Date,
) -> Result<Vec<RemedialChild>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT c.id, c.given_name || ' ' || c.family_name, l.start, l.end
         FROM p_contract_lines l JOIN p_contracts k ON k.id = l.contract
              JOIN p_children c ON c.id = k.child
         WHERE k.facility = ?1 AND l.care_type = 'remedial' AND l.start <= ?3
               AND (l.end IS NULL OR l.end >= ?2)
         ORDER BY c.family_name, c.given_name, c.id, l.start",
    )?;
    let rows = stmt.query_map(params![facility.0, from.to_string(), to.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out: Vec<RemedialChild> = Vec::new();
    for row in rows {
        let (id, name, start, end) = row?;
        let (Ok(start), end) = (start.parse::<Date>(), end.and_then(|e| e.parse().ok())) else {
            continue;
        };
        match out.last_mut() {
            Some(last) if last.id == id => last.periods.push((start, end)),
            _ => out.push(RemedialChild {
                id,
                name,
                periods: vec![(start, end)],
            }),
        }
    }
    Ok(out)
}

/// One child on one day.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    pub child: String,
    pub name: String,
    /// The mark recorded, if any.
    pub mark: Option<String>,
}

/// One child's year.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct YearRow {
    pub child: String,
    pub name: String,
    pub present: u32,
    pub sick: u32,
    pub vacation: u32,
    pub absent: u32,
    /// Days on a heilpädagogischer place here in the year.
    pub days_in_care: u32,
    /// The days the office pays for at most ([`cap_for`]).
    pub cap: u32,
    /// Days present, up to the cap.
    pub billable: u32,
    /// Days present beyond the cap.
    pub over_cap: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttendanceView {
    pub facility: String,
    pub date: String,
    pub year: i32,
    pub max_per_year: u32,
    pub day: Vec<DayRow>,
    pub year_rows: Vec<YearRow>,
}

/// Whether the caller may see the Kita's day (groups, extra care, attendance): its lead, its
/// Träger's admin.
pub(crate) fn authorize_view(
    store: &Store,
    who: &Principal,
    facility: &FacilityId,
) -> Result<(), ActionError> {
    let provider = provider_of(store, facility)?;
    authorize(
        who,
        Action::ViewKitaDay {
            facility,
            provider: &provider,
        },
    )?;
    Ok(())
}

/// The marks of the months of `year`, keyed by (day, child).
fn marks_of_year(
    store: &Store,
    facility: &FacilityId,
    year: i32,
) -> Result<BTreeMap<(Date, String), AttendanceMark>, StoreError> {
    let mut out = BTreeMap::new();
    for m in 1..=12 {
        let month = Date::ymd(year, m, 1);
        if let Some((_, doc)) = store.find::<AttendanceMonth>(&month_doc_id(facility, month))? {
            for (day, child, mark) in doc.days() {
                out.insert((day, child.0), mark);
            }
        }
    }
    Ok(out)
}

/// The Kita's attendance on `date` and the year of `date` per child, after checking the caller
/// may see it. Audited (names).
pub fn view(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    date: Date,
    max_per_year: u32,
    now: Now,
) -> Result<AttendanceView, ActionError> {
    authorize_view(store, who, facility)?;
    let year = date.0.year();
    let (first, last) = (Date::ymd(year, 1, 1), Date::ymd(year, 12, 31));
    let children = remedial_children(store, facility, first, last)?;
    let marks = marks_of_year(store, facility, year)?;
    let day = children
        .iter()
        .filter(|c| c.on(date))
        .map(|c| DayRow {
            child: c.id.clone(),
            name: c.name.clone(),
            mark: marks
                .get(&(date, c.id.clone()))
                .map(|m| m.as_str().to_string()),
        })
        .collect();
    let days_in_year = last.0.ordinal();
    let year_rows = children
        .iter()
        .map(|c| {
            let mut row = YearRow {
                child: c.id.clone(),
                name: c.name.clone(),
                present: 0,
                sick: 0,
                vacation: 0,
                absent: 0,
                days_in_care: first
                    .0
                    .iter_days()
                    .take_while(|d| *d <= last.0)
                    .filter(|d| c.on(Date(*d)))
                    .count() as u32,
                cap: 0,
                billable: 0,
                over_cap: 0,
            };
            for (_, mark) in marks.iter().filter(|((_, child), _)| *child == c.id) {
                match mark {
                    AttendanceMark::Present => row.present += 1,
                    AttendanceMark::Sick => row.sick += 1,
                    AttendanceMark::Vacation => row.vacation += 1,
                    AttendanceMark::Absent => row.absent += 1,
                }
            }
            row.cap = cap_for(max_per_year, row.days_in_care, days_in_year);
            row.billable = row.present.min(row.cap);
            row.over_cap = row.present - row.billable;
            row
        })
        .collect::<Vec<_>>();
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "attendance.read",
        target: Some(facility.0.clone()),
        subjects: children.iter().map(|c| c.id.clone()).collect(),
        valid_from: Some(date.to_string()),
    })?;
    Ok(AttendanceView {
        facility: facility.0.clone(),
        date: date.to_string(),
        year,
        max_per_year,
        day,
        year_rows,
    })
}

/// A day's marks as typed: the day, and per child `present`, `sick`, `vacation` or `absent`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DayInput {
    /// YYYY-MM-DD
    pub date: String,
    /// child id → mark
    pub marks: BTreeMap<String, String>,
}

/// Records the marks of one day for children on a heilpädagogischer place here that day.
pub fn record_day(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &DayInput,
    now: Now,
) -> Result<usize, ActionError> {
    let facility = at_this_kita(who, Action::RecordKitaDay { facility }, facility)?;
    let mut v = Validator::new();
    let date = v.date("date", &input.date);
    if let Some(d) = date {
        v.check(
            d <= now.today && d.is_plausible(),
            "date",
            "Anwesenheit wird für vergangene Tage und heute erfasst / attendance is recorded for days up to today",
        );
    }
    v.finish()?;
    let date = date.expect("checked");
    let children = remedial_children(store, &facility, date, date)?;
    let mut v = Validator::new();
    let mut marks = Vec::new();
    for (child, mark) in &input.marks {
        let known = children.iter().any(|c| &c.id == child && c.on(date));
        v.check(
            known,
            format!("marks.{child}"),
            "Kind hat an dem Tag keinen heilpädagogischen Platz hier / no heilpädagogischer place here that day",
        );
        let parsed = AttendanceMark::parse(mark.trim());
        v.check(
            parsed.is_some(),
            format!("marks.{child}"),
            "anwesend, krank, Urlaub oder abwesend / present, sick, vacation or absent",
        );
        if let (true, Some(m), Ok(id)) = (known, parsed, child.parse::<ChildId>()) {
            marks.push((id, m));
        }
    }
    v.check(
        !input.marks.is_empty(),
        "marks",
        "keine Kinder / no children",
    );
    v.finish()?;
    let month = ExtraCareMonth::month_of(date);
    let id = month_doc_id(&facility, month);
    let (mut doc, mut value) = match store.find::<AttendanceMonth>(&id)? {
        Some(found) => found,
        None => {
            let provider = provider_of(store, &facility)?;
            let value = AttendanceMonth {
                facility: facility.clone(),
                month,
                marks: BTreeMap::new(),
            };
            let meta = DocMeta {
                kind: DocKind::AttendanceMonth,
                schema: DocKind::AttendanceMonth.schema_version(),
                owner: facility_org(&facility),
                provider: Some(provider),
                facilities: vec![facility.clone()],
                origin_node: store.node_name().to_string(),
                created_on: now.today,
            };
            let doc = StoredDoc::create(
                id.clone(),
                meta,
                &value,
                store.actor(),
                now.today,
                now.millis,
            )
            .map_err(StoreError::from)?;
            (doc, value)
        }
    };
    for (child, mark) in &marks {
        value.marks.insert(AttendanceMonth::key(date, child), *mark);
    }
    doc.update(&value, now.today, now.millis, "attendance.record")?;
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "attendance.record",
            target: Some(id.0.clone()),
            subjects: marks.iter().map(|(c, _)| c.0.clone()).collect(),
            valid_from: Some(date.to_string()),
        },
    )?;
    Ok(marks.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_yearly_maximum_goes_pro_rata_by_days_in_care_rounded_half_up() {
        assert_eq!(cap_for(250, 365, 365), 250);
        assert_eq!(cap_for(250, 400, 365), 250, "never more than the year");
        // From 1 July: 184 of 365 days → 250 × 184 / 365 = 126.03 → 126.
        assert_eq!(cap_for(250, 184, 365), 126);
        // 73 of 365 days → 50 exactly; 1 of 2 days of 250 → 125.
        assert_eq!(cap_for(250, 73, 365), 50);
        assert_eq!(cap_for(5, 1, 2), 3, "2.5 rounds up");
        assert_eq!(cap_for(250, 0, 365), 0);
        assert_eq!(cap_for(250, 10, 0), 0);
    }
}
