-- The criteria catalogues the city published for its placement rounds (PLACEMENT.md: a
-- versioned catalogue per city, with optional local criteria of a Träger or a Kita). A round
-- and the what-if comparison use the newest; before the first, the Lastenheft's default
-- applies. Rows are never changed: a new version replaces the one before.
CREATE TABLE placement_catalogues (
    version INTEGER PRIMARY KEY,
    -- kitanetz_placement::catalogue::Catalogue as JSON, its version set to this row's.
    catalogue TEXT NOT NULL,
    -- Why (e.g. the council's decision it carries out).
    reason TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at INTEGER NOT NULL
) STRICT;
