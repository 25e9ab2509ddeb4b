//! Follow-ups (Wiedervorlagen, Lastenheft 3.13): every staff member's own list of things to look
//! at again by a day. Manual ones are the user's own rows on this node; automatic ones come from
//! the deadlines the node already knows, computed when the list is shown so that they can never
//! go stale: a wish under review or a reserved seat without contract after 14 days (3.6.6), a
//! month of extra care not yet reported by the 10th (3.10.6). The list filters as the source asks:
//! overdue, due within X days, due on a day.

pub mod http;
pub mod queries;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal, Role};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store};
use chrono::Months;
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::kinds::{ExtraCareMonth, SeatLedger};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use serde::{Deserialize, Serialize};

/// One follow-up as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// The stored row; `None` for an automatic one (it ends when its cause does).
    pub id: Option<i64>,
    pub due_on: Date,
    pub subject: String,
    pub note: String,
    /// Where the work is done.
    pub link: String,
    pub overdue: bool,
}

/// Which follow-ups to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Every open one.
    All,
    /// Past their day.
    Overdue,
    /// Due within the next `n` days (today included), overdue ones too.
    Within(u32),
    /// Due on exactly this day.
    On(Date),
}

impl Filter {
    fn keeps(self, f: &FollowUp, today: Date) -> bool {
        match self {
            Filter::All => true,
            Filter::Overdue => f.due_on < today,
            Filter::Within(days) => f.due_on <= Date(today.0 + chrono::Days::new(days.into())),
            Filter::On(day) => f.due_on == day,
        }
    }
}

/// A new follow-up as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewFollowUp {
    /// YYYY-MM-DD
    pub due_on: String,
    pub subject: String,
    pub note: String,
}

/// Marking one done.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DoneInput {
    pub id: String,
}

fn user_of(who: &Principal) -> Result<i64, ActionError> {
    authorize(who, Action::ManageOwnFollowUps)?;
    Ok(who.staff().map(|c| c.user_id).expect("staff only"))
}

/// The caller's follow-ups that `filter` keeps, by due day.
pub fn list(
    store: &Store,
    who: &Principal,
    facility_here: Option<&FacilityId>,
    filter: Filter,
    today: Date,
) -> Result<Vec<FollowUp>, ActionError> {
    let user = user_of(who)?;
    let mut out: Vec<FollowUp> = queries::open_of(store, user)?
        .into_iter()
        .filter_map(|(id, due, subject, note)| {
            let due_on: Date = due.parse().ok()?;
            Some(FollowUp {
                id: Some(id),
                due_on,
                subject,
                note,
                link: String::new(),
                overdue: due_on < today,
            })
        })
        .collect();
    out.extend(automatic(store, who, facility_here, today)?);
    out.retain(|f| filter.keeps(f, today));
    out.sort_by(|a, b| (a.due_on, &a.subject).cmp(&(b.due_on, &b.subject)));
    Ok(out)
}

/// The deadlines the node knows for the caller: a Kita lead's wishes and reservations without
/// contract, and the last month's extra care not yet reported.
fn automatic(
    store: &Store,
    who: &Principal,
    facility_here: Option<&FacilityId>,
    today: Date,
) -> Result<Vec<FollowUp>, ActionError> {
    let Some(caller) = who.staff() else {
        return Ok(vec![]);
    };
    let Some(facility) = facility_here
        .filter(|f| caller.role == Role::KitaLead && caller.facility.as_ref() == Some(*f))
    else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    if let Some((_, ledger)) = store.find::<SeatLedger>(&crate::seats::ledger_doc_id(facility))? {
        for w in crate::seats::wishes_at(store, facility, &ledger, today)? {
            if let Some(due_on) = w.follow_up_on {
                out.push(FollowUp {
                    id: None,
                    due_on,
                    subject: format!(
                        "Vormerkung {}: Vertrag schließen oder Platz freigeben / conclude or release",
                        w.handle.0
                    ),
                    note: String::new(),
                    link: "/seats".into(),
                    overdue: due_on < today,
                });
            }
        }
    }
    let last_month = Date(ExtraCareMonth::month_of(today).0 - Months::new(1));
    let reported = store
        .find::<ExtraCareMonth>(&crate::extra_care::month_doc_id(facility, last_month))?
        .is_some_and(|(_, m)| m.reported_on.is_some());
    if !reported {
        let due_on = crate::extra_care::due_on(last_month);
        let month = last_month.0.format("%Y-%m").to_string();
        out.push(FollowUp {
            id: None,
            due_on,
            subject: format!("Mehrbetreuung {month} melden / report extra care {month}"),
            note: String::new(),
            link: format!("/extra-care?month={month}"),
            overdue: due_on < today,
        });
    }
    Ok(out)
}

/// Adds a manual follow-up for the caller.
pub fn add(
    store: &mut Store,
    who: &Principal,
    input: &NewFollowUp,
    now: Now,
) -> Result<i64, ActionError> {
    let user = user_of(who)?;
    let mut v = Validator::new();
    let due_on = v.date("due_on", &input.due_on);
    if let Some(d) = due_on {
        v.plausible_date("due_on", d);
    }
    v.text("subject", input.subject.trim(), 200);
    v.optional_text("note", input.note.trim(), 2000);
    v.finish()?;
    let due_on = due_on.expect("checked");
    store.write(|conn| -> Result<i64, ActionError> {
        let id = queries::insert(
            conn,
            user,
            due_on,
            input.subject.trim(),
            input.note.trim(),
            now.millis,
        )?;
        crate::storage::audit_in(
            conn,
            &AuditEntry {
                at: now.millis,
                actor: who.audit_name(),
                action: "follow_up.add",
                target: Some(format!("follow-up-{id}")),
                subjects: vec![],
                valid_from: Some(due_on.to_string()),
            },
        )?;
        Ok(id)
    })
}

/// Marks one of the caller's follow-ups done. Another user's, or one already done, is a field
/// error: the list the form came from is out of date.
pub fn done(
    store: &mut Store,
    who: &Principal,
    input: &DoneInput,
    now: Now,
) -> Result<(), ActionError> {
    let user = user_of(who)?;
    let id = input.id.trim().parse::<i64>().ok();
    let gone = || -> ActionError {
        kitanetz_crdt::ValidationError::field(
            "id",
            "Keine offene Wiedervorlage / no such open follow-up",
        )
        .into()
    };
    let id = id.ok_or_else(gone)?;
    store.write(|conn| -> Result<(), ActionError> {
        if !queries::mark_done(conn, user, id, now.today)? {
            return Err(gone());
        }
        crate::storage::audit_in(
            conn,
            &AuditEntry {
                at: now.millis,
                actor: who.audit_name(),
                action: "follow_up.done",
                target: Some(format!("follow-up-{id}")),
                subjects: vec![],
                valid_from: None,
            },
        )?;
        Ok(())
    })
}
