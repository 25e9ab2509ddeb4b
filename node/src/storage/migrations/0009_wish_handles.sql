-- 0009: a Kita's seat ledger holds seats by the Kita's own handle of a wish, not by the shared
-- application id (which would let two Kitas link a child). The city alone maps handles to
-- applications, through the wishes of its application documents.
-- Rows of existing documents are filled by a projection rebuild after this migration.

DROP TABLE p_seat_holds;
CREATE TABLE p_seat_holds (
    facility TEXT NOT NULL, doc_id TEXT NOT NULL, care_type TEXT NOT NULL, month TEXT NOT NULL,
    wish TEXT NOT NULL, status TEXT NOT NULL, decided_on TEXT NOT NULL
) STRICT;
CREATE INDEX p_seat_holds_doc ON p_seat_holds (doc_id);
CREATE INDEX p_seat_holds_wish ON p_seat_holds (wish);

CREATE TABLE p_application_wishes (
    handle TEXT NOT NULL PRIMARY KEY, doc_id TEXT NOT NULL, application TEXT NOT NULL,
    facility TEXT NOT NULL
) STRICT;
CREATE INDEX p_application_wishes_doc ON p_application_wishes (doc_id);
CREATE INDEX p_application_wishes_application ON p_application_wishes (application);
