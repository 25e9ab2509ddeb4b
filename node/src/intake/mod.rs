//! The placement office's intake (Lastenheft 3.4.1, 3.4.2, 3.4.5): which applications enter
//! placement and when.
//!
//! An application reaches the wished Kitas (its document's scope names them) only when
//! - its address is settled: in the city and known to the street directory, or released by the
//!   ZVS after checking the proofs of a family moving here (the watch list), and
//! - its desired start lies within the placement horizon (6 months by default); until then it
//!   waits in the intake pool at the city, and 4–6 weeks before it enters the horizon its
//!   address is checked again.
//!
//! The horizon and the re-check window are versioned settings with a page to change them.

pub mod http;
pub mod post;
mod queries;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::outbox;
use crate::portal::streets::StreetDirectory;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::{Datelike, Months};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, ApplicationId, FacilityId};
use kitanetz_crdt::kinds::{Applicant, Application, ApplicationEvent};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use serde::{Deserialize, Serialize};

/// One version of the intake settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeSettings {
    pub valid_from: Date,
    /// How far ahead of its desired start an application enters placement.
    pub horizon_months: u32,
    /// The address re-check opens this many weeks before the application enters the horizon …
    pub recheck_from_weeks: u32,
    /// … and is overdue from this many weeks before.
    pub recheck_until_weeks: u32,
    /// Days a Kita has to decide on a wish before the ZVS is alerted (issue 9's follow-up).
    pub followup_days: u32,
    pub changed_by: String,
    pub changed_at: i64,
    /// The grace period (Kulanzzeit, Lastenheft 3.2.4): a seat that frees up this many months
    /// after the desired start still counts as free for it. Within the horizon.
    pub grace_months: u32,
}

impl IntakeSettings {
    /// What applies before anybody changed anything (Lastenheft 3.2: 6 months, 14 days; the
    /// 4–6 weeks of the address re-check from the ZVS's practice).
    pub fn built_in() -> IntakeSettings {
        IntakeSettings {
            valid_from: Date::ymd(2000, 1, 1),
            horizon_months: 6,
            recheck_from_weeks: 6,
            recheck_until_weeks: 4,
            followup_days: 14,
            changed_by: String::new(),
            changed_at: 0,
            grace_months: 1,
        }
    }

    /// The latest desired start that is within the horizon on `today`.
    pub fn horizon_end(&self, today: Date) -> Date {
        Date(today.0 + Months::new(self.horizon_months))
    }

    /// The day an application with this start enters the horizon.
    pub fn enters_on(&self, start: Date) -> Date {
        Date(start.0 - Months::new(self.horizon_months))
    }

    /// The window in which the address of an application with this start is checked again.
    pub fn recheck_window(&self, start: Date) -> (Date, Date) {
        let enters = self.enters_on(start).0;
        (
            Date(enters - chrono::Days::new(7 * u64::from(self.recheck_from_weeks))),
            Date(enters - chrono::Days::new(7 * u64::from(self.recheck_until_weeks))),
        )
    }
}

/// Whether the address lets the application into placement. Applications from before the
/// address check existed (no result recorded) were taken as checked.
pub fn address_settled(address_check: &str) -> bool {
    matches!(address_check, "ok" | "released" | "")
}

/// Whether a Wechselantrag may enter placement: the ZVS decided its urgency (Lastenheft 3.4.3:
/// "Die ZVS entscheidet über die Priorität des Antrages und gibt diesen in die Vermittlung").
/// A first application always may.
pub fn transfer_settled(application: &Application) -> bool {
    !application.transfer || !application.transfer_priority.is_empty()
}

/// The notice period of a care contract that a transfer must respect (Lastenheft 3.3.3: "Das
/// System soll die Kündigungszeit des bestehenden Betreuungsvertrages von 2 Monaten prüfen").
pub const TRANSFER_NOTICE_MONTHS: u32 = 2;

/// Whether a transfer wished for `desired_start`, applied for on `submitted_on`, leaves the old
/// Kita less than the notice period. The application is accepted all the same (3.3.3: "Da im
/// Einzelfall aber auch Kündigungsfristen von weniger als 2 Monaten möglich sind, soll das
/// System den Antrag dennoch zulassen"); the parents and the ZVS are told.
pub fn transfer_notice_short(submitted_on: Date, desired_start: Date) -> bool {
    desired_start.0 < submitted_on.0 + Months::new(TRANSFER_NOTICE_MONTHS)
}

/// The Kitas an application's document goes to now: its wishes once it is active, its address
/// settled and its start within the horizon; nobody before.
pub fn placement_scope(
    settings: &IntakeSettings,
    today: Date,
    application: &Application,
    address_check: &str,
) -> Vec<FacilityId> {
    if application.status == "active"
        && address_settled(address_check)
        && transfer_settled(application)
        && application.desired_start <= settings.horizon_end(today)
    {
        let mut f = application.facilities();
        f.sort();
        f
    } else {
        vec![]
    }
}

