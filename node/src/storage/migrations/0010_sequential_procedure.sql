-- 0010: the sequential procedure (Lastenheft 3.2.1, 3.6.5). A Kita declines a wish with a coded
-- reason in its seat ledger; the city reads the declines from this projection to move the
-- application on. The grace period (Kulanzzeit) after the desired start is a versioned intake
-- setting. Rows of existing documents are filled by a projection rebuild after this migration.

CREATE TABLE p_seat_declines (
    facility TEXT NOT NULL, doc_id TEXT NOT NULL, wish TEXT NOT NULL, reason TEXT NOT NULL,
    decided_on TEXT NOT NULL
) STRICT;
CREATE INDEX p_seat_declines_doc ON p_seat_declines (doc_id);

ALTER TABLE intake_settings ADD COLUMN grace_months INTEGER NOT NULL DEFAULT 1;

-- The children applying together, so that the procedure finds a group without decoding every
-- application.
ALTER TABLE p_applications ADD COLUMN together TEXT NOT NULL DEFAULT '';
CREATE INDEX p_applications_together ON p_applications (together);
CREATE INDEX p_application_wishes_facility ON p_application_wishes (facility);
