//! HTTP: the UI (askama pages, htmx fragments, forms that work without JavaScript) and the JSON
//! API for the same operations. Every handler authorises first (see [`crate::auth::authorize`]).

mod assets;
mod error;
mod extract;
pub mod i18n;
pub mod pages;

pub use error::{ApiError, AppError};
pub use extract::{ApiStaff, Lang, Posted, Staff, SESSION_COOKIE};

use crate::Node;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post, put};
use axum::Router;
use std::sync::Arc;
use tower::ServiceBuilder;

/// Every route of the node, with the roles the route × role test expects to be allowed.
/// `None` means public (no login).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/lang/{lang}"),
    ("GET", "/health"),
    ("GET", "/sync"),
    ("GET", "/api/sync"),
    ("GET", "/conflicts"),
    ("POST", "/conflicts/decide"),
    ("GET", "/api/conflicts"),
    ("POST", "/api/conflicts/decisions"),
    ("GET", "/seats"),
    ("POST", "/seats/reserve"),
    ("POST", "/seats/release"),
    ("GET", "/api/seats"),
    ("POST", "/api/seats/reservations"),
    ("POST", "/api/seats/releases"),
    ("GET", "/static/{*path}"),
    ("GET", "/facilities"),
    ("GET", "/facilities/{id}"),
    ("GET", "/facilities/{id}/edit"),
    ("POST", "/facilities/{id}/edit"),
    ("GET", "/facilities/{id}/places"),
    ("POST", "/facilities/{id}/places"),
    ("GET", "/children"),
    ("GET", "/children/{id}"),
    ("GET", "/children/{id}/contracts/new"),
    ("POST", "/children/{id}/contracts/new"),
    ("GET", "/contracts/{id}/change"),
    ("POST", "/contracts/{id}/change"),
    ("POST", "/api/login"),
    ("GET", "/api/me"),
    ("GET", "/api/facilities"),
    ("GET", "/api/facilities/{id}"),
    ("PUT", "/api/facilities/{id}/profile"),
    ("POST", "/api/facilities/{id}/places"),
    ("GET", "/api/children"),
    ("GET", "/api/children/{id}"),
    ("POST", "/api/contracts"),
    ("GET", "/api/contracts/{id}"),
    ("POST", "/api/contracts/{id}/changes"),
];

/// The node's router: the same for the browser, the API and the desktop's custom scheme.
pub fn router(node: Arc<Node>) -> Router {
    use crate::{conflicts, contracts, facilities, families, seats};
    Router::new()
        .route("/", get(pages::start))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang/{lang}", get(pages::set_lang))
        .route("/health", get(pages::health))
        .route("/sync", get(pages::sync_page))
        .route("/api/sync", get(pages::api_sync))
        .route("/conflicts", get(conflicts::http::conflicts_page))
        .route("/conflicts/decide", post(conflicts::http::decide_submit))
        .route("/api/conflicts", get(conflicts::http::api_list))
        .route(
            "/api/conflicts/decisions",
            post(conflicts::http::api_decide),
        )
        .route("/seats", get(seats::http::seats_page))
        .route("/seats/reserve", post(seats::http::reserve_submit))
        .route("/seats/release", post(seats::http::release_submit))
        .route("/api/seats", get(seats::http::api_view))
        .route("/api/seats/reservations", post(seats::http::api_reserve))
        .route("/api/seats/releases", post(seats::http::api_release))
        .route("/static/{*path}", get(assets::serve))
        .route("/facilities", get(facilities::http::list_page))
        .route("/facilities/{id}", get(facilities::http::detail_page))
        .route(
            "/facilities/{id}/edit",
            get(facilities::http::edit_form).post(facilities::http::edit_submit),
        )
        .route(
            "/facilities/{id}/places",
            get(facilities::http::places_form).post(facilities::http::places_submit),
        )
        .route("/children", get(families::http::list_page))
        .route("/children/{id}", get(families::http::detail_page))
        .route(
            "/children/{id}/contracts/new",
            get(contracts::http::new_form).post(contracts::http::new_submit),
        )
        .route(
            "/contracts/{id}/change",
            get(contracts::http::change_form).post(contracts::http::change_submit),
        )
        .route("/api/login", post(pages::api_login))
        .route("/api/me", get(pages::api_me))
        .route("/api/facilities", get(facilities::http::api_list))
        .route("/api/facilities/{id}", get(facilities::http::api_detail))
        .route(
            "/api/facilities/{id}/profile",
            put(facilities::http::api_update_profile),
        )
        .route(
            "/api/facilities/{id}/places",
            post(facilities::http::api_change_places),
        )
        .route("/api/children", get(families::http::api_list))
        .route("/api/children/{id}", get(families::http::api_detail))
        .route("/api/contracts", post(contracts::http::api_create))
        .route("/api/contracts/{id}", get(contracts::http::api_detail))
        .route(
            "/api/contracts/{id}/changes",
            post(contracts::http::api_change),
        )
        .fallback(pages::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::map_response(security_headers))
                .layer(axum::middleware::from_fn_with_state(
                    node.clone(),
                    error_pages,
                )),
        )
        .with_state(node)
}

/// Renders HTML error pages with the caller's navigation and language (errors are raised
/// deep in handlers and extractors, which do not know either).
async fn error_pages(
    axum::extract::State(node): axum::extract::State<Arc<Node>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let headers = req.headers().clone();
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<error::PageError>().cloned() else {
        return res;
    };
    let lang = Lang::of(&headers);
    let staff = extract::authenticate_headers(&headers, &node)
        .ok()
        .flatten();
    let title = format!(
        "{} {}",
        err.status.as_u16(),
        err.status.canonical_reason().unwrap_or("")
    );
    let page = pages::ErrorPage {
        chrome: pages::Chrome::new(&node, lang, staff.as_ref(), title),
        status: err.status.as_u16(),
        message: err.message,
    };
    match render(&page) {
        Ok(mut rendered) => {
            *rendered.status_mut() = err.status;
            rendered
        }
        Err(_) => res,
    }
}

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Renders an askama template into an HTML response.
pub fn render(t: &impl askama::Template) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let body = t
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok(axum::response::Html(body).into_response())
}

/// Renders a page with a form; with field errors the answer is 422, so that the browser, tests
/// and proxies see the submit was refused (every form page answers the same way).
pub fn render_form(
    t: &impl askama::Template,
    errors: &[kitanetz_crdt::validate::FieldError],
) -> Result<axum::response::Response, AppError> {
    let mut res = render(t)?;
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// Whether the request came from htmx (then a fragment is returned instead of the page).
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// A timestamp for people: `2026-11-22 14:05` (UTC+1, see [`crate::clock::Clock::today`]).
pub fn format_millis(ms: &i64) -> String {
    chrono::DateTime::from_timestamp_millis(*ms + 3_600_000)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
