//! The income-based reduction or waiver of the parent fee (§ 90 (3), (4) SGB VIII with §§ 82–85,
//! 87 SGB XII; § 13 Satzung; Lastenheft 3.10.3; annex C "Feststellung der zumutbaren Belastung").
//!
//! The Beitragsstelle enters an application from the annex C form step by step — household,
//! incomes (employees; the self-employed sheet "Netto-Einkommensermittlung bei Selbständigen";
//! other incomes), deductions (with the Riester sheet for the minimum own contribution), rent,
//! special burdens — and the fee engine fills in the form's lines 1–8 from it: the node writes the
//! application as the `waiver` block of the case format (`shared/formats/fee-case.md`), so the
//! clerk's screen, the decision and `kitanetz fees compute --case` compute alike.
//!
//! What the form leaves to the node:
//! - the household gives the form's 2 b) and 2 c): household size = members; Familienzuschläge =
//!   every member but the applicant (§ 85 (1) Nr. 3 SGB XII: the partner and each person the
//!   applicant maintains);
//! - the first two members marked `parent` are the form's "Mutter" (1.1 a, 1.2.2 (1)) and "Vater"
//!   (1.1 b, 1.2.2 (2)) lines, in the order entered; wages and self-employed income of other
//!   members go to 1.1 f) "sonstiges Einkommen";
//! - the self-employed sheet is computed here (the case format has no sheet, it takes the net
//!   income): its monthly average is the member's net income; a loss counts 0 (it is not set off
//!   against other incomes, § 10 VO zu § 82 SGB XII);
//! - the reasonable share (line 6), the split among the children (line 7) and what is owed above
//!   the regular care time are the node's versioned [`ReductionSetting`]: no source gives them,
//!   and the case format forbids a default — without a setting in force nothing is granted.
//!
//! A grant takes the setting in force on its first day into the fee case (a later change of the
//! setting does not change it), lowers the fee of its months only (the computation, [`super::compute`])
//! and is decided by a Bescheid of annex J's kinds "Ermäßigung" or "Erlass". A refusal is recorded
//! with its reason and changes no fee.

use super::compute::{self, CaseChild};
use super::{authorize_here, load_family, FamilyFees, FeeAction};
use crate::action::ActionError;
use crate::auth::Principal;
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::Datelike;
use kitanetz_crdt::ids::{FamilyId, ProviderId};
use kitanetz_crdt::kinds::{FeeCase, ReductionApplication, ReductionDecided};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::{ValidationError, Validator};
use kitanetz_fees::{FeeResult, Money, Month};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The longest grant (Lastenheft 3.10.3: "für max. ein Jahr jeweils monatsweise").
pub const MAX_GRANT_MONTHS: u32 = 12;

/// The regular care time the reduction covers (§ 13 (3) Satzung: Krippe, Kindergarten 9 h; Hort
/// 5 h on school days), per care type of the case format.
pub const REGULAR_CARE_HOURS: [(&str, &str); 4] = [
    ("krippe", "9"),
    ("kindergarten", "9"),
    ("hort", "5"),
    ("foerderhort", "5"),
];

/// The line-7 splits and the rules above the regular time, as the case format names them.
pub const ALLOCATIONS: [&str; 2] = ["rank_order", "proportional"];
pub const ABOVE_REGULAR_TIME: [&str; 2] = ["fee_difference", "flat_per_tier"];

/// A member of the household (annex C Berechnungsbogen: the guardians and children).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MemberInput {
    /// The member's key in the application, e.g. `m1`; incomes and pensions name it.
    pub id: String,
    pub name: String,
    /// `parent`, `child` or `other`.
    pub relation: String,
}

/// One income line of a member (1.1 of the form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IncomeInput {
    pub member: String,
    /// `employee` (Lohn/Gehalt, net), `self_employed` (the sheet), `child_benefit`,
    /// `maintenance`, `housing_benefit`, `other`.
    pub kind: String,
    /// Monthly euros; for `self_employed` the sheet gives it.
    pub amount: String,
    pub sheet: Option<SelfEmployedInput>,
}

/// The sheet "Netto-Einkommensermittlung bei Selbständigen" (§§ 82–84 SGB XII, VO zu § 82),
/// yearly euros of the year of calculation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SelfEmployedInput {
    /// Berechnungsjahr.
    pub year: String,
    /// Anzahl Monate (empty: 12).
    pub months: String,
    /// Steuerlicher Gewinn oder Verlust (may be negative).
    pub profit: String,
    /// + Abschreibungen (ohne Sofortabschreibungen GWG).
    pub depreciation: String,
    /// − notwendige Ausgaben für Wirtschaftsgüter (ohne GWG).
    pub investments: String,
    /// + Korrektur nicht notwendiger Ausgaben.
    pub corrections: String,
    /// + übrige steuerliche Einkünfte.
    pub other_taxable: String,
    /// + sonstige relevante Einkommensbestandteile.
    pub other_relevant: String,
    pub income_tax: String,
    pub solidarity: String,
    pub church_tax: String,
    pub health_insurance: String,
    pub care_insurance: String,
    pub pension_insurance: String,
    pub other_insurance: String,
}

/// 1.2.1 and 1.2.3 of the form (monthly euros; empty: 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeductionsInput {
    /// An amount or `flat`.
    pub work_equipment: String,
    /// An amount; or `travel_car_km` (one way, whole km); or `travel_ticket` (A1, B, C, D).
    pub travel: String,
    pub travel_car_km: String,
    pub travel_ticket: String,
    /// An amount or `flat`.
    pub double_household: String,
    pub other_expenses: String,
    pub liability_insurance: String,
    pub household_insurance: String,
    pub accident_insurance: String,
    pub other_insurance: String,
}

/// 1.2.2: a parent's subsidised pension contribution (Riester), capped at the minimum own
/// contribution: given, or by the sheet from the prior year's gross income.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PensionInput {
    pub member: String,
    pub contribution: String,
    pub minimum_own_contribution: String,
    pub prior_year_gross: String,
    /// Child allowances and bonuses (yearly euros).
    pub further_allowances: Vec<String>,
}

/// An application as the clerk enters it (form and API alike).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReductionInput {
    /// `YYYY-MM-DD`: the day it was received.
    pub applied_on: String,
    /// `YYYY-MM`: the first and the last month applied for (at most 12).
    pub from: String,
    pub until: String,
    pub members: Vec<MemberInput>,
    pub incomes: Vec<IncomeInput>,
    pub deductions: DeductionsInput,
    pub pensions: Vec<PensionInput>,
    /// 2 c) cold rent and cold operating costs a month.
    pub housing_cost: String,
    /// 4) besondere Belastungen (§ 87 SGB XII), monthly euros.
    pub special_burdens: Vec<String>,
}

