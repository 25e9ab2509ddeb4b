//! Träger, facilities, licences and (empty) groups.
//!
//! Places are apportioned, not sampled: the totals per care type equal the Dresden split scaled
//! to `Scale::places_target` exactly, so tests and benchmarks can rely on them.

use crate::names::{
    self, pick, AFTER_SCHOOL_CONCEPTS, AFTER_SCHOOL_GROUP_NAMES, CONCEPTS, EMPLOYERS,
    FACILITY_STEMS, GROUP_NAMES,
};
use crate::places::{self, DISTRICTS};
use crate::rules::{add_months, month_start, month_start_on_or_after, sub_months};
use crate::streets;
use crate::{FacilitySet, Ids, Scale};
use chrono::{Datelike, Days, NaiveDate};
use kitanetz_crdt::ids::{FacilityId, GroupId, ProviderId};
use kitanetz_crdt::kinds::facility::ApprovedPlaces;
use kitanetz_crdt::kinds::{
    CareContract, CareType, Closure, FacilityLicence, FacilityProfile, Group, ProviderKind,
    ProviderProfile, ReservedSeats,
};
use kitanetz_crdt::period::{Period, Timeline};
use kitanetz_crdt::scalar::Date;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// What a facility offers: a Krippe (only Krippe), a Kita (Krippe and Kindergarten) or a Hort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FacilityKind {
    Nursery,
    Kita,
    AfterSchool,
}

impl FacilityKind {
    pub(crate) fn care_types(self) -> &'static [CareType] {
        match self {
            FacilityKind::Nursery => &[CareType::Nursery],
            FacilityKind::Kita => &[CareType::Nursery, CareType::Kindergarten],
            FacilityKind::AfterSchool => &[CareType::AfterSchool],
        }
    }

    pub(crate) fn offers(self, care_type: CareType) -> bool {
        self.care_types().contains(&care_type)
    }
}

/// Index of a care type in the per-facility `[Krippe, Kindergarten, Hort]` arrays.
pub(crate) fn slot(care_type: CareType) -> usize {
    match care_type {
        CareType::Nursery => 0,
        CareType::Kindergarten => 1,
        _ => 2,
    }
}

pub(crate) const SLOT_TYPES: [CareType; 3] = [
    CareType::Nursery,
    CareType::Kindergarten,
    CareType::AfterSchool,
];

/// The providers and facilities with what later phases need to know about them.
pub(crate) struct Plan {
    pub providers: Vec<ProviderProfile>,
    pub facilities: Vec<FacilitySet>,
    pub kinds: Vec<FacilityKind>,
    /// Index into `DISTRICTS` per facility.
    pub districts: Vec<usize>,
    /// Approved places on `today` per facility and slot.
    pub places: Vec<[u32; 3]>,
}

/// Dresden: 14 Krippen, 247 Kitas, 76 Horte; 7,250 / 18,500 / 16,350 places.
const DRESDEN_KINDS: [usize; 3] = [14, 247, 76];
const DRESDEN_PLACES: [u32; 3] = [7_250, 18_500, 16_350];

/// Facility kinds in Dresden's proportions. Below 20 facilities every facility is a Kita, so
/// that a demo city is a handful of ordinary Kitas rather than one giant Hort.
fn facility_mix(n: usize) -> Vec<FacilityKind> {
    let total: usize = DRESDEN_KINDS.iter().sum();
    let (krippen, horte) = if n < 20 {
        (0, 0)
    } else {
        let round = |k: usize| (n * k + total / 2) / total;
        (round(DRESDEN_KINDS[0]), round(DRESDEN_KINDS[2]))
    };
    let mut kinds = vec![FacilityKind::Nursery; krippen];
    kinds.extend(std::iter::repeat_n(FacilityKind::AfterSchool, horte));
    kinds.extend(std::iter::repeat_n(FacilityKind::Kita, n - krippen - horte));
    kinds
}

/// Splits the total places over Krippe, Kindergarten and Hort in Dresden's proportions (without
/// Horte, Krippe and Kindergarten keep their ratio).
fn place_split(total: u32, has_after_school: bool) -> [u32; 3] {
    let parts = if has_after_school {
        DRESDEN_PLACES
    } else {
        [DRESDEN_PLACES[0], DRESDEN_PLACES[1], 0]
    };
    let weights: Vec<u64> = parts.iter().map(|&p| u64::from(p)).collect();
    let split = apportion(total, &weights);
    [split[0], split[1], split[2]]
}

