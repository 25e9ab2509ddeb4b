//! Staff accounts: argon2id password hashes; failed logins throttled by [`super::throttle`].

use super::throttle::Refusal;
use super::{Caller, Role};
use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{ChildminderId, FacilityId, OrgId, ProviderId};
use rusqlite::{params, OptionalExtension};
use std::net::IpAddr;

/// Failed logins of one name from one source that lock the pair.
pub const LOCKOUT_AFTER_FAILURES: i64 = super::throttle::LOCK_AFTER_FAILURES as i64;
/// How long a locked pair stays locked.
pub const LOCKOUT_MINUTES: i64 = super::throttle::LOCK_MINUTES;

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub organisation: OrgId,
    pub provider: Option<ProviderId>,
    pub facility: Option<FacilityId>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("Benutzername oder Passwort falsch / wrong user name or password")]
    WrongCredentials,
    #[error("Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse mit dem Link aus unserer E-Mail / please confirm your e-mail address with the link we sent first")]
    NotVerified,
    /// This name from this address failed too often (whether the name exists or not).
    #[error("Zu viele Fehlversuche von hier; bitte in {LOCKOUT_MINUTES} Minuten erneut versuchen / too many failed attempts from here, try again in {LOCKOUT_MINUTES} minutes")]
    Locked,
    /// Too many failures from this address or for this name: wait a little.
    #[error("Zu viele Anmeldeversuche; bitte in {retry_after_secs} Sekunden erneut versuchen / too many login attempts, try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LoginError {
    /// For a throttled attempt, how long to wait (the `Retry-After` of the 429).
    pub fn retry_after_secs(&self) -> Option<i64> {
        match self {
            LoginError::Locked => Some(LOCKOUT_MINUTES * 60),
            LoginError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl From<Refusal> for LoginError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Locked { .. } => LoginError::Locked,
            Refusal::Slow { retry_after_secs } => LoginError::TooManyAttempts { retry_after_secs },
        }
    }
}

impl From<rusqlite::Error> for LoginError {
    fn from(e: rusqlite::Error) -> Self {
        LoginError::Store(e.into())
    }
}

pub fn create_user(store: &mut Store, user: &NewUser<'_>) -> Result<i64, StoreError> {
    insert_user(store.conn(), user, None)
}

/// Inserts a user on `conn` (inside the caller's transaction, so that the audit entry of an
/// account created by an admin is written with it); `childminder` links a childminder's own
/// login to her record.
pub fn insert_user(
    conn: &rusqlite::Connection,
    user: &NewUser<'_>,
    childminder: Option<&ChildminderId>,
) -> Result<i64, StoreError> {
    if user.password.chars().count() < super::passwords::MIN_PASSWORD_CHARS {
        return Err(StoreError::Corrupt(format!(
            "passwords need at least {} characters",
            super::passwords::MIN_PASSWORD_CHARS
        )));
    }
    let hash = super::passwords::hash(user.password).map_err(StoreError::Corrupt)?;
    conn.execute(
        "INSERT INTO users (username, display_name, password_hash, role, organisation, provider, facility, childminder)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            user.username,
            user.display_name,
            hash,
            user.role.as_str(),
            user.organisation.0,
            user.provider.as_ref().map(|p| p.0.clone()),
            user.facility.as_ref().map(|f| f.0.clone()),
            childminder.map(|c| c.0.clone())
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Checks a staff login from `source` (the client's address; `None` in-process). A throttled
/// attempt is refused before the password is checked. The password is checked on a blocking
/// thread without the store lock (argon2 takes tens of milliseconds of CPU: under the lock, a wave
/// of guesses would stall every other request); unknown users spend the same time and count
/// the same, so neither the answer nor its timing tells whether a name exists.
pub async fn verify_login(
    node: &crate::Node,
    username: &str,
    password: &str,
    source: Option<IpAddr>,
) -> Result<Caller, LoginError> {
    node.login_throttle
        .check(username, source, node.clock.now_millis())?;
    let row = node
        .store()
        .conn()
        .query_row(
            "SELECT id, password_hash FROM users WHERE username = ?1",
            [username],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    let password = password.to_string();
    let hash = row.as_ref().map(|r| r.1.clone());
    let matches = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => super::passwords::verify(&hash, &password),
        None => {
            super::passwords::burn(&password);
            false
        }
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("password check: {e}")))?;
    let now_millis = node.clock.now_millis();
    match row {
        Some((id, _)) if matches => {
            node.login_throttle.succeeded(username, source);
            Ok(caller_by_id(&node.store(), id)?)
        }
        _ => {
            node.login_throttle.failed(username, source, now_millis);
            Err(LoginError::WrongCredentials)
        }
    }
}

pub(super) fn caller_by_id(store: &Store, id: i64) -> Result<Caller, StoreError> {
    Ok(store.conn().query_row(
        "SELECT id, username, display_name, role, organisation, provider, facility, childminder FROM users WHERE id = ?1",
        [id],
        |r| {
            let role: String = r.get(3)?;
            Ok(Caller {
                user_id: r.get(0)?,
                username: r.get(1)?,
                display_name: r.get(2)?,
                role: role.parse().unwrap_or(Role::Childminder),
                organisation: OrgId(r.get(4)?),
                provider: r.get::<_, Option<String>>(5)?.map(ProviderId),
                facility: r.get::<_, Option<String>>(6)?.map(FacilityId),
                childminder: r.get::<_, Option<String>>(7)?.map(ChildminderId),
            })
        },
    )?)
}
