//! Extra care (Mehrbetreuung, Lastenheft 3.6.13 and 3.10.6; Satzung § 5): the Kita lead records
//! each day a child stayed beyond its contracted hours, and reports the month to the Träger's
//! Beitragsstelle by the 10th of the next month. The records are the Kita's own month document
//! ([`ExtraCareMonth`]), written on the Kita's node (offline too) and held by its Träger. A
//! reported month is closed; its days go into the family's fee case
//! ([`crate::fees::compute`]), where the fee engine charges them with an explanation, and the
//! Beitragsstelle sees them on its watch list ([`reported`]).

pub mod http;
pub mod queries;

use crate::action::{at_this_kita, ActionError};
use crate::auth::{Action, Principal};
use crate::clock::Now;
use crate::facilities::provider_of;
use crate::input::checked;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::{Datelike, Months};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, facility_org, ChildId, FacilityId, IdGen};
use kitanetz_crdt::kinds::{ExtraCareEntry, ExtraCareMonth};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use kitanetz_fees::Money;
use serde::{Deserialize, Serialize};

/// The day of the next month by which a month is reported (Lastenheft 3.10.6).
pub const REPORT_BY_DAY: u32 = 10;

pub fn month_doc_id(facility: &FacilityId, month: Date) -> DocId {
    doc_id_for(
        "extra-care",
        &format!("{}-{}", facility.0, month.0.format("%Y-%m")),
    )
}

/// The day a month's report is due: the 10th of the next month.
pub fn due_on(month: Date) -> Date {
    let next = month.0 + Months::new(1);
    Date::ymd(next.year(), next.month(), REPORT_BY_DAY)
}

/// Parses `YYYY-MM` into the first of the month.
pub fn parse_month(text: &str) -> Option<Date> {
    let (y, m) = text.trim().split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).map(Date)?;
    first.is_plausible().then_some(first)
}

/// One day of extra care as a person types it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryInput {
    pub child: String,
    /// YYYY-MM-DD
    pub date: String,
    /// HH:MM
    pub from: String,
    pub to: String,
    /// How many care tiers were exceeded, e.g. "1".
    pub extra_tiers: String,
    /// "on"/"true" when the child was collected after the opening hours.
    pub outside_opening_hours: String,
    /// "on"/"true" for a Hort child on a day without school.
    pub school_free_day: String,
}

/// `month` (YYYY-MM) and, for removing, the entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MonthInput {
    pub month: String,
    pub entry: String,
}

/// A recorded day as the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRow {
    pub id: String,
    pub child: String,
    pub name: String,
    pub date: String,
    pub from: String,
    pub to: String,
    pub extra_tiers: u32,
    pub outside_opening_hours: bool,
    pub school_free_day: bool,
    /// What § 5 charges for the day (the fee case charges the same, with its explanation).
    pub amount: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtraCareView {
    pub facility: String,
    /// YYYY-MM
    pub month: String,
    pub previous: String,
    pub next: String,
    pub reported_on: Option<String>,
    pub due_on: String,
    /// The month ended, is not reported and the 10th has passed.
    pub overdue: bool,
    /// The month ended and is not reported: the lead may report it.
    pub reportable: bool,
    pub entries: Vec<EntryRow>,
    /// The children under contract in the month, for the entry form: (id, name, care type).
    pub children: Vec<(String, String, String)>,
}

/// What § 5 charges for one day under the statute of its month (Dresden: 5 € per tier, none for
/// a Hort child on a school-free day, 25 € after closing).
pub fn charge_of(e: &ExtraCareEntry) -> Money {
    // Recording allows the school-free day for Hort children only, so it always waives here.
    crate::fees::compute::extra_care_rates(kitanetz_fees::Month::of(e.date.0))
        .map_or(Money::ZERO, |rates| {
            rates.day_charge(e.extra_tiers, e.school_free_day, e.outside_opening_hours)
        })
}

fn row_of(e: &ExtraCareEntry, names: &[(String, String, String)]) -> EntryRow {
    EntryRow {
        id: e.id.clone(),
        child: e.child.0.clone(),
        name: names
            .iter()
            .find(|(id, ..)| id == &e.child.0)
            .map_or_else(|| e.child.0.clone(), |(_, n, _)| n.clone()),
        date: e.date.to_string(),
        from: e.from.clone(),
        to: e.to.clone(),
        extra_tiers: e.extra_tiers,
        outside_opening_hours: e.outside_opening_hours,
        school_free_day: e.school_free_day,
        amount: charge_of(e).to_string(),
    }
}

