//! Property tests on random instances (seeded; proptest prints the seed on failure).

use crate::common::*;
use kitanetz_placement::check::check;
use kitanetz_placement::cli::Mode;
use kitanetz_placement::engine::SolveOptions;
use kitanetz_placement::protocol::place;
use kitanetz_placement::{ChildId, ProgramId};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Without groups: zero blocking pairs, zero waste, and the same matching as textbook DA.
    #[test]
    fn stable_and_equal_to_naive(seed in any::<u64>()) {
        let inst = random_instance(seed, Shape::default());
        let got = solve_da(&inst);
        let cert = check(&inst, &got);
        prop_assert!(cert.stable, "{:?}", cert.violations);
        prop_assert_eq!(cert.blocking_pairs + cert.waste, 0);
        prop_assert_eq!(got, naive_da(&inst));
    }

    /// Transfers: stable under guaranteed seats, nobody loses or moves below a current seat.
    #[test]
    fn transfers_keep_or_improve(seed in any::<u64>()) {
        let inst = random_instance(seed, Shape { current_percent: 40, ..Shape::default() });
        let got = solve_da(&inst);
        let cert = check(&inst, &got);
        prop_assert!(cert.stable, "{:?}", cert.violations);
        for c in &inst.children {
            if let Some(cur) = &c.current {
                let r = got[&c.id].as_ref();
                prop_assert!(r.is_some());
                let cur_rank = c.wishes.iter().position(|w| w == cur).unwrap_or(c.wishes.len());
                let got_rank = c.wishes.iter().position(|w| Some(w) == r).unwrap_or(c.wishes.len());
                prop_assert!(got_rank <= cur_rank);
            }
        }
    }

    /// Groups: feasible (one facility or nobody), singles without blocking pairs or waste.
    #[test]
    fn groups_feasible_and_singles_stable(seed in any::<u64>()) {
        let shape = Shape { group_percent: 30, current_percent: 10, ..Shape::default() };
        let inst = random_instance(seed, shape);
        let got = solve_da(&inst);
        let cert = check(&inst, &got);
        prop_assert!(cert.stable, "{:?}", cert.violations);
    }

    /// Same input, same bytes; input order and unknown fields do not matter.
    #[test]
    fn deterministic_output(seed in any::<u64>()) {
        let shape = Shape { group_percent: 20, current_percent: 20, ..Shape::default() };
        let inst = random_instance(seed, shape);
        for mode in [Mode::Da, Mode::Sequential] {
            let opts = SolveOptions { mode, ..SolveOptions::default() };
            let a = serde_json::to_string_pretty(&place(&inst, &opts, true)).unwrap();
            let b = serde_json::to_string_pretty(&place(&inst, &opts, true)).unwrap();
            prop_assert!(a == b, "two runs differ");
            let mut shuffled = inst.clone();
            shuffled.children.reverse();
            shuffled.programs.reverse();
            let c = serde_json::to_string_pretty(&place(&shuffled, &opts, true)).unwrap();
            if a != c {
                let diff: Vec<(&str, &str)> =
                    a.lines().zip(c.lines()).filter(|(x, y)| x != y).take(5).collect();
                prop_assert!(false, "{:?}: input order changes the output: {:?}", mode, diff);
            }
        }
    }

    /// Refill: with confirmed seats guaranteed and some seats freed, nobody confirmed moves
    /// down and the result stays stable.
    #[test]
    fn refill_moves_nobody_down(seed in any::<u64>()) {
        let inst = random_instance(seed, Shape { current_percent: 10, ..Shape::default() });
        let first = solve_da(&inst);
        let mut r = crate::common::Rng::new(seed ^ 0xABCD);
        let mut confirmed = BTreeMap::new();
        let mut declined = Vec::new();
        for (c, p) in &first {
            if let Some(p) = p {
                let child = inst.children.iter().find(|x| &x.id == c).unwrap();
                // A transfer child that moved gives up its old seat: treat the move as taken.
                let moved = child.current.as_ref().is_some_and(|cur| cur != p);
                if moved || r.chance(60) { confirmed.insert(c.clone(), p.clone()); }
                else if r.chance(50) { declined.push((c.clone(), p.clone())); }
            }
        }
        let mut next = inst.with_confirmed(&confirmed);
        // A declined offer removes that wish (the parents said no); it also frees the seat.
        for (c, p) in &declined {
            let child = next.children.iter_mut().find(|x| &x.id == c).unwrap();
            if child.current.as_ref() != Some(p) {
                child.wishes.retain(|w| w != p);
            }
        }
        next.validate().unwrap();
        let second = solve_da(&next);
        prop_assert!(check(&next, &second).stable);
        for (c, p) in &confirmed {
            let child = inst.children.iter().find(|x| &x.id == c).unwrap();
            let before = rank_in(&child.wishes, Some(p));
            let after = rank_in(&child.wishes, second[c].as_ref());
            prop_assert!(after <= before, "{} moved down from {} to {:?}", c, p, second[c]);
        }
    }
}

proptest! {
    #![proptest_config(config(60))]

    /// No child gains by truncating or reordering its own list (brute force on small cases).
    #[test]
    fn strategy_proof(seed in any::<u64>()) {
        let shape = Shape { programs: 4, children: 8, max_wishes: 4, ..Shape::default() };
        let inst = random_instance(seed, shape);
        let truth = solve_da(&inst);
        for (i, c) in inst.children.iter().enumerate() {
            let honest = rank_in(&c.wishes, truth[&c.id].as_ref());
            for lie in manipulations(&c.wishes, &inst) {
                let mut m = inst.clone();
                m.children[i].wishes = lie.clone();
                let out = solve_da(&m);
                let got = rank_in(&c.wishes, out[&c.id].as_ref());
                prop_assert!(got >= honest, "{} gains with {:?}", c.id, lie);
            }
        }
    }
}

/// Truncations, adjacent swaps, moving a wish to the front, and adding an unlisted program.
fn manipulations(w: &[ProgramId], inst: &kitanetz_placement::Instance) -> Vec<Vec<ProgramId>> {
    let mut out = Vec::new();
    for k in 0..w.len() {
        out.push(w[..k].to_vec());
    }
    for k in 0..w.len().saturating_sub(1) {
        let mut v = w.to_vec();
        v.swap(k, k + 1);
        out.push(v);
    }
    for k in 1..w.len() {
        let mut v = w.to_vec();
        let x = v.remove(k);
        v.insert(0, x);
        out.push(v);
    }
    if let Some(extra) = inst.programs.iter().find(|p| !w.contains(&p.id)) {
        let mut v = w.to_vec();
        v.insert(0, extra.id.clone());
        out.push(v);
    }
    out
}

#[test]
fn with_confirmed_sets_current() {
    let inst = random_instance(7, Shape::default());
    let Some(c) = inst.children.iter().find(|c| !c.wishes.is_empty()) else {
        return;
    };
    let mut confirmed = BTreeMap::new();
    confirmed.insert(c.id.clone(), c.wishes[0].clone());
    let next = inst.with_confirmed(&confirmed);
    let got = next.children.iter().find(|x| x.id == c.id).unwrap();
    assert_eq!(got.current.as_ref(), Some(&c.wishes[0]));
    let _: &ChildId = &got.id;
}
