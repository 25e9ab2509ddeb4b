//! The interfaces page (what can be exported here, with the choice of date, month and Kita)
//! and one download route per file.

use super::{core_data, cost_accounting, health_office, queries, scope, ExportFile};
use crate::http::pages::Chrome;
use crate::http::{render, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::ids::FacilityId;
use serde::Deserialize;
use std::sync::Arc;

/// How many recorded exports the page lists.
const RUNS_SHOWN: usize = 10;

/// `?date=YYYY-MM-DD&month=YYYY-MM&facility=`; empty: today, this month, every Kita here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub date: String,
    pub month: String,
    pub facility: String,
}

impl ExportQuery {
    fn facility(&self) -> Result<Option<FacilityId>, AppError> {
        match self.facility.trim() {
            "" => Ok(None),
            f => f
                .parse::<FacilityId>()
                .map(Some)
                .map_err(|_| AppError::NotFound(f.to_string())),
        }
    }

    fn date(&self, today: NaiveDate) -> Result<NaiveDate, AppError> {
        match self.date.trim() {
            "" => Ok(today),
            text => text
                .parse::<kitanetz_crdt::scalar::Date>()
                .ok()
                .filter(|d| d.is_plausible())
                .map(|d| d.0)
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "date: {text:?} (Datum als JJJJ-MM-TT / date as YYYY-MM-DD)"
                    ))
                }),
        }
    }

    /// (year, month).
    fn month(&self, today: NaiveDate) -> Result<(i32, u32), AppError> {
        let text = self.month.trim();
        if text.is_empty() {
            return Ok((today.year(), today.month()));
        }
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&d.year()))
            .map(|d| (d.year(), d.month()))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "month: {text:?} (Monat als JJJJ-MM / month as YYYY-MM)"
                ))
            })
    }
}

/// The file as a download (the interfaces' default transfer); never cached.
fn download(file: ExportFile) -> Response {
    (
        [
            (header::CONTENT_TYPE, file.media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.name),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "interfaces.html")]
struct Page {
    chrome: Chrome,
    date: String,
    month: String,
    facility: String,
    /// (id, name) of the Kitas to choose from (more than one here).
    facilities: Vec<(String, String)>,
    runs: Vec<queries::ExportRun>,
}

impl Page {
    fn en(&self) -> bool {
        self.chrome.t.lang == "en"
    }

    fn run_time(&self, at: &i64) -> String {
        crate::clock::format_millis(*at)
    }

    fn run_label(&self, action: &str) -> String {
        self.chrome.t.action_label(action)
    }
}

/// `GET /interfaces/exports.xlsx`: the list of exports made on this node (when, which file, the
/// reference date, the Kitas, by whom), for whoever may open the page.
pub async fn exports_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let runs = {
        let store = node.store();
        scope(&store, &session.who, None)?;
        queries::recent_exports(store.conn(), 10_000).map_err(crate::storage::StoreError::from)?
    };
    let t = crate::http::i18n::texts(Lang::De);
    let mut table = Table::new(
        "Exporte",
        vec![
            Column::new("Zeitpunkt", ColumnKind::Text),
            Column::new("Datei", ColumnKind::Text),
            Column::new("Stichtag", ColumnKind::Text),
            Column::new("Kitas", ColumnKind::Text),
            Column::new("Durch", ColumnKind::Text),
        ],
    );
    table.rows = runs
        .iter()
        .map(|r| {
            vec![
                Cell::from(crate::clock::format_millis(r.at).as_str()),
                Cell::from(t.action_label(&r.action).as_str()),
                Cell::from(r.on.as_str()),
                Cell::from(r.target.as_str()),
                Cell::from(t.actor_label(&r.actor).as_str()),
            ]
        })
        .collect();
    let now = node.now();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Schnittstellen-Exporte {}", now.today),
        node.config.display_name.clone(),
        &format!("Schnittstellen-Exporte-{}", now.today),
        now.millis,
    )
    .await
}

/// `GET /interfaces`: the exports of Lastenheft 3.19 this node offers the caller.
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let today = node.clock.today().0;
    let (facilities, runs) = {
        let store = node.store();
        let scope = scope(&store, &session.who, q.facility()?.as_ref())?;
        // The choice lists every Kita the caller covers here, not only the one chosen.
        let all = if q.facility.trim().is_empty() {
            scope.facilities.clone()
        } else {
            super::scope(&store, &session.who, None)?.facilities
        };
        let names = crate::facilities::names(&store)?;
        let facilities = if all.len() > 1 {
            all.into_iter()
                .map(|f| {
                    let name = names.get(&f.0).cloned().unwrap_or_default();
                    (f.0, name)
                })
                .collect()
        } else {
            vec![]
        };
        let runs = queries::recent_exports(store.conn(), RUNS_SHOWN)
            .map_err(crate::storage::StoreError::from)?;
        (facilities, runs)
    };
    let date = q.date(today)?;
    let (year, month) = q.month(today)?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).interfaces,
    );
    render(&Page {
        chrome,
        date: date.to_string(),
        month: format!("{year}-{month:02}"),
        facility: q.facility.trim().to_string(),
        facilities,
        runs,
    })
}

/// `GET /interfaces/health-office.csv?date=&facility=`: the health office's CSV.
pub async fn health_office_csv(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let facility = q.facility()?;
    let now = node.now();
    // Authorised inside before anything is read; the date is checked after.
    let mut store = node.store();
    super::scope(&store, &session.who, facility.as_ref())?;
    let on = q.date(now.today.0)?;
    let file = health_office::export(&mut store, &session.who, facility.as_ref(), on, now)?;
    Ok(download(file))
}

/// `GET /interfaces/cost-accounting.csv?month=&facility=`: occupancy on the 20th.
pub async fn cost_accounting_csv(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let facility = q.facility()?;
    let now = node.now();
    let mut store = node.store();
    super::scope(&store, &session.who, facility.as_ref())?;
    let (year, month) = q.month(now.today.0)?;
    let file = cost_accounting::export(
        &mut store,
        &session.who,
        facility.as_ref(),
        year,
        month,
        now,
    )?;
    Ok(download(file))
}

fn core_data(
    node: &Node,
    session: &Session,
    q: &ExportQuery,
    format: core_data::Format,
) -> Result<Response, AppError> {
    let facility = q.facility()?;
    let now = node.now();
    let file = core_data::export(
        &mut node.store(),
        &session.who,
        facility.as_ref(),
        format,
        now,
    )?;
    Ok(download(file))
}

/// `GET /interfaces/core-data.zip?facility=`: the core data as CSV tables in a zip.
pub async fn core_data_zip(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    core_data(&node, &session, &q, core_data::Format::CsvZip)
}

/// `GET /interfaces/core-data.xml?facility=`: the core data as XML.
pub async fn core_data_xml(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    core_data(&node, &session, &q, core_data::Format::Xml)
}
