//! A family's fee case in the engine's own format (`kitanetz-fee-case/1`,
//! `shared/formats/fee-case.md`) and its months computed. Writing the case as the CLI reads it
//! keeps one parser between the node and the engine, and lets a clerk download exactly what was
//! computed and check it with `kitanetz fees compute --case`.
//!
//! How contracts become case children (the split at every date of change):
//! - one case child per contract, named by the contract id: a child's contracts never overlap
//!   (`contracts::create` refuses it), so a child never counts twice in a month;
//! - the line in force on the **1st of a month** rules the whole month — as the age on the 1st
//!   decides the fee group (Satzung § 10 (1)), and a contract month is paid in full;
//! - Krippe and Kindergarten lines are the engine's `kita`: the fee follows the child's age
//!   (§ 11 (1)), whatever group the child is in; a heilpädagogischer place is `curative`
//!   (§ 10 (7): no fee, not a Zählkind); the fee case's status of a child (foster, home) holds
//!   from its month;
//! - single parent and residence come from the guardians (any guardian marked single parent;
//!   any with main residence in the city).

use super::FamilyFees;
use kitanetz_billing::soll::month_de;
use kitanetz_crdt::ids::{ChildId, ContractId, FacilityId};
use kitanetz_crdt::kinds::{CareContract, CareType};
use kitanetz_crdt::scalar::Date;
use kitanetz_fees::{FeeResult, Money, Month, StatuteBook};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The statute the node computes under (the engine ships Dresden's; a city adds its own).
pub const STATUTE: &str = "dresden-2011";

/// From which completed month of age a `kita` child pays the Kindergarten fee: 36, the main
/// rule of § 11 (1) Satzung (the third birthday). The fee-case format names the alternatives.
pub const KINDERGARTEN_FEE_FROM_COMPLETED_MONTHS: i64 = 36;

/// How many months ahead of the current one an open-ended contract is computed (and decided).
pub const MONTHS_AHEAD: u32 = 11;

pub(crate) fn statutes() -> &'static StatuteBook {
    static BOOK: OnceLock<StatuteBook> = OnceLock::new();
    BOOK.get_or_init(StatuteBook::builtin)
}

/// One child of the case: which contract and which child of the family it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChild {
    pub contract: ContractId,
    pub child: ChildId,
    pub facility: FacilityId,
}

/// The case of a family and what the engine made of it.
#[derive(Debug, Clone)]
pub struct Computed {
    /// The case as `kitanetz-fee-case/1`.
    pub case: Value,
    pub children: Vec<CaseChild>,
    /// The engine's answer, or why it refused the case (in words, naming the contract).
    pub result: Result<FeeResult, String>,
    /// The amounts the clerk set by hand; they replace the computed fee of their months.
    pub overrides: Vec<kitanetz_crdt::kinds::FeeOverride>,
    /// The case children that stand for counting siblings at other Träger.
    pub external: Vec<ExternalChild>,
    /// The income-based reductions granted (§ 90 SGB VIII) that rule months of the case, in the
    /// order entered: a later one wins a month both cover. The case carries the last one's
    /// `waiver` block; the months of an earlier one come from the same case with its block.
    pub grants: Vec<GrantSpan>,
    /// Grants that could not be applied, in words (they must not stop the family's fees).
    pub reduction_problems: Vec<String>,
    /// Grants withdrawn (their decision revoked): the months they no longer rule.
    pub withdrawn: Vec<super::reduction::Withdrawn>,
}

/// A granted reduction's months, for the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSpan {
    pub number: String,
    pub applied_on: Date,
    pub from: Month,
    pub until: Month,
}

impl Computed {
    /// The grant that rules `month`, if any (the last entered that covers it).
    pub fn grant_in(&self, month: Month) -> Option<&GrantSpan> {
        self.grants
            .iter()
            .rev()
            .find(|g| g.from <= month && month <= g.until)
    }
}

/// A counting sibling at another Träger as a case child (`outside_city`: a Zählkind without a
/// fee here), from the city's answer (`siblings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalChild {
    /// The case child's id, `extern-<n>-<m>`.
    pub id: String,
    pub birth_date: Date,
    /// The child's counting periods there (for "bis …").
    pub periods: Vec<kitanetz_crdt::period::Period>,
}

fn first_of(month: Month) -> Date {
    Date::ymd(month.year(), month.month(), 1)
}

fn month_of(day: Date) -> Month {
    Month::of(day.0)
}

