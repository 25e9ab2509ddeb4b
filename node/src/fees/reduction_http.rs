//! The pages and API of the income-based reduction or waiver (§ 90 SGB VIII): a family's
//! applications with the annex C form computed, the entry form, grant or refusal, the case of an
//! application for `kitanetz fees compute --case`, the watch list and the versioned setting.

use super::reduction::{
    self, ApplicationView, DecideInput, DeductionsInput, IncomeInput, MemberInput, PensionInput,
    ReductionInput, ReductionSetting, SelfEmployedInput, SettingInput, WatchRow,
};
use super::FeeAction;
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FamilyId;
use kitanetz_crdt::kinds::ReductionApplication;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Checks the caller may see (or change) fees before the path is read: an outsider learns
/// nothing from the answer.
fn family_id(
    node: &Node,
    who: &crate::auth::Principal,
    action: FeeAction,
    id: &str,
) -> Result<FamilyId, AppError> {
    super::authorize_here(&node.store(), who, action)?;
    id.parse().map_err(|_| AppError::NotFound(id.to_string()))
}

/// Rows of the entry form: members, incomes, pensions, special burdens.
const MEMBER_ROWS: usize = 6;
const INCOME_ROWS: usize = 6;
const PENSION_ROWS: usize = 2;
const BURDEN_ROWS: usize = 3;

/// The entry form as posted: flat fields (`m1_name`, `i2_amount`, `se_profit`, `p1_gross`, …)
/// that [`ReductionForm::input`] turns into the application.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReductionForm {
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

impl ReductionForm {
    /// The fields of a stored application (the inverse of [`ReductionForm::input`]): the
    /// parents' self-assessment shows what they sent when they correct it.
    pub fn from_input(input: &ReductionInput) -> ReductionForm {
        let mut f = std::collections::BTreeMap::new();
        let mut put = |k: String, v: &str| {
            if !v.is_empty() {
                f.insert(k, v.to_string());
            }
        };
        put("from".into(), &input.from);
        put("until".into(), &input.until);
        for (i, m) in input.members.iter().enumerate() {
            put(format!("m{}_name", i + 1), &m.name);
            put(format!("m{}_relation", i + 1), &m.relation);
        }
        let mut row = 0;
        for income in &input.incomes {
            match &income.sheet {
                Some(s) => {
                    put("se_member".into(), &income.member);
                    for (k, v) in [
                        ("year", &s.year),
                        ("months", &s.months),
                        ("profit", &s.profit),
                        ("depreciation", &s.depreciation),
                        ("investments", &s.investments),
                        ("corrections", &s.corrections),
                        ("other_taxable", &s.other_taxable),
                        ("other_relevant", &s.other_relevant),
                        ("income_tax", &s.income_tax),
                        ("solidarity", &s.solidarity),
                        ("church_tax", &s.church_tax),
                        ("health_insurance", &s.health_insurance),
                        ("care_insurance", &s.care_insurance),
                        ("pension_insurance", &s.pension_insurance),
                        ("other_insurance", &s.other_insurance),
                    ] {
                        put(format!("se_{k}"), v);
                    }
                }
                None => {
                    row += 1;
                    put(format!("i{row}_member"), &income.member);
                    put(format!("i{row}_kind"), &income.kind);
                    put(format!("i{row}_amount"), &income.amount);
                }
            }
        }
        let d = &input.deductions;
        for (k, v) in [
            ("work_equipment", &d.work_equipment),
            ("travel", &d.travel),
            ("travel_car_km", &d.travel_car_km),
            ("travel_ticket", &d.travel_ticket),
            ("double_household", &d.double_household),
            ("other_expenses", &d.other_expenses),
            ("liability_insurance", &d.liability_insurance),
            ("household_insurance", &d.household_insurance),
            ("accident_insurance", &d.accident_insurance),
            ("other_insurance", &d.other_insurance),
        ] {
            put(format!("d_{k}"), v);
        }
        for (i, p) in input.pensions.iter().enumerate() {
            put(format!("p{}_member", i + 1), &p.member);
            put(format!("p{}_contribution", i + 1), &p.contribution);
            put(format!("p{}_minimum", i + 1), &p.minimum_own_contribution);
            put(format!("p{}_gross", i + 1), &p.prior_year_gross);
            put(
                format!("p{}_allowances", i + 1),
                &p.further_allowances.join("; "),
            );
        }
        put("housing_cost".into(), &input.housing_cost);
        for (i, b) in input.special_burdens.iter().enumerate() {
            put(format!("b{}", i + 1), b);
        }
        ReductionForm { fields: f }
    }

