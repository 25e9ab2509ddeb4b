//! The parents' application (Lastenheft 3.3.2): one or several children applying together, up
//! to five ranked wishes mixing Kitas and Kindertagespflege, the checks of the Lastenheft, and
//! one active application per child across all providers.
//!
//! Each child becomes two documents at the city: the pseudonymous placement record
//! (`application`, the wished Kitas see it) and the parents' half (`applicant`, city only) with
//! names, address, the ranking and the consents. Children applying together share a pseudonym
//! (`together`) so that placement keeps them together.

pub mod http;
mod queries;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::outbox;
use crate::portal::{completed_months, streets::StreetDirectory};
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    city_org, doc_id_for, ApplicationId, ChildminderId, FacilityId, OrgId, RandomIdGen,
};
use kitanetz_crdt::kinds::{
    Address, Applicant, Application, CareType, ChildmindingWish, Consents, Sex, WishedFacility,
};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use serde::Serialize;
use std::collections::BTreeMap;

/// Children one application may hold (siblings applying together).
pub const MAX_CHILDREN: usize = 3;
/// Wishes of an application (Lastenheft: up to five, at least one).
pub const MAX_WISHES: usize = kitanetz_crdt::kinds::application::MAX_WISHES;
/// How far ahead a start may be wished (the placement horizon is shorter; the intake pool
/// holds what lies beyond it).
pub const MAX_YEARS_AHEAD: i32 = 3;
/// The value of the Kindertagespflege choice in a wish field.
pub const CHILDMINDING: &str = "tagespflege";

/// One child as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChildInput {
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    /// "female", "male", "diverse", "unspecified"
    pub sex: String,
    pub integration_need: bool,
    pub denomination: String,
}

impl ChildInput {
    fn is_blank(&self) -> bool {
        self.given_name.trim().is_empty()
            && self.family_name.trim().is_empty()
            && self.birth_date.trim().is_empty()
    }
}

/// The application form as typed: every field a string, so that bad input comes back with a
/// message next to its field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplicationInput {
    pub children: Vec<ChildInput>,
    pub guardian_given_name: String,
    pub guardian_family_name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub desired_start: String,
    pub daily_hours: String,
    /// Rank order: `f:<facility id>` or [`CHILDMINDING`]; empty slots are skipped.
    pub wishes: Vec<String>,
    /// The district whose childminding office is wished (with a [`CHILDMINDING`] wish).
    pub childminding_district: String,
    /// A childminder the parents would like (her id from the portal), optional.
    pub childminder: String,
    pub childminder_note: String,
    pub sibling_in_first_wish: bool,
    pub reasons: String,
    /// "email" or "post".
    pub notify: String,
    pub consent_data_processing: bool,
    pub consent_forwarding: bool,
    pub consent_terms: bool,
    pub transfer: bool,
    pub transfer_reason: String,
}

