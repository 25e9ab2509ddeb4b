//! The seats page of a Kita (its wishes, the seat plan) and its API.

use super::{decline, release, reserve, view, DeclineInput, ReleaseInput, ReserveInput, SeatsView};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::{CareType, DeclineReason, SeatLedger};
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "seats.html")]
struct SeatsPage {
    chrome: Chrome,
    view: SeatsView,
    errors: Vec<FieldError>,
    /// The care type the list is narrowed to ("" = all), and the choices: (value, label).
    care_type: String,
    care_types: Vec<(&'static str, &'static str)>,
}

/// `?care_type=nursery`: only wishes of one care type (a Kita lead plans by group type).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeatsQuery {
    care_type: String,
}

impl SeatsQuery {
    /// Keeps the wishes of the asked care type; an unknown or empty one keeps all.
    fn narrow(&self, view: &mut SeatsView) -> String {
        match CareType::parse(self.care_type.trim()) {
            Some(ct) => {
                view.wishes.retain(|a| a.care_type == ct);
                ct.as_str().to_string()
            }
            None => String::new(),
        }
    }
}

impl SeatsPage {
    /// The reasons a Kita may give for a "no": (code, label).
    fn decline_reasons(&self) -> Vec<(&'static str, &'static str)> {
        DeclineReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    if self.chrome.t.lang == "en" {
                        r.label_en()
                    } else {
                        r.label_de()
                    },
                )
            })
            .collect()
    }

    /// Months with a free seat of the application's care type, for the reserve form.
    fn months_for(&self, care_type: &kitanetz_crdt::kinds::CareType) -> Vec<(String, u32)> {
        self.view
            .ledger
            .months
            .iter()
            .filter(|m| &m.care_type == care_type && m.free() > 0)
            .map(|m| (m.month.to_string(), m.free()))
            .collect()
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    query: &SeatsQuery,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let mut view = view(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        node.clock.today(),
    )?;
    let care_type = query.narrow(&mut view);
    // Offer the care types the Kita has seats for.
    let care_types = CareType::ALL
        .iter()
        .filter(|c| view.ledger.months.iter().any(|m| m.care_type == **c))
        .map(|c| (c.as_str(), c.label_de()))
        .collect();
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).seats,
    );
    let page = SeatsPage {
        chrome,
        view,
        errors,
        care_type,
        care_types,
    };
    render_form(&page, &page.errors)
}

pub async fn seats_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(query): Query<SeatsQuery>,
) -> Result<Response, AppError> {
    page(&node, lang, &session, &query, vec![])
}

pub async fn reserve_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<ReserveInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = reserve(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    after_decision(&node, lang, &session, result, "/seats")
}

pub async fn decline_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<DeclineInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = decline(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    after_decision(&node, lang, &session, result, "/seats")
}

/// A release comes from the seats page or from a task on the conflicts page; it returns there.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReleaseForm {
    #[serde(flatten)]
    input: ReleaseInput,
    return_to: String,
}

pub async fn release_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<ReleaseForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = release(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input.input,
        node.now(),
    );
    // Only our own pages: never redirect to a URL taken from the request.
    let back = if form.input.return_to == "/conflicts" {
        "/conflicts"
    } else {
        "/seats"
    };
    after_decision(&node, lang, &session, result, back)
}

/// After a reservation, release or "no": back to `back`, or the seats page with the field errors.
fn after_decision(
    node: &Node,
    lang: Lang,
    session: &Session,
    result: Result<SeatLedger, crate::action::ActionError>,
    back: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(back).into_response()),
        Err(e) => page(
            node,
            lang,
            session,
            &SeatsQuery::default(),
            e.into_field_errors()?,
        ),
    }
}

pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(query): Query<SeatsQuery>,
) -> Result<Json<SeatsView>, ApiError> {
    let mut view = view(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        node.clock.today(),
    )?;
    query.narrow(&mut view);
    Ok(Json(view))
}

pub async fn api_reserve(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<ReserveInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(reserve(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}

pub async fn api_release(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<ReleaseInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(release(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}

pub async fn api_decline(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<DeclineInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(decline(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}