    fn get(&self, key: &str) -> String {
        self.fields
            .get(key)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    /// The application; empty rows are left out.
    pub fn input(&self) -> ReductionInput {
        let g = |k: &str| self.get(k);
        let members = (1..=MEMBER_ROWS)
            .filter(|i| !g(&format!("m{i}_name")).is_empty())
            .map(|i| MemberInput {
                id: format!("m{i}"),
                name: g(&format!("m{i}_name")),
                relation: g(&format!("m{i}_relation")),
            })
            .collect();
        let mut incomes: Vec<IncomeInput> = (1..=INCOME_ROWS)
            .filter(|i| !g(&format!("i{i}_amount")).is_empty())
            .map(|i| IncomeInput {
                member: g(&format!("i{i}_member")),
                kind: g(&format!("i{i}_kind")),
                amount: g(&format!("i{i}_amount")),
                sheet: None,
            })
            .collect();
        if !g("se_member").is_empty() {
            let s = |k: &str| g(&format!("se_{k}"));
            incomes.push(IncomeInput {
                member: g("se_member"),
                kind: "self_employed".into(),
                amount: String::new(),
                sheet: Some(SelfEmployedInput {
                    year: s("year"),
                    months: s("months"),
                    profit: s("profit"),
                    depreciation: s("depreciation"),
                    investments: s("investments"),
                    corrections: s("corrections"),
                    other_taxable: s("other_taxable"),
                    other_relevant: s("other_relevant"),
                    income_tax: s("income_tax"),
                    solidarity: s("solidarity"),
                    church_tax: s("church_tax"),
                    health_insurance: s("health_insurance"),
                    care_insurance: s("care_insurance"),
                    pension_insurance: s("pension_insurance"),
                    other_insurance: s("other_insurance"),
                }),
            });
        }
        let d = |k: &str| g(&format!("d_{k}"));
        let pensions = (1..=PENSION_ROWS)
            .filter(|i| !g(&format!("p{i}_member")).is_empty())
            .map(|i| PensionInput {
                member: g(&format!("p{i}_member")),
                contribution: g(&format!("p{i}_contribution")),
                minimum_own_contribution: g(&format!("p{i}_minimum")),
                prior_year_gross: g(&format!("p{i}_gross")),
                further_allowances: g(&format!("p{i}_allowances"))
                    .split(';')
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect(),
            })
            .collect();
        ReductionInput {
            applied_on: g("applied_on"),
            from: g("from"),
            until: g("until"),
            members,
            incomes,
            deductions: DeductionsInput {
                work_equipment: d("work_equipment"),
                travel: d("travel"),
                travel_car_km: d("travel_car_km"),
                travel_ticket: d("travel_ticket"),
                double_household: d("double_household"),
                other_expenses: d("other_expenses"),
                liability_insurance: d("liability_insurance"),
                household_insurance: d("household_insurance"),
                accident_insurance: d("accident_insurance"),
                other_insurance: d("other_insurance"),
            },
            pensions,
            housing_cost: g("housing_cost"),
            special_burdens: (1..=BURDEN_ROWS).map(|i| g(&format!("b{i}"))).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "fee_reductions.html")]
struct ReductionsPage {
    chrome: Chrome,
    lang: Lang,
    family: String,
    family_number: String,
    apps: Vec<ApplicationView>,
    setting: Option<ReductionSetting>,
    errors: Vec<FieldError>,
    form: ReductionFormView,
    /// Proofs kept from the parents' online self-assessments.
    proofs: Vec<super::declarations::KeptProof>,
}

/// The annex C form's steps as typed, with their errors: the Beitragsstelle's entry form and the
/// parents' self-assessment in the portal show the same fields (`reduction_form_steps.html`).
pub struct ReductionFormView {
    pub lang: Lang,
    pub errors: Vec<FieldError>,
    pub typed: ReductionForm,
}

impl ReductionFormView {
    pub(crate) fn en(&self) -> bool {
        self.lang == Lang::En
    }

    pub(crate) fn has_error(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
    }

    pub(crate) fn typed(&self, name: &str) -> String {
        self.typed.get(name)
    }

    pub(crate) fn member_rows(&self) -> Vec<usize> {
        (1..=MEMBER_ROWS).collect()
    }

    pub(crate) fn income_rows(&self) -> Vec<usize> {
        (1..=INCOME_ROWS).collect()
    }

    pub(crate) fn pension_rows(&self) -> Vec<usize> {
        (1..=PENSION_ROWS).collect()
    }

    pub(crate) fn burden_rows(&self) -> Vec<usize> {
        (1..=BURDEN_ROWS).collect()
    }

    /// The income kinds: (value, label).
    pub(crate) fn income_kinds(&self) -> Vec<(&'static str, &'static str)> {
        let en = self.en();
        vec![
            (
                "employee",
                if en {
                    "a/b) net wages (employee)"
                } else {
                    "a/b) Nettoeinkommen Lohn/Gehalt"
                },
            ),
            (
                "child_benefit",
                if en {
                    "c) child benefit"
                } else {
                    "c) Kindergeld"
                },
            ),
            (
                "maintenance",
                if en {
                    "d) maintenance"
                } else {
                    "d) Unterhalt/Unterhaltsvorschuss"
                },
            ),
            (
                "housing_benefit",
                if en {
                    "e) housing benefit"
                } else {
                    "e) Wohngeld/Lastenzuschuss"
                },
            ),
            (
                "other",
                if en {
                    "f) other income"
                } else {
                    "f) sonstiges Einkommen"
                },
            ),
        ]
    }

    /// The self-employed sheet's fields: (name, German label, English label).
    pub(crate) fn sheet_fields(&self) -> Vec<(&'static str, &'static str)> {
        let en = self.en();
        let pick = |de: &'static str, e: &'static str| if en { e } else { de };
        vec![
            ("year", pick("Berechnungsjahr", "Year of calculation")),
            (
                "months",
                pick("Anzahl Monate (leer: 12)", "Months (empty: 12)"),
            ),
            (
                "profit",
                pick("Steuerlicher Gewinn oder Verlust", "Taxable profit or loss"),
            ),
            (
                "depreciation",
                pick("+ Abschreibungen (ohne GWG)", "+ depreciation"),
            ),
            (
                "investments",
                pick(
                    "− notwendige Ausgaben für Wirtschaftsgüter",
                    "− necessary investments",
                ),
            ),
            (
                "corrections",
                pick(
                    "+ Korrektur nicht notwendiger Ausgaben",
                    "+ unnecessary expenses added back",
                ),
            ),
            (
                "other_taxable",
                pick("+ übrige steuerliche Einkünfte", "+ other taxable income"),
            ),
            (
                "other_relevant",
                pick(
                    "+ sonstige relevante Einkommensbestandteile",
                    "+ other relevant income",
                ),
            ),
            ("income_tax", pick("− Einkommensteuer", "− income tax")),
            (
                "solidarity",
                pick("− Solidaritätszuschlag", "− solidarity surcharge"),
            ),
            ("church_tax", pick("− Kirchensteuer", "− church tax")),
            (
                "health_insurance",
                pick("− Krankenversicherung", "− health insurance"),
            ),
            (
                "care_insurance",
                pick("− Pflegeversicherung", "− care insurance"),
            ),
            (
                "pension_insurance",
                pick("− Rentenversicherung", "− pension insurance"),
            ),
            (
                "other_insurance",
                pick("− sonstige Versicherungen", "− other insurance"),
            ),
        ]
    }

    /// The deductions' fields: (name, label).
    pub(crate) fn deduction_fields(&self) -> Vec<(&'static str, &'static str)> {
        let en = self.en();
        let pick = |de: &'static str, e: &'static str| if en { e } else { de };
        vec![
            (
                "work_equipment",
                pick(
                    "1.2.1 a) Arbeitsmittel (Betrag oder „flat“ für die Pauschale)",
                    "1.2.1 a) work equipment (amount or \"flat\")",
                ),
            ),
            (
                "travel",
                pick("1.2.1 b) Fahrtkosten (Betrag)", "1.2.1 b) travel (amount)"),
            ),
            (
                "travel_car_km",
                pick(
                    "… oder einfache Entfernung mit dem Auto (km)",
                    "… or one-way distance by car (km)",
                ),
            ),
            (
                "travel_ticket",
                pick(
                    "… oder Monatskarte (A1, B, C, D)",
                    "… or monthly ticket (A1, B, C, D)",
                ),
            ),
            (
                "double_household",
                pick(
                    "1.2.1 c) doppelte Haushaltsführung (Betrag oder „flat“)",
                    "1.2.1 c) double household (amount or \"flat\")",
                ),
            ),
            (
                "other_expenses",
                pick(
                    "1.2.1 d) sonstige notwendige Ausgaben",
                    "1.2.1 d) other necessary expenses",
                ),
            ),
            (
                "liability_insurance",
                pick(
                    "1.2.3 a) Haftpflichtversicherung",
                    "1.2.3 a) liability insurance",
                ),
            ),
            (
                "household_insurance",
                pick(
                    "1.2.3 b) Hausratversicherung",
                    "1.2.3 b) household insurance",
                ),
            ),
            (
                "accident_insurance",
                pick("1.2.3 c) Unfallversicherung", "1.2.3 c) accident insurance"),
            ),
            (
                "other_insurance",
                pick(
                    "1.2.3 d) sonstige Versicherungen",
                    "1.2.3 d) other insurance",
                ),
            ),
        ]
    }
}

impl ReductionsPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn short<'a>(&self, declaration: &'a str) -> &'a str {
        declaration
            .strip_prefix("doc-income-declaration-")
            .unwrap_or(declaration)
    }

    /// The form's line names in words.
    fn line_label(&self, name: &str) -> &'static str {
        let en = self.en();
        let pick = |de: &'static str, e: &'static str| if en { e } else { de };
        match name {
            "total_income" => pick("1.1 Gesamteinkommen", "1.1 total income"),
            "pension_mother" => pick(
                "1.2.2 (1) Altersvorsorge Elternteil 1",
                "1.2.2 (1) pension parent 1",
            ),
            "pension_father" => pick(
                "1.2.2 (2) Altersvorsorge Elternteil 2",
                "1.2.2 (2) pension parent 2",
            ),
            "deductions_total" => pick("Summe abzusetzende Beträge", "Total deductions"),
            "adjusted_income" => pick("Bereinigtes Einkommen", "Adjusted income"),
            "basic_amount" => pick("2 a) Grundbetrag", "2 a) basic amount"),
            "family_supplements" => pick("2 b) Familienzuschläge", "2 b) family supplements"),
            "housing_cost" => pick("2 c) Kosten der Unterkunft", "2 c) housing cost"),
            "income_limit" => pick("Einkommensgrenze", "Income limit"),
            "income_above_limit" => pick(
                "3 Einkommen über der Einkommensgrenze",
                "3 income above the limit",
            ),
            "special_burdens" => pick("4 Besondere Belastungen", "4 special burdens"),
            "income_above_limit_after_burdens" => pick(
                "5 Einkommen über der Grenze nach Abzug der besonderen Belastung",
                "5 income above the limit after special burdens",
            ),
            "reasonable_burden" => pick("6 zumutbare Belastung", "6 reasonable burden"),
            _ => "",
        }
    }

    fn state_label(&self, state: &str) -> &'static str {
        match (state, self.en()) {
            ("open", false) => "offen",
            ("open", true) => "open",
            ("granted", false) => "bewilligt",
            ("granted", true) => "granted",
            ("refused", false) => "abgelehnt",
            ("refused", true) => "refused",
            (_, false) => "zurückgenommen",
            (_, true) => "withdrawn",
        }
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &FamilyId,
    errors: Vec<FieldError>,
    typed: ReductionForm,
) -> Result<Response, AppError> {
    let store = node.store();
    let apps = reduction::applications(&store, &session.who, id)?;
    let fees = super::load_family(&store, id)?;
    let setting = reduction::setting_on(store.conn(), node.clock.today())?;
    let proofs = super::declarations::kept_proofs(&store, &session.who, id)?;
    drop(store);
    let title = if lang == Lang::En {
        "Reduction/waiver (§ 90 SGB VIII)"
    } else {
        "Ermäßigung/Erlass (§ 90 SGB VIII)"
    };
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        format!("{title} {}", fees.family.family_number),
    );
    let page = ReductionsPage {
        chrome,
        lang,
        family: id.0.clone(),
        family_number: fees.family.family_number.clone(),
        apps,
        setting,
        errors: errors.clone(),
        proofs,
        form: ReductionFormView {
            lang,
            errors,
            typed,
        },
    };
    render_form(&page, &page.errors)
}

