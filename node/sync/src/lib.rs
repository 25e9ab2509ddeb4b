//! Kitanetz document sync, sans IO (ARCHITECTURE.md §4).
//!
//! [`SyncCore`] runs the automerge sync protocol per document and per peer and decides, with the
//! visibility and write policy of `kitanetz-crdt`, what is served to whom and what is accepted
//! from whom. It never touches the network, the disk or the clock: the node's shell feeds it
//! events (a peer connected with a verified [`Membership`](kitanetz_crdt::policy::Membership),
//! a message arrived, a local change was committed) and sends the [`Outgoing`] messages it
//! returns. Documents and per-peer sync states live behind the [`DocRepo`] trait, which the node
//! implements over its SQLite store; [`MemRepo`] is the in-memory version for tests.
//!
//! Rules enforced here, all deny by default:
//! - a document is offered to a peer only if `may_hold(peer, meta)`;
//! - a document is taken in only if `may_hold(self, meta)` and the peer `may_write` it
//!   (automerge changes are unsigned, so a change is only as trustworthy as the peer handing it
//!   over; see [`kitanetz_crdt::policy::may_write`]);
//! - a tombstoned (erased) document is never re-imported;
//! - erasure travels as [`Msg::Erased`] and is obeyed only from a peer that may write the document.
//!
//! Consequence of the write rule: changes are not relayed through nodes that may not write a
//! document, so each holder syncs with a writer directly. Relaying needs signed changes (later).

mod core;
#[cfg(feature = "fixtures")]
pub mod fixtures;
mod repo;
mod wire;

pub use crate::core::{Outgoing, PeerName, SyncCore, SyncError};
pub use crate::repo::{DocRepo, MemRepo, RepoError};
pub use crate::wire::{Msg, WireError, MAX_MESSAGE};
