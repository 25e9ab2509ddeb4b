//! The Träger's statistics pages and API.

use super::kdw::KdwKita;
use super::kjh::KjhKita;
use super::{kdw_statistic, kdw_xml, kjh_statistic, landeszuschuss, SubsidyCount};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// `?year=2026`; default: the year of the last 1 April (this year from April on).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: String,
}

fn year_of(node: &Node, q: &YearQuery) -> Result<i32, AppError> {
    use chrono::Datelike;
    if q.year.trim().is_empty() {
        let today = node.clock.today().0;
        return Ok(if today.month() >= 4 {
            today.year()
        } else {
            today.year() - 1
        });
    }
    q.year
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest(format!("year: {:?}", q.year)))
}

#[derive(Template)]
#[template(path = "statistics_landeszuschuss.html")]
struct Page {
    chrome: Chrome,
    year: i32,
    counts: Vec<SubsidyCount>,
}

impl Page {
    /// Two places, half up, as the form prints them.
    fn two(&self, value: &rust_decimal::Decimal) -> String {
        format!(
            "{:.2}",
            value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        )
    }
}

pub async fn landeszuschuss_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    // Authorised inside `landeszuschuss` before anything is read; the year is checked after.
    let year = match year_of(&node, &q) {
        Ok(year) => year,
        Err(e) => {
            landeszuschuss(&node.store(), &session.who, 2000)?;
            return Err(e);
        }
    };
    let counts = landeszuschuss(&node.store(), &session.who, year)?;
    let title = crate::http::i18n::texts(lang).landeszuschuss;
    let chrome = Chrome::new(&node, lang, Some(&session), format!("{title} {year}"));
    render(&Page {
        chrome,
        year,
        counts,
    })
}

