//! Fixtures: a small deterministic instance generator and a textbook deferred acceptance.

use kitanetz_placement::check::Assignment;
use kitanetz_placement::engine::{Mode, SolveOptions};
use kitanetz_placement::instance::{Child, Instance, Points, Program, INPUT_FORMAT};
use kitanetz_placement::protocol::place;
use kitanetz_placement::{ChildId, FacilityId, GroupId, ProgramId};
use std::collections::BTreeMap;

/// SplitMix64: tiny, seedable, good enough for fixtures.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Shape of random instances.
#[derive(Clone, Copy)]
pub struct Shape {
    pub programs: u64,
    pub children: u64,
    pub max_wishes: u64,
    pub max_capacity: u64,
    /// Percentage of children in groups (pairs).
    pub group_percent: u64,
    /// Percentage of children with a current seat.
    pub current_percent: u64,
    /// Percentage chance of an equal lottery value with the previous child (id tie-break).
    pub tie_percent: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            programs: 5,
            children: 12,
            max_wishes: 4,
            max_capacity: 3,
            group_percent: 0,
            current_percent: 0,
            tie_percent: 10,
        }
    }
}

pub fn random_instance(seed: u64, s: Shape) -> Instance {
    let mut r = Rng::new(seed);
    let mut stats = Rng::new(seed ^ 0x5747_4154_5354_4154);
    let np = 1 + r.below(s.programs);
    let nc = r.below(s.children + 1);
    let programs: Vec<Program> = (0..np)
        .map(|i| Program {
            id: ProgramId::new(format!("p{i}")),
            facility: FacilityId::new(format!("f{}", i / 2)),
            capacity: r.below(s.max_capacity + 1) as i64,
        })
        .collect();
    let mut holders = vec![0i64; np as usize];
    let mut children = Vec::new();
    let mut priorities: BTreeMap<ProgramId, BTreeMap<ChildId, Points>> = BTreeMap::new();
    let mut last_lottery = 0.5;
    let mut group_open: Option<(String, Vec<ProgramId>)> = None;
    for i in 0..nc {
        let id = ChildId::new(format!("c{i:02}"));
        let mut order: Vec<usize> = (0..np as usize).collect();
        for k in (1..order.len()).rev() {
            order.swap(k, r.below(k as u64 + 1) as usize);
        }
        let k = r.below(s.max_wishes.min(np) + 1) as usize;
        let mut wishes: Vec<ProgramId> =
            order[..k].iter().map(|&q| programs[q].id.clone()).collect();
        let lottery = if r.chance(s.tie_percent) {
            last_lottery
        } else {
            r.below(1000) as f64 / 1000.0
        };
        last_lottery = lottery;
        let mut together = None;
        if let Some((g, w)) = group_open.take() {
            together = Some(GroupId::new(g));
            // The sibling wishes the partner program of the same facility where it exists.
            wishes = w
                .iter()
                .map(|p| {
                    let q: u64 = p.as_str()[1..].parse().unwrap();
                    let partner = q ^ 1;
                    if partner < np && r.chance(50) {
                        ProgramId::new(format!("p{partner}"))
                    } else {
                        p.clone()
                    }
                })
                .collect();
        } else if r.chance(s.group_percent) {
            let g = format!("g{i}");
            together = Some(GroupId::new(g.clone()));
            group_open = Some((g, wishes.clone()));
        }
        let mut current = None;
        if r.chance(s.current_percent) {
            let q = r.below(np) as usize;
            if holders[q] < programs[q].capacity {
                holders[q] += 1;
                current = Some(programs[q].id.clone());
            }
        }
        for p in wishes.iter().chain(current.as_ref()) {
            let pts = r.below(4) as i64;
            if pts != 0 {
                priorities
                    .entry(p.clone())
                    .or_default()
                    .insert(id.clone(), Points(pts));
            }
        }
        children.push(Child {
            id,
            wishes,
            lottery,
            together,
            current,
            first_wish_only: r.chance(10),
            // From their own stream, so that the matching fields stay what they were.
            district: (!stats.chance(20)).then(|| format!("d{}", stats.below(3))),
            birth_date: (!stats.chance(10)).then(|| {
                let (y, m, d) = (
                    2021 + stats.below(6),
                    1 + stats.below(12),
                    1 + stats.below(28),
                );
                format!("{y}-{m:02}-{d:02}")
            }),
        });
    }
    Instance {
        format: INPUT_FORMAT.to_owned(),
        programs,
        children,
        priorities,
        catalogue: None,
        seed_hash: None,
        reference_date: Some("2027-08-01".to_owned()),
        facts: None,
    }
}

pub fn solve_da(inst: &Instance) -> Assignment {
    solve_mode(inst, Mode::Da)
}

pub fn solve_mode(inst: &Instance, mode: Mode) -> Assignment {
    let opts = SolveOptions {
        mode,
        ..SolveOptions::default()
    };
    place(inst, &opts, false)
        .assignment
        .into_iter()
        .map(|(c, p)| (ChildId::new(c), p.map(ProgramId::new)))
        .collect()
}

/// Textbook child-proposing deferred acceptance in rounds (no groups, no current).
pub fn naive_da(inst: &Instance) -> Assignment {
    let cap: BTreeMap<&ProgramId, usize> = inst
        .programs
        .iter()
        .map(|p| (&p.id, p.capacity as usize))
        .collect();
    let better = |p: &ProgramId, a: &Child, b: &Child| {
        // true if a has higher priority than b at p
        let (pa, pb) = (inst.points(p, &a.id), inst.points(p, &b.id));
        if pa != pb {
            return pa > pb;
        }
        if a.lottery != b.lottery {
            return a.lottery < b.lottery;
        }
        a.id < b.id
    };
    let mut next: BTreeMap<&ChildId, usize> = BTreeMap::new();
    let mut held: BTreeMap<&ProgramId, Vec<&Child>> = BTreeMap::new();
    let mut free: Vec<&Child> = inst.children.iter().collect();
    while !free.is_empty() {
        let mut proposals: BTreeMap<&ProgramId, Vec<&Child>> = BTreeMap::new();
        for c in free.drain(..) {
            let k = next.entry(&c.id).or_default();
            if let Some(p) = c.wishes.get(*k) {
                *k += 1;
                proposals.entry(p).or_default().push(c);
            }
        }
        for (p, mut new) in proposals {
            let h = held.entry(p).or_default();
            h.append(&mut new);
            h.sort_by(|a, b| {
                if better(p, a, b) {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            });
            while h.len() > cap[p] {
                free.push(h.pop().unwrap());
            }
        }
    }
    let mut out: Assignment = inst.children.iter().map(|c| (c.id.clone(), None)).collect();
    for (p, h) in held {
        for c in h {
            out.insert(c.id.clone(), Some(p.clone()));
        }
    }
    out
}

/// Rank of an assignment in a list (lower is better; unplaced is worst).
pub fn rank_in(list: &[ProgramId], got: Option<&ProgramId>) -> usize {
    got.and_then(|g| list.iter().position(|w| w == g))
        .unwrap_or(usize::MAX)
}
