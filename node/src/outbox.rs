//! The outbox: mails are written in the transaction of the action that causes them (an account
//! registered, a receipt) and sent by a background task, retried with backoff when the mail
//! server is away, given up on when it refuses. Nothing is lost when the node stops.

use crate::storage::StoreError;
use crate::Node;
use kitanetz_mail::{ConfiguredMailer, MailConfig, Mailer, OutgoingMail, Transport};
use rusqlite::{params, Connection};
use std::sync::Arc;
use std::time::Duration;

/// How often the task looks for due mails.
pub const POLL: Duration = Duration::from_millis(500);
/// Mails sent per look (the rest wait for the next).
const BATCH: i64 = 20;
/// The first retry waits this long; each further one twice as long, at most [`MAX_BACKOFF_MS`].
const FIRST_BACKOFF_MS: i64 = 30_000;
const MAX_BACKOFF_MS: i64 = 3_600_000;
/// After this many transient failures the mail is given up (about a day of retries).
const MAX_ATTEMPTS: i64 = 30;

/// Puts a mail into the outbox (inside the caller's transaction).
pub fn enqueue(
    conn: &Connection,
    to: &str,
    subject: &str,
    text: &str,
    now_millis: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO outbox (created_at, recipient, subject, body, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?1)",
        params![now_millis, to, subject, text],
    )?;
    Ok(())
}

/// One mail waiting to be sent.
#[derive(Debug, Clone)]
struct Due {
    id: i64,
    to: String,
    subject: String,
    text: String,
    attempts: i64,
}

/// Sends the mails that are due; returns how many were sent. The store is locked only to read
/// and to record each outcome, never while a mail is on its way.
pub async fn deliver_due(node: &Node, mailer: &impl Mailer) -> Result<usize, StoreError> {
    let now = node.clock.now_millis();
    let due: Vec<Due> = {
        let store = node.store();
        let mut stmt = store.conn().prepare_cached(
            "SELECT id, recipient, subject, body, attempts FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
             ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, BATCH], |r| {
            Ok(Due {
                id: r.get(0)?,
                to: r.get(1)?,
                subject: r.get(2)?,
                text: r.get(3)?,
                attempts: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut sent = 0;
    for mail in due {
        let outgoing = OutgoingMail {
            to: vec![mail.to.clone()],
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            ..OutgoingMail::default()
        };
        let result = mailer.send(&outgoing).await;
        let now = node.clock.now_millis();
        let store = node.store();
        match result {
            Ok(()) => {
                sent += 1;
                // The text may hold a one-time link: it is not kept once delivered.
                store.conn().execute(
                    "UPDATE outbox SET sent_at = ?2, body = '', attempts = attempts + 1, last_error = NULL WHERE id = ?1",
                    params![mail.id, now],
                )?;
            }
            Err(e) if e.is_transient() && mail.attempts + 1 < MAX_ATTEMPTS => {
                let backoff = (FIRST_BACKOFF_MS << mail.attempts.min(20)).min(MAX_BACKOFF_MS);
                // The server's text may name the recipient: it stays in the local row, not in the log.
                tracing::warn!(outbox = mail.id, "mail not sent, retrying");
                store.conn().execute(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
                    params![mail.id, now + backoff, e.to_string()],
                )?;
            }
            Err(e) => {
                tracing::error!(outbox = mail.id, "mail refused, given up");
                store.conn().execute(
                    "UPDATE outbox SET attempts = attempts + 1, failed_at = ?2, last_error = ?3 WHERE id = ?1",
                    params![mail.id, now, e.to_string()],
                )?;
            }
        }
    }
    Ok(sent)
}

/// The mailer a node's `[mail]` section describes (a folder relative to the data directory).
pub fn mailer_for(node: &Node) -> anyhow::Result<Option<ConfiguredMailer>> {
    let Some(config) = &node.config.mail else {
        return Ok(None);
    };
    let mut config: MailConfig = config.clone();
    if let Transport::Folder { path } = &mut config.transport {
        if path.is_relative() {
            *path = node.data_dir.join(&*path);
        }
    }
    Ok(Some(
        ConfiguredMailer::from_config(&config).map_err(|e| anyhow::anyhow!("mail: {e}"))?,
    ))
}

/// Starts the outbox task of a node with a `[mail]` section (in the current tokio runtime).
pub fn spawn(node: Arc<Node>, mailer: ConfiguredMailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&node, &mailer).await {
                tracing::error!(error = %e, "outbox");
            }
            tokio::time::sleep(POLL).await;
        }
    })
}

/// Mails not yet sent (for the demo's summary and the tests).
pub fn pending(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}
