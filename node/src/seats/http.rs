//! The seats page of a Kita (its wishes, the seat plan) and its API.

use super::contract::{conclude, draft, ConcludeInput, Concluded, ContractDraft};
use super::{decline, release, reserve, view, DeclineInput, ReleaseInput, ReserveInput, SeatsView};
use crate::http::pages::Chrome;
use crate::http::{render_form, ApiError, ApiSession, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::{CareType, DeclineReason, SeatLedger};
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "seats.html")]
struct SeatsPage {
    chrome: Chrome,
    view: SeatsView,
    errors: Vec<FieldError>,
    /// The care type the list is narrowed to ("" = all), and the choices: (value, label).
    care_type: String,
    care_types: Vec<(&'static str, &'static str)>,
}

/// `?care_type=nursery`: only wishes of one care type (a Kita lead plans by group type).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeatsQuery {
    care_type: String,
}

impl SeatsQuery {
    /// Keeps the wishes of the asked care type; an unknown or empty one keeps all.
    fn narrow(&self, view: &mut SeatsView) -> String {
        match CareType::parse(self.care_type.trim()) {
            Some(ct) => {
                view.wishes.retain(|a| a.care_type == ct);
                ct.as_str().to_string()
            }
            None => String::new(),
        }
    }
}

impl SeatsPage {
    /// The reasons a Kita may give for a "no": (code, label).
    fn decline_reasons(&self) -> Vec<(&'static str, &'static str)> {
        DeclineReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    if self.chrome.t.lang == "en" {
                        r.label_en()
                    } else {
                        r.label_de()
                    },
                )
            })
            .collect()
    }

    /// Months with a free seat of the application's care type, for the reserve form.
    fn months_for(&self, care_type: &kitanetz_crdt::kinds::CareType) -> Vec<(String, u32)> {
        self.view
            .ledger
            .months
            .iter()
            .filter(|m| &m.care_type == care_type && m.free() > 0)
            .map(|m| (m.month.to_string(), m.free()))
            .collect()
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    query: &SeatsQuery,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let mut view = view(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        node.clock.today(),
    )?;
    let care_type = query.narrow(&mut view);
    // Offer the care types the Kita has seats for.
    let care_types = CareType::ALL
        .iter()
        .filter(|c| view.ledger.months.iter().any(|m| m.care_type == **c))
        .map(|c| (c.as_str(), c.label_de()))
        .collect();
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).seats,
    );
    let page = SeatsPage {
        chrome,
        view,
        errors,
        care_type,
        care_types,
    };
    render_form(&page, &page.errors)
}

pub async fn seats_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(query): Query<SeatsQuery>,
) -> Result<Response, AppError> {
    page(&node, lang, &session, &query, vec![])
}

pub async fn reserve_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<ReserveInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = reserve(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    after_decision(&node, lang, &session, result, "/seats")
}

pub async fn decline_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<DeclineInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = decline(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    after_decision(&node, lang, &session, result, "/seats")
}

/// A release comes from the seats page or from a task on the conflicts page; it returns there.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReleaseForm {
    #[serde(flatten)]
    input: ReleaseInput,
    return_to: String,
}

pub async fn release_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<ReleaseForm>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = release(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input.input,
        node.now(),
    );
    // Only our own pages: never redirect to a URL taken from the request.
    let back = if form.input.return_to == "/conflicts" {
        "/conflicts"
    } else {
        "/seats"
    };
    after_decision(&node, lang, &session, result, back)
}

/// After a reservation, release or "no": back to `back`, or the seats page with the field errors.
fn after_decision(
    node: &Node,
    lang: Lang,
    session: &Session,
    result: Result<SeatLedger, crate::action::ActionError>,
    back: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(back).into_response()),
        Err(e) => page(
            node,
            lang,
            session,
            &SeatsQuery::default(),
            e.into_field_errors()?,
        ),
    }
}

