//! The second guardian (Lastenheft 3.3.2: both guardians may register, one is the contact
//! parent): the contact parent invites the other by e-mail; who accepts with that address sees
//! the application (and its siblings applied together) under "Meine Anträge". Changes and
//! withdrawal stay with the contact parent, so that one person speaks for the application.

use super::{change_group, queries};
use crate::action::ActionError;
use crate::auth::{authorize, new_token, token_digest, Action, Principal};
use crate::clock::Now;
use crate::outbox;
use crate::storage::{audit_in, AuditEntry, Store, StoreError};
use kitanetz_crdt::ids::{doc_id_for, ApplicationId};
use kitanetz_crdt::kinds::{Applicant, Application};
use kitanetz_crdt::validate::Validator;
use rusqlite::{params, OptionalExtension};

/// How long an invitation link works.
const INVITATION_HOURS: i64 = 7 * 24;
/// Invitations one account may send a day: enough for a typo or two, too few to make the
/// portal a way to mail strangers.
const INVITATIONS_PER_DAY: i64 = 5;

/// The second guardian's invitation to an application: "" (none), "pending" or "accepted".
pub fn invitation_state(store: &Store, id: &ApplicationId) -> Result<String, StoreError> {
    let accepted: bool = store.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM application_guardians WHERE application = ?1)",
        [&id.0],
        |r| r.get(0),
    )?;
    if accepted {
        return Ok("accepted".into());
    }
    let pending: bool = store.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM application_invitations WHERE application = ?1 AND accepted_at IS NULL)",
        [&id.0],
        |r| r.get(0),
    )?;
    Ok(if pending { "pending" } else { "" }.into())
}

/// The contact parent invites the second guardian: a link by mail to `email`, valid a week,
/// for that address only. A new invitation replaces one not yet accepted.
pub fn invite(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    email: &str,
    base_url: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::InviteGuardian)?;
    let account = super::contact_parent(store, who, id)?;
    let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let email = email.trim();
    let mut v = Validator::new();
    v.check(
        application.status == "active",
        "invite_email",
        "Der Antrag ist nicht mehr aktiv / the application is no longer active",
    );
    v.check(
        email.len() <= 254
            && email
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
            && !email.chars().any(|c| c.is_whitespace() || c.is_control()),
        "invite_email",
        "gültige E-Mail-Adresse der/des zweiten Sorgeberechtigten / a valid e-mail address",
    );
    v.check(
        !email.eq_ignore_ascii_case(&account.email),
        "invite_email",
        "Das ist Ihre eigene Adresse / that is your own address",
    );
    v.check(
        invitation_state(store, id)? != "accepted",
        "invite_email",
        "Die/der zweite Sorgeberechtigte ist schon dabei / the second guardian has joined already",
    );
    v.finish()?;
    let sent_today: i64 = store.conn().query_row(
        "SELECT COUNT(*) FROM application_invitations WHERE invited_by = ?1 AND created_at > ?2",
        params![account.account_id, now.millis - 24 * 3_600_000],
        |r| r.get(0),
    )?;
    if sent_today >= INVITATIONS_PER_DAY {
        return Err(ActionError::Conflict(format!(
            "Höchstens {INVITATIONS_PER_DAY} Einladungen am Tag; versuchen Sie es morgen wieder / at most {INVITATIONS_PER_DAY} invitations a day"
        )));
    }
    let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    let (token, hash) = new_token();
    let link = format!(
        "{}/portal/invitations?token={token}",
        base_url.trim_end_matches('/')
    );
    let body = format!(
        "Guten Tag,\n\n{} hat Sie eingeladen, den Antrag auf einen Betreuungsplatz für {} im Kita-Portal mitzuverfolgen. Melden Sie sich mit dieser E-Mail-Adresse an (oder registrieren Sie sich damit) und öffnen Sie dann diesen Link:\n\n{link}\n\nDer Link gilt sieben Tage.\n\nHello, {} invited you to follow an application for a childcare place. Log in (or register) with this e-mail address, then open the link above. It works for seven days.\n",
        account.display_name, applicant.child_given_name, account.display_name
    );
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.guardian.invite",
        target: Some(id.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: None,
    };
    store.write(|tx| {
        tx.execute(
            "DELETE FROM application_invitations WHERE application = ?1 AND accepted_at IS NULL",
            [&id.0],
        )?;
        tx.execute(
            "INSERT INTO application_invitations (token_hash, application, email, invited_by, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                hash,
                id.0,
                email,
                account.account_id,
                now.millis,
                now.millis + INVITATION_HOURS * 3_600_000
            ],
        )?;
        outbox::enqueue(
            tx,
            email,
            "Kita-Portal: Einladung zu einem Antrag / invitation to an application",
            &body,
            now.millis,
        )?;
        audit_in(tx, &entry)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// What an invitation link names, for the page that asks to accept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub application: ApplicationId,
    /// The address it was sent to (only who logs in with it may accept).
    pub email: String,
    pub child_given_name: String,
}

