//! Zählkinder across Träger (Satzung § 10 (5), RULES.md §4, issue #10 item 2): children of one
//! family in care at the same time count in age order at any Träger, so the younger child at
//! another Träger gets the sibling reduction — and loses it again when the older one leaves.
//!
//! The scheme (documents and the family key: `kitanetz_crdt::kinds::fee_facts`):
//! 1. **The family key** is the city's: an HMAC-SHA256 of the applying guardian's normalised
//!    identity under a secret that never leaves the city node
//!    (`applications::queries::family_key`). It travels in the applicant share to the one Kita
//!    that reserved the seat (only with the parents' forwarding consent); concluding the contract
//!    copies it into the Träger's family document (`Family::family_key`).
//! 2. **The Träger publishes fee facts** ([`publish_facts`]): for every family with a key, one
//!    `fee-facts` document (city and Träger only): the key, and per child a pseudonym (a hash of
//!    key and child id: stable, says nothing), the birth date and the care periods with care type
//!    and whether the child counts. Run whenever families, contracts or fee cases were written
//!    here (locally or by sync): [`spawn`].
//! 3. **The city answers** ([`answer_siblings`]): it groups the fee facts by family key and
//!    writes, for every Träger with a child of a key that has counting children at *other* Träger,
//!    one `sibling-count` document (city and that Träger's office only) with those children:
//!    pseudonym, birth date, counting periods — no Träger, no Kita, no name. When none count any
//!    more, the answer is written empty (never erased: its id could not be used again).
//! 4. **The Träger computes with it**: `load_family` reads the answer for the family's key,
//!    [`super::compute::case_of`] adds each counting period as an `outside_city` case child (a
//!    Zählkind without a fee here) and every computed month of the family's own children that an
//!    external sibling shares says so ("Zählkind 1 bei einem anderen Träger …").
//!
//! Twins at two Träger (equal birth dates) are ordered by their pseudonyms at both, so that both
//! Träger agree who is first. Without a key (no forwarding consent, a direct admission) a family's
//! children count at their Träger only.

use super::FamilyFees;
use crate::clock::Now;
use crate::families::family_doc_id;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{city_org, doc_id_for, provider_org, ChildId, FamilyId, ProviderId};
use kitanetz_crdt::kinds::{
    CareContract, CarePeriod, CareType, FactChild, FeeCase, FeeFacts, OtherChild, SiblingCount,
};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::DocId;
use kitanetz_fees::Month;
use std::collections::{BTreeMap, BTreeSet};

pub fn fee_facts_doc_id(family: &FamilyId) -> DocId {
    doc_id_for("fee-facts", &family.0)
}

pub fn sibling_count_doc_id(provider: &ProviderId, family_key: &str) -> DocId {
    doc_id_for("sibling-count", &format!("{}-{family_key}", provider.0))
}

/// The pseudonym of a child in the fee facts: 32 hex digits of SHA-256 over the family key and
/// the child's id (the Träger recognises its own children; nobody else learns the id).
pub fn child_pseudonym(family_key: &str, child: &ChildId) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!(
        "kitanetz/fee-facts/child/1\0{family_key}\0{}",
        child.0
    ));
    hex::encode(&digest[..16])
}

fn first_of(month: Month) -> Date {
    Date::ymd(month.year(), month.month(), 1)
}

fn last_of(month: Month) -> Date {
    Date(first_of(month.next()).0 - chrono::Days::new(1))
}

/// The care periods of one contract, split where the care type or whether the child counts
/// changes — month by month as the fee computation reads them: the line in force on the 1st (or
/// on the first day) rules the month, a fee status from its month.
pub fn care_periods(contract: &CareContract, fee_case: &FeeCase) -> Vec<CarePeriod> {
    let start = contract.period.start();
    let state = |m: Month| -> Option<(CareType, bool)> {
        let day = first_of(m).max(start);
        let line = contract.line_on(day)?;
        let counts = line.care_type != CareType::Remedial
            && fee_case.status_on(&contract.child, day) == "regular";
        Some((line.care_type, counts))
    };
    let first = Month::of(start.0);
    // The last month to look at: the contract's last, or (open-ended) the month after the last
    // date something changes; from then the state holds.
    let changes = contract
        .lines
        .iter()
        .map(|l| l.valid.start())
        .chain(
            fee_case
                .statuses
                .iter()
                .filter(|s| s.child == contract.child)
                .map(|s| s.from),
        )
        .map(|d| Month::of(d.0).next())
        .max()
        .unwrap_or(first)
        .max(first);
    let last = contract.period.end().map(|e| Month::of(e.0));
    let stop = last.unwrap_or(changes);
    let mut runs: Vec<(Month, Month, (CareType, bool))> = Vec::new();
    let mut m = first;
    loop {
        if let Some(s) = state(m) {
            match runs.last_mut() {
                Some((_, end, current)) if *current == s && end.next() == m => *end = m,
                _ => runs.push((m, m, s)),
            }
        }
        if m >= stop {
            break;
        }
        m = m.next();
    }
    let count = runs.len();
    runs.into_iter()
        .enumerate()
        .map(|(i, (from, to, (care_type, counts)))| {
            let begin = first_of(from).max(start);
            let end = if i + 1 == count {
                match last {
                    Some(_) => contract.period.end(),
                    None => None,
                }
            } else {
                Some(last_of(to))
            };
            CarePeriod {
                period: Period::new(begin, end).unwrap_or(Period::from(begin)),
                care_type,
                counts,
            }
        })
        .collect()
}

