//! One place turns errors into HTTP status codes and pages (or JSON for the API).

use crate::action::ActionError;
use crate::auth::{Forbidden, LoginError};
use crate::storage::StoreError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kitanetz_crdt::doc::DocError;
use kitanetz_crdt::ValidationError;

#[derive(Debug)]
pub enum AppError {
    /// Not logged in: pages redirect to the login, the API answers 401.
    Unauthenticated,
    Forbidden(Forbidden),
    NotFound(String),
    /// The input broke a rule; the field errors say which field and what to do.
    Invalid(ValidationError),
    BadRequest(String),
    Conflict(String),
    /// A form was posted without the session's CSRF token.
    CsrfMismatch,
    /// A staff user whose first password somebody else chose asks for anything but the password
    /// form: pages redirect there, the API answers 403.
    PasswordChangeRequired,
    /// Too many attempts (failed logins): try again in so many seconds (`Retry-After`).
    TooManyRequests {
        message: String,
        retry_after_secs: i64,
    },
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::CsrfMismatch | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "Bitte anmelden / please log in".into(),
            AppError::Forbidden(f) => format!("Keine Berechtigung / not allowed ({})", f.action),
            AppError::NotFound(what) => format!("Nicht gefunden / not found: {what}"),
            AppError::Invalid(v) => v.to_string(),
            AppError::BadRequest(m)
            | AppError::Conflict(m)
            | AppError::TooManyRequests { message: m, .. } => m.clone(),
            AppError::PasswordChangeRequired => "Bitte ändern Sie zuerst Ihr Passwort (/password) / change your password first (/password)".into(),
            AppError::CsrfMismatch => {
                "Formular abgelaufen, bitte neu laden / form expired, reload the page".into()
            }
            AppError::Internal(_) => "Interner Fehler / internal error".into(),
        }
    }
}

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::Forbidden(f) => AppError::Forbidden(f),
            ActionError::Invalid(v) => AppError::Invalid(v),
            ActionError::NotFound(what) => AppError::NotFound(what),
            ActionError::Conflict(message) => AppError::Conflict(message),
            ActionError::Store(s) => s.into(),
        }
    }
}

impl From<crate::letters::LetterError> for AppError {
    fn from(e: crate::letters::LetterError) -> Self {
        match e {
            // The data has what the letter cannot show (a script its font lacks): the person
            // asking must know, and the rest of the node goes on.
            crate::letters::LetterError::Render(_)
            | crate::letters::LetterError::Decision(_)
            | crate::letters::LetterError::Exit(_) => AppError::Conflict(e.to_string()),
            crate::letters::LetterError::Thread(m) => AppError::Internal(m),
        }
    }
}

impl From<Forbidden> for AppError {
    fn from(f: Forbidden) -> Self {
        AppError::Forbidden(f)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(id) => AppError::NotFound(id.0),
            StoreError::Doc(DocError::Invalid { source, .. }) => AppError::Invalid(source),
            StoreError::Erased(id) => {
                AppError::Conflict(format!("{id} wurde gelöscht / was erased"))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<DocError> for AppError {
    fn from(e: DocError) -> Self {
        AppError::from(StoreError::Doc(e))
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Invalid(e)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::from(StoreError::from(e))
    }
}

impl From<LoginError> for AppError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Store(s) => s.into(),
            throttled if throttled.retry_after_secs().is_some() => AppError::TooManyRequests {
                message: throttled.to_string(),
                retry_after_secs: throttled.retry_after_secs().unwrap_or_default(),
            },
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        if matches!(self, AppError::PasswordChangeRequired) {
            return Redirect::to("/password?required=1").into_response();
        }
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let message = self.message();
        let page = super::pages::ErrorPage::new(status, message.clone());
        let mut res = match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message.clone()).into_response(),
        };
        if let Some(denied) = Denied::of(&self) {
            res.extensions_mut().insert(denied);
        }
        self.retry_after(&mut res);
        // The router's error-page layer re-renders this with the caller's session and language.
        res.extensions_mut().insert(PageError { status, message });
        res
    }
}

/// Marks a refusal (a forbidden action or a failed CSRF check) so that the router's layer
/// records it in the audit log with who asked and for what.
#[derive(Debug, Clone)]
pub struct Denied {
    /// `access.denied` or `csrf.failed`.
    pub action: &'static str,
    /// The action refused (for `access.denied`).
    pub detail: String,
}

impl Denied {
    fn of(e: &AppError) -> Option<Denied> {
        match e {
            AppError::Forbidden(f) => Some(Denied {
                action: "access.denied",
                detail: f.action.to_string(),
            }),
            AppError::CsrfMismatch => Some(Denied {
                action: "csrf.failed",
                detail: String::new(),
            }),
            _ => None,
        }
    }
}

/// Marks an HTML error response so that [`super::error_pages`] can render it in context.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

/// The same errors as JSON: `{"error": "...", "fields": [...]}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.0 {
            tracing::error!(%detail, "internal error");
        }
        let fields = match &self.0 {
            AppError::Invalid(v) => serde_json::to_value(&v.errors).unwrap_or_default(),
            _ => serde_json::Value::Array(vec![]),
        };
        let mut res = (
            self.0.status(),
            axum::Json(serde_json::json!({ "error": self.0.message(), "fields": fields })),
        )
            .into_response();
        if let Some(denied) = Denied::of(&self.0) {
            res.extensions_mut().insert(denied);
        }
        self.0.retry_after(&mut res);
        res
    }
}

impl AppError {
    /// `Retry-After` on a 429, so that clients (and people) know how long to wait.
    fn retry_after(&self, res: &mut Response) {
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = self
        {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
    }
}
