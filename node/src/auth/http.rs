//! `GET/POST /password`: a staff user changes her own password ("Passwort ändern").

use super::{authorize, change_own_password, Action, PasswordChange};
use crate::http::pages::Chrome;
use crate::http::{render_form, AppError, Lang, Posted, Session, SourceAddr};
use crate::Node;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use kitanetz_crdt::validate::FieldError;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    /// The user must change a first password somebody else chose.
    required: bool,
    changed: bool,
    /// name, label, hint, autocomplete
    fields: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }
}

fn password_page(
    node: &Node,
    lang: Lang,
    session: &Session,
    changed: bool,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let t = crate::http::i18n::texts(lang);
    let page = PasswordPage {
        chrome: Chrome::new(node, lang, Some(session), t.change_password),
        required: session.must_change_password,
        changed,
        fields: vec![
            (
                "current_password",
                t.current_password,
                "",
                "current-password",
            ),
            (
                "password",
                t.new_password,
                t.new_password_hint,
                "new-password",
            ),
            ("password_repeat", t.new_password_repeat, "", "new-password"),
        ],
        errors,
    };
    render_form(&page, &page.errors)
}

/// `GET /password`: the form (a user who must change her first password is sent here, with
/// `?required=1`, from every other page; the notice shows for her either way).
pub async fn form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ChangeOwnPassword)?;
    password_page(&node, lang, &session, false, vec![])
}

/// `POST /password`: wrong current password or a bad new one answer 422 with field errors and
/// change nothing; on success the page says so and this session goes on.
pub async fn submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    mut session: Session,
    SourceAddr(source): SourceAddr,
    Form(form): Form<Posted<PasswordChange>>,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::ChangeOwnPassword)?;
    session.check_csrf(&form.csrf)?;
    let keep = session.token_hash.clone();
    match change_own_password(&node, &session.who, &form.input, &keep, source).await {
        Ok(()) => {
            session.must_change_password = false;
            password_page(&node, lang, &session, true, vec![])
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            password_page(&node, lang, &session, false, errors)
        }
    }
}
