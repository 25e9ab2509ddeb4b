-- 0011: applicant shares (Lastenheft 3.6.5–3.6.7, ARCHITECTURE.md "applicant share"). The city
-- issues one per reserved wish to that Kita and erases it when the reservation ends or the
-- contract is concluded; both sides find a wish's share by its handle. Rows of existing
-- documents are filled by a projection rebuild after this migration.

CREATE TABLE p_applicant_shares (
    doc_id TEXT NOT NULL PRIMARY KEY, handle TEXT NOT NULL, facility TEXT NOT NULL
) STRICT;
CREATE INDEX p_applicant_shares_handle ON p_applicant_shares (handle);

-- A document the node erases itself (an applicant share when the reservation ends) is a local
-- change: sync tells the peers that hold it. The sequence is shared with `documents.local_seq`.
ALTER TABLE tombstones ADD COLUMN local_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tombstones_local_seq ON tombstones (local_seq);