/// An application checked: the case format's `waiver` block without the setting's parameters,
/// and the self-employed sheets in words.
#[derive(Debug, Clone)]
pub struct Filled {
    pub from: Month,
    pub until: Month,
    pub applied_on: Date,
    pub block: Value,
    pub household_size: usize,
    pub family_supplements: usize,
    /// One line per self-employed sheet, with every step.
    pub sheets: Vec<String>,
}

fn money_text(d: Decimal) -> String {
    let mut d = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d.to_string()
}

/// Euros as typed (`12,50` or `12.50`); empty is 0 unless `required`.
fn amount(v: &mut Validator, field: &str, text: &str, negative_ok: bool) -> Decimal {
    let t = text.trim();
    if t.is_empty() {
        return Decimal::ZERO;
    }
    match Decimal::from_str_exact(&t.replace(',', ".")) {
        Ok(d) if d.normalize().scale() > 2 => {
            v.fail(
                field,
                "höchstens zwei Nachkommastellen / at most two decimals",
            );
            Decimal::ZERO
        }
        Ok(d) if d.is_sign_negative() && !d.is_zero() && !negative_ok => {
            v.fail(field, "nicht negativ / must not be negative");
            Decimal::ZERO
        }
        Ok(d) => d,
        Err(_) => {
            v.fail(field, "Betrag in Euro, z. B. 12,50 / euros, e.g. 12.50");
            Decimal::ZERO
        }
    }
}

fn month_field(v: &mut Validator, field: &str, text: &str) -> Option<Month> {
    let m = Month::parse(text.trim());
    v.check(m.is_some(), field, "Monat als JJJJ-MM / month as YYYY-MM");
    m
}

fn months_between(from: Month, until: Month) -> u32 {
    let mut n = 1;
    let mut m = from;
    while m < until {
        m = m.next();
        n += 1;
    }
    n
}

/// The self-employed sheet: (monthly net, the steps in words).
fn self_employed(v: &mut Validator, field: &str, s: &SelfEmployedInput) -> (Decimal, String) {
    let f = |name: &str| format!("{field}.{name}");
    let months: u32 = if s.months.trim().is_empty() {
        12
    } else {
        match s.months.trim().parse::<u32>() {
            Ok(n) if (1..=12).contains(&n) => n,
            _ => {
                v.fail(f("months"), "1 bis 12 Monate / 1 to 12 months");
                12
            }
        }
    };
    let profit = amount(v, &f("profit"), &s.profit, true);
    let depreciation = amount(v, &f("depreciation"), &s.depreciation, false);
    let investments = amount(v, &f("investments"), &s.investments, false);
    let corrections = amount(v, &f("corrections"), &s.corrections, false);
    let other_taxable = amount(v, &f("other_taxable"), &s.other_taxable, false);
    let other_relevant = amount(v, &f("other_relevant"), &s.other_relevant, false);
    let taxes = amount(v, &f("income_tax"), &s.income_tax, false)
        + amount(v, &f("solidarity"), &s.solidarity, false)
        + amount(v, &f("church_tax"), &s.church_tax, false);
    let insurance = amount(v, &f("health_insurance"), &s.health_insurance, false)
        + amount(v, &f("care_insurance"), &s.care_insurance, false)
        + amount(v, &f("pension_insurance"), &s.pension_insurance, false)
        + amount(v, &f("other_insurance"), &s.other_insurance, false);
    let gross = profit + depreciation - investments + corrections + other_taxable + other_relevant;
    let net = gross - taxes - insurance;
    let monthly = (net / Decimal::from(months))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .max(Decimal::ZERO);
    let year = if s.year.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", s.year.trim())
    };
    let text = format!(
        "Selbständige{year}: Gewinn {} € + Abschreibungen {} € − Wirtschaftsgüter {} € + Korrekturen {} € + übrige Einkünfte {} € + sonstige {} € = bereinigtes Brutto {} €; − Steuern {} € − Versicherungen {} € = bereinigtes Netto {} € jährlich; ÷ {months} Monate = {} € monatlich{} (§§ 82–84 SGB XII, VO zu § 82 SGB XII)",
        money_text(profit),
        money_text(depreciation),
        money_text(investments),
        money_text(corrections),
        money_text(other_taxable),
        money_text(other_relevant),
        money_text(gross),
        money_text(taxes),
        money_text(insurance),
        money_text(net),
        money_text(monthly),
        if net.is_sign_negative() && !net.is_zero() {
            " (ein Verlust zählt 0 € / a loss counts 0)"
        } else {
            ""
        }
    );
    (monthly, text)
}

