//! The page and API of the bulk fee change ([`super::bulk_change`]): new operating costs entered,
//! the changed child-months previewed, the change decisions issued on confirmation.

use super::bulk_change::{self, BulkInput, Outcome, Preview};
use super::decisions::Issuer;
use super::statute_versions::{ReplacedVersionRow, StatuteVersionRow};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use kitanetz_crdt::validate::FieldError;
use std::sync::Arc;

fn issuer(node: &Node, session: &Session) -> Issuer {
    Issuer {
        fees: node.config.fees.clone().unwrap_or_default(),
        display_name: node.config.display_name.clone(),
        clerk: session.who.display_name().to_string(),
    }
}

#[derive(Template)]
#[template(path = "fees_bulk_change.html")]
struct BulkPage {
    chrome: Chrome,
    lang: Lang,
    versions: Vec<StatuteVersionRow>,
    replaced: Vec<ReplacedVersionRow>,
    typed: BulkInput,
    errors: Vec<FieldError>,
    preview: Option<Preview>,
    outcome: Option<Outcome>,
}

impl BulkPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The form corrects or takes back the newest version (not a new one).
    fn correcting(&self) -> bool {
        !self.typed.corrects.trim().is_empty()
    }

    /// When a version was replaced (epoch milliseconds), in the city's time.
    fn when(&self, millis: &i64) -> String {
        crate::clock::format_millis(*millis)
    }

    /// The cost fields: name, label, what was typed.
    fn cost_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let t = &self.typed;
        vec![
            ("krippe", "Krippe", t.krippe.clone()),
            ("kindergarten", "Kindergarten", t.kindergarten.clone()),
            ("hort", "Hort", t.hort.clone()),
            ("foerderhort", "Förderhort", t.foerderhort.clone()),
        ]
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    typed: BulkInput,
    errors: Vec<FieldError>,
    preview: Option<Preview>,
    outcome: Option<Outcome>,
) -> Result<Response, AppError> {
    let versions = bulk_change::versions(&node.store(), &session.who)?;
    let replaced = bulk_change::replaced_versions(&node.store(), &session.who)?;
    let title = if lang == Lang::En {
        "New operating costs: bulk fee change"
    } else {
        "Neue Betriebskosten: Beitragsänderung für alle"
    };
    let chrome = Chrome::new(node, lang, Some(session), title);
    let page = BulkPage {
        chrome,
        lang,
        versions,
        replaced,
        typed,
        errors,
        preview,
        outcome,
    };
    render_form(&page, &page.errors)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct BulkQuery {
    /// `YYYY-MM`: fill the form with the newest version to correct or take it back.
    #[serde(default)]
    pub correct: String,
}

/// `GET /fees/bulk-change` (`?correct=YYYY-MM`: the newest version in the form).
pub async fn page_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(query): Query<BulkQuery>,
) -> Result<Response, AppError> {
    let typed = if query.correct.is_empty() {
        BulkInput::default()
    } else {
        let form = bulk_change::correction_form(&node.store(), &session.who, &query.correct)?;
        form.ok_or_else(|| {
            AppError::Conflict(format!(
                "Nur die neueste Fassung kann berichtigt werden, nicht {} / only the newest version can be corrected",
                query.correct
            ))
        })?
    };
    page(&node, lang, &session, typed, vec![], None, None)
}

/// `POST /fees/bulk-change/preview`: what the costs would change; nothing is stored.
pub async fn preview_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<BulkInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    // The store's lock is released before the page reads it again.
    let result = bulk_change::preview(&node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(preview) => page(
            &node,
            lang,
            &session,
            form.input,
            vec![],
            Some(preview),
            None,
        ),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page(&node, lang, &session, form.input, errors, None, None)
        }
    }
}

/// `POST /fees/bulk-change`: stores the version and issues the change decisions.
pub async fn confirm_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<BulkInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let issuer = issuer(&node, &session);
    let result = bulk_change::confirm(
        &mut node.store(),
        &session.who,
        &form.input,
        &issuer,
        node.now(),
    );
    match result {
        Ok(outcome) => page(
            &node,
            lang,
            &session,
            BulkInput::default(),
            vec![],
            None,
            Some(outcome),
        ),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page(&node, lang, &session, form.input, errors, None, None)
        }
    }
}

/// `POST /api/fees/bulk-change/preview` with a [`BulkInput`].
pub async fn api_preview(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<BulkInput>,
) -> Result<Json<Preview>, ApiError> {
    Ok(Json(
        bulk_change::preview(&node.store(), &session.who, &input, node.now())
            .map_err(AppError::from)?,
    ))
}

/// `POST /api/fees/bulk-change` with a [`BulkInput`]: 201 with what was decided.
pub async fn api_confirm(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<BulkInput>,
) -> Result<Response, ApiError> {
    let issuer = issuer(&node, &session);
    let outcome =
        bulk_change::confirm(&mut node.store(), &session.who, &input, &issuer, node.now())
            .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}
