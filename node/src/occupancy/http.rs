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

/// `GET /occupancy.xlsx`: the occupancy on the reference date and the forecast, with a chart.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<OnQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Chart, ChartKind, Column, ColumnKind, Table};
    let on = on_date(&node, &session, &q)?;
    let v = view(&node.store(), &session.who, on)?;
    let count = |n: u32| Cell::Integer(i64::from(n));
    let mut places = Table::new(
        format!("Belegung {on}"),
        vec![
            Column::new("Kita", ColumnKind::Text),
            Column::new("Platzart", ColumnKind::Text),
            Column::new("Plätze", ColumnKind::Integer),
            Column::new("Belegt", ColumnKind::Integer),
            Column::new("Belegrechte", ColumnKind::Integer),
            Column::new("Reserviert", ColumnKind::Integer),
            Column::new("Gastkinder", ColumnKind::Integer),
            Column::new("Frei", ColumnKind::Integer),
            Column::new("Überbelegt", ColumnKind::Integer),
        ],
    );
    for f in &v.facilities {
        for r in f.kinds.iter().chain(std::iter::once(&f.total)) {
            places.rows.push(vec![
                Cell::from(f.name.as_str()),
                Cell::from(r.kind.as_str()),
                count(r.capacity),
                count(r.occupied),
                count(r.employer_seats),
                count(r.reserved),
                count(r.guests),
                count(r.free),
                count(r.over),
            ]);
        }
    }
    let mut forecast = Table::new(
        "Vorschau",
        vec![
            Column::new("Monat", ColumnKind::Text),
            Column::new("Plätze", ColumnKind::Integer),
            Column::new("Belegt", ColumnKind::Integer),
            Column::new("Reserviert", ColumnKind::Integer),
            Column::new("Bewegungen", ColumnKind::Integer),
        ],
    );
    forecast.rows = v
        .forecast
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.month.as_str()),
                count(r.capacity),
                count(r.occupied),
                count(r.reserved),
                Cell::Integer(r.movements as i64),
            ]
        })
        .collect();
    forecast.chart = Some(Chart {
        kind: ChartKind::Line,
        title: "Plätze und Belegung".into(),
        category_column: 0,
        value_columns: vec![1, 2, 3],
    });
    crate::http::sheets::xlsx_response(
        vec![places, forecast],
        format!("Belegung {on}"),
        node.config.display_name.clone(),
        &format!("Belegung-{on}"),
        node.clock.now_millis(),
    )
    .await
}
