//! The extra-care page of a Kita, the Beitragsstelle's watch list, and their API.

use super::{
    parse_month, record, remove, report, reported, view, EntryInput, ExtraCareView, MonthInput,
    ReportedMonth,
};
use crate::families::http::choose_facility;
use crate::http::pages::Chrome;
use crate::http::{
    render, render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session,
};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::{ExtraCareEntry, ExtraCareMonth};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// `?month=YYYY-MM&facility=…`; default: this month, the caller's Kita.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    pub month: String,
    pub facility: Option<String>,
}

/// The Kita and month asked for; the month is parsed only after the caller was authorised for
/// the Kita.
fn asked(
    node: &Node,
    session: &Session,
    q: &MonthQuery,
) -> Result<(kitanetz_crdt::ids::FacilityId, Date), AppError> {
    let (facility, _) = choose_facility(node, session, q.facility.as_deref())?;
    crate::attendance::authorize_view(&node.store(), &session.who, &facility)?;
    if q.month.trim().is_empty() {
        return Ok((facility, ExtraCareMonth::month_of(node.clock.today())));
    }
    let month = parse_month(&q.month)
        .ok_or_else(|| AppError::BadRequest(format!("month: {:?} (JJJJ-MM / YYYY-MM)", q.month)))?;
    Ok((facility, month))
}

#[derive(Template)]
#[template(path = "extra_care.html")]
struct Page {
    chrome: Chrome,
    v: ExtraCareView,
    form: EntryInput,
    errors: Vec<FieldError>,
}

fn page_of(
    node: &Node,
    lang: Lang,
    session: &Session,
    q: &MonthQuery,
    form: EntryInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (facility, month) = asked(node, session, q)?;
    let v = view(
        &mut node.store(),
        &session.who,
        &facility,
        month,
        node.now(),
    )?;
    let title = crate::http::i18n::texts(lang).extra_care;
    let chrome = Chrome::new(node, lang, Some(session), format!("{title} {}", v.month));
    let page = Page {
        chrome,
        v,
        form,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    page_of(&node, lang, &session, &q, EntryInput::default(), vec![])
}

fn back_to(month: &str) -> Response {
    Redirect::to(&format!("/extra-care?month={month}")).into_response()
}

/// `POST /extra-care`: one day of extra care.
pub async fn record_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<EntryInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = record(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    match result {
        Ok(entry) => Ok(back_to(&entry.date.0.format("%Y-%m").to_string())),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let month = form.input.date.get(..7).unwrap_or_default().to_string();
            let q = MonthQuery {
                month: if parse_month(&month).is_some() {
                    month
                } else {
                    String::new()
                },
                facility: None,
            };
            page_of(&node, lang, &session, &q, form.input, errors)
        }
    }
}

/// `POST /extra-care/remove`: a day recorded by mistake, before the month is reported.
pub async fn remove_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<Posted<MonthInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    remove(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    )?;
    Ok(back_to(&form.input.month))
}

/// `POST /extra-care/report`: the month to the Beitragsstelle.
pub async fn report_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<Posted<MonthInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    report(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    )?;
    Ok(back_to(&form.input.month))
}

#[derive(Template)]
#[template(path = "fees_extra_care.html")]
struct WatchPage {
    chrome: Chrome,
    months: Vec<ReportedMonth>,
    /// Processed months are listed too.
    all: bool,
    /// How many processed months are hidden.
    hidden: usize,
}

/// `?all=on`: the processed months as well.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WatchQuery {
    all: String,
}

/// `GET /fees/extra-care`: the Beitragsstelle's watch list.
pub async fn watch_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<WatchQuery>,
) -> Result<Response, AppError> {
    let mut months = reported(&mut node.store(), &session.who, node.now())?;
    // A month whose decisions are all issued leaves the watch list (Lastenheft 3.6.18: "von
    // der Überwachungsliste entfernt und als bearbeitet markiert"); `?all=on` shows it.
    let all = crate::input::checked(&q.all);
    let before = months.len();
    if !all {
        months.retain(|m| !m.processed);
    }
    let hidden = before - months.len();
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).extra_care_fees,
    );
    render(&WatchPage {
        chrome,
        months,
        all,
        hidden,
    })
}

