//! Portal pages and API: search with map and table, public profiles, the favourites basket.
//! Everything works without JavaScript; the map is an enhancement over the table.

use super::index::{ListingId, ListingKind};
use super::{
    choices, favourites, public_profile, search, PublicProfile, SearchHit, SearchInput,
    SearchResult, MAX_FAVOURITES, RADIUS_CHOICES,
};
use crate::action::ActionError;
use crate::http::pages::Chrome;
use crate::http::{cookie, render_form, ApiError, AppError, Lang, MaybeSession};
use crate::Node;
use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kitanetz_crdt::kinds::facility::CONCEPT_TAGS;
use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::validate::FieldError;
use serde::Deserialize;
use std::sync::Arc;

/// The favourites basket of a visitor: listing keys in a cookie (no account needed; it carries
/// into the application).
pub const FAVOURITES_COOKIE: &str = "kn_fav";

/// Portal texts, German first and English (a struct, so a missing text is a build error).
pub struct PortalTexts {
    pub search_title: &'static str,
    pub intro: &'static str,
    pub where_: &'static str,
    pub address: &'static str,
    pub address_hint: &'static str,
    pub postcode: &'static str,
    pub radius: &'static str,
    pub who: &'static str,
    pub care_type: &'static str,
    pub any: &'static str,
    pub birth_date: &'static str,
    pub start: &'static str,
    pub more: &'static str,
    pub open_from: &'static str,
    pub open_until: &'static str,
    pub concept: &'static str,
    pub no_extra_fees: &'static str,
    pub accessible: &'static str,
    pub integration: &'static str,
    pub free_only: &'static str,
    pub provider_kind: &'static str,
    pub municipal: &'static str,
    pub free_provider: &'static str,
    pub provider: &'static str,
    pub district: &'static str,
    pub name: &'static str,
    pub facilities_only: &'static str,
    pub search: &'static str,
    pub reset: &'static str,
    pub results: &'static str,
    pub around: &'static str,
    pub map_label: &'static str,
    pub table_caption: &'static str,
    pub distance: &'static str,
    pub offer: &'static str,
    pub places: &'static str,
    pub free_places: &'static str,
    pub age: &'static str,
    pub opening: &'static str,
    pub childminding: &'static str,
    pub free: &'static str,
    pub few: &'static str,
    pub full: &'static str,
    pub unknown: &'static str,
    pub remember: &'static str,
    pub forget: &'static str,
    pub favourites: &'static str,
    pub favourites_intro: &'static str,
    pub favourites_empty: &'static str,
    pub favourites_full: &'static str,
    pub no_results: &'static str,
    pub errors_title: &'static str,
    pub did_you_mean: &'static str,
    pub website: &'static str,
    pub contact: &'static str,
    pub profile: &'static str,
    pub extra_fees: &'static str,
    pub none: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub back_to_search: &'static str,
    pub childminder_note: &'static str,
    pub staff_login: &'static str,
}