/// `GET /fees/families/{id}/reductions`.
pub async fn page_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = family_id(&node, &session.who, FeeAction::View, &id)?;
    page(&node, lang, &session, &id, vec![], ReductionForm::default())
}

fn back(id: &FamilyId) -> Response {
    Redirect::to(&format!("/fees/families/{}/reductions", id.0)).into_response()
}

/// `POST /fees/families/{id}/reductions`: enter an application.
pub async fn enter_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<ReductionForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = family_id(&node, &session.who, FeeAction::Decide, &id)?;
    let result = reduction::enter(
        &mut node.store(),
        &session.who,
        &id,
        &form.input.input(),
        node.now(),
    );
    match result {
        Ok(_) => Ok(back(&id)),
        Err(e) => page(
            &node,
            lang,
            &session,
            &id,
            e.into_field_errors()?,
            form.input,
        ),
    }
}

/// `GET /api/fees/families/{id}/reductions`: the applications with their forms computed.
pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<Vec<ApplicationView>>, ApiError> {
    let id = family_id(&node, &session.who, FeeAction::View, &id)?;
    Ok(Json(
        reduction::applications(&node.store(), &session.who, &id).map_err(AppError::from)?,
    ))
}

/// `POST /api/fees/families/{id}/reductions` with a [`ReductionInput`].
pub async fn api_enter(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReductionInput>,
) -> Result<Response, ApiError> {
    let id = family_id(&node, &session.who, FeeAction::Decide, &id)?;
    let app: ReductionApplication =
        reduction::enter(&mut node.store(), &session.who, &id, &input, node.now())
            .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(app)).into_response())
}

