//! Children applying together: placed into programs of one facility, or none of them.
//!
//! With such groups a stable matching need not exist (it is the "couples" problem), so the
//! engine works in two steps and reports what it could not resolve:
//!
//! 1. **Heuristic.** Each group has a pointer into its joint options (below). Deferred
//!    acceptance is run with every member proposing only its part of the group's current option
//!    (plus its guaranteed `current` seat, if any); every group that was not admitted as a whole
//!    advances its pointer, and the run is repeated until no pointer moves. Pointers only
//!    advance, so this ends after at most `1 + Σ options` runs. Single children are run by the
//!    same deferred acceptance, so they never have a blocking pair or waste.
//! 2. **Search.** A group that could now be admitted at a better option than its result forms a
//!    *blocking coalition*. A depth-first search moves such a group back to that option and
//!    settles again, over pointer vectors not seen before, until a configuration without
//!    coalitions is found or the budget (counted in deferred-acceptance runs, not wall-clock
//!    time, so it is deterministic) is spent. The configuration with the fewest coalitions is
//!    kept and its remaining coalitions are reported.
//!
//! **Joint options** of a group: for every facility in which every member has an entry (a wish
//! or its `current` seat), the combinations of one entry per member there (at most
//! [`ENTRIES_PER_FACILITY`] per member), ordered by the worst member's rank, then the sum of
//! ranks, then the ranks in member order; at most [`MAX_OPTIONS`] are kept. A member with a
//! `current` seat keeps it when the group cannot be placed.

use crate::engine::da::{deferred_acceptance, Lists};
use crate::engine::Solution;
use crate::problem::{Problem, GUARANTEED, NONE};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Entries per member and facility considered for joint options.
pub const ENTRIES_PER_FACILITY: usize = 4;
/// Joint options kept per group.
pub const MAX_OPTIONS: usize = 64;

/// One joint option: per member (in member order) an entry position in its list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JointOption {
    /// Facility index.
    pub facility: u32,
    /// Per member: position in the member's list.
    pub entries: Vec<u32>,
}

/// A group that would be admitted at a better option than its result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coalition {
    /// Group index in [`Problem::groups`].
    pub group: u32,
    /// Index of the better option.
    pub option: u32,
    /// Per member (child index): the program it would get.
    pub programs: Vec<(u32, u32)>,
}

/// What happened to the groups in a solve.
#[derive(Clone, Debug, Default)]
pub struct GroupReport {
    /// Number of groups.
    pub groups: usize,
    /// Deferred-acceptance runs used (heuristic and search).
    pub runs: u64,
    /// Search budget (runs).
    pub budget: u64,
    /// Whether the search stopped because the budget was spent.
    pub budget_exhausted: bool,
    /// Coalitions left in the returned matching.
    pub residual: Vec<Coalition>,
}

/// Joint options of every group.
pub fn joint_options(p: &Problem) -> Vec<Vec<JointOption>> {
    p.groups.iter().map(|m| options_of(p, m)).collect()
}

fn options_of(p: &Problem, members: &[u32]) -> Vec<JointOption> {
    // Per member: facility -> entry positions (best first).
    let per_member: Vec<BTreeMap<u32, Vec<u32>>> = members
        .iter()
        .map(|&c| {
            let mut m: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
            for (j, e) in p.list(c).enumerate() {
                let f = p.facility[p.prog[e] as usize];
                let v = m.entry(f).or_default();
                if v.len() < ENTRIES_PER_FACILITY {
                    v.push(j as u32);
                }
            }
            m
        })
        .collect();
    let mut options = Vec::new();
    for (&f, first) in &per_member[0] {
        let lists: Vec<&Vec<u32>> = match per_member.iter().map(|m| m.get(&f)).collect() {
            Some(l) => l,
            None => continue,
        };
        debug_assert_eq!(lists[0], first);
        let mut idx = vec![0usize; lists.len()];
        loop {
            let entries: Vec<u32> = idx.iter().zip(&lists).map(|(&i, l)| l[i]).collect();
            // Members placed in one program must fit: checked by deferred acceptance itself.
            options.push(JointOption {
                facility: f,
                entries,
            });
            let mut k = 0;
            while k < idx.len() {
                idx[k] += 1;
                if idx[k] < lists[k].len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
            if k == idx.len() {
                break;
            }
        }
    }
    options.sort_by_key(|o| {
        let worst = o.entries.iter().max().copied().unwrap_or(0);
        let sum: u32 = o.entries.iter().sum();
        (worst, sum, o.entries.clone(), o.facility)
    });
    options.truncate(MAX_OPTIONS);
    options
}

/// Lists where group members propose only their part of the group's current option.
struct GroupLists<'a> {
    p: &'a Problem,
    /// Per child: NONE for single children, else index into `ovr`.
    slot: Vec<u32>,
    /// Override lists: up to two entries (option part, guaranteed current).
    ovr: Vec<([(u32, u64); 2], u32)>,
}

