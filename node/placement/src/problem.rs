//! The compiled, interned problem the engines run on.
//!
//! Why this layer: at stress scale (1,000,000 children × 25 wishes) string ids, maps and
//! per-pair lookups dominate the run time. Here programs and children are `u32` indices, the
//! preference lists are one flat CSR array, and every (child, wish) pair carries its priority as
//! a dense `u32` points code aligned with the wish list. The full priority of a child at a
//! program is one `u64` key, `points_code << 32 | tiebreak`, so a program compares two
//! applicants with one integer comparison and no lookup.
//!
//! A child's list is its wishes truncated at its `current` program (it never moves down), with
//! `current` appended as the last entry if it is not among the wishes. That entry carries the
//! reserved code [`GUARANTEED`]: no other child can displace it, which is how "keeps its seat
//! unless it gets a better wish" and the refill rule "nobody moves down" are modelled.

use crate::ids::{ChildId, FacilityId, GroupId, ProgramId};
use crate::instance::Instance;
use std::collections::{BTreeMap, HashMap};

/// Marker for "no index" (unplaced, no current, no group).
pub const NONE: u32 = u32::MAX;

/// Points code of a guaranteed seat (a `current` program); above every real points code.
pub const GUARANTEED: u32 = u32::MAX;

/// How dense points codes map back to the points given.
#[derive(Clone, Debug)]
enum PointsMap {
    /// `points = base + code` (the common case: the points range fits into `u32`).
    Offset(i64),
    /// `points = values[code]` (points spread wider than `u32`: ranked instead).
    Dense(Vec<i64>),
}

/// The compiled problem. Build it with [`ProblemBuilder`] or [`Problem::from_instance`].
#[derive(Clone, Debug)]
pub struct Problem {
    /// Seats per program.
    pub capacity: Vec<u32>,
    /// Facility index per program.
    pub facility: Vec<u32>,
    /// CSR offsets: the list of child `c` is `off[c]..off[c + 1]`.
    pub off: Vec<u32>,
    /// Program per list entry.
    pub prog: Vec<u32>,
    /// Points code per list entry ([`GUARANTEED`] for the `current` entry).
    pub pts: Vec<u32>,
    /// Per child: `u32::MAX - tiebreak rank` (higher is better: smaller lottery, then index).
    pub tb: Vec<u32>,
    /// Tiebreak rank to child.
    pub by_rank: Vec<u32>,
    /// Per child: position of the `current` entry in its list, or [`NONE`].
    pub current_pos: Vec<u32>,
    /// Per child: real points at its `current` program (its code is [`GUARANTEED`]).
    pub current_points: Vec<i64>,
    /// Per child: group index or [`NONE`]; groups of one child are treated as single children.
    pub group: Vec<u32>,
    /// Members of each group (ascending child index).
    pub groups: Vec<Vec<u32>>,
    /// Sequential procedure: child stays with wish 1.
    pub first_wish_only: Vec<bool>,
    /// Lottery per child (for the protocol).
    pub lottery: Vec<f64>,
    /// Per group: the builder's group index (maps back to the group id).
    pub group_origin: Vec<u32>,
    points_map: PointsMap,
    appended: Vec<bool>,
}

impl Problem {
    /// Number of children.
    pub fn n_children(&self) -> usize {
        self.tb.len()
    }

    /// Number of programs.
    pub fn n_programs(&self) -> usize {
        self.capacity.len()
    }

    /// List entries (programs) of child `c`.
    #[inline]
    pub fn list(&self, c: u32) -> std::ops::Range<usize> {
        self.off[c as usize] as usize..self.off[c as usize + 1] as usize
    }

    /// Priority key of list entry `e` of child `c`.
    #[inline]
    pub fn key(&self, c: u32, e: usize) -> u64 {
        ((self.pts[e] as u64) << 32) | self.tb[c as usize] as u64
    }

    /// Child that owns a key.
    #[inline]
    pub fn child_of_key(&self, key: u64) -> u32 {
        self.by_rank[(u32::MAX - key as u32) as usize]
    }

    /// Real points of list entry `e` of child `c`.
    pub fn points_at(&self, c: u32, e: usize) -> i64 {
        let code = self.pts[e];
        if code == GUARANTEED {
            return self.current_points[c as usize];
        }
        match &self.points_map {
            PointsMap::Offset(base) => base + code as i64,
            PointsMap::Dense(values) => values[code as usize],
        }
    }

    /// Number of real wishes in the list of `c` (the appended `current` entry excluded).
    pub fn n_wishes(&self, c: u32) -> usize {
        self.list(c).len() - usize::from(self.appended[c as usize])
    }

    /// Program assigned to `c` by a list position (or `None`).
    pub fn program_at(&self, c: u32, pos: u32) -> Option<u32> {
        (pos != NONE).then(|| self.prog[self.off[c as usize] as usize + pos as usize])
    }

