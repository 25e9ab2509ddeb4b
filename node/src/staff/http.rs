//! The staff list (with the forms of the Träger's admin), the staffing balance page, their
//! Excel files and the API.

use super::{
    add_absence, add_assignment, create, end_assignment, list, qualification_options, staffing,
    EndAssignment, NewAbsence, NewAssignment, StaffInput, StaffRow, StaffingView,
};
use crate::families::http::kita_here;
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiJson, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::Datelike;
use kitanetz_crdt::kinds::staff::ABSENCE_REASONS;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "staff.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<StaffRow>,
    /// The Träger's admin keeps the staff here (the forms are shown).
    manages: bool,
    /// (id, name) of the Träger's Kitas.
    facilities: Vec<(String, String)>,
    qualifications: Vec<(&'static str, &'static str)>,
    absence_reasons: Vec<(&'static str, &'static str)>,
    /// The Kita-Data-Webhouse choices of the correction form: (code, label).
    sexes: Vec<(&'static str, &'static str)>,
    kdw_activities: Vec<(&'static str, &'static str)>,
    kdw_areas: Vec<(&'static str, &'static str)>,
    form: StaffInput,
    errors: Vec<FieldError>,
}

fn list_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    form: StaffInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (rows, manages, facilities) = {
        let store = node.store();
        let rows = list(&store, &session.who, node.clock.today())?;
        let manages = super::authorize_manage(&store, &session.who).is_ok();
        let facilities = match store.membership().provider.as_ref() {
            Some(p) if manages => crate::facilities::of_provider(&store, p)?,
            _ => vec![],
        };
        (rows, manages, facilities)
    };
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).staff,
    );
    let page = ListPage {
        chrome,
        rows,
        manages,
        facilities,
        qualifications: qualification_options(),
        absence_reasons: ABSENCE_REASONS.to_vec(),
        sexes: super::statistics::SEXES
            .iter()
            .map(|(code, _, label)| (*code, *label))
            .collect(),
        kdw_activities: kitanetz_crdt::kinds::staff::KDW_ACTIVITIES.to_vec(),
        kdw_areas: kitanetz_crdt::kinds::staff::KDW_EDUCATOR_AREAS.to_vec(),
        form,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    list_page(&node, lang, &session, StaffInput::default(), vec![])
}

/// `POST /staff`: a new person with a first assignment.
pub async fn create_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<StaffInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = create(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/staff").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            list_page(&node, lang, &session, form.input, errors)
        }
    }
}

/// `POST /staff/assignments`: another Kita or other hours from a date.
pub async fn assign_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<NewAssignment>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = add_assignment(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/staff").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            list_page(&node, lang, &session, StaffInput::default(), errors)
        }
    }
}

/// `POST /staff/absences`: long-term illness, maternity protection, parental leave.
pub async fn absence_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<NewAbsence>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = add_absence(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/staff").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            list_page(&node, lang, &session, StaffInput::default(), errors)
        }
    }
}

/// The end form: `assignment` is `<staff id>/<assignment id>` (one select), `until`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    pub assignment: String,
    pub until: String,
}

/// `POST /staff/assignments/end`: a person leaves a Kita (or a role).
pub async fn end_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<EndForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let (staff, assignment) = form
        .input
        .assignment
        .split_once('/')
        .unwrap_or((form.input.assignment.as_str(), ""));
    let input = EndAssignment {
        staff: staff.to_string(),
        assignment: assignment.to_string(),
        until: form.input.until.clone(),
    };
    let result = end_assignment(&mut node.store(), &session.who, &input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/staff").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            list_page(&node, lang, &session, StaffInput::default(), errors)
        }
    }
}

pub async fn api_end(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<EndAssignment>,
) -> Result<Json<kitanetz_crdt::kinds::StaffMember>, ApiError> {
    Ok(Json(
        end_assignment(&mut node.store(), &session.who, &input, node.now())
            .map_err(AppError::from)?,
    ))
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<StaffRow>>, ApiError> {
    Ok(Json(
        list(&node.store(), &session.who, node.clock.today()).map_err(AppError::from)?,
    ))
}

pub async fn api_create(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<StaffInput>,
) -> Result<Response, ApiError> {
    let member =
        create(&mut node.store(), &session.who, &input, node.now()).map_err(AppError::from)?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

pub async fn api_assign(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<NewAssignment>,
) -> Result<Json<kitanetz_crdt::kinds::StaffMember>, ApiError> {
    Ok(Json(
        add_assignment(&mut node.store(), &session.who, &input, node.now())
            .map_err(AppError::from)?,
    ))
}

pub async fn api_absence(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<NewAbsence>,
) -> Result<Json<kitanetz_crdt::kinds::StaffMember>, ApiError> {
    Ok(Json(
        add_absence(&mut node.store(), &session.who, &input, node.now()).map_err(AppError::from)?,
    ))
}

/// `?year=YYYY&facility=…`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: String,
    pub facility: Option<String>,
}

fn balance_for(node: &Node, session: &Session, q: &YearQuery) -> Result<StaffingView, AppError> {
    let facility = kita_here(node, session, q.facility.as_deref())?;
    let today = node.clock.today();
    let year = match q.year.trim() {
        "" => today.0.year(),
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("year: {y:?} (JJJJ / YYYY)")))?,
    };
    Ok(staffing(
        &node.store(),
        &session.who,
        &facility,
        year,
        today,
    )?)
}

