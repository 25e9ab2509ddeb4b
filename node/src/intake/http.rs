//! The ZVS's intake pages: watch list and intake pool (`/intake`), the proofs, the versioned
//! settings (`/intake/settings`); the parents' proof upload on the portal.

use super::{
    change_settings, decide, overview, proof, run_due, settings_history, upload_proof, Decision,
    IntakeSettings, IntakeView, SettingsInput,
};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{read_upload, render_form, AppError, Lang, MaybeSession, Session};
use crate::Node;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kitanetz_crdt::ids::ApplicationId;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

fn city_name(node: &Node) -> String {
    crate::applications::http::city_name(node)
}

/// The intake lives on the city node (with the portal); elsewhere its pages do not exist.
/// Asked after the authorisation, so that a refusal does not depend on the node.
fn city(node: &Node) -> Result<(), AppError> {
    node.portal
        .as_ref()
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound("intake".into()))
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    chrome: Chrome,
    view: IntakeView,
    /// The outgoing post: letters to print, then those printed lately.
    letters: Vec<super::post::OutgoingLetter>,
    /// A message after an action ("released", "ran:…").
    done: String,
    errors: Vec<FieldError>,
    lang: Lang,
}

impl IntakePage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn check_label(&self, check: &str) -> &'static str {
        match (check, self.en()) {
            ("outside", false) => "Wohnsitz außerhalb",
            ("outside", true) => "lives outside the city",
            ("not-found", false) => "Adresse nicht im Straßenverzeichnis",
            ("not-found", true) => "address not in the street directory",
            (_, false) => "zu prüfen",
            (_, true) => "to check",
        }
    }

    fn letter_label(&self, kind: &super::post::LetterKind) -> &'static str {
        match (kind, self.en()) {
            (super::post::LetterKind::Receipt, false) => "Eingangsbestätigung",
            (super::post::LetterKind::Receipt, true) => "Receipt",
            (super::post::LetterKind::Change, false) => "Änderungsbestätigung",
            (super::post::LetterKind::Change, true) => "Change confirmation",
            (super::post::LetterKind::Notice, false) => "Mitteilung",
            (super::post::LetterKind::Notice, true) => "Notice",
        }
    }

    fn recheck_label(&self, recheck: &str) -> &'static str {
        match (recheck, self.en()) {
            ("due", false) => "Adressprüfung fällig",
            ("due", true) => "address re-check due",
            ("overdue", false) => "Adressprüfung überfällig",
            ("overdue", true) => "address re-check overdue",
            _ => "",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn intake_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    done: String,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (view, letters) = {
        let store = node.store();
        let view = overview(&store, &session.who, node.clock.today())?;
        (
            view,
            super::post::outgoing(&store, &session.who, node.now())?,
        )
    };
    let title = if lang == Lang::En {
        "Intake"
    } else {
        "Antragsaufnahme"
    };
    let page = IntakePage {
        chrome: Chrome::new(node, lang, Some(session), title),
        view,
        letters,
        done,
        errors,
        lang,
    };
    render_form(&page, &page.errors)
}

/// `GET /intake`: the watch list (addresses to check) and the intake pool.
pub async fn intake(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    intake_page(&node, lang, &session, q.done.unwrap_or_default(), vec![])
}

#[derive(Template)]
#[template(path = "placement_watch.html")]
struct PlacementWatchPage {
    chrome: Chrome,
    watch: crate::applications::watch::PlacementWatch,
    lang: Lang,
}

impl PlacementWatchPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn status_label(&self, status: &str) -> &'static str {
        use crate::applications::sequential::status;
        match (status, self.en()) {
            (status::REQUEST, false) => "zur Prüfung",
            (status::REQUEST, true) => "for review",
            (status::WAITLIST, false) => "Warteliste",
            (status::WAITLIST, true) => "waitlist",
            (status::DECLINED, false) => "abgelehnt",
            (status::DECLINED, true) => "declined",
            (status::PLACED, false) => "vermittelt",
            (status::PLACED, true) => "placed",
            (status::PLACED_ELSEWHERE, false) => "anderweitig vermittelt",
            (status::PLACED_ELSEWHERE, true) => "placed elsewhere",
            (_, false) => "noch nicht geprüft",
            (_, true) => "not checked yet",
        }
    }
}

