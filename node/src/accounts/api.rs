//! The parents' accounts in the JSON API: register and log in for a bearer token (another
//! front end, such as the state's portal, acts for the parent with it), log out.

use super::http::{base_url, hash_off_thread};
use super::{login, register, LoginError, Registration};
use crate::action::ActionError;
use crate::auth::{authorize, Action};
use crate::http::{ApiError, ApiJson, ApiSession, AppError, MaybeSession};
use crate::Node;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A short answer in both languages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub message: String,
}

/// What every refused call answers: the reason and, for bad input, every field with its message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<serde_json::Value>,
}

/// The parent's e-mail address and password.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PortalLogin {
    pub email: String,
    pub password: String,
}

/// A parent's session for the API: send `Authorization: Bearer <token>`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PortalToken {
    pub token: String,
    pub display_name: String,
}

/// Registers a parent account; the confirmation link goes by e-mail. An address that has an
/// account already gets the same answer (and a mail saying so), so the API does not tell who
/// is registered.
#[utoipa::path(
    post,
    path = "/api/portal/accounts",
    tag = "accounts",
    request_body = Registration,
    responses(
        (status = 202, description = "Confirmation mail sent", body = Message),
        (status = 422, description = "A field is wrong", body = ErrorBody),
    )
)]
pub async fn api_register(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    ApiJson(input): ApiJson<Registration>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let who = session.who();
    authorize(&who, Action::RegisterAccount).map_err(AppError::from)?;
    let base = base_url(&node)?;
    input
        .check()
        .map_err(|e| AppError::from(ActionError::from(e)))?;
    let hash = hash_off_thread(&input.password).await?;
    let now = node.now();
    let registered = register(&mut node.store(), &who, &input, &hash, &base, now);
    registered.map_err(AppError::from)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Message {
            message: "Bitte bestätigen Sie Ihre E-Mail-Adresse mit dem Link aus der E-Mail. / Please confirm your e-mail address with the link in the mail.".into(),
        }),
    ))
}

/// Logs a parent in (a confirmed account) and answers a bearer token.
#[utoipa::path(
    post,
    path = "/api/portal/login",
    tag = "accounts",
    request_body = PortalLogin,
    responses(
        (status = 200, body = PortalToken),
        (status = 401, description = "Wrong e-mail or password, or not confirmed yet", body = ErrorBody),
    )
)]
pub async fn api_login(
    State(node): State<Arc<Node>>,
    crate::http::SourceAddr(source): crate::http::SourceAddr,
    ApiJson(input): ApiJson<PortalLogin>,
) -> Result<Json<PortalToken>, ApiError> {
    base_url(&node)?;
    match login(&node, &input.email, &input.password, source).await {
        Ok((account, tokens)) => Ok(Json(PortalToken {
            token: tokens.token,
            display_name: account.display_name,
        })),
        Err(LoginError::Store(e)) => Err(AppError::from(e).into()),
        Err(e) => {
            crate::http::pages::audit_failed_login(
                &mut node.store(),
                // Never a parent's e-mail address in the audit log: the portal, and where from.
                "portal",
                source,
                node.clock.now_millis(),
            )?;
            Err(ApiError(match e.retry_after_secs() {
                // Throttled (counted whether the address has an account or not): 429.
                Some(_) => e.into(),
                None => AppError::Unauthenticated,
            }))
        }
    }
}

/// Ends the session of the bearer token (or cookie) the call carries.
#[utoipa::path(
    post,
    path = "/api/portal/logout",
    tag = "accounts",
    responses((status = 204, description = "The token no longer works")),
    security(("bearer" = []))
)]
pub async fn api_logout(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    authorize(&session.who, Action::ViewOwnAccount)?;
    crate::http::pages::end_request_session(&node, &headers)?;
    Ok(StatusCode::NO_CONTENT)
}