pub async fn api_landeszuschuss(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<SubsidyCount>>, ApiError> {
    let year = match year_of(&node, &q) {
        Ok(year) => year,
        Err(e) => {
            landeszuschuss(&node.store(), &session.who, 2000).map_err(AppError::from)?;
            return Err(e.into());
        }
    };
    Ok(Json(
        landeszuschuss(&node.store(), &session.who, year).map_err(AppError::from)?,
    ))
}

/// `?year=2026`; the Stichtag is 1 March, so from March on this year, before it the last.
fn march_year_of(node: &Node, q: &YearQuery) -> Result<i32, AppError> {
    use chrono::Datelike;
    if q.year.trim().is_empty() {
        let today = node.clock.today().0;
        return Ok(if today.month() >= 3 {
            today.year()
        } else {
            today.year() - 1
        });
    }
    year_of(node, q)
}

#[derive(Template)]
#[template(path = "statistics_kjh.html")]
struct KjhPage {
    chrome: Chrome,
    year: i32,
    kitas: Vec<KjhKita>,
}

impl KjhPage {
    fn yes_no(&self, yes: &bool) -> &'static str {
        if *yes {
            self.chrome.t.stat_yes
        } else {
            self.chrome.t.stat_no
        }
    }

    /// "ja, 07:00" or "nein".
    fn time_answer(&self, a: &kitanetz_statistics::kjh::TimeAnswer) -> String {
        match a.time {
            Some(time) if a.yes => format!("{}, {time}", self.chrome.t.stat_yes),
            _ => self.yes_no(&a.yes).to_owned(),
        }
    }

    /// A key of the form, or "not held".
    fn code<T: Copy>(&self, value: &Option<T>, code: fn(T) -> &'static str) -> &'static str {
        value.map_or(self.chrome.t.stat_not_held, code)
    }

    fn or_not_held<T: std::fmt::Display>(&self, value: &Option<T>) -> String {
        value
            .as_ref()
            .map_or_else(|| self.chrome.t.stat_not_held.to_owned(), T::to_string)
    }

    fn areas(&self, line: &super::kjh::StaffLine) -> String {
        line.work_areas
            .iter()
            .map(|(area, group, hours)| match group {
                Some(g) => format!("{} (Gr. {g}) {hours} h", area.code()),
                None => format!("{} {hours} h", area.code()),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Runs `f` once authorised: a bad year is reported only to who may see the statistic.
fn with_year<T>(
    node: &Node,
    store: &crate::storage::Store,
    session: &crate::auth::Principal,
    q: &YearQuery,
    f: impl Fn(i32) -> Result<T, crate::action::ActionError>,
) -> Result<T, AppError> {
    match march_year_of(node, q) {
        Ok(year) => Ok(f(year)?),
        Err(e) => {
            super::kitas(store, session)?;
            Err(e)
        }
    }
}

pub async fn kjh_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let store = node.store();
    let year = with_year(&node, &store, &session.who, &q, Ok)?;
    let kitas = kjh_statistic(&store, &session.who, year)?;
    drop(store);
    let title = crate::http::i18n::texts(lang).kjh_statistic;
    let chrome = Chrome::new(&node, lang, Some(&session), format!("{title} {year}"));
    render(&KjhPage {
        chrome,
        year,
        kitas,
    })
}

pub async fn api_kjh(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<KjhKita>>, ApiError> {
    let store = node.store();
    Ok(Json(with_year(&node, &store, &session.who, &q, |year| {
        kjh_statistic(&store, &session.who, year)
    })?))
}

/// `?year=2026&facility=fac-…`; no facility: the Träger's first Kita.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KdwQuery {
    pub year: String,
    pub facility: String,
}

impl KdwQuery {
    fn year(&self) -> YearQuery {
        YearQuery {
            year: self.year.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "statistics_kdw.html")]
struct KdwPage {
    chrome: Chrome,
    year: i32,
    kitas: Vec<(String, String)>,
    kita: KdwKita,
}

pub async fn kdw_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<KdwQuery>,
) -> Result<Response, AppError> {
    let store = node.store();
    let year = with_year(&node, &store, &session.who, &q.year(), Ok)?;
    let kita = kdw_statistic(&store, &session.who, year, &q.facility)?;
    let kitas = super::kitas(&store, &session.who)?;
    drop(store);
    let title = crate::http::i18n::texts(lang).kdw_statistic;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        format!("{title} {} {year}", kita.facility_name),
    );
    render(&KdwPage {
        chrome,
        year,
        kitas,
        kita,
    })
}

pub async fn api_kdw(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<KdwQuery>,
) -> Result<Json<KdwKita>, ApiError> {
    let store = node.store();
    Ok(Json(with_year(
        &node,
        &store,
        &session.who,
        &q.year(),
        |year| kdw_statistic(&store, &session.who, year, &q.facility),
    )?))
}

/// The StaLa XML as a download; 409 while the check reports errors or values are missing.
pub async fn kdw_xml_download(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<KdwQuery>,
) -> Result<Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let store = node.store();
    let (kita, xml) = with_year(&node, &store, &session.who, &q.year(), |year| {
        kdw_xml(&store, &session.who, year, &q.facility)
    })?;
    let file_name = format!("kdw-stala-{}-{}.xml", kita.facility, kita.reference_date);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        xml,
    )
        .into_response())
}

/// `?facility=fac-…`; no facility: the Träger's first Kita.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FacilityQuery {
    pub facility: String,
}

#[derive(Template)]
#[template(path = "statistics_kdw_master.html")]
struct KdwMasterPage {
    chrome: Chrome,
    lang: Lang,
    kitas: Vec<(String, String)>,
    facility: String,
    typed: super::kdw_master::MasterInput,
    stored: Option<super::kdw_master::MasterData>,
    errors: Vec<kitanetz_crdt::validate::FieldError>,
    children: Vec<super::kdw_master::IntegrationChild>,
    /// The child whose kinds were refused, if any.
    refused_child: String,
}