/// Checks an application and fills in the case format's `waiver` block from it. Every problem
/// is a field error (`incomes[0].amount`, `until`, `pensions[1].member`, …).
pub fn fill(input: &ReductionInput) -> Result<Filled, ValidationError> {
    let mut v = Validator::new();
    let applied_on = v.date("applied_on", &input.applied_on);
    let from = month_field(&mut v, "from", &input.from);
    let until = month_field(&mut v, "until", &input.until);
    if let (Some(f), Some(u)) = (from, until) {
        if u < f {
            v.fail("until", "Ende vor Beginn / end before start");
        } else if months_between(f, u) > MAX_GRANT_MONTHS {
            v.fail(
                "until",
                "höchstens zwölf Monate (Lastenheft 3.10.3) / at most twelve months",
            );
        }
        v.check(
            f >= compute::statute_start(),
            "from",
            "vor der Satzung / before the statute",
        );
    }

    // Step 1: the household.
    v.check(
        !input.members.is_empty(),
        "members",
        "mindestens ein Haushaltsmitglied / at least one member of the household",
    );
    let mut parents: Vec<&str> = Vec::new();
    for (i, m) in input.members.iter().enumerate() {
        v.text(&format!("members[{i}].id"), &m.id, 40);
        v.text(&format!("members[{i}].name"), &m.name, 140);
        v.check(
            ["parent", "child", "other"].contains(&m.relation.as_str()),
            format!("members[{i}].relation"),
            "parent, child oder/or other",
        );
        v.check(
            input.members[..i]
                .iter()
                .all(|o| o.id.trim() != m.id.trim()),
            format!("members[{i}].id"),
            "doppelt / duplicate",
        );
        if m.relation == "parent" {
            parents.push(m.id.trim());
        }
    }
    v.check(
        parents.len() <= 2,
        "members",
        "das Formular hat Zeilen für zwei Elternteile / the form has lines for two parents",
    );
    let parent_index = |id: &str| parents.iter().position(|p| *p == id.trim());
    let known = |id: &str| input.members.iter().any(|m| m.id.trim() == id.trim());

    // Step 2: incomes (1.1).
    let mut parent_net = [Decimal::ZERO; 2];
    let (mut child_benefit, mut maintenance, mut housing_benefit) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut other: Vec<Decimal> = Vec::new();
    let mut sheets = Vec::new();
    for (i, inc) in input.incomes.iter().enumerate() {
        let field = |name: &str| format!("incomes[{i}].{name}");
        v.check(
            known(&inc.member),
            field("member"),
            "kein Mitglied des Haushalts / not a member of the household",
        );
        let value = match (inc.kind.as_str(), &inc.sheet) {
            ("self_employed", Some(sheet)) => {
                let (monthly, text) = self_employed(&mut v, &field("sheet"), sheet);
                let name = input
                    .members
                    .iter()
                    .find(|m| m.id.trim() == inc.member.trim())
                    .map_or(String::new(), |m| format!("{}: ", m.name.trim()));
                sheets.push(format!("{name}{text}"));
                monthly
            }
            (
                "employee" | "self_employed" | "child_benefit" | "maintenance" | "housing_benefit"
                | "other",
                _,
            ) => amount(&mut v, &field("amount"), &inc.amount, false),
            _ => {
                v.fail(
                    field("kind"),
                    "employee, self_employed, child_benefit, maintenance, housing_benefit, other",
                );
                Decimal::ZERO
            }
        };
        match inc.kind.as_str() {
            "employee" | "self_employed" => match parent_index(&inc.member) {
                Some(p) => parent_net[p] += value,
                None => other.push(value),
            },
            "child_benefit" => child_benefit += value,
            "maintenance" => maintenance += value,
            "housing_benefit" => housing_benefit += value,
            _ => other.push(value),
        }
    }

    // Step 3: deductions (1.2).
    let d = &input.deductions;
    let flat_or = |v: &mut Validator, field: &str, text: &str| -> Value {
        if text.trim() == "flat" {
            json!("flat")
        } else {
            json!(money_text(amount(v, field, text, false)))
        }
    };
    let mut deductions = serde_json::Map::new();
    deductions.insert(
        "work_equipment".into(),
        flat_or(&mut v, "deductions.work_equipment", &d.work_equipment),
    );
    deductions.insert(
        "double_household".into(),
        flat_or(&mut v, "deductions.double_household", &d.double_household),
    );
    let travel = match (
        d.travel.trim(),
        d.travel_car_km.trim(),
        d.travel_ticket.trim(),
    ) {
        (t, "", "") => json!(money_text(amount(&mut v, "deductions.travel", t, false))),
        ("", km, "") => match km.parse::<u32>() {
            Ok(km) => json!({ "car_km": km }),
            Err(_) => {
                v.fail(
                    "deductions.travel_car_km",
                    "ganze Kilometer / whole kilometres",
                );
                json!("0.00")
            }
        },
        ("", "", ticket) => {
            v.check(
                ["A1", "B", "C", "D"].contains(&ticket),
                "deductions.travel_ticket",
                "A1, B, C oder/or D",
            );
            json!({ "ticket": ticket })
        }
        _ => {
            v.fail(
                "deductions.travel",
                "Betrag, Kilometer oder Monatskarte: nur eines / amount, km or ticket: one only",
            );
            json!("0.00")
        }
    };
    deductions.insert("travel".into(), travel);
    for (key, text) in [
        ("other_expenses", &d.other_expenses),
        ("liability_insurance", &d.liability_insurance),
        ("household_insurance", &d.household_insurance),
        ("accident_insurance", &d.accident_insurance),
        ("other_insurance", &d.other_insurance),
    ] {
        let a = amount(&mut v, &format!("deductions.{key}"), text, false);
        deductions.insert(key.into(), json!(money_text(a)));
    }
    let mut pension_seen = [false; 2];
    for (i, p) in input.pensions.iter().enumerate() {
        let field = |name: &str| format!("pensions[{i}].{name}");
        let Some(index) = parent_index(&p.member) else {
            v.fail(
                field("member"),
                "kein Elternteil des Haushalts / not a parent of the household",
            );
            continue;
        };
        v.check(
            !pension_seen[index],
            field("member"),
            "eine Zeile je Elternteil / one line per parent",
        );
        pension_seen[index] = true;
        let contribution = amount(&mut v, &field("contribution"), &p.contribution, false);
        let mut pension = json!({ "contribution": money_text(contribution) });
        match (
            p.minimum_own_contribution.trim(),
            p.prior_year_gross.trim(),
        ) {
            (given, "") if !given.is_empty() => {
                let m = amount(&mut v, &field("minimum_own_contribution"), given, false);
                pension["minimum_own_contribution"] = json!(money_text(m));
            }
            ("", gross) if !gross.is_empty() => {
                let g = amount(&mut v, &field("prior_year_gross"), gross, false);
                let allowances: Vec<String> = p
                    .further_allowances
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !a.trim().is_empty())
                    .map(|(j, a)| {
                        money_text(amount(
                            &mut v,
                            &field(&format!("further_allowances[{j}]")),
                            a,
                            false,
                        ))
                    })
                    .collect();
                pension["minimum_sheet"] =
                    json!({ "prior_year_gross": money_text(g), "further_allowances": allowances });
            }
            _ => v.fail(
                field("minimum_own_contribution"),
                "Mindesteigenbetrag oder Vorjahresbrutto (Riester-Blatt): eines davon / the minimum own contribution or the prior year's gross (Riester sheet): one of them",
            ),
        }
        deductions.insert(
            if index == 0 {
                "pension_mother"
            } else {
                "pension_father"
            }
            .into(),
            pension,
        );
    }

    // Step 4: rent, special burdens.
    let housing_cost = amount(&mut v, "housing_cost", &input.housing_cost, false);
    let burdens: Vec<String> = input
        .special_burdens
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.trim().is_empty())
        .map(|(i, b)| money_text(amount(&mut v, &format!("special_burdens[{i}]"), b, false)))
        .collect();
    v.finish()?;

    let household_size = input.members.len();
    let family_supplements = household_size.saturating_sub(1);
    let mut limit = json!({
        "family_supplements": family_supplements,
        "household_size": household_size,
    });
    if !housing_cost.is_zero() {
        limit["housing_cost"] = json!(money_text(housing_cost));
    }
    let (from, until) = (from.expect("checked"), until.expect("checked"));
    let block = json!({
        "grant_period": { "from": from.to_string(), "to": until.to_string() },
        "income": {
            "mother_net": money_text(parent_net[0]),
            "father_net": money_text(parent_net[1]),
            "child_benefit": money_text(child_benefit),
            "maintenance": money_text(maintenance),
            "housing_benefit": money_text(housing_benefit),
            "other": other.into_iter().map(money_text).collect::<Vec<_>>(),
        },
        "deductions": Value::Object(deductions),
        "limit": limit,
        "special_burdens": burdens,
    });
    Ok(Filled {
        from,
        until,
        applied_on: applied_on.expect("checked"),
        block,
        household_size,
        family_supplements,
        sheets,
    })
}

