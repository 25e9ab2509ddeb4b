//! Facilities (Einrichtungen). Two documents per Kita because two organisations write them:
//! the Träger writes the profile, the city writes the licence (care types, approved places).

use crate::ids::{FacilityId, ProviderId};
use crate::kinds::optional_email;
use crate::period::{Period, Timeline};
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Betreuungsart.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Reconcile,
    Hydrate,
)]
pub enum CareType {
    /// Krippe: birth to 3rd birthday
    Nursery,
    /// Kindergarten: 3rd birthday to school entry
    Kindergarten,
    /// Hort: school grades 1–4
    AfterSchool,
    /// heilpädagogische Plätze
    Remedial,
    /// Förderhort
    SupportedAfterSchool,
}

impl CareType {
    pub const ALL: [CareType; 5] = [
        CareType::Nursery,
        CareType::Kindergarten,
        CareType::AfterSchool,
        CareType::Remedial,
        CareType::SupportedAfterSchool,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareType::Nursery => "nursery",
            CareType::Kindergarten => "kindergarten",
            CareType::AfterSchool => "after-school",
            CareType::Remedial => "remedial",
            CareType::SupportedAfterSchool => "supported-after-school",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            CareType::Nursery => "Krippe",
            CareType::Kindergarten => "Kindergarten",
            CareType::AfterSchool => "Hort",
            CareType::Remedial => "Heilpädagogisch",
            CareType::SupportedAfterSchool => "Förderhort",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CareType::Nursery => "Nursery",
            CareType::Kindergarten => "Kindergarten",
            CareType::AfterSchool => "After-school care",
            CareType::Remedial => "Remedial",
            CareType::SupportedAfterSchool => "Supported after-school care",
        }
    }

    pub fn parse(s: &str) -> Option<CareType> {
        CareType::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Address {
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// WGS84, for the map; optional.
    pub lat: Option<Dec>,
    pub lon: Option<Dec>,
}

impl Address {
    pub(crate) fn check(&self, v: &mut Validator, field: &str) {
        v.text(&format!("{field}.street"), &self.street, 200);
        v.check(
            self.postcode.len() == 5 && self.postcode.bytes().all(|b| b.is_ascii_digit()),
            format!("{field}.postcode"),
            "fünfstellige Postleitzahl / five-digit postcode",
        );
        v.text(&format!("{field}.city"), &self.city, 100);
        if let Some(lat) = self.lat {
            v.check(
                lat.0.abs() <= Decimal::from(90),
                format!("{field}.lat"),
                "Breitengrad −90…90 / latitude −90…90",
            );
        }
        if let Some(lon) = self.lon {
            v.check(
                lon.0.abs() <= Decimal::from(180),
                format!("{field}.lon"),
                "Längengrad −180…180 / longitude −180…180",
            );
        }
        v.check(
            self.lat.is_some() == self.lon.is_some(),
            format!("{field}.lon"),
            "Breite und Länge nur gemeinsam / latitude and longitude together",
        );
    }
}

/// Public profile, written by the Träger (and its Kita).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FacilityProfile {
    pub id: FacilityId,
    pub provider: ProviderId,
    pub name: String,
    pub address: Address,
    /// Ortsamt / district
    pub district: String,
    /// Kostenstelle
    pub cost_centre: String,
    /// Free text shown as is ("Mo–Fr 6:30–17:00, Brückentage geschlossen"); the portal searches
    /// by `opens`/`closes`.
    pub opening_hours: String,
    pub concept: String,
    pub email: String,
    pub phone: String,
    pub lead_name: String,
    // Parents' portal (Lastenheft 3.3.1). Documents written before these fields existed lack
    // them: `missing` gives the value an old document reads as (see `portal_defaults`).
    /// Homepage, `https://…`; empty: none.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub website: String,
    /// Altersstruktur: youngest and oldest age taken, in completed months (0..=180).
    #[autosurgeon(missing = "portal_defaults::age_from")]
    #[serde(default = "portal_defaults::age_from")]
    pub age_from_months: u32,
    #[autosurgeon(missing = "portal_defaults::facility_age_to")]
    #[serde(default = "portal_defaults::facility_age_to")]
    pub age_to_months: u32,
    /// Opening and closing time on a regular weekday, `HH:MM`; both empty: not stated.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub opens: String,
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub closes: String,
    /// Keys from [`CONCEPT_TAGS`], each at most once.
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub concept_tags: Vec<String>,
    /// Zusatzbeiträge: empty means none are charged, otherwise what they are for
    /// ("Englisch 15 € im Monat").
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub extra_fees: String,
    /// Barrierefreiheit: the building is accessible.
    #[autosurgeon(missing = "portal_defaults::no")]
    #[serde(default)]
    pub accessible: bool,
    /// Integrationseinrichtung: has Integrationsplätze for children with disabilities.
    #[autosurgeon(missing = "portal_defaults::no")]
    #[serde(default)]
    pub integration: bool,
    /// Longer self-description for the portal's detail page.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub profile_text: String,
}