impl KdwMasterPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn states(&self) -> &'static [&'static str] {
        &super::kdw_master::STATES
    }

    fn yes_no_fields(&self) -> &'static [&'static str] {
        &super::kdw_master::YES_NO_FIELDS
    }

    /// The label of a Zusatzfeld.
    fn label(&self, key: &str) -> &'static str {
        let (de, en) = match key {
            "einrichtungsnummer" => ("Einrichtungsnummer", "Facility number"),
            "stala_einrichtungsnummer" => (
                "StaLa-Einrichtungsnummer (nur Ziffern)",
                "StaLa facility number (digits only)",
            ),
            "interaktionsentwicklung" => ("Interaktionsentwicklung", "Interaction development"),
            "konzeptionsentwicklung" => ("Konzeptionsentwicklung", "Concept development"),
            "leitungszeit_umgesetzt" => ("Leitungszeit umgesetzt", "Leadership time in place"),
            "teamentwicklung" => ("Teamentwicklung", "Team development"),
            "ueberzaehlige_gruppen" => ("Überzählige Gruppen", "Surplus groups"),
            "woechentliche_oeffnungszeit" => (
                "Wöchentliche Öffnungszeit in Stunden (leer: aus den Öffnungszeiten des Profils)",
                "Weekly opening time in hours (empty: from the profile's opening times)",
            ),
            _ => ("", ""),
        };
        if self.en() {
            en
        } else {
            de
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn kdw_master_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    facility: &str,
    typed: Option<super::kdw_master::MasterInput>,
    errors: Vec<kitanetz_crdt::validate::FieldError>,
    refused_child: String,
) -> Result<Response, AppError> {
    let mut store = node.store();
    let kitas = super::kitas(&store, &session.who)?;
    let facility = if facility.trim().is_empty() {
        kitas.first().map(|k| k.0.clone()).unwrap_or_default()
    } else {
        facility.trim().to_owned()
    };
    let stored = super::kdw_master::master_for(&store, &session.who, &facility)?;
    let children = super::kdw_master::integration_children(&store, &facility)?;
    if !children.is_empty() {
        // The names of children with Eingliederungshilfe: a read of personal data.
        store.audit(&crate::storage::AuditEntry {
            at: node.now().millis,
            actor: session.who.audit_name(),
            action: "statistics.kdw.integration.read",
            target: Some(facility.clone()),
            subjects: children.iter().map(|c| c.child.clone()).collect(),
            valid_from: None,
        })?;
    }
    drop(store);
    let typed = typed.unwrap_or_else(|| {
        stored.as_ref().map_or_else(
            || super::kdw_master::MasterInput {
                facility: facility.clone(),
                ..Default::default()
            },
            |s| s.values.clone(),
        )
    });
    let name = kitas
        .iter()
        .find(|k| k.0 == facility)
        .map(|k| k.1.clone())
        .unwrap_or_default();
    let title = if lang == Lang::En {
        format!("Kita-Data-Webhouse master data {name}")
    } else {
        format!("Stammdaten Kita-Data-Webhouse {name}")
    };
    let chrome = Chrome::new(node, lang, Some(session), title);
    let page = KdwMasterPage {
        chrome,
        lang,
        kitas,
        facility,
        typed,
        stored,
        errors,
        children,
        refused_child,
    };
    crate::http::render_form(&page, &page.errors)
}

/// `GET /statistics/kdw/master?facility=…`: the form of one Kita's KDW master data.
pub async fn kdw_master_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, AppError> {
    kdw_master_page(
        &node,
        lang,
        &session,
        &q.facility,
        None,
        vec![],
        String::new(),
    )
}

/// `POST /statistics/kdw/master`: saves, or shows the form again with its field errors.
pub async fn kdw_master_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    axum::Form(form): axum::Form<crate::http::Posted<super::kdw_master::MasterInput>>,
) -> Result<Response, AppError> {
    use axum::response::{IntoResponse, Redirect};
    session.check_csrf(&form.csrf)?;
    let saved = super::kdw_master::save(&mut node.store(), &session.who, &form.input, node.now());
    match saved {
        Ok(values) => Ok(Redirect::to(&format!(
            "/statistics/kdw/master?facility={}",
            values.facility
        ))
        .into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            let facility = form.input.facility.clone();
            kdw_master_page(
                &node,
                lang,
                &session,
                &facility,
                Some(form.input),
                errors,
                String::new(),
            )
        }
    }
}