/// The fee facts of a family (`None` without a family key, or without a contract).
pub fn facts_of(fees: &FamilyFees, provider: &ProviderId) -> Option<FeeFacts> {
    let key = &fees.family.family_key;
    if key.is_empty() {
        return None;
    }
    let mut children = Vec::new();
    for child in &fees.family.children {
        let periods: Vec<CarePeriod> = fees
            .contracts
            .iter()
            .filter(|c| c.child == child.id)
            .flat_map(|c| care_periods(c, &fees.fee_case))
            .collect();
        if periods.is_empty() {
            continue;
        }
        children.push(FactChild {
            pseudonym: child_pseudonym(key, &child.id),
            birth_date: child.birth_date,
            periods,
        });
    }
    (!children.is_empty()).then(|| FeeFacts {
        family_key: key.clone(),
        provider: provider.clone(),
        children,
    })
}

/// The city's answers from every fee fact it holds: for each Träger and family key with a child
/// there, the counting children of that key at other Träger (only keys that have some). Pure.
pub fn answers(facts: &[FeeFacts]) -> BTreeMap<(ProviderId, String), Vec<OtherChild>> {
    let mut by_key: BTreeMap<&str, Vec<&FeeFacts>> = BTreeMap::new();
    for f in facts {
        by_key.entry(f.family_key.as_str()).or_default().push(f);
    }
    let mut out = BTreeMap::new();
    for (key, group) in by_key {
        let providers: BTreeSet<&ProviderId> = group.iter().map(|f| &f.provider).collect();
        for provider in providers {
            let mut others: Vec<OtherChild> = group
                .iter()
                .filter(|f| &f.provider != provider)
                .flat_map(|f| &f.children)
                .filter_map(|c| {
                    let periods: Vec<CarePeriod> =
                        c.periods.iter().filter(|p| p.counts).cloned().collect();
                    (!periods.is_empty()).then(|| OtherChild {
                        pseudonym: c.pseudonym.clone(),
                        birth_date: c.birth_date,
                        periods,
                    })
                })
                .collect();
            if others.is_empty() {
                continue;
            }
            others.sort_by(|a, b| (a.birth_date, &a.pseudonym).cmp(&(b.birth_date, &b.pseudonym)));
            out.insert((provider.clone(), key.to_string()), others);
        }
    }
    out
}

/// The counting children of `family` at other Träger, as the city last answered this Träger.
pub fn others_of(
    store: &Store,
    provider: &ProviderId,
    family_key: &str,
) -> Result<Vec<OtherChild>, StoreError> {
    if family_key.is_empty() {
        return Ok(vec![]);
    }
    Ok(store
        .find::<SiblingCount>(&sibling_count_doc_id(provider, family_key))?
        .map(|(_, a)| a.others)
        .unwrap_or_default())
}

const ACTOR: &str = "system:fee-facts";

