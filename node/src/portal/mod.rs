//! The parents' portal on the city node (Lastenheft 3.3): search without login over every
//! facility and the childminders listed online, public profiles, and a favourites basket.
//!
//! The search runs on an in-memory [`index::PortalIndex`] built from the public documents the
//! city holds; it is rebuilt when a public document arrives or changes (a per-kind write counter
//! the store keeps, read once per search), so a search never decodes documents.

pub mod http;
pub mod index;
mod queries;
pub mod register;
pub mod streets;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::config::PortalSection;
use crate::storage::{Store, StoreError};
use index::{Criteria, FreePlaces, LatLon, Listing, ListingId, PortalIndex};
use kitanetz_crdt::ids::{ChildminderId, FacilityId, ProviderId};
use kitanetz_crdt::kinds::facility::CONCEPT_TAGS;
use kitanetz_crdt::kinds::{
    CareType, ChildminderProfile, FacilityLicence, FacilityProfile, ProviderKind, ProviderProfile,
};
use kitanetz_crdt::scalar::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use streets::{CsvStreetDirectory, Location, StreetDirectory};

/// Radius choices of the search form, in kilometres.
pub const RADIUS_CHOICES: &[u32] = &[1, 2, 3, 5, 10];
/// The radius when an address is given and none chosen.
pub const DEFAULT_RADIUS_KM: u32 = 3;
/// How many listings a favourites basket keeps (five wishes, and a few to compare).
pub const MAX_FAVOURITES: usize = 10;

/// The portal of a city node: its settings, the street directory, the cached search index.
pub struct Portal {
    pub settings: PortalSection,
    streets: Option<Arc<dyn StreetDirectory>>,
    cache: Mutex<Option<(IndexKey, Arc<PublicData>)>>,
}

/// What the portal reads from the public documents, rebuilt when they change.
pub struct PublicData {
    pub index: PortalIndex,
    /// District → the childminding office (BVS-KTP) responsible for it, from the childminders'
    /// profiles.
    pub agencies: BTreeMap<String, kitanetz_crdt::ids::OrgId>,
}

/// What the cached index was built from: a write of a public document or another day
/// rebuilds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IndexKey {
    public_writes: i64,
    today: Date,
}

impl Portal {
    /// Opens the portal of the node in `data_dir`; a missing street directory is reported and
    /// the search runs without a radius.
    pub fn open(data_dir: &Path, settings: PortalSection) -> Result<Portal, String> {
        let path = data_dir.join(&settings.street_directory);
        let streets: Option<Arc<dyn StreetDirectory>> = if path.exists() {
            Some(Arc::new(
                CsvStreetDirectory::load(&path).map_err(|e| e.to_string())?,
            ))
        } else {
            tracing::warn!(path = %path.display(), "no street directory: the portal search has no radius");
            None
        };
        // The population register's streets behind the directory, when configured (a
        // configured file that is missing or broken stops the node: the check would be wrong).
        let streets = if settings.population_register.as_os_str().is_empty() {
            streets
        } else {
            let register =
                register::CsvAddressRegister::load(data_dir.join(&settings.population_register))
                    .map_err(|e| e.to_string())?;
            Some(Arc::new(register::WithRegister {
                directory: streets,
                register,
            }) as Arc<dyn StreetDirectory>)
        };
        Ok(Portal {
            settings,
            streets,
            cache: Mutex::new(None),
        })
    }

    /// The street directory, if the city has one.
    pub fn streets(&self) -> Option<&dyn StreetDirectory> {
        self.streets.as_deref()
    }

    /// The public data as of the store's current state (rebuilt only when something changed).
    pub fn public_data(&self, store: &Store, today: Date) -> Result<Arc<PublicData>, StoreError> {
        let key = IndexKey {
            public_writes: queries::public_writes(store)?,
            today,
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, index)) = cache.as_ref() {
            if *k == key {
                return Ok(index.clone());
            }
        }
        let (listings, agencies) = listings(store, today)?;
        let data = Arc::new(PublicData {
            index: PortalIndex::new(listings),
            agencies,
        });
        *cache = Some((key, data.clone()));
        Ok(data)
    }
}

