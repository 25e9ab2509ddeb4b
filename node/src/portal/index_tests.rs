//! Tests of the portal's search index, with a plain re-statement of every criterion to check
//! the index against (property tests).

use super::*;
use kitanetz_crdt::kinds::facility::ApprovedPlaces;
use kitanetz_crdt::period::Timeline;
use kitanetz_crdt::scalar::Dec;
use rust_decimal::Decimal;

/// Altstadt, about the Kulturpalast.
const CENTRE: LatLon = LatLon {
    lat: 51.0511,
    lon: 13.7383,
};

/// A position `north_m`/`east_m` metres from [`CENTRE`].
fn near(north_m: f64, east_m: f64) -> Option<LatLon> {
    Some(LatLon {
        lat: CENTRE.lat + north_m / 111_320.0,
        lon: CENTRE.lon + east_m / 69_960.0,
    })
}

fn fac(name: &str) -> Listing {
    Listing {
        id: ListingId::Facility(FacilityId(format!("fac-{}", fold(name).replace(' ', "-")))),
        name: name.into(),
        provider: Some(ProviderId("prov-city".into())),
        provider_name: "Eigenbetrieb".into(),
        provider_kind: Some(ProviderKind::Municipal),
        district: "Altstadt".into(),
        quarter: "Seevorstadt".into(),
        address: "Wilsdruffer Straße 1, 01067 Dresden".into(),
        position: near(0.0, 0.0),
        care_types: vec![CareType::Nursery, CareType::Kindergarten],
        capacity: 80,
        free_places: FreePlaces::Free,
        age_from_months: 0,
        age_to_months: 84,
        opening: Some((390, 1020)),
        concept_tags: vec![],
        extra_fees: false,
        accessible: false,
        integration: false,
        website: String::new(),
    }
}

fn minder(name: &str) -> Listing {
    Listing {
        id: ListingId::Childminder(ChildminderId(format!("tpp-{}", name.len()))),
        provider: None,
        provider_name: "BVS-KTP Nord".into(),
        provider_kind: None,
        care_types: vec![],
        capacity: 5,
        age_to_months: 36,
        ..fac(name)
    }
}

fn names(index: &PortalIndex, c: &Criteria) -> Vec<String> {
    index
        .search(c)
        .iter()
        .map(|h| h.listing.name.clone())
        .collect()
}

fn all() -> Criteria {
    Criteria {
        include_childminders: true,
        ..Criteria::default()
    }
}

#[test]
fn without_criteria_every_facility_by_german_name_order() {
    let index = PortalIndex::new(vec![
        fac("Kita Zwergenland"),
        fac("kita Ährenfeld"),
        fac("Kita Birke"),
        minder("Anna Schmidt"),
    ]);
    assert_eq!(index.len(), 4);
    assert_eq!(
        names(&index, &Criteria::default()),
        vec!["kita Ährenfeld", "Kita Birke", "Kita Zwergenland"]
    );
    assert_eq!(names(&index, &all()).len(), 4, "childminders on request");
    assert!(index.search(&all()).iter().all(|h| h.distance_m.is_none()));
}

#[test]
fn name_is_a_case_insensitive_substring() {
    let index = PortalIndex::new(vec![
        fac("Kita Sonnenschein"),
        fac("Kinderhaus Spatzennest"),
    ]);
    let by = |n: &str| {
        names(
            &index,
            &Criteria {
                name: Some(n.into()),
                ..Criteria::default()
            },
        )
    };
    assert_eq!(by("SONNE"), vec!["Kita Sonnenschein"]);
    assert_eq!(by("  spatzen "), vec!["Kinderhaus Spatzennest"]);
    assert_eq!(by("ki").len(), 2);
    assert!(by("Wald").is_empty());
    assert_eq!(by("").len(), 2, "an empty name is no criterion");
}