fn issuer(node: &Node, session: &Session) -> super::decisions::Issuer {
    super::decisions::Issuer {
        fees: node.config.fees.clone().unwrap_or_default(),
        display_name: node.config.display_name.clone(),
        clerk: session.who.display_name().to_string(),
    }
}

/// `POST /fees/families/{id}/reductions/{number}/decide`: `decision=grant|refuse&reason=…`.
pub async fn decide_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path((id, number)): Path<(String, String)>,
    Form(form): Form<Posted<DecideInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = family_id(&node, &session.who, FeeAction::Decide, &id)?;
    let issuer = issuer(&node, &session);
    let result = reduction::decide(
        &mut node.store(),
        &session.who,
        &id,
        &number,
        &form.input,
        &issuer,
        node.now(),
    );
    match result {
        Ok(_) => Ok(back(&id)),
        Err(crate::action::ActionError::Conflict(message)) => {
            let errors = vec![FieldError {
                field: "decision".into(),
                message,
            }];
            page(&node, lang, &session, &id, errors, ReductionForm::default())
        }
        Err(e) => page(
            &node,
            lang,
            &session,
            &id,
            e.into_field_errors()?,
            ReductionForm::default(),
        ),
    }
}

/// `POST /api/fees/families/{id}/reductions/{number}/decision` with a [`DecideInput`].
pub async fn api_decide(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path((id, number)): Path<(String, String)>,
    ApiJson(input): ApiJson<DecideInput>,
) -> Result<Json<reduction::Decided>, ApiError> {
    let id = family_id(&node, &session.who, FeeAction::Decide, &id)?;
    let issuer = issuer(&node, &session);
    Ok(Json(
        reduction::decide(
            &mut node.store(),
            &session.who,
            &id,
            &number,
            &input,
            &issuer,
            node.now(),
        )
        .map_err(AppError::from)?,
    ))
}

