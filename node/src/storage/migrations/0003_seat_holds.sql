-- 0003: every reservation of every seat ledger as a projection row, so that the conflict list
-- (double places, overbooked months) is computed without decoding every ledger document.
-- Rows of existing ledgers are filled by a projection rebuild after this migration.

CREATE TABLE p_seat_holds (
    facility TEXT NOT NULL, doc_id TEXT NOT NULL, care_type TEXT NOT NULL, month TEXT NOT NULL,
    application TEXT NOT NULL, status TEXT NOT NULL, decided_on TEXT NOT NULL
) STRICT;
CREATE INDEX p_seat_holds_doc ON p_seat_holds (doc_id);
