//! The parents' portal search (Lastenheft 3.3.1): every facility of the city, and the
//! childminders who asked to be listed online, searchable by any combination of the
//! Lastenheft's criteria. Pure and in memory: the node builds a [`PortalIndex`] from the public
//! documents it holds and swaps it when they change; a search reads it without locks or I/O.
//!
//! Why in memory and not SQL: Dresden has about 340 facilities and 340 childminders; the whole
//! index is a few hundred kilobytes and a search is a scan of 700 entries with precomputed
//! lower-case names, tag bits and radians (no allocation per entry), well under 0.1 ms, so
//! thousands of searches per second on one core; the distance filter needs trigonometry that
//! SQLite does not have anyway.

use kitanetz_crdt::ids::{ChildminderId, FacilityId, ProviderId};
use kitanetz_crdt::kinds::facility::{ConceptTag, CONCEPT_TAGS};
use kitanetz_crdt::kinds::{
    Address, CareType, ChildminderProfile, FacilityLicence, FacilityProfile, ProviderKind,
    ProviderProfile,
};
use kitanetz_crdt::scalar::Date;
use rust_decimal::prelude::ToPrimitive;

/// Mean earth radius (IUGG), for the haversine distance.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// What a listing is: a facility or a childminder (Kindertagespflege).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListingId {
    Facility(FacilityId),
    Childminder(ChildminderId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingKind {
    Facility,
    Childminder,
}

impl ListingId {
    pub fn kind(&self) -> ListingKind {
        match self {
            ListingId::Facility(_) => ListingKind::Facility,
            ListingId::Childminder(_) => ListingKind::Childminder,
        }
    }
}

/// How many places are free for a new child: shown as a traffic light, never as a count
/// (the seat ledger's numbers are not public).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FreePlaces {
    Free,
    Few,
    /// No free place (the Lastenheft's "keine").
    Full,
    /// Not known (no seat data reaches this node for the listing).
    Unknown,
}

/// A position in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    /// From an address's stored coordinates, if it has them.
    pub fn of(address: &Address) -> Option<LatLon> {
        Some(LatLon {
            lat: address.lat?.0.to_f64()?,
            lon: address.lon?.0.to_f64()?,
        })
    }
}

/// One searchable entry, built by the node from public documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub id: ListingId,
    pub name: String,
    /// The Träger; `None` for a childminder (self-employed, no Träger).
    pub provider: Option<ProviderId>,
    /// The Träger's name, or for a childminder the BVS-KTP office that places with her.
    pub provider_name: String,
    pub provider_kind: Option<ProviderKind>,
    /// Ortsamt / Ortschaft.
    pub district: String,
    /// Stadtteil; empty when not known.
    pub quarter: String,
    /// For display: "Hauptstraße 12, 01097 Dresden".
    pub address: String,
    pub position: Option<LatLon>,
    /// Care types with approved places today (empty for a childminder).
    pub care_types: Vec<CareType>,
    /// Approved places today (facility, after closures) or the childminder's places.
    pub capacity: u32,
    pub free_places: FreePlaces,
    pub age_from_months: u32,
    pub age_to_months: u32,
    /// Opening and closing time in minutes after midnight, if stated.
    pub opening: Option<(u16, u16)>,
    /// Keys of [`CONCEPT_TAGS`].
    pub concept_tags: Vec<String>,
    pub extra_fees: bool,
    pub accessible: bool,
    pub integration: bool,
    pub website: String,
}

fn display_address(a: &Address) -> String {
    format!("{}, {} {}", a.street, a.postcode, a.city)
}

impl Listing {
    /// A facility's listing from its profile, licence and Träger, with `today`'s approved places.
    pub fn facility(
        profile: &FacilityProfile,
        licence: &FacilityLicence,
        provider: &ProviderProfile,
        today: Date,
        free_places: FreePlaces,
    ) -> Listing {
        Listing {
            id: ListingId::Facility(profile.id.clone()),
            name: profile.name.clone(),
            provider: Some(provider.id.clone()),
            provider_name: provider.name.clone(),
            provider_kind: Some(provider.kind),
            district: profile.district.clone(),
            quarter: String::new(),
            address: display_address(&profile.address),
            position: LatLon::of(&profile.address),
            care_types: licence
                .care_types
                .iter()
                .filter(|c| c.places.at(today).is_some_and(|&p| p > 0))
                .map(|c| c.care_type)
                .collect(),
            capacity: licence.capacity_on(today),
            free_places,
            age_from_months: profile.age_from_months,
            age_to_months: profile.age_to_months,
            opening: profile.opening_minutes(),
            concept_tags: profile.concept_tags.clone(),
            extra_fees: !profile.extra_fees.trim().is_empty(),
            accessible: profile.accessible,
            integration: profile.integration,
            website: profile.website.clone(),
        }
    }

