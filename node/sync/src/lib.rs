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
//! - a document is taken in only if `may_hold(self, meta)`, and its new changes only if the peer
//!   `may_write` it (see [`kitanetz_crdt::policy::may_write`]) or — with [`Signing`] — each of
//!   them carries a valid signature by a writer whose certified membership `may_write` it;
//! - a tombstoned (erased) document is never re-imported;
//! - erasure travels as [`Msg::Erased`] and is obeyed only from a peer that may write the
//!   document, or as [`Msg::SignedErased`] with a writer's signature from any peer.
//!
//! Relaying ([`sign`], issue #13 item 8): automerge changes are unsigned, so without signing a
//! change is only as trustworthy as the peer handing it over and each holder must sync with a
//! writer directly (a full mesh). A core built [`with_signing`](SyncCore::with_signing) signs
//! the changes its node commits (under its own actor id) with the node key, stores every valid
//! signature it receives ([`DocRepo::save_signatures`]) and sends them along with the changes
//! ([`Msg::Writer`] introduces a writer's certificate once per session, [`Msg::Signatures`]
//! precedes the sync message). Every hop verifies, so authorisation rests on the original
//! writer, and a node that may hold a document passes it on whether or not it may write it: a
//! Kita that reaches only its Träger office converges with the city on every document the
//! office may hold too. Documents the office may not hold (placement: seat ledgers, wishes,
//! conflict decisions; applicant shares) are not forwarded opaquely; they still need a direct
//! link (see ARCHITECTURE.md §4 "Relaying").
//!
//! Compatibility: a core without signing behaves as before; messages without signatures are
//! unchanged on the wire. The new message types (tags 3–5) are refused by older nodes
//! (`UnknownTag`), so the transport should move to a new protocol name when it turns signing on.

mod core;
#[cfg(feature = "fixtures")]
pub mod fixtures;
mod repo;
pub mod sign;
mod wire;

pub use crate::core::{Outgoing, PeerName, SyncCore, SyncError};
pub use crate::repo::{DocRepo, MemRepo, RepoError};
pub use crate::sign::{ChangeSignature, ChangeSigner, ChangeVerifier, Signing, WriterId};
pub use crate::wire::{Msg, SignedErasure, WireError, WireSignature, MAX_MESSAGE, MAX_SIGNATURE};
