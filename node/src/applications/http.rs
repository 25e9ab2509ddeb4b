//! The application form and "my applications" on the portal.

use super::withdraw;
use super::{
    context, own_applications, submit, ApplicationInput, ChildInput, OwnApplication, CHILDMINDING,
    MAX_CHILDREN, MAX_WISHES,
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
    lang: Lang,
}

impl ApplyPage {
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
fn city_name(node: &Node) -> String {
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
    let title = if lang == Lang::En {
        "Apply for a place"
    } else {
        "Antrag auf einen Betreuungsplatz"
    };
    let page = ApplyPage {
        chrome: Chrome::new(node, lang, Some(session), title).with_portal(),
        input,
        errors,
        facilities,
        districts: ctx.agencies.keys().cloned().collect(),
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
    page(&node, lang, &session, input, vec![])
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
            page(&node, lang, &session, input, errors)
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
    lang: Lang,
}

impl ApplicationsPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn status_label(&self, status: &str) -> &'static str {
        match (status, self.en()) {
            ("waiting", false) => "in Bearbeitung",
            ("waiting", true) => "in progress",
            ("offered", false) => "Platz angeboten",
            ("offered", true) => "place offered",
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
