-- 0005: which documents this node's own users changed, in order. The sync driver offers
-- exactly these to its peers (documents that arrived from peers are not changes to announce)
-- and reads them by sequence instead of comparing the heads of every document on every tick.

ALTER TABLE documents ADD COLUMN local_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX documents_local_seq ON documents (local_seq);
