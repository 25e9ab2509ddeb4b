//! Versioned criteria catalogues and the seeded lottery.
//!
//! A city publishes a catalogue (id, version, criteria, optional local criteria of a Träger or a
//! Kita); the node compiles it with per-child facts into the `priorities` points of an
//! [`Instance`]. Priorities must never depend on the rank a parent gave a Kita (a first-choice
//! bonus makes lying pay): catalogues with such a criterion are rejected with
//! [`CatalogueError::RankDependent`] naming the criterion.
//!
//! **Lexicographic encoding.** In [`Combine::Lexicographic`] (the default) every criterion is a
//! level with a bounded value `0..=range` (flags: `0..=1`; desired start: days before the latest
//! desired start in the instance; birth date: days before the youngest birth date; transfer
//! priority: its level). Points are the mixed-radix number of the levels:
//! `points = Σ value_i × Π_{j>i} (range_j + 1)`, so a higher level always outweighs any
//! combination of the lower ones and ties remain ties. Multiplications are checked: a catalogue
//! whose ranges do not fit into `i64` is rejected ([`CatalogueError::Overflow`]). Local criteria
//! of a program's Kita or Träger are appended as further levels below the city's: they only
//! break ties the city's criteria leave. In [`Combine::Points`] each criterion adds
//! `points × value` instead.
//!
//! Dates are days since 1970-01-01 (the node converts), keeping this crate free of a date
//! library.

use crate::ids::{ChildId, FacilityId, ProgramId, TraegerId};
use crate::instance::{CatalogueRef, Instance, Points};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// How criteria values combine into points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Strict order of the criteria (mixed-radix encoding, see the module docs).
    #[default]
    Lexicographic,
    /// Weighted sum: `points × value` per criterion.
    Points,
}

/// What a criterion measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CriterionKind {
    /// A sibling already attends the program's facility.
    SiblingInFacility,
    /// The child needs integration support.
    Integration,
    /// ZVS priority level of a transfer (higher is better).
    TransferPriority,
    /// Earlier desired start first.
    DesiredStart,
    /// Older children first (earlier birth date).
    BirthDate,
    /// A named fact flag of the child (e.g. a local profile criterion).
    Flag {
        /// Flag name in [`ChildFacts::flags`].
        flag: String,
    },
    /// The rank the parents gave the facility. Never allowed: rejected at validation.
    WishRank,
    /// A bonus for the first choice. Never allowed: rejected at validation.
    FirstChoice,
}

/// One criterion of a catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Criterion id (named in errors and explanations).
    pub id: String,
    /// What it measures.
    #[serde(flatten)]
    pub kind: CriterionKind,
    /// Weight in [`Combine::Points`] mode (ignored by the lexicographic encoding).
    #[serde(default = "one")]
    pub points: i64,
}

fn one() -> i64 {
    1
}

/// Scope of local criteria.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// All facilities of a Träger.
    Traeger(TraegerId),
    /// One facility.
    Facility(FacilityId),
}

/// Criteria that apply only inside a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalCriteria {
    /// Where they apply.
    pub scope: Scope,
    /// The criteria, below the city's.
    pub criteria: Vec<Criterion>,
}

/// A versioned criteria catalogue (persisted format).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Catalogue id.
    pub id: String,
    /// Version; a changed catalogue gets a new version.
    pub version: u32,
    /// City.
    pub city: String,
    /// How criteria combine.
    #[serde(default)]
    pub combine: Combine,
    /// City-wide criteria, most important first.
    pub criteria: Vec<Criterion>,
    /// Local criteria of a Träger or a Kita.
    #[serde(default)]
    pub local: Vec<LocalCriteria>,
}

/// Facts about one child that criteria read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildFacts {
    /// Facilities a sibling already attends.
    #[serde(default)]
    pub sibling_in_facility: Vec<FacilityId>,
    /// Desired start, days since 1970-01-01.
    pub desired_start: i32,
    /// Birth date, days since 1970-01-01.
    pub birth_date: i32,
    /// Integration need.
    #[serde(default)]
    pub integration: bool,
    /// ZVS transfer priority level (0 = none).
    #[serde(default)]
    pub transfer_priority: u32,
    /// Further named flags for local criteria.
    #[serde(default)]
    pub flags: BTreeSet<String>,
}