/// `POST /statistics/kdw/integration`: the kind of one child's integration aid.
pub async fn kdw_integration_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    axum::Form(form): axum::Form<crate::http::Posted<super::kdw_master::IntegrationInput>>,
) -> Result<Response, AppError> {
    use axum::response::{IntoResponse, Redirect};
    session.check_csrf(&form.csrf)?;
    let saved = super::kdw_master::save_integration(
        &mut node.store(),
        &session.who,
        &form.input,
        node.now(),
    );
    let facility = form.input.facility.trim().to_owned();
    match saved {
        Ok(_) => Ok(
            Redirect::to(&format!("/statistics/kdw/master?facility={facility}")).into_response(),
        ),
        Err(e) => {
            let errors = e.into_field_errors()?;
            kdw_master_page(
                &node,
                lang,
                &session,
                &facility,
                None,
                errors,
                form.input.child.trim().to_owned(),
            )
        }
    }
}

/// `GET /statistics/landeszuschuss.xlsx?year=…`: the count sheet of the page, one row per Kita
/// and the Träger's total (counts only, no names).
pub async fn landeszuschuss_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let year = match year_of(&node, &q) {
        Ok(year) => year,
        Err(e) => {
            landeszuschuss(&node.store(), &session.who, 2000)?;
            return Err(e);
        }
    };
    let counts = landeszuschuss(&node.store(), &session.who, year)?;
    let title = format!("Landeszuschuss {year}");
    let mut table = Table::new(
        title.clone(),
        vec![
            Column::new("Einrichtung", ColumnKind::Text),
            Column::new("a) Krippe", ColumnKind::Integer),
            Column::new("b) Kindergarten", ColumnKind::Integer),
            Column::new("c) Hort", ColumnKind::Integer),
            Column::new("Betreuungsstunden", ColumnKind::Decimal),
            Column::new("9-Stunden-Kinder", ColumnKind::Decimal),
            Column::new("4.2 Eingliederungshilfe", ColumnKind::Integer),
            Column::new("Gesamt", ColumnKind::Decimal),
            Column::new("Zuschuss", ColumnKind::Money),
            Column::new("Nicht gezählt", ColumnKind::Integer),
        ],
    );
    table.rows = counts
        .iter()
        .map(|c| {
            let r = &c.result;
            vec![
                Cell::from(c.facility_name.as_str()),
                Cell::Integer(i64::from(r.groups.krippe.children)),
                Cell::Integer(i64::from(r.groups.kindergarten.children)),
                Cell::Integer(i64::from(r.groups.hort.children)),
                Cell::Decimal(r.facility_care_hours.0),
                Cell::Decimal(r.facility_children_9h.0),
                Cell::Integer(i64::from(r.eingliederungshilfe_children)),
                Cell::Decimal(r.total_children.0),
                Cell::Money(r.subsidy.0),
                Cell::Integer(r.excluded.len() as i64),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        title,
        node.config.display_name.clone(),
        &format!("landeszuschuss-{year}"),
        node.clock.now_millis(),
    )
    .await
}

/// `GET /statistics/kjh.xlsx?year=…`: the page as a workbook: per Kita the sheet's figures
/// (reference date, approved places, groups, children, staff hours) and a second sheet with every
/// refusal, missing value and exclusion to work through (audited: names of children leave).
pub async fn kjh_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let now = node.now();
    let (year, kitas) = {
        let mut store = node.store();
        let year = with_year(&node, &store, &session.who, &q, Ok)?;
        let kitas = kjh_statistic(&store, &session.who, year)?;
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "statistics.kjh.export",
            target: Some(year.to_string()),
            subjects: kitas.iter().map(|k| k.facility.clone()).collect(),
            valid_from: None,
        })?;
        (year, kitas)
    };
    let mut figures = Table::new(
        format!("KJH {year}"),
        vec![
            Column::new("Einrichtung", ColumnKind::Text),
            Column::new("Stichtag", ColumnKind::Date),
            Column::new("Genehmigte Plätze", ColumnKind::Integer),
            Column::new("Gruppen", ColumnKind::Integer),
            Column::new("Kinder", ColumnKind::Integer),
            Column::new("Tätige Personen", ColumnKind::Integer),
            Column::new("Fehler", ColumnKind::Integer),
            Column::new("Fehlende Angaben", ColumnKind::Integer),
        ],
    );
    let mut problems = Table::new(
        "Zu klären",
        vec![
            Column::new("Einrichtung", ColumnKind::Text),
            Column::new("Art", ColumnKind::Text),
            Column::new("Datensatz", ColumnKind::Text),
            Column::new("Feld", ColumnKind::Text),
            Column::new("Meldung", ColumnKind::Text),
        ],
    );
    for k in &kitas {
        figures.rows.push(vec![
            Cell::from(k.facility_name.as_str()),
            k.figures
                .as_ref()
                .map_or(Cell::Empty, |f| Cell::Date(f.reference_date)),
            k.figures.as_ref().map_or(Cell::Empty, |f| {
                Cell::Integer(i64::from(f.sheet.approved_places))
            }),
            k.figures
                .as_ref()
                .map_or(Cell::Empty, |f| Cell::Integer(i64::from(f.sheet.groups))),
            k.figures
                .as_ref()
                .map_or(Cell::Empty, |f| Cell::Integer(i64::from(f.sheet.children))),
            k.figures
                .as_ref()
                .map_or(Cell::Empty, |f| Cell::Integer(f.staff.len() as i64)),
            Cell::Integer(k.errors.len() as i64),
            Cell::Integer(k.missing.len() as i64),
        ]);
        let kinds = [("Fehler", &k.errors), ("Fehlende Angabe", &k.missing)];
        for (kind, list) in kinds {
            for p in list {
                problems.rows.push(vec![
                    Cell::from(k.facility_name.as_str()),
                    Cell::from(kind),
                    Cell::from(p.name.as_str()),
                    Cell::from(p.field.as_str()),
                    Cell::from(p.message.as_str()),
                ]);
            }
        }
        for p in k.figures.iter().flat_map(|f| &f.exclusions) {
            problems.rows.push(vec![
                Cell::from(k.facility_name.as_str()),
                Cell::from("Nicht gezählt"),
                Cell::from(p.name.as_str()),
                Cell::from(p.field.as_str()),
                Cell::from(p.message.as_str()),
            ]);
        }
    }
    crate::http::sheets::xlsx_response(
        vec![figures, problems],
        format!("KJH-Statistik Teil III.1 {year}"),
        node.config.display_name.clone(),
        &format!("kjh-{year}"),
        now.millis,
    )
    .await
}

