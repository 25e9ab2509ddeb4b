//! The pages of the parents' income self-assessment: the portal's form and proof upload (city
//! node), the Beitragsstelle's list, detail, proofs and take-over (Träger node).

use super::declarations::{self, OfficeRow, OwnDeclaration, UploadedProof};
use super::reduction_http::{ReductionForm, ReductionFormView};
use crate::action::ActionError;
use crate::http::pages::Chrome;
use crate::http::{
    read_upload, render, render_form, ApiError, ApiJson, ApiSession, AppError, Lang, MaybeSession,
    Posted, Session,
};
use crate::Node;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::ids::ApplicationId;
use kitanetz_crdt::kinds::IncomeDeclaration;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest request the proof upload takes (one proof and the form's other fields).
pub const PROOF_BODY_LIMIT: usize = kitanetz_crdt::kinds::income::MAX_PROOF_BYTES + 64 * 1024;

#[derive(Template)]
#[template(path = "portal_income.html")]
struct IncomePage {
    chrome: Chrome,
    lang: Lang,
    id: String,
    own: OwnDeclaration,
    errors: Vec<FieldError>,
    form: ReductionFormView,
    sent: bool,
    uploaded: bool,
    upload_error: String,
}

impl IncomePage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The children the family's declaration is for, as one text.
    fn covers(&self) -> String {
        self.own
            .declared
            .as_ref()
            .map(|d| d.children().join(", "))
            .unwrap_or_default()
    }

    fn proofs(&self) -> Vec<(String, String)> {
        self.own
            .declared
            .as_ref()
            .map(|d| {
                d.proofs
                    .iter()
                    .map(|p| (p.name.clone(), p.uploaded_on.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct IncomeQuery {
    sent: Option<String>,
    uploaded: Option<String>,
    upload_error: Option<String>,
}

fn application_id(id: &str) -> Result<ApplicationId, AppError> {
    id.parse().map_err(|_| AppError::NotFound(id.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn income_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &str,
    own: OwnDeclaration,
    errors: Vec<FieldError>,
    typed: ReductionForm,
    q: IncomeQuery,
) -> Result<Response, AppError> {
    let title = if lang == Lang::En {
        "Income for the fee reduction"
    } else {
        "Einkommen für die Beitragsermäßigung"
    };
    let page = IncomePage {
        chrome: Chrome::new(node, lang, Some(session), title).with_portal(),
        lang,
        id: id.to_string(),
        own,
        errors: errors.clone(),
        form: ReductionFormView {
            lang,
            errors,
            typed,
        },
        sent: q.sent.is_some(),
        uploaded: q.uploaded.is_some(),
        upload_error: q.upload_error.unwrap_or_default(),
    };
    render_form(&page, &page.errors)
}

/// `GET /portal/applications/{id}/income`: the form (filled with what was sent) and the proofs.
pub async fn portal_get(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Path(id): Path<String>,
    Query(q): Query<IncomeQuery>,
) -> Result<Response, AppError> {
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let application = application_id(&id)?;
    let own = declarations::own(&node.store(), &session.who, &application)?;
    let typed = ReductionForm::from_input(&own.input()?);
    income_page(&node, lang, &session, &id, own, vec![], typed, q)
}

/// `POST /portal/applications/{id}/income`: send or correct the declaration.
pub async fn portal_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Path(id): Path<String>,
    Form(form): Form<Posted<ReductionForm>>,
) -> Result<Response, AppError> {
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    session.check_csrf(&form.csrf)?;
    let application = application_id(&id)?;
    let result = declarations::declare(
        &mut node.store(),
        &session.who,
        &application,
        form.input.input(),
        node.now(),
    );
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/portal/applications/{id}/income?sent=1")).into_response())
        }
        Err(ActionError::Invalid(e)) => {
            let own = declarations::own(&node.store(), &session.who, &application)?;
            income_page(
                &node,
                lang,
                &session,
                &id,
                own,
                e.errors,
                form.input,
                IncomeQuery::default(),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /portal/applications/{id}/income/proofs` (multipart: `csrf`, `proof`).
pub async fn portal_proof(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let file = read_upload(multipart, &session, "proof", "1,5 MB").await?;
    let application = application_id(&id)?;
    let result = declarations::add_proof(
        &mut node.store(),
        &session.who,
        &application,
        UploadedProof {
            name: file.name,
            bytes: file.bytes,
        },
        node.now(),
    );
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/portal/applications/{id}/income?uploaded=1")).into_response(),
        ),
        Err(ActionError::Invalid(e)) => {
            let message = e
                .errors
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/portal/applications/{id}/income?upload_error={}",
                form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
            ))
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "fee_declarations.html")]
struct OfficeListPage {
    chrome: Chrome,
    lang: Lang,
    rows: Vec<OfficeRow>,
}

impl OfficeListPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }
}

/// `GET /fees/declarations`: the self-assessments that reached this Träger.
pub async fn office_list(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    let rows = declarations::office_list(&node.store(), &session.who)?;
    let title = if lang == Lang::En {
        "Online income self-assessments"
    } else {
        "Online-Selbstauskünfte zum Einkommen"
    };
    render(&OfficeListPage {
        chrome: Chrome::new(&node, lang, Some(&session), title),
        lang,
        rows,
    })
}

#[derive(Template)]
#[template(path = "fee_declaration.html")]
struct OfficeDetailPage {
    chrome: Chrome,
    lang: Lang,
    row: OfficeRow,
    declaration: IncomeDeclaration,
    input: super::reduction::ReductionInput,
    error: String,
}

impl OfficeDetailPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn member_name(&self, id: &str) -> String {
        self.input
            .members
            .iter()
            .find(|m| m.id == id)
            .map_or_else(|| id.to_string(), |m| m.name.clone())
    }

    /// The deductions typed, as (field, value).
    fn deductions(&self) -> Vec<(&'static str, String)> {
        let d = &self.input.deductions;
        [
            ("1.2.1 a) Arbeitsmittel", &d.work_equipment),
            ("1.2.1 b) Fahrtkosten", &d.travel),
            ("Entfernung Auto (km)", &d.travel_car_km),
            ("Monatskarte", &d.travel_ticket),
            ("Doppelte Haushaltsführung", &d.double_household),
            ("sonstige Werbungskosten", &d.other_expenses),
            ("Haftpflichtversicherung", &d.liability_insurance),
            ("Hausratversicherung", &d.household_insurance),
            ("Unfallversicherung", &d.accident_insurance),
            ("sonstige Versicherungen", &d.other_insurance),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
    }
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    error: Option<String>,
}

fn detail_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    id: &str,
    error: String,
) -> Result<Response, AppError> {
    let (row, declaration, input) = declarations::office_detail(&node.store(), &session.who, id)?;
    let title = format!(
        "{} {}",
        if lang == Lang::En {
            "Self-assessment"
        } else {
            "Selbstauskunft"
        },
        row.child
    );
    render(&OfficeDetailPage {
        chrome: Chrome::new(node, lang, Some(session), title),
        lang,
        row,
        declaration,
        input,
        error,
    })
}

/// `GET /fees/declarations/{id}`.
pub async fn office_detail(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    detail_page(&node, lang, &session, &id, q.error.unwrap_or_default())
}

/// `GET /fees/declarations/{id}/proofs/{n}`: one proof (audited read).
pub async fn office_proof(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    // A number that does not parse names no proof: "not found" after the authorisation.
    let index = n
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .unwrap_or(usize::MAX);
    let proof = declarations::proof(&mut node.store(), &session.who, &id, index, node.now())?;
    Ok(proof_response(
        &proof.name,
        &proof.media_type,
        proof.content.0,
    ))
}

/// `POST /fees/declarations/{id}/take-over`: into the family's fee case as a § 90 application.
pub async fn office_take_over(
    State(node): State<Arc<Node>>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Posted<BTreeMap<String, String>>>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    match declarations::take_over(&mut node.store(), &session.who, &id, node.now()) {
        Ok((family, _)) => {
            Ok(Redirect::to(&format!("/fees/families/{}/reductions", family.0)).into_response())
        }
        Err(ActionError::Conflict(message)) => Ok(Redirect::to(&format!(
            "/fees/declarations/{id}?error={}",
            form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The response of a proof download: the file, never cached, never sniffed.
fn proof_response(name: &str, media_type: &str, bytes: Vec<u8>) -> Response {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /fees/families/{id}/proofs/{declaration}/{n}`: a proof kept with the fee case (audited).
pub async fn kept_proof(
    State(node): State<Arc<Node>>,
    session: Session,
    Path((family, declaration, n)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (proof, bytes) = declarations::kept_proof(
        &mut node.store(),
        &session.who,
        &kitanetz_crdt::ids::FamilyId(family),
        &declaration,
        n.parse().unwrap_or(0),
        node.now(),
    )?;
    Ok(proof_response(&proof.name, &proof.media_type, bytes))
}

/// A proof as the parents' API shows it (without its bytes).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProofView {
    pub name: String,
    pub media_type: String,
    pub uploaded_on: String,
}

/// What was sent, as the parents' API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SentView {
    pub submitted_on: String,
    pub changed_on: String,
    /// Counts the changes (corrections, proofs).
    pub revision: u32,
    pub input: super::reduction::ReductionInput,
    pub proofs: Vec<ProofView>,
    /// The children it is for (one declaration per family and Träger), the first first.
    pub children: Vec<String>,
    /// It is for this application's child too (false: for a sibling only; sending it again
    /// from this application adds the child).
    pub for_this_child: bool,
}

/// The income self-assessment of one application in the parents' API.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeclarationView {
    /// The Kita the child has its place at.
    pub facility: String,
    pub child: String,
    /// `null` until the parents sent their figures.
    pub sent: Option<SentView>,
}

fn view_of(own: OwnDeclaration) -> Result<DeclarationView, AppError> {
    let input = own.input()?;
    Ok(DeclarationView {
        sent: own.declared.as_ref().map(|d| SentView {
            submitted_on: d.submitted_on.to_string(),
            changed_on: d.changed_on.to_string(),
            revision: d.revision,
            input,
            proofs: d
                .proofs
                .iter()
                .map(|p| ProofView {
                    name: p.name.clone(),
                    media_type: p.media_type.clone(),
                    uploaded_on: p.uploaded_on.to_string(),
                })
                .collect(),
            children: d.children(),
            for_this_child: own.for_this_child,
        }),
        facility: own.facility,
        child: own.child,
    })
}

/// `GET /api/portal/applications/{id}/income`.
#[utoipa::path(
    get,
    path = "/api/portal/applications/{id}/income",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    responses(
        (status = 200, description = "The Kita of the place and what was sent so far", body = DeclarationView),
        (status = 404, description = "Not an application of this parent (the contact parent)", body = crate::accounts::api::ErrorBody),
        (status = 409, description = "The child has no place yet", body = crate::accounts::api::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_get(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<DeclarationView>, ApiError> {
    let application = application_id(&id)?;
    let own =
        declarations::own(&node.store(), &session.who, &application).map_err(AppError::from)?;
    Ok(Json(view_of(own)?))
}

/// `PUT /api/portal/applications/{id}/income`: send or correct the figures (the annex C form).
#[utoipa::path(
    put,
    path = "/api/portal/applications/{id}/income",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    request_body = super::reduction::ReductionInput,
    responses(
        (status = 200, description = "Sent to the Beitragsstelle of the Kita's Träger", body = DeclarationView),
        (status = 404, description = "Not an application of this parent", body = crate::accounts::api::ErrorBody),
        (status = 409, description = "The child has no place yet, or the declaration was withdrawn", body = crate::accounts::api::ErrorBody),
        (status = 422, description = "Field errors", body = crate::accounts::api::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_put(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<super::reduction::ReductionInput>,
) -> Result<Json<DeclarationView>, ApiError> {
    let application = application_id(&id)?;
    let mut store = node.store();
    declarations::declare(&mut store, &session.who, &application, input, node.now())
        .map_err(AppError::from)?;
    let own = declarations::own(&store, &session.who, &application).map_err(AppError::from)?;
    Ok(Json(view_of(own)?))
}

/// A proof sent through the API.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProofUpload {
    pub file_name: String,
    /// The file, base64 (PDF, JPEG or PNG, at most 1.5 MB).
    pub content_base64: String,
}

/// `POST /api/portal/applications/{id}/income/proofs`.
#[utoipa::path(
    post,
    path = "/api/portal/applications/{id}/income/proofs",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    request_body = ProofUpload,
    responses(
        (status = 200, description = "Added to the declaration", body = DeclarationView),
        (status = 404, description = "Not an application of this parent", body = crate::accounts::api::ErrorBody),
        (status = 409, description = "Nothing sent yet, or no place", body = crate::accounts::api::ErrorBody),
        (status = 422, description = "Not base64, not PDF/JPEG/PNG, too large, or too many", body = crate::accounts::api::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_proof(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(upload): ApiJson<ProofUpload>,
) -> Result<Json<DeclarationView>, ApiError> {
    use base64::Engine;
    let application = application_id(&id)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(upload.content_base64.trim())
        .map_err(|_| {
            AppError::from(ActionError::from(
                kitanetz_crdt::validate::ValidationError::field(
                    "content_base64",
                    "kein Base64 / not base64",
                ),
            ))
        })?;
    let mut store = node.store();
    declarations::add_proof(
        &mut store,
        &session.who,
        &application,
        UploadedProof {
            name: upload.file_name,
            bytes,
        },
        node.now(),
    )
    .map_err(AppError::from)?;
    let own = declarations::own(&store, &session.who, &application).map_err(AppError::from)?;
    Ok(Json(view_of(own)?))
}

/// `GET /fees/declarations.xlsx`: the list as a workbook (audited: names and incomes leave).
pub async fn office_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    let now = node.now();
    let rows = {
        let mut store = node.store();
        let rows = declarations::office_list(&store, &session.who)?;
        store.audit(&crate::storage::AuditEntry {
            at: now.millis,
            actor: session.who.audit_name(),
            action: "fees.declaration.export",
            target: None,
            subjects: rows.iter().map(|r| r.id.clone()).collect(),
            valid_from: None,
        })?;
        rows
    };
    let mut table = Table::new(
        "Selbstauskünfte",
        vec![
            Column::new("Kind", ColumnKind::Text),
            Column::new("Geburtsdatum", ColumnKind::Date),
            Column::new("Kita", ColumnKind::Text),
            Column::new("Elternteil", ColumnKind::Text),
            Column::new("Gesendet", ColumnKind::Date),
            Column::new("Geändert", ColumnKind::Date),
            Column::new("Nachweise", ColumnKind::Integer),
            Column::new("Familiennummer", ColumnKind::Text),
            Column::new("Anträge", ColumnKind::Text),
            Column::new("Stand", ColumnKind::Text),
        ],
    );
    table.rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.child.as_str()),
                Cell::Date(r.child_birth_date.0),
                Cell::from(r.facility.as_str()),
                Cell::from(r.guardian.as_str()),
                Cell::Date(r.submitted_on.0),
                Cell::Date(r.changed_on.0),
                Cell::Integer(r.proofs as i64),
                Cell::from(r.family.as_ref().map_or("", |(_, n)| n.as_str())),
                Cell::from(
                    r.taken_over
                        .iter()
                        .map(|(n, _, state)| {
                            if state.is_empty() {
                                n.clone()
                            } else {
                                format!("{n} ({state})")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                        .as_str(),
                ),
                Cell::from(r.state()),
            ]
        })
        .collect();
    crate::http::sheets::xlsx_response(
        vec![table],
        format!("Online-Selbstauskünfte {}", now.today),
        node.config.display_name.clone(),
        &format!("Selbstauskuenfte-{}", now.today),
        now.millis,
    )
    .await
}
