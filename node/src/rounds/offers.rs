//! The parents' side of a round: the open offer, their answer, and the hourly reminder and
//! lapse.

use super::{queries, REMINDER_DAYS};
use crate::action::ActionError;
use crate::applications::sequential::{self, status};
use crate::applications::wishes::{self, Siblings};
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::intake::post::ParentsNotice;
use crate::storage::{AuditEntry, Store};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, ApplicationId, FacilityId};
use kitanetz_crdt::kinds::{Applicant, Application, ApplicationEvent};
use kitanetz_crdt::scalar::Date;
use serde::Serialize;

/// The parents' answer to an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
}

/// An open offer of one of the caller's applications, as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub facility: FacilityId,
    pub answer_by: Date,
}

/// The open offer of `application`, if any (`offer_days` of its round).
pub fn open_offer(application: &Application, offer_days: u32) -> Option<Offer> {
    application
        .wishes
        .iter()
        .find(|w| w.status == status::OFFERED)
        .map(|w| Offer {
            facility: w.facility.clone(),
            answer_by: Date(
                w.since.unwrap_or(Date::ymd(1970, 1, 1)).0
                    + chrono::Days::new(u64::from(offer_days)),
            ),
        })
}

/// The parents accept or decline the open offer of their application `id` (a logged-in parent;
/// only their own), or the ZVS records the answer they gave by phone or letter (parents who
/// chose the post may have no portal account). Accepting makes the wish a reservation (the Kita
/// gets their contact data and concludes the contract); declining closes it (the Kita releases
/// the seat), and the next round may propose another of their wishes.
pub fn answer_offer(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    answer: Answer,
    now: Now,
) -> Result<(), ActionError> {
    let by = match who {
        Principal::Staff(_) => {
            authorize(who, Action::RecordOfferAnswer)?;
            "Zentrale Vermittlungsstelle (Antwort der Eltern)"
        }
        _ => {
            authorize(who, Action::AnswerOffer)?;
            crate::applications::contact_parent(store, who, id)?;
            "Eltern"
        }
    };
    let (mut doc, mut application) =
        store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let round = queries::round_of(store, id)?;
    let offer = round.and_then(|r| open_offer(&application, r.offer_days));
    let Some(offer) = offer.filter(|o| o.answer_by >= now.today && application.status == "active")
    else {
        return Err(ActionError::Conflict(
            "Zu diesem Antrag gibt es kein offenes Angebot (mehr) / there is no open offer for this application"
                .into(),
        ));
    };
    let (to, what, action) = match answer {
        Answer::Accept => (status::REQUEST, "angenommen", "round.offer.accept"),
        Answer::Decline => (status::REFUSED, "abgelehnt", "round.offer.decline"),
    };
    let names = crate::applications::queries::facility_names(store)?;
    let name = names
        .get(&offer.facility)
        .cloned()
        .unwrap_or_else(|| offer.facility.0.clone());
    let (mut applicant_doc, mut applicant) =
        store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    let mut docs = settle(
        store,
        (&mut doc, &mut application),
        (&mut applicant_doc, &mut applicant),
        (&offer.facility, to),
        (by, format!("Platzangebot von {name} {what}")),
        action,
        now,
    )?;
    let entry = audit(who.audit_name(), action, id, now);
    let mut refs: Vec<&mut StoredDoc> = [&mut doc, &mut applicant_doc]
        .into_iter()
        .chain(docs.iter_mut())
        .collect();
    store.save_docs(&mut refs, &entry)?;
    // The reservation's consequences (the share for the Kita, the parents' mail) are the
    // procedure's, as for any reservation.
    sequential::advance_after_write(store, std::slice::from_ref(id), now);
    Ok(())
}

/// Sets the offer's wish at `facility` to `status`, notes `(by, what)` in the parents' history
/// and returns the wish documents to save with the application and the applicant.
fn settle(
    store: &Store,
    (doc, application): (&mut StoredDoc, &mut Application),
    (applicant_doc, applicant): (&mut StoredDoc, &mut Applicant),
    (facility, to): (&FacilityId, &str),
    (by, what): (&str, String),
    message: &str,
    now: Now,
) -> Result<Vec<StoredDoc>, ActionError> {
    for w in application
        .wishes
        .iter_mut()
        .filter(|w| &w.facility == facility)
    {
        w.status = to.into();
        w.since = Some(now.today);
    }
    doc.update(&*application, now.today, now.millis, message)?;
    applicant.history.push(ApplicationEvent {
        on: now.today,
        by: by.into(),
        what,
    });
    applicant_doc.update(&*applicant, now.today, now.millis, message)?;
    let scope = doc.meta.facilities.clone();
    Ok(wishes::wish_docs(
        store,
        &[(&*application, &scope)],
        Siblings::Unchanged,
        &[],
        now,
    )?)
}

