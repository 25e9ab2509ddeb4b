-- 0021: coordinated placement rounds (PLACEMENT.md, procedure 2) at the city. The proposals
-- travel to the Kitas as the status of their wish documents; what stays here is the city's
-- record of each round: who started it when, on which window, the published seed hash and the
-- seed, the input hash, the protocol and the statistics (the proof a court may ask for), and
-- which application was in which round with which program (an application once in a round is
-- placed by rounds from then on, `applications::sequential::Mode::Round`). Local like the
-- intake's records: never synced; `round_children` names applications by their city id only.

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    started_on TEXT NOT NULL,
    -- The desired starts the round took, first days of months, inclusive.
    window_from TEXT NOT NULL,
    window_to TEXT NOT NULL,
    -- Days the parents have to accept an offer.
    offer_days INTEGER NOT NULL,
    catalogue TEXT NOT NULL,
    seed TEXT NOT NULL,
    seed_hash TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    children INTEGER NOT NULL,
    proposed INTEGER NOT NULL,
    -- The engine's input (`kitanetz-placement/1`, the lottery drawn from the seed), its
    -- protocol and the round statistics, compact JSON: `kitanetz place --instance` on the
    -- input reproduces the result byte for byte.
    instance TEXT NOT NULL,
    protocol TEXT NOT NULL,
    statistics TEXT NOT NULL
) STRICT;

CREATE TABLE round_children (
    round INTEGER NOT NULL REFERENCES rounds (id),
    application TEXT NOT NULL,
    -- The program the engine assigned (facility-caretype-month), NULL when unplaced.
    program TEXT,
    facility TEXT,
    -- The offer's reminder mail went out (the day), so the hourly run sends it once.
    reminded_on TEXT,
    PRIMARY KEY (round, application)
) STRICT;
CREATE INDEX round_children_application ON round_children (application);