impl Lists for GroupLists<'_> {
    #[inline]
    fn len(&self, c: u32) -> u32 {
        match self.slot[c as usize] {
            NONE => self.p.off[c as usize + 1] - self.p.off[c as usize],
            s => self.ovr[s as usize].1,
        }
    }
    #[inline]
    fn entry(&self, c: u32, j: u32) -> (u32, u64) {
        match self.slot[c as usize] {
            NONE => {
                let e = (self.p.off[c as usize] + j) as usize;
                (self.p.prog[e], self.p.key(c, e))
            }
            s => self.ovr[s as usize].0[j as usize],
        }
    }
}

struct Search<'a> {
    p: &'a Problem,
    opts: Vec<Vec<JointOption>>,
    runs: u64,
}

impl Search<'_> {
    /// Runs deferred acceptance with the pointers; returns positions in the base lists.
    fn run(&mut self, ptr: &[u32]) -> (Vec<u32>, u64) {
        let p = self.p;
        let mut slot = vec![NONE; p.n_children()];
        let mut ovr = Vec::new();
        for (g, members) in p.groups.iter().enumerate() {
            for (i, &c) in members.iter().enumerate() {
                let base = p.off[c as usize] as usize;
                let mut items = [(0u32, 0u64); 2];
                let mut len = 0;
                if let Some(o) = self.opts[g].get(ptr[g] as usize) {
                    let e = base + o.entries[i] as usize;
                    items[len] = (p.prog[e], p.key(c, e));
                    len += 1;
                }
                let cp = p.current_pos[c as usize];
                if cp != NONE && (len == 0 || items[0].1 >> 32 != GUARANTEED as u64) {
                    let e = base + cp as usize;
                    items[len] = (p.prog[e], p.key(c, e));
                    len += 1;
                }
                slot[c as usize] = ovr.len() as u32;
                ovr.push((items, len as u32));
            }
        }
        let lists = GroupLists { p, slot, ovr };
        let out = deferred_acceptance(p, &lists);
        self.runs += 1;
        let mut pos = out.pos;
        for (g, members) in p.groups.iter().enumerate() {
            for (i, &c) in members.iter().enumerate() {
                let v = pos[c as usize];
                pos[c as usize] = match (v, self.opts[g].get(ptr[g] as usize)) {
                    (NONE, _) => NONE,
                    (0, Some(o)) => o.entries[i],
                    _ => p.current_pos[c as usize],
                };
            }
        }
        (pos, out.proposals)
    }

    /// Whether every member of group `g` sits at its part of option `ptr[g]`.
    fn admitted(&self, g: usize, ptr: u32, pos: &[u32]) -> bool {
        let o = &self.opts[g][ptr as usize];
        self.p.groups[g]
            .iter()
            .zip(&o.entries)
            .all(|(&c, &e)| pos[c as usize] == e)
    }

    /// Heuristic step: advance failing groups until no pointer moves.
    fn settle(&mut self, ptr: &mut [u32], proposals: &mut u64) -> Vec<u32> {
        loop {
            let (pos, n) = self.run(ptr);
            *proposals += n;
            let mut changed = false;
            let mut admitted = None;
            for (g, pg) in ptr.iter_mut().enumerate() {
                if (*pg as usize) < self.opts[g].len() && !self.admitted(g, *pg, &pos) {
                    // Skip the options that would not fit against this run's admissions: a
                    // heuristic that saves runs; the coalition check catches what it misses.
                    let admitted = admitted.get_or_insert_with(|| self.admitted_keys(&pos));
                    *pg += 1;
                    while (*pg as usize) < self.opts[g].len()
                        && !self.fits(g, *pg as usize, admitted)
                    {
                        *pg += 1;
                    }
                    changed = true;
                }
            }
            if !changed {
                return pos;
            }
        }
    }

    /// Admitted keys per program.
    fn admitted_keys(&self, pos: &[u32]) -> Vec<Vec<u64>> {
        let p = self.p;
        let mut admitted: Vec<Vec<u64>> = vec![Vec::new(); p.n_programs()];
        for c in 0..p.n_children() as u32 {
            if let Some(q) = p.program_at(c, pos[c as usize]) {
                let e = p.off[c as usize] as usize + pos[c as usize] as usize;
                admitted[q as usize].push(p.key(c, e));
            }
        }
        admitted
    }

    /// Whether group `g` would be admitted as a whole at option `oi` against the children
    /// admitted now (its own members excluded).
    fn fits(&self, g: usize, oi: usize, admitted: &[Vec<u64>]) -> bool {
        let p = self.p;
        let members = &p.groups[g];
        // Per program: members going there and their weakest key.
        let mut need: BTreeMap<u32, (u32, u64)> = BTreeMap::new();
        for (&c, &j) in members.iter().zip(&self.opts[g][oi].entries) {
            let e = p.off[c as usize] as usize + j as usize;
            let slot = need.entry(p.prog[e]).or_insert((0, u64::MAX));
            slot.0 += 1;
            slot.1 = slot.1.min(p.key(c, e));
        }
        need.iter().all(|(&q, &(m, weakest))| {
            let better = admitted[q as usize]
                .iter()
                .filter(|&&k| k > weakest && !members.contains(&p.child_of_key(k)))
                .count();
            m <= p.capacity[q as usize] && better as u32 <= p.capacity[q as usize] - m
        })
    }

    /// Blocking coalitions of a settled matching (best option per group).
    fn coalitions(&self, ptr: &[u32], pos: &[u32]) -> Vec<Coalition> {
        let p = self.p;
        let admitted = self.admitted_keys(pos);
        let mut out = Vec::new();
        for (g, members) in p.groups.iter().enumerate() {
            let best = (0..ptr[g] as usize).find(|&oi| self.fits(g, oi, &admitted));
            if let Some(oi) = best {
                let programs = members
                    .iter()
                    .zip(&self.opts[g][oi].entries)
                    .map(|(&c, &j)| (c, p.prog[p.off[c as usize] as usize + j as usize]))
                    .collect();
                out.push(Coalition {
                    group: g as u32,
                    option: oi as u32,
                    programs,
                });
            }
        }
        out
    }
}

