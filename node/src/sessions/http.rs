//! The sessions page and API of the node's admins.

use super::{list, revoke, RevokeInput, SessionRow};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "sessions.html")]
struct Page {
    chrome: Chrome,
    rows: Vec<SessionRow>,
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    let rows = list(&node.store(), &session.who, node.now())?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).sessions,
    );
    render(&Page { chrome, rows })
}

pub async fn revoke_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<Posted<RevokeInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    revoke(&mut node.store(), &session.who, &form.input, node.now())?;
    Ok(Redirect::to("/admin/sessions").into_response())
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<SessionRow>>, ApiError> {
    Ok(Json(
        list(&node.store(), &session.who, node.now()).map_err(AppError::from)?,
    ))
}

pub async fn api_revoke(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<RevokeInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    revoke(&mut node.store(), &session.who, &input, node.now())?;
    Ok(Json(serde_json::json!({ "revoked": input.session })))
}
