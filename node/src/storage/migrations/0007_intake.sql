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
