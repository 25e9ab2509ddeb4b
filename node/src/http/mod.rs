//! HTTP: the UI (askama pages, htmx fragments, forms that work without JavaScript) and the JSON
//! API for the same operations. Every handler authorises first (see [`crate::auth::authorize`]).

pub(crate) mod assets;
pub mod client_addr;
mod error;
pub(crate) mod extract;
pub mod i18n;
pub mod limits;
pub mod openapi;
pub mod pages;
pub mod sheets;

pub use error::{ApiError, AppError};
pub use extract::{
    cookie, read_upload, ApiJson, ApiSession, Lang, MaybeSession, Posted, Session, SourceAddr,
    UploadedFile, SESSION_COOKIE,
};

use crate::Node;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post, put, MethodRouter};
use axum::Router;
use std::sync::Arc;
use tower::ServiceBuilder;

/// One route: method, path pattern and handler. [`routes`] is the one list the router is built
/// from and the route × role test walks.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    handler: MethodRouter<Arc<Node>>,
}

fn route(method: &'static str, path: &'static str, handler: MethodRouter<Arc<Node>>) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

/// Every route of the node.
pub fn routes() -> Vec<Route> {
    use crate::fees::http as fees;
    use crate::{
        accounts, applications, conflicts, contracts, facilities, families, intake, portal, seats,
    };
    vec![
        route("GET", "/portal", get(portal::http::search_page)),
        route(
            "GET",
            "/portal/streets",
            get(portal::http::street_suggestions),
        ),
        route(
            "GET",
            "/portal/facilities/{id}",
            get(portal::http::facility_page),
        ),
        route(
            "GET",
            "/portal/childminders/{id}",
            get(portal::http::childminder_page),
        ),
        route(
            "GET",
            "/portal/favourites",
            get(portal::http::favourites_page),
        ),
        route(
            "POST",
            "/portal/favourites",
            post(portal::http::favourites_submit),
        ),
        route(
            "GET",
            "/portal/register",
            get(accounts::http::register_form),
        ),
        route(
            "POST",
            "/portal/register",
            post(accounts::http::register_submit),
        ),
        route("GET", "/portal/verify", get(accounts::http::verify)),
        route("GET", "/portal/login", get(accounts::http::login_form)),
        route("POST", "/portal/login", post(accounts::http::login_submit)),
        route(
            "GET",
            "/portal/password-reset",
            get(accounts::http::reset_request_form),
        ),
        route(
            "POST",
            "/portal/password-reset",
            post(accounts::http::reset_request_submit),
        ),
        route(
            "GET",
            "/portal/password",
            get(accounts::http::new_password_form),
        ),
        route(
            "POST",
            "/portal/password",
            post(accounts::http::new_password_submit),
        ),
        route("GET", "/portal/account", get(accounts::http::account_page)),
        route("GET", "/portal/apply", get(applications::http::apply_form)),
        route(
            "POST",
            "/portal/apply",
            post(applications::http::apply_submit),
        ),
        route(
            "GET",
            "/portal/applications",
            get(applications::http::applications_page),
        ),
        route(
            "POST",
            "/portal/applications/{id}/withdraw",
            post(applications::http::withdraw_submit),
        ),
        route(
            "POST",
            "/portal/applications/{id}/invite",
            post(applications::http::invite_submit),
        ),
        route(
            "GET",
            "/portal/invitations",
            get(applications::http::invitation_page),
        ),
        route(
            "POST",
            "/portal/invitations",
            post(applications::http::accept_submit),
        ),
        route(
            "POST",
            "/portal/applications/{id}/documents",
            post(intake::http::upload).layer(axum::extract::DefaultBodyLimit::max(
                intake::http::UPLOAD_BODY_LIMIT,
            )),
        ),
        route(
            "GET",
            "/portal/applications/{id}/income",
            get(crate::fees::declarations_http::portal_get),
        ),
        route(
            "POST",
            "/portal/applications/{id}/income",
            post(crate::fees::declarations_http::portal_submit),
        ),
        route(
            "POST",
            "/portal/applications/{id}/income/proofs",
            post(crate::fees::declarations_http::portal_proof).layer(
                axum::extract::DefaultBodyLimit::max(
                    crate::fees::declarations_http::PROOF_BODY_LIMIT,
                ),
            ),
        ),
        route(
            "GET",
            "/api/portal/applications/{id}/income",
            get(crate::fees::declarations_http::api_get),
        ),
        route(
            "PUT",
            "/api/portal/applications/{id}/income",
            put(crate::fees::declarations_http::api_put),
        ),
        route(
            "POST",
            "/api/portal/applications/{id}/income/proofs",
            post(crate::fees::declarations_http::api_proof).layer(
                axum::extract::DefaultBodyLimit::max(
                    crate::fees::declarations_http::PROOF_BODY_LIMIT * 4 / 3 + 4096,
                ),
            ),
        ),
        route(
            "GET",
            "/portal/applications/{id}/receipt.pdf",
            get(applications::http::receipt_pdf),
        ),
        route("GET", "/audit", get(crate::audit::http::audit_page)),
        route("GET", "/audit.csv", get(crate::audit::http::audit_csv)),
        route("GET", "/audit.xlsx", get(crate::audit::http::audit_xlsx)),
        route("GET", "/intake", get(intake::http::intake)),
        route("GET", "/intake.xlsx", get(intake::http::intake_xlsx)),
        route(
            "GET",
            "/intake/letters/{id}/letter.pdf",
            get(intake::http::letter_pdf),
        ),
        route(
            "POST",
            "/intake/letters/{id}/printed",
            post(intake::http::printed_submit),
        ),
        route("POST", "/intake/run", post(intake::http::run_submit)),
        route(
            "POST",
            "/intake/{id}/decide",
            post(intake::http::decide_submit),
        ),
        route(
            "POST",
            "/intake/{id}/transfer",
            post(intake::http::transfer_submit),
        ),
        route(
            "POST",
            "/intake/placement/alternative",
            post(intake::http::alternative_submit),
        ),
        route("GET", "/intake/documents/{id}", get(intake::http::document)),
        route("GET", "/intake/settings", get(intake::http::settings_form)),
        route(
            "GET",
            "/intake/placement",
            get(intake::http::placement_watch),
        ),
        route(
            "GET",
            "/intake/placement.xlsx",
            get(intake::http::placement_watch_xlsx),
        ),
        route(
            "GET",
            "/api/intake/placement",
            get(intake::http::api_placement_watch),
        ),
        route(
            "POST",
            "/intake/placement/reactivate",
            post(intake::http::reactivate_submit),
        ),
        route(
            "POST",
            "/api/intake/reactivations",
            post(intake::http::api_reactivate),
        ),
        route(
            "POST",
            "/intake/settings",
            post(intake::http::settings_submit),
        ),
        route("GET", "/intake/new", get(applications::http::entry_form)),
        route(
            "POST",
            "/intake/new",
            post(applications::http::entry_submit),
        ),
        route(
            "GET",
            "/portal/applications/{id}/change",
            get(applications::http::change_form_page),
        ),
        route(
            "POST",
            "/portal/applications/{id}/change",
            post(applications::http::change_submit),
        ),
        route("GET", "/api/portal/search", get(portal::http::api_search)),
        route("GET", "/api/openapi.json", get(openapi::openapi_json)),
        route(
            "POST",
            "/api/portal/accounts",
            post(accounts::api::api_register),
        ),
        route("POST", "/api/portal/login", post(accounts::api::api_login)),
        route(
            "POST",
            "/api/portal/logout",
            post(accounts::api::api_logout),
        ),
        route(
            "GET",
            "/api/portal/applications",
            get(applications::api::api_own),
        ),
        route(
            "POST",
            "/api/portal/applications",
            post(applications::api::api_submit),
        ),
        route(
            "PUT",
            "/api/portal/applications/{id}",
            axum::routing::put(applications::api::api_change),
        ),
        route(
            "POST",
            "/api/portal/applications/{id}/withdrawal",
            post(applications::api::api_withdraw),
        ),
        route(
            "POST",
            "/api/portal/applications/{id}/invitations",
            post(applications::api::api_invite),
        ),
        route(
            "GET",
            "/api/portal/facilities/{id}",
            get(portal::http::api_facility),
        ),
        route(
            "GET",
            "/api/portal/childminders/{id}",
            get(portal::http::api_childminder),
        ),
        route("GET", "/", get(pages::start)),
        route("GET", "/login", get(pages::login_form)),
        route("POST", "/login", post(pages::login)),
        route("POST", "/logout", post(pages::logout)),
        route("GET", "/password", get(crate::auth::http::form)),
        route("POST", "/password", post(crate::auth::http::submit)),
        route("GET", "/lang/{lang}", get(pages::set_lang)),
        route("GET", "/health", get(pages::health)),
        route("GET", "/sync", get(pages::sync_page)),
        route("GET", "/sync.xlsx", get(pages::sync_xlsx)),
        route("GET", "/api/sync", get(pages::api_sync)),
        route("GET", "/conflicts", get(conflicts::http::conflicts_page)),
        route(
            "GET",
            "/conflicts.xlsx",
            get(conflicts::http::conflicts_xlsx),
        ),
        route(
            "POST",
            "/conflicts/decide",
            post(conflicts::http::decide_submit),
        ),
        route("GET", "/api/conflicts", get(conflicts::http::api_list)),
        route(
            "POST",
            "/api/conflicts/decisions",
            post(conflicts::http::api_decide),
        ),
        route("GET", "/seats", get(seats::http::seats_page)),
        route("GET", "/seats.xlsx", get(seats::http::seats_xlsx)),
        route("POST", "/seats/reserve", post(seats::http::reserve_submit)),
        route("POST", "/seats/release", post(seats::http::release_submit)),
        route("POST", "/seats/decline", post(seats::http::decline_submit)),
        route("GET", "/seats/contract", get(seats::http::contract_form)),
        route(
            "POST",
            "/seats/contract",
            post(seats::http::contract_submit),
        ),
        route("GET", "/api/seats", get(seats::http::api_view)),
        route(
            "GET",
            "/api/wishes/{handle}",
            get(applications::api::api_wish),
        ),
        route(
            "POST",
            "/api/seats/reservations",
            post(seats::http::api_reserve),
        ),
        route(
            "POST",
            "/api/seats/releases",
            post(seats::http::api_release),
        ),
        route(
            "POST",
            "/api/seats/declines",
            post(seats::http::api_decline),
        ),
        route(
            "POST",
            "/api/seats/contracts",
            post(seats::http::api_conclude),
        ),
        route("GET", "/api/seats/contract", get(seats::http::api_draft)),
        route("GET", "/fees", get(fees::list_page)),
        route("GET", "/fees.xlsx", get(fees::list_xlsx)),
        route(
            "POST",
            "/fees/extra-care/decisions",
            post(fees::extra_care_decision_submit),
        ),
        route(
            "POST",
            "/api/fees/extra-care/decisions",
            post(fees::api_extra_care_decision),
        ),
        route(
            "GET",
            "/fees/families/{id}/extra-care-decisions/{number}/pdf",
            get(fees::extra_care_decision_pdf),
        ),
        route("GET", "/api/fees", get(fees::api_list)),
        route("GET", "/fees/families/{id}", get(fees::family_page_get)),
        route("GET", "/api/fees/families/{id}", get(fees::api_family)),
        route("GET", "/fees/families/{id}/case.json", get(fees::case_json)),
        route(
            "POST",
            "/fees/families/{id}/payment",
            post(fees::payment_submit),
        ),
        route(
            "PUT",
            "/api/fees/families/{id}/payment",
            put(fees::api_payment),
        ),
        route(
            "POST",
            "/fees/families/{id}/status",
            post(fees::status_submit),
        ),
        route(
            "POST",
            "/api/fees/families/{id}/statuses",
            post(fees::api_status),
        ),
        route(
            "POST",
            "/fees/families/{id}/decisions",
            post(fees::decision_submit),
        ),
        route(
            "POST",
            "/api/fees/families/{id}/decisions",
            post(fees::api_decision),
        ),
        route(
            "POST",
            "/fees/families/{id}/decisions/{number}/mark",
            post(fees::mark_submit),
        ),
        route(
            "POST",
            "/api/fees/families/{id}/decisions/{number}/mark",
            post(fees::api_mark),
        ),
        route(
            "GET",
            "/fees/families/{id}/decisions/{number}/pdf",
            get(fees::decision_pdf),
        ),
        route(
            "POST",
            "/fees/families/{id}/overrides",
            post(fees::override_submit),
        ),
        route(
            "POST",
            "/api/fees/families/{id}/overrides",
            post(fees::api_override),
        ),
        route(
            "POST",
            "/fees/families/{id}/overrides/remove",
            post(fees::override_remove_submit),
        ),
        route(
            "GET",
            "/fees/declarations",
            get(crate::fees::declarations_http::office_list),
        ),
        route(
            "GET",
            "/fees/declarations.xlsx",
            get(crate::fees::declarations_http::office_xlsx),
        ),
        route(
            "GET",
            "/fees/declarations/{id}",
            get(crate::fees::declarations_http::office_detail),
        ),
        route(
            "GET",
            "/fees/declarations/{id}/proofs/{n}",
            get(crate::fees::declarations_http::office_proof),
        ),
        route(
            "GET",
            "/fees/families/{id}/proofs/{declaration}/{n}",
            get(crate::fees::declarations_http::kept_proof),
        ),
        route(
            "POST",
            "/fees/declarations/{id}/take-over",
            post(crate::fees::declarations_http::office_take_over),
        ),
        route(
            "GET",
            "/fees/families/{id}/reductions",
            get(crate::fees::reduction_http::page_get),
        ),
        route(
            "POST",
            "/fees/families/{id}/reductions",
            post(crate::fees::reduction_http::enter_submit),
        ),
        route(
            "GET",
            "/api/fees/families/{id}/reductions",
            get(crate::fees::reduction_http::api_list),
        ),
        route(
            "POST",
            "/api/fees/families/{id}/reductions",
            post(crate::fees::reduction_http::api_enter),
        ),
        route(
            "POST",
            "/fees/families/{id}/reductions/{number}/decide",
            post(crate::fees::reduction_http::decide_submit),
        ),
        route(
            "POST",
            "/api/fees/families/{id}/reductions/{number}/decision",
            post(crate::fees::reduction_http::api_decide),
        ),
        route(
            "GET",
            "/fees/families/{id}/reductions/{number}/refusal.pdf",
            get(crate::fees::reduction_http::refusal_pdf),
        ),
        route(
            "GET",
            "/fees/families/{id}/reductions/{number}/case.json",
            get(crate::fees::reduction_http::case_json),
        ),
        route(
            "GET",
            "/api/fees/reductions/watch",
            get(crate::fees::reduction_http::api_watch),
        ),
        route(
            "GET",
            "/fees/reduction-settings.xlsx",
            get(crate::fees::reduction_http::settings_xlsx),
        ),
        route(
            "GET",
            "/fees/reduction-settings",
            get(crate::fees::reduction_http::settings_get),
        ),
        route(
            "POST",
            "/fees/reduction-settings",
            post(crate::fees::reduction_http::settings_submit),
        ),
        route(
            "GET",
            "/api/fees/reduction-settings",
            get(crate::fees::reduction_http::api_settings),
        ),
        route(
            "POST",
            "/api/fees/reduction-settings",
            post(crate::fees::reduction_http::api_set_setting),
        ),
        route(
            "GET",
            "/fees/lost-fees",
            get(crate::fees::lost_fees_http::page),
        ),
        route(
            "GET",
            "/fees/lost-fees.xlsx",
            get(crate::fees::lost_fees_http::xlsx),
        ),
        route(
            "POST",
            "/fees/lost-fees/record",
            post(crate::fees::lost_fees_http::record),
        ),
        route(
            "GET",
            "/fees/bulk-change",
            get(crate::fees::bulk_change_http::page_get),
        ),
        route(
            "POST",
            "/fees/bulk-change/preview",
            post(crate::fees::bulk_change_http::preview_submit),
        ),
        route(
            "POST",
            "/fees/bulk-change",
            post(crate::fees::bulk_change_http::confirm_submit),
        ),
        route(
            "POST",
            "/api/fees/bulk-change/preview",
            post(crate::fees::bulk_change_http::api_preview),
        ),
        route(
            "POST",
            "/api/fees/bulk-change",
            post(crate::fees::bulk_change_http::api_confirm),
        ),
        route(
            "GET",
            "/statistics/landeszuschuss",
            get(crate::statistics::http::landeszuschuss_page),
        ),
        route(
            "GET",
            "/statistics/landeszuschuss.xlsx",
            get(crate::statistics::http::landeszuschuss_xlsx),
        ),
        route(
            "GET",
            "/api/statistics/landeszuschuss",
            get(crate::statistics::http::api_landeszuschuss),
        ),
        route(
            "GET",
            "/statistics/kjh",
            get(crate::statistics::http::kjh_page),
        ),
        route(
            "GET",
            "/statistics/kjh.xlsx",
            get(crate::statistics::http::kjh_xlsx),
        ),
        route(
            "GET",
            "/api/statistics/kjh",
            get(crate::statistics::http::api_kjh),
        ),
        route(
            "GET",
            "/statistics/kdw",
            get(crate::statistics::http::kdw_page),
        ),
        route(
            "GET",
            "/statistics/kdw.xml",
            get(crate::statistics::http::kdw_xml_download),
        ),
        route(
            "GET",
            "/statistics/kdw.xlsx",
            get(crate::statistics::http::kdw_problems_xlsx),
        ),
        route(
            "GET",
            "/api/statistics/kdw",
            get(crate::statistics::http::api_kdw),
        ),
        route(
            "GET",
            "/statistics/kdw/master",
            get(crate::statistics::http::kdw_master_get),
        ),
        route(
            "POST",
            "/statistics/kdw/master",
            post(crate::statistics::http::kdw_master_submit),
        ),
        route(
            "POST",
            "/statistics/kdw/integration",
            post(crate::statistics::http::kdw_integration_submit),
        ),
        route("GET", "/follow-ups", get(crate::follow_ups::http::page)),
        route(
            "GET",
            "/follow-ups.xlsx",
            get(crate::follow_ups::http::xlsx),
        ),
        route(
            "POST",
            "/follow-ups",
            post(crate::follow_ups::http::add_submit),
        ),
        route(
            "POST",
            "/follow-ups/done",
            post(crate::follow_ups::http::done_submit),
        ),
        route(
            "GET",
            "/api/follow-ups",
            get(crate::follow_ups::http::api_list),
        ),
        route(
            "POST",
            "/api/follow-ups",
            post(crate::follow_ups::http::api_add),
        ),
        route(
            "POST",
            "/api/follow-ups/done",
            post(crate::follow_ups::http::api_done),
        ),
        route("GET", "/attendance", get(crate::attendance::http::page)),
        route(
            "POST",
            "/attendance",
            post(crate::attendance::http::record_submit),
        ),
        route(
            "GET",
            "/attendance.xlsx",
            get(crate::attendance::http::xlsx),
        ),
        route(
            "GET",
            "/api/attendance",
            get(crate::attendance::http::api_view),
        ),
        route(
            "POST",
            "/api/attendance",
            post(crate::attendance::http::api_record),
        ),
        route(
            "GET",
            "/terminations",
            get(crate::reports::http::terminations_page),
        ),
        route(
            "GET",
            "/terminations.xlsx",
            get(crate::reports::http::terminations_xlsx),
        ),
        route(
            "GET",
            "/api/terminations",
            get(crate::reports::http::terminations_api),
        ),
        route(
            "GET",
            "/tagespflege",
            get(crate::tagespflege::http::register_page),
        ),
        route(
            "GET",
            "/tagespflege.xlsx",
            get(crate::tagespflege::http::register_xlsx),
        ),
        route(
            "POST",
            "/tagespflege",
            post(crate::tagespflege::http::register_submit),
        ),
        route(
            "POST",
            "/api/tagespflege",
            post(crate::tagespflege::http::api_register_childminder),
        ),
        route(
            "GET",
            "/tagespflege/{id}/placements/{placement}/decision.pdf",
            get(crate::tagespflege::http::decision_pdf),
        ),
        route(
            "GET",
            "/tagespflege/{id}/refunds/{refund}/decision.pdf",
            get(crate::tagespflege::http::refund_decision_pdf),
        ),
        route(
            "GET",
            "/tagespflege/{id}/grants/{grant}/decision.pdf",
            get(crate::tagespflege::http::grant_decision_pdf),
        ),
        route(
            "POST",
            "/tagespflege/{id}/grants",
            post(crate::tagespflege::http::grant_submit),
        ),
        route(
            "POST",
            "/api/tagespflege/grants",
            post(crate::tagespflege::http::api_grant),
        ),
        route(
            "POST",
            "/tagespflege/{id}/refunds",
            post(crate::tagespflege::http::refund_submit),
        ),
        route(
            "POST",
            "/api/tagespflege/refunds",
            post(crate::tagespflege::http::api_refund),
        ),
        route(
            "POST",
            "/tagespflege/requests/reserve",
            post(crate::tagespflege::http::reserve_submit),
        ),
        route(
            "POST",
            "/api/tagespflege/requests/reserve",
            post(crate::tagespflege::http::api_reserve),
        ),
        route(
            "GET",
            "/api/tagespflege/requests",
            get(crate::tagespflege::http::api_requests),
        ),
        route(
            "POST",
            "/api/tagespflege/proofs",
            post(crate::tagespflege::http::api_proof),
        ),
        route(
            "POST",
            "/api/tagespflege/absences",
            post(crate::tagespflege::http::api_absence),
        ),
        route(
            "POST",
            "/api/tagespflege/placements/agree",
            post(crate::tagespflege::http::api_agree),
        ),
        route(
            "POST",
            "/api/tagespflege/placements/end",
            post(crate::tagespflege::http::api_end),
        ),
        route(
            "GET",
            "/tagespflege/payments",
            get(crate::tagespflege::http::payments_page),
        ),
        route(
            "GET",
            "/tagespflege/mine",
            get(crate::tagespflege::own_http::page),
        ),
        route(
            "POST",
            "/tagespflege/mine/absences",
            post(crate::tagespflege::own_http::absence_submit),
        ),
        route(
            "GET",
            "/api/tagespflege/mine",
            get(crate::tagespflege::own_http::api_view),
        ),
        route(
            "POST",
            "/api/tagespflege/mine/absences",
            post(crate::tagespflege::own_http::api_absence),
        ),
        route(
            "POST",
            "/tagespflege/{id}/account",
            post(crate::tagespflege::http::account_submit),
        ),
        route(
            "POST",
            "/api/tagespflege/accounts",
            post(crate::tagespflege::http::api_account),
        ),
        route(
            "POST",
            "/tagespflege/{id}/bank",
            post(crate::tagespflege::http::bank_submit),
        ),
        route(
            "POST",
            "/api/tagespflege/bank",
            post(crate::tagespflege::http::api_bank),
        ),
        route(
            "GET",
            "/tagespflege/payments.csv",
            get(crate::tagespflege::http::payments_csv),
        ),
        route(
            "GET",
            "/tagespflege/payments.xlsx",
            get(crate::tagespflege::http::payments_xlsx),
        ),
        route(
            "GET",
            "/tagespflege/{id}",
            get(crate::tagespflege::http::childminder_view),
        ),
        route(
            "POST",
            "/tagespflege/{id}/permits",
            post(crate::tagespflege::http::permit_submit),
        ),
        route(
            "POST",
            "/tagespflege/{id}/proofs",
            post(crate::tagespflege::http::proof_submit),
        ),
        route(
            "POST",
            "/tagespflege/{id}/absences",
            post(crate::tagespflege::http::absence_submit),
        ),
        route(
            "POST",
            "/tagespflege/{id}/placements",
            post(crate::tagespflege::http::placement_submit),
        ),
        route(
            "POST",
            "/tagespflege/{id}/placements/agree",
            post(crate::tagespflege::http::agree_submit),
        ),
        route(
            "POST",
            "/tagespflege/{id}/placements/end",
            post(crate::tagespflege::http::end_submit),
        ),
        route(
            "GET",
            "/api/tagespflege",
            get(crate::tagespflege::http::api_register),
        ),
        route(
            "GET",
            "/api/tagespflege/payments",
            get(crate::tagespflege::http::api_payments),
        ),
        route(
            "GET",
            "/api/tagespflege/{id}",
            get(crate::tagespflege::http::api_childminder),
        ),
        route(
            "POST",
            "/api/tagespflege/placements",
            post(crate::tagespflege::http::api_place),
        ),
        route(
            "POST",
            "/api/tagespflege/permits",
            post(crate::tagespflege::http::api_permit),
        ),
        route("GET", "/staff", get(crate::staff::http::page)),
        route("GET", "/staff.xlsx", get(crate::staff::http::list_xlsx)),
        route("POST", "/staff", post(crate::staff::http::create_submit)),
        route(
            "POST",
            "/staff/assignments",
            post(crate::staff::http::assign_submit),
        ),
        route(
            "POST",
            "/staff/absences",
            post(crate::staff::http::absence_submit),
        ),
        route(
            "POST",
            "/staff/assignments/end",
            post(crate::staff::http::end_submit),
        ),
        route(
            "POST",
            "/api/staff/assignments/end",
            post(crate::staff::http::api_end),
        ),
        route(
            "POST",
            "/staff/person",
            post(crate::staff::http::correct_submit),
        ),
        route(
            "POST",
            "/api/staff/person",
            post(crate::staff::http::api_correct),
        ),
        route("GET", "/api/staff", get(crate::staff::http::api_list)),
        route("POST", "/api/staff", post(crate::staff::http::api_create)),
        route(
            "POST",
            "/api/staff/assignments",
            post(crate::staff::http::api_assign),
        ),
        route(
            "POST",
            "/api/staff/absences",
            post(crate::staff::http::api_absence),
        ),
        route("GET", "/staffing", get(crate::staff::http::balance_page)),
        route(
            "GET",
            "/staffing.xlsx",
            get(crate::staff::http::balance_xlsx),
        ),
        route("GET", "/api/staffing", get(crate::staff::http::api_balance)),
        route("GET", "/school", get(crate::school::http::page)),
        route("GET", "/school.xlsx", get(crate::school::http::xlsx)),
        route(
            "GET",
            "/school/certificates.pdf",
            get(crate::school::http::certificates_pdf),
        ),
        route(
            "POST",
            "/school/mark",
            post(crate::school::http::mark_submit),
        ),
        route(
            "POST",
            "/school/exit",
            post(crate::school::http::exit_submit),
        ),
        route("GET", "/api/school", get(crate::school::http::api_view)),
        route(
            "POST",
            "/api/school/marks",
            post(crate::school::http::api_mark),
        ),
        route(
            "POST",
            "/api/school/exits",
            post(crate::school::http::api_exit),
        ),
        route("GET", "/kitaplaner", get(crate::kitaplaner::http::page)),
        route(
            "POST",
            "/kitaplaner/import",
            post(crate::kitaplaner::http::import_submit),
        ),
        route(
            "POST",
            "/kitaplaner/import/{id}/discard",
            post(crate::kitaplaner::http::import_discard),
        ),
        route(
            "GET",
            "/kitaplaner.xlsx",
            get(crate::kitaplaner::http::xlsx),
        ),
        route(
            "POST",
            "/kitaplaner/export",
            post(crate::kitaplaner::http::export_submit),
        ),
        route(
            "GET",
            "/api/kitaplaner",
            get(crate::kitaplaner::http::api_view),
        ),
        route(
            "POST",
            "/api/kitaplaner/exports",
            post(crate::kitaplaner::http::api_export),
        ),
        route("GET", "/interfaces", get(crate::interfaces::http::page)),
        route(
            "GET",
            "/interfaces/exports.xlsx",
            get(crate::interfaces::http::exports_xlsx),
        ),
        route(
            "GET",
            "/interfaces/health-office.csv",
            get(crate::interfaces::http::health_office_csv),
        ),
        route(
            "GET",
            "/interfaces/cost-accounting.csv",
            get(crate::interfaces::http::cost_accounting_csv),
        ),
        route(
            "GET",
            "/interfaces/core-data.zip",
            get(crate::interfaces::http::core_data_zip),
        ),
        route(
            "GET",
            "/interfaces/core-data.xml",
            get(crate::interfaces::http::core_data_xml),
        ),
        route("GET", "/reports", get(crate::reports::http::page)),
        route("GET", "/rounds", get(crate::rounds::http::list)),
        route("POST", "/rounds", post(crate::rounds::http::start_submit)),
        route(
            "GET",
            "/rounds/what-if",
            get(crate::rounds::http::what_if_form),
        ),
        route(
            "POST",
            "/rounds/what-if",
            post(crate::rounds::http::what_if_submit),
        ),
        route(
            "POST",
            "/api/rounds/what-if",
            post(crate::rounds::http::api_what_if),
        ),
        route(
            "POST",
            "/rounds/catalogue",
            post(crate::rounds::http::publish_catalogue),
        ),
        route(
            "GET",
            "/api/rounds/catalogue",
            get(crate::rounds::http::api_catalogue),
        ),
        route(
            "POST",
            "/api/rounds/catalogue",
            post(crate::rounds::http::api_publish_catalogue),
        ),
        route("GET", "/rounds.xlsx", get(crate::rounds::http::list_xlsx)),
        route("GET", "/rounds/{id}", get(crate::rounds::http::page)),
        route(
            "GET",
            "/rounds/{id}/proposals.xlsx",
            get(crate::rounds::http::proposals_xlsx),
        ),
        route(
            "POST",
            "/rounds/{id}/offers/{application}",
            post(crate::rounds::http::record_answer_submit),
        ),
        route(
            "POST",
            "/rounds/{id}/cancel",
            post(crate::rounds::http::cancel_submit),
        ),
        route(
            "POST",
            "/api/rounds/{id}/cancel",
            post(crate::rounds::http::api_cancel),
        ),
        route(
            "GET",
            "/rounds/{id}/protocol.json",
            get(crate::rounds::http::protocol),
        ),
        route(
            "GET",
            "/rounds/{id}/protocol.pdf",
            get(crate::rounds::http::protocol_pdf),
        ),
        route("GET", "/api/rounds", get(crate::rounds::http::api_list)),
        route("POST", "/api/rounds", post(crate::rounds::http::api_start)),
        route(
            "GET",
            "/api/rounds/{id}",
            get(crate::rounds::http::api_round),
        ),
        route(
            "POST",
            "/portal/applications/{id}/offer",
            post(crate::rounds::http::answer_submit),
        ),
        route(
            "POST",
            "/api/portal/applications/{id}/offer",
            post(crate::rounds::http::api_answer),
        ),
        route("GET", "/reports.xlsx", get(crate::reports::http::xlsx)),
        route("GET", "/groups", get(crate::groups::http::page)),
        route("GET", "/groups.xlsx", get(crate::groups::http::xlsx)),
        route("POST", "/groups", post(crate::groups::http::create_submit)),
        route(
            "POST",
            "/groups/move",
            post(crate::groups::http::move_submit),
        ),
        route(
            "GET",
            "/groups/{id}/edit",
            get(crate::groups::http::edit_form),
        ),
        route(
            "POST",
            "/groups/{id}/edit",
            post(crate::groups::http::edit_submit),
        ),
        route("GET", "/api/groups", get(crate::groups::http::api_list)),
        route("POST", "/api/groups", post(crate::groups::http::api_create)),
        route(
            "PUT",
            "/api/groups/{id}",
            put(crate::groups::http::api_edit),
        ),
        route(
            "POST",
            "/api/groups/moves",
            post(crate::groups::http::api_move),
        ),
        route("GET", "/extra-care", get(crate::extra_care::http::page)),
        route(
            "GET",
            "/extra-care.xlsx",
            get(crate::extra_care::http::xlsx),
        ),
        route(
            "POST",
            "/extra-care",
            post(crate::extra_care::http::record_submit),
        ),
        route(
            "POST",
            "/extra-care/remove",
            post(crate::extra_care::http::remove_submit),
        ),
        route(
            "POST",
            "/extra-care/report",
            post(crate::extra_care::http::report_submit),
        ),
        route(
            "GET",
            "/api/extra-care",
            get(crate::extra_care::http::api_view),
        ),
        route(
            "POST",
            "/api/extra-care/entries",
            post(crate::extra_care::http::api_record),
        ),
        route(
            "POST",
            "/api/extra-care/removals",
            post(crate::extra_care::http::api_remove),
        ),
        route(
            "POST",
            "/api/extra-care/reports",
            post(crate::extra_care::http::api_report),
        ),
        route(
            "GET",
            "/fees/extra-care",
            get(crate::extra_care::http::watch_page),
        ),
        route(
            "GET",
            "/fees/extra-care.xlsx",
            get(crate::extra_care::http::watch_xlsx),
        ),
        route(
            "GET",
            "/api/fees/extra-care",
            get(crate::extra_care::http::api_watch),
        ),
        route("GET", "/occupancy", get(crate::occupancy::http::page)),
        route("GET", "/occupancy.xlsx", get(crate::occupancy::http::xlsx)),
        route("GET", "/api/occupancy", get(crate::occupancy::http::api)),
        route("GET", "/admin/sessions", get(crate::sessions::http::page)),
        route("GET", "/fees/changes", get(crate::changes::http::page)),
        route("GET", "/fees/changes.xlsx", get(crate::changes::http::xlsx)),
        route(
            "POST",
            "/fees/changes/done",
            post(crate::changes::http::done_submit),
        ),
        route(
            "GET",
            "/api/fees/changes",
            get(crate::changes::http::api_list),
        ),
        route(
            "POST",
            "/api/fees/changes/done",
            post(crate::changes::http::api_done),
        ),
        route("GET", "/backup", get(crate::backup::http::page)),
        route("POST", "/backup", post(crate::backup::http::submit)),
        route(
            "GET",
            "/admin/sessions.xlsx",
            get(crate::sessions::http::xlsx),
        ),
        route(
            "POST",
            "/admin/sessions/revoke",
            post(crate::sessions::http::revoke_submit),
        ),
        route(
            "GET",
            "/api/admin/sessions",
            get(crate::sessions::http::api_list),
        ),
        route(
            "POST",
            "/api/admin/sessions/revoke",
            post(crate::sessions::http::api_revoke),
        ),
        route(
            "GET",
            "/fees/arrears",
            get(crate::fees::payments_http::page),
        ),
        route(
            "GET",
            "/fees/arrears.xlsx",
            get(crate::fees::payments_http::xlsx),
        ),
        route(
            "POST",
            "/fees/arrears/payments",
            post(crate::fees::payments_http::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::fees::payments_http::UPLOAD_BODY_LIMIT,
            )),
        ),
        route(
            "GET",
            "/api/fees/arrears",
            get(crate::fees::payments_http::api_list),
        ),
        route(
            "POST",
            "/api/fees/payments",
            post(crate::fees::payments_http::api_upload).layer(
                axum::extract::DefaultBodyLimit::max(crate::fees::payments_http::UPLOAD_BODY_LIMIT),
            ),
        ),
        route("GET", "/fees/billing", get(fees::billing_page_get)),
        route("GET", "/fees/billing.xlsx", get(fees::billing_xlsx)),
        route("POST", "/fees/billing", post(fees::billing_submit)),
        route("GET", "/api/fees/billing/runs", get(fees::api_runs)),
        route("POST", "/api/fees/billing/runs", post(fees::api_run)),
        route("GET", "/fees/billing/{id}", get(fees::run_page)),
        route(
            "GET",
            "/fees/billing/{id}/positions.xlsx",
            get(fees::run_xlsx),
        ),
        route(
            "GET",
            "/fees/billing/{id}/finance.csv",
            get(fees::finance_file),
        ),
        route(
            "GET",
            "/fees/billing/{id}/pain.008.xml",
            get(fees::sepa_file),
        ),
        route("GET", "/static/{*path}", get(assets::serve)),
        route("GET", "/facilities", get(facilities::http::list_page)),
        route("GET", "/facilities.xlsx", get(facilities::http::list_xlsx)),
        route(
            "GET",
            "/facilities/{id}",
            get(facilities::http::detail_page),
        ),
        route(
            "GET",
            "/facilities/{id}/edit",
            get(facilities::http::edit_form),
        ),
        route(
            "POST",
            "/facilities/{id}/edit",
            post(facilities::http::edit_submit),
        ),
        route(
            "GET",
            "/facilities/{id}/places",
            get(facilities::http::places_form),
        ),
        route(
            "POST",
            "/facilities/{id}/places",
            post(facilities::http::places_submit),
        ),
        route("GET", "/children", get(families::http::list_page)),
        route("GET", "/children.xlsx", get(families::http::list_xlsx)),
        route(
            "GET",
            "/contracts/{id}/notice",
            get(contracts::http::notice_form),
        ),
        route(
            "POST",
            "/contracts/{id}/notice",
            post(contracts::http::notice_submit),
        ),
        route(
            "POST",
            "/api/contracts/{id}/notice",
            post(contracts::http::api_notice),
        ),
        route("GET", "/children/new", get(families::http::admit_form)),
        route("POST", "/children/new", post(families::http::admit_submit)),
        route("POST", "/api/children", post(families::http::api_admit)),
        route("GET", "/children/{id}", get(families::http::detail_page)),
        route(
            "GET",
            "/children/{id}/guardians/{guardian}",
            get(families::http::contact_form),
        ),
        route(
            "POST",
            "/children/{id}/guardians/{guardian}",
            post(families::http::contact_submit),
        ),
        route(
            "PUT",
            "/api/children/{id}/guardians/{guardian}",
            put(families::http::api_contact),
        ),
        route(
            "GET",
            "/children/{id}/contracts/new",
            get(contracts::http::new_form),
        ),
        route(
            "POST",
            "/children/{id}/contracts/new",
            post(contracts::http::new_submit),
        ),
        route(
            "GET",
            "/contracts/{id}/change",
            get(contracts::http::change_form),
        ),
        route(
            "GET",
            "/contracts/{id}/contract.pdf",
            get(contracts::http::contract_pdf),
        ),
        route(
            "GET",
            "/contracts/{id}/exit-certificate.pdf",
            get(contracts::http::exit_certificate_pdf),
        ),
        route(
            "POST",
            "/contracts/{id}/change",
            post(contracts::http::change_submit),
        ),
        route("POST", "/api/login", post(pages::api_login)),
        route("GET", "/api/me", get(pages::api_me)),
        route("POST", "/api/logout", post(pages::api_logout)),
        route("GET", "/api/facilities", get(facilities::http::api_list)),
        route(
            "GET",
            "/api/facilities/{id}",
            get(facilities::http::api_detail),
        ),
        route(
            "PUT",
            "/api/facilities/{id}/profile",
            put(facilities::http::api_update_profile),
        ),
        route(
            "POST",
            "/api/facilities/{id}/places",
            post(facilities::http::api_change_places),
        ),
        route("GET", "/api/children", get(families::http::api_list)),
        route("GET", "/api/children/{id}", get(families::http::api_detail)),
        route("POST", "/api/contracts", post(contracts::http::api_create)),
        route(
            "GET",
            "/api/contracts/{id}",
            get(contracts::http::api_detail),
        ),
        route(
            "POST",
            "/api/contracts/{id}/changes",
            post(contracts::http::api_change),
        ),
    ]
}

