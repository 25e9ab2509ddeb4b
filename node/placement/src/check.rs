//! Independent stability checker.
//!
//! Deliberately shares no code with the engine: it works on the string-level [`Instance`] and a
//! string-level assignment, with its own priority comparison written from the definition
//! (guaranteed seat, then points, then the smaller lottery, then the smaller child id). A bug in
//! the interning, the key encoding or the deferred acceptance therefore cannot hide itself.
//!
//! For every child without a `together` group and every program it ranks strictly above its
//! result, the program must be full of children who all have strictly higher priority there.
//! A full program with a weaker occupant is a **blocking pair**; a program with an empty seat is
//! **waste**. Both must be zero for the certificate to hold. The checker also verifies
//! feasibility: capacities, results taken from the child's own list, transfer children never
//! losing their seat, groups in one facility or not placed.

use crate::ids::{ChildId, GroupId, ProgramId};
use crate::instance::{Child, Instance};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// A string-level assignment: every child to a program or `None`.
pub type Assignment = BTreeMap<ChildId, Option<ProgramId>>;

/// One violation found by the checker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// `blocking_pair`, `waste`, `capacity`, `invalid_assignment`, `lost_current`, `group`.
    pub kind: &'static str,
    /// Child concerned (for `capacity`: empty).
    pub child: String,
    /// Program concerned.
    pub program: String,
    /// For a blocking pair: the weakest occupant the child would displace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub displaces: Option<String>,
}

/// The stability certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// Children without a group whose wishes were checked.
    pub checked_children: usize,
    /// (child, program) pairs that block.
    pub blocking_pairs: usize,
    /// (child, program) pairs where the program has an empty seat.
    pub waste: usize,
    /// Feasibility violations (capacity, list, transfer, group).
    pub infeasible: usize,
    /// Whether `blocking_pairs`, `waste` and `infeasible` are all zero.
    pub stable: bool,
    /// The violations, in child/program order.
    pub violations: Vec<Violation>,
}

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

/// The checker's own interning: programs and children by their position in the instance,
/// points per child as a sorted list of (program, points).
///
/// Why: at 100,000 children the string-keyed maps (tree or hash) took over half a second of
/// `kitanetz place`; this is the checker's own code, not the engine's [`crate::problem`], so a
/// bug in the engine's interning still cannot hide itself here.
struct Index<'a> {
    inst: &'a Instance,
    program: HashMap<&'a str, u32>,
    /// `points[off[c]..off[c + 1]]`: (program, points) of child `c`, by program.
    off: Vec<usize>,
    points: Vec<(u32, i64)>,
}

impl<'a> Index<'a> {
    fn of(inst: &'a Instance, child: &HashMap<&'a str, u32>) -> Self {
        let program: HashMap<&str, u32> = inst
            .programs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u32))
            .collect();
        let mut given: Vec<(u32, u32, i64)> = Vec::new();
        for (p, row) in &inst.priorities {
            let Some(&q) = program.get(p.as_str()) else {
                continue;
            };
            for (c, pts) in row {
                if let Some(&ci) = child.get(c.as_str()) {
                    given.push((ci, q, pts.0));
                }
            }
        }
        given.sort_unstable();
        let mut off = vec![0; inst.children.len() + 1];
        for g in &given {
            off[g.0 as usize + 1] += 1;
        }
        for c in 0..inst.children.len() {
            off[c + 1] += off[c];
        }
        let points = given.into_iter().map(|(_, q, pts)| (q, pts)).collect();
        Index {
            inst,
            program,
            off,
            points,
        }
    }

    /// Index of a program named in the (valid) instance.
    fn q(&self, p: &ProgramId) -> u32 {
        self.program[p.as_str()]
    }

    /// Priority of child `c` (by position) at program `q`.
    fn prio(&self, c: u32, q: u32) -> Prio<'a> {
        let child = &self.inst.children[c as usize];
        let mine = &self.points[self.off[c as usize]..self.off[c as usize + 1]];
        let points = mine
            .binary_search_by_key(&q, |e| e.0)
            .map_or(0, |i| mine[i].1);
        Prio {
            guaranteed: child.current.as_ref().map(|p| self.q(p)) == Some(q),
            points,
            lottery: child.lottery,
            id: &child.id,
        }
    }

    /// The child's effective list: wishes down to its current seat, then the current seat.
    fn effective_list(&self, c: &Child) -> Vec<u32> {
        let current = c.current.as_ref().map(|p| self.q(p));
        let mut out = Vec::with_capacity(c.wishes.len() + 1);
        for w in &c.wishes {
            let q = self.q(w);
            out.push(q);
            if current == Some(q) {
                return out;
            }
        }
        out.extend(current);
        out
    }
}

/// A child's result as the checker reads it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Got {
    /// No seat (or not in the assignment).
    Nothing,
    /// A program of the instance.
    Program(u32),
    /// A program the instance does not have.
    Unknown,
}

