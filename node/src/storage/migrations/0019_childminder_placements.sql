-- 0019: a childminder's children found by a query, so that her file and the capacity check of a
-- new placement read her placements only, not every placement the office holds. Rows of
-- existing documents are filled by a projection rebuild after this migration.

CREATE TABLE p_childminder_placements (
    doc_id TEXT NOT NULL, id TEXT NOT NULL, childminder TEXT NOT NULL
) STRICT;
CREATE INDEX p_childminder_placements_doc ON p_childminder_placements (doc_id);
CREATE INDEX p_childminder_placements_childminder ON p_childminder_placements (childminder);