fn plus_months(month: Month, n: u32) -> Month {
    (0..n).fold(month, |m, _| m.next())
}

/// The engine's care type, and whether the place is heilpädagogisch.
fn care_type_name(care: CareType) -> (&'static str, bool) {
    match care {
        CareType::Nursery | CareType::Kindergarten => ("kita", false),
        CareType::AfterSchool => ("hort", false),
        CareType::SupportedAfterSchool => ("foerderhort", false),
        CareType::Remedial => ("kita", true),
    }
}

/// The Mehrbetreuung flats of the node's statute in `month` (§ 5), if the statute rules it.
pub fn extra_care_rates(month: Month) -> Option<kitanetz_fees::statute::ExtraCareRates> {
    statutes()
        .get(STATUTE)
        .and_then(|s| s.version_at(month))
        .map(|v| v.extra_care.clone())
}

/// The first month the node's statute rules (no fee, decision or bill before it).
pub fn statute_start() -> Month {
    statutes()
        .get(STATUTE)
        .and_then(|s| s.first_month())
        .expect("the shipped statute has a first month")
}

/// The months of a family's fees: from the first contract month (not before the statute) to the
/// last contract month, an open-ended contract up to [`MONTHS_AHEAD`] months after `today`.
pub fn months_of(contracts: &[CareContract], today: Date) -> Option<(Month, Month)> {
    let first = contracts
        .iter()
        .map(|c| month_of(c.period.start()))
        .min()?
        .max(statute_start());
    let horizon = plus_months(month_of(today), MONTHS_AHEAD);
    let last = contracts
        .iter()
        .map(|c| c.period.end().map_or(horizon, month_of))
        .max()?;
    (first <= last).then_some((first, last))
}

/// The case of a family for the months `first..=last`.
pub fn case_of(fees: &FamilyFees, first: Month, last: Month) -> (Value, Vec<CaseChild>) {
    let (case, children, _) = case_with_siblings_of(fees, first, last);
    (case, children)
}

