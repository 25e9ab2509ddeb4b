//! Round statistics and what-if runs (issue #9 item 5): worked examples with the numbers
//! counted by hand, a catalogue change that flips known children, and properties on random
//! instances.

use crate::common::{random_instance, Shape};
use kitanetz_placement::catalogue::{Catalogue, ChildFacts, Criterion, CriterionKind, Facts};
use kitanetz_placement::cli::Mode;
use kitanetz_placement::engine::SolveOptions;
use kitanetz_placement::instance::{Date, InstanceError};
use kitanetz_placement::protocol::place;
use kitanetz_placement::statistics::{per_mille, round_statistics, AgeBands, LegalClaim};
use kitanetz_placement::whatif::{what_if, Change, Outcome, WhatIfError};
use kitanetz_placement::{run_what_if, ChildId, FacilityId, Instance, WhatIfArgs};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Three programs of one seat each, taken by c1–c3 at wishes 1, 2 and 3 (9 points each, nobody
/// else has points); c4 keeps its current seat T; five children stay without a seat.
///
/// Ages on 2027-08-01: c5 is born the day after (under 1), c6 turns 1 that very day (claim,
/// § 24 Abs. 2), c7 is 4 (claim, Abs. 3), c8 has no birth date and no wishes, c9 turns 1 the day
/// after (under 1, no claim yet).
const WORKED: &str = r#"{
  "format": "kitanetz-placement/1",
  "reference_date": "2027-08-01",
  "programs": [ { "id": "A", "facility": "K1", "capacity": 1 },
                { "id": "B", "facility": "K2", "capacity": 1 },
                { "id": "C", "facility": "K3", "capacity": 1 },
                { "id": "T", "facility": "K4", "capacity": 1 } ],
  "children": [
    { "id": "c1", "wishes": ["A"], "lottery": 0.9, "district": "Nord", "birth_date": "2025-08-01" },
    { "id": "c2", "wishes": ["A", "B"], "lottery": 0.8, "district": "Nord", "birth_date": "2025-01-15" },
    { "id": "c3", "wishes": ["A", "B", "C"], "lottery": 0.7, "district": "Süd", "birth_date": "2024-03-01" },
    { "id": "c4", "wishes": ["A"], "lottery": 0.1, "current": "T", "district": "Süd", "birth_date": "2023-06-30" },
    { "id": "c5", "wishes": ["A", "B", "C"], "lottery": 0.2, "district": "Nord", "birth_date": "2027-08-02" },
    { "id": "c6", "wishes": ["B"], "lottery": 0.3, "district": "Süd", "birth_date": "2026-08-01" },
    { "id": "c7", "wishes": ["C"], "lottery": 0.4, "birth_date": "2023-05-10" },
    { "id": "c8", "wishes": [], "lottery": 0.5, "district": "Nord" },
    { "id": "c9", "wishes": ["A"], "lottery": 0.6, "district": "Süd", "birth_date": "2026-08-02" }
  ],
  "priorities": { "A": { "c1": 9 }, "B": { "c2": 9 }, "C": { "c3": 9 } }
}"#;

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn worked_example_counted_by_hand() {
    let inst = Instance::from_json(WORKED).unwrap();
    let result = place(&inst, &SolveOptions::default(), true);
    assert!(result.protocol.certificate.stable);
    let s = result.statistics.clone().expect("asked for statistics");
    assert_eq!(s, round_statistics(&inst, &result));
    assert_eq!(s.children, 9);
    assert_eq!(s.with_wishes, 8, "c8 has no wishes");
    assert_eq!(s.placed_at_wish, 3);
    assert_eq!(s.kept_current, 1);
    assert_eq!(s.unplaced, 5);
    assert_eq!(s.rank_distribution, vec![1, 1, 1]);
    assert_eq!((s.first_choice, s.top3), (1, 3));
    // 1/8 = 125 ‰, 3/8 = 375 ‰.
    assert_eq!((s.first_choice_per_mille, s.top3_per_mille), (125, 375));
    assert_eq!(
        s.unplaced_by_district,
        counts(&[("", 1), ("Nord", 2), ("Süd", 2)])
    );
    assert_eq!(
        s.unplaced_by_age,
        AgeBands {
            under_1: 2,
            from_1_to_2: 1,
            from_2_to_3: 0,
            from_3_to_6: 1,
            from_6: 0,
            unknown: 1,
        }
    );
    assert_eq!(
        s.legal_claim,
        LegalClaim {
            reference_date: Some("2027-08-01".into()),
            unplaced: 2,
            unplaced_1_to_3: 1,
            unplaced_from_3: 1,
            unplaced_by_district: counts(&[("", 1), ("Süd", 1)]),
            age_unknown: 1,
        }
    );
    // The engine's own counters agree where they overlap.
    let old = result.stats.unwrap();
    assert_eq!(old.rank_distribution, vec![1, 1, 1]);
    assert_eq!((old.kept_current, old.unplaced), (1, 5));
}

