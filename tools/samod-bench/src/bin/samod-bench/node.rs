//! One samod node: a repo, its share policy and the handles of its documents by our ids.

use automerge::{ActorId, AutoCommit, Automerge, ChangeHash};
use kitanetz_crdt::policy::Membership;
use kitanetz_crdt::{DocId, DocMeta, Document};
use samod::{BackoffConfig, DialerHandle, DocHandle, DocumentId, PeerId, Repo};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use sync_scenarios::scenario::edit_doc;

use crate::policy::Policy;
use crate::transport::{CountingDialer, Link};

/// One node: a samod repo, its policy and the handles of its documents by our ids.
pub struct Node {
    name: String,
    pub repo: Repo,
    pub policy: Policy,
    pub handles: BTreeMap<DocId, DocHandle>,
}

impl Node {
    pub async fn new(name: &str, everyone: &[(String, Membership)]) -> Node {
        let policy = Policy::new(everyone);
        let repo = Repo::build_tokio()
            .with_peer_id(PeerId::from(name))
            .with_share_policy(policy.clone())
            .load()
            .await;
        Node {
            name: name.to_string(),
            repo,
            policy,
            handles: BTreeMap::new(),
        }
    }

    /// Puts one of our documents (saved bytes, history included) into the repo.
    pub async fn create(&mut self, id: &DocId, meta: &DocMeta, am: &mut AutoCommit) -> DocumentId {
        let doc = Automerge::load(&am.save()).expect("loads");
        let handle = self.repo.create(doc).await.expect("repo running");
        let sid = handle.document_id().clone();
        self.policy
            .docs
            .lock()
            .expect("policy")
            .insert(sid.clone(), meta.clone());
        self.handles.insert(id.clone(), handle);
        sid
    }

    /// Edits a document through the typed API as one commit made by this node. Returns the
    /// size of the automerge change.
    pub async fn edit<T: Document>(
        &self,
        id: &DocId,
        ts: i64,
        f: impl FnOnce(&mut T) + Send + 'static,
    ) -> usize {
        let handle = self.handles[id].clone();
        let (id, actor) = (id.clone(), ActorId::from(self.name.as_bytes()));
        handle
            .with_document_async(move |doc| {
                let mut am = AutoCommit::load(&doc.save())
                    .expect("loads")
                    .with_actor(actor);
                let before = am.get_heads();
                let (_, mut am, size) = edit_doc(&id, am, ts, f);
                doc.apply_changes(am.get_changes(&before)).expect("applies");
                size
            })
            .await
            .expect("repo running")
    }

    /// Connects to `other` (this node dials, `other` accepts).
    pub async fn connect(&self, other: &Node, link: &Link) -> DialerHandle<Infallible> {
        let acceptor = other
            .repo
            .make_acceptor(samod::Url::parse(&format!("kitanetz-bench://{}", other.name)).unwrap())
            .expect("acceptor");
        let dialer = CountingDialer {
            acceptor,
            link: link.clone(),
            dialer_id: PeerId::from(self.name.as_str()),
            acceptor_id: PeerId::from(other.name.as_str()),
        };
        let handle = self
            .repo
            .dial(BackoffConfig::default(), Arc::new(dialer))
            .expect("dial");
        handle.established().await.expect("handshake");
        handle
    }
}

pub async fn heads(handle: &DocHandle) -> Vec<ChangeHash> {
    handle
        .with_document_async(|d| {
            let mut h = d.get_heads();
            h.sort();
            h
        })
        .await
        .expect("repo running")
}

/// Documents of `from` that `to` lacks or holds with other heads. Looks documents up with
/// `find`, which asks peers for a missing one: call it only once the measured part is over.
pub async fn diverged(from: &Node, to: &Node, except: &[DocId]) -> usize {
    let mut bad = 0;
    for (id, handle) in &from.handles {
        if except.contains(id) {
            continue;
        }
        let theirs = match to.repo.find(handle.document_id().clone()).await {
            Ok(Some(h)) => Some(heads(&h).await),
            _ => None,
        };
        if theirs.as_ref() != Some(&heads(handle).await) {
            bad += 1;
        }
    }
    bad
}
