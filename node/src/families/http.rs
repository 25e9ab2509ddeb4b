//! Children pages and API (a Kita's own children only).

use super::{child_detail, children_of, visible_facilities, ChildDetail, ChildRow};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kitanetz_crdt::ids::{ChildId, FacilityId};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    facility: Option<String>,
}

/// Resolves which Kita to list: the requested one if the caller may see it, else the node's own
/// Kita when the caller sees it, else the caller's first.
pub(crate) fn choose_facility(
    node: &Node,
    session: &Session,
    requested: Option<&str>,
) -> Result<(FacilityId, Vec<FacilityId>), AppError> {
    let visible = visible_facilities(&node.store(), &session.who)?;
    let chosen = match requested {
        Some(f) => f
            .parse::<FacilityId>()
            .map_err(|_| AppError::NotFound(f.to_string()))?,
        // The Kita this node serves when the caller sees it (a Träger admin on a Kita's node
        // means that Kita, not the Träger's first), else the caller's first.
        None => node
            .config
            .facility
            .as_ref()
            .filter(|own| visible.contains(own))
            .or(visible.first())
            .cloned()
            .ok_or_else(|| AppError::NotFound("Kita".into()))?,
    };
    Ok((chosen, visible))
}

/// The Kita a request is about: on a Kita's node always the node's own Kita (whoever asks must
/// be allowed there); on the Träger's node the one asked for, else the caller's first.
pub(crate) fn kita_here(
    node: &Node,
    session: &Session,
    requested: Option<&str>,
) -> Result<FacilityId, AppError> {
    match node.config.facility.as_ref() {
        Some(own) => Ok(own.clone()),
        None => Ok(choose_facility(node, session, requested)?.0),
    }
}

#[derive(Template)]
#[template(path = "children.html")]
struct ListPage {
    chrome: Chrome,
    facility: String,
    facilities: Vec<(String, String)>,
    rows: Vec<ChildRow>,
}

impl ListPage {
    /// A stored day (`YYYY-MM-DD`) as people read it: `18.11.2022`.
    fn day(&self, iso: &str) -> String {
        iso.parse::<kitanetz_crdt::scalar::Date>()
            .map(crate::applications::german_date)
            .unwrap_or_else(|_| iso.to_string())
    }
}

pub async fn list_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (facility, visible) = choose_facility(&node, &session, q.facility.as_deref())?;
    let mut store = node.store();
    let rows = children_of(&mut store, &session.who, &facility, node.clock.now_millis())?;
    // A choice of Kitas for whoever sees more than one (a Träger admin).
    let facilities = if visible.len() > 1 {
        let names = crate::facilities::names(&store)?;
        visible
            .iter()
            .map(|f| (f.0.clone(), names.get(&f.0).cloned().unwrap_or_default()))
            .collect()
    } else {
        vec![]
    };
    drop(store);
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).children,
    );
    render(&ListPage {
        chrome,
        facility: facility.0,
        facilities,
        rows,
    })
}

#[derive(Template)]
#[template(path = "child.html")]
struct DetailPage {
    chrome: Chrome,
    d: ChildDetail,
}

impl DetailPage {
    fn birth_date(&self) -> String {
        crate::applications::german_date(self.d.child.birth_date)
    }
}

pub async fn detail_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ChildId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let d = child_detail(
        &mut node.store(),
        &session.who,
        &id,
        node.clock.now_millis(),
    )?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        format!("{} {}", d.child.given_name, d.child.family_name),
    );
    render(&DetailPage { chrome, d })
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    let rows = children_of(
        &mut node.store(),
        &session.who,
        &facility,
        node.clock.now_millis(),
    )
    .map_err(AppError::from)?;
    Ok(Json(
        serde_json::json!({ "facility": facility, "children": rows }),
    ))
}

pub async fn api_detail(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<ChildDetail>, ApiError> {
    let id: ChildId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(
        child_detail(
            &mut node.store(),
            &session.who,
            &id,
            node.clock.now_millis(),
        )
        .map_err(AppError::from)?,
    ))
}