#[test]
fn statistics_serialise_in_a_fixed_order() {
    let inst = Instance::from_json(WORKED).unwrap();
    let s = place(&inst, &SolveOptions::default(), true).statistics;
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(
        json,
        r#"{"children":9,"with_wishes":8,"placed_at_wish":3,"kept_current":1,"unplaced":5,"rank_distribution":[1,1,1],"first_choice":1,"top3":3,"first_choice_per_mille":125,"top3_per_mille":375,"unplaced_by_district":{"":1,"Nord":2,"Süd":2},"unplaced_by_age":{"under_1":2,"from_1_to_2":1,"from_2_to_3":0,"from_3_to_6":1,"from_6":0,"unknown":1},"legal_claim":{"reference_date":"2027-08-01","unplaced":2,"unplaced_1_to_3":1,"unplaced_from_3":1,"unplaced_by_district":{"":1,"Süd":1},"age_unknown":1}}"#
    );
}

#[test]
fn without_a_reference_date_every_age_is_unknown() {
    let text = WORKED.replace(r#""reference_date": "2027-08-01","#, "");
    let inst = Instance::from_json(&text).unwrap();
    let s = place(&inst, &SolveOptions::default(), true)
        .statistics
        .unwrap();
    assert_eq!(s.unplaced_by_age.unknown, 5);
    assert_eq!(s.legal_claim.unplaced, 0);
    assert_eq!(s.legal_claim.age_unknown, 5);
    assert_eq!(s.legal_claim.reference_date, None);
}

#[test]
fn per_mille_rounds_half_up() {
    assert_eq!(per_mille(1, 3), 333);
    assert_eq!(per_mille(2, 3), 667);
    assert_eq!(per_mille(1, 16), 63, "62.5 rounds up");
    assert_eq!(per_mille(1, 2000), 1, "0.5 rounds up");
    assert_eq!(per_mille(1, 2001), 0);
    assert_eq!(per_mille(7, 7), 1000);
    assert_eq!(per_mille(0, 0), 0);
}

#[test]
fn ages_in_completed_years() {
    let d = |s| Date::parse(s).unwrap();
    assert_eq!(d("2026-08-01").age_on(d("2027-07-31")), 0);
    assert_eq!(d("2026-08-01").age_on(d("2027-08-01")), 1);
    // Born on 29 February: the year is completed with 28 February (§ 188 Abs. 3 BGB).
    assert_eq!(d("2024-02-29").age_on(d("2025-02-28")), 0);
    assert_eq!(d("2024-02-29").age_on(d("2025-03-01")), 1);
    assert_eq!(d("2024-02-29").age_on(d("2028-02-29")), 4);
    assert_eq!(d("2027-08-02").age_on(d("2027-08-01")), -1);
    // The catalogue's day numbers.
    assert_eq!(Date::from_days(0), d("1970-01-01"));
    assert_eq!(Date::from_days(21_031), d("2027-08-01"));
    assert_eq!(Date::from_days(19_782), d("2024-02-29"));
    assert_eq!(Date::from_days(-1), d("1969-12-31"));
}

#[test]
fn bad_dates_are_rejected_by_field() {
    for (bad, field) in [
        (r#""reference_date": "2027-8-01","#, "reference_date"),
        (r#""reference_date": "2027-02-29","#, "reference_date"),
        (r#""reference_date": "01.08.2027","#, "reference_date"),
    ] {
        let text = WORKED.replace(r#""reference_date": "2027-08-01","#, bad);
        match Instance::from_json(&text) {
            Err(InstanceError::BadDate { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{bad}: {other:?}"),
        }
    }
    let text = WORKED.replace("2023-05-10", "2023-13-10");
    let err = Instance::from_json(&text).unwrap_err();
    assert_eq!(
        err,
        InstanceError::BadDate {
            field: "birth_date of child c7".into(),
            value: "2023-13-10".into()
        }
    );
    assert!(err.to_string().contains("YYYY-MM-DD"));
}

#[test]
fn statistics_fields_do_not_change_the_input_hash() {
    let with = Instance::from_json(WORKED).unwrap();
    let mut without = with.clone();
    without.reference_date = None;
    for c in &mut without.children {
        c.district = None;
        c.birth_date = None;
    }
    assert_eq!(with.canonical_hash(), without.canonical_hash());
    // An unknown field never entered the hash; an instance from before the fields existed keeps
    // its hash (this one was computed before them).
    let old = r#"{"format":"kitanetz-placement/1","programs":[{"id":"A","facility":"K1","capacity":1}],
        "children":[{"id":"c1","wishes":["A"],"lottery":0.5}],"priorities":{}}"#;
    assert_eq!(
        Instance::from_json(old).unwrap().canonical_hash(),
        Instance::from_json(&old.replace(r#""lottery":0.5"#, r#""lottery":0.5,"district":"Nord""#))
            .unwrap()
            .canonical_hash()
    );
}

// ---------------------------------------------------------------------------------------------
// What-if.

fn facts_of(rows: &[(&str, bool, i32)]) -> Facts {
    Facts {
        children: rows
            .iter()
            .map(|&(id, sibling_in_k1, desired_start)| {
                let facts = ChildFacts {
                    sibling_in_facility: if sibling_in_k1 {
                        vec![FacilityId::new("K1")]
                    } else {
                        vec![]
                    },
                    desired_start,
                    birth_date: 19_000,
                    ..ChildFacts::default()
                };
                (ChildId::new(id), facts)
            })
            .collect(),
        traeger: BTreeMap::new(),
    }
}

/// The council's proposal: earlier desired start before the sibling criterion.
fn start_first() -> Catalogue {
    let c = |id: &str, kind| Criterion {
        id: id.into(),
        kind,
        points: 1,
    };
    Catalogue {
        id: "start-first".into(),
        version: 2,
        city: "Dresden".into(),
        combine: Default::default(),
        criteria: vec![
            c("desired_start", CriterionKind::DesiredStart),
            c("sibling", CriterionKind::SiblingInFacility),
            c("birth_date", CriterionKind::BirthDate),
        ],
        local: vec![],
    }
}

/// Two programs of one seat. x has a sibling in K1 but a late desired start, y the earliest
/// start, z a start between them and only wish B.
///
/// In force (sibling, start, birth): x gets A by the sibling, y then beats z at B by the start.
/// Start first: y gets A, x then loses B to z, whose start is earlier.
fn flip_instance() -> Instance {
    let text = r#"{
      "format": "kitanetz-placement/1",
      "programs": [ { "id": "A", "facility": "K1", "capacity": 1 },
                    { "id": "B", "facility": "K2", "capacity": 1 } ],
      "children": [ { "id": "x", "wishes": ["A", "B"], "lottery": 0.1 },
                    { "id": "y", "wishes": ["A", "B"], "lottery": 0.2 },
                    { "id": "z", "wishes": ["B"], "lottery": 0.3 } ]
    }"#;
    let mut inst = Instance::from_json(text).unwrap();
    let facts = facts_of(&[
        ("x", true, 20_100),
        ("y", false, 20_000),
        ("z", false, 20_050),
    ]);
    Catalogue::lastenheft_default("Dresden")
        .compile_into(&mut inst, &facts)
        .unwrap();
    inst.facts = Some(facts);
    inst
}

fn at(program: Option<&str>, rank: Option<u32>) -> Outcome {
    Outcome {
        program: program.map(str::to_owned),
        rank,
    }
}

#[test]
fn a_catalogue_change_flips_known_children() {
    let inst = flip_instance();
    let before = inst.clone();
    let w = what_if(&inst, &start_first(), None, &SolveOptions::default()).unwrap();
    assert_eq!(inst, before, "the real instance is not touched");
    assert_eq!(w.format, "kitanetz-placement-what-if/1");
    assert_eq!(w.base.catalogue.as_ref().unwrap().id, "lastenheft-default");
    assert_eq!(w.alternative.catalogue.as_ref().unwrap().id, "start-first");
    assert_eq!(w.alternative.catalogue.as_ref().unwrap().version, 2);
    assert!(w.base.stable && w.alternative.stable);
    assert_ne!(w.base.input_hash, w.alternative.input_hash);
    let by_child: BTreeMap<&str, _> = w.changes.iter().map(|c| (c.child.as_str(), c)).collect();
    assert_eq!(by_child.len(), 3);
    assert_eq!(by_child["x"].change, Change::LosesPlace);
    assert_eq!(by_child["x"].base, at(Some("A"), Some(1)));
    assert_eq!(by_child["x"].alternative, at(None, None));
    assert_eq!(by_child["y"].change, Change::Better);
    assert_eq!(by_child["y"].base, at(Some("B"), Some(2)));
    assert_eq!(by_child["y"].alternative, at(Some("A"), Some(1)));
    assert_eq!(by_child["z"].change, Change::GainsPlace);
    assert_eq!(by_child["z"].alternative, at(Some("B"), Some(1)));
    let s = &w.summary;
    assert_eq!(
        (
            s.children,
            s.unchanged,
            s.gains_place,
            s.loses_place,
            s.better,
            s.worse
        ),
        (3, 0, 1, 1, 1, 0)
    );
    // Side by side: the same number placed, but more of them at their first wish.
    assert_eq!(w.base.statistics.rank_distribution, vec![1, 1]);
    assert_eq!(w.alternative.statistics.rank_distribution, vec![2, 0]);
    assert_eq!(w.base.statistics.first_choice_per_mille, 333);
    assert_eq!(w.alternative.statistics.first_choice_per_mille, 667);
    // Under the same catalogue nothing changes.
    let same = what_if(
        &inst,
        &Catalogue::lastenheft_default("Dresden"),
        None,
        &SolveOptions::default(),
    )
    .unwrap();
    assert!(same.changes.is_empty());
    assert_eq!(same.summary.unchanged, 3);
    assert_eq!(same.base.statistics, same.alternative.statistics);
}

#[test]
fn what_if_needs_facts_and_a_valid_catalogue() {
    let mut inst = flip_instance();
    inst.facts = None;
    let opts = SolveOptions::default();
    assert_eq!(
        what_if(&inst, &start_first(), None, &opts).unwrap_err(),
        WhatIfError::NoFacts
    );
    let facts = flip_instance().facts.unwrap();
    assert!(what_if(&inst, &start_first(), Some(&facts), &opts).is_ok());
    let mut bonus = start_first();
    bonus.criteria.push(Criterion {
        id: "erstwunsch".into(),
        kind: CriterionKind::FirstChoice,
        points: 10,
    });
    let err = what_if(&inst, &bonus, Some(&facts), &opts).unwrap_err();
    assert!(err.to_string().contains("erstwunsch"), "{err}");
}

#[test]
fn run_what_if_reads_files_and_writes_compact_or_pretty_json() {
    let dir = std::env::temp_dir().join(format!("kitanetz-whatif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let instance = dir.join("instance.json");
    let catalogue = dir.join("catalogue.json");
    let inst = flip_instance();
    let instance_text = serde_json::to_string_pretty(&inst).unwrap();
    std::fs::write(&instance, &instance_text).unwrap();
    std::fs::write(&catalogue, serde_json::to_string(&start_first()).unwrap()).unwrap();
    let mut args = WhatIfArgs {
        instance: instance.clone(),
        catalogue: catalogue.clone(),
        ..WhatIfArgs::default()
    };
    let mut out = Vec::new();
    assert_eq!(run_what_if(&args, &mut out).unwrap(), 0);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 1, "compact: one line");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["summary"]["gains_place"], 1);
    assert_eq!(v["changes"][0]["child"], "x");
    assert_eq!(v["changes"][0]["change"], "loses_place");
    assert_eq!(
        v["alternative"]["statistics"]["first_choice_per_mille"],
        667
    );
    args.pretty = true;
    let mut pretty = Vec::new();
    run_what_if(&args, &mut pretty).unwrap();
    let pv: serde_json::Value = serde_json::from_slice(&pretty).unwrap();
    assert_eq!(pv, v);
    assert!(String::from_utf8(pretty).unwrap().lines().count() > 20);
    assert_eq!(
        std::fs::read_to_string(&instance).unwrap(),
        instance_text,
        "the instance file is not touched"
    );
    // A separate facts file; and errors name what to fix, with exit code 2.
    let mut no_facts = inst.clone();
    no_facts.facts = None;
    std::fs::write(&instance, serde_json::to_string(&no_facts).unwrap()).unwrap();
    let err = run_what_if(&args, &mut Vec::new()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("facts"), "{err}");
    let facts = dir.join("facts.json");
    std::fs::write(&facts, serde_json::to_string(&inst.facts).unwrap()).unwrap();
    args.facts = Some(facts.clone());
    assert_eq!(run_what_if(&args, &mut Vec::new()).unwrap(), 0);
    std::fs::write(&catalogue, "{ \"id\": 3 }").unwrap();
    let err = run_what_if(&args, &mut Vec::new()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().starts_with("invalid catalogue"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// The rank distribution sums with the kept and unplaced children to all children and
    /// matches the assignment wish by wish; the breakdowns of the unplaced add up.
    #[test]
    fn rank_distribution_matches_the_assignment(seed in any::<u64>(), sequential in any::<bool>()) {
        let inst = random_instance(seed, Shape {
            current_percent: 30,
            group_percent: 20,
            ..Shape::default()
        });
        // The generator's group partners may repeat a wish; such an instance is invalid.
        prop_assume!(inst.validate().is_ok());
        let opts = SolveOptions {
            mode: if sequential { Mode::Sequential } else { Mode::Da },
            ..SolveOptions::default()
        };
        let result = place(&inst, &opts, true);
        let s = result.statistics.clone().unwrap();
        prop_assert_eq!(s.children as usize, inst.children.len());
        prop_assert_eq!(s.placed_at_wish + s.kept_current + s.unplaced, s.children);
        prop_assert_eq!(s.rank_distribution.iter().sum::<u64>(), s.placed_at_wish);
        let max_len = inst.children.iter().map(|c| c.wishes.len()).max().unwrap_or(0);
        prop_assert_eq!(s.rank_distribution.len(), max_len);
        for (i, &n) in s.rank_distribution.iter().enumerate() {
            let counted = inst.children.iter().filter(|c| {
                let got = result.assignment[c.id.as_str()].as_deref();
                got.is_some()
                    && c.wishes.get(i).map(|w| w.as_str()) == got
                    && c.current.as_ref().map(|p| p.as_str()) != got
            }).count() as u64;
            prop_assert_eq!(n, counted, "wish {}", i + 1);
        }
        let unplaced = result.assignment.values().filter(|p| p.is_none()).count() as u64;
        prop_assert_eq!(s.unplaced, unplaced);
        prop_assert_eq!(s.unplaced_by_district.values().sum::<u64>(), s.unplaced);
        let a = &s.unplaced_by_age;
        prop_assert_eq!(
            a.under_1 + a.from_1_to_2 + a.from_2_to_3 + a.from_3_to_6 + a.from_6 + a.unknown,
            s.unplaced
        );
        let claim = &s.legal_claim;
        prop_assert_eq!(claim.unplaced, a.from_1_to_2 + a.from_2_to_3 + a.from_3_to_6 + a.from_6);
        prop_assert_eq!(claim.unplaced, claim.unplaced_1_to_3 + claim.unplaced_from_3);
        prop_assert_eq!(claim.unplaced_by_district.values().sum::<u64>(), claim.unplaced);
        prop_assert_eq!(claim.age_unknown, a.unknown);
        prop_assert!(s.first_choice_per_mille <= s.top3_per_mille && s.top3_per_mille <= 1000);
        // The engine's index-based counters agree (their list may be shorter: it stops at the
        // current seat).
        let old = result.stats.unwrap();
        let mut dist: Vec<u64> = old.rank_distribution.iter().map(|&n| n as u64).collect();
        dist.resize(s.rank_distribution.len(), 0);
        prop_assert_eq!(dist, s.rank_distribution.clone());
        prop_assert_eq!((old.kept_current as u64, old.unplaced as u64), (s.kept_current, s.unplaced));
    }

    /// Comparing a run with itself changes nothing; comparing two runs lists exactly the
    /// children whose seat differs.
    #[test]
    fn what_if_lists_exactly_the_differences(seed in any::<u64>()) {
        let inst = random_instance(seed, Shape { current_percent: 20, ..Shape::default() });
        let mut other = inst.clone();
        // Another rule: every child's points reversed.
        for row in other.priorities.values_mut() {
            for p in row.values_mut() {
                p.0 = 3 - p.0;
            }
        }
        let opts = SolveOptions::default();
        let (a, b) = (place(&inst, &opts, false), place(&other, &opts, false));
        let w = kitanetz_placement::whatif::compare(&inst, &a, &other, &b);
        let differ = inst.children.iter()
            .filter(|c| a.assignment[c.id.as_str()] != b.assignment[c.id.as_str()])
            .count() as u64;
        prop_assert_eq!(w.changes.len() as u64, differ);
        let s = &w.summary;
        prop_assert_eq!(s.unchanged + s.gains_place + s.loses_place + s.better + s.worse, s.children);
        prop_assert!(w.changes.windows(2).all(|p| p[0].child < p[1].child));
        let same = kitanetz_placement::whatif::compare(&inst, &a, &inst, &a);
        prop_assert!(same.changes.is_empty());
    }
}

#[test]
fn place_writes_statistics_compact_by_default_and_pretty_on_request() {
    let dir = std::env::temp_dir().join(format!("kitanetz-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let instance = dir.join("worked.json");
    std::fs::write(&instance, WORKED).unwrap();
    let mut args = kitanetz_placement::PlaceArgs {
        instance,
        stats: true,
        check: true,
        ..Default::default()
    };
    let run = |args: &kitanetz_placement::PlaceArgs| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = kitanetz_placement::run_place_with(args, &mut out, &mut err).unwrap();
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        String::from_utf8(out).unwrap()
    };
    let compact = run(&args);
    assert_eq!(compact.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&compact).unwrap();
    assert_eq!(v["statistics"]["legal_claim"]["unplaced"], 2);
    assert_eq!(v["statistics"]["unplaced_by_district"]["Süd"], 2);
    args.pretty = true;
    let pretty = run(&args);
    assert!(pretty.lines().count() > 50);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&pretty).unwrap(),
        v
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Input hashes are published with every round: they must not change when the code that
/// computes them does. Pinned from the implementation before the statistics fields existed.
#[test]
fn input_hashes_are_pinned() {
    let golden = [
        (
            "basic",
            "bcc8558c47ba89d0ca1d52069ca34675922028bea32a0d2f3d775c4a09882948",
        ),
        (
            "groups_search",
            "397e86723ee29b0b6772b477a0c64875d7fb178ebc9874aa30ffec3fd38dd869",
        ),
        (
            "transfer",
            "33ab96a1d7598cdde8ef9f0a3cf2bfb2a8258acd8b1d525d76b648273da20d7e",
        ),
        (
            "sequential",
            "d4587c67ad836c0674f2da5e6b4490943c025d07fe8744c8500eb189e89db4a7",
        ),
        (
            "lottery_ties",
            "f7285eb48dcdedc98ebd0d7a5f1818a791db92e808122a992bfbcae323fe289c",
        ),
        (
            "first_wish_only",
            "9dd9076a918c76b36a4bc08ed23a11d3c21606a697921a9a4fd2257935d92135",
        ),
        (
            "siblings",
            "93f1368f54eca87296760f404fc934e4c7f825c0bd67a022a694f23c210a813b",
        ),
    ];
    for (name, hash) in golden {
        let path = format!(
            "{}/tests/golden/{name}.json",
            std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR")
                    .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
            )
            .display()
        );
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            Instance::from_json(&text).unwrap().canonical_hash(),
            hash,
            "{name}"
        );
    }
    let random = [
        (
            1,
            "529769b0e11396c3b1b1a0eec8f85be7baaca6a8a9851244ca4b9544b497733c",
        ),
        (
            2,
            "5add892fc82287d2d4a920279b9eab74091ba27d4d6bfdc0edc6f2ade3f05d94",
        ),
        (
            3,
            "683b89ebe0010849b777ec4582d1ae521df4b831accccea2e8913771bc681ae1",
        ),
        (
            4,
            "f2141010a150292369e3cb3679af16ec64c111826818d6f310f1e01e9b573f73",
        ),
    ];
    for (seed, hash) in random {
        let inst = random_instance(
            seed,
            Shape {
                current_percent: 30,
                group_percent: 20,
                ..Shape::default()
            },
        );
        assert_eq!(inst.canonical_hash(), hash, "seed {seed}");
    }
    // With a catalogue, explicit zero points and facts (which stay out).
    assert_eq!(
        flip_instance().canonical_hash(),
        "8b67c87e1b5f42c54642f767771fee518815bafa2764b3779d865df2e9c6ffaa"
    );
}

proptest! {
    #![proptest_config(config(500))]

    /// The checker with its own interning gives the same certificate as the string-level
    /// reference, on solved assignments and on broken ones (moved, dropped, unknown children and
    /// programs, over-full programs, split groups).
    #[test]
    fn checker_equals_the_string_level_reference(seed in any::<u64>(), breaks in 0u64..6) {
        use kitanetz_placement::check::check;
        use kitanetz_placement::{ChildId, ProgramId};
        let inst = random_instance(seed, Shape {
            current_percent: 30,
            group_percent: 30,
            ..Shape::default()
        });
        prop_assume!(inst.validate().is_ok());
        let mut a = crate::common::solve_da(&inst);
        let mut r = crate::common::Rng::new(seed ^ 0xC0FFEE);
        let ids: Vec<ChildId> = a.keys().cloned().collect();
        let progs: Vec<ProgramId> = inst.programs.iter().map(|p| p.id.clone()).collect();
        for _ in 0..breaks {
            if ids.is_empty() {
                break;
            }
            let c = ids[r.below(ids.len() as u64) as usize].clone();
            match r.below(5) {
                0 => { a.insert(c, None); }
                1 => { a.insert(c, Some(progs[r.below(progs.len() as u64) as usize].clone())); }
                2 => { a.remove(&c); }
                3 => { a.insert(c, Some(ProgramId::new("nowhere"))); }
                _ => { a.insert(ChildId::new("stranger"), None); }
            }
        }
        prop_assert_eq!(check(&inst, &a), crate::check_reference::reference_check(&inst, &a));
    }
}
