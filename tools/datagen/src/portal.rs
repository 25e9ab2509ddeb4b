//! What the parents' portal shows and searches by (Lastenheft 3.3.1): homepage, age range,
//! opening times, concept tags, extra fees, accessibility, Integrationseinrichtung, a longer
//! self-description, and for childminders whether they asked to be listed online.
//!
//! Filled in by its own random stream after everything else is generated, so that these fields
//! can change without changing a single family or contract of a world.

use crate::names::pick;
use crate::places;
use crate::providers::{FacilityKind, Plan};
use kitanetz_crdt::kinds::facility::ConceptTag;
use kitanetz_crdt::kinds::{ChildminderProfile, FacilityProfile, ProviderProfile};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Concept tags implied by the start of a generated concept text (`names::CONCEPTS`,
/// `names::AFTER_SCHOOL_CONCEPTS`).
const TAGS_OF_CONCEPT: &[(&str, &[&str])] = &[
    ("Situationsansatz", &["situationsansatz"]),
    ("Montessori", &["montessori"]),
    ("Reggio", &["reggio"]),
    ("Waldkita", &["natur"]),
    ("Offene Arbeit", &["offene-arbeit"]),
    ("Bilinguale", &["bilingual"]),
    ("Kneipp", &["kneipp"]),
    ("Religionspädagogisches", &["konfessionell"]),
    ("Naturwissenschaftliches", &["forschen"]),
    ("Bewegungskita", &["bewegung"]),
    ("Waldorf", &["waldorf"]),
    ("Offener Hort", &["offene-arbeit"]),
    ("Ganztagsangebot", &["bewegung", "natur"]),
    ("Partizipation", &["partizipation"]),
];

/// Tags a facility often has besides its main concept.
const SECONDARY_TAGS: &[&str] = &[
    "bewegung",
    "natur",
    "forschen",
    "partizipation",
    "kneipp",
    "situationsansatz",
];

const EXTRA_FEES: &[&str] = &[
    "Englisch-Frühförderung: 15 € im Monat",
    "Musikalische Früherziehung: 12 € im Monat",
    "Schwimmkurs im Vorschuljahr: 40 € im Halbjahr",
    "Bio-Verpflegung: Aufpreis 1,50 € am Tag",
    "Ausflüge und Theaterbesuche: 10 € im Monat",
    "Vereinsbeitrag der Elterninitiative: 8 € im Monat",
];

/// Fills the portal fields of every facility of the plan.
pub(crate) fn fill_facilities(rng: &mut ChaCha8Rng, plan: &mut Plan) {
    for (i, set) in plan.facilities.iter_mut().enumerate() {
        let provider = plan
            .providers
            .iter()
            .find(|p| p.id == set.profile.provider)
            .expect("every facility has its Träger");
        fill_facility(
            rng,
            &mut set.profile,
            plan.kinds[i],
            provider,
            set.licence.care_types.len(),
        );
    }
}

fn fill_facility(
    rng: &mut ChaCha8Rng,
    p: &mut FacilityProfile,
    kind: FacilityKind,
    provider: &ProviderProfile,
    care_types: usize,
) {
    p.website = if rng.gen_bool(0.85) {
        format!("https://{}.example", places::slug(&p.name))
    } else {
        String::new()
    };
    // Krippe from birth or from 6–12 months, Kindergarten until school entry (7 years at the
    // latest), Hort for grades 1–4 (6 to 11 years).
    let from = [0, 6, 8, 12, 12][rng.gen_range(0..5)];
    (p.age_from_months, p.age_to_months) = match kind {
        FacilityKind::Nursery => (from, 36),
        FacilityKind::Kita => (from, 84),
        FacilityKind::AfterSchool => (72, 132),
    };
    // The free text was drawn with the facility: the structured times are read from it (first
    // and last time named), so the two never disagree.
    let times = clock_times(&p.opening_hours);
    if let (Some(first), Some(last)) = (times.first(), times.last()) {
        p.opens = first.clone();
        p.closes = last.clone();
    }
    let mut tags: Vec<&str> = TAGS_OF_CONCEPT
        .iter()
        .filter(|(prefix, _)| p.concept.starts_with(prefix))
        .flat_map(|(_, tags)| tags.iter().copied())
        .collect();
    if matches!(provider.category.as_str(), "Diakonie" | "Caritas") {
        tags.push("konfessionell");
    }
    if rng.gen_bool(0.35) {
        tags.push(pick(rng, SECONDARY_TAGS));
    }
    p.concept_tags = ordered_tags(&tags);
    p.extra_fees = if rng.gen_bool(0.3) {
        pick(rng, EXTRA_FEES).to_string()
    } else {
        String::new()
    };
    p.accessible = rng.gen_bool(0.6);
    // The inclusive concept always has Integrationsplätze; others sometimes.
    p.integration = p.concept.starts_with("Inklusive") || rng.gen_bool(0.15);
    p.profile_text = facility_text(p, care_types);
}

/// Tags in vocabulary order, each once.
fn ordered_tags(tags: &[&str]) -> Vec<String> {
    let mut idx: Vec<usize> = tags
        .iter()
        .map(|t| ConceptTag::index(t).expect("generated tags are in the vocabulary"))
        .collect();
    idx.sort_unstable();
    idx.dedup();
    idx.into_iter()
        .map(|i| {
            kitanetz_crdt::kinds::facility::CONCEPT_TAGS[i]
                .key
                .to_string()
        })
        .collect()
}

/// Times `H:MM` / `HH:MM` in a free text, as `HH:MM`, in order.
fn clock_times(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices(':') {
        let before = b[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let after = b
            .get(i + 1..i + 3)
            .is_some_and(|m| m.iter().all(u8::is_ascii_digit))
            && !b.get(i + 3).is_some_and(u8::is_ascii_digit);
        if (1..=2).contains(&before) && after {
            // ASCII digits on both sides: the slices are on character boundaries.
            out.push(format!(
                "{:0>2}:{}",
                &text[i - before..i],
                &text[i + 1..i + 3]
            ));
        }
    }
    out
}

fn age_text(from: u32, to: u32) -> String {
    let from = match (from, from % 12) {
        (0, _) => "von Geburt an".to_string(),
        (12, _) => "ab einem Jahr".to_string(),
        (m, 0) => format!("ab {} Jahren", m / 12),
        (m, _) => format!("ab {m} Monaten"),
    };
    let to = match to % 12 {
        0 => format!("bis {} Jahre", to / 12),
        _ => format!("bis {to} Monate"),
    };
    format!("{from} {to}")
}

fn facility_text(p: &FacilityProfile, care_types: usize) -> String {
    let mut text = format!(
        "{} in Dresden-{} betreut Kinder {}. {}",
        p.name,
        p.district,
        age_text(p.age_from_months, p.age_to_months),
        p.concept
    );
    if care_types > 1 {
        text.push_str(" Krippe und Kindergarten arbeiten unter einem Dach, der Wechsel mit drei Jahren gelingt ohne neue Eingewöhnung.");
    }
    if p.accessible {
        text.push_str(" Das Haus ist barrierefrei.");
    }
    if p.integration {
        text.push_str(
            " Als Integrationseinrichtung haben wir Plätze für Kinder mit besonderem Förderbedarf.",
        );
    }
    text
}

/// Fills the portal fields of every childminder.
pub(crate) fn fill_childminders(rng: &mut ChaCha8Rng, childminders: &mut [ChildminderProfile]) {
    for c in childminders {
        c.listed_online = rng.gen_bool(0.7);
        c.age_from_months = [0, 6, 8, 10, 12][rng.gen_range(0..5)];
        c.age_to_months = if rng.gen_bool(0.85) { 36 } else { 72 };
        c.opens = pick(rng, &["06:30", "07:00", "07:00", "07:30"]).to_string();
        c.closes = pick(rng, &["15:00", "15:30", "16:00", "16:30"]).to_string();
        let tags: Vec<&str> = if rng.gen_bool(0.5) {
            vec![pick(
                rng,
                &[
                    "natur",
                    "situationsansatz",
                    "bewegung",
                    "montessori",
                    "kneipp",
                ],
            )]
        } else {
            Vec::new()
        };
        c.concept_tags = ordered_tags(&tags);
        c.website = if rng.gen_bool(0.3) {
            format!("https://{}.example", places::slug(&c.name))
        } else {
            String::new()
        };
        c.profile_text = format!(
            "Kindertagespflege in {} mit {} Plätzen für Kinder {}. Betreuung {}–{} Uhr in familiärer Atmosphäre.",
            c.district,
            c.places,
            age_text(c.age_from_months, c.age_to_months),
            c.opens,
            c.closes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_are_read_from_free_text() {
        assert_eq!(clock_times("6:30–17:00"), vec!["06:30", "17:00"]);
        assert_eq!(
            clock_times("Mo–Fr 6:00–7:30 und 11:30–17:00"),
            vec!["06:00", "07:30", "11:30", "17:00"]
        );
        assert!(clock_times("nach Vereinbarung").is_empty());
        assert!(clock_times("12:3").is_empty());
    }

    #[test]
    fn tags_are_ordered_and_unique() {
        assert_eq!(
            ordered_tags(&["natur", "montessori", "natur"]),
            vec!["montessori", "natur"]
        );
    }

    #[test]
    fn every_generated_concept_has_a_known_prefix_or_none() {
        for (prefix, tags) in TAGS_OF_CONCEPT {
            assert!(
                crate::names::CONCEPTS
                    .iter()
                    .chain(crate::names::AFTER_SCHOOL_CONCEPTS)
                    .any(|c| c.starts_with(prefix)),
                "{prefix} matches a concept"
            );
            for t in *tags {
                assert!(ConceptTag::find(t).is_some(), "{t}");
            }
        }
        for t in SECONDARY_TAGS {
            assert!(ConceptTag::find(t).is_some(), "{t}");
        }
    }

    /// A city big enough for proportions, small enough for a debug test run.
    fn city() -> crate::World {
        let scale = crate::Scale {
            providers: 20,
            facilities: 150,
            childminders: 150,
            places_target: 15_000,
            applications: 10,
        };
        crate::generate(11, &scale, kitanetz_crdt::scalar::Date::ymd(2026, 3, 16))
    }

    fn share(n: usize, of: usize) -> f64 {
        n as f64 / of as f64
    }

    #[test]
    fn facilities_get_plausible_portal_fields() {
        let world = city();
        let fs: Vec<&FacilityProfile> = world.facilities.iter().map(|f| &f.profile).collect();
        let n = fs.len();
        for (f, set) in fs.iter().zip(&world.facilities) {
            assert_eq!(f.validate(), Ok(()), "{}", f.name);
            let (opens, closes) = f.opening_minutes().expect("opening times stated");
            assert!(opens < closes);
            assert_eq!(clock_times(&f.opening_hours).first(), Some(&f.opens));
            let types: Vec<_> = set.licence.care_types.iter().map(|c| c.care_type).collect();
            use kitanetz_crdt::kinds::CareType::*;
            let expected_to = match types.as_slice() {
                [Nursery] => 36,
                [Nursery, Kindergarten] => 84,
                [AfterSchool] => 132,
                other => panic!("unexpected care types {other:?}"),
            };
            assert_eq!(f.age_to_months, expected_to, "{}", f.name);
            assert!(f.website.is_empty() || f.website.ends_with(".example"));
            assert!(!f.profile_text.is_empty());
            if f.concept.starts_with("Montessori") {
                assert!(f.concept_tags.contains(&"montessori".to_string()));
            }
        }
        let fees = share(fs.iter().filter(|f| !f.extra_fees.is_empty()).count(), n);
        let accessible = share(fs.iter().filter(|f| f.accessible).count(), n);
        let integration = share(fs.iter().filter(|f| f.integration).count(), n);
        let tagged = share(fs.iter().filter(|f| !f.concept_tags.is_empty()).count(), n);
        let websites = share(fs.iter().filter(|f| !f.website.is_empty()).count(), n);
        assert!((0.2..=0.4).contains(&fees), "extra fees {fees}");
        assert!((0.5..=0.7).contains(&accessible), "accessible {accessible}");
        assert!(
            (0.12..=0.3).contains(&integration),
            "integration {integration}"
        );
        assert!(tagged > 0.7, "tagged {tagged}");
        assert!((0.75..=0.95).contains(&websites), "websites {websites}");
        assert!(fs.iter().any(|f| f.concept_tags.len() >= 2));
    }

    #[test]
    fn childminders_get_plausible_portal_fields() {
        let world = city();
        let cs = &world.childminders;
        for c in cs {
            assert_eq!(c.validate(), Ok(()), "{}", c.name);
            assert!(c.opening_minutes().is_some());
            assert!(c.age_to_months == 36 || c.age_to_months == 72);
        }
        let online = share(cs.iter().filter(|c| c.listed_online).count(), cs.len());
        assert!((0.6..=0.8).contains(&online), "listed online {online}");
    }

    /// Facilities and childminders are where the street directory has their house, and that is
    /// in their district.
    #[test]
    fn addresses_are_in_the_directory_and_in_their_district() {
        let world = city();
        let directory = crate::street_directory();
        let find = |street_and_number: &str, postcode: &str| {
            let (street, number) = street_and_number.rsplit_once(' ').unwrap();
            let plain: u32 = number
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap();
            directory
                .iter()
                .find(|r| r.street == street && r.postcode == postcode && r.house_number == plain)
                .unwrap_or_else(|| panic!("{street_and_number}, {postcode} not in the directory"))
        };
        let places = world
            .facilities
            .iter()
            .map(|f| (&f.profile.address, &f.profile.district))
            .chain(world.childminders.iter().map(|c| (&c.address, &c.district)));
        let mut count = 0;
        for (address, district) in places {
            let row = find(&address.street, &address.postcode);
            assert_eq!(row.district, district.as_str(), "{}", address.street);
            assert_eq!(address.lat, Some(row.lat));
            assert_eq!(address.lon, Some(row.lon));
            count += 1;
        }
        assert_eq!(count, 300);
    }

    #[test]
    fn age_texts_read_well() {
        assert_eq!(age_text(0, 36), "von Geburt an bis 3 Jahre");
        assert_eq!(age_text(8, 84), "ab 8 Monaten bis 7 Jahre");
        assert_eq!(age_text(12, 84), "ab einem Jahr bis 7 Jahre");
        assert_eq!(age_text(72, 132), "ab 6 Jahren bis 11 Jahre");
    }
}
