//! The application form and "my applications" on the portal.

use super::{
    change, change_form, context, own_applications, submit, withdraw, ApplicationInput, ChildInput,
    OwnApplication, CHILDMINDING, MAX_CHILDREN, MAX_WISHES,
};
use crate::auth::{authorize, Action, Principal};
use crate::http::pages::Chrome;
use crate::http::{cookie, render, render_form, AppError, Lang, MaybeSession, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kitanetz_crdt::ids::ApplicationId;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "portal_apply.html")]
struct ApplyPage {
    chrome: Chrome,
    input: ApplicationInput,
    errors: Vec<FieldError>,
    /// (value, label) of every facility a wish may name, by name.
    facilities: Vec<(String, String)>,
    districts: Vec<String>,
    /// The application being changed (`None`: a new application).
    changing: Option<String>,
    /// The ZVS enters the application for the parents (unborn children allowed).
    entry: bool,
    lang: Lang,
}

/// What the application form is for.
enum Mode {
    /// Parents apply on the portal.
    New,
    /// Parents change their application.
    Change(String),
    /// The ZVS enters an application for parents who cannot use the portal.
    Entry,
}

impl ApplyPage {
    fn action(&self) -> String {
        match &self.changing {
            Some(id) => format!("/portal/applications/{id}/change"),
            None if self.entry => "/intake/new".into(),
            None => "/portal/apply".into(),
        }
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn error_for(&self, field: &str) -> String {
        crate::http::messages_for(&self.errors, field)
    }

    fn child(&self, n: &usize) -> &ChildInput {
        &self.input.children[*n - 1]
    }

    fn child_numbers(&self) -> Vec<usize> {
        (1..=MAX_CHILDREN).collect()
    }

    fn wish_numbers(&self) -> Vec<usize> {
        (1..=MAX_WISHES).collect()
    }

    fn wish(&self, n: &usize) -> &str {
        &self.input.wishes[*n - 1]
    }

    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn childminding(&self) -> &'static str {
        CHILDMINDING
    }
}

fn portal_city(node: &Node) -> Result<&crate::portal::Portal, AppError> {
    node.portal
        .as_ref()
        .ok_or_else(|| AppError::NotFound("Portal".into()))
}

/// The city the portal serves (see [`crate::config::PortalSection::city`]).
pub(crate) fn city_name(node: &Node) -> String {
    match node.portal.as_ref().map(|p| p.settings.city.trim()) {
        Some(city) if !city.is_empty() => city.to_string(),
        _ => node
            .config
            .display_name
            .split_whitespace()
            .last()
            .unwrap_or("")
            .to_string(),
    }
}

fn page(
    node: &Node,
    lang: Lang,
    session: &Session,
    input: ApplicationInput,
    errors: Vec<FieldError>,
    mode: Mode,
) -> Result<Response, AppError> {
    let ctx = context(
        &node.store(),
        portal_city(node)?,
        &city_name(node),
        node.clock.today(),
    )?;
    let mut facilities: Vec<(String, String)> = ctx
        .facilities
        .iter()
        .map(|(id, name)| (format!("f:{}", id.0), name.clone()))
        .collect();
    facilities.sort_by(|a, b| a.1.cmp(&b.1));
    let title = match (lang, &mode) {
        (Lang::En, Mode::New) => "Apply for a place",
        (_, Mode::New) => "Antrag auf einen Betreuungsplatz",
        (Lang::En, Mode::Change(_)) => "Change your application",
        (_, Mode::Change(_)) => "Antrag ändern",
        (Lang::En, Mode::Entry) => "Enter an application",
        (_, Mode::Entry) => "Antrag aufnehmen",
    };
    let chrome = Chrome::new(node, lang, Some(session), title);
    let (chrome, changing, entry) = match mode {
        Mode::New => (chrome.with_portal(), None, false),
        Mode::Change(id) => (chrome.with_portal(), Some(id), false),
        Mode::Entry => (chrome, None, true),
    };
    let page = ApplyPage {
        chrome,
        input,
        errors,
        facilities,
        districts: ctx.agencies.keys().cloned().collect(),
        changing,
        entry,
        lang,
    };
    render_form(&page, &page.errors)
}

