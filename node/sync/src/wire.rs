//! The sync protocol's messages and their byte format. Wire format: changing it needs a new
//! [`WIRE_VERSION`].
//!
//! Hand-written rather than a serde format because every byte counts on a Kita's uplink (the
//! payload is automerge's own compact encoding) and because the format must stay stable across
//! node versions. Layout: `version u8, tag u8, fields…`; strings and byte strings are `u32`
//! big-endian length + bytes; the rare [`DocMeta`] travels as JSON (same names as in storage).

use automerge::ChangeHash;
use kitanetz_crdt::{DocId, DocMeta};

/// Version byte at the start of every message.
pub const WIRE_VERSION: u8 = 1;

/// Largest encoded message. libp2p request-response codecs cap requests at 1 MiB; staying under
/// it means no transport ever has to raise its limit.
pub const MAX_MESSAGE: usize = 1024 * 1024;

/// Largest automerge payload in one [`Msg::Sync`] fragment: leaves room for the id, the metadata
/// and the header within [`MAX_MESSAGE`].
pub const MAX_FRAGMENT: usize = MAX_MESSAGE - 64 * 1024;

/// Largest encoded [`DocMeta`] accepted (its facility list is short in practice).
const MAX_META: usize = 32 * 1024;

/// Largest signature accepted (ed25519: 64 bytes; the length travels in one byte).
pub const MAX_SIGNATURE: usize = 255;

/// Largest writer credential accepted (a node certificate is a few hundred bytes).
const MAX_CREDENTIAL: usize = 16 * 1024;

const TAG_SYNC: u8 = 1;
const TAG_ERASED: u8 = 2;
const TAG_WRITER: u8 = 3;
const TAG_SIGNATURES: u8 = 4;
const TAG_SIGNED_ERASED: u8 = 5;

/// A writer's signature as it travels: the writer is named by the index a [`Msg::Writer`]
/// gave its credential earlier in the same session (saves the credential on every change).
#[derive(Debug, Clone, PartialEq)]
pub struct WireSignature {
    pub hash: ChangeHash,
    pub writer: u16,
    pub signature: Vec<u8>,
}

/// A signed erasure as it travels.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedErasure {
    pub doc: DocId,
    pub meta: DocMeta,
    pub writer: u16,
    pub signature: Vec<u8>,
}

/// One protocol message between two nodes over an authenticated link.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// One automerge sync message (or a fragment of one) for one document.
    Sync {
        doc: DocId,
        /// Sent with the first message about a document in a session, so that a peer that does
        /// not know the document yet can decide whether to take it in.
        meta: Option<DocMeta>,
        /// More fragments of this automerge message follow.
        more: bool,
        /// Encoded `automerge::sync::Message` (or a slice of it).
        data: Vec<u8>,
    },
    /// These documents were erased by a writer: drop them and keep a tombstone.
    Erased { docs: Vec<(DocId, DocMeta)> },
    /// Introduces a writer's credential (node certificate) under an index for the rest of the
    /// session; [`Msg::Signatures`] and [`Msg::SignedErased`] name writers by it. Sent before
    /// the first signature that needs it.
    Writer { index: u16, credential: Vec<u8> },
    /// Writers' signatures of changes that the next [`Msg::Sync`] about `doc` carries (or an
    /// earlier one whose changes waited for their dependencies).
    Signatures {
        doc: DocId,
        sigs: Vec<WireSignature>,
    },
    /// Erasures, each signed by a writer of the document: a node that may not write it can
    /// pass it on.
    SignedErased { docs: Vec<SignedErasure> },
}

/// A message that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("message ends early")]
    Truncated,
    #[error("message has wire version {0}, this node speaks {WIRE_VERSION}: update Kitanetz")]
    UnknownVersion(u8),
    #[error("unknown message type {0}")]
    UnknownTag(u8),
    #[error("message is {0} bytes, more than the limit of {MAX_MESSAGE}")]
    TooLarge(usize),
    #[error("invalid text in message")]
    BadText,
    #[error("invalid document metadata: {0}")]
    BadMeta(String),
    #[error("{0} bytes left over after the message")]
    Trailing(usize),
    #[error("signature or credential over its size limit")]
    BadSignature,
}

impl Msg {
    /// Splits an automerge sync message into as many [`Msg::Sync`] fragments as
    /// `MAX_FRAGMENT` requires; only the first carries `meta`.
    pub fn sync_fragments(doc: &DocId, meta: Option<DocMeta>, data: Vec<u8>) -> Vec<Msg> {
        if data.len() <= MAX_FRAGMENT {
            return vec![Msg::Sync {
                doc: doc.clone(),
                meta,
                more: false,
                data,
            }];
        }
        let count = data.len().div_ceil(MAX_FRAGMENT);
        let mut meta = meta;
        data.chunks(MAX_FRAGMENT)
            .enumerate()
            .map(|(i, chunk)| Msg::Sync {
                doc: doc.clone(),
                meta: meta.take(),
                more: i + 1 < count,
                data: chunk.to_vec(),
            })
            .collect()
    }