static DE: PortalTexts = PortalTexts {
    search_title: "Kita und Kindertagespflege finden",
    intro: "Suchen Sie Kitas und Tagespflegepersonen in der Nähe Ihrer Wohnung oder Arbeitsstelle. Alle Angaben sind freiwillig und beliebig kombinierbar.",
    where_: "Wo?",
    address: "Straße und Hausnummer",
    address_hint: "z. B. Bautzner Straße 12",
    postcode: "Postleitzahl (nur wenn nachgefragt)",
    radius: "Umkreis",
    who: "Für wen?",
    care_type: "Betreuungsart",
    any: "egal",
    birth_date: "Geburtsdatum des Kindes",
    start: "Gewünschter Betreuungsbeginn",
    more: "Weitere Kriterien",
    open_from: "Geöffnet spätestens ab",
    open_until: "Geöffnet mindestens bis",
    concept: "Konzept",
    no_extra_fees: "ohne Zusatzbeiträge",
    accessible: "barrierefrei",
    integration: "Integrationseinrichtung",
    free_only: "nur mit freien Plätzen",
    provider_kind: "Trägerart",
    municipal: "kommunal",
    free_provider: "freier Träger",
    provider: "Träger",
    district: "Ortsamt",
    name: "Name der Einrichtung",
    facilities_only: "nur Kitas (ohne Kindertagespflege)",
    search: "Suchen",
    reset: "Alle Kriterien zurücksetzen",
    results: "Treffer",
    around: "im Umkreis von",
    map_label: "Karte der Treffer",
    table_caption: "Gefundene Einrichtungen und Tagespflegepersonen",
    distance: "Entfernung",
    offer: "Angebot",
    places: "Plätze",
    free_places: "Freie Plätze",
    age: "Alter",
    opening: "Öffnungszeiten",
    childminding: "Kindertagespflege",
    free: "frei",
    few: "wenige frei",
    full: "belegt",
    unknown: "auf Anfrage",
    remember: "Merken",
    forget: "Entfernen",
    favourites: "Merkliste",
    favourites_intro: "Ihre gemerkten Einrichtungen. Die Merkliste bleibt in diesem Browser und wird in Ihren Antrag übernommen.",
    favourites_empty: "Noch nichts gemerkt. Über „Merken“ in der Suche kommen Einrichtungen hierher.",
    favourites_full: "Die Merkliste ist voll; entfernen Sie zuerst einen Eintrag.",
    no_results: "Keine Treffer. Vergrößern Sie den Umkreis oder lassen Sie Kriterien weg.",
    errors_title: "Bitte prüfen Sie Ihre Angaben",
    did_you_mean: "Meinten Sie:",
    website: "Homepage",
    contact: "Kontakt",
    profile: "Über uns",
    extra_fees: "Zusatzbeiträge",
    none: "keine",
    yes: "ja",
    no: "nein",
    back_to_search: "Zurück zur Suche",
    childminder_note: "Tagespflegepersonen betreuen bis zu fünf Kinder in ihren eigenen Räumen. Die Vermittlung erfolgt über die Beratungs- und Vermittlungsstelle Kindertagespflege; die genaue Adresse erfahren Sie dort.",
    staff_login: "Anmeldung für Mitarbeitende",
};

static EN: PortalTexts = PortalTexts {
    search_title: "Find a Kita or childminder",
    intro: "Search Kitas and childminders near your home or workplace. Every criterion is optional and they combine freely.",
    where_: "Where?",
    address: "Street and house number",
    address_hint: "e.g. Bautzner Straße 12",
    postcode: "Postcode (only when asked)",
    radius: "Radius",
    who: "For whom?",
    care_type: "Type of care",
    any: "any",
    birth_date: "Child's date of birth",
    start: "Wished start of care",
    more: "More criteria",
    open_from: "Open at the latest from",
    open_until: "Open at least until",
    concept: "Concept",
    no_extra_fees: "no extra fees",
    accessible: "barrier-free",
    integration: "inclusive facility (Integration)",
    free_only: "only with free places",
    provider_kind: "Kind of provider",
    municipal: "municipal",
    free_provider: "independent provider",
    provider: "Provider",
    district: "District office",
    name: "Name of the facility",
    facilities_only: "Kitas only (no childminders)",
    search: "Search",
    reset: "Reset all criteria",
    results: "results",
    around: "within",
    map_label: "Map of the results",
    table_caption: "Facilities and childminders found",
    distance: "Distance",
    offer: "Offer",
    places: "Places",
    free_places: "Free places",
    age: "Age",
    opening: "Opening hours",
    childminding: "Childminder",
    free: "free",
    few: "few free",
    full: "full",
    unknown: "on request",
    remember: "Remember",
    forget: "Remove",
    favourites: "Favourites",
    favourites_intro: "The facilities you remembered. The list stays in this browser and is carried into your application.",
    favourites_empty: "Nothing remembered yet. Use “Remember” in the search.",
    favourites_full: "The list is full; remove an entry first.",
    no_results: "No results. Widen the radius or leave out criteria.",
    errors_title: "Please check your entries",
    did_you_mean: "Did you mean:",
    website: "Website",
    contact: "Contact",
    profile: "About us",
    extra_fees: "Extra fees",
    none: "none",
    yes: "yes",
    no: "no",
    back_to_search: "Back to the search",
    childminder_note: "Childminders care for up to five children in their own rooms. Placement is arranged by the childminding advice office, which also gives you the address.",
    staff_login: "Staff login",
};

