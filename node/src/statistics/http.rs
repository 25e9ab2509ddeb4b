//! The Träger's statistics pages and API.

use super::{landeszuschuss, SubsidyCount};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// `?year=2026`; default: the year of the last 1 April (this year from April on).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: String,
}

fn year_of(node: &Node, q: &YearQuery) -> Result<i32, AppError> {
    use chrono::Datelike;
    if q.year.trim().is_empty() {
        let today = node.clock.today().0;
        return Ok(if today.month() >= 4 {
            today.year()
        } else {
            today.year() - 1
        });
    }
    q.year
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest(format!("year: {:?}", q.year)))
}

#[derive(Template)]
#[template(path = "statistics_landeszuschuss.html")]
struct Page {
    chrome: Chrome,
    year: i32,
    counts: Vec<SubsidyCount>,
}

impl Page {
    /// Two places, half up, as the form prints them.
    fn two(&self, value: &rust_decimal::Decimal) -> String {
        format!(
            "{:.2}",
            value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        )
    }
}

pub async fn landeszuschuss_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    // Authorised inside `landeszuschuss` before anything is read; the year is checked after.
    let year = match year_of(&node, &q) {
        Ok(year) => year,
        Err(e) => {
            landeszuschuss(&node.store(), &session.who, 2000)?;
            return Err(e);
        }
    };
    let counts = landeszuschuss(&node.store(), &session.who, year)?;
    let title = crate::http::i18n::texts(lang).landeszuschuss;
    let chrome = Chrome::new(&node, lang, Some(&session), format!("{title} {year}"));
    render(&Page {
        chrome,
        year,
        counts,
    })
}

pub async fn api_landeszuschuss(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<SubsidyCount>>, ApiError> {
    let year = match year_of(&node, &q) {
        Ok(year) => year,
        Err(e) => {
            landeszuschuss(&node.store(), &session.who, 2000).map_err(AppError::from)?;
            return Err(e.into());
        }
    };
    Ok(Json(
        landeszuschuss(&node.store(), &session.who, year).map_err(AppError::from)?,
    ))
}
