//! The node's network shell: a libp2p swarm that admits peers by certificate and drives the
//! sync core. Runs as one tokio task; the application talks to it through [`P2pHandle`].

use crate::cert::{
    verify_certificate, CertError, Certificate, RevocationList, RootPublicKey, SignedCertificate,
    SignedRevocationList,
};
use crate::codec::{Request, Response, BATCH_HEADER, BATCH_PER_MESSAGE, MAX_FRAME};
use crate::links::{Dials, Link};
use crate::swarm::{build_swarm, Behaviour, BehaviourEvent};
use kitanetz_crdt::policy::{Membership, NodeRole};
use kitanetz_crdt::DocId;
use kitanetz_sync::{DocRepo, Msg, Outgoing, SyncCore};
use libp2p::core::ConnectedPoint;
use libp2p::futures::StreamExt;
use libp2p::identity::Keypair;
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, ResponseChannel};
use libp2p::swarm::SwarmEvent;
use libp2p::{relay, Multiaddr, PeerId, Swarm};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The sync core shared between the application (which writes documents through
/// [`SyncCore::repo_mut`]) and the network task. Held only for short, non-async sections.
pub type SharedCore<R> = Arc<Mutex<SyncCore<R>>>;

/// Unix seconds, injected so that certificate expiry can be tested without waiting.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Told of every revocation list the node puts in force after its start (from
/// [`P2pHandle::apply_revocations`], from a peer, or a newer one found in the revocation file),
/// with its verified content, before the list is saved to the file and passed on. The node
/// application keeps it in its database, so that no file written later can lower it. Runs on
/// the network task: keep it short.
pub type RevocationSink = Arc<dyn Fn(&SignedRevocationList, &RevocationList) + Send + Sync>;

/// The system clock as a [`Clock`].
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    })
}

/// How a node joins the network.
pub struct P2pConfig {
    /// The node's libp2p identity ([`crate::load_or_create_identity`]).
    pub identity: Keypair,
    /// The city's root key, which signs every certificate and revocation list.
    pub root_public_key: RootPublicKey,
    /// This node's certificate; must name `identity`'s PeerId and the sync core's name.
    pub certificate: SignedCertificate,
    /// The newest revocation list this node knows, if any.
    pub revocations: Option<SignedRevocationList>,
    /// Where a newer list (from [`P2pHandle::apply_revocations`] or from a peer) is written, so
    /// that it is still in force after a restart; a newer list the operator put there first is
    /// applied instead of overwritten. `None`: kept in memory only.
    pub revocations_file: Option<PathBuf>,
    /// Told of every newer list put in force (see [`RevocationSink`]). `None`: nobody is told.
    pub on_revocations: Option<RevocationSink>,
    /// Where to listen, e.g. `/ip4/0.0.0.0/tcp/4710`.
    pub listen: Multiaddr,
    /// Static addresses of Träger and city nodes, dialled at start and redialled with backoff.
    pub peers: Vec<Multiaddr>,
    pub clock: Clock,
    /// libp2p closes idle connections after 10 s by default; links between nodes stay up so
    /// that a change goes out at once instead of waiting for a redial.
    pub idle_timeout: Duration,
    /// libp2p's default of 10 s is too short for a 1 MiB batch on a slow Kita uplink.
    pub request_timeout: Duration,
    /// A peer that has not presented a valid certificate by then is disconnected.
    pub handshake_timeout: Duration,
}

impl P2pConfig {
    /// A configuration with the defaults above: system clock, 1 h idle timeout, 120 s request
    /// timeout, 30 s to present a certificate.
    pub fn new(
        identity: Keypair,
        root_public_key: RootPublicKey,
        certificate: SignedCertificate,
        listen: Multiaddr,
    ) -> Self {
        P2pConfig {
            identity,
            root_public_key,
            certificate,
            revocations: None,
            revocations_file: None,
            on_revocations: None,
            listen,
            peers: Vec::new(),
            clock: system_clock(),
            idle_timeout: Duration::from_secs(3600),
            request_timeout: Duration::from_secs(120),
            handshake_timeout: Duration::from_secs(30),
        }
    }
}

