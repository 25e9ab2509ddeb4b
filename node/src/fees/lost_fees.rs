//! Lost-fee reports on the Träger's node (entgangene Elternbeiträge, Lastenheft 3.10.4,
//! 3.10.3.2, 3.10.12): what the statute's reductions took off the parents' fees, month by month,
//! and who settles it with the city. The rules are `kitanetz_billing::lost_fees`; the figures of
//! each child's month are the fee engine's (`Reductions`: the first child's fee for the care
//! time and what the Zählkind rank, the single parent's share, the income-based reduction and a
//! foster or residential-home placement took off it).
//!
//! - A **free Träger** claims the lost fees of its Kitas from the city **monthly**; a municipal
//!   Träger's Kitas appear in the overview only (nobody to settle with).
//! - A family living **in another town** is billed to that town **quarterly**, the third quarter
//!   with October to December estimated; the fourth settles the difference.
//!
//! The report runs where the fees are (the Träger's node) and names children by PKN only. "Als
//! gemeldet festhalten" stores, per party and month, what the report claimed or billed; the next
//! report of the same months shows what was reported and settles only the difference (late
//! corrections). The figures are the statute's computation of each month (decided or not yet).

use super::compute::{self, by_month};
use super::decisions::pkn_of;
use super::{authorize_here, family_ids, load_family, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_billing::lost_fees::{
    free_traeger_reports, monthly_overview, other_town_reports, LostFeeLine, LostFeeMonth,
    LostFeeParty, LostFeeReport, Reduction, ReportedAmount,
};
use kitanetz_billing::Pkn;
use kitanetz_crdt::kinds::{ProviderKind, ProviderProfile};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_fees::{Money, Month};
use rusqlite::params;

/// The period of a report: a month (the free Träger's claim) or a quarter (other towns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(Month),
    Quarter { year: i32, quarter: u32 },
}

impl Period {
    /// `YYYY-MM` or `YYYY-Qn`, as the page's field takes it.
    pub fn parse(text: &str) -> Result<Period, ActionError> {
        let text = text.trim();
        let refused = || {
            let mut v = Validator::new();
            v.fail(
                "period",
                "Monat als JJJJ-MM oder Quartal als JJJJ-Q1 bis JJJJ-Q4 / a month as YYYY-MM or a quarter as YYYY-Q1 to YYYY-Q4",
            );
            ActionError::Invalid(v.finish().expect_err("one failure"))
        };
        if let Some((year, quarter)) = text.split_once("-Q") {
            let year: i32 = year.parse().map_err(|_| refused())?;
            let quarter: u32 = quarter.parse().map_err(|_| refused())?;
            if !(1..=4).contains(&quarter) || !(2000..=2100).contains(&year) {
                return Err(refused());
            }
            return Ok(Period::Quarter { year, quarter });
        }
        let month = Month::parse(text).ok_or_else(refused)?;
        if !(2000..=2100).contains(&month.year()) {
            return Err(refused());
        }
        Ok(Period::Month(month))
    }

    /// The months the report covers (the third quarter runs to December).
    fn months(self) -> Vec<Month> {
        match self {
            Period::Month(m) => vec![m],
            Period::Quarter { year, quarter } => {
                let first = Month::new(year, 3 * quarter - 2).expect("a quarter's first month");
                let count = if quarter == 3 { 6 } else { 3 };
                std::iter::successors(Some(first), |m| Some(m.next()))
                    .take(count)
                    .collect()
            }
        }
    }

    pub fn field_value(self) -> String {
        match self {
            Period::Month(m) => m.to_string(),
            Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
        }
    }
}

/// The reports of one period.
#[derive(Debug, Clone)]
pub struct LostFees {
    pub period: Period,
    /// The monthly overview of 3.10.12.1 over every child of the Träger, per month.
    pub overview: Vec<LostFeeMonth>,
    /// The free Träger's claim (a month) or the bills to other towns (a quarter), each with
    /// what was reported before.
    pub reports: Vec<LostFeeReport>,
    /// Families whose months could not be computed, with the reason (named, never dropped).
    pub skipped: Vec<String>,
}

/// Who settles the lost fees of this Träger's families with the city: another town for a
/// family living there, else the free Träger (a municipal one settles with nobody).
struct Parties {
    traeger: LostFeeParty,
}

