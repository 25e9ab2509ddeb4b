//! The arrears work list and the upload of payments received (Lastenheft 3.10.10): page, API
//! and Excel file. The rules are in [`super::payments`]; this is only the HTTP edge.

use super::payments::{self, ArrearsList};
use super::queries::ImportRow;
use super::FeeAction;
use crate::http::pages::Chrome;
use crate::http::{
    read_upload, render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Session,
};
use crate::Node;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// The largest payments file taken: a year of Dresden's payments is far below (~60 bytes a row).
pub const UPLOAD_BODY_LIMIT: usize = 16 << 20;

#[derive(Template)]
#[template(path = "fees_arrears.html")]
struct ArrearsPage {
    chrome: Chrome,
    list: ArrearsList,
    /// The caller may upload (the Beitragsstelle's clerks; the Träger's admin only reads).
    may_import: bool,
    /// The upload just stored, to confirm it.
    imported: Option<ImportRow>,
    errors: Vec<FieldError>,
}

/// `?imported=<id>` after an upload.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub imported: Option<i64>,
}

fn arrears_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    imported: Option<i64>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let list = payments::list(&node.store(), &session.who, node.clock.today())?;
    let may_import = super::authorize_here(&node.store(), &session.who, FeeAction::Bill).is_ok();
    let imported = imported.and_then(|id| list.imports.iter().find(|i| i.id == id).cloned());
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).arrears,
    );
    let page = ArrearsPage {
        chrome,
        list,
        may_import,
        imported,
        errors,
    };
    render_form(&page, &page.errors)
}

/// `GET /fees/arrears`.
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    arrears_page(&node, lang, &session, q.imported, vec![])
}

/// `POST /fees/arrears/payments` (multipart: `csrf`, `file`): the finance system's file.
pub async fn upload(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    // Authorise before reading the body: only a clerk learns whether the upload was well-formed.
    super::authorize_here(&node.store(), &session.who, FeeAction::Bill)?;
    let file = read_upload(multipart, &session, "file", "16 MB").await?;
    let imported = payments::import(
        &mut node.store(),
        &session.who,
        &file.name,
        &file.bytes,
        node.now(),
    );
    match imported {
        Ok(row) => Ok(Redirect::to(&format!("/fees/arrears?imported={}", row.id)).into_response()),
        Err(e) => arrears_page(&node, lang, &session, None, e.into_field_errors()?),
    }
}

/// The file as the API takes it: its name (for the list of uploads) and its text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UploadInput {
    pub file_name: String,
    /// The CSV text (`node/billing/PAYMENTS_FILE.md`).
    pub text: String,
}

/// `POST /api/fees/payments` `{ "file_name", "text" }`: the upload stored; 422 with every line
/// error when the file is refused (then nothing is stored).
pub async fn api_upload(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<UploadInput>,
) -> Result<Json<ImportRow>, ApiError> {
    Ok(Json(payments::import(
        &mut node.store(),
        &session.who,
        &input.file_name,
        input.text.as_bytes(),
        node.now(),
    )?))
}

/// `GET /api/fees/arrears`.
pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<ArrearsList>, ApiError> {
    Ok(Json(
        payments::list(&node.store(), &session.who, node.clock.today()).map_err(AppError::from)?,
    ))
}

/// `GET /fees/arrears.xlsx`: the work list as the page shows it.
pub async fn xlsx(State(node): State<Arc<Node>>, session: Session) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let today = node.clock.today();
    let list = payments::list(&node.store(), &session.who, today)?;
    let t = crate::http::i18n::texts(Lang::De);
    let mut table = Table::new(
        t.arrears,
        vec![
            Column::new(t.family_number, ColumnKind::Text),
            Column::new(t.payer, ColumnKind::Text),
            Column::new(t.arrears_state, ColumnKind::Text),
            Column::new(t.months_in_arrears, ColumnKind::Text),
            Column::new(t.open_amount, ColumnKind::Money),
        ],
    );
    table.rows = list
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.family_number.as_str()),
                Cell::from(r.payer.as_str()),
                Cell::from(if r.arrears.flagged {
                    t.arrears_flagged
                } else {
                    t.arrears_overdue
                }),
                Cell::from(
                    r.arrears
                        .months
                        .iter()
                        .map(|m| format!("{} ({} €)", m.month, m.open))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::Money(r.arrears.open_total.amount()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("{} {today}", t.arrears),
        node.config.display_name.clone(),
        &format!("Zahlungsrueckstaende-{today}"),
        node.clock.now_millis(),
    )
    .await
}
