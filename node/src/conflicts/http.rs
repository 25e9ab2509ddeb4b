//! Conflicts and the tasks they give people: the ZVS decides double places, a Kita lead
//! releases seats (overbooked months, ZVS decisions).

use super::{decide, list, Conflicts, DecideInput, Decision};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::validate::FieldError;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    chrome: Chrome,
    conflicts: Conflicts,
    /// Whether the caller decides double places (the ZVS) or releases seats (a Kita lead).
    decides: bool,
    releases: bool,
    errors: Vec<FieldError>,
    /// Facility id → name, so that people see Kitas by name.
    names: BTreeMap<String, String>,
}

impl ConflictsPage {
    fn name(&self, facility: &FacilityId) -> String {
        match self.names.get(&facility.0) {
            Some(name) => format!("{name} ({})", facility.0),
            None => facility.0.clone(),
        }
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let facility = node.config.facility.as_ref();
    let conflicts = list(&node.store(), &session.who, facility)?;
    let names = crate::facilities::names(&node.store())?;
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).conflicts,
    );
    let page = ConflictsPage {
        chrome,
        conflicts,
        decides: authorize(&session.who, Action::DecideConflicts).is_ok(),
        releases: authorize(&session.who, Action::ManageSeats { facility }).is_ok(),
        errors,
        names,
    };
    render_form(&page, &page.errors)
}

pub async fn conflicts_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    page(&node, lang, &session, vec![])
}

pub async fn decide_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<DecideInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = decide(&mut node.store(), &session.who, &form.input, node.now());
    match result {
        Ok(_) => Ok(Redirect::to("/conflicts").into_response()),
        Err(e) => page(&node, lang, &session, e.into_field_errors()?),
    }
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Conflicts>, ApiError> {
    let facility = node.config.facility.as_ref();
    Ok(Json(list(&node.store(), &session.who, facility)?))
}

pub async fn api_decide(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<DecideInput>,
) -> Result<Json<Decision>, ApiError> {
    Ok(Json(decide(
        &mut node.store(),
        &session.who,
        &input,
        node.now(),
    )?))
}

/// `GET /conflicts.xlsx`: the conflicts and tasks the page shows, one sheet per kind (ids and
/// handles only: no names).
pub async fn conflicts_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let facility = node.config.facility.as_ref();
    let conflicts = list(&node.store(), &session.who, facility)?;
    let names = crate::facilities::names(&node.store())?;
    let kita = |f: &FacilityId| Cell::from(names.get(&f.0).map_or(f.0.as_str(), String::as_str));
    let text = |s: &str| Cell::from(s);
    let mut double = Table::new(
        "Doppelplätze",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kita", ColumnKind::Text),
            Column::new("Kennung", ColumnKind::Text),
            Column::new("Monat", ColumnKind::Date),
            Column::new("Status", ColumnKind::Text),
            Column::new("Entschieden am", ColumnKind::Date),
            Column::new("Bleibt ohne Entscheidung", ColumnKind::YesNo),
            Column::new("Entscheidung: behält", ColumnKind::Text),
        ],
    );
    for d in &conflicts.double_places {
        for h in &d.holds {
            double.rows.push(vec![
                text(&d.application.0),
                kita(&h.facility),
                text(h.wish.as_str()),
                Cell::Date(h.month.0),
                text(h.status.label_de()),
                Cell::Date(h.decided_on.0),
                Cell::YesNo(h.facility == d.default_keeper),
                d.decision.as_ref().map_or(Cell::Empty, |x| kita(&x.keeper)),
            ]);
        }
    }
    let mut overbooked = Table::new(
        "Überbuchte Monate",
        vec![
            Column::new("Kita", ColumnKind::Text),
            Column::new("Betreuungsart", ColumnKind::Text),
            Column::new("Monat", ColumnKind::Date),
            Column::new("Plätze", ColumnKind::Integer),
            Column::new("Belegt", ColumnKind::Integer),
            Column::new("Über den Plätzen", ColumnKind::Integer),
        ],
    );
    for o in &conflicts.overbooked {
        let b = &o.overbooking;
        overbooked.rows.push(vec![
            kita(&o.facility),
            text(b.care_type.label_de()),
            Cell::Date(b.month.0),
            Cell::Integer(i64::from(b.places)),
            Cell::Integer(i64::from(b.occupied)),
            Cell::Integer(b.over.len() as i64),
        ]);
    }
    let mut release = Table::new(
        "Freigabeaufgaben",
        vec![
            Column::new("Kennung", ColumnKind::Text),
            Column::new("Monat", ColumnKind::Date),
            Column::new("Entschieden am", ColumnKind::Date),
            Column::new("Notiz", ColumnKind::Text),
        ],
    );
    for t in &conflicts.release_tasks {
        release.rows.push(vec![
            text(t.handle.as_str()),
            Cell::Date(t.month.0),
            Cell::Date(t.decided_on.0),
            text(&t.note),
        ]);
    }
    let mut contracts = Table::new(
        "Vertragsänderungen",
        vec![
            Column::new("Vertrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Tage", ColumnKind::Text),
        ],
    );
    for c in &conflicts.contracts {
        let days: Vec<String> = c.days.iter().map(ToString::to_string).collect();
        contracts.rows.push(vec![
            text(&c.contract.0),
            text(&c.child.0),
            text(&days.join(", ")),
        ]);
    }
    let mut twice = Table::new(
        "Doppelt gehalten",
        vec![
            Column::new("Kita", ColumnKind::Text),
            Column::new("Kennung", ColumnKind::Text),
            Column::new("Monate", ColumnKind::Text),
        ],
    );
    for h in &conflicts.held_twice {
        let months: Vec<String> = h.months.iter().map(ToString::to_string).collect();
        twice.rows.push(vec![
            kita(&h.facility),
            text(h.wish.as_str()),
            text(&months.join(", ")),
        ]);
    }
    crate::http::sheets::xlsx_response(
        vec![double, overbooked, release, contracts, twice],
        "Konflikte".into(),
        node.config.display_name.clone(),
        &format!("konflikte-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}
