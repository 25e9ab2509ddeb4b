//! After the placement the parents' personal data leave the city (#9 item 6).
//!
//! The rule, from the sources and data minimisation (DSGVO Art. 5 (1) c, e):
//! - The portal access exists "nur für seinen Antrag" (Lastenheft 3.3.6), for changes while the
//!   application is in placement; a placed application is settled, so the access has no purpose.
//! - The application itself must not be deleted, "weil er für Auswertungen zur Verfügung stehen
//!   soll" (3.5.1.2, 3.6.7). It is pseudonymous already (wishes by Kita, handles, status); what
//!   the statistics read from the applicant half moves into it as [`SettledFacts`]: the month of
//!   birth (not the day), the home district, the parents' order of the Kitas, the day of the
//!   application.
//! - The family's data now live where the contract is: with the Kita's Träger.
//!
//! So [`ERASE_AFTER_DAYS`] days after the contract placed the child (a month for questions and
//! corrections), the city's hourly run erases the applicant document whole (on every node that
//! holds it: the city only), the uploaded proofs, the by-post letters, the invitations and the
//! links of the portal accounts, the child's key, and every portal account that is left without
//! an application, with its sessions and tokens. One transaction per application, audited as
//! `application.erase-personal`. The parents' income self-assessment (`fees::declarations`) goes
//! with them, everywhere it is held, but never within [`ERASE_AFTER_DAYS`] of its last change:
//! the Träger's Beitragsstelle takes it over first and keeps its proofs with the fee case.

use crate::action::ActionError;
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, ApplicationId};
use kitanetz_crdt::kinds::{Applicant, Application, SettledFacts};
use kitanetz_crdt::scalar::Date;
use rusqlite::params;

/// Days after the placement until the applicant's personal data are erased.
pub const ERASE_AFTER_DAYS: u64 = 30;

/// The day the child was placed (the contract's wish), if placed.
fn placed_on(application: &Application) -> Option<Date> {
    if application.status != super::sequential::status::PLACED {
        return None;
    }
    application
        .wishes
        .iter()
        .find(|w| w.status == super::sequential::status::PLACED)
        .and_then(|w| w.since)
        .or(Some(Date::ymd(1970, 1, 1)))
}

/// The facts that stay (see the module docs).
pub fn settled_facts(
    applicant: &Applicant,
    home_district: Option<String>,
    on: Date,
) -> SettledFacts {
    SettledFacts {
        birth_month: applicant.child_birth_date.0.format("%Y-%m").to_string(),
        home_district: home_district.unwrap_or_default(),
        ranked_wishes: applicant.ranked_wishes.clone(),
        submitted_on: applicant.submitted_on,
        erased_on: on,
    }
}