/// `GET /intake/placement`: the ZVS's watch of the sequential procedure.
pub async fn placement_watch(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    let watch = crate::applications::watch::watch(&node.store(), &session.who, node.clock.today())?;
    let title = if lang == Lang::En {
        "Placement: reviews and central pool"
    } else {
        "Vermittlung: Prüfungen und zentraler Antragspool"
    };
    let page = PlacementWatchPage {
        chrome: Chrome::new(&node, lang, Some(&session), title),
        watch,
        lang,
    };
    render_form(&page, &[])
}

/// `GET /api/intake/placement`: the same as JSON.
pub async fn api_placement_watch(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
) -> Result<axum::Json<crate::applications::watch::PlacementWatch>, crate::http::ApiError> {
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    Ok(axum::Json(crate::applications::watch::watch(
        &node.store(),
        &session.who,
        node.clock.today(),
    )?))
}

/// `application` to reactivate, with an optional note for the parents.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReactivateInput {
    pub application: String,
    pub note: String,
}

/// `POST /intake/placement/reactivate`: an inactive application takes part again.
pub async fn reactivate_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<crate::http::Posted<ReactivateInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::DecideIntake)?;
    city(&node)?;
    let id: ApplicationId = form
        .input
        .application
        .parse()
        .map_err(|_| AppError::NotFound(form.input.application.clone()))?;
    crate::intake::reactivate(
        &mut node.store(),
        &session.who,
        &id,
        &form.input.note,
        node.now(),
    )?;
    Ok(Redirect::to("/intake/placement#inactive").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AlternativeInput {
    pub application: String,
    pub facility: String,
    pub note: String,
}

/// `POST /intake/placement/alternative`: a Kita from the pool's alternatives becomes the
/// family's further wish (agreed with the parents; see [`super::offer_alternative`]).
pub async fn alternative_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<crate::http::Posted<AlternativeInput>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::OfferAlternative)?;
    city(&node)?;
    let id: ApplicationId = form
        .input
        .application
        .parse()
        .map_err(|_| AppError::NotFound(form.input.application.clone()))?;
    super::offer_alternative(
        &mut node.store(),
        &session.who,
        &id,
        &kitanetz_crdt::ids::FacilityId(form.input.facility.clone()),
        &form.input.note,
        node.now(),
    )?;
    Ok(Redirect::to("/intake/placement#pool").into_response())
}

/// `POST /api/intake/reactivations`.
pub async fn api_reactivate(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    crate::http::ApiJson(input): crate::http::ApiJson<ReactivateInput>,
) -> Result<axum::Json<serde_json::Value>, crate::http::ApiError> {
    authorize(&session.who, Action::DecideIntake)?;
    city(&node)?;
    let id: ApplicationId = input
        .application
        .parse()
        .map_err(|_| AppError::NotFound(input.application.clone()))?;
    crate::intake::reactivate(
        &mut node.store(),
        &session.who,
        &id,
        &input.note,
        node.now(),
    )?;
    Ok(axum::Json(
        serde_json::json!({ "application": id, "status": "active" }),
    ))
}

#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /intake/{id}/decide`: release, reject, or ask for proofs.
pub async fn decide_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::DecideIntake)?;
    city(&node)?;
    let decision = match form.decision.as_str() {
        "release" => Decision::Release,
        "reject" => Decision::Reject,
        "request-proofs" => Decision::RequestProofs,
        _ => return Err(AppError::BadRequest("decision".into())),
    };
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let now = node.now();
    // The store's guard must end before the error page reads the store again.
    let decided = decide(
        &mut node.store(),
        &session.who,
        &id,
        decision,
        &form.note,
        now,
    );
    match decided {
        Ok(()) => Ok(Redirect::to(&format!("/intake?done={}", form.decision)).into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            intake_page(&node, lang, &session, String::new(), errors)
        }
    }
}