    /// A childminder's listing. The caller lists only those with `listed_online`.
    pub fn childminder(
        profile: &ChildminderProfile,
        agency_name: &str,
        free_places: FreePlaces,
    ) -> Listing {
        Listing {
            id: ListingId::Childminder(profile.id.clone()),
            name: profile.name.clone(),
            provider: None,
            provider_name: agency_name.to_string(),
            provider_kind: None,
            district: profile.district.clone(),
            quarter: String::new(),
            address: display_address(&profile.address),
            position: LatLon::of(&profile.address),
            care_types: Vec::new(),
            capacity: profile.places,
            free_places,
            age_from_months: profile.age_from_months,
            age_to_months: profile.age_to_months,
            opening: profile.opening_minutes(),
            concept_tags: profile.concept_tags.clone(),
            extra_fees: false,
            accessible: false,
            integration: false,
            website: profile.website.clone(),
        }
    }
}

/// A search. Every criterion is optional (`None`, `false` or empty: not applied) and all
/// combine with AND (Lastenheft: "beliebig kombinierbar").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    /// Home or workplace (from the street directory): results carry their distance from it and
    /// are sorted by it.
    pub origin: Option<LatLon>,
    /// Umkreissuche: only listings within this many kilometres of `origin` (ignored without an
    /// origin; listings without a position never match).
    pub radius_km: Option<f64>,
    /// Krippe, Kindergarten, …: a facility offering it. Childminders (no care types of their
    /// own) when the ages they take reach into the care type's ages ([`care_ages`]).
    pub care_type: Option<CareType>,
    /// The child's age in completed months at the wished start (Altersstruktur).
    pub child_age_months: Option<u32>,
    /// Open at the latest from this time (minutes after midnight): opens at or before it.
    pub open_from: Option<u16>,
    /// Open at least until this time: closes at or after it.
    pub open_until: Option<u16>,
    /// Concept tags the listing must all have (keys of [`CONCEPT_TAGS`]); an unknown key
    /// matches nothing.
    pub concept_tags: Vec<String>,
    /// Only listings charging no Zusatzbeiträge.
    pub no_extra_fees: bool,
    /// At least this many places (Kapazität).
    pub min_capacity: Option<u32>,
    /// Only barrier-free listings.
    pub accessible: bool,
    /// Only Integrationseinrichtungen.
    pub integration: bool,
    /// A particular Träger (childminders never match).
    pub provider: Option<ProviderId>,
    /// Municipal or free Träger (childminders never match).
    pub provider_kind: Option<ProviderKind>,
    /// Ortsamt, case-insensitive.
    pub district: Option<String>,
    /// Stadtteil, case-insensitive.
    pub quarter: Option<String>,
    /// Part of the name, case-insensitive.
    pub name: Option<String>,
    /// Also list childminders (those listed online).
    pub include_childminders: bool,
    /// Only listings with free places (free or few).
    pub free_places_only: bool,
}

/// One result: the listing and, when the search had an origin, its distance in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'a> {
    pub listing: &'a Listing,
    pub distance_m: Option<f64>,
}

/// Search data precomputed per listing, so that the scan does no allocation.
#[derive(Debug)]
struct Entry {
    listing: Listing,
    name_lower: String,
    district_lower: String,
    quarter_lower: String,
    tags: u32,
    care_types: u8,
    /// Latitude and longitude in radians and the cosine of the latitude.
    position: Option<(f64, f64, f64)>,
}

/// All listings, sorted by name, ready to be searched.
#[derive(Debug, Default)]
pub struct PortalIndex {
    entries: Vec<Entry>,
}

/// The ages (completed months, from inclusive, until exclusive) a care type is for: Krippe
/// until the third birthday, Kindergarten until school (at the latest 7), Hort in school; a
/// heilpädagogische place at any age.
pub fn care_ages(c: CareType) -> (u32, u32) {
    match c {
        CareType::Nursery => (0, 36),
        CareType::Kindergarten => (36, 84),
        CareType::AfterSchool => (72, 168),
        _ => (0, 168),
    }
}

/// Whether a childminder taking children from `from` to `to` months (inclusive) serves a care
/// type.
fn childminder_serves(l: &Listing, c: CareType) -> bool {
    let (lo, hi) = care_ages(c);
    l.age_to_months > lo && l.age_from_months < hi
}

fn care_bit(c: CareType) -> u8 {
    1 << CareType::ALL
        .iter()
        .position(|&t| t == c)
        .expect("every care type is in ALL")
}

fn tag_bit(key: &str) -> Option<u32> {
    ConceptTag::index(key).map(|i| 1 << i)
}

/// Lower case with umlauts folded, for case-insensitive matching and German alphabetical order
/// (ä sorts with a, ß as ss).
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

fn radians(p: LatLon) -> (f64, f64, f64) {
    let lat = p.lat.to_radians();
    (lat, p.lon.to_radians(), lat.cos())
}

