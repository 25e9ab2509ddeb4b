//! The ZVS's round pages (`/rounds`, `/rounds/{id}`, the protocol as JSON) and the parents'
//! answer to an offer on the portal; the same as JSON under `/api`.

use super::{Answer, RoundInput, RoundRow, RoundView};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{render_form, AppError, Lang, MaybeSession, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kitanetz_crdt::ids::ApplicationId;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// Rounds run on the city node (with the portal); elsewhere the pages do not exist. Asked after
/// the authorisation, so that a refusal does not depend on the node.
fn city(node: &Node) -> Result<&crate::portal::Portal, AppError> {
    node.portal
        .as_ref()
        .ok_or_else(|| AppError::NotFound("rounds".into()))
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct ListPage {
    chrome: Chrome,
    rounds: Vec<RoundRow>,
    input: RoundInput,
    errors: Vec<FieldError>,
    lang: Lang,
}

impl ListPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }
}

fn list_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    input: Option<RoundInput>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let rounds = super::list(&node.store(), &session.who)?;
    let next_month = {
        let today = node.clock.today();
        super::instance::first_of_month(today).0 + chrono::Months::new(1)
    };
    let input = input.unwrap_or_else(|| RoundInput {
        from: next_month.format("%Y-%m").to_string(),
        to: next_month.format("%Y-%m").to_string(),
        offer_days: super::DEFAULT_OFFER_DAYS.to_string(),
    });
    let title = if lang == Lang::En {
        "Placement rounds"
    } else {
        "Vergaberunden"
    };
    let page = ListPage {
        chrome: Chrome::new(node, lang, Some(session), title),
        rounds,
        input,
        errors,
        lang,
    };
    render_form(&page, &page.errors)
}

/// `GET /rounds`: the rounds so far and the form to start one (the ZVS).
pub async fn list(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    list_page(&node, lang, &session, None, vec![])
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: RoundInput,
}

fn city_name(node: &Node) -> String {
    crate::applications::http::city_name(node)
}

/// A refusal shown at the form: broken fields as they are, and a window that has nothing to place
/// (a conflict) at the window's first field.
fn as_fields(e: crate::action::ActionError) -> Result<Vec<FieldError>, AppError> {
    match e {
        crate::action::ActionError::Conflict(message) => Ok(vec![FieldError {
            field: "from".into(),
            message,
        }]),
        e => Ok(e.into_field_errors()?),
    }
}

/// `POST /rounds`: the ZVS starts a round.
pub async fn start_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::RunPlacementRound)?;
    let portal = city(&node)?;
    let district_of = crate::reports::http::home_district_of_address(portal);
    let started = super::start(
        &mut node.store(),
        &session.who,
        &form.input,
        &district_of,
        &city_name(&node),
        node.now(),
    );
    match started {
        Ok(s) => Ok(Redirect::to(&format!("/rounds/{}", s.round)).into_response()),
        Err(e) => list_page(&node, lang, &session, Some(form.input), as_fields(e)?),
    }
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    chrome: Chrome,
    view: RoundView,
    /// The Kita whose proposals are listed, if one was chosen.
    chosen: Option<String>,
    /// The cancellation form as typed, with its errors.
    cancel: super::CancelInput,
    errors: Vec<FieldError>,
    lang: Lang,
}

impl RoundPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn status_label(&self, status: &str) -> &'static str {
        status_label(status, self.en())
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }
}

/// Where a proposal stands, in words.
fn status_label(status: &str, en: bool) -> &'static str {
    use crate::applications::sequential::status as s;
    let (de, in_english) = match status {
        s::PROPOSED => ("wartet auf die Einrichtung", "waiting for the Kita"),
        s::OFFERED => (
            "bestätigt, Angebot bei den Eltern",
            "confirmed, offer with the parents",
        ),
        s::REQUEST => ("angenommen, Vertrag folgt", "accepted, contract to follow"),
        s::DECLINED => ("von der Einrichtung abgelehnt", "declined by the Kita"),
        s::REFUSED => (
            "von den Eltern abgelehnt oder verfallen",
            "declined by the parents or lapsed",
        ),
        s::PLACED => ("Vertrag geschlossen", "contract concluded"),
        s::PLACED_ELSEWHERE => ("anderweitig vermittelt", "placed elsewhere"),
        "withdrawn" => ("Antrag zurückgezogen", "application withdrawn"),
        "erased" => ("Antrag gelöscht", "application erased"),
        _ => ("offen", "open"),
    };
    if en {
        in_english
    } else {
        de
    }
}