/// The settings in force on `day`.
pub fn settings_on(store: &Store, day: Date) -> Result<IntakeSettings, StoreError> {
    Ok(queries::settings_on(store.conn(), day)?.unwrap_or_else(IntakeSettings::built_in))
}

/// The settings form as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsInput {
    pub valid_from: String,
    pub horizon_months: String,
    pub recheck_from_weeks: String,
    pub recheck_until_weeks: String,
    pub followup_days: String,
    pub grace_months: String,
}

/// The ZVS changes the intake settings from a day on (today or later: the past stays as it was
/// decided). A second change for the same day replaces the first.
pub fn change_settings(
    store: &mut Store,
    who: &Principal,
    input: &SettingsInput,
    now: Now,
) -> Result<IntakeSettings, ActionError> {
    authorize(who, Action::ManageIntake)?;
    let mut v = Validator::new();
    let valid_from = v.date("valid_from", &input.valid_from);
    if let Some(d) = valid_from {
        v.check(
            d >= now.today,
            "valid_from",
            "Änderungen gelten ab heute oder später / changes apply from today or later",
        );
    }
    let mut number = |field: &str, value: &str, range: std::ops::RangeInclusive<u32>| {
        let n = value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n));
        v.check(
            n.is_some(),
            field,
            format!(
                "eine ganze Zahl von {} bis {} / a whole number from {} to {}",
                range.start(),
                range.end(),
                range.start(),
                range.end()
            ),
        );
        n.unwrap_or(0)
    };
    let horizon_months = number("horizon_months", &input.horizon_months, 1..=24);
    let recheck_from_weeks = number("recheck_from_weeks", &input.recheck_from_weeks, 1..=26);
    let recheck_until_weeks = number("recheck_until_weeks", &input.recheck_until_weeks, 0..=26);
    let followup_days = number("followup_days", &input.followup_days, 1..=90);
    let grace_months = number("grace_months", &input.grace_months, 0..=6);
    v.check(
        grace_months <= horizon_months,
        "grace_months",
        "die Kulanzzeit liegt im Vermittlungszeitraum / the grace period lies within the horizon",
    );
    v.check(
        recheck_until_weeks < recheck_from_weeks,
        "recheck_until_weeks",
        "das Ende der Prüfung liegt nach ihrem Beginn / the re-check ends after it opens",
    );
    v.finish()?;
    let settings = IntakeSettings {
        valid_from: valid_from.expect("checked"),
        horizon_months,
        recheck_from_weeks,
        recheck_until_weeks,
        followup_days,
        changed_by: who.display_name().to_string(),
        changed_at: now.millis,
        grace_months,
    };
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "intake.settings",
        target: None,
        subjects: vec![],
        valid_from: Some(settings.valid_from.to_string()),
    };
    store.write(|tx| {
        queries::save_settings(tx, &settings)?;
        crate::storage::audit_in(tx, &entry)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(settings)
}

/// The settings history, newest first (the built-in defaults last).
pub fn settings_history(
    store: &Store,
    who: &Principal,
) -> Result<Vec<IntakeSettings>, ActionError> {
    authorize(who, Action::ViewIntake)?;
    let mut all = queries::all_settings(store.conn())?;
    all.push(IntakeSettings::built_in());
    Ok(all)
}

/// One application on an intake list.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeRow {
    pub id: String,
    pub child: String,
    pub birth_date: Date,
    pub desired_start: Date,
    pub address: String,
    pub address_check: String,
    pub submitted_on: String,
    /// The proofs the parents uploaded: (id, file name).
    pub documents: Vec<(i64, String)>,
    /// Pool only: the day it enters the horizon, and whether the re-check is due/overdue.
    pub enters_on: Date,
    pub recheck: &'static str,
}

/// A Wechselantrag on the ZVS's list: the intake row, the parents' reason (never shown to a
/// Kita) and whether the start leaves the old Kita less than the notice period.
#[derive(Debug, Clone, Serialize)]
pub struct TransferRow {
    pub row: IntakeRow,
    pub reason: String,
    pub notice_short: bool,
}

/// What the intake page shows.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeView {
    pub settings: IntakeSettings,
    /// Addresses outside the city or unknown to the street directory: the ZVS releases or
    /// rejects (Lastenheft 3.4.2, 3.4.5).
    pub watch: Vec<IntakeRow>,
    /// Wechselanträge waiting for the ZVS's decision on their urgency (Lastenheft 3.4.3).
    pub transfers: Vec<TransferRow>,
    /// Settled applications whose start lies beyond the horizon, by the day they enter it.
    pub pool: Vec<IntakeRow>,
    /// Active applications in placement (how many).
    pub in_placement: usize,
}

