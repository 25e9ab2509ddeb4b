//! `GET /audit` (the filtered log) and `GET /audit.csv` (the same as a download).

use super::{actions, export_csv, page, FilterInput};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{render_form, AppError, Lang, Session};
use crate::storage::AuditRow;
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kitanetz_crdt::validate::FieldError;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    input: FilterInput,
    rows: Vec<AuditRow>,
    actions: Vec<String>,
    /// The query of the CSV link and the paging link (the filter without `before`).
    query: String,
    /// The sequence number for the next (older) page, when there may be one.
    older: Option<i64>,
    errors: Vec<FieldError>,
    lang: Lang,
}

impl AuditPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }

    fn time(&self, millis: &i64) -> String {
        crate::clock::format_millis(*millis)
    }
}

fn filter_query(input: &FilterInput) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("person", &input.person)
        .append_pair("action", &input.action)
        .append_pair("from", &input.from)
        .append_pair("until", &input.until)
        .finish()
}

/// `GET /audit`: the log, newest first, filtered by person, action and day.
pub async fn audit_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(input): Query<FilterInput>,
) -> Result<Response, AppError> {
    authorize(
        &session.who,
        Action::ViewAudit {
            provider: node.config.provider.as_ref(),
        },
    )?;
    let (rows, errors) = match input.check() {
        Ok(filter) => (page(&node.store(), &session.who, &filter)?, vec![]),
        Err(e) => (vec![], e.into_field_errors()?),
    };
    let older = (rows.len() == super::PAGE_ROWS)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    let title = if lang == Lang::En {
        "Audit log"
    } else {
        "Protokoll"
    };
    let page = AuditPage {
        chrome: Chrome::new(&node, lang, Some(&session), title),
        actions: actions(&node.store(), &session.who)?,
        query: filter_query(&input),
        input,
        rows,
        older,
        errors,
        lang,
    };
    render_form(&page, &page.errors)
}

/// `GET /audit.csv`: every entry the filter matches, as a CSV download.
pub async fn audit_csv(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(input): Query<FilterInput>,
) -> Result<Response, AppError> {
    authorize(
        &session.who,
        Action::ViewAudit {
            provider: node.config.provider.as_ref(),
        },
    )?;
    let filter = input.check()?;
    let now = node.now();
    let csv = export_csv(&mut node.store(), &session.who, &filter, now)?;
    let name = format!("protokoll-{}-{}.csv", node.config.name, now.today);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}

/// `GET /audit.xlsx?…`: the same entries as the CSV, as an Excel file (the export audited).
pub async fn audit_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(input): Query<FilterInput>,
) -> Result<Response, AppError> {
    authorize(
        &session.who,
        Action::ViewAudit {
            provider: node.config.provider.as_ref(),
        },
    )?;
    let filter = input.check()?;
    let now = node.now();
    let rows = super::export_rows(&mut node.store(), &session.who, &filter, now)?;
    crate::http::sheets::xlsx_response(
        vec![super::to_table(&rows)],
        "Protokoll".into(),
        node.config.display_name.clone(),
        &format!("protokoll-{}-{}", node.config.name, now.today),
        now.millis,
    )
    .await
}
