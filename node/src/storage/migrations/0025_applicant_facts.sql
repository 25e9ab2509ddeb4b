-- 0025: what the city's placement reads of an applicant half — the child's birth date and
-- denomination, the parents' order of the wishes, the address for the home district — beside
-- the application id, so that a coordinated round at city scale does not decode ten thousand
-- applicant documents. A projection at the city only (the only node that holds applicants):
-- its rows go with the document when the applicant is erased, and the rebuild after this
-- migration (LAST_PROJECTION_CHANGE) fills them for existing documents.

CREATE TABLE p_applicants (
    application TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    denomination TEXT NOT NULL,
    -- The wishes in the parents' order, best first: a JSON array of facility ids.
    ranked      TEXT NOT NULL,
    street      TEXT NOT NULL,
    postcode    TEXT NOT NULL
) STRICT;
CREATE INDEX p_applicants_doc ON p_applicants (doc_id);