/// The node's parameters of lines 6 and 7, in force from a day until the next version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReductionSetting {
    pub valid_from: Date,
    /// Line 6: the share of the income above the limit the family can reasonably bear.
    pub reasonable_share_percent: Decimal,
    /// Line 7: `rank_order` or `proportional`.
    pub allocation: String,
    /// § 13 (3): `fee_difference` or `flat_per_tier`.
    pub above_regular_time: String,
    pub changed_by: String,
    pub changed_at: i64,
}

const SETTING_COLUMNS: &str =
    "valid_from, reasonable_share_percent, allocation, above_regular_time, changed_by, changed_at";

fn setting_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReductionSetting> {
    let bad = |i: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let valid_from: String = r.get(0)?;
    let share: String = r.get(1)?;
    Ok(ReductionSetting {
        valid_from: valid_from.parse().map_err(|_| {
            bad(
                0,
                format!("fee_reduction_settings.valid_from: {valid_from}"),
            )
        })?,
        reasonable_share_percent: Decimal::from_str_exact(&share)
            .map_err(|_| bad(1, format!("fee_reduction_settings.share: {share}")))?,
        allocation: r.get(2)?,
        above_regular_time: r.get(3)?,
        changed_by: r.get(4)?,
        changed_at: r.get(5)?,
    })
}

/// The setting in force on `day`: the version with the latest first day on or before it.
pub fn setting_on(conn: &Connection, day: Date) -> Result<Option<ReductionSetting>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SETTING_COLUMNS} FROM fee_reduction_settings WHERE valid_from <= ?1
             ORDER BY valid_from DESC LIMIT 1"
        ))?
        .query_row([day.to_string()], setting_row)
        .optional()?)
}

/// Every version, the newest first.
pub fn settings(store: &Store, who: &Principal) -> Result<Vec<ReductionSetting>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {SETTING_COLUMNS} FROM fee_reduction_settings ORDER BY valid_from DESC"
    ))?;
    let rows = stmt.query_map([], setting_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A new version of the setting, as the clerk enters it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingInput {
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    /// A percentage 0..100, e.g. `50`.
    pub reasonable_share_percent: String,
    pub allocation: String,
    pub above_regular_time: String,
}

/// Saves a version of the setting from its first day (a version of the same day is replaced;
/// grants already decided keep the values they were computed with).
pub fn set_setting(
    store: &mut Store,
    who: &Principal,
    input: &SettingInput,
    now: Now,
) -> Result<ReductionSetting, ActionError> {
    authorize_here(store, who, FeeAction::Decide)?;
    let mut v = Validator::new();
    let valid_from = v.date("valid_from", &input.valid_from);
    let share = Decimal::from_str_exact(&input.reasonable_share_percent.trim().replace(',', "."))
        .ok()
        .filter(|d| !d.is_sign_negative() && *d <= Decimal::ONE_HUNDRED);
    v.check(
        share.is_some(),
        "reasonable_share_percent",
        "Prozent von 0 bis 100 / a percentage from 0 to 100",
    );
    v.check(
        ALLOCATIONS.contains(&input.allocation.as_str()),
        "allocation",
        "rank_order oder/or proportional",
    );
    v.check(
        ABOVE_REGULAR_TIME.contains(&input.above_regular_time.as_str()),
        "above_regular_time",
        "fee_difference oder/or flat_per_tier",
    );
    v.finish()?;
    let setting = ReductionSetting {
        valid_from: valid_from.expect("checked"),
        reasonable_share_percent: share.expect("checked").normalize(),
        allocation: input.allocation.clone(),
        above_regular_time: input.above_regular_time.clone(),
        changed_by: who.audit_name(),
        changed_at: now.millis,
    };
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "fees.reduction.setting",
        target: None,
        subjects: vec![],
        valid_from: Some(setting.valid_from.to_string()),
    };
    store.write(|tx| -> Result<(), StoreError> {
        tx.execute(
            &format!(
                "INSERT OR REPLACE INTO fee_reduction_settings ({SETTING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                setting.valid_from.to_string(),
                setting.reasonable_share_percent.to_string(),
                setting.allocation,
                setting.above_regular_time,
                setting.changed_by,
                setting.changed_at
            ],
        )?;
        crate::storage::audit_in(tx, &entry)?;
        Ok(())
    })?;
    Ok(setting)
}

/// The parameters lines 6 and 7 are computed with.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    pub reasonable_share_percent: Decimal,
    pub allocation: String,
    pub above_regular_time: String,
}

impl Parameters {
    pub fn of_setting(s: &ReductionSetting) -> Parameters {
        Parameters {
            reasonable_share_percent: s.reasonable_share_percent,
            allocation: s.allocation.clone(),
            above_regular_time: s.above_regular_time.clone(),
        }
    }

    pub fn of_grant(d: &ReductionDecided) -> Option<Parameters> {
        Some(Parameters {
            reasonable_share_percent: d.reasonable_share_percent?.0,
            allocation: d.allocation.clone(),
            above_regular_time: d.above_regular_time.clone(),
        })
    }
}

/// The complete `waiver` block of a case: the application's form and the parameters.
pub fn waiver_block(filled: &Filled, p: &Parameters) -> Value {
    let mut block = filled.block.clone();
    block["reasonable_share_percent"] = json!(p.reasonable_share_percent.normalize().to_string());
    block["allocation"] = json!(p.allocation);
    block["above_regular_time"] = json!(p.above_regular_time);
    block["regular_care_hours"] = Value::Object(
        REGULAR_CARE_HOURS
            .iter()
            .map(|(k, h)| ((*k).to_string(), json!(h)))
            .collect(),
    );
    block
}

/// The stored application read back.
pub fn input_of(app: &ReductionApplication) -> Result<ReductionInput, StoreError> {
    serde_json::from_str(&app.input)
        .map_err(|e| StoreError::Corrupt(format!("reduction {}: {e}", app.number)))
}

/// A granted application as the computation applies it: its months and its `waiver` block.
#[derive(Debug, Clone)]
pub struct GrantInForce {
    pub number: String,
    pub applied_on: Date,
    pub from: Month,
    /// The last month it rules: the grant's last, or the month before its withdrawal.
    pub until: Month,
    pub block: Value,
}

