-- A childminder's own login (Role::Childminder, issue 11 item 5): the user is linked to her
-- record in the register (a `ChildminderId`) and sees and records only her own file. NULL for
-- every other user; a childminder user without a link sees nothing.
ALTER TABLE users ADD COLUMN childminder TEXT;
