-- 0026: the ZVS can cancel a round (a wrong window, a mistaken start). The proposals no Kita
-- has answered yet are withdrawn, the children without a kept proposal are released back to
-- the sequential procedure (`released_on`); the offers the Kitas confirmed stand. The round
-- and its protocol stay on record with who cancelled it, when and why.

ALTER TABLE rounds ADD COLUMN cancelled_on TEXT;
ALTER TABLE rounds ADD COLUMN cancelled_by TEXT;
ALTER TABLE rounds ADD COLUMN cancel_reason TEXT;
ALTER TABLE round_children ADD COLUMN released_on TEXT;
