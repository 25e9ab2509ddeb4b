//! Request extractors: who is asking (a logged-in principal from a cookie session or a bearer
//! token, or a visitor), the UI language, and the file of an upload form.

use super::error::{ApiError, AppError};
use crate::auth::{lookup_guardian_session, lookup_session, token_digest, Principal};
use crate::Node;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{FromRequestParts, Multipart};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "kn_session";
pub const LANG_COOKIE: &str = "kn_lang";

/// A logged-in principal on a page request. Redirects to the login when missing.
pub struct Session {
    pub who: Principal,
    pub csrf: String,
    /// True when the credential came from the session cookie (then writes need the CSRF token).
    pub via_cookie: bool,
    /// A staff user whose first password somebody else chose: until she sets her own, only
    /// the password form and the logout answer her (`PASSWORD_CHANGE_PATHS`).
    pub must_change_password: bool,
    /// The digest of the session's token (the password change keeps this session).
    pub token_hash: String,
}

/// What a user who must change her password first may still open (static assets and the
/// language switch take no session at all).
pub const PASSWORD_CHANGE_PATHS: [&str; 3] = ["/password", "/logout", "/api/logout"];

/// Refuses every other request of a session that must change its password first: pages are
/// sent to the form, the API answers 403 with the reason.
fn gate(session: Session, path: &str) -> Result<Session, AppError> {
    if session.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&path) {
        Err(AppError::PasswordChangeRequired)
    } else {
        Ok(session)
    }
}

impl Session {
    /// Checks a posted CSRF token against the session's.
    pub fn check_csrf(&self, posted: &str) -> Result<(), AppError> {
        if !self.via_cookie {
            return Ok(());
        }
        let a = posted.as_bytes();
        let b = self.csrf.as_bytes();
        // Constant-time compare: the token must not leak through timing.
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(AppError::CsrfMismatch)
        }
    }
}

/// The same for API requests: answers 401 JSON instead of redirecting.
pub struct ApiSession(pub Session);

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn authenticate(parts: &Parts, node: &Node) -> Result<Option<Session>, AppError> {
    authenticate_headers(&parts.headers, node)
}

/// The principal a request's headers identify (bearer token first, then the cookie).
pub fn authenticate_headers(headers: &HeaderMap, node: &Node) -> Result<Option<Session>, AppError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let (token, via_cookie) = match (bearer, cookie(headers, SESSION_COOKIE)) {
        (Some(t), _) => (t, false),
        (None, Some(t)) => (t, true),
        (None, None) => return Ok(None),
    };
    let store = node.store();
    let now = node.clock.now_millis();
    if let Some(staff) = lookup_session(&store, token, now)? {
        return Ok(Some(Session {
            who: Principal::Staff(staff.caller),
            csrf: staff.csrf,
            via_cookie,
            must_change_password: staff.must_change_password,
            token_hash: token_digest(token),
        }));
    }
    Ok(
        lookup_guardian_session(&store, token, now)?.map(|(account, csrf)| Session {
            who: Principal::Guardian(account),
            csrf,
            via_cookie,
            must_change_password: false,
            token_hash: token_digest(token),
        }),
    )
}

impl FromRequestParts<Arc<Node>> for Session {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        let session = authenticate(parts, node)?.ok_or(AppError::Unauthenticated)?;
        gate(session, parts.uri.path())
    }
}

impl FromRequestParts<Arc<Node>> for ApiSession {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        let session = authenticate(parts, node)
            .map_err(ApiError)?
            .ok_or(ApiError(AppError::Unauthenticated))?;
        let session = gate(session, parts.uri.path()).map_err(ApiError)?;
        // Cookie-authenticated API writes need the CSRF header (a bearer token is not ambient).
        if session.via_cookie && parts.method != axum::http::Method::GET {
            let posted = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            session.check_csrf(posted).map_err(ApiError)?;
        }
        Ok(ApiSession(session))
    }
}

/// Optional login, for pages that also show something to visitors.
pub struct MaybeSession(pub Option<Session>);

impl MaybeSession {
    /// Who is asking: the logged-in principal or a visitor.
    pub fn who(&self) -> Principal {
        self.0
            .as_ref()
            .map_or(Principal::Visitor, |s| s.who.clone())
    }
}

impl FromRequestParts<Arc<Node>> for MaybeSession {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        match authenticate(parts, node)? {
            Some(session) => Ok(MaybeSession(Some(gate(session, parts.uri.path())?))),
            None => Ok(MaybeSession(None)),
        }
    }
}

/// The UI language: German unless the visitor chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub fn of(headers: &HeaderMap) -> Lang {
        match cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::De,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(&parts.headers))
    }
}

/// A posted form: the session's CSRF token next to the fields of `T`. Missing fields of `T`
/// default, so the handler authorises before it reports them.
#[derive(Debug, serde::Deserialize)]
pub struct Posted<T> {
    #[serde(default)]
    pub csrf: String,
    #[serde(flatten)]
    pub input: T,
}

/// A JSON body for the API. A body that does not parse answers 422 with the field that failed
/// (`{"error": …, "fields": [{"field": "daily_hours", "message": …}]}`), like a broken rule.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError(AppError::BadRequest(e.body_text())))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let field = e.path().to_string();
                let field = if field == "." { String::new() } else { field };
                let message = e.into_inner().to_string();
                let mut v = kitanetz_crdt::Validator::new();
                v.fail(
                    field,
                    format!("ungültige Angabe / invalid value: {message}"),
                );
                ApiError(AppError::Invalid(
                    v.finish().expect_err("one error was added"),
                ))
            })
    }
}

/// The client's address: known when the server runs with connect info (`kitanetz serve`, the
/// demo), `None` in-process (tests, the desktop app). Failed logins are throttled and audited by
/// it. Behind a reverse proxy it is the proxy's address.
pub struct SourceAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for SourceAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(SourceAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// The file an upload form posted (its name as the browser sent it, empty if none).
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads an upload form, as every upload page posts it (multipart: the session's `csrf` and one
/// file field named `file_field`; other fields are ignored, a missing file reads as empty), and
/// checks the CSRF token. A body over the route's limit answers "too large" naming `limit`
/// (e.g. "1,5 MB"), so the page can say what fits. Call it after authorising: only a caller who
/// may upload learns whether the form was well-formed.
pub async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    session: &Session,
    file_field: &str,
    limit: &str,
) -> Result<UploadedFile, AppError> {
    let unreadable = |status: StatusCode, text: String| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BadRequest(format!(
                "Die Datei ist zu groß (höchstens {limit}) / the file is too large (at most {limit})"
            ))
        } else {
            AppError::BadRequest(format!("upload: {text}"))
        }
    };
    let field_error = |e: MultipartError| unreadable(e.status(), e.body_text());
    let mut multipart = multipart.map_err(|e| unreadable(e.status(), e.body_text()))?;
    let mut csrf = String::new();
    let mut file = UploadedFile {
        name: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(field_error)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(field_error)?,
            Some(name) if name == file_field => {
                file.name = field.file_name().unwrap_or_default().to_string();
                file.bytes = field.bytes().await.map_err(field_error)?.to_vec();
            }
            _ => {}
        }
    }
    session.check_csrf(&csrf)?;
    Ok(file)
}