#[derive(Template)]
#[template(path = "child_new.html")]
struct AdmitPage {
    chrome: Chrome,
    input: super::admit::AdmitInput,
    care_types: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<kitanetz_crdt::validate::FieldError>,
}

impl AdmitPage {
    fn fields(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        crate::seats::http::person_fields(self.chrome.t, &self.input.person)
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn sexes(&self) -> [(&'static str, &'static str); 4] {
        crate::seats::http::sexes(self.chrome.t)
    }

    fn person(&self) -> &crate::seats::contract::ConcludeInput {
        &self.input.person
    }
}

fn admit_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    input: super::admit::AdmitInput,
    errors: Vec<kitanetz_crdt::validate::FieldError>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).new_child,
    );
    let care_types = kitanetz_crdt::kinds::CareType::ALL
        .iter()
        .map(|c| {
            let label = if lang == Lang::En {
                c.label_en()
            } else {
                c.label_de()
            };
            (c.as_str(), label, c.as_str() == input.care_type)
        })
        .collect();
    let page = AdmitPage {
        chrome,
        input,
        care_types,
        errors,
    };
    crate::http::render_form(&page, &page.errors)
}

/// `GET /children/new`: the admission form (the lead of the Kita this node serves).
/// `?kitaplaner_import=ID`: the form filled in from a row of the Kita-Planer import buffer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdmitQuery {
    kitaplaner_import: Option<i64>,
}

pub async fn admit_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<AdmitQuery>,
) -> Result<Response, AppError> {
    if let Some(row) = q.kitaplaner_import {
        let input = crate::kitaplaner::import::admission_of(
            &node.store(),
            &session.who,
            node.config.facility.as_ref(),
            row,
        )?;
        return admit_page(&node, lang, &session, input, vec![]);
    }
    crate::auth::authorize(
        &session.who,
        crate::auth::Action::AdmitChild {
            facility: node.config.facility.as_ref(),
        },
    )
    .map_err(crate::action::ActionError::from)?;
    let input = super::admit::AdmitInput {
        care_type: "kindergarten".into(),
        person: crate::seats::contract::ConcludeInput {
            daily_hours: "9".into(),
            payment_mode: "direct-debit".into(),
            child_sex: "unspecified".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    admit_page(&node, lang, &session, input, vec![])
}

/// `POST /children/new`: family and contract of the new child.
pub async fn admit_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    axum::Form(form): axum::Form<crate::http::Posted<super::admit::AdmitInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = super::admit::admit(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    match result {
        Ok(done) => {
            // The import row it came from is worked through.
            if let Ok(row) = form.input.kitaplaner_import.trim().parse::<i64>() {
                crate::kitaplaner::import::close_row(
                    &mut node.store(),
                    &session.who,
                    node.config.facility.as_ref(),
                    row,
                    Some(&done.child.0),
                    node.now(),
                )?;
            }
            Ok(axum::response::IntoResponse::into_response(
                axum::response::Redirect::to(&format!("/children/{}", done.child.0)),
            ))
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            admit_page(&node, lang, &session, form.input, errors)
        }
    }
}

/// `POST /api/children`: the same as JSON.
pub async fn api_admit(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    crate::http::ApiJson(input): crate::http::ApiJson<super::admit::AdmitInput>,
) -> Result<
    (
        axum::http::StatusCode,
        Json<crate::seats::contract::Concluded>,
    ),
    ApiError,
> {
    let done = super::admit::admit(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok((axum::http::StatusCode::CREATED, Json(done)))
}

/// `GET /children.xlsx`: the children list as an Excel file.
pub async fn list_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    use crate::http::sheets::date_cell;
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    let rows = children_of(
        &mut node.store(),
        &session.who,
        &facility,
        node.clock.now_millis(),
    )?;
    let mut table = Table::new(
        "Kinder",
        vec![
            Column::new("Nachname", ColumnKind::Text),
            Column::new("Vorname", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Date),
            Column::new("Kita", ColumnKind::Text),
            Column::new("Verträge", ColumnKind::Integer),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.family_name.as_str()),
                Cell::from(r.given_name.as_str()),
                date_cell(&r.birth_date),
                Cell::from(r.facility_name.as_str()),
                Cell::Integer(r.contracts),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Kinder".into(),
        node.config.display_name.clone(),
        &format!("Kinder-{}", facility.0),
        node.clock.now_millis(),
    )
    .await
}

#[derive(Template)]
#[template(path = "guardian_contact.html")]
struct ContactPage {
    chrome: Chrome,
    child: String,
    guardian: String,
    name: String,
    form: super::contact::ContactInput,
    errors: Vec<kitanetz_crdt::validate::FieldError>,
}

impl ContactPage {
    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }

    fn en(&self) -> bool {
        self.chrome.t.lang == "en"
    }

    /// The text fields: name, label, value, input type, autocomplete.
    fn fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str, &'static str)> {
        let t = self.chrome.t;
        let f = &self.form;
        vec![
            ("street", t.street, &f.street, "text", "street-address"),
            ("postcode", t.postcode, &f.postcode, "text", "postal-code"),
            ("city", t.city, &f.city, "text", "address-level2"),
            ("phone", t.phone, &f.phone, "tel", "tel"),
            ("email", t.email, &f.email, "email", "email"),
        ]
    }

    fn respond(&self) -> Result<Response, AppError> {
        crate::http::render_form(self, &self.errors)
    }
}