/// `GET /rounds.xlsx`: every round as the list shows it (the ZVS; no personal data).
pub async fn list_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let rounds = super::list(&node.store(), &session.who)?;
    let mut table = Table::new(
        "Vergaberunden",
        vec![
            Column::new("Runde", ColumnKind::Integer),
            Column::new("Gestartet am", ColumnKind::Date),
            Column::new("Gestartet von", ColumnKind::Text),
            Column::new("Wunschtermine ab", ColumnKind::Date),
            Column::new("Wunschtermine bis", ColumnKind::Date),
            Column::new("Antwortfrist (Tage)", ColumnKind::Integer),
            Column::new("Kriterienkatalog", ColumnKind::Text),
            Column::new("Kinder", ColumnKind::Integer),
            Column::new("Vorschläge", ColumnKind::Integer),
            Column::new("Hashwert des Startwerts", ColumnKind::Text),
            Column::new("Abgebrochen am", ColumnKind::Date),
            Column::new("Grund des Abbruchs", ColumnKind::Text),
        ],
    );
    table.rows = rounds
        .iter()
        .map(|r| {
            vec![
                Cell::Integer(r.id),
                Cell::Date(r.started_on.0),
                Cell::from(r.started_by.as_str()),
                Cell::Date(r.window_from.0),
                Cell::Date(r.window_to.0),
                Cell::Integer(i64::from(r.offer_days)),
                Cell::from(r.catalogue.as_str()),
                Cell::Integer(i64::from(r.children)),
                Cell::Integer(i64::from(r.proposed)),
                Cell::from(r.seed_hash.as_str()),
                r.cancelled
                    .as_ref()
                    .map_or(Cell::Empty, |c| Cell::Date(c.on.0)),
                r.cancelled
                    .as_ref()
                    .map_or(Cell::Empty, |c| Cell::from(c.reason.as_str())),
            ]
        })
        .collect();
    let now = node.now();
    crate::http::sheets::xlsx_response(
        vec![table],
        "Vergaberunden".into(),
        node.config.display_name.clone(),
        &format!("vergaberunden-{}", now.today),
        now.millis,
    )
    .await
}

/// `GET /rounds/{id}/proposals.xlsx`: a round's proposals per Kita and every proposal with
/// where it stands (the ZVS; applications by their pseudonymous id, as on the page).
pub async fn proposals_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let view = super::view(&node.store(), &session.who, round_id(&id)?)?;
    let count = |n: usize| Cell::Integer(n as i64);
    let mut kitas = Table::new(
        "Einrichtungen",
        vec![
            Column::new("Einrichtung", ColumnKind::Text),
            Column::new("Vorschläge", ColumnKind::Integer),
            Column::new("Wartet auf die Einrichtung", ColumnKind::Integer),
            Column::new("Angebot bei den Eltern", ColumnKind::Integer),
            Column::new("Angenommen", ColumnKind::Integer),
            Column::new("Vertrag geschlossen", ColumnKind::Integer),
            Column::new("Von der Einrichtung abgelehnt", ColumnKind::Integer),
            Column::new("Abgeschlossen", ColumnKind::Integer),
        ],
    );
    kitas.rows = view
        .by_kita
        .iter()
        .map(|k| {
            vec![
                Cell::from(k.name.as_str()),
                count(k.proposals),
                count(k.waiting),
                count(k.offered),
                count(k.accepted),
                count(k.placed),
                count(k.declined),
                count(k.closed),
            ]
        })
        .collect();
    let mut proposals = Table::new(
        "Vorschläge",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Einrichtung", ColumnKind::Text),
            Column::new("Rang des Wunsches", ColumnKind::Integer),
            Column::new("Stand", ColumnKind::Text),
            Column::new("Antwort der Eltern bis", ColumnKind::Date),
        ],
    );
    proposals.rows = view
        .proposals
        .iter()
        .map(|p| {
            vec![
                Cell::from(p.application.0.as_str()),
                Cell::from(p.facility_name.as_str()),
                p.rank.map_or(Cell::Empty, |r| Cell::Integer(r as i64)),
                Cell::from(status_label(&p.status, false)),
                p.answer_by.map_or(Cell::Empty, |d| Cell::Date(d.0)),
            ]
        })
        .collect();
    let now = node.now();
    crate::http::sheets::xlsx_response(
        vec![kitas, proposals],
        format!("Vergaberunde {}", view.round.id),
        node.config.display_name.clone(),
        &format!("vergaberunde-{}", view.round.id),
        now.millis,
    )
    .await
}

