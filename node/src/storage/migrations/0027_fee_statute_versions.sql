-- The node's own versions of its fee statute: newly published operating costs (Satzung § 10 (4),
-- § 11 (1)) entered by the Beitragsstelle with a bulk fee change. Each row starts a version from
-- the 1st of a month until the next one; the shipped statute holds before the first. Local to
-- the node, like the reduction settings; the decisions issued with a version keep its amounts.
CREATE TABLE fee_statute_versions (
    -- YYYY-MM: the first month in force.
    valid_from TEXT PRIMARY KEY,
    -- YYYY-MM-DD: the day the costs and fees were published (Amtsblatt).
    published_on TEXT NOT NULL,
    basis TEXT NOT NULL,
    -- {"krippe": "850.00", ...}: operating cost per place and month at the base hours.
    operating_costs TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL
) STRICT;
