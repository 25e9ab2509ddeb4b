//! Mehrbetreuungsbescheide (Lastenheft 3.10.6, Satzung § 5): the Beitragsstelle decides a child's
//! reported extra care of a month in a letter of its own ("Im Bescheid müssen die angefallenen
//! Mehrbetreuungszeiten und die Kosten ausgewiesen werden"). An issued decision is kept in the
//! family's fee case as printed; the watch list then shows the child's month as processed
//! (3.6.18: "von der Überwachungsliste entfernt und als bearbeitet markiert").
//!
//! The amounts are § 5's (`ExtraCareRates::day_charge`), the same the monthly billing charges.

use super::decisions::{
    authority_of, clerk_of, file_number_of, guardian_of, payer_of, payment_of, pkn_of, Issuer,
};
use super::{authorize_here, load_family, save_fee_case, Change, FamilyFees, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::Store;
use chrono::NaiveTime;
use kitanetz_crdt::ids::{ChildId, FamilyId};
use kitanetz_crdt::kinds::ExtraCareDecided;
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use kitanetz_fees::Month;
use kitanetz_letters::decision::{
    format_euro, ExplanationLine, ExtraCareDay, ExtraCareDecision, YearMonth,
    LEGAL_BASIS_DRESDEN_2011,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days from the letter's date to the day the total is due.
const DAYS_TO_PAY: u64 = 14;

/// Which child's month to decide.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtraCareDecisionInput {
    pub child: String,
    /// `YYYY-MM`.
    pub month: String,
}

fn line(text: String, paragraph: &str) -> ExplanationLine {
    ExplanationLine {
        text,
        paragraph: paragraph.to_string(),
    }
}

/// The decision on `child`'s reported extra care in `month` (nothing is stored).
pub fn draft(
    fees: &FamilyFees,
    issuer: &Issuer,
    facility_names: &BTreeMap<String, String>,
    child: &ChildId,
    month: Month,
    number: &str,
    now: Now,
) -> Result<ExtraCareDecision, ActionError> {
    let days: Vec<_> = fees
        .extra_care
        .iter()
        .filter(|d| &d.child == child && Month::of(d.date.0) == month)
        .collect();
    let Some(first) = days.first() else {
        return Err(ActionError::Conflict(format!(
            "Für {month} ist keine Mehrbetreuung gemeldet / no extra care reported for {month}"
        )));
    };
    let rates = super::compute::extra_care_rates(month).ok_or_else(|| {
        ActionError::Conflict(format!(
            "Keine Satzung für {month} / no statute for {month}"
        ))
    })?;
    let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").unwrap_or_default();
    let entries = days
        .iter()
        .map(|d| {
            let mut explanation = Vec::new();
            if d.extra_tiers > 0 && d.school_free_day {
                explanation.push(line(
                    format!(
                        "{} Stufe(n) über der vertraglichen Betreuungszeit an einem unterrichtsfreien Tag: für Hortkinder keine Gebühr",
                        d.extra_tiers
                    ),
                    "§ 5 Abs. 3 Satzung",
                ));
            } else if d.extra_tiers > 0 {
                explanation.push(line(
                    format!(
                        "{} Stufe(n) über der vertraglichen Betreuungszeit × {} = {}",
                        d.extra_tiers,
                        format_euro(rates.per_tier.amount()),
                        format_euro(rates.tier_charge(d.extra_tiers, false).amount())
                    ),
                    "§ 5 Abs. 1 Satzung",
                ));
            }
            if d.outside_opening_hours {
                explanation.push(line(
                    format!(
                        "Abholung nach der Schließzeit: {}",
                        format_euro(rates.after_closing.amount())
                    ),
                    "§ 5 Abs. 2 Satzung",
                ));
            }
            ExtraCareDay {
                day: d.date.0,
                from: time(&d.from),
                until: time(&d.to),
                tiers_exceeded: d.extra_tiers,
                after_closing: d.outside_opening_hours,
                school_free_day: d.school_free_day,
                amount: rates
                    .day_charge(d.extra_tiers, d.school_free_day, d.outside_opening_hours)
                    .amount(),
                explanation,
            }
        })
        .collect::<Vec<_>>();
    let name = fees
        .family
        .child(child)
        .map(|c| format!("{} {}", c.given_name, c.family_name))
        .ok_or_else(|| ActionError::NotFound(child.0.clone()))?;
    let pkn = pkn_of(fees, child).ok_or_else(|| {
        ActionError::Conflict(format!(
            "Familiennummer {} ergibt keine PKN / gives no PKN",
            fees.family.family_number
        ))
    })?;
    let payer = payer_of(fees)?;
    let total: rust_decimal::Decimal = entries.iter().map(|e| e.amount).sum();
    Ok(ExtraCareDecision {
        id: format!(
            "extra-care-decision/{}/{}",
            fees.family.family_number, number
        ),
        authority: authority_of(issuer),
        clerk: Some(clerk_of(issuer)),
        reference: file_number_of(issuer),
        date: now.today.0,
        pkn,
        family_name: payer.family_name.clone(),
        addressee: guardian_of(payer),
        other_guardian: fees
            .family
            .guardians
            .iter()
            .find(|g| g.id != payer.id)
            .map(guardian_of),
        child_name: name,
        facility_name: facility_names
            .get(&first.facility.0)
            .cloned()
            .unwrap_or_else(|| first.facility.0.clone()),
        month: YearMonth::new(month.year(), month.month())
            .ok_or_else(|| ActionError::Conflict(format!("kein Monat / not a month: {month}")))?,
        entries,
        payment: payment_of(fees, total.is_zero()),
        due_on: now.today.0 + chrono::Days::new(DAYS_TO_PAY),
        legal_basis: LEGAL_BASIS_DRESDEN_2011
            .iter()
            .map(|s| s.to_string())
            .collect(),
    })
}

/// Issues the Mehrbetreuungsbescheid of a child's month, once.
pub fn issue(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &ExtraCareDecisionInput,
    issuer: &Issuer,
    now: Now,
) -> Result<ExtraCareDecided, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let mut v = Validator::new();
    let child = ChildId(input.child.trim().to_string());
    v.check(
        fees.family.child(&child).is_some(),
        "child",
        "kein Kind dieser Familie / not a child of this family",
    );
    let month = Month::parse(input.month.trim());
    v.check(
        month.is_some(),
        "month",
        "Monat als JJJJ-MM / month as YYYY-MM",
    );
    v.finish()?;
    let month = month.expect("checked");
    let first_day = Date::ymd(month.year(), month.month(), 1);
    if let Some(done) = fees
        .fee_case
        .extra_care_decisions
        .iter()
        .find(|d| d.child == child && d.month == first_day)
    {
        return Err(ActionError::Conflict(format!(
            "Der Monat ist mit Bescheid {} entschieden / the month is decided by {}",
            done.number, done.number
        )));
    }
    let number = format!(
        "{}-MB-{}",
        fees.family.family_number,
        fees.fee_case.extra_care_decisions.len() + 1
    );
    let names = crate::facilities::names(store)?;
    let decision = draft(&fees, issuer, &names, &child, month, &number, now)?;
    let facility = fees
        .extra_care
        .iter()
        .find(|d| d.child == child && Month::of(d.date.0) == month)
        .map(|d| d.facility.clone())
        .expect("the draft found the month's days");
    let decided = ExtraCareDecided {
        number,
        child: child.clone(),
        facility,
        month: first_day,
        issued_on: now.today,
        issued_by: who.audit_name(),
        total: Dec(decision.total()),
        content: serde_json::to_string(&decision).expect("a decision serialises"),
    };
    fees.fee_case.extra_care_decisions.push(decided.clone());
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action: "fees.extra-care-decision",
            subjects: vec![family.0.clone(), child.0],
            valid_from: Some(first_day.to_string()),
        },
        now,
    )?;
    Ok(decided)
}