impl Parties {
    fn of(store: &Store) -> Result<Parties, StoreError> {
        let provider = store.membership().provider.clone();
        let profile = match &provider {
            Some(p) => store
                .find::<ProviderProfile>(&kitanetz_crdt::ids::doc_id_for("provider", &p.0))?
                .map(|(_, profile)| profile),
            None => None,
        };
        Ok(Parties {
            traeger: match profile {
                Some(p) if p.kind == ProviderKind::Free => LostFeeParty::FreeTraeger(p.name),
                // The city's own Kitas, or a Träger without a profile yet (it is the city's).
                _ => LostFeeParty::OwnFacility,
            },
        })
    }

    fn of_family(&self, fees: &super::FamilyFees) -> LostFeeParty {
        let guardians = &fees.family.guardians;
        if guardians.iter().any(|g| g.main_residence_in_city) {
            return self.traeger.clone();
        }
        let town = guardians
            .iter()
            .map(|g| g.address.city.trim())
            .find(|town| !town.is_empty())
            .unwrap_or("unbekannte Gemeinde");
        LostFeeParty::OtherTown(town.to_string())
    }
}

/// Every child's month of `months` with a reduction or a statute fee, as the rules take it.
fn lines(
    store: &Store,
    months: &[Month],
    today: Date,
) -> Result<(Vec<LostFeeLine>, Vec<String>), ActionError> {
    let parties = Parties::of(store)?;
    let names = crate::facilities::names(store)?;
    let mut lines = Vec::new();
    let mut skipped = Vec::new();
    for family in family_ids(store)? {
        let fees = load_family(store, &family)?;
        let Some(computed) = compute::compute(&fees, today) else {
            continue;
        };
        if let Err(e) = &computed.result {
            skipped.push(format!("{}: {e}", fees.family.family_number));
            continue;
        }
        let party = parties.of_family(&fees);
        for (month, children) in by_month(&computed) {
            if !months.contains(&month) {
                continue;
            }
            for child in children {
                let Some(r) = child.reductions else {
                    continue;
                };
                let Some(pkn) =
                    pkn_of(&fees, &child.child).and_then(|p| Pkn::parse(p.as_str()).ok())
                else {
                    skipped.push(format!("{}: keine PKN / no PKN", fees.family.family_number));
                    continue;
                };
                let reductions: Vec<(Reduction, Money)> = [
                    (Reduction::Sibling, r.sibling),
                    (Reduction::SingleParent, r.single_parent),
                    (Reduction::IncomeBased, r.income_based),
                    (Reduction::FosterOrResidentialHome, r.foster_or_home),
                ]
                .into_iter()
                .filter(|(_, amount)| !amount.is_zero())
                .collect();
                lines.push(LostFeeLine {
                    party: party.clone(),
                    pkn,
                    month,
                    facility: names
                        .get(&child.facility.0)
                        .cloned()
                        .unwrap_or_else(|| child.facility.0.clone()),
                    unreduced: r.unreduced,
                    reductions,
                    // The Kommunalanteil is agreed between the towns; no source gives an amount.
                    municipal_share: Money::ZERO,
                });
            }
        }
    }
    Ok((lines, skipped))
}

/// What was reported before, per party and month.
fn reported(store: &Store) -> Result<Vec<ReportedAmount>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT party, month, amount FROM lost_fee_reported ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (party, month, amount) = row?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("lost_fee_reported.{what}"));
        out.push(ReportedAmount {
            party: serde_json::from_str(&party).map_err(|_| corrupt("party"))?,
            month: Month::parse(&month).ok_or_else(|| corrupt("month"))?,
            lost: signed_money(&amount).ok_or_else(|| corrupt("amount"))?,
        });
    }
    Ok(out)
}

/// An amount as `Money`'s `Display` writes it, with a minus for a credit.
fn signed_money(text: &str) -> Option<Money> {
    match text.strip_prefix('-') {
        Some(credit) => Money::parse(credit).ok().map(|m| Money::ZERO - m),
        None => Money::parse(text).ok(),
    }
}

/// The reports of `period` (nothing is stored).
pub fn report(
    store: &Store,
    who: &Principal,
    period: Period,
    today: Date,
) -> Result<LostFees, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let months = period.months();
    let (lines, skipped) = lines(store, &months, today)?;
    let before = reported(store)?;
    let reports = match period {
        Period::Month(month) => free_traeger_reports(&lines, month, &before),
        Period::Quarter { year, quarter } => other_town_reports(&lines, year, quarter, &before)
            .map_err(|e| ActionError::Conflict(e.to_string()))?,
    };
    let overview = months
        .iter()
        .map(|m| monthly_overview(&lines, *m))
        .collect();
    Ok(LostFees {
        period,
        overview,
        reports,
        skipped,
    })
}

