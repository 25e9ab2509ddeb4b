//! The occupancy page and API.

use super::{view, OccupancyView};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::Arc;

/// `?on=YYYY-MM-DD`; default today.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OnQuery {
    pub on: String,
}

/// The reference date, after the caller was authorised (an outsider learns nothing from a
/// wrong date).
fn on_date(node: &Node, session: &Session, q: &OnQuery) -> Result<NaiveDate, AppError> {
    super::visible_facilities(&node.store(), &session.who)?;
    if q.on.trim().is_empty() {
        return Ok(node.clock.today().0);
    }
    let day: kitanetz_crdt::scalar::Date =
        q.on.trim().parse().map_err(|_| {
            AppError::BadRequest(format!("on: {:?} (JJJJ-MM-TT / YYYY-MM-DD)", q.on))
        })?;
    if !day.is_plausible() {
        return Err(AppError::BadRequest(format!("on: {day}")));
    }
    Ok(day.0)
}

#[derive(Template)]
#[template(path = "occupancy.html")]
struct Page {
    chrome: Chrome,
    v: OccupancyView,
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<OnQuery>,
) -> Result<Response, AppError> {
    let on = on_date(&node, &session, &q)?;
    let v = view(&node.store(), &session.who, on)?;
    let title = crate::http::i18n::texts(lang).occupancy;
    let chrome = Chrome::new(&node, lang, Some(&session), format!("{title} {on}"));
    render(&Page { chrome, v })
}

pub async fn api(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<OnQuery>,
) -> Result<Json<OccupancyView>, ApiError> {
    let on = on_date(&node, &session, &q)?;
    Ok(Json(
        view(&node.store(), &session.who, on).map_err(AppError::from)?,
    ))
}
