//! The round protocol (persisted format `kitanetz-placement-result/1`).
//!
//! Everything a court needs to see that every place went to a child of higher priority: the
//! input hash, catalogue and seed hash, engine version, the matching, the independent checker's
//! certificate, the cutoff of every program and, for every child and every wish it ranked above
//! its result, why it did not get it. All maps are `BTreeMap`s and all numbers are integers or
//! shortest round-trip floats, so the same input gives byte-identical output.

use crate::check::{self, Assignment, Certificate};
use crate::engine::{self, Mode, Solution, SolveOptions};
use crate::ids::{ChildId, ProgramId};
use crate::instance::{CatalogueRef, Instance};
use crate::problem::{Interner, Problem, NONE};
use crate::statistics::{statistics_with, RoundStatistics};
use serde::Serialize;
use std::collections::BTreeMap;

/// Format tag of a result.
pub const RESULT_FORMAT: &str = "kitanetz-placement-result/1";

/// The priority of the last admitted child of a full program.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cutoff {
    /// The last admitted child.
    pub child: String,
    /// Its points at the program.
    pub points: i64,
    /// Its lottery number.
    pub lottery: f64,
    /// Whether it holds the seat as its current (guaranteed) seat.
    pub guaranteed: bool,
}

/// Why a child did not get a wish ranked above its result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The wished program.
    pub program: String,
    /// The child's points there.
    pub points: i64,
    /// The program's cutoff (`null` if it is not full).
    pub cutoff: Option<Cutoff>,
    /// `lower_priority` (full of children with higher priority), `group` (placed together with
    /// its group), `not_forwarded` (sequential: stays with wish 1), `sequential_order`
    /// (sequential: seats went to earlier rounds), or `violation` (should never appear in DA).
    pub reason: &'static str,
}

/// A residual blocking coalition of a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResidualCoalition {
    /// Group id.
    pub group: String,
    /// The better programs the members would all be admitted to.
    pub programs: BTreeMap<String, String>,
}

/// Group section of the protocol.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupSection {
    /// Number of groups (of two or more children).
    pub groups: usize,
    /// Deferred-acceptance runs used.
    pub runs: u64,
    /// Search budget in runs.
    pub budget: u64,
    /// Whether the search stopped at the budget.
    pub budget_exhausted: bool,
    /// Coalitions left.
    pub residual_coalitions: Vec<ResidualCoalition>,
}

/// The round protocol.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Protocol {
    /// Engine name.
    pub engine: &'static str,
    /// Engine (crate) version.
    pub engine_version: &'static str,
    /// Procedure.
    pub mode: Mode,
    /// SHA-256 of the canonical instance.
    pub input_hash: String,
    /// Catalogue that produced the points, if recorded in the instance.
    pub catalogue: Option<CatalogueRef>,
    /// SHA-256 of the lottery seed, if any.
    pub seed_hash: Option<String>,
    /// Independent checker's certificate.
    pub certificate: Certificate,
    /// Per program: cutoff, `null` if not full.
    pub cutoffs: BTreeMap<String, Option<Cutoff>>,
    /// Per child with a wish above its result: the reasons.
    pub explanations: BTreeMap<String, Vec<Explanation>>,
    /// Groups.
    pub groups: GroupSection,
    /// Sequential mode: waitlists per program in priority order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlists: Option<BTreeMap<String, Vec<String>>>,
    /// Children without a seat (the central pool in sequential mode).
    pub unplaced: Vec<String>,
}

/// Engine counters (`--stats`): shares as floats, kept as they were for existing readers; the
/// round statistics in integers are [`RoundStatistics`] (`statistics`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Children.
    pub children: usize,
    /// Children placed at a wish (not at their kept current seat).
    pub placed_at_wish: usize,
    /// Transfer children who kept their current seat.
    pub kept_current: usize,
    /// Children without a seat.
    pub unplaced: usize,
    /// `rank_distribution[i]`: children placed at wish `i + 1`.
    pub rank_distribution: Vec<usize>,
    /// Share of children with wishes placed at wish 1.
    pub first_choice_share: f64,
    /// Share of children with wishes placed at wishes 1–3.
    pub top3_share: f64,
    /// Proposals (applications) made by the engine.
    pub proposals: u64,
}