/// Records the reports of `period` as reported: per party and month the difference it claims or
/// bills (months without one are left out). Returns how many parties it concerned.
pub fn record(
    store: &mut Store,
    who: &Principal,
    period: Period,
    now: Now,
) -> Result<usize, ActionError> {
    authorize_here(store, who, FeeAction::Bill)?;
    let shown = report(store, who, period, now.today)?;
    let rows: Vec<(String, String, String, String)> = shown
        .reports
        .iter()
        .flat_map(|r| {
            let party = serde_json::to_string(&r.party).expect("a party serialises");
            r.months
                .iter()
                .filter(|m| !m.difference.is_zero())
                .map(move |m| {
                    (
                        party.clone(),
                        m.month.to_string(),
                        m.difference.to_string(),
                        r.period.clone(),
                    )
                })
        })
        .collect();
    if rows.is_empty() {
        return Err(ActionError::Conflict(
            "Nichts zu melden: keine Differenz zu früheren Meldungen / nothing to report: no difference to earlier reports".into(),
        ));
    }
    let by = who.audit_name();
    let entry = AuditEntry {
        at: now.millis,
        actor: by.clone(),
        action: "fees.lost_fees.report",
        target: Some(format!("lost-fees/{}", period.field_value())),
        subjects: vec![],
        valid_from: None,
    };
    let parties = shown
        .reports
        .iter()
        .filter(|r| r.months.iter().any(|m| !m.difference.is_zero()))
        .count();
    store.write(|tx| -> Result<(), StoreError> {
        let mut insert = tx.prepare_cached(
            "INSERT INTO lost_fee_reported (party, month, amount, period, reported_by, reported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (party, month, amount, period) in &rows {
            insert.execute(params![party, month, amount, period, by, now.millis])?;
        }
        crate::storage::audit_in(tx, &entry)
    })?;
    Ok(parties)
}

