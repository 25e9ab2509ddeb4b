//! Facility pages and API.

use super::{
    change_places, detail, list, update_profile, FacilityDetail, FacilityRow, PlacesInput,
    ProfileInput,
};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{is_htmx, render, ApiError, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

const PAGE_SIZE: usize = 200;

fn parse_id(id: &str) -> Result<FacilityId, AppError> {
    id.parse().map_err(|_| AppError::NotFound(id.to_string()))
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "facilities.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<FacilityRow>,
    total: usize,
}

#[derive(Template)]
#[template(path = "facilities_partial.html")]
struct ListPartial {
    chrome: Chrome,
    rows: Vec<FacilityRow>,
    total: usize,
}

pub async fn list_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let (rows, total) = list(
        &node.store(),
        &session.who,
        &query.q,
        node.clock.today(),
        PAGE_SIZE,
    )?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).facilities,
    );
    if is_htmx(&headers) {
        render(&ListPartial {
            chrome,
            rows,
            total,
        })
    } else {
        render(&ListPage {
            chrome,
            q: query.q,
            rows,
            total,
        })
    }
}

#[derive(Template)]
#[template(path = "facility.html")]
struct DetailPage {
    chrome: Chrome,
    d: FacilityDetail,
    may_edit: bool,
    saved: bool,
    /// The city's placement office changes approved places.
    may_change_places: bool,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn detail_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let d = detail(&node.store(), &session.who, &id, node.clock.today())?;
    let may_edit = authorize(
        &session.who,
        Action::EditFacilityProfile {
            facility: &id,
            provider: &d.profile.provider,
        },
    )
    .is_ok();
    let may_change_places = authorize(&session.who, Action::EditFacilityLicence).is_ok();
    let chrome = Chrome::new(&node, lang, Some(&session), d.profile.name.clone());
    render(&DetailPage {
        chrome,
        d,
        may_edit,
        may_change_places,
        saved: q.saved.is_some(),
    })
}

#[derive(Template)]
#[template(path = "facility_edit.html")]
struct EditPage {
    chrome: Chrome,
    id: String,
    input: ProfileInput,
    errors: Vec<FieldError>,
    lang: Lang,
}

impl EditPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The concept tags to choose from: (key, label).
    fn tags(&self) -> Vec<(&'static str, &'static str)> {
        kitanetz_crdt::kinds::facility::CONCEPT_TAGS
            .iter()
            .map(|t| (t.key, if self.en() { t.label_en } else { t.label_de }))
            .collect()
    }

    fn text(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }

    /// The one-line portal fields: (name, label, value, example).
    fn portal_fields(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        let i = &self.input;
        let l = |de, en| if self.en() { en } else { de };
        vec![
            (
                "website",
                l("Internetseite", "Website"),
                self.text(&i.website),
                "https://…",
            ),
            (
                "age_from_months",
                l(
                    "Jüngstes Alter (vollendete Monate)",
                    "Youngest age (completed months)",
                ),
                self.text(&i.age_from_months),
                "",
            ),
            (
                "age_to_months",
                l(
                    "Ältestes Alter (vollendete Monate)",
                    "Oldest age (completed months)",
                ),
                self.text(&i.age_to_months),
                "",
            ),
            (
                "opens",
                l("Öffnet (HH:MM)", "Opens (HH:MM)"),
                self.text(&i.opens),
                "06:30",
            ),
            (
                "closes",
                l("Schließt (HH:MM)", "Closes (HH:MM)"),
                self.text(&i.closes),
                "17:00",
            ),
            (
                "extra_fees",
                l("Zusatzbeiträge (leer: keine)", "Extra fees (empty: none)"),
                self.text(&i.extra_fees),
                "",
            ),
        ]
    }

    /// The one-line fields of the form: (name, label, value).
    fn fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let t = self.chrome.t;
        let i = &self.input;
        vec![
            ("name", t.name, i.name.clone()),
            ("street", t.street, i.street.clone()),
            ("postcode", t.postcode, i.postcode.clone()),
            ("city", t.city, i.city.clone()),
            ("district", t.district, i.district.clone()),
            ("opening_hours", t.opening_hours, i.opening_hours.clone()),
            ("lead_name", t.lead, i.lead_name.clone()),
            ("email", t.email, i.email.clone()),
            ("phone", t.phone, i.phone.clone()),
            ("cost_centre", t.cost_centre, i.cost_centre.clone()),
        ]
    }

    fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field || e.field == format!("address.{field}"))
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

