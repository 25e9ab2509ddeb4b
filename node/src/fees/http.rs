//! The Beitragsstelle's pages and API: fee cases, decisions, billing runs and their files.

use super::billing::{self, RunInput, RunSummary};
use super::decisions::{self, DecisionInput, Issuer, Mark};
use super::overview::{self, FamilyRow, FamilyView, FeeState};
use super::{
    remove_override, set_override, set_payment, set_status, FeeAction, MandateInput, OverrideInput,
    PaymentInput, RemoveOverrideInput, StatusInput,
};
use crate::http::pages::Chrome;
use crate::http::{
    render, render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session,
};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FamilyId;
use kitanetz_crdt::kinds::IssuedDecision;
use kitanetz_crdt::validate::FieldError;
use kitanetz_letters::decision::LetterCopy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Parses an id from the path, after checking that the caller may see fees at all: an outsider
/// learns nothing from the answer (refused, not "not found").
fn parsed<T: std::str::FromStr>(
    node: &Node,
    who: &crate::auth::Principal,
    action: FeeAction,
    id: &str,
) -> Result<T, AppError> {
    super::authorize_here(&node.store(), who, action)?;
    id.parse().map_err(|_| AppError::NotFound(id.to_string()))
}

fn issuer(node: &Node, session: &Session) -> Issuer {
    Issuer {
        fees: node.config.fees.clone().unwrap_or_default(),
        display_name: node.config.display_name.clone(),
        clerk: session.who.display_name().to_string(),
    }
}

#[derive(Template)]
#[template(path = "fees.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<FamilyRow>,
    /// Reductions ending soon or expired with care going on (§ 90 SGB VIII).
    watch: Vec<super::reduction::WatchRow>,
}

pub async fn list_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    let rows = overview::overview(&node.store(), &session.who, node.clock.today())?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).fee_cases,
    );
    let watch = super::reduction::watch_list(&node.store(), &session.who, node.clock.today())?;
    render(&ListPage {
        chrome,
        rows,
        watch,
    })
}

/// `GET /fees.xlsx`: the fee cases as the list shows them.
pub async fn list_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let rows = overview::overview(&node.store(), &session.who, node.clock.today())?;
    let t = crate::http::i18n::texts(Lang::De);
    let money =
        |m: Option<kitanetz_fees::Money>| m.map_or(Cell::Empty, |m| Cell::Money(m.amount()));
    let mut table = Table::new(
        t.fee_cases,
        vec![
            Column::new(t.family_number, ColumnKind::Text),
            Column::new(t.payer, ColumnKind::Text),
            Column::new(t.children, ColumnKind::Text),
            Column::new(t.computed_fee, ColumnKind::Money),
            Column::new(t.decided_fee, ColumnKind::Money),
            Column::new(t.fee_state, ColumnKind::Text),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.family_number.as_str()),
                Cell::from(r.payer.as_str()),
                Cell::from(r.children.as_str()),
                money(r.computed),
                money(r.decided),
                Cell::from(match r.state {
                    FeeState::NoDecision => t.no_decision,
                    FeeState::NeedsDecision => t.needs_decision,
                    FeeState::UpToDate => t.decision_current,
                    FeeState::Problem => t.fee_problem,
                }),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("{} {}", t.fee_cases, node.clock.today()),
        node.config.display_name.clone(),
        &format!("Beitragsfaelle-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<FamilyRow>>, ApiError> {
    Ok(Json(
        overview::overview(&node.store(), &session.who, node.clock.today())
            .map_err(AppError::from)?,
    ))
}

#[derive(Template)]
#[template(path = "fee_case.html")]
struct FamilyPage {
    chrome: Chrome,
    v: FamilyView,
    errors: Vec<FieldError>,
    payment: PaymentForm,
}

impl FamilyPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The mandate's fields: (name, label, value, input type).
    fn mandate_fields(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        let (t, p) = (self.chrome.t, &self.payment);
        vec![
            ("holder", t.mandate_holder, p.holder.clone(), "text"),
            ("iban", t.iban, p.iban.clone(), "text"),
            ("bic", t.bic, p.bic.clone(), "text"),
            ("bank", t.bank, p.bank.clone(), "text"),
            (
                "reference",
                t.mandate_reference,
                p.reference.clone(),
                "text",
            ),
            (
                "signed_on",
                t.mandate_signed_on,
                p.signed_on.clone(),
                "date",
            ),
        ]
    }

    /// The fee statuses a child can have, labelled.
    fn statuses(&self) -> [(&'static str, &'static str); 4] {
        if self.chrome.t.lang == "en" {
            [
                ("regular", "regular"),
                ("foster", "foster child (§ 33 SGB VIII)"),
                ("home", "home child (§§ 34, 42 SGB VIII)"),
                ("curative", "remedial place"),
            ]
        } else {
            [
                ("regular", "regulär"),
                ("foster", "Pflegekind (§ 33 SGB VIII)"),
                ("home", "Heimkind (§§ 34, 42 SGB VIII)"),
                ("curative", "heilpädagogischer Platz"),
            ]
        }
    }
}