/// `GET /seats.xlsx`: the wishes at the Kita (to review, waitlist, closed) with their holds.
pub async fn seats_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(query): Query<SeatsQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let mut view = view(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        node.clock.today(),
    )?;
    query.narrow(&mut view);
    let table = |title: &str, wishes: &[&super::WishAtKita]| {
        let mut table = Table::new(
            title,
            vec![
                Column::new("Kennung", ColumnKind::Text),
                Column::new("Betreuungsart", ColumnKind::Text),
                Column::new("Gewünschter Beginn", ColumnKind::Date),
                Column::new("Alter bei Beginn (Monate)", ColumnKind::Integer),
                Column::new("Stunden täglich", ColumnKind::Decimal),
                Column::new("Geschwister hier", ColumnKind::YesNo),
                Column::new("Integration", ColumnKind::YesNo),
                Column::new("Wechsel", ColumnKind::YesNo),
                Column::new("Status", ColumnKind::Text),
                Column::new("Platz ab", ColumnKind::Date),
                Column::new("Platzstatus", ColumnKind::Text),
                Column::new("Wiedervorlage", ColumnKind::Date),
            ],
        );
        table.rows = wishes
            .iter()
            .map(|w| {
                vec![
                    Cell::from(w.handle.0.as_str()),
                    Cell::from(w.care_type.label_de()),
                    Cell::Date(w.desired_start.0),
                    Cell::Integer(i64::from(w.age_months_at_start)),
                    Cell::Decimal(w.daily_hours.0),
                    Cell::YesNo(w.sibling_here),
                    Cell::YesNo(w.integration_need),
                    Cell::YesNo(w.transfer),
                    Cell::from(w.status.label_de()),
                    w.hold.map_or(Cell::Empty, |(m, _)| Cell::Date(m.0)),
                    w.hold
                        .map_or(Cell::Empty, |(_, s)| Cell::from(s.label_de())),
                    w.follow_up_on.map_or(Cell::Empty, |d| Cell::Date(d.0)),
                ]
            })
            .collect();
        table
    };
    let mut transfers = Table::new(
        "Wechsel",
        vec![
            Column::new("Kind", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Date),
            Column::new("Letzter Tag hier", ColumnKind::Date),
            Column::new("Kündigungsfrist unterschritten", ColumnKind::YesNo),
            Column::new("Stand", ColumnKind::Text),
            Column::new("Seit", ColumnKind::Date),
        ],
    );
    transfers.rows = view
        .transfers
        .iter()
        .map(|t| {
            vec![
                Cell::from(t.child.as_str()),
                Cell::Date(t.birth_date.0),
                Cell::Date(t.last_day.0),
                Cell::YesNo(t.notice_short),
                Cell::from(t.state_label(false)),
                Cell::Date(t.since.0),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![
            table("Zu prüfen", &view.to_review()),
            table("Warteliste", &view.waitlist()),
            table("Abgeschlossen", &view.closed()),
            transfers,
        ],
        format!("Anfragen und Plätze {}", node.clock.today()),
        node.config.display_name.clone(),
        &format!("Plaetze-{}", node.clock.today()),
        node.clock.now_millis(),
    )
    .await
}

pub async fn api_view(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(query): Query<SeatsQuery>,
) -> Result<Json<SeatsView>, ApiError> {
    let mut view = view(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        node.clock.today(),
    )?;
    query.narrow(&mut view);
    Ok(Json(view))
}

pub async fn api_reserve(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<ReserveInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(reserve(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}

pub async fn api_release(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<ReleaseInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(release(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}

pub async fn api_decline(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<DeclineInput>,
) -> Result<Json<SeatLedger>, ApiError> {
    Ok(Json(decline(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}

#[derive(Template)]
#[template(path = "seats_contract.html")]
struct ContractPage {
    chrome: Chrome,
    draft: ContractDraft,
    errors: Vec<FieldError>,
}

impl ContractPage {
    /// The text fields of the form: (name, label, value, input type).
    fn fields(&self) -> Vec<(&'static str, &'static str, String, &'static str)> {
        person_fields(self.chrome.t, &self.draft.input)
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn sexes(&self) -> [(&'static str, &'static str); 4] {
        sexes(self.chrome.t)
    }

    fn person(&self) -> &ConcludeInput {
        &self.draft.input
    }
}

/// `?wish=<handle>`: the contract form for a reserved wish.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContractQuery {
    wish: String,
}

fn contract_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    draft: ContractDraft,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(
        node,
        lang,
        Some(session),
        crate::http::i18n::texts(lang).conclude_contract,
    );
    let page = ContractPage {
        chrome,
        draft,
        errors,
    };
    render_form(&page, &page.errors)
}

pub async fn contract_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(query): Query<ContractQuery>,
) -> Result<Response, AppError> {
    let draft = draft(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &query.wish,
    )?;
    contract_page(&node, lang, &session, draft, vec![])
}

pub async fn contract_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<Posted<ConcludeInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let result = conclude(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &form.input,
        node.now(),
    );
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/children/{}", done.child.0)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            // The form again with what was typed, next to the wish's facts.
            let mut draft = draft(
                &node.store(),
                &session.who,
                node.config.facility.as_ref(),
                &form.input.wish,
            )?;
            draft.input = form.input;
            contract_page(&node, lang, &session, draft, errors)
        }
    }
}

pub async fn api_conclude(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Json(input): Json<ConcludeInput>,
) -> Result<Json<Concluded>, ApiError> {
    Ok(Json(conclude(
        &mut node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &input,
        node.now(),
    )?))
}

pub async fn api_draft(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(query): Query<ContractQuery>,
) -> Result<Json<ContractDraft>, ApiError> {
    Ok(Json(draft(
        &node.store(),
        &session.who,
        node.config.facility.as_ref(),
        &query.wish,
    )?))
}

/// The text fields of a child's and guardian's data: (name, label, value, input type).
pub(crate) fn person_fields(
    t: &crate::http::i18n::Texts,
    i: &ConcludeInput,
) -> Vec<(&'static str, &'static str, String, &'static str)> {
    vec![
        (
            "child_given_name",
            t.child_given_name,
            i.child_given_name.clone(),
            "text",
        ),
        (
            "child_family_name",
            t.child_family_name,
            i.child_family_name.clone(),
            "text",
        ),
        (
            "child_birth_date",
            t.birth_date,
            i.child_birth_date.clone(),
            "date",
        ),
        (
            "guardian_given_name",
            t.guardian_given_name,
            i.guardian_given_name.clone(),
            "text",
        ),
        (
            "guardian_family_name",
            t.guardian_family_name,
            i.guardian_family_name.clone(),
            "text",
        ),
        ("street", t.street, i.street.clone(), "text"),
        ("postcode", t.postcode, i.postcode.clone(), "text"),
        ("city", t.city, i.city.clone(), "text"),
        ("phone", t.phone, i.phone.clone(), "tel"),
        ("email", t.email, i.email.clone(), "email"),
        ("daily_hours", t.daily_hours, i.daily_hours.clone(), "text"),
    ]
}

/// The choices of a child's sex: (value, label).
pub(crate) fn sexes(t: &crate::http::i18n::Texts) -> [(&'static str, &'static str); 4] {
    if t.lang == "en" {
        [
            ("female", "female"),
            ("male", "male"),
            ("diverse", "diverse"),
            ("unspecified", "not stated"),
        ]
    } else {
        [
            ("female", "weiblich"),
            ("male", "männlich"),
            ("diverse", "divers"),
            ("unspecified", "ohne Angabe"),
        ]
    }
}
