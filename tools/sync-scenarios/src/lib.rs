//! The scenarios `sync-bench` (tools/bench) and `samod-bench` (tools/samod-bench) share, kept in one
//! place so that both benchmarks measure the same documents, the same edits and the same Kita
//! with history, and report them the same way:
//!
//! - [`scenario`]: node memberships, document metadata, the documents and edits of the wire
//!   scenario;
//! - [`kita`]: the Kita of 200 children with three years of history (bootstrap scenario);
//! - [`net`]: `kitanetz-sync` cores wired in one process, counting what goes over each link;
//! - [`partition`]: the partition scenario of N nodes, over today's links or a star per Träger
//!   with signed, relayed changes (`relay-bench`);
//! - [`report`]: figures, the final table and the command line.
//!
//! A crate of its own so that sync-bench does not compile samod and samod-bench does not
//! compile the node.

pub mod kita;
pub mod net;
pub mod partition;
pub mod report;
pub mod scenario;
