//! The city's placement statistics page and its Excel file.

use super::{city_reports, CityReports};
use crate::http::pages::Chrome;
use crate::http::sheets::HtmlTable;
use crate::http::{render, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use kitanetz_crdt::kinds::Applicant;
use kitanetz_reports::{Filter, DEFAULT_MIN_CHILDREN};
use serde::Deserialize;
use std::sync::Arc;

/// `?from=&until=&ortsamt=&provider=&municipal=yes|no&all=on`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub from: String,
    pub until: String,
    pub ortsamt: String,
    pub provider: String,
    /// "yes": municipal Kitas only; "no": free providers' only; empty: both.
    pub municipal: String,
    /// "on": show cells of fewer than three children too.
    pub all: String,
}

impl ReportQuery {
    /// The filter asked for; default: this year up to today.
    fn filter(&self, today: NaiveDate) -> Result<Filter, AppError> {
        let day = |text: &str, default: NaiveDate, field: &str| -> Result<NaiveDate, AppError> {
            if text.trim().is_empty() {
                return Ok(default);
            }
            text.trim()
                .parse::<kitanetz_crdt::scalar::Date>()
                .ok()
                .filter(|d| d.is_plausible())
                .map(|d| d.0)
                .ok_or_else(|| AppError::BadRequest(format!("{field}: {text:?}")))
        };
        let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let mut filter = Filter::range(
            day(&self.from, year_start, "from")?,
            day(&self.until, today, "until")?,
        );
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        filter.ortsamt = some(&self.ortsamt);
        filter.provider = some(&self.provider);
        filter.municipal = match self.municipal.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            "" => None,
            other => return Err(AppError::BadRequest(format!("municipal: {other:?}"))),
        };
        Ok(filter)
    }
}

/// A child's home district from the street directory (the district of the applicant's address),
/// for statistics that count by district.
pub fn home_district(portal: &crate::portal::Portal) -> impl Fn(&Applicant) -> Option<String> + '_ {
    let streets = portal.streets();
    move |a: &Applicant| crate::portal::streets::applicant_district(streets, a)
}

/// [`home_district`] from an address line and postcode (what a placement round reads of an
/// applicant, from its projection).
pub fn home_district_of_address(
    portal: &crate::portal::Portal,
) -> impl Fn(&str, &str) -> Option<String> + '_ {
    let streets = portal.streets();
    move |street: &str, postcode: &str| {
        crate::portal::streets::address_district(streets, street, postcode)
    }
}

/// The reports for the query, after the caller was authorised; only on the city node.
fn reports_for(
    node: &Node,
    session: &Session,
    q: &ReportQuery,
) -> Result<(Filter, CityReports), AppError> {
    crate::auth::authorize(&session.who, crate::auth::Action::ViewPlacementStatistics)
        .map_err(crate::action::ActionError::from)?;
    let Some(portal) = node.portal.as_ref() else {
        return Err(AppError::NotFound(
            "Statistik der Vermittlung: auf dem Knoten der Stadt / on the city's node".into(),
        ));
    };
    let filter = q.filter(node.clock.today().0)?;
    let district_of = home_district(portal);
    let min = (q.all != "on").then_some(DEFAULT_MIN_CHILDREN);
    let reports = city_reports(&node.store(), &session.who, &district_of, &filter, min)?;
    Ok((filter, reports))
}

#[derive(Template)]
#[template(path = "reports.html")]
struct Page {
    chrome: Chrome,
    q: ReportQuery,
    from: String,
    until: String,
    placed: Vec<HtmlTable>,
    demand: Vec<HtmlTable>,
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let (filter, reports) = reports_for(&node, &session, &q)?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).placement_statistics,
    );
    render(&Page {
        chrome,
        q,
        from: filter.from.to_string(),
        until: filter.until.to_string(),
        placed: reports
            .placed
            .tables()
            .iter()
            .map(HtmlTable::from)
            .collect(),
        demand: reports
            .demand
            .tables()
            .iter()
            .map(HtmlTable::from)
            .collect(),
    })
}

/// `GET /reports.xlsx`: the same tables as an Excel file.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let (filter, reports) = reports_for(&node, &session, &q)?;
    let mut tables = reports.placed.tables();
    tables.extend(reports.demand.tables());
    crate::http::sheets::xlsx_response(
        tables,
        format!(
            "Statistik der Vermittlung {} bis {}",
            filter.from, filter.until
        ),
        node.config.display_name.clone(),
        &format!("Vermittlung-{}-{}", filter.from, filter.until),
        node.clock.now_millis(),
    )
    .await
}

/// `?from=&until=&facility=`: the terminations of the Kitas the caller sees here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TerminationQuery {
    pub from: String,
    pub until: String,
    pub facility: String,
}

fn terminations_for(
    node: &Node,
    session: &Session,
    q: &TerminationQuery,
) -> Result<(Filter, kitanetz_reports::TerminationReport), AppError> {
    let range = ReportQuery {
        from: q.from.clone(),
        until: q.until.clone(),
        ..ReportQuery::default()
    };
    let filter = range.filter(node.clock.today().0)?;
    let facility = match q.facility.trim() {
        "" => None,
        f => Some(
            f.parse::<kitanetz_crdt::ids::FacilityId>()
                .map_err(|_| AppError::NotFound(f.to_string()))?,
        ),
    };
    let report =
        super::terminations::terminations(&node.store(), &session.who, facility.as_ref(), &filter)?;
    Ok((filter, report))
}

#[derive(Template)]
#[template(path = "terminations.html")]
struct TerminationsPage {
    chrome: Chrome,
    q: TerminationQuery,
    from: String,
    until: String,
    /// (id, name) of the Kitas to choose from (a Träger's node).
    facilities: Vec<(String, String)>,
    count: u64,
    tables: Vec<HtmlTable>,
}

/// `GET /terminations`: Statistik der gekündigten Betreuungsverträge (3.12.1.4).
pub async fn terminations_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<TerminationQuery>,
) -> Result<Response, AppError> {
    let (filter, report) = terminations_for(&node, &session, &q)?;
    let facilities = {
        let store = node.store();
        let visible = crate::occupancy::visible_facilities(&store, &session.who)?;
        let names = crate::facilities::names(&store)?;
        if visible.len() > 1 {
            visible
                .into_iter()
                .map(|f| {
                    let name = names.get(&f.0).cloned().unwrap_or_default();
                    (f.0, name)
                })
                .collect()
        } else {
            vec![]
        }
    };
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).terminations,
    );
    render(&TerminationsPage {
        chrome,
        q,
        from: filter.from.to_string(),
        until: filter.until.to_string(),
        facilities,
        count: report.count,
        tables: report.tables().iter().map(HtmlTable::from).collect(),
    })
}

/// `GET /terminations.xlsx`: the same tables as an Excel file.
pub async fn terminations_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(q): Query<TerminationQuery>,
) -> Result<Response, AppError> {
    let (filter, report) = terminations_for(&node, &session, &q)?;
    crate::http::sheets::xlsx_response(
        report.tables(),
        format!(
            "Gekündigte Betreuungsverträge {} bis {}",
            filter.from, filter.until
        ),
        node.config.display_name.clone(),
        &format!("Kuendigungen-{}-{}", filter.from, filter.until),
        node.clock.now_millis(),
    )
    .await
}

/// `GET /api/terminations`: the report as JSON.
pub async fn terminations_api(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    Query(q): Query<TerminationQuery>,
) -> Result<axum::Json<kitanetz_reports::TerminationReport>, crate::http::ApiError> {
    let (_, report) = terminations_for(&node, &session, &q)?;
    Ok(axum::Json(report))
}
