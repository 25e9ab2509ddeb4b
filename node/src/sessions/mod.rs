//! The staff sessions and API tokens of a node, for its admins (issue #13 item 3): who is logged
//! in where, since when, until when; revoking one ends it at once. The system admin sees every
//! session of the node, a Träger admin those of the Träger's staff. The token itself is never
//! shown: a session is named by the first characters of its token's SHA-256.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal, Role};
use crate::clock::Now;
use crate::storage::{audit_in, AuditEntry, Store, StoreError};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// How many hex characters of the token's digest name a session.
const ID_CHARS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRow {
    /// The first characters of the token's SHA-256.
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// `browser` or `api`.
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Checks `who` may manage sessions here; returns the Träger whose staff they see (`None`: all).
fn scope(store: &Store, who: &Principal) -> Result<Option<String>, ActionError> {
    let provider = store.membership().provider.clone();
    authorize(
        who,
        Action::ManageSessions {
            provider: provider.as_ref(),
        },
    )?;
    Ok(match who.role() {
        Some(Role::SystemAdmin) => None,
        _ => provider.map(|p| p.0),
    })
}

/// The live sessions of the staff `who` may manage, newest first.
pub fn list(store: &Store, who: &Principal, now: Now) -> Result<Vec<SessionRow>, ActionError> {
    let provider = scope(store, who)?;
    let mut stmt = store.conn().prepare_cached(
        "SELECT s.token_hash, u.username, u.display_name, u.role, s.kind, s.created_at, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.expires_at > ?1 AND (?2 IS NULL OR u.provider = ?2)
         ORDER BY s.created_at DESC, s.token_hash",
    )?;
    let rows = stmt.query_map(params![now.millis, provider], |r| {
        let hash: String = r.get(0)?;
        Ok(SessionRow {
            id: hash[..ID_CHARS.min(hash.len())].to_string(),
            username: r.get(1)?,
            display_name: r.get(2)?,
            role: r.get(3)?,
            kind: r.get(4)?,
            created_at: r.get(5)?,
            expires_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>().map_err(StoreError::from)?)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RevokeInput {
    /// The session's id as [`list`] shows it.
    pub session: String,
}

/// Ends one session of the staff `who` may manage, with an audit entry.
pub fn revoke(
    store: &mut Store,
    who: &Principal,
    input: &RevokeInput,
    now: Now,
) -> Result<(), ActionError> {
    let provider = scope(store, who)?;
    let id = input.session.trim().to_ascii_lowercase();
    if id.len() != ID_CHARS || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ActionError::NotFound(input.session.clone()));
    }
    let actor = who.audit_name();
    store.write(|conn| -> Result<(), ActionError> {
        let found: Option<(String, String)> = {
            let mut stmt = conn.prepare_cached(
                "SELECT s.token_hash, u.username FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE substr(s.token_hash, 1, ?1) = ?2 AND (?3 IS NULL OR u.provider = ?3)",
            )?;
            let mut rows = stmt.query(params![ID_CHARS as i64, id, provider])?;
            match rows.next()? {
                Some(r) => Some((r.get(0)?, r.get(1)?)),
                None => None,
            }
        };
        let Some((hash, username)) = found else {
            return Err(ActionError::NotFound(input.session.clone()));
        };
        conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
        audit_in(
            conn,
            &AuditEntry {
                at: now.millis,
                actor,
                action: "session.revoke",
                target: Some(format!("session:{id}")),
                subjects: vec![format!("user:{username}")],
                valid_from: None,
            },
        )?;
        Ok(())
    })
}