fn family_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &FamilyId,
    errors: Vec<FieldError>,
    typed: Option<PaymentForm>,
) -> Result<Response, AppError> {
    let v = overview::family_view(&node.store(), &session.who, id, node.clock.today())?;
    let payment = typed.unwrap_or_else(|| PaymentForm::of(&v));
    let t = crate::http::i18n::texts(lang);
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        format!("{} {}", t.fee_case, v.family_number),
    );
    let page = FamilyPage {
        chrome,
        v,
        errors,
        payment,
    };
    render_form(&page, &page.errors)
}

pub async fn family_page_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    family_page(
        &node,
        lang,
        &session,
        &parsed::<FamilyId>(&node, &session.who, FeeAction::View, &id)?,
        vec![],
        None,
    )
}

pub async fn api_family(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<FamilyView>, ApiError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::View, &id)?;
    Ok(Json(
        overview::family_view(&node.store(), &session.who, &id, node.clock.today())
            .map_err(AppError::from)?,
    ))
}

/// The family's case as `kitanetz-fee-case/1`, to check with `kitanetz fees compute --case`.
pub async fn case_json(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::View, &id)?;
    let v = overview::family_view(&node.store(), &session.who, &id, node.clock.today())?;
    let json = v
        .case_json
        .ok_or_else(|| AppError::NotFound("kein Vertrag / no contract".into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"beitragsfall-{}.json\"",
                    v.family_number
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        json,
    )
        .into_response())
}

/// The payment form as posted: the mode picks whether the mandate fields count.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    pub payer: String,
    /// `direct-debit` or `self-payer`.
    pub mode: String,
    pub holder: String,
    pub iban: String,
    pub bic: String,
    pub bank: String,
    pub reference: String,
    pub signed_on: String,
}

impl PaymentForm {
    fn of(v: &FamilyView) -> PaymentForm {
        match &v.mandate {
            Some(m) => PaymentForm {
                payer: v.payer.clone(),
                mode: "direct-debit".into(),
                holder: m.holder.clone(),
                iban: m.iban.clone(),
                bic: m.bic.clone(),
                bank: m.bank.clone(),
                reference: m.reference.clone(),
                signed_on: m.signed_on.to_string(),
            },
            None => PaymentForm {
                payer: v.payer.clone(),
                mode: "self-payer".into(),
                ..PaymentForm::default()
            },
        }
    }

    fn input(&self) -> PaymentInput {
        PaymentInput {
            payer: self.payer.clone(),
            mandate: (self.mode == "direct-debit").then(|| MandateInput {
                holder: self.holder.clone(),
                iban: self.iban.clone(),
                bic: self.bic.clone(),
                bank: self.bank.clone(),
                reference: self.reference.clone(),
                signed_on: self.signed_on.clone(),
            }),
        }
    }
}

