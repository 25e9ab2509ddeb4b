-- 0020: the Kita-Planer 2 export (seed 001): which export run took a child's buffer rows and
-- whether the transfer went through (Exportiert) or failed (Fehler in Kita Planer). The rows
-- themselves are computed from the documents; a row stores only the fingerprint of the rows
-- it exported, so a changed contract (a new fingerprint) shows its child as Eingefügt again.
-- No personal data: child ids only. No projection: nothing is rebuilt from documents.

CREATE TABLE kitaplaner_runs (
    id INTEGER PRIMARY KEY,
    facility TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    transfer TEXT NOT NULL,
    file TEXT NOT NULL,
    children INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    message TEXT
) STRICT;
CREATE INDEX kitaplaner_runs_facility ON kitaplaner_runs (facility, id);

CREATE TABLE kitaplaner_status (
    facility TEXT NOT NULL,
    child TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('exported', 'failed')),
    run INTEGER NOT NULL REFERENCES kitaplaner_runs (id),
    rows INTEGER NOT NULL,
    PRIMARY KEY (facility, child)
) STRICT;