/// `GET /portal/apply`: the form, prefilled from the account and the favourites basket.
pub async fn apply_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    authorize(&session.who, Action::SubmitApplication)?;
    let mut input = ApplicationInput::from_pairs(&[]);
    if let Principal::Guardian(g) = &session.who {
        input.email = g.email.clone();
        let mut names = g.display_name.split_whitespace().collect::<Vec<_>>();
        if let Some(family) = names.pop() {
            input.guardian_family_name = family.to_string();
            input.guardian_given_name = names.join(" ");
        }
    }
    input.city = city_name(&node);
    input.notify = "email".into();
    // The favourites basket becomes the first wishes, in its order.
    let basket = cookie(&headers, crate::portal::http::FAVOURITES_COOKIE).unwrap_or("");
    let mut slot = 0;
    for key in basket.split('.') {
        if slot >= MAX_WISHES {
            break;
        }
        match key.split_once(':') {
            Some(("f", id)) => {
                input.wishes[slot] = format!("f:{id}");
                slot += 1;
            }
            Some(("c", id)) if !input.wishes.iter().any(|w| w == CHILDMINDING) => {
                input.wishes[slot] = CHILDMINDING.into();
                input.childminder = id.to_string();
                slot += 1;
            }
            _ => {}
        }
    }
    page(&node, lang, &session, input, vec![], Mode::New)
}

/// `POST /portal/apply`.
pub async fn apply_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let portal = portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    session.check_csrf(csrf)?;
    authorize(&session.who, Action::SubmitApplication)?;
    let input = ApplicationInput::from_pairs(&pairs);
    let result = {
        let mut store = node.store();
        let ctx = context(&store, portal, &city_name(&node), node.clock.today())?;
        submit(
            &mut store,
            &ctx,
            portal.streets(),
            &session.who,
            &input,
            node.now(),
        )
    };
    match result {
        Ok(_) => Ok(Redirect::to("/portal/applications?submitted=1").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page(&node, lang, &session, input, errors, Mode::New)
        }
    }
}

#[derive(Template)]
#[template(path = "portal_applications.html")]
struct ApplicationsPage {
    chrome: Chrome,
    applications: Vec<OwnApplication>,
    submitted: bool,
    withdrawn: bool,
    /// After a change: "saved", "restarted" or "none".
    changed: String,
    uploaded: bool,
    upload_error: String,
    invited: bool,
    invite_error: String,
    joined: bool,
    lang: Lang,
}

