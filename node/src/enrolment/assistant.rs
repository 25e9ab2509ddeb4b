//! The desktop app's first-start assistant: served instead of the node's UI while the data
//! directory holds no node yet. The Kita lead chooses the enrolment file from the city or the
//! Träger and sets up the first account; or restores a backup of the Kita's node (from the
//! app's *Datensicherung*, after a broken disk or on a new PC); or starts a demo Kita without
//! network. When the node is written, `on_ready` hands it to the app, which then serves the
//! node's UI instead.
//!
//! Only the desktop app serves this router (through its own scheme, no network port): a
//! headless node is enrolled with `kitanetz enrol`.

use super::{enrol, EnrolError, Enrolment, FirstAccount};
use crate::clock::Clock;
use crate::http::extract::Lang;
use crate::http::pages::Chrome;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kitanetz_crdt::validate::FieldError;
use std::path::PathBuf;
use std::sync::Arc;

/// Called once the data directory holds a node (enrolled or demo); an error is shown on the
/// assistant's page.
pub type OnReady = Arc<dyn Fn() -> anyhow::Result<()> + Send + Sync>;

/// An enrolment file handed to the app at start (`kitanetz-desktop --enrol FILE`): the form
/// comes with it filled in.
#[derive(Clone)]
pub struct Preloaded {
    pub file_name: String,
    pub text: String,
}

struct Assistant {
    data_dir: PathBuf,
    preloaded: Option<Preloaded>,
    /// The app's backup folder: its backups are offered for a restore.
    backups: Option<PathBuf>,
    on_ready: OnReady,
    clock: Arc<dyn Clock>,
}

/// The assistant's routes: `/` and `/setup` show it, `POST /setup` enrols, `POST
/// /setup/restore` restores a backup, `POST /setup/demo` creates the demo Kita; `/static/…` as
/// on every node.
pub fn router(
    data_dir: PathBuf,
    preloaded: Option<Preloaded>,
    backups: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    on_ready: OnReady,
) -> Router {
    let state = Arc::new(Assistant {
        data_dir,
        preloaded,
        backups,
        on_ready,
        clock,
    });
    Router::new()
        .route("/", get(|| async { Redirect::to("/setup") }))
        .route("/setup", get(show).post(submit))
        .route("/setup/demo", post(demo))
        .route("/setup/restore", post(restore))
        .route("/static/{*path}", get(crate::http::assets::serve))
        .fallback(|| async { Redirect::to("/setup") })
        .with_state(state)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    preloaded: Option<String>,
    enrolment_text: String,
    username: String,
    display_name: String,
    /// Backups found in the app's backup folder, newest first.
    backups: Vec<crate::backup::Listed>,
    /// The other folder typed for a restore (kept after an error).
    other_backup: String,
    errors: Vec<FieldError>,
}

impl SetupPage {
    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }
}

fn page(a: &Assistant) -> SetupPage {
    SetupPage {
        chrome: Chrome::without_node(Lang::De, "Kitanetz einrichten"),
        preloaded: a.preloaded.as_ref().map(|p| p.file_name.clone()),
        enrolment_text: a
            .preloaded
            .as_ref()
            .map(|p| p.text.clone())
            .unwrap_or_default(),
        username: String::new(),
        display_name: String::new(),
        backups: a
            .backups
            .as_deref()
            .map(crate::backup::list)
            .unwrap_or_default(),
        other_backup: String::new(),
        errors: Vec::new(),
    }
}

fn respond(page: &SetupPage) -> Response {
    match crate::http::render_form(page, &page.errors) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn show(State(a): State<Arc<Assistant>>) -> Response {
    respond(&page(&a))
}

/// What the enrolment form sent.
#[derive(Default)]
struct Sent {
    file: Vec<u8>,
    text: String,
    account: FirstAccount,
}

async fn read_form(mut form: Multipart) -> Result<Sent, String> {
    let mut sent = Sent::default();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        let text = || String::from_utf8(bytes.to_vec()).map_err(|_| format!("{name}: kein Text"));
        match name.as_str() {
            "enrolment_file" => sent.file = bytes.to_vec(),
            "enrolment_text" => sent.text = text()?,
            "username" => sent.account.username = text()?.trim().to_string(),
            "display_name" => sent.account.display_name = text()?.trim().to_string(),
            "password" => sent.account.password = text()?,
            "password_repeat" => sent.account.password_repeat = text()?,
            _ => {}
        }
    }
    Ok(sent)
}