/// A grant withdrawn (its decision revoked): from `from` to its original end its months are
/// computed without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    pub number: String,
    /// The revoked decision.
    pub decision: Option<String>,
    pub on: Date,
    pub from: Month,
    pub until: Month,
}

/// The first month a grant withdrawn on `day` no longer rules: as with every change of a
/// month's facts, the state on the 1st rules the month (withdrawn on the 1st: from that month;
/// later: from the next).
pub fn withdrawn_from(day: Date) -> Month {
    let month = Month::of(day.0);
    if day.0.day() == 1 {
        month
    } else {
        month.next()
    }
}

/// The grants in force of a fee case, in the order entered (a later one wins a month both
/// cover). One that does not read back is left out with the reason (it must not stop the
/// family's fees).
pub fn grants_in_force(fees: &FamilyFees) -> (Vec<GrantInForce>, Vec<String>) {
    let (grants, _, problems) = grants_and_withdrawals(fees);
    (grants, problems)
}

/// [`grants_in_force`], with the withdrawn grants: a grant withdrawn rules its months before
/// the withdrawal ([`withdrawn_from`]) and none after.
pub fn grants_and_withdrawals(
    fees: &FamilyFees,
) -> (Vec<GrantInForce>, Vec<Withdrawn>, Vec<String>) {
    let mut grants = Vec::new();
    let mut withdrawals = Vec::new();
    let mut problems = Vec::new();
    for app in &fees.fee_case.reductions {
        let Some(decided) = app.decided.as_ref().filter(|d| d.granted) else {
            continue;
        };
        let filled = input_of(app)
            .map_err(|e| e.to_string())
            .and_then(|i| fill(&i).map_err(|e| e.to_string()));
        match (filled, Parameters::of_grant(decided)) {
            (Ok(filled), Some(p)) => {
                let mut until = filled.until;
                let mut block = waiver_block(&filled, &p);
                if let Some(on) = decided.withdrawn_on {
                    let from = withdrawn_from(on);
                    if from <= filled.until {
                        withdrawals.push(Withdrawn {
                            number: app.number.clone(),
                            decision: decided.decision.clone(),
                            on,
                            from: from.max(filled.from),
                            until: filled.until,
                        });
                    }
                    if from <= filled.from {
                        continue;
                    }
                    if from <= filled.until {
                        until = previous_month(from);
                        block["grant_period"]["to"] = json!(until.to_string());
                    }
                }
                grants.push(GrantInForce {
                    number: app.number.clone(),
                    applied_on: app.applied_on,
                    from: filled.from,
                    until,
                    block,
                })
            }
            (Err(e), _) => problems.push(format!("Antrag {}: {e}", app.number)),
            (_, None) => problems.push(format!(
                "Antrag {}: ohne zumutbaren Anteil / without a reasonable share",
                app.number
            )),
        }
    }
    (grants, withdrawals, problems)
}

fn previous_month(month: Month) -> Month {
    if month.month() == 1 {
        Month::new(month.year() - 1, 12)
    } else {
        Month::new(month.year(), month.month() - 1)
    }
    .expect("a calendar month")
}

/// The form of an application computed: the engine's result for the months applied for.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The case as `kitanetz-fee-case/1` (the months applied for, with the `waiver` block).
    pub case: Value,
    pub children: Vec<CaseChild>,
    pub result: FeeResult,
}

impl Assessment {
    /// Every month an Erlass (nothing of the regular fees borne)?
    pub fn is_waiver(&self) -> bool {
        self.result.months.iter().all(|m| {
            m.waiver_outcome.is_none()
                || m.waiver_outcome == Some(kitanetz_fees::income_reduction::WaiverOutcome::Waiver)
        })
    }

    /// Does the reduction lower any fee of the months?
    pub fn lowers_a_fee(&self) -> bool {
        self.result.months.iter().any(|m| {
            m.children
                .iter()
                .any(|c| matches!((c.fee, c.statute_fee), (Some(f), Some(s)) if f < s))
        })
    }

    /// Σ fee and Σ statute fee of the months.
    pub fn totals(&self) -> (Money, Money) {
        let mut fee = Money::ZERO;
        let mut statute = Money::ZERO;
        for m in &self.result.months {
            for c in &m.children {
                fee = fee + c.fee.unwrap_or(Money::ZERO);
                statute = statute + c.statute_fee.unwrap_or(Money::ZERO);
            }
        }
        (fee, statute)
    }
}

/// Computes the form of `filled` with `p` for its months (the engine refuses e.g. a family
/// outside the city).
pub fn assess(fees: &FamilyFees, filled: &Filled, p: &Parameters) -> Result<Assessment, String> {
    let (mut case, children, _) = compute::case_with_siblings_of(fees, filled.from, filled.until);
    if children.is_empty() {
        return Err(
            "Kein Vertrag in den beantragten Monaten / no contract in the months applied for"
                .into(),
        );
    }
    case["waiver"] = waiver_block(filled, p);
    let result = kitanetz_fees::compute_case(&case.to_string(), &fees.statutes)
        .map_err(|e| format!("{}: {}", e.field, e.message))?;
    Ok(Assessment {
        case,
        children,
        result,
    })
}

/// Enters an application (undecided) into the family's fee case.
pub fn enter(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &ReductionInput,
    now: Now,
) -> Result<ReductionApplication, ActionError> {
    enter_declared(store, who, family, input, None, now)
}

/// The parents' online self-assessment an application is taken over from.
pub struct Declared<'a> {
    /// The `income-declaration` document's id and the revision taken.
    pub doc: String,
    pub revision: u32,
    /// Its proofs, kept with the fee case on this node ([`super::declarations`]).
    pub proofs: &'a [kitanetz_crdt::kinds::DeclarationProof],
}

