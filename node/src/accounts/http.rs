//! Account pages of the portal: register, confirm, log in, reset the password, the account.
//! Visitors' forms carry no CSRF token (there is no session yet); a post a browser sent from
//! another site is refused by its origin instead.

use super::{
    check_new_password_pair, login, own_account, register, request_reset, reset_link_valid,
    reset_password, verify_email, Registration,
};
use crate::action::ActionError;
use crate::auth::{passwords, LoginError};
use crate::http::pages::{session_cookie, Chrome};
use crate::http::{check_same_origin, render, render_form, AppError, Lang, MaybeSession, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// One input of a form page.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub hint: &'static str,
}

/// A small portal form (register, log in, reset) or a message with links.
#[derive(Template)]
#[template(path = "portal_form.html")]
struct FormPage {
    chrome: Chrome,
    intro: &'static str,
    /// A success message shown above (e.g. "check your mail").
    notice: String,
    action: &'static str,
    fields: Vec<Field>,
    hidden: Vec<(&'static str, String)>,
    submit: &'static str,
    links: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
    errors_title: &'static str,
}

impl FormPage {
    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }
}

struct T {
    register: &'static str,
    register_intro: &'static str,
    email: &'static str,
    name: &'static str,
    password: &'static str,
    password_hint: &'static str,
    password_repeat: &'static str,
    create: &'static str,
    check_mail: &'static str,
    verified: &'static str,
    login: &'static str,
    login_intro: &'static str,
    log_in: &'static str,
    forgot: &'static str,
    no_account: &'static str,
    have_account: &'static str,
    reset: &'static str,
    reset_intro: &'static str,
    send_link: &'static str,
    reset_sent: &'static str,
    new_password: &'static str,
    new_password_intro: &'static str,
    save: &'static str,
    password_set: &'static str,
    account: &'static str,
    account_intro: &'static str,
    errors_title: &'static str,
    favourites: &'static str,
    search: &'static str,
    apply: &'static str,
    applications: &'static str,
}

static DE: T = T {
    register: "Konto anlegen",
    register_intro: "Mit einem Konto stellen Sie Ihren Antrag auf einen Betreuungsplatz und sehen später, wie es um ihn steht. Beide Sorgeberechtigten können ein eigenes Konto anlegen.",
    email: "E-Mail-Adresse",
    name: "Ihr Name",
    password: "Passwort",
    password_hint: "mindestens 10 Zeichen",
    password_repeat: "Passwort wiederholen",
    create: "Konto anlegen",
    check_mail: "Fast geschafft: Wir haben Ihnen eine E-Mail geschickt. Bitte bestätigen Sie Ihre Adresse mit dem Link darin und melden Sie sich dann an.",
    verified: "Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden.",
    login: "Anmelden",
    login_intro: "Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.",
    log_in: "Anmelden",
    forgot: "Passwort vergessen?",
    no_account: "Noch kein Konto? Konto anlegen",
    have_account: "Schon ein Konto? Anmelden",
    reset: "Passwort vergessen",
    reset_intro: "Geben Sie die E-Mail-Adresse Ihres Kontos an. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort festlegen.",
    send_link: "Link senden",
    reset_sent: "Wenn es zu dieser Adresse ein Konto gibt, ist eine E-Mail mit einem Link unterwegs.",
    new_password: "Neues Passwort festlegen",
    new_password_intro: "Legen Sie ein neues Passwort fest. Danach melden Sie sich damit an; andere Anmeldungen werden beendet.",
    save: "Speichern",
    password_set: "Ihr neues Passwort gilt. Bitte melden Sie sich an.",
    account: "Mein Konto",
    account_intro: "Hier stellen Sie Ihren Antrag und sehen seinen Stand.",
    errors_title: "Bitte prüfen Sie Ihre Angaben",
    favourites: "Merkliste",
    search: "Kita-Suche",
    apply: "Antrag stellen",
    applications: "Meine Anträge",
};

