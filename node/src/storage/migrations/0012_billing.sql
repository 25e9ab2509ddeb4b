-- 0012: the Beitragsstelle's monthly billing (Soll-Stellung, Lastenheft 3.10.9). The positions
-- are the node's own book of what was charged: local like the audit log, never synced, never
-- rebuilt from documents (they are the record of what was sent to the finance system), and kept
-- when a family is erased (fiscal retention). A position names the child by its PKN only.

CREATE TABLE billing_runs (
    id INTEGER PRIMARY KEY,
    billing_month TEXT NOT NULL,
    run_at INTEGER NOT NULL,
    run_by TEXT NOT NULL,
    positions INTEGER NOT NULL,
    total TEXT NOT NULL
) STRICT;
CREATE INDEX billing_runs_month ON billing_runs (billing_month);

CREATE TABLE billing_positions (
    id TEXT PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES billing_runs (id),
    billing_month TEXT NOT NULL,
    pkn TEXT NOT NULL,
    -- The position as `kitanetz_billing::Position` JSON (amounts as decimal strings).
    data TEXT NOT NULL
) STRICT;
CREATE INDEX billing_positions_run ON billing_positions (run);
CREATE INDEX billing_positions_pkn ON billing_positions (pkn);
