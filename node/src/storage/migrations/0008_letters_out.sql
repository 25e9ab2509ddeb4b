-- The ZVS's outgoing post: one row per letter to print and post to parents who chose
-- notification by post (the receipt of an application, the confirmation of a change). The
-- letter itself is rendered from the application when it is printed; this row only says what
-- is owed and whether it went out. Personal data of the application: city only, never synced.
CREATE TABLE letters_out (
    id          INTEGER PRIMARY KEY,
    application TEXT NOT NULL,
    -- 'receipt' or 'change'
    kind        TEXT NOT NULL,
    -- The letter's date (YYYY-MM-DD, Europe/Berlin): the day of the submission or change.
    letter_date TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    printed_at  INTEGER,
    printed_by  TEXT
) STRICT;
CREATE INDEX letters_out_by_application ON letters_out (application);
