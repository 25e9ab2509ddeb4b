//! Server-side sessions: the cookie holds a random token, the database only its SHA-256.
//! Each session has its own CSRF token for forms.

use super::users::caller_by_id;
use super::{Caller, GuardianAccount};
use crate::storage::{Store, StoreError};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

/// Sessions end after eight hours (one working day).
pub const SESSION_MILLIS: i64 = 8 * 3600 * 1000;

pub struct SessionTokens {
    pub token: String,
    pub csrf: String,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    hex::encode(bytes)
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A browser's session (cookie) or an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

/// A browser session (the login form).
pub fn create_session(
    store: &mut Store,
    user_id: i64,
    now_millis: i64,
) -> Result<SessionTokens, StoreError> {
    create_session_of(store, user_id, SessionKind::Browser, now_millis)
}

pub fn create_session_of(
    store: &mut Store,
    user_id: i64,
    kind: SessionKind,
    now_millis: i64,
) -> Result<SessionTokens, StoreError> {
    let tokens = SessionTokens {
        token: random_token(),
        csrf: random_token(),
    };
    store
        .conn()
        .execute("DELETE FROM sessions WHERE expires_at < ?1", [now_millis])?;
    store.conn().execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![digest(&tokens.token), user_id, tokens.csrf, now_millis, now_millis + SESSION_MILLIS, kind.as_str()],
    )?;
    Ok(tokens)
}

/// A live staff session: who, the form token, and whether she must change her password first.
pub struct StaffSession {
    pub caller: Caller,
    pub csrf: String,
    pub must_change_password: bool,
}

/// The caller and CSRF token of a live session.
pub fn lookup_session(
    store: &Store,
    token: &str,
    now_millis: i64,
) -> Result<Option<StaffSession>, StoreError> {
    let row = store
        .conn()
        .query_row(
            "SELECT s.user_id, s.csrf, u.must_change_password FROM sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            params![digest(token), now_millis],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?;
    match row {
        Some((user, csrf, must_change_password)) => Ok(Some(StaffSession {
            caller: caller_by_id(store, user)?,
            csrf,
            must_change_password,
        })),
        None => Ok(None),
    }
}

/// Ends a session, staff or guardian.
pub fn end_session(store: &Store, token: &str) -> Result<(), StoreError> {
    let hash = digest(token);
    store
        .conn()
        .execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
    store.conn().execute(
        "DELETE FROM guardian_sessions WHERE token_hash = ?1",
        [&hash],
    )?;
    Ok(())
}

/// Ends a browser session and every API token of the same user: logging out in the browser
/// also ends what a script got with that person's password.
pub fn end_browser_session(store: &Store, token: &str) -> Result<(), StoreError> {
    store.conn().execute(
        "DELETE FROM sessions WHERE kind = 'api' AND user_id = (SELECT user_id FROM sessions WHERE token_hash = ?1)",
        [digest(token)],
    )?;
    end_session(store, token)
}

/// A session for a guardian's portal account (the same cookie, its own table).
pub fn create_guardian_session(
    conn: &rusqlite::Connection,
    account: i64,
    now_millis: i64,
) -> Result<SessionTokens, StoreError> {
    let tokens = SessionTokens {
        token: random_token(),
        csrf: random_token(),
    };
    conn.execute(
        "DELETE FROM guardian_sessions WHERE expires_at < ?1",
        [now_millis],
    )?;
    conn.execute(
        "INSERT INTO guardian_sessions (token_hash, account, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![digest(&tokens.token), account, tokens.csrf, now_millis, now_millis + SESSION_MILLIS],
    )?;
    Ok(tokens)
}

/// The guardian and CSRF token of a live guardian session.
pub fn lookup_guardian_session(
    store: &Store,
    token: &str,
    now_millis: i64,
) -> Result<Option<(GuardianAccount, String)>, StoreError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT a.id, a.email, a.display_name, s.csrf FROM guardian_sessions s
             JOIN guardian_accounts a ON a.id = s.account
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            params![digest(token), now_millis],
            |r| {
                Ok((
                    GuardianAccount {
                        account_id: r.get(0)?,
                        email: r.get(1)?,
                        display_name: r.get(2)?,
                    },
                    r.get(3)?,
                ))
            },
        )
        .optional()?)
}

/// A random token and the digest stored for it (one-time links).
pub fn new_token() -> (String, String) {
    let token = random_token();
    let hash = digest(&token);
    (token, hash)
}

/// The digest under which a token is stored.
pub fn token_digest(token: &str) -> String {
    digest(token)
}