/// Every listing of the portal, from the public documents this node holds, and the
/// childminding office of every district.
#[allow(clippy::type_complexity)]
pub fn listings(
    store: &Store,
    today: Date,
) -> Result<(Vec<Listing>, BTreeMap<String, kitanetz_crdt::ids::OrgId>), StoreError> {
    let providers: BTreeMap<ProviderId, ProviderProfile> = store
        .values_of_kind::<ProviderProfile>()?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let licences: BTreeMap<FacilityId, FacilityLicence> = store
        .values_of_kind::<FacilityLicence>()?
        .into_iter()
        .map(|l| (l.id.clone(), l))
        .collect();
    let month = Date(first_of_next_month(today.0));
    let free = queries::free_places(store, month)?;
    let mut out = Vec::new();
    for profile in store.values_of_kind::<FacilityProfile>()? {
        let (Some(licence), Some(provider)) =
            (licences.get(&profile.id), providers.get(&profile.provider))
        else {
            continue;
        };
        let indicator = free
            .get(&profile.id.0)
            .map_or(FreePlaces::Unknown, |&n| free_indicator(n));
        out.push(Listing::facility(
            &profile, licence, provider, today, indicator,
        ));
    }
    let mut agencies = BTreeMap::new();
    for profile in store.values_of_kind::<ChildminderProfile>()? {
        agencies.insert(profile.district.clone(), profile.agency.clone());
        if !profile.listed_online || !profile.permit.contains(today) {
            continue;
        }
        let mut listing = Listing::childminder(
            &profile,
            "Beratungs- und Vermittlungsstelle Kindertagespflege",
            FreePlaces::Unknown,
        );
        // A childminder cares for children in her home: the portal shows the district and a
        // position rounded to about a kilometre, never her street address.
        listing.address = profile.district.clone();
        listing.position = listing.position.map(|p| LatLon {
            lat: (p.lat * 100.0).round() / 100.0,
            lon: (p.lon * 100.0).round() / 100.0,
        });
        out.push(listing);
    }
    Ok((out, agencies))
}

fn first_of_next_month(d: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    chrono::NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month")
}

/// The traffic light for a number of free places (never the number itself: seat ledgers are
/// not public).
fn free_indicator(free: i64) -> FreePlaces {
    match free {
        f if f >= 3 => FreePlaces::Free,
        1 | 2 => FreePlaces::Few,
        _ => FreePlaces::Full,
    }
}

/// A search as the form and the API send it: every field optional, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchInput {
    /// Street and house number, e.g. "Bautzner Straße 12".
    pub address: String,
    /// Postcode, when the street exists in several.
    pub postcode: String,
    /// Kilometres around the address.
    pub radius: String,
    pub care_type: String,
    /// The child's birth date and the wished start: together they give the age at the start.
    pub birth_date: String,
    pub start: String,
    /// "HH:MM": open at the latest from / at least until.
    pub open_from: String,
    pub open_until: String,
    /// Concept tag keys (several allowed).
    pub concept: Vec<String>,
    pub no_extra_fees: bool,
    pub accessible: bool,
    pub integration: bool,
    pub free_only: bool,
    /// "municipal" or "free".
    pub provider_kind: String,
    pub provider: String,
    pub district: String,
    pub name: String,
    /// Facilities only, no childminders (by default both are listed).
    pub facilities_only: bool,
}

impl SearchInput {
    /// Whether the visitor asked for anything (an empty form lists every listing).
    pub fn is_empty(&self) -> bool {
        self.address.trim().is_empty() && self.name.trim().is_empty()
    }

    pub fn includes_childminders(&self) -> bool {
        !self.facilities_only
    }

    /// Reads a query string (`concept` may repeat; a checkbox is on when sent with any value
    /// but "false"); unknown keys are ignored, so a bookmarked search keeps working.
    pub fn from_query(query: &str) -> SearchInput {
        let mut input = SearchInput::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            let on = value != "false";
            match key.as_ref() {
                "address" => input.address = value,
                "postcode" => input.postcode = value,
                "radius" => input.radius = value,
                "care_type" => input.care_type = value,
                "birth_date" => input.birth_date = value,
                "start" => input.start = value,
                "open_from" => input.open_from = value,
                "open_until" => input.open_until = value,
                "concept" if !value.is_empty() => input.concept.push(value),
                "no_extra_fees" => input.no_extra_fees = on,
                "accessible" => input.accessible = on,
                "integration" => input.integration = on,
                "free_only" => input.free_only = on,
                "provider_kind" => input.provider_kind = value,
                "provider" => input.provider = value,
                "district" => input.district = value,
                "name" => input.name = value,
                "facilities_only" => input.facilities_only = on,
                _ => {}
            }
        }
        input
    }
}

