-- Änderungsmeldungen (Lastenheft 3.7.3) on the Träger node: what the Kitas changed in contracts
-- and families since the Beitragsstelle last marked them done. Per document: the heads marked
-- done (NULL: compare with the document's creation), the heads the changes were last computed
-- at, and those changes in words (JSON), a cache the page refreshes for documents that moved.
CREATE TABLE change_reports (
    doc_id TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    kind TEXT NOT NULL,
    facility TEXT,
    subject TEXT NOT NULL,
    done_heads TEXT,
    checked_heads TEXT NOT NULL,
    changes TEXT NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX change_reports_family ON change_reports (family);

-- What was marked done, by whom and when (the changes as they were listed then).
CREATE TABLE change_reports_done (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    family TEXT NOT NULL,
    facility TEXT,
    subject TEXT NOT NULL,
    changes TEXT NOT NULL,
    done_at INTEGER NOT NULL,
    done_by TEXT NOT NULL
) STRICT;
CREATE INDEX change_reports_done_family ON change_reports_done (family);
