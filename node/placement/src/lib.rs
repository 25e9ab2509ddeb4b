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
//! - [`protocol`]: the round protocol (certificate, cutoffs, explanations, statistics).

pub mod catalogue;
pub mod check;
pub mod cli;
pub mod engine;
pub mod groups;
pub mod ids;
pub mod instance;
pub mod problem;
pub mod protocol;

pub use cli::{run_place, run_place_with, Mode, PlaceArgs, PlaceError};
pub use engine::{solve, Solution, SolveOptions};
pub use ids::{ChildId, FacilityId, GroupId, ProgramId, TraegerId};
pub use instance::{Instance, InstanceError};
pub use problem::{Problem, ProblemBuilder, NONE};

/// Engine version recorded in every protocol (the crate version).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