/// The ZVS's intake lists on `today`.
pub fn overview(store: &Store, who: &Principal, today: Date) -> Result<IntakeView, ActionError> {
    authorize(who, Action::ViewIntake)?;
    let settings = settings_on(store, today)?;
    let documents = queries::document_names(store.conn())?;
    let mut view = IntakeView {
        settings: settings.clone(),
        watch: vec![],
        transfers: vec![],
        pool: vec![],
        in_placement: 0,
    };
    for applicant in store.values_of_kind::<Applicant>()? {
        let (_, application) =
            store.get::<Application>(&crate::seats::application_doc_id(&applicant.application))?;
        if application.status != "active" {
            continue;
        }
        let (from, until) = settings.recheck_window(application.desired_start);
        let rechecked = applicant.address_checked_on.is_some_and(|d| d >= from);
        let row = IntakeRow {
            id: applicant.application.0.clone(),
            child: format!(
                "{} {}",
                applicant.child_given_name, applicant.child_family_name
            ),
            birth_date: applicant.child_birth_date,
            desired_start: application.desired_start,
            address: format!(
                "{}, {} {}",
                applicant.address.street, applicant.address.postcode, applicant.address.city
            ),
            address_check: applicant.address_check.clone(),
            submitted_on: applicant
                .submitted_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            documents: documents
                .get(&applicant.application.0)
                .cloned()
                .unwrap_or_default(),
            enters_on: settings.enters_on(application.desired_start),
            recheck: match (rechecked, today >= from, today > until) {
                (true, _, _) | (false, false, _) => "",
                (false, true, false) => "due",
                (false, true, true) => "overdue",
            },
        };
        if !address_settled(&applicant.address_check) {
            view.watch.push(row);
        } else if !transfer_settled(&application) {
            view.transfers.push(TransferRow {
                notice_short: applicant
                    .submitted_on
                    .is_some_and(|d| transfer_notice_short(d, application.desired_start)),
                reason: applicant.transfer_reason.clone(),
                row,
            });
        } else if application.desired_start > settings.horizon_end(today) {
            view.pool.push(row);
        } else {
            view.in_placement += 1;
        }
    }
    view.watch
        .sort_by(|a, b| (&a.submitted_on, &a.id).cmp(&(&b.submitted_on, &b.id)));
    view.pool
        .sort_by(|a, b| (a.enters_on, &a.id).cmp(&(b.enters_on, &b.id)));
    view.transfers
        .sort_by(|a, b| (&a.row.submitted_on, &a.row.id).cmp(&(&b.row.submitted_on, &b.row.id)));
    Ok(view)
}

/// What the ZVS decides about an application on the watch list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The family lives in the city at the start (or a decision in the individual case): the
    /// application goes into placement.
    Release,
    /// The requirement is not met: the application becomes inactive and the parents are told.
    Reject,
    /// Ask the parents for the missing proofs (a mail, or a letter by post).
    RequestProofs,
}

/// The ZVS decides about an application on the watch list; `note` is kept in its history (a
/// rejection needs one: the parents are told why).
pub fn decide(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    decision: Decision,
    note: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::DecideIntake)?;
    let (doc, mut application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let (applicant_doc, mut applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    if application.status != "active" || address_settled(&applicant.address_check) {
        return Err(ActionError::Conflict(
            "Der Antrag steht nicht (mehr) auf der Überwachungsliste / the application is not on the watch list"
                .into(),
        ));
    }
    let mut v = Validator::new();
    v.optional_text("note", note, 1000);
    if decision == Decision::Reject {
        v.text("note", note, 1000);
    }
    v.finish()?;
    let note = note.trim();
    let (what, mail) = match decision {
        Decision::Release => {
            applicant.address_check = "released".into();
            applicant.address_checked_on = Some(now.today);
            (
                format!("Wohnsitz geprüft, freigegeben{}", suffix(note)),
                None,
            )
        }
        Decision::Reject => {
            application.status = "inactive".into();
            (
                format!("Voraussetzung nicht erfüllt, inaktiv gesetzt: {note}"),
                Some((
                    "Kita-Portal: Ihr Antrag kann nicht berücksichtigt werden / your application cannot be considered",
                    format!(
                        "Guten Tag,\n\nIhr Antrag {} für {} {} kann nicht in die Vermittlung aufgenommen werden: {note}\n\nDer Antrag ist damit inaktiv. Bei Fragen wenden Sie sich an die Zentrale Vermittlungsstelle; gegen diese Entscheidung können Sie Widerspruch einlegen.\n\nHello, your application cannot be considered for placement: {note}\n",
                        id.0, applicant.child_given_name, applicant.child_family_name
                    ),
                )),
            )
        }
        Decision::RequestProofs => (
            format!("Nachweise angefordert{}", suffix(note)),
            Some((
                "Kita-Portal: Bitte reichen Sie Nachweise nach / please send proofs",
                format!(
                    "Guten Tag,\n\nfür Ihren Antrag {} für {} {} fehlt der Nachweis, dass Sie zum Betreuungsbeginn in der Stadt wohnen (z. B. Mietvertrag oder Meldebescheinigung). Bitte laden Sie ihn im Portal unter „Meine Anträge“ hoch.{}\n\nHello, please upload a proof of your residence in the city at the start (e.g. a rental contract) in the portal under \"My applications\".\n",
                    id.0,
                    applicant.child_given_name,
                    applicant.child_family_name,
                    if note.is_empty() { String::new() } else { format!("\n\n{note}") }
                ),
            )),
        ),
    };
    let action = match decision {
        Decision::Release => "intake.release",
        Decision::Reject => "intake.reject",
        Decision::RequestProofs => "intake.request-proofs",
    };
    record(
        store,
        who,
        (doc, application),
        (applicant_doc, applicant),
        Recorded {
            what,
            message: "intake decision",
            action,
            mail,
        },
        now,
    )
}

/// What the ZVS decides about a Wechselantrag (Lastenheft 3.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferDecision {
    /// Into placement, urgent (a move, a new job far away: the family needs the change soon).
    Urgent,
    /// Into placement, ordinary urgency.
    Normal,
    /// The reasons do not justify a change: the application becomes inactive, the parents are
    /// told why (the child keeps its place).
    Reject,
}

