//! Per-peer link state and the redial schedule for static peers.

use crate::cert::Certificate;
use libp2p::request_response::OutboundRequestId;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::swarm::ConnectionId;
use libp2p::Multiaddr;
use std::collections::{HashSet, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// First redial delay; doubles per failure up to [`MAX_BACKOFF`].
pub const MIN_BACKOFF: Duration = Duration::from_millis(250);
/// Longest wait between redials: a Kita back from an outage is synced within half a minute.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// One peer with at least one open connection.
pub(crate) struct Link {
    pub opened: Instant,
    /// Our certificate went out on this link (once per link, not per connection).
    pub cert_sent: bool,
    pub cert_request: Option<OutboundRequestId>,
    /// The peer accepted our certificate.
    pub cert_acked: bool,
    /// The peer's verified certificate.
    pub cert: Option<Certificate>,
    /// Both sides accepted each other and the core knows the peer.
    pub admitted: bool,
    /// Encoded sync messages not yet sent, in order.
    pub queue: VecDeque<Vec<u8>>,
    /// The unacknowledged batch and how many messages it holds.
    pub in_flight: Option<(OutboundRequestId, usize)>,
    /// Revocation lists sent and not yet answered: a refusal of one is logged, it does not
    /// end the link the way a refused certificate or batch does.
    pub revocations_in_flight: HashSet<OutboundRequestId>,
    pub last_sync: Option<u64>,
    /// The peer's address on the first direct (not relayed) connection: the city listens
    /// through an office's relay by it.
    pub direct_address: Option<Multiaddr>,
    /// The relay of the first relayed connection (a Kita's link to the city through its
    /// office), for a link without a direct one.
    pub relay: Option<libp2p::PeerId>,
}

impl Link {
    pub fn new(opened: Instant) -> Self {
        Link {
            opened,
            cert_sent: false,
            cert_request: None,
            cert_acked: false,
            cert: None,
            admitted: false,
            queue: VecDeque::new(),
            in_flight: None,
            revocations_in_flight: HashSet::new(),
            last_sync: None,
            direct_address: None,
            relay: None,
        }
    }

    /// The certified node name (empty before the certificate arrived).
    pub fn name(&self) -> &str {
        self.cert.as_ref().map_or("", |c| c.node_name.as_str())
    }

    pub fn pending(&self) -> usize {
        self.queue.len() + self.in_flight.as_ref().map_or(0, |(_, n)| *n)
    }
}

enum DialState {
    Waiting(Instant),
    Dialing(ConnectionId),
    Connected(ConnectionId),
}

struct Dial {
    addr: Multiaddr,
    state: DialState,
    backoff: Duration,
}

/// Static peer addresses, each dialled until connected and redialled with exponential backoff
/// after a failed dial or a closed connection.
pub(crate) struct Dials {
    dials: Vec<Dial>,
}

impl Dials {
    /// All addresses are due at `now`.
    pub fn new(addrs: Vec<Multiaddr>, now: Instant) -> Self {
        Dials {
            dials: addrs
                .into_iter()
                .map(|addr| Dial {
                    addr,
                    state: DialState::Waiting(now),
                    backoff: MIN_BACKOFF,
                })
                .collect(),
        }
    }

    /// Dial options for every address whose wait is over (now marked as dialling).
    pub fn due(&mut self, now: Instant) -> Vec<DialOpts> {
        let mut out = Vec::new();
        for d in &mut self.dials {
            if matches!(d.state, DialState::Waiting(at) if at <= now) {
                let opts = DialOpts::unknown_peer_id().address(d.addr.clone()).build();
                d.state = DialState::Dialing(opts.connection_id());
                out.push(opts);
            }
        }
        out
    }

    pub fn established(&mut self, id: ConnectionId) {
        for d in &mut self.dials {
            if matches!(d.state, DialState::Dialing(c) if c == id) {
                d.state = DialState::Connected(id);
                d.backoff = MIN_BACKOFF;
            }
        }
    }

    /// A dial failed: wait, then try again, waiting twice as long next time.
    pub fn failed(&mut self, id: ConnectionId, now: Instant) {
        for d in &mut self.dials {
            if matches!(d.state, DialState::Dialing(c) if c == id) {
                d.state = DialState::Waiting(now + d.backoff);
                d.backoff = (d.backoff * 2).min(MAX_BACKOFF);
            }
        }
    }

    /// A dialled connection closed: redial after the current backoff.
    pub fn closed(&mut self, id: ConnectionId, now: Instant) {
        for d in &mut self.dials {
            if matches!(d.state, DialState::Connected(c) if c == id) {
                d.state = DialState::Waiting(now + d.backoff);
                d.backoff = (d.backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets_on_success() {
        let t0 = Instant::now();
        let mut d = Dials::new(vec!["/ip4/127.0.0.1/tcp/1".parse().unwrap()], t0);
        let mut waits = Vec::new();
        let mut now = t0;
        for _ in 0..10 {
            let opts = d.due(now);
            assert_eq!(opts.len(), 1);
            d.failed(opts[0].connection_id(), now);
            assert!(d.due(now).is_empty(), "not before the backoff");
            let DialState::Waiting(at) = d.dials[0].state else {
                panic!("waiting")
            };
            waits.push(at - now);
            now = at;
        }
        assert_eq!(waits[0], MIN_BACKOFF);
        assert_eq!(waits[1], MIN_BACKOFF * 2);
        assert_eq!(*waits.last().unwrap(), MAX_BACKOFF);
        let opts = d.due(now);
        let id = opts[0].connection_id();
        d.established(id);
        d.closed(id, now);
        let DialState::Waiting(at) = d.dials[0].state else {
            panic!("waiting")
        };
        assert_eq!(at - now, MIN_BACKOFF, "a success resets the backoff");
    }
}