/// The node's router: the same for the browser, the API and the desktop's custom scheme.
/// Paths of the parents' portal (pages, JSON API and its OpenAPI document).
pub fn is_portal_path(path: &str) -> bool {
    path.starts_with("/portal") || path.starts_with("/api/portal") || path == "/api/openapi.json"
}

pub fn router(node: Arc<Node>) -> Router {
    let csp = content_security_policy(&node);
    let has_portal = node.portal.is_some();
    routes()
        .into_iter()
        // The parents' portal exists on the city node only: elsewhere its paths are unknown
        // (404 before any body or login is looked at).
        .filter(|route| has_portal || !is_portal_path(route.path))
        // Routes on one path merge their methods.
        .fold(Router::new(), |r, route| r.route(route.path, route.handler))
        .fallback(pages::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::map_response(
                    move |mut res: axum::response::Response| {
                        let csp = csp.clone();
                        async move {
                            add_security_headers(res.headers_mut(), &csp);
                            res
                        }
                    },
                ))
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
    let target = format!("{} {}", req.method(), req.uri().path());
    let res = next.run(req).await;
    let denied = res.extensions().get::<error::Denied>().cloned();
    let page_error = res.extensions().get::<error::PageError>().cloned();
    if denied.is_none() && page_error.is_none() {
        return res;
    }
    let session = extract::authenticate_headers(&headers, &node)
        .ok()
        .flatten();
    if let Some(denied) = denied {
        // Who tried what: the audit log keeps refusals too (a pattern of them is an attack).
        let entry = crate::storage::AuditEntry {
            at: node.clock.now_millis(),
            actor: session
                .as_ref()
                .map_or_else(|| "visitor".to_string(), |s| s.who.audit_name()),
            action: denied.action,
            target: Some(if denied.detail.is_empty() {
                target
            } else {
                format!("{target} ({})", denied.detail)
            }),
            subjects: vec![],
            valid_from: None,
        };
        if let Err(e) = node.store().audit(&entry) {
            tracing::error!(error = %e, "audit of a refusal");
        }
    }
    let Some(err) = page_error else {
        return res;
    };
    let lang = Lang::of(&headers);
    let title = format!(
        "{} {}",
        err.status.as_u16(),
        err.status.canonical_reason().unwrap_or("")
    );
    let page = pages::ErrorPage {
        chrome: pages::Chrome::new(&node, lang, session.as_ref(), title),
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

/// The content security policy: everything from this node, map tiles from the tile server the
/// city configured for the portal.
fn content_security_policy(node: &Node) -> HeaderValue {
    let tiles = node
        .portal
        .as_ref()
        .and_then(|p| p.settings.tile_origin())
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data:{tiles}; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ))
    .expect("validated tile origin")
}

