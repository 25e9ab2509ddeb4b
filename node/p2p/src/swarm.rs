//! The libp2p stack: TCP + Noise + Yamux, identify, the sync protocol, a block list, and circuit
//! relay v2 (a Träger office relays its Kitas' links to the city).

use crate::codec::{RawCodec, PROTOCOL};
use crate::node::{P2pConfig, P2pError};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{allow_block_list, identify, noise, relay, request_response, tcp, yamux, Swarm};
use std::time::Duration;

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
    /// The relay server, on Träger office nodes only (see [`relay_config`]).
    pub relay: Toggle<relay::Behaviour>,
    /// Dials through a relay (`…/p2p/<office>/p2p-circuit/p2p/<city>`) and listens through one
    /// (the city, at every office it is linked with).
    pub relay_client: relay::client::Behaviour,
}

/// The office's relay: a Kita behind a firewall that reaches only its Träger office links to
/// the city through it. The link is the ordinary one end to end (Noise between the Kita's and
/// the city's node keys, then certificates, then sync), carried in a stream of the office's
/// links; the office sees sizes and times, nothing of the content, and the city admits the
/// Kita by its certificate as on a direct link.
///
/// libp2p's defaults are made for public relays that only introduce peers (128 KiB and two
/// minutes per circuit, 16 circuits): here a circuit carries a Kita's whole placement traffic
/// and the city is one end of every circuit (the per-peer count includes the destination),
/// so the limits are per office, not per stranger. A circuit ends after a day and the Kita
/// redials at once; the rate limits per peer and address stay libp2p's. A peer that has not
/// shown a certificate yet could use the relay until the handshake deadline closes its
/// connection, but it reaches only peers that listen through the office (the city), which
/// admit nobody without a certificate.
fn relay_config() -> relay::Config {
    relay::Config {
        max_reservations: 1024,
        max_reservations_per_peer: 4,
        max_circuits: 4096,
        max_circuits_per_peer: 4096,
        max_circuit_duration: Duration::from_secs(24 * 60 * 60),
        max_circuit_bytes: u64::MAX,
        ..relay::Config::default()
    }
}

/// `relay_server`: this node is a Träger office and relays for its peers.
pub(crate) fn build_swarm(
    config: &P2pConfig,
    relay_server: bool,
) -> Result<Swarm<Behaviour>, P2pError> {
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
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(|e| P2pError::Transport(e.to_string()))?
        .with_behaviour(|key, relay_client| Behaviour {
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
            relay: Toggle::from(relay_server.then(|| {
                let mut relay = relay::Behaviour::new(key.public().to_peer_id(), relay_config());
                // libp2p switches a relay on only once the node has a confirmed public
                // address; an office relays for the peers it admitted, wherever it stands.
                relay.set_status(Some(relay::Status::Enable));
                relay
            })),
            relay_client,
        })
        .map_err(|e| P2pError::Transport(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(idle))
        .build();
    Ok(swarm)
}
