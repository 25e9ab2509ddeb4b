//! The bulk fee change (Lastenheft 3.10.13, Satzung § 10 (4)): the city publishes new operating
//! costs, the Beitragsstelle enters them with the day of publication and the 1st of the month the
//! new fees apply from, sees every child-month whose decided fee changes (old and new, with the
//! new computation's explanation), and on confirmation issues one change decision
//! (Änderungsbescheid, annex J) to every affected family — one audited action that also stores
//! the new statute version ([`super::statute_versions`]).
//!
//! A mistake in the newest version is mended the same way: the clerk corrects it (new figures
//! for the same month) or takes it back (the version before applies again), with a reason; the
//! preview shows what that changes, the confirmation issues the change decisions and keeps the
//! replaced version as it was ([`statute_versions::replaced_rows`]).
//!
//! The rule (when the new fees may apply, which child-months change) is
//! `kitanetz_billing::bulk_change`; the new fee of a child-month is the family's fees recomputed
//! under the statute with the new version. The next Soll-Stellung reads the new decisions like any
//! other: months not yet charged are charged at the new fee, months already charged are credited
//! or back-charged by the difference.

use super::compute::{self, by_month};
use super::decisions::{self, draft, issued_of, Decided, Issuer};
use super::statute_versions::{self, StatuteVersionRow};
use super::{authorize_here, family_ids, fee_case_doc, load_family, FamilyFees, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::{AuditEntry, Store};
use kitanetz_billing::bulk_change::{
    bulk_fee_change, check_effective_date, statutory_effective_date, EffectiveDateRule,
};
use kitanetz_billing::{Charge, DecidedAmount, Pkn};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::FamilyId;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_fees::care::FeeGroup;
use kitanetz_fees::{Money, Month, StatuteBook};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The statute's earliest month of the year (Satzung § 10 (4): 1 September).
pub const RULE: EffectiveDateRule = EffectiveDateRule::DRESDEN;

/// New operating costs as the clerk enters them. A cost left empty keeps the fee group's
/// current price.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkInput {
    /// `YYYY-MM-DD`: the day of the publication (Amtsblatt).
    pub published_on: String,
    /// `YYYY-MM-DD`: the 1st of the month the new fees apply from.
    pub effective_from: String,
    /// The published basis, e.g. "Betriebskosten 2025, Amtsblatt Nr. 26/2026".
    pub basis: String,
    /// Euros per place and month at the base hours.
    pub krippe: String,
    pub kindergarten: String,
    pub hort: String,
    pub foerderhort: String,
    /// `YYYY-MM`: the newest version this input corrects or takes back (empty: a new version).
    pub corrects: String,
    /// With `corrects`: take that version back entirely; the one before applies again.
    #[serde(deserialize_with = "crate::input::flag::deserialize")]
    pub withdraw: bool,
    /// Why the version is corrected or taken back (required then).
    pub reason: String,
}

impl BulkInput {
    fn cost(&self, group: FeeGroup) -> &str {
        match group {
            FeeGroup::Nursery => &self.krippe,
            FeeGroup::Kindergarten => &self.kindergarten,
            FeeGroup::AfterSchool => &self.hort,
            FeeGroup::SupportedAfterSchool => &self.foerderhort,
        }
    }
}

/// One child-month whose fee changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedMonth {
    pub family: FamilyId,
    pub family_number: String,
    pub child: String,
    pub pkn: String,
    pub month: String,
    pub old: Money,
    pub new: Money,
    /// The new computation's steps, with rule, statute version and paragraph.
    pub explanation: Vec<String>,
}