fn back_to(id: &FamilyId) -> Response {
    Redirect::to(&format!("/fees/families/{}", id.0)).into_response()
}

/// After a form on the family page: back to the page, or the page again with the field errors
/// (what was typed into the payment form stays in `typed`).
fn after_form<T>(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &FamilyId,
    result: Result<T, crate::action::ActionError>,
    typed: Option<PaymentForm>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(back_to(id)),
        Err(e) => family_page(node, lang, session, id, e.into_field_errors()?, typed),
    }
}

pub async fn payment_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<PaymentForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let result = set_payment(
        &mut node.store(),
        &session.who,
        &id,
        &form.input.input(),
        node.now(),
    );
    after_form(&node, lang, &session, &id, result, Some(form.input))
}

pub async fn api_payment(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PaymentInput>,
) -> Result<Json<kitanetz_crdt::kinds::FeeCase>, ApiError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    Ok(Json(set_payment(
        &mut node.store(),
        &session.who,
        &id,
        &input,
        node.now(),
    )?))
}

pub async fn status_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<StatusInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let result = set_status(
        &mut node.store(),
        &session.who,
        &id,
        &form.input,
        node.now(),
    );
    after_form(&node, lang, &session, &id, result, None)
}

pub async fn api_status(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Json<kitanetz_crdt::kinds::FeeCase>, ApiError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    Ok(Json(set_status(
        &mut node.store(),
        &session.who,
        &id,
        &input,
        node.now(),
    )?))
}

pub async fn override_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<OverrideInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let result = set_override(
        &mut node.store(),
        &session.who,
        &id,
        &form.input,
        node.now(),
    );
    after_form(&node, lang, &session, &id, result, None)
}

pub async fn api_override(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> Result<Json<kitanetz_crdt::kinds::FeeCase>, ApiError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    Ok(Json(set_override(
        &mut node.store(),
        &session.who,
        &id,
        &input,
        node.now(),
    )?))
}

/// The override to remove, as the form posts it (a flattened form field arrives as text).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RemoveOverrideForm {
    pub index: String,
}

pub async fn override_remove_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<RemoveOverrideForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let index = parsed::<usize>(&node, &session.who, FeeAction::Decide, &form.input.index)?;
    remove_override(
        &mut node.store(),
        &session.who,
        &id,
        &RemoveOverrideInput { index },
        node.now(),
    )?;
    Ok(back_to(&id))
}

pub async fn decision_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<DecisionInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let issuer = issuer(&node, &session);
    let result = decisions::issue(
        &mut node.store(),
        &session.who,
        &id,
        &form.input,
        &issuer,
        node.now(),
    );
    after_form(&node, lang, &session, &id, result, None)
}

pub async fn api_decision(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Json<IssuedDecision>, ApiError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let issuer = issuer(&node, &session);
    Ok(Json(decisions::issue(
        &mut node.store(),
        &session.who,
        &id,
        &input,
        &issuer,
        node.now(),
    )?))
}

/// `mark=dispatched` or `mark=revoked`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MarkInput {
    pub mark: String,
}

fn mark_of(input: &MarkInput) -> Result<Mark, AppError> {
    match input.mark.as_str() {
        "dispatched" => Ok(Mark::Dispatched),
        "revoked" => Ok(Mark::Revoked),
        other => Err(AppError::BadRequest(format!(
            "mark: {other:?}: dispatched oder/or revoked"
        ))),
    }
}

pub async fn mark_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, number)): Path<(String, String)>,
    Form(form): Form<Posted<MarkInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let mark = match mark_of(&form.input) {
        Ok(mark) => mark,
        Err(e) => {
            // Authorise first: only a clerk learns that the form was wrong.
            super::authorize_here(&node.store(), &session.who, super::FeeAction::Decide)?;
            return Err(e);
        }
    };
    decisions::mark(
        &mut node.store(),
        &session.who,
        &id,
        &number,
        mark,
        node.now(),
    )?;
    Ok(back_to(&id))
}

