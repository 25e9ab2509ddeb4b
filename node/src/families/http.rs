//! Children pages and API (a Kita's own children only).

use super::{child_detail, children_of, visible_facilities, ChildDetail, ChildRow};
use crate::http::pages::Chrome;
use crate::http::{render, ApiError, ApiSession, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use kitanetz_crdt::ids::{ChildId, FacilityId};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    facility: Option<String>,
}

/// Resolves which Kita to list: the requested one if the caller may see it, else the first.
fn choose_facility(
    node: &Node,
    session: &Session,
    requested: Option<&str>,
) -> Result<(FacilityId, Vec<FacilityId>), AppError> {
    let visible = visible_facilities(&node.store(), &session.who)?;
    let chosen = match requested {
        Some(f) => f
            .parse::<FacilityId>()
            .map_err(|_| AppError::NotFound(f.to_string()))?,
        None => visible
            .first()
            .cloned()
            .ok_or_else(|| AppError::NotFound("Kita".into()))?,
    };
    Ok((chosen, visible))
}

#[derive(Template)]
#[template(path = "children.html")]
struct ListPage {
    chrome: Chrome,
    facility: String,
    facilities: Vec<(String, String)>,
    rows: Vec<ChildRow>,
}

pub async fn list_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (facility, visible) = choose_facility(&node, &session, q.facility.as_deref())?;
    let mut store = node.store();
    let rows = children_of(&mut store, &session.who, &facility, node.clock.now_millis())?;
    // A choice of Kitas for whoever sees more than one (a Träger admin).
    let facilities = if visible.len() > 1 {
        let names = crate::facilities::names(&store)?;
        visible
            .iter()
            .map(|f| (f.0.clone(), names.get(&f.0).cloned().unwrap_or_default()))
            .collect()
    } else {
        vec![]
    };
    drop(store);
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).children,
    );
    render(&ListPage {
        chrome,
        facility: facility.0,
        facilities,
        rows,
    })
}

#[derive(Template)]
#[template(path = "child.html")]
struct DetailPage {
    chrome: Chrome,
    d: ChildDetail,
}

pub async fn detail_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: ChildId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let d = child_detail(
        &mut node.store(),
        &session.who,
        &id,
        node.clock.now_millis(),
    )?;
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        format!("{} {}", d.child.given_name, d.child.family_name),
    );
    render(&DetailPage { chrome, d })
}

pub async fn api_list(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (facility, _) = choose_facility(&node, &session, q.facility.as_deref())?;
    let rows = children_of(
        &mut node.store(),
        &session.who,
        &facility,
        node.clock.now_millis(),
    )
    .map_err(AppError::from)?;
    Ok(Json(
        serde_json::json!({ "facility": facility, "children": rows }),
    ))
}

pub async fn api_detail(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<ChildDetail>, ApiError> {
    let id: ChildId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    Ok(Json(
        child_detail(
            &mut node.store(),
            &session.who,
            &id,
            node.clock.now_millis(),
        )
        .map_err(AppError::from)?,
    ))
}