static EN: T = T {
    register: "Create an account",
    register_intro: "With an account you apply for a place and later see how your application stands. Both guardians can create an account of their own.",
    email: "E-mail address",
    name: "Your name",
    password: "Password",
    password_hint: "at least 10 characters",
    password_repeat: "Repeat the password",
    create: "Create account",
    check_mail: "Nearly done: we sent you an e-mail. Please confirm your address with the link in it, then log in.",
    verified: "Your e-mail address is confirmed. You can log in now.",
    login: "Log in",
    login_intro: "Log in with your e-mail address and password.",
    log_in: "Log in",
    forgot: "Forgot your password?",
    no_account: "No account yet? Create one",
    have_account: "Already have an account? Log in",
    reset: "Forgot your password",
    reset_intro: "Give the e-mail address of your account. We send you a link to set a new password.",
    send_link: "Send link",
    reset_sent: "If there is an account for this address, an e-mail with a link is on its way.",
    new_password: "Set a new password",
    new_password_intro: "Set a new password. Then log in with it; other logins end.",
    save: "Save",
    password_set: "Your new password is set. Please log in.",
    account: "My account",
    account_intro: "Here you apply and see how your application stands.",
    errors_title: "Please check your entries",
    favourites: "Favourites",
    search: "Find a Kita",
    apply: "Apply for a place",
    applications: "My applications",
};

fn t(lang: Lang) -> &'static T {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

/// The argon2 hash of a new password, computed on a blocking thread (it takes tens of
/// milliseconds of CPU, which must not stall the async workers).
pub(crate) async fn hash_off_thread(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

pub(crate) fn base_url(node: &Node) -> Result<String, AppError> {
    Ok(node
        .portal
        .as_ref()
        .ok_or_else(|| AppError::NotFound("Portal".into()))?
        .settings
        .public_url
        .clone())
}

fn email_field(t: &'static T, value: String) -> Field {
    Field {
        name: "email",
        label: t.email,
        kind: "email",
        value,
        autocomplete: "email",
        hint: "",
    }
}

fn password_fields(t: &'static T) -> Vec<Field> {
    vec![
        Field {
            name: "password",
            label: t.password,
            kind: "password",
            value: String::new(),
            autocomplete: "new-password",
            hint: t.password_hint,
        },
        Field {
            name: "password_repeat",
            label: t.password_repeat,
            kind: "password",
            value: String::new(),
            autocomplete: "new-password",
            hint: "",
        },
    ]
}

#[allow(clippy::too_many_arguments)]
fn page(
    node: &Node,
    lang: Lang,
    session: Option<&Session>,
    title: &'static str,
    intro: &'static str,
    action: &'static str,
    fields: Vec<Field>,
    submit: &'static str,
    links: Vec<(&'static str, &'static str)>,
) -> FormPage {
    FormPage {
        chrome: Chrome::new(node, lang, session, title).with_portal(),
        intro,
        notice: String::new(),
        action,
        fields,
        hidden: vec![],
        submit,
        links,
        errors: vec![],
        errors_title: t(lang).errors_title,
    }
}

fn register_page(node: &Node, lang: Lang, input: &Registration) -> FormPage {
    let t = t(lang);
    let mut fields = vec![
        email_field(t, input.email.clone()),
        Field {
            name: "display_name",
            label: t.name,
            kind: "text",
            value: input.display_name.clone(),
            autocomplete: "name",
            hint: "",
        },
    ];
    fields.extend(password_fields(t));
    page(
        node,
        lang,
        None,
        t.register,
        t.register_intro,
        "/portal/register",
        fields,
        t.create,
        vec![("/portal/login", t.have_account)],
    )
}

/// `GET /portal/register`.
pub async fn register_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
) -> Result<Response, AppError> {
    base_url(&node)?;
    render(&register_page(&node, lang, &Registration::default()))
}