pub async fn api_mark(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path((id, number)): Path<(String, String)>,
    ApiJson(input): ApiJson<MarkInput>,
) -> Result<Json<IssuedDecision>, ApiError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &id)?;
    let mark = match mark_of(&input) {
        Ok(mark) => mark,
        Err(e) => {
            super::authorize_here(&node.store(), &session.who, super::FeeAction::Decide)
                .map_err(AppError::from)?;
            return Err(e.into());
        }
    };
    Ok(Json(decisions::mark(
        &mut node.store(),
        &session.who,
        &id,
        &number,
        mark,
        node.now(),
    )?))
}

/// `?copy=payer` (default) or `?copy=other`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CopyQuery {
    pub copy: String,
}

/// The form: the family, the child and the month to decide.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExtraCareDecisionForm {
    pub family: String,
    #[serde(flatten)]
    pub input: super::extra_care_decisions::ExtraCareDecisionInput,
}

/// `POST /fees/extra-care/decisions`: the Mehrbetreuungsbescheid of a child's month.
pub async fn extra_care_decision_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<Posted<ExtraCareDecisionForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let family = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &form.input.family)?;
    let issuer = issuer(&node, &session);
    super::extra_care_decisions::issue(
        &mut node.store(),
        &session.who,
        &family,
        &form.input.input,
        &issuer,
        node.now(),
    )?;
    Ok(Redirect::to("/fees/extra-care").into_response())
}

/// `POST /api/fees/extra-care/decisions` `{ "family", "child", "month": "YYYY-MM" }`.
pub async fn api_extra_care_decision(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(form): ApiJson<ExtraCareDecisionForm>,
) -> Result<Response, ApiError> {
    let family = parsed::<FamilyId>(&node, &session.who, FeeAction::Decide, &form.family)?;
    let issuer = issuer(&node, &session);
    let decided = super::extra_care_decisions::issue(
        &mut node.store(),
        &session.who,
        &family,
        &form.input,
        &issuer,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(decided)).into_response())
}

/// `GET /fees/families/{id}/extra-care-decisions/{number}/pdf`: the letter as issued.
pub async fn extra_care_decision_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, number)): Path<(String, String)>,
    Query(q): Query<CopyQuery>,
) -> Result<Response, AppError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::View, &id)?;
    // The data is read under the store's lock; the render runs after it is released.
    let decision = super::extra_care_decisions::letter(&node.store(), &session.who, &id, &number)?;
    let copy = copy_asked(&q, &decision.copies())?;
    let pdf = crate::letters::extra_care_decision_pdf(decision, copy).await?;
    let suffix = if copy == LetterCopy::Payer { "" } else { "-2" };
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Mehrbetreuungsbescheid-{number}{suffix}.pdf"),
    ))
}

/// The copy `?copy=` asks for, if the decision has it (the other guardian's only at another
/// address).
pub(crate) fn copy_asked(q: &CopyQuery, copies: &[LetterCopy]) -> Result<LetterCopy, AppError> {
    let copy = match q.copy.as_str() {
        "" | "payer" => LetterCopy::Payer,
        "other" => LetterCopy::OtherGuardian,
        other => {
            return Err(AppError::BadRequest(format!(
                "copy: {other:?}: payer, other"
            )))
        }
    };
    if !copies.contains(&copy) {
        return Err(AppError::NotFound(
            "keine zweite Ausfertigung: gleiche Anschrift / no second copy: same address".into(),
        ));
    }
    Ok(copy)
}

pub async fn decision_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, number)): Path<(String, String)>,
    Query(q): Query<CopyQuery>,
) -> Result<Response, AppError> {
    let id = parsed::<FamilyId>(&node, &session.who, FeeAction::View, &id)?;
    // The data is read under the store's lock; the render runs after it is released.
    let (decision, copies) = decisions::letter(&node.store(), &session.who, &id, &number)?;
    let copy = copy_asked(&q, &copies)?;
    let pdf = crate::letters::fee_decision_pdf(decision, copy).await?;
    let suffix = if copy == LetterCopy::Payer { "" } else { "-2" };
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Beitragsbescheid-{number}{suffix}.pdf"),
    ))
}