/// What a bulk change would do (nothing is stored).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// The new version; for a withdrawal the version taken back.
    pub version: StatuteVersionRow,
    /// The version in force this corrects or takes back.
    pub replaces: Option<StatuteVersionRow>,
    pub withdraw: bool,
    /// The earliest day the statute allows for this publication.
    pub earliest: Date,
    /// The first-child fee at the base hours per fee group: name, share, before, after.
    pub base_fees: Vec<(String, String, Money, Money)>,
    /// By family number, PKN and month.
    pub changes: Vec<ChangedMonth>,
    /// Families with at least one changed month.
    pub families: usize,
    /// Decided child-months from the effective month on that keep their fee.
    pub unchanged: usize,
    /// Families that could not be recomputed, with the reason (named, never dropped silently).
    pub skipped: Vec<String>,
}

/// What the confirmation did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub preview: Preview,
    /// Family id and the number of the change decision issued to it.
    pub decisions: Vec<(FamilyId, String)>,
}

/// What the input asks for, checked (nothing stored yet).
struct Planned {
    /// The new version; for a withdrawal the version taken back (its month is where the fees
    /// change).
    version: StatuteVersionRow,
    /// The newest version in force, corrected or taken back.
    replaces: Option<StatuteVersionRow>,
    withdraw: bool,
    reason: String,
    /// The node's versions once it is done.
    rows: Vec<StatuteVersionRow>,
}

/// Checks the input: field errors, or what it would do.
fn version_of(
    store: &Store,
    who: &Principal,
    input: &BulkInput,
    now: Now,
) -> Result<Planned, ActionError> {
    let mut v = Validator::new();
    let mut existing = statute_versions::rows(store.conn())?;
    // A correction or withdrawal replaces the newest version; the rest is checked against the
    // versions before it.
    let corrects = input.corrects.trim();
    let replaces = if corrects.is_empty() {
        v.check(
            !input.withdraw,
            "withdraw",
            "Nur eine erfasste Fassung kann zurückgenommen werden / only an entered version can be taken back",
        );
        None
    } else {
        match existing.last() {
            Some(last) if last.valid_from.to_string() == corrects => existing.pop(),
            newest => {
                v.fail(
                    "corrects",
                    match newest {
                        Some(last) => format!(
                            "Nur die neueste Fassung (ab {0}) kann berichtigt oder zurückgenommen werden / only the newest version (from {0}) can be corrected or taken back",
                            last.valid_from
                        ),
                        None => "Auf diesem Knoten ist keine Fassung erfasst / no version is entered on this node".to_string(),
                    },
                );
                None
            }
        }
    };
    if !corrects.is_empty() {
        v.text("reason", &input.reason, 500);
    }
    if input.withdraw {
        v.finish()?;
        let old = replaces.expect("checked: a withdrawal names the newest version");
        return Ok(Planned {
            version: old.clone(),
            replaces: Some(old),
            withdraw: true,
            reason: input.reason.trim().to_string(),
            rows: existing,
        });
    }
    let published_on = v.date("published_on", &input.published_on);
    if let Some(p) = published_on {
        v.check(
            p <= now.today,
            "published_on",
            "Bekanntmachung in der Zukunft / published in the future",
        );
    }
    let effective_from = v.date("effective_from", &input.effective_from);
    if let (Some(p), Some(e)) = (published_on, effective_from) {
        if let Err(e) = check_effective_date(p.0, e.0, RULE) {
            v.fail("effective_from", e.to_string());
        }
    }
    v.text("basis", &input.basis, 300);
    let mut operating_costs = BTreeMap::new();
    for group in FeeGroup::ALL {
        let text = input.cost(group).trim();
        if text.is_empty() {
            continue;
        }
        match Money::parse(&text.replace(',', ".")) {
            Ok(cost) if cost > Money::ZERO => {
                operating_costs.insert(group.wire_name().to_string(), cost);
            }
            _ => v.fail(
                group.wire_name(),
                "Betrag in Euro über 0, höchstens zwei Nachkommastellen / euros above 0, at most two decimals",
            ),
        }
    }
    v.check(
        FeeGroup::ALL
            .iter()
            .any(|g| !input.cost(*g).trim().is_empty()),
        "krippe",
        "mindestens eine neue Betriebskostenangabe / at least one new operating cost",
    );
    if let (Some(e), Some(old)) = (effective_from, &replaces) {
        v.check(
            Month::of(e.0) == old.valid_from,
            "effective_from",
            format!(
                "Die Berichtigung gilt ab dem Monat der Fassung ({0}); für einen anderen Monat die Fassung zurücknehmen / the correction applies from the version's month ({0}); for another month take the version back",
                old.valid_from
            ),
        );
    }
    if let (Some(e), Some(last)) = (effective_from, existing.last()) {
        v.check(
            Month::of(e.0) > last.valid_from,
            "effective_from",
            format!(
                "Neue Beiträge gelten schon ab {}: eine neue Fassung muss später beginnen / new fees already apply from {}: a new version must start later",
                last.valid_from, last.valid_from
            ),
        );
    }
    if let Some(e) = effective_from {
        v.check(
            Month::of(e.0) > compute::statute_start(),
            "effective_from",
            "vor dem Inkrafttreten der Satzung / before the statute came into force",
        );
    }
    v.finish()?;
    let version = StatuteVersionRow {
        valid_from: Month::of(effective_from.expect("checked").0),
        published_on: published_on.expect("checked"),
        basis: input.basis.trim().to_string(),
        operating_costs,
        decided_by: who.audit_name(),
        decided_at: now.millis,
    };
    existing.push(version.clone());
    Ok(Planned {
        version,
        replaces,
        withdraw: false,
        reason: input.reason.trim().to_string(),
        rows: existing,
    })
}

