//! The Kindertagespflege pages: the register with its watch list and coming renewals, a
//! childminder's file with its forms, the month's running payments (also as Excel), and the API.

use super::{
    absence_options, childminder, conclude_agreement, decide_grant, decide_refund, end_placement,
    grant_options, month_of, parse_month, payments, place_child, placement_options, proof_options,
    record_absence, record_permit, record_proof, refund_options, register, register_childminder,
    requests, reserve_for_application, AbsenceInput, ChildminderView, GrantInput, NewChildminder,
    PaymentList, PermitInput, PlacementChange, PlacementInput, ProofInput, RefundInput,
    RegisterView, RequestRow, ReserveForApplication,
};
use crate::http::pages::Chrome;
use crate::http::{
    render, render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session,
};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::ChildminderPlacement;
use kitanetz_crdt::validate::FieldError;
use kitanetz_tagespflege as tp;
use serde::Deserialize;
use std::sync::Arc;

/// `?months=12`: how far ahead the renewal list looks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    pub months: String,
}

fn window(q: &RegisterQuery) -> Result<u32, AppError> {
    if q.months.trim().is_empty() {
        return Ok(12);
    }
    match q.months.trim().parse::<u32>() {
        Ok(m) if (1..=60).contains(&m) => Ok(m),
        _ => Err(AppError::BadRequest(format!(
            "months: 1 bis 60 / 1 to 60, not {:?}",
            q.months
        ))),
    }
}

#[derive(Template)]
#[template(path = "tagespflege.html")]
struct RegisterPage {
    chrome: Chrome,
    view: RegisterView,
    /// Applications with a Kindertagespflege wish.
    requests: Vec<RequestRow>,
    manages: bool,
    form: NewChildminder,
    errors: Vec<FieldError>,
}

fn register_view(
    node: &Node,
    lang: Lang,
    session: &Session,
    months: u32,
    form: NewChildminder,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (view, requests, manages) = {
        let store = node.store();
        let view = register(
            &store,
            &session.who,
            &node.tagespflege,
            node.clock.today(),
            months,
        )?;
        let requests = requests(&store, &session.who)?;
        let manages = super::authorize_manage(&store, &session.who).is_ok();
        (view, requests, manages)
    };
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).childminding,
    );
    let page = RegisterPage {
        chrome,
        view,
        requests,
        manages,
        form,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn register_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    let months = match window(&q) {
        Ok(m) => m,
        Err(e) => {
            // Authorised before the query is judged.
            super::authorize_view(&node.store(), &session.who)?;
            return Err(e);
        }
    };
    register_view(
        &node,
        lang,
        &session,
        months,
        NewChildminder::default(),
        vec![],
    )
}

/// `POST /tagespflege`: a new childminder with her first permit.
pub async fn register_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<NewChildminder>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = register_childminder(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(profile) => Ok(back_to(&profile.id.0)),
        Err(e) => {
            let errors = e.into_field_errors()?;
            register_view(&node, lang, &session, 12, form.input, errors)
        }
    }
}

