//! "Meine Kindertagespflege": the childminder's own page and her absence form, and the API
//! beside them. No route takes a childminder id: whose file it is comes from the login.

use super::{own_file, record_own_absence, ChildminderView, OwnAbsenceInput, OWN_ABSENCE_KINDS};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::validate::FieldError;
use kitanetz_tagespflege as tp;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "tagespflege_mine.html")]
struct MinePage {
    chrome: Chrome,
    view: ChildminderView,
    month: String,
    absence_kinds: Vec<(&'static str, &'static str)>,
    form: OwnAbsenceInput,
    errors: Vec<FieldError>,
}

fn mine_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    month: tp::Month,
    form: OwnAbsenceInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let view = own_file(
        &node.store(),
        &session.who,
        &node.tagespflege,
        month,
        node.clock.today(),
    )?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).my_childminding,
    );
    let page = MinePage {
        chrome,
        view,
        month: format!("{:04}-{:02}", month.year(), month.number()),
        absence_kinds: OWN_ABSENCE_KINDS.to_vec(),
        form,
        errors,
    };
    render_form(&page, &page.errors)
}

/// `?month=2026-11`; default: this month.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MineQuery {
    pub month: String,
}

/// The month asked for; a month that does not read is refused after the caller is authorised.
fn month_for(node: &Node, session: &Session, q: &MineQuery) -> Result<tp::Month, AppError> {
    if q.month.trim().is_empty() {
        return Ok(super::month_of(node.clock.today()));
    }
    match super::parse_month(&q.month) {
        Some(month) => Ok(month),
        None => {
            super::authorize_own(&node.store(), &session.who)?;
            Err(AppError::BadRequest(format!(
                "month: JJJJ-MM / YYYY-MM, not {:?}",
                q.month
            )))
        }
    }
}

/// `GET /tagespflege/mine?month=`: the childminder's own file.
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<MineQuery>,
) -> Result<Response, AppError> {
    let month = month_for(&node, &session, &q)?;
    mine_page(
        &node,
        lang,
        &session,
        month,
        OwnAbsenceInput::default(),
        vec![],
    )
}

/// The absence form as posted (a checkbox is present only when ticked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OwnAbsenceForm {
    pub kind: String,
    pub from: String,
    pub until: String,
    pub certificate: String,
}

/// `POST /tagespflege/mine/absences`: her own vacation or sick days.
pub async fn absence_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<OwnAbsenceForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let input = OwnAbsenceInput {
        kind: form.input.kind,
        from: form.input.from,
        until: form.input.until,
        certificate: crate::input::checked(&form.input.certificate),
    };
    let result = record_own_absence(&mut node.store(), &session.who, &input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/tagespflege/mine").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let month = super::month_of(node.clock.today());
            mine_page(&node, lang, &session, month, input, errors)
        }
    }
}

/// `GET /api/tagespflege/mine?month=`.
pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<MineQuery>,
) -> Result<Json<ChildminderView>, ApiError> {
    let month = month_for(&node, &session, &q)?;
    Ok(Json(
        own_file(
            &node.store(),
            &session.who,
            &node.tagespflege,
            month,
            node.clock.today(),
        )
        .map_err(AppError::from)?,
    ))
}

/// `POST /api/tagespflege/mine/absences`: 201 with the file's absences.
pub async fn api_absence(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<OwnAbsenceInput>,
) -> Result<Response, ApiError> {
    let case = record_own_absence(&mut node.store(), &session.who, &input, node.now())
        .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(case.absences)).into_response())
}