fn audit(actor: String, action: &'static str, id: &ApplicationId, now: Now) -> AuditEntry {
    AuditEntry {
        at: now.millis,
        actor,
        action,
        target: Some(id.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: Some(now.today.to_string()),
    }
}

/// What the hourly run did with open offers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lapsed {
    pub reminded: usize,
    pub lapsed: usize,
}

/// The hourly run on the city: reminds the parents of an offer [`REMINDER_DAYS`] before its
/// deadline (once), and lets an offer lapse the day after it (the Kita releases the seat).
pub fn lapse_offers(store: &mut Store, now: Now) -> Result<Lapsed, ActionError> {
    let mut done = Lapsed::default();
    let names = crate::applications::queries::facility_names(store)?;
    for id in queries::with_open_offer(store)? {
        let Some(round) = queries::round_of(store, &id)? else {
            continue;
        };
        let Some((mut doc, mut application)) =
            store.find::<Application>(&crate::seats::application_doc_id(&id))?
        else {
            continue;
        };
        if application.status != "active" {
            continue;
        }
        let Some(offer) = open_offer(&application, round.offer_days) else {
            continue;
        };
        let Some((mut applicant_doc, mut applicant)) =
            store.find::<Applicant>(&doc_id_for("applicant", &id.0))?
        else {
            continue;
        };
        let name = names
            .get(&offer.facility)
            .cloned()
            .unwrap_or_else(|| offer.facility.0.clone());
        let child = format!(
            "{} {}",
            applicant.child_given_name, applicant.child_family_name
        );
        if offer.answer_by < now.today {
            let mut docs = settle(
                store,
                (&mut doc, &mut application),
                (&mut applicant_doc, &mut applicant),
                (&offer.facility, status::REFUSED),
                (
                    "System",
                    format!(
                        "Platzangebot von {name} ohne Antwort bis {} verfallen",
                        offer.answer_by
                    ),
                ),
                "offer lapsed",
                now,
            )?;
            let entry = audit("system:rounds".into(), "round.offer.lapse", &id, now);
            let mut refs: Vec<&mut StoredDoc> = [&mut doc, &mut applicant_doc]
                .into_iter()
                .chain(docs.iter_mut())
                .collect();
            store.save_docs_with(&mut refs, &entry, |tx| {
                ParentsNotice {
                    subject_de: format!("Platzangebot für {child} verfallen"),
                    subject_en: "offer lapsed".into(),
                    text_de: format!(
                        "das Platzangebot von {name} für {child} ist ohne Antwort bis zum {} verfallen; der Platz wird freigegeben. Ihr Antrag {} bleibt für die nächste Vergaberunde mit Ihren anderen Wünschen.",
                        offer.answer_by.0.format("%d.%m.%Y"),
                        id.0
                    ),
                    text_en: format!(
                        "the offer of {name} for {child} lapsed without an answer; your application stays in placement with your other wishes."
                    ),
                }
                .send(tx, &id, (applicant.notify_by_post, &applicant.email), now)
            })?;
            done.lapsed += 1;
        } else if offer.answer_by.0 - chrono::Days::new(u64::from(REMINDER_DAYS)) <= now.today.0
            && !queries::reminded(store, round.round, &id)?
        {
            let entry = audit("system:rounds".into(), "round.offer.remind", &id, now);
            // Parents who chose the post get the reminder as a letter (the ZVS also takes their
            // answer by phone: "Antwort der Eltern" on the round page).
            store.save_docs_with(&mut [], &entry, |tx| {
                queries::mark_reminded(tx, round.round, &id, now.today)?;
                ParentsNotice {
                    subject_de: format!("Erinnerung an das Platzangebot für {child}"),
                    subject_en: "reminder".into(),
                    text_de: if applicant.notify_by_post {
                        format!(
                            "bitte teilen Sie uns bis zum {} mit, ob Sie das Platzangebot von {name} für {child} annehmen: im Kita-Portal, telefonisch oder schriftlich bei der Zentralen Vermittlungsstelle (Antrag {}). Ohne Antwort verfällt das Angebot.",
                            offer.answer_by.0.format("%d.%m.%Y"),
                            id.0
                        )
                    } else {
                        format!(
                            "bitte nehmen Sie das Platzangebot von {name} für {child} bis zum {} im Kita-Portal an oder lehnen Sie es ab; ohne Antwort verfällt es.",
                            offer.answer_by.0.format("%d.%m.%Y")
                        )
                    },
                    text_en: format!(
                        "please accept or decline the offer of {name} for {child} by {} in the portal; without an answer it lapses.",
                        offer.answer_by
                    ),
                }
                .send(tx, &id, (applicant.notify_by_post, &applicant.email), now)
            })?;
            done.reminded += 1;
        }
    }
    Ok(done)
}