/// The children under contract at the Kita at any day of the month: (id, name, care type).
fn children_of_month(
    store: &Store,
    facility: &FacilityId,
    month: Date,
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(queries::children_in_month(store, facility, month)?
        .into_iter()
        .map(|c| {
            (
                c.id,
                format!("{} {}", c.given_name, c.family_name),
                c.care_type,
            )
        })
        .collect())
}

/// A month of the Kita's extra care, after checking the caller may see it. Audited (names).
pub fn view(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    month: Date,
    now: Now,
) -> Result<ExtraCareView, ActionError> {
    crate::attendance::authorize_view(store, who, facility)?;
    let doc = store.find::<ExtraCareMonth>(&month_doc_id(facility, month))?;
    let children = children_of_month(store, facility, month)?;
    let (mut entries, reported_on) = match &doc {
        Some((_, m)) => (
            m.entries
                .iter()
                .map(|e| row_of(e, &children))
                .collect::<Vec<_>>(),
            m.reported_on,
        ),
        None => (vec![], None),
    };
    entries.sort_by(|a, b| (&a.date, &a.from, &a.name).cmp(&(&b.date, &b.from, &b.name)));
    let ended = now.today >= Date(month.0 + Months::new(1));
    let due = due_on(month);
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "extra_care.read",
        target: Some(month_doc_id(facility, month).0),
        subjects: entries.iter().map(|e| e.child.clone()).collect(),
        valid_from: None,
    })?;
    Ok(ExtraCareView {
        facility: facility.0.clone(),
        month: month.0.format("%Y-%m").to_string(),
        previous: (month.0 - Months::new(1)).format("%Y-%m").to_string(),
        next: (month.0 + Months::new(1)).format("%Y-%m").to_string(),
        reported_on: reported_on.map(|d| d.to_string()),
        due_on: due.to_string(),
        overdue: ended && reported_on.is_none() && now.today > due,
        reportable: ended && reported_on.is_none(),
        entries,
        children,
    })
}

/// The month document of the Kita, or a new one (created on this, the Kita's, node).
fn month_doc(
    store: &Store,
    facility: &FacilityId,
    month: Date,
    now: Now,
) -> Result<(StoredDoc, ExtraCareMonth), ActionError> {
    if let Some(found) = store.find::<ExtraCareMonth>(&month_doc_id(facility, month))? {
        return Ok(found);
    }
    let provider = provider_of(store, facility)?;
    let value = ExtraCareMonth {
        facility: facility.clone(),
        month,
        entries: vec![],
        reported_on: None,
    };
    let meta = DocMeta {
        kind: DocKind::ExtraCareMonth,
        schema: DocKind::ExtraCareMonth.schema_version(),
        owner: facility_org(facility),
        provider: Some(provider),
        facilities: vec![facility.clone()],
        origin_node: store.node_name().to_string(),
        created_on: now.today,
    };
    let doc = StoredDoc::create(
        month_doc_id(facility, month),
        meta,
        &value,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    Ok((doc, value))
}

fn closed(m: &ExtraCareMonth) -> ActionError {
    ActionError::Conflict(format!(
        "Der Monat {} ist schon gemeldet / the month {} was reported already",
        m.month.0.format("%m.%Y"),
        m.month.0.format("%Y-%m")
    ))
}

/// Records one day of extra care of a child under contract at the Kita on that day.
pub fn record(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &EntryInput,
    now: Now,
) -> Result<ExtraCareEntry, ActionError> {
    let facility = at_this_kita(who, Action::RecordKitaDay { facility }, facility)?;
    let mut v = Validator::new();
    let date = v.date("date", &input.date);
    if let Some(d) = date {
        v.plausible_date("date", d);
        v.check(
            d <= now.today,
            "date",
            "Mehrbetreuung erst nach dem Tag erfassen / record extra care once the day has passed",
        );
    }
    let child = input.child.trim().parse::<ChildId>().ok();
    v.check(child.is_some(), "child", "Kind wählen / choose a child");
    let tiers = match input.extra_tiers.trim() {
        "" => Some(0),
        t => t.parse::<u32>().ok(),
    };
    v.check(
        tiers.is_some(),
        "extra_tiers",
        "Anzahl der Stufen, z. B. 1 / number of tiers, e.g. 1",
    );
    let school_free_day = checked(&input.school_free_day);
    if let (Some(d), Some(c)) = (date, &child) {
        let in_care = queries::child_on(store, &facility, c, d)?;
        v.check(
            in_care.is_some(),
            "child",
            "Kind ist an dem Tag hier nicht unter Vertrag / the child has no contract here on that day",
        );
        if let Some(care_type) = in_care {
            v.check(
                !school_free_day
                    || matches!(
                        kitanetz_crdt::kinds::CareType::parse(&care_type),
                        Some(
                            kitanetz_crdt::kinds::CareType::AfterSchool
                                | kitanetz_crdt::kinds::CareType::SupportedAfterSchool
                        )
                    ),
                "school_free_day",
                "nur für Hortkinder / for Hort children only",
            );
        }
    }
    v.finish()?;
    let date = date.expect("checked");
    let month = ExtraCareMonth::month_of(date);
    let (mut doc, mut value) = month_doc(store, &facility, month, now)?;
    if value.reported_on.is_some() {
        return Err(closed(&value));
    }
    let entry = ExtraCareEntry {
        id: format!("xc-{}", crate::contracts::os_ids().next_token()),
        child: child.expect("checked"),
        date,
        from: input.from.trim().to_string(),
        to: input.to.trim().to_string(),
        extra_tiers: tiers.expect("checked"),
        outside_opening_hours: checked(&input.outside_opening_hours),
        school_free_day,
    };
    // The times and tiers are checked by the document, with the form's field names.
    let mut v = Validator::new();
    entry.check(&mut v, month);
    v.finish()?;
    value.entries.push(entry.clone());
    doc.update(&value, now.today, now.millis, "extra_care.record")?;
    let target = doc.id.0.clone();
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "extra_care.record",
            target: Some(target),
            subjects: vec![entry.child.0.clone()],
            valid_from: Some(entry.date.to_string()),
        },
    )?;
    Ok(entry)
}