#[derive(Template)]
#[template(path = "fees_billing.html")]
struct BillingPage {
    chrome: Chrome,
    runs: Vec<super::queries::RunRow>,
    default_month: String,
    errors: Vec<FieldError>,
    message: Option<String>,
}

fn next_month(node: &Node) -> String {
    kitanetz_fees::Month::of(node.clock.today().0)
        .next()
        .to_string()
}

fn billing_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    errors: Vec<FieldError>,
    message: Option<String>,
) -> Result<Response, AppError> {
    let runs = billing::runs(&node.store(), &session.who)?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).billing,
    );
    let page = BillingPage {
        chrome,
        runs,
        default_month: next_month(node),
        errors,
        message,
    };
    render_form(&page, &page.errors)
}

pub async fn billing_page_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    billing_page(&node, lang, &session, vec![], None)
}

pub async fn billing_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<RunInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let config = node.config.fees.clone().unwrap_or_default();
    // The store's lock is released before the page reads it again.
    let result = billing::run(
        &mut node.store(),
        &session.who,
        &form.input,
        &config,
        node.now(),
    );
    match result {
        Ok(summary) => {
            Ok(Redirect::to(&format!("/fees/billing/{}", summary.run.id)).into_response())
        }
        Err(crate::action::ActionError::Conflict(message)) => {
            billing_page(&node, lang, &session, vec![], Some(message))
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            billing_page(&node, lang, &session, errors, None)
        }
    }
}

