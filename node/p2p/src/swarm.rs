//! The libp2p stack: TCP + Noise + Yamux, identify, the sync protocol and a block list.

use crate::codec::{RawCodec, PROTOCOL};
use crate::node::{P2pConfig, P2pError};
use libp2p::swarm::NetworkBehaviour;
use libp2p::{allow_block_list, identify, noise, request_response, tcp, yamux, Swarm};

/// The node's behaviours.
///
/// Admission is by certificate, presented after the Noise handshake, so the allow-list of
/// libp2p (which needs every PeerId in advance) does not fit: a new Kita would have to be
/// configured on every node before it could show its certificate. Instead every connection
/// must present a valid certificate first, and peers that fail or are revoked go on the
/// block list, which closes their connections at once and denies new ones.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    pub identify: identify::Behaviour,
    pub rr: request_response::Behaviour<RawCodec>,
}

pub(crate) fn build_swarm(config: &P2pConfig) -> Result<Swarm<Behaviour>, P2pError> {
    let rr_config =
        request_response::Config::default().with_request_timeout(config.request_timeout);
    let idle = config.idle_timeout;
    let swarm = libp2p::SwarmBuilder::with_existing_identity(config.identity.clone())
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| P2pError::Transport(e.to_string()))?
        .with_behaviour(|key| Behaviour {
            blocked: allow_block_list::Behaviour::default(),
            identify: identify::Behaviour::new(
                identify::Config::new("/kitanetz/1".into(), key.public())
                    .with_agent_version(format!("kitanetz/{}", env!("CARGO_PKG_VERSION"))),
            ),
            rr: request_response::Behaviour::with_codec(
                RawCodec,
                [(PROTOCOL, request_response::ProtocolSupport::Full)],
                rr_config,
            ),
        })
        .map_err(|e| P2pError::Transport(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(idle))
        .build();
    Ok(swarm)
}
