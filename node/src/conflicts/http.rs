//! Conflicts and the tasks they give people: the ZVS decides double places, a Kita lead
//! releases seats (overbooked months, ZVS decisions).

use super::{decide, list, Conflicts, DecideInput, Decision};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::validate::FieldError;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    chrome: Chrome,
    conflicts: Conflicts,
    /// Whether the caller decides double places (the ZVS) or releases seats (a Kita lead).
    decides: bool,
    releases: bool,
    errors: Vec<FieldError>,
    /// Facility id → name, so that people see Kitas by name.
    names: BTreeMap<String, String>,
}

impl ConflictsPage {
    fn name(&self, facility: &FacilityId) -> String {
        match self.names.get(&facility.0) {
            Some(name) => format!("{name} ({})", facility.0),
            None => facility.0.clone(),
        }
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let facility = node.config.facility.as_ref();
    let conflicts = list(&node.store(), &session.who, facility)?;
    let names = crate::facilities::names(&node.store())?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).conflicts,
    );
    let page = ConflictsPage {
        chrome,
        conflicts,
        decides: authorize(&session.who, Action::DecideConflicts).is_ok(),
        releases: authorize(&session.who, Action::ManageSeats { facility }).is_ok(),
        errors,
        names,
    };
    render_form(&page, &page.errors)
}

pub async fn conflicts_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    page(&node, lang, &session, vec![])
}

pub async fn decide_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<DecideInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = decide(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/conflicts").into_response()),
        Err(e) => page(&node, lang, &session, e.into_field_errors()?),
    }
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Conflicts>, ApiError> {
    let facility = node.config.facility.as_ref();
    Ok(Json(list(&node.store(), &session.who, facility)?))
}

pub async fn api_decide(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<DecideInput>,
) -> Result<Json<Decision>, ApiError> {
    Ok(Json(decide(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    )?))
}