impl ApplicationsPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn status_label(&self, status: &str) -> &'static str {
        match (status, self.en()) {
            ("waiting" | "pending", false) => "noch nicht an der Reihe",
            ("waiting" | "pending", true) => "not checked yet",
            ("request", false) => "in Bearbeitung bei der Einrichtung",
            ("request", true) => "being reviewed by the Kita",
            ("waitlist", false) => "auf der Warteliste der Einrichtung",
            ("waitlist", true) => "on the Kita's waitlist",
            ("proposed", false) => "in der Vergaberunde vorgeschlagen, die Einrichtung prüft",
            ("proposed", true) => "proposed in the placement round, the Kita is checking",
            ("offered", false) => "Platz angeboten",
            ("offered", true) => "place offered",
            ("refused", false) => "Angebot abgelehnt oder verfallen",
            ("refused", true) => "offer declined or lapsed",
            ("reserved", false) => "Platz reserviert",
            ("reserved", true) => "place reserved",
            ("declined", false) => "abgelehnt",
            ("declined", true) => "declined",
            ("placed-elsewhere", false) => "anderswo vermittelt",
            ("placed-elsewhere", true) => "placed elsewhere",
            ("active", false) => "aktiv",
            ("active", true) => "active",
            ("placed", false) => "vermittelt",
            ("placed", true) => "placed",
            ("withdrawn", false) => "zurückgezogen",
            ("withdrawn", true) => "withdrawn",
            (_, false) => "inaktiv",
            (_, true) => "inactive",
        }
    }

    fn care_label(&self, a: &OwnApplication) -> &'static str {
        if self.en() {
            a.care_type.label_en()
        } else {
            a.care_type.label_de()
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ApplicationsQuery {
    #[serde(default)]
    submitted: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    /// After a change: "saved", "restarted" (the wishes changed) or "none".
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    uploaded: Option<String>,
    #[serde(default)]
    upload_error: Option<String>,
    #[serde(default)]
    invited: Option<String>,
    #[serde(default)]
    invite_error: Option<String>,
    #[serde(default)]
    joined: Option<String>,
}

/// `GET /portal/applications`: the parent's applications with the status of every wish.
pub async fn applications_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Query(q): Query<ApplicationsQuery>,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let applications = own_applications(&node.store(), &session.who)?;
    let title = if lang == Lang::En {
        "My applications"
    } else {
        "Meine Anträge"
    };
    render(&ApplicationsPage {
        chrome: Chrome::new(&node, lang, Some(&session), title).with_portal(),
        applications,
        submitted: q.submitted.is_some(),
        withdrawn: q.withdrawn.is_some(),
        changed: q.changed.unwrap_or_default(),
        uploaded: q.uploaded.is_some(),
        upload_error: q.upload_error.unwrap_or_default(),
        invited: q.invited.is_some(),
        invite_error: q.invite_error.unwrap_or_default(),
        joined: q.joined.is_some(),
        lang,
    })
}

#[derive(Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /portal/applications/{id}/withdraw`.
pub async fn withdraw_submit(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    session.check_csrf(&form.csrf)?;
    let id = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let now = node.now();
    withdraw(&mut node.store(), &session.who, &id, now)?;
    Ok(Redirect::to("/portal/applications?withdrawn=1").into_response())
}

/// `GET /portal/applications/{id}/receipt.pdf`: the receipt as a printable letter (what parents
/// who chose notification by post receive; every parent of the application may print it).
pub async fn receipt_pdf(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let office = crate::http::letter_office(&node);
    // The data is read under the store's lock; the render runs after it is released.
    let letter = super::receipt_letter(
        &node.store(),
        &session.who,
        &id,
        None,
        &office,
        &city_name(&node),
    )?;
    let pdf = crate::letters::receipt_pdf(letter).await?;
    Ok(crate::http::pdf_response(
        pdf,
        &format!("Eingangsbestaetigung-{}.pdf", id.0),
    ))
}

/// `GET /portal/applications/{id}/change`: the application's form, filled from what is stored.
pub async fn change_form_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    authorize(&session.who, Action::ChangeApplication)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let input = change_form(&node.store(), &session.who, &id)?;
    page(&node, lang, &session, input, vec![], Mode::Change(id.0))
}

/// `POST /portal/applications/{id}/change`.
pub async fn change_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let portal = portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    session.check_csrf(csrf)?;
    authorize(&session.who, Action::ChangeApplication)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let input = ApplicationInput::from_pairs(&pairs);
    let result = {
        let mut store = node.store();
        let ctx = context(&store, portal, &city_name(&node), node.clock.today())?;
        change(
            &mut store,
            &ctx,
            portal.streets(),
            &session.who,
            &id,
            &input,
            node.now(),
        )
    };
    match result {
        Ok(done) => {
            let outcome = match (done.what.is_empty(), done.restarted) {
                (true, _) => "none",
                (false, true) => "restarted",
                (false, false) => "saved",
            };
            Ok(Redirect::to(&format!("/portal/applications?changed={outcome}")).into_response())
        }
        Err(e) => {
            let errors = e.into_field_errors()?;
            // The children are not posted on the change form: show them as stored.
            let mut shown = input;
            if let Ok(stored) = change_form(&node.store(), &session.who, &id) {
                shown.children = stored.children;
            }
            page(&node, lang, &session, shown, errors, Mode::Change(id.0))
        }
    }
}

