//! The OpenAPI document of the parents' JSON API, generated from the handlers and their types
//! (`/api/openapi.json`), so that the state's portal or another front end can search and apply.

use crate::{accounts, applications, portal};
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kitanetz parents' API",
        description = "Search Kitas and childminders, register, apply for a place, follow, change and withdraw the application. Errors answer {\"error\", \"fields\": [{\"field\", \"message\"}]}; messages are German / English.",
        license(name = "EUPL-1.2")
    ),
    paths(
        portal::http::api_search,
        portal::http::api_facility,
        portal::http::api_childminder,
        accounts::api::api_register,
        accounts::api::api_login,
        accounts::api::api_logout,
        applications::api::api_own,
        applications::api::api_submit,
        applications::api::api_change,
        applications::api::api_withdraw,
        applications::api::api_invite,
        crate::rounds::http::api_answer,
        crate::fees::declarations_http::api_get,
        crate::fees::declarations_http::api_put,
        crate::fees::declarations_http::api_proof,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "search", description = "Public: no login"),
        (name = "accounts", description = "Parents' accounts"),
        (name = "applications", description = "A logged-in parent's applications (bearer token from /api/portal/login)"),
    )
)]
pub struct ParentsApi;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as JSON (built once: it only changes with the code).
pub fn document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        ParentsApi::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> axum::response::Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document(),
    )
        .into_response()
}
