-- The Beitragsstelle's parameters of the income-based reduction (§ 90 SGB VIII, annex C lines 6
-- and 7), versioned: the version in force on a day is the one with the latest valid_from on or
-- before it. No source gives the reasonable share, so there is no built-in version: nothing is
-- granted before the office sets one. A grant keeps the values it was computed with.
CREATE TABLE fee_reduction_settings (
    valid_from TEXT PRIMARY KEY,
    reasonable_share_percent TEXT NOT NULL,
    allocation TEXT NOT NULL,
    above_regular_time TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