/// One result row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub id: String,
    /// "facility" or "childminder".
    pub kind: &'static str,
    pub name: String,
    pub provider_name: String,
    pub district: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub distance_m: Option<u32>,
    pub care_types: Vec<&'static str>,
    pub capacity: u32,
    /// "free", "few", "full" or "unknown".
    pub free_places: &'static str,
    pub age_from_months: u32,
    pub age_to_months: u32,
    pub opening: Option<String>,
    pub concept_tags: Vec<String>,
    pub extra_fees: bool,
    pub accessible: bool,
    pub integration: bool,
    pub website: String,
}

impl SearchHit {
    fn of(listing: &Listing, distance_m: Option<f64>) -> SearchHit {
        let (id, kind) = match &listing.id {
            ListingId::Facility(f) => (f.0.clone(), "facility"),
            ListingId::Childminder(c) => (c.0.clone(), "childminder"),
        };
        SearchHit {
            id,
            kind,
            name: listing.name.clone(),
            provider_name: listing.provider_name.clone(),
            district: listing.district.clone(),
            address: listing.address.clone(),
            lat: listing.position.map(|p| p.lat),
            lon: listing.position.map(|p| p.lon),
            distance_m: distance_m.map(|d| d.round() as u32),
            care_types: listing.care_types.iter().map(|c| c.as_str()).collect(),
            capacity: listing.capacity,
            free_places: free_key(listing.free_places),
            age_from_months: listing.age_from_months,
            age_to_months: listing.age_to_months,
            opening: listing
                .opening
                .map(|(o, c)| format!("{} – {}", clock(o), clock(c))),
            concept_tags: listing.concept_tags.clone(),
            extra_fees: listing.extra_fees,
            accessible: listing.accessible,
            integration: listing.integration,
            website: listing.website.clone(),
        }
    }

    /// The key under which the favourites basket keeps this listing.
    pub fn favourite_key(&self) -> String {
        favourite_key(self.kind, &self.id)
    }

    /// The public profile page.
    pub fn href(&self) -> String {
        match self.kind {
            "facility" => format!("/portal/facilities/{}", self.id),
            _ => format!("/portal/childminders/{}", self.id),
        }
    }

    /// Distance for people: "850 m", "2,4 km".
    pub fn distance_text(&self) -> String {
        match self.distance_m {
            None => String::new(),
            Some(m) if m < 1000 => format!("{m} m"),
            Some(m) => format!("{:.1} km", m as f64 / 1000.0).replace('.', ","),
        }
    }

    pub fn age_text(&self) -> String {
        age_range_text(self.age_from_months, self.age_to_months)
    }
}

fn free_key(f: FreePlaces) -> &'static str {
    match f {
        FreePlaces::Free => "free",
        FreePlaces::Few => "few",
        FreePlaces::Full => "full",
        FreePlaces::Unknown => "unknown",
    }
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// An age range for people: "1 – 6 J." in whole years, else "0 – 2 J. 10 M.".
pub fn age_range_text(from: u32, to: u32) -> String {
    if from.is_multiple_of(12) && to.is_multiple_of(12) {
        return format!("{} – {} J.", from / 12, to / 12);
    }
    let part = |m: u32| match m % 12 {
        0 => format!("{} J.", m / 12),
        months if m < 12 => format!("{months} M."),
        months => format!("{} J. {} M.", m / 12, months),
    };
    format!("{} – {}", part(from), part(to))
}

/// The basket key of a listing: `f:<facility id>` or `c:<childminder id>`.
pub fn favourite_key(kind: &str, id: &str) -> String {
    match kind {
        "facility" => format!("f:{id}"),
        _ => format!("c:{id}"),
    }
}

/// What a search found, with the criteria as understood.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// The address the radius is measured from, as the street directory knows it.
    pub origin: Option<String>,
    /// Its position (WGS84).
    pub origin_lat: Option<f64>,
    pub origin_lon: Option<f64>,
    pub radius_km: Option<u32>,
    /// Street names like the one typed, when the address was not found.
    pub suggestions: Vec<String>,
}

