//! The parents' applications in the JSON API: submit, list, change, withdraw, invite the
//! second guardian. The same domain functions as the portal's forms, the same checks and
//! field messages.

use super::{
    change, context, guardians, own_applications, submit, withdraw, ApplicationInput, Changed,
    OwnApplication, Submitted, MAX_CHILDREN, MAX_WISHES,
};
use crate::accounts::api::{ErrorBody, Message};
use crate::http::{ApiError, ApiJson, ApiSession, AppError};
use crate::Node;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kitanetz_crdt::ids::ApplicationId;
use serde::Deserialize;
use std::sync::Arc;

fn portal(node: &Node) -> Result<&crate::portal::Portal, AppError> {
    node.portal
        .as_ref()
        .ok_or_else(|| AppError::NotFound("Portal".into()))
}

/// Brings a JSON body to the form's shape: children and wishes padded to their slots; more
/// than the slots is a field error, not silently cut.
fn slots(mut input: ApplicationInput) -> Result<ApplicationInput, AppError> {
    let mut v = kitanetz_crdt::Validator::new();
    v.check(
        input.children.len() <= MAX_CHILDREN,
        "children",
        format!("höchstens {MAX_CHILDREN} Kinder je Antrag / at most {MAX_CHILDREN} children"),
    );
    v.check(
        input.wishes.len() <= MAX_WISHES,
        "wishes",
        format!("höchstens {MAX_WISHES} Wünsche / at most {MAX_WISHES} wishes"),
    );
    v.finish().map_err(AppError::Invalid)?;
    input.children.resize(MAX_CHILDREN, Default::default());
    input.wishes.resize(MAX_WISHES, String::new());
    Ok(input)
}

fn application_id(id: String) -> Result<ApplicationId, AppError> {
    id.parse().map_err(|_| AppError::NotFound(id))
}

/// The logged-in parent's applications with the status of every wish.
#[utoipa::path(
    get,
    path = "/api/portal/applications",
    tag = "applications",
    responses(
        (status = 200, body = Vec<OwnApplication>),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_own(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<OwnApplication>>, ApiError> {
    portal(&node)?;
    Ok(Json(
        own_applications(&node.store(), &session.who).map_err(AppError::from)?,
    ))
}

/// Submits an application: one per child, up to five ranked wishes (`f:<facility id>` or
/// `tagespflege`), the three consents. Wishes must offer the care type the child needs at the
/// start; one active application per child across all providers.
#[utoipa::path(
    post,
    path = "/api/portal/applications",
    tag = "applications",
    request_body = ApplicationInput,
    responses(
        (status = 201, body = Submitted),
        (status = 422, description = "Every failing field with its message; nothing stored", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_submit(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let portal = portal(&node)?;
    let input = slots(input)?;
    let submitted = {
        let mut store = node.store();
        let ctx = context(
            &store,
            portal,
            &super::http::city_name(&node),
            node.clock.today(),
        )?;
        submit(
            &mut store,
            &ctx,
            portal.streets(),
            &session.who,
            &input,
            node.now(),
        )
    };
    Ok((
        StatusCode::CREATED,
        Json(submitted.map_err(AppError::from)?),
    ))
}

/// Changes an application (and the siblings applied with it). The children are not changed
/// here; changed wishes restart placement; refused once a place is reserved.
#[utoipa::path(
    put,
    path = "/api/portal/applications/{id}",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    request_body = ApplicationInput,
    responses(
        (status = 200, body = Changed),
        (status = 404, description = "Not an application of this parent", body = ErrorBody),
        (status = 409, description = "A place is reserved, or it is no longer active", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_change(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> Result<Json<Changed>, ApiError> {
    let portal = portal(&node)?;
    let id = application_id(id)?;
    let input = slots(input)?;
    let changed = {
        let mut store = node.store();
        let ctx = context(
            &store,
            portal,
            &super::http::city_name(&node),
            node.clock.today(),
        )?;
        change(
            &mut store,
            &ctx,
            portal.streets(),
            &session.who,
            &id,
            &input,
            node.now(),
        )
    };
    Ok(Json(changed.map_err(AppError::from)?))
}

/// Withdraws an application: kept and flagged, the Kitas told.
#[utoipa::path(
    post,
    path = "/api/portal/applications/{id}/withdrawal",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 404, body = ErrorBody),
        (status = 409, description = "No longer active", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_withdraw(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    portal(&node)?;
    let id = application_id(id)?;
    let now = node.now();
    let withdrawn = withdraw(&mut node.store(), &session.who, &id, now);
    withdrawn.map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The second guardian's address.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Invitee {
    pub email: String,
}

/// Invites the second guardian to an application (the contact parent only).
#[utoipa::path(
    post,
    path = "/api/portal/applications/{id}/invitations",
    tag = "applications",
    params(("id" = String, Path, description = "The application number")),
    request_body = Invitee,
    responses(
        (status = 202, description = "Invitation mailed", body = Message),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn api_invite(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    ApiJson(invitee): ApiJson<Invitee>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let portal = portal(&node)?;
    let id = application_id(id)?;
    let now = node.now();
    let invited = guardians::invite(
        &mut node.store(),
        &session.who,
        &id,
        &invitee.email,
        &portal.settings.public_url,
        now,
    );
    invited.map_err(AppError::from)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Message {
            message: "Einladung verschickt / invitation sent".into(),
        }),
    ))
}

/// `GET /api/wishes/{handle}`: the application a Kita's handle belongs to (the ZVS).
pub async fn api_wish(
    State(node): State<Arc<Node>>,
    crate::http::ApiSession(session): crate::http::ApiSession,
    Path(handle): Path<String>,
) -> Result<Json<super::wishes::WishLookup>, ApiError> {
    Ok(Json(super::wishes::lookup(
        &node.store(),
        &session.who,
        &handle,
    )?))
}
