-- The Kita-Planer import buffer of a Kita (seed 000: "Datensätze im Kita Planer Import Puffer
-- verarbeiten"): one row per child of an imported file, worked through by the Kita lead
-- (admitted as a child, or discarded). The same row imported twice stays one.
CREATE TABLE kitaplaner_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    facility TEXT NOT NULL,
    kind_id_extern TEXT NOT NULL,
    row TEXT NOT NULL,
    file_name TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    status TEXT NOT NULL,
    child TEXT,
    done_at INTEGER,
    done_by TEXT,
    UNIQUE (facility, kind_id_extern, row)
) STRICT;
