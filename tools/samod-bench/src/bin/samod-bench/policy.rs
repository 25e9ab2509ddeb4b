//! Our visibility and write policy through samod's share-policy interface.

use kitanetz_crdt::policy::{may_hold, may_write, Membership};
use kitanetz_crdt::DocMeta;
use samod::{DocumentId, PeerId, ShareConfig, SharePolicy};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// `may_hold`/`may_write` as a samod [`SharePolicy`]. samod asks per (document id, peer id) and
/// knows nothing else about a document, so the node keeps a map from samod's random document ids
/// to our metadata. A document that is not in the map is one a peer is offering us: its metadata
/// sits inside the document, which samod has not received yet, so `may_hold(self, meta)` cannot
/// be checked before taking it in. Deny by default would refuse every document a peer offers;
/// this policy lets an admitted peer push it (the gap is reported in the results).
#[derive(Clone)]
pub struct Policy {
    pub docs: Arc<Mutex<HashMap<DocumentId, DocMeta>>>,
    peers: Arc<BTreeMap<String, Membership>>,
}

impl Policy {
    pub fn new(peers: &[(String, Membership)]) -> Policy {
        Policy {
            docs: Arc::default(),
            peers: Arc::new(peers.iter().cloned().collect()),
        }
    }

    fn decide(&self, doc: &DocumentId, peer: &PeerId) -> ShareConfig {
        let Some(member) = self.peers.get(peer.as_str()) else {
            return ShareConfig::none();
        };
        match self.docs.lock().expect("policy").get(doc) {
            Some(meta) if !may_hold(member, meta) => ShareConfig::none(),
            Some(meta) if may_write(member, meta) => ShareConfig::read_write(),
            Some(_) => ShareConfig::read_only(),
            None => ShareConfig::read_write().with_announce(false),
        }
    }
}

impl SharePolicy for Policy {
    fn share(
        &self,
        doc: DocumentId,
        peer: PeerId,
    ) -> impl futures::Stream<Item = ShareConfig> + Send + 'static {
        futures::stream::iter([self.decide(&doc, &peer)])
    }
}
