//! What the fuzz targets and the seed writer (`write-seeds`) share, so that the committed seeds
//! are exactly what the targets expect:
//!
//! - [`keys`]: a fixed root key and fixed peer identities (fuzzing must be reproducible, and a
//!   crash found with one key must replay with the same key);
//! - [`session`]: a Kita, its Träger and the city syncing in one process, the receiving Träger
//!   node the `sync_wire` target attacks, and the invariants it must keep;
//! - [`frames`]: how a `sync_wire` input is cut into messages from several peers.

pub mod frames;
pub mod keys;
pub mod session;

/// The readers of the `case_files` target, in the order its first input byte selects them
/// (`selector % len`). The seed files are named after them. Append only: reordering would
/// send every corpus entry to another reader.
pub const CASE_READERS: &[&str] = &[
    "fee-case",
    "fee-statute",
    "staff-need-case",
    "tagespflege-case",
    "kitaplaner-case",
    "kdw-case",
    "landeszuschuss-case",
];