fn round_id(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("round {id}")))
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    /// One Kita's proposals in detail.
    #[serde(default)]
    facility: String,
}

/// `GET /rounds/{id}`: statistics, stability, the proposals per Kita and, for one Kita chosen,
/// every proposal's state (the ZVS).
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<RoundQuery>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    round_page(
        &node,
        lang,
        &session,
        round_id(&id)?,
        &q.facility,
        super::CancelInput::default(),
        vec![],
    )
}

fn round_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: i64,
    facility: &str,
    cancel: super::CancelInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let mut view = super::view(&node.store(), &session.who, id)?;
    // At city scale a round has thousands of proposals: the page lists them for one Kita.
    view.proposals.retain(|p| p.facility.0 == facility);
    let chosen = view
        .by_kita
        .iter()
        .find(|k| k.facility.0 == facility)
        .map(|k| k.name.clone());
    let title = if lang == Lang::En {
        format!("Placement round {}", view.round.id)
    } else {
        format!("Vergaberunde {}", view.round.id)
    };
    crate::http::render(&RoundPage {
        chrome: Chrome::new(node, lang, Some(session), &title),
        view,
        chosen,
        cancel,
        errors,
        lang,
    })
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: super::CancelInput,
}

/// `POST /rounds/{id}/cancel`: the ZVS cancels the round (see [`super::cancel`]).
pub async fn cancel_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<CancelForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::CancelPlacementRound)?;
    city(&node)?;
    let id = round_id(&id)?;
    let cancelled = super::cancel(&mut node.store(), &session.who, id, &form.input, node.now());
    match cancelled {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(e) => round_page(&node, lang, &session, id, "", form.input, as_fields(e)?),
    }
}

/// `POST /api/rounds/{id}/cancel` `{reason}`.
pub async fn api_cancel(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    Path(id): Path<String>,
    crate::http::ApiJson(input): crate::http::ApiJson<super::CancelInput>,
) -> Result<axum::Json<super::Cancelled>, crate::http::ApiError> {
    authorize(&session.who, Action::CancelPlacementRound)?;
    city(&node)?;
    let id = round_id(&id)?;
    Ok(axum::Json(super::cancel(
        &mut node.store(),
        &session.who,
        id,
        &input,
        node.now(),
    )?))
}

/// `GET /rounds/{id}/protocol.json`: input, result, certificate, statistics and seed.
pub async fn protocol(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let id = round_id(&id)?;
    let json = super::protocol_json(&node.store(), &session.who, id)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"vergaberunde-{id}.json\""),
            ),
        ],
        json,
    )
        .into_response())
}

/// `GET /rounds/{id}/protocol.pdf`: the protocol as a tagged PDF for the file.
pub async fn protocol_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let id = round_id(&id)?;
    let letter = super::protocol_letter(&node.store(), &session.who, id, &city_name(&node))?;
    let pdf = crate::letters::round_protocol_pdf(letter)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"vergaberunde-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "round_what_if.html")]
struct WhatIfPage {
    chrome: Chrome,
    input: super::WhatIfInput,
    result: Option<kitanetz_placement::WhatIf>,
    /// The published versions of the city's catalogue, newest first.
    versions: Vec<super::catalogue::Published>,
    /// The reason typed for publishing the compared catalogue (kept after a refusal).
    reason: String,
    /// The version just published, for the notice.
    published: Option<u32>,
    /// The Kitas' names by id, for the children whose outcome changes.
    names: std::collections::BTreeMap<String, String>,
    errors: Vec<FieldError>,
    lang: Lang,
}

/// How many changed children the what-if page lists (the counts cover all).
const WHAT_IF_LISTED: usize = 200;

