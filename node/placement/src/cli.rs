//! `kitanetz place`: the command-line entry, as a library function the node binary calls.
//!
//! This is the only module that reads a file. Argument parsing (clap) stays in the node binary;
//! it fills a [`PlaceArgs`] and calls [`run_place`], or a [`WhatIfArgs`] and calls
//! [`run_what_if`].
//!
//! Output is compact JSON on one line (`--pretty` indents it for a person; at state scale that
//! doubles the bytes). `kitanetz place` writes `kitanetz-placement-result/1`; the what-if run
//! writes `kitanetz-placement-what-if/1` ([`crate::whatif`]).
//!
//! Exit codes: `0` ok, `1` `--check` found a blocking pair, waste or infeasibility, `2` the
//! instance could not be read or is invalid, `3` the output could not be written.

use crate::catalogue;
use crate::check;
use crate::engine::{SolveOptions, DEFAULT_GROUP_BUDGET};
use crate::instance::{Instance, InstanceError};
use crate::protocol::place;
use crate::whatif::{what_if, WhatIfError};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// Indent the JSON for a person (default: compact, one line).
    pub pretty: bool,
}

/// Arguments of the what-if run (`kitanetz place --what-if CATALOGUE`): the same instance under
/// another criteria catalogue, compared with the catalogue in force.
#[derive(Clone, Debug, Default)]
pub struct WhatIfArgs {
    /// Instance file (`kitanetz-placement/1` JSON); its points are the base run.
    pub instance: PathBuf,
    /// The other criteria catalogue (JSON, [`crate::catalogue::Catalogue`]).
    pub catalogue: PathBuf,
    /// Facts to compile the other catalogue with (JSON, [`crate::catalogue::Facts`]); default:
    /// the instance's `facts`.
    pub facts: Option<PathBuf>,
    /// Procedure of both runs.
    pub mode: Mode,
    /// Draw every child's lottery number from this seed, for both runs.
    pub seed: Option<String>,
    /// Node budget of the group search of both runs; default 64.
    pub group_budget: Option<u64>,
    /// Indent the JSON for a person (default: compact, one line).
    pub pretty: bool,
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
    /// A catalogue or facts file is not JSON of the expected shape.
    #[error("invalid {what} {path}: {message}")]
    Json {
        /// `catalogue` or `facts`.
        what: &'static str,
        /// Path given.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The what-if run cannot be made (catalogue rejected, no facts).
    #[error("what-if of {path}: {source}")]
    WhatIf {
        /// Catalogue path given.
        path: PathBuf,
        /// What is wrong.
        source: WhatIfError,
    },
    /// The result could not be written.
    #[error("cannot write the result: {0}")]
    Write(#[from] std::io::Error),
}

impl PlaceError {
    /// Process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            PlaceError::Read { .. }
            | PlaceError::Input { .. }
            | PlaceError::Json { .. }
            | PlaceError::WhatIf { .. } => 2,
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
    let inst = read_instance(&args.instance, args.seed.as_deref())?;
    let opts = SolveOptions {
        mode: args.mode,
        group_budget: args.group_budget.unwrap_or(DEFAULT_GROUP_BUDGET),
    };
    let result = place(&inst, &opts, args.stats);
    // Compact, not pretty: at state scale (100,000 children) the protocol's explanations are
    // tens of megabytes, and indenting them doubled the bytes and the time to write them.
    // `jq .` pretty-prints it for a person.
    let bytes = to_json(&result, args.pretty);
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

/// Runs the what-if comparison: the instance as given and under the other catalogue, written
/// as `kitanetz-placement-what-if/1` to `out`. Reads the three files, nothing else; the
/// instance, the catalogue and the facts are not changed. Exit code 0, or an error.
pub fn run_what_if(args: &WhatIfArgs, out: &mut dyn Write) -> Result<i32, PlaceError> {
    let inst = read_instance(&args.instance, args.seed.as_deref())?;
    let other: catalogue::Catalogue = read_json("catalogue", &args.catalogue)?;
    let facts: Option<catalogue::Facts> = match &args.facts {
        Some(path) => Some(read_json("facts", path)?),
        None => None,
    };
    let opts = SolveOptions {
        mode: args.mode,
        group_budget: args.group_budget.unwrap_or(DEFAULT_GROUP_BUDGET),
    };
    let comparison =
        what_if(&inst, &other, facts.as_ref(), &opts).map_err(|source| PlaceError::WhatIf {
            path: args.catalogue.clone(),
            source,
        })?;
    out.write_all(&to_json(&comparison, args.pretty))?;
    out.flush()?;
    Ok(0)
}

/// Reads and validates an instance, drawing the lottery from `seed` if given.
fn read_instance(path: &Path, seed: Option<&str>) -> Result<Instance, PlaceError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlaceError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut inst = Instance::from_json(&text).map_err(|source| PlaceError::Input {
        path: path.to_owned(),
        source,
    })?;
    if let Some(seed) = seed {
        catalogue::apply_seed(&mut inst, seed);
    }
    Ok(inst)
}

fn read_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    path: &Path,
) -> Result<T, PlaceError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlaceError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| PlaceError::Json {
        what,
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Compact JSON on one line, or indented for a person; ends with a newline.
fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> Vec<u8> {
    let mut bytes = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    }
    .expect("result serialises");
    bytes.push(b'\n');
    bytes
}
