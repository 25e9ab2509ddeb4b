//! Parents' portal accounts on the city node (Lastenheft 3.3.2, OZG step 3): e-mail and password
//! (argon2id), confirmed by a mailed link; password reset by a mailed link; a login that does
//! not tell whether an address is registered. The identity provider column keeps room for a
//! BundID/Servicekonto (OIDC) login: an account is an identity, a password is one way to prove
//! it.

pub mod api;
pub mod http;

use crate::action::ActionError;
use crate::auth::passwords::{self, MIN_PASSWORD_CHARS};
use crate::auth::{
    authorize, create_guardian_session, new_token, token_digest, Action, GuardianAccount,
    LoginError, Principal, SessionTokens,
};
use crate::clock::Now;
use crate::outbox;
use crate::storage::{audit_in, AuditEntry, Store, StoreError};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::ValidationError;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// How long a confirmation link works.
pub const VERIFY_LINK_HOURS: i64 = 72;
/// How long a password-reset link works.
pub const RESET_LINK_HOURS: i64 = 2;

/// What a parent enters to register.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Registration {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub password_repeat: String,
}

impl Registration {
    /// Checks every field (nothing is stored before this passes).
    pub fn check(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_email(&mut v, "email", &self.email);
        v.text("display_name", &self.display_name, 100);
        check_new_password(&mut v, &self.password, &self.password_repeat);
        v.finish()
    }
}

fn check_email(v: &mut Validator, field: &str, email: &str) {
    let email = email.trim();
    let ok = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    v.check(
        ok,
        field,
        "E-Mail-Adresse wie name@beispiel.de / an e-mail address such as name@example.org",
    );
}

fn check_new_password(v: &mut Validator, password: &str, repeat: &str) {
    v.check(
        password.chars().count() >= MIN_PASSWORD_CHARS && password.len() <= 1024,
        "password",
        format!(
            "mindestens {MIN_PASSWORD_CHARS} Zeichen / at least {MIN_PASSWORD_CHARS} characters"
        ),
    );
    v.check(
        password == repeat,
        "password_repeat",
        "Die beiden Passwörter stimmen nicht überein / the two passwords differ",
    );
}

fn audit(
    conn: &Connection,
    who: &str,
    action: &'static str,
    account: i64,
    at: i64,
) -> Result<(), StoreError> {
    audit_in(
        conn,
        &AuditEntry {
            at,
            actor: who.to_string(),
            action,
            target: Some(format!("guardian:{account}")),
            subjects: vec![],
            valid_from: None,
        },
    )
}

fn link(base_url: &str, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", base_url.trim_end_matches('/'))
}

fn new_link(
    conn: &Connection,
    account: i64,
    purpose: &str,
    hours: i64,
    now: i64,
) -> Result<String, StoreError> {
    let (token, hash) = new_token();
    conn.execute(
        "INSERT INTO account_tokens (token_hash, account, purpose, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![hash, account, purpose, now + hours * 3_600_000],
    )?;
    Ok(token)
}

/// Registers an account and mails the confirmation link. `password_hash` is the argon2 hash of
/// `input.password`, computed by the caller outside the store lock. An address that already
/// has an account gets a mail saying so instead (the answer on the page is the same, so the
/// form does not tell who is registered).
pub fn register(
    store: &mut Store,
    who: &Principal,
    input: &Registration,
    password_hash: &str,
    base_url: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::RegisterAccount)?;
    input.check()?;
    let email = input.email.trim().to_string();
    let name = input.display_name.trim().to_string();
    store.write(|tx| {
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM guardian_accounts WHERE email = ?1",
                [&email],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)?;
        if let Some(id) = existing {
            let reset = format!("{}/portal/password-reset", base_url.trim_end_matches('/'));
            outbox::enqueue(
                tx,
                &email,
                "Kita-Portal: Sie haben bereits ein Konto / you already have an account",
                &format!(
                    "Guten Tag,\n\njemand (vermutlich Sie) wollte mit dieser E-Mail-Adresse ein Konto im Kita-Portal anlegen. Sie haben bereits eines. Passwort vergessen? Hier können Sie ein neues festlegen:\n{reset}\n\nHello, someone (probably you) tried to register with this address. You already have an account; to set a new password use the link above.\n"
                ),
                now.millis,
            )?;
            audit(tx, &who.audit_name(), "account.register-again", id, now.millis)?;
            return Ok(());
        }
        tx.execute(
            "INSERT INTO guardian_accounts (email, display_name, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![email, name, password_hash, now.millis],
        )
        .map_err(StoreError::from)?;
        let id = tx.last_insert_rowid();
        let token = new_link(tx, id, "verify", VERIFY_LINK_HOURS, now.millis)?;
        outbox::enqueue(
            tx,
            &email,
            "Kita-Portal: Bitte bestätigen Sie Ihre E-Mail-Adresse / please confirm your e-mail address",
            &format!(
                "Guten Tag {name},\n\nbitte bestätigen Sie Ihre E-Mail-Adresse für das Kita-Portal mit diesem Link (gültig {VERIFY_LINK_HOURS} Stunden):\n{url}\n\nWenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail.\n\nHello {name}, please confirm your e-mail address for the Kita portal with the link above (valid for {VERIFY_LINK_HOURS} hours). If you did not register, ignore this mail.\n",
                url = link(base_url, "/portal/verify", &token)
            ),
            now.millis,
        )?;
        audit(tx, &who.audit_name(), "account.register", id, now.millis)?;
        Ok(())
    })
}