/// Parses the input into criteria, resolving the address in the street directory. Every
/// problem is a field error.
fn criteria(
    input: &SearchInput,
    portal: &Portal,
) -> Result<(Criteria, Option<Location>, Vec<String>), kitanetz_crdt::ValidationError> {
    let mut v = kitanetz_crdt::Validator::new();
    let mut c = Criteria {
        include_childminders: input.includes_childminders(),
        no_extra_fees: input.no_extra_fees,
        accessible: input.accessible,
        integration: input.integration,
        free_places_only: input.free_only,
        ..Criteria::default()
    };
    let mut origin = None;
    let mut suggestions = Vec::new();
    let address = input.address.trim();
    if !address.is_empty() {
        match portal.streets() {
            None => v.fail(
                "address",
                "Die Umkreissuche ist hier nicht eingerichtet / the radius search is not set up here",
            ),
            Some(streets) => {
                let (street, number) = streets::parse_address(address);
                let postcode = Some(input.postcode.trim()).filter(|p| !p.is_empty());
                match streets.locate(&street, &number, postcode) {
                    Some(location) => {
                        let radius = match input.radius.trim() {
                            "" => Some(DEFAULT_RADIUS_KM),
                            r => r.parse::<u32>().ok().filter(|r| (1..=50).contains(r)),
                        };
                        v.check(
                            radius.is_some(),
                            "radius",
                            "Umkreis in Kilometern (1–50) / radius in kilometres (1–50)",
                        );
                        let (lat, lon) = location.lat_lon();
                        c.origin = Some(LatLon { lat, lon });
                        c.radius_km = radius.map(f64::from);
                        origin = Some(location);
                    }
                    None => {
                        let several = streets.postcodes(&street);
                        if several.len() > 1 && postcode.is_none() {
                            v.fail(
                                "postcode",
                                format!(
                                    "Die Straße gibt es in mehreren Postleitzahlen ({}): bitte angeben / the street exists in several postcodes: please give one",
                                    several.join(", ")
                                ),
                            );
                        } else {
                            v.fail(
                                "address",
                                "Adresse nicht im Straßenverzeichnis gefunden: Straße und Hausnummer prüfen / address not found in the street directory: check street and house number",
                            );
                        }
                        suggestions = streets.suggest(&street, 8);
                    }
                }
            }
        }
    }
    if !input.care_type.trim().is_empty() {
        c.care_type = CareType::parse(input.care_type.trim());
        v.check(
            c.care_type.is_some(),
            "care_type",
            "Betreuungsart wählen / choose a care type",
        );
    }
    let birth = optional_date(&mut v, "birth_date", &input.birth_date);
    let start = optional_date(&mut v, "start", &input.start);
    match (birth, start) {
        (Some(b), Some(s)) if b <= s => c.child_age_months = Some(completed_months(b, s)),
        (Some(_), Some(_)) => v.fail(
            "start",
            "Betreuungsbeginn vor der Geburt / start before the birth date",
        ),
        (Some(_), None) => v.fail(
            "start",
            "Für das Alter bei Betreuungsbeginn auch den Beginn angeben / give the start too",
        ),
        _ => {}
    }
    c.open_from = optional_clock(&mut v, "open_from", &input.open_from);
    c.open_until = optional_clock(&mut v, "open_until", &input.open_until);
    for tag in &input.concept {
        v.check(
            CONCEPT_TAGS.iter().any(|t| t.key == tag),
            "concept",
            "unbekanntes Konzept / unknown concept",
        );
    }
    c.concept_tags = input.concept.clone();
    c.provider_kind = match input.provider_kind.trim() {
        "" => None,
        "municipal" => Some(ProviderKind::Municipal),
        "free" => Some(ProviderKind::Free),
        _ => {
            v.fail("provider_kind", "kommunal oder frei / municipal or free");
            None
        }
    };
    let provider = input.provider.trim();
    c.provider = (!provider.is_empty()).then(|| ProviderId(provider.to_string()));
    let district = input.district.trim();
    c.district = (!district.is_empty()).then(|| district.to_string());
    let name = input.name.trim();
    v.check(
        name.chars().count() <= 100,
        "name",
        "höchstens 100 Zeichen / at most 100 characters",
    );
    c.name = (!name.is_empty()).then(|| name.to_string());
    v.finish()?;
    Ok((c, origin, suggestions))
}

fn optional_date(v: &mut kitanetz_crdt::Validator, field: &str, value: &str) -> Option<Date> {
    if value.trim().is_empty() {
        None
    } else {
        v.date(field, value)
    }
}

fn optional_clock(v: &mut kitanetz_crdt::Validator, field: &str, value: &str) -> Option<u16> {
    if value.trim().is_empty() {
        return None;
    }
    let parsed = kitanetz_crdt::kinds::facility::parse_clock(value.trim());
    v.check(
        parsed.is_some(),
        field,
        "Uhrzeit wie 07:30 / a time such as 07:30",
    );
    parsed
}

