//! The groups page and API.

use super::{create, edit, move_child, view, GroupInput, GroupsView, MoveInput};
use crate::action::ActionError;
use crate::families::http::choose_facility;
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::GroupId;
use kitanetz_crdt::kinds::{CareType, Group};
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct FacilityQuery {
    facility: Option<String>,
}

/// Care types a form offers: (value, label, selected).
fn care_type_options(selected: &str, lang: Lang) -> Vec<(&'static str, &'static str, bool)> {
    CareType::ALL
        .iter()
        .map(|c| {
            let label = match lang {
                Lang::De => c.label_de(),
                Lang::En => c.label_en(),
            };
            (c.as_str(), label, c.as_str() == selected)
        })
        .collect()
}

fn care_type_label(value: &str, lang: Lang) -> &'static str {
    CareType::parse(value).map_or("", |c| match lang {
        Lang::De => c.label_de(),
        Lang::En => c.label_en(),
    })
}

#[derive(Template)]
#[template(path = "groups.html")]
struct Page {
    chrome: Chrome,
    v: GroupsView,
    lang: Lang,
    /// The new-group form as typed.
    form: GroupInput,
    care_types: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<FieldError>,
}

impl Page {
    fn label(&self, care_type: &str) -> &'static str {
        care_type_label(care_type, self.lang)
    }
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    facility: Option<String>,
    form: GroupInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (facility, _) = choose_facility(node, session, facility.as_deref())?;
    let v = view(&mut node.store(), &session.who, &facility, node.now())?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).groups,
    );
    let care_types = care_type_options(
        if form.care_type.is_empty() {
            "kindergarten"
        } else {
            &form.care_type
        },
        lang,
    );
    let page = Page {
        chrome,
        v,
        lang,
        form,
        care_types,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, AppError> {
    page_of(
        &node,
        lang,
        &session,
        q.facility,
        GroupInput::default(),
        vec![],
    )
}

/// `POST /groups`: a new group of the Kita this node serves.
pub async fn create_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<GroupInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = create(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(Redirect::to("/groups").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page_of(&node, lang, &session, None, form.input, errors)
        }
    }
}

/// `POST /groups/move`: a child into another group (or none).
pub async fn move_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<MoveInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = move_child(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(Redirect::to("/groups").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page_of(&node, lang, &session, None, GroupInput::default(), errors)
        }
    }
}

#[derive(Template)]
#[template(path = "group_edit.html")]
struct EditPage {
    chrome: Chrome,
    id: String,
    form: GroupInput,
    care_types: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<FieldError>,
}

/// The group as the edit form shows it, after checking the caller may change it.
fn editable(node: &Node, session: &Session, id: &str) -> Result<(GroupId, Group), AppError> {
    crate::auth::authorize(
        &session.who,
        crate::auth::Action::ManageGroups {
            facility: node.config.facility.as_ref(),
        },
    )
    .map_err(ActionError::from)?;
    let id: GroupId = id.parse().map_err(|_| AppError::NotFound(id.to_string()))?;
    let group = node
        .store()
        .find::<Group>(&super::group_doc_id(&id))?
        .map(|(_, g)| g)
        .filter(|g| Some(&g.facility) == node.config.facility.as_ref())
        .ok_or_else(|| AppError::NotFound(id.0.clone()))?;
    Ok((id, group))
}

fn edit_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &GroupId,
    form: GroupInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).edit_group,
    );
    let care_types = care_type_options(&form.care_type, lang);
    let page = EditPage {
        chrome,
        id: id.0.clone(),
        form,
        care_types,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn edit_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (id, group) = editable(&node, &session, &id)?;
    let form = GroupInput {
        name: group.name,
        care_type: group.care_type.as_str().to_string(),
        size: group.size.to_string(),
        lead_educator: group.lead_educator,
    };
    edit_page(&node, lang, &session, &id, form, vec![])
}

pub async fn edit_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<GroupInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let (id, _) = editable(&node, &session, &id)?;
    let result = edit(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &id,
        &form.input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(Redirect::to("/groups").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            edit_page(&node, lang, &session, &id, form.input, errors)
        }
    }
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<FacilityQuery>,
) -> Result<Json<GroupsView>, ApiError> {
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    Ok(Json(
        view(&mut node.store(), &session.who, &facility, node.now()).map_err(AppError::from)?,
    ))
}

pub async fn api_create(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<Group>), ApiError> {
    let group = create(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(group)))
}

pub async fn api_edit(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<Json<Group>, ApiError> {
    let (id, _) = editable(&node, &session, &id)?;
    Ok(Json(
        edit(
            &mut node.store(),
            &session.who,
            node.config.facility.as_ref(),
            &id,
            &input,
            node.now(),
        )
        .map_err(AppError::from)?,
    ))
}

pub async fn api_move(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<super::Moved>, ApiError> {
    Ok(Json(
        move_child(
            &mut node.store(),
            &session.who,
            node.config.facility.as_ref(),
            &input,
            node.now(),
        )
        .map_err(AppError::from)?,
    ))
}

/// `GET /groups.xlsx`: the groups and their children as an Excel file.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, AppError> {
    use crate::http::sheets::date_cell;
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    let v = view(&mut node.store(), &session.who, &facility, node.now())?;
    let mut table = Table::new(
        "Gruppen",
        vec![
            Column::new("Gruppe", ColumnKind::Text),
            Column::new("Betreuungsart", ColumnKind::Text),
            Column::new("Gruppengröße", ColumnKind::Integer),
            Column::new("Bezugserzieher/in", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Date),
        ],
    );
    let member_row = |group: &str, care: &str, size: Cell, lead: &str, m: &super::Member| {
        vec![
            Cell::from(group),
            Cell::from(care),
            size,
            Cell::from(lead),
            Cell::from(m.name.as_str()),
            date_cell(&m.birth_date),
        ]
    };
    for g in &v.groups {
        let care = care_type_label(&g.care_type, Lang::De);
        for m in &g.members {
            table.rows.push(member_row(
                &g.name,
                care,
                Cell::Integer(i64::from(g.size)),
                &g.lead_educator,
                m,
            ));
        }
    }
    for m in &v.ungrouped {
        let care = care_type_label(&m.care_type, Lang::De);
        table
            .rows
            .push(member_row("Ohne Gruppe", care, Cell::Empty, "", m));
    }
    crate::http::sheets::xlsx_response(
        vec![table],
        "Gruppen".into(),
        node.config.display_name.clone(),
        &format!("Gruppen-{}", facility.0),
        node.clock.now_millis(),
    )
    .await
}