impl TransferDecision {
    pub fn parse(s: &str) -> Option<TransferDecision> {
        match s {
            "urgent" => Some(TransferDecision::Urgent),
            "normal" => Some(TransferDecision::Normal),
            "reject" => Some(TransferDecision::Reject),
            _ => None,
        }
    }
}

/// The ZVS decides the urgency of a Wechselantrag and so lets it into placement, or rejects it;
/// `note` goes into the application's history (a rejection needs one: the parents are told).
pub fn decide_transfer(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    decision: TransferDecision,
    note: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::DecideTransfer)?;
    let (doc, mut application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let (applicant_doc, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    if application.status != "active" || transfer_settled(&application) {
        return Err(ActionError::Conflict(
            "Kein offener Wechselantrag / not a transfer waiting for a decision".into(),
        ));
    }
    let mut v = Validator::new();
    v.optional_text("note", note, 1000);
    if decision == TransferDecision::Reject {
        v.text("note", note, 1000);
    }
    v.finish()?;
    let note = note.trim();
    let (what, mail) = match decision {
        TransferDecision::Urgent | TransferDecision::Normal => {
            let urgent = decision == TransferDecision::Urgent;
            application.transfer_priority = if urgent { "urgent" } else { "normal" }.into();
            (
                format!(
                    "Wechselantrag geprüft, Dringlichkeit {}, in die Vermittlung gegeben{}",
                    if urgent { "hoch" } else { "normal" },
                    suffix(note)
                ),
                None,
            )
        }
        TransferDecision::Reject => {
            application.status = "inactive".into();
            (
                format!("Wechselantrag abgelehnt, inaktiv gesetzt: {note}"),
                Some((
                    "Kita-Portal: Ihr Wechselantrag / your transfer application",
                    format!(
                        "Guten Tag,\n\nIhr Wechselantrag {} für {} {} wird nicht in die Vermittlung gegeben: {note}\n\nDer Betreuungsplatz Ihres Kindes bleibt davon unberührt. Bei Fragen wenden Sie sich an die Zentrale Vermittlungsstelle; gegen diese Entscheidung können Sie Widerspruch einlegen.\n\nHello, your transfer application is not taken into placement: {note}\nYour child keeps the current place.\n",
                        id.0, applicant.child_given_name, applicant.child_family_name
                    ),
                )),
            )
        }
    };
    let action = match decision {
        TransferDecision::Urgent | TransferDecision::Normal => "intake.transfer.release",
        TransferDecision::Reject => "intake.transfer.reject",
    };
    record(
        store,
        who,
        (doc, application),
        (applicant_doc, applicant),
        Recorded {
            what,
            message: "transfer decision",
            action,
            mail,
        },
        now,
    )
}

/// The ZVS adds a Kita from the pool's alternatives (`applications::watch`) as the family's
/// last wish, after agreeing it with the parents (the note says how: "telefonisch am …"). The
/// sequential procedure takes it up at once: with its free seat the Kita reviews the child.
pub fn offer_alternative(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    facility: &FacilityId,
    note: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::OfferAlternative)?;
    let (doc, mut application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let (applicant_doc, mut applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    if !crate::applications::sequential::in_central_pool(&application) {
        return Err(ActionError::Conflict(
            "Der Antrag ist nicht im zentralen Pool / the application is not in the central pool"
                .into(),
        ));
    }
    let mut v = Validator::new();
    v.text("note", note, 1000);
    let known = crate::applications::queries::facility_names(store)?;
    v.check(
        known.contains_key(facility),
        "facility",
        "Unbekannte Einrichtung / unknown Kita",
    );
    v.check(
        application.wishes.iter().all(|w| &w.facility != facility),
        "facility",
        "Diese Einrichtung ist schon ein Wunsch / the Kita is already a wish",
    );
    v.check(
        application.wishes.len() + usize::from(application.childminding_agency.is_some())
            < crate::applications::MAX_WISHES,
        "facility",
        "Schon fünf Wünsche / five wishes already",
    );
    v.finish()?;
    application
        .wishes
        .push(kitanetz_crdt::kinds::WishedFacility {
            facility: facility.clone(),
            handle: kitanetz_crdt::ids::WishHandle(crate::applications::pseudonym()),
            status: crate::applications::sequential::status::PENDING.into(),
            since: None,
        });
    application
        .wishes
        .sort_by(|a, b| a.facility.cmp(&b.facility));
    applicant.ranked_wishes.push(facility.clone());
    let name = known.get(facility).cloned().unwrap_or_default();
    let body = format!(
        "Guten Tag,\n\nwie mit Ihnen besprochen hat die Zentrale Vermittlungsstelle {name} als weiteren Wunsch in Ihren Antrag {} für {} {} aufgenommen. Die Einrichtung hat zum gewünschten Beginn einen freien Platz und prüft Ihren Antrag nun. Den Stand sehen Sie im Portal unter „Meine Anträge“.\n\nHello, as agreed with you, the placement office added {name} as a further wish to your application; it has a free place at the start and now reviews your application.\n",
        id.0, applicant.child_given_name, applicant.child_family_name
    );
    record(
        store,
        who,
        (doc, application),
        (applicant_doc, applicant),
        Recorded {
            what: format!(
                "Alternative aus dem zentralen Pool als weiterer Wunsch aufgenommen: {name} ({})",
                note.trim()
            ),
            message: "alternative offered",
            action: "intake.alternative",
            mail: Some((
                "Kita-Portal: ein weiterer Wunsch in Ihrem Antrag / a further wish",
                body,
            )),
        },
        now,
    )
}

/// What a ZVS decision on an application writes besides the values it changed.
struct Recorded {
    /// The entry in the application's history, in words.
    what: String,
    /// The change message of the documents.
    message: &'static str,
    /// The audit action.
    action: &'static str,
    /// A mail to the parents (subject, body), unless they chose letters by post.
    mail: Option<(&'static str, String)>,
}

/// Records a ZVS decision (intake, transfer, alternative, reactivation): the history entry, both
/// halves with the placement scope they give now and their wish documents, the parents' data
/// taken back from a Kita where an application made inactive held a seat, the audit entry and
/// the mail in one transaction; then the sequential procedure runs for the application.
fn record(
    store: &mut Store,
    who: &Principal,
    (mut doc, application): (StoredDoc, Application),
    (mut applicant_doc, mut applicant): (StoredDoc, Applicant),
    recorded: Recorded,
    now: Now,
) -> Result<(), ActionError> {
    let id = application.id.clone();
    applicant.history.push(ApplicationEvent {
        on: now.today,
        by: format!("ZVS ({})", who.display_name()),
        what: recorded.what,
    });
    let mut wish_docs = rewrite(
        store,
        (&mut doc, &application),
        (&mut applicant_doc, &applicant),
        recorded.message,
        now,
    )?;
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: recorded.action,
        target: Some(id.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: Some(now.today.to_string()),
    };
    let to =
        (!applicant.notify_by_post && !applicant.email.is_empty()).then(|| applicant.email.clone());
    // An application made inactive takes back the parents' data from a Kita holding a seat for
    // it (the sequential procedure runs for active applications only).
    let shares = crate::applications::shares::reconcile(
        store,
        &application,
        &applicant,
        &crate::applications::sequential::Ledgers::load(store)?,
        &crate::applications::shares::held(store)?,
        now,
    )?;
    let mut refs: Vec<&mut StoredDoc> = [&mut doc, &mut applicant_doc]
        .into_iter()
        .chain(wish_docs.iter_mut())
        .collect();
    store.save_and_erase_docs_with(&mut refs, &shares.erase, &entry, |tx| {
        if let (Some((subject, body)), Some(to)) = (recorded.mail, to) {
            outbox::enqueue(tx, &to, subject, &body, now.millis)?;
        }
        Ok(())
    })?;
    crate::applications::sequential::advance_after_write(store, std::slice::from_ref(&id), now);
    Ok(())
}

/// Writes a ZVS decision into the application and applicant documents, with the placement scope
/// it gives and the wish documents of that scope (saved by the caller in one transaction).
fn rewrite(
    store: &Store,
    (doc, application): (&mut StoredDoc, &Application),
    (applicant_doc, applicant): (&mut StoredDoc, &Applicant),
    message: &str,
    now: Now,
) -> Result<Vec<StoredDoc>, ActionError> {
    let settings = settings_on(store, now.today)?;
    let scope = placement_scope(&settings, now.today, application, &applicant.address_check);
    doc.update(application, now.today, now.millis, message)?;
    applicant_doc.update(applicant, now.today, now.millis, message)?;
    set_scope(doc, scope.clone(), now)?;
    Ok(crate::applications::wishes::wish_docs(
        store,
        &[(application, &scope)],
        crate::applications::wishes::Siblings::Unchanged,
        &[],
        now,
    )?)
}

/// Makes an inactive application active again (the ZVS, Lastenheft 3.6.7): the sequential
/// procedure takes it up where it stood; the parents are told by mail.
pub fn reactivate(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    note: &str,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::DecideIntake)?;
    let (doc, mut application) = store
        .find::<Application>(&crate::seats::application_doc_id(id))?
        .ok_or_else(|| ActionError::NotFound(id.0.clone()))?;
    let (applicant_doc, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    if application.status != "inactive" {
        return Err(ActionError::Conflict(format!(
            "Der Antrag ist nicht inaktiv ({}) / the application is not inactive",
            application.status
        )));
    }
    let mut v = Validator::new();
    v.optional_text("note", note, 1000);
    v.finish()?;
    let note = note.trim();
    application.status = "active".into();
    let body = format!(
        "Guten Tag,\n\nIhr Antrag {} für {} {} ist wieder aktiv und nimmt an der Vermittlung teil.{}\n\nHello, your application is active again and takes part in placement.\n",
        id.0,
        applicant.child_given_name,
        applicant.child_family_name,
        if note.is_empty() { String::new() } else { format!("\n\n{note}") }
    );
    record(
        store,
        who,
        (doc, application),
        (applicant_doc, applicant),
        Recorded {
            what: format!("reaktiviert{}", suffix(note)),
            message: "reactivated",
            action: "intake.reactivate",
            mail: Some((
                "Kita-Portal: Ihr Antrag ist wieder aktiv / your application is active again",
                body,
            )),
        },
        now,
    )
}

fn suffix(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!(": {note}")
    }
}

/// Points an application's document at `scope` if it is not already.
fn set_scope(doc: &mut StoredDoc, scope: Vec<FacilityId>, now: Now) -> Result<bool, StoreError> {
    if doc.meta.facilities == scope {
        return Ok(false);
    }
    let mut meta = doc.meta.clone();
    meta.facilities = scope;
    Ok(doc.set_scope(meta, now.millis)?)
}

/// What a run of the due work did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DueRun {
    /// Addresses checked again (the re-check window opened).
    pub rechecked: usize,
    /// Of those, no longer found: back on the watch list.
    pub to_watch_list: usize,
    /// Applications whose start came within the horizon: now with the wished Kitas.
    pub admitted: usize,
    /// Applications the sequential procedure moved on.
    pub moved: usize,
    /// Parents reminded of a round's offer before its deadline.
    pub offers_reminded: usize,
    /// Offers of rounds that lapsed without an answer.
    pub offers_lapsed: usize,
    /// Placed applications whose applicant's personal data were erased.
    pub personal_data_erased: usize,
}

/// The intake's due work on `now.today`: the address re-check of pool applications whose
/// window opened, and the admission of applications whose start came within the horizon.
/// Runs on the city node every hour (and on the ZVS's request); doing it twice changes nothing.
pub fn run_due(
    store: &mut Store,
    streets: Option<&dyn StreetDirectory>,
    city_name: &str,
    now: Now,
) -> Result<DueRun, ActionError> {
    let settings = settings_on(store, now.today)?;
    let mut run = DueRun::default();
    // (application, applicant, the wishes that reached their Kitas, the subject).
    let mut changed: Vec<(StoredDoc, StoredDoc, Vec<StoredDoc>, String)> = Vec::new();
    for mut applicant in store.values_of_kind::<Applicant>()? {
        let (mut doc, application) =
            store.get::<Application>(&crate::seats::application_doc_id(&applicant.application))?;
        if application.status != "active" {
            continue;
        }
        let mut applicant_changed = false;
        let (from, _) = settings.recheck_window(application.desired_start);
        let rechecked = applicant.address_checked_on.is_some_and(|d| d >= from);
        if applicant.address_check == "ok" && now.today >= from && !rechecked {
            // Checked against the street directory as at the submission; a family that moved
            // away (population register adapter) falls back onto the watch list.
            let found = applicant
                .address
                .city
                .trim()
                .eq_ignore_ascii_case(city_name)
                && {
                    let (street, number) =
                        crate::portal::streets::parse_address(applicant.address.street.trim());
                    streets.is_some_and(|s| {
                        s.knows(&street, &number, Some(applicant.address.postcode.trim()))
                    })
                };
            run.rechecked += 1;
            applicant.address_checked_on = Some(now.today);
            applicant.history.push(ApplicationEvent {
                on: now.today,
                by: "System".into(),
                what: if found {
                    "Adresse vor Eintritt in die Vermittlung erneut geprüft: gefunden".into()
                } else {
                    "Adresse vor Eintritt in die Vermittlung erneut geprüft: nicht gefunden, zur Prüfung an die ZVS".into()
                },
            });
            if !found {
                applicant.address_check = "not-found".into();
                run.to_watch_list += 1;
            }
            applicant_changed = true;
        }
        // Only admission: an application the Kitas already have stays with them (the ZVS's
        // decisions and the parents' changes narrow the scope where that is meant).
        let scope = placement_scope(&settings, now.today, &application, &applicant.address_check);
        let mut doc_changed = false;
        let mut wish_docs = Vec::new();
        if doc.meta.facilities.is_empty() && !scope.is_empty() {
            run.admitted += 1;
            set_scope(&mut doc, scope.clone(), now)?;
            wish_docs = crate::applications::wishes::wish_docs(
                store,
                &[(&application, &scope)],
                crate::applications::wishes::Siblings::Unchanged,
                &[],
                now,
            )?;
            doc_changed = true;
        }
        if applicant_changed || doc_changed {
            let (mut applicant_doc, _) =
                store.get::<Applicant>(&doc_id_for("applicant", &applicant.application.0))?;
            if applicant_changed {
                applicant_doc.update(&applicant, now.today, now.millis, "address re-check")?;
            }
            changed.push((
                doc,
                applicant_doc,
                wish_docs,
                applicant.application.0.clone(),
            ));
        }
    }
    if !changed.is_empty() {
        save_due(store, &mut changed, now)?;
    }
    // Placed a month ago: the parents' personal data leave the city (the application stays).
    run.personal_data_erased = crate::applications::retention::erase_settled(
        store,
        &|a: &Applicant| crate::portal::streets::applicant_district(streets, a),
        now,
    )?;
    // Offers of placement rounds: reminders before the deadline, lapses after it.
    let lapsed = crate::rounds::lapse_offers(store, now)?;
    run.offers_reminded = lapsed.reminded;
    run.offers_lapsed = lapsed.lapsed;
    // The sequential procedure for every application in placement: the newly admitted ones,
    // and any a ledger change has not moved yet.
    run.moved = crate::applications::sequential::advance_in_store(
        store,
        crate::applications::sequential::Which::All,
        now,
    )?
    .applications;
    Ok(run)
}

fn save_due(
    store: &mut Store,
    changed: &mut [(StoredDoc, StoredDoc, Vec<StoredDoc>, String)],
    now: Now,
) -> Result<(), ActionError> {
    let entry = AuditEntry {
        at: now.millis,
        actor: "system:intake".into(),
        action: "intake.run",
        target: None,
        subjects: changed.iter().map(|c| c.3.clone()).collect(),
        valid_from: Some(now.today.to_string()),
    };
    let mut refs: Vec<&mut StoredDoc> = changed
        .iter_mut()
        .flat_map(|(a, b, wishes, _)| [a, b].into_iter().chain(wishes.iter_mut()))
        .collect();
    store.save_docs(&mut refs, &entry)?;
    Ok(())
}

/// How often the city runs the intake's due work.
const DUE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs [`run_due`] on a node with the portal now and every hour (in the current tokio
/// runtime); nothing on other nodes.
pub fn spawn(node: std::sync::Arc<crate::Node>) -> Option<tokio::task::JoinHandle<()>> {
    node.portal.as_ref()?;
    Some(tokio::spawn(async move {
        loop {
            let city = crate::applications::http::city_name(&node);
            let streets = node.portal.as_ref().and_then(|p| p.streets());
            let now = node.now();
            let ran = run_due(&mut node.store(), streets, &city, now);
            match ran {
                Ok(run) if run != DueRun::default() => {
                    tracing::info!(?run, "intake: due work done")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "intake"),
            }
            // Until the next hour, run the sequential procedure for every Kita whose seat
            // ledger arrives (a reservation, a release, a "no"), a second after the first
            // arrival so that a burst of sync messages becomes one run.
            let next_hour = tokio::time::Instant::now() + DUE_EVERY;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next_hour) => break,
                    _ = node.placement_wake.notified() => {}
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                let facilities = node.placement_wake.take();
                if facilities.is_empty() {
                    continue;
                }
                let now = node.now();
                let ran = crate::applications::sequential::advance_in_store(
                    &mut node.store(),
                    crate::applications::sequential::Which::WishingAt(&facilities),
                    now,
                );
                match ran {
                    Ok(a) if a.applications > 0 => {
                        tracing::info!(moved = a.applications, "sequential procedure")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "sequential procedure"),
                }
            }
        }
    }))
}

