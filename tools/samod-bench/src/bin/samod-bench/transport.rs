//! A counting in-memory transport between two samod repos.

use automerge::sync as am_sync;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use samod::{DialError, Dialer, DocumentId, PeerId, Transport};
use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sync_scenarios::net::Traffic;

/// How long the link must be silent before a step counts as finished.
pub const IDLE: Duration = Duration::from_millis(300);
/// Longest wait for a step.
pub const LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug, Default)]
struct CounterState {
    traffic: Traffic,
    last: Option<Instant>,
    /// Every `documentId` that went this way (as encoded).
    doc_ids: BTreeSet<Vec<u8>>,
}

/// Counts the messages one side hands to its sink.
#[derive(Debug, Default, Clone)]
pub struct Counter(Arc<Mutex<CounterState>>);

impl Counter {
    fn count(&self, msg: &[u8]) {
        let fields = read_fields(msg);
        let changes = fields
            .data
            .as_ref()
            .filter(|_| matches!(fields.kind.as_deref(), Some("sync" | "request")))
            .and_then(|data| am_sync::Message::decode(data).ok())
            .map_or(0, |m| m.changes.iter().map(|c| c.len()).sum());
        let mut s = self.0.lock().expect("counter");
        s.doc_ids.extend(fields.doc_id);
        s.traffic.messages += 1;
        s.traffic.bytes += msg.len();
        s.traffic.change_bytes += changes;
        s.last = Some(Instant::now());
    }
    pub fn traffic(&self) -> Traffic {
        self.0.lock().expect("counter").traffic
    }
    fn last(&self) -> Option<Instant> {
        self.0.lock().expect("counter").last
    }
    pub fn carried(&self, doc: &DocumentId) -> bool {
        let s = self.0.lock().expect("counter");
        s.doc_ids.contains(doc.as_bytes()) || s.doc_ids.contains(doc.to_string().as_bytes())
    }
}

/// The fields of a samod message we look at (a CBOR map with `type`, `senderId`, `targetId`,
/// `documentId`, `data`, ...).
#[derive(Default)]
struct Fields {
    kind: Option<String>,
    doc_id: Option<Vec<u8>>,
    data: Option<Vec<u8>>,
}

fn read_fields(msg: &[u8]) -> Fields {
    fn read(msg: &[u8]) -> Option<Fields> {
        let mut d = minicbor::Decoder::new(msg);
        let n = d.map().ok()??;
        let mut f = Fields::default();
        for _ in 0..n {
            match d.str().ok()? {
                "type" => f.kind = Some(d.str().ok()?.to_string()),
                "data" => f.data = Some(d.bytes().ok()?.to_vec()),
                "documentId" => {
                    f.doc_id = Some(match d.probe().str() {
                        Ok(_) => d.str().ok()?.as_bytes().to_vec(),
                        Err(_) => d.bytes().ok()?.to_vec(),
                    })
                }
                _ => d.skip().ok()?,
            }
        }
        Some(f)
    }
    read(msg).unwrap_or_default()
}

/// Both directions of a link between a dialing and an accepting repo.
#[derive(Clone, Default)]
pub struct Link {
    /// Dialer -> acceptor.
    pub out: Counter,
    /// Acceptor -> dialer.
    pub back: Counter,
}

impl Link {
    pub fn total(&self) -> Traffic {
        self.out.traffic() + self.back.traffic()
    }

    pub fn last(&self) -> Option<Instant> {
        self.out.last().max(self.back.last())
    }

    /// Waits until no message has moved for `idle` (or `limit` has passed).
    pub async fn quiet(&self, idle: Duration, limit: Duration) -> bool {
        let start = Instant::now();
        let mut seen = self.total().messages;
        let mut since = Instant::now();
        while start.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let now = self.total().messages;
            if now != seen {
                seen = now;
                since = Instant::now();
            } else if since.elapsed() >= idle {
                return true;
            }
        }
        false
    }
}

/// Connects to an acceptor through two in-memory channels, counting what each side sends. The
/// transport is bound to the expected peer id, as an authenticated transport would be (a libp2p
/// stream after the Noise handshake and the certificate check).
pub struct CountingDialer {
    pub acceptor: samod::AcceptorHandle,
    pub link: Link,
    /// Peer id of each end, as the certificate would prove it.
    pub dialer_id: PeerId,
    pub acceptor_id: PeerId,
}

impl Dialer for CountingDialer {
    type Error = Infallible;

    fn url(&self) -> samod::Url {
        samod::Url::parse("kitanetz-bench://link").expect("url")
    }

    fn connect(
        &self,
    ) -> futures::future::BoxFuture<'static, Result<Transport, DialError<Self::Error>>> {
        let acceptor = self.acceptor.clone();
        let (out, back) = (self.link.out.clone(), self.link.back.clone());
        let (dialer_id, acceptor_id) = (self.dialer_id.clone(), self.acceptor_id.clone());
        Box::pin(async move {
            let (to_acceptor, from_dialer) = mpsc::unbounded::<Vec<u8>>();
            let (to_dialer, from_acceptor) = mpsc::unbounded::<Vec<u8>>();
            let acceptor_sink = to_dialer.with(move |m: Vec<u8>| {
                back.count(&m);
                futures::future::ready(Ok::<_, mpsc::SendError>(m))
            });
            acceptor
                .accept(
                    Transport::new(from_dialer.map(Ok::<_, Infallible>), acceptor_sink)
                        .with_expected_peer_id(dialer_id),
                )
                .map_err(|e| DialError::transient(std::io::Error::other(e.to_string())))?;
            let dialer_sink = to_acceptor.with(move |m: Vec<u8>| {
                out.count(&m);
                futures::future::ready(Ok::<_, mpsc::SendError>(m))
            });
            Ok(
                Transport::new(from_acceptor.map(Ok::<_, Infallible>), dialer_sink)
                    .with_expected_peer_id(acceptor_id),
            )
        })
    }
}