impl FacilityProfile {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 200);
        self.address.check(&mut v, "address");
        v.text("district", &self.district, 100);
        v.optional_text("cost_centre", &self.cost_centre, 40);
        v.optional_text("opening_hours", &self.opening_hours, 200);
        v.optional_text("concept", &self.concept, 4000);
        optional_email(&mut v, "email", &self.email);
        v.optional_text("phone", &self.phone, 40);
        v.optional_text("lead_name", &self.lead_name, 200);
        check_website(&mut v, "website", &self.website);
        check_age_range(&mut v, self.age_from_months, self.age_to_months);
        check_opening_times(&mut v, &self.opens, &self.closes);
        check_concept_tags(&mut v, &self.concept_tags);
        v.optional_text("extra_fees", &self.extra_fees, 500);
        v.optional_text("profile_text", &self.profile_text, MAX_PROFILE_TEXT);
        v.finish()
    }

    /// Opening and closing time in minutes after midnight, if stated.
    pub fn opening_minutes(&self) -> Option<(u16, u16)> {
        opening_minutes(&self.opens, &self.closes)
    }
}

/// The oldest age a portal profile may name: 15 years (Hort ends with grade 4, Förderhort later).
pub const MAX_AGE_MONTHS: u32 = 180;

/// Longest portal self-description (`profile_text`), in characters.
pub const MAX_PROFILE_TEXT: usize = 4000;

/// One pedagogical concept parents can search by (Lastenheft 3.3.1 "Konzept").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConceptTag {
    /// Persisted in `concept_tags`: never rename or remove a key, only add new ones.
    pub key: &'static str,
    pub label_de: &'static str,
    pub label_en: &'static str,
}

/// The fixed vocabulary of concept tags, in display order. At most 32 (the portal index keeps a
/// profile's tags as bits of a `u32`).
pub const CONCEPT_TAGS: &[ConceptTag] = &[
    ConceptTag {
        key: "situationsansatz",
        label_de: "Situationsansatz",
        label_en: "Situational approach",
    },
    ConceptTag {
        key: "montessori",
        label_de: "Montessori",
        label_en: "Montessori",
    },
    ConceptTag {
        key: "waldorf",
        label_de: "Waldorf",
        label_en: "Waldorf",
    },
    ConceptTag {
        key: "reggio",
        label_de: "Reggio",
        label_en: "Reggio Emilia",
    },
    ConceptTag {
        key: "natur",
        label_de: "Natur / Wald",
        label_en: "Nature / forest",
    },
    ConceptTag {
        key: "bilingual",
        label_de: "Bilingual",
        label_en: "Bilingual",
    },
    ConceptTag {
        key: "bewegung",
        label_de: "Sport / Bewegung",
        label_en: "Sport / movement",
    },
    ConceptTag {
        key: "konfessionell",
        label_de: "Konfessionell",
        label_en: "Religious",
    },
    ConceptTag {
        key: "offene-arbeit",
        label_de: "Offene Arbeit",
        label_en: "Open concept",
    },
    ConceptTag {
        key: "kneipp",
        label_de: "Kneipp",
        label_en: "Kneipp",
    },
    ConceptTag {
        key: "forschen",
        label_de: "Forschen / Naturwissenschaften",
        label_en: "Science and discovery",
    },
    ConceptTag {
        key: "partizipation",
        label_de: "Partizipation",
        label_en: "Participation",
    },
];