/// The account a one-time link of `purpose` belongs to, if the link is unused and in time.
fn account_of_link(
    conn: &Connection,
    token: &str,
    purpose: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT account FROM account_tokens
             WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3",
            params![token_digest(token), purpose, now],
            |r| r.get(0),
        )
        .optional()?)
}

fn link_used_up() -> ActionError {
    ActionError::Conflict(
        "Der Link ist abgelaufen oder wurde schon benutzt. Fordern Sie einen neuen an. / The link has expired or was used already; ask for a new one."
            .into(),
    )
}

/// Confirms the e-mail address of the account a verification link names.
pub fn verify_email(
    store: &mut Store,
    who: &Principal,
    token: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::FollowAccountLink)?;
    store.write(|tx| {
        let account = account_of_link(tx, token, "verify", now.millis)?.ok_or_else(link_used_up)?;
        tx.execute(
            "UPDATE account_tokens SET used_at = ?2 WHERE token_hash = ?1",
            params![token_digest(token), now.millis],
        )
        .map_err(StoreError::from)?;
        tx.execute(
            "UPDATE guardian_accounts SET verified_at = COALESCE(verified_at, ?2) WHERE id = ?1",
            params![account, now.millis],
        )
        .map_err(StoreError::from)?;
        audit(
            tx,
            &format!("guardian:{account}"),
            "account.verify",
            account,
            now.millis,
        )?;
        Ok(())
    })
}

/// What a login needs from the account row (read under the lock; the hash is checked outside).
struct LoginRow {
    id: i64,
    hash: Option<String>,
    verified: bool,
    account: GuardianAccount,
}

/// Logs a parent in from `source` (the client's address; `None` in-process): `Ok` with the
/// session's tokens. Throttled like the staff login ([`crate::auth::throttle`]), checked before
/// the password. The password is checked on a blocking thread without the store lock, so a wave
/// of logins does not stall other requests. Unknown addresses cost the same time, count the same
/// and get the same answer as a wrong password.
pub async fn login(
    node: &crate::Node,
    email: &str,
    password: &str,
    source: Option<std::net::IpAddr>,
) -> Result<(GuardianAccount, SessionTokens), LoginError> {
    let email = email.trim().to_string();
    node.login_throttle
        .check(&email, source, node.clock.now_millis())?;
    let row: Option<LoginRow> = node
        .store()
        .conn()
        .query_row(
            "SELECT id, password_hash, verified_at IS NOT NULL, email, display_name
             FROM guardian_accounts WHERE email = ?1",
            [&email],
            |r| {
                Ok(LoginRow {
                    id: r.get(0)?,
                    hash: r.get(1)?,
                    verified: r.get(2)?,
                    account: GuardianAccount {
                        account_id: r.get(0)?,
                        email: r.get(3)?,
                        display_name: r.get(4)?,
                    },
                })
            },
        )
        .optional()?;
    let password = password.to_string();
    let (row, ok) = tokio::task::spawn_blocking(move || match row {
        Some(row) => {
            let ok = row
                .hash
                .as_deref()
                .is_some_and(|h| passwords::verify(h, &password));
            (Some(row), ok)
        }
        None => {
            passwords::burn(&password);
            (None, false)
        }
    })
    .await
    .map_err(|e| LoginError::Store(StoreError::Corrupt(format!("login task: {e}"))))?;
    let now = node.clock.now_millis();
    let row = match row {
        Some(row) if ok => row,
        _ => {
            node.login_throttle.failed(&email, source, now);
            return Err(LoginError::WrongCredentials);
        }
    };
    node.login_throttle.succeeded(&email, source);
    let mut store = node.store();
    if !row.verified {
        return Err(LoginError::NotVerified);
    }
    let tokens = store.write(|tx| {
        let tokens = create_guardian_session(tx, row.id, now)?;
        audit(
            tx,
            &format!("guardian:{}", row.id),
            "session.login",
            row.id,
            now,
        )?;
        Ok::<_, StoreError>(tokens)
    })?;
    Ok((row.account, tokens))
}

