//! Fee decisions (Beitragsbescheide, Lastenheft 3.10.1, annex J): issued from the computed months,
//! stored whole in the family's fee case, in force month by month, revoked, posted, printed.
//!
//! A decision rules from its first month on and replaces every earlier one from then; it lists
//! each child's amount month by month up to the last computed month, and when a contract is
//! open-ended the last amount goes on ("ab …") until the next decision. A revoked decision rules
//! no month. The billing reads exactly this ([`Decided::amounts`]).

use super::compute::{self, line_in, ChildMonth};
use super::{authorize_here, load_family, save_fee_case, Change, FamilyFees, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::config::FeesSection;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ChildId, FamilyId};
use kitanetz_crdt::kinds::{CareType, FeeCase, IssuedDecision};
use kitanetz_crdt::scalar::Date;
use kitanetz_fees::Month;
use kitanetz_letters::decision::{
    difference, Authority, AuthorityAccount, BankAccount, ChildFees, Clerk, Decision, DecisionKind,
    ExplanationLine, Guardian, LetterCopy, MonthFee, Payment, Pkn, PreviousDecision, YearMonth,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the clerk asks for: a decision from a month on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DecisionInput {
    /// `YYYY-MM`.
    pub from: String,
}

/// Who decides, as the node is configured (`[fees]` in node.toml), and the clerk.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub fees: FeesSection,
    /// The node's display name: the authority when `[fees]` names none.
    pub display_name: String,
    /// The clerk's name.
    pub clerk: String,
}

fn year_month(month: Month) -> YearMonth {
    YearMonth::new(month.year(), month.month()).expect("a fee month is a calendar month")
}

/// The child's PKN: the family number and the child's place in the family (Lastenheft
/// 3.10.1.7: 6 + 2 digits).
pub fn pkn_of(fees: &FamilyFees, child: &ChildId) -> Option<Pkn> {
    let index = fees.family.children.iter().position(|c| &c.id == child)?;
    Pkn::parse(&format!("{}{:02}", fees.family.family_number, index + 1)).ok()
}

fn care_label(care: CareType, child_month: &ChildMonth) -> String {
    match care {
        // The fee group follows age: the letter prints the group the engine priced the month
        // with; an exempt month priced nothing and keeps the contract's care type.
        CareType::Nursery | CareType::Kindergarten => match child_month.group {
            Some(group) => group.german_name().into(),
            None if care == CareType::Kindergarten => "Kindergarten".into(),
            None => "Krippe".into(),
        },
        CareType::AfterSchool => "Hort".into(),
        CareType::SupportedAfterSchool => "Förderhort".into(),
        CareType::Remedial => "Heilpädagogischer Platz".into(),
    }
}

/// A fee case's decisions that are not revoked, each read once from its stored letter data (the
/// fee list, the page and the billing ask them for many months).
pub struct Decided<'a> {
    /// In the order issued.
    decisions: Vec<(&'a IssuedDecision, Decision)>,
}

