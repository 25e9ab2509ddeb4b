//! Criteria catalogues: encoding order, rank-dependent criteria rejected, seeded lottery.

use crate::common::{random_instance, Rng, Shape};
use kitanetz_placement::catalogue::*;
use kitanetz_placement::{ChildId, FacilityId};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn facts_for(inst: &kitanetz_placement::Instance, seed: u64) -> Facts {
    let mut r = Rng::new(seed);
    let children = inst
        .children
        .iter()
        .map(|c| {
            let sib = (0..3)
                .filter(|_| r.chance(30))
                .map(|i| FacilityId::new(format!("f{i}")))
                .collect();
            let f = ChildFacts {
                sibling_in_facility: sib,
                desired_start: 20_000 + r.below(200) as i32,
                birth_date: 18_000 + r.below(2_000) as i32,
                integration: r.chance(10),
                transfer_priority: r.below(3) as u32,
                flags: Default::default(),
            };
            (c.id.clone(), f)
        })
        .collect();
    Facts {
        children,
        traeger: BTreeMap::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, failure_persistence: None, ..ProptestConfig::default() })]

    /// The default catalogue's points order equals (sibling, earlier start, older) order.
    #[test]
    fn lexicographic_encoding_is_sound(seed in any::<u64>()) {
        let mut inst = random_instance(seed, Shape { children: 20, ..Shape::default() });
        let facts = facts_for(&inst, seed);
        Catalogue::lastenheft_default("Dresden").compile_into(&mut inst, &facts).unwrap();
        let fac: BTreeMap<_, _> = inst.programs.iter().map(|p| (p.id.clone(), p.facility.clone())).collect();
        for p in &inst.programs {
            let tuple = |c: &ChildId| {
                let f = &facts.children[c];
                (f.sibling_in_facility.contains(&fac[&p.id]), -f.desired_start, -f.birth_date)
            };
            let wishers: Vec<&ChildId> = inst.children.iter()
                .filter(|c| c.wishes.contains(&p.id)).map(|c| &c.id).collect();
            for a in &wishers {
                for b in &wishers {
                    let (pa, pb) = (inst.points(&p.id, a), inst.points(&p.id, b));
                    prop_assert_eq!(pa.cmp(&pb), tuple(a).cmp(&tuple(b)));
                }
            }
        }
        prop_assert_eq!(inst.catalogue.as_ref().unwrap().id.as_str(), "lastenheft-default");
    }
}

#[test]
fn rank_dependent_criteria_are_rejected_by_name() {
    let json = r#"{ "id": "bad", "version": 3, "city": "X",
        "criteria": [ { "id": "sibling", "kind": "sibling_in_facility" },
                      { "id": "erstwunsch-bonus", "kind": "first_choice", "points": 50 } ] }"#;
    let cat: Catalogue = serde_json::from_str(json).unwrap();
    let err = cat.validate().unwrap_err();
    assert_eq!(
        err,
        CatalogueError::RankDependent {
            criterion: "erstwunsch-bonus".into()
        }
    );
    assert!(err.to_string().contains("erstwunsch-bonus"));
    let local = r#"{ "id": "bad2", "version": 1, "city": "X", "criteria": [],
        "local": [ { "scope": { "facility": "K1" },
                     "criteria": [ { "id": "rank", "kind": "wish_rank" } ] } ] }"#;
    let cat: Catalogue = serde_json::from_str(local).unwrap();
    let mut inst = random_instance(1, Shape::default());
    let facts = facts_for(&inst, 1);
    assert_eq!(
        cat.compile_into(&mut inst, &facts).unwrap_err(),
        CatalogueError::RankDependent {
            criterion: "rank".into()
        }
    );
}

#[test]
fn local_criteria_break_ties_within_scope_only() {
    let json = r#"{ "id": "c", "version": 1, "city": "X", "combine": "lexicographic",
        "criteria": [ { "id": "sibling", "kind": "sibling_in_facility" } ],
        "local": [ { "scope": { "traeger": "T1" },
                     "criteria": [ { "id": "catholic", "kind": "flag", "flag": "catholic" } ] } ] }"#;
    let cat: Catalogue = serde_json::from_str(json).unwrap();
    let mut inst = random_instance(
        3,
        Shape {
            children: 6,
            max_wishes: 5,
            programs: 5,
            ..Shape::default()
        },
    );
    let mut facts = facts_for(&inst, 3);
    for f in facts.children.values_mut() {
        f.sibling_in_facility.clear();
        f.flags.insert("catholic".into());
    }
    facts.traeger.insert(
        FacilityId::new("f0"),
        kitanetz_placement::TraegerId::new("T1"),
    );
    cat.compile_into(&mut inst, &facts).unwrap();
    for p in &inst.programs {
        for c in &inst.children {
            if c.wishes.contains(&p.id) {
                let expect = i64::from(p.facility.as_str() == "f0");
                assert_eq!(inst.points(&p.id, &c.id), expect, "{} {}", p.id, c.id);
            }
        }
    }
}

#[test]
fn overflowing_catalogue_is_rejected() {
    let mut criteria = Vec::new();
    for i in 0..8 {
        criteria.push(Criterion {
            id: format!("start{i}"),
            kind: CriterionKind::DesiredStart,
            points: 1,
        });
    }
    let cat = Catalogue {
        id: "big".into(),
        version: 1,
        city: "X".into(),
        combine: Combine::Lexicographic,
        criteria,
        local: vec![],
    };
    let mut inst = random_instance(
        5,
        Shape {
            children: 10,
            ..Shape::default()
        },
    );
    let mut facts = facts_for(&inst, 5);
    for (i, f) in facts.children.values_mut().enumerate() {
        f.desired_start = if i == 0 { -1_000_000 } else { 1_000_000 };
    }
    if inst.children.iter().any(|c| !c.wishes.is_empty()) && facts.children.len() > 1 {
        assert!(matches!(
            cat.compile_into(&mut inst, &facts),
            Err(CatalogueError::Overflow { .. })
        ));
    }
}

#[test]
fn lottery_from_seed_is_uniform_and_reproducible() {
    let a = lottery_from_seed("s1", &ChildId::new("c1"));
    assert_eq!(a, lottery_from_seed("s1", &ChildId::new("c1")));
    assert_ne!(a, lottery_from_seed("s2", &ChildId::new("c1")));
    let xs: Vec<f64> = (0..10_000)
        .map(|i| lottery_from_seed("seed", &ChildId::new(format!("c{i}"))))
        .collect();
    assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
    assert_eq!(
        seed_hash("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
