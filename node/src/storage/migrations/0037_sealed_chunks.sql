-- Chunks of personal documents may be sealed at rest with the document's own key, kept in the
-- separate subject key file (ARCHITECTURE.md §Erasure; node/src/storage/sealing.rs). Each chunk
-- says whether it is sealed, so chunks written before a node switched sealing on stay
-- readable. The document row says whether any of its chunks is: opening the store finds the
-- sealed documents whose key is gone (an erasure cut short by a crash, an old backup restored
-- after an erasure) through the partial index without reading a chunk.
ALTER TABLE chunks ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX documents_sealed ON documents (doc_id) WHERE sealed = 1;