fn month_of_input(input: &MonthInput) -> Result<Date, ActionError> {
    let mut v = Validator::new();
    let month = parse_month(&input.month);
    v.check(
        month.is_some(),
        "month",
        "Monat als JJJJ-MM / month as YYYY-MM",
    );
    v.finish()?;
    Ok(month.expect("checked"))
}

/// Removes a recorded day from a month not yet reported (a mistake).
pub fn remove(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &MonthInput,
    now: Now,
) -> Result<(), ActionError> {
    let facility = at_this_kita(who, Action::RecordKitaDay { facility }, facility)?;
    let month = month_of_input(input)?;
    // An entry already gone (removed on another device) is a field error, not a missing page.
    let gone = || -> ActionError {
        kitanetz_crdt::ValidationError::field("entry", "Eintrag nicht gefunden / no such entry")
            .into()
    };
    let (mut doc, mut value) = store
        .find::<ExtraCareMonth>(&month_doc_id(&facility, month))?
        .ok_or_else(gone)?;
    if value.reported_on.is_some() {
        return Err(closed(&value));
    }
    let at = value
        .entries
        .iter()
        .position(|e| e.id == input.entry.trim())
        .ok_or_else(gone)?;
    let entry = value.entries.remove(at);
    doc.update(&value, now.today, now.millis, "extra_care.remove")?;
    let target = doc.id.0.clone();
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "extra_care.remove",
            target: Some(target),
            subjects: vec![entry.child.0],
            valid_from: Some(entry.date.to_string()),
        },
    )?;
    Ok(())
}

/// Reports a month that has ended to the Beitragsstelle: the month is closed from then on. A
/// month without extra care is reported too (the Beitragsstelle then knows nothing is missing).
pub fn report(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &MonthInput,
    now: Now,
) -> Result<ExtraCareMonth, ActionError> {
    let facility = at_this_kita(who, Action::RecordKitaDay { facility }, facility)?;
    let month = month_of_input(input)?;
    if now.today < Date(month.0 + Months::new(1)) {
        return Err(ActionError::Conflict(
            "Ein Monat wird gemeldet, wenn er vorbei ist / a month is reported once it has ended"
                .into(),
        ));
    }
    let (mut doc, mut value) = month_doc(store, &facility, month, now)?;
    if value.reported_on.is_some() {
        return Err(closed(&value));
    }
    value.reported_on = Some(now.today);
    doc.update(&value, now.today, now.millis, "extra_care.report")?;
    let target = doc.id.0.clone();
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "extra_care.report",
            target: Some(target),
            subjects: value.entries.iter().map(|e| e.child.0.clone()).collect(),
            valid_from: Some(month.to_string()),
        },
    )?;
    Ok(value)
}