/// On a Träger node: writes the fee facts of every family with a family key whose facts changed,
/// and erases those of families no longer held. Returns how many documents it wrote or erased.
pub fn publish_facts(store: &mut Store, now: Now) -> Result<usize, StoreError> {
    let membership = store.membership().clone();
    let (NodeRole::Traeger, Some(provider)) = (membership.role, membership.provider) else {
        return Ok(0);
    };
    let mut docs = Vec::new();
    for family in super::family_ids(store)? {
        let fees = match super::load_family(store, &family) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(family = %family.0, error = %e, "fee facts: family not read");
                continue;
            }
        };
        let Some(facts) = facts_of(&fees, &provider) else {
            continue;
        };
        let id = fee_facts_doc_id(&family);
        let doc = match store.find::<FeeFacts>(&id)? {
            Some((_, held)) if held == facts => continue,
            Some((mut doc, _)) => {
                doc.update(&facts, now.today, now.millis, "fee-facts.update")?;
                doc
            }
            None => {
                if store.is_erased(&id)? {
                    continue;
                }
                let meta = DocMeta {
                    kind: DocKind::FeeFacts,
                    schema: DocKind::FeeFacts.schema_version(),
                    owner: provider_org(&provider),
                    provider: Some(provider.clone()),
                    // No Kita: the facts go to the city only.
                    facilities: vec![],
                    origin_node: store.node_name().to_string(),
                    created_on: now.today,
                };
                StoredDoc::create(id, meta, &facts, store.actor(), now.today, now.millis)?
            }
        };
        docs.push(doc);
    }
    // Facts of a family erased here go too.
    let mut gone = Vec::new();
    for id in doc_ids_of(store, DocKind::FeeFacts)? {
        let family =
            id.0.strip_prefix("doc-fee-facts-")
                .map(|f| FamilyId(f.into()));
        if let Some(family) = family {
            if store.doc_meta(&family_doc_id(&family))?.is_none() {
                gone.push(id);
            }
        }
    }
    let written = docs.len() + gone.len();
    if written > 0 {
        let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
        store.save_and_erase_docs_with(
            &mut refs,
            &gone,
            &AuditEntry {
                at: now.millis,
                actor: ACTOR.into(),
                action: "fee-facts.publish",
                target: None,
                subjects: vec![],
                valid_from: None,
            },
            |_| Ok(()),
        )?;
    }
    Ok(written)
}

