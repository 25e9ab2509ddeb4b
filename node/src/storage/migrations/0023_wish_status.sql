-- 0023: the city's status of every wish and the day it was set, beside its handle, so that a
-- round's page (thousands of proposals at city scale) and its start read the wishes' state from
-- SQL instead of decoding every application document. A projection: the rows of existing
-- documents are filled by the rebuild that follows this migration (LAST_PROJECTION_CHANGE).
-- Also the rank the parents gave each proposed Kita, kept with the round's children.

ALTER TABLE p_application_wishes ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE p_application_wishes ADD COLUMN since TEXT;
ALTER TABLE round_children ADD COLUMN rank INTEGER;
