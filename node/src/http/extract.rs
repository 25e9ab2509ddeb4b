//! Request extractors: the logged-in staff member (cookie session or bearer token) and the
//! UI language.

use super::error::{ApiError, AppError};
use crate::auth::{lookup_session, Caller};
use crate::Node;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "kn_session";
pub const LANG_COOKIE: &str = "kn_lang";

/// A logged-in staff member on a page request. Redirects to the login when missing.
pub struct Staff {
    pub caller: Caller,
    pub csrf: String,
    /// True when the credential came from the session cookie (then writes need the CSRF token).
    pub via_cookie: bool,
}

impl Staff {
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
pub struct ApiStaff(pub Staff);

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

fn authenticate(parts: &Parts, node: &Node) -> Result<Option<Staff>, AppError> {
    authenticate_headers(&parts.headers, node)
}

/// The staff member a request's headers identify (bearer token first, then the cookie).
pub fn authenticate_headers(headers: &HeaderMap, node: &Node) -> Result<Option<Staff>, AppError> {
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
    Ok(
        lookup_session(&store, token, node.clock.now_millis())?.map(|(caller, csrf)| Staff {
            caller,
            csrf,
            via_cookie,
        }),
    )
}

impl FromRequestParts<Arc<Node>> for Staff {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, node)?.ok_or(AppError::Unauthenticated)
    }
}

impl FromRequestParts<Arc<Node>> for ApiStaff {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        let staff = authenticate(parts, node)
            .map_err(ApiError)?
            .ok_or(ApiError(AppError::Unauthenticated))?;
        // Cookie-authenticated API writes need the CSRF header (a bearer token is not ambient).
        if staff.via_cookie && parts.method != axum::http::Method::GET {
            let posted = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            staff.check_csrf(posted).map_err(ApiError)?;
        }
        Ok(ApiStaff(staff))
    }
}

/// Optional login, for pages that also show something to visitors.
pub struct MaybeStaff(pub Option<Staff>);

impl FromRequestParts<Arc<Node>> for MaybeStaff {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        node: &Arc<Node>,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeStaff(authenticate(parts, node)?))
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