/// `GET /statistics/kdw.xlsx?year=…&facility=…`: the check's error list and missing values of
/// one Kita, to work through (names of children: the export is audited with the records).
pub async fn kdw_problems_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<KdwQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let now = node.now();
    let kita = {
        let mut store = node.store();
        let kita = with_year(&node, &store, &session.who, &q.year(), |year| {
            kdw_statistic(&store, &session.who, year, &q.facility)
        })?;
        let mut subjects: Vec<String> = kita
            .errors
            .iter()
            .chain(&kita.missing)
            .filter_map(|p| p.record.strip_prefix("child:").map(str::to_owned))
            .collect();
        subjects.sort();
        subjects.dedup();
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "statistics.kdw.export",
            target: Some(kita.facility.clone()),
            subjects,
            valid_from: Some(kita.reference_date.to_string()),
        })?;
        kita
    };
    let table = |title: &str, rows: &[super::kita_data::Problem]| {
        let mut t = Table::new(
            title,
            vec![
                Column::new("Datensatz", ColumnKind::Text),
                Column::new("Name", ColumnKind::Text),
                Column::new("Feld", ColumnKind::Text),
                Column::new("Problem", ColumnKind::Text),
            ],
        );
        t.rows = rows
            .iter()
            .map(|p| {
                vec![
                    Cell::from(p.record.as_str()),
                    Cell::from(p.name.as_str()),
                    Cell::from(p.field.as_str()),
                    Cell::from(p.message.as_str()),
                ]
            })
            .collect();
        t
    };
    crate::http::sheets::xlsx_response(
        vec![
            table("Fehler", &kita.errors),
            table("Fehlende Angaben", &kita.missing),
        ],
        format!("Kita-Data-Webhouse {}", kita.facility_name),
        node.config.display_name.clone(),
        &format!("kdw-pruefung-{}-{}", kita.facility, kita.reference_date),
        now.millis,
    )
    .await
}