/// `POST /intake/{id}/transfer`: the urgency of a Wechselantrag (into placement), or rejected.
pub async fn transfer_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::DecideTransfer)?;
    city(&node)?;
    let decision = super::TransferDecision::parse(&form.decision)
        .ok_or_else(|| AppError::BadRequest("decision".into()))?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let now = node.now();
    let decided = super::decide_transfer(
        &mut node.store(),
        &session.who,
        &id,
        decision,
        &form.note,
        now,
    );
    match decided {
        Ok(()) => Ok(Redirect::to("/intake?done=transfer").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            intake_page(&node, lang, &session, String::new(), errors)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /intake/run`: the due work now (the node also runs it every hour).
pub async fn run_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::DecideIntake)?;
    city(&node)?;
    let streets = node.portal.as_ref().and_then(|p| p.streets());
    let run = run_due(&mut node.store(), streets, &city_name(&node), node.now())?;
    Ok(Redirect::to(&format!(
        "/intake?done=run-{}-{}-{}",
        run.admitted, run.rechecked, run.to_watch_list
    ))
    .into_response())
}

/// `GET /intake/documents/{id}`: a proof, as a download (never rendered inline: it came from
/// outside).
pub async fn document(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let (name, content_type, bytes) = proof(&node.store(), &session.who, id)?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /intake/letters/{id}/letter.pdf`: a letter of the outgoing post, to print.
pub async fn letter_pdf(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let office = crate::http::letter_office(&node);
    let letter = super::post::letter(&node.store(), &session.who, id, &office, &city_name(&node))?;
    let pdf = crate::letters::receipt_pdf(letter).await?;
    Ok(crate::http::pdf_response(pdf, &format!("Brief-{id}.pdf")))
}

/// `POST /intake/letters/{id}/printed`: the letter is printed and goes in the post.
pub async fn printed_submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::DecideIntake)?;
    city(&node)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let now = node.now();
    super::post::mark_printed(&mut node.store(), &session.who, id, now)?;
    Ok(Redirect::to("/intake?done=printed#outgoing-post").into_response())
}

#[derive(Template)]
#[template(path = "intake_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    input: SettingsInput,
    history: Vec<IntakeSettings>,
    in_force: IntakeSettings,
    errors: Vec<FieldError>,
    saved: bool,
    lang: Lang,
}

