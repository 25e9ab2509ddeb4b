//! Staff accounts: argon2id password hashes, lockout after repeated failures.

use super::{Caller, Role};
use crate::storage::{Store, StoreError};
use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};
use rusqlite::{params, OptionalExtension};

/// Failed logins in a row that lock an account.
pub const LOCKOUT_AFTER_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MINUTES: i64 = 15;

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
    #[error("Konto nach zu vielen Fehlversuchen gesperrt; bitte in {LOCKOUT_MINUTES} Minuten erneut versuchen / account locked after too many failed attempts")]
    Locked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for LoginError {
    fn from(e: rusqlite::Error) -> Self {
        LoginError::Store(e.into())
    }
}

pub fn create_user(store: &mut Store, user: &NewUser<'_>) -> Result<i64, StoreError> {
    if user.password.chars().count() < super::passwords::MIN_PASSWORD_CHARS {
        return Err(StoreError::Corrupt(format!(
            "passwords need at least {} characters",
            super::passwords::MIN_PASSWORD_CHARS
        )));
    }
    let hash = super::passwords::hash(user.password).map_err(StoreError::Corrupt)?;
    store.conn().execute(
        "INSERT INTO users (username, display_name, password_hash, role, organisation, provider, facility)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            user.username,
            user.display_name,
            hash,
            user.role.as_str(),
            user.organisation.0,
            user.provider.as_ref().map(|p| p.0.clone()),
            user.facility.as_ref().map(|f| f.0.clone())
        ],
    )?;
    Ok(store.conn().last_insert_rowid())
}

/// Checks a staff login. The password is checked on a blocking thread without the store lock
/// (argon2 takes tens of milliseconds of CPU: under the lock, a wave of guesses would stall every
/// other request). Unknown users spend the same time; failures are counted in SQL, so parallel
/// guesses each count, and the account locks for [`LOCKOUT_MINUTES`] after
/// [`LOCKOUT_AFTER_FAILURES`] of them.
pub async fn verify_login(
    node: &crate::Node,
    username: &str,
    password: &str,
) -> Result<Caller, LoginError> {
    let now_millis = node.clock.now_millis();
    let row = node
        .store()
        .conn()
        .query_row(
            "SELECT id, password_hash, locked_until FROM users WHERE username = ?1",
            [username],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            },
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
    let Some((id, _, locked_until)) = row else {
        return Err(LoginError::WrongCredentials);
    };
    if locked_until.is_some_and(|t| t > now_millis) {
        return Err(LoginError::Locked);
    }
    let store = node.store();
    if !matches {
        store.conn().execute(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?1",
            [id],
        )?;
        let locked = store.conn().execute(
            "UPDATE users SET failed_logins = 0, locked_until = ?2 WHERE id = ?1 AND failed_logins >= ?3",
            params![id, now_millis + LOCKOUT_MINUTES * 60_000, LOCKOUT_AFTER_FAILURES],
        )?;
        return Err(if locked > 0 {
            LoginError::Locked
        } else {
            LoginError::WrongCredentials
        });
    }
    store.conn().execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(caller_by_id(&store, id)?)
}

pub(super) fn caller_by_id(store: &Store, id: i64) -> Result<Caller, StoreError> {
    Ok(store.conn().query_row(
        "SELECT id, username, display_name, role, organisation, provider, facility FROM users WHERE id = ?1",
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
            })
        },
    )?)
}