impl WhatIfPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The changed children the page lists.
    fn listed(&self) -> &[kitanetz_placement::whatif::ChildChange] {
        self.result
            .as_ref()
            .map(|w| &w.changes[..w.changes.len().min(WHAT_IF_LISTED)])
            .unwrap_or(&[])
    }

    /// An outcome in words: "Wunsch 2: Kita Sonne (2027-03)" or "kein Platz".
    fn outcome(&self, outcome: &kitanetz_placement::whatif::Outcome) -> String {
        let Some(program) = &outcome.program else {
            return if self.en() { "no place" } else { "kein Platz" }.into();
        };
        // Programs are "facility/care type/month" (`instance::program_id`).
        let mut parts = program.split('/');
        let facility = parts.next().unwrap_or("");
        let month = parts.nth(1).unwrap_or("");
        let name = self.names.get(facility).map_or(facility, String::as_str);
        match outcome.rank {
            Some(rank) if self.en() => format!("wish {rank}: {name} ({month})"),
            Some(rank) => format!("Wunsch {rank}: {name} ({month})"),
            None => format!("{name} ({month})"),
        }
    }

    /// The criteria of a catalogue in one line: the city's in order, then each scope's.
    fn criteria_summary(&self, catalogue: &kitanetz_placement::catalogue::Catalogue) -> String {
        use kitanetz_placement::catalogue::Scope;
        let ids = |c: &[kitanetz_placement::catalogue::Criterion]| {
            c.iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(" › ")
        };
        let mut out = ids(&catalogue.criteria);
        for local in &catalogue.local {
            let scope = match &local.scope {
                Scope::Traeger(t) => t.as_str(),
                Scope::Facility(f) => f.as_str(),
            };
            out.push_str(&format!("; {scope}: {}", ids(&local.criteria)));
        }
        out
    }

    fn change_label(&self, change: &kitanetz_placement::whatif::Change) -> &'static str {
        use kitanetz_placement::whatif::Change;
        match (change, self.en()) {
            (Change::GainsPlace, false) => "erhält einen Platz",
            (Change::GainsPlace, true) => "gains a place",
            (Change::LosesPlace, false) => "verliert den Platz",
            (Change::LosesPlace, true) => "loses the place",
            (Change::Better, false) => "besserer Wunsch",
            (Change::Better, true) => "a better wish",
            (Change::Worse, false) => "schlechterer Wunsch",
            (Change::Worse, true) => "a worse wish",
        }
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }
}

/// What the what-if page shows besides the form.
#[derive(Default)]
struct WhatIfShown {
    result: Option<kitanetz_placement::WhatIf>,
    reason: String,
    published: Option<u32>,
    errors: Vec<FieldError>,
}

fn what_if_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    input: super::WhatIfInput,
    shown: WhatIfShown,
) -> Result<Response, AppError> {
    let title = if lang == Lang::En {
        "What if: another criteria catalogue"
    } else {
        "Was wäre, wenn: ein anderer Kriterienkatalog"
    };
    let names = crate::applications::queries::facility_names(&node.store())?
        .into_iter()
        .map(|(id, name)| (id.0, name))
        .collect();
    let page = WhatIfPage {
        chrome: Chrome::new(node, lang, Some(session), title),
        input,
        result: shown.result,
        versions: super::catalogue::versions(&node.store())?,
        reason: shown.reason,
        published: shown.published,
        names,
        errors: shown.errors,
        lang,
    };
    render_form(&page, &page.errors)
}

/// `GET /rounds/what-if`: the form, with the city's catalogue in force to edit.
pub async fn what_if_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let next = super::instance::first_of_month(node.clock.today()).0 + chrono::Months::new(1);
    let input = super::WhatIfInput {
        from: next.format("%Y-%m").to_string(),
        to: (next + chrono::Months::new(11)).format("%Y-%m").to_string(),
        catalogue: serde_json::to_string_pretty(&super::catalogue::in_force(
            &node.store(),
            &city_name(&node),
        )?)
        .expect("json"),
    };
    what_if_page(&node, lang, &session, input, WhatIfShown::default())
}

#[derive(Deserialize, Default)]
pub struct WhatIfForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: super::WhatIfInput,
}