/// `GET /fees/families/{id}/reductions/{number}/case.json`: the application's months as
/// `kitanetz-fee-case/1`, to check with `kitanetz fees compute --case`.
pub async fn case_json(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = family_id(&node, &session.who, FeeAction::View, &id)?;
    let (number, case) = reduction::case_of_application(&node.store(), &session.who, &id, &number)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ermaessigung-{number}.json\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        serde_json::to_string_pretty(&case).expect("a case serialises"),
    )
        .into_response())
}

/// `GET /api/fees/reductions/watch`: grants ending soon and expired ones with care going on.
pub async fn api_watch(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<WatchRow>>, ApiError> {
    Ok(Json(
        reduction::watch_list(&node.store(), &session.who, node.clock.today())
            .map_err(AppError::from)?,
    ))
}

#[derive(Template)]
#[template(path = "fee_reduction_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    lang: Lang,
    versions: Vec<ReductionSetting>,
    errors: Vec<FieldError>,
    typed: SettingInput,
}

impl SettingsPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

fn settings_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    errors: Vec<FieldError>,
    typed: SettingInput,
) -> Result<Response, AppError> {
    let versions = reduction::settings(&node.store(), &session.who)?;
    let title = if lang == Lang::En {
        "Reasonable share (§ 90 SGB VIII)"
    } else {
        "Zumutbarer Anteil (§ 90 SGB VIII)"
    };
    let chrome = Chrome::new(node, lang, Some(session), title);
    let page = SettingsPage {
        chrome,
        lang,
        versions,
        errors,
        typed,
    };
    render_form(&page, &page.errors)
}