pub async fn edit_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let d = detail(&node.store(), &session.who, &id, node.clock.today())?;
    authorize(
        &session.who,
        Action::EditFacilityProfile {
            facility: &id,
            provider: &d.profile.provider,
        },
    )?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        format!(
            "{} – {}",
            d.profile.name,
            crate::http::i18n::texts(lang).edit
        ),
    );
    render(&EditPage {
        chrome,
        id: id.0,
        input: ProfileInput::from_profile(&d.profile),
        errors: vec![],
        lang,
    })
}

pub async fn edit_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    session.check_csrf(csrf)?;
    let id = parse_id(&id)?;
    let input = ProfileInput::from_pairs(&pairs);
    let result = {
        let mut store = node.store();
        update_profile(&mut store, &session.who, &id, &input, node.now())
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/facilities/{}?saved=1", id.0)).into_response()),
        Err(e) => {
            // Show the form again with what was typed and every problem next to its field.
            let errors = e.into_field_errors()?;
            let chrome = Chrome::new(
                &node,
                lang,
                Some(&session),
                crate::http::i18n::texts(lang).edit,
            );
            let page = EditPage {
                chrome,
                id: id.0,
                input,
                errors,
                lang,
            };
            crate::http::render_form(&page, &page.errors)
        }
    }
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(query): Query<SearchQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (rows, total) = list(
        &node.store(),
        &session.who,
        &query.q,
        node.clock.today(),
        10_000,
    )?;
    Ok(Json(
        serde_json::json!({ "total": total, "facilities": rows }),
    ))
}

pub async fn api_detail(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<FacilityDetail>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(detail(
        &node.store(),
        &session.who,
        &id,
        node.clock.today(),
    )?))
}

pub async fn api_update_profile(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Json(input): Json<ProfileInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = parse_id(&id)?;
    let mut store = node.store();
    let changed = update_profile(&mut store, &session.who, &id, &input, node.now())
        .map_err(AppError::from)?;
    Ok(Json(serde_json::json!({ "changed": changed })))
}

#[derive(Template)]
#[template(path = "facility_places.html")]
struct PlacesPage {
    chrome: Chrome,
    d: FacilityDetail,
    input: PlacesInput,
    care_types: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
}

impl PlacesPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

fn places_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &FacilityId,
    input: PlacesInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let d = detail(&node.store(), &session.who, id, node.clock.today())?;
    let t = crate::http::i18n::texts(lang);
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        format!("{} – {}", d.profile.name, t.change_places),
    );
    let page = PlacesPage {
        chrome,
        d,
        input,
        care_types: CareType::ALL
            .iter()
            .map(|c| (c.as_str(), c.label_de()))
            .collect(),
        errors,
    };
    crate::http::render_form(&page, &page.errors)
}

pub async fn places_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::EditFacilityLicence)?;
    let id = parse_id(&id)?;
    let input = PlacesInput {
        valid_from: node.clock.today().to_string(),
        ..PlacesInput::default()
    };
    places_page(&node, lang, &session, &id, input, vec![])
}

pub async fn places_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<PlacesInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let id = parse_id(&id)?;
    let result = change_places(
        &mut node.store(),
        &session.who,
        &id,
        &form.input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/facilities/{}?saved=1", id.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            places_page(&node, lang, &session, &id, form.input, errors)
        }
    }
}

pub async fn api_change_places(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Json(input): Json<PlacesInput>,
) -> Result<Json<kitanetz_crdt::kinds::FacilityLicence>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(change_places(
        &mut node.store(),
        &session.who,
        &id,
        &input,
        node.now(),
    )?))
}

/// `GET /facilities.xlsx?q=…`: the directory with the page's search, every match (no personal
/// data).
pub async fn list_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (rows, _) = list(
        &node.store(),
        &session.who,
        &query.q,
        node.clock.today(),
        100_000,
    )?;
    let mut table = Table::new(
        "Einrichtungen",
        vec![
            Column::new("Einrichtung", ColumnKind::Text),
            Column::new("Ortsamt", ColumnKind::Text),
            Column::new("Straße", ColumnKind::Text),
            Column::new("PLZ", ColumnKind::Text),
            Column::new("Träger", ColumnKind::Text),
            Column::new("Plätze heute", ColumnKind::Integer),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.as_str()),
                Cell::from(r.district.as_str()),
                Cell::from(r.street.as_str()),
                Cell::from(r.postcode.as_str()),
                Cell::from(r.provider_name.as_str()),
                Cell::Integer(r.places_today),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Einrichtungen".into(),
        node.config.display_name.clone(),
        &format!("einrichtungen-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}
