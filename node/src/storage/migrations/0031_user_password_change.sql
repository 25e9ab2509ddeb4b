-- 0031: a staff user whose first password someone else chose (the Kindertagespflege office for a
-- childminder's login) must change it before she does anything else: the office knows it, and
-- it left the office by letter or phone. 1 until she sets her own; 0 for every other user (the
-- demo users and the Kita lead of an enrolment chose theirs).
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
