-- 0015: personal follow-ups (Wiedervorlagen, Lastenheft 3.13): a staff member's own reminders
-- with a due day. Local to the node (never synced): they belong to a user of this node. The
-- automatic ones (a reservation without contract after 14 days, a month of extra care not yet
-- reported) are computed from the documents when the list is shown, not stored.

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_on TEXT NOT NULL,
    subject TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    done_on TEXT
) STRICT;
CREATE INDEX follow_ups_user ON follow_ups (user_id, done_on, due_on);
