//! School entrants of a Kita (Lastenheft 3.6.17): the list of the children expected to go to
//! school with a school year, computed from birth dates and the cut-offs (school age completed
//! by 30 June; on request by 30 September), the Kita lead's marks (entry on request,
//! Schulrücksteller), and the bulk exit: "Alle Kinder, welche eingeschult werden, sollen
//! automatisch aus der Kita abgemeldet werden können." A Kindergarten contract ends with the
//! start of compulsory schooling without notice (Satzung § 9 (5)); the children's exit
//! certificates are printed together.
//!
//! A mark lives on the child's contract (`CareContract::school_entry`), so the occupancy
//! forecast, the Träger's office and its Beitragsstelle read the same thing: a
//! Schulrücksteller keeps the place and pays on.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::contracts::{contract_doc_id, load_for_edit};
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{ContractId, FacilityId};
use kitanetz_crdt::kinds::{CareContract, CareType, SchoolEntryMark, SchoolEntryRule};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_occupancy as occ;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The school year that starts next after `today` (on its first day: that one).
pub fn next_school_year(today: NaiveDate, rules: &occ::Rules) -> i32 {
    let start = rules.school_year_start;
    if (today.month(), today.day()) <= (start.month(), start.day()) {
        today.year()
    } else {
        today.year() + 1
    }
}

/// A child of the school list, with the contract the Kita acts on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SchoolChild {
    pub contract: String,
    pub child: String,
    pub name: String,
    pub birth_date: NaiveDate,
    /// The first school day under the child's recorded school entry.
    pub first_school_day: NaiveDate,
    /// `on-request` or `deferred`, as recorded; none: the statute.
    pub mark: Option<String>,
    /// The contract already ends for school on the day before this school year.
    pub exited: bool,
}

/// The school list of one Kita and school year.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolView {
    pub facility: String,
    pub facility_name: String,
    pub school_year: i32,
    pub first_school_day: NaiveDate,
    /// The last day of care of the entrants (the day before the first school day).
    pub last_day: NaiveDate,
    /// Children who go to school with this school year (compulsory, on request, deferred
    /// from earlier years).
    pub entrants: Vec<SchoolChild>,
    /// Children who may go on request but have not asked.
    pub may_enter_on_request: Vec<SchoolChild>,
    /// Schulrücksteller who would have gone this year: they stay.
    pub deferred: Vec<SchoolChild>,
}

impl SchoolView {
    /// Entrants whose contract still runs past the school start.
    pub fn to_exit(&self) -> usize {
        self.entrants.iter().filter(|c| !c.exited).count()
    }

    pub fn exited(&self) -> impl Iterator<Item = &SchoolChild> {
        self.entrants.iter().filter(|c| c.exited)
    }
}

