//! One automerge document: `meta` + `value`, validated on every write.

use crate::ids::DocId;
use crate::meta::{DocKind, DocMeta};
use crate::read::WholeObjects;
use crate::scalar::Date;
use crate::validate::ValidationError;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ChangeHash, ReadDoc, ROOT};
use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, Reconcile};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("invalid {kind}: {source}")]
    Invalid {
        kind: DocKind,
        #[source]
        source: ValidationError,
    },
    #[error("document {id} is a {found}, not a {expected}")]
    WrongKind {
        id: DocId,
        expected: DocKind,
        found: DocKind,
    },
    #[error(
        "document {id} has schema {found}, this node reads up to {supported}: update Kitanetz"
    )]
    SchemaTooNew {
        id: DocId,
        found: u32,
        supported: u32,
    },
    #[error("document {id} is unreadable: {message}")]
    Corrupt { id: DocId, message: String },
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

/// A typed document kind.
pub trait Document: Reconcile + Hydrate + Clone + Serialize {
    const KIND: DocKind;
    /// Checks every field; `today` comes from the node's clock (never read here).
    fn validate_on(&self, today: Date) -> Result<(), ValidationError>;
    /// The value as the enum of every kind.
    fn into_kind_value(self) -> KindValue;
}

pub use crate::kinds::KindValue;

/// An automerge document with its metadata.
#[derive(Debug)]
pub struct StoredDoc {
    pub id: DocId,
    pub meta: DocMeta,
    doc: AutoCommit,
    /// Heads already in storage: what a new chunk must contain is everything after these.
    persisted: Vec<ChangeHash>,
    /// The value this node last wrote and the heads it made: while the heads are the same,
    /// [`StoredDoc::any_value`] returns it instead of reading the document again (storage
    /// projects every written document; a bulk write would otherwise read each one twice).
    written: Option<(Vec<ChangeHash>, KindValue)>,
}

impl StoredDoc {
    /// Creates a document. Only the node that owns the aggregate calls this, once.
    pub fn create<T: Document>(
        id: DocId,
        meta: DocMeta,
        value: &T,
        actor: &[u8],
        today: Date,
        timestamp: i64,
    ) -> Result<StoredDoc, DocError> {
        assert_eq!(meta.kind, T::KIND, "meta kind must match the value");
        value
            .validate_on(today)
            .map_err(|source| DocError::Invalid {
                kind: T::KIND,
                source,
            })?;
        let mut doc = AutoCommit::new().with_actor(ActorId::from(actor));
        reconcile_prop(&mut doc, ROOT, "meta", &meta).map_err(|e| corrupt(&id, e))?;
        reconcile_prop(&mut doc, ROOT, "value", value).map_err(|e| corrupt(&id, e))?;
        doc.commit_with(
            CommitOptions::default()
                .with_message(format!("create {}", T::KIND))
                .with_time(timestamp),
        );
        let written = Some((doc.get_heads(), value.clone().into_kind_value()));
        Ok(StoredDoc {
            id,
            meta,
            doc,
            persisted: Vec::new(),
            written,
        })
    }

    /// Loads a saved document (chunks concatenated) and checks its metadata.
    pub fn load(id: DocId, bytes: &[u8], actor: &[u8]) -> Result<StoredDoc, DocError> {
        crate::screen::screen_chunks(bytes).map_err(|m| corrupt(&id, m))?;
        let doc =
            catch_decoder_panic(|| AutoCommit::load(bytes)).map_err(|m| corrupt(&id, m))??;
        Self::from_automerge(id, doc.with_actor(ActorId::from(actor)))
    }

    /// Wraps an automerge document received from elsewhere, checking its metadata.
    pub fn from_automerge(id: DocId, mut doc: AutoCommit) -> Result<StoredDoc, DocError> {
        let meta: DocMeta =
            hydrate_prop(&WholeObjects::new(&doc), ROOT, "meta").map_err(|e| corrupt(&id, e))?;
        if meta.schema > meta.kind.schema_version() {
            return Err(DocError::SchemaTooNew {
                id,
                found: meta.schema,
                supported: meta.kind.schema_version(),
            });
        }
        let persisted = doc.get_heads();
        Ok(StoredDoc {
            id,
            meta,
            doc,
            persisted,
            written: None,
        })
    }

