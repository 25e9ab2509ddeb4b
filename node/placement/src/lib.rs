//! Kitanetz placement engine (see `shared/design/PLACEMENT.md`).
//!
//! The crate is a pure library: [`engine`], [`groups`], [`check`], [`catalogue`] and [`protocol`]
//! never touch the clock, the disk or the network, so that a round can be replayed byte for byte
//! and verified by a court. Only [`cli`] reads a file, because the node binary and external
//! verifiers call `kitanetz place --instance FILE.json` through it.
//!
//! Layers:
//! - [`instance`]: the neutral interchange format `kitanetz-placement/1` (string ids, JSON), its
//!   validation and its canonical hash;
//! - [`problem`]: the compiled, interned form (u32 indices, flat CSR preference lists, one `u64`
//!   priority key per (child, wish)) that the hot loops run on;
//! - [`engine`]: child-proposing deferred acceptance and the Lastenheft's sequential procedure;
//! - [`groups`]: children applying together (same facility or nobody);
//! - [`check`]: an independent stability checker working on the string-level instance;
//! - [`catalogue`]: versioned criteria catalogues compiled into points, and the seeded lottery;
//! - [`protocol`]: the round protocol (certificate, cutoffs, explanations, engine counters);
//! - [`statistics`]: round statistics in integers (rank distribution, first choice, top 3,
//!   unplaced by district and age band, the legal claim of § 24 SGB VIII);
//! - [`whatif`]: the same applications under another criteria catalogue, compared side by
//!   side with the catalogue in force (per-child changes and both statistics).
//!
//! Persisted formats: `kitanetz-placement/1` (input, [`instance`]; optional statistics fields
//! `district`, `birth_date`, `reference_date` and optional `facts`),
//! `kitanetz-placement-result/1` (output of `kitanetz place`, [`protocol`]; with `--stats` also
//! `statistics`) and `kitanetz-placement-what-if/1` ([`whatif`]). All are written as compact
//! JSON unless `pretty` is asked for.

pub mod catalogue;
pub mod check;
pub mod cli;
pub mod engine;
pub mod groups;
pub mod ids;
pub mod instance;
pub mod problem;
pub mod protocol;
pub mod statistics;
pub mod whatif;

pub use cli::{run_place, run_place_with, run_what_if, Mode, PlaceArgs, PlaceError, WhatIfArgs};
pub use engine::{solve, Solution, SolveOptions};
pub use ids::{ChildId, FacilityId, GroupId, ProgramId, TraegerId};
pub use instance::{Instance, InstanceError};
pub use problem::{Problem, ProblemBuilder, NONE};
pub use statistics::{round_statistics, RoundStatistics};
pub use whatif::{what_if, WhatIf};

/// Engine version recorded in every protocol (the crate version).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