fn add_security_headers(h: &mut axum::http::HeaderMap, csp: &HeaderValue) {
    h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages and API answers may carry personal data: no browser or proxy keeps a copy. Only
    // what says otherwise itself (the static assets) is cached.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Refuses a state-changing request that a browser sent from another site (for forms without
/// a session and so without a CSRF token): its `Origin` must name this host, and its
/// `Sec-Fetch-Site`, if sent, must not be `cross-site`.
pub fn check_same_origin(headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return Err(AppError::CsrfMismatch);
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map_or("", |(_, rest)| rest.trim_end_matches('/'));
    // The desktop shell's custom scheme: it sets Host to a bare `localhost` (no port, which
    // no browser sends to a served node) and the webview may send an opaque origin.
    if origin_host == host || (origin == "null" && (host.is_empty() || host == "localhost")) {
        Ok(())
    } else {
        Err(AppError::CsrfMismatch)
    }
}

/// Renders an askama template into an HTML response.
pub fn render(t: &impl askama::Template) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let body = t
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok(axum::response::Html(body).into_response())
}

/// The messages for one field of a form, joined for the line under it.
pub fn messages_for(errors: &[kitanetz_crdt::validate::FieldError], field: &str) -> String {
    errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
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
/// A PDF letter, shown in the browser's viewer (`inline`), never cached (personal data).
pub fn pdf_response(pdf: Vec<u8>, file_name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        pdf,
    )
        .into_response()
}

/// The office as the city's letters name it: `[portal.office]`, its name defaulting to the
/// node's display name.
pub fn letter_office(node: &Node) -> crate::config::OfficeSection {
    let mut office = node
        .portal
        .as_ref()
        .map(|p| p.settings.office.clone())
        .unwrap_or_default();
    if office.name.trim().is_empty() {
        office.name = node.config.display_name.clone();
    }
    office
}

pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// A timestamp for people in the city's time (see [`crate::clock::format_millis`]).
pub fn format_millis(ms: &i64) -> String {
    crate::clock::format_millis(*ms)
}
