//! *Datensicherung*: the node's admin (on the desktop app: the Kita lead) backs the node up
//! into a new folder of its backup folder and sees the backups there.

use super::{back_up_node, list, Listed};
use crate::auth::{authorize, Action};
use crate::http::pages::Chrome;
use crate::http::pages::CsrfForm;
use crate::http::{render, AppError, Lang, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "backup.html")]
struct Page {
    chrome: Chrome,
    /// The backup folder, if this node has one.
    folder: Option<String>,
    backups: Vec<Listed>,
    /// The folder just written (after a backup).
    taken: Option<String>,
}

impl Page {
    fn size(&self, listed: &Listed) -> String {
        // Tenths of a MiB, rounded half up.
        let tenths = (listed.bytes * 10 + 512 * 1024) / (1024 * 1024);
        let comma = if self.chrome.t.lang == "de" { ',' } else { '.' };
        format!("{}{comma}{} MiB", tenths / 10, tenths % 10)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shown {
    /// The folder a backup was just written to.
    taken: String,
}

/// `GET /backup`
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    authorize(
        &session.who,
        Action::BackUpNode {
            provider: node.config.provider.as_ref(),
            facility: node.config.facility.as_ref(),
        },
    )
    .map_err(crate::action::ActionError::from)?;
    let dir = node.backup_dir();
    let backups = dir.as_deref().map(list).unwrap_or_default();
    let taken = backups
        .iter()
        .find(|b| !shown.taken.is_empty() && b.folder() == shown.taken)
        .map(|b| b.path.display().to_string());
    let chrome = Chrome::new(
        &node,
        lang,
        Some(&session),
        crate::http::i18n::texts(lang).backup,
    );
    render(&Page {
        chrome,
        folder: dir.map(|d| d.display().to_string()),
        backups,
        taken,
    })
}

/// `POST /backup`: takes a backup now (off the async workers: it copies the whole database).
pub async fn submit(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    let who = session.who.clone();
    let taken = tokio::task::spawn_blocking(move || back_up_node(&node, &who))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let folder = form_urlencoded::byte_serialize(taken.folder().as_bytes()).collect::<String>();
    Ok(Redirect::to(&format!("/backup?taken={folder}")).into_response())
}