impl ApplicationInput {
    /// Reads a posted form (children as `child1_given_name`, …; wishes as `wish1` … `wish5`).
    pub fn from_pairs(pairs: &[(String, String)]) -> ApplicationInput {
        let mut input = ApplicationInput {
            children: vec![ChildInput::default(); MAX_CHILDREN],
            wishes: vec![String::new(); MAX_WISHES],
            ..ApplicationInput::default()
        };
        for (key, value) in pairs {
            let v = value.clone();
            let on = value != "false" && !value.is_empty();
            if let Some(rest) = key.strip_prefix("child") {
                let Some((n, field)) = rest.split_once('_') else {
                    continue;
                };
                let Some(child) = n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_CHILDREN).contains(n))
                    .map(|n| &mut input.children[n - 1])
                else {
                    continue;
                };
                match field {
                    "given_name" => child.given_name = v,
                    "family_name" => child.family_name = v,
                    "birth_date" => child.birth_date = v,
                    "sex" => child.sex = v,
                    "integration_need" => child.integration_need = on,
                    "denomination" => child.denomination = v,
                    _ => {}
                }
                continue;
            }
            if let Some(n) = key.strip_prefix("wish") {
                if let Some(n) = n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_WISHES).contains(n))
                {
                    input.wishes[n - 1] = v;
                }
                continue;
            }
            match key.as_str() {
                "guardian_given_name" => input.guardian_given_name = v,
                "guardian_family_name" => input.guardian_family_name = v,
                "street" => input.street = v,
                "postcode" => input.postcode = v,
                "city" => input.city = v,
                "phone" => input.phone = v,
                "email" => input.email = v,
                "desired_start" => input.desired_start = v,
                "daily_hours" => input.daily_hours = v,
                "childminding_district" => input.childminding_district = v,
                "childminder" => input.childminder = v,
                "childminder_note" => input.childminder_note = v,
                "sibling_in_first_wish" => input.sibling_in_first_wish = on,
                "reasons" => input.reasons = v,
                "notify" => input.notify = v,
                "consent_data_processing" => input.consent_data_processing = on,
                "consent_forwarding" => input.consent_forwarding = on,
                "consent_terms" => input.consent_terms = on,
                "transfer" => input.transfer = on,
                "transfer_reason" => input.transfer_reason = v,
                _ => {}
            }
        }
        input
    }
}

/// The care type a child needs at `start` (RULES.md §1 and §3): Krippe until the third
/// birthday, Kindergarten until school, Hort from the school year (1 August) of the year in
/// which the child is six by 30 June.
pub fn care_type_at(birth: Date, start: Date) -> CareType {
    use chrono::Datelike;
    if completed_months(birth, start) < 36 {
        return CareType::Nursery;
    }
    let b = birth.0;
    let school_year = if (b.month(), b.day()) <= (6, 30) {
        b.year() + 6
    } else {
        b.year() + 7
    };
    let school_start = chrono::NaiveDate::from_ymd_opt(school_year, 8, 1).expect("1 August");
    if start.0 >= school_start {
        CareType::AfterSchool
    } else {
        CareType::Kindergarten
    }
}

fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "female" => Some(Sex::Female),
        "male" => Some(Sex::Male),
        "diverse" => Some(Sex::Diverse),
        "unspecified" | "" => Some(Sex::Unspecified),
        _ => None,
    }
}

/// A child's identifying data, normalised for the duplicate check (case, spaces, umlauts).
fn identity_text(given: &str, family: &str, birth: Date) -> String {
    let norm = |s: &str| {
        s.trim()
            .to_lowercase()
            .replace('ß', "ss")
            .replace('ä', "ae")
            .replace('ö', "oe")
            .replace('ü', "ue")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("{}|{}|{birth}", norm(given), norm(family))
}

/// A wish as understood.
#[derive(Debug, Clone)]
enum Wish {
    Facility(FacilityId),
    Childminding,
}

/// What the checks found, ready to be stored.
struct Checked {
    children: Vec<(String, String, Date, Sex, bool, String, CareType)>,
    address: Address,
    phone: String,
    email: String,
    start: Date,
    hours: Dec,
    wishes: Vec<Wish>,
    childminding: Option<(String, OrgId, Option<ChildminderId>)>,
    notify_by_post: bool,
}

/// The result of a submission: the new applications (one per child).
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    pub applications: Vec<ApplicationId>,
}

/// Everything the form and the checks need from the store.
pub struct ApplyContext {
    /// Facilities a wish may name: id → (name, care types with places at the start date are
    /// checked against the licence).
    pub facilities: BTreeMap<FacilityId, String>,
    /// District → its childminding office (from the childminders' profiles).
    pub agencies: BTreeMap<String, OrgId>,
    /// The city whose residents apply here (the address check and the watch list).
    pub city_name: String,
}

