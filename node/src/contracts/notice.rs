//! Notice to end a contract (Satzung § 10 (7), Lastenheft 3.6.18): the parents may end it with two
//! months' notice to the end of the month after next, declared by the 1st of the month before
//! the last one; a shorter notice may be agreed. The Kita lead (or the Träger's office) records
//! the day the notice arrived, the last day of care and a coded reason; the place is free from
//! the day after (occupancy and forecast read the contract's end).

use super::load_for_edit;
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::{Datelike, Months};
use kitanetz_crdt::ids::ContractId;
use kitanetz_crdt::kinds::CareContract;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use serde::{Deserialize, Serialize};

/// The notice as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeInput {
    /// YYYY-MM-DD: the day the written notice arrived.
    pub notice_on: String,
    /// YYYY-MM-DD: the last day of care.
    pub end: String,
    /// One of `kitanetz_crdt::kinds::contract::NOTICE_REASONS`.
    pub reason: String,
    /// "on"/"true": a shorter notice was agreed (§ 10 (7) last sentence).
    pub shorter_agreed: String,
}

/// The earliest last day of care for a notice that arrived on `notice_on`: the end of the month
/// after next, or of the next month when the notice arrived on a 1st (it must arrive by the 1st
/// of the month before the last one).
pub fn earliest_end(notice_on: Date) -> Date {
    let first = Date::ymd(notice_on.0.year(), notice_on.0.month(), 1);
    let months = if notice_on.0.day() == 1 { 2 } else { 3 };
    Date(first.0 + Months::new(months) - chrono::Days::new(1))
}

/// Records a notice and ends the contract.
pub fn give_notice(
    store: &mut Store,
    who: &Principal,
    id: &ContractId,
    input: &NoticeInput,
    now: Now,
) -> Result<CareContract, ActionError> {
    let (mut doc, mut contract) = load_for_edit(store, who, id)?;
    let mut v = Validator::new();
    let notice_on = v.date("notice_on", &input.notice_on);
    let end = v.date("end", &input.end);
    if let Some(d) = notice_on {
        v.check(
            d <= now.today,
            "notice_on",
            "Die Kündigung liegt in der Zukunft / the notice lies in the future",
        );
        v.plausible_date("notice_on", d);
    }
    let shorter = crate::input::checked(&input.shorter_agreed);
    if let (Some(n), Some(e)) = (notice_on, end) {
        let earliest = earliest_end(n);
        v.check(
            shorter || e >= earliest,
            "end",
            format!(
                "Frist von zwei Monaten: frühestens zum {} (kürzere Frist nur nach Vereinbarung) / two months' notice: {earliest} at the earliest unless a shorter notice was agreed",
                earliest.0.format("%d.%m.%Y")
            ),
        );
    }
    v.finish()?;
    let (notice_on, end) = (notice_on.expect("checked"), end.expect("checked"));
    contract.end_with_notice(notice_on, end, input.reason.trim())?;
    doc.update(&contract, now.today, now.millis, "contract notice")
        .map_err(StoreError::from)?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "contract.notice",
            target,
            subjects: vec![contract.child.0.clone()],
            valid_from: Some(end.to_string()),
        },
    )?;
    Ok(contract)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_runs_to_the_end_of_the_month_after_next_unless_it_arrives_on_a_first() {
        assert_eq!(earliest_end(Date::ymd(2026, 11, 2)), Date::ymd(2027, 1, 31));
        assert_eq!(
            earliest_end(Date::ymd(2026, 11, 1)),
            Date::ymd(2026, 12, 31)
        );
        assert_eq!(
            earliest_end(Date::ymd(2026, 12, 15)),
            Date::ymd(2027, 2, 28)
        );
        assert_eq!(
            earliest_end(Date::ymd(2027, 12, 31)),
            Date::ymd(2028, 2, 29)
        );
    }
}
