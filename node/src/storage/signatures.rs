//! Writers' signatures of document changes and the writers' certificates, kept for the sync
//! core (`kitanetz_sync::DocRepo::signatures` and friends) so that relayed changes can be
//! passed on with the proof of who wrote them.

use super::{Store, StoreError};
use automerge::ChangeHash;
use kitanetz_crdt::DocId;
use kitanetz_sync::{ChangeSignature, WriterId};
use rusqlite::{params, OptionalExtension};

impl Store {
    /// The stored signatures of these changes of `doc` (those there are).
    pub fn change_signatures(
        &self,
        doc: &DocId,
        hashes: &[ChangeHash],
    ) -> Result<Vec<ChangeSignature>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT writer, signature FROM change_signatures WHERE doc_id = ?1 AND change_hash = ?2",
        )?;
        let mut out = Vec::new();
        for hash in hashes {
            let row = stmt
                .query_row(params![doc.0, &hash.0[..]], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
                })
                .optional()?;
            if let Some((writer, signature)) = row {
                out.push(ChangeSignature {
                    hash: *hash,
                    writer: WriterId(writer),
                    signature,
                });
            }
        }
        Ok(out)
    }

    /// Stores signatures of changes of `doc`, replacing any stored for the same change.
    pub fn save_change_signatures(
        &mut self,
        doc: &DocId,
        sigs: &[ChangeSignature],
    ) -> Result<(), StoreError> {
        if sigs.is_empty() {
            return Ok(());
        }
        // One transaction: a bootstrap stores thousands, each would wait for the disk.
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO change_signatures (doc_id, change_hash, writer, signature)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (doc_id, change_hash) DO UPDATE SET writer = ?3, signature = ?4",
            )?;
            for s in sigs {
                stmt.execute(params![doc.0, &s.hash.0[..], s.writer.0, s.signature])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A writer's certificate, as stored with [`Store::save_writer`].
    pub fn writer_credential(&self, writer: &WriterId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT credential FROM writers WHERE writer = ?1")?
            .query_row([&writer.0], |r| r.get(0))
            .optional()?)
    }

    /// Stores a writer's certificate (replacing an older one of the same key).
    pub fn save_writer(&mut self, writer: &WriterId, credential: &[u8]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO writers (writer, credential) VALUES (?1, ?2)
                 ON CONFLICT (writer) DO UPDATE SET credential = ?2",
            )?
            .execute(params![writer.0, credential])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::open_temp;
    use super::*;
    use crate::storage::AuditEntry;
    use kitanetz_crdt::doc::StoredDoc;
    use kitanetz_crdt::ids::{OrgId, ProviderId};
    use kitanetz_crdt::kinds::{Address, ProviderKind, ProviderProfile};
    use kitanetz_crdt::meta::{DocKind, DocMeta};
    use kitanetz_crdt::scalar::Date;
    use kitanetz_sync::sign::ERASURE;

    fn sig(hash: u8, writer: &str, signature: u8) -> ChangeSignature {
        ChangeSignature {
            hash: ChangeHash([hash; 32]),
            writer: WriterId(writer.into()),
            signature: vec![signature; 64],
        }
    }

    #[test]
    fn signatures_are_kept_per_change_and_an_erasure_keeps_only_its_own() {
        let (_dir, mut store) = open_temp();
        let profile = ProviderProfile {
            id: ProviderId("prov-1".into()),
            name: "Träger".into(),
            kind: ProviderKind::Free,
            category: "Elterninitiative".into(),
            address: Address {
                street: "Weg 1".into(),
                postcode: "01067".into(),
                city: "Dresden".into(),
                lat: None,
                lon: None,
            },
            email: String::new(),
            phone: String::new(),
        };
        let meta = DocMeta {
            kind: DocKind::ProviderProfile,
            schema: 1,
            owner: OrgId("org-kita-1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facilities: vec![],
            origin_node: "kita-1".into(),
            created_on: Date::ymd(2026, 1, 1),
        };
        let id = DocId("provider-prov-1".into());
        let mut doc = StoredDoc::create(
            id.clone(),
            meta.clone(),
            &profile,
            store.actor(),
            Date::ymd(2026, 1, 1),
            1,
        )
        .unwrap();
        let entry = |action| AuditEntry {
            at: 1,
            actor: "user:test".into(),
            action,
            target: None,
            subjects: vec![],
            valid_from: None,
        };
        store.save_doc(&mut doc, &entry("test.create")).unwrap();

        store
            .save_change_signatures(&id, &[sig(1, "w1", 1), sig(2, "w1", 2)])
            .unwrap();
        // A later signature of the same change replaces the first.
        store
            .save_change_signatures(&id, &[sig(2, "w2", 3)])
            .unwrap();
        let got = store
            .change_signatures(
                &id,
                &[
                    ChangeHash([1; 32]),
                    ChangeHash([2; 32]),
                    ChangeHash([9; 32]),
                ],
            )
            .unwrap();
        assert_eq!(got, [sig(1, "w1", 1), sig(2, "w2", 3)]);
        assert!(store
            .change_signatures(&DocId("other".into()), &[ChangeHash([1; 32])])
            .unwrap()
            .is_empty());

        store
            .save_writer(&WriterId("w1".into()), b"cert 1")
            .unwrap();
        store
            .save_writer(&WriterId("w1".into()), b"cert 1b")
            .unwrap();
        assert_eq!(
            store.writer_credential(&WriterId("w1".into())).unwrap(),
            Some(b"cert 1b".to_vec())
        );
        assert_eq!(
            store.writer_credential(&WriterId("w9".into())).unwrap(),
            None
        );

        // An erasure signed before the erasure itself is stored (a relayed one) is kept; the
        // document's change signatures go with it.
        let erasure = ChangeSignature {
            hash: ERASURE,
            ..sig(0, "w1", 7)
        };
        store
            .save_change_signatures(&id, std::slice::from_ref(&erasure))
            .unwrap();
        store
            .erase_doc(&id, &meta, &entry("document.erase"))
            .unwrap();
        let all = [ChangeHash([1; 32]), ChangeHash([2; 32]), ERASURE];
        assert_eq!(store.change_signatures(&id, &all).unwrap(), [erasure]);
    }
}