/// Facilities and childminding districts for the form and the checks (the districts' offices
/// come from the portal's cached public data, not from decoding every childminder).
pub fn context(
    store: &Store,
    portal: &crate::portal::Portal,
    city_name: &str,
    today: Date,
) -> Result<ApplyContext, StoreError> {
    Ok(ApplyContext {
        facilities: queries::facility_names(store)?,
        agencies: portal.public_data(store, today)?.agencies.clone(),
        city_name: city_name.to_string(),
    })
}

#[allow(clippy::too_many_arguments)]
fn check(
    store: &Store,
    ctx: &ApplyContext,
    streets: Option<&dyn StreetDirectory>,
    input: &ApplicationInput,
    today: Date,
) -> Result<(Checked, String), ActionError> {
    use chrono::Datelike;
    let mut v = Validator::new();
    let mut children = Vec::new();
    let filled: Vec<(usize, &ChildInput)> = input
        .children
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_blank())
        .collect();
    v.check(
        !filled.is_empty(),
        "child1_given_name",
        "Angaben zum Kind fehlen / the child's details are missing",
    );
    let start = v.date("desired_start", &input.desired_start);
    if let Some(s) = start {
        v.check(
            s > today,
            "desired_start",
            "Der Betreuungsbeginn liegt in der Zukunft / the start lies in the future",
        );
        v.check(
            s.0.year() <= today.0.year() + MAX_YEARS_AHEAD,
            "desired_start",
            format!("höchstens {MAX_YEARS_AHEAD} Jahre im Voraus / at most {MAX_YEARS_AHEAD} years ahead"),
        );
    }
    for (i, c) in &filled {
        let n = i + 1;
        v.text(&format!("child{n}_given_name"), &c.given_name, 100);
        v.text(&format!("child{n}_family_name"), &c.family_name, 100);
        let field = format!("child{n}_birth_date");
        let birth = v.date(&field, &c.birth_date);
        if let Some(b) = birth {
            // Unborn children are entered by the ZVS only (Lastenheft 3.3.2, 3.4.1).
            v.check(
                b <= today,
                &field,
                "Anträge für ungeborene Kinder nimmt nur die Zentrale Vermittlungsstelle auf / applications for unborn children are taken by the placement office only",
            );
            v.check(
                b.0.year() >= today.0.year() - 14,
                &field,
                "Geburtsdatum prüfen / check the date of birth",
            );
        }
        let sex = parse_sex(&c.sex);
        v.check(
            sex.is_some(),
            format!("child{n}_sex"),
            "Geschlecht wählen / choose the sex",
        );
        v.optional_text(&format!("child{n}_denomination"), &c.denomination, 50);
        if let (Some(b), Some(s), Some(sex)) = (birth, start, sex) {
            children.push((
                c.given_name.trim().to_string(),
                c.family_name.trim().to_string(),
                b,
                sex,
                c.integration_need,
                c.denomination.trim().to_string(),
                care_type_at(b, s),
            ));
        }
    }
    v.text("guardian_given_name", &input.guardian_given_name, 100);
    v.text("guardian_family_name", &input.guardian_family_name, 100);
    v.text("street", &input.street, 200);
    v.check(
        input.postcode.trim().len() == 5
            && input.postcode.trim().bytes().all(|b| b.is_ascii_digit()),
        "postcode",
        "fünfstellige Postleitzahl / five-digit postcode",
    );
    v.text("city", &input.city, 100);
    v.text("phone", &input.phone, 40);
    let post = match input.notify.as_str() {
        "post" => true,
        "email" | "" => false,
        _ => {
            v.fail("notify", "E-Mail oder Post wählen / choose e-mail or post");
            false
        }
    };
    if !post {
        v.check(
            input.email.trim().contains('@'),
            "email",
            "E-Mail-Adresse für die Benachrichtigung / an e-mail address for notifications",
        );
    }
    let hours = input
        .daily_hours
        .trim()
        .replace(',', ".")
        .parse::<Dec>()
        .ok();
    match hours {
        Some(h) => kitanetz_crdt::kinds::daily_hours(&mut v, "daily_hours", h),
        None => v.fail(
            "daily_hours",
            "Betreuungsstunden am Tag, z. B. 7,5 / hours of care a day, e.g. 7.5",
        ),
    }

    // Wishes: in rank order, no repeats, each offering what every child needs at the start.
    let mut wishes = Vec::new();
    for (i, w) in input.wishes.iter().enumerate() {
        let field = format!("wish{}", i + 1);
        let w = w.trim();
        if w.is_empty() {
            continue;
        }
        if w == CHILDMINDING {
            v.check(
                !wishes.iter().any(|x| matches!(x, Wish::Childminding)),
                &field,
                "Kindertagespflege nur einmal wählen / choose childminding once",
            );
            wishes.push(Wish::Childminding);
            continue;
        }
        let facility = w
            .strip_prefix("f:")
            .and_then(|id| id.parse::<FacilityId>().ok())
            .filter(|f| ctx.facilities.contains_key(f));
        let Some(facility) = facility else {
            v.fail(&field, "unbekannte Einrichtung / unknown facility");
            continue;
        };
        if wishes
            .iter()
            .any(|x| matches!(x, Wish::Facility(f) if *f == facility))
        {
            v.fail(
                &field,
                "Einrichtung doppelt gewählt / facility chosen twice",
            );
            continue;
        }
        if let Some(s) = start {
            for c in &children {
                let offered = queries::places_on(store, &facility, c.6, s)? > 0;
                v.check(
                    offered,
                    &field,
                    format!(
                        "{} bietet zum Beginn keine {} an, die {} dann braucht / offers no {} at the start",
                        ctx.facilities[&facility],
                        c.6.label_de(),
                        c.0,
                        c.6.label_en()
                    ),
                );
            }
        }
        wishes.push(Wish::Facility(facility));
    }
    v.check(
        !wishes.is_empty(),
        "wish1",
        "mindestens einen Wunsch angeben / give at least one wish",
    );
    let childminding = if wishes.iter().any(|w| matches!(w, Wish::Childminding)) {
        for c in &children {
            v.check(
                c.6 == CareType::Nursery,
                "childminding_district",
                format!(
                    "Kindertagespflege ist für Kinder unter drei Jahren; {} ist dann älter / childminding is for children under three",
                    c.0
                ),
            );
        }
        let district = input.childminding_district.trim();
        let agency = ctx.agencies.get(district).cloned();
        v.check(
            agency.is_some(),
            "childminding_district",
            "Ortsamt für die Kindertagespflege wählen / choose the district for childminding",
        );
        let childminder = match input.childminder.trim() {
            "" => None,
            id => {
                let parsed = id.parse::<ChildminderId>().ok();
                v.check(
                    parsed.is_some(),
                    "childminder",
                    "unbekannte Tagespflegeperson / unknown childminder",
                );
                parsed
            }
        };
        v.optional_text("childminder_note", &input.childminder_note, 500);
        agency.map(|a| (district.to_string(), a, childminder))
    } else {
        None
    };
    v.check(
        input.consent_data_processing && input.consent_forwarding && input.consent_terms,
        "consents",
        "Ohne alle drei Einwilligungen kann der Antrag nicht aufgenommen werden / the application needs all three consents",
    );
    if input.transfer {
        v.text("transfer_reason", &input.transfer_reason, 2000);
    }
    v.optional_text("reasons", &input.reasons, 2000);
    v.finish()?;

    // The address check: in the city, the street directory must know it (a mismatch is
    // flagged, the application still taken); outside, it goes to the ZVS's watch list.
    let in_city = input.city.trim().eq_ignore_ascii_case(&ctx.city_name);
    let address_check = if !in_city {
        "outside"
    } else {
        let (street, number) = crate::portal::streets::parse_address(input.street.trim());
        match streets.map(|s| s.locate(&street, &number, Some(input.postcode.trim()))) {
            Some(Some(_)) => "ok",
            _ => "not-found",
        }
    };
    let address = Address {
        street: input.street.trim().to_string(),
        postcode: input.postcode.trim().to_string(),
        city: input.city.trim().to_string(),
        lat: None,
        lon: None,
    };
    Ok((
        Checked {
            children,
            address,
            phone: input.phone.trim().to_string(),
            email: input.email.trim().to_string(),
            start: start.expect("checked"),
            hours: hours.expect("checked"),
            wishes,
            childminding,
            notify_by_post: post,
        },
        address_check.to_string(),
    ))
}