/// Completed months from `birth` to `start` (the age the Lastenheft's age structure means).
pub fn completed_months(birth: Date, start: Date) -> u32 {
    use chrono::Datelike;
    let (b, s) = (birth.0, start.0);
    let mut months = (s.year() - b.year()) * 12 + s.month() as i32 - b.month() as i32;
    if s.day() < b.day() {
        months -= 1;
    }
    months.max(0) as u32
}

/// The search (everyone may search, logged in or not). Bad input: field errors, nothing found.
pub fn search(
    store: &Store,
    portal: &Portal,
    who: &Principal,
    input: &SearchInput,
    today: Date,
) -> Result<SearchResult, ActionError> {
    authorize(who, Action::SearchPortal)?;
    let (criteria, origin, suggestions) = match criteria(input, portal) {
        Ok(parsed) => parsed,
        Err(mut e) => {
            // Keep the suggestions for the form: they help more than the message alone.
            if let Some(streets) = portal.streets() {
                let (street, _) = streets::parse_address(input.address.trim());
                let suggestions = streets.suggest(&street, 8);
                if !suggestions.is_empty() {
                    e.errors.push(kitanetz_crdt::validate::FieldError {
                        field: "suggestions".into(),
                        message: suggestions.join("\n"),
                    });
                }
            }
            return Err(e.into());
        }
    };
    let data = portal.public_data(store, today)?;
    let hits = data
        .index
        .search(&criteria)
        .into_iter()
        .map(|h| SearchHit::of(h.listing, h.distance_m))
        .collect();
    Ok(SearchResult {
        hits,
        origin_lat: criteria.origin.map(|o| o.lat),
        origin_lon: criteria.origin.map(|o| o.lon),
        origin: origin.map(|l| {
            format!(
                "{} {}, {} ({})",
                l.street, l.house_number, l.postcode, l.district
            )
        }),
        radius_km: criteria.radius_km.map(|r| r as u32),
        suggestions,
    })
}

/// The listings in a favourites basket, in the basket's order (unknown keys skipped).
pub fn favourites(
    store: &Store,
    portal: &Portal,
    who: &Principal,
    keys: &[String],
    today: Date,
) -> Result<Vec<SearchHit>, ActionError> {
    authorize(who, Action::SearchPortal)?;
    let data = portal.public_data(store, today)?;
    Ok(keys
        .iter()
        .filter_map(|k| listing_id(k))
        .filter_map(|id| data.index.get(&id).map(|l| SearchHit::of(l, None)))
        .collect())
}

/// The listing id a basket key names.
pub fn listing_id(key: &str) -> Option<ListingId> {
    match key.split_once(':')? {
        ("f", id) => id.parse::<FacilityId>().ok().map(ListingId::Facility),
        ("c", id) => id.parse::<ChildminderId>().ok().map(ListingId::Childminder),
        _ => None,
    }
}

/// A public profile: the listing and the texts the Kita or childminder wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicProfile {
    pub listing: SearchHit,
    pub concept: String,
    pub profile_text: String,
    pub extra_fees_text: String,
    pub opening_hours_text: String,
    pub email: String,
    pub phone: String,
    /// Care types with approved places today: (label key, places).
    #[schema(value_type = Vec<Vec<Object>>)]
    pub places: Vec<(&'static str, u32)>,
}

/// A facility's profile texts around its listing.
fn facility_profile(
    store: &Store,
    id: &FacilityId,
    listing: SearchHit,
    today: Date,
) -> Result<PublicProfile, ActionError> {
    let (_, profile) = store.get::<FacilityProfile>(&crate::facilities::profile_doc_id(id))?;
    let places = match store.get::<FacilityLicence>(&crate::facilities::licence_doc_id(id)) {
        Ok((_, l)) => l
            .care_types
            .iter()
            .filter_map(|c| {
                c.places
                    .at(today)
                    .filter(|&&p| p > 0)
                    .map(|&p| (c.care_type.as_str(), p))
            })
            .collect(),
        Err(StoreError::NotFound(_)) => vec![],
        Err(e) => return Err(e.into()),
    };
    Ok(PublicProfile {
        listing,
        concept: profile.concept,
        profile_text: profile.profile_text,
        extra_fees_text: profile.extra_fees,
        opening_hours_text: profile.opening_hours,
        email: profile.email,
        phone: profile.phone,
        places,
    })
}

