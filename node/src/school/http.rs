//! The school entrants page and API.

use super::{exit_entrants, mark, next_school_year, view, ExitInput, MarkInput, SchoolView};
use crate::families::http::{choose_facility, kita_here};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `?year=YYYY&facility=…`; default: the next school year, the caller's Kita.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: String,
    pub facility: Option<String>,
}

/// The Kita and school year asked for (the Kita after checking the caller may see it).
fn asked(node: &Node, session: &Session, q: &YearQuery) -> Result<(FacilityId, i32), AppError> {
    let (facility, _) = choose_facility(node, session, q.facility.as_deref())?;
    let year = match q.year.trim() {
        "" => next_school_year(node.clock.today().0, &kitanetz_occupancy::Rules::default()),
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("year: {y:?} (JJJJ / YYYY)")))?,
    };
    Ok((facility, year))
}

#[derive(Template)]
#[template(path = "school.html")]
struct Page {
    chrome: Chrome,
    v: SchoolView,
    /// The mark form as typed.
    form: MarkInput,
    errors: Vec<FieldError>,
    /// The caller may change the children's contracts (mark, deregister).
    edits: bool,
}

impl Page {
    fn mark_label(&self, mark: &Option<String>) -> &'static str {
        let t = self.chrome.t;
        match mark.as_deref() {
            Some("on-request") => t.rule_on_request,
            Some("deferred") => t.rule_deferred,
            _ => t.rule_statutory,
        }
    }

    /// Every child of the three lists, for the mark form: (contract, name).
    fn children(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self
            .v
            .entrants
            .iter()
            .chain(&self.v.may_enter_on_request)
            .chain(&self.v.deferred)
            .filter(|c| !c.exited)
            .map(|c| (c.contract.as_str(), c.name.as_str()))
            .collect();
        all.sort_by(|a, b| a.1.cmp(b.1));
        all
    }
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    q: &YearQuery,
    form: MarkInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (facility, year) = asked(node, session, q)?;
    let v = view(&node.store(), &session.who, &facility, year)?;
    let edits = crate::auth::authorize(
        &session.who,
        crate::auth::Action::EditContracts {
            facility: &facility,
            provider: &crate::facilities::provider_of(&node.store(), &facility)?,
        },
    )
    .is_ok();
    let title = crate::http::i18n::texts(lang).school_entrants;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        format!("{title} {}", v.school_year),
    );
    let page = Page {
        chrome,
        v,
        form,
        errors,
        edits,
    };
    render_form(&page, &page.errors)
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    page_of(&node, lang, &session, &q, MarkInput::default(), vec![])
}

/// `POST /school/mark`: on request, deferred, or as the statute says.
pub async fn mark_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
    Form(form): Form<Posted<MarkInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    let result = mark(
        &mut node.store(),
        &session.who,
        &facility,
        &form.input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/school?facility={}", facility.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page_of(&node, lang, &session, &q, form.input, errors)
        }
    }
}

/// The exit form: `school_year`, and `contract.<id>=on` per chosen child.
#[derive(Debug, Default, Deserialize)]
pub struct ExitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    school_year: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

/// `POST /school/exit`: deregister the chosen entrants.
pub async fn exit_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
    Form(form): Form<ExitForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    let q = YearQuery {
        year: form.school_year.clone(),
        facility: Some(facility.0.clone()),
    };
    let (_, year) = asked(&node, &session, &q)?;
    let input = ExitInput {
        school_year: year,
        contracts: form
            .rest
            .iter()
            .filter(|(_, v)| crate::input::checked(v))
            .filter_map(|(k, _)| k.strip_prefix("contract.").map(str::to_string))
            .collect(),
    };
    let result = exit_entrants(
        &mut node.store(),
        &session.who,
        &facility,
        &input,
        node.now(),
    );
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/school?year={year}&facility={}", facility.0)).into_response(),
        ),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page_of(&node, lang, &session, &q, MarkInput::default(), errors)
        }
    }
}

pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
) -> Result<Json<SchoolView>, ApiError> {
    let (facility, year) = asked(&node, &session, &q)?;
    Ok(Json(
        view(&node.store(), &session.who, &facility, year).map_err(AppError::from)?,
    ))
}

pub async fn api_mark(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
    ApiJson(input): ApiJson<MarkInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    let contract = mark(
        &mut node.store(),
        &session.who,
        &facility,
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok(Json(serde_json::json!({
        "contract": contract.id.0,
        "school_entry": contract.school_entry,
    })))
}

/// `POST /api/school/exits` `{ "school_year": 2027, "contracts": […] }`; the Kita is the node's
/// own, or `?facility=` on the Träger's node.
pub async fn api_exit(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
    ApiJson(input): ApiJson<ExitInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    let exited = exit_entrants(
        &mut node.store(),
        &session.who,
        &facility,
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok(Json(serde_json::json!({ "exited": exited })))
}

/// `GET /school.xlsx`: the three lists as an Excel file.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (facility, year) = asked(&node, &session, &q)?;
    let v = view(&node.store(), &session.who, &facility, year)?;
    let t = crate::http::i18n::texts(Lang::De);
    let table = |title: &str, children: &[super::SchoolChild]| {
        let mut table = Table::new(
            title,
            vec![
                Column::new("Kind", ColumnKind::Text),
                Column::new("Geburtsdatum", ColumnKind::Date),
                Column::new("Erster Schultag", ColumnKind::Date),
                Column::new("Einschulung", ColumnKind::Text),
                Column::new("Abgemeldet", ColumnKind::YesNo),
            ],
        );
        table.rows = children
            .iter()
            .map(|c| {
                vec![
                    Cell::from(c.name.as_str()),
                    Cell::Date(c.birth_date),
                    Cell::Date(c.first_school_day),
                    Cell::from(match c.mark.as_deref() {
                        Some("on-request") => t.rule_on_request,
                        Some("deferred") => t.rule_deferred,
                        _ => t.rule_statutory,
                    }),
                    Cell::YesNo(c.exited),
                ]
            })
            .collect();
        table
    };
    crate::http::sheets::xlsx_response(
        vec![
            table("Schulanfänger", &v.entrants),
            table("Auf Antrag möglich", &v.may_enter_on_request),
            table("Schulrücksteller", &v.deferred),
        ],
        format!("Schulanfänger {} – {}", v.school_year, v.facility_name),
        node.config.display_name.clone(),
        &format!("Schulanfaenger-{}-{}", facility.0, v.school_year),
        node.clock.now_millis(),
    )
    .await
}

/// `GET /school/certificates.pdf?year=`: the exit certificates of the children deregistered
/// for school this year, one page each, to print together.
pub async fn certificates_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let facility = kita_here(&node, &session, q.facility.as_deref())?;
    let (_, year) = asked(&node, &session, &q)?;
    let today = node.clock.today();
    // Gathered under the store's lock; rendered after it is released.
    let certificates = super::certificates(&node.store(), &session.who, &facility, year, today)?;
    let pdf = crate::letters::exit_certificates_pdf(
        certificates,
        format!("exit-certificates/{}/{year}/{today}", facility.0),
    )
    .await?;
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Austrittsbescheinigungen-{}-{year}.pdf", facility.0),
    ))
}