/// The Kita's contracts by child: the one in force on `day`.
fn contracts_on(
    store: &Store,
    facility: &FacilityId,
    day: Date,
) -> Result<BTreeMap<String, CareContract>, StoreError> {
    let ids: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare_cached("SELECT id FROM p_contracts WHERE facility = ?1 ORDER BY id")?;
        let rows = stmt.query_map([&facility.0], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = BTreeMap::new();
    for id in ids {
        if let Some((_, c)) = store.find::<CareContract>(&contract_doc_id(&ContractId(id)))? {
            if c.period.contains(day) {
                out.insert(c.child.0.clone(), c);
            }
        }
    }
    Ok(out)
}

fn child_name(store: &Store, child: &str) -> Result<String, StoreError> {
    let name = store
        .conn()
        .query_row(
            "SELECT given_name || ' ' || family_name FROM p_children WHERE id = ?1",
            [child],
            |r| r.get::<_, String>(0),
        )
        .ok();
    Ok(name.unwrap_or_else(|| child.to_string()))
}

fn wrong(e: occ::OccupancyError) -> ActionError {
    ActionError::Conflict(format!("Schulanfänger / school entrants: {e}"))
}

/// The school list of `facility` for the school year starting in `school_year`.
pub fn view(
    store: &Store,
    who: &Principal,
    facility: &FacilityId,
    school_year: i32,
) -> Result<SchoolView, ActionError> {
    crate::attendance::authorize_view(store, who, facility)?;
    let rules = occ::Rules::default();
    let first_school_day = rules
        .school_year_start
        .in_year(school_year)
        .filter(|d| Date(*d).is_plausible())
        .ok_or_else(|| {
            let mut v = Validator::new();
            v.fail("year", "kein Schuljahr / not a school year");
            ActionError::Invalid(v.finish().expect_err("one failure"))
        })?;
    let last_day = first_school_day.pred_opt().unwrap_or(first_school_day);
    let books = crate::occupancy::books(store, std::slice::from_ref(facility))?;
    let book = books
        .first()
        .ok_or_else(|| ActionError::NotFound("Kita".into()))?;
    let list = occ::school_list(book, school_year, &rules).map_err(wrong)?;
    let contracts = contracts_on(store, facility, Date(last_day))?;
    let child = |pseudonym: &occ::ChildPseudonym,
                 birth_date: NaiveDate,
                 entry: &occ::SchoolEntryDate|
     -> Result<Option<SchoolChild>, StoreError> {
        let Some(contract) = contracts.get(&pseudonym.0) else {
            return Ok(None);
        };
        Ok(Some(SchoolChild {
            contract: contract.id.0.clone(),
            child: pseudonym.0.clone(),
            name: child_name(store, &pseudonym.0)?,
            birth_date,
            first_school_day: entry.first_school_day,
            mark: contract
                .school_entry
                .as_ref()
                .map(|m| m.rule.as_str().to_string()),
            exited: left_for_school(contract, Date(last_day)),
        }))
    };
    let mut entrants = Vec::new();
    for e in &list.entrants {
        entrants.extend(child(&e.child, e.birth_date, &e.entry)?);
    }
    let mut may_enter_on_request = Vec::new();
    for c in &list.may_enter_on_request {
        may_enter_on_request.extend(child(&c.child, c.birth_date, &c.entry)?);
    }
    let mut deferred = Vec::new();
    for c in &list.deferred {
        deferred.extend(child(&c.child, c.birth_date, &c.entry)?);
    }
    let names = crate::facilities::names(store)?;
    Ok(SchoolView {
        facility: facility.0.clone(),
        facility_name: names.get(&facility.0).cloned().unwrap_or_default(),
        school_year,
        first_school_day,
        last_day,
        entrants,
        may_enter_on_request,
        deferred,
    })
}

/// Whether `contract` ends on `last_day` because the child goes to school.
fn left_for_school(contract: &CareContract, last_day: Date) -> bool {
    contract.period.end() == Some(last_day) && contract.notice_reason.as_deref() == Some("school")
}

/// A mark as typed: `rule` is `statutory` (remove the mark), `on-request` or `deferred`;
/// `school_year` (optional for a deferral: the year after the statutory one).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkInput {
    pub contract: String,
    pub rule: String,
    pub school_year: String,
}