/// [`case_of`], with the case children that stand for counting siblings at other Träger.
pub fn case_with_siblings_of(
    fees: &FamilyFees,
    first: Month,
    last: Month,
) -> (Value, Vec<CaseChild>, Vec<ExternalChild>) {
    let mut children = Vec::new();
    let mut case_children = Vec::new();
    for contract in &fees.contracts {
        let Some(child) = fees.family.child(&contract.child) else {
            continue;
        };
        let start = month_of(contract.period.start()).max(first);
        let end = contract.period.end().map_or(last, month_of).min(last);
        if start > end {
            continue;
        }
        let state_in = |m: Month| -> Option<(&'static str, String, String)> {
            let day = first_of(m).max(contract.period.start());
            let line = contract.line_on(day)?;
            let (care_type, curative) = care_type_name(line.care_type);
            let status = if curative {
                "curative".to_string()
            } else {
                fees.fee_case.status_on(&contract.child, day).to_string()
            };
            Some((
                care_type,
                line.daily_hours.0.normalize().to_string(),
                status,
            ))
        };
        let mut month = start;
        let Some(initial) = state_in(month) else {
            continue;
        };
        let mut changes = Vec::new();
        let mut current = initial.clone();
        while month < end {
            month = month.next();
            if let Some(state) = state_in(month) {
                if state != current {
                    changes.push(json!({
                        "from": month.to_string(),
                        "care_type": state.0,
                        "daily_hours": state.1,
                        "status": state.2,
                    }));
                    current = state;
                }
            }
        }
        let mut entry = json!({
            "id": contract.id.0,
            "birth_date": child.birth_date.to_string(),
            "care_type": initial.0,
            "daily_hours": initial.1,
            "status": initial.2,
            "care_from": contract.period.start().to_string(),
            "changes": changes,
        });
        if let Some(until) = contract.period.end() {
            entry["care_until"] = json!(until.to_string());
        }
        // The reported extra care of the child at this contract's Kita while it ran (§ 5): the
        // engine charges the days of the computed months and ignores the others.
        let extra_care: Vec<Value> = fees
            .extra_care
            .iter()
            .filter(|d| {
                d.child == contract.child
                    && d.facility == contract.facility
                    && contract.period.contains(d.date)
            })
            .map(|d| {
                let mut record = json!({ "date": d.date.to_string() });
                if d.extra_tiers > 0 {
                    record["tiers"] = json!(d.extra_tiers);
                }
                if d.outside_opening_hours {
                    record["after_closing"] = json!(true);
                }
                if d.school_free_day {
                    record["school_free_day"] = json!(true);
                }
                record
            })
            .collect();
        if !extra_care.is_empty() {
            entry["extra_care"] = json!(extra_care);
        }
        children.push(entry);
        case_children.push(CaseChild {
            contract: contract.id.clone(),
            child: contract.child.clone(),
            facility: contract.facility.clone(),
        });
    }
    // The family's counting children at other Träger (the city's answer): Zählkinder without a
    // fee here, one `outside_city` case child per run of months in care. Equal birth dates
    // (twins at two Träger) go by pseudonym, at every Träger alike: the engine keeps the case's
    // order, so a sibling that comes first goes before this Träger's children.
    let own_pseudonyms: Vec<(Date, String)> = fees
        .family
        .children
        .iter()
        .map(|c| {
            (
                c.birth_date,
                super::siblings::child_pseudonym(&fees.family.family_key, &c.id),
            )
        })
        .collect();
    let mut leading = Vec::new();
    let mut external = Vec::new();
    for (i, other) in fees.others.iter().enumerate() {
        let mut months = std::collections::BTreeSet::new();
        for p in other.periods.iter().filter(|p| p.counts) {
            let mut m = month_of(p.period.start()).max(first);
            let end = p.period.end().map_or(last, month_of).min(last);
            while m <= end {
                months.insert(m);
                m = m.next();
            }
        }
        let mut runs: Vec<(Month, Month)> = Vec::new();
        for m in months {
            match runs.last_mut() {
                Some((_, to)) if to.next() == m => *to = m,
                _ => runs.push((m, m)),
            }
        }
        let first_by_tie = own_pseudonyms
            .iter()
            .any(|(born, own)| *born == other.birth_date && other.pseudonym < *own);
        for (j, (from, to)) in runs.into_iter().enumerate() {
            let id = format!("extern-{}-{}", i + 1, j + 1);
            let until = Date(first_of(to.next()).0 - chrono::Days::new(1));
            let entry = json!({
                "id": id,
                "birth_date": other.birth_date.to_string(),
                "status": "outside_city",
                "care_from": first_of(from).to_string(),
                "care_until": until.to_string(),
            });
            if first_by_tie {
                leading.push(entry);
            } else {
                children.push(entry);
            }
            external.push(ExternalChild {
                id,
                birth_date: other.birth_date,
                periods: other.periods.iter().map(|p| p.period).collect(),
            });
        }
    }
    let children: Vec<Value> = leading.into_iter().chain(children).collect();
    let guardians = &fees.family.guardians;
    let case = json!({
        "format": kitanetz_fees::CASE_FORMAT,
        "statute": STATUTE,
        "period": { "from": first.to_string(), "to": last.to_string() },
        "family": {
            "single_parent": guardians.iter().any(|g| g.single_parent),
            "residence_in_city": guardians.iter().any(|g| g.main_residence_in_city),
        },
        "rules": {
            "age_order": "oldest_first",
            "kindergarten_fee_from_completed_months": KINDERGARTEN_FEE_FROM_COMPLETED_MONTHS,
            // Lastenheft 3.10.3.2: families outside the city keep the sibling reduction.
            "non_resident_sibling_reduction": true,
        },
        "children": children,
    });
    (case, case_children, external)
}

