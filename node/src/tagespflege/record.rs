//! What the office records: a new childminder, permits, proofs, absences, placements
//! (reservation, agreement, substitute care, for an application), their agreement and end.

use super::*;

/// A new permit (first permit or renewal) as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PermitInput {
    pub childminder: String,
    /// YYYY-MM-DD
    pub start: String,
    /// YYYY-MM-DD; empty: the rules' five years.
    pub end: String,
    pub places: String,
}

/// A proof as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProofInput {
    pub childminder: String,
    /// One of `PROOF_KINDS`.
    pub kind: String,
    pub issued_on: String,
    /// Empty: the rules' validity.
    pub valid_until: String,
}

/// An absence as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AbsenceInput {
    pub childminder: String,
    /// One of `ABSENCE_KINDS`.
    pub kind: String,
    pub from: String,
    pub until: String,
    /// Announced in time / proven / approved: the condition of continued payment.
    pub condition_met: bool,
}

/// A child placed with the childminder, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementInput {
    pub childminder: String,
    pub child_given_name: String,
    pub child_family_name: String,
    pub birth_date: String,
    /// One of `PLACEMENT_KINDS`.
    pub kind: String,
    /// For substitute care: the regular childminder's id.
    pub substitute_for: String,
    pub start: String,
    /// Empty: open-ended.
    pub end: String,
    pub daily_hours: String,
}

/// A placement to conclude (reservation → agreement) or end.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementChange {
    pub placement: String,
    /// For an end: the last day of care, YYYY-MM-DD.
    pub until: String,
}

fn audit(who: &Principal, action: &'static str, target: &str, now: Now) -> AuditEntry {
    AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action,
        target: Some(target.to_string()),
        subjects: vec![target.to_string()],
        valid_from: None,
    }
}

fn meta(kind: DocKind, owner: OrgId, store: &Store, now: Now) -> DocMeta {
    DocMeta {
        kind,
        schema: kind.schema_version(),
        owner,
        provider: None,
        facilities: vec![],
        origin_node: store.node_name().to_string(),
        created_on: now.today,
    }
}

/// Changes the childminder's file with `change` and saves it (created at this node on the first
/// entry), together with `profile` when the change touches her public listing.
pub(super) fn change_case(
    store: &mut Store,
    who: &Principal,
    owner: OrgId,
    childminder: &ChildminderId,
    action: &'static str,
    now: Now,
    change: impl FnOnce(&mut ChildminderCase, &mut Validator),
) -> Result<ChildminderCase, ActionError> {
    let id = case_doc_id(childminder);
    let (doc, mut case) = match store.find::<ChildminderCase>(&id)? {
        Some((doc, case)) => (Some(doc), case),
        None => (
            None,
            ChildminderCase {
                childminder: childminder.clone(),
                permits: vec![],
                proofs: vec![],
                absences: vec![],
                refunds: vec![],
                grants: vec![],
                iban: String::new(),
            },
        ),
    };
    let mut v = Validator::new();
    change(&mut case, &mut v);
    v.finish()?;
    case.validate()?;
    let mut doc = match doc {
        Some(mut doc) => {
            doc.update(&case, now.today, now.millis, action)
                .map_err(StoreError::from)?;
            doc
        }
        None => StoredDoc::create(
            id,
            meta(DocKind::ChildminderCase, owner, store, now),
            &case,
            store.actor(),
            now.today,
            now.millis,
        )
        .map_err(StoreError::from)?,
    };
    store.save_doc(&mut doc, &audit(who, action, &childminder.0, now))?;
    Ok(case)
}

pub(super) fn new_entry_id() -> CaseEntryId {
    CaseEntryId::generate(&mut crate::contracts::os_ids())
}

fn optional_date(v: &mut Validator, field: &str, value: &str) -> Option<Option<Date>> {
    if value.trim().is_empty() {
        Some(None)
    } else {
        v.date(field, value).map(Some)
    }
}

/// A new childminder as the office registers her: the listing's data and her first permit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewChildminder {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub district: String,
    pub phone: String,
    pub email: String,
    /// Her account for the payments; empty: given later.
    pub iban: String,
    #[serde(flatten)]
    pub permit: PermitInput,
}