/// A family with its changed months and its fees under the new statute.
struct Affected {
    fees: FamilyFees,
    changes: Vec<ChangedMonth>,
}

/// Every family's decided fees from the effective month on against the recomputation under
/// `book`.
fn plan(
    store: &Store,
    version: &StatuteVersionRow,
    book: &Arc<StatuteBook>,
    today: Date,
) -> Result<(Preview, Vec<Affected>), ActionError> {
    let effective = version.valid_from;
    let effective_day = Date::ymd(effective.year(), effective.month(), 1);
    let mut affected = Vec::new();
    let mut changes_all = Vec::new();
    let mut unchanged = 0;
    let mut skipped = Vec::new();
    for id in family_ids(store)? {
        let mut fees = load_family(store, &id)?;
        let current = {
            let decided = match Decided::of(&fees.fee_case) {
                Ok(d) => d,
                Err(e) => {
                    skipped.push(format!("{}: {e}", fees.family.family_number));
                    continue;
                }
            };
            if decided.first_month().is_none() {
                continue;
            }
            let last = compute::months_of(&fees.contracts, today)
                .map_or(effective, |(_, last)| last)
                .max(effective);
            let mut current = Vec::new();
            for (pkn, month, amount, explanation) in decided.amounts(effective, last) {
                match Pkn::parse(pkn.as_str()) {
                    Ok(pkn) => current.push(DecidedAmount {
                        pkn,
                        month,
                        charge: Charge::Fee,
                        amount: Money::round(amount),
                        explanation,
                    }),
                    Err(e) => skipped.push(format!("{}: {e}", fees.family.family_number)),
                }
            }
            current
        };
        if current.is_empty() {
            continue;
        }
        fees.statutes = book.clone();
        let Some(computed) = compute::compute(&fees, today) else {
            continue;
        };
        if let Err(problem) = &computed.result {
            skipped.push(format!("{}: {problem}", fees.family.family_number));
            continue;
        }
        // The new fee and its explanation by PKN and month.
        let mut new: BTreeMap<(String, Month), (Money, Vec<String>, String)> = BTreeMap::new();
        for (month, rows) in by_month(&computed) {
            for row in rows {
                let (Some(fee), Some(pkn)) = (row.fee, decisions::pkn_of(&fees, &row.child)) else {
                    continue;
                };
                let name = fees
                    .family
                    .child(&row.child)
                    .map(|c| format!("{} {}", c.given_name, c.family_name))
                    .unwrap_or_default();
                new.insert(
                    (pkn.as_str().to_string(), month),
                    (fee, row.explanation, name),
                );
            }
        }
        let change = bulk_fee_change(
            version.published_on.0,
            effective_day.0,
            RULE,
            &current,
            |d| {
                new.get(&(d.pkn.to_string(), d.month))
                    .map_or(d.amount, |n| n.0)
            },
        )
        .map_err(|e| ActionError::Conflict(e.to_string()))?;
        unchanged += change.unchanged;
        if change.changes.is_empty() {
            continue;
        }
        let rows: Vec<ChangedMonth> = change
            .changes
            .iter()
            .map(|c| {
                let (_, explanation, child) = new
                    .get(&(c.pkn.to_string(), c.month))
                    .cloned()
                    .unwrap_or_default();
                ChangedMonth {
                    family: fees.family.id.clone(),
                    family_number: fees.family.family_number.clone(),
                    child,
                    pkn: c.pkn.to_string(),
                    month: c.month.to_string(),
                    old: c.old,
                    new: c.new,
                    explanation,
                }
            })
            .collect();
        changes_all.extend(rows.iter().cloned());
        affected.push(Affected {
            fees,
            changes: rows,
        });
    }
    changes_all.sort_by(|a, b| {
        (&a.family_number, &a.pkn, &a.month).cmp(&(&b.family_number, &b.pkn, &b.month))
    });
    let before = statute_versions::base_fees(&*statute_versions::book(store)?, effective);
    let after = statute_versions::base_fees(book, effective);
    let base_fees = before
        .into_iter()
        .zip(after)
        .map(|((name, share, old), (_, _, new))| (name, share.normalize().to_string(), old, new))
        .collect();
    let preview = Preview {
        version: version.clone(),
        replaces: None,
        withdraw: false,
        earliest: Date(statutory_effective_date(version.published_on.0, RULE)),
        base_fees,
        families: affected.len(),
        changes: changes_all,
        unchanged,
        skipped,
    };
    Ok((preview, affected))
}