impl<'a> Decided<'a> {
    /// Refuses a decision whose stored data does not read back: billing must not silently fall
    /// back to an older decision.
    pub fn of(fee_case: &'a FeeCase) -> Result<Decided<'a>, StoreError> {
        let decisions = fee_case
            .decisions
            .iter()
            .filter(|d| d.revoked_on.is_none())
            .map(|d| {
                serde_json::from_str::<Decision>(&d.content)
                    .map(|c| (d, c))
                    .map_err(|e| StoreError::Corrupt(format!("decision {}: {e}", d.number)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Decided { decisions })
    }

    /// The decision in force in `month`: the last one issued that rules from that month or
    /// earlier.
    pub fn in_force(&self, month: Month) -> Option<(&'a IssuedDecision, &Decision)> {
        self.decisions
            .iter()
            .rev()
            .find(|(d, _)| Month::of(d.effective_from.0) <= month)
            .map(|(d, c)| (*d, c))
    }

    /// The first month any decision rules.
    pub fn first_month(&self) -> Option<Month> {
        self.decisions
            .iter()
            .map(|(d, _)| Month::of(d.effective_from.0))
            .min()
    }

    /// The amount in force for the child `pkn` in `month`.
    pub fn amount_for(&self, pkn: Pkn, month: Month) -> Option<Decimal> {
        let (_, decision) = self.in_force(month)?;
        let child = decision.children.iter().find(|c| c.pkn == pkn)?;
        amount_in(decision, child, month)
    }

    /// The decided amount of every child and month from `first` to `last`, by PKN: what the
    /// billing charges.
    pub fn amounts(&self, first: Month, last: Month) -> Vec<(Pkn, Month, Decimal, String)> {
        let mut out = Vec::new();
        let mut month = first;
        while month <= last {
            if let Some((issued, decision)) = self.in_force(month) {
                for child in &decision.children {
                    if let Some(amount) = amount_in(decision, child, month) {
                        out.push((
                            child.pkn,
                            month,
                            amount,
                            format!("Bescheid {} vom {}", issued.number, issued.issued_on),
                        ));
                    }
                }
            }
            month = month.next();
        }
        out
    }
}

/// A child's amount in `month` under `decision`: the month's amount; after the last month listed
/// the last amount goes on when the decision is open-ended and the child was still in care in
/// its last month (a child whose contract ended before owes nothing after it); `None` when it
/// decides nothing for the child that month.
pub fn amount_in(decision: &Decision, child: &ChildFees, month: Month) -> Option<Decimal> {
    let ym = year_month(month);
    if let Some(m) = child.months.iter().find(|m| m.month == ym) {
        return Some(m.amount);
    }
    let last = child.months.last()?;
    let decision_ends = decision
        .children
        .iter()
        .filter_map(|c| c.months.last().map(|m| m.month))
        .max()?;
    (decision.open_ended && last.month == decision_ends && last.month < ym).then_some(last.amount)
}

/// The guardian as a letter addresses them.
pub(crate) fn guardian_of(g: &kitanetz_crdt::kinds::Guardian) -> Guardian {
    Guardian {
        name: format!("{} {}", g.given_name, g.family_name),
        street: g.address.street.clone(),
        postcode_town: format!("{} {}", g.address.postcode, g.address.city),
    }
}

/// The guardian who pays: the fee case's payer, else the first guardian.
pub(crate) fn payer_of(fees: &FamilyFees) -> Result<&kitanetz_crdt::kinds::Guardian, ActionError> {
    fees.fee_case
        .payer
        .as_ref()
        .and_then(|p| fees.family.guardians.iter().find(|g| &g.id == p))
        .or(fees.family.guardians.first())
        .ok_or_else(|| {
            ActionError::Conflict(
                "Die Familie hat keinen Personensorgeberechtigten / no guardian".into(),
            )
        })
}

/// How the family pays: by its mandate, else by transfer; nothing when nothing is owed.
pub(crate) fn payment_of(fees: &FamilyFees, nothing_to_pay: bool) -> Payment {
    match (&fees.fee_case.mandate, nothing_to_pay) {
        (_, true) => Payment::None,
        (Some(m), false) => Payment::DirectDebit(BankAccount {
            holder: m.holder.clone(),
            iban: m.iban.clone(),
            bic: (!m.bic.is_empty()).then(|| m.bic.clone()),
            bank: m.bank.clone(),
            mandate_reference: Some(m.reference.clone()),
        }),
        (None, false) => Payment::Transfer,
    }
}

/// The deciding authority as `[fees]` names it (the node's name when it names none).
pub(crate) fn authority_of(issuer: &Issuer) -> Authority {
    let f = &issuer.fees;
    let authority_name = if f.authority.is_empty() {
        issuer.display_name.clone()
    } else {
        f.authority.clone()
    };
    let office_address = format!("{}, {}", f.street, f.postcode_town);
    Authority {
        name: authority_name.clone(),
        office: if f.office.is_empty() {
            "Beitragsstelle".into()
        } else {
            f.office.clone()
        },
        return_address: format!("{authority_name} · {office_address}"),
        street: f.street.clone(),
        postcode_town: f.postcode_town.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        objection_address: if f.objection_address.is_empty() {
            format!("{authority_name}, {office_address}")
        } else {
            f.objection_address.clone()
        },
        account: f.creditor.as_ref().map(|c| AuthorityAccount {
            bank: c.bank.clone(),
            iban: c.iban.clone(),
            bic: c.bic.clone(),
        }),
        creditor_id: f.creditor.as_ref().map(|c| c.creditor_id.clone()),
    }
}

pub(crate) fn clerk_of(issuer: &Issuer) -> Clerk {
    Clerk {
        name: issuer.clerk.clone(),
        room: None,
        phone: issuer.fees.phone.clone(),
        email: issuer.fees.email.clone(),
    }
}

/// "Unser Zeichen" of the Beitragsstelle's letters.
pub(crate) fn file_number_of(issuer: &Issuer) -> String {
    if issuer.fees.file_number.is_empty() {
        "EB".into()
    } else {
        issuer.fees.file_number.clone()
    }
}

/// Assembles the decision the computed months give from `from` on (nothing is stored).
pub fn draft(
    fees: &FamilyFees,
    issuer: &Issuer,
    facility_names: &BTreeMap<String, String>,
    from: Month,
    now: Now,
) -> Result<Decision, ActionError> {
    let computed = compute::compute(fees, now.today).ok_or_else(|| {
        ActionError::Conflict("Die Familie hat keinen Vertrag / the family has no contract".into())
    })?;
    if let Err(problem) = &computed.result {
        return Err(ActionError::Conflict(problem.clone()));
    }
    let months = compute::by_month(&computed);
    let mut children: BTreeMap<ChildId, Vec<(Month, ChildMonth)>> = BTreeMap::new();
    for (month, rows) in months.range(from..) {
        for row in rows {
            if row.fee.is_some() {
                children
                    .entry(row.child.clone())
                    .or_default()
                    .push((*month, row.clone()));
            }
        }
    }
    if children.is_empty() {
        return Err(ActionError::Conflict(format!(
            "Ab {from} ist kein Beitrag zu entscheiden / there is no fee to decide from {from}"
        )));
    }
    let mut child_fees = Vec::new();
    for (child_id, rows) in &children {
        let child = fees.family.child(child_id).expect("a child of the family");
        let pkn = pkn_of(fees, child_id).ok_or_else(|| {
            ActionError::Conflict(format!(
                "Familiennummer {} ergibt keine PKN / gives no PKN",
                fees.family.family_number
            ))
        })?;
        let mut months = Vec::new();
        for (month, row) in rows {
            let contract = fees
                .contracts
                .iter()
                .find(|c| c.id == row.contract)
                .expect("the row's contract");
            let line = line_in(contract, *month);
            months.push(MonthFee {
                month: year_month(*month),
                amount: row.fee.expect("filtered").amount(),
                care: line
                    .as_ref()
                    .map(|l| care_label(l.care_type, row))
                    .unwrap_or_default(),
                hours: line.as_ref().map(|l| l.daily_hours.0).unwrap_or_default(),
                facility: facility_names
                    .get(&row.facility.0)
                    .cloned()
                    .unwrap_or_else(|| row.facility.0.clone()),
                explanation: row
                    .steps
                    .iter()
                    .map(|(text, paragraph)| ExplanationLine {
                        text: text.clone(),
                        paragraph: paragraph.clone(),
                    })
                    .collect(),
            });
        }
        child_fees.push(ChildFees {
            pkn,
            name: format!("{} {}", child.given_name, child.family_name),
            birth_date: child.birth_date.0,
            facility_address: None,
            months,
        });
    }
    // Zählkind order: the oldest first (the case's age order).
    child_fees.sort_by_key(|c| c.birth_date);
    let payer = payer_of(fees)?;
    let other = fees.family.guardians.iter().find(|g| g.id != payer.id);
    let nothing_to_pay = child_fees
        .iter()
        .all(|c| c.months.iter().all(|m| m.amount.is_zero()));
    let payment = payment_of(fees, nothing_to_pay);
    let statuses: Vec<&str> = children
        .keys()
        .map(|c| {
            fees.fee_case
                .status_on(c, Date::ymd(from.year(), from.month(), 1))
        })
        .collect();
    let mut kind = if statuses.iter().all(|s| *s == "foster") {
        DecisionKind::FosterChild
    } else if statuses.iter().all(|s| *s == "home") {
        DecisionKind::HomeChild
    } else if child_fees.len() > 1 {
        DecisionKind::Siblings
    } else {
        DecisionKind::SingleChild
    };
    let number = format!(
        "{}-{}",
        fees.family.family_number,
        fees.fee_case.decisions.len() + 1
    );
    let mut decision = Decision {
        kind,
        id: format!("fee-decision/{}/{number}", fees.family.family_number),
        authority: authority_of(issuer),
        clerk: clerk_of(issuer),
        file_number: file_number_of(issuer),
        date: now.today.0,
        pkn: child_fees[0].pkn,
        family_name: payer.family_name.clone(),
        payer: guardian_of(payer),
        other_guardian: other.map(guardian_of),
        effective_from: Date::ymd(from.year(), from.month(), 1).0,
        // The last computed month is the horizon of an open-ended contract: its fee goes on.
        open_ended: fees.contracts.iter().any(|c| c.period.end().is_none()),
        children: child_fees,
        payment,
        grant: None,
        tagespflege: None,
        end_of_grant: None,
        previous: None,
    };
    if let Some((issued, previous)) = Decided::of(&fees.fee_case)?.in_force(from) {
        if matches!(kind, DecisionKind::SingleChild | DecisionKind::Siblings) {
            kind = DecisionKind::Change;
            decision.kind = kind;
        }
        decision.previous = Some(PreviousDecision {
            date: issued.issued_on.0,
            changes: difference(previous, &decision),
        });
    }
    Ok(decision)
}

/// Issues the decision from `input.from` on and stores it in the family's fee case.
pub fn issue(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &DecisionInput,
    issuer: &Issuer,
    now: Now,
) -> Result<IssuedDecision, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let from = Month::parse(input.from.trim()).ok_or_else(|| {
        let mut v = kitanetz_crdt::validate::Validator::new();
        v.fail("from", "Monat als JJJJ-MM / month as YYYY-MM");
        ActionError::Invalid(v.finish().expect_err("one failure"))
    })?;
    let names = crate::facilities::names(store)?;
    let decision = draft(&fees, issuer, &names, from, now)?;
    if let Some(previous) = &decision.previous {
        if previous.changes.is_empty() {
            return Err(ActionError::Conflict(format!(
                "Der Bescheid vom {} gilt unverändert weiter: nichts zu entscheiden / the decision in force stands unchanged: nothing to decide",
                previous.date
            )));
        }
    }
    let issued = issued_of(&decision, who, now);
    fees.fee_case.decisions.push(issued.clone());
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action: "fees.decide",
            subjects: vec![family.0.clone()],
            valid_from: Some(issued.effective_from.to_string()),
        },
        now,
    )?;
    Ok(issued)
}

/// A drafted decision as the fee case stores it, issued by `who` today.
pub(crate) fn issued_of(decision: &Decision, who: &Principal, now: Now) -> IssuedDecision {
    let number = decision
        .id
        .rsplit('/')
        .next()
        .expect("the id ends with the number")
        .to_string();
    IssuedDecision {
        number,
        issued_on: now.today,
        issued_by: who.audit_name(),
        effective_from: Date(decision.effective_from),
        content: serde_json::to_string(decision).expect("a decision serialises"),
        revoked_on: None,
        dispatched_on: None,
    }
}

/// What can happen to an issued decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Posted to the parents.
    Dispatched,
    /// Revoked (Widerspruch upheld, or issued in error): it rules no month any more.
    Revoked,
}