fn texts(lang: Lang) -> &'static PortalTexts {
    match lang {
        Lang::De => &DE,
        Lang::En => &EN,
    }
}

fn portal(node: &Node) -> Result<&super::Portal, AppError> {
    node.portal
        .as_ref()
        .ok_or_else(|| AppError::NotFound("Portal".into()))
}

/// The basket from the visitor's cookie.
fn basket(headers: &HeaderMap) -> Vec<String> {
    cookie(headers, FAVOURITES_COOKIE)
        .unwrap_or("")
        .split('.')
        .filter(|k| super::listing_id(k).is_some())
        .take(MAX_FAVOURITES)
        .map(str::to_string)
        .collect()
}

fn basket_cookie(keys: &[String]) -> String {
    // Lax: the basket is no credential, and a link from the city's website should show it.
    format!(
        "{FAVOURITES_COOKIE}={}; Path=/; Secure; SameSite=Lax; Max-Age=31536000",
        keys.join(".")
    )
}

/// Care types a parent chooses between (the facility care types of the portal).
fn care_type_choices(lang: Lang) -> Vec<(&'static str, &'static str)> {
    [
        CareType::Nursery,
        CareType::Kindergarten,
        CareType::AfterSchool,
    ]
    .iter()
    .map(|c| {
        (
            c.as_str(),
            match lang {
                Lang::De => c.label_de(),
                Lang::En => c.label_en(),
            },
        )
    })
    .collect()
}

#[derive(Template)]
#[template(path = "portal_search.html")]
struct SearchPage {
    chrome: Chrome,
    p: &'static PortalTexts,
    input: SearchInput,
    result: Option<SearchResult>,
    errors: Vec<FieldError>,
    suggestions: Vec<String>,
    basket: Vec<String>,
    care_types: Vec<(&'static str, &'static str)>,
    concepts: Vec<(&'static str, &'static str)>,
    districts: Vec<String>,
    providers: Vec<(String, String)>,
    radii: &'static [u32],
    has_streets: bool,
    tile_url: String,
    tile_attribution: String,
    /// The hits as JSON for the map script (in a `type="application/json"` block: data, not
    /// code, so the content security policy stays `script-src 'self'`).
    map_json: String,
    /// The query string as sent.
    query: String,
    lang: Lang,
}

impl SearchPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn remembered(&self, hit: &SearchHit) -> bool {
        self.basket.contains(&hit.favourite_key())
    }

    fn free_label(&self, key: &str) -> &'static str {
        free_label(self.p, key)
    }

    fn offer(&self, hit: &SearchHit) -> String {
        offer(self.p, self.lang, hit)
    }

    fn concept_checked(&self, key: &str) -> bool {
        self.input.concept.iter().any(|c| c == key)
    }

    /// This search's address (for the "remember" forms to come back to).
    fn back(&self) -> String {
        match &self.query {
            q if q.is_empty() => "/portal".into(),
            q => format!("/portal?{q}"),
        }
    }
}

fn free_label(p: &PortalTexts, key: &str) -> &'static str {
    match key {
        "free" => p.free,
        "few" => p.few,
        "full" => p.full,
        _ => p.unknown,
    }
}