/// Facts of an instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Per child.
    pub children: BTreeMap<ChildId, ChildFacts>,
    /// Träger of each facility (for Träger-scoped local criteria).
    #[serde(default)]
    pub traeger: BTreeMap<FacilityId, TraegerId>,
}

/// Why a catalogue cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    /// The criterion depends on the rank a parent gave the Kita.
    #[error(
        "criterion {criterion:?} depends on the rank a parent gave the Kita; such priorities \
         make misreporting wishes pay and are not allowed: remove it"
    )]
    RankDependent {
        /// The offending criterion id.
        criterion: String,
    },
    /// Two criteria share an id.
    #[error("criterion id {0:?} appears more than once")]
    DuplicateCriterion(String),
    /// The encoded points do not fit into i64.
    #[error("criterion {criterion:?}: points overflow i64; reduce the number of levels or ranges")]
    Overflow {
        /// Criterion at which the overflow happened.
        criterion: String,
    },
    /// A child of the instance has no facts.
    #[error("no facts given for child {0}")]
    MissingFacts(ChildId),
}

impl Catalogue {
    /// The Lastenheft's default order: sibling in this Kita, then earlier desired start, then
    /// older child.
    pub fn lastenheft_default(city: &str) -> Self {
        let c = |id: &str, kind| Criterion {
            id: id.to_owned(),
            kind,
            points: 1,
        };
        Catalogue {
            id: "lastenheft-default".to_owned(),
            version: 1,
            city: city.to_owned(),
            combine: Combine::Lexicographic,
            criteria: vec![
                c("sibling", CriterionKind::SiblingInFacility),
                c("desired_start", CriterionKind::DesiredStart),
                c("birth_date", CriterionKind::BirthDate),
            ],
            local: Vec::new(),
        }
    }

    /// Rejects rank-dependent criteria and duplicate ids.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let all = self
            .criteria
            .iter()
            .chain(self.local.iter().flat_map(|l| &l.criteria));
        let mut ids = BTreeSet::new();
        for c in all {
            if matches!(c.kind, CriterionKind::WishRank | CriterionKind::FirstChoice) {
                return Err(CatalogueError::RankDependent {
                    criterion: c.id.clone(),
                });
            }
            if !ids.insert(&c.id) {
                return Err(CatalogueError::DuplicateCriterion(c.id.clone()));
            }
        }
        Ok(())
    }

    /// Compiles the catalogue into `inst.priorities` for every (child, wished or current
    /// program) pair and records the catalogue in the instance.
    pub fn compile_into(&self, inst: &mut Instance, facts: &Facts) -> Result<(), CatalogueError> {
        self.validate()?;
        for c in &inst.children {
            if !facts.children.contains_key(&c.id) {
                return Err(CatalogueError::MissingFacts(c.id.clone()));
            }
        }
        let ranges = Ranges::of(facts);
        let facility: BTreeMap<&ProgramId, &FacilityId> =
            inst.programs.iter().map(|p| (&p.id, &p.facility)).collect();
        let mut priorities: BTreeMap<ProgramId, BTreeMap<ChildId, Points>> = BTreeMap::new();
        for c in &inst.children {
            let f = &facts.children[&c.id];
            for p in c.wishes.iter().chain(c.current.as_ref()) {
                let fac = facility[p];
                let criteria = self.criteria_for(fac, facts);
                let pts = self.encode(&criteria, f, fac, &ranges)?;
                priorities
                    .entry(p.clone())
                    .or_default()
                    .insert(c.id.clone(), Points(pts));
            }
        }
        inst.priorities = priorities;
        inst.catalogue = Some(CatalogueRef {
            id: self.id.clone(),
            version: self.version,
            city: self.city.clone(),
        });
        Ok(())
    }

    /// City criteria followed by the local criteria in scope of `facility`.
    fn criteria_for<'a>(&'a self, facility: &FacilityId, facts: &Facts) -> Vec<&'a Criterion> {
        let traeger = facts.traeger.get(facility);
        let local = self.local.iter().filter(|l| match &l.scope {
            Scope::Facility(f) => f == facility,
            Scope::Traeger(t) => Some(t) == traeger,
        });
        self.criteria
            .iter()
            .chain(local.flat_map(|l| &l.criteria))
            .collect()
    }

    fn encode(
        &self,
        criteria: &[&Criterion],
        f: &ChildFacts,
        facility: &FacilityId,
        r: &Ranges,
    ) -> Result<i64, CatalogueError> {
        let overflow = |c: &Criterion| CatalogueError::Overflow {
            criterion: c.id.clone(),
        };
        let mut total: i64 = 0;
        match self.combine {
            Combine::Points => {
                for c in criteria {
                    let (v, _) = value(c, f, facility, r);
                    let add = c.points.checked_mul(v).ok_or_else(|| overflow(c))?;
                    total = total.checked_add(add).ok_or_else(|| overflow(c))?;
                }
            }
            Combine::Lexicographic => {
                // Horner from the most important level: total = total × (range + 1) + value.
                // The bound is computed with every value at its maximum, so that overflow is
                // detected from the ranges alone, whatever the child's facts.
                let mut bound: i64 = 0;
                for c in criteria {
                    let (v, range) = value(c, f, facility, r);
                    bound = bound
                        .checked_mul(range + 1)
                        .and_then(|t| t.checked_add(range))
                        .ok_or_else(|| overflow(c))?;
                    total = total * (range + 1) + v;
                }
            }
        }
        Ok(total)
    }
}