/// [`enter`], taken over from the parents' online self-assessment when `declared` is given: the
/// application names it, and its proofs are kept in the same transaction.
pub fn enter_declared(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    input: &ReductionInput,
    declared: Option<Declared<'_>>,
    now: Now,
) -> Result<ReductionApplication, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let filled = fill(input)?;
    if !fees
        .family
        .guardians
        .iter()
        .any(|g| g.main_residence_in_city)
    {
        let mut v = Validator::new();
        v.fail(
            "members",
            "Familien außerhalb der Stadt beantragen die Ermäßigung bei ihrem Jugendamt (Lastenheft 3.10.3.2) / families outside the city apply at their own Jugendamt",
        );
        v.finish()?;
    }
    let first_day = |m: Month| Date::ymd(m.year(), m.month(), 1);
    let app = ReductionApplication {
        number: format!(
            "{}-E{}",
            fees.family.family_number,
            fees.fee_case.reductions.len() + 1
        ),
        applied_on: filled.applied_on,
        from: first_day(filled.from),
        until: first_day(filled.until),
        input: serde_json::to_string(input).expect("an input serialises"),
        entered_by: who.audit_name(),
        entered_on: now.today,
        decided: None,
        declaration_revision: declared.as_ref().map_or(0, |d| d.revision),
        declaration: declared.as_ref().map(|d| d.doc.clone()),
    };
    fees.fee_case.reductions.push(app.clone());
    let action = if declared.is_some() {
        "fees.declaration.take_over"
    } else {
        "fees.reduction.enter"
    };
    save_with_answer(
        store,
        who,
        &provider,
        &fees.fee_case,
        &app,
        action,
        |tx| match &declared {
            Some(d) => super::queries::keep_proofs(tx, family, &d.doc, d.proofs, now.today),
            None => Ok(()),
        },
        now,
    )?;
    Ok(app)
}

/// Grant or refuse.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecideInput {
    /// `grant` or `refuse`.
    pub decision: String,
    /// Required for a refusal.
    pub reason: String,
    /// A grant on the parents' own figures, before the proofs are checked (the Bescheid says
    /// so and asks for them): a checkbox ("on"; the API `"true"`).
    pub provisional: String,
}

/// The outcome of a decision on an application.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub application: ReductionApplication,
    /// The fee decision issued with a grant.
    pub decision: Option<kitanetz_crdt::kinds::IssuedDecision>,
}

/// Decides an application. A grant takes the setting in force on its first day, issues the fee
/// decision (annex J "Ermäßigung"/"Erlass", with siblings the "Geschwisterkinder" texts) from its
/// first month, and stores both in one change; a refusal records the reason.
pub fn decide(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    number: &str,
    input: &DecideInput,
    issuer: &super::decisions::Issuer,
    now: Now,
) -> Result<Decided, ActionError> {
    let provider = authorize_here(store, who, FeeAction::Decide)?;
    let mut fees = load_family(store, family)?;
    let index = fees
        .fee_case
        .reductions
        .iter()
        .position(|r| r.number == number)
        .ok_or_else(|| ActionError::NotFound(number.to_string()))?;
    let mut v = Validator::new();
    v.check(
        ["grant", "refuse"].contains(&input.decision.as_str()),
        "decision",
        "grant oder/or refuse",
    );
    if input.decision == "refuse" {
        v.text("reason", &input.reason, 1000);
    } else {
        v.optional_text("reason", &input.reason, 1000);
    }
    v.finish()?;
    let app = fees.fee_case.reductions[index].clone();
    if app.decided.is_some() {
        return Err(ActionError::Conflict(
            "Über den Antrag ist schon entschieden / the application is already decided".into(),
        ));
    }
    let mut decided = ReductionDecided {
        granted: input.decision == "grant",
        on: now.today,
        by: who.audit_name(),
        reason: input.reason.trim().to_string(),
        setting_from: None,
        reasonable_share_percent: None,
        allocation: String::new(),
        above_regular_time: String::new(),
        decision: None,
        withdrawn_on: None,
        refusal: None,
        provisional: crate::input::checked(&input.provisional) && input.decision == "grant",
    };
    let mut issued = None;
    if !decided.granted {
        let refusal = refusal_of(&fees, &app, &decided.reason, issuer, now)?;
        decided.refusal = Some(serde_json::to_string(&refusal).expect("a refusal serialises"));
    }
    if decided.granted {
        let setting = setting_on(store.conn(), app.from)?.ok_or_else(|| {
            ActionError::Conflict(format!(
                "Kein zumutbarer Anteil für {} eingestellt (Beiträge → Ermäßigung: Einstellung) / no reasonable share set for {}",
                app.from, app.from
            ))
        })?;
        let filled = fill(&input_of(&app)?)?;
        let p = Parameters::of_setting(&setting);
        let assessment = assess(&fees, &filled, &p).map_err(ActionError::Conflict)?;
        if !assessment.lowers_a_fee() {
            return Err(ActionError::Conflict(
                "Das Einkommen trägt den vollen Beitrag: nichts zu ermäßigen, bitte ablehnen / the income bears the full fee: nothing to reduce, refuse instead".into(),
            ));
        }
        decided.setting_from = Some(setting.valid_from);
        decided.reasonable_share_percent = Some(Dec(setting.reasonable_share_percent));
        decided.allocation = setting.allocation.clone();
        decided.above_regular_time = setting.above_regular_time.clone();
        fees.fee_case.reductions[index].decided = Some(decided.clone());
        let names = crate::facilities::names(store)?;
        let mut decision = super::decisions::draft(&fees, issuer, &names, filled.from, now)?;
        let siblings = decision.children.len() > 1;
        use kitanetz_letters::decision::{DecisionKind, Grant};
        decision.kind = match (assessment.is_waiver(), siblings) {
            (true, false) => DecisionKind::Waiver,
            (true, true) => DecisionKind::WaiverSiblings,
            (false, false) => DecisionKind::Reduction,
            (false, true) => DecisionKind::ReductionSiblings,
        };
        let last_day = Date(
            Date::ymd(filled.until.next().year(), filled.until.next().month(), 1).0
                - chrono::Days::new(1),
        );
        decision.grant = Some(Grant {
            applied_on: app.applied_on.0,
            valid_from: app.from.0,
            valid_until: last_day.0,
            provisional: decided.provisional,
        });
        let number = decision
            .id
            .rsplit('/')
            .next()
            .expect("the id ends with the number")
            .to_string();
        let d = kitanetz_crdt::kinds::IssuedDecision {
            number: number.clone(),
            issued_on: now.today,
            issued_by: who.audit_name(),
            effective_from: Date(decision.effective_from),
            content: serde_json::to_string(&decision).expect("a decision serialises"),
            revoked_on: None,
            dispatched_on: None,
        };
        decided.decision = Some(number);
        fees.fee_case.decisions.push(d.clone());
        issued = Some(d);
    }
    fees.fee_case.reductions[index].decided = Some(decided);
    let application = fees.fee_case.reductions[index].clone();
    let action = if application.in_force().is_some() {
        "fees.reduction.grant"
    } else {
        "fees.reduction.refuse"
    };
    save_with_answer(
        store,
        who,
        &provider,
        &fees.fee_case,
        &application,
        action,
        |_| Ok(()),
        now,
    )?;
    Ok(Decided {
        application,
        decision: issued,
    })
}