/// Why the node could not start or a command failed.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    #[error("this node's certificate: {0}")]
    OwnCertificate(CertError),
    #[error("this node's certificate is for {certified}, but {what} is {actual}: issue a certificate for this node")]
    CertificateMismatch {
        what: &'static str,
        certified: String,
        actual: String,
    },
    #[error("revocation list: {0}")]
    Revocations(CertError),
    #[error("transport: {0}")]
    Transport(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: Multiaddr, reason: String },
    #[error("the network task has stopped")]
    Stopped,
}

/// A connected, admitted peer, for the UI's sync status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStatus {
    pub name: String,
    pub peer_id: PeerId,
    pub membership: Membership,
    /// Unix seconds of the last sync message exchanged (sent and acknowledged, or received).
    pub last_sync: Option<u64>,
    /// Sync messages waiting to be sent or not yet acknowledged.
    pub pending: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Status {
    pub peers: BTreeMap<String, PeerStatus>,
    pub blocked: BTreeSet<PeerId>,
    /// Requests refused from peers (bad certificate, sync before admission, bad frames,
    /// revocation lists the root did not sign).
    pub refused: usize,
    /// Version of the revocation list in force (0: none).
    pub revocation_version: u32,
    /// Revocation lists from peers that were not newer than the one in force.
    pub stale_revocations: usize,
}

/// What became of a verified revocation list handed to the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationOutcome {
    /// The list (of this version) is in force now.
    Applied { version: u32 },
    /// Ignored: its version is not higher than that of the list in force (`in_force`).
    /// `same`: the list in force is this very list (the transport wrote it to the file, or
    /// the operator saved it again).
    NotNewer {
        version: u32,
        in_force: u32,
        same: bool,
    },
}

impl RevocationOutcome {
    pub fn applied(self) -> bool {
        matches!(self, RevocationOutcome::Applied { .. })
    }
}

enum Command {
    LocalChange(DocId),
    Revocations(
        SignedRevocationList,
        RevocationList,
        oneshot::Sender<RevocationOutcome>,
    ),
    Shutdown,
}

/// The application's side of a running node.
pub struct P2pHandle {
    commands: mpsc::UnboundedSender<Command>,
    status: Arc<Mutex<Status>>,
    task: JoinHandle<()>,
    peer_id: PeerId,
    listen_addrs: Vec<Multiaddr>,
    root: RootPublicKey,
}

impl P2pHandle {
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    /// The addresses the node listens on (with the real port when configured with port 0).
    pub fn listen_addrs(&self) -> &[Multiaddr] {
        &self.listen_addrs
    }

    /// The application committed a change to `doc` in the core's repo: offer it to peers.
    pub fn local_change(&self, doc: &DocId) -> Result<(), P2pError> {
        self.commands
            .send(Command::LocalChange(doc.clone()))
            .map_err(|_| P2pError::Stopped)
    }

    /// Admitted peers with their sync status, by name.
    pub fn connected_peers(&self) -> Vec<PeerStatus> {
        self.status
            .lock()
            .expect("status lock")
            .peers
            .values()
            .cloned()
            .collect()
    }

    /// Peers refused or revoked since start.
    pub fn blocked_peers(&self) -> BTreeSet<PeerId> {
        self.status.lock().expect("status lock").blocked.clone()
    }

    /// Requests refused from peers since start.
    pub fn refused_requests(&self) -> usize {
        self.status.lock().expect("status lock").refused
    }

    /// Version of the revocation list in force (0: none yet).
    pub fn revocation_version(&self) -> u32 {
        self.status.lock().expect("status lock").revocation_version
    }

    /// Revocation lists received from peers since start that were not newer than the one in
    /// force (and so were ignored).
    pub fn stale_revocations(&self) -> usize {
        self.status.lock().expect("status lock").stale_revocations
    }

    /// Applies a signed revocation list: when this returns `Ok(true)`, every revoked peer is
    /// disconnected, blocked and gone from the sync core, so nothing more is sent to it; the
    /// list is saved to the revocations file and on its way to every connected peer.
    /// `Ok(false)`: the list is not newer than the one in force and was ignored.
    pub async fn apply_revocations(&self, list: &SignedRevocationList) -> Result<bool, P2pError> {
        Ok(self.offer_revocations(list).await?.applied())
    }

