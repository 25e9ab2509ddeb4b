//! The Kita-Planer export page, its Excel list and the API.

use super::{export, view, ExportReport, ExportStatus, FileDrop, KitaplanerView, Settings};
use crate::families::http::{choose_facility, kita_here};
use crate::http::pages::Chrome;
use crate::http::{
    read_upload, render, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session,
};
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
    /// How many rows an import just added to the import buffer.
    pub imported: Option<usize>,
    /// Why an import was refused (its errors, one per line).
    pub import_error: String,
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
    /// The Kita-Planer import buffer, where the caller works it (the lead on her Kita's node).
    imports: Option<Vec<super::import::BufferRow>>,
    imported: Option<usize>,
    import_errors: Vec<String>,
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

    fn en(&self) -> bool {
        self.chrome.t.lang == "en"
    }
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    query: &FacilityQuery,
    preview: Option<ExportReport>,
) -> Result<Response, AppError> {
    let (facility, visible) = choose_facility(node, session, query.facility.as_deref())?;
    let store = node.store();
    let v = view(&store, &session.who, &facility, &settings(node))?;
    // The import buffer belongs to the Kita's node and its lead; elsewhere it is not shown.
    let imports = super::import::buffer(&store, &session.who, node.config.facility.as_ref()).ok();
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
        imports,
        imported: query.imported,
        import_errors: query
            .import_error
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// `GET /kitaplaner`: the buffer rows per child with their status, the error list, the runs.
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, AppError> {
    page_of(&node, lang, &session, &q, None)
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
        page_of(
            &node,
            lang,
            &session,
            &FacilityQuery {
                facility: Some(facility.0.clone()),
                ..FacilityQuery::default()
            },
            Some(report),
        )
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

/// `POST /kitaplaner/import` (multipart: `csrf`, `file`): a Kita-Planer file into the Kita's
/// import buffer; a file with errors is refused whole and its errors listed on the page.
pub async fn import_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    super::import::authorize_here(&session.who, node.config.facility.as_ref())?;
    let file = read_upload(multipart, &session, "file", "2 MB").await?;
    let refused = |message: String| {
        Ok(Redirect::to(&format!(
            "/kitaplaner?import_error={}#h-kp-import",
            form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
        ))
        .into_response())
    };
    let name = if file.name.is_empty() {
        "kitaplaner.csv".to_string()
    } else {
        file.name
    };
    let Ok(text) = String::from_utf8(file.bytes) else {
        return refused("Die Datei ist kein UTF-8-Text / the file is not UTF-8 text".into());
    };
    let result = super::import::import_file(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &name,
        &text,
        node.now(),
    );
    match result {
        Ok(added) => {
            Ok(Redirect::to(&format!("/kitaplaner?imported={added}#h-kp-import")).into_response())
        }
        Err(crate::action::ActionError::Invalid(e)) => refused(
            e.errors
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Err(e) => Err(e.into()),
    }
}

/// `POST /kitaplaner/import/{id}/discard`: a row of the import buffer set aside.
pub async fn import_discard(
    State(node): State<Arc<Node>>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<crate::http::pages::CsrfForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    super::import::authorize_here(&session.who, node.config.facility.as_ref())?;
    // A row id that is no number names no open row: refused below like any row not open.
    let id: i64 = id.parse().unwrap_or(-1);
    super::import::close_row(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        id,
        None,
        node.now(),
    )?;
    Ok(Redirect::to("/kitaplaner#h-kp-import").into_response())
}