/// Mails a password-reset link to the address if it has an account (the answer is the same
/// either way).
pub fn request_reset(
    store: &mut Store,
    who: &Principal,
    email: &str,
    base_url: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::RegisterAccount)?;
    let mut v = Validator::new();
    check_email(&mut v, "email", email);
    v.finish()?;
    let email = email.trim();
    store.write(|tx| {
        let account: Option<i64> = tx
            .query_row(
                "SELECT id FROM guardian_accounts WHERE email = ?1",
                [email],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)?;
        let Some(id) = account else {
            return Ok(());
        };
        let token = new_link(tx, id, "reset", RESET_LINK_HOURS, now.millis)?;
        outbox::enqueue(
            tx,
            email,
            "Kita-Portal: Neues Passwort festlegen / set a new password",
            &format!(
                "Guten Tag,\n\nmit diesem Link legen Sie ein neues Passwort für das Kita-Portal fest (gültig {RESET_LINK_HOURS} Stunden):\n{url}\n\nWenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail; Ihr Passwort bleibt, wie es ist.\n\nHello, use the link above to set a new password for the Kita portal (valid for {RESET_LINK_HOURS} hours). If you did not ask for it, ignore this mail.\n",
                url = link(base_url, "/portal/password", &token)
            ),
            now.millis,
        )?;
        audit(tx, &format!("guardian:{id}"), "account.reset-request", id, now.millis)?;
        Ok(())
    })
}

/// Whether a reset link is still good (to show the form or say it is used up).
pub fn reset_link_valid(
    store: &Store,
    who: &Principal,
    token: &str,
    now: Now,
) -> Result<bool, ActionError> {
    authorize(who, Action::FollowAccountLink)?;
    Ok(account_of_link(store.conn(), token, "reset", now.millis)?.is_some())
}

/// Sets a new password with a reset link: the link is used up, every session of the account
/// ends, and the address counts as confirmed (the link reached its mailbox).
pub fn reset_password(
    store: &mut Store,
    who: &Principal,
    token: &str,
    password_hash: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::FollowAccountLink)?;
    store.write(|tx| {
        let account = account_of_link(tx, token, "reset", now.millis)?.ok_or_else(link_used_up)?;
        tx.execute(
            "UPDATE account_tokens SET used_at = ?2 WHERE token_hash = ?1",
            params![token_digest(token), now.millis],
        )
        .map_err(StoreError::from)?;
        tx.execute(
            "UPDATE guardian_accounts SET password_hash = ?2, failed_logins = 0, locked_until = NULL,
                    verified_at = COALESCE(verified_at, ?3) WHERE id = ?1",
            params![account, password_hash, now.millis],
        )
        .map_err(StoreError::from)?;
        tx.execute("DELETE FROM guardian_sessions WHERE account = ?1", [account])
            .map_err(StoreError::from)?;
        audit(tx, &format!("guardian:{account}"), "account.password-reset", account, now.millis)?;
        Ok(())
    })
}

/// Checks a new password pair (for the reset form, before hashing).
pub fn check_new_password_pair(password: &str, repeat: &str) -> Result<(), ValidationError> {
    let mut v = Validator::new();
    check_new_password(&mut v, password, repeat);
    v.finish()
}

/// A guardian's own account, as the account page shows it.
pub fn own_account(who: &Principal) -> Result<GuardianAccount, ActionError> {
    authorize(who, Action::ViewOwnAccount)?;
    match who {
        Principal::Guardian(g) => Ok(g.clone()),
        _ => Err(ActionError::NotFound("Konto / account".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration() -> Registration {
        Registration {
            email: "anna.schulz@example.org".into(),
            display_name: "Anna Schulz".into(),
            password: "sehr-geheim-42".into(),
            password_repeat: "sehr-geheim-42".into(),
        }
    }

    #[test]
    fn a_registration_names_every_bad_field() {
        registration().check().unwrap();
        let bad = Registration {
            email: "anna@localhost".into(),
            display_name: " ".into(),
            password: "kurz".into(),
            password_repeat: "anders".into(),
        };
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["email", "display_name", "password", "password_repeat"]
        );
    }
}
