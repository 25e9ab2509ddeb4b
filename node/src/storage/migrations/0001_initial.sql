-- 0001: the node's first schema. Documents are automerge chunks; everything a screen or report
-- queries is a projection rebuilt from those chunks. The audit log is append-only.

CREATE TABLE node_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    doc_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    provider    TEXT,
    facilities  TEXT NOT NULL,  -- JSON array of facility ids (scope)
    visibility  TEXT NOT NULL,
    heads       TEXT NOT NULL,  -- JSON array of change hashes, sorted
    meta        TEXT NOT NULL,  -- the document's DocMeta as JSON (sync offers it to peers)
    chunk_count INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX documents_kind ON documents (kind);

CREATE TABLE chunks (
    doc_id   TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    snapshot INTEGER NOT NULL,  -- 1: a full save; 0: an incremental change set
    bytes    BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) STRICT;

-- Erased documents: never re-imported, whoever offers them again.
CREATE TABLE tombstones (
    doc_id    TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    erased_at INTEGER NOT NULL,
    erased_by TEXT NOT NULL,
    meta      TEXT  -- DocMeta JSON, so peers can check the eraser may write the document
) STRICT;

-- Per peer and document the automerge sync state, so that a reconnect after a restart does not
-- start from scratch (automerge::sync::State::encode).
CREATE TABLE sync_states (
    peer   TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    state  BLOB NOT NULL,
    PRIMARY KEY (peer, doc_id)
) STRICT;

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,  -- unix milliseconds
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    subjects   TEXT NOT NULL DEFAULT '[]',  -- JSON array of ids of people touched
    valid_from TEXT
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    provider      TEXT,
    facility      TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- Projections: every row carries the doc_id it came from, so a document's rows can be
-- replaced in the transaction that writes the document.
CREATE TABLE p_providers (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    category TEXT NOT NULL, city TEXT NOT NULL
) STRICT;
CREATE TABLE p_facilities (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, provider TEXT NOT NULL, name TEXT NOT NULL,
    district TEXT NOT NULL, street TEXT NOT NULL, postcode TEXT NOT NULL, city TEXT NOT NULL,
    lat TEXT, lon TEXT, opening_hours TEXT NOT NULL
) STRICT;
CREATE INDEX p_facilities_provider ON p_facilities (provider);
CREATE TABLE p_facility_places (
    facility TEXT NOT NULL, doc_id TEXT NOT NULL, care_type TEXT NOT NULL,
    valid_from TEXT NOT NULL, places INTEGER NOT NULL
) STRICT;
CREATE INDEX p_facility_places_facility ON p_facility_places (facility);
CREATE TABLE p_childminders (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, name TEXT NOT NULL, district TEXT NOT NULL,
    places INTEGER NOT NULL
) STRICT;
CREATE TABLE p_children (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, family TEXT NOT NULL, given_name TEXT NOT NULL,
    family_name TEXT NOT NULL, birth_date TEXT NOT NULL, facility TEXT
) STRICT;
CREATE INDEX p_children_facility ON p_children (facility);
CREATE TABLE p_guardians (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, family TEXT NOT NULL, given_name TEXT NOT NULL,
    family_name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL
) STRICT;
CREATE INDEX p_guardians_family ON p_guardians (family);
CREATE TABLE p_contracts (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, child TEXT NOT NULL, family TEXT NOT NULL,
    facility TEXT NOT NULL, start TEXT NOT NULL, end TEXT
) STRICT;
CREATE INDEX p_contracts_child ON p_contracts (child);
CREATE INDEX p_contracts_facility ON p_contracts (facility);
CREATE TABLE p_contract_lines (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, contract TEXT NOT NULL, start TEXT NOT NULL,
    end TEXT, care_type TEXT NOT NULL, daily_hours TEXT NOT NULL, grp TEXT,
    payment_mode TEXT NOT NULL
) STRICT;
CREATE INDEX p_contract_lines_contract ON p_contract_lines (contract);
CREATE TABLE p_groups (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, facility TEXT NOT NULL, name TEXT NOT NULL,
    care_type TEXT NOT NULL, size INTEGER NOT NULL, members INTEGER NOT NULL
) STRICT;
CREATE TABLE p_applications (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, desired_start TEXT NOT NULL,
    care_type TEXT NOT NULL, status TEXT NOT NULL, wishes INTEGER NOT NULL
) STRICT;
CREATE TABLE p_seat_months (
    facility TEXT NOT NULL, doc_id TEXT NOT NULL, care_type TEXT NOT NULL, month TEXT NOT NULL,
    places INTEGER NOT NULL, occupied INTEGER NOT NULL, reserved INTEGER NOT NULL
) STRICT;

-- A document's projection rows are replaced on every write: find them by doc_id.
CREATE INDEX p_providers_doc ON p_providers (doc_id);
CREATE INDEX p_facilities_doc ON p_facilities (doc_id);
CREATE INDEX p_facility_places_doc ON p_facility_places (doc_id);
CREATE INDEX p_childminders_doc ON p_childminders (doc_id);
CREATE INDEX p_children_doc ON p_children (doc_id);
CREATE INDEX p_guardians_doc ON p_guardians (doc_id);
CREATE INDEX p_contracts_doc ON p_contracts (doc_id);
CREATE INDEX p_contract_lines_doc ON p_contract_lines (doc_id);
CREATE INDEX p_groups_doc ON p_groups (doc_id);
CREATE INDEX p_applications_doc ON p_applications (doc_id);
CREATE INDEX p_seat_months_doc ON p_seat_months (doc_id);
-- Erasure finds a family's documents by family id.
CREATE INDEX p_children_family ON p_children (family);
CREATE INDEX p_contracts_family ON p_contracts (family);