/// The whole result document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlacementResult {
    /// [`RESULT_FORMAT`].
    pub format: &'static str,
    /// Child to program (`null`: no seat).
    pub assignment: BTreeMap<String, Option<String>>,
    /// Round protocol.
    pub protocol: Protocol,
    /// Engine counters, if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    /// Round statistics (integers; unplaced by district and age, legal claim), if asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics: Option<RoundStatistics>,
}

/// Solves a validated instance and builds the result document (pure).
pub fn place(inst: &Instance, opts: &SolveOptions, with_stats: bool) -> PlacementResult {
    let (p, names) = Problem::from_instance(inst);
    let sol = engine::solve(&p, opts);
    build(inst, &p, &names, &sol, opts, with_stats)
}

impl PlacementResult {
    /// The assignment with typed ids (what the checker reads).
    pub fn assignment_ids(&self) -> Assignment {
        self.assignment
            .iter()
            .map(|(c, p)| (ChildId::new(c.clone()), p.as_deref().map(ProgramId::from)))
            .collect()
    }
}

/// String-level assignment of a solution.
pub fn assignment_of(p: &Problem, names: &Interner, sol: &Solution) -> Assignment {
    (0..p.n_children() as u32)
        .map(|c| {
            let prog = sol
                .program_of(p, c)
                .map(|q| names.programs[q as usize].clone());
            (names.children[c as usize].clone(), prog)
        })
        .collect()
}