/// A party as the page and the sheet name it.
pub fn party_name(party: &LostFeeParty) -> String {
    match party {
        LostFeeParty::FreeTraeger(name) => format!("Freier Träger {name}"),
        LostFeeParty::OtherTown(town) => format!("Gemeinde {town}"),
        LostFeeParty::OwnFacility => "Eigene Einrichtungen".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fees::testing::{
        audit_actions, clerk, family, store_holding, with_older_sibling_until,
    };
    use kitanetz_crdt::doc::StoredDoc;
    use kitanetz_crdt::ids::{provider_org, ProviderId};
    use kitanetz_crdt::kinds::Address;
    use kitanetz_crdt::meta::{DocKind, DocMeta};
    use kitanetz_crdt::period::Period as Valid;

    fn on(today: Date) -> Now {
        Now { today, millis: 7 }
    }

    /// Ben (Krippe 9 h from 2025-09) and his older sister Lena (Kindergarten 9 h) until 2027.
    fn siblings() -> super::super::FamilyFees {
        let mut fees = family();
        fees.contracts[0].lines.truncate(1);
        fees.contracts[0].lines[0].valid = Valid::from(Date::ymd(2025, 9, 1));
        let until = Date::ymd(2027, 6, 30);
        let mut fees = with_older_sibling_until(fees, until);
        fees.contracts[1].lines[0].valid = Valid::new(Date::ymd(2025, 9, 1), Some(until)).unwrap();
        fees
    }

    /// The Träger of the store becomes a free Träger named `name`.
    fn free_traeger(store: &mut Store, name: &str) {
        let provider = store.membership().provider.clone().unwrap();
        let profile = ProviderProfile {
            id: provider.clone(),
            name: name.into(),
            kind: ProviderKind::Free,
            category: "Elterninitiative".into(),
            address: Address {
                street: "Weg 1".into(),
                postcode: "01067".into(),
                city: "Dresden".into(),
                lat: None,
                lon: None,
            },
            email: String::new(),
            phone: String::new(),
        };
        let meta = DocMeta {
            kind: DocKind::ProviderProfile,
            schema: 1,
            owner: provider_org(&ProviderId(provider.0.clone())),
            provider: Some(provider.clone()),
            facilities: vec![],
            origin_node: "traeger".into(),
            created_on: Date::ymd(2025, 1, 1),
        };
        let id = kitanetz_crdt::ids::doc_id_for("provider", &provider.0);
        let mut doc =
            StoredDoc::create(id, meta, &profile, store.actor(), Date::ymd(2025, 1, 1), 1).unwrap();
        let entry = AuditEntry {
            at: 1,
            actor: "user:test".into(),
            action: "test",
            target: None,
            subjects: vec![],
            valid_from: None,
        };
        store.save_doc(&mut doc, &entry).unwrap();
    }

    #[test]
    fn a_free_traeger_claims_the_sibling_reduction_monthly_and_a_second_report_only_the_difference()
    {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_holding(&dir, siblings());
        let now = on(Date::ymd(2026, 2, 3));
        let january = Period::parse("2026-01").unwrap();

        // A municipal Träger (no profile: the city's own): in the overview, nobody to claim from.
        let shown = report(&store, &clerk(), january, now.today).unwrap();
        assert!(shown.reports.is_empty());
        let overview = &shown.overview[0];
        assert_eq!(overview.children, 2);
        // Ben, the 2nd Zählkind, pays 60 % of the Krippe fee 189.36 €: 75.74 € lost.
        assert_eq!(
            overview.by_reduction[&Reduction::Sibling].to_string(),
            "75.74"
        );
        assert_eq!(overview.lost.to_string(), "75.74");

        free_traeger(&mut store, "Kinderland e. V.");
        let shown = report(&store, &clerk(), january, now.today).unwrap();
        assert_eq!(shown.reports.len(), 1);
        let claim = &shown.reports[0];
        assert_eq!(
            claim.party,
            LostFeeParty::FreeTraeger("Kinderland e. V.".into())
        );
        assert_eq!(claim.period, "01/2026");
        assert_eq!(claim.difference.to_string(), "75.74");
        assert_eq!(claim.lines.len(), 2, "both children, by PKN");
        assert!(claim
            .lines
            .iter()
            .all(|l| l.pkn.to_string().starts_with("123456")));

        assert_eq!(record(&mut store, &clerk(), january, now).unwrap(), 1);
        assert_eq!(
            audit_actions(&store).last().map(String::as_str),
            Some("fees.lost_fees.report")
        );
        let again = report(&store, &clerk(), january, now.today).unwrap();
        assert_eq!(
            again.reports[0].months[0].previously_reported.to_string(),
            "75.74"
        );
        assert!(again.reports[0].difference.is_zero());
        assert!(matches!(
            record(&mut store, &clerk(), january, now),
            Err(ActionError::Conflict(_))
        ));
    }

    #[test]
    fn a_family_in_another_town_is_billed_to_it_quarterly_with_the_fourth_quarter_estimated() {
        let mut fees = siblings();
        fees.family.guardians[0].main_residence_in_city = false;
        fees.family.guardians[0].address.city = "Pirna".into();
        fees.family.guardians[0].single_parent = true;
        let dir = tempfile::tempdir().unwrap();
        let store = store_holding(&dir, fees);
        let q3 = Period::parse("2026-Q3").unwrap();
        let shown = report(&store, &clerk(), q3, Date::ymd(2026, 10, 5)).unwrap();
        assert_eq!(shown.reports.len(), 1);
        let bill = &shown.reports[0];
        assert_eq!(bill.party, LostFeeParty::OtherTown("Pirna".into()));
        assert_eq!(bill.period, "Q3/2026 (Q4 geschätzt)");
        assert_eq!(bill.months.len(), 6);
        assert!(bill.months[3..].iter().all(|m| m.estimated));
        // The single parent's lower share is lost too.
        assert!(!bill.months[0].by_reduction[&Reduction::SingleParent].is_zero());
        // The month's report of the free Träger does not take the family.
        let month = report(
            &store,
            &clerk(),
            Period::parse("2026-07").unwrap(),
            Date::ymd(2026, 8, 3),
        )
        .unwrap();
        assert!(month.reports.is_empty());
    }

    #[test]
    fn a_period_is_a_month_or_a_quarter() {
        assert_eq!(
            Period::parse("2026-03").unwrap(),
            Period::Month(Month::new(2026, 3).unwrap())
        );
        assert_eq!(
            Period::parse(" 2026-Q4 ").unwrap(),
            Period::Quarter {
                year: 2026,
                quarter: 4
            }
        );
        for bad in ["2026-Q5", "2026-13", "März", "0001-01", ""] {
            assert!(
                matches!(Period::parse(bad), Err(ActionError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