/// `GET /fees/billing.xlsx`: the billing runs the page lists (months, totals; no names).
pub async fn billing_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use crate::http::sheets::money_cell;
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let runs = billing::runs(&node.store(), &session.who)?;
    let mut table = Table::new(
        "Soll-Stellungen",
        vec![
            Column::new("Lauf", ColumnKind::Integer),
            Column::new("Monat", ColumnKind::Text),
            Column::new("Zeit", ColumnKind::Text),
            Column::new("Von", ColumnKind::Text),
            Column::new("Positionen", ColumnKind::Integer),
            Column::new("Summe", ColumnKind::Money),
        ],
    );
    table.rows = runs
        .iter()
        .map(|r| {
            vec![
                Cell::Integer(r.id),
                Cell::from(r.billing_month.as_str()),
                Cell::from(crate::clock::format_millis(r.run_at).as_str()),
                Cell::from(r.run_by.as_str()),
                Cell::Integer(r.positions),
                money_cell(&r.total),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Soll-Stellungen".into(),
        node.config.display_name.clone(),
        &format!("soll-stellungen-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}

pub async fn api_runs(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<super::queries::RunRow>>, ApiError> {
    Ok(Json(
        billing::runs(&node.store(), &session.who).map_err(AppError::from)?,
    ))
}

pub async fn api_run(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<RunInput>,
) -> Result<Json<RunSummary>, ApiError> {
    let config = node.config.fees.clone().unwrap_or_default();
    Ok(Json(billing::run(
        &mut node.store(),
        &session.who,
        &input,
        &config,
        node.now(),
    )?))
}

/// One payer of a run's direct debits, as the run page lists it.
struct DebitRow {
    payer: String,
    amount: String,
    note: String,
}

#[derive(Template)]
#[template(path = "fees_run.html")]
struct RunPage {
    chrome: Chrome,
    run: super::queries::RunRow,
    positions: Vec<kitanetz_billing::Position>,
    collected: Vec<DebitRow>,
    not_collected: Vec<DebitRow>,
    /// Why no direct-debit file can be written (no creditor configured …).
    sepa_problem: Option<String>,
}

fn debits(
    node: &Node,
    session: &Session,
    run: i64,
) -> Result<kitanetz_billing::sepa_export::DirectDebitRun, crate::action::ActionError> {
    let config = node.config.fees.clone().unwrap_or_default();
    let now = node.clock.now();
    billing::direct_debit_file(
        &node.store(),
        &session.who,
        run,
        &config,
        &node.config.name,
        crate::clock::city_time(now),
        node.clock.today(),
    )
}

/// `GET /fees/billing/{id}/positions.xlsx`: the positions of a billing run as an Excel file.
pub async fn run_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let id = parsed::<i64>(&node, &session.who, FeeAction::View, &id)?;
    let (run, positions) = billing::positions_of(&node.store(), &session.who, id)?;
    let mut table = Table::new(
        format!("Soll-Stellung {}", run.billing_month),
        vec![
            Column::new("Position", ColumnKind::Text),
            Column::new("PKN", ColumnKind::Text),
            Column::new("Leistungsmonat", ColumnKind::Text),
            Column::new("Art", ColumnKind::Text),
            Column::new("Buchung", ColumnKind::Text),
            Column::new("Betrag", ColumnKind::Money),
            Column::new("Bisher berechnet", ColumnKind::Money),
            Column::new("Entschieden", ColumnKind::Money),
            Column::new("Erläuterung", ColumnKind::Text),
        ],
    );
    table.rows = positions
        .iter()
        .map(|p| {
            vec![
                Cell::from(p.id.as_str()),
                Cell::from(p.pkn.to_string()),
                Cell::from(p.month.to_string()),
                Cell::from(match p.charge {
                    kitanetz_billing::Charge::Fee => "Elternbeitrag",
                    kitanetz_billing::Charge::ExtraCare => "Mehrbetreuung",
                }),
                Cell::from(p.kind.label()),
                Cell::Money(p.amount.amount()),
                Cell::Money(p.previously_charged.amount()),
                Cell::Money(p.decided.amount()),
                Cell::from(p.explanation.as_str()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Soll-Stellung {}", run.billing_month),
        node.config.display_name.clone(),
        &format!("Soll-Stellung-{}-{}", run.billing_month, run.id),
        node.clock.now_millis(),
    )
    .await
}

pub async fn run_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parsed::<i64>(&node, &session.who, FeeAction::View, &id)?;
    let (run, positions) = billing::positions_of(&node.store(), &session.who, id)?;
    let (collected, not_collected, sepa_problem) = match debits(&node, &session, id) {
        Ok(d) => (
            d.collected
                .iter()
                .map(|c| DebitRow {
                    payer: c.payer.to_string(),
                    amount: c.amount.to_string(),
                    note: c.remittance_text.clone(),
                })
                .collect(),
            d.not_collected
                .iter()
                .map(|c| DebitRow {
                    payer: c.payer.to_string(),
                    amount: c.amount.to_string(),
                    note: c.reason.to_string(),
                })
                .collect(),
            None,
        ),
        Err(crate::action::ActionError::Conflict(m)) => (vec![], vec![], Some(m)),
        Err(e) => return Err(e.into()),
    };
    let t = crate::http::i18n::texts(lang);
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        format!("{} {}", t.billing, run.billing_month),
    );
    render(&RunPage {
        chrome,
        run,
        positions,
        collected,
        not_collected,
        sepa_problem,
    })
}

fn download(content_type: &str, name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

pub async fn finance_file(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parsed::<i64>(&node, &session.who, FeeAction::View, &id)?;
    let text = billing::finance_file(&node.store(), &session.who, id)?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("soll-{}-{id}.csv", node.config.name),
        text,
    ))
}

pub async fn sepa_file(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parsed::<i64>(&node, &session.who, FeeAction::View, &id)?;
    let run = debits(&node, &session, id)?;
    let file = run
        .file
        .ok_or_else(|| AppError::NotFound("niemand einzuziehen / nobody to collect".into()))?;
    Ok(download(
        "application/xml",
        &format!("pain.008-{}-{id}.xml", node.config.name),
        file.xml,
    ))
}
