//! The seats page of a Kita (applications naming it, the seat plan) and its API.

use super::{release, reserve, view, ReleaseInput, ReserveInput, SeatsView};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiStaff, AppError, Lang, Posted, Staff};
use crate::Node;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::SeatLedger;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "seats.html")]
struct SeatsPage {
    chrome: Chrome,
    view: SeatsView,
    errors: Vec<FieldError>,
}

impl SeatsPage {
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
    staff: &Staff,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let view = view(&node.store(), &staff.caller, node.config.facility.as_ref())?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(staff),
        crate::http::i18n::texts(lang).seats,
    );
    render(&SeatsPage {
        chrome,
        view,
        errors,
    })
}

pub async fn seats_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
) -> Result<Response, AppError> {
    page(&node, lang, &staff, vec![])
}

pub async fn reserve_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
    Form(form): Form<Posted<ReserveInput>>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let result = reserve(
        &mut node.store(),
        &staff.caller,
        node.config.facility.as_ref(),
        &form.input,
        node.clock.today(),
        node.clock.now_millis(),
    );
    match result {
        Ok(_) => Ok(Redirect::to("/seats").into_response()),
        Err(e) => page(&node, lang, &staff, e.into_field_errors()?),
    }
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
    staff: Staff,
    Form(form): Form<Posted<ReleaseForm>>,
) -> Result<Response, AppError> {
    staff.check_csrf(&form.csrf)?;
    let result = release(
        &mut node.store(),
        &staff.caller,
        node.config.facility.as_ref(),
        &form.input.input,
        node.clock.today(),
        node.clock.now_millis(),
    );
    // Only our own pages: never redirect to a URL taken from the request.
    let back = if form.input.return_to == "/conflicts" {
        "/conflicts"
    } else {
        "/seats"
    };
    match result {
        Ok(_) => Ok(Redirect::to(back).into_response()),
        Err(e) => page(&node, lang, &staff, e.into_field_errors()?),
    }
}

pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<SeatsView>, ApiError> {
    Ok(Json(view(
        &node.store(),
        &staff.caller,
        node.config.facility.as_ref(),
    )?))
}

pub async fn api_reserve(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
    Json(input): Json<ReserveInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(reserve(
        &mut node.store(),
        &staff.caller,
        node.config.facility.as_ref(),
        &input,
        node.clock.today(),
        node.clock.now_millis(),
    )?))
}

pub async fn api_release(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
    Json(input): Json<ReleaseInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(release(
        &mut node.store(),
        &staff.caller,
        node.config.facility.as_ref(),
        &input,
        node.clock.today(),
        node.clock.now_millis(),
    )?))
}