/// Registers a childminder: her listing (public, not shown in the parents' search until she
/// asks for it) and her file with the first permit, in one transaction. The same name at the
/// same street is refused (a second registration, not a second person).
pub fn register_childminder(
    store: &mut Store,
    who: &Principal,
    input: &NewChildminder,
    now: Now,
) -> Result<ChildminderProfile, ActionError> {
    let owner = authorize_manage(store, who)?;
    let rules = Rules::shipped();
    let mut v = Validator::new();
    let permit = parse_permit(&mut v, &input.permit);
    let iban = super::bank::parse_iban(&mut v, "iban", &input.iban);
    let (name, street) = (input.name.trim(), input.street.trim());
    let twice = store
        .values_of_kind::<ChildminderProfile>()?
        .iter()
        .any(|p| {
            p.name.trim().eq_ignore_ascii_case(name)
                && p.address.street.trim().eq_ignore_ascii_case(street)
        });
    v.check(
        !twice,
        "name",
        "Diese Tagespflegeperson ist schon erfasst / this childminder is registered already",
    );
    v.finish()?;
    let (start, end, places) = permit.expect("checked");
    let (period, _) = tp::register::permit_period(
        &tp::ChildminderId(String::new()),
        &tp::Permit {
            start: start.0,
            end: end.map(|d| d.0),
            places,
        },
        &rules.register,
    )
    .map_err(rules_error)?;
    let mut ids = crate::contracts::os_ids();
    let id = ChildminderId::generate(&mut ids);
    let profile = ChildminderProfile {
        id: id.clone(),
        agency: owner.clone(),
        name: name.to_string(),
        address: kitanetz_crdt::kinds::Address {
            street: street.to_string(),
            postcode: input.postcode.trim().to_string(),
            city: input.city.trim().to_string(),
            lat: None,
            lon: None,
        },
        district: input.district.trim().to_string(),
        places,
        permit: crdt_period(&period),
        email: input.email.trim().to_string(),
        phone: input.phone.trim().to_string(),
        listed_online: false,
        age_from_months: 0,
        age_to_months: 36,
        opens: String::new(),
        closes: String::new(),
        concept_tags: vec![],
        profile_text: String::new(),
        website: String::new(),
    };
    profile.validate()?;
    let case = ChildminderCase {
        childminder: id.clone(),
        permits: vec![CasePermit {
            id: CaseEntryId::generate(&mut ids),
            start,
            end,
            places,
            recorded_on: now.today,
        }],
        proofs: vec![],
        absences: vec![],
        refunds: vec![],
        grants: vec![],
        iban: iban.flatten().unwrap_or_default(),
    };
    case.validate()?;
    let mut listing = StoredDoc::create(
        profile_doc_id(&id),
        meta(DocKind::ChildminderProfile, owner.clone(), store, now),
        &profile,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    let mut file = StoredDoc::create(
        case_doc_id(&id),
        meta(DocKind::ChildminderCase, owner, store, now),
        &case,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    store.save_docs(
        &mut [&mut listing, &mut file],
        &audit(who, "childminder.register", &id.0, now),
    )?;
    Ok(profile)
}

/// The permit's start, end (if the decision names one) and places.
fn parse_permit(v: &mut Validator, input: &PermitInput) -> Option<(Date, Option<Date>, u32)> {
    let start = v.date("start", &input.start);
    let end = optional_date(v, "end", &input.end);
    let places = input.places.trim().parse::<u32>().ok();
    v.check(
        places.is_some_and(|p| (1..=5).contains(&p)),
        "places",
        "1 bis 5 Plätze / 1 to 5 places",
    );
    if let (Some(start), Some(Some(end))) = (start, end) {
        v.check(end >= start, "end", "Ende vor Beginn / end before start");
    }
    Some((start?, end?, places?))
}

/// Records a permit (the first, or a renewal). The public listing follows: her places and the
/// permit's period are those of the newest permit.
pub fn record_permit(
    store: &mut Store,
    who: &Principal,
    input: &PermitInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let rules = Rules::shipped();
    let mut v = Validator::new();
    let parsed = parse_permit(&mut v, input);
    v.finish()?;
    let (start, end, places) = parsed.expect("checked");
    let permit = CasePermit {
        id: new_entry_id(),
        start,
        end,
        places,
        recorded_on: now.today,
    };
    let case = change_case(
        store,
        who,
        owner.clone(),
        &profile.id,
        "childminder.permit",
        now,
        |case, _| case.permits.push(permit.clone()),
    )?;
    // The listing shows the newest permit, when this office owns it.
    let (period, _) = tp::register::permit_period(
        &tp::ChildminderId(profile.id.0.clone()),
        &tp::Permit {
            start: permit.start.0,
            end: permit.end.map(|d| d.0),
            places: permit.places,
        },
        &rules.register,
    )
    .map_err(rules_error)?;
    if let Some((mut doc, mut listing)) =
        store.find::<ChildminderProfile>(&profile_doc_id(&profile.id))?
    {
        let newest = case.permits.iter().map(|p| p.start).max() == Some(permit.start);
        if doc.meta.owner == owner && newest {
            listing.places = permit.places;
            listing.permit = crdt_period(&period);
            listing.validate()?;
            doc.update(&listing, now.today, now.millis, "childminder.permit")
                .map_err(StoreError::from)?;
            store.save_doc(
                &mut doc,
                &audit(who, "childminder.profile", &profile.id.0, now),
            )?;
        }
    }
    Ok(case)
}

pub fn record_proof(
    store: &mut Store,
    who: &Principal,
    input: &ProofInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    v.check(
        PROOF_KINDS.iter().any(|(c, _)| *c == input.kind.trim()),
        "kind",
        "einen Nachweis wählen / choose a proof",
    );
    let issued_on = v.date("issued_on", &input.issued_on);
    let valid_until = optional_date(&mut v, "valid_until", &input.valid_until);
    if let Some(issued) = issued_on {
        v.check(
            issued <= now.today,
            "issued_on",
            "Ausstellungstag in der Zukunft / issued in the future",
        );
    }
    v.finish()?;
    let proof = CaseProof {
        id: new_entry_id(),
        kind: input.kind.trim().to_string(),
        issued_on: issued_on.expect("checked"),
        valid_until: valid_until.expect("checked"),
        recorded_on: now.today,
    };
    change_case(
        store,
        who,
        owner,
        &profile.id,
        "childminder.proof",
        now,
        |case, _| case.proofs.push(proof),
    )
}

pub fn record_absence(
    store: &mut Store,
    who: &Principal,
    input: &AbsenceInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    let kind = input.kind.trim();
    v.check(
        ABSENCE_KINDS.iter().any(|(c, _)| *c == kind),
        "kind",
        "eine Art der Abwesenheit wählen / choose a kind of absence",
    );
    let from = v.date("from", &input.from);
    let until = v.date("until", &input.until);
    let period = typed_period(&mut v, from, until.map(Some), "until");
    v.finish()?;
    let period = period.expect("checked");
    add_absence(
        store,
        who,
        owner,
        &profile.id,
        "childminder.absence",
        CaseAbsence {
            id: new_entry_id(),
            kind: kind.to_string(),
            condition_met: input.condition_met && kind != "other",
            period,
            recorded_on: now.today,
        },
        now,
    )
}

/// Adds a checked absence to the file, refused on the `from` field when it overlaps one that
/// is there (the office's and the childminder's own recording alike).
pub(super) fn add_absence(
    store: &mut Store,
    who: &Principal,
    owner: OrgId,
    childminder: &ChildminderId,
    action: &'static str,
    absence: CaseAbsence,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let period = absence.period;
    change_case(store, who, owner, childminder, action, now, |case, v| {
        let overlap = case.absences.iter().any(|a| a.period.overlaps(&period));
        v.check(
            !overlap,
            "from",
            "Es ist schon eine Abwesenheit in diesem Zeitraum erfasst / an absence is recorded in this period already",
        );
        case.absences.push(absence);
    })
}

/// Places a child with the childminder after the capacity check: refused when, on any day of
/// the placement, more children than the permit's places would be there (reservations and
/// substitute care count, Lastenheft 3.5.6.2), or when no permit is in force on its first day.
pub fn place_child(
    store: &mut Store,
    who: &Principal,
    input: &PlacementInput,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    let kind = input.kind.trim();
    v.check(
        PLACEMENT_KINDS.iter().any(|(c, _)| *c == kind),
        "kind",
        "Reservierung, Vereinbarung oder Ersatzbetreuung wählen / choose reservation, agreement or substitute care",
    );
    let substitute_for = if kind == "substitute" {
        let regular = load_profile(store, &input.substitute_for).ok();
        v.check(
            regular
                .as_ref()
                .is_some_and(|r| r.id != profile.id),
            "substitute_for",
            "die Tagespflegeperson wählen, die das Kind sonst betreut / choose the regular childminder",
        );
        regular.map(|r| r.id)
    } else {
        None
    };
    let birth_date = v.date("birth_date", &input.birth_date);
    let start = v.date("start", &input.start);
    let end = optional_date(&mut v, "end", &input.end);
    let hours = input
        .daily_hours
        .trim()
        .replace(',', ".")
        .parse::<Decimal>()
        .ok();
    v.check(
        hours.is_some(),
        "daily_hours",
        "Stunden am Tag als Zahl, z. B. 7,5 / daily hours as a number",
    );
    let period = typed_period(&mut v, start, end, "end");
    v.finish()?;
    let placement = ChildminderPlacement {
        id: ChildminderPlacementId::generate(&mut crate::contracts::os_ids()),
        childminder: profile.id.clone(),
        child_given_name: input.child_given_name.trim().to_string(),
        child_family_name: input.child_family_name.trim().to_string(),
        birth_date: birth_date.expect("checked"),
        kind: kind.to_string(),
        substitute_for,
        period: period.expect("checked"),
        daily_hours: Dec(hours.expect("checked")),
        recorded_on: now.today,
        application: None,
    };
    store_placement(store, who, owner, placement, vec![], now)
}

/// Checks `placement` against the childminder's places and permits and stores it, with
/// `also` (documents the same action changes) in one transaction.
fn store_placement(
    store: &mut Store,
    who: &Principal,
    owner: OrgId,
    placement: ChildminderPlacement,
    mut also: Vec<StoredDoc>,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    placement.validate()?;
    let rules = Rules::shipped();
    let case = store
        .find::<ChildminderCase>(&case_doc_id(&placement.childminder))?
        .map(|(_, c)| c);
    let record = record_of(&placement.childminder, case.as_ref());
    let permits = tp::register::permit_places(&record, &rules.register).map_err(rules_error)?;
    let others: Vec<ChildminderPlacement> = placements_of(store, &placement.childminder)?;
    let existing: Vec<tp::Occupant> = others.iter().map(occupant).collect();
    let check = tp::check_placement(&permits, &existing, &occupant(&placement), &rules.capacity)
        .map_err(rules_error)?;
    if check.is_refused() {
        let refs: Vec<&ChildminderPlacement> = others.iter().collect();
        let names = child_names(&refs);
        let mut v = Validator::new();
        if check.starts_without_permit() {
            v.fail(
                "start",
                "Am ersten Tag ist keine Pflegeerlaubnis in Kraft / no permit is in force on the first day",
            );
        }
        for s in &check.conflicts {
            let present: Vec<String> = s
                .present
                .iter()
                .filter(|o| o.child.0 != placement.id.0)
                .map(|o| names.get(&o.child.0).cloned().unwrap_or(o.child.0.clone()))
                .collect();
            v.fail(
                "start",
                format!(
                    "{}: schon {} Kinder bei {} Plätzen ({}) / already {} children for {} places",
                    period_text(&s.period),
                    present.len(),
                    s.capacity.unwrap_or(0),
                    present.join(", "),
                    present.len(),
                    s.capacity.unwrap_or(0),
                ),
            );
        }
        return Err(v.finish().expect_err("refused").into());
    }
    let mut doc = StoredDoc::create(
        placement_doc_id(&placement.id),
        meta(DocKind::ChildminderPlacement, owner, store, now),
        &placement,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    let action = match placement.kind.as_str() {
        "reservation" => "childminder.reserve",
        "substitute" => "childminder.substitute",
        _ => "childminder.place",
    };
    let mut all: Vec<&mut StoredDoc> = vec![&mut doc];
    all.extend(also.iter_mut());
    store.save_docs(&mut all, &audit(who, action, &placement.id.0, now))?;
    Ok(placement)
}

fn load_placement(
    store: &Store,
    id: &str,
) -> Result<(StoredDoc, ChildminderPlacement), ActionError> {
    let unknown = || {
        let mut v = Validator::new();
        v.fail("placement", "unbekannte Betreuung / unknown placement");
        ActionError::Invalid(v.finish().expect_err("one failure"))
    };
    let id: ChildminderPlacementId = id.trim().parse().map_err(|_| unknown())?;
    store
        .find::<ChildminderPlacement>(&placement_doc_id(&id))?
        .ok_or_else(unknown)
}

fn save_placement(
    store: &mut Store,
    who: &Principal,
    mut doc: StoredDoc,
    placement: &ChildminderPlacement,
    action: &'static str,
    now: Now,
) -> Result<(), ActionError> {
    placement.validate()?;
    doc.update(placement, now.today, now.millis, action)
        .map_err(StoreError::from)?;
    store.save_doc(&mut doc, &audit(who, action, &placement.id.0, now))?;
    Ok(())
}

/// A reservation for an application: with which childminder, from when (empty: the desired
/// start).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReserveForApplication {
    pub application: String,
    pub childminder: String,
    pub start: String,
}

/// Reserves a place with a childminder for an application's child: the names and birth date
/// from the parents' application, its daily hours, checked against her places like any
/// placement. The parents see it in their application's history.
pub fn reserve_for_application(
    store: &mut Store,
    who: &Principal,
    input: &ReserveForApplication,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    let owner = authorize_manage(store, who)?;
    let unknown = |field: &str, message: &str| {
        let mut v = Validator::new();
        v.fail(field, message);
        ActionError::Invalid(v.finish().expect_err("one failure"))
    };
    let application_id: ApplicationId = input
        .application
        .trim()
        .parse()
        .map_err(|_| unknown("application", "unbekannter Antrag / unknown application"))?;
    let found = store
        .find::<Application>(&crate::seats::application_doc_id(&application_id))?
        .zip(store.find::<Applicant>(&doc_id_for("applicant", &application_id.0))?);
    let Some(((_, application), (mut applicant_doc, mut applicant))) = found else {
        return Err(unknown(
            "application",
            "unbekannter Antrag / unknown application",
        ));
    };
    if applicant.childminding.is_none() || application.status != "active" {
        return Err(ActionError::Conflict(
            "Der Antrag wünscht keine Kindertagespflege oder ist nicht mehr aktiv / \
             the application has no active childminding wish"
                .into(),
        ));
    }
    let taken = store
        .values_of_kind::<ChildminderPlacement>()?
        .iter()
        .any(|p| p.application.as_ref() == Some(&application_id));
    if taken {
        return Err(ActionError::Conflict(
            "Für diesen Antrag ist schon ein Platz reserviert / a place is reserved for this application already"
                .into(),
        ));
    }
    let profile = load_profile(store, &input.childminder).map_err(|_| {
        unknown(
            "childminder",
            "eine Tagespflegeperson wählen / choose a childminder",
        )
    })?;
    let mut v = Validator::new();
    let start = if input.start.trim().is_empty() {
        Some(application.desired_start.max(now.today))
    } else {
        v.date("start", &input.start)
    };
    v.finish()?;
    let placement = ChildminderPlacement {
        id: ChildminderPlacementId::generate(&mut crate::contracts::os_ids()),
        childminder: profile.id.clone(),
        child_given_name: applicant.child_given_name.clone(),
        child_family_name: applicant.child_family_name.clone(),
        birth_date: applicant.child_birth_date,
        kind: "reservation".into(),
        substitute_for: None,
        period: Period::from(start.expect("checked")),
        daily_hours: application.daily_hours,
        recorded_on: now.today,
        application: Some(application_id),
    };
    applicant.history.push(ApplicationEvent {
        on: now.today,
        by: "Kindertagespflege".into(),
        what: format!(
            "Platz in der Kindertagespflege bei {} ab {} reserviert",
            profile.name,
            german(placement.period.start().0)
        ),
    });
    applicant_doc
        .update(&applicant, now.today, now.millis, "childminder.reserve")
        .map_err(StoreError::from)?;
    store_placement(store, who, owner, placement, vec![applicant_doc], now)
}

/// The application a concluded agreement places: placed, every Kita wish placed elsewhere
/// (each wished Kita learns it through its wish document and releases a seat it held), the
/// parents' history told. Nothing when the application is not held here; refused when it was
/// placed elsewhere or withdrawn meanwhile.
fn place_application(
    store: &Store,
    application: &ApplicationId,
    childminder: &str,
    now: Now,
) -> Result<Vec<StoredDoc>, ActionError> {
    use crate::applications::sequential::status;
    let Some((mut doc, mut app)) =
        store.find::<Application>(&crate::seats::application_doc_id(application))?
    else {
        return Ok(vec![]);
    };
    match app.status.as_str() {
        "active" => {}
        "placed" => {
            return Err(ActionError::Conflict(
                "Das Kind ist inzwischen anderswo vermittelt; die Reservierung beenden / \
                 the child was placed elsewhere meanwhile; end the reservation"
                    .into(),
            ))
        }
        "withdrawn" => {
            return Err(ActionError::Conflict(
                "Die Eltern haben den Antrag zurückgezogen; die Reservierung beenden / \
                 the parents withdrew the application; end the reservation"
                    .into(),
            ))
        }
        _ => return Ok(vec![]),
    }
    app.status = "placed".into();
    for wish in &mut app.wishes {
        wish.status = status::PLACED_ELSEWHERE.into();
        wish.since = Some(now.today);
    }
    doc.update(&app, now.today, now.millis, "childminder.agree")
        .map_err(StoreError::from)?;
    let scope = doc.meta.facilities.clone();
    let mut docs = crate::applications::wishes::wish_docs(
        store,
        &[(&app, &scope)],
        crate::applications::wishes::Siblings::Unchanged,
        &[],
        now,
    )?;
    docs.push(doc);
    if let Some((mut applicant_doc, mut applicant)) =
        store.find::<Applicant>(&doc_id_for("applicant", &application.0))?
    {
        applicant.history.push(ApplicationEvent {
            on: now.today,
            by: "Kindertagespflege".into(),
            what: format!(
                "Betreuungsvereinbarung mit {childminder}: in Kindertagespflege vermittelt"
            ),
        });
        applicant_doc
            .update(&applicant, now.today, now.millis, "childminder.agree")
            .map_err(StoreError::from)?;
        docs.push(applicant_doc);
    }
    Ok(docs)
}

/// The parents took the reserved place: the reservation becomes the care agreement
/// (Betreuungsvereinbarung, L1701–1704). It was counted against the places already.
pub fn conclude_agreement(
    store: &mut Store,
    who: &Principal,
    input: &PlacementChange,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    authorize_manage(store, who)?;
    let (doc, mut placement) = load_placement(store, &input.placement)?;
    if placement.kind != "reservation" {
        return Err(ActionError::Conflict(
            "Nur eine Reservierung wird zur Vereinbarung / only a reservation becomes an agreement"
                .into(),
        ));
    }
    placement.kind = "agreement".into();
    placement.validate()?;
    let also = match &placement.application {
        Some(application) => {
            let name = load_profile(store, &placement.childminder.0)
                .map_or_else(|_| placement.childminder.0.clone(), |p| p.name);
            place_application(store, application, &name, now)?
        }
        None => vec![],
    };
    let mut doc = doc;
    doc.update(&placement, now.today, now.millis, "childminder.agree")
        .map_err(StoreError::from)?;
    let mut also = also;
    let mut all: Vec<&mut StoredDoc> = vec![&mut doc];
    all.extend(also.iter_mut());
    store.save_docs(
        &mut all,
        &audit(who, "childminder.agree", &placement.id.0, now),
    )?;
    Ok(placement)
}

/// Ends a placement after `until` (the last day of care). A reservation the parents declined
/// (no day given, or a day before it would have begun) is withdrawn: the document with the
/// child's data is erased here, and an application it answered is open for a place again.
pub fn end_placement(
    store: &mut Store,
    who: &Principal,
    input: &PlacementChange,
    now: Now,
) -> Result<ChildminderPlacement, ActionError> {
    authorize_manage(store, who)?;
    let (doc, mut placement) = load_placement(store, &input.placement)?;
    let start = placement.period.start();
    if placement.kind == "reservation" {
        let withdrawn = input.until.trim().is_empty()
            || input
                .until
                .trim()
                .parse::<Date>()
                .is_ok_and(|until| until < start);
        if withdrawn {
            store.save_and_erase_docs_with(
                &mut [],
                std::slice::from_ref(&doc.id),
                &audit(who, "childminder.withdraw", &placement.id.0, now),
                |_| Ok(()),
            )?;
            return Ok(placement);
        }
    }
    let mut v = Validator::new();
    let until = v.date("until", &input.until);
    if let Some(until) = until {
        v.check(
            until >= start,
            "until",
            "Ende vor Beginn der Betreuung / end before the care begins",
        );
        v.check(
            placement.period.end().is_none_or(|e| until <= e),
            "until",
            "nach dem vereinbarten Ende / after the agreed end",
        );
    }
    v.finish()?;
    placement.period = Period::new(start, until).expect("checked: until after start");
    save_placement(store, who, doc, &placement, "childminder.end", now)?;
    Ok(placement)
}