fn os_ids() -> RandomIdGen<impl FnMut() -> u128> {
    RandomIdGen(|| {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        u128::from_le_bytes(b)
    })
}

/// A random pseudonym (per-Kita handles, the siblings' group): 128 bits, so that two never
/// meet across years of applications.
fn pseudonym() -> String {
    let mut b = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    hex::encode(b)
}

/// Submits an application: every check first (nothing is stored when one fails), then one
/// application per child, the duplicate keys, the account link, the receipt mail and the audit
/// entry in one transaction.
pub fn submit(
    store: &mut Store,
    ctx: &ApplyContext,
    streets: Option<&dyn StreetDirectory>,
    who: &Principal,
    input: &ApplicationInput,
    now: Now,
) -> Result<Submitted, ActionError> {
    authorize(who, Action::SubmitApplication)?;
    let Principal::Guardian(account) = who else {
        return Err(ActionError::NotFound("Konto / account".into()));
    };
    let (checked, address_check) = check(store, ctx, streets, input, now.today)?;

    // One active application per child, across all providers.
    let secret = queries::child_key_secret(store)?;
    let keys: Vec<String> = checked
        .children
        .iter()
        .map(|c| queries::child_key(&secret, &identity_text(&c.0, &c.1, c.2)))
        .collect();
    let mut v = Validator::new();
    for (i, key) in keys.iter().enumerate() {
        if let Some(existing) = queries::active_application_of(store, key)? {
            let own = queries::account_of(store, &existing)? == Some(account.account_id);
            v.fail(
                format!("child{}_given_name", i + 1),
                if own {
                    format!("Für {} liegt schon Ihr Antrag {} vor; ändern Sie ihn unter „Meine Anträge“ / there is already your application {} for this child", checked.children[i].0, existing.0, existing.0)
                } else {
                    format!("Für {} liegt schon ein aktiver Antrag vor (je Kind nur einer). Wenden Sie sich an die Zentrale Vermittlungsstelle / there is already an active application for this child; contact the placement office", checked.children[i].0)
                },
            );
        }
    }
    if keys.len() > 1 {
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        v.check(
            sorted.len() == keys.len(),
            "child2_given_name",
            "Ein Kind ist doppelt angegeben / a child is given twice",
        );
    }
    v.finish()?;

    let mut ids = os_ids();
    let together = if checked.children.len() > 1 {
        pseudonym()
    } else {
        String::new()
    };
    let facilities: Vec<FacilityId> = checked
        .wishes
        .iter()
        .filter_map(|w| match w {
            Wish::Facility(f) => Some(f.clone()),
            Wish::Childminding => None,
        })
        .collect();
    let childminding_rank = checked
        .wishes
        .iter()
        .position(|w| matches!(w, Wish::Childminding))
        .map(|p| p as u32 + 1);
    let mut sorted_facilities = facilities.clone();
    sorted_facilities.sort();
    let mut docs: Vec<StoredDoc> = Vec::new();
    let mut created = Vec::new();
    for c in &checked.children {
        let id = ApplicationId::generate(&mut ids);
        let application = Application {
            id: id.clone(),
            wishes: sorted_facilities
                .iter()
                .map(|f| WishedFacility {
                    facility: f.clone(),
                    handle: pseudonym(),
                    status: "waiting".into(),
                })
                .collect(),
            desired_start: checked.start,
            daily_hours: checked.hours,
            care_type: c.6,
            age_months_at_start: completed_months(c.2, checked.start),
            sibling_in_facility: match (input.sibling_in_first_wish, checked.wishes.first()) {
                (true, Some(Wish::Facility(f))) => vec![f.clone()],
                _ => vec![],
            },
            integration_need: c.4,
            transfer: input.transfer,
            status: "active".into(),
            together: together.clone(),
            childminding_agency: checked.childminding.as_ref().map(|(_, a, _)| a.clone()),
        };
        let applicant = Applicant {
            application: id.clone(),
            child_given_name: c.0.clone(),
            child_family_name: c.1.clone(),
            child_birth_date: c.2,
            child_sex: c.3,
            guardian_given_name: input.guardian_given_name.trim().to_string(),
            guardian_family_name: input.guardian_family_name.trim().to_string(),
            address: checked.address.clone(),
            phone: checked.phone.clone(),
            email: checked.email.clone(),
            ranked_wishes: facilities.clone(),
            consents: Consents {
                data_processing: true,
                forwarding_to_free_providers: true,
                terms: true,
            },
            notify_by_post: checked.notify_by_post,
            child_denomination: c.5.clone(),
            reasons: input.reasons.trim().to_string(),
            transfer_reason: input.transfer_reason.trim().to_string(),
            childminding: checked.childminding.as_ref().map(|(district, agency, cm)| {
                ChildmindingWish {
                    rank: childminding_rank.unwrap_or(1),
                    district: district.clone(),
                    agency: agency.clone(),
                    childminder: cm.clone(),
                    note: input.childminder_note.trim().to_string(),
                }
            }),
            address_check: address_check.clone(),
            submitted_on: Some(now.today),
        };
        let meta = |kind: DocKind| DocMeta {
            kind,
            schema: kind.schema_version(),
            owner: city_org(),
            provider: None,
            facilities: sorted_facilities.clone(),
            origin_node: store.node_name().to_string(),
            created_on: now.today,
        };
        docs.push(
            StoredDoc::create(
                crate::seats::application_doc_id(&id),
                meta(DocKind::Application),
                &application,
                store.actor(),
                now.today,
                now.millis,
            )
            .map_err(StoreError::from)?,
        );
        docs.push(
            StoredDoc::create(
                doc_id_for("applicant", &id.0),
                meta(DocKind::Applicant),
                &applicant,
                store.actor(),
                now.today,
                now.millis,
            )
            .map_err(StoreError::from)?,
        );
        created.push(id);
    }
    let receipt = receipt_text(ctx, &checked, &created, now.today);
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.submit",
        target: created.first().map(|a| a.0.clone()),
        subjects: created.iter().map(|a| a.0.clone()).collect(),
        valid_from: Some(checked.start.to_string()),
    };
    let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
    store.save_docs_with(&mut refs, &entry, |tx| {
        for (key, id) in keys.iter().zip(&created) {
            queries::remember(tx, key, id, account.account_id, now.millis)?;
        }
        if !checked.notify_by_post {
            outbox::enqueue(
                tx,
                &checked.email,
                "Kita-Portal: Eingangsbestätigung Ihres Antrags / receipt of your application",
                &receipt,
                now.millis,
            )?;
        }
        Ok(())
    })?;
    Ok(Submitted {
        applications: created,
    })
}