/// A childminder's profile texts around her listing.
fn childminder_profile(
    store: &Store,
    id: &ChildminderId,
    listing: SearchHit,
) -> Result<PublicProfile, ActionError> {
    let profile =
        queries::childminder(store, id)?.ok_or_else(|| ActionError::NotFound(id.0.clone()))?;
    Ok(PublicProfile {
        listing,
        concept: String::new(),
        profile_text: profile.profile_text,
        extra_fees_text: String::new(),
        opening_hours_text: String::new(),
        email: profile.email,
        phone: profile.phone,
        places: vec![],
    })
}

/// What the search form offers to choose from.
pub struct Choices {
    /// Ortsämter, sorted.
    pub districts: Vec<String>,
    /// Träger as (id, name), sorted by name.
    pub providers: Vec<(String, String)>,
}

/// The public profile of a listing (anyone may read it; a childminder only when she is listed
/// online, as the index holds only those).
pub fn public_profile(
    store: &Store,
    portal: &Portal,
    who: &Principal,
    id: &ListingId,
    today: Date,
) -> Result<PublicProfile, ActionError> {
    authorize(who, Action::SearchPortal)?;
    let data = portal.public_data(store, today)?;
    let listing = data
        .index
        .get(id)
        .map(|l| SearchHit::of(l, None))
        .ok_or_else(|| {
            ActionError::NotFound(match id {
                ListingId::Facility(f) => f.0.clone(),
                ListingId::Childminder(c) => c.0.clone(),
            })
        })?;
    match id {
        ListingId::Facility(f) => facility_profile(store, f, listing, today),
        ListingId::Childminder(c) => childminder_profile(store, c, listing),
    }
}

/// Districts (Ortsämter) and Träger for the search form's choices.
pub fn choices(store: &Store, portal: &Portal, today: Date) -> Result<Choices, StoreError> {
    let data = portal.public_data(store, today)?;
    let index = &data.index;
    let mut districts: Vec<String> = index.listings().map(|l| l.district.clone()).collect();
    districts.sort();
    districts.dedup();
    let mut providers: Vec<(String, String)> = index
        .listings()
        .filter_map(|l| {
            l.provider
                .as_ref()
                .map(|p| (p.0.clone(), l.provider_name.clone()))
        })
        .collect();
    providers.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    providers.dedup();
    Ok(Choices {
        districts,
        providers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_months_count_the_day() {
        let m = |b: (i32, u32, u32), s: (i32, u32, u32)| {
            completed_months(Date::ymd(b.0, b.1, b.2), Date::ymd(s.0, s.1, s.2))
        };
        assert_eq!(m((2025, 3, 15), (2026, 3, 1)), 11);
        assert_eq!(m((2025, 3, 15), (2026, 3, 15)), 12);
        assert_eq!(m((2025, 3, 1), (2026, 8, 1)), 17);
        assert_eq!(m((2026, 1, 1), (2026, 1, 1)), 0);
    }

    #[test]
    fn the_free_place_light_never_shows_a_count() {
        assert_eq!(free_indicator(0), FreePlaces::Full);
        assert_eq!(free_indicator(-2), FreePlaces::Full);
        assert_eq!(free_indicator(2), FreePlaces::Few);
        assert_eq!(free_indicator(3), FreePlaces::Free);
    }

    #[test]
    fn basket_keys_name_a_kind_and_an_id() {
        assert!(matches!(
            listing_id("f:fac-1"),
            Some(ListingId::Facility(_))
        ));
        assert!(matches!(
            listing_id("c:tpp-1"),
            Some(ListingId::Childminder(_))
        ));
        assert_eq!(listing_id("x:fac-1"), None);
        assert_eq!(listing_id("fac-1"), None);
    }

    #[test]
    fn a_query_may_repeat_concepts_and_ignores_unknown_keys() {
        let input = SearchInput::from_query(
            "address=Bautzner+Stra%C3%9Fe+12&concept=montessori&concept=natur&accessible=true&utm=x&facilities_only=false",
        );
        assert_eq!(input.address, "Bautzner Straße 12");
        assert_eq!(input.concept, vec!["montessori", "natur"]);
        assert!(input.accessible);
        assert!(!input.facilities_only);
        assert!(input.includes_childminders());
    }

    #[test]
    fn age_ranges_read_in_years() {
        assert_eq!(age_range_text(12, 72), "1 – 6 J.");
        assert_eq!(age_range_text(0, 34), "0 J. – 2 J. 10 M.");
        assert_eq!(age_range_text(6, 84), "6 M. – 7 J.");
    }
}
