//! The placement engines: deferred acceptance ([`da`]) and the Lastenheft's sequential
//! procedure ([`sequential`]). Both are pure functions of a [`Problem`].

pub mod da;
pub mod sequential;

use crate::groups::{self, GroupReport};
use crate::problem::Problem;

/// Which procedure to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Child-proposing deferred acceptance (coordinated rounds, refill).
    #[default]
    Da,
    /// The Lastenheft's wish-by-wish procedure with waitlists and the central pool.
    Sequential,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "da" => Ok(Mode::Da),
            "sequential" => Ok(Mode::Sequential),
            other => Err(format!("unknown mode {other:?}: use da or sequential")),
        }
    }
}

/// Default budget of the exact group search, in deferred-acceptance runs (search nodes).
///
/// A budget counted in runs rather than wall-clock time keeps the result deterministic on any
/// machine.
pub const DEFAULT_GROUP_BUDGET: u64 = 64;

/// Options of one solve.
#[derive(Clone, Copy, Debug)]
pub struct SolveOptions {
    /// Procedure.
    pub mode: Mode,
    /// Node budget of the exact group search (deferred-acceptance runs).
    pub group_budget: u64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            mode: Mode::Da,
            group_budget: DEFAULT_GROUP_BUDGET,
        }
    }
}

/// Result of one solve, in indices.
#[derive(Clone, Debug)]
pub struct Solution {
    /// Per child: position in its list ([`crate::problem::Problem::list`]) or [`crate::NONE`].
    pub pos: Vec<u32>,
    /// Proposals (applications) made in total, across all runs.
    pub proposals: u64,
    /// What happened to the groups.
    pub groups: GroupReport,
    /// Sequential mode: per program the waitlist (children in priority order); empty for DA.
    pub waitlists: Vec<Vec<u32>>,
}

impl Solution {
    /// Program assigned to child `c`, if any.
    pub fn program_of(&self, p: &Problem, c: u32) -> Option<u32> {
        p.program_at(c, self.pos[c as usize])
    }
}

/// Solves a problem.
pub fn solve(p: &Problem, opts: &SolveOptions) -> Solution {
    match opts.mode {
        Mode::Da => {
            if p.groups.is_empty() {
                let out = da::deferred_acceptance(p, &da::BaseLists(p));
                Solution {
                    pos: out.pos,
                    proposals: out.proposals,
                    groups: GroupReport {
                        budget: opts.group_budget,
                        ..GroupReport::default()
                    },
                    waitlists: Vec::new(),
                }
            } else {
                groups::solve_with_groups(p, opts.group_budget)
            }
        }
        Mode::Sequential => sequential::run(p),
    }
}