#[test]
fn radius_keeps_what_is_near_and_sorts_by_distance_then_name() {
    let index = PortalIndex::new(vec![
        Listing {
            position: near(3_000.0, 0.0),
            ..fac("Kita Fern")
        },
        Listing {
            position: near(0.0, 500.0),
            ..fac("Kita B Nah")
        },
        Listing {
            position: near(-500.0, 0.0),
            ..fac("Kita A Nah")
        },
        Listing {
            position: near(0.0, 1_500.0),
            ..fac("Kita Mitte")
        },
        Listing {
            position: None,
            ..fac("Kita Ohne Ort")
        },
    ]);
    let c = Criteria {
        origin: Some(CENTRE),
        radius_km: Some(2.0),
        ..Criteria::default()
    };
    let hits = index.search(&c);
    let got: Vec<_> = hits.iter().map(|h| h.listing.name.as_str()).collect();
    assert_eq!(got, vec!["Kita A Nah", "Kita B Nah", "Kita Mitte"]);
    let d = hits[0].distance_m.unwrap();
    assert!((495.0..=505.0).contains(&d), "{d}");
    assert!((1_490.0..=1_510.0).contains(&hits[2].distance_m.unwrap()));

    // An origin without a radius only sorts; listings without a position come last.
    let c = Criteria {
        origin: Some(CENTRE),
        ..Criteria::default()
    };
    let got = names(&index, &c);
    assert_eq!(got.first().unwrap(), "Kita A Nah");
    assert_eq!(got[3], "Kita Fern");
    assert_eq!(got.last().unwrap(), "Kita Ohne Ort");
    // A radius without an origin is no criterion.
    let c = Criteria {
        radius_km: Some(0.1),
        ..Criteria::default()
    };
    assert_eq!(names(&index, &c).len(), 5);
}

#[test]
fn haversine_gives_real_distances() {
    // Dresden Hauptbahnhof to Bahnhof Neustadt: about 2.9 km.
    let hbf = LatLon {
        lat: 51.0404,
        lon: 13.7320,
    };
    let neustadt = LatLon {
        lat: 51.0659,
        lon: 13.7407,
    };
    let d = distance_between(hbf, neustadt);
    assert!((2_850.0..=2_960.0).contains(&d), "{d}");
    assert_eq!(distance_between(hbf, hbf), 0.0);
}

#[test]
fn care_type_selects_facilities_and_leaves_childminders_to_the_age() {
    let index = PortalIndex::new(vec![
        Listing {
            care_types: vec![CareType::AfterSchool],
            age_from_months: 72,
            age_to_months: 132,
            ..fac("Hort")
        },
        Listing {
            care_types: vec![CareType::Nursery],
            age_to_months: 36,
            ..fac("Krippe")
        },
        fac("Kita"),
        minder("Tagesmutter"),
    ]);
    let c = |care_type, age, include_childminders| Criteria {
        care_type: Some(care_type),
        child_age_months: age,
        include_childminders,
        ..Criteria::default()
    };
    assert_eq!(
        names(&index, &c(CareType::Nursery, None, false)),
        vec!["Kita", "Krippe"]
    );
    assert_eq!(
        names(&index, &c(CareType::Nursery, Some(14), true)),
        vec!["Kita", "Krippe", "Tagesmutter"]
    );
    assert_eq!(
        names(&index, &c(CareType::Kindergarten, Some(48), true)),
        vec!["Kita"]
    );
    // A childminder for the under-threes is no answer to a Kindergarten or Hort search.
    assert_eq!(
        names(&index, &c(CareType::Kindergarten, None, true)),
        vec!["Kita"]
    );
    assert_eq!(
        names(&index, &c(CareType::AfterSchool, None, true)),
        vec!["Hort"]
    );
    assert!(names(&index, &c(CareType::Remedial, None, false)).is_empty());
}

#[test]
fn age_must_lie_in_the_range_inclusive() {
    let index = PortalIndex::new(vec![
        Listing {
            age_from_months: 12,
            age_to_months: 36,
            ..fac("Ab eins")
        },
        Listing {
            age_from_months: 0,
            age_to_months: 84,
            ..fac("Ab Geburt")
        },
    ]);
    let at = |m| {
        names(
            &index,
            &Criteria {
                child_age_months: Some(m),
                ..Criteria::default()
            },
        )
    };
    assert_eq!(at(6), vec!["Ab Geburt"]);
    assert_eq!(at(12), vec!["Ab eins", "Ab Geburt"]);
    assert_eq!(at(36), vec!["Ab eins", "Ab Geburt"]);
    assert_eq!(at(37), vec!["Ab Geburt"]);
    assert!(at(85).is_empty());
}