/// Saves the fee case after a change to its § 90 application `app`, audited as `action` with
/// the family and the application, together with the answer for the parents' portal when the
/// application came from their online declaration (`declarations::status_doc`) and whatever
/// `also` writes, in one transaction.
#[allow(clippy::too_many_arguments)]
fn save_with_answer(
    store: &mut Store,
    who: &Principal,
    provider: &ProviderId,
    fee_case: &FeeCase,
    app: &ReductionApplication,
    action: &'static str,
    also: impl FnOnce(&rusqlite::Connection) -> Result<(), StoreError>,
    now: Now,
) -> Result<(), ActionError> {
    let mut doc = super::fee_case_doc(store, provider, fee_case, action, now)?;
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action,
        target: Some(doc.id.0.clone()),
        subjects: vec![fee_case.family.0.clone(), app.number.clone()],
        valid_from: Some(app.from.to_string()),
    };
    let mut answer = super::declarations::status_doc(store, provider, app, now)?;
    let mut docs: Vec<&mut kitanetz_crdt::doc::StoredDoc> =
        std::iter::once(&mut doc).chain(answer.as_mut()).collect();
    store.save_docs_with(&mut docs, &entry, also)?;
    Ok(())
}

/// The Ablehnungsbescheid of a refused application (letter data; nothing is stored).
fn refusal_of(
    fees: &FamilyFees,
    app: &ReductionApplication,
    reason: &str,
    issuer: &super::decisions::Issuer,
    now: Now,
) -> Result<kitanetz_letters::decision::ReductionRefusal, ActionError> {
    use super::decisions::{authority_of, clerk_of, file_number_of, guardian_of, payer_of, pkn_of};
    use kitanetz_letters::decision::YearMonth;
    let payer = payer_of(fees)?;
    let other = fees.family.guardians.iter().find(|g| g.id != payer.id);
    let until_day = Date(
        Date::ymd(app.until.0.year(), app.until.0.month(), 1).0 + chrono::Months::new(1)
            - chrono::Days::new(1),
    );
    // The children in care in the months applied for, the oldest first.
    let mut children: Vec<&kitanetz_crdt::kinds::Child> = fees
        .family
        .children
        .iter()
        .filter(|c| {
            fees.contracts.iter().any(|k| {
                k.child == c.id
                    && k.period.start() <= until_day
                    && k.period.end().is_none_or(|e| e >= app.from)
            })
        })
        .collect();
    if children.is_empty() {
        children = fees.family.children.iter().collect();
    }
    children.sort_by_key(|c| c.birth_date);
    let pkn = children
        .first()
        .and_then(|c| pkn_of(fees, &c.id))
        .ok_or_else(|| {
            ActionError::Conflict(format!(
                "Familiennummer {} ergibt keine PKN / gives no PKN",
                fees.family.family_number
            ))
        })?;
    let month = |d: Date| YearMonth::new(d.0.year(), d.0.month()).expect("a calendar month");
    Ok(kitanetz_letters::decision::ReductionRefusal {
        id: format!(
            "reduction-refusal/{}/{}",
            fees.family.family_number, app.number
        ),
        authority: authority_of(issuer),
        clerk: clerk_of(issuer),
        file_number: file_number_of(issuer),
        date: now.today.0,
        pkn,
        family_name: payer.family_name.clone(),
        addressee: guardian_of(payer),
        other_guardian: other.map(guardian_of),
        application: app.number.clone(),
        applied_on: app.applied_on.0,
        from: month(app.from),
        until: month(app.until),
        children: children
            .iter()
            .map(|c| {
                format!(
                    "{} {}, geboren am {}",
                    c.given_name,
                    c.family_name,
                    c.birth_date.0.format("%d.%m.%Y")
                )
            })
            .collect(),
        reason: reason.trim().to_string(),
        legal_basis: kitanetz_fees::sgb8::waiver_legal_basis(app.from.0).to_string(),
    })
}

/// A refused application's Ablehnungsbescheid as issued, and the copies to print (for the PDF).
pub fn refusal_letter(
    store: &Store,
    who: &Principal,
    family: &FamilyId,
    number: &str,
) -> Result<
    (
        kitanetz_letters::decision::ReductionRefusal,
        Vec<kitanetz_letters::decision::LetterCopy>,
    ),
    ActionError,
> {
    authorize_here(store, who, FeeAction::View)?;
    let fees = load_family(store, family)?;
    let content = fees
        .fee_case
        .reductions
        .iter()
        .find(|r| r.number == number)
        .and_then(|r| r.decided.as_ref())
        .and_then(|d| d.refusal.as_ref())
        .ok_or_else(|| {
            ActionError::NotFound(format!("{number}: kein Ablehnungsbescheid / no refusal"))
        })?;
    let refusal: kitanetz_letters::decision::ReductionRefusal = serde_json::from_str(content)
        .map_err(|e| StoreError::Corrupt(format!("refusal {number}: {e}")))?;
    let copies = refusal.copies();
    Ok((refusal, copies))
}

/// An application as the page and the API show it, with its form computed.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub number: String,
    pub applied_on: Date,
    pub from: String,
    pub until: String,
    pub input: ReductionInput,
    pub entered_by: String,
    pub entered_on: Date,
    /// `open`, `granted`, `refused` or `withdrawn`.
    pub state: &'static str,
    pub decided: Option<ReductionDecided>,
    pub household_size: usize,
    pub family_supplements: usize,
    /// The self-employed sheets in words.
    pub sheets: Vec<String>,
    /// The parameters of lines 6/7: of the grant, else the setting in force on its first day.
    pub reasonable_share_percent: Option<String>,
    pub setting_from: Option<Date>,
    /// The form's lines 1–6: (name, amount, explanation).
    pub lines: Vec<(String, String, String)>,
    /// Lines 7 and 8 per month and child: (month, child name, statute fee, fee, outcome).
    pub months: Vec<(String, String, String, String, String)>,
    /// Why the form could not be computed (no setting, no contract, …).
    pub problem: Option<String>,
    /// Taken over from the parents' online self-assessment (the declaration's short id).
    pub declaration: Option<String>,
}