pub fn mark(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    number: &str,
    mark: Mark,
    now: Now,
) -> Result<IssuedDecision, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let decision = fees
        .fee_case
        .decisions
        .iter_mut()
        .find(|d| d.number == number)
        .ok_or_else(|| ActionError::NotFound(number.to_string()))?;
    let (slot, action) = match mark {
        Mark::Dispatched => (&mut decision.dispatched_on, "fees.decision.dispatch"),
        Mark::Revoked => (&mut decision.revoked_on, "fees.decision.revoke"),
    };
    if slot.is_some() {
        return Err(ActionError::Conflict(
            "Schon vermerkt / already recorded".into(),
        ));
    }
    *slot = Some(now.today);
    let marked = decision.clone();
    let mut subjects = vec![family.0.clone()];
    if mark == Mark::Revoked {
        // The § 90 grant the decision granted is withdrawn with it: its months from then are
        // computed without the reduction.
        for app in &mut fees.fee_case.reductions {
            if let Some(d) = app.decided.as_mut().filter(|d| {
                d.granted && d.withdrawn_on.is_none() && d.decision.as_deref() == Some(number)
            }) {
                d.withdrawn_on = Some(now.today);
                subjects.push(app.number.clone());
            }
        }
    }
    save_fee_case(
        store,
        &provider,
        &fees.fee_case,
        Change {
            who,
            action,
            subjects,
            valid_from: None,
        },
        now,
    )?;
    Ok(marked)
}