/// `GET /intake/new`: the ZVS enters an application for parents who cannot use the portal.
pub async fn entry_form(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    authorize(&session.who, Action::EnterApplication)?;
    portal_city(&node)?;
    let mut input = ApplicationInput::from_pairs(&[]);
    input.city = city_name(&node);
    input.notify = "post".into();
    page(&node, lang, &session, input, vec![], Mode::Entry)
}

/// `POST /intake/new`.
pub async fn entry_submit(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    session.check_csrf(csrf)?;
    authorize(&session.who, Action::EnterApplication)?;
    let portal = portal_city(&node)?;
    let input = ApplicationInput::from_pairs(&pairs);
    let result = {
        let mut store = node.store();
        let ctx = context(&store, portal, &city_name(&node), node.clock.today())?;
        submit(
            &mut store,
            &ctx,
            portal.streets(),
            &session.who,
            &input,
            node.now(),
        )
    };
    match result {
        Ok(_) => Ok(Redirect::to("/intake?done=entered").into_response()),
        Err(e) => {
            let errors = e.into_field_errors()?;
            page(&node, lang, &session, input, errors, Mode::Entry)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /portal/applications/{id}/invite`: the contact parent invites the second guardian.
pub async fn invite_submit(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let portal = portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::InviteGuardian)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::NotFound(id.clone()))?;
    let now = node.now();
    let invited = super::guardians::invite(
        &mut node.store(),
        &session.who,
        &id,
        &form.email,
        &portal.settings.public_url,
        now,
    );
    match invited {
        Ok(()) => Ok(Redirect::to("/portal/applications?invited=1").into_response()),
        Err(crate::action::ActionError::Invalid(e)) => {
            let message = e
                .errors
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_default();
            Ok(Redirect::to(&format!(
                "/portal/applications?invite_error={}",
                form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
            ))
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    token: String,
    child: String,
    /// Logged in: the accept button; otherwise the way to log in or register.
    logged_in: bool,
    lang: Lang,
}

impl InvitationPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /portal/invitations?token=…`: the invitation, with the accept button for the invited.
pub async fn invitation_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    authorize(
        session.0.as_ref().map_or(&Principal::Visitor, |s| &s.who),
        Action::FollowAccountLink,
    )?;
    let found = super::guardians::invitation(&node.store(), &q.token, node.now())?;
    let title = if lang == Lang::En {
        "Invitation to an application"
    } else {
        "Einladung zu einem Antrag"
    };
    render(&InvitationPage {
        chrome: Chrome::new(&node, lang, session.0.as_ref(), title).with_portal(),
        token: q.token,
        child: found.child_given_name,
        logged_in: matches!(
            session.0.as_ref().map(|s| &s.who),
            Some(Principal::Guardian(_))
        ),
        lang,
    })
}

#[derive(Deserialize, Default)]
pub struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

/// `POST /portal/invitations`: the invited guardian accepts.
pub async fn accept_submit(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    Form(form): Form<AcceptForm>,
) -> Result<Response, AppError> {
    portal_city(&node)?;
    let Some(session) = session.0 else {
        return Ok(Redirect::to("/portal/login").into_response());
    };
    session.check_csrf(&form.csrf)?;
    authorize(&session.who, Action::AcceptInvitation)?;
    let now = node.now();
    super::guardians::accept(&mut node.store(), &session.who, &form.token, now)?;
    Ok(Redirect::to("/portal/applications?joined=1").into_response())
}