/// Deferred acceptance with groups: heuristic, then the bounded search (module docs).
pub fn solve_with_groups(p: &Problem, budget: u64) -> Solution {
    let mut s = Search {
        p,
        opts: joint_options(p),
        runs: 0,
    };
    let mut proposals = 0u64;
    let mut ptr = vec![0u32; p.groups.len()];
    let pos = s.settle(&mut ptr, &mut proposals);
    let coal = s.coalitions(&ptr, &pos);
    let heuristic_runs = s.runs;
    let mut best = (coal.len(), pos, coal.clone());
    let mut exhausted = false;
    if !coal.is_empty() {
        let mut seen: BTreeSet<Vec<u32>> = BTreeSet::new();
        seen.insert(ptr.clone());
        // Depth-first: a stack of (pointer vector, its coalitions), children in coalition order.
        let mut stack = vec![(ptr, coal)];
        'search: while let Some((ptr, coal)) = stack.pop() {
            // Children of a node: every coalition resolved at once (tried first, as it fixes
            // many independent groups in one run), then each coalition alone.
            let mut moves: Vec<Vec<&Coalition>> = Vec::new();
            if coal.len() > 1 {
                moves.push(coal.iter().collect());
            }
            moves.extend(coal.iter().map(|c| vec![c]));
            for mv in moves {
                if s.runs - heuristic_runs >= budget {
                    exhausted = true;
                    break 'search;
                }
                let mut next = ptr.clone();
                for c in mv {
                    next[c.group as usize] = c.option;
                }
                if !seen.insert(next.clone()) {
                    continue;
                }
                let pos = s.settle(&mut next, &mut proposals);
                let coal = s.coalitions(&next, &pos);
                if coal.len() < best.0 {
                    best = (coal.len(), pos, coal.clone());
                    if best.0 == 0 {
                        break 'search;
                    }
                }
                seen.insert(next.clone());
                stack.push((next, coal));
            }
        }
    }
    Solution {
        pos: best.1,
        proposals,
        groups: GroupReport {
            groups: p.groups.len(),
            runs: s.runs,
            budget,
            budget_exhausted: exhausted,
            residual: best.2,
        },
        waitlists: Vec::new(),
    }
}