/// Largest-remainder apportionment of `total` by integer `weights` (exact sum, deterministic).
pub(crate) fn apportion(total: u32, weights: &[u64]) -> Vec<u32> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let t = u64::from(total);
    let mut out: Vec<u32> = weights.iter().map(|w| (t * w / sum) as u32).collect();
    let mut rest: Vec<(u64, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (t * w % sum, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = total - out.iter().sum::<u32>();
    for &(_, i) in rest.iter().take(missing as usize) {
        out[i] += 1;
    }
    out
}

/// Free Träger with their category, biggest first: the long tail of the facility allocation
/// gives the first ones the most Kitas (welfare associations run many, parent initiatives one).
const FREE_PROVIDERS: &[(&str, &str)] = &[
    ("Volkssolidarität Dresden e. V.", "Volkssolidarität"),
    ("AWO Kinder- und Jugendhilfe Dresden gGmbH", "AWO"),
    ("Kinderland Sachsen e. V.", "Paritätischer"),
    ("Diakonisches Werk – Stadtmission Dresden e. V.", "Diakonie"),
    ("DRK-Kreisverband Dresden e. V.", "DRK"),
    ("Caritasverband für Dresden e. V.", "Caritas"),
    (
        "Johanniter-Unfall-Hilfe e. V., Regionalverband Dresden",
        "Johanniter",
    ),
    ("ASB Ortsverband Dresden e. V.", "ASB"),
    ("Outlaw gGmbH", "Paritätischer"),
    ("Kindervereinigung Dresden e. V.", "Paritätischer"),
    ("Ev.-Luth. Kirchenbezirk Dresden Mitte", "Diakonie"),
    ("Internationaler Bund – Bildungszentrum Dresden", "IB"),
    ("Malteser Hilfsdienst gGmbH", "Malteser"),
    ("Volkssolidarität Elbtalkreis e. V.", "Volkssolidarität"),
    ("AWO Kreisverband Dresden e. V.", "AWO"),
    ("Ev.-Luth. Kirchgemeinde Dresden-Blasewitz", "Diakonie"),
    ("Kath. Pfarrei St. Martin Dresden", "Caritas"),
    ("Heilpädagogisches Zentrum Dresden e. V.", "Paritätischer"),
    ("Montessori-Kinderhaus Dresden e. V.", "Elterninitiative"),
    (
        "Freie Waldorfkindergärten Dresden e. V.",
        "Elterninitiative",
    ),
    ("Bilinguale Kinderhäuser Elbflorenz gGmbH", "Sonstige"),
    ("Kita-Service Klinikum GmbH", "Unternehmen"),
    ("Waldkinder Dresdner Heide e. V.", "Elterninitiative"),
    ("Kinderladen Neustadt e. V.", "Elterninitiative"),
];

/// Providers, facilities with licences and groups (members are added with the contracts).
pub(crate) fn generate(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    scale: &Scale,
    today: NaiveDate,
) -> Plan {
    let n = scale.facilities;
    let municipal = if scale.providers > 1 {
        n.div_ceil(2)
    } else {
        n
    };
    // Without enough facilities some free Träger would run none: they are left out.
    let free_count = (scale.providers.saturating_sub(1)).min(n - municipal);
    let mut owner: Vec<usize> = vec![0; municipal];
    if free_count > 0 {
        owner.extend(1..=free_count);
        // The rest goes to free Träger with a long tail: a few run many, most run one or two.
        let weights: Vec<u64> = (0..free_count).map(|i| 1000 / (i as u64 + 1)).collect();
        let total: u64 = weights.iter().sum();
        for _ in 0..(n - municipal - free_count) {
            let mut x = rng.gen_range(0..total);
            let mut i = 0;
            while x >= weights[i] {
                x -= weights[i];
                i += 1;
            }
            owner.push(i + 1);
        }
    }
    owner.shuffle(rng);

    let providers = make_providers(rng, ids, free_count);
    let mut kinds = facility_mix(n);
    kinds.shuffle(rng);
    let split = place_split(
        scale.places_target,
        kinds.contains(&FacilityKind::AfterSchool),
    );
    let places = distribute_places(rng, &kinds, split);

    let mut used_names = HashSet::new();
    let mut schools: Vec<u32> = (1..=160).collect();
    schools.shuffle(rng);
    let mut facilities = Vec::with_capacity(n);
    let mut districts = Vec::with_capacity(n);
    let mut seq_per_provider = vec![0u32; providers.len()];
    for i in 0..n {
        let provider = &providers[owner[i]];
        let district = places::draw_district(rng);
        seq_per_provider[owner[i]] += 1;
        let cost_centre = if provider.kind == ProviderKind::Municipal {
            format!("{}", 55_100_000 + seq_per_provider[0])
        } else {
            format!("FT{:02}-{:03}", owner[i], seq_per_provider[owner[i]])
        };
        let school = schools.get(i % schools.len()).copied().unwrap_or(1);
        let profile = make_profile(
            rng,
            ids,
            provider,
            kinds[i],
            district,
            cost_centre,
            school,
            &mut used_names,
        );
        let licence = make_licence(rng, provider, &profile.id, kinds[i], places[i], today);
        let groups = make_groups(rng, ids, &profile.id, kinds[i], places[i]);
        facilities.push(FacilitySet {
            profile,
            licence,
            groups,
        });
        districts.push(district);
    }
    Plan {
        providers,
        facilities,
        kinds,
        districts,
        places,
    }
}

fn make_providers(rng: &mut ChaCha8Rng, ids: &mut Ids, free_count: usize) -> Vec<ProviderProfile> {
    let mut out = Vec::with_capacity(free_count + 1);
    let district = places::draw_district(rng);
    out.push(ProviderProfile {
        id: ProviderId::generate(&mut ids.provider),
        name: format!("Eigenbetrieb Kindertageseinrichtungen {}", places::CITY),
        kind: ProviderKind::Municipal,
        category: "Kommunal".to_string(),
        address: places::address_in(rng, district),
        email: "kitas@example.org".to_string(),
        phone: places::landline(rng),
    });
    let named = FREE_PROVIDERS;
    let mut stems: Vec<&str> = FACILITY_STEMS.to_vec();
    stems.shuffle(rng);
    for i in 0..free_count {
        let (name, category) = match named.get(i) {
            Some(&(name, category)) => (name.to_string(), category),
            None => {
                let stem = stems[i % stems.len()];
                let form = [
                    "Elterninitiative Kinderhaus {} e. V.",
                    "Kinderhaus {} e. V.",
                    "Eltern-Kind-Verein {} e. V.",
                ];
                let name = form[i % form.len()].replace("{}", stem);
                (name, "Elterninitiative")
            }
        };
        let district = places::draw_district(rng);
        out.push(ProviderProfile {
            id: ProviderId::generate(&mut ids.provider),
            email: format!("info-{}@example.org", places::slug(&name)),
            name,
            kind: ProviderKind::Free,
            category: category.to_string(),
            address: places::address_in(rng, district),
            phone: places::landline(rng),
        });
    }
    out
}

/// Places of each facility per slot: weighted by a per-facility size so that big and small
/// Kitas coexist; a Krippe-only facility is larger than the Krippe part of a Kita.
fn distribute_places(
    rng: &mut ChaCha8Rng,
    kinds: &[FacilityKind],
    split: [u32; 3],
) -> Vec<[u32; 3]> {
    // A small city shows ordinary Kitas of similar size; a big one has small and large ones.
    let range = if kinds.len() < 20 { 85..=115 } else { 55..=150 };
    let size: Vec<u64> = kinds.iter().map(|_| rng.gen_range(range.clone())).collect();
    let mut out = vec![[0u32; 3]; kinds.len()];
    for (s, care_type) in SLOT_TYPES.iter().enumerate() {
        let weights: Vec<u64> = kinds
            .iter()
            .zip(&size)
            .map(|(k, &w)| match k {
                _ if !k.offers(*care_type) => 0,
                FacilityKind::Nursery => w * 17 / 10,
                _ => w,
            })
            .collect();
        for (i, p) in apportion(split[s], &weights).into_iter().enumerate() {
            out[i][s] = p;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn make_profile(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    provider: &ProviderProfile,
    kind: FacilityKind,
    district: usize,
    cost_centre: String,
    school: u32,
    used: &mut HashSet<String>,
) -> FacilityProfile {
    let (street, postcode) = places::street_in(rng, district);
    let concept_list = if kind == FacilityKind::AfterSchool {
        AFTER_SCHOOL_CONCEPTS
    } else {
        CONCEPTS
    };
    let concept = pick(rng, concept_list);
    let forest = concept.starts_with("Waldkita");
    let mut name = match kind {
        FacilityKind::AfterSchool => format!("Hort an der {school}. Grundschule"),
        // The city names many of its own Kitas after their street.
        FacilityKind::Kita if provider.kind == ProviderKind::Municipal && rng.gen_bool(0.5) => {
            format!("Kita {street}")
        }
        _ => {
            let prefix = match kind {
                FacilityKind::Nursery => pick(rng, &["Kinderkrippe", "Krippe"]),
                _ if forest => "Waldkita",
                _ => pick(rng, &["Kita", "Kita", "Kinderhaus", "Kindertagesstätte"]),
            };
            let mut name = format!("{prefix} {}", pick(rng, FACILITY_STEMS));
            for _ in 0..8 {
                if !used.contains(&name) {
                    break;
                }
                name = format!("{prefix} {}", pick(rng, FACILITY_STEMS));
            }
            name
        }
    };
    if used.contains(&name) {
        name = format!("{name} ({})", DISTRICTS[district].name);
    }
    let mut k = 2;
    let base = name.clone();
    while used.contains(&name) {
        name = format!("{base} {k}");
        k += 1;
    }
    used.insert(name.clone());
    let opening_hours = match kind {
        FacilityKind::AfterSchool => pick(
            rng,
            &[
                "Mo–Fr 6:00–7:30 und 11:30–17:00",
                "Mo–Fr 6:30–7:45 und 11:00–17:30",
            ],
        ),
        _ => pick(
            rng,
            &[
                "6:30–17:00",
                "6:00–17:00",
                "6:30–17:30",
                "7:00–16:30",
                "6:00–18:00",
            ],
        ),
    };
    FacilityProfile {
        id: FacilityId::generate(&mut ids.facility),
        provider: provider.id.clone(),
        email: format!("{}@example.org", places::slug(&name)),
        name,
        address: places::address_on(rng, district, street, postcode),
        district: DISTRICTS[district].name.to_string(),
        cost_centre,
        opening_hours: opening_hours.to_string(),
        concept: concept.to_string(),
        phone: places::landline(rng),
        lead_name: names::staff_name(rng),
        // Not stated yet: `portal::fill_facilities` fills these from its own random stream.
        website: String::new(),
        age_from_months: 0,
        age_to_months: 72,
        opens: String::new(),
        closes: String::new(),
        concept_tags: Vec::new(),
        extra_fees: String::new(),
        accessible: false,
        integration: false,
        profile_text: String::new(),
    }
}

/// The licence: approved places from a date several years back, sometimes changed since
/// (values on `today` are exactly `places`).
fn make_licence(
    rng: &mut ChaCha8Rng,
    provider: &ProviderProfile,
    id: &FacilityId,
    kind: FacilityKind,
    places: [u32; 3],
    today: NaiveDate,
) -> FacilityLicence {
    let years_back = if provider.kind == ProviderKind::Municipal {
        rng.gen_range(4..=40)
    } else {
        rng.gen_range(3..=30)
    };
    let licensed = NaiveDate::from_ymd_opt(today.year() - years_back, rng.gen_range(1..=12), 1)
        .expect("first of month");
    let mut care_types = Vec::new();
    for &care_type in kind.care_types() {
        let current = places[slot(care_type)];
        let mut timeline = Timeline::new(Date(licensed), current);
        let months_since = (today.year() - licensed.year()) as u32 * 12;
        if rng.gen_bool(0.3) && months_since > 24 {
            // A change of the approval (extension, conversion of Krippe to Kindergarten places).
            let change = add_months(licensed, rng.gen_range(12..months_since - 6));
            let earlier = (current as i64 + rng.gen_range(-15..=15)).clamp(1, 1000) as u32;
            timeline = Timeline::new(Date(licensed), earlier);
            timeline.set_from(Date(change), current);
        }
        care_types.push(ApprovedPlaces {
            care_type,
            places: timeline,
        });
    }
    FacilityLicence {
        id: id.clone(),
        provider: provider.id.clone(),
        operating_licence_date: Some(Date(licensed)),
        care_types,
        reserved_seats: Vec::new(),
        closures: Vec::new(),
    }
}

/// Groups per care type sized for the approved places (Krippe ≈ 12, Kindergarten ≈ 20,
/// Hort ≈ 25 children), with unique names inside the facility.
fn make_groups(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    facility: &FacilityId,
    kind: FacilityKind,
    places: [u32; 3],
) -> Vec<Group> {
    let mut names: Vec<&str> = if kind == FacilityKind::AfterSchool {
        AFTER_SCHOOL_GROUP_NAMES.to_vec()
    } else {
        GROUP_NAMES.to_vec()
    };
    names.shuffle(rng);
    let mut next_name = 0;
    let mut groups = Vec::new();
    for &care_type in kind.care_types() {
        let p = places[slot(care_type)];
        if p == 0 {
            continue;
        }
        let target = match care_type {
            CareType::Nursery => 12,
            CareType::Kindergarten => 20,
            _ => 25,
        };
        let count = p.div_ceil(target);
        let size = p.div_ceil(count);
        for _ in 0..count {
            let base = names[next_name % names.len()];
            let name = match next_name / names.len() {
                0 => base.to_string(),
                round => format!("{base} {}", round + 1),
            };
            next_name += 1;
            groups.push(Group {
                id: GroupId::generate(&mut ids.group),
                facility: facility.clone(),
                name,
                care_type,
                size,
                lead_educator: names::staff_name(rng),
                members: Vec::new(),
            });
        }
    }
    groups
}

/// Belegrechte (about one per 50 facilities, at least one) with some contracts using them, and
/// in a city of 50 facilities or more one temporary closure for renovation starting in two
/// months (future, so that today's capacity stays intact and the closure can be demonstrated).
pub(crate) fn reserved_seats_and_closures(
    rng: &mut ChaCha8Rng,
    plan: &mut Plan,
    contracts: &mut [CareContract],
    today: NaiveDate,
) {
    let kitas: Vec<usize> = (0..plan.kinds.len())
        .filter(|&i| plan.kinds[i] == FacilityKind::Kita)
        .collect();
    if kitas.is_empty() {
        return;
    }
    let count = (plan.kinds.len() / 50).max(1);
    let mut chosen: Vec<usize> = kitas
        .choose_multiple(rng, count.min(kitas.len()))
        .copied()
        .collect();
    chosen.sort_unstable();
    for (k, &i) in chosen.iter().enumerate() {
        let care_type = if rng.gen_bool(0.5) {
            CareType::Nursery
        } else {
            CareType::Kindergarten
        };
        let Some(timeline) = plan.facilities[i]
            .licence
            .care_types
            .iter()
            .find(|c| c.care_type == care_type)
        else {
            continue;
        };
        // Below every approved value, so the Belegrecht fits whatever date it is checked on.
        let approved = timeline
            .places
            .changes
            .iter()
            .map(|c| c.value)
            .min()
            .unwrap_or(0);
        let last_change = timeline
            .places
            .changes
            .iter()
            .map(|c| c.valid_from.0)
            .max()
            .expect("timeline has a value");
        let places = rng.gen_range(2..=6).min(approved);
        if places == 0 {
            continue;
        }
        let start =
            month_start_on_or_after(sub_months(today, rng.gen_range(6..=48))).max(last_change);
        let end = if rng.gen_bool(0.5) {
            None
        } else {
            NaiveDate::from_ymd_opt(today.year() + rng.gen_range(1..=3), 7, 31)
        };
        let period = Period::new(Date(start), end.map(Date)).expect("end is after today");
        plan.facilities[i]
            .licence
            .reserved_seats
            .push(ReservedSeats {
                holder: EMPLOYERS[k % EMPLOYERS.len()].to_string(),
                care_type,
                places,
                period,
            });
        // Children admitted through the Belegrecht since it began.
        let id = plan.facilities[i].profile.id.clone();
        let mut used = 0;
        for c in contracts
            .iter_mut()
            .filter(|c| c.facility == id && c.period.start().0 >= start)
        {
            if used == places {
                break;
            }
            if let Some(line) = c
                .lines
                .iter_mut()
                .find(|l| l.valid.contains(Date(today)) && l.care_type == care_type)
            {
                line.reserved_seat = true;
                used += 1;
            }
        }
    }
    if plan.kinds.len() >= 50 {
        let i = kitas[rng.gen_range(0..kitas.len())];
        let start = add_months(month_start(today), 2);
        let end = add_months(start, 4) - Days::new(1);
        let total: u32 = plan.places[i].iter().sum();
        let district = plan.districts[i];
        let (street, postcode) = places::street_in(rng, district);
        plan.facilities[i].licence.closures.push(Closure {
            period: Period::new(Date(start), Some(Date(end))).expect("end after start"),
            permanent: false,
            substitute_location: format!(
                "Ausweichquartier {street} {}, {postcode} {}",
                rng.gen_range(1..=streets::houses(district, street, postcode)),
                places::CITY
            ),
            reduced_capacity: Some(total * 8 / 10),
            reason: "Sanierung (Brandschutz und Sanitärbereiche)".to_string(),
        });
    }
}