/// Ranges of the ordinal facts over the instance.
struct Ranges {
    max_start: i64,
    start_range: i64,
    max_birth: i64,
    birth_range: i64,
    max_transfer: i64,
}

impl Ranges {
    fn of(facts: &Facts) -> Self {
        if facts.children.is_empty() {
            return Ranges {
                max_start: 0,
                start_range: 0,
                max_birth: 0,
                birth_range: 0,
                max_transfer: 0,
            };
        }
        let mm = |f: &dyn Fn(&ChildFacts) -> i64| {
            facts
                .children
                .values()
                .map(f)
                .fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
        };
        let (s_lo, s_hi) = mm(&|c| c.desired_start as i64);
        let (b_lo, b_hi) = mm(&|c| c.birth_date as i64);
        let (_, t_hi) = mm(&|c| c.transfer_priority as i64);
        Ranges {
            max_start: s_hi,
            start_range: (s_hi - s_lo).max(0),
            max_birth: b_hi,
            birth_range: (b_hi - b_lo).max(0),
            max_transfer: t_hi.max(0),
        }
    }
}

/// Value and range of a criterion for a child at a facility.
fn value(c: &Criterion, f: &ChildFacts, facility: &FacilityId, r: &Ranges) -> (i64, i64) {
    match &c.kind {
        CriterionKind::SiblingInFacility => {
            (i64::from(f.sibling_in_facility.contains(facility)), 1)
        }
        CriterionKind::Integration => (i64::from(f.integration), 1),
        CriterionKind::TransferPriority => (f.transfer_priority as i64, r.max_transfer),
        CriterionKind::DesiredStart => (r.max_start - f.desired_start as i64, r.start_range),
        CriterionKind::BirthDate => (r.max_birth - f.birth_date as i64, r.birth_range),
        CriterionKind::Flag { flag } => (i64::from(f.flags.contains(flag)), 1),
        CriterionKind::WishRank | CriterionKind::FirstChoice => {
            unreachable!("rejected by validate")
        }
    }
}

/// Domain separator of the lottery hash, so that the numbers cannot collide with other uses.
const LOTTERY_DOMAIN: &[u8] = b"kitanetz-lottery/1\0";

/// Lottery number of a child from a seed: SHA-256 over the domain, the seed and the child id;
/// the first 53 bits as a fraction in `[0, 1)`.
///
/// The city publishes [`seed_hash`] before the round and the seed after it; anyone can then
/// recompute every child's number.
pub fn lottery_from_seed(seed: &str, child: &ChildId) -> f64 {
    let mut h = Sha256::new();
    h.update(LOTTERY_DOMAIN);
    h.update((seed.len() as u64).to_be_bytes());
    h.update(seed.as_bytes());
    h.update(child.as_str().as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// SHA-256 (hex) of the seed, recorded in the protocol and published before the round.
pub fn seed_hash(seed: &str) -> String {
    hex::encode(Sha256::digest(seed.as_bytes()))
}

/// Replaces every child's lottery by [`lottery_from_seed`] and records the seed hash.
pub fn apply_seed(inst: &mut Instance, seed: &str) {
    for c in &mut inst.children {
        c.lottery = lottery_from_seed(seed, &c.id);
    }
    inst.seed_hash = Some(seed_hash(seed));
}