#[derive(Template)]
#[template(path = "staffing.html")]
struct BalancePage {
    chrome: Chrome,
    v: StaffingView,
}

/// `GET /staffing`: Soll against Ist month by month (3.7.2.6).
pub async fn balance_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let v = balance_for(&node, &session, &q)?;
    let title = crate::http::i18n::texts(lang).staffing_ratio;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        format!("{title} {} {}", v.facility_name, v.year),
    );
    render_form(&BalancePage { chrome, v }, &[])
}

pub async fn api_balance(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
) -> Result<Json<StaffingView>, ApiError> {
    Ok(Json(balance_for(&node, &session, &q)?))
}

/// `GET /staffing.xlsx`: the months as an Excel file, with a chart of Soll and Ist.
pub async fn balance_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let v = balance_for(&node, &session, &q)?;
    let mut table = Table::new(
        format!("Personalschlüssel {} {}", v.facility_name, v.year),
        vec![
            Column::new("Monat", ColumnKind::Text),
            Column::new("Vorschau", ColumnKind::YesNo),
            Column::new("Kinder", ColumnKind::Integer),
            Column::new("Soll Betreuung (VbE)", ColumnKind::Decimal),
            Column::new("Soll Leitung (VbE)", ColumnKind::Decimal),
            Column::new("Soll gesamt (VbE)", ColumnKind::Decimal),
            Column::new("Ist (VbE)", ColumnKind::Decimal),
            Column::new("Überhang (+) / Bedarf (−)", ColumnKind::Decimal),
        ],
    );
    table.rows = v
        .months
        .iter()
        .map(|m| {
            vec![
                Cell::from(m.month.as_str()),
                Cell::YesNo(m.forecast),
                Cell::Integer(i64::try_from(m.children).unwrap_or(i64::MAX)),
                Cell::Decimal(m.soll_educator),
                Cell::Decimal(m.soll_leadership),
                Cell::Decimal(m.soll_total),
                Cell::Decimal(m.ist_total),
                Cell::Decimal(m.difference),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Personalschlüssel {} {}", v.facility_name, v.year),
        node.config.display_name.clone(),
        &format!("Personalschluessel-{}-{}", v.facility, v.year),
        node.clock.now_millis(),
    )
    .await
}

/// `GET /staff.xlsx`: the staff list as the page shows it. Names and birth dates leave the
/// system: the export is audited with the persons.
pub async fn list_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let now = node.now();
    let rows = {
        let mut store = node.store();
        let rows = list(&store, &session.who, now.today)?;
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "staff.export",
            target: None,
            subjects: rows.iter().map(|r| r.id.clone()).collect(),
            valid_from: None,
        })?;
        rows
    };
    let mut table = Table::new(
        "Personal",
        vec![
            Column::new("Name", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Date),
            Column::new("Qualifikation", ColumnKind::Text),
            Column::new("Zählt für den Schlüssel", ColumnKind::YesNo),
            Column::new("Einsätze", ColumnKind::Text),
            Column::new("Abwesenheiten", ColumnKind::Text),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.as_str()),
                r.birth_date.map_or(Cell::Empty, |d| Cell::Date(d.0)),
                Cell::from(r.qualification.as_str()),
                Cell::YesNo(r.counts_towards_key),
                Cell::from(r.assignments.join("; ").as_str()),
                Cell::from(r.absences.join("; ").as_str()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Personal".into(),
        node.config.display_name.clone(),
        &format!("personal-{}", now.today),
        now.millis,
    )
    .await
}

/// `POST /staff/person`: a person's names, birth date or qualification corrected, and the data
/// the Kita-Data-Webhouse asks.
pub async fn correct_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<super::PersonCorrection>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = super::correct_person(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/staff").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            list_page(&node, lang, &session, StaffInput::default(), errors)
        }
    }
}

/// `POST /api/staff/person` with the same fields as JSON.
pub async fn api_correct(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<super::PersonCorrection>,
) -> Result<Json<kitanetz_crdt::kinds::StaffMember>, ApiError> {
    Ok(Json(
        super::correct_person(&mut node.store(), &session.who, &input, node.now())
            .map_err(AppError::from)?,
    ))
}