/// Checks `assignment` against `inst` (which must be valid).
pub fn check(inst: &Instance, assignment: &Assignment) -> Certificate {
    let mut violations = Vec::new();
    let mut v = |kind, child: &str, program: &str, displaces: Option<String>| {
        violations.push(Violation {
            kind,
            child: child.to_owned(),
            program: program.to_owned(),
            displaces,
        })
    };
    let child_ix: HashMap<&str, u32> = inst
        .children
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i as u32))
        .collect();
    let ix = Index::of(inst, &child_ix);
    let pid = |q: u32| inst.programs[q as usize].id.as_str();
    let mut group_size: HashMap<&GroupId, usize> = HashMap::new();
    for c in &inst.children {
        if let Some(g) = &c.together {
            *group_size.entry(g).or_default() += 1;
        }
    }
    let in_group = |c: &Child| c.together.as_ref().is_some_and(|g| group_size[g] >= 2);

    // What the assignment says per child (by position); `listed` marks children it names.
    let mut result = vec![Got::Nothing; inst.children.len()];
    let mut listed = vec![false; inst.children.len()];
    for (id, p) in assignment {
        let got = match p {
            None => Got::Nothing,
            Some(p) => ix
                .program
                .get(p.as_str())
                .map_or(Got::Unknown, |&q| Got::Program(q)),
        };
        match child_ix.get(id.as_str()) {
            Some(&c) if got != Got::Unknown => {
                result[c as usize] = got;
                listed[c as usize] = true;
            }
            known => {
                if let Some(&c) = known {
                    result[c as usize] = got;
                    listed[c as usize] = true;
                }
                v(
                    "invalid_assignment",
                    id.as_str(),
                    p.as_ref().map_or("", |p| p.as_str()),
                    None,
                );
            }
        }
    }
    for (ci, c) in inst.children.iter().enumerate() {
        let r = result[ci];
        if !listed[ci] {
            v("invalid_assignment", c.id.as_str(), "", None);
        }
        match r {
            Got::Program(q) if !ix.effective_list(c).contains(&q) => {
                v("invalid_assignment", c.id.as_str(), pid(q), None);
            }
            Got::Unknown => {
                let p = assignment[&c.id].as_ref().expect("a program");
                v("invalid_assignment", c.id.as_str(), p.as_str(), None);
            }
            _ => {}
        }
        if let (Some(cur), Got::Nothing) = (&c.current, r) {
            v("lost_current", c.id.as_str(), cur.as_str(), None);
        }
    }

    // Occupants and the weakest occupant per program.
    let mut occupants: Vec<Vec<u32>> = vec![Vec::new(); inst.programs.len()];
    for (ci, r) in result.iter().enumerate() {
        if let Got::Program(q) = r {
            occupants[*q as usize].push(ci as u32);
        }
    }
    let mut weakest: Vec<Option<u32>> = vec![None; inst.programs.len()];
    // In program id order, so that the capacity violations come out the same on every run.
    let mut by_program: Vec<u32> = (0..inst.programs.len() as u32)
        .filter(|&q| !occupants[q as usize].is_empty())
        .collect();
    by_program.sort_unstable_by(|&a, &b| pid(a).cmp(pid(b)));
    for q in by_program {
        let occ = &occupants[q as usize];
        if occ.len() as i64 > inst.programs[q as usize].capacity {
            v("capacity", "", pid(q), None);
        }
        weakest[q as usize] = occ
            .iter()
            .copied()
            .min_by(|&a, &b| compare(&ix.prio(a, q), &ix.prio(b, q)));
    }

    // Groups: either all members in one facility, or nobody moved off their current seat.
    let mut groups: BTreeMap<&GroupId, Vec<usize>> = BTreeMap::new();
    for (ci, c) in inst
        .children
        .iter()
        .enumerate()
        .filter(|(_, c)| in_group(c))
    {
        groups
            .entry(c.together.as_ref().expect("in group"))
            .or_default()
            .push(ci);
    }
    for (g, members) in &groups {
        let current = |ci: usize| {
            inst.children[ci]
                .current
                .as_ref()
                .map_or(Got::Nothing, |p| Got::Program(ix.q(p)))
        };
        let moved = members
            .iter()
            .any(|&ci| result[ci] != Got::Nothing && result[ci] != current(ci));
        if moved {
            let mut facilities = members.iter().map(|&ci| match result[ci] {
                Got::Program(q) => Some(&inst.programs[q as usize].facility),
                _ => None,
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
    let mut in_order: Vec<usize> = (0..inst.children.len())
        .filter(|&ci| !in_group(&inst.children[ci]))
        .collect();
    in_order.sort_unstable_by(|&a, &b| inst.children[a].id.cmp(&inst.children[b].id));
    for ci in in_order {
        let c = &inst.children[ci];
        checked += 1;
        let r = result[ci];
        for q in ix.effective_list(c) {
            if r == Got::Program(q) {
                break;
            }
            let cap = inst.programs[q as usize].capacity;
            let occ = occupants[q as usize].len() as i64;
            if occ < cap {
                v("waste", c.id.as_str(), pid(q), None);
            } else if let Some(w) = weakest[q as usize] {
                if compare(&ix.prio(ci as u32, q), &ix.prio(w, q)) == Ordering::Greater {
                    v(
                        "blocking_pair",
                        c.id.as_str(),
                        pid(q),
                        Some(inst.children[w as usize].id.0.clone()),
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