    /// Splits a list of erased documents into messages that each stay under [`MAX_MESSAGE`].
    pub fn erased_batches(docs: Vec<(DocId, DocMeta)>) -> Vec<Msg> {
        let mut out = Vec::new();
        let mut batch = Vec::new();
        let mut size = 16;
        for (id, meta) in docs {
            let entry = 8 + id.0.len() + meta_json(&meta).len();
            if !batch.is_empty() && size + entry > MAX_MESSAGE {
                out.push(Msg::Erased {
                    docs: std::mem::take(&mut batch),
                });
                size = 16;
            }
            size += entry;
            batch.push((id, meta));
        }
        if !batch.is_empty() {
            out.push(Msg::Erased { docs: batch });
        }
        out
    }

    /// The bytes to put on the wire.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![WIRE_VERSION];
        match self {
            Msg::Sync {
                doc,
                meta,
                more,
                data,
            } => {
                out.push(TAG_SYNC);
                put_bytes(&mut out, doc.0.as_bytes());
                match meta {
                    Some(m) => {
                        out.push(1);
                        put_bytes(&mut out, &meta_json(m));
                    }
                    None => out.push(0),
                }
                out.push(u8::from(*more));
                put_bytes(&mut out, data);
            }
            Msg::Erased { docs } => {
                out.push(TAG_ERASED);
                out.extend_from_slice(&(docs.len() as u32).to_be_bytes());
                for (id, meta) in docs {
                    put_bytes(&mut out, id.0.as_bytes());
                    put_bytes(&mut out, &meta_json(meta));
                }
            }
            Msg::Writer { index, credential } => {
                out.push(TAG_WRITER);
                out.extend_from_slice(&index.to_be_bytes());
                put_bytes(&mut out, credential);
            }
            Msg::Signatures { doc, sigs } => {
                out.push(TAG_SIGNATURES);
                put_bytes(&mut out, doc.0.as_bytes());
                out.extend_from_slice(&(sigs.len() as u32).to_be_bytes());
                for s in sigs {
                    out.extend_from_slice(&s.hash.0);
                    out.extend_from_slice(&s.writer.to_be_bytes());
                    put_signature(&mut out, &s.signature);
                }
            }
            Msg::SignedErased { docs } => {
                out.push(TAG_SIGNED_ERASED);
                out.extend_from_slice(&(docs.len() as u32).to_be_bytes());
                for e in docs {
                    put_bytes(&mut out, e.doc.0.as_bytes());
                    put_bytes(&mut out, &meta_json(&e.meta));
                    out.extend_from_slice(&e.writer.to_be_bytes());
                    put_signature(&mut out, &e.signature);
                }
            }
        }
        out
    }

    /// Reads a message; refuses anything over [`MAX_MESSAGE`] before looking at it.
    pub fn decode(bytes: &[u8]) -> Result<Msg, WireError> {
        if bytes.len() > MAX_MESSAGE {
            return Err(WireError::TooLarge(bytes.len()));
        }
        let mut r = Reader(bytes);
        let version = r.u8()?;
        if version != WIRE_VERSION {
            return Err(WireError::UnknownVersion(version));
        }
        let msg = match r.u8()? {
            TAG_SYNC => {
                let doc = r.doc_id()?;
                let meta = match r.u8()? {
                    0 => None,
                    _ => Some(r.meta()?),
                };
                let more = r.u8()? != 0;
                let data = r.bytes()?.to_vec();
                Msg::Sync {
                    doc,
                    meta,
                    more,
                    data,
                }
            }
            TAG_ERASED => {
                let n = r.u32()? as usize;
                // Each entry takes at least 8 bytes: a lying count cannot make us allocate much.
                let mut docs = Vec::with_capacity(n.min(r.0.len() / 8));
                for _ in 0..n {
                    docs.push((r.doc_id()?, r.meta()?));
                }
                Msg::Erased { docs }
            }
            TAG_WRITER => {
                let index = r.u16()?;
                let credential = r.bytes()?;
                if credential.len() > MAX_CREDENTIAL {
                    return Err(WireError::BadSignature);
                }
                Msg::Writer {
                    index,
                    credential: credential.to_vec(),
                }
            }
            TAG_SIGNATURES => {
                let doc = r.doc_id()?;
                let n = r.u32()? as usize;
                // Each entry takes at least 35 bytes.
                let mut sigs = Vec::with_capacity(n.min(r.0.len() / 35));
                for _ in 0..n {
                    let hash = r.hash()?;
                    let writer = r.u16()?;
                    let signature = r.signature()?;
                    sigs.push(WireSignature {
                        hash,
                        writer,
                        signature,
                    });
                }
                Msg::Signatures { doc, sigs }
            }
            TAG_SIGNED_ERASED => {
                let n = r.u32()? as usize;
                let mut docs = Vec::with_capacity(n.min(r.0.len() / 11));
                for _ in 0..n {
                    let doc = r.doc_id()?;
                    let meta = r.meta()?;
                    let writer = r.u16()?;
                    let signature = r.signature()?;
                    docs.push(SignedErasure {
                        doc,
                        meta,
                        writer,
                        signature,
                    });
                }
                Msg::SignedErased { docs }
            }
            tag => return Err(WireError::UnknownTag(tag)),
        };
        if !r.0.is_empty() {
            return Err(WireError::Trailing(r.0.len()));
        }
        Ok(msg)
    }
}

