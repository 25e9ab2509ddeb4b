//! The ZVS's list of conflicts (tasks for a person).

use super::{list, DoublePlace};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiStaff, AppError, Lang, Staff};
use crate::Node;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    chrome: Chrome,
    conflicts: Vec<DoublePlace>,
}

pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    staff: Staff,
) -> Result<Response, AppError> {
    authorize(&staff.caller, Action::ViewConflicts)?;
    let conflicts = list(&node.store())?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&staff),
        crate::http::i18n::texts(lang).conflicts,
    );
    render(&ConflictsPage { chrome, conflicts })
}

pub async fn api(
    State(node): State<Arc<Node>>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<Vec<DoublePlace>>, ApiError> {
    authorize(&staff.caller, Action::ViewConflicts)?;
    Ok(Json(list(&node.store())?))
}
