//! The Kita-Planer export page, its Excel list and the API.

use super::{export, view, ExportReport, ExportStatus, FileDrop, KitaplanerView, Settings};
use crate::families::http::{choose_facility, kita_here};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FacilityId;
use serde::Deserialize;
use std::sync::Arc;

/// `?facility=…`; default: the node's Kita, else the caller's first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FacilityQuery {
    pub facility: Option<String>,
}

/// The export form: `dry_run=on` for a dry run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExportInput {
    pub dry_run: String,
}

/// The API's export request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiExportInput {
    pub dry_run: bool,
}

fn settings(node: &Node) -> Settings {
    Settings::of(node.config.kitaplaner.as_ref())
}

fn file_drop(node: &Node) -> Option<FileDrop> {
    FileDrop::configured(&node.data_dir, node.config.kitaplaner.as_ref())
}

#[derive(Template)]
#[template(path = "kitaplaner.html")]
struct Page {
    chrome: Chrome,
    v: KitaplanerView,
    facilities: Vec<(String, String)>,
    /// Where the files go; none: dry runs only.
    drop_dir: Option<String>,
    /// The dry run just made.
    preview: Option<ExportReport>,
}

impl Page {
    fn status_label(&self, status: &ExportStatus) -> &'static str {
        let t = self.chrome.t;
        match status {
            ExportStatus::Inserted => t.kp_status_inserted,
            ExportStatus::Exported => t.kp_status_exported,
            ExportStatus::Failed => t.kp_status_failed,
            ExportStatus::Blocked => t.kp_status_blocked,
        }
    }

    fn inserted(&self) -> usize {
        self.v.count(ExportStatus::Inserted)
    }

    fn exported(&self) -> usize {
        self.v.count(ExportStatus::Exported)
    }

    fn failed(&self) -> usize {
        self.v.count(ExportStatus::Failed)
    }

    fn blocked(&self) -> usize {
        self.v.count(ExportStatus::Blocked)
    }

    fn pending(&self) -> usize {
        self.v.pending().count()
    }

    fn run_time(&self, at: &i64) -> String {
        crate::clock::format_millis(*at)
    }
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    facility: Option<&str>,
    preview: Option<ExportReport>,
) -> Result<Response, AppError> {
    let (facility, visible) = choose_facility(node, session, facility)?;
    let store = node.store();
    let v = view(&store, &session.who, &facility, &settings(node))?;
    let facilities = if visible.len() > 1 {
        let names = crate::facilities::names(&store)?;
        visible
            .iter()
            .map(|f| (f.0.clone(), names.get(&f.0).cloned().unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    drop(store);
    let title = crate::http::i18n::texts(lang).kitaplaner;
    let chrome = Chrome::new(node, lang, Some(session), title);
    render(&Page {
        chrome,
        v,
        facilities,
        drop_dir: file_drop(node).map(|d| d.dir.display().to_string()),
        preview,
    })
}

/// `GET /kitaplaner`: the buffer rows per child with their status, the error list, the runs.
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, AppError> {
    page_of(&node, lang, &session, q.facility.as_deref(), None)
}

fn run_export(
    node: &Node,
    session: &Session,
    facility: &FacilityId,
    dry_run: bool,
) -> Result<ExportReport, AppError> {
    let drop = file_drop(node);
    let report = export(
        &mut node.store(),
        &session.who,
        facility,
        &settings(node),
        drop.as_ref().map(|d| d as &dyn super::Transfer),
        dry_run,
        node.now(),
    )?;
    Ok(report)
}

/// `POST /kitaplaner/export`: run the export (`dry_run=on`: show the file, change nothing).
pub async fn export_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<FacilityQuery>,
    Form(form): Form<Posted<ExportInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    let dry_run = crate::input::checked(&form.input.dry_run);
    let report = run_export(&node, &session, &facility, dry_run)?;
    if dry_run {
        page_of(&node, lang, &session, Some(&facility.0), Some(report))
    } else {
        Ok(Redirect::to(&format!("/kitaplaner?facility={}", facility.0)).into_response())
    }
}

/// `GET /api/kitaplaner?facility=`: the view as JSON.
pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<FacilityQuery>,
) -> Result<Json<KitaplanerView>, ApiError> {
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    Ok(Json(
        view(&node.store(), &session.who, &facility, &settings(&node)).map_err(AppError::from)?,
    ))
}

/// `POST /api/kitaplaner/exports` `{"dry_run": true}`: what the run wrote (or would write).
pub async fn api_export(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<FacilityQuery>,
    ApiJson(input): ApiJson<ApiExportInput>,
) -> Result<Json<ExportReport>, ApiError> {
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    Ok(Json(run_export(&node, &session, &facility, input.dry_run)?))
}

/// `GET /kitaplaner.xlsx`: the buffer rows and the error list as an Excel file.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    let v = view(&node.store(), &session.who, &facility, &settings(&node))?;
    let mut columns = vec![
        Column::new("Kind", ColumnKind::Text),
        Column::new("Exportstatus", ColumnKind::Text),
    ];
    columns.extend(
        kitanetz_kitaplaner::COLUMNS
            .iter()
            .filter(|c| **c != "EXPORT_STATUS")
            .map(|c| Column::new(*c, ColumnKind::Text)),
    );
    let mut rows_table = Table::new("Exportpuffer", columns);
    for child in &v.children {
        for row in &child.rows {
            let mut cells = vec![
                Cell::from(child.name.as_str()),
                Cell::from(child.status.seed_name()),
            ];
            cells.extend(
                kitanetz_kitaplaner::COLUMNS
                    .iter()
                    .filter(|c| **c != "EXPORT_STATUS")
                    .map(|c| match row.columns.get(*c) {
                        Some(serde_json::Value::String(s)) => Cell::from(s.as_str()),
                        Some(serde_json::Value::Null) | None => Cell::Empty,
                        Some(other) => Cell::from(other.to_string().as_str()),
                    }),
            );
            rows_table.rows.push(cells);
        }
    }
    let mut errors = Table::new(
        "Fehlerliste",
        vec![
            Column::new("Kind / Kita", ColumnKind::Text),
            Column::new("Feld", ColumnKind::Text),
            Column::new("Hinweis", ColumnKind::Text),
        ],
    );
    errors.rows = v
        .problems
        .iter()
        .map(|p| {
            vec![
                Cell::from(p.name.as_str()),
                Cell::from(p.field.as_str()),
                Cell::from(p.message.as_str()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![rows_table, errors],
        format!("Kita-Planer Exportpuffer – {}", v.facility_name),
        node.config.display_name.clone(),
        &format!("Kita-Planer-{}", facility.0),
        node.clock.now_millis(),
    )
    .await
}
