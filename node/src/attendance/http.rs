//! The attendance page and API.

use super::{record_day, view, AttendanceView, DayInput};
use crate::families::http::choose_facility;
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::AttendanceMark;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `?date=YYYY-MM-DD&facility=…`; default: today, the caller's Kita.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    pub date: String,
    pub facility: Option<String>,
}

/// The yearly maximum of days paid for, as this node is configured.
fn max_per_year(node: &Node) -> u32 {
    node.config
        .kita
        .as_ref()
        .map_or(super::DEFAULT_MAX_BILLABLE_DAYS, |k| k.attendance_max_days)
}

/// The Kita and day asked for, after the caller was authorised for the Kita.
fn asked(
    node: &Node,
    session: &Session,
    q: &DayQuery,
) -> Result<(kitanetz_crdt::ids::FacilityId, Date), AppError> {
    let (facility, _) = choose_facility(node, session, q.facility.as_deref())?;
    super::authorize_view(&node.store(), &session.who, &facility)?;
    if q.date.trim().is_empty() {
        return Ok((facility, node.clock.today()));
    }
    let day = q
        .date
        .trim()
        .parse::<Date>()
        .ok()
        .filter(|d| d.is_plausible())
        .ok_or_else(|| {
            AppError::BadRequest(format!("date: {:?} (JJJJ-MM-TT / YYYY-MM-DD)", q.date))
        })?;
    Ok((facility, day))
}

#[derive(Template)]
#[template(path = "attendance.html")]
struct Page {
    chrome: Chrome,
    v: AttendanceView,
    lang: Lang,
    errors: Vec<FieldError>,
}

impl Page {
    fn marks(&self) -> Vec<(&'static str, &'static str)> {
        AttendanceMark::ALL
            .iter()
            .map(|m| {
                (
                    m.as_str(),
                    if self.lang == Lang::En {
                        m.label_en()
                    } else {
                        m.label_de()
                    },
                )
            })
            .collect()
    }
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    q: &DayQuery,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (facility, day) = asked(node, session, q)?;
    let v = view(
        &mut node.store(),
        &session.who,
        &facility,
        day,
        max_per_year(node),
        node.now(),
    )?;
    let title = crate::http::i18n::texts(lang).attendance;
    let chrome = Chrome::new(node, lang, Some(session), format!("{title} {}", v.date));
    let page = Page {
        chrome,
        v,
        lang,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    page_of(&node, lang, &session, &q, vec![])
}

/// The day form: `date`, and `mark.<child id>` per child.
#[derive(Debug, Default, Deserialize)]
pub struct DayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

pub async fn record_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<DayForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let input = DayInput {
        date: form.date.clone(),
        marks: form
            .rest
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("mark.").map(|c| (c.to_string(), v.clone())))
            .collect(),
    };
    let result = record_day(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    );
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/attendance?date={}", input.date.trim())).into_response())
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            let q = DayQuery {
                date: if input.date.trim().parse::<Date>().is_ok() {
                    input.date
                } else {
                    String::new()
                },
                facility: None,
            };
            page_of(&node, lang, &session, &q, errors)
        }
    }
}

pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<DayQuery>,
) -> Result<Json<AttendanceView>, ApiError> {
    let (facility, day) = asked(&node, &session, &q)?;
    Ok(Json(
        view(
            &mut node.store(),
            &session.who,
            &facility,
            day,
            max_per_year(&node),
            node.now(),
        )
        .map_err(AppError::from)?,
    ))
}

pub async fn api_record(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<DayInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let recorded = record_day(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok(Json(serde_json::json!({ "recorded": recorded })))
}

/// `GET /attendance.xlsx`: the year per child as an Excel file.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let (facility, day) = asked(&node, &session, &q)?;
    let v = view(
        &mut node.store(),
        &session.who,
        &facility,
        day,
        max_per_year(&node),
        node.now(),
    )?;
    let count = |n: u32| Cell::Integer(i64::from(n));
    let mut table = Table::new(
        format!("Anwesenheit {}", v.year),
        vec![
            Column::new("Kind", ColumnKind::Text),
            Column::new("Anwesend", ColumnKind::Integer),
            Column::new("Krank", ColumnKind::Integer),
            Column::new("Urlaub", ColumnKind::Integer),
            Column::new("Sonstige Fehltage", ColumnKind::Integer),
            Column::new("Tage im Platz", ColumnKind::Integer),
            Column::new("Höchstens abrechenbar", ColumnKind::Integer),
            Column::new("Abrechenbar", ColumnKind::Integer),
            Column::new("Über dem Höchstwert", ColumnKind::Integer),
        ],
    );
    table.rows = v
        .year_rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.as_str()),
                count(r.present),
                count(r.sick),
                count(r.vacation),
                count(r.absent),
                count(r.days_in_care),
                count(r.cap),
                count(r.billable),
                count(r.over_cap),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Anwesenheit {}", v.year),
        node.config.display_name.clone(),
        &format!("Anwesenheit-{}-{}", facility.0, v.year),
        node.clock.now_millis(),
    )
    .await
}
