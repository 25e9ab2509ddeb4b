//! Properties every generated world must have: determinism, valid values, the requested
//! totals, ages that match care types and groups that match contracts.

use kitanetz_crdt::kinds::{CareType, ProviderKind};
use kitanetz_crdt::scalar::Date;
use kitanetz_datagen::rules::{age_years, care_type_on, consistent};
use kitanetz_datagen::{generate, provider_of_facility, Scale, World};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

fn today() -> Date {
    Date::ymd(2026, 3, 16)
}

/// The Dresden world is generated once and shared by the tests that look at it.
fn dresden() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| generate(42, &Scale::dresden(), today()))
}

fn places_on(world: &World, day: Date) -> BTreeMap<CareType, u32> {
    let mut out = BTreeMap::new();
    for f in &world.facilities {
        for ct in &f.licence.care_types {
            *out.entry(ct.care_type).or_default() +=
                f.licence.places_on(ct.care_type, day).unwrap_or(0);
        }
    }
    out
}

/// Checks that go beyond the crdt validators.
fn check_world(world: &World, today: Date) {
    let errors = world.validation_errors(today);
    assert!(
        errors.is_empty(),
        "{} invalid values, e.g. {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );

    let children: HashMap<_, _> = world
        .families
        .iter()
        .flat_map(|f| f.children.iter().map(move |c| (&c.id, (f, c))))
        .collect();
    let facilities: HashSet<_> = world.facilities.iter().map(|f| &f.profile.id).collect();
    let numbers: HashSet<_> = world.families.iter().map(|f| &f.family_number).collect();
    assert_eq!(
        numbers.len(),
        world.families.len(),
        "family numbers are unique"
    );

    let mut contracted = HashSet::new();
    for c in &world.contracts {
        let (family, child) = children[&c.child];
        assert_eq!(family.id, c.family);
        assert_eq!(child.facility.as_ref(), Some(&c.facility));
        assert!(facilities.contains(&c.facility));
        assert!(contracted.insert(&c.child), "one contract per child");
        assert!((1..=3).contains(&c.lines.len()));
        assert!(c.period.start() < today && c.period.contains(today));
        assert_eq!(
            chrono::Datelike::day(&c.period.start().0),
            1,
            "contracts start on a month start"
        );
        // The stored lines cover the period without gaps or overlaps (checked on what the
        // generator wrote, not on the settled reading, which has no gaps by construction).
        let mut lines = c.lines.clone();
        lines.sort_by_key(|l| l.valid.start());
        assert_eq!(lines[0].valid.start(), c.period.start());
        for w in lines.windows(2) {
            assert!(
                w[0].valid.is_adjacent_before(&w[1].valid),
                "{}: gap or overlap",
                c.id
            );
        }
        assert_eq!(lines.last().unwrap().valid.end(), c.period.end());
        assert_eq!(lines, c.effective_lines(), "{}: stored as it reads", c.id);
        // Ages consistent with the care type on today.
        let line = c.line_on(today).expect("a line in force today");
        let birth = child.birth_date.0;
        assert!(
            consistent(birth, today.0, line.care_type),
            "{}: born {birth}, {:?}, age {}",
            c.child,
            line.care_type,
            age_years(birth, today.0)
        );
        // Every line's care type matches the child's age during the line.
        for l in &c.lines {
            assert_eq!(
                care_type_on(birth, l.valid.start().0),
                Some(l.care_type),
                "{}",
                c.id
            );
        }
        let group = line.group.as_ref().expect("current line names a group");
        let set = world.facility(&c.facility).unwrap();
        let g = set
            .groups
            .iter()
            .find(|g| &g.id == group)
            .expect("group of the facility");
        assert_eq!(g.care_type, line.care_type);
        assert!(g.members.contains(&c.child));
    }
    for f in &world.families {
        for c in &f.children {
            assert_eq!(
                c.facility.is_some(),
                contracted.contains(&c.id),
                "children in care have a contract"
            );
        }
    }
    for f in &world.facilities {
        let members: usize = f.groups.iter().map(|g| g.members.len()).sum();
        assert_eq!(members, world.contracts_of_facility(&f.profile.id).count());
        for g in &f.groups {
            assert!(g.members.len() as u32 <= g.size, "{} over its size", g.name);
        }
        for ct in &f.licence.care_types {
            let taken = world
                .contracts_of_facility(&f.profile.id)
                .filter(|c| c.line_on(today).unwrap().care_type == ct.care_type)
                .count() as u32;
            assert!(taken <= f.licence.places_on(ct.care_type, today).unwrap());
        }
        assert!(f.profile.email.ends_with("@example.org"));
        assert!(f.profile.phone.starts_with("0351 "));
        let _ = provider_of_facility(world, &f.profile.id);
    }
    let mut handles = HashSet::new();
    for (a, p) in &world.applications {
        assert_eq!(a.id, p.application);
        assert_eq!(a.status, "active");
        assert!(a.desired_start > today);
        assert_eq!(
            care_type_on(p.child_birth_date.0, a.desired_start.0),
            Some(a.care_type)
        );
        let mut ranked = p.ranked_wishes.clone();
        ranked.sort();
        assert_eq!(ranked, a.facilities(), "ranked wishes are the wishes");
        for w in &a.wishes {
            assert_eq!(w.status, "waiting");
            assert!(w.handle.0.len() == 8 && w.handle.0.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(handles.insert(w.handle.clone()), "handles are unique");
        }
    }
    for e in world
        .families
        .iter()
        .flat_map(|f| f.guardians.iter().map(|g| &g.email))
    {
        assert!(e.is_empty() || e.ends_with("@example.com"), "{e}");
    }
}

#[test]
fn same_seed_same_world_byte_for_byte() {
    let a = generate(7, &Scale::demo(), today());
    let b = generate(7, &Scale::demo(), today());
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let c = generate(8, &Scale::demo(), today());
    assert_ne!(a, c, "the seed matters");
}

#[test]
fn dresden_is_deterministic() {
    let again = generate(42, &Scale::dresden(), today());
    assert!(again == *dresden());
}

#[test]
fn demo_world_is_valid_and_small() {
    let world = generate(1, &Scale::demo(), today());
    check_world(&world, today());
    assert_eq!(world.city_name, "Dresden");
    assert_eq!(world.providers.len(), 2);
    assert_eq!(world.providers[0].kind, ProviderKind::Municipal);
    for p in &world.providers {
        assert_eq!(world.facilities_of_provider(&p.id).count(), 2, "{}", p.name);
    }
    assert_eq!(world.facilities.len(), 4);
    assert_eq!(places_on(&world, today()).values().sum::<u32>(), 300);
    for f in &world.facilities {
        let n = world.contracts_of_facility(&f.profile.id).count();
        assert!((55..=95).contains(&n), "{}: {n} children", f.profile.name);
    }
    assert_eq!(world.childminders.len(), 3);
    assert_eq!(world.applications.len(), 40);
}

#[test]
fn other_days_and_seeds_are_valid_too() {
    for (seed, day) in [
        (3, Date::ymd(2026, 8, 1)),
        (4, Date::ymd(2027, 1, 1)),
        (5, Date::ymd(2025, 7, 31)),
        (6, Date::ymd(2028, 2, 29)),
    ] {
        check_world(&generate(seed, &Scale::demo(), day), day);
    }
}

#[test]
fn dresden_totals() {
    let world = dresden();
    check_world(world, today());
    assert_eq!(world.facilities.len(), 337);
    let offers = |ct: &[CareType]| {
        world
            .facilities
            .iter()
            .filter(|f| {
                f.licence
                    .care_types
                    .iter()
                    .map(|c| c.care_type)
                    .collect::<Vec<_>>()
                    == ct
            })
            .count()
    };
    assert_eq!(offers(&[CareType::Nursery]), 14);
    assert_eq!(offers(&[CareType::Nursery, CareType::Kindergarten]), 247);
    assert_eq!(offers(&[CareType::AfterSchool]), 76);
    let places = places_on(world, today());
    let within = |got: u32, want: u32| (got as f64 - want as f64).abs() <= want as f64 * 0.01;
    assert!(within(places[&CareType::Nursery], 7_250), "{places:?}");
    assert!(
        within(places[&CareType::Kindergarten], 18_500),
        "{places:?}"
    );
    assert!(within(places[&CareType::AfterSchool], 16_350), "{places:?}");
    assert!(within(places.values().sum(), 42_100));
    assert_eq!(world.childminders.len(), 341);
    assert_eq!(
        world.childminders.iter().map(|c| c.places).sum::<u32>(),
        1_650
    );
    let occupancy = world.contracts.len() as f64 / 42_100.0;
    assert!((0.90..=0.94).contains(&occupancy), "{occupancy}");
    let municipal = world.facilities_of_provider(&world.providers[0].id).count();
    assert!((160..=180).contains(&municipal), "{municipal}");
    assert!((55..=60).contains(&world.providers.len()));
    assert!(world
        .facilities
        .iter()
        .any(|f| !f.licence.reserved_seats.is_empty()));
    assert_eq!(
        world
            .facilities
            .iter()
            .filter(|f| !f.licence.closures.is_empty())
            .count(),
        1
    );
    assert!(world
        .contracts
        .iter()
        .any(|c| c.lines.iter().any(|l| l.reserved_seat)));
}

#[test]
fn dresden_families_look_like_a_city() {
    let world = dresden();
    let n = world.families.len() as f64;
    let children: usize = world.families.iter().map(|f| f.children.len()).sum();
    assert!(
        (30_000..=40_000).contains(&world.families.len()),
        "{} families",
        world.families.len()
    );
    assert!((38_000..=48_000).contains(&children), "{children} children");
    let siblings = world
        .families
        .iter()
        .filter(|f| f.children.len() >= 2)
        .count() as f64
        / n;
    assert!((0.25..=0.35).contains(&siblings), "{siblings}");
    let single = world
        .families
        .iter()
        .filter(|f| f.guardians.iter().any(|g| g.single_parent))
        .count() as f64
        / n;
    assert!((0.17..=0.23).contains(&single), "{single}");
    // Siblings often share a Kita.
    let shared = world
        .families
        .iter()
        .filter(|f| {
            let mut fac: Vec<_> = f
                .children
                .iter()
                .filter_map(|c| c.facility.as_ref())
                .collect();
            let placed = fac.len();
            fac.sort();
            fac.dedup();
            fac.len() < placed
        })
        .count();
    assert!(shared as f64 / n > 0.08, "{shared}");
    assert_eq!(world.applications.len(), 3_000);
    assert!(world
        .applications
        .iter()
        .any(|(a, _)| !a.sibling_in_facility.is_empty()));
    assert!(world.applications.iter().any(|(a, _)| a.transfer));
}

/// `cargo test --release -p kitanetz-datagen -- --ignored --nocapture` prints the time.
#[test]
#[ignore]
fn dresden_generation_time() {
    let start = std::time::Instant::now();
    let world = generate(42, &Scale::dresden(), today());
    let elapsed = start.elapsed();
    println!(
        "Dresden: {} facilities, {} families, {} contracts, {} applications in {elapsed:?}",
        world.facilities.len(),
        world.families.len(),
        world.contracts.len(),
        world.applications.len()
    );
    assert!(elapsed.as_secs_f64() < 5.0);
}