    /// [`P2pHandle::apply_revocations`], saying why a list was not applied: for the operator,
    /// who expects a list handed in by file to apply.
    pub async fn offer_revocations(
        &self,
        list: &SignedRevocationList,
    ) -> Result<RevocationOutcome, P2pError> {
        let verified = list.verify(&self.root).map_err(P2pError::Revocations)?;
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Revocations(list.clone(), verified, tx))
            .map_err(|_| P2pError::Stopped)?;
        rx.await.map_err(|_| P2pError::Stopped)
    }

    /// Closes every link and stops the task. Sync states are already in the repo, so a new
    /// node over the same core picks up where this one stopped.
    pub async fn shutdown(self) {
        let _ = self.commands.send(Command::Shutdown);
        let _ = self.task.await;
    }
}

/// Starts nodes.
pub struct P2pNode;

impl P2pNode {
    /// Checks the configuration, listens, dials the static peers and runs the node in a tokio
    /// task. Returns once the node listens.
    pub async fn spawn<R: DocRepo + Send + 'static>(
        config: P2pConfig,
        core: SharedCore<R>,
    ) -> Result<P2pHandle, P2pError> {
        let root = config.root_public_key;
        let own = config
            .certificate
            .verify(&root)
            .map_err(P2pError::OwnCertificate)?;
        let peer_id = config.identity.public().to_peer_id();
        check_own(&own, &peer_id, &core)?;
        let (revoked, revocation_version) = match &config.revocations {
            Some(list) => {
                let l = list.verify(&root).map_err(P2pError::Revocations)?;
                (l.revoked.into_iter().collect(), l.version)
            }
            None => (BTreeSet::new(), 0),
        };
        let own_role = own.membership.role;
        let mut swarm = build_swarm(&config, own_role == NodeRole::Traeger)?;
        swarm
            .listen_on(config.listen.clone())
            .map_err(|e| P2pError::Listen {
                addr: config.listen.clone(),
                reason: e.to_string(),
            })?;
        let mut listen_addrs = Vec::new();
        while listen_addrs.is_empty() {
            match swarm.select_next_some().await {
                SwarmEvent::NewListenAddr { address, .. } => listen_addrs.push(address),
                SwarmEvent::ListenerError { error, .. } => {
                    return Err(P2pError::Listen {
                        addr: config.listen.clone(),
                        reason: error.to_string(),
                    })
                }
                SwarmEvent::ListenerClosed { reason, .. } => {
                    return Err(P2pError::Listen {
                        addr: config.listen.clone(),
                        reason: format!("{reason:?}"),
                    })
                }
                _ => {}
            }
        }
        if own_role == NodeRole::Traeger {
            for address in &listen_addrs {
                swarm.add_external_address(address.clone());
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let status = Arc::new(Mutex::new(Status {
            revocation_version,
            ..Status::default()
        }));
        let node = Node {
            swarm,
            core,
            root,
            own_cert: Request::Certificate(config.certificate.to_json().into_bytes()).encode(),
            own_name: own.node_name,
            own_role,
            clock: config.clock,
            handshake_timeout: config.handshake_timeout,
            revoked,
            revocation_version,
            revocations: config.revocations,
            revocations_file: config.revocations_file,
            on_revocations: config.on_revocations,
            links: HashMap::new(),
            names: HashMap::new(),
            listening_through: HashMap::new(),
            dials: Dials::new(config.peers, tokio::time::Instant::now()),
            status: status.clone(),
        };
        let task = tokio::spawn(node.run(rx));
        Ok(P2pHandle {
            commands: tx,
            status,
            task,
            peer_id,
            listen_addrs,
            root,
        })
    }
}

fn check_own<R: DocRepo>(
    own: &Certificate,
    peer_id: &PeerId,
    core: &SharedCore<R>,
) -> Result<(), P2pError> {
    let mismatch = |what, certified: String, actual: String| {
        Err(P2pError::CertificateMismatch {
            what,
            certified,
            actual,
        })
    };
    if own.peer_id != peer_id.to_string() {
        return mismatch(
            "the identity's PeerId",
            own.peer_id.clone(),
            peer_id.to_string(),
        );
    }
    let core = core.lock().expect("core lock");
    if own.node_name != core.name() {
        return mismatch(
            "the sync core's name",
            own.node_name.clone(),
            core.name().into(),
        );
    }
    if &own.membership != core.membership() {
        return mismatch(
            "the sync core's membership",
            format!("{:?}", own.membership),
            format!("{:?}", core.membership()),
        );
    }
    Ok(())
}

/// The running node (owned by its task).
struct Node<R: DocRepo> {
    swarm: Swarm<Behaviour>,
    core: SharedCore<R>,
    root: RootPublicKey,
    /// This node's certificate request, ready to send.
    own_cert: Vec<u8>,
    own_name: String,
    own_role: NodeRole,
    clock: Clock,
    handshake_timeout: Duration,
    revoked: BTreeSet<String>,
    revocation_version: u32,
    /// The list in force as signed, passed on to every peer at admission.
    revocations: Option<SignedRevocationList>,
    revocations_file: Option<PathBuf>,
    on_revocations: Option<RevocationSink>,
    links: HashMap<PeerId, Link>,
    /// The city's listeners through the Träger offices it is linked with, by office.
    listening_through: HashMap<PeerId, libp2p::core::transport::ListenerId>,
    /// Admitted peers by certified node name (the core's peer names).
    names: HashMap<String, PeerId>,
    dials: Dials,
    status: Arc<Mutex<Status>>,
}

impl<R: DocRepo> Node<R> {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        // Redials and handshake deadlines are checked on this tick; 100 ms is far below the
        // backoff steps and the handshake timeout.
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = commands.recv() => match command {
                    Some(Command::LocalChange(doc)) => {
                        let out = self.core.lock().expect("core lock").on_local_change(&doc);
                        self.route(out);
                    }
                    Some(Command::Revocations(signed, list, ack)) => {
                        let applied = self.apply_revocations(signed, list, None);
                        // The status shows the revoked peers gone before the caller resumes.
                        self.publish_status();
                        let _ = ack.send(applied);
                    }
                    Some(Command::Shutdown) | None => break,
                },
                _ = tick.tick() => self.on_tick(),
            }
            self.publish_status();
        }
        let peers: Vec<PeerId> = self.links.keys().copied().collect();
        for peer in peers {
            self.drop_link(&peer);
        }
        self.publish_status();
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }

    fn on_tick(&mut self) {
        for opts in self.dials.due(tokio::time::Instant::now()) {
            let id = opts.connection_id();
            if self.swarm.dial(opts).is_err() {
                self.dials.failed(id, tokio::time::Instant::now());
            }
        }
        let now = tokio::time::Instant::now();
        let late: Vec<PeerId> = self
            .links
            .iter()
            .filter(|(_, l)| !l.admitted && now >= l.opened + self.handshake_timeout)
            .map(|(p, _)| *p)
            .collect();
        for peer in late {
            tracing::info!(%peer, "no valid certificate in time: disconnecting");
            self.drop_link(&peer);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        let now = tokio::time::Instant::now();
        match event {
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                ..
            } => {
                self.dials.established(connection_id);
                let relay = if endpoint.is_relayed() {
                    self.relay_of(&endpoint)
                } else {
                    None
                };
                let link = self.links.entry(peer_id).or_insert_with(|| Link::new(now));
                if !endpoint.is_relayed() && link.direct_address.is_none() {
                    link.direct_address = Some(remote_address(&endpoint));
                }
                if link.relay.is_none() {
                    link.relay = relay;
                }
                if !link.cert_sent {
                    link.cert_sent = true;
                    let id = self
                        .swarm
                        .behaviour_mut()
                        .rr
                        .send_request(&peer_id, self.own_cert.clone());
                    if let Some(link) = self.links.get_mut(&peer_id) {
                        link.cert_request = Some(id);
                    }
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => {
                self.dials.closed(connection_id, now);
                if num_established == 0 {
                    self.drop_link(&peer_id);
                }
            }
            SwarmEvent::OutgoingConnectionError {
                connection_id,
                error,
                ..
            } => {
                tracing::debug!(%error, "dial failed");
                self.dials.failed(connection_id, now);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Rr(event)) => self.on_rr(event),
            SwarmEvent::Behaviour(BehaviourEvent::RelayClient(event)) => match event {
                relay::client::Event::ReservationReqAccepted { relay_peer_id, .. } => {
                    tracing::info!(office = %relay_peer_id, "reachable through the office's relay");
                }
                other => tracing::debug!(?other, "relay client"),
            },
            SwarmEvent::Behaviour(BehaviourEvent::Relay(event)) => {
                tracing::debug!(?event, "relay");
            }
            // An office tells the peers that reserve through it where it listens (libp2p's relay
            // client refuses a reservation without addresses); a circuit address is no place
            // to relay from.
            SwarmEvent::NewListenAddr { address, .. }
                if self.own_role == NodeRole::Traeger
                    && !address.iter().any(|p| p == Protocol::P2pCircuit) =>
            {
                self.swarm.add_external_address(address);
            }
            SwarmEvent::ListenerClosed { listener_id, .. } => {
                self.listening_through.retain(|_, id| *id != listener_id);
            }
            _ => {}
        }
    }

    fn on_rr(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => self.on_request(peer, &request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => self.on_response(peer, request_id, &response),
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => self.on_outbound_failure(peer, request_id, &error),
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "inbound request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn on_outbound_failure(
        &mut self,
        peer: PeerId,
        id: request_response::OutboundRequestId,
        error: &request_response::OutboundFailure,
    ) {
        let Some(link) = self.links.get_mut(&peer) else {
            tracing::debug!(%peer, %error, "request of a closed link failed");
            return;
        };
        if link.revocations_in_flight.remove(&id) {
            // Not part of the ordered stream of sync messages: the link stays, and the peer
            // gets the list in force again at its next admission (or with a newer list).
            tracing::warn!(%peer, %error, "revocation list not delivered: sent again at the next admission");
            return;
        }
        let ordered =
            link.in_flight.as_ref().is_some_and(|(i, _)| *i == id) || link.cert_request == Some(id);
        if !ordered {
            // A request of an earlier link to the same peer, which ended with it.
            tracing::debug!(%peer, %error, "request of an earlier link failed");
            return;
        }
        // A lost or timed-out batch leaves the ordered stream of sync messages with a gap
        // (and a lost certificate stalls the admission): restart the session (both cores
        // resync from their sync states).
        tracing::info!(%peer, %error, "request failed: closing the link");
        self.drop_link(&peer);
        let _ = self.swarm.disconnect_peer_id(peer);
    }

    fn respond(&mut self, channel: ResponseChannel<Vec<u8>>, response: Response) {
        let _ = self
            .swarm
            .behaviour_mut()
            .rr
            .send_response(channel, response.encode());
    }

    /// Refuses a peer for good: blocked (connections closed at once, new ones denied).
    fn refuse(&mut self, peer: PeerId, channel: ResponseChannel<Vec<u8>>, why: String) {
        tracing::warn!(%peer, %why, "peer refused");
        // Counted before the answer is queued: whoever reads the answer sees the count.
        self.status.lock().expect("status lock").refused += 1;
        self.respond(channel, Response::Refused(why));
        self.block(peer);
    }

    fn block(&mut self, peer: PeerId) {
        self.drop_link(&peer);
        self.swarm.behaviour_mut().blocked.block_peer(peer);
        let _ = self.swarm.disconnect_peer_id(peer);
        self.status
            .lock()
            .expect("status lock")
            .blocked
            .insert(peer);
    }

    fn on_request(&mut self, peer: PeerId, bytes: &[u8], channel: ResponseChannel<Vec<u8>>) {
        let request = match Request::decode(bytes) {
            Ok(r) => r,
            Err(e) => return self.refuse(peer, channel, e.to_string()),
        };
        let now = tokio::time::Instant::now();
        match request {
            Request::Certificate(json) => {
                let verified = SignedCertificate::from_json(&json).and_then(|c| {
                    verify_certificate(&c, &self.root, &peer, self.now(), &self.revoked)
                });
                let cert = match verified {
                    Ok(c) => c,
                    Err(e) => return self.refuse(peer, channel, e.to_string()),
                };
                let taken = cert.node_name == self.own_name
                    || self.names.get(&cert.node_name).is_some_and(|p| *p != peer);
                if taken {
                    let why = format!("node name {} is already connected", cert.node_name);
                    return self.refuse(peer, channel, why);
                }
                self.links
                    .entry(peer)
                    .or_insert_with(|| Link::new(now))
                    .cert = Some(cert);
                self.respond(channel, Response::Ok);
                self.try_admit(peer);
            }
            Request::Batch(msgs) => {
                let Some(link) = self.links.get_mut(&peer).filter(|l| l.cert.is_some()) else {
                    return self.refuse(peer, channel, "sync before certificate".into());
                };
                // The peer sends sync messages only after we acknowledged its certificate and it
                // verified ours: this request proves our certificate was accepted.
                link.cert_acked = true;
                self.try_admit(peer);
                let name = self.links[&peer].name().to_string();
                let mut out = Vec::new();
                // One lock per batch, not per message: a batch is one peer's ordered work.
                let mut core = self.core.lock().expect("core lock");
                for m in msgs {
                    match Msg::decode(&m) {
                        Ok(msg) => match core.on_message(&name, msg) {
                            Ok(o) => out.extend(o),
                            Err(e) => tracing::debug!(peer = %name, %e, "message refused"),
                        },
                        Err(e) => tracing::info!(peer = %name, %e, "undecodable message"),
                    }
                }
                drop(core);
                if let Some(link) = self.links.get_mut(&peer) {
                    link.last_sync = Some((self.clock)());
                }
                self.respond(channel, Response::Ok);
                self.route(out);
            }
            Request::Revocations(json) => {
                let Some(link) = self.links.get_mut(&peer).filter(|l| l.cert.is_some()) else {
                    return self.refuse(peer, channel, "revocations before certificate".into());
                };
                // Sent only after admission on the peer's side, like a batch.
                link.cert_acked = true;
                self.try_admit(peer);
                let signed = match SignedRevocationList::from_json(&json) {
                    Ok(s) => s,
                    Err(e) => return self.refuse_revocations(peer, channel, e),
                };
                let list = match signed.verify(&self.root) {
                    Ok(l) => l,
                    Err(e) => return self.refuse_revocations(peer, channel, e),
                };
                self.respond(channel, Response::Ok);
                if !self.apply_revocations(signed, list, Some(peer)).applied() {
                    self.status.lock().expect("status lock").stale_revocations += 1;
                }
            }
        }
    }

    /// A peer with a valid certificate sent a revocation list that does not verify: refused
    /// and logged, but the peer stays (it may only run an older version or relay a bad file).
    fn refuse_revocations(
        &mut self,
        peer: PeerId,
        channel: ResponseChannel<Vec<u8>>,
        why: CertError,
    ) {
        tracing::warn!(%peer, %why, "revocation list refused");
        self.status.lock().expect("status lock").refused += 1;
        self.respond(channel, Response::Refused(why.to_string()));
    }

    fn on_response(&mut self, peer: PeerId, id: request_response::OutboundRequestId, bytes: &[u8]) {
        let now = self.now();
        let Some(link) = self.links.get_mut(&peer) else {
            return;
        };
        if link.revocations_in_flight.remove(&id) {
            if let Ok(Response::Refused(why)) = Response::decode(bytes) {
                tracing::warn!(%peer, %why, "peer refused our revocation list");
            }
            return;
        }
        match Response::decode(bytes) {
            Ok(Response::Ok) => {
                if link.in_flight.as_ref().is_some_and(|(i, _)| *i == id) {
                    link.in_flight = None;
                    link.last_sync = Some(now);
                    self.flush(&peer);
                } else if link.cert_request == Some(id) {
                    link.cert_request = None;
                    link.cert_acked = true;
                    self.try_admit(peer);
                }
            }
            Ok(Response::Refused(why)) => {
                tracing::warn!(%peer, %why, "peer refused us: closing the link");
                self.drop_link(&peer);
                let _ = self.swarm.disconnect_peer_id(peer);
            }
            Err(e) => {
                tracing::info!(%peer, %e, "bad response: closing the link");
                self.drop_link(&peer);
                let _ = self.swarm.disconnect_peer_id(peer);
            }
        }
    }

    /// Starts the sync session once both sides accepted each other's certificate.
    fn try_admit(&mut self, peer: PeerId) {
        let Some(link) = self.links.get_mut(&peer) else {
            return;
        };
        if link.admitted || !link.cert_acked {
            return;
        }
        let Some(cert) = link.cert.clone() else {
            return;
        };
        link.admitted = true;
        let office_address = link.direct_address.clone();
        // A link that runs only through a relay offers what the relay may not hold (the
        // core's `on_connect_relayed`); the relay's membership is its certificate's.
        let relay = match (&link.direct_address, link.relay) {
            (None, Some(relay)) => Some(relay),
            _ => None,
        };
        let relay_membership = relay
            .and_then(|r| self.links.get(&r))
            .and_then(|l| l.cert.as_ref())
            .map(|c| c.membership.clone());
        self.names.insert(cert.node_name.clone(), peer);
        tracing::info!(%peer, name = %cert.node_name, "peer admitted");
        let out = {
            let mut core = self.core.lock().expect("core lock");
            match relay_membership {
                Some(relay) => {
                    core.on_connect_relayed(&cert.node_name, cert.membership.clone(), relay)
                }
                None => core.on_connect(&cert.node_name, cert.membership.clone()),
            }
        };
        self.route(out);
        if self.own_role == NodeRole::City && cert.membership.role == NodeRole::Traeger {
            if let Some(address) = office_address {
                self.listen_through(peer, address);
            }
        }
        // A peer that was offline when the city published a list learns it now (and a peer
        // with a newer one sends us that).
        self.send_revocations(peer);
    }

    fn send_revocations(&mut self, peer: PeerId) {
        let Some(list) = &self.revocations else {
            return;
        };
        let request = Request::Revocations(list.to_json().into_bytes()).encode();
        let id = self.swarm.behaviour_mut().rr.send_request(&peer, request);
        if let Some(link) = self.links.get_mut(&peer) {
            link.revocations_in_flight.insert(id);
        }
    }

    /// Queues the core's messages per peer, in order, and sends what can go.
    fn route(&mut self, out: Vec<Outgoing>) {
        let mut touched = BTreeSet::new();
        for o in out {
            // A peer that left meanwhile resyncs from its sync state when it is back.
            let Some(peer) = self.names.get(&o.to).copied() else {
                continue;
            };
            if let Some(link) = self.links.get_mut(&peer) {
                link.queue.push_back(o.msg.encode());
                touched.insert(peer);
            }
        }
        for peer in touched {
            self.flush(&peer);
        }
    }

    /// Sends the next batch to a peer unless one is unacknowledged (keeps messages in order).
    fn flush(&mut self, peer: &PeerId) {
        let Some(link) = self.links.get_mut(peer) else {
            return;
        };
        if !link.admitted || link.in_flight.is_some() || link.queue.is_empty() {
            return;
        }
        let mut batch = Vec::new();
        let mut size = BATCH_HEADER;
        while let Some(next) = link.queue.front() {
            let add = next.len() + BATCH_PER_MESSAGE;
            if size + add > MAX_FRAME {
                if batch.is_empty() {
                    // Cannot happen with the core's fragmenting; never send an oversized frame.
                    tracing::error!(
                        len = next.len(),
                        "sync message over the frame limit dropped"
                    );
                    link.queue.pop_front();
                    continue;
                }
                break;
            }
            size += add;
            batch.push(link.queue.pop_front().expect("front exists"));
        }
        if batch.is_empty() {
            return;
        }
        let count = batch.len();
        let id = self
            .swarm
            .behaviour_mut()
            .rr
            .send_request(peer, Request::Batch(batch).encode());
        if let Some(link) = self.links.get_mut(peer) {
            link.in_flight = Some((id, count));
        }
    }

    /// Forgets a peer's link; the core ends its session (sync states stay in the repo).
    /// The relay a relayed connection runs through. Dialled, its address names it
    /// (`…/p2p/<relay>/p2p-circuit/p2p/<peer>`); listened on, the address is the relay link's
    /// own as libp2p saw it (`/ip4/…/tcp/…/p2p-circuit`, no PeerId), so the relay is the
    /// linked peer with that direct address.
    fn relay_of(&self, endpoint: &ConnectedPoint) -> Option<PeerId> {
        let address = match endpoint {
            ConnectedPoint::Dialer { address, .. } => address,
            ConnectedPoint::Listener { local_addr, .. } => local_addr,
        };
        let mut before_circuit = Multiaddr::empty();
        let mut named = None;
        for protocol in address.iter() {
            match protocol {
                Protocol::P2pCircuit => break,
                Protocol::P2p(peer) => named = Some(peer),
                other => before_circuit.push(other),
            }
        }
        named.or_else(|| {
            self.links
                .iter()
                .find(|(_, l)| l.direct_address.as_ref() == Some(&before_circuit))
                .map(|(peer, _)| *peer)
        })
    }

    /// The city makes itself reachable through a Träger office's relay, so that the office's
    /// Kitas behind a firewall can link to it (`…/p2p/<office>/p2p-circuit/p2p/<city>`). The
    /// reservation rides on the office's link; `address` is only how libp2p names it.
    fn listen_through(&mut self, office: PeerId, address: Multiaddr) {
        if self.listening_through.contains_key(&office) {
            return;
        }
        let circuit = address
            .with(Protocol::P2p(office))
            .with(Protocol::P2pCircuit);
        match self.swarm.listen_on(circuit) {
            Ok(id) => {
                self.listening_through.insert(office, id);
            }
            Err(error) => tracing::warn!(%office, %error, "cannot listen through the office"),
        }
    }

    fn drop_link(&mut self, peer: &PeerId) {
        if let Some(listener) = self.listening_through.remove(peer) {
            self.swarm.remove_listener(listener);
        }
        let Some(link) = self.links.remove(peer) else {
            return;
        };
        if link.admitted {
            let name = link.name().to_string();
            self.names.remove(&name);
            self.core.lock().expect("core lock").on_disconnect(&name);
            tracing::info!(%peer, %name, "peer disconnected");
        }
    }

    /// Puts a verified list in force if it is newer than the one in force: blocks every
    /// revoked peer, saves the list and passes it on to every admitted peer but the one it
    /// came from (`from`).
    ///
    /// The revocation file is also the operator's way in (read by the application every
    /// second): if it already holds a newer list than this one, the operator wrote it just
    /// now. It is not overwritten but applied too, so that a list from a peer cannot make the
    /// operator's newer list look stale.
    ///
    /// A later list that no longer names a peer does not unblock it before a restart: lifting
    /// a revocation is rare and should be a deliberate act.
    fn apply_revocations(
        &mut self,
        signed: SignedRevocationList,
        list: RevocationList,
        from: Option<PeerId>,
    ) -> RevocationOutcome {
        let version = list.version;
        if version <= self.revocation_version {
            let same = self.revocations.as_ref() == Some(&signed);
            tracing::debug!(
                version,
                in_force = self.revocation_version,
                same,
                "revocation list not newer: ignored"
            );
            return RevocationOutcome::NotNewer {
                version,
                in_force: self.revocation_version,
                same,
            };
        }
        tracing::info!(
            version,
            revoked = list.revoked.len(),
            from = ?from,
            "revocation list applied"
        );
        if let Some(sink) = &self.on_revocations {
            sink(&signed, &list);
        }
        self.revocation_version = version;
        self.status.lock().expect("status lock").revocation_version = version;
        for p in &list.revoked {
            if let Ok(peer) = p.parse::<PeerId>() {
                self.block(peer);
            }
        }
        self.revoked = list.revoked.into_iter().collect();
        let newer_in_file = match &self.revocations_file {
            Some(path) => match signed.save_unless_superseded(path, &self.root, version) {
                Ok(newer) => newer,
                Err(e) => {
                    // The list is in force either way; a node that cannot save it gets it
                    // again from a peer after a restart.
                    tracing::error!(error = %e, "cannot save the revocation list");
                    None
                }
            },
            None => None,
        };
        self.revocations = Some(signed);
        if let Some((file_signed, file_list)) = newer_in_file {
            tracing::info!(
                applied = version,
                in_file = file_list.version,
                "the revocation file holds a newer list: applying it as well"
            );
            // It goes to every peer (the sender too); the list just applied is superseded.
            self.apply_revocations(file_signed, file_list, None);
            return RevocationOutcome::Applied { version };
        }
        let admitted: Vec<PeerId> = self
            .links
            .iter()
            .filter(|(p, l)| l.admitted && Some(**p) != from)
            .map(|(p, _)| *p)
            .collect();
        for peer in admitted {
            self.send_revocations(peer);
        }
        RevocationOutcome::Applied { version }
    }

    fn publish_status(&self) {
        let peers = self
            .links
            .iter()
            .filter(|(_, l)| l.admitted)
            .map(|(p, l)| {
                let cert = l.cert.as_ref().expect("admitted links have a certificate");
                (
                    cert.node_name.clone(),
                    PeerStatus {
                        name: cert.node_name.clone(),
                        peer_id: *p,
                        membership: cert.membership.clone(),
                        last_sync: l.last_sync,
                        pending: l.pending(),
                    },
                )
            })
            .collect();
        self.status.lock().expect("status lock").peers = peers;
    }
}

/// The peer's address of a direct connection, without a `/p2p` part (libp2p adds it).
fn remote_address(endpoint: &ConnectedPoint) -> Multiaddr {
    let mut address = endpoint.get_remote_address().clone();
    if matches!(address.iter().last(), Some(Protocol::P2p(_))) {
        address.pop();
    }
    address
}