/// The family's applications with their forms computed.
pub fn applications(
    store: &Store,
    who: &Principal,
    family: &FamilyId,
) -> Result<Vec<ApplicationView>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let fees = load_family(store, family)?;
    let mut out = Vec::new();
    for app in fees.fee_case.reductions.iter().rev() {
        let input = input_of(app)?;
        let state = match &app.decided {
            None => "open",
            Some(d) if !d.granted => "refused",
            Some(d) if d.withdrawn_on.is_some() => "withdrawn",
            Some(_) => "granted",
        };
        let mut view = ApplicationView {
            declaration: app.declaration.as_ref().map(|d| {
                super::declarations::short_id(&kitanetz_crdt::DocId(d.clone())).to_string()
            }),
            number: app.number.clone(),
            applied_on: app.applied_on,
            from: Month::of(app.from.0).to_string(),
            until: Month::of(app.until.0).to_string(),
            input: input.clone(),
            entered_by: app.entered_by.clone(),
            entered_on: app.entered_on,
            state,
            decided: app.decided.clone(),
            household_size: 0,
            family_supplements: 0,
            sheets: vec![],
            reasonable_share_percent: None,
            setting_from: None,
            lines: vec![],
            months: vec![],
            problem: None,
        };
        let filled = match fill(&input) {
            Ok(f) => f,
            Err(e) => {
                view.problem = Some(e.to_string());
                out.push(view);
                continue;
            }
        };
        view.household_size = filled.household_size;
        view.family_supplements = filled.family_supplements;
        view.sheets = filled.sheets.clone();
        let params = match app.decided.as_ref().and_then(Parameters::of_grant) {
            Some(p) => Some((p, app.decided.as_ref().and_then(|d| d.setting_from))),
            None => setting_on(store.conn(), app.from)?
                .map(|s| (Parameters::of_setting(&s), Some(s.valid_from))),
        };
        let Some((p, setting_from)) = params else {
            view.problem = Some(
                "Kein zumutbarer Anteil eingestellt: Zeilen 6–8 offen / no reasonable share set: lines 6–8 open"
                    .into(),
            );
            out.push(view);
            continue;
        };
        view.reasonable_share_percent = Some(p.reasonable_share_percent.normalize().to_string());
        view.setting_from = setting_from;
        match assess(&fees, &filled, &p) {
            Ok(a) => {
                if let Some(form) = &a.result.waiver_form {
                    view.lines = form
                        .lines()
                        .iter()
                        .map(|(name, line)| {
                            (
                                (*name).to_string(),
                                line.amount.to_string(),
                                line.explanation.detail.clone(),
                            )
                        })
                        .collect();
                }
                for m in &a.result.months {
                    for c in &m.children {
                        let Some(k) = a.children.iter().find(|k| k.contract.0 == c.child.0) else {
                            continue;
                        };
                        let name = fees
                            .family
                            .child(&k.child)
                            .map_or(k.child.0.clone(), |c| c.given_name.clone());
                        let show = |m: Option<Money>| m.map_or("–".into(), |m| m.to_string());
                        view.months.push((
                            m.month.to_string(),
                            name,
                            show(c.statute_fee),
                            show(c.fee),
                            m.waiver_outcome.map_or("–", |o| o.wire_name()).to_string(),
                        ));
                    }
                }
            }
            Err(problem) => view.problem = Some(problem),
        }
        out.push(view);
    }
    Ok(out)
}

/// One grant on the watch list (Lastenheft 3.10.3: "Überwachungsliste … auslaufende
/// Ermäßigungen / Erlass").
#[derive(Debug, Clone, Serialize)]
pub struct WatchRow {
    pub family: FamilyId,
    pub family_number: String,
    pub payer: String,
    pub application: String,
    pub from: String,
    pub until: String,
    /// `ending` (last month within the next two months) or `expired` (the family still has care).
    pub state: &'static str,
}

/// How many months ahead a grant's end is shown.
pub const WATCH_MONTHS_AHEAD: u32 = 2;

/// The grants ending within [`WATCH_MONTHS_AHEAD`] months after the current one, and the expired
/// ones whose family still has care and no later grant, by end.
pub fn watch_list(
    store: &Store,
    who: &Principal,
    today: Date,
) -> Result<Vec<WatchRow>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let mut rows = Vec::new();
    for id in super::family_ids(store)? {
        let fees = load_family(store, &id)?;
        rows.extend(watch_rows(&fees, today));
    }
    rows.sort_by(|a, b| (&a.until, &a.family_number).cmp(&(&b.until, &b.family_number)));
    Ok(rows)
}

/// [`watch_list`] for one family.
pub fn watch_rows(fees: &FamilyFees, today: Date) -> Vec<WatchRow> {
    let current = Month::of(today.0);
    let horizon = (0..WATCH_MONTHS_AHEAD).fold(current, |m, _| m.next());
    let in_care_from_now = fees
        .contracts
        .iter()
        .any(|c| c.period.end().is_none_or(|end| Month::of(end.0) >= current));
    let granted: Vec<&ReductionApplication> = fees
        .fee_case
        .reductions
        .iter()
        .filter(|r| r.in_force().is_some())
        .collect();
    let latest_end = granted.iter().map(|r| r.until).max();
    let payer = super::decisions::payer_of(fees)
        .map(|g| format!("{} {}", g.given_name, g.family_name))
        .unwrap_or_default();
    granted
        .into_iter()
        // Only the grant that ends last counts: an earlier one is followed by it.
        .filter(|r| Some(r.until) == latest_end)
        .filter_map(|r| {
            let until = Month::of(r.until.0);
            let state = if until >= current && until <= horizon {
                "ending"
            } else if until < current && in_care_from_now {
                "expired"
            } else {
                return None;
            };
            Some(WatchRow {
                family: fees.family.id.clone(),
                family_number: fees.family.family_number.clone(),
                payer: payer.clone(),
                application: r.number.clone(),
                from: Month::of(r.from.0).to_string(),
                until: until.to_string(),
                state,
            })
        })
        .collect()
}

/// The case of one application as `kitanetz-fee-case/1` (its months, its `waiver` block with
/// the parameters of the grant or the setting in force): `kitanetz fees compute --case`
/// reproduces every line of the form and every fee of those months.
pub fn case_of_application(
    store: &Store,
    who: &Principal,
    family: &FamilyId,
    number: &str,
) -> Result<(String, Value), ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let fees = load_family(store, family)?;
    let app = fees
        .fee_case
        .reductions
        .iter()
        .find(|r| r.number == number)
        .ok_or_else(|| ActionError::NotFound(number.to_string()))?;
    let filled = fill(&input_of(app)?)?;
    let p = match app.decided.as_ref().and_then(Parameters::of_grant) {
        Some(p) => p,
        None => setting_on(store.conn(), app.from)?
            .map(|s| Parameters::of_setting(&s))
            .ok_or_else(|| {
                ActionError::Conflict(
                    "Kein zumutbarer Anteil eingestellt / no reasonable share set".into(),
                )
            })?,
    };
    let (mut case, _) = compute::case_of(&fees, filled.from, filled.until);
    case["waiver"] = waiver_block(&filled, &p);
    Ok((app.number.clone(), case))
}

#[cfg(test)]
mod tests;
