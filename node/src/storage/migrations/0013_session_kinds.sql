-- 0013: a session is a browser's (cookie) or an API token. Logging out in the browser ends the
-- user's API tokens too, and an admin lists and revokes sessions (issue #13 item 3). Sessions
-- from before this migration were browser sessions or tokens alike; they count as browser
-- sessions until they expire (eight hours).
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'browser';