/// Computes a family's fees for its months (see [`months_of`]); `None` without a contract. The
/// income-based reductions granted apply in their months only ([`super::reduction`]).
pub fn compute(fees: &FamilyFees, today: Date) -> Option<Computed> {
    let (first, last) = months_of(&fees.contracts, today)?;
    let (mut case, children, external) = case_with_siblings_of(fees, first, last);
    if children.is_empty() {
        return None;
    }
    let in_city = fees
        .family
        .guardians
        .iter()
        .any(|g| g.main_residence_in_city);
    let (grants, withdrawn, mut reduction_problems) = if in_city {
        super::reduction::grants_and_withdrawals(fees)
    } else {
        (vec![], vec![], vec![])
    };
    let withdrawn: Vec<_> = withdrawn
        .into_iter()
        .filter(|w| w.from <= last && w.until >= first)
        .collect();
    let mut grants: Vec<_> = grants
        .into_iter()
        .filter(|g| g.from <= last && g.until >= first)
        .collect();
    let run = |case: &Value| kitanetz_fees::compute_case(&case.to_string(), &fees.statutes);
    let base = case.clone();
    if let Some(g) = grants.last() {
        case["waiver"] = g.block.clone();
    }
    let mut result = run(&case);
    if let (Err(e), Some(g)) = (&result, grants.last()) {
        // The grant cannot be applied (the family moved away, …): the fees without it, and why.
        reduction_problems.push(format!("Antrag {}: {}: {}", g.number, e.field, e.message));
        grants.clear();
        case = base.clone();
        result = run(&case);
    }
    if let Ok(r) = &mut result {
        for (i, g) in grants.iter().enumerate().rev().skip(1) {
            let mut own = base.clone();
            own["waiver"] = g.block.clone();
            match run(&own) {
                Ok(other) => {
                    for m in other.months {
                        let later = grants[i + 1..]
                            .iter()
                            .any(|l| l.from <= m.month && m.month <= l.until);
                        if g.from <= m.month && m.month <= g.until && !later {
                            if let Some(slot) = r.months.iter_mut().find(|x| x.month == m.month) {
                                *slot = m;
                            }
                        }
                    }
                }
                Err(e) => reduction_problems
                    .push(format!("Antrag {}: {}: {}", g.number, e.field, e.message)),
            }
        }
    }
    let result = result.map_err(|e| refusal_in_words(&e, &case, &children));
    Some(Computed {
        case,
        children,
        result,
        overrides: fees.fee_case.overrides.clone(),
        external,
        grants: grants
            .into_iter()
            .map(|g| GrantSpan {
                number: g.number,
                applied_on: g.applied_on,
                from: g.from,
                until: g.until,
            })
            .collect(),
        reduction_problems,
        withdrawn,
    })
}