/// `POST /rounds/what-if`: both runs side by side; nothing is stored.
pub async fn what_if_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<WhatIfForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::ViewPlacementRounds)?;
    let portal = city(&node)?;
    let district_of = crate::reports::http::home_district_of_address(portal);
    let ran = super::what_if(
        &node.store(),
        &session.who,
        &form.input,
        &district_of,
        &city_name(&node),
    );
    let shown = match ran {
        Ok(result) => WhatIfShown {
            result: Some(result),
            ..WhatIfShown::default()
        },
        Err(e) => WhatIfShown {
            errors: as_fields(e)?,
            ..WhatIfShown::default()
        },
    };
    what_if_page(&node, lang, &session, form.input, shown)
}

#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(flatten)]
    input: super::catalogue::PublishInput,
}

/// `POST /rounds/catalogue`: publishes the catalogue compared on the what-if page as the city's
/// new version; the page shows it in force (or what is wrong).
pub async fn publish_catalogue(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::PublishCriteriaCatalogue)?;
    city(&node)?;
    let published = super::catalogue::publish(
        &mut node.store(),
        &session.who,
        &form.input,
        &city_name(&node),
        node.now(),
    );
    let input = super::WhatIfInput {
        from: form.from,
        to: form.to,
        catalogue: form.input.catalogue.clone(),
    };
    let shown = match published {
        Ok(p) => WhatIfShown {
            published: Some(p.version),
            ..WhatIfShown::default()
        },
        Err(crate::action::ActionError::Conflict(message)) => WhatIfShown {
            reason: form.input.reason,
            errors: vec![FieldError {
                field: "reason".into(),
                message,
            }],
            ..WhatIfShown::default()
        },
        Err(e) => WhatIfShown {
            reason: form.input.reason,
            errors: e.into_field_errors()?,
            ..WhatIfShown::default()
        },
    };
    what_if_page(&node, lang, &session, input, shown)
}

/// `GET /api/rounds/catalogue`: the catalogue in force and every published version.
pub async fn api_catalogue(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let store = node.store();
    Ok(axum::Json(serde_json::json!({
        "in_force": super::catalogue::in_force(&store, &city_name(&node))?,
        "versions": super::catalogue::versions(&store)?,
    })))
}

/// `POST /api/rounds/catalogue` `{catalogue, reason}` (the catalogue as a JSON string): the
/// published version.
pub async fn api_publish_catalogue(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    crate::http::ApiJson(input): crate::http::ApiJson<super::catalogue::PublishInput>,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::PublishCriteriaCatalogue)?;
    city(&node)?;
    let published = super::catalogue::publish(
        &mut node.store(),
        &session.who,
        &input,
        &city_name(&node),
        node.now(),
    )?;
    Ok(axum::Json(serde_json::to_value(published).expect("json")))
}

/// `POST /api/rounds/what-if` `{from, to, catalogue}` (the catalogue as a JSON string):
/// `kitanetz-placement-what-if/1`.
pub async fn api_what_if(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    crate::http::ApiJson(input): crate::http::ApiJson<super::WhatIfInput>,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    let portal = city(&node)?;
    let district_of = crate::reports::http::home_district_of_address(portal);
    let result = super::what_if(
        &node.store(),
        &session.who,
        &input,
        &district_of,
        &city_name(&node),
    )?;
    Ok(axum::Json(serde_json::to_value(result).expect("json")))
}

/// `GET /api/rounds`.
pub async fn api_list(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let rounds = super::list(&node.store(), &session.who)?;
    Ok(axum::Json(serde_json::json!({
        "rounds": rounds.iter().map(|r| serde_json::json!({
            "round": r.id,
            "started_on": r.started_on,
            "window": { "from": r.window_from, "to": r.window_to },
            "offer_days": r.offer_days,
            "children": r.children,
            "proposed": r.proposed,
            "seed_hash": r.seed_hash,
            "input_hash": r.input_hash,
        })).collect::<Vec<_>>()
    })))
}

/// `POST /api/rounds`.
pub async fn api_start(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    crate::http::ApiJson(input): crate::http::ApiJson<RoundInput>,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::RunPlacementRound)?;
    let portal = city(&node)?;
    let district_of = crate::reports::http::home_district_of_address(portal);
    let started = super::start(
        &mut node.store(),
        &session.who,
        &input,
        &district_of,
        &city_name(&node),
        node.now(),
    )?;
    Ok(axum::Json(serde_json::to_value(started).expect("json")))
}

