-- 0017: writers' signatures of document changes, so that this node can pass on changes it may
-- not write itself and its peers can check who wrote them (relaying through the Träger office,
-- `kitanetz_sync::sign`). One row per change of a held document that arrived with a valid
-- signature or that this node signed itself; a document's erasure signature is kept under the
-- all-zero hash (`kitanetz_sync::sign::ERASURE`) after the document and its other signatures
-- are gone, so that the erasure can be passed on too.

CREATE TABLE change_signatures (
    doc_id TEXT NOT NULL,
    -- The automerge change hash (32 bytes).
    change_hash BLOB NOT NULL,
    -- The writer's PeerId (`writers.writer`).
    writer TEXT NOT NULL,
    -- Ed25519 over "kitanetz/change/1\0" ‖ doc id ‖ 0 ‖ hash (or the erasure payload).
    signature BLOB NOT NULL,
    PRIMARY KEY (doc_id, change_hash)
) STRICT;

-- The certificate of every writer whose signatures are kept (to introduce it to peers). A
-- renewed certificate of the same key replaces the older one.
CREATE TABLE writers (
    writer TEXT PRIMARY KEY,
    credential BLOB NOT NULL
) STRICT;