fn receipt_text(ctx: &ApplyContext, c: &Checked, ids: &[ApplicationId], today: Date) -> String {
    let children: Vec<String> = c
        .children
        .iter()
        .zip(ids)
        .map(|(child, id)| format!("  {} {} (Antragsnummer {})", child.0, child.1, id.0))
        .collect();
    let wishes: Vec<String> = c
        .wishes
        .iter()
        .enumerate()
        .map(|(i, w)| match w {
            Wish::Facility(f) => format!("  {}. {}", i + 1, ctx.facilities[f]),
            Wish::Childminding => format!(
                "  {}. Kindertagespflege ({})",
                i + 1,
                c.childminding.as_ref().map_or("", |(d, _, _)| d.as_str())
            ),
        })
        .collect();
    format!(
        "Guten Tag,\n\nIhr Antrag auf einen Betreuungsplatz ist am {today} bei der Zentralen Vermittlungsstelle eingegangen.\n\nKinder:\n{}\n\nGewünschter Beginn: {}, {} Stunden am Tag\n\nIhre Wünsche in Ihrer Reihenfolge:\n{}\n\nDie Einrichtungen sehen Ihren Antrag ohne Ihren Namen und ohne die Reihenfolge Ihrer Wünsche. Ihre Kontaktdaten erhält eine Einrichtung erst, wenn sie Ihnen einen Platz reserviert. Den Stand Ihres Antrags sehen Sie im Portal unter „Meine Anträge“.\n\nHello, your application for a childcare place was received on {today}. You can follow it in the portal under \"My applications\".\n",
        children.join("\n"),
        c.start,
        c.hours,
        wishes.join("\n")
    )
}