/// `GET /fees/reduction-settings.xlsx`: every version of the setting as a workbook.
pub async fn settings_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let versions = reduction::settings(&node.store(), &session.who)?;
    let mut table = Table::new(
        "Zumutbarer Anteil",
        vec![
            Column::new("Gültig ab", ColumnKind::Date),
            Column::new("Zumutbarer Anteil (%)", ColumnKind::Decimal),
            Column::new("Aufteilung (Zeile 7)", ColumnKind::Text),
            Column::new("Über der Regelbetreuungszeit", ColumnKind::Text),
            Column::new("Geändert von", ColumnKind::Text),
            Column::new("Geändert am", ColumnKind::Text),
        ],
    );
    table.rows = versions
        .iter()
        .map(|s| {
            vec![
                Cell::Date(s.valid_from.0),
                Cell::Decimal(s.reasonable_share_percent),
                Cell::from(s.allocation.as_str()),
                Cell::from(s.above_regular_time.as_str()),
                Cell::from(s.changed_by.as_str()),
                Cell::from(crate::http::format_millis(&s.changed_at).as_str()),
            ]
        })
        .collect();
    let now = node.now();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Zumutbarer Anteil (§ 90 SGB VIII)".into(),
        node.config.display_name.clone(),
        "Zumutbarer-Anteil",
        now.millis,
    )
    .await
}

/// `GET /fees/reduction-settings`.
pub async fn settings_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    let typed = SettingInput {
        valid_from: node.clock.today().to_string(),
        allocation: "rank_order".into(),
        above_regular_time: "fee_difference".into(),
        ..SettingInput::default()
    };
    settings_page(&node, lang, &session, vec![], typed)
}

/// `POST /fees/reduction-settings`.
pub async fn settings_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<SettingInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    // The store's lock is released before the page reads it again.
    let result = reduction::set_setting(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/fees/reduction-settings").into_response()),
        Err(e) => settings_page(&node, lang, &session, e.into_field_errors()?, form.input),
    }
}

/// `GET /api/fees/reduction-settings`: every version, the newest first.
pub async fn api_settings(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<ReductionSetting>>, ApiError> {
    Ok(Json(
        reduction::settings(&node.store(), &session.who).map_err(AppError::from)?,
    ))
}

/// `POST /api/fees/reduction-settings` with a [`SettingInput`].
pub async fn api_set_setting(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<SettingInput>,
) -> Result<Response, ApiError> {
    let setting = reduction::set_setting(&mut node.store(), &session.who, &input, node.now())
        .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(setting)).into_response())
}

/// `GET /fees/families/{id}/reductions/{number}/refusal.pdf[?copy=other]`: the
/// Ablehnungsbescheid of a refused application.
pub async fn refusal_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, number)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<super::http::CopyQuery>,
) -> Result<Response, AppError> {
    let id = family_id(&node, &session.who, FeeAction::View, &id)?;
    // The data is read under the store's lock; the render runs after it is released.
    let (refusal, copies) = reduction::refusal_letter(&node.store(), &session.who, &id, &number)?;
    let copy = super::http::copy_asked(&q, &copies)?;
    let pdf = crate::letters::reduction_refusal_pdf(refusal, copy).await?;
    let suffix = if copy == kitanetz_letters::LetterCopy::Payer {
        ""
    } else {
        "-2"
    };
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Ablehnungsbescheid-{number}{suffix}.pdf"),
    ))
}
