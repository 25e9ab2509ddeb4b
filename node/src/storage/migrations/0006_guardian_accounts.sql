-- 0006: the parents' portal on the city node: guardians' accounts (e-mail and an argon2 password
-- today; the identity provider and subject columns take a BundID/Servicekonto login later),
-- their sessions, one-time links (verify the e-mail, reset the password), and the outbox of mails
-- written in the transaction of the action that causes them and sent by a background task.

CREATE TABLE guardian_accounts (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name      TEXT NOT NULL,
    identity_provider TEXT NOT NULL DEFAULT 'password',
    subject           TEXT,
    password_hash     TEXT,
    verified_at       INTEGER,
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_until      INTEGER,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE guardian_sessions (
    token_hash TEXT PRIMARY KEY,
    account    INTEGER NOT NULL REFERENCES guardian_accounts (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- Only the SHA-256 of a link's token is stored; a link works once and until expires_at.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    account    INTEGER NOT NULL REFERENCES guardian_accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,  -- 'verify' | 'reset'
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

-- A sent mail keeps its recipient and subject for the record; its text is emptied once sent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- One active application per child: a keyed hash of the child's identifying data (the key is
-- this node's secret, see node_meta 'child-key-secret') names every application ever made for
-- the child; the active one is found through p_applications.status.
CREATE TABLE application_keys (
    child_key   TEXT NOT NULL,
    application TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (child_key, application)
) STRICT;

-- Which portal account submitted which application (local to the city node).
CREATE TABLE portal_applications (
    application TEXT PRIMARY KEY,
    account     INTEGER NOT NULL REFERENCES guardian_accounts (id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX portal_applications_account ON portal_applications (account);

-- Writes per document kind (local and from peers): a cache of one kind's documents, such as
-- the portal's search index of the public ones, is rebuilt when this grows.
CREATE TABLE kind_changes (
    kind   TEXT PRIMARY KEY,
    writes INTEGER NOT NULL
) STRICT;
