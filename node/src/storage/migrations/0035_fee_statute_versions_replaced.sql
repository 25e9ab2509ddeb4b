-- Versions of the fee statute the Beitragsstelle corrected (new figures for the same month) or
-- took back (the version before applies again), kept as they were: the decisions issued with
-- them name them, and every change must stay traceable (Lastenheft 3.10.5). Only the newest
-- version can be replaced; `fee_statute_versions` holds the versions in force.
CREATE TABLE fee_statute_versions_replaced (
    valid_from TEXT NOT NULL,
    published_on TEXT NOT NULL,
    basis TEXT NOT NULL,
    operating_costs TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    replaced_by TEXT NOT NULL,
    replaced_at INTEGER NOT NULL,
    -- 1: taken back; 0: corrected (a row with the same valid_from is in force).
    withdrawn INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
    reason TEXT NOT NULL
) STRICT;