    /// Merges changes received from another node (saved bytes or incremental chunks) and
    /// re-reads the metadata, which the owner may have re-scoped. After an error the document
    /// may hold part of the bytes: drop it (callers load it afresh).
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        crate::screen::screen_chunks(bytes).map_err(|m| corrupt(&self.id, m))?;
        let doc = &mut self.doc;
        catch_decoder_panic(std::panic::AssertUnwindSafe(|| doc.load_incremental(bytes)))
            .map_err(|m| corrupt(&self.id, m))??;
        let meta: DocMeta =
            hydrate_prop(&self.doc, ROOT, "meta").map_err(|e| corrupt(&self.id, e))?;
        self.meta = meta;
        Ok(())
    }

    /// Marks a document received from elsewhere as not yet stored here.
    pub fn mark_unsaved(&mut self) {
        self.persisted.clear();
    }

    /// What storage must append so that it holds this document as it is now: `(is_snapshot,
    /// bytes)`, or `None` if storage is up to date. Call [`StoredDoc::mark_saved`] once the
    /// bytes are committed.
    pub fn pending_chunk(&mut self) -> Option<(bool, Vec<u8>)> {
        if self.persisted.is_empty() {
            return Some((true, self.doc.save()));
        }
        let bytes = self.doc.save_after(&self.persisted);
        (!bytes.is_empty()).then_some((false, bytes))
    }

    /// Records that storage now holds everything up to the current heads.
    pub fn mark_saved(&mut self) {
        self.persisted = self.doc.get_heads();
    }

    pub fn kind(&self) -> DocKind {
        self.meta.kind
    }

    /// The typed value; fails if the document is of another kind.
    pub fn value<T: Document>(&self) -> Result<T, DocError> {
        if self.meta.kind != T::KIND {
            return Err(DocError::WrongKind {
                id: self.id.clone(),
                expected: T::KIND,
                found: self.meta.kind,
            });
        }
        hydrate_prop(&WholeObjects::new(&self.doc), ROOT, "value").map_err(|e| corrupt(&self.id, e))
    }

    /// The typed value as it was at `heads` (hex, as [`StoredDoc::heads_hex`] gives them), or
    /// as the document's first change (its creation) wrote it when `heads` is `None`: what a
    /// change report compares the present with. Heads this node never had are an error.
    pub fn value_as_of<T: Document>(&mut self, heads: Option<&[String]>) -> Result<T, DocError> {
        if self.meta.kind != T::KIND {
            return Err(DocError::WrongKind {
                id: self.id.clone(),
                expected: T::KIND,
                found: self.meta.kind,
            });
        }
        let heads: Vec<ChangeHash> = match heads {
            Some(hex) => hex
                .iter()
                .map(|h| h.parse::<ChangeHash>().map_err(|e| corrupt(&self.id, e)))
                .collect::<Result<_, _>>()?,
            None => self
                .doc
                .get_changes(&[])
                .first()
                .map(|c| vec![c.hash()])
                .unwrap_or_default(),
        };
        let past = self.doc.fork_at(&heads)?;
        hydrate_prop(&past, ROOT, "value").map_err(|e| corrupt(&self.id, e))
    }

    /// The value of whatever kind this document is.
    pub fn any_value(&mut self) -> Result<KindValue, DocError> {
        if let Some((heads, value)) = &self.written {
            if *heads == self.doc.get_heads() {
                return Ok(value.clone());
            }
        }
        KindValue::of(self)
    }

    /// Writes a new value: validated first, then reconciled and committed as one change.
    /// On any error nothing is written. Returns false if the value was unchanged.
    pub fn update<T: Document>(
        &mut self,
        value: &T,
        today: Date,
        timestamp: i64,
        message: &str,
    ) -> Result<bool, DocError> {
        self.check_writable(value, today)?;
        if let Err(e) = reconcile_prop(&mut self.doc, ROOT, "value", value) {
            self.doc.rollback();
            return Err(corrupt(&self.id, e));
        }
        Ok(self.commit_written(value, message, timestamp))
    }

    /// What [`StoredDoc::update`] and [`StoredDoc::update_parts`] check before writing: the
    /// document is of `T`'s kind and `value` is valid on `today`.
    fn check_writable<T: Document>(&self, value: &T, today: Date) -> Result<(), DocError> {
        if self.meta.kind != T::KIND {
            return Err(DocError::WrongKind {
                id: self.id.clone(),
                expected: T::KIND,
                found: self.meta.kind,
            });
        }
        value
            .validate_on(today)
            .map_err(|source| DocError::Invalid {
                kind: T::KIND,
                source,
            })
    }

    /// Commits a write that brought the document to `value` and remembers `value` for the save.
    fn commit_written<T: Document>(&mut self, value: &T, message: &str, timestamp: i64) -> bool {
        let changed = self.commit(message, timestamp);
        self.written = Some((self.doc.get_heads(), value.clone().into_kind_value()));
        changed
    }

    /// Writes `value`, of which only some parts differ from what the document holds: `write`
    /// reconciles each changed part where it sits ([`Parts::reconcile`]) instead of the whole
    /// value. Reconciling a whole value reads every field of the document back to compare; a
    /// placement round changes one or two statuses in each of thousands of applications, and
    /// reading them all back was most of its time. Validated and committed as [`StoredDoc::update`]
    /// does, and `value` is what [`StoredDoc::any_value`] returns afterwards, so the caller
    /// vouches that `write` brings the document to `value` (debug builds check it).
    pub fn update_parts<T: Document + PartialEq + std::fmt::Debug>(
        &mut self,
        value: &T,
        today: Date,
        timestamp: i64,
        message: &str,
        write: impl FnOnce(&mut Parts<'_>) -> Result<(), DocError>,
    ) -> Result<bool, DocError> {
        self.check_writable(value, today)?;
        let written = write(&mut Parts {
            doc: &mut self.doc,
            id: &self.id,
        });
        if let Err(e) = written {
            self.doc.rollback();
            return Err(e);
        }
        debug_assert_eq!(
            &hydrate_prop::<_, T, _, _>(&self.doc, ROOT, "value").ok(),
            &Some(value.clone()),
            "update_parts of {} left the document at another value than the one it names",
            self.id
        );
        Ok(self.commit_written(value, message, timestamp))
    }

    /// Updates the metadata scope (e.g. a family whose child moved to another Kita).
    pub fn set_scope(&mut self, meta: DocMeta, timestamp: i64) -> Result<bool, DocError> {
        let before = self.doc.get_heads();
        if let Err(e) = reconcile_prop(&mut self.doc, ROOT, "meta", &meta) {
            self.doc.rollback();
            return Err(corrupt(&self.id, e));
        }
        self.meta = meta;
        let changed = self.commit("scope", timestamp);
        // The value is what it was: a value written for the heads before stays valid.
        let after = self.doc.get_heads();
        if let Some((heads, _)) = &mut self.written {
            if *heads == before {
                *heads = after;
            }
        }
        Ok(changed)
    }

    fn commit(&mut self, message: &str, timestamp: i64) -> bool {
        if self.doc.pending_ops() == 0 {
            return false;
        }
        self.doc
            .commit_with(
                CommitOptions::default()
                    .with_message(message.to_string())
                    .with_time(timestamp),
            )
            .is_some()
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Heads as sorted hex strings (persisted in the `documents` table and in dumps).
    pub fn heads_hex(&mut self) -> Vec<String> {
        let mut h: Vec<String> = self.doc.get_heads().iter().map(|h| h.to_string()).collect();
        h.sort();
        h
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Changes since the last save (empty if none).
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// The automerge document itself, for the sync layer.
    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    /// The automerge document, for the sync layer.
    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Change history: (timestamp, message) per change, oldest first.
    pub fn history(&mut self) -> Vec<(i64, String)> {
        self.doc
            .get_changes(&[])
            .iter()
            .map(|c| (c.timestamp(), c.message().unwrap_or_default().to_string()))
            .collect()
    }
}

/// One step on the way from a document's value to one of its parts: a field of a struct or an
/// item of a list.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Field(&'a str),
    Item(usize),
}

impl<'a> From<Step<'a>> for autosurgeon::Prop<'a> {
    fn from(step: Step<'a>) -> Self {
        match step {
            Step::Field(name) => name.into(),
            Step::Item(index) => index.into(),
        }
    }
}