/// `GET /api/rounds/{id}`.
pub async fn api_round(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    Path(id): Path<String>,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::ViewPlacementRounds)?;
    city(&node)?;
    let view = super::view(&node.store(), &session.who, round_id(&id)?)?;
    Ok(axum::Json(serde_json::json!({
        "round": view.round.id,
        "stable": view.stable,
        "statistics": view.statistics,
        "proposals": view.proposals,
        "by_kita": view.by_kita,
        "unplaced": view.unplaced,
    })))
}

/// The parents' answer as posted.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct AnswerInput {
    /// `accept` or `decline`.
    #[serde(default)]
    pub answer: String,
}

fn answer_of(input: &AnswerInput) -> Result<Answer, AppError> {
    match input.answer.as_str() {
        "accept" => Ok(Answer::Accept),
        "decline" => Ok(Answer::Decline),
        other => Err(AppError::BadRequest(format!(
            "answer: \"accept\" or \"decline\", not {other:?}"
        ))),
    }
}

fn application_id(id: &str) -> Result<ApplicationId, AppError> {
    id.parse().map_err(|_| AppError::NotFound(id.to_string()))
}

/// `POST /rounds/{id}/offers/{application}`: the ZVS records the answer the parents gave to the
/// round's offer by phone or letter (`answer=accept|decline`); back to the Kita's proposals.
pub async fn record_answer_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((round, application)): Path<(String, String)>,
    Form(form): Form<crate::http::Posted<AnswerInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::RecordOfferAnswer)?;
    city(&node)?;
    let round = round_id(&round)?;
    let answer = answer_of(&form.input)?;
    let application = application_id(&application)?;
    let facility = {
        let store = node.store();
        store
            .find::<kitanetz_crdt::kinds::Application>(&crate::seats::application_doc_id(
                &application,
            ))?
            .and_then(|(_, a)| super::open_offer(&a, super::DEFAULT_OFFER_DAYS).map(|o| o.facility))
    };
    super::answer_offer(
        &mut node.store(),
        &session.who,
        &application,
        answer,
        node.now(),
    )?;
    let back = match facility {
        Some(f) => format!(
            "/rounds/{round}?facility={}#round-proposals",
            form_urlencoded::byte_serialize(f.0.as_bytes()).collect::<String>()
        ),
        None => format!("/rounds/{round}"),
    };
    Ok(Redirect::to(&back).into_response())
}

/// `POST /portal/applications/{id}/offer`: the parents accept or decline a round's offer.
pub async fn answer_submit(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    Path(id): Path<String>,
    Form(form): Form<crate::http::Posted<AnswerInput>>,
) -> Result<Response, AppError> {
    city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::AnswerOffer)?;
    let answer = answer_of(&form.input)?;
    let id = application_id(&id)?;
    super::answer_offer(&mut node.store(), &session.who, &id, answer, node.now())?;
    Ok(Redirect::to("/portal/applications").into_response())
}

/// `POST /api/portal/applications/{id}/offer`: accept or decline the open offer of a placement
/// round (the contact parent).
#[utoipa::path(
    post,
    path = "/api/portal/applications/{id}/offer",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    request_body = AnswerInput,
    responses(
        (status = 200, description = "Answered: accepted (the Kita gets the parents' data and concludes the contract) or declined (the seat is released)"),
        (status = 400, description = "Neither accept nor decline", body = crate::accounts::api::ErrorBody),
        (status = 404, description = "Not an application of this parent", body = crate::accounts::api::ErrorBody),
        (status = 409, description = "No open offer (answered, lapsed, or none made)", body = crate::accounts::api::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_answer(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    Path(id): Path<String>,
    crate::http::ApiJson(input): crate::http::ApiJson<AnswerInput>,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::AnswerOffer)?;
    city(&node)?;
    let answer = answer_of(&input)?;
    let id = application_id(&id)?;
    super::answer_offer(&mut node.store(), &session.who, &id, answer, node.now())?;
    Ok(axum::Json(serde_json::json!({
        "application": id,
        "answer": input.answer,
    })))
}
