//! The sync protocol's messages and their byte format. Wire format: changing it needs a new
//! [`WIRE_VERSION`].
//!
//! Hand-written rather than a serde format because every byte counts on a Kita's uplink (the
//! payload is automerge's own compact encoding) and because the format must stay stable across
//! node versions. Layout: `version u8, tag u8, fields…`; strings and byte strings are `u32`
//! big-endian length + bytes; the rare [`DocMeta`] travels as JSON (same names as in storage).

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

const TAG_SYNC: u8 = 1;
const TAG_ERASED: u8 = 2;

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
                docs: vec![(id, meta())],
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
