//! A staff user changes her own password: the current one proves it is her, the new one is
//! checked like a portal password. A first password somebody else chose (the Kindertagespflege
//! office for a childminder's login) must be changed before anything else; the flag is cleared
//! here.
//!
//! argon2 runs twice (verify the current, hash the new): both on a blocking thread and without
//! the store lock, like the login ([`super::verify_login`]).

use super::{authorize, passwords, Action, Principal};
use crate::action::ActionError;
use crate::storage::{audit_in, AuditEntry, StoreError};
use kitanetz_crdt::validate::Validator;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The form: the current password, the new one and its repetition.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordChange {
    pub current_password: String,
    pub password: String,
    pub password_repeat: String,
}

/// Marks a user whose first password somebody else chose: every page but the password form
/// sends her there until she has set her own (in the caller's transaction).
pub fn require_password_change(conn: &Connection, user_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE users SET must_change_password = 1 WHERE id = ?1",
        [user_id],
    )?;
    Ok(())
}

/// Changes the caller's own password. A wrong current password is a field error and counts as
/// a failed login of her name from `source` (the login throttle: after a few, she waits like at
/// the login). On success every other session and API token of hers ends — the one whose
/// token digest is `keep_session` stays — and the audit entry is written in the same
/// transaction.
pub async fn change_own_password(
    node: &crate::Node,
    who: &Principal,
    input: &PasswordChange,
    keep_session: &str,
    source: Option<IpAddr>,
) -> Result<(), ActionError> {
    authorize(who, Action::ChangeOwnPassword)?;
    let Some(caller) = who.staff() else {
        return Err(ActionError::NotFound("Konto / account".into()));
    };
    let mut v = Validator::new();
    v.check(
        !input.current_password.is_empty(),
        "current_password",
        "Bitte das bisherige Passwort eingeben / enter your current password",
    );
    if let Err(e) =
        crate::accounts::check_new_password_pair(&input.password, &input.password_repeat)
    {
        for f in e.errors {
            v.fail(f.field, f.message);
        }
    }
    v.check(
        input.password.is_empty() || input.password != input.current_password,
        "password",
        "Das neue Passwort muss sich vom bisherigen unterscheiden / the new password must differ from the current one",
    );
    v.finish()?;

    let now = node.clock.now_millis();
    if let Err(refusal) = node.login_throttle.check(&caller.username, source, now) {
        let mut v = Validator::new();
        v.fail(
            "current_password",
            super::LoginError::from(refusal).to_string(),
        );
        v.finish()?;
    }
    let old_hash: Option<String> = node
        .store()
        .conn()
        .query_row(
            "SELECT password_hash FROM users WHERE id = ?1",
            [caller.user_id],
            |r| r.get(0),
        )
        .optional()?;
    let old_hash = old_hash.ok_or_else(|| ActionError::NotFound("Konto / account".into()))?;
    let (current, new) = (input.current_password.clone(), input.password.clone());
    let checked = old_hash.clone();
    let new_hash = tokio::task::spawn_blocking(move || {
        if passwords::verify(&checked, &current) {
            passwords::hash(&new).map(Some)
        } else {
            Ok(None)
        }
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("password task: {e}")))?
    .map_err(StoreError::Corrupt)?;
    let Some(new_hash) = new_hash else {
        node.login_throttle
            .failed(&caller.username, source, node.clock.now_millis());
        let mut v = Validator::new();
        v.fail(
            "current_password",
            "Das bisherige Passwort stimmt nicht / the current password is wrong",
        );
        return Err(v.finish().expect_err("one error").into());
    };
    node.login_throttle.succeeded(&caller.username, source);
    let now = node.clock.now_millis();
    node.store().write(|tx| {
        // Only over the hash that was checked: a change in between (another session of hers)
        // is not overwritten with a password checked against the old one.
        let changed = tx.execute(
            "UPDATE users SET password_hash = ?3, must_change_password = 0
             WHERE id = ?1 AND password_hash = ?2",
            params![caller.user_id, old_hash, new_hash],
        )?;
        if changed == 0 {
            return Err(ActionError::Conflict(
                "Das Passwort wurde inzwischen geändert; bitte neu anmelden / the password was changed meanwhile, please log in again".into(),
            ));
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2",
            params![caller.user_id, keep_session],
        )?;
        audit_in(
            tx,
            &AuditEntry {
                at: now,
                actor: caller.audit_name(),
                action: "user.password.change",
                target: Some(caller.audit_name()),
                subjects: vec![],
                valid_from: None,
            },
        )?;
        Ok(())
    })
}