/// The engine's refusal with the contract it concerns, e.g. "Vertrag ctr-…: daily_hours: …".
fn refusal_in_words(
    error: &kitanetz_fees::CaseError,
    case: &Value,
    children: &[CaseChild],
) -> String {
    let contract = error
        .field
        .strip_prefix("children[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| case["children"][i]["id"].as_str())
        .and_then(|id| children.iter().find(|c| c.contract.0 == id));
    let field = error.field.rsplit('.').next().unwrap_or(&error.field);
    let message = engine_message_in_german(&error.message);
    match contract {
        Some(c) => format!(
            "Vertrag {} (Kind {}): {field}: {message}",
            c.contract, c.child
        ),
        None => format!("{}: {message}", error.field),
    }
}

/// The engine's refusals say in English what is wrong (the `fees compute` CLI prints them as
/// the case format has them); the clerk reads them in German. The refusals a node-built case
/// can meet are the statute's gaps: each is translated, anything else keeps its English after
/// a German lead-in.
fn engine_message_in_german(message: &str) -> String {
    if message == "the form's statute version is gone" {
        return "die Satzungsfassung, nach der der Antrag berechnet wurde, gibt es nicht mehr"
            .into();
    }
    if let Some(rest) = message.strip_prefix("no version of ") {
        if let Some((statute, month)) = rest.split_once(" in force in ") {
            return format!("keine Fassung der Satzung {statute} gilt im Monat {month}");
        }
    }
    if message == "is required: a child is in a kita" {
        return "fehlt in der Satzungsfassung: ein Kind ist in einer Kita".into();
    }
    if message == "is required" {
        return "fehlt in der Satzungsfassung".into();
    }
    format!("die Berechnung ist nicht möglich ({message})")
}

#[cfg(test)]
mod engine_message_tests {
    use super::engine_message_in_german;

    #[test]
    fn the_statute_gaps_read_in_german() {
        assert_eq!(
            engine_message_in_german("no version of dresden-2011 in force in 2031-01"),
            "keine Fassung der Satzung dresden-2011 gilt im Monat 2031-01"
        );
        assert_eq!(
            engine_message_in_german("is required"),
            "fehlt in der Satzungsfassung"
        );
        assert_eq!(
            engine_message_in_german("something new"),
            "die Berechnung ist nicht möglich (something new)"
        );
    }
}

/// One child's fee in one month, for the page and the decision.
#[derive(Debug, Clone, Serialize)]
pub struct ChildMonth {
    pub child: ChildId,
    pub contract: ContractId,
    pub facility: FacilityId,
    /// The fee owed: the computed one, or the one set by hand. `None`: no fee here (cared for
    /// outside the city).
    pub fee: Option<Money>,
    /// The fee the statute gives, when a fee set by hand replaces it.
    pub computed_fee: Option<Money>,
    /// Why the fee was set by hand.
    pub manual: Option<String>,
    pub statute_fee: Option<Money>,
    pub countable_rank: Option<usize>,
    pub extra_care: Money,
    /// The fee group the engine priced the month with (a `kita` child's by its age), for the
    /// care the decision prints; `None` when nothing was priced (outside the city, exempt).
    #[serde(skip)]
    pub group: Option<kitanetz_fees::care::FeeGroup>,
    /// What the statute's reductions took off the month (for the lost-fee reports).
    #[serde(skip)]
    pub reductions: Option<kitanetz_fees::result::Reductions>,
    /// Each step in words, with rule, statute version and paragraph.
    pub explanation: Vec<String>,
    /// The explanation steps as (text, paragraph), for the letter.
    #[serde(skip)]
    pub steps: Vec<(String, String)>,
}

/// The computed months by month, each child with its contract.
pub fn by_month(computed: &Computed) -> BTreeMap<Month, Vec<ChildMonth>> {
    let mut out: BTreeMap<Month, Vec<ChildMonth>> = BTreeMap::new();
    let Ok(result) = &computed.result else {
        return out;
    };
    for month in &result.months {
        let row = out.entry(month.month).or_default();
        // Siblings at other Träger who count this month, with their rank.
        let external: Vec<String> = month
            .children
            .iter()
            .filter_map(|c| {
                let e = computed.external.iter().find(|e| e.id == c.child.0)?;
                let rank = c.countable_rank?;
                let day = first_of(month.month);
                let until = e
                    .periods
                    .iter()
                    .filter(|p| p.end().is_none_or(|end| end >= day))
                    .min_by_key(|p| p.start())
                    .and_then(|p| p.end())
                    .map_or("auf weiteres".to_string(), |d| {
                        d.0.format("%d.%m.%Y").to_string()
                    });
                Some(format!(
                    "Zählkind {rank} bei einem anderen Träger (geboren {}, in Betreuung bis {until}) zählt in der Altersreihenfolge mit; Mitteilung der Stadt",
                    e.birth_date.0.format("%d.%m.%Y")
                ))
            })
            .collect();
        for c in &month.children {
            let Some(case_child) = computed.children.iter().find(|k| k.contract.0 == c.child.0)
            else {
                continue;
            };
            let mut child_month = ChildMonth {
                child: case_child.child.clone(),
                contract: case_child.contract.clone(),
                facility: case_child.facility.clone(),
                fee: c.fee,
                computed_fee: None,
                manual: None,
                statute_fee: c.statute_fee,
                countable_rank: c.countable_rank,
                extra_care: c.extra_care,
                group: c.group,
                reductions: c.reductions,
                explanation: c.explanation.iter().map(ToString::to_string).collect(),
                steps: c
                    .explanation
                    .iter()
                    .map(|e| (e.detail.clone(), e.paragraph.clone()))
                    .collect(),
            };
            if let (Some(grant), Some(outcome), Some(fee), Some(statute_fee)) = (
                computed.grant_in(month.month),
                month.waiver_outcome,
                c.fee,
                c.statute_fee,
            ) {
                let what = match outcome {
                    kitanetz_fees::income_reduction::WaiverOutcome::Waiver => "Erlass",
                    kitanetz_fees::income_reduction::WaiverOutcome::Reduction => "Ermäßigung",
                    kitanetz_fees::income_reduction::WaiverOutcome::None => {
                        "keine Ermäßigung (das Einkommen trägt den Beitrag)"
                    }
                };
                let law = kitanetz_fees::sgb8::waiver_paragraphs(first_of(month.month).0);
                let text = format!(
                    "Einkommensabhängig nach {law}: {what}; Antrag {} vom {}, bewilligt {} bis {}; Beitrag nach Satzung {}, zu zahlen {}",
                    grant.number,
                    grant.applied_on.0.format("%d.%m.%Y"),
                    month_de(grant.from),
                    month_de(grant.until),
                    statute_fee.german(),
                    fee.german()
                );
                child_month.explanation.push(text.clone());
                child_month
                    .steps
                    .push((text, format!("{law}; § 13 Satzung")));
            }
            if computed.grant_in(month.month).is_none() {
                if let Some(w) = computed
                    .withdrawn
                    .iter()
                    .rev()
                    .find(|w| w.from <= month.month && month.month <= w.until)
                {
                    let decision = w
                        .decision
                        .as_ref()
                        .map_or(String::new(), |d| format!(" (Bescheid {d} aufgehoben)"));
                    let law = kitanetz_fees::sgb8::waiver_paragraphs(first_of(month.month).0);
                    let text = format!(
                        "Ermäßigung nach {law} aus Antrag {} am {} widerrufen{decision}: ab {} ohne Ermäßigung, voller Beitrag nach Satzung",
                        w.number,
                        w.on.0.format("%d.%m.%Y"),
                        month_de(w.from)
                    );
                    child_month.explanation.push(text.clone());
                    child_month
                        .steps
                        .push((text, format!("{law}; § 13 Satzung")));
                }
            }
            if c.countable_rank.is_some() {
                for text in &external {
                    child_month.explanation.push(text.clone());
                    child_month
                        .steps
                        .push((text.clone(), "§ 10 (5)".to_string()));
                }
            }
            let first_day = first_of(month.month);
            if let Some(o) = kitanetz_crdt::kinds::fee_case::override_in(
                &computed.overrides,
                &case_child.child,
                first_day,
            ) {
                let amount = Money::round(o.amount.0);
                let computed_text = c.fee.map_or("–".to_string(), |f| f.german().to_string());
                let text =
                    format!(
                    "Manuell festgesetzt: {} statt berechnet {computed_text}; Grund: {} ({}, {})",
                    amount.german(),
                    o.reason, o.set_by, o.set_on
                );
                child_month.computed_fee = c.fee;
                child_month.fee = Some(amount);
                child_month.manual = Some(o.reason.clone());
                child_month.explanation.push(text.clone());
                child_month
                    .steps
                    .push((text, "manuelle Festsetzung".to_string()));
            }
            row.push(child_month);
        }
    }
    out
}

/// The contract line in force on the 1st of `month` (for the care and hours the letter prints).
pub fn line_in(
    contract: &CareContract,
    month: Month,
) -> Option<kitanetz_crdt::kinds::ContractLine> {
    contract.line_on(first_of(month).max(contract.period.start()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fees::testing::family;
    use kitanetz_crdt::scalar::Dec;

    fn fee(computed: &Computed, month: &str) -> Option<Money> {
        let month = Month::parse(month).unwrap();
        by_month(computed).get(&month).and_then(|rows| rows[0].fee)
    }

    #[test]
    fn the_line_in_force_on_the_first_rules_the_month_and_a_remedial_place_pays_nothing() {
        let computed = compute(&family(), Date::ymd(2026, 1, 15)).expect("a contract");
        let case = &computed.case["children"][0];
        assert_eq!(case["care_type"], "kita", "Krippe follows age");
        // The 6 h from 10 February rule from March; the remedial place from April.
        assert_eq!(case["changes"][0]["from"], "2026-03");
        assert_eq!(case["changes"][0]["daily_hours"], "6");
        assert_eq!(case["changes"][1]["from"], "2026-04");
        assert_eq!(case["changes"][1]["status"], "curative");
        // Annex C: Krippe 9 h 189.36 €, 6 h 126.24 €.
        assert_eq!(fee(&computed, "2026-02").unwrap().to_string(), "189.36");
        assert_eq!(fee(&computed, "2026-03").unwrap().to_string(), "126.24");
        assert_eq!(fee(&computed, "2026-04").unwrap().to_string(), "0.00");
        // Open-ended: computed up to eleven months after the current one.
        assert_eq!(computed.case["period"]["to"], "2026-12");
    }

    #[test]
    fn a_foster_child_from_a_month_pays_nothing_from_then() {
        let mut fees = family();
        fees.fee_case
            .statuses
            .push(kitanetz_crdt::kinds::ChildFeeStatus {
                child: ChildId("child-a".into()),
                from: Date::ymd(2025, 11, 1),
                status: "foster".into(),
            });
        let computed = compute(&fees, Date::ymd(2026, 1, 15)).unwrap();
        assert_eq!(fee(&computed, "2025-10").unwrap().to_string(), "189.36");
        assert_eq!(fee(&computed, "2025-11").unwrap().to_string(), "0.00");
    }

    #[test]
    fn care_hours_without_a_price_name_the_contract() {
        let mut fees = family();
        fees.contracts[0].lines[0].daily_hours = Dec(11.into());
        let computed = compute(&fees, Date::ymd(2026, 1, 15)).unwrap();
        let problem = computed.result.unwrap_err();
        assert!(
            problem.starts_with("Vertrag ctr-a (Kind child-a): daily_hours"),
            "{problem}"
        );
    }
}