/// Shows what the new operating costs would change (nothing is stored).
pub fn preview(
    store: &Store,
    who: &Principal,
    input: &BulkInput,
    now: Now,
) -> Result<Preview, ActionError> {
    authorize_here(store, who, FeeAction::Decide)?;
    let planned = version_of(store, who, input, now)?;
    Ok(plan_of(store, &planned, now.today)?.0)
}

/// The preview of `planned` and the families it changes.
fn plan_of(
    store: &Store,
    planned: &Planned,
    today: Date,
) -> Result<(Preview, Vec<Affected>), ActionError> {
    let book = Arc::new(statute_versions::with_versions(&planned.rows));
    let (mut preview, affected) = plan(store, &planned.version, &book, today)?;
    preview.replaces = planned.replaces.clone();
    preview.withdraw = planned.withdraw;
    Ok((preview, affected))
}

/// Stores the new version and issues a change decision to every affected family, in one
/// transaction with one audit entry.
pub fn confirm(
    store: &mut Store,
    who: &Principal,
    input: &BulkInput,
    issuer: &Issuer,
    now: Now,
) -> Result<Outcome, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let planned = version_of(store, who, input, now)?;
    let version = &planned.version;
    let (mut preview, affected) = plan_of(store, &planned, now.today)?;
    let names = crate::facilities::names(store)?;
    let mut docs: Vec<StoredDoc> = Vec::new();
    let mut issued = Vec::new();
    for Affected { mut fees, changes } in affected {
        let decision = match draft(&fees, issuer, &names, version.valid_from, now) {
            Ok(d) => d,
            Err(e) => {
                preview
                    .skipped
                    .push(format!("{}: {e}", fees.family.family_number));
                preview.changes.retain(|c| c.family != fees.family.id);
                continue;
            }
        };
        debug_assert!(!changes.is_empty());
        let decision = issued_of(&decision, who, now);
        issued.push((fees.family.id.clone(), decision.number.clone()));
        fees.fee_case.decisions.push(decision);
        docs.push(fee_case_doc(
            store,
            &provider,
            &fees.fee_case,
            "fees.bulk_change",
            now,
        )?);
    }
    preview.families = issued.len();
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: match (&planned.replaces, planned.withdraw) {
            (None, _) => "fees.bulk_change",
            (Some(_), false) => "fees.bulk_change.correct",
            (Some(_), true) => "fees.bulk_change.withdraw",
        },
        target: Some(format!("fee-statute/{}", version.version_name())),
        subjects: issued.iter().map(|(f, _)| f.0.clone()).collect(),
        valid_from: Some(format!("{}-01", version.valid_from)),
    };
    let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
    store.save_docs_with(&mut refs, &entry, |tx| {
        if let Some(old) = &planned.replaces {
            let by = who.audit_name();
            statute_versions::replace_in(
                tx,
                old,
                &by,
                now.millis,
                planned.withdraw,
                &planned.reason,
            )?;
        }
        if !planned.withdraw {
            statute_versions::insert_in(tx, version)?;
        }
        Ok(())
    })?;
    Ok(Outcome {
        preview,
        decisions: issued,
    })
}

