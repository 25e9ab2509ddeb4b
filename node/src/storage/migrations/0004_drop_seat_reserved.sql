-- 0004: p_seat_months.reserved was written and never read; the holds are in p_seat_holds now
-- (and counted there per application, as SeatMonth::held does).

ALTER TABLE p_seat_months DROP COLUMN reserved;
