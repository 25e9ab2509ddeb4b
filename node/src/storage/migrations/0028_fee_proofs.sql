-- 0028: the income proofs a Beitragsstelle took over from the parents' online self-assessment
-- (`fees::declarations`). The city erases the declaration 30 days after the contract and its
-- last change (retention); the Träger keeps the proofs of its decisions with the family's fee
-- case, on its own node only, and erases them with the family.

CREATE TABLE fee_proofs (
    family       TEXT NOT NULL,
    declaration  TEXT NOT NULL,  -- the income-declaration document's id
    idx          INTEGER NOT NULL,  -- the proof's place in the declaration, from 1
    name         TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    uploaded_on  TEXT NOT NULL,
    content      BLOB NOT NULL,
    taken_on     TEXT NOT NULL,
    PRIMARY KEY (declaration, idx)
) STRICT;
CREATE INDEX fee_proofs_family ON fee_proofs (family);