impl SettingsPage {
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

fn settings_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    input: Option<SettingsInput>,
    errors: Vec<FieldError>,
    saved: bool,
) -> Result<Response, AppError> {
    let store = node.store();
    let history = settings_history(&store, &session.who)?;
    let today = node.clock.today();
    let in_force = super::settings_on(&store, today)?;
    let input = input.unwrap_or_else(|| SettingsInput {
        valid_from: today.to_string(),
        horizon_months: in_force.horizon_months.to_string(),
        recheck_from_weeks: in_force.recheck_from_weeks.to_string(),
        recheck_until_weeks: in_force.recheck_until_weeks.to_string(),
        followup_days: in_force.followup_days.to_string(),
        grace_months: in_force.grace_months.to_string(),
    });
    let title = if lang == Lang::En {
        "Intake settings"
    } else {
        "Einstellungen der Antragsaufnahme"
    };
    let page = SettingsPage {
        chrome: Chrome::new(node, lang, Some(session), title),
        input,
        history,
        in_force,
        errors,
        saved,
        lang,
    };
    render_form(&page, &page.errors)
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /intake/settings`.
pub async fn settings_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    settings_page(&node, lang, &session, None, vec![], q.saved.is_some())
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: SettingsInput,
}

/// `POST /intake/settings`: a new version from a day on.
pub async fn settings_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::ManageIntake)?;
    city(&node)?;
    let now = node.now();
    let changed = change_settings(&mut node.store(), &session.who, &form.input, now);
    match changed {
        Ok(_) => Ok(Redirect::to("/intake/settings?saved=1").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            settings_page(&node, lang, &session, Some(form.input), errors, false)
        }
    }
}

/// `POST /portal/applications/{id}/documents`: the parents upload a proof (multipart).
pub async fn upload(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    authorize(&session.who, Action::UploadProof)?;
    let file = read_upload(multipart, &session, "document", "5 MB").await?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let now = node.now();
    let uploaded = upload_proof(
        &mut node.store(),
        &session.who,
        &id,
        &file.name,
        &file.bytes,
        now,
    );
    match uploaded {
        Ok(()) => Ok(Redirect::to("/portal/applications?uploaded=1").into_response()),
        Err(crate::action::ActionError::Invalid(e)) => {
            let message = e
                .errors
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/portal/applications?upload_error={}",
                form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
            ))
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The body limit of the upload route: the largest proof plus the form around it.
pub const UPLOAD_BODY_LIMIT: usize = super::MAX_DOCUMENT_BYTES + 64 * 1024;

/// `GET /intake.xlsx`: the watch list and the intake pool as an Excel file, one sheet each.
/// Names and addresses leave the system: the export is audited with the applications.
pub async fn intake_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    let now = node.now();
    let view = {
        let mut store = node.store();
        let view = overview(&store, &session.who, node.clock.today())?;
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "intake.export",
            target: None,
            subjects: view
                .watch
                .iter()
                .chain(&view.pool)
                .chain(view.transfers.iter().map(|t| &t.row))
                .map(|r| r.id.clone())
                .collect(),
            valid_from: None,
        })?;
        view
    };
    let table = |title: &str, rows: &[super::IntakeRow], pool: bool| {
        let mut columns = vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Date),
            Column::new("Gewünschter Beginn", ColumnKind::Date),
            Column::new("Adresse", ColumnKind::Text),
            Column::new("Adressprüfung", ColumnKind::Text),
            Column::new("Eingegangen", ColumnKind::Text),
            Column::new("Nachweise", ColumnKind::Integer),
        ];
        if pool {
            columns.push(Column::new("Im Horizont ab", ColumnKind::Date));
            columns.push(Column::new("Erneute Prüfung", ColumnKind::Text));
        }
        let mut t = Table::new(title, columns);
        t.rows = rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    Cell::from(r.id.as_str()),
                    Cell::from(r.child.as_str()),
                    Cell::Date(r.birth_date.0),
                    Cell::Date(r.desired_start.0),
                    Cell::from(r.address.as_str()),
                    Cell::from(r.address_check.as_str()),
                    crate::http::sheets::date_cell(&r.submitted_on),
                    Cell::Integer(r.documents.len() as i64),
                ];
                if pool {
                    row.push(Cell::Date(r.enters_on.0));
                    row.push(Cell::from(r.recheck));
                }
                row
            })
            .collect();
        t
    };
    let mut transfers = Table::new(
        "Wechselanträge",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Gewünschter Beginn", ColumnKind::Date),
            Column::new("Kündigungsfrist unterschritten", ColumnKind::Text),
            Column::new("Grund", ColumnKind::Text),
            Column::new("Eingegangen", ColumnKind::Text),
        ],
    );
    transfers.rows = view
        .transfers
        .iter()
        .map(|t| {
            vec![
                Cell::from(t.row.id.as_str()),
                Cell::from(t.row.child.as_str()),
                Cell::Date(t.row.desired_start.0),
                Cell::from(if t.notice_short { "ja" } else { "nein" }),
                Cell::from(t.reason.as_str()),
                crate::http::sheets::date_cell(&t.row.submitted_on),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![
            table("Überwachungsliste", &view.watch, false),
            transfers,
            table("Vormerkpool", &view.pool, true),
        ],
        "Antragsaufnahme".into(),
        node.config.display_name.clone(),
        &format!("antragsaufnahme-{}", now.today),
        now.millis,
    )
    .await
}

/// `GET /intake/placement.xlsx`: the ZVS's watch of the placement (overdue reviews, the central
/// pool, inactive applications) as an Excel file; audited with the applications.
pub async fn placement_watch_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    authorize(&session.who, Action::ViewIntake)?;
    city(&node)?;
    let now = node.now();
    let watch = {
        let mut store = node.store();
        let watch = crate::applications::watch::watch(&store, &session.who, now.today)?;
        let mut subjects: Vec<String> = watch
            .overdue
            .iter()
            .map(|r| r.application.clone())
            .chain(watch.pool.iter().map(|r| r.application.clone()))
            .chain(watch.inactive.iter().map(|r| r.application.clone()))
            .collect();
        subjects.sort();
        subjects.dedup();
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "intake.placement.export",
            target: None,
            subjects,
            valid_from: None,
        })?;
        watch
    };
    let mut overdue = Table::new(
        "Überfällige Prüfungen",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Kita", ColumnKind::Text),
            Column::new("Seit", ColumnKind::Date),
            Column::new("Tage", ColumnKind::Integer),
            Column::new("Platz reserviert", ColumnKind::YesNo),
        ],
    );
    overdue.rows = watch
        .overdue
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.application.as_str()),
                Cell::from(r.child.as_str()),
                Cell::from(r.facility_name.as_str()),
                Cell::Date(r.since.0),
                Cell::Integer(r.days),
                Cell::YesNo(r.reserved),
            ]
        })
        .collect();
    let mut pool = Table::new(
        "Zentraler Antragspool",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Gewünschter Beginn", ColumnKind::Date),
            Column::new("Betreuungsart", ColumnKind::Text),
            Column::new("Wünsche", ColumnKind::Text),
            Column::new("Frei anderswo (anzubieten)", ColumnKind::Text),
        ],
    );
    pool.rows = watch
        .pool
        .iter()
        .map(|r| {
            let wishes: Vec<String> = r
                .wishes
                .iter()
                .map(|(kita, status)| format!("{kita} ({status})"))
                .collect();
            vec![
                Cell::from(r.application.as_str()),
                Cell::from(r.child.as_str()),
                Cell::Date(r.desired_start.0),
                Cell::from(r.care_type.label_de()),
                Cell::from(wishes.join("; ").as_str()),
                Cell::from(
                    r.alternatives
                        .iter()
                        .map(|a| format!("{} ({}, frei ab {})", a.name, a.postcode, a.free_from))
                        .collect::<Vec<_>>()
                        .join("; ")
                        .as_str(),
                ),
            ]
        })
        .collect();
    let mut inactive = Table::new(
        "Inaktive Anträge",
        vec![
            Column::new("Antrag", ColumnKind::Text),
            Column::new("Kind", ColumnKind::Text),
            Column::new("Gewünschter Beginn", ColumnKind::Date),
            Column::new("Betreuungsart", ColumnKind::Text),
            Column::new("Inaktiv seit", ColumnKind::Date),
            Column::new("Grund", ColumnKind::Text),
        ],
    );
    inactive.rows = watch
        .inactive
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.application.as_str()),
                Cell::from(r.child.as_str()),
                Cell::Date(r.desired_start.0),
                Cell::from(r.care_type.label_de()),
                r.since.map_or(Cell::Empty, |d| Cell::Date(d.0)),
                Cell::from(r.why.as_str()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![overdue, pool, inactive],
        "Vermittlung".into(),
        node.config.display_name.clone(),
        &format!("vermittlung-{}", now.today),
        now.millis,
    )
    .await
}