/// Haversine distance in metres between two precomputed positions.
fn distance_m(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let dlat = (b.0 - a.0) / 2.0;
    let dlon = (b.1 - a.1) / 2.0;
    let h = dlat.sin().powi(2) + a.2 * b.2 * dlon.sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Distance in metres between two positions (haversine).
pub fn distance_between(a: LatLon, b: LatLon) -> f64 {
    distance_m(radians(a), radians(b))
}

impl PortalIndex {
    pub fn new(listings: Vec<Listing>) -> PortalIndex {
        let mut entries: Vec<Entry> = listings
            .into_iter()
            .map(|l| Entry {
                name_lower: fold(&l.name),
                district_lower: fold(&l.district),
                quarter_lower: fold(&l.quarter),
                tags: l
                    .concept_tags
                    .iter()
                    .filter_map(|t| tag_bit(t))
                    .fold(0, |a, b| a | b),
                care_types: l.care_types.iter().fold(0, |a, &c| a | care_bit(c)),
                position: l.position.map(radians),
                listing: l,
            })
            .collect();
        // Sorted once here, so a search without origin returns matches in order as scanned and
        // one with origin needs only a stable sort by distance.
        entries.sort_by(|a, b| {
            a.name_lower
                .cmp(&b.name_lower)
                .then_with(|| a.listing.name.cmp(&b.listing.name))
        });
        PortalIndex { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every listing, by name.
    pub fn listings(&self) -> impl Iterator<Item = &Listing> {
        self.entries.iter().map(|e| &e.listing)
    }

    /// The listing with this id (detail page).
    pub fn get(&self, id: &ListingId) -> Option<&Listing> {
        self.listings().find(|l| &l.id == id)
    }

    /// The listings matching every criterion given: by distance then name when the criteria
    /// have an origin, else by name.
    pub fn search(&self, c: &Criteria) -> Vec<Hit<'_>> {
        // Everything derived from the criteria is computed once, before the scan.
        let mut wanted_tags = 0u32;
        for t in &c.concept_tags {
            match tag_bit(t) {
                Some(bit) => wanted_tags |= bit,
                None => return Vec::new(),
            }
        }
        let care = c.care_type.map(care_bit);
        let name = c.name.as_deref().map(fold).filter(|n| !n.is_empty());
        let district = c.district.as_deref().map(fold).filter(|d| !d.is_empty());
        let quarter = c.quarter.as_deref().map(fold).filter(|q| !q.is_empty());
        let origin = c.origin.map(radians);
        let radius_m = match (origin, c.radius_km) {
            (Some(_), Some(km)) => Some(km * 1000.0),
            _ => None,
        };

        let mut hits: Vec<Hit<'_>> = Vec::new();
        for e in &self.entries {
            let l = &e.listing;
            let facility = matches!(l.id, ListingId::Facility(_));
            if !facility && !c.include_childminders {
                continue;
            }
            if let Some(bit) = care {
                if facility && e.care_types & bit == 0 {
                    continue;
                }
                if !facility && !c.care_type.is_some_and(|t| childminder_serves(l, t)) {
                    continue;
                }
            }
            if let Some(age) = c.child_age_months {
                if age < l.age_from_months || age > l.age_to_months {
                    continue;
                }
            }
            if c.open_from.is_some() || c.open_until.is_some() {
                let Some((opens, closes)) = l.opening else {
                    continue;
                };
                if c.open_from.is_some_and(|t| opens > t)
                    || c.open_until.is_some_and(|t| closes < t)
                {
                    continue;
                }
            }
            if e.tags & wanted_tags != wanted_tags
                || (c.no_extra_fees && l.extra_fees)
                || c.min_capacity.is_some_and(|m| l.capacity < m)
                || (c.accessible && !l.accessible)
                || (c.integration && !l.integration)
                || (c.free_places_only
                    && !matches!(l.free_places, FreePlaces::Free | FreePlaces::Few))
            {
                continue;
            }
            if c.provider
                .as_ref()
                .is_some_and(|p| l.provider.as_ref() != Some(p))
                || c.provider_kind.is_some_and(|k| l.provider_kind != Some(k))
            {
                continue;
            }
            if district.as_ref().is_some_and(|d| &e.district_lower != d)
                || quarter.as_ref().is_some_and(|q| &e.quarter_lower != q)
                || name
                    .as_ref()
                    .is_some_and(|n| !e.name_lower.contains(n.as_str()))
            {
                continue;
            }
            let distance = match (origin, e.position) {
                (Some(o), Some(p)) => Some(distance_m(o, p)),
                _ => None,
            };
            if let Some(max) = radius_m {
                if !distance.is_some_and(|d| d <= max) {
                    continue;
                }
            }
            hits.push(Hit {
                listing: l,
                distance_m: distance,
            });
        }
        if origin.is_some() {
            // Stable: equal distances keep the name order; listings without a position last.
            hits.sort_by(|a, b| match (a.distance_m, b.distance_m) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        hits
    }
}

/// German labels of the concept tags a listing has, in vocabulary order (for the result table).
pub fn concept_labels(listing: &Listing) -> Vec<&'static str> {
    CONCEPT_TAGS
        .iter()
        .filter(|t| listing.concept_tags.iter().any(|k| k == t.key))
        .map(|t| t.label_de)
        .collect()
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