/// Records how a child goes to school: on request, deferred (Schulrücksteller), or as the
/// statute says.
pub fn mark(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    input: &MarkInput,
    now: Now,
) -> Result<CareContract, ActionError> {
    let provider = crate::facilities::provider_of(store, facility)?;
    authorize(
        who,
        Action::EditContracts {
            facility,
            provider: &provider,
        },
    )?;
    let mut v = Validator::new();
    let id = ContractId(input.contract.trim().to_string());
    let here = store
        .find::<CareContract>(&contract_doc_id(&id))?
        .is_some_and(|(_, c)| c.facility == *facility);
    v.check(
        here,
        "contract",
        "kein Vertrag dieser Kita / not a contract of this Kita",
    );
    v.finish()?;
    let (mut doc, mut contract) = load_for_edit(store, who, &id)?;
    let mut v = Validator::new();
    let birth_date = birth_date_of(store, &contract)?;
    let rules = occ::Rules::default();
    let entry_under = |school_entry: occ::SchoolEntry| {
        occ::school_entry(
            &occ::Child {
                pseudonym: occ::ChildPseudonym(contract.child.0.clone()),
                birth_date,
                school_entry,
            },
            &rules,
        )
        .map(|e| e.first_school_day.year())
    };
    let statutory = entry_under(occ::SchoolEntry::Statutory);
    let rule = input.rule.trim();
    let new_mark = match rule {
        "statutory" => None,
        "on-request" => {
            let asked = entry_under(occ::SchoolEntry::OnRequest);
            let starts_later = asked
                .and_then(|y| rules.school_year_start.in_year(y))
                .is_some_and(|first_day| first_day > now.today.0);
            v.check(
                asked.is_some() && asked != statutory && starts_later,
                "rule",
                "Einschulung auf Antrag nur für Kinder, die das Schulalter bis zum 30.09. vor einem noch nicht begonnenen Schuljahr vollenden / entry on request only for children completing school age by 30 September before a school year that has not begun",
            );
            asked.map(|year| (SchoolEntryRule::OnRequest, year))
        }
        "deferred" => {
            let year = if input.school_year.trim().is_empty() {
                statutory.map(|y| y + 1)
            } else {
                input.school_year.trim().parse::<i32>().ok()
            };
            v.check(
                year.is_some_and(|y| statutory.is_some_and(|s| y > s && y <= s + 2)),
                "school_year",
                format!(
                    "Zurückstellung um ein oder zwei Jahre nach {} / deferral by one or two years after {}",
                    statutory.unwrap_or_default(),
                    statutory.unwrap_or_default()
                ),
            );
            year.map(|y| (SchoolEntryRule::Deferred, y))
        }
        _ => {
            v.fail(
                "rule",
                "gesetzlich, auf Antrag oder Schulrücksteller wählen / choose statutory, on-request or deferred",
            );
            None
        }
    };
    v.finish()?;
    // A contract that ends with school entry ends with the new school entry: the day before
    // the first school day of the year the child now goes.
    let last_day_before = |year: Option<i32>| {
        year.and_then(|y| rules.school_year_start.in_year(y))
            .and_then(|d| d.pred_opt())
            .map(Date)
    };
    let old_year = match &contract.school_entry {
        Some(mark) => i32::try_from(mark.school_year).ok(),
        None => statutory,
    };
    let new_year = new_mark.map(|(_, y)| y).or(statutory);
    if let (Some(old_end), Some(new_end)) = (last_day_before(old_year), last_day_before(new_year)) {
        if contract.period.end() == Some(old_end) && old_end != new_end {
            contract.move_school_end(new_end)?;
        }
    }
    contract.school_entry = new_mark.map(|(rule, year)| SchoolEntryMark {
        rule,
        school_year: u32::try_from(year).unwrap_or_default(),
        recorded_on: now.today,
    });
    doc.update(&contract, now.today, now.millis, "school entry recorded")
        .map_err(StoreError::from)?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "contract.school-entry",
            target,
            subjects: vec![contract.child.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(contract)
}

fn birth_date_of(store: &Store, contract: &CareContract) -> Result<NaiveDate, ActionError> {
    store
        .find::<kitanetz_crdt::kinds::Family>(&crate::families::family_doc_id(&contract.family))?
        .and_then(|(_, f)| f.child(&contract.child).map(|c| c.birth_date.0))
        .ok_or_else(|| ActionError::NotFound(contract.child.0.clone()))
}

/// The bulk exit as typed: the school year and the contracts of the entrants to deregister.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExitInput {
    pub school_year: i32,
    pub contracts: Vec<String>,
}