async fn submit(State(a): State<Arc<Assistant>>, form: Multipart) -> Response {
    let mut shown = page(&a);
    let sent = match read_form(form).await {
        Ok(sent) => sent,
        Err(e) => {
            shown.errors = vec![field_error("enrolment", e)];
            return respond(&shown);
        }
    };
    shown.username = sent.account.username.clone();
    shown.display_name = sent.account.display_name.clone();
    if !sent.text.trim().is_empty() {
        shown.enrolment_text = sent.text.clone();
    }
    let bytes = if sent.file.is_empty() {
        sent.text.into_bytes()
    } else {
        sent.file
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        shown.errors = vec![field_error(
            "enrolment",
            "Bitte die Einrichtungsdatei wählen / choose the enrolment file",
        )];
        return respond(&shown);
    }
    let now = a.clock.now_millis();
    let data_dir = a.data_dir.clone();
    let account = sent.account;
    // argon2 and the first database writes: off the async workers.
    let enrolled = tokio::task::spawn_blocking(move || {
        let enrolment = Enrolment::parse(&bytes)?;
        enrol(&data_dir, &enrolment, &account, now)
    })
    .await;
    match enrolled {
        Ok(Ok(_)) => ready(&a, shown),
        Ok(Err(EnrolError::Account(e))) => {
            shown.errors = e.errors;
            respond(&shown)
        }
        Ok(Err(e)) => {
            shown.errors = vec![field_error("enrolment", e.to_string())];
            respond(&shown)
        }
        Err(e) => {
            shown.errors = vec![field_error("enrolment", e.to_string())];
            respond(&shown)
        }
    }
}

async fn demo(State(a): State<Arc<Assistant>>) -> Response {
    let data_dir = a.data_dir.clone();
    let made = tokio::task::spawn_blocking(move || crate::demo::init_desktop_kita(&data_dir)).await;
    let mut shown = page(&a);
    match made {
        Ok(Ok(())) => ready(&a, shown),
        Ok(Err(e)) => {
            shown.errors = vec![field_error("demo", format!("{e:#}"))];
            respond(&shown)
        }
        Err(e) => {
            shown.errors = vec![field_error("demo", e.to_string())];
            respond(&shown)
        }
    }
}

/// The restore form: a backup from the list, or another folder (a USB stick).
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct RestoreForm {
    backup: String,
    other: String,
}

async fn restore(
    State(a): State<Arc<Assistant>>,
    axum::Form(form): axum::Form<RestoreForm>,
) -> Response {
    let mut shown = page(&a);
    shown.other_backup = form.other.clone();
    let chosen = match (form.other.trim(), form.backup.trim()) {
        ("", "") => {
            shown.errors = vec![field_error(
                "backup",
                "Bitte eine Datensicherung wählen oder ihren Ordner angeben / choose a backup",
            )];
            return respond(&shown);
        }
        ("", listed) => PathBuf::from(listed),
        (other, _) => PathBuf::from(other),
    };
    let data_dir = a.data_dir.clone();
    let restored = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let fresh = match std::fs::read_dir(&data_dir) {
            Ok(mut entries) => entries.next().is_none(),
            Err(_) => !data_dir.exists(),
        };
        anyhow::ensure!(
            fresh,
            "der Datenordner {} ist nicht leer / the data folder is not empty",
            data_dir.display()
        );
        crate::backup::restore(&chosen, &data_dir, None).inspect_err(|_| {
            // A restore that failed halfway leaves the folder as it found it: empty.
            if let Ok(entries) = std::fs::read_dir(&data_dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
        })?;
        Ok(())
    })
    .await;
    match restored {
        Ok(Ok(())) => ready(&a, shown),
        Ok(Err(e)) => {
            shown.errors = vec![field_error("backup", format!("{e:#}"))];
            respond(&shown)
        }
        Err(e) => {
            shown.errors = vec![field_error("backup", e.to_string())];
            respond(&shown)
        }
    }
}

/// The node is written: hand it over, then the login page (now the node's) follows.
fn ready(a: &Assistant, mut shown: SetupPage) -> Response {
    match (a.on_ready)() {
        Ok(()) => Redirect::to("/login").into_response(),
        Err(e) => {
            shown.errors = vec![field_error("enrolment", format!("{e:#}"))];
            respond(&shown)
        }
    }
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}