#[test]
fn opening_times_cover_the_wished_hours() {
    let index = PortalIndex::new(vec![
        Listing {
            opening: Some((360, 1080)),
            ..fac("Früh bis spät")
        },
        Listing {
            opening: Some((420, 990)),
            ..fac("Sieben bis halb fünf")
        },
        Listing {
            opening: None,
            ..fac("Nicht angegeben")
        },
    ]);
    let c = |from, until| Criteria {
        open_from: from,
        open_until: until,
        ..Criteria::default()
    };
    assert_eq!(names(&index, &c(Some(390), None)), vec!["Früh bis spät"]);
    assert_eq!(
        names(&index, &c(Some(420), Some(990))).len(),
        2,
        "bounds inclusive"
    );
    assert_eq!(names(&index, &c(None, Some(1020))), vec!["Früh bis spät"]);
    assert_eq!(names(&index, &c(None, None)).len(), 3);
}

#[test]
fn concept_tags_all_required_and_unknown_ones_match_nothing() {
    let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let index = PortalIndex::new(vec![
        Listing {
            concept_tags: tags(&["montessori", "natur"]),
            ..fac("Montessori im Wald")
        },
        Listing {
            concept_tags: tags(&["montessori"]),
            ..fac("Montessori")
        },
        fac("Ohne Konzept"),
    ]);
    let by = |t: &[&str]| {
        names(
            &index,
            &Criteria {
                concept_tags: tags(t),
                ..Criteria::default()
            },
        )
    };
    assert_eq!(
        by(&["montessori"]),
        vec!["Montessori", "Montessori im Wald"]
    );
    assert_eq!(by(&["natur", "montessori"]), vec!["Montessori im Wald"]);
    assert!(by(&["waldorf"]).is_empty());
    assert!(by(&["steiner"]).is_empty(), "not in the vocabulary");
    assert_eq!(
        concept_labels(index.listings().next().unwrap()),
        vec!["Montessori"]
    );
}

#[test]
fn flags_capacity_and_free_places() {
    let index = PortalIndex::new(vec![
        Listing {
            extra_fees: true,
            capacity: 120,
            accessible: true,
            free_places: FreePlaces::Few,
            ..fac("A")
        },
        Listing {
            integration: true,
            capacity: 40,
            free_places: FreePlaces::Full,
            ..fac("B")
        },
        Listing {
            accessible: true,
            integration: true,
            free_places: FreePlaces::Unknown,
            ..fac("C")
        },
    ]);
    let by = |c: Criteria| names(&index, &c);
    let none = Criteria::default;
    assert_eq!(
        by(Criteria {
            no_extra_fees: true,
            ..none()
        }),
        vec!["B", "C"]
    );
    assert_eq!(
        by(Criteria {
            min_capacity: Some(80),
            ..none()
        }),
        vec!["A", "C"]
    );
    assert_eq!(
        by(Criteria {
            min_capacity: Some(120),
            ..none()
        }),
        vec!["A"]
    );
    assert_eq!(
        by(Criteria {
            accessible: true,
            ..none()
        }),
        vec!["A", "C"]
    );
    assert_eq!(
        by(Criteria {
            integration: true,
            ..none()
        }),
        vec!["B", "C"]
    );
    assert_eq!(
        by(Criteria {
            free_places_only: true,
            ..none()
        }),
        vec!["A"]
    );
    assert_eq!(
        by(Criteria {
            accessible: true,
            integration: true,
            no_extra_fees: true,
            ..none()
        }),
        vec!["C"]
    );
}