    /// Compiles a validated instance. Children and programs are interned in id order, so that
    /// the child index is the final tie-breaker "by child id" and every iteration is sorted.
    pub fn from_instance(inst: &Instance) -> (Problem, Interner) {
        let mut programs: Vec<(&ProgramId, &FacilityId, i64)> = inst
            .programs
            .iter()
            .map(|p| (&p.id, &p.facility, p.capacity))
            .collect();
        programs.sort_by(|a, b| a.0.cmp(b.0));
        let mut children: Vec<&crate::instance::Child> = inst.children.iter().collect();
        children.sort_by(|a, b| a.id.cmp(&b.id));

        let mut facilities: BTreeMap<&FacilityId, u32> = BTreeMap::new();
        for (_, f, _) in &programs {
            let n = facilities.len() as u32;
            facilities.entry(f).or_insert(n);
        }
        // Hash maps, not the instance's B-trees: at 100,000 children × 5 wishes the string
        // comparisons of tree lookups took half a second here (ids share long prefixes).
        let prog_index: HashMap<&str, u32> = programs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.0.as_str(), i as u32))
            .collect();
        let child_index: HashMap<&str, u32> = children
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i as u32))
            .collect();
        // Every (child, program, points) once, grouped by child: one pass over the priorities
        // instead of two tree lookups per wish.
        let mut given: Vec<(u32, u32, i64)> = Vec::new();
        for (p, row) in &inst.priorities {
            let Some(&q) = prog_index.get(p.as_str()) else {
                continue;
            };
            for (c, pts) in row {
                if let Some(&ci) = child_index.get(c.as_str()) {
                    given.push((ci, q, pts.0));
                }
            }
        }
        given.sort_unstable();
        let mut groups: BTreeMap<&GroupId, u32> = BTreeMap::new();
        for c in &children {
            if let Some(g) = &c.together {
                let n = groups.len() as u32;
                groups.entry(g).or_insert(n);
            }
        }

        let mut b = ProblemBuilder::default();
        for (_, f, cap) in &programs {
            b.add_program(facilities[f], *cap as u32);
        }
        let mut wishes = Vec::new();
        let mut points = Vec::new();
        let mut rest = &given[..];
        for (ci, c) in children.iter().enumerate() {
            let n = rest.iter().take_while(|g| g.0 == ci as u32).count();
            let (mine, after) = rest.split_at(n);
            rest = after;
            let points_at = |q: u32| mine.iter().find(|g| g.1 == q).map_or(0, |g| g.2);
            wishes.clear();
            points.clear();
            for w in &c.wishes {
                let q = prog_index[w.as_str()];
                wishes.push(q);
                points.push(points_at(q));
            }
            let current = c.current.as_ref().map(|p| {
                let q = prog_index[p.as_str()];
                (q, points_at(q))
            });
            let group = c.together.as_ref().map(|g| groups[g]);
            b.add_child(
                &wishes,
                &points,
                c.lottery,
                current,
                group,
                c.first_wish_only,
            );
        }
        let interner = Interner {
            programs: programs.iter().map(|p| p.0.clone()).collect(),
            children: children.iter().map(|c| c.id.clone()).collect(),
            groups: {
                let mut g: Vec<(u32, GroupId)> =
                    groups.iter().map(|(k, v)| (*v, (*k).clone())).collect();
                g.sort();
                g.into_iter().map(|(_, id)| id).collect()
            },
        };
        (b.build(), interner)
    }
}

/// Maps indices back to ids.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    /// Program ids by index (sorted).
    pub programs: Vec<ProgramId>,
    /// Child ids by index (sorted).
    pub children: Vec<ChildId>,
    /// Group ids by builder group index.
    pub groups: Vec<GroupId>,
}

/// Builds a [`Problem`] from indices; the benchmark uses it to skip string ids entirely.
#[derive(Default)]
pub struct ProblemBuilder {
    capacity: Vec<u32>,
    facility: Vec<u32>,
    off: Vec<u32>,
    prog: Vec<u32>,
    points: Vec<i64>,
    guaranteed: Vec<bool>,
    lottery: Vec<f64>,
    current_pos: Vec<u32>,
    current_points: Vec<i64>,
    appended: Vec<bool>,
    group: Vec<u32>,
    first_wish_only: Vec<bool>,
}

impl ProblemBuilder {
    /// Reserves room for `children` children with `entries` list entries in total.
    pub fn with_capacity(children: usize, entries: usize) -> Self {
        let mut b = Self::default();
        b.off.reserve(children + 1);
        b.prog.reserve(entries);
        b.points.reserve(entries);
        b.lottery.reserve(children);
        b
    }

