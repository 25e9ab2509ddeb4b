//! The follow-up page and API.

use super::{add, done, list, DoneInput, Filter, FollowUp, NewFollowUp};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// `?show=all|overdue|within&days=7&on=YYYY-MM-DD`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FilterQuery {
    pub show: String,
    pub days: String,
    pub on: String,
}

impl FilterQuery {
    fn filter(&self) -> Result<Filter, AppError> {
        Ok(match self.show.as_str() {
            "" | "all" => Filter::All,
            "overdue" => Filter::Overdue,
            "within" => Filter::Within(
                self.days
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d <= 366)
                    .ok_or_else(|| AppError::BadRequest(format!("days: {:?}", self.days)))?,
            ),
            "on" => Filter::On(
                self.on
                    .trim()
                    .parse::<kitanetz_crdt::scalar::Date>()
                    .ok()
                    .filter(|d| d.is_plausible())
                    .ok_or_else(|| AppError::BadRequest(format!("on: {:?}", self.on)))?,
            ),
            other => return Err(AppError::BadRequest(format!("show: {other:?}"))),
        })
    }
}

#[derive(Template)]
#[template(path = "follow_ups.html")]
struct Page {
    chrome: Chrome,
    q: FilterQuery,
    items: Vec<FollowUp>,
    form: NewFollowUp,
    errors: Vec<FieldError>,
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    q: FilterQuery,
    form: NewFollowUp,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    crate::auth::authorize(&session.who, crate::auth::Action::ManageOwnFollowUps)
        .map_err(crate::action::ActionError::from)?;
    let filter = q.filter()?;
    let items = list(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        filter,
        node.clock.today(),
    )?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).follow_ups,
    );
    let page = Page {
        chrome,
        q,
        items,
        form,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<FilterQuery>,
) -> Result<Response, AppError> {
    page_of(&node, lang, &session, q, NewFollowUp::default(), vec![])
}

pub async fn add_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<NewFollowUp>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    // The store's lock ends with this statement: the error page below takes it again.
    let result = add(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/follow-ups").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page_of(
                &node,
                lang,
                &session,
                FilterQuery::default(),
                form.input,
                errors,
            )
        }
    }
}

pub async fn done_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<DoneInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = done(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(()) => Ok(Redirect::to("/follow-ups").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page_of(
                &node,
                lang,
                &session,
                FilterQuery::default(),
                NewFollowUp::default(),
                errors,
            )
        }
    }
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<FilterQuery>,
) -> Result<Json<Vec<FollowUp>>, ApiError> {
    crate::auth::authorize(&session.who, crate::auth::Action::ManageOwnFollowUps)
        .map_err(crate::action::ActionError::from)
        .map_err(AppError::from)?;
    let filter = q.filter()?;
    Ok(Json(
        list(
            &node.store(),
            &session.who,
            node.config.facility.as_ref(),
            filter,
            node.clock.today(),
        )
        .map_err(AppError::from)?,
    ))
}

pub async fn api_add(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<NewFollowUp>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let id = add(&mut node.store(), &session.who, &input, node.now()).map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

pub async fn api_done(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<DoneInput>,
) -> Result<StatusCode, ApiError> {
    done(&mut node.store(), &session.who, &input, node.now()).map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /follow-ups.xlsx?…`: the caller's own follow-ups the page shows with the same filter.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<FilterQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    crate::auth::authorize(&session.who, crate::auth::Action::ManageOwnFollowUps)
        .map_err(crate::action::ActionError::from)?;
    let filter = q.filter()?;
    let items = list(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        filter,
        node.clock.today(),
    )?;
    let mut table = Table::new(
        "Wiedervorlagen",
        vec![
            Column::new("Fällig am", ColumnKind::Date),
            Column::new("Betreff", ColumnKind::Text),
            Column::new("Notiz", ColumnKind::Text),
            Column::new("Überfällig", ColumnKind::YesNo),
            Column::new("Automatisch", ColumnKind::YesNo),
            Column::new("Seite", ColumnKind::Text),
        ],
    );
    table.rows = items
        .iter()
        .map(|f| {
            vec![
                Cell::Date(f.due_on.0),
                Cell::from(f.subject.as_str()),
                Cell::from(f.note.as_str()),
                Cell::YesNo(f.overdue),
                Cell::YesNo(f.id.is_none()),
                Cell::from(f.link.as_str()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Wiedervorlagen".into(),
        node.config.display_name.clone(),
        &format!("wiedervorlagen-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}
