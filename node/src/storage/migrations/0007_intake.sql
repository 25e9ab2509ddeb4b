-- The ZVS's intake settings, versioned: the version in force on a day is the one with the
-- latest valid_from on or before it (a change never rewrites the past).
CREATE TABLE intake_settings (
    valid_from TEXT PRIMARY KEY,
    horizon_months INTEGER NOT NULL,
    recheck_from_weeks INTEGER NOT NULL,
    recheck_until_weeks INTEGER NOT NULL,
    followup_days INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;

-- Proofs the parents upload with an application (a rental contract for a move to the city).
-- Personal data of the application: city only, never synced.
CREATE TABLE application_documents (
    id INTEGER PRIMARY KEY,
    application TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX application_documents_by_application ON application_documents (application);

-- A second guardian invited to an application by the contact parent: the link's token (its
-- SHA-256 only), for one address, once, within a week.
CREATE TABLE application_invitations (
    token_hash  TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    email       TEXT NOT NULL COLLATE NOCASE,
    invited_by  INTEGER NOT NULL REFERENCES guardian_accounts (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_by INTEGER REFERENCES guardian_accounts (id),
    accepted_at INTEGER
) STRICT;

-- Second guardians who accepted: they see the application; changes stay with the contact parent.
CREATE TABLE application_guardians (
    application TEXT NOT NULL,
    account     INTEGER NOT NULL REFERENCES guardian_accounts (id),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (application, account)
) STRICT;
CREATE INDEX application_guardians_account ON application_guardians (account);