    /// Adds a program; returns its index.
    pub fn add_program(&mut self, facility: u32, capacity: u32) -> u32 {
        self.capacity.push(capacity);
        self.facility.push(facility);
        (self.capacity.len() - 1) as u32
    }

    /// Adds a child; returns its index. Child indices double as the last tie-breaker, so add
    /// children in id order. `points[i]` belongs to `wishes[i]`; `current` is (program, points).
    /// The caller guarantees distinct wishes and valid program indices.
    pub fn add_child(
        &mut self,
        wishes: &[u32],
        points: &[i64],
        lottery: f64,
        current: Option<(u32, i64)>,
        group: Option<u32>,
        first_wish_only: bool,
    ) -> u32 {
        assert_eq!(wishes.len(), points.len(), "one points value per wish");
        if self.off.is_empty() {
            self.off.push(0);
        }
        let start = self.prog.len();
        let mut cur_pos = NONE;
        let mut appended = false;
        for (&w, &p) in wishes.iter().zip(points) {
            self.prog.push(w);
            self.points.push(p);
            if current.is_some_and(|(cp, _)| cp == w) {
                cur_pos = (self.prog.len() - 1 - start) as u32;
                break;
            }
        }
        if let Some((cp, cpts)) = current {
            if cur_pos == NONE {
                self.prog.push(cp);
                self.points.push(cpts);
                cur_pos = (self.prog.len() - 1 - start) as u32;
                appended = true;
            }
            self.guaranteed.resize(self.prog.len(), false);
            self.guaranteed[start + cur_pos as usize] = true;
        }
        self.off.push(self.prog.len() as u32);
        self.lottery.push(lottery);
        self.current_pos.push(cur_pos);
        self.current_points.push(current.map_or(0, |c| c.1));
        self.appended.push(appended);
        self.group.push(group.unwrap_or(NONE));
        self.first_wish_only.push(first_wish_only);
        (self.lottery.len() - 1) as u32
    }

    /// Finishes the problem: tiebreak ranks, dense points codes, groups.
    pub fn build(self) -> Problem {
        let n = self.lottery.len();
        let mut off = self.off;
        if off.is_empty() {
            off.push(0);
        }
        assert!(self.prog.len() < u32::MAX as usize, "too many list entries");
        // Tiebreak: smaller lottery first, then smaller child index (= child id order).
        let mut by_rank: Vec<u32> = (0..n as u32).collect();
        by_rank.sort_unstable_by(|&a, &b| {
            self.lottery[a as usize]
                .total_cmp(&self.lottery[b as usize])
                .then(a.cmp(&b))
        });
        let mut tb = vec![0u32; n];
        for (r, &c) in by_rank.iter().enumerate() {
            tb[c as usize] = u32::MAX - r as u32;
        }
        // Points codes: offset if the range fits below GUARANTEED, else dense ranks.
        let (lo, hi) = self
            .points
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &p| (lo.min(p), hi.max(p)));
        let fits = self.points.is_empty() || (hi as i128 - lo as i128) < (GUARANTEED as i128 - 1);
        let (mut pts, points_map) = if fits {
            let base = if self.points.is_empty() { 0 } else { lo };
            let pts: Vec<u32> = self.points.iter().map(|&p| (p - base) as u32).collect();
            (pts, PointsMap::Offset(base))
        } else {
            let mut values = self.points.clone();
            values.sort_unstable();
            values.dedup();
            let pts: Vec<u32> = self
                .points
                .iter()
                .map(|p| values.binary_search(p).expect("present") as u32)
                .collect();
            (pts, PointsMap::Dense(values))
        };
        drop(self.points);
        for (e, g) in self.guaranteed.iter().enumerate() {
            if *g {
                pts[e] = GUARANTEED;
            }
        }
        // Groups of one child are single children.
        let n_groups = self
            .group
            .iter()
            .filter(|&&g| g != NONE)
            .map(|&g| g + 1)
            .max();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n_groups.unwrap_or(0) as usize];
        for (c, &g) in self.group.iter().enumerate() {
            if g != NONE {
                members[g as usize].push(c as u32);
            }
        }
        let mut group = vec![NONE; n];
        let mut groups = Vec::new();
        let mut group_origin = Vec::new();
        for (origin, m) in members.into_iter().enumerate() {
            if m.len() < 2 {
                continue;
            }
            for &c in &m {
                group[c as usize] = groups.len() as u32;
            }
            groups.push(m);
            group_origin.push(origin as u32);
        }
        Problem {
            capacity: self.capacity,
            facility: self.facility,
            off,
            prog: self.prog,
            pts,
            tb,
            by_rank,
            current_pos: self.current_pos,
            current_points: self.current_points,
            group,
            groups,
            first_wish_only: self.first_wish_only,
            lottery: self.lottery,
            group_origin,
            points_map,
            appended: self.appended,
        }
    }
}
