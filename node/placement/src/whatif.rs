//! What-if: the same applications under another criteria catalogue, side by side (persisted
//! format `kitanetz-placement-what-if/1`).
//!
//! A city sees a rule change before its council votes on it: the round is solved once with the
//! instance's points as given (the catalogue in force) and once with the points recompiled from
//! the instance's facts under the other catalogue; programs, seats, wishes, lottery numbers,
//! groups and current seats stay the same. Nothing is written anywhere: both runs are pure and
//! only the comparison comes back.
//!
//! The comparison lists every child whose outcome differs (sorted by child id) with the change
//! (`gains_place`, `loses_place`, `better`, `worse`), counts them, and puts the two
//! [`RoundStatistics`] next to each other. "Better" and "worse" follow the child's own list: a
//! wish ranked higher is better; its current seat, when not among its wishes, ranks below all
//! wishes and above no seat.

use crate::catalogue::{Catalogue, CatalogueError, Facts};
use crate::engine::SolveOptions;
use crate::instance::{CatalogueRef, Child, Instance};
use crate::protocol::{place, PlacementResult};
use crate::statistics::{round_statistics, RoundStatistics};
use serde::Serialize;

/// Format tag of a what-if comparison.
pub const WHAT_IF_FORMAT: &str = "kitanetz-placement-what-if/1";

/// One of the two runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    /// Catalogue that produced the points (as recorded in the instance).
    pub catalogue: Option<CatalogueRef>,
    /// Canonical hash of the run's instance (reproduce it with `kitanetz place`).
    pub input_hash: String,
    /// Whether the independent checker certified the run stable.
    pub stable: bool,
    /// The run's statistics.
    pub statistics: RoundStatistics,
}

/// A child's outcome in one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Program, `null` for no seat.
    pub program: Option<String>,
    /// Wish rank (1-based) of the program; `null` for no seat or for a kept current seat the
    /// child did not list among its wishes.
    pub rank: Option<u32>,
}

/// How a child's outcome changes from the base run to the alternative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// No seat in the base run, a seat in the alternative.
    GainsPlace,
    /// A seat in the base run, none in the alternative.
    LosesPlace,
    /// A seat it ranked higher.
    Better,
    /// A seat it ranked lower.
    Worse,
}

/// One child whose outcome differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChildChange {
    /// Child id.
    pub child: String,
    /// Outcome under the base catalogue.
    pub base: Outcome,
    /// Outcome under the alternative catalogue.
    pub alternative: Outcome,
    /// The change.
    pub change: Change,
}

/// Counts of the changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Children compared.
    pub children: u64,
    /// Children with the same outcome.
    pub unchanged: u64,
    /// See [`Change::GainsPlace`].
    pub gains_place: u64,
    /// See [`Change::LosesPlace`].
    pub loses_place: u64,
    /// See [`Change::Better`].
    pub better: u64,
    /// See [`Change::Worse`].
    pub worse: u64,
}

/// The comparison document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhatIf {
    /// [`WHAT_IF_FORMAT`].
    pub format: &'static str,
    /// The run with the instance's points as given.
    pub base: Side,
    /// The run with the points of the other catalogue.
    pub alternative: Side,
    /// Counts of the changes.
    pub summary: Summary,
    /// Every child whose outcome differs, by child id.
    pub changes: Vec<ChildChange>,
}

/// Why a what-if run cannot be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WhatIfError {
    /// The other catalogue cannot be compiled.
    #[error("the other catalogue cannot be used: {0}")]
    Catalogue(#[from] CatalogueError),
    /// Neither the instance nor the caller gave facts to recompile the points from.
    #[error(
        "the instance carries no facts: a what-if run recompiles the points from them; add the \
         instance's `facts` or give a facts file"
    )]
    NoFacts,
}

/// Solves `inst` as given and under `other` (points recompiled from `facts`, or the instance's
/// own `facts` when `None`), and compares the two (pure).
pub fn what_if(
    inst: &Instance,
    other: &Catalogue,
    facts: Option<&Facts>,
    opts: &SolveOptions,
) -> Result<WhatIf, WhatIfError> {
    let facts = facts.or(inst.facts.as_ref()).ok_or(WhatIfError::NoFacts)?;
    let mut alt = inst.clone();
    other.compile_into(&mut alt, facts)?;
    let base_result = place(inst, opts, false);
    let alt_result = place(&alt, opts, false);
    Ok(compare(inst, &base_result, &alt, &alt_result))
}

/// Compares two results of instances with the same children and wishes (pure). Children are
/// taken from `base_inst`; a child missing from a result counts as unplaced there.
pub fn compare(
    base_inst: &Instance,
    base: &PlacementResult,
    alt_inst: &Instance,
    alt: &PlacementResult,
) -> WhatIf {
    let mut children: Vec<&Child> = base_inst.children.iter().collect();
    children.sort_by(|a, b| a.id.cmp(&b.id));
    let mut summary = Summary {
        children: children.len() as u64,
        ..Summary::default()
    };
    let mut changes = Vec::new();
    for c in children {
        let got = |r: &PlacementResult| r.assignment.get(c.id.as_str()).cloned().flatten();
        let (b, a) = (got(base), got(alt));
        if b == a {
            summary.unchanged += 1;
            continue;
        }
        let (ob, oa) = (order(c, b.as_deref()), order(c, a.as_deref()));
        let change = match (b.is_some(), a.is_some()) {
            (false, _) => Change::GainsPlace,
            (_, false) => Change::LosesPlace,
            _ if oa < ob => Change::Better,
            _ => Change::Worse,
        };
        match change {
            Change::GainsPlace => summary.gains_place += 1,
            Change::LosesPlace => summary.loses_place += 1,
            Change::Better => summary.better += 1,
            Change::Worse => summary.worse += 1,
        }
        let outcome = |p: Option<String>| Outcome {
            rank: rank(c, p.as_deref()),
            program: p,
        };
        changes.push(ChildChange {
            child: c.id.0.clone(),
            base: outcome(b),
            alternative: outcome(a),
            change,
        });
    }
    let side = |inst: &Instance, r: &PlacementResult| Side {
        catalogue: inst.catalogue.clone(),
        input_hash: r.protocol.input_hash.clone(),
        stable: r.protocol.certificate.stable,
        statistics: round_statistics(inst, r),
    };
    WhatIf {
        format: WHAT_IF_FORMAT,
        base: side(base_inst, base),
        alternative: side(alt_inst, alt),
        summary,
        changes,
    }
}

/// 1-based wish rank of `program` in the child's list.
fn rank(c: &Child, program: Option<&str>) -> Option<u32> {
    let p = program?;
    c.wishes
        .iter()
        .position(|w| w.as_str() == p)
        .map(|i| i as u32 + 1)
}

/// Order of an outcome in the child's own list (smaller is better): wishes, then a current seat
/// not among them (or any other program), then no seat.
fn order(c: &Child, program: Option<&str>) -> u32 {
    match (program, rank(c, program)) {
        (None, _) => u32::MAX,
        (Some(_), Some(r)) => r,
        (Some(_), None) => c.wishes.len() as u32 + 1,
    }
}
