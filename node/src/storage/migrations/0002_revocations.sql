-- 0002: the highest revocation list in force, per root key. The revocation file is the
-- operator's way in and can be replaced by anyone with access to the data directory; this row is
-- what a restarted node falls back on, so that an older list in that file (or none) never lifts
-- a revocation.

CREATE TABLE revocations (
    root    TEXT PRIMARY KEY,  -- the city's root public key (hex) that signed the list
    version INTEGER NOT NULL,
    list    TEXT NOT NULL      -- the signed list as JSON, exactly as the root signed it
) STRICT;