#[test]
fn provider_district_and_quarter() {
    let free = |name: &str, p: &str| Listing {
        provider: Some(ProviderId(p.into())),
        provider_kind: Some(ProviderKind::Free),
        district: "Neustadt".into(),
        quarter: "Äußere Neustadt".into(),
        ..fac(name)
    };
    let index = PortalIndex::new(vec![
        fac("Städtisch"),
        free("AWO-Kita", "prov-awo"),
        free("DRK-Kita", "prov-drk"),
        minder("Tagesmutter"),
    ]);
    let by = |c: Criteria| {
        names(
            &index,
            &Criteria {
                include_childminders: true,
                ..c
            },
        )
    };
    let none = Criteria::default;
    assert_eq!(
        by(Criteria {
            provider_kind: Some(ProviderKind::Free),
            ..none()
        }),
        vec!["AWO-Kita", "DRK-Kita"]
    );
    assert_eq!(
        by(Criteria {
            provider_kind: Some(ProviderKind::Municipal),
            ..none()
        }),
        vec!["Städtisch"]
    );
    assert_eq!(
        by(Criteria {
            provider: Some(ProviderId("prov-drk".into())),
            ..none()
        }),
        vec!["DRK-Kita"]
    );
    assert_eq!(
        by(Criteria {
            district: Some("neustadt".into()),
            ..none()
        }),
        vec!["AWO-Kita", "DRK-Kita"]
    );
    assert_eq!(
        by(Criteria {
            district: Some("Altstadt".into()),
            ..none()
        }),
        vec!["Städtisch", "Tagesmutter"]
    );
    assert_eq!(
        by(Criteria {
            quarter: Some("ÄUSSERE NEUSTADT".into()),
            ..none()
        }),
        vec!["AWO-Kita", "DRK-Kita"]
    );
    assert!(
        by(Criteria {
            district: Some("Neu".into()),
            ..none()
        })
        .is_empty(),
        "whole name"
    );
}

/// A tiny deterministic generator (no rand dependency in the node).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}

fn city(rng: &mut Lcg, n: usize) -> Vec<Listing> {
    let districts = ["Altstadt", "Neustadt", "Pieschen", "Cotta"];
    (0..n)
        .map(|i| {
            let base = if rng.chance(50) {
                fac(&format!("Kita {i:03}"))
            } else {
                minder(&format!("Tagespflege {i:03}"))
            };
            let opens = 330 + 15 * rng.next(8) as u16;
            let from = [0, 6, 12, 72][rng.next(4) as usize];
            Listing {
                id: match base.id {
                    ListingId::Facility(_) => ListingId::Facility(FacilityId(format!("fac-{i}"))),
                    ListingId::Childminder(_) => {
                        ListingId::Childminder(ChildminderId(format!("tpp-{i}")))
                    }
                },
                provider: base
                    .provider
                    .as_ref()
                    .map(|_| ProviderId(format!("prov-{}", rng.next(10)))),
                provider_kind: base.provider_kind.map(|_| {
                    if rng.chance(50) {
                        ProviderKind::Free
                    } else {
                        ProviderKind::Municipal
                    }
                }),
                district: districts[rng.next(4) as usize].into(),
                position: if rng.chance(95) {
                    near(
                        rng.next(8000) as f64 - 4000.0,
                        rng.next(8000) as f64 - 4000.0,
                    )
                } else {
                    None
                },
                care_types: if base.care_types.is_empty() {
                    vec![]
                } else {
                    vec![CareType::ALL[rng.next(3) as usize]]
                },
                capacity: 5 + rng.next(150) as u32,
                free_places: [
                    FreePlaces::Free,
                    FreePlaces::Few,
                    FreePlaces::Full,
                    FreePlaces::Unknown,
                ][rng.next(4) as usize],
                age_from_months: from,
                age_to_months: from + 24 + rng.next(60) as u32,
                opening: if rng.chance(90) {
                    Some((opens, opens + 480 + 30 * rng.next(8) as u16))
                } else {
                    None
                },
                concept_tags: CONCEPT_TAGS
                    .iter()
                    .filter(|_| rng.chance(20))
                    .map(|t| t.key.to_string())
                    .collect(),
                extra_fees: rng.chance(30),
                accessible: rng.chance(60),
                integration: rng.chance(20),
                ..base
            }
        })
        .collect()
}