/// The document as [`StoredDoc::update_parts`] lends it: parts of its value can be written.
pub struct Parts<'a> {
    doc: &'a mut AutoCommit,
    id: &'a DocId,
}

impl Parts<'_> {
    /// Reconciles `part` at `path` (from the value's root; the last step names the part, the
    /// steps before it must lead to a struct or a list the document holds).
    pub fn reconcile<R: Reconcile>(&mut self, path: &[Step<'_>], part: &R) -> Result<(), DocError> {
        let (last, way) = path
            .split_last()
            .expect("a part is named by at least one step");
        let mut obj = automerge::ROOT;
        for step in std::iter::once(&Step::Field("value")).chain(way) {
            let prop: autosurgeon::Prop<'_> = (*step).into();
            obj = match self.doc.get(&obj, automerge::Prop::from(&prop))? {
                Some((automerge::Value::Object(_), id)) => id,
                _ => return Err(corrupt(self.id, format!("no part at {path:?}"))),
            };
        }
        reconcile_prop(self.doc, &obj, *last, part).map_err(|e| corrupt(self.id, e))
    }
}

/// Runs automerge's decoder on bytes from outside (a peer's sync message, a backup, a chunk on
/// disk) and turns a panic into an error. automerge 0.12 panics on some malformed input
/// instead of returning an error: its column decoder unwraps a varint it assumes was validated
/// (`hexane::Packable::unpack`; found by the `crdt_doc` fuzz target, input in
/// `crdt/testdata/automerge-load-panic.bin`). Unguarded, one bad message from an admitted peer
/// would take a node down. (That input is a bundle chunk, which `screen::screen_chunks` now
/// refuses before automerge sees it; the guard stays for inputs nobody has found yet.) Callers
/// must work on a value they drop on failure, so that nothing
/// half-decoded survives. Needs `panic = "unwind"` (the default; no profile here aborts).
/// The panic hook still logs the panic once.
pub fn catch_decoder_panic<T>(
    decode: impl FnOnce() -> T + std::panic::UnwindSafe,
) -> Result<T, String> {
    std::panic::catch_unwind(decode).map_err(|payload| {
        let what = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        format!("malformed automerge data (the decoder failed: {what})")
    })
}