pub async fn api_register_childminder(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<NewChildminder>,
) -> Result<Response, ApiError> {
    created(register_childminder(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

pub async fn api_register(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<RegisterQuery>,
) -> Result<Json<RegisterView>, ApiError> {
    let months = window(&q)?;
    Ok(Json(
        register(
            &node.store(),
            &session.who,
            &node.tagespflege,
            node.clock.today(),
            months,
        )
        .map_err(AppError::from)?,
    ))
}

/// `?month=2026-11`; default: this month.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    pub month: String,
}

fn month(node: &Node, q: &MonthQuery) -> Result<tp::Month, AppError> {
    if q.month.trim().is_empty() {
        return Ok(month_of(node.clock.today()));
    }
    parse_month(&q.month)
        .ok_or_else(|| AppError::BadRequest(format!("month: JJJJ-MM / YYYY-MM, not {:?}", q.month)))
}

/// The forms' values after a refused entry, so that nothing typed is lost.
#[derive(Debug, Clone, Default)]
struct Forms {
    grant: GrantInput,
    refund: RefundInput,
    permit: PermitInput,
    proof: ProofInput,
    absence: AbsenceInput,
    placement: PlacementInput,
    account: super::AccountInput,
    bank: super::BankAccountInput,
}

#[derive(Template)]
#[template(path = "tagespflege_childminder.html")]
struct ChildminderPage {
    chrome: Chrome,
    view: ChildminderView,
    month: String,
    manages: bool,
    proofs: Vec<(&'static str, &'static str)>,
    absence_kinds: Vec<(&'static str, &'static str)>,
    placement_kinds: Vec<(&'static str, &'static str)>,
    refund_kinds: Vec<(&'static str, &'static str)>,
    grant_kinds: Vec<(&'static str, &'static str)>,
    /// (id, name) of the other childminders, for substitute care.
    others: Vec<(String, String)>,
    /// She has her own login (else the office may create one).
    has_account: bool,
    forms: Forms,
    errors: Vec<FieldError>,
}

impl ChildminderPage {
    /// Where the month form of the shared payment section goes (her file).
    fn month_action(&self) -> String {
        format!("/tagespflege/{}", self.view.profile.id)
    }
}

fn childminder_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &str,
    month: tp::Month,
    mut forms: Forms,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (view, manages, others, has_account) = {
        let store = node.store();
        let view = childminder(
            &store,
            &session.who,
            &node.tagespflege,
            id,
            month,
            node.clock.today(),
        )?;
        let manages = super::authorize_manage(&store, &session.who).is_ok();
        let mut others: Vec<(String, String)> = store
            .values_of_kind::<kitanetz_crdt::kinds::ChildminderProfile>()?
            .into_iter()
            .filter(|p| p.id != view.profile.id)
            .map(|p| (p.id.0, p.name))
            .collect();
        others.sort_by(|a, b| a.1.cmp(&b.1));
        let has_account = super::has_account(&store, &view.profile.id)?;
        // The IBAN in full only on the office's form; a refused entry keeps what was typed.
        if manages && forms.bank.childminder.is_empty() {
            forms.bank.iban = super::bank_account(&store, &session.who, id)?;
        }
        (view, manages, others, has_account)
    };
    let chrome = Chrome::new(node, lang, Some(session), view.profile.name.clone());
    let page = ChildminderPage {
        chrome,
        month: format!("{:04}-{:02}", month.year(), month.number()),
        view,
        manages,
        proofs: proof_options(),
        absence_kinds: absence_options(),
        placement_kinds: placement_options(),
        refund_kinds: refund_options(),
        grant_kinds: grant_options(),
        others,
        has_account,
        forms,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn childminder_view(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let month = match month(&node, &q) {
        Ok(m) => m,
        Err(e) => {
            super::authorize_view(&node.store(), &session.who)?;
            return Err(e);
        }
    };
    childminder_page(&node, lang, &session, &id, month, Forms::default(), vec![])
}

pub async fn api_childminder(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Json<ChildminderView>, ApiError> {
    let month = month(&node, &q)?;
    Ok(Json(
        childminder(
            &node.store(),
            &session.who,
            &node.tagespflege,
            &id,
            month,
            node.clock.today(),
        )
        .map_err(AppError::from)?,
    ))
}

fn back_to(id: &str) -> Response {
    Redirect::to(&format!("/tagespflege/{id}")).into_response()
}

/// Answers a form: back to the file, or the file again with the errors and what was typed.
fn answer<T>(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &str,
    result: Result<T, crate::action::ActionError>,
    forms: Forms,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(back_to(id)),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let month = month_of(node.clock.today());
            childminder_page(node, lang, session, id, month, forms, errors)
        }
    }
}

/// `POST /tagespflege/{id}/permits`: a permit or its renewal.
pub async fn permit_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<PermitInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input;
    input.childminder = id.clone();
    let result = record_permit(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        permit: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

/// `POST /tagespflege/{id}/proofs`.
pub async fn proof_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<ProofInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input;
    input.childminder = id.clone();
    let result = record_proof(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        proof: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

/// The absence form: the checkbox arrives only when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AbsenceForm {
    pub kind: String,
    pub from: String,
    pub until: String,
    pub condition_met: String,
}

/// `POST /tagespflege/{id}/absences`.
pub async fn absence_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<AbsenceForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let input = AbsenceInput {
        childminder: id.clone(),
        kind: form.input.kind,
        from: form.input.from,
        until: form.input.until,
        condition_met: crate::input::checked(&form.input.condition_met),
    };
    let result = record_absence(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        absence: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

/// `POST /tagespflege/{id}/account`: the office creates the childminder's own login.
pub async fn account_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<super::AccountInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input;
    input.childminder = id.clone();
    let result = super::create_account(&mut node.store(), &session.who, &input, node.now());
    // The password is never shown again.
    input.password.clear();
    let forms = Forms {
        account: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

/// `POST /tagespflege/{id}/bank`: her IBAN (checked by its checksum; empty removes it).
pub async fn bank_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<super::BankAccountInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input;
    input.childminder = id.clone();
    let result = super::record_bank_account(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        bank: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

/// `POST /api/tagespflege/bank`: `{"childminder": …, "iban": …}`; 201 with her masked IBAN.
pub async fn api_bank(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<super::BankAccountInput>,
) -> Result<Response, ApiError> {
    created(
        super::record_bank_account(&mut node.store(), &session.who, &input, node.now()).map(
            |case| serde_json::json!({"childminder": case.childminder, "iban": super::masked_iban(&case.iban)}),
        ),
    )
}

pub async fn api_account(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<super::AccountInput>,
) -> Result<Response, ApiError> {
    created(super::create_account(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

/// `POST /tagespflege/{id}/placements`: a reservation, an agreement or substitute care.
pub async fn placement_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<PlacementInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input;
    input.childminder = id.clone();
    let result = place_child(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        placement: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

/// A placement change from the file: the placement and, for an end, the last day.
async fn change_submit(
    node: Arc<Node>,
    lang: Lang,
    session: Session,
    id: String,
    form: Posted<PlacementChange>,
    change: fn(
        &mut crate::storage::Store,
        &crate::auth::Principal,
        &PlacementChange,
        crate::clock::Now,
    ) -> Result<ChildminderPlacement, crate::action::ActionError>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = change(&mut node.store(), &session.who, &form.input, node.now());
    answer(&node, lang, &session, &id, result, Forms::default())
}

/// `POST /tagespflege/{id}/placements/agree`: the parents took the reserved place.
pub async fn agree_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<PlacementChange>>,
) -> Result<Response, AppError> {
    change_submit(node, lang, session, id, form, conclude_agreement).await
}

/// `POST /tagespflege/{id}/placements/end`: the last day of care.
pub async fn end_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<PlacementChange>>,
) -> Result<Response, AppError> {
    change_submit(node, lang, session, id, form, end_placement).await
}

pub async fn api_place(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<PlacementInput>,
) -> Result<Response, ApiError> {
    let placement =
        place_child(&mut node.store(), &session.who, &input, node.now()).map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(placement)).into_response())
}

pub async fn api_permit(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<PermitInput>,
) -> Result<Response, ApiError> {
    created(record_permit(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

#[derive(Template)]
#[template(path = "tagespflege_payments.html")]
struct PaymentsPage {
    chrome: Chrome,
    list: PaymentList,
    month: String,
}

fn payments_for(
    node: &Node,
    session: &Session,
    q: &MonthQuery,
) -> Result<(tp::Month, PaymentList), AppError> {
    let month = match month(node, q) {
        Ok(m) => m,
        Err(e) => {
            super::authorize_view(&node.store(), &session.who)?;
            return Err(e);
        }
    };
    Ok((
        month,
        payments(&node.store(), &session.who, &node.tagespflege, month)?,
    ))
}

/// `GET /tagespflege/payments?month=`: every childminder's running payment of a month.
pub async fn payments_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (month, list) = payments_for(&node, &session, &q)?;
    let title = format!(
        "{} {}",
        crate::http::i18n::texts(lang).running_payments,
        list.month
    );
    let chrome = Chrome::new(&node, lang, Some(&session), title);
    render(&PaymentsPage {
        chrome,
        list,
        month: format!("{:04}-{:02}", month.year(), month.number()),
    })
}

pub async fn api_payments(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<MonthQuery>,
) -> Result<Json<PaymentList>, ApiError> {
    let month = month(&node, &q)?;
    Ok(Json(
        payments(&node.store(), &session.who, &node.tagespflege, month).map_err(AppError::from)?,
    ))
}

/// `GET /tagespflege/payments.xlsx?month=`: the same list as an Excel file.
pub async fn payments_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    use crate::http::sheets::money_cell;
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (month, list) = payments_for(&node, &session, &q)?;
    let title = format!("Laufende Geldleistung Kindertagespflege {}", list.month);
    let mut table = Table::new(
        title.clone(),
        vec![
            Column::new("Tagespflegeperson", ColumnKind::Text),
            Column::new("Kinder", ColumnKind::Integer),
            Column::new("Betrag", ColumnKind::Money),
            Column::new("Abzug Abwesenheit", ColumnKind::Money),
            Column::new("Geldleistung", ColumnKind::Money),
            Column::new("Erstattungen", ColumnKind::Money),
            Column::new("Auszuzahlen", ColumnKind::Money),
        ],
    );
    table.rows = list
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.as_str()),
                Cell::Integer(i64::try_from(r.children).unwrap_or(i64::MAX)),
                money_cell(&r.subtotal),
                money_cell(&r.deduction),
                money_cell(&r.total),
                money_cell(&r.refunds),
                money_cell(&r.payout),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        title,
        node.config.display_name.clone(),
        &format!(
            "Geldleistung-Tagespflege-{:04}-{:02}",
            month.year(),
            month.number()
        ),
        node.clock.now_millis(),
    )
    .await
}

/// `GET /tagespflege/payments.csv?month=`: the month's payout file for the finance system
/// (`node/tagespflege/PAYOUT_FILE.md`).
pub async fn payments_csv(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let month = match month(&node, &q) {
        Ok(m) => m,
        Err(e) => {
            super::authorize_view(&node.store(), &session.who)?;
            return Err(e);
        }
    };
    let file = super::payout_file(
        &mut node.store(),
        &session.who,
        &node.tagespflege,
        month,
        node.now(),
    )?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"Auszahlung-Tagespflege-{:04}-{:02}.csv\"",
                    month.year(),
                    month.number()
                ),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.text,
    )
        .into_response())
}

pub async fn api_proof(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<ProofInput>,
) -> Result<Response, ApiError> {
    created(record_proof(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

pub async fn api_absence(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<AbsenceInput>,
) -> Result<Response, ApiError> {
    created(record_absence(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

pub async fn api_agree(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<PlacementChange>,
) -> Result<Json<ChildminderPlacement>, ApiError> {
    Ok(Json(
        conclude_agreement(&mut node.store(), &session.who, &input, node.now())
            .map_err(AppError::from)?,
    ))
}

pub async fn api_end(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<PlacementChange>,
) -> Result<Json<ChildminderPlacement>, ApiError> {
    Ok(Json(
        end_placement(&mut node.store(), &session.who, &input, node.now())
            .map_err(AppError::from)?,
    ))
}

/// `POST /tagespflege/requests/reserve`: a place with a childminder for an application.
pub async fn reserve_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<ReserveForApplication>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = reserve_for_application(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(placement) => Ok(back_to(&placement.childminder.0)),
        Err(e) => {
            let errors = e.into_field_errors()?;
            register_view(&node, lang, &session, 12, NewChildminder::default(), errors)
        }
    }
}

pub async fn api_reserve(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<ReserveForApplication>,
) -> Result<Response, ApiError> {
    created(reserve_for_application(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

pub async fn api_requests(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<RequestRow>>, ApiError> {
    Ok(Json(
        requests(&node.store(), &session.who).map_err(AppError::from)?,
    ))
}

/// The refund form: the checkboxes arrive only when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RefundForm {
    #[serde(flatten)]
    pub input: RefundInput,
    pub childless_box: String,
    pub private_until_60_box: String,
}

/// `POST /tagespflege/{id}/refunds`: an insurance refund decided.
pub async fn refund_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<RefundForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input.input;
    input.childminder = id.clone();
    input.childless = crate::input::checked(&form.input.childless_box);
    input.private_until_60 = crate::input::checked(&form.input.private_until_60_box);
    let result = decide_refund(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        refund: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

pub async fn api_refund(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<RefundInput>,
) -> Result<Response, ApiError> {
    created(decide_refund(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

/// `POST /tagespflege/{id}/grants`: a one-off grant decided.
pub async fn grant_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<GrantInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let mut input = form.input;
    input.childminder = id.clone();
    let result = decide_grant(&mut node.store(), &session.who, &input, node.now());
    let forms = Forms {
        grant: input,
        ..Forms::default()
    };
    answer(&node, lang, &session, &id, result, forms)
}

pub async fn api_grant(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<GrantInput>,
) -> Result<Response, ApiError> {
    created(decide_grant(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    ))
}

/// The office as the sender of its letters.
fn letter_sender(node: &Node) -> super::LetterSender {
    let office = crate::http::letter_office(node);
    super::LetterSender {
        name: office.name.clone(),
        address: [office.street.clone(), office.postcode_town.clone()]
            .into_iter()
            .filter(|line| !line.trim().is_empty())
            .collect(),
        // "01067 Dresden" → "Dresden".
        place: office
            .postcode_town
            .split_once(' ')
            .map(|(_, town)| town.trim().to_string())
            .unwrap_or_default(),
    }
}

/// `GET /tagespflege/{id}/placements/{placement}/decision.pdf`: the Förderbescheid.
pub async fn decision_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, placement)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let sender = letter_sender(&node);
    // Gathered under the store's lock; rendered after it is released.
    let decision = super::funding_decision(
        &node.store(),
        &session.who,
        &node.tagespflege,
        &sender,
        &id,
        &placement,
        node.clock.today(),
    )?;
    let file = format!("Foerderbescheid-{}.pdf", decision.file_number);
    let pdf = crate::letters::funding_decision_pdf(decision).await?;
    Ok(crate::http::pdf_response(pdf, &file))
}

/// A file number ("cm-…/e-…") as part of a file name.
fn file_name(kind: &str, file_number: &str) -> String {
    format!("{kind}-{}.pdf", file_number.replace('/', "-"))
}

/// `GET /tagespflege/{id}/refunds/{refund}/decision.pdf`: the Erstattungsbescheid.
pub async fn refund_decision_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, refund)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let sender = letter_sender(&node);
    // Gathered under the store's lock; rendered after it is released.
    let decision = super::refund_decision(
        &node.store(),
        &session.who,
        &sender,
        &id,
        &refund,
        node.clock.today(),
    )?;
    let file = file_name("Erstattungsbescheid", &decision.letter.file_number);
    let pdf = crate::letters::refund_decision_pdf(decision).await?;
    Ok(crate::http::pdf_response(pdf, &file))
}

/// `GET /tagespflege/{id}/grants/{grant}/decision.pdf`: the Zuschussbescheid.
pub async fn grant_decision_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, grant)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let sender = letter_sender(&node);
    let decision = super::grant_decision(
        &node.store(),
        &session.who,
        &sender,
        &id,
        &grant,
        node.clock.today(),
    )?;
    let file = file_name("Zuschussbescheid", &decision.letter.file_number);
    let pdf = crate::letters::grant_decision_pdf(decision).await?;
    Ok(crate::http::pdf_response(pdf, &file))
}

/// Answers an API change that recorded something: 201 with it, or the error.
fn created<T: serde::Serialize>(
    result: Result<T, crate::action::ActionError>,
) -> Result<Response, ApiError> {
    let value = result.map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// `GET /tagespflege.xlsx?months=12`: the register page's lists as an Excel file (what needs
/// doing, the requests, the register, the coming renewals). Names leave the system: the export
/// is audited with the childminders and applications.
pub async fn register_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let months = match window(&q) {
        Ok(m) => m,
        Err(e) => {
            super::authorize_view(&node.store(), &session.who)?;
            return Err(e);
        }
    };
    let now = node.now();
    let (view, requests) = {
        let mut store = node.store();
        let view = register(&store, &session.who, &node.tagespflege, now.today, months)?;
        let requests = requests(&store, &session.who)?;
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "tagespflege.export",
            target: None,
            subjects: view
                .rows
                .iter()
                .map(|r| r.id.clone())
                .chain(requests.iter().map(|r| r.application.clone()))
                .collect(),
            valid_from: None,
        })?;
        (view, requests)
    };
    // A `YYYY-MM-DD` as a date, anything else as it is shown.
    let day = |s: &str| match crate::http::sheets::date_cell(s) {
        Cell::Empty => Cell::from(s),
        date => date,
    };
    let watch = |title: &str, lines: &[super::WatchLine]| {
        let mut t = Table::new(
            title,
            vec![
                Column::new("Tagespflegeperson", ColumnKind::Text),
                Column::new("Gegenstand", ColumnKind::Text),
                Column::new("Stand", ColumnKind::Text),
                Column::new("Seit", ColumnKind::Text),
                Column::new("Gültig bis", ColumnKind::Text),
                Column::new("Nächste Änderung", ColumnKind::Text),
            ],
        );
        t.rows = lines
            .iter()
            .map(|w| {
                vec![
                    Cell::from(w.name.as_str()),
                    Cell::from(w.subject),
                    Cell::from(w.state),
                    w.since.as_deref().map_or(Cell::Empty, day),
                    w.valid_until.as_deref().map_or(Cell::Empty, day),
                    Cell::from(w.next.as_deref().unwrap_or_default()),
                ]
            })
            .collect();
        t
    };
    let mut request_table = Table::new(
        "Anfragen",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Text),
            Column::new("Gewünschter Beginn", ColumnKind::Text),
            Column::new("Stunden täglich", ColumnKind::Text),
            Column::new("Ortsamt", ColumnKind::Text),
            Column::new("Rang", ColumnKind::Text),
            Column::new("Gewünschte Tagespflegeperson", ColumnKind::Text),
            Column::new("Platz bei", ColumnKind::Text),
        ],
    );
    request_table.rows = requests
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.application.as_str()),
                Cell::from(r.child.as_str()),
                day(&r.birth_date),
                day(&r.desired_start),
                Cell::from(r.daily_hours.as_str()),
                Cell::from(r.district.as_str()),
                Cell::from(r.rank.as_str()),
                Cell::from(
                    r.wished_childminder
                        .as_ref()
                        .map_or("", |(_, name)| name.as_str()),
                ),
                Cell::from(r.placed_with.as_deref().unwrap_or_default()),
            ]
        })
        .collect();
    let mut register_table = Table::new(
        "Register",
        vec![
            Column::new("Tagespflegeperson", ColumnKind::Text),
            Column::new("Ortsamt", ColumnKind::Text),
            Column::new("Plätze", ColumnKind::Integer),
            Column::new("Kinder heute", ColumnKind::Integer),
            Column::new("Frei", ColumnKind::Integer),
            Column::new("Erlaubnis bis", ColumnKind::Text),
            Column::new("Achtung", ColumnKind::Text),
        ],
    );
    register_table.rows = view
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.as_str()),
                Cell::from(r.district.as_str()),
                Cell::Integer(i64::from(r.places)),
                Cell::Integer(i64::from(r.children_today)),
                Cell::Integer(i64::from(r.free_today)),
                r.permit_until.as_deref().map_or(Cell::Empty, day),
                Cell::from(r.attention.unwrap_or_default()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![
            watch("Zu erledigen", &view.due),
            request_table,
            register_table,
            watch("Erlaubniserneuerungen", &view.renewals),
        ],
        "Kindertagespflege".into(),
        node.config.display_name.clone(),
        &format!("kindertagespflege-{}", now.today),
        now.millis,
    )
    .await
}