fn offer(p: &PortalTexts, lang: Lang, hit: &SearchHit) -> String {
    if hit.kind == "childminder" {
        return p.childminding.to_string();
    }
    hit.care_types
        .iter()
        .filter_map(|c| CareType::parse(c))
        .map(|c| match lang {
            Lang::De => c.label_de(),
            Lang::En => c.label_en(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /portal`: the search form, and the results once the visitor searched.
pub async fn search_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query.unwrap_or_default();
    let input = SearchInput::from_query(&query);
    let portal = portal(&node)?;
    let who = session.who();
    let today = node.clock.today();
    let (
        outcome,
        super::Choices {
            districts,
            providers,
        },
    ) = {
        let store = node.store();
        (
            search(&store, portal, &who, &input, today),
            choices(&store, portal, today)?,
        )
    };
    let (result, errors) = match outcome {
        Ok(r) => (Some(r), vec![]),
        Err(e) => (None, e.into_field_errors()?),
    };
    let suggestions = errors
        .iter()
        .find(|e| e.field == "suggestions")
        .map(|e| e.message.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let errors: Vec<FieldError> = errors
        .into_iter()
        .filter(|e| e.field != "suggestions")
        .collect();
    let p = texts(lang);
    let map_json = result
        .as_ref()
        .map(|r| {
            let points: Vec<serde_json::Value> = r
                .hits
                .iter()
                .filter_map(|h| {
                    Some(serde_json::json!({
                        "lat": h.lat?, "lon": h.lon?, "name": h.name, "href": h.href(),
                        "kind": h.kind, "free": free_label(p, h.free_places),
                    }))
                })
                .collect();
            let origin = r.origin_lat.zip(r.origin_lon).map(|(lat, lon)| {
                serde_json::json!({
                    "lat": lat, "lon": lon, "label": r.origin,
                    "radius_m": r.radius_km.map(|k| k * 1000),
                })
            });
            serde_json::json!({ "origin": origin, "points": points }).to_string()
        })
        .unwrap_or_else(|| "{}".into())
        // No `<` at all inside the data block: `</script` or `<!--` in a name must not end or
        // bend it (JSON reads `\u003c` as `<`).
        .replace('<', "\\u003c");
    let chrome = Chrome::new(&node, lang, session.0.as_ref(), p.search_title).with_portal();
    let page = SearchPage {
        chrome,
        p,
        basket: basket(&headers),
        care_types: care_type_choices(lang),
        concepts: CONCEPT_TAGS
            .iter()
            .map(|t| {
                (
                    t.key,
                    match lang {
                        Lang::De => t.label_de,
                        Lang::En => t.label_en,
                    },
                )
            })
            .collect(),
        districts,
        providers,
        radii: RADIUS_CHOICES,
        has_streets: portal.streets().is_some(),
        tile_url: portal.settings.tile_url.clone(),
        tile_attribution: portal.settings.tile_attribution.clone(),
        map_json,
        query,
        input,
        result,
        errors,
        suggestions,
        lang,
    };
    render_form(&page, &page.errors)
}

/// `GET /api/portal/search`: the same search as JSON (422 with field errors).
#[utoipa::path(
    get,
    path = "/api/portal/search",
    tag = "search",
    params(SearchInput),
    responses(
        (status = 200, body = SearchResult),
        (status = 422, description = "A criterion is wrong (e.g. an address the street directory does not know)", body = crate::accounts::api::ErrorBody),
    )
)]
pub async fn api_search(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResult>, ApiError> {
    let input = SearchInput::from_query(&query.unwrap_or_default());
    let portal = portal(&node)?;
    let result = search(
        &node.store(),
        portal,
        &session.who(),
        &input,
        node.clock.today(),
    )?;
    Ok(Json(result))
}

#[derive(Template)]
#[template(path = "portal_profile.html")]
struct ProfilePage {
    chrome: Chrome,
    p: &'static PortalTexts,
    profile: PublicProfile,
    remembered: bool,
    lang: Lang,
}

impl ProfilePage {
    fn free_label(&self) -> &'static str {
        free_label(self.p, self.profile.listing.free_places)
    }

    fn offer(&self) -> String {
        offer(self.p, self.lang, &self.profile.listing)
    }

    fn place_label(&self, care_type: &str) -> &'static str {
        CareType::parse(care_type).map_or("", |c| match self.lang {
            Lang::De => c.label_de(),
            Lang::En => c.label_en(),
        })
    }

    fn concept_labels(&self) -> String {
        self.profile
            .listing
            .concept_tags
            .iter()
            .filter_map(|k| CONCEPT_TAGS.iter().find(|t| t.key == k))
            .map(|t| match self.lang {
                Lang::De => t.label_de,
                Lang::En => t.label_en,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn profile_page(
    node: &Node,
    lang: Lang,
    session: &MaybeSession,
    headers: &HeaderMap,
    profile: Result<PublicProfile, ActionError>,
) -> Result<Response, AppError> {
    let profile = profile?;
    let p = texts(lang);
    let remembered = basket(headers).contains(&profile.listing.favourite_key());
    let chrome =
        Chrome::new(node, lang, session.0.as_ref(), profile.listing.name.clone()).with_portal();
    crate::http::render(&ProfilePage {
        chrome,
        p,
        profile,
        remembered,
        lang,
    })
}

/// The listing a path names: `/…/facilities/{id}` or `/…/childminders/{id}`.
fn listing(kind: ListingKind, id: &str) -> Result<ListingId, AppError> {
    let parsed = match kind {
        ListingKind::Facility => id.parse().ok().map(ListingId::Facility),
        ListingKind::Childminder => id.parse().ok().map(ListingId::Childminder),
    };
    parsed.ok_or_else(|| AppError::NotFound(id.to_string()))
}

async fn profile_for(
    node: Arc<Node>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    id: Result<ListingId, AppError>,
) -> Result<Response, AppError> {
    let portal = portal(&node)?;
    let profile = public_profile(
        &node.store(),
        portal,
        &session.who(),
        &id?,
        node.clock.today(),
    );
    profile_page(&node, lang, &session, &headers, profile)
}

/// `GET /portal/facilities/{id}`.
pub async fn facility_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = listing(ListingKind::Facility, &id);
    profile_for(node, lang, session, headers, id).await
}

/// `GET /portal/childminders/{id}` (only childminders listed online).
pub async fn childminder_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = listing(ListingKind::Childminder, &id);
    profile_for(node, lang, session, headers, id).await
}

fn api_profile(
    node: &Node,
    session: &MaybeSession,
    id: Result<ListingId, AppError>,
) -> Result<Json<PublicProfile>, ApiError> {
    let portal = portal(node)?;
    Ok(Json(public_profile(
        &node.store(),
        portal,
        &session.who(),
        &id?,
        node.clock.today(),
    )?))
}

/// `GET /api/portal/facilities/{id}`.
#[utoipa::path(
    get,
    path = "/api/portal/facilities/{id}",
    tag = "search",
    params(("id" = String, Path)),
    responses((status = 200, body = PublicProfile), (status = 404, body = crate::accounts::api::ErrorBody))
)]
pub async fn api_facility(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    Path(id): Path<String>,
) -> Result<Json<PublicProfile>, ApiError> {
    api_profile(&node, &session, listing(ListingKind::Facility, &id))
}

/// `GET /api/portal/childminders/{id}`: a childminder listed online (district and a
/// position rounded to about 1 km, never her street).
#[utoipa::path(
    get,
    path = "/api/portal/childminders/{id}",
    tag = "search",
    params(("id" = String, Path)),
    responses((status = 200, body = PublicProfile), (status = 404, body = crate::accounts::api::ErrorBody))
)]
pub async fn api_childminder(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    Path(id): Path<String>,
) -> Result<Json<PublicProfile>, ApiError> {
    api_profile(&node, &session, listing(ListingKind::Childminder, &id))
}

#[derive(Template)]
#[template(path = "portal_favourites.html")]
struct FavouritesPage {
    chrome: Chrome,
    p: &'static PortalTexts,
    hits: Vec<SearchHit>,
    full: bool,
    lang: Lang,
}

impl FavouritesPage {
    fn free_label(&self, key: &str) -> &'static str {
        free_label(self.p, key)
    }

    fn offer(&self, hit: &SearchHit) -> String {
        offer(self.p, self.lang, hit)
    }
}

#[derive(Deserialize, Default)]
pub struct FavouritesQuery {
    #[serde(default)]
    full: Option<String>,
}

/// `GET /portal/favourites`.
pub async fn favourites_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Query(q): Query<FavouritesQuery>,
) -> Result<Response, AppError> {
    let portal = portal(&node)?;
    let hits = favourites(
        &node.store(),
        portal,
        &session.who(),
        &basket(&headers),
        node.clock.today(),
    )?;
    let p = texts(lang);
    let chrome = Chrome::new(&node, lang, session.0.as_ref(), p.favourites).with_portal();
    crate::http::render(&FavouritesPage {
        chrome,
        p,
        hits,
        full: q.full.is_some(),
        lang,
    })
}

/// A change of the basket: remember or forget one listing, then back to where it was asked.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct BasketChange {
    /// `f:<id>` or `c:<id>`.
    pub key: String,
    /// "add" or "remove".
    pub op: String,
    /// A path on this site to return to.
    pub back: String,
}

/// `POST /portal/favourites`: no login and no CSRF token (the basket is no credential and
/// holds nothing personal); a cross-site post is refused by its Origin.
pub async fn favourites_submit(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    headers: HeaderMap,
    Form(change): Form<BasketChange>,
) -> Result<Response, AppError> {
    portal(&node)?;
    crate::auth::authorize(&session.who(), crate::auth::Action::SearchPortal)?;
    crate::http::check_same_origin(&headers)?;
    if super::listing_id(&change.key).is_none() {
        return Err(AppError::BadRequest(
            "unbekannter Eintrag / unknown entry".into(),
        ));
    }
    let mut keys = basket(&headers);
    let back = Some(change.back.as_str())
        .filter(|b| {
            b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains('\\')
                && !b.chars().any(char::is_control)
        })
        .unwrap_or("/portal/favourites")
        .to_string();
    let back = match change.op.as_str() {
        "add" if keys.contains(&change.key) => back,
        "add" if keys.len() >= MAX_FAVOURITES => "/portal/favourites?full=1".to_string(),
        "add" => {
            keys.push(change.key);
            back
        }
        "remove" => {
            keys.retain(|k| *k != change.key);
            back
        }
        _ => return Err(AppError::BadRequest("op: add | remove".into())),
    };
    Ok((
        [(header::SET_COOKIE, basket_cookie(&keys))],
        Redirect::to(&back),
    )
        .into_response())
}

/// `GET /portal/streets?address=…`: street names for the address field (an htmx datalist).
pub async fn street_suggestions(
    State(node): State<Arc<Node>>,
    session: MaybeSession,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let input = SearchInput::from_query(&query.unwrap_or_default());
    let portal = portal(&node)?;
    crate::auth::authorize(&session.who(), crate::auth::Action::SearchPortal)?;
    let (street, _) = super::streets::parse_address(input.address.trim());
    let names = match portal.streets() {
        Some(s) if street.chars().count() >= 2 => s.suggest(&street, 10),
        _ => vec![],
    };
    let mut out = String::new();
    for n in names {
        out.push_str("<option value=\"");
        out.push_str(&askama_escape(&n));
        out.push_str("\"></option>");
    }
    Ok(axum::response::Html(out).into_response())
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