/// An issued decision as letter data, and the copies to print (for the PDF).
pub fn letter(
    store: &Store,
    who: &Principal,
    family: &FamilyId,
    number: &str,
) -> Result<(Decision, Vec<LetterCopy>), ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let fees = load_family(store, family)?;
    let issued = fees
        .fee_case
        .decisions
        .iter()
        .find(|d| d.number == number)
        .ok_or_else(|| ActionError::NotFound(number.to_string()))?;
    let decision: Decision = serde_json::from_str(&issued.content).map_err(|e| {
        ActionError::Store(crate::storage::StoreError::Corrupt(format!(
            "decision {number}: {e}"
        )))
    })?;
    let copies = decision.copies();
    Ok((decision, copies))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fees::testing::{family, with_older_sibling_until};

    #[test]
    fn the_letter_prints_the_group_the_engine_priced_not_a_parsed_explanation() {
        use kitanetz_crdt::ids::{ContractId, FacilityId};
        use kitanetz_fees::care::FeeGroup;
        let month = |group| ChildMonth {
            child: ChildId("child-a".into()),
            contract: ContractId("ctr-a".into()),
            facility: FacilityId("fac-a".into()),
            fee: Some(kitanetz_fees::Money::ZERO),
            computed_fee: None,
            manual: None,
            statute_fee: None,
            countable_rank: None,
            extra_care: kitanetz_fees::Money::ZERO,
            group,
            reductions: None,
            // Whatever the explanation says, the label comes from the group.
            explanation: vec!["Kindergarten".into()],
            steps: Vec::new(),
        };
        let kindergarten = month(Some(FeeGroup::Kindergarten));
        assert_eq!(care_label(CareType::Nursery, &kindergarten), "Kindergarten");
        assert_eq!(
            care_label(CareType::Kindergarten, &month(Some(FeeGroup::Nursery))),
            "Krippe"
        );
        // An exempt month priced nothing: the contract's care type.
        assert_eq!(
            care_label(CareType::Kindergarten, &month(None)),
            "Kindergarten"
        );
        assert_eq!(care_label(CareType::Nursery, &month(None)), "Krippe");
    }

    #[test]
    fn explanations_write_amounts_as_the_letter_does() {
        use kitanetz_letters::decision::format_euro;
        // The same digits; the letter binds amount and sign with a no-break space itself.
        for cents in [0, 5, 7928, 18936, 123456, 100000000] {
            let money = kitanetz_fees::Money::from_cents(cents);
            assert_eq!(
                money.german().to_string(),
                format_euro(money.amount()).replace('\u{a0}', " ")
            );
        }
    }

    fn issuer() -> Issuer {
        Issuer {
            fees: FeesSection::default(),
            display_name: "Kita-Träger e. V.".into(),
            clerk: "Frau Beispiel".into(),
        }
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn after_the_last_month_only_a_child_still_in_care_goes_on_paying() {
        let fees = with_older_sibling_until(family(), Date::ymd(2026, 6, 30));
        let now = Now {
            today: Date::ymd(2026, 1, 15),
            millis: 0,
        };
        let decision = draft(&fees, &issuer(), &BTreeMap::new(), month("2026-01"), now).unwrap();
        assert_eq!(decision.kind, DecisionKind::Siblings);
        assert!(
            decision.open_ended,
            "the younger child's contract is open-ended"
        );
        // Zählkind order: the older child first.
        let older = &decision.children[0];
        let younger = &decision.children[1];
        assert_eq!(older.name, "Lena Beispiel");
        assert_eq!(older.pkn.as_str(), "12345602");
        assert_eq!(younger.pkn.as_str(), "12345601");
        // The older child pays in June, not after its contract ended.
        assert!(amount_in(&decision, older, month("2026-06")).is_some());
        assert_eq!(amount_in(&decision, older, month("2026-07")), None);
        assert_eq!(amount_in(&decision, older, month("2027-06")), None);
        // The younger one's last amount goes on after the last month listed (2026-12).
        let last = younger.months.last().unwrap();
        assert_eq!(last.month, year_month(month("2026-12")));
        assert_eq!(
            amount_in(&decision, younger, month("2027-06")),
            Some(last.amount)
        );
    }

    #[test]
    fn a_later_decision_replaces_the_earlier_from_its_month_and_a_revoked_one_rules_nothing() {
        let mut fees = family();
        let now = Now {
            today: Date::ymd(2026, 1, 15),
            millis: 0,
        };
        let issue = |fees: &FamilyFees, from: &str, number: &str| {
            let decision = draft(fees, &issuer(), &BTreeMap::new(), month(from), now).unwrap();
            IssuedDecision {
                number: number.into(),
                issued_on: now.today,
                issued_by: "user:test".into(),
                effective_from: Date(decision.effective_from),
                content: serde_json::to_string(&decision).unwrap(),
                revoked_on: None,
                dispatched_on: None,
            }
        };
        let first = issue(&fees, "2026-01", "123456-1");
        fees.fee_case.decisions.push(first);
        // From March the clerk sets 50 € by hand; the second decision carries it.
        fees.fee_case
            .overrides
            .push(kitanetz_crdt::kinds::FeeOverride {
                child: ChildId("child-a".into()),
                from: Date::ymd(2026, 3, 1),
                until: None,
                amount: kitanetz_crdt::scalar::Dec(Decimal::from(50)),
                reason: "Vergleich".into(),
                set_by: "user:test".into(),
                set_on: now.today,
            });
        let second = issue(&fees, "2026-03", "123456-2");
        fees.fee_case.decisions.push(second);
        let amounts = |fees: &FamilyFees| -> Vec<(String, Decimal)> {
            Decided::of(&fees.fee_case)
                .unwrap()
                .amounts(month("2026-01"), month("2026-04"))
                .into_iter()
                .map(|(_, m, a, _)| (m.to_string(), a))
                .collect()
        };
        let euros = |t: &str| Decimal::from_str_exact(t).unwrap();
        assert_eq!(
            amounts(&fees),
            [
                ("2026-01".to_string(), euros("189.36")),
                ("2026-02".to_string(), euros("189.36")),
                ("2026-03".to_string(), euros("50")),
                ("2026-04".to_string(), euros("50")),
            ]
        );
        fees.fee_case.decisions[1].revoked_on = Some(now.today);
        // Revoked: the first decision rules again (its March is 6 h: 126.24 €; April remedial).
        assert_eq!(amounts(&fees)[2], ("2026-03".to_string(), euros("126.24")));
        assert_eq!(amounts(&fees)[3], ("2026-04".to_string(), euros("0.00")));
    }
}