fn criteria(rng: &mut Lcg) -> Criteria {
    let mut c = Criteria::default();
    if rng.chance(40) {
        c.origin = near(
            rng.next(4000) as f64 - 2000.0,
            rng.next(4000) as f64 - 2000.0,
        );
        if rng.chance(70) {
            c.radius_km = Some(0.5 + rng.next(50) as f64 / 10.0);
        }
    }
    if rng.chance(30) {
        c.care_type = Some(CareType::ALL[rng.next(3) as usize]);
    }
    if rng.chance(30) {
        c.child_age_months = Some(rng.next(100) as u32);
    }
    if rng.chance(20) {
        c.open_from = Some(360 + 15 * rng.next(6) as u16);
    }
    if rng.chance(20) {
        c.open_until = Some(960 + 30 * rng.next(6) as u16);
    }
    if rng.chance(25) {
        c.concept_tags = vec![CONCEPT_TAGS[rng.next(CONCEPT_TAGS.len() as u64) as usize]
            .key
            .into()];
    }
    c.no_extra_fees = rng.chance(20);
    if rng.chance(20) {
        c.min_capacity = Some(rng.next(120) as u32);
    }
    c.accessible = rng.chance(20);
    c.integration = rng.chance(15);
    if rng.chance(10) {
        c.provider = Some(ProviderId(format!("prov-{}", rng.next(10))));
    }
    if rng.chance(15) {
        c.provider_kind = Some(if rng.chance(50) {
            ProviderKind::Free
        } else {
            ProviderKind::Municipal
        });
    }
    if rng.chance(20) {
        c.district = Some(["altstadt", "Neustadt", "PIESCHEN"][rng.next(3) as usize].into());
    }
    if rng.chance(15) {
        c.name = Some(format!("{}", rng.next(10)));
    }
    c.include_childminders = rng.chance(50);
    c.free_places_only = rng.chance(20);
    c
}

/// The criteria written out plainly, one listing at a time, to check the index against.
fn plainly(l: &Listing, c: &Criteria) -> Option<Option<f64>> {
    let facility = l.id.kind() == ListingKind::Facility;
    let distance = c
        .origin
        .zip(l.position)
        .map(|(o, p)| distance_between(o, p));
    let ok = (facility || c.include_childminders)
        && c.care_type.is_none_or(|t| {
            if facility {
                l.care_types.contains(&t)
            } else {
                let (lo, hi) = care_ages(t);
                l.age_to_months > lo && l.age_from_months < hi
            }
        })
        && c.child_age_months
            .is_none_or(|a| l.age_from_months <= a && a <= l.age_to_months)
        && c.open_from
            .is_none_or(|t| l.opening.is_some_and(|(o, _)| o <= t))
        && c.open_until
            .is_none_or(|t| l.opening.is_some_and(|(_, cl)| cl >= t))
        && c.concept_tags.iter().all(|t| l.concept_tags.contains(t))
        && !(c.no_extra_fees && l.extra_fees)
        && c.min_capacity.is_none_or(|m| l.capacity >= m)
        && (!c.accessible || l.accessible)
        && (!c.integration || l.integration)
        && c.provider
            .as_ref()
            .is_none_or(|p| l.provider.as_ref() == Some(p))
        && c.provider_kind.is_none_or(|k| l.provider_kind == Some(k))
        && c.district
            .as_ref()
            .is_none_or(|d| l.district.to_lowercase() == d.to_lowercase())
        && c.name
            .as_ref()
            .is_none_or(|n| l.name.to_lowercase().contains(&n.to_lowercase()))
        && (!c.free_places_only || matches!(l.free_places, FreePlaces::Free | FreePlaces::Few))
        && match (c.origin, c.radius_km) {
            (Some(_), Some(km)) => distance.is_some_and(|d| d <= km * 1000.0),
            _ => true,
        };
    ok.then_some(distance)
}

