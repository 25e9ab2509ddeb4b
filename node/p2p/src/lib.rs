//! libp2p transport for Kitanetz sync (ARCHITECTURE.md §4).
//!
//! Nodes talk over TCP with Noise encryption and Yamux streams. A peer is admitted only with a
//! membership certificate signed by the city's root key that names the PeerId Noise
//! authenticated; only then does the sans-IO [`kitanetz_sync::SyncCore`] learn about the peer,
//! with the membership from the certificate. Sync messages travel as ordered batches over
//! request-response (see [`codec`]). A signed revocation list cuts a peer off at once; nodes
//! pass a newer list on to their peers, so the city's list reaches every node it can reach.
//!
//! The core does not know libp2p: tests can drive many cores in one process without it, and
//! another transport can replace this crate.

pub mod cert;
pub mod codec;
mod links;
mod node;
pub mod sign;
mod swarm;

pub use cert::{
    generate_root, issue_certificate, issue_revocations, load_or_create_identity, next_revocations,
    verify_certificate, write_identity, CertError, Certificate, RevocationList, RootKey,
    RootPublicKey, Signed, SignedCertificate, SignedRevocationList,
};
pub use node::{
    system_clock, Clock, P2pConfig, P2pError, P2pHandle, P2pNode, PeerStatus, RevocationOutcome,
    RevocationSink, SharedCore,
};
pub use sign::{node_signing, CertVerifier, NodeSigner, RevokedPeers};

/// The libp2p types a node needs to configure links (addresses, identities).
pub use libp2p::{identity::Keypair, multiaddr::Protocol, Multiaddr, PeerId};
