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

/// `GET /admin/sessions.xlsx`: the sessions the page lists (staff accounts, not parents).
pub async fn xlsx(State(node): State<Arc<Node>>, session: Session) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let rows = list(&node.store(), &session.who, node.now())?;
    let mut table = Table::new(
        "Anmeldungen",
        vec![
            Column::new("Kennung", ColumnKind::Text),
            Column::new("Benutzer", ColumnKind::Text),
            Column::new("Name", ColumnKind::Text),
            Column::new("Rolle", ColumnKind::Text),
            Column::new("Art", ColumnKind::Text),
            Column::new("Angemeldet", ColumnKind::Text),
            Column::new("Läuft ab", ColumnKind::Text),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.id.as_str()),
                Cell::from(r.username.as_str()),
                Cell::from(r.display_name.as_str()),
                Cell::from(r.role.as_str()),
                Cell::from(r.kind.as_str()),
                Cell::from(crate::clock::format_millis(r.created_at).as_str()),
                Cell::from(crate::clock::format_millis(r.expires_at).as_str()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Anmeldungen".into(),
        node.config.display_name.clone(),
        &format!("anmeldungen-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}