/// The hourly run at the city: erases the personal data of every application placed at least
/// [`ERASE_AFTER_DAYS`] ago. Returns how many.
pub fn erase_settled(
    store: &mut Store,
    district_of: &dyn Fn(&Applicant) -> Option<String>,
    now: Now,
) -> Result<usize, ActionError> {
    let placed: Vec<ApplicationId> = {
        let mut stmt = store
            .conn()
            .prepare_cached("SELECT id FROM p_applications WHERE status = 'placed' ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok(ApplicationId(r.get(0)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut erased = 0;
    for id in placed {
        let applicant_id = doc_id_for("applicant", &id.0);
        let Some((_, applicant)) = store.find::<Applicant>(&applicant_id)? else {
            continue;
        };
        let Some((mut doc, mut application)) =
            store.find::<Application>(&crate::seats::application_doc_id(&id))?
        else {
            continue;
        };
        let Some(on) = placed_on(&application) else {
            continue;
        };
        if on.0 + chrono::Days::new(ERASE_AFTER_DAYS) > now.today.0 {
            continue;
        }
        // The parents' income self-assessment goes with the applicant, but not within a month
        // of its last change: the Beitragsstelle takes it over (and keeps the proofs) first.
        // Both are named by the family key: the income self-assessment and the old Kita's
        // transfer notice.
        let key = super::queries::family_key_of(store, &applicant)?;
        let declaration = match crate::fees::declarations::place_of(store, &application)? {
            Some(place) => {
                crate::fees::declarations::declaration_for(store, &key, &id, &applicant, &place)?
            }
            None => crate::fees::declarations::application_declaration_doc_id(&key, &id),
        };
        let notice = super::transfer_notices::notice_doc_id(&key, &id);
        let mut erase = vec![applicant_id, notice];
        if let Some((_, d)) = store.find::<kitanetz_crdt::kinds::IncomeDeclaration>(&declaration)? {
            if d.changed_on.0 + chrono::Days::new(ERASE_AFTER_DAYS) > now.today.0 {
                continue;
            }
            // A family's declaration goes with the last of its children's applicants.
            if !for_a_sibling_still_here(store, &id, &d)? {
                erase.push(declaration);
            }
        }
        application.settled = Some(settled_facts(
            &applicant,
            district_of(&applicant),
            now.today,
        ));
        doc.update(&application, now.today, now.millis, "personal data erased")?;
        let entry = AuditEntry {
            at: now.millis,
            actor: "system:retention".into(),
            action: "application.erase-personal",
            target: Some(id.0.clone()),
            subjects: vec![id.0.clone()],
            valid_from: Some(now.today.to_string()),
        };
        let mut refs: Vec<&mut StoredDoc> = vec![&mut doc];
        store.save_and_erase_docs_with(&mut refs, &erase, &entry, |tx| {
            forget_locally(tx, &id)?;
            Ok(())
        })?;
        erased += 1;
    }
    Ok(erased)
}

/// Whether the family declaration `d` is also for a child whose applicant the city still holds:
/// another application of the same portal account, for a child the declaration names.
fn for_a_sibling_still_here(
    store: &Store,
    id: &ApplicationId,
    d: &kitanetz_crdt::kinds::IncomeDeclaration,
) -> Result<bool, StoreError> {
    let siblings: Vec<String> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT DISTINCT application FROM portal_applications
             WHERE account IN (SELECT account FROM portal_applications WHERE application = ?1)
               AND application <> ?1",
        )?;
        let rows = stmt.query_map([&id.0], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for sibling in siblings {
        if let Some((_, a)) = store.find::<Applicant>(&doc_id_for("applicant", &sibling))? {
            if d.is_for(
                &a.child_given_name,
                &a.child_family_name,
                a.child_birth_date,
            ) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The city's local rows of an application's applicant, and the portal accounts left without an
/// application.
fn forget_locally(tx: &rusqlite::Connection, id: &ApplicationId) -> rusqlite::Result<()> {
    let accounts: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT account FROM portal_applications WHERE application = ?1
             UNION SELECT account FROM application_guardians WHERE application = ?1",
        )?;
        let rows = stmt.query_map([&id.0], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for table in [
        "application_documents",
        "letters_out",
        "application_invitations",
        "application_guardians",
        "portal_applications",
        "application_keys",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE application = ?1"),
            [&id.0],
        )?;
    }
    for account in accounts {
        let still_used: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM portal_applications WHERE account = ?1)
                 OR EXISTS (SELECT 1 FROM application_guardians WHERE account = ?1)",
            [account],
            |r| r.get(0),
        )?;
        if still_used {
            continue;
        }
        tx.execute(
            "DELETE FROM application_invitations WHERE invited_by = ?1 OR accepted_by = ?1",
            [account],
        )?;
        tx.execute(
            "DELETE FROM guardian_sessions WHERE account = ?1",
            [account],
        )?;
        tx.execute("DELETE FROM account_tokens WHERE account = ?1", [account])?;
        tx.execute(
            "DELETE FROM guardian_accounts WHERE id = ?1",
            params![account],
        )?;
    }
    Ok(())
}