/// An issued Mehrbetreuungsbescheid, as printed.
pub fn letter(
    store: &Store,
    who: &Principal,
    family: &FamilyId,
    number: &str,
) -> Result<ExtraCareDecision, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let fees = load_family(store, family)?;
    let decided = fees
        .fee_case
        .extra_care_decisions
        .iter()
        .find(|d| d.number == number)
        .ok_or_else(|| ActionError::NotFound(number.to_string()))?;
    serde_json::from_str(&decided.content).map_err(|e| {
        ActionError::Conflict(format!(
            "Bescheid {number} nicht lesbar / not readable: {e}"
        ))
    })
}

/// A decision as the watch list links it: its number, and whether a second copy goes to the
/// other guardian (another address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidedMonth {
    pub number: String,
    pub second_copy: bool,
}

/// The decisions issued for the children of `families`: (child, month `YYYY-MM`) → decision.
pub fn decided_months(
    store: &Store,
    families: &[FamilyId],
) -> Result<BTreeMap<(String, String), DecidedMonth>, ActionError> {
    let mut out = BTreeMap::new();
    for family in families {
        if let Some((_, case)) =
            store.find::<kitanetz_crdt::kinds::FeeCase>(&super::fee_case_doc_id(family))?
        {
            for d in case.extra_care_decisions {
                // A decision that does not read back offers only the payer's copy; opening it
                // names the problem.
                let second_copy = serde_json::from_str::<ExtraCareDecision>(&d.content)
                    .is_ok_and(|letter| letter.copies().len() > 1);
                out.insert(
                    (d.child.0, d.month.0.format("%Y-%m").to_string()),
                    DecidedMonth {
                        number: d.number,
                        second_copy,
                    },
                );
            }
        }
    }
    Ok(out)
}
