//! `kitanetz place`: the command-line entry, as a library function the node binary calls.
//!
//! This is the only module that reads a file. Argument parsing (clap) stays in the node binary;
//! it fills a [`PlaceArgs`] and calls [`run_place`].
//!
//! Exit codes: `0` ok, `1` `--check` found a blocking pair, waste or infeasibility, `2` the
//! instance could not be read or is invalid, `3` the output could not be written.

use crate::catalogue;
use crate::check;
use crate::engine::{SolveOptions, DEFAULT_GROUP_BUDGET};
use crate::instance::{Instance, InstanceError};
use crate::protocol::place;
use std::io::Write;
use std::path::PathBuf;

pub use crate::engine::Mode;

/// Arguments of `kitanetz place`.
#[derive(Clone, Debug, Default)]
pub struct PlaceArgs {
    /// Instance file (`kitanetz-placement/1` JSON).
    pub instance: PathBuf,
    /// Re-verify the written result independently; exit 1 on any violation.
    pub check: bool,
    /// Add statistics to the output.
    pub stats: bool,
    /// Procedure: deferred acceptance (default) or the sequential Lastenheft procedure.
    pub mode: Mode,
    /// Draw every child's lottery number from this seed (its hash goes into the protocol).
    pub seed: Option<String>,
    /// Node budget of the group search (deferred-acceptance runs); default 64.
    pub group_budget: Option<u64>,
}

/// Why `kitanetz place` failed.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// The instance file could not be read.
    #[error("cannot read instance {path}: {source}")]
    Read {
        /// Path given.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The instance is invalid.
    #[error("invalid instance {path}: {source}")]
    Input {
        /// Path given.
        path: PathBuf,
        /// What is wrong.
        source: InstanceError,
    },
    /// The result could not be written.
    #[error("cannot write the result: {0}")]
    Write(#[from] std::io::Error),
}

impl PlaceError {
    /// Process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            PlaceError::Read { .. } | PlaceError::Input { .. } => 2,
            PlaceError::Write(_) => 3,
        }
    }
}

/// Runs `kitanetz place`, writing the result to `out` and check failures to standard error.
pub fn run_place(args: &PlaceArgs, out: &mut dyn Write) -> Result<i32, PlaceError> {
    run_place_with(args, out, &mut std::io::stderr())
}

/// [`run_place`] with an explicit error stream (for tests).
pub fn run_place_with(
    args: &PlaceArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, PlaceError> {
    let text = std::fs::read_to_string(&args.instance).map_err(|source| PlaceError::Read {
        path: args.instance.clone(),
        source,
    })?;
    let mut inst = Instance::from_json(&text).map_err(|source| PlaceError::Input {
        path: args.instance.clone(),
        source,
    })?;
    if let Some(seed) = &args.seed {
        catalogue::apply_seed(&mut inst, seed);
    }
    let opts = SolveOptions {
        mode: args.mode,
        group_budget: args.group_budget.unwrap_or(DEFAULT_GROUP_BUDGET),
    };
    let result = place(&inst, &opts, args.stats);
    // Compact, not pretty: at state scale (100,000 children) the protocol's explanations are
    // tens of megabytes, and indenting them doubled the bytes and the time to write them.
    // `jq .` pretty-prints it for a person.
    let mut bytes = serde_json::to_vec(&result).expect("result serialises");
    bytes.push(b'\n');
    out.write_all(&bytes)?;
    out.flush()?;
    if !args.check {
        return Ok(0);
    }
    // Re-verify what was actually written, not the in-memory result: only the assignment is
    // read back (the rest of the document is skipped, not built as a tree).
    #[derive(serde::Deserialize)]
    struct Written {
        assignment: check::Assignment,
    }
    let Written { assignment } = serde_json::from_slice(&bytes).expect("own output parses");
    // The result's certificate was computed by the independent checker on the in-memory
    // assignment; when the written one is the same, it is the certificate of what was written
    // (checking again would only repeat it).
    let cert = if assignment == result.assignment_ids() {
        result.protocol.certificate.clone()
    } else {
        check::check(&inst, &assignment)
    };
    if cert.stable {
        return Ok(0);
    }
    writeln!(
        err,
        "check failed: {} blocking pairs, {} waste, {} infeasible",
        cert.blocking_pairs, cert.waste, cert.infeasible
    )?;
    for v in &cert.violations {
        match &v.displaces {
            Some(d) => writeln!(
                err,
                "{}: {} at {} (displaces {})",
                v.kind, v.child, v.program, d
            )?,
            None => writeln!(err, "{}: {} at {}", v.kind, v.child, v.program)?,
        }
    }
    Ok(1)
}