/// Ends the contracts of the chosen school entrants on the day before the first school day,
/// without notice (Satzung § 9 (5)), in one transaction: every child is checked first, and one
/// refusal stores nothing. A contract that goes on with a Hort line is refused (the child stays
/// for the Hort: change the contract instead).
pub fn exit_entrants(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    input: &ExitInput,
    now: Now,
) -> Result<Vec<SchoolChild>, ActionError> {
    let provider = crate::facilities::provider_of(store, facility)?;
    authorize(
        who,
        Action::EditContracts {
            facility,
            provider: &provider,
        },
    )?;
    let list = view(store, who, facility, input.school_year)?;
    let last_day = Date(list.last_day);
    let mut v = Validator::new();
    v.check(
        !input.contracts.is_empty(),
        "contracts",
        "mindestens ein Kind wählen / choose at least one child",
    );
    let mut chosen: Vec<(StoredDoc, CareContract, SchoolChild)> = Vec::new();
    for (i, id) in input.contracts.iter().enumerate() {
        let field = format!("contracts[{i}]");
        let Some(entrant) = list.entrants.iter().find(|c| c.contract == *id) else {
            v.fail(
                field,
                format!("{id}: kein Schulanfänger dieses Schuljahres / not a school entrant of this school year"),
            );
            continue;
        };
        if entrant.exited {
            v.fail(
                field,
                format!(
                    "{}: bereits abgemeldet / already deregistered",
                    entrant.name
                ),
            );
            continue;
        }
        if chosen.iter().any(|(_, _, c)| c.contract == *id) {
            continue;
        }
        let (doc, contract) = load_for_edit(store, who, &ContractId(id.clone()))?;
        if contract
            .lines
            .iter()
            .any(|l| l.valid.start() > last_day && l.care_type == CareType::AfterSchool)
        {
            v.fail(
                field,
                format!(
                    "{}: der Vertrag geht mit Hortbetreuung weiter; bitte den Vertrag ändern / the contract goes on with after-school care: change it instead",
                    entrant.name
                ),
            );
            continue;
        }
        chosen.push((doc, contract, entrant.clone()));
    }
    v.finish()?;
    for (doc, contract, _) in &mut chosen {
        contract.end_for_school(last_day)?;
        doc.update(contract, now.today, now.millis, "school exit")
            .map_err(StoreError::from)?;
    }
    let subjects = chosen.iter().map(|(_, c, _)| c.child.0.clone()).collect();
    let mut docs: Vec<&mut StoredDoc> = chosen.iter_mut().map(|(d, _, _)| d).collect();
    store.save_docs(
        &mut docs,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "contract.school-exit",
            target: Some(facility.0.clone()),
            subjects,
            valid_from: Some(last_day.to_string()),
        },
    )?;
    Ok(chosen
        .into_iter()
        .map(|(_, _, c)| SchoolChild { exited: true, ..c })
        .collect())
}

/// The exit certificates of the children who left `facility` for school with `school_year`
/// (after [`exit_entrants`]), for the caller who may change the Kita's contracts.
pub fn certificates(
    store: &Store,
    who: &Principal,
    facility: &FacilityId,
    school_year: i32,
    today: Date,
) -> Result<Vec<kitanetz_letters::ExitCertificate>, ActionError> {
    let provider = crate::facilities::provider_of(store, facility)?;
    authorize(
        who,
        Action::EditContracts {
            facility,
            provider: &provider,
        },
    )?;
    let list = view(store, who, facility, school_year)?;
    let signer = who
        .staff()
        .map(|c| c.display_name.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for child in list.exited() {
        let (_, contract) = load_for_edit(store, who, &ContractId(child.contract.clone()))?;
        out.push(crate::contracts::exit_certificate(
            store, &contract, &signer, today,
        )?);
    }
    if out.is_empty() {
        return Err(ActionError::Conflict(format!(
            "Noch keine Schulanfänger {school_year} abgemeldet / no school entrants deregistered yet"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_school_year_starts_on_the_coming_first_of_august() {
        let rules = occ::Rules::default();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(next_school_year(d(2026, 11, 29), &rules), 2027);
        assert_eq!(next_school_year(d(2027, 7, 31), &rules), 2027);
        assert_eq!(next_school_year(d(2027, 8, 1), &rules), 2027);
        assert_eq!(next_school_year(d(2027, 8, 2), &rules), 2028);
    }
}