fn link_used_up() -> ActionError {
    ActionError::Conflict(
        "Die Einladung ist abgelaufen oder wurde schon angenommen. Bitten Sie um eine neue. / The invitation has expired or was accepted already; ask for a new one."
            .into(),
    )
}

/// The invitation a link names, if it is open and in time. Any visitor may ask (the page
/// says to log in with the invited address); it shows nothing but the child's first name.
pub fn invitation(store: &Store, token: &str, now: Now) -> Result<Invitation, ActionError> {
    let row: Option<(String, String)> = store
        .conn()
        .query_row(
            "SELECT application, email FROM application_invitations
             WHERE token_hash = ?1 AND accepted_at IS NULL AND expires_at > ?2",
            params![token_digest(token), now.millis],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (application, email) = row.ok_or_else(link_used_up)?;
    let application = ApplicationId(application);
    let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &application.0))?;
    Ok(Invitation {
        application,
        email,
        child_given_name: applicant.child_given_name,
    })
}

/// The invited guardian, logged in with the invited address, accepts: the application and the
/// siblings applied with it appear under "Meine Anträge"; the contact parent is told.
pub fn accept(
    store: &mut Store,
    who: &Principal,
    token: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::AcceptInvitation)?;
    let Principal::Guardian(account) = who else {
        return Err(link_used_up());
    };
    let found = invitation(store, token, now)?;
    if !found.email.eq_ignore_ascii_case(&account.email) {
        return Err(ActionError::Conflict(format!(
            "Die Einladung gilt für eine andere E-Mail-Adresse. Melden Sie sich mit der Adresse an, an die sie ging. / The invitation is for another address ({})",
            mask(&found.email)
        )));
    }
    let inviter = queries::account_of(store, &found.application)?.ok_or_else(link_used_up)?;
    if inviter == account.account_id {
        return Err(link_used_up());
    }
    let (_, application) =
        store.get::<Application>(&crate::seats::application_doc_id(&found.application))?;
    let group = change_group(store, inviter, &found.application, &application.together)?;
    let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &found.application.0))?;
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.guardian.accept",
        target: Some(found.application.0.clone()),
        subjects: group.iter().map(|a| a.0.clone()).collect(),
        valid_from: None,
    };
    store.write(|tx| {
        let taken = tx.execute(
            "UPDATE application_invitations SET accepted_by = ?2, accepted_at = ?3
             WHERE token_hash = ?1 AND accepted_at IS NULL",
            params![token_digest(token), account.account_id, now.millis],
        )?;
        if taken == 0 {
            // Accepted in the meantime (a second click).
            return Err(link_used_up());
        }
        for member in &group {
            tx.execute(
                "INSERT OR IGNORE INTO application_guardians (application, account, added_at) VALUES (?1, ?2, ?3)",
                params![member.0, account.account_id, now.millis],
            )
            .map_err(StoreError::from)?;
        }
        if !applicant.notify_by_post && !applicant.email.is_empty() {
            outbox::enqueue(
                tx,
                &applicant.email,
                "Kita-Portal: Einladung angenommen / invitation accepted",
                &format!(
                    "Guten Tag,\n\n{} hat Ihre Einladung angenommen und sieht jetzt den Antrag für {} im Portal. Änderungen am Antrag bleiben bei Ihnen.\n\nHello, {} accepted your invitation and now sees the application in the portal.\n",
                    account.display_name, applicant.child_given_name, account.display_name
                ),
                now.millis,
            )?;
        }
        audit_in(tx, &entry)?;
        Ok(())
    })
}

/// "a…@example.org": enough to recognise one's own address, not to learn a stranger's.
fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}…@{domain}", local.chars().next().unwrap_or('?')),
        None => "…".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn a_masked_address_shows_its_first_letter_and_domain() {
        assert_eq!(mask("maria.beispiel@example.org"), "m…@example.org");
        assert_eq!(mask("kaputt"), "…");
    }
}