pub async fn api_watch(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<ReportedMonth>>, ApiError> {
    Ok(Json(
        reported(&mut node.store(), &session.who, node.now()).map_err(AppError::from)?,
    ))
}

pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<MonthQuery>,
) -> Result<Json<ExtraCareView>, ApiError> {
    let (facility, month) = asked(&node, &session, &q)?;
    Ok(Json(
        view(
            &mut node.store(),
            &session.who,
            &facility,
            month,
            node.now(),
        )
        .map_err(AppError::from)?,
    ))
}

pub async fn api_record(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<(StatusCode, Json<ExtraCareEntry>), ApiError> {
    let entry = record(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(entry)))
}

pub async fn api_remove(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<MonthInput>,
) -> Result<StatusCode, ApiError> {
    remove(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )
    .map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_report(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<MonthInput>,
) -> Result<Json<ExtraCareMonth>, ApiError> {
    Ok(Json(
        report(
            &mut node.store(),
            &session.who,
            node.config.facility.as_ref(),
            &input,
            node.now(),
        )
        .map_err(AppError::from)?,
    ))
}

/// The recorded days as a table (Kita page and the Beitragsstelle's watch list).
fn entries_table(
    title: &str,
    months: &[(String, String, &[super::EntryRow])],
) -> kitanetz_sheets::Table {
    use crate::http::sheets::{date_cell, money_cell};
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let mut table = Table::new(
        title,
        vec![
            Column::new("Kita", ColumnKind::Text),
            Column::new("Gemeldet am", ColumnKind::Date),
            Column::new("Tag", ColumnKind::Date),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Von", ColumnKind::Text),
            Column::new("Bis", ColumnKind::Text),
            Column::new("Überschrittene Stufen", ColumnKind::Integer),
            Column::new("Nach der Öffnungszeit", ColumnKind::YesNo),
            Column::new("Unterrichtsfreier Tag", ColumnKind::YesNo),
            Column::new("Betrag", ColumnKind::Money),
        ],
    );
    for (kita, reported, entries) in months {
        for e in entries.iter() {
            table.rows.push(vec![
                Cell::from(kita.as_str()),
                date_cell(reported),
                date_cell(&e.date),
                Cell::from(e.name.as_str()),
                Cell::from(e.from.as_str()),
                Cell::from(e.to.as_str()),
                Cell::Integer(i64::from(e.extra_tiers)),
                Cell::YesNo(e.outside_opening_hours),
                Cell::YesNo(e.school_free_day),
                money_cell(&e.amount),
            ]);
        }
    }
    table
}

/// `GET /extra-care.xlsx`: a month of the Kita's extra care as an Excel file.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (facility, month) = asked(&node, &session, &q)?;
    let v = view(
        &mut node.store(),
        &session.who,
        &facility,
        month,
        node.now(),
    )?;
    let name = crate::facilities::names(&node.store())?
        .get(&facility.0)
        .cloned()
        .unwrap_or_default();
    let table = entries_table(
        &format!("Mehrbetreuung {}", v.month),
        &[(name, v.reported_on.clone().unwrap_or_default(), &v.entries)],
    );
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Mehrbetreuung {}", v.month),
        node.config.display_name.clone(),
        &format!("Mehrbetreuung-{}-{}", facility.0, v.month),
        node.clock.now_millis(),
    )
    .await
}

/// `GET /fees/extra-care.xlsx`: the Beitragsstelle's watch list as an Excel file.
pub async fn watch_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    let months = reported(&mut node.store(), &session.who, node.now())?;
    let rows: Vec<(String, String, &[super::EntryRow])> = months
        .iter()
        .map(|m| {
            (
                format!("{} {}", m.facility_name, m.month),
                m.reported_on.clone().unwrap_or_default(),
                m.entries.as_slice(),
            )
        })
        .collect();
    let table = entries_table("Mehrbetreuung", &rows);
    crate::http::sheets::xlsx_response(
        vec![table],
        "Mehrbetreuung".into(),
        node.config.display_name.clone(),
        "Mehrbetreuung",
        node.clock.now_millis(),
    )
    .await
}