fn corrupt(id: &DocId, e: impl std::fmt::Display) -> DocError {
    DocError::Corrupt {
        id: id.clone(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrgId, ProviderId};
    use crate::kinds::facility::Address;
    use crate::kinds::{ProviderKind, ProviderProfile};

    fn provider() -> ProviderProfile {
        ProviderProfile {
            id: ProviderId("prov-1".into()),
            name: "Eigenbetrieb Kindertageseinrichtungen".into(),
            kind: ProviderKind::Municipal,
            category: "kommunal".into(),
            address: Address {
                street: "Dr.-Külz-Ring 19".into(),
                postcode: "01067".into(),
                city: "Dresden".into(),
                lat: None,
                lon: None,
            },
            email: "kita@example.org".into(),
            phone: "".into(),
        }
    }

    fn meta() -> DocMeta {
        DocMeta {
            kind: DocKind::ProviderProfile,
            schema: 1,
            owner: OrgId("org-t1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facilities: vec![],
            origin_node: "traeger-1".into(),
            created_on: Date::ymd(2026, 11, 1),
        }
    }

    #[test]
    fn round_trips_through_save_and_load() {
        let today = Date::ymd(2026, 11, 1);
        let mut d = StoredDoc::create(
            DocId("doc-p".into()),
            meta(),
            &provider(),
            b"actor-1",
            today,
            1,
        )
        .unwrap();
        let bytes = d.save();
        let loaded = StoredDoc::load(DocId("doc-p".into()), &bytes, b"actor-1").unwrap();
        assert_eq!(loaded.meta, meta());
        assert_eq!(loaded.value::<ProviderProfile>().unwrap(), provider());
    }

    /// A change report compares the present with the creation, or with the heads a clerk
    /// marked done; heads nobody had are refused, not read as "now".
    #[test]
    fn the_value_as_of_the_creation_or_earlier_heads() {
        let today = Date::ymd(2026, 11, 1);
        let mut d = StoredDoc::create(DocId("doc-p".into()), meta(), &provider(), b"a-1", today, 1)
            .unwrap();
        let created = d.heads_hex();
        let mut renamed = provider();
        renamed.name = "Eigenbetrieb Kitas".into();
        d.update(&renamed, today, 2, "rename").unwrap();
        let mut moved = renamed.clone();
        moved.address.street = "Hauptstraße 1".into();
        d.update(&moved, today, 3, "move").unwrap();
        assert_eq!(d.value_as_of::<ProviderProfile>(None).unwrap(), provider());
        assert_eq!(
            d.value_as_of::<ProviderProfile>(Some(&created)).unwrap(),
            provider()
        );
        let now = d.heads_hex();
        assert_eq!(d.value_as_of::<ProviderProfile>(Some(&now)).unwrap(), moved);
        assert!(d
            .value_as_of::<ProviderProfile>(Some(&["ab".repeat(32)]))
            .is_err());
        assert!(d
            .value_as_of::<ProviderProfile>(Some(&["xyz".into()]))
            .is_err());
    }

    /// The value a node wrote stands in for reading the document while nothing else changed
    /// it — also across a new scope — and never after a merge brought another node's change.
    #[test]
    fn the_written_value_serves_until_another_change_arrives() {
        let today = Date::ymd(2026, 11, 1);
        let id = DocId("doc-p".into());
        let mut here =
            StoredDoc::create(id.clone(), meta(), &provider(), b"actor-1", today, 1).unwrap();
        let mut there = StoredDoc::load(id, &here.save(), b"actor-2").unwrap();
        let mut renamed = provider();
        renamed.name = "Eigenbetrieb Kitas".into();
        here.update(&renamed, today, 2, "rename").unwrap();
        let mut rescoped = meta();
        rescoped.facilities = vec![crate::ids::FacilityId("fac-1".into())];
        here.set_scope(rescoped, 3).unwrap();
        assert_eq!(
            here.any_value().unwrap(),
            KindValue::ProviderProfile(renamed.clone())
        );
        let mut phone = provider();
        phone.phone = "0351 1".into();
        there.update(&phone, today, 4, "phone").unwrap();
        here.merge_bytes(&there.save()).unwrap();
        let mut merged = meta();
        merged.facilities = vec![crate::ids::FacilityId("fac-2".into())];
        here.set_scope(merged, 5).unwrap();
        let KindValue::ProviderProfile(now) = here.any_value().unwrap() else {
            panic!("a provider profile");
        };
        assert_eq!(
            (now.name.as_str(), now.phone.as_str()),
            ("Eigenbetrieb Kitas", "0351 1")
        );
    }

    /// Writing only the changed parts leaves the document where writing the whole value does,
    /// with the same history, and the value written is what the projections get.
    #[test]
    fn updating_parts_ends_where_updating_the_whole_value_does() {
        let today = Date::ymd(2026, 11, 1);
        let id = DocId("doc-p".into());
        let mut whole =
            StoredDoc::create(id.clone(), meta(), &provider(), b"actor-1", today, 1).unwrap();
        let mut parts = StoredDoc::load(id, &whole.save(), b"actor-1").unwrap();
        let mut moved = provider();
        moved.phone = "0351 1".into();
        moved.address.street = "Hauptstraße 1".into();
        assert!(whole.update(&moved, today, 2, "move").unwrap());
        assert!(parts
            .update_parts(&moved, today, 2, "move", |p| {
                // In the order of the fields, as reconciling the whole value writes them.
                p.reconcile(
                    &[Step::Field("address"), Step::Field("street")],
                    &moved.address.street,
                )?;
                p.reconcile(&[Step::Field("phone")], &moved.phone)
            })
            .unwrap());
        assert_eq!(parts.value::<ProviderProfile>().unwrap(), moved);
        assert_eq!(parts.heads(), whole.heads(), "the same change, op for op");
        assert_eq!(
            parts.any_value().unwrap(),
            KindValue::ProviderProfile(moved.clone())
        );
        assert!(!parts
            .update_parts(&moved, today, 3, "again", |p| p
                .reconcile(&[Step::Field("phone")], &moved.phone))
            .unwrap());
        let err = parts
            .update_parts(&moved, today, 4, "nowhere", |p| {
                p.reconcile(&[Step::Field("nowhere"), Step::Item(0)], &1u32)
            })
            .unwrap_err();
        assert!(matches!(err, DocError::Corrupt { .. }), "{err}");
        assert_eq!(parts.history().len(), 2);
    }

    /// Regression: bytes that make automerge's loader panic are refused as a corrupt document.
    #[test]
    fn malformed_bytes_are_an_error_not_a_panic() {
        let bytes: &[u8] = include_bytes!("../testdata/automerge-load-panic.bin");
        let err = StoredDoc::load(DocId("doc-p".into()), bytes, b"actor-1").unwrap_err();
        assert!(matches!(err, DocError::Corrupt { .. }), "{err}");
        let mut d = StoredDoc::create(
            DocId("doc-p".into()),
            meta(),
            &provider(),
            b"actor-1",
            Date::ymd(2026, 11, 1),
            1,
        )
        .unwrap();
        assert!(d.merge_bytes(bytes).is_err());
    }

    /// Regression: a bundle chunk that made automerge reserve gigabytes (found by the crdt_doc
    /// fuzz target) is refused before automerge decodes it.
    #[test]
    fn bytes_that_would_take_unbounded_memory_are_refused() {
        let bytes: &[u8] = include_bytes!("../testdata/automerge-load-bundle-bomb.bin");
        let err = StoredDoc::load(DocId("doc-p".into()), bytes, b"actor-1").unwrap_err();
        assert!(err.to_string().contains("bundle"), "{err}");
        let mut d = StoredDoc::create(
            DocId("doc-p".into()),
            meta(),
            &provider(),
            b"actor-1",
            Date::ymd(2026, 11, 1),
            1,
        )
        .unwrap();
        let heads = d.heads();
        assert!(d.merge_bytes(bytes).is_err());
        assert_eq!(d.heads(), heads);
    }

    #[test]
    fn invalid_update_writes_nothing() {
        let today = Date::ymd(2026, 11, 1);
        let mut d = StoredDoc::create(
            DocId("doc-p".into()),
            meta(),
            &provider(),
            b"actor-1",
            today,
            1,
        )
        .unwrap();
        let before = d.heads();
        let mut bad = provider();
        bad.name = " ".into();
        bad.address.postcode = "1067".into();
        let err = d.update(&bad, today, 2, "edit").unwrap_err();
        match err {
            DocError::Invalid { source, .. } => {
                let fields: Vec<_> = source.errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, vec!["name", "address.postcode"]);
            }
            other => panic!("expected a validation error, got {other}"),
        }
        assert_eq!(d.heads(), before);
        assert_eq!(d.value::<ProviderProfile>().unwrap(), provider());
    }

    #[test]
    fn unchanged_value_makes_no_change() {
        let today = Date::ymd(2026, 11, 1);
        let mut d = StoredDoc::create(
            DocId("doc-p".into()),
            meta(),
            &provider(),
            b"actor-1",
            today,
            1,
        )
        .unwrap();
        assert!(!d.update(&provider(), today, 2, "noop").unwrap());
        let mut p = provider();
        p.phone = "0351 1234".into();
        assert!(d.update(&p, today, 3, "phone").unwrap());
        assert_eq!(d.history().len(), 2);
    }
}