fn doc_ids_of(store: &Store, kind: DocKind) -> Result<Vec<DocId>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT doc_id FROM documents WHERE kind = ?1 ORDER BY doc_id")?;
    let rows = stmt.query_map([kind.as_str()], |r| r.get::<_, String>(0).map(DocId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// On the city node: answers every Träger from the fee facts held (see [`answers`]); an answer
/// no longer needed is written empty. Returns how many answers it wrote.
pub fn answer_siblings(store: &mut Store, now: Now) -> Result<usize, StoreError> {
    if store.membership().role != NodeRole::City {
        return Ok(0);
    }
    let facts = store.values_of_kind::<FeeFacts>()?;
    let mut wanted = answers(&facts);
    let held: BTreeMap<(ProviderId, String), SiblingCount> = store
        .values_of_kind::<SiblingCount>()?
        .into_iter()
        .map(|a| ((a.provider.clone(), a.family_key.clone()), a))
        .collect();
    for (at, answer) in &held {
        if !answer.others.is_empty() && !wanted.contains_key(at) {
            wanted.insert(at.clone(), vec![]);
        }
    }
    let mut docs = Vec::new();
    for ((provider, key), others) in wanted {
        let answer = SiblingCount {
            family_key: key.clone(),
            provider: provider.clone(),
            others,
        };
        if held.get(&(provider.clone(), key.clone())) == Some(&answer) {
            continue;
        }
        let id = sibling_count_doc_id(&provider, &key);
        let doc = match store.find::<SiblingCount>(&id)? {
            Some((mut doc, _)) => {
                doc.update(&answer, now.today, now.millis, "sibling-count.update")?;
                doc
            }
            None => {
                if store.is_erased(&id)? {
                    continue;
                }
                let meta = DocMeta {
                    kind: DocKind::SiblingCount,
                    schema: DocKind::SiblingCount.schema_version(),
                    owner: city_org(),
                    provider: Some(provider.clone()),
                    facilities: vec![],
                    origin_node: store.node_name().to_string(),
                    created_on: now.today,
                };
                StoredDoc::create(id, meta, &answer, store.actor(), now.today, now.millis)?
            }
        };
        docs.push(doc);
    }
    if !docs.is_empty() {
        let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
        store.save_docs(
            &mut refs,
            &AuditEntry {
                at: now.millis,
                actor: ACTOR.into(),
                action: "sibling-count.answer",
                target: None,
                subjects: vec![],
                valid_from: None,
            },
        )?;
    }
    Ok(docs.len())
}

/// How often a node looks whether its fee facts (Träger) or answers (city) are due.
const EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// On a Träger node: publishes the fee facts whenever families, contracts or fee cases were
/// written (by a user or by sync); on the city node: answers whenever fee facts arrived.
/// Nothing on other nodes.
pub fn spawn(node: std::sync::Arc<crate::Node>) -> Option<tokio::task::JoinHandle<()>> {
    let watched: &'static [DocKind] = match node.config.role {
        NodeRole::Traeger => &[DocKind::Family, DocKind::CareContract, DocKind::FeeCase],
        NodeRole::City => &[DocKind::FeeFacts],
        NodeRole::Kita | NodeRole::Tagespflege => return None,
    };
    Some(tokio::spawn(async move {
        let mut seen = -1;
        loop {
            let now = node.now();
            let ran = {
                let mut store = node.store();
                match store.writes_of_kinds(watched) {
                    Ok(writes) if writes != seen => {
                        seen = writes;
                        match node.config.role {
                            NodeRole::City => answer_siblings(&mut store, now),
                            _ => publish_facts(&mut store, now),
                        }
                    }
                    Ok(_) => Ok(0),
                    Err(e) => Err(e),
                }
            };
            match ran {
                Ok(0) => {}
                Ok(n) => tracing::info!(documents = n, "Zählkinder across Träger"),
                Err(e) => tracing::error!(error = %e, "Zählkinder across Träger"),
            }
            tokio::time::sleep(EVERY).await;
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fees::testing::{family, line};
    use kitanetz_crdt::ids::ContractId;

    const KEY: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    fn prov(p: &str) -> ProviderId {
        ProviderId(p.into())
    }

    fn child(pseudonym: &str, born: Date, periods: Vec<(Date, Option<Date>, bool)>) -> FactChild {
        FactChild {
            pseudonym: pseudonym.repeat(32),
            birth_date: born,
            periods: periods
                .into_iter()
                .map(|(from, until, counts)| CarePeriod {
                    period: Period::new(from, until).unwrap(),
                    care_type: CareType::Kindergarten,
                    counts,
                })
                .collect(),
        }
    }

    #[test]
    fn the_periods_split_where_the_line_on_the_first_or_the_status_changes() {
        let fees = family();
        // Krippe 9 h from 2025-09, 6 h from 2026-02-10 (same type), remedial from 2026-04-01.
        let periods = care_periods(&fees.contracts[0], &fees.fee_case);
        let shown: Vec<(String, CareType, bool)> = periods
            .iter()
            .map(|p| (p.period.to_string(), p.care_type, p.counts))
            .collect();
        assert_eq!(periods.len(), 2, "{shown:?}");
        assert_eq!(periods[0].period.start(), Date::ymd(2025, 9, 1));
        assert_eq!(periods[0].period.end(), Some(Date::ymd(2026, 3, 31)));
        assert!(periods[0].counts);
        assert_eq!(periods[1].period.start(), Date::ymd(2026, 4, 1));
        assert_eq!(periods[1].period.end(), None, "open-ended");
        assert!(!periods[1].counts, "a remedial place does not count");
        assert_eq!(periods[1].care_type, CareType::Remedial);
    }

    #[test]
    fn a_foster_child_does_not_count_from_its_month_and_an_ended_contract_ends() {
        let mut fees = family();
        fees.contracts[0].lines.truncate(1);
        fees.contracts[0].period =
            Period::new(Date::ymd(2025, 9, 1), Some(Date::ymd(2026, 7, 31))).unwrap();
        fees.contracts[0].lines[0].valid = fees.contracts[0].period;
        fees.fee_case
            .statuses
            .push(kitanetz_crdt::kinds::ChildFeeStatus {
                child: ChildId("child-a".into()),
                from: Date::ymd(2026, 1, 1),
                status: "foster".into(),
            });
        let periods = care_periods(&fees.contracts[0], &fees.fee_case);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].period.end(), Some(Date::ymd(2025, 12, 31)));
        assert!(periods[0].counts);
        assert_eq!(periods[1].period.end(), Some(Date::ymd(2026, 7, 31)));
        assert!(!periods[1].counts, "a foster child does not count");
    }

    #[test]
    fn facts_carry_the_key_pseudonyms_and_no_names() {
        let mut fees = family();
        assert_eq!(facts_of(&fees, &prov("prov-1")), None, "no key, no facts");
        fees.family.family_key = KEY.into();
        let facts = facts_of(&fees, &prov("prov-1")).unwrap();
        assert_eq!(facts.validate(), Ok(()));
        assert_eq!(facts.family_key, KEY);
        assert_eq!(facts.children.len(), 1);
        let text = serde_json::to_string(&facts).unwrap();
        for secret in [
            "Ben", "Beispiel", "Anna", "child-a", "fam-a", "fac-a", "Weg",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            facts.children[0].pseudonym,
            child_pseudonym(KEY, &ChildId("child-a".into()))
        );
        assert_ne!(
            child_pseudonym(KEY, &ChildId("child-a".into())),
            child_pseudonym(&KEY.replace('0', "1"), &ChildId("child-a".into())),
            "another family key, another pseudonym"
        );
    }

    #[test]
    fn the_city_answers_each_traeger_with_the_counting_children_elsewhere() {
        let d = Date::ymd;
        let a = FeeFacts {
            family_key: KEY.into(),
            provider: prov("prov-a"),
            children: vec![
                child(
                    "a",
                    d(2021, 3, 1),
                    vec![(d(2024, 9, 1), Some(d(2026, 6, 30)), true)],
                ),
                // A foster child at A: never counted.
                child("f", d(2020, 1, 1), vec![(d(2024, 9, 1), None, false)]),
            ],
        };
        let b = FeeFacts {
            family_key: KEY.into(),
            provider: prov("prov-b"),
            children: vec![child(
                "b",
                d(2023, 5, 20),
                vec![(d(2025, 9, 1), None, true)],
            )],
        };
        // Another family at A only: nobody to answer.
        let lonely = FeeFacts {
            family_key: KEY.replace('0', "9"),
            provider: prov("prov-a"),
            children: vec![child("c", d(2022, 1, 1), vec![(d(2025, 1, 1), None, true)])],
        };
        let got = answers(&[a, b, lonely]);
        assert_eq!(got.len(), 2, "{got:?}");
        let to_b = &got[&(prov("prov-b"), KEY.to_string())];
        assert_eq!(to_b.len(), 1, "the foster child does not count");
        assert_eq!(to_b[0].pseudonym, "a".repeat(32));
        assert_eq!(to_b[0].periods.len(), 1);
        let to_a = &got[&(prov("prov-a"), KEY.to_string())];
        assert_eq!(to_a[0].pseudonym, "b".repeat(32));
        for others in got.values() {
            let answer = SiblingCount {
                family_key: KEY.into(),
                provider: prov("prov-x"),
                others: others.clone(),
            };
            assert_eq!(answer.validate(), Ok(()));
        }
    }

    #[test]
    fn an_older_sibling_elsewhere_makes_the_younger_child_the_second_zaehlkind_until_it_leaves() {
        let mut fees = family();
        // Only the Krippe line at 9 h (189.36 € as first child).
        fees.contracts[0].lines = vec![line("l1", Date::ymd(2025, 9, 1), CareType::Nursery, 9)];
        fees.family.family_key = KEY.into();
        fees.others = vec![OtherChild {
            pseudonym: "a".repeat(32),
            birth_date: Date::ymd(2021, 3, 1),
            periods: vec![CarePeriod {
                period: Period::new(Date::ymd(2025, 9, 1), Some(Date::ymd(2026, 6, 30))).unwrap(),
                care_type: CareType::Kindergarten,
                counts: true,
            }],
        }];
        let computed = super::super::compute::compute(&fees, Date::ymd(2026, 1, 15)).unwrap();
        let months = super::super::compute::by_month(&computed);
        let june = &months[&Month::parse("2026-06").unwrap()][0];
        let july = &months[&Month::parse("2026-07").unwrap()][0];
        assert_eq!(june.contract, ContractId("ctr-a".into()));
        assert_eq!(june.countable_rank, Some(2));
        // Three years old on 1 June: Kindergarten, 60 % of 132.13 € = 79.28 €.
        assert_eq!(june.fee.unwrap().to_string(), "79.28");
        assert!(
            june.explanation
                .iter()
                .any(|e| e.contains("Zählkind 1 bei einem anderen Träger")
                    && e.contains("30.06.2026")),
            "{:?}",
            june.explanation
        );
        assert_eq!(july.countable_rank, Some(1), "the older child left");
        assert_eq!(july.fee.unwrap().to_string(), "132.13");
        // In January (Krippe): 60 % of 189.36 € = 113.62 €.
        let january = &months[&Month::parse("2026-01").unwrap()][0];
        assert_eq!(january.fee.unwrap().to_string(), "113.62");
        assert!(july
            .explanation
            .iter()
            .all(|e| !e.contains("anderen Träger")));
        // A younger sibling elsewhere leaves this child first.
        fees.others[0].birth_date = Date::ymd(2024, 8, 1);
        let computed = super::super::compute::compute(&fees, Date::ymd(2026, 1, 15)).unwrap();
        let june =
            &super::super::compute::by_month(&computed)[&Month::parse("2026-06").unwrap()][0];
        assert_eq!(june.countable_rank, Some(1));
        assert_eq!(june.fee.unwrap().to_string(), "132.13");
        assert!(june
            .explanation
            .iter()
            .any(|e| e.contains("Zählkind 2 bei einem anderen Träger")));
    }

    #[test]
    fn twins_at_two_traeger_are_ordered_alike_by_their_pseudonyms() {
        let mut fees = family();
        fees.contracts[0].lines = vec![line("l1", Date::ymd(2025, 9, 1), CareType::Nursery, 9)];
        fees.family.family_key = KEY.into();
        let own = child_pseudonym(KEY, &ChildId("child-a".into()));
        let twin = |pseudonym: String| OtherChild {
            pseudonym,
            birth_date: Date::ymd(2023, 5, 20),
            periods: vec![CarePeriod {
                period: Period::from(Date::ymd(2025, 9, 1)),
                care_type: CareType::Nursery,
                counts: true,
            }],
        };
        let rank = |fees: &FamilyFees| {
            let computed = super::super::compute::compute(fees, Date::ymd(2026, 1, 15)).unwrap();
            super::super::compute::by_month(&computed)[&Month::parse("2026-01").unwrap()][0]
                .countable_rank
        };
        let lower = "0".repeat(32);
        let higher = "f".repeat(32);
        assert!(lower < own && own < higher);
        fees.others = vec![twin(lower)];
        assert_eq!(rank(&fees), Some(2));
        fees.others = vec![twin(higher)];
        assert_eq!(rank(&fees), Some(1));
    }

    mod across_stores {
        use super::super::*;
        use super::KEY;
        use crate::contracts::contract_doc_id;
        use crate::fees::testing::{family, line};
        use crate::storage::{Durability, Store};
        use kitanetz_crdt::ids::ContractId;
        use kitanetz_crdt::kinds::FeeCase;
        use kitanetz_crdt::policy::Membership;

        fn store(
            dir: &tempfile::TempDir,
            name: &str,
            role: NodeRole,
            provider: Option<&str>,
        ) -> Store {
            let membership = Membership {
                role,
                organisation: match provider {
                    Some(p) => provider_org(&ProviderId(p.into())),
                    None => city_org(),
                },
                provider: provider.map(|p| ProviderId(p.into())),
                facility: None,
            };
            Store::open(
                &dir.path().join(format!("{name}.db")),
                Durability::Normal,
                name,
                membership,
            )
            .unwrap()
        }

        fn now() -> Now {
            Now {
                today: Date::ymd(2026, 1, 15),
                millis: 1,
            }
        }

        fn entry() -> AuditEntry {
            AuditEntry {
                at: 1,
                actor: "user:test".into(),
                action: "test",
                target: None,
                subjects: vec![],
                valid_from: None,
            }
        }

        /// Writes `fees`' family and contracts as documents of `provider` into `store`.
        fn write_family(store: &mut Store, provider: &str, fees: &FamilyFees) {
            let provider = ProviderId(provider.into());
            let meta = |kind: DocKind| DocMeta {
                kind,
                schema: 1,
                owner: provider_org(&provider),
                provider: Some(provider.clone()),
                facilities: vec![fees.contracts[0].facility.clone()],
                origin_node: store.node_name().to_string(),
                created_on: Date::ymd(2025, 1, 1),
            };
            let today = now().today;
            let mut docs = vec![StoredDoc::create(
                family_doc_id(&fees.family.id),
                meta(DocKind::Family),
                &fees.family,
                store.actor(),
                today,
                1,
            )
            .unwrap()];
            for c in &fees.contracts {
                docs.push(
                    StoredDoc::create(
                        contract_doc_id(&c.id),
                        meta(DocKind::CareContract),
                        c,
                        store.actor(),
                        today,
                        1,
                    )
                    .unwrap(),
                );
            }
            let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
            store.save_docs(&mut refs, &entry()).unwrap();
        }

        /// Hands every document of `kind` that `from` holds to `to`, as sync would (the
        /// policy checked by `put_synced`).
        fn send(from: &Store, to: &mut Store, kind: DocKind) -> Result<usize, StoreError> {
            let mut n = 0;
            for id in doc_ids_of(from, kind)? {
                let doc = from.load_doc(&id)?;
                let meta = doc.meta.clone();
                let mut am = doc.into_automerge();
                to.put_synced(&id, &meta, &mut am, 2, from.node_name())?;
                n += 1;
            }
            Ok(n)
        }

        /// The older child at Träger A (Kindergarten from 2025-09 until `until`, born
        /// 2021-03-01), in its own family document under the same family key.
        fn older_at_a(until: Date) -> FamilyFees {
            let mut fees = family();
            fees.family.id = FamilyId("fam-at-a".into());
            fees.family.guardians[0].id = kitanetz_crdt::ids::GuardianId("grd-a".into());
            fees.family.family_key = KEY.into();
            fees.family.children[0].id = ChildId("child-old".into());
            fees.family.children[0].given_name = "Lena".into();
            fees.family.children[0].birth_date = Date::ymd(2021, 3, 1);
            let c = &mut fees.contracts[0];
            c.id = ContractId("ctr-old".into());
            c.family = fees.family.id.clone();
            c.child = ChildId("child-old".into());
            c.facility = kitanetz_crdt::ids::FacilityId("fac-at-a".into());
            c.period = Period::new(Date::ymd(2025, 9, 1), Some(until)).unwrap();
            c.lines = vec![line(
                "line-old",
                Date::ymd(2025, 9, 1),
                CareType::Kindergarten,
                9,
            )];
            c.lines[0].valid = c.period;
            fees
        }

        /// The younger child at Träger B: Krippe 9 h from 2025-09 (born 2023-05-20).
        fn younger_at_b() -> FamilyFees {
            let mut fees = family();
            fees.family.family_key = KEY.into();
            fees.family.guardians[0].id = kitanetz_crdt::ids::GuardianId("grd-b".into());
            fees.contracts[0].lines =
                vec![line("line-b", Date::ymd(2025, 9, 1), CareType::Nursery, 9)];
            fees
        }

        fn fee_at_b(b: &Store, month: &str) -> (Option<usize>, String, Vec<String>) {
            let fees = crate::fees::load_family(b, &FamilyId("fam-a".into())).unwrap();
            let computed = crate::fees::compute::compute(&fees, now().today).unwrap();
            let rows = crate::fees::compute::by_month(&computed);
            let row = &rows[&Month::parse(month).unwrap()][0];
            (
                row.countable_rank,
                row.fee.unwrap().to_string(),
                row.explanation.clone(),
            )
        }

        #[test]
        fn a_younger_child_at_another_traeger_counts_second_until_the_older_one_leaves() {
            let dir = tempfile::tempdir().unwrap();
            let mut a = store(&dir, "traeger-a", NodeRole::Traeger, Some("prov-a"));
            let mut b = store(&dir, "traeger-b", NodeRole::Traeger, Some("prov-b"));
            let mut city = store(&dir, "city", NodeRole::City, None);
            write_family(&mut a, "prov-a", &older_at_a(Date::ymd(2026, 6, 30)));
            write_family(&mut b, "prov-b", &younger_at_b());
            // Before the city answers: B counts its child alone.
            assert_eq!(fee_at_b(&b, "2026-01").0, Some(1));

            let round = |a: &mut Store, b: &mut Store, city: &mut Store| {
                publish_facts(a, now()).unwrap();
                publish_facts(b, now()).unwrap();
                send(a, city, DocKind::FeeFacts).unwrap();
                send(b, city, DocKind::FeeFacts).unwrap();
                answer_siblings(city, now()).unwrap();
            };
            round(&mut a, &mut b, &mut city);
            // The city answers each Träger with its own documents; move each to its Träger.
            let hand_out = |city: &Store, a: &mut Store, b: &mut Store| {
                for (to, provider) in [(a, "prov-a"), (b, "prov-b")] {
                    let id = sibling_count_doc_id(&ProviderId(provider.into()), KEY);
                    let doc = city.load_doc(&id).unwrap();
                    let meta = doc.meta.clone();
                    to.put_synced(&id, &meta, &mut doc.into_automerge(), 3, "city")
                        .unwrap();
                }
            };
            hand_out(&city, &mut a, &mut b);
            // The answer to A may not reach B.
            let to_a = sibling_count_doc_id(&ProviderId("prov-a".into()), KEY);
            let doc = city.load_doc(&to_a).unwrap();
            let meta = doc.meta.clone();
            assert!(matches!(
                b.put_synced(&to_a, &meta, &mut doc.into_automerge(), 3, "city"),
                Err(StoreError::NotAllowed(..))
            ));

            // B: its child is Zählkind 2 while the older one is in care at A.
            let (rank, fee, explanation) = fee_at_b(&b, "2026-01");
            assert_eq!(rank, Some(2));
            assert_eq!(fee, "113.62", "60 % of 189.36 €");
            assert!(
                explanation
                    .iter()
                    .any(|e| e.contains("Zählkind 1 bei einem anderen Träger")
                        && e.contains("bis 30.06.2026")),
                "{explanation:?}"
            );
            assert_eq!(fee_at_b(&b, "2026-07").0, Some(1), "after June alone");
            // A: its older child stays first; the younger one at B is Zählkind 2.
            let fees_a = crate::fees::load_family(&a, &FamilyId("fam-at-a".into())).unwrap();
            let computed = crate::fees::compute::compute(&fees_a, now().today).unwrap();
            let row =
                &crate::fees::compute::by_month(&computed)[&Month::parse("2026-01").unwrap()][0];
            assert_eq!(row.countable_rank, Some(1));
            assert_eq!(row.fee.unwrap().to_string(), "132.13");
            assert!(row
                .explanation
                .iter()
                .any(|e| e.contains("Zählkind 2 bei einem anderen Träger")));

            // The city holds no names, no family or child ids, no Kita.
            for row in city.doc_rows().unwrap() {
                let mut doc = city
                    .load_doc(&kitanetz_crdt::DocId(row.doc_id.clone()))
                    .unwrap();
                let text = serde_json::to_string(&doc.any_value().unwrap()).unwrap();
                for secret in [
                    "Lena", "Ben", "Beispiel", "Anna", "child-", "fam-", "fac-", "123456", "Weg 1",
                ] {
                    assert!(!text.contains(secret), "{secret} at the city: {text}");
                }
            }

            // A's contract ends at the end of March: from April B's child is first again.
            let (mut doc, mut contract) = a
                .get::<CareContract>(&contract_doc_id(&ContractId("ctr-old".into())))
                .unwrap();
            contract.period =
                Period::new(Date::ymd(2025, 9, 1), Some(Date::ymd(2026, 3, 31))).unwrap();
            contract.lines[0].valid = contract.period;
            doc.update(&contract, now().today, 5, "contract.end")
                .unwrap();
            a.save_doc(&mut doc, &entry()).unwrap();
            round(&mut a, &mut b, &mut city);
            hand_out(&city, &mut a, &mut b);
            let (rank, _, explanation) = fee_at_b(&b, "2026-03");
            assert_eq!(rank, Some(2));
            assert!(
                explanation.iter().any(|e| e.contains("bis 31.03.2026")),
                "{explanation:?}"
            );
            let (rank, fee, explanation) = fee_at_b(&b, "2026-04");
            assert_eq!(rank, Some(1), "the older child left");
            assert_eq!(fee, "189.36");
            assert!(explanation.iter().all(|e| !e.contains("anderen Träger")));

            // A foster child at A does not count at all: the answer to B becomes empty.
            let fee_case = FeeCase {
                family: FamilyId("fam-at-a".into()),
                payer: None,
                mandate: None,
                statuses: vec![kitanetz_crdt::kinds::ChildFeeStatus {
                    child: ChildId("child-old".into()),
                    from: Date::ymd(2025, 9, 1),
                    status: "foster".into(),
                }],
                decisions: vec![],
                overrides: vec![],
                extra_care_decisions: vec![],
                reductions: vec![],
            };
            let mut doc = StoredDoc::create(
                crate::fees::fee_case_doc_id(&fee_case.family),
                DocMeta {
                    kind: DocKind::FeeCase,
                    schema: 1,
                    owner: provider_org(&ProviderId("prov-a".into())),
                    provider: Some(ProviderId("prov-a".into())),
                    facilities: vec![],
                    origin_node: "traeger-a".into(),
                    created_on: now().today,
                },
                &fee_case,
                a.actor(),
                now().today,
                6,
            )
            .unwrap();
            a.save_doc(&mut doc, &entry()).unwrap();
            round(&mut a, &mut b, &mut city);
            hand_out(&city, &mut a, &mut b);
            let answer = b
                .get::<SiblingCount>(&sibling_count_doc_id(&ProviderId("prov-b".into()), KEY))
                .unwrap()
                .1;
            assert!(answer.others.is_empty(), "{answer:?}");
            assert_eq!(fee_at_b(&b, "2026-01").0, Some(1));
        }
    }
}