/// The parents withdraw an application (Lastenheft 3.3.2: "löschen"): it is kept and flagged
/// `withdrawn` for the statistics, never deleted; the Kitas it names see the flag on their seat
/// lists (with a task to release a seat they hold for it), and the child may be applied for
/// again. Not possible once the child is placed.
pub fn withdraw(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::WithdrawApplication)?;
    let Principal::Guardian(account) = who else {
        return Err(ActionError::NotFound(id.0.clone()));
    };
    // Only one's own: anybody else's answers as if it did not exist.
    if queries::account_of(store, id)? != Some(account.account_id) {
        return Err(ActionError::NotFound(id.0.clone()));
    }
    let (mut doc, mut application) =
        store.get::<Application>(&crate::seats::application_doc_id(id))?;
    if application.status != "active" {
        return Err(ActionError::Conflict(
            "Dieser Antrag ist nicht mehr aktiv und kann nicht zurückgezogen werden / this application is no longer active"
                .into(),
        ));
    }
    application.status = "withdrawn".into();
    doc.update(
        &application,
        now.today,
        now.millis,
        "withdrawn by the parents",
    )?;
    let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.withdraw",
        target: Some(id.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: Some(now.today.to_string()),
    };
    store.save_docs_with(&mut [&mut doc], &entry, |tx| {
        if !applicant.notify_by_post && !applicant.email.is_empty() {
            outbox::enqueue(
                tx,
                &applicant.email,
                "Kita-Portal: Antrag zurückgezogen / application withdrawn",
                &format!(
                    "Guten Tag,\n\nIhr Antrag {} für {} {} ist am {} zurückgezogen worden. Die Einrichtungen erfahren es; ein reservierter Platz wird freigegeben.\n\nHello, your application {} was withdrawn on {}.\n",
                    id.0,
                    applicant.child_given_name,
                    applicant.child_family_name,
                    now.today,
                    id.0,
                    now.today
                ),
                now.millis,
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// One application as its parents see it.
#[derive(Debug, Clone, Serialize)]
pub struct OwnApplication {
    pub id: String,
    pub child: String,
    pub submitted_on: String,
    pub desired_start: String,
    pub care_type: CareType,
    pub status: String,
    /// In the parents' order: (name, status).
    pub wishes: Vec<(String, String)>,
    pub address_check: String,
}

/// The applications the logged-in parent submitted, newest first.
pub fn own_applications(
    store: &Store,
    who: &Principal,
) -> Result<Vec<OwnApplication>, ActionError> {
    authorize(who, Action::ViewOwnApplications)?;
    let Principal::Guardian(account) = who else {
        return Ok(vec![]);
    };
    let names = crate::facilities::names(store)?;
    let mut out = Vec::new();
    for id in queries::applications_of(store, account.account_id)? {
        let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(&id))?;
        let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
        let status_at = |f: &FacilityId| {
            application
                .wishes
                .iter()
                .find(|w| w.facility == *f)
                .map_or_else(String::new, |w| w.status.clone())
        };
        let mut wishes: Vec<(u32, String, String)> = applicant
            .ranked_wishes
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    i as u32 + 1,
                    names.get(&f.0).cloned().unwrap_or_else(|| f.0.clone()),
                    status_at(f),
                )
            })
            .collect();
        if let Some(c) = &applicant.childminding {
            // The childminding wish takes its rank; the Kitas after it move down one.
            for w in wishes.iter_mut().filter(|w| w.0 >= c.rank) {
                w.0 += 1;
            }
            wishes.push((
                c.rank,
                format!("Kindertagespflege ({})", c.district),
                "waiting".into(),
            ));
        }
        wishes.sort_by_key(|w| w.0);
        out.push(OwnApplication {
            id: id.0.clone(),
            child: format!(
                "{} {}",
                applicant.child_given_name, applicant.child_family_name
            ),
            submitted_on: applicant
                .submitted_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            desired_start: application.desired_start.to_string(),
            care_type: application.care_type,
            status: application.status.clone(),
            wishes: wishes.into_iter().map(|(_, n, s)| (n, s)).collect(),
            address_check: applicant.address_check.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_care_type_follows_the_age_at_the_start() {
        let d = |y, m, day| Date::ymd(y, m, day);
        // Two years old: Krippe.
        assert_eq!(
            care_type_at(d(2025, 3, 10), d(2027, 3, 1)),
            CareType::Nursery
        );
        // The third birthday: Kindergarten from then.
        assert_eq!(
            care_type_at(d(2024, 3, 1), d(2027, 3, 1)),
            CareType::Kindergarten
        );
        // Six by 30 June 2027: school (Hort) from 1 August 2027.
        assert_eq!(
            care_type_at(d(2021, 6, 30), d(2027, 7, 1)),
            CareType::Kindergarten
        );
        assert_eq!(
            care_type_at(d(2021, 6, 30), d(2027, 8, 1)),
            CareType::AfterSchool
        );
        // Six only on 1 July: one more Kindergarten year.
        assert_eq!(
            care_type_at(d(2021, 7, 1), d(2027, 8, 1)),
            CareType::Kindergarten
        );
        assert_eq!(
            care_type_at(d(2021, 7, 1), d(2028, 8, 1)),
            CareType::AfterSchool
        );
    }

    #[test]
    fn the_duplicate_check_reads_names_as_people_write_them() {
        let b = Date::ymd(2025, 1, 2);
        assert_eq!(
            identity_text(" Jürgen ", "Weiß  Müller", b),
            identity_text("juergen", "weiss müller", b)
        );
        assert_ne!(
            identity_text("Jürgen", "Weiß", b),
            identity_text("Jürgen", "Weiß", Date::ymd(2025, 1, 3))
        );
    }

    #[test]
    fn a_posted_form_reads_children_and_wishes_by_number() {
        let pairs: Vec<(String, String)> = [
            ("child1_given_name", "Mia"),
            ("child2_given_name", "Ben"),
            ("child9_given_name", "ignored"),
            ("wish1", "f:fac-1"),
            ("wish3", "tagespflege"),
            ("consent_terms", "on"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let input = ApplicationInput::from_pairs(&pairs);
        assert_eq!(input.children[0].given_name, "Mia");
        assert_eq!(input.children[1].given_name, "Ben");
        assert!(input.children[2].is_blank());
        assert_eq!(input.wishes, ["f:fac-1", "", "tagespflege", "", ""]);
        assert!(input.consent_terms && !input.consent_forwarding);
    }
}
