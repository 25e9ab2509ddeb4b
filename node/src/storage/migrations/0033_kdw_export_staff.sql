-- 0033: the Mandant option "Angaben der Mitarbeiter weitergeben" of the Kita-Data-Webhouse
-- (seed 002 L74, L90) per Kita: 1 hands the Kita's staff over with the children, checked from
-- the staff documents. Default no, as in the source application; existing rows keep no.
ALTER TABLE kdw_facilities ADD COLUMN export_staff INTEGER NOT NULL DEFAULT 0;
