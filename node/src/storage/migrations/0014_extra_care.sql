-- 0014: extra care (Mehrbetreuung, Lastenheft 3.6.13 and 3.10.6). One row per recorded day, so
-- that the Beitragsstelle finds a child's reported days when it computes the family's fees, and
-- its watch list finds reported months, without decoding every month document. Rows of existing
-- documents are filled by a projection rebuild after this migration.

CREATE TABLE p_extra_care (
    doc_id TEXT NOT NULL, facility TEXT NOT NULL, month TEXT NOT NULL, entry TEXT NOT NULL,
    child TEXT NOT NULL, day TEXT NOT NULL, time_from TEXT NOT NULL, time_to TEXT NOT NULL,
    extra_tiers INTEGER NOT NULL, outside_opening_hours INTEGER NOT NULL,
    school_free_day INTEGER NOT NULL, reported_on TEXT
) STRICT;
CREATE INDEX p_extra_care_doc ON p_extra_care (doc_id);
CREATE INDEX p_extra_care_child ON p_extra_care (child);