#[test]
fn any_combination_matches_the_plain_reading() {
    let mut rng = Lcg(20_260_316);
    let listings = city(&mut rng, 700);
    let index = PortalIndex::new(listings.clone());
    let mut non_empty = 0;
    for round in 0..400 {
        let c = criteria(&mut rng);
        let got = index.search(&c);
        let mut want: Vec<(&Listing, Option<f64>)> = listings
            .iter()
            .filter_map(|l| plainly(l, &c).map(|d| (l, d)))
            .collect();
        want.sort_by_cached_key(|(l, _)| fold(&l.name));
        if c.origin.is_some() {
            want.sort_by(|a, b| match (a.1, b.1) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (x, y) => y.is_some().cmp(&x.is_some()),
            });
        }
        let got_ids: Vec<_> = got.iter().map(|h| &h.listing.id).collect();
        let want_ids: Vec<_> = want.iter().map(|(l, _)| &l.id).collect();
        assert_eq!(got_ids, want_ids, "round {round}: {c:?}");
        for (h, (_, d)) in got.iter().zip(&want) {
            assert_eq!(h.distance_m, *d);
        }
        non_empty += usize::from(!got.is_empty());
    }
    assert!(
        non_empty > 100,
        "the criteria are not all too narrow: {non_empty}"
    );
}

#[test]
fn thousands_of_searches_per_second() {
    let mut rng = Lcg(7);
    let index = PortalIndex::new(city(&mut rng, 700));
    let searches: Vec<Criteria> = (0..2_000).map(|_| criteria(&mut rng)).collect();
    let start = std::time::Instant::now();
    let found: usize = searches.iter().map(|c| index.search(c).len()).sum();
    let elapsed = start.elapsed();
    assert!(found > 0);
    // Two thousand searches in under a second even in a debug build (release: ~20 ms).
    assert!(elapsed.as_secs_f64() < 1.0, "{elapsed:?} for 2000 searches");
}

#[test]
fn listings_are_built_from_the_public_documents() {
    let today = Date::ymd(2026, 3, 16);
    let address = Address {
        street: "Alaunstraße 3".into(),
        postcode: "01099".into(),
        city: "Dresden".into(),
        lat: Some(Dec(Decimal::new(5_106_600, 5))),
        lon: Some(Dec(Decimal::new(1_375_400, 5))),
    };
    let provider = ProviderProfile {
        id: ProviderId("prov-awo".into()),
        name: "AWO".into(),
        kind: ProviderKind::Free,
        category: "AWO".into(),
        address: address.clone(),
        email: String::new(),
        phone: String::new(),
    };
    let profile = FacilityProfile {
        id: FacilityId("fac-1".into()),
        provider: provider.id.clone(),
        name: "Kita Alaunpark".into(),
        address,
        district: "Neustadt".into(),
        cost_centre: String::new(),
        opening_hours: String::new(),
        concept: String::new(),
        email: String::new(),
        phone: String::new(),
        lead_name: String::new(),
        website: "https://alaunpark.example".into(),
        age_from_months: 12,
        age_to_months: 84,
        opens: "06:30".into(),
        closes: "17:00".into(),
        concept_tags: vec!["reggio".into()],
        extra_fees: " Englisch 15 € ".into(),
        accessible: true,
        integration: false,
        profile_text: String::new(),
    };
    let licence = FacilityLicence {
        id: profile.id.clone(),
        provider: provider.id.clone(),
        operating_licence_date: None,
        care_types: vec![
            ApprovedPlaces {
                care_type: CareType::Nursery,
                places: Timeline::new(Date::ymd(2020, 1, 1), 30),
            },
            ApprovedPlaces {
                care_type: CareType::AfterSchool,
                places: Timeline::new(Date::ymd(2027, 1, 1), 40),
            },
        ],
        reserved_seats: vec![],
        closures: vec![],
    };
    let l = Listing::facility(&profile, &licence, &provider, today, FreePlaces::Few);
    assert_eq!(l.id.kind(), ListingKind::Facility);
    assert_eq!(l.care_types, vec![CareType::Nursery], "Hort only from 2027");
    assert_eq!(l.capacity, 30);
    assert_eq!(l.opening, Some((390, 1020)));
    assert!(l.extra_fees && l.accessible && !l.integration);
    assert_eq!(l.provider_kind, Some(ProviderKind::Free));
    assert_eq!(l.address, "Alaunstraße 3, 01099 Dresden");
    let p = l.position.unwrap();
    assert!((p.lat - 51.066).abs() < 1e-9 && (p.lon - 13.754).abs() < 1e-9);
}
