//! Kindertagespflege: childminders with their permit and places, assigned to the BVS-KTP office
//! of their district.

use crate::names::{self, Origin};
use crate::places::{self, DISTRICTS};
use crate::providers::apportion;
use crate::rules::{add_months, month_start, sub_months};
use crate::Ids;
use chrono::{Days, NaiveDate};
use kitanetz_crdt::ids::{ChildminderId, OrgId};
use kitanetz_crdt::kinds::childminder::MAX_CHILDMINDER_PLACES;
use kitanetz_crdt::kinds::ChildminderProfile;
use kitanetz_crdt::period::Period;
use kitanetz_crdt::scalar::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Dresden: 341 childminders with 1,650 places (most have the maximum of five).
const DRESDEN_CHILDMINDERS: u64 = 341;
const DRESDEN_CHILDMINDER_PLACES: u64 = 1_650;

/// The BVS-KTP office responsible for a district (four offices, one per quarter of the city).
/// Deterministic ids so that a node can be configured for an office without reading the world.
pub fn agency_for_district(district: &str) -> OrgId {
    let office = match district {
        "Neustadt" | "Pieschen" | "Klotzsche" | "Weixdorf" => "nord",
        "Loschwitz" | "Blasewitz" | "Schönfeld-Weißig" => "ost",
        "Prohlis" | "Leuben" | "Plauen" => "sued",
        _ => "west",
    };
    OrgId(format!("org-bvs-{office}"))
}

pub(crate) fn generate(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    count: usize,
    today: NaiveDate,
) -> Vec<ChildminderProfile> {
    if count == 0 {
        return Vec::new();
    }
    // Total places in Dresden's ratio; the shortfall from "everyone has five" is spread randomly.
    let target = ((count as u64 * DRESDEN_CHILDMINDER_PLACES * 2 + DRESDEN_CHILDMINDERS)
        / (DRESDEN_CHILDMINDERS * 2)) as u32;
    let mut places = vec![MAX_CHILDMINDER_PLACES; count];
    let mut excess = (MAX_CHILDMINDER_PLACES * count as u32).saturating_sub(target);
    while excess > 0 {
        let i = rng.gen_range(0..count);
        if places[i] > 3 {
            places[i] -= 1;
            excess -= 1;
        }
    }
    let district_weights: Vec<u64> = DISTRICTS.iter().map(|d| u64::from(d.weight)).collect();
    // Apportioned rather than drawn so that even three childminders land in different districts.
    let per_district = apportion(count as u32, &district_weights);
    let mut districts: Vec<usize> = per_district
        .iter()
        .enumerate()
        .flat_map(|(d, &n)| std::iter::repeat_n(d, n as usize))
        .collect();
    rand::seq::SliceRandom::shuffle(districts.as_mut_slice(), rng);
    places
        .into_iter()
        .zip(districts)
        .map(|(places, district)| {
            let origin = if rng.gen_bool(0.9) {
                Origin::German
            } else {
                Origin::draw(rng)
            };
            let female = rng.gen_bool(0.95);
            let given = origin.adult_given_name(rng, female);
            let family = origin.inflect(origin.family_name(rng), female);
            let name = if rng.gen_bool(0.5) {
                format!("{given} {family}")
            } else {
                let nest = names::pick(
                    rng,
                    &[
                        "Zwergenstube",
                        "Wichtelnest",
                        "Krümelbande",
                        "Spatzennest",
                        "Mäusehaus",
                        "Sonnenkinder",
                        "Purzelstube",
                        "Kleine Füße",
                    ],
                );
                format!("{given} {family} (Tagespflege „{nest}“)")
            };
            // The permit runs five years; all generated permits are valid today.
            let start = month_start(sub_months(today, rng.gen_range(0..=58)));
            let end = add_months(start, 60) - Days::new(1);
            ChildminderProfile {
                id: ChildminderId::generate(&mut ids.childminder),
                agency: agency_for_district(DISTRICTS[district].name),
                email: format!(
                    "tagespflege-{}-{}@example.com",
                    places::slug(given),
                    places::slug(&family)
                ),
                name,
                address: places::address_in(rng, district),
                district: DISTRICTS[district].name.to_string(),
                places,
                permit: Period::new(Date(start), Some(Date(end))).expect("five years"),
                phone: if rng.gen_bool(0.6) {
                    places::mobile(rng)
                } else {
                    places::landline(rng)
                },
                // Not stated yet: `portal::fill_childminders` fills these.
                listed_online: false,
                age_from_months: 0,
                age_to_months: 36,
                opens: String::new(),
                closes: String::new(),
                concept_tags: Vec::new(),
                profile_text: String::new(),
                website: String::new(),
            }
        })
        .collect()
}