fn meta_json(meta: &DocMeta) -> Vec<u8> {
    serde_json::to_vec(meta).expect("DocMeta serialises")
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_signature(out: &mut Vec<u8>, sig: &[u8]) {
    let len = u8::try_from(sig.len()).expect("signatures are at most MAX_SIGNATURE bytes");
    out.push(len);
    out.extend_from_slice(sig);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.0.len() < n {
            return Err(WireError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn hash(&mut self) -> Result<ChangeHash, WireError> {
        let b = self.take(32)?;
        Ok(ChangeHash(b.try_into().expect("32 bytes")))
    }
    fn signature(&mut self) -> Result<Vec<u8>, WireError> {
        let n = usize::from(self.u8()?);
        Ok(self.take(n)?.to_vec())
    }
    fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn doc_id(&mut self) -> Result<DocId, WireError> {
        let s = std::str::from_utf8(self.bytes()?).map_err(|_| WireError::BadText)?;
        s.parse::<DocId>()
            .map_err(|e| WireError::BadMeta(e.to_string()))
    }
    fn meta(&mut self) -> Result<DocMeta, WireError> {
        let b = self.bytes()?;
        if b.len() > MAX_META {
            return Err(WireError::BadMeta(format!("{} bytes", b.len())));
        }
        serde_json::from_slice(b).map_err(|e| WireError::BadMeta(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::OrgId;
    use kitanetz_crdt::meta::DocKind;
    use kitanetz_crdt::scalar::Date;

    fn meta() -> DocMeta {
        DocMeta {
            kind: DocKind::Group,
            schema: 1,
            owner: OrgId("org-fac-a".into()),
            provider: None,
            facilities: vec![],
            origin_node: "kita-a".into(),
            created_on: Date::ymd(2026, 1, 1),
        }
    }

    #[test]
    fn messages_round_trip() {
        let id = DocId("doc-x".into());
        for msg in [
            Msg::Sync {
                doc: id.clone(),
                meta: Some(meta()),
                more: true,
                data: vec![1, 2, 3],
            },
            Msg::Sync {
                doc: id.clone(),
                meta: None,
                more: false,
                data: vec![],
            },
            Msg::Erased {
                docs: vec![(id.clone(), meta())],
            },
            Msg::Writer {
                index: 7,
                credential: b"certificate".to_vec(),
            },
            Msg::Signatures {
                doc: id.clone(),
                sigs: vec![WireSignature {
                    hash: ChangeHash([3; 32]),
                    writer: 7,
                    signature: vec![9; 64],
                }],
            },
            Msg::SignedErased {
                docs: vec![SignedErasure {
                    doc: id,
                    meta: meta(),
                    writer: 1,
                    signature: vec![8; 64],
                }],
            },
        ] {
            assert_eq!(Msg::decode(&msg.encode()).unwrap(), msg);
        }
    }

    #[test]
    fn large_payloads_are_split_under_the_cap() {
        let id = DocId("doc-x".into());
        let data: Vec<u8> = (0..(3 * MAX_FRAGMENT + 10)).map(|i| i as u8).collect();
        let parts = Msg::sync_fragments(&id, Some(meta()), data.clone());
        assert_eq!(parts.len(), 4);
        let mut joined = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            let bytes = p.encode();
            assert!(bytes.len() <= MAX_MESSAGE);
            let Msg::Sync {
                meta, more, data, ..
            } = Msg::decode(&bytes).unwrap()
            else {
                panic!("sync expected")
            };
            assert_eq!(meta.is_some(), i == 0);
            assert_eq!(more, i + 1 < parts.len());
            joined.extend(data);
        }
        assert_eq!(joined, data);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(Msg::decode(&[]), Err(WireError::Truncated)));
        assert!(matches!(
            Msg::decode(&[9, 1]),
            Err(WireError::UnknownVersion(9))
        ));
        assert!(matches!(
            Msg::decode(&[WIRE_VERSION, 7]),
            Err(WireError::UnknownTag(7))
        ));
        let mut huge = Msg::Erased { docs: vec![] }.encode();
        huge[2..6].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Msg::decode(&huge).is_err());
    }
}