/// Largest proof a parent may upload (a scanned page or two).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
/// Proofs one application may carry.
pub const MAX_DOCUMENTS: usize = 10;

/// The types a proof may have, recognised by its first bytes (not by what the browser claims).
pub(crate) fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// The parents attach a proof to their application (Lastenheft 3.3.2 "Nachweisdokumente", e.g.
/// the rental contract of a family moving to the city). PDF, JPEG or PNG, at most 5 MiB.
pub fn upload_proof(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    filename: &str,
    bytes: &[u8],
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::UploadProof)?;
    crate::applications::contact_parent(store, who, id)?;
    let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let mut v = Validator::new();
    v.check(
        application.status == "active",
        "document",
        "Der Antrag ist nicht mehr aktiv / the application is no longer active",
    );
    v.check(
        !bytes.is_empty(),
        "document",
        "Datei wählen / choose a file",
    );
    v.check(
        bytes.len() <= MAX_DOCUMENT_BYTES,
        "document",
        "Die Datei ist größer als 5 MB / the file is larger than 5 MB",
    );
    let content_type = sniff(bytes);
    v.check(
        bytes.is_empty() || content_type.is_some(),
        "document",
        "Nur PDF, JPEG oder PNG / only PDF, JPEG or PNG",
    );
    v.check(
        queries::document_count(store.conn(), id)? < MAX_DOCUMENTS as i64,
        "document",
        format!("höchstens {MAX_DOCUMENTS} Nachweise je Antrag / at most {MAX_DOCUMENTS} proofs"),
    );
    v.finish()?;
    // The name is shown to the ZVS and offered for download: keep it plain.
    let name: String = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(100)
        .collect();
    let name = if name.trim().is_empty() {
        "nachweis".to_string()
    } else {
        name
    };
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.proof.upload",
        target: Some(id.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: None,
    };
    store.write(|tx| {
        queries::insert_document(
            tx,
            id,
            &name,
            content_type.expect("checked"),
            bytes,
            now.millis,
        )?;
        crate::storage::audit_in(tx, &entry)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// A proof for the ZVS to read: (file name, content type, bytes).
pub fn proof(
    store: &Store,
    who: &Principal,
    document: i64,
) -> Result<(String, String, Vec<u8>), ActionError> {
    authorize(who, Action::ViewIntake)?;
    queries::document(store.conn(), document)?
        .ok_or_else(|| ActionError::NotFound(document.to_string()))
}

/// Whether the year of a date is plausible for a child born or expected (used by the ZVS's
/// manual entry, which may enter unborn children).
pub fn expected_birth_plausible(birth: Date, today: Date) -> bool {
    birth.0.year() >= today.0.year() - 14 && birth.0 <= today.0 + Months::new(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_horizon_and_the_recheck_window_count_from_the_start() {
        let s = IntakeSettings::built_in();
        let start = Date::ymd(2027, 8, 1);
        assert_eq!(s.enters_on(start), Date::ymd(2027, 2, 1));
        assert_eq!(
            s.recheck_window(start),
            (Date::ymd(2026, 12, 21), Date::ymd(2027, 1, 4))
        );
        assert_eq!(
            s.horizon_end(Date::ymd(2026, 8, 31)),
            Date::ymd(2027, 2, 28)
        );
    }

    #[test]
    fn only_settled_active_applications_within_the_horizon_reach_the_kitas() {
        let s = IntakeSettings::built_in();
        let today = Date::ymd(2026, 11, 2);
        let app = |start: Date, status: &str| Application {
            id: ApplicationId("app-1".into()),
            wishes: vec![kitanetz_crdt::kinds::WishedFacility {
                facility: FacilityId("fac-b".into()),
                handle: kitanetz_crdt::ids::WishHandle("aaaaaaaa".into()),
                status: "waiting".into(),
                since: None,
            }],
            desired_start: start,
            daily_hours: "8".parse().unwrap(),
            care_type: kitanetz_crdt::kinds::CareType::Nursery,
            age_months_at_start: 12,
            sibling_in_facility: vec![],
            integration_need: false,
            transfer: false,
            transfer_priority: String::new(),
            transfer_from: None,
            status: status.into(),
            together: String::new(),
            childminding_agency: None,
            settled: None,
        };
        let soon = Date::ymd(2027, 3, 1);
        assert_eq!(
            placement_scope(&s, today, &app(soon, "active"), "ok").len(),
            1
        );
        assert!(placement_scope(&s, today, &app(soon, "active"), "outside").is_empty());
        assert!(placement_scope(&s, today, &app(soon, "active"), "not-found").is_empty());
        assert_eq!(
            placement_scope(&s, today, &app(soon, "active"), "released").len(),
            1
        );
        assert!(placement_scope(&s, today, &app(soon, "withdrawn"), "ok").is_empty());
        assert!(
            placement_scope(&s, today, &app(Date::ymd(2027, 8, 1), "active"), "ok").is_empty(),
            "beyond the horizon: in the intake pool"
        );
    }

    #[test]
    fn proofs_are_recognised_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }
}