/// Builds the result document from a solution.
pub fn build(
    inst: &Instance,
    p: &Problem,
    names: &Interner,
    sol: &Solution,
    opts: &SolveOptions,
    with_stats: bool,
) -> PlacementResult {
    let assignment = assignment_of(p, names, sol);
    let certificate = check::check(inst, &assignment);
    let entry = |c: u32| p.off[c as usize] as usize + sol.pos[c as usize] as usize;
    // Worst admitted key and count per program.
    let mut worst = vec![u64::MAX; p.n_programs()];
    let mut count = vec![0u32; p.n_programs()];
    for c in 0..p.n_children() as u32 {
        if let Some(q) = sol.program_of(p, c) {
            worst[q as usize] = worst[q as usize].min(p.key(c, entry(c)));
            count[q as usize] += 1;
        }
    }
    let cutoff_of = |q: usize| -> Option<(u64, Cutoff)> {
        if count[q] < p.capacity[q] || count[q] == 0 {
            return None;
        }
        let c = p.child_of_key(worst[q]);
        Some((
            worst[q],
            Cutoff {
                child: names.children[c as usize].0.clone(),
                points: p.points_at(c, entry(c)),
                lottery: p.lottery[c as usize],
                guaranteed: sol.pos[c as usize] == p.current_pos[c as usize],
            },
        ))
    };
    let cutoffs_idx: Vec<Option<(u64, Cutoff)>> = (0..p.n_programs()).map(cutoff_of).collect();
    let cutoffs = (0..p.n_programs())
        .map(|q| {
            let name = names.programs[q].0.clone();
            (name, cutoffs_idx[q].as_ref().map(|c| c.1.clone()))
        })
        .collect();
    let mut explanations = BTreeMap::new();
    let mut unplaced = Vec::new();
    for c in 0..p.n_children() as u32 {
        let cu = c as usize;
        let upto = match sol.pos[cu] {
            NONE => p.list(c).len(),
            j => j as usize,
        };
        if sol.pos[cu] == NONE {
            unplaced.push(names.children[cu].0.clone());
        }
        let mut ex = Vec::new();
        for (j, e) in p.list(c).enumerate().take(upto) {
            let q = p.prog[e] as usize;
            let cut = cutoffs_idx[q].as_ref();
            let reason = match cut {
                Some((k, _)) if *k > p.key(c, e) => "lower_priority",
                _ if p.group[cu] != NONE => "group",
                _ if opts.mode == Mode::Sequential && p.first_wish_only[cu] && j > 0 => {
                    "not_forwarded"
                }
                _ if opts.mode == Mode::Sequential => "sequential_order",
                _ => "violation",
            };
            ex.push(Explanation {
                program: names.programs[q].0.clone(),
                points: p.points_at(c, e),
                cutoff: cut.map(|c| c.1.clone()),
                reason,
            });
        }
        if !ex.is_empty() {
            explanations.insert(names.children[cu].0.clone(), ex);
        }
    }
    let group_id = |g: u32| -> String {
        let first = p.groups[g as usize][0];
        let id: &ChildId = &names.children[first as usize];
        inst.children
            .iter()
            .find(|c| &c.id == id)
            .and_then(|c| c.together.as_ref())
            .map_or_else(String::new, |g| g.0.clone())
    };
    let groups = GroupSection {
        groups: sol.groups.groups,
        runs: sol.groups.runs,
        budget: sol.groups.budget,
        budget_exhausted: sol.groups.budget_exhausted,
        residual_coalitions: sol
            .groups
            .residual
            .iter()
            .map(|co| ResidualCoalition {
                group: group_id(co.group),
                programs: co
                    .programs
                    .iter()
                    .map(|&(c, q)| {
                        (
                            names.children[c as usize].0.clone(),
                            names.programs[q as usize].0.clone(),
                        )
                    })
                    .collect(),
            })
            .collect(),
    };
    let waitlists = (opts.mode == Mode::Sequential).then(|| {
        sol.waitlists
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.is_empty())
            .map(|(q, w)| {
                let ids = w.iter().map(|&c| names.children[c as usize].0.clone());
                (names.programs[q].0.clone(), ids.collect())
            })
            .collect()
    });
    let stats = with_stats.then(|| stats(p, sol));
    let statistics = with_stats.then(|| {
        statistics_with(inst, |c| {
            assignment
                .get(&c.id)
                .and_then(|q| q.as_ref())
                .map(|q| q.as_str())
        })
    });
    PlacementResult {
        format: RESULT_FORMAT,
        assignment: assignment
            .into_iter()
            .map(|(c, q): (ChildId, Option<ProgramId>)| (c.0, q.map(|q| q.0)))
            .collect(),
        protocol: Protocol {
            engine: "kitanetz-placement",
            engine_version: crate::ENGINE_VERSION,
            mode: opts.mode,
            input_hash: inst.canonical_hash(),
            catalogue: inst.catalogue.clone(),
            seed_hash: inst.seed_hash.clone(),
            certificate,
            cutoffs,
            explanations,
            groups,
            waitlists,
            unplaced,
        },
        stats,
        statistics,
    }
}

/// Rank distribution and shares.
pub fn stats(p: &Problem, sol: &Solution) -> Stats {
    let max_len = (0..p.n_children() as u32)
        .map(|c| p.n_wishes(c))
        .max()
        .unwrap_or(0);
    let mut dist = vec![0usize; max_len];
    let (mut kept, mut unplaced, mut with_wishes) = (0, 0, 0);
    for c in 0..p.n_children() as u32 {
        let pos = sol.pos[c as usize];
        if p.n_wishes(c) > 0 {
            with_wishes += 1;
        }
        if pos == NONE {
            unplaced += 1;
        } else if pos == p.current_pos[c as usize] {
            kept += 1;
        } else {
            dist[pos as usize] += 1;
        }
    }
    let share = |n: usize| {
        if with_wishes == 0 {
            0.0
        } else {
            n as f64 / with_wishes as f64
        }
    };
    Stats {
        children: p.n_children(),
        placed_at_wish: dist.iter().sum(),
        kept_current: kept,
        unplaced,
        first_choice_share: share(dist.first().copied().unwrap_or(0)),
        top3_share: share(dist.iter().take(3).sum()),
        rank_distribution: dist,
        proposals: sol.proposals,
    }
}