impl ConceptTag {
    /// The tag with this key.
    pub fn find(key: &str) -> Option<&'static ConceptTag> {
        CONCEPT_TAGS.iter().find(|t| t.key == key)
    }

    /// Position of the key in [`CONCEPT_TAGS`].
    pub fn index(key: &str) -> Option<usize> {
        CONCEPT_TAGS.iter().position(|t| t.key == key)
    }
}

/// Values a document written before the portal fields read as, and the constructors' defaults.
///
/// Why these: an old facility profile is read as taking children from birth to school entry
/// (0..=72 months, Krippe and Kindergarten, what nearly every Kita offers), an old childminder
/// profile as 0..=36 months (Kindertagespflege is for children under three), so a search by age
/// does not hide them; opening times, website, concept tags and the texts read as "not stated"
/// (empty), flags as `false` (nothing is claimed that the Träger has not said), and an old
/// childminder is not listed online until she asks to be (`listed_online = false`).
pub mod portal_defaults {
    pub fn age_from() -> u32 {
        0
    }
    pub fn facility_age_to() -> u32 {
        72
    }
    pub fn childminder_age_to() -> u32 {
        36
    }
    pub fn no() -> bool {
        false
    }
}

/// Parses a time of day `HH:MM` (two digits each, 00:00–23:59) into minutes after midnight.
pub fn parse_clock(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let h = u16::from(b[0] - b'0') * 10 + u16::from(b[1] - b'0');
    let m = u16::from(b[3] - b'0') * 10 + u16::from(b[4] - b'0');
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Both times parsed, if both are stated and valid.
pub fn opening_minutes(opens: &str, closes: &str) -> Option<(u16, u16)> {
    Some((parse_clock(opens)?, parse_clock(closes)?))
}

pub(crate) fn check_website(v: &mut Validator, field: &str, url: &str) {
    if url.is_empty() {
        return;
    }
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| h.contains('.') && !h.starts_with('.') && !h.ends_with('.'))
        && !url.contains(char::is_whitespace)
        && url.chars().count() <= 300;
    v.check(
        ok,
        field,
        "Adresse wie https://kita.example (höchstens 300 Zeichen) / address like https://kita.example (at most 300 characters)",
    );
}

pub(crate) fn check_age_range(v: &mut Validator, from: u32, to: u32) {
    v.check(
        to <= MAX_AGE_MONTHS,
        "age_to_months",
        format!("höchstens {MAX_AGE_MONTHS} Monate / at most {MAX_AGE_MONTHS} months"),
    );
    v.check(
        from <= to,
        "age_from_months",
        "Mindestalter über Höchstalter / youngest age above oldest age",
    );
}

pub(crate) fn check_opening_times(v: &mut Validator, opens: &str, closes: &str) {
    if opens.is_empty() && closes.is_empty() {
        return;
    }
    let o = parse_clock(opens);
    let c = parse_clock(closes);
    v.check(
        o.is_some(),
        "opens",
        "Uhrzeit als HH:MM, z. B. 06:30 / time as HH:MM, e.g. 06:30",
    );
    v.check(
        c.is_some(),
        "closes",
        "Uhrzeit als HH:MM, z. B. 17:00 / time as HH:MM, e.g. 17:00",
    );
    if let (Some(o), Some(c)) = (o, c) {
        v.check(
            o < c,
            "closes",
            "Schließzeit nach der Öffnungszeit / closing time after opening time",
        );
    }
}

pub(crate) fn check_concept_tags(v: &mut Validator, tags: &[String]) {
    for (i, t) in tags.iter().enumerate() {
        if ConceptTag::find(t).is_none() {
            v.fail(
                format!("concept_tags[{i}]"),
                format!("unbekanntes Konzept {t:?} / unknown concept {t:?}"),
            );
        } else if tags[..i].contains(t) {
            v.fail(
                format!("concept_tags[{i}]"),
                "Konzept doppelt / concept listed twice",
            );
        }
    }
}