/// The node's versions, the newest first (for the page).
pub fn versions(store: &Store, who: &Principal) -> Result<Vec<StatuteVersionRow>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let mut rows = statute_versions::rows(store.conn())?;
    rows.reverse();
    Ok(rows)
}

/// The versions corrected or taken back, the latest first (for the page).
pub fn replaced_versions(
    store: &Store,
    who: &Principal,
) -> Result<Vec<statute_versions::ReplacedVersionRow>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    Ok(statute_versions::replaced_rows(store.conn())?)
}

/// The form filled with the newest version, to correct or take it back (`None`: `month` is not
/// the newest version).
pub fn correction_form(
    store: &Store,
    who: &Principal,
    month: &str,
) -> Result<Option<BulkInput>, ActionError> {
    authorize_here(store, who, FeeAction::Decide)?;
    let rows = statute_versions::rows(store.conn())?;
    let Some(newest) = rows
        .last()
        .filter(|r| r.valid_from.to_string() == month.trim())
    else {
        return Ok(None);
    };
    let cost = |group: FeeGroup| {
        newest
            .operating_costs
            .get(group.wire_name())
            .map(|c| c.to_string().replace('.', ","))
            .unwrap_or_default()
    };
    Ok(Some(BulkInput {
        published_on: newest.published_on.to_string(),
        effective_from: format!("{}-01", newest.valid_from),
        basis: newest.basis.clone(),
        krippe: cost(FeeGroup::Nursery),
        kindergarten: cost(FeeGroup::Kindergarten),
        hort: cost(FeeGroup::AfterSchool),
        foerderhort: cost(FeeGroup::SupportedAfterSchool),
        corrects: newest.valid_from.to_string(),
        withdraw: false,
        reason: String::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fees::testing::{
        audit_actions, clerk, family, issuer, store_holding, with_older_sibling_until,
    };
    use kitanetz_billing::PositionKind;
    use kitanetz_crdt::period::Period;

    fn on(today: Date) -> Now {
        Now { today, millis: 7 }
    }

    /// Ben (born 2023-05-20) in Krippe 9 h from 2025-09, open-ended — Kindergarten fee from
    /// June 2026 —, and his older sister Lena in Kindergarten 9 h until 2027-06-30.
    fn siblings() -> FamilyFees {
        let mut fees = family();
        fees.contracts[0].lines.truncate(1);
        fees.contracts[0].lines[0].valid = Period::from(Date::ymd(2025, 9, 1));
        let until = Date::ymd(2027, 6, 30);
        let mut fees = with_older_sibling_until(fees, until);
        fees.contracts[1].lines[0].valid = Period::new(Date::ymd(2025, 9, 1), Some(until)).unwrap();
        fees
    }

    fn input(effective_from: &str) -> BulkInput {
        BulkInput {
            published_on: "2026-06-26".into(),
            effective_from: effective_from.into(),
            basis: "Betriebskosten 2025, Dresdner Amtsblatt Nr. 26/2026".into(),
            // 30 % of 500.00 € = 150.00 € (was the published 132.13 €).
            kindergarten: "500,00".into(),
            ..BulkInput::default()
        }
    }

    #[test]
    fn too_early_is_refused_with_the_earliest_day_and_nothing_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_holding(&dir, siblings());
        let now = on(Date::ymd(2026, 8, 20));
        let audit_before = audit_actions(&store);
        for (day, expected) in [
            ("2026-08-01", "frühestens ab dem 2026-09-01"),
            ("2026-09-15", "ab dem Ersten eines Monats"),
        ] {
            let err = confirm(&mut store, &clerk(), &input(day), &issuer(), now).unwrap_err();
            let ActionError::Invalid(errors) = err else {
                panic!("{err:?}")
            };
            let text = format!("{errors:?}");
            assert!(text.contains("effective_from"), "{text}");
            assert!(text.contains(expected), "{text}");
            assert!(text.contains("2026-09-01"), "the earliest day: {text}");
        }
        let mut bad = input("2026-09-01");
        bad.kindergarten = "-5".into();
        assert!(matches!(
            preview(&store, &clerk(), &bad, now),
            Err(ActionError::Invalid(_))
        ));
        assert!(statute_versions::rows(store.conn()).unwrap().is_empty());
        assert_eq!(audit_actions(&store), audit_before);
    }

    /// The siblings' family with its first decision (from September 2025), on 20 August 2026.
    fn decided_siblings(dir: &tempfile::TempDir) -> (Store, FamilyId, Now) {
        let mut store = store_holding(dir, siblings());
        let family_id = FamilyId("fam-a".into());
        let now = on(Date::ymd(2026, 8, 20));
        crate::fees::decisions::issue(
            &mut store,
            &clerk(),
            &family_id,
            &crate::fees::decisions::DecisionInput {
                from: "2025-09".into(),
            },
            &issuer(),
            now,
        )
        .unwrap();
        (store, family_id, now)
    }

    #[test]
    fn preview_lists_old_and_new_fees_and_confirmation_decides_and_bills_the_difference() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, family_id, now) = decided_siblings(&dir);
        let config = crate::config::FeesSection::default();
        let run = |store: &mut Store, month: &str, now: Now| {
            let summary = crate::fees::billing::run(
                store,
                &clerk(),
                &crate::fees::billing::RunInput {
                    month: month.into(),
                },
                &config,
                now,
            )
            .unwrap();
            assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
            crate::fees::billing::positions_of(store, &clerk(), summary.run.id)
                .unwrap()
                .1
        };
        // September is charged at the old fees before the change is decided.
        run(&mut store, "2026-09", now);

        let shown = preview(&store, &clerk(), &input("2026-09-01"), now).unwrap();
        assert_eq!(shown.earliest, Date::ymd(2026, 9, 1));
        assert_eq!(shown.families, 1);
        let kindergarten = &shown.base_fees[1];
        assert_eq!(
            (kindergarten.2.to_string(), kindergarten.3.to_string()),
            ("132.13".into(), "150.00".into())
        );
        // Lena (PKN …02, the first Zählkind) pays the full fee, Ben (…01) 60 % of it.
        let september: Vec<_> = shown
            .changes
            .iter()
            .filter(|c| c.month == "2026-09")
            .map(|c| (c.pkn.as_str(), c.old.to_string(), c.new.to_string()))
            .collect();
        assert_eq!(
            september,
            [
                ("12345601", "79.28".into(), "90.00".into()),
                ("12345602", "132.13".into(), "150.00".into()),
            ]
        );
        // Every month from September up to the computed horizon (July 2027), Lena until June.
        assert_eq!(shown.changes.len(), 11 + 10);
        assert!(shown.changes.iter().all(|c| c.month.as_str() >= "2026-09"));
        let lena = shown.changes.iter().find(|c| c.pkn == "12345602").unwrap();
        assert!(
            lena.explanation
                .iter()
                .any(|e| e.contains("dresden-2011/2026-09")
                    && e.contains("30 % der Betriebskosten von 500,00 €")),
            "{:?}",
            lena.explanation
        );
        // A preview stores nothing.
        assert!(statute_versions::rows(store.conn()).unwrap().is_empty());

        let outcome = confirm(&mut store, &clerk(), &input("2026-09-01"), &issuer(), now).unwrap();
        assert_eq!(outcome.decisions, [(family_id.clone(), "123456-2".into())]);
        assert_eq!(
            audit_actions(&store).last().map(String::as_str),
            Some("fees.bulk_change")
        );
        assert_eq!(statute_versions::rows(store.conn()).unwrap().len(), 1);
        let fees = load_family(&store, &family_id).unwrap();
        let issued = fees.fee_case.decisions.last().unwrap();
        assert_eq!(issued.effective_from, Date::ymd(2026, 9, 1));
        let letter: kitanetz_letters::decision::Decision =
            serde_json::from_str(&issued.content).unwrap();
        assert_eq!(
            letter.kind,
            kitanetz_letters::decision::DecisionKind::Change
        );
        assert!(!letter
            .previous
            .expect("the decision before")
            .changes
            .is_empty());
        // Ben, four in September 2026, pays the Kindergarten fee: the letter says so.
        let ben = letter
            .children
            .iter()
            .find(|c| c.pkn.as_str() == "12345601")
            .unwrap();
        assert!(
            ben.months.iter().all(|m| m.care == "Kindergarten"),
            "{:?}",
            ben.months[0].care
        );
        // The same version again: refused, a newer one must start later.
        assert!(matches!(
            confirm(&mut store, &clerk(), &input("2026-09-01"), &issuer(), now),
            Err(ActionError::Invalid(_))
        ));

        // October's run back-charges September's difference and charges October at the new fee.
        let positions = run(&mut store, "2026-10", on(Date::ymd(2026, 9, 28)));
        let of = |pkn: &str, month: &str| {
            positions
                .iter()
                .filter(|p| p.pkn.to_string() == pkn && p.month.to_string() == month)
                .map(|p| (p.kind, p.amount.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of("12345602", "2026-09"),
            [(PositionKind::BackCharge, "17.87".to_string())]
        );
        assert_eq!(
            of("12345601", "2026-09"),
            [(PositionKind::BackCharge, "10.72".to_string())]
        );
        assert_eq!(
            of("12345602", "2026-10"),
            [(PositionKind::Regular, "150.00".to_string())]
        );
    }

    #[test]
    fn a_mistyped_version_is_corrected_then_taken_back_and_each_step_decides_the_difference() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, family_id, now) = decided_siblings(&dir);
        // The clerk types 5.000,00 € instead of 500,00 €.
        let mut typo = input("2026-09-01");
        typo.kindergarten = "5000,00".into();
        confirm(&mut store, &clerk(), &typo, &issuer(), now).unwrap();
        let fee_of = |store: &Store, pkn: &str| {
            let fees = load_family(store, &family_id).unwrap();
            let issued = fees.fee_case.decisions.last().unwrap();
            let letter: kitanetz_letters::decision::Decision =
                serde_json::from_str(&issued.content).unwrap();
            let child = letter
                .children
                .iter()
                .find(|c| c.pkn.as_str() == pkn)
                .unwrap();
            let september = child
                .months
                .iter()
                .find(|m| m.month.to_string() == "2026-09")
                .unwrap();
            (issued.number.clone(), september.amount.to_string())
        };
        // The fee is capped by the statute's ceiling, far above 150.00 €.
        assert_ne!(fee_of(&store, "12345602").1, "150.00");

        // Only the newest version can be corrected, with a reason, from its own month.
        let mut correction = correction_form(&store, &clerk(), "2026-09")
            .unwrap()
            .unwrap();
        assert_eq!(correction.kindergarten, "5000,00");
        assert!(correction_form(&store, &clerk(), "2026-10")
            .unwrap()
            .is_none());
        correction.kindergarten = "500,00".into();
        let refused = |input: &BulkInput, store: &Store| {
            let Err(ActionError::Invalid(e)) = preview(store, &clerk(), input, now) else {
                panic!("accepted: {input:?}")
            };
            e.errors.iter().map(|f| f.field.clone()).collect::<Vec<_>>()
        };
        assert_eq!(refused(&correction, &store), ["reason"]);
        correction.reason = "Tippfehler: 500,00 € bekanntgemacht".into();
        let mut elsewhen = correction.clone();
        elsewhen.effective_from = "2026-10-01".into();
        assert_eq!(refused(&elsewhen, &store), ["effective_from"]);
        let mut older = correction.clone();
        older.corrects = "2026-08".into();
        assert!(refused(&older, &store).contains(&"corrects".to_string()));

        let shown = preview(&store, &clerk(), &correction, now).unwrap();
        assert_eq!(
            shown.replaces.as_ref().unwrap().valid_from.to_string(),
            "2026-09"
        );
        assert!(!shown.withdraw);
        assert_eq!(shown.families, 1);
        let outcome = confirm(&mut store, &clerk(), &correction, &issuer(), now).unwrap();
        assert_eq!(outcome.decisions.len(), 1);
        assert_eq!(
            fee_of(&store, "12345602"),
            ("123456-3".into(), "150.00".into())
        );
        assert_eq!(
            audit_actions(&store).last().map(String::as_str),
            Some("fees.bulk_change.correct")
        );
        let rows = statute_versions::rows(store.conn()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].operating_costs["kindergarten"].to_string(),
            "500.00"
        );
        let replaced = statute_versions::replaced_rows(store.conn()).unwrap();
        assert_eq!(replaced.len(), 1);
        assert!(!replaced[0].withdrawn);
        assert_eq!(
            replaced[0].version.operating_costs["kindergarten"].to_string(),
            "5000.00"
        );
        assert_eq!(replaced[0].reason, "Tippfehler: 500,00 € bekanntgemacht");

        // Taken back entirely: the published 132.13 € apply again, decided by a change decision.
        let withdrawal = BulkInput {
            corrects: "2026-09".into(),
            withdraw: true,
            reason: "Bekanntmachung aufgehoben".into(),
            ..BulkInput::default()
        };
        let shown = preview(&store, &clerk(), &withdrawal, now).unwrap();
        assert!(shown.withdraw);
        let kindergarten = &shown.base_fees[1];
        assert_eq!(
            (kindergarten.2.to_string(), kindergarten.3.to_string()),
            ("150.00".into(), "132.13".into())
        );
        confirm(&mut store, &clerk(), &withdrawal, &issuer(), now).unwrap();
        assert_eq!(
            fee_of(&store, "12345602"),
            ("123456-4".into(), "132.13".into())
        );
        assert!(statute_versions::rows(store.conn()).unwrap().is_empty());
        let replaced = statute_versions::replaced_rows(store.conn()).unwrap();
        assert_eq!(replaced.len(), 2);
        assert!(replaced[0].withdrawn);
        assert_eq!(
            audit_actions(&store).last().map(String::as_str),
            Some("fees.bulk_change.withdraw")
        );
        // Nothing left to take back.
        assert_eq!(refused(&withdrawal, &store), ["corrects"]);
    }
}
