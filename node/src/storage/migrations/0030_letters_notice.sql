-- 0030: the ZVS's outgoing post also carries the notices the procedure mails to parents who
-- chose e-mail (a Kita reserved a place, a round's offer with its deadline, the place is
-- certain): for parents who chose notification by post, the letter's subject and text are kept
-- with the queued letter (German; erased with the application's other letters at retention).

ALTER TABLE letters_out ADD COLUMN subject TEXT;
ALTER TABLE letters_out ADD COLUMN body TEXT;
