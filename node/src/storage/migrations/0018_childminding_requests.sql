-- 0018: the BVS-KTP's requests (applications with a Kindertagespflege wish) are found by a query
-- instead of decoding every applicant. Rows of existing documents are filled by a projection
-- rebuild after this migration.

ALTER TABLE p_applications ADD COLUMN childminding_agency TEXT;
CREATE INDEX p_applications_childminding ON p_applications (childminding_agency)
    WHERE childminding_agency IS NOT NULL;
