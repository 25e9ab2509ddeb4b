//! *Änderungsmeldungen* for the Beitragsstelle (`/fees/changes`), its Excel file and its API.

use super::diff::Field;
use super::{done_reports, mark_done, open_reports, Done, DoneInput, DoneReport, Report};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiJson, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use std::sync::Arc;

/// How many reports marked done the page shows.
const DONE_SHOWN: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// A [`Field`] key; empty: every field.
    field: String,
    /// Reports marked done (the last ones) instead of the open ones.
    done: String,
    /// How many were just marked done.
    marked: String,
}

impl Filter {
    fn field(&self) -> Result<Option<Field>, AppError> {
        match self.field.trim() {
            "" => Ok(None),
            key => Field::parse(key).map(Some).ok_or_else(|| {
                AppError::BadRequest(format!("unbekanntes Feld / unknown field: {key}"))
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "fee_changes.html")]
struct Page {
    chrome: Chrome,
    lang: Lang,
    field: Option<Field>,
    show_done: bool,
    reports: Vec<Report>,
    done: Vec<Done>,
    marked: Option<usize>,
    may_process: bool,
}

impl Page {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn fields(&self) -> Vec<(&'static str, &'static str, bool)> {
        Field::ALL
            .into_iter()
            .map(|f| {
                (
                    f.key(),
                    if self.en() {
                        f.label_en()
                    } else {
                        f.label_de()
                    },
                    self.field == Some(f),
                )
            })
            .collect()
    }

    fn label(&self, field: &Field) -> &'static str {
        if self.en() {
            field.label_en()
        } else {
            field.label_de()
        }
    }

    fn when(&self, millis: &i64) -> String {
        crate::clock::format_millis(*millis)
    }
}

/// `GET /fees/changes`
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    let field = filter.field()?;
    let show_done = crate::input::checked(&filter.done);
    let (reports, done) = {
        let mut store = node.store();
        if show_done {
            (Vec::new(), done_reports(&store, &session.who, DONE_SHOWN)?)
        } else {
            (open_reports(&mut store, &session.who, field)?, Vec::new())
        }
    };
    let may_process = crate::auth::authorize(
        &session.who,
        crate::auth::Action::ProcessChangeReports {
            provider: node.config.provider.as_ref(),
        },
    )
    .is_ok();
    let title = if lang == Lang::En {
        "Change reports"
    } else {
        "Änderungsmeldungen"
    };
    render(&Page {
        chrome: Chrome::new(&node, lang, Some(&session), title),
        lang,
        field,
        show_done,
        reports,
        done,
        marked: filter.marked.parse().ok(),
        may_process,
    })
}

/// `POST /fees/changes/done`: the ticked reports (`done=<doc id>|<heads>`, repeated).
pub async fn done_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    session.check_csrf(csrf)?;
    let input = DoneInput {
        reports: form
            .iter()
            .filter(|(k, _)| k == "done")
            .map(|(_, v)| {
                let (doc_id, heads) = v.split_once('|').unwrap_or((v.as_str(), ""));
                DoneReport {
                    doc_id: doc_id.to_string(),
                    heads: heads.to_string(),
                }
            })
            .collect(),
    };
    let field = form
        .iter()
        .find(|(k, _)| k == "field")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let marked = mark_done(&mut node.store(), &session.who, &input, node.now())?;
    let field = form_urlencoded::byte_serialize(field.as_bytes()).collect::<String>();
    Ok(Redirect::to(&format!("/fees/changes?field={field}&marked={marked}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiFilter {
    field: String,
}

/// `GET /api/fees/changes?field=`
pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(filter): Query<ApiFilter>,
) -> Result<Json<Vec<Report>>, ApiError> {
    let field = Filter {
        field: filter.field,
        ..Filter::default()
    }
    .field()?;
    Ok(Json(
        open_reports(&mut node.store(), &session.who, field).map_err(AppError::from)?,
    ))
}

/// `POST /api/fees/changes/done` with `{"reports": [{"doc_id": …, "heads": …}]}`.
pub async fn api_done(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<DoneInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let marked = mark_done(&mut node.store(), &session.who, &input, node.now())?;
    Ok(Json(serde_json::json!({ "marked": marked })))
}

/// `GET /fees/changes.xlsx`: one row per open change (audited: names leave the node).
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let field = filter.field()?;
    let now = node.now();
    let reports = {
        let mut store = node.store();
        let reports = open_reports(&mut store, &session.who, field)?;
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "changes.export",
            target: None,
            subjects: reports.iter().map(|r| r.family.clone()).collect(),
            valid_from: None,
        })?;
        reports
    };
    let mut table = Table::new(
        "Änderungsmeldungen",
        vec![
            Column::new("Eingang", ColumnKind::Text),
            Column::new("Kita", ColumnKind::Text),
            Column::new("Kind / Familie", ColumnKind::Text),
            Column::new("Feld", ColumnKind::Text),
            Column::new("Änderung", ColumnKind::Text),
            Column::new("Gültig ab", ColumnKind::Date),
        ],
    );
    for r in &reports {
        for c in &r.changes {
            table.rows.push(vec![
                Cell::from(crate::clock::format_millis(r.changed_at).as_str()),
                Cell::from(r.facility.as_deref().unwrap_or("")),
                Cell::from(r.subject.as_str()),
                Cell::from(c.field.label_de()),
                Cell::from(c.what.as_str()),
                match c.valid_from {
                    Some(d) => Cell::Date(d.0),
                    None => Cell::Empty,
                },
            ]);
        }
    }
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Änderungsmeldungen {}", now.today),
        node.config.display_name.clone(),
        &format!("Aenderungsmeldungen-{}", now.today),
        now.millis,
    )
    .await
}