/// Belegrechte: places reserved for an employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ReservedSeats {
    pub holder: String,
    pub care_type: CareType,
    pub places: u32,
    pub period: Period,
}

/// Temporary (with substitute location and reduced capacity) or permanent closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Closure {
    pub period: Period,
    pub permanent: bool,
    pub substitute_location: String,
    pub reduced_capacity: Option<u32>,
    pub reason: String,
}

/// The approved places of one care type, changing over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ApprovedPlaces {
    pub care_type: CareType,
    pub places: Timeline<u32>,
}

/// Licence data, written by the city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FacilityLicence {
    pub id: FacilityId,
    pub provider: ProviderId,
    pub operating_licence_date: Option<Date>,
    pub care_types: Vec<ApprovedPlaces>,
    pub reserved_seats: Vec<ReservedSeats>,
    pub closures: Vec<Closure>,
}

impl FacilityLicence {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            !self.care_types.is_empty(),
            "care_types",
            "mindestens eine Betreuungsart / at least one care type",
        );
        for (i, ct) in self.care_types.iter().enumerate() {
            v.check(
                !ct.places.changes.is_empty(),
                format!("care_types[{i}].places"),
                "Platzzahl fehlt / approved places missing",
            );
            for (j, c) in ct.places.changes.iter().enumerate() {
                v.check(
                    c.value <= 1000,
                    format!("care_types[{i}].places[{j}]"),
                    "höchstens 1000 Plätze / at most 1000 places",
                );
            }
            if self.care_types[..i]
                .iter()
                .any(|o| o.care_type == ct.care_type)
            {
                v.fail(
                    format!("care_types[{i}].care_type"),
                    "Betreuungsart doppelt / care type listed twice",
                );
            }
        }
        for (i, r) in self.reserved_seats.iter().enumerate() {
            v.text(&format!("reserved_seats[{i}].holder"), &r.holder, 200);
            v.check(
                r.period.is_well_formed(),
                format!("reserved_seats[{i}].period"),
                "Ende vor Beginn / end before start",
            );
            let approved = self.places_on(r.care_type, r.period.start()).unwrap_or(0);
            v.check(
                r.places <= approved,
                format!("reserved_seats[{i}].places"),
                "mehr Belegrechte als genehmigte Plätze / more reserved than approved places",
            );
        }
        for (i, c) in self.closures.iter().enumerate() {
            v.check(
                c.period.is_well_formed(),
                format!("closures[{i}].period"),
                "Ende vor Beginn / end before start",
            );
            v.check(
                !c.permanent || c.reduced_capacity.is_none(),
                format!("closures[{i}].reduced_capacity"),
                "dauerhafte Schließung ohne Restkapazität / permanent closure has no capacity",
            );
        }
        v.finish()
    }

    /// Approved places of a care type on a day.
    pub fn places_on(&self, care_type: CareType, day: Date) -> Option<u32> {
        self.care_types
            .iter()
            .find(|c| c.care_type == care_type)
            .and_then(|c| c.places.at(day).copied())
    }

    /// Approved places of all care types on a day, reduced by closures in force.
    pub fn capacity_on(&self, day: Date) -> u32 {
        let total: u32 = self
            .care_types
            .iter()
            .filter_map(|c| c.places.at(day))
            .sum();
        match self.closures.iter().find(|c| c.period.contains(day)) {
            Some(c) if c.permanent => 0,
            Some(c) => c.reduced_capacity.map_or(total, |r| r.min(total)),
            None => total,
        }
    }

    pub fn permanently_closed_on(&self, day: Date) -> bool {
        self.closures
            .iter()
            .any(|c| c.permanent && c.period.start() <= day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT};
    use autosurgeon::{hydrate_prop, reconcile_prop};

    fn address() -> Address {
        Address {
            street: "Hauptstraße 12".into(),
            postcode: "01097".into(),
            city: "Dresden".into(),
            lat: None,
            lon: None,
        }
    }

    fn profile() -> FacilityProfile {
        FacilityProfile {
            id: FacilityId("fac-1".into()),
            provider: ProviderId("prov-1".into()),
            name: "Kita Sonnenschein".into(),
            address: address(),
            district: "Neustadt".into(),
            cost_centre: String::new(),
            opening_hours: "Mo–Fr 6:30–17:00".into(),
            concept: String::new(),
            email: String::new(),
            phone: String::new(),
            lead_name: String::new(),
            website: "https://kita-sonnenschein.example".into(),
            age_from_months: 12,
            age_to_months: 72,
            opens: "06:30".into(),
            closes: "17:00".into(),
            concept_tags: vec!["montessori".into(), "natur".into()],
            extra_fees: String::new(),
            accessible: true,
            integration: false,
            profile_text: "Wir sind eine kleine Kita am Elbufer.".into(),
        }
    }

    fn failing_fields(p: &FacilityProfile) -> Vec<String> {
        match p.validate() {
            Ok(()) => vec![],
            Err(e) => e.errors.into_iter().map(|e| e.field).collect(),
        }
    }

    /// The profile as documents stored it before the portal fields existed (persisted shape).
    #[derive(Reconcile)]
    struct OldFacilityProfile {
        id: FacilityId,
        provider: ProviderId,
        name: String,
        address: Address,
        district: String,
        cost_centre: String,
        opening_hours: String,
        concept: String,
        email: String,
        phone: String,
        lead_name: String,
    }

    #[test]
    fn a_document_without_the_portal_fields_hydrates_with_the_defaults() {
        let old = OldFacilityProfile {
            id: FacilityId("fac-1".into()),
            provider: ProviderId("prov-1".into()),
            name: "Kita Alt".into(),
            address: address(),
            district: "Neustadt".into(),
            cost_centre: "55100001".into(),
            opening_hours: "6:00–17:00".into(),
            concept: "Situationsansatz".into(),
            email: String::new(),
            phone: String::new(),
            lead_name: String::new(),
        };
        let mut doc = AutoCommit::new();
        // Where `StoredDoc` keeps the value.
        reconcile_prop(&mut doc, ROOT, "value", &old).unwrap();
        let mut doc = AutoCommit::load(&doc.save()).unwrap();
        let p: FacilityProfile = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(p.name, "Kita Alt");
        assert_eq!(p.opening_hours, "6:00–17:00");
        assert_eq!((p.age_from_months, p.age_to_months), (0, 72));
        assert_eq!((p.opens.as_str(), p.closes.as_str()), ("", ""));
        assert_eq!(p.opening_minutes(), None);
        assert!(p.website.is_empty() && p.concept_tags.is_empty() && p.extra_fees.is_empty());
        assert!(!p.accessible && !p.integration);
        assert!(p.profile_text.is_empty());
        assert_eq!(p.validate(), Ok(()), "an old profile stays valid");

        // Writing the new shape back fills the fields in; reading gives what was written.
        let mut edited = p.clone();
        edited.accessible = true;
        edited.concept_tags = vec!["kneipp".into()];
        reconcile_prop(&mut doc, ROOT, "value", &edited).unwrap();
        let again: FacilityProfile = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(again, edited);
    }

    #[test]
    fn old_json_reads_with_the_same_defaults() {
        let mut json = serde_json::to_value(profile()).unwrap();
        let obj = json.as_object_mut().unwrap();
        for k in [
            "website",
            "age_from_months",
            "age_to_months",
            "opens",
            "closes",
            "concept_tags",
            "extra_fees",
            "accessible",
            "integration",
            "profile_text",
        ] {
            obj.remove(k);
        }
        let p: FacilityProfile = serde_json::from_value(json).unwrap();
        assert_eq!((p.age_from_months, p.age_to_months), (0, 72));
        assert!(p.opens.is_empty() && !p.accessible && p.concept_tags.is_empty());
    }

    #[test]
    fn a_full_portal_profile_is_valid_and_round_trips() {
        let p = profile();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.opening_minutes(), Some((390, 1020)));
        let mut doc = AutoCommit::new();
        reconcile_prop(&mut doc, ROOT, "value", &p).unwrap();
        let back: FacilityProfile = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn clock_times_are_strict_hh_mm() {
        assert_eq!(parse_clock("00:00"), Some(0));
        assert_eq!(parse_clock("06:30"), Some(390));
        assert_eq!(parse_clock("23:59"), Some(1439));
        for bad in [
            "6:30", "24:00", "12:60", "12-30", "12:3", " 12:30", "ab:cd", "",
        ] {
            assert_eq!(parse_clock(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn opening_times_both_or_neither_and_in_order() {
        let mut p = profile();
        p.opens = String::new();
        p.closes = String::new();
        assert_eq!(p.validate(), Ok(()), "not stated");
        p.opens = "06:30".into();
        assert_eq!(failing_fields(&p), vec!["closes"]);
        p.opens = "6.30".into();
        p.closes = "17:00".into();
        assert_eq!(failing_fields(&p), vec!["opens"]);
        p.opens = "17:00".into();
        assert_eq!(failing_fields(&p), vec!["closes"], "closes after opens");
        p.opens = "18:00".into();
        assert_eq!(failing_fields(&p), vec!["closes"]);
    }

    #[test]
    fn age_range_is_bounded_and_ordered() {
        let mut p = profile();
        p.age_from_months = 0;
        p.age_to_months = MAX_AGE_MONTHS;
        assert_eq!(p.validate(), Ok(()));
        p.age_to_months = MAX_AGE_MONTHS + 1;
        assert_eq!(failing_fields(&p), vec!["age_to_months"]);
        p.age_from_months = 40;
        p.age_to_months = 36;
        assert_eq!(failing_fields(&p), vec!["age_from_months"]);
        p.age_from_months = 36;
        assert_eq!(p.validate(), Ok(()), "a single age is a range");
    }

    #[test]
    fn concept_tags_come_from_the_vocabulary_once_each() {
        let mut p = profile();
        p.concept_tags = CONCEPT_TAGS.iter().map(|t| t.key.to_string()).collect();
        assert_eq!(p.validate(), Ok(()));
        p.concept_tags = vec![
            "montessori".into(),
            "Montessori".into(),
            "montessori".into(),
        ];
        assert_eq!(
            failing_fields(&p),
            vec!["concept_tags[1]", "concept_tags[2]"]
        );
    }

    #[test]
    fn the_vocabulary_has_unique_slug_keys_and_fits_a_bit_set() {
        assert!(CONCEPT_TAGS.len() <= 32);
        for (i, t) in CONCEPT_TAGS.iter().enumerate() {
            assert!(
                t.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                t.key
            );
            assert_eq!(ConceptTag::index(t.key), Some(i), "{} unique", t.key);
            assert!(!t.label_de.is_empty() && !t.label_en.is_empty());
        }
        assert_eq!(ConceptTag::find("waldorf").unwrap().label_de, "Waldorf");
        assert_eq!(ConceptTag::find("steiner"), None);
    }

    #[test]
    fn website_needs_a_scheme_and_a_host() {
        let mut p = profile();
        for ok in [
            "",
            "https://kita.example",
            "http://www.kita-dresden.de/ueber-uns?x=1",
        ] {
            p.website = ok.into();
            assert_eq!(p.validate(), Ok(()), "{ok:?}");
        }
        for bad in [
            "kita.example",
            "https://",
            "https://localhost",
            "https://kita .example",
            "ftp://kita.example",
        ] {
            p.website = bad.into();
            assert_eq!(failing_fields(&p), vec!["website"], "{bad:?}");
        }
        p.website = format!("https://kita.example/{}", "a".repeat(300));
        assert_eq!(failing_fields(&p), vec!["website"]);
    }

    #[test]
    fn texts_have_limits() {
        let mut p = profile();
        p.profile_text = "ä".repeat(MAX_PROFILE_TEXT);
        p.extra_fees = "Englischkurs 15 € im Monat".into();
        assert_eq!(p.validate(), Ok(()));
        p.profile_text.push('x');
        p.extra_fees = "x".repeat(501);
        assert_eq!(failing_fields(&p), vec!["extra_fees", "profile_text"]);
    }
}