/// One reported month of one Kita on the Beitragsstelle's watch list.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedMonth {
    pub facility: String,
    pub facility_name: String,
    pub month: String,
    pub reported_on: Option<String>,
    pub due_on: String,
    pub overdue: bool,
    pub entries: Vec<EntryRow>,
    pub total: String,
    /// Per child with days this month: its Mehrbetreuungsbescheid, once issued.
    pub children: Vec<ChildDecision>,
    /// Reported and every child's month decided: done ("als bearbeitet markiert", 3.6.18).
    pub processed: bool,
}

/// A child of a reported month and its decision.
#[derive(Debug, Clone, Serialize)]
pub struct ChildDecision {
    pub child: String,
    pub name: String,
    pub family: String,
    /// Its Mehrbetreuungsbescheid: the number, and whether the other guardian gets a copy.
    pub decided: Option<crate::fees::extra_care_decisions::DecidedMonth>,
}

/// The Beitragsstelle's watch list: every month a Kita of the Träger recorded or reported, newest
/// first, with what § 5 charges; unreported months past their due day are flagged.
pub fn reported(
    store: &mut Store,
    who: &Principal,
    now: Now,
) -> Result<Vec<ReportedMonth>, ActionError> {
    crate::fees::authorize_here(store, who, crate::fees::FeeAction::View)?;
    let names = crate::facilities::names(store)?;
    let mut months: Vec<ExtraCareMonth> = store.values_of_kind::<ExtraCareMonth>()?;
    months.sort_by(|a, b| (b.month, &a.facility).cmp(&(a.month, &b.facility)));
    let mut out = Vec::new();
    let mut subjects = Vec::new();
    for m in months {
        let children = children_of_month(store, &m.facility, m.month)?;
        let entries: Vec<EntryRow> = m.entries.iter().map(|e| row_of(e, &children)).collect();
        let total = m
            .entries
            .iter()
            .map(charge_of)
            .fold(Money::ZERO, |a, b| a + b);
        subjects.extend(entries.iter().map(|e| e.child.clone()));
        let month_text = m.month.0.format("%Y-%m").to_string();
        let mut children_here: Vec<ChildDecision> = Vec::new();
        if m.reported_on.is_some() {
            for e in &entries {
                if children_here.iter().any(|c| c.child == e.child) {
                    continue;
                }
                let Ok((family, _)) = crate::families::child_facility(
                    store,
                    &kitanetz_crdt::ids::ChildId(e.child.clone()),
                ) else {
                    continue;
                };
                children_here.push(ChildDecision {
                    child: e.child.clone(),
                    name: e.name.clone(),
                    family: family.0,
                    decided: None,
                });
            }
            // One read of each family's fee case for the month's children.
            let mut families: Vec<_> = children_here
                .iter()
                .map(|c| kitanetz_crdt::ids::FamilyId(c.family.clone()))
                .collect();
            families.sort();
            families.dedup();
            let mut decided = crate::fees::extra_care_decisions::decided_months(store, &families)?;
            for c in &mut children_here {
                c.decided = decided.remove(&(c.child.clone(), month_text.clone()));
            }
        }
        let processed = m.reported_on.is_some()
            && !children_here.is_empty()
            && children_here.iter().all(|c| c.decided.is_some());
        let due = due_on(m.month);
        out.push(ReportedMonth {
            facility_name: names.get(&m.facility.0).cloned().unwrap_or_default(),
            facility: m.facility.0,
            month: m.month.0.format("%Y-%m").to_string(),
            reported_on: m.reported_on.map(|d| d.to_string()),
            due_on: due.to_string(),
            overdue: m.reported_on.is_none() && now.today > due,
            entries,
            total: total.to_string(),
            children: children_here,
            processed,
        });
    }
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "extra_care.read",
        target: None,
        subjects,
        valid_from: None,
    })?;
    Ok(out)
}