/// `POST /portal/register`: the same answer whether or not the address has an account.
pub async fn register_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Form(input): Form<Registration>,
) -> Result<Response, AppError> {
    let base = base_url(&node)?;
    check_same_origin(&headers)?;
    let who = session.who();
    crate::auth::authorize(&who, crate::auth::Action::RegisterAccount)?;
    let outcome = match input.check() {
        Err(e) => Err(ActionError::from(e)),
        Ok(()) => {
            let hash = hash_off_thread(&input.password).await?;
            let now = node.now();
            register(&mut node.store(), &who, &input, &hash, &base, now)
        }
    };
    let mut page = register_page(&node, lang, &input);
    match outcome {
        Ok(()) => {
            page.notice = t(lang).check_mail.to_string();
            page.fields.clear();
            page.links = vec![("/portal/login", t(lang).login)];
            render(&page)
        }
        Err(e) => {
            page.errors = e.into_field_errors()?;
            render_form(&page, &page.errors)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /portal/verify?token=…`: the link from the registration mail.
pub async fn verify(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    base_url(&node)?;
    let t = t(lang);
    let now = node.now();
    let result = verify_email(&mut node.store(), &session.who(), &q.token, now);
    let mut page = login_page(&node, lang, "");
    match result {
        Ok(()) => page.notice = t.verified.to_string(),
        Err(ActionError::Conflict(message)) => {
            page.errors = vec![FieldError {
                field: "token".into(),
                message,
            }];
            return render_form(&page, &page.errors).map(|mut r| {
                *r.status_mut() = StatusCode::GONE;
                r
            });
        }
        Err(e) => return Err(e.into()),
    }
    render(&page)
}

fn login_page(node: &Node, lang: Lang, email: &str) -> FormPage {
    let t = t(lang);
    page(
        node,
        lang,
        None,
        t.login,
        t.login_intro,
        "/portal/login",
        vec![
            email_field(t, email.to_string()),
            Field {
                name: "password",
                label: t.password,
                kind: "password",
                value: String::new(),
                autocomplete: "current-password",
                hint: "",
            },
        ],
        t.log_in,
        vec![
            ("/portal/password-reset", t.forgot),
            ("/portal/register", t.no_account),
        ],
    )
}

/// `GET /portal/login`.
pub async fn login_form(State(node): State<Arc<Node>>, lang: Lang) -> Result<Response, AppError> {
    base_url(&node)?;
    render(&login_page(&node, lang, ""))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginInput {
    email: String,
    password: String,
}

/// `POST /portal/login`.
pub async fn login_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    headers: HeaderMap,
    crate::http::SourceAddr(source): crate::http::SourceAddr,
    Form(input): Form<LoginInput>,
) -> Result<Response, AppError> {
    base_url(&node)?;
    check_same_origin(&headers)?;
    match login(&node, &input.email, &input.password, source).await {
        Ok((_, tokens)) => Ok((
            [(header::SET_COOKIE, session_cookie(&tokens.token))],
            Redirect::to("/portal/account"),
        )
            .into_response()),
        Err(LoginError::Store(e)) => Err(e.into()),
        Err(e) => {
            crate::http::pages::audit_failed_login(
                &mut node.store(),
                // Never a parent's e-mail address in the audit log: the portal, and where from.
                "portal",
                source,
                node.clock.now_millis(),
            )?;
            let mut page = login_page(&node, lang, &input.email);
            // The throttle counts addresses whether they have an account or not, so no answer
            // tells which do.
            let status = match e.retry_after_secs() {
                Some(_) => StatusCode::TOO_MANY_REQUESTS,
                None => StatusCode::UNAUTHORIZED,
            };
            page.errors = vec![FieldError {
                field: "password".into(),
                message: e.to_string(),
            }];
            let mut res = render(&page)?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

fn reset_request_page(node: &Node, lang: Lang, email: &str) -> FormPage {
    let t = t(lang);
    page(
        node,
        lang,
        None,
        t.reset,
        t.reset_intro,
        "/portal/password-reset",
        vec![email_field(t, email.to_string())],
        t.send_link,
        vec![("/portal/login", t.login)],
    )
}

/// `GET /portal/password-reset`.
pub async fn reset_request_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
) -> Result<Response, AppError> {
    base_url(&node)?;
    render(&reset_request_page(&node, lang, ""))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailInput {
    email: String,
}

/// `POST /portal/password-reset`.
pub async fn reset_request_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Form(input): Form<EmailInput>,
) -> Result<Response, AppError> {
    let base = base_url(&node)?;
    check_same_origin(&headers)?;
    let now = node.now();
    let result = request_reset(&mut node.store(), &session.who(), &input.email, &base, now);
    let mut page = reset_request_page(&node, lang, &input.email);
    match result {
        Ok(()) => {
            page.notice = t(lang).reset_sent.to_string();
            page.fields.clear();
            render(&page)
        }
        Err(e) => {
            page.errors = e.into_field_errors()?;
            render_form(&page, &page.errors)
        }
    }
}

fn new_password_page(node: &Node, lang: Lang, token: &str) -> FormPage {
    let t = t(lang);
    let mut page = page(
        node,
        lang,
        None,
        t.new_password,
        t.new_password_intro,
        "/portal/password",
        password_fields(t),
        t.save,
        vec![],
    );
    page.hidden = vec![("token", token.to_string())];
    page
}

/// `GET /portal/password?token=…`: the link from the reset mail.
pub async fn new_password_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    base_url(&node)?;
    let valid = reset_link_valid(&node.store(), &session.who(), &q.token, node.now())?;
    let mut page = new_password_page(&node, lang, &q.token);
    if !valid {
        page.fields.clear();
        page.hidden.clear();
        page.links = vec![("/portal/password-reset", t(lang).reset)];
        page.errors = vec![FieldError {
            field: "token".into(),
            message: "Der Link ist abgelaufen oder wurde schon benutzt. / The link has expired or was used already.".into(),
        }];
        let mut res = render(&page)?;
        *res.status_mut() = StatusCode::GONE;
        return Ok(res);
    }
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewPasswordInput {
    token: String,
    password: String,
    password_repeat: String,
}

/// `POST /portal/password`.
pub async fn new_password_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Form(input): Form<NewPasswordInput>,
) -> Result<Response, AppError> {
    base_url(&node)?;
    check_same_origin(&headers)?;
    let outcome = match check_new_password_pair(&input.password, &input.password_repeat) {
        Err(e) => Err(ActionError::from(e)),
        Ok(()) => {
            let hash = hash_off_thread(&input.password).await?;
            let now = node.now();
            reset_password(&mut node.store(), &session.who(), &input.token, &hash, now)
        }
    };
    match outcome {
        Ok(()) => {
            let mut page = login_page(&node, lang, "");
            page.notice = t(lang).password_set.to_string();
            render(&page)
        }
        Err(ActionError::Conflict(message)) => {
            let mut page = new_password_page(&node, lang, &input.token);
            page.fields.clear();
            page.errors = vec![FieldError {
                field: "token".into(),
                message,
            }];
            page.links = vec![("/portal/password-reset", t(lang).reset)];
            render_form(&page, &page.errors)
        }
        Err(e) => {
            let mut page = new_password_page(&node, lang, &input.token);
            page.errors = e.into_field_errors()?;
            render_form(&page, &page.errors)
        }
    }
}

#[derive(Template)]
#[template(path = "portal_account.html")]
struct AccountPage {
    chrome: Chrome,
    t: &'static T,
    account: crate::auth::GuardianAccount,
}

/// `GET /portal/account`: the guardian's own page.
pub async fn account_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
) -> Result<Response, AppError> {
    base_url(&node)?;
    // Parents log in on the portal's own login page, not on the staff's.
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let account = own_account(&session.who)?;
    let t = t(lang);
    render(&AccountPage {
        chrome: Chrome::new(&node, lang, Some(&session), t.account).with_portal(),
        t,
        account,
    })
}