fn contact_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    child: &ChildId,
    guardian: &kitanetz_crdt::ids::GuardianId,
    form: Option<super::contact::ContactInput>,
    errors: Vec<kitanetz_crdt::validate::FieldError>,
) -> Result<ContactPage, AppError> {
    let (family, at) =
        super::contact::guardian_for_edit(&node.store(), &session.who, child, guardian)?;
    let g = &family.guardians[at];
    let title = if lang == Lang::En {
        "Change address and contact"
    } else {
        "Anschrift und Kontakt ändern"
    };
    Ok(ContactPage {
        chrome: Chrome::new(node, lang, Some(session), title),
        child: child.0.clone(),
        guardian: guardian.0.clone(),
        name: format!("{} {}", g.given_name, g.family_name),
        form: form.unwrap_or_else(|| super::contact::ContactInput::of(g)),
        errors,
    })
}

fn ids(child: &str, guardian: &str) -> Result<(ChildId, kitanetz_crdt::ids::GuardianId), AppError> {
    Ok((
        child
            .parse()
            .map_err(|_| AppError::NotFound(child.to_string()))?,
        guardian
            .parse()
            .map_err(|_| AppError::NotFound(guardian.to_string()))?,
    ))
}

/// `GET /children/{id}/guardians/{guardian}`: the form, filled with what the family says now.
pub async fn contact_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path((child, guardian)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (child, guardian) = ids(&child, &guardian)?;
    contact_page(&node, lang, &session, &child, &guardian, None, vec![])?.respond()
}

/// `POST /children/{id}/guardians/{guardian}`
pub async fn contact_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path((child, guardian)): Path<(String, String)>,
    axum::Form(form): axum::Form<crate::http::Posted<super::contact::ContactInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let (child, guardian) = ids(&child, &guardian)?;
    let changed = super::contact::change_contact(
        &mut node.store(),
        &session.who,
        &child,
        &guardian,
        &form.input,
        node.now(),
    );
    match changed {
        Ok(_) => {
            Ok(axum::response::Redirect::to(&format!("/children/{}", child.0)).into_response())
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            contact_page(
                &node,
                lang,
                &session,
                &child,
                &guardian,
                Some(form.input),
                errors,
            )?
            .respond()
        }
    }
}

/// `PUT /api/children/{id}/guardians/{guardian}` with the form's fields as JSON (checkboxes as
/// `"on"`/`"true"`): the family as it reads now.
pub async fn api_contact(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path((child, guardian)): Path<(String, String)>,
    crate::http::ApiJson(input): crate::http::ApiJson<super::contact::ContactInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (child, guardian) = ids(&child, &guardian)?;
    let family = super::contact::change_contact(
        &mut node.store(),
        &session.who,
        &child,
        &guardian,
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    let g = family
        .guardians
        .iter()
        .find(|g| g.id == guardian)
        .expect("the guardian just changed");
    Ok(Json(serde_json::json!({ "guardian": g })))
}
