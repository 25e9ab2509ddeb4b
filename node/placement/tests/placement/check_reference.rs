//! The stability checker as it was before it got its own interning (commit af2e73f), kept as
//! a reference: the faster checker must give the same certificate on any assignment, valid or
//! not.

use kitanetz_placement::check::{Assignment, Certificate, Violation};
use kitanetz_placement::instance::{Child, Instance};
use kitanetz_placement::{ChildId, GroupId, ProgramId};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// Priority of a child at a program, as the checker sees it.
struct Prio<'a> {
    guaranteed: bool,
    points: i64,
    lottery: f64,
    id: &'a ChildId,
}

/// `Greater` means `a` has the higher priority.
fn compare(a: &Prio, b: &Prio) -> Ordering {
    a.guaranteed
        .cmp(&b.guaranteed)
        .then(a.points.cmp(&b.points))
        .then_with(|| {
            b.lottery
                .partial_cmp(&a.lottery)
                .expect("validated lotteries are finite")
        })
        .then_with(|| b.id.cmp(a.id))
}

fn prio<'a>(inst: &Instance, c: &'a Child, p: &ProgramId) -> Prio<'a> {
    Prio {
        guaranteed: c.current.as_ref() == Some(p),
        points: inst.points(p, &c.id),
        lottery: c.lottery,
        id: &c.id,
    }
}

/// The child's effective list: wishes down to its current seat, then the current seat.
fn effective_list(c: &Child) -> Vec<&ProgramId> {
    let mut out = Vec::new();
    for w in &c.wishes {
        out.push(w);
        if c.current.as_ref() == Some(w) {
            return out;
        }
    }
    if let Some(cur) = &c.current {
        out.push(cur);
    }
    out
}

/// Checks `assignment` against `inst` (which must be valid).
pub fn reference_check(inst: &Instance, assignment: &Assignment) -> Certificate {
    let mut violations = Vec::new();
    let mut v = |kind, child: &str, program: &str, displaces: Option<String>| {
        violations.push(Violation {
            kind,
            child: child.to_owned(),
            program: program.to_owned(),
            displaces,
        })
    };
    let programs: HashMap<&ProgramId, &kitanetz_placement::instance::Program> =
        inst.programs.iter().map(|p| (&p.id, p)).collect();
    let children: BTreeMap<&ChildId, &Child> = inst.children.iter().map(|c| (&c.id, c)).collect();
    let mut group_size: HashMap<&GroupId, usize> = HashMap::new();
    for c in &inst.children {
        if let Some(g) = &c.together {
            *group_size.entry(g).or_default() += 1;
        }
    }
    let in_group = |c: &Child| c.together.as_ref().is_some_and(|g| group_size[g] >= 2);

    let mut result: HashMap<&ChildId, Option<&ProgramId>> = HashMap::new();
    for (id, p) in assignment {
        if !children.contains_key(id) || p.as_ref().is_some_and(|p| !programs.contains_key(p)) {
            v(
                "invalid_assignment",
                id.as_str(),
                p.as_ref().map_or("", |p| p.as_str()),
                None,
            );
        }
    }
    for c in &inst.children {
        let r = assignment.get(&c.id).and_then(|p| p.as_ref());
        if !assignment.contains_key(&c.id) {
            v("invalid_assignment", c.id.as_str(), "", None);
        }
        if let Some(p) = r {
            if !effective_list(c).contains(&p) {
                v("invalid_assignment", c.id.as_str(), p.as_str(), None);
            }
        }
        if let (Some(cur), None) = (&c.current, r) {
            v("lost_current", c.id.as_str(), cur.as_str(), None);
        }
        result.insert(&c.id, r);
    }

    // Occupants and the weakest occupant per program.
    let mut occupants: HashMap<&ProgramId, Vec<&Child>> = HashMap::new();
    for c in &inst.children {
        if let Some(Some(p)) = result.get(&c.id) {
            if programs.contains_key(p) {
                occupants.entry(p).or_default().push(c);
            }
        }
    }
    let mut weakest: HashMap<&ProgramId, &Child> = HashMap::new();
    // In program order, so that the capacity violations come out the same on every run.
    let mut by_program: Vec<(&&ProgramId, &Vec<&Child>)> = occupants.iter().collect();
    by_program.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (p, occ) in by_program {
        if occ.len() as i64 > programs[p].capacity {
            v("capacity", "", p.as_str(), None);
        }
        let w = occ
            .iter()
            .min_by(|a, b| compare(&prio(inst, a, p), &prio(inst, b, p)))
            .expect("non-empty");
        weakest.insert(p, w);
    }

    // Groups: either all members in one facility, or nobody moved off their current seat.
    let mut groups: BTreeMap<&GroupId, Vec<&Child>> = BTreeMap::new();
    for c in inst.children.iter().filter(|c| in_group(c)) {
        groups
            .entry(c.together.as_ref().expect("in group"))
            .or_default()
            .push(c);
    }
    for (g, members) in &groups {
        let moved = members
            .iter()
            .any(|c| result[&c.id].is_some() && result[&c.id] != c.current.as_ref());
        if moved {
            let mut facilities = members.iter().map(|c| {
                result[&c.id]
                    .and_then(|p| programs.get(p))
                    .map(|p| &p.facility)
            });
            let first = facilities.next().flatten();
            if first.is_none() || !facilities.all(|f| f == first) {
                v("group", g.as_str(), "", None);
            }
        }
    }

    // Stability for children without a group.
    let mut checked = 0;
    // In id order, so that the certificate does not depend on the input order.
    for c in children.values().filter(|c| !in_group(c)) {
        checked += 1;
        let r = result[&c.id];
        for p in effective_list(c) {
            if Some(p) == r {
                break;
            }
            let cap = programs[p].capacity;
            let occ = occupants.get(p).map_or(0, |o| o.len()) as i64;
            if occ < cap {
                v("waste", c.id.as_str(), p.as_str(), None);
            } else if let Some(w) = weakest.get(p) {
                if compare(&prio(inst, c, p), &prio(inst, w, p)) == Ordering::Greater {
                    v(
                        "blocking_pair",
                        c.id.as_str(),
                        p.as_str(),
                        Some(w.id.0.clone()),
                    );
                }
            }
        }
    }
    let count = |k: &str| violations.iter().filter(|x| x.kind == k).count();
    let blocking_pairs = count("blocking_pair");
    let waste = count("waste");
    let infeasible = violations.len() - blocking_pairs - waste;
    Certificate {
        checked_children: checked,
        blocking_pairs,
        waste,
        infeasible,
        stable: violations.is_empty(),
        violations,
    }
}
