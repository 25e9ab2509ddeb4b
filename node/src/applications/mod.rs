//! The parents' application (Lastenheft 3.3.2): one or several children applying together, up
//! to five ranked wishes mixing Kitas and Kindertagespflege, the checks of the Lastenheft, and
//! one active application per child across all providers.
//!
//! Each child becomes two documents at the city: the pseudonymous placement record
//! (`application`, the wished Kitas see it) and the parents' half (`applicant`, city only) with
//! names, address, the ranking and the consents. Children applying together share a pseudonym
//! (`together`) so that placement keeps them together.

pub mod api;
pub mod guardians;
pub mod http;
pub(crate) mod queries;
pub mod retention;
pub mod sequential;
pub mod shares;
pub mod transfer_notices;
pub mod watch;
pub mod wishes;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::contracts::os_ids;
use crate::outbox;
use crate::portal::{completed_months, streets::StreetDirectory};
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{
    city_org, doc_id_for, ApplicationId, ChildminderId, FacilityId, OrgId, WishHandle,
};
use kitanetz_crdt::kinds::{
    Address, Applicant, Application, ApplicationEvent, CareType, ChildmindingWish, Consents, Sex,
    WishedFacility,
};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::validate::Validator;
use serde::{Deserialize, Serialize};
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
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
/// message next to its field. The JSON API takes the same fields (`children` and `wishes` as
/// arrays, up to 3 and 5; `daily_hours` as a number or a string).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
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
    #[serde(deserialize_with = "crate::input::text::deserialize")]
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
    /// A transfer's current Kita, `f:<id>` like a wish; empty: none in the city.
    pub transfer_from: String,
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
            // `child1_given_name` …; not `childminder` or `childminding_district`.
            if let Some(rest) = key
                .strip_prefix("child")
                .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            {
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
                "transfer_from" => input.transfer_from = v,
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

pub(crate) fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "female" => Some(Sex::Female),
        "male" => Some(Sex::Male),
        "diverse" => Some(Sex::Diverse),
        "unspecified" | "" => Some(Sex::Unspecified),
        _ => None,
    }
}

/// The contact parent's account, if `who` is the parent who submitted `id` (after the caller
/// authorised the action). Anybody else's request answers as if the application did not exist.
pub(crate) fn contact_parent<'a>(
    store: &Store,
    who: &'a Principal,
    id: &ApplicationId,
) -> Result<&'a crate::auth::GuardianAccount, ActionError> {
    match who {
        Principal::Guardian(account)
            if queries::account_of(store, id)? == Some(account.account_id) =>
        {
            Ok(account)
        }
        _ => Err(ActionError::NotFound(id.0.clone())),
    }
}

/// A stored child as the form's fields (the change form shows it; the change keeps it).
fn child_input(application: &Application, applicant: &Applicant) -> ChildInput {
    ChildInput {
        given_name: applicant.child_given_name.clone(),
        family_name: applicant.child_family_name.clone(),
        birth_date: applicant.child_birth_date.to_string(),
        sex: sex_value(applicant.child_sex).to_string(),
        integration_need: application.integration_need,
        denomination: applicant.child_denomination.clone(),
    }
}

/// The form's value of a [`Sex`] (the inverse of [`parse_sex`]).
pub(crate) fn sex_value(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::Diverse => "diverse",
        Sex::Unspecified => "unspecified",
    }
}

/// A child's identifying data, normalised for the duplicate check: one Unicode form (NFC),
/// case, spaces, umlauts, and hyphens or apostrophes as spaces ("Anna-Lena" is "Anna Lena").
fn identity_text(given: &str, family: &str, birth: Date) -> String {
    use unicode_normalization::UnicodeNormalization;
    let norm = |s: &str| {
        s.nfc()
            .collect::<String>()
            .to_lowercase()
            .replace(
                [
                    '-', '\u{2010}', '\u{2011}', '\u{2013}', '\'', '\u{2019}', '`', '.',
                ],
                " ",
            )
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

/// A child as checked.
struct CheckedChild {
    /// The form's slot (1-based): a message about the child names its fields.
    slot: usize,
    given_name: String,
    family_name: String,
    birth: Date,
    sex: Sex,
    integration_need: bool,
    denomination: String,
    /// What the child needs at the desired start.
    care_type: CareType,
}

/// What the checks found, ready to be stored.
struct Checked {
    children: Vec<CheckedChild>,
    address: Address,
    phone: String,
    email: String,
    start: Date,
    hours: Dec,
    wishes: Vec<Wish>,
    childminding: Option<(String, OrgId, Option<ChildminderId>)>,
    notify_by_post: bool,
    /// A transfer's current Kita (told when another one reserves).
    transfer_from: Option<FacilityId>,
}

/// The result of a submission: the new applications (one per child).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    #[schema(value_type = Vec<String>)]
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
    /// The childminders listed online (a wish may name one): id → district.
    pub childminders: BTreeMap<ChildminderId, String>,
}

/// Facilities and childminding districts for the form and the checks (the districts' offices
/// come from the portal's cached public data, not from decoding every childminder).
pub fn context(
    store: &Store,
    portal: &crate::portal::Portal,
    city_name: &str,
    today: Date,
) -> Result<ApplyContext, StoreError> {
    let public = portal.public_data(store, today)?;
    Ok(ApplyContext {
        facilities: queries::facility_names(store)?,
        agencies: public.agencies.clone(),
        city_name: city_name.to_string(),
        childminders: public
            .index
            .listings()
            .filter_map(|l| match &l.id {
                crate::portal::index::ListingId::Childminder(c) => {
                    Some((c.clone(), l.district.clone()))
                }
                _ => None,
            })
            .collect(),
    })
}

#[allow(clippy::too_many_arguments)]
fn check(
    store: &Store,
    ctx: &ApplyContext,
    streets: Option<&dyn StreetDirectory>,
    input: &ApplicationInput,
    today: Date,
    account_email: Option<&str>,
) -> Result<(Checked, String), ActionError> {
    // The ZVS enters applications without an account (and may enter unborn children).
    let by_staff = account_email.is_none();
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
            // Unborn children are entered by the ZVS only (Lastenheft 3.3.2, 3.4.1), with the
            // expected date of birth.
            v.check(
                b <= today || by_staff,
                &field,
                "Anträge für ungeborene Kinder nimmt nur die Zentrale Vermittlungsstelle auf / applications for unborn children are taken by the placement office only",
            );
            v.check(
                crate::intake::expected_birth_plausible(b, today),
                &field,
                "Geburtsdatum prüfen / check the date of birth",
            );
            if let Some(s) = start {
                v.check(
                    b < s,
                    &field,
                    "Der Betreuungsbeginn liegt vor der Geburt / the start lies before the birth",
                );
            }
        }
        let sex = parse_sex(&c.sex);
        v.check(
            sex.is_some(),
            format!("child{n}_sex"),
            "Geschlecht wählen / choose the sex",
        );
        v.optional_text(&format!("child{n}_denomination"), &c.denomination, 50);
        if let (Some(b), Some(s), Some(sex)) = (birth, start, sex) {
            children.push(CheckedChild {
                slot: n,
                given_name: c.given_name.trim().to_string(),
                family_name: c.family_name.trim().to_string(),
                birth: b,
                sex,
                integration_need: c.integration_need,
                denomination: c.denomination.trim().to_string(),
                care_type: care_type_at(b, s),
            });
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
        // Mails go only to an address that confirmed it wants them: the portal must not mail
        // whatever address somebody types.
        if let Some(confirmed) = account_email {
            v.check(
                input.email.trim().eq_ignore_ascii_case(confirmed),
                "email",
                format!("Benachrichtigungen gehen an die bestätigte Adresse Ihres Kontos ({confirmed}) / notifications go to your account's confirmed address"),
            );
        }
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
                let offered = queries::places_on(store, &facility, c.care_type, s)? > 0;
                v.check(
                    offered,
                    &field,
                    format!(
                        "{} bietet zum Beginn keine {} an, die {} dann braucht / offers no {} at the start",
                        ctx.facilities[&facility],
                        c.care_type.label_de(),
                        c.given_name,
                        c.care_type.label_en()
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
                c.care_type == CareType::Nursery,
                "childminding_district",
                format!(
                    "Kindertagespflege ist für Kinder unter drei Jahren; {} ist dann älter / childminding is for children under three",
                    c.given_name
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
                let parsed = id
                    .parse::<ChildminderId>()
                    .ok()
                    .filter(|c| ctx.childminders.contains_key(c));
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
    let transfer_from = match input.transfer_from.trim() {
        "" => None,
        _ if !input.transfer => None,
        typed => {
            let facility = typed
                .strip_prefix("f:")
                .and_then(|id| id.parse::<FacilityId>().ok())
                .filter(|f| ctx.facilities.contains_key(f));
            match facility {
                None => {
                    v.fail("transfer_from", "unbekannte Einrichtung / unknown facility");
                    None
                }
                Some(f) => {
                    v.check(
                        !wishes.iter().any(|w| matches!(w, Wish::Facility(x) if *x == f)),
                        "transfer_from",
                        "Die jetzige Einrichtung kann kein Wunsch sein / the current Kita cannot be a wish",
                    );
                    Some(f)
                }
            }
        }
    };
    v.optional_text("reasons", &input.reasons, 2000);
    v.finish()?;

    // The address check: in the city, the street directory (or the population register behind
    // it) must know it (a mismatch is flagged, the application still taken); outside, it goes
    // to the ZVS's watch list.
    let in_city = input.city.trim().eq_ignore_ascii_case(&ctx.city_name);
    let address_check = if !in_city {
        "outside"
    } else {
        let (street, number) = crate::portal::streets::parse_address(input.street.trim());
        match streets.map(|s| s.knows(&street, &number, Some(input.postcode.trim()))) {
            Some(true) => "ok",
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
            transfer_from,
        },
        address_check.to_string(),
    ))
}

/// A random pseudonym (per-Kita handles, the siblings' group): 128 bits, so that two never
/// meet across years of applications.
pub(crate) fn pseudonym() -> String {
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
    // Parents apply on the portal; the ZVS enters applications for parents who cannot
    // (Lastenheft 3.4.1), without an account behind them.
    let (account, staff_entry, account_email) = match who {
        Principal::Guardian(account) => {
            authorize(who, Action::SubmitApplication)?;
            (
                Some(account.account_id),
                false,
                Some(account.email.as_str()),
            )
        }
        _ => {
            authorize(who, Action::EnterApplication)?;
            (None, true, None)
        }
    };
    let (checked, address_check) = check(store, ctx, streets, input, now.today, account_email)?;

    // One active application per child, across all providers.
    let secret = queries::child_key_secret(store)?;
    let keys: Vec<String> = checked
        .children
        .iter()
        .map(|c| {
            queries::child_key(
                &secret,
                &identity_text(&c.given_name, &c.family_name, c.birth),
            )
        })
        .collect();
    let mut v = Validator::new();
    for (i, key) in keys.iter().enumerate() {
        if let Some(existing) = queries::active_application_of(store, key)? {
            let own = account.is_some() && queries::account_of(store, &existing)? == account;
            v.fail(
                format!("child{}_given_name", checked.children[i].slot),
                if staff_entry {
                    format!("Für {} liegt schon der aktive Antrag {} vor (je Kind nur einer) / there is already the active application {} for this child", checked.children[i].given_name, existing.0, existing.0)
                } else if own {
                    format!("Für {} liegt schon Ihr Antrag {} vor; ändern Sie ihn unter „Meine Anträge“ / there is already your application {} for this child", checked.children[i].given_name, existing.0, existing.0)
                } else {
                    format!("Für {} liegt schon ein aktiver Antrag vor (je Kind nur einer). Wenden Sie sich an die Zentrale Vermittlungsstelle / there is already an active application for this child; contact the placement office", checked.children[i].given_name)
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
            format!("child{}_given_name", checked.children[1].slot),
            "Ein Kind ist doppelt angegeben / a child is given twice",
        );
    }
    v.finish()?;

    let settings = crate::intake::settings_on(store, now.today)?;
    let by = match who {
        Principal::Staff(c) => format!("ZVS ({})", c.display_name),
        _ => "Eltern / parents".to_string(),
    };
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
    let mut placed: Vec<(Application, Vec<FacilityId>)> = Vec::new();
    for c in &checked.children {
        let id = ApplicationId::generate(&mut ids);
        let application = Application {
            id: id.clone(),
            wishes: sorted_facilities
                .iter()
                .map(|f| WishedFacility {
                    facility: f.clone(),
                    handle: WishHandle(pseudonym()),
                    status: sequential::status::PENDING.into(),
                    since: None,
                })
                .collect(),
            desired_start: checked.start,
            daily_hours: checked.hours,
            care_type: c.care_type,
            age_months_at_start: completed_months(c.birth, checked.start),
            sibling_in_facility: match (input.sibling_in_first_wish, checked.wishes.first()) {
                (true, Some(Wish::Facility(f))) => vec![f.clone()],
                _ => vec![],
            },
            integration_need: c.integration_need,
            transfer: input.transfer,
            // A transfer waits for the ZVS's decision (`intake::decide_transfer`).
            transfer_priority: String::new(),
            transfer_from: checked.transfer_from.clone(),
            status: "active".into(),
            together: together.clone(),
            childminding_agency: checked.childminding.as_ref().map(|(_, a, _)| a.clone()),
            settled: None,
        };
        let applicant = Applicant {
            application: id.clone(),
            child_given_name: c.given_name.clone(),
            child_family_name: c.family_name.clone(),
            child_birth_date: c.birth,
            child_sex: c.sex,
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
            child_denomination: c.denomination.clone(),
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
            address_checked_on: Some(now.today),
            history: vec![ApplicationEvent {
                on: now.today,
                by: by.clone(),
                what: if staff_entry {
                    "Antrag von der ZVS aufgenommen".into()
                } else {
                    "Antrag gestellt".into()
                },
            }],
        };
        let scope =
            crate::intake::placement_scope(&settings, now.today, &application, &address_check);
        let meta = |kind: DocKind, facilities: Vec<FacilityId>| DocMeta {
            kind,
            schema: kind.schema_version(),
            owner: city_org(),
            provider: None,
            facilities,
            origin_node: store.node_name().to_string(),
            created_on: now.today,
        };
        docs.push(
            StoredDoc::create(
                crate::seats::application_doc_id(&id),
                meta(DocKind::Application, scope.clone()),
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
                meta(DocKind::Applicant, vec![]),
                &applicant,
                store.actor(),
                now.today,
                now.millis,
            )
            .map_err(StoreError::from)?,
        );
        created.push(id);
        placed.push((application, scope));
    }
    let group: Vec<(&Application, &[FacilityId])> =
        placed.iter().map(|(a, s)| (a, s.as_slice())).collect();
    docs.extend(wishes::wish_docs(
        store,
        &group,
        wishes::Siblings::Given,
        &[],
        now,
    )?);
    let receipt = receipt_text(ctx, &checked, &created, input.transfer, now.today);
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
            queries::remember(tx, key, id, account, now.millis)?;
        }
        if checked.notify_by_post {
            if let Some(first) = created.first() {
                crate::intake::post::queue(
                    tx,
                    first,
                    crate::intake::post::LetterKind::Receipt,
                    now.today,
                    now.millis,
                )?;
            }
        } else {
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
    sequential::advance_after_write(store, &created, now);
    Ok(Submitted {
        applications: created,
    })
}

fn receipt_text(
    ctx: &ApplyContext,
    c: &Checked,
    ids: &[ApplicationId],
    transfer: bool,
    today: Date,
) -> String {
    let children: Vec<String> = c
        .children
        .iter()
        .zip(ids)
        .map(|(child, id)| {
            format!(
                "  {} {} (Antragsnummer {})",
                child.given_name, child.family_name, id.0
            )
        })
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
    // A Wechselantrag goes to the ZVS first (Lastenheft 3.4.3); a start closer than the notice
    // period is accepted, and the parents are told (3.3.3).
    let transfer_note = match (
        transfer,
        crate::intake::transfer_notice_short(today, c.start),
    ) {
        (false, _) => String::new(),
        (true, short) => format!(
            "Wechselantrag: Die Zentrale Vermittlungsstelle prüft die Gründe für den Wechsel, bevor der Antrag in die Vermittlung geht. Die Einrichtungen erfahren die Gründe nicht.\n\n{}",
            if short {
                format!("Hinweis: Bis zum gewünschten Beginn sind es weniger als {} Monate, die übliche Kündigungsfrist Ihres bisherigen Betreuungsvertrags. Bitte klären Sie die Kündigung mit Ihrer bisherigen Einrichtung; Ihr Antrag ist trotzdem eingegangen. (Less than {} months' notice to your current Kita: please settle the notice with it; the application stands.)\n\n", crate::intake::TRANSFER_NOTICE_MONTHS, crate::intake::TRANSFER_NOTICE_MONTHS)
            } else {
                String::new()
            }
        ),
    };
    format!(
        "Guten Tag,\n\nIhr Antrag auf einen Betreuungsplatz ist am {today} bei der Zentralen Vermittlungsstelle eingegangen.\n\nKinder:\n{}\n\nGewünschter Beginn: {}, {} Stunden am Tag\n\nIhre Wünsche in Ihrer Reihenfolge:\n{}\n\n{transfer_note}Die Einrichtungen sehen Ihren Antrag ohne Ihren Namen und ohne die Reihenfolge Ihrer Wünsche. Ihre Kontaktdaten erhält eine Einrichtung erst, wenn sie Ihnen einen Platz reserviert. Den Stand Ihres Antrags sehen Sie im Portal unter „Meine Anträge“.\n\nHello, your application for a childcare place was received on {today}. You can follow it in the portal under \"My applications\".\n",
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
    // Only one's own: anybody else's answers as if it did not exist.
    contact_parent(store, who, id)?;
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
    let scope = doc.meta.facilities.clone();
    let mut wish_docs = wishes::wish_docs(
        store,
        &[(&application, &scope)],
        wishes::Siblings::Unchanged,
        &[],
        now,
    )?;
    // A Kita that reserved a seat loses the parents' contact data with the withdrawal.
    let ledgers = sequential::Ledgers::load(store)?;
    let shares = shares::reconcile(
        store,
        &application,
        &applicant,
        &ledgers,
        &shares::held(store)?,
        now,
    )?;
    // The old Kita of a transfer hears that the child stays.
    let notice = transfer_notices::reconcile(store, &application, &applicant, &ledgers, now)?;
    wish_docs.extend(notice);
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.withdraw",
        target: Some(id.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: Some(now.today.to_string()),
    };
    let mut refs: Vec<&mut StoredDoc> = std::iter::once(&mut doc)
        .chain(wish_docs.iter_mut())
        .collect();
    store.save_and_erase_docs_with(&mut refs, &shares.erase, &entry, |tx| {
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

/// What a change did, for the page that confirms it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Changed {
    /// The applications changed (a child's siblings who applied with it change with it).
    #[schema(value_type = Vec<String>)]
    pub applications: Vec<ApplicationId>,
    /// The wishes changed: the application left every waitlist and placement starts again.
    pub restarted: bool,
    /// What changed, in words (also kept in the application's history).
    pub what: Vec<String>,
}

/// The applications changed together with `id`: the siblings who applied with it (they share
/// the `together` pseudonym and must keep the same wishes to be placed together), all active.
fn change_group(
    store: &Store,
    account: i64,
    id: &ApplicationId,
    together: &str,
) -> Result<Vec<ApplicationId>, ActionError> {
    if together.is_empty() {
        return Ok(vec![id.clone()]);
    }
    let mut group = Vec::new();
    for other in queries::submitted_by(store, account)? {
        let (_, a) = store.get::<Application>(&crate::seats::application_doc_id(&other))?;
        if a.together == together && a.status == "active" {
            group.push(other);
        }
    }
    Ok(group)
}

/// The parents' ranking as text: "1. Kita A, 2. Kindertagespflege (Nord)".
fn ranking_text(
    names: &BTreeMap<FacilityId, String>,
    facilities: &[FacilityId],
    childminding: Option<&ChildmindingWish>,
) -> String {
    let mut ranked: Vec<String> = facilities
        .iter()
        .map(|f| names.get(f).cloned().unwrap_or_else(|| f.0.clone()))
        .collect();
    if let Some(c) = childminding {
        let at = (c.rank as usize).saturating_sub(1).min(ranked.len());
        ranked.insert(at, format!("Kindertagespflege ({})", c.district));
    }
    ranked
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}. {n}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parents change their application (Lastenheft 3.3.4): every check of a new application
/// runs again; the child's identity stays (the ZVS corrects it). Changed wishes take the
/// application off every waitlist and placement starts again (new handles at every Kita);
/// otherwise placement goes on where it was. Not possible once a Kita has reserved a place.
/// Siblings who applied together change together. The history keeps what changed, in words.
pub fn change(
    store: &mut Store,
    ctx: &ApplyContext,
    streets: Option<&dyn StreetDirectory>,
    who: &Principal,
    id: &ApplicationId,
    input: &ApplicationInput,
    now: Now,
) -> Result<Changed, ActionError> {
    authorize(who, Action::ChangeApplication)?;
    let account = contact_parent(store, who, id)?;
    let (_, first) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    if first.status != "active" {
        return Err(ActionError::Conflict(
            "Dieser Antrag ist nicht mehr aktiv und kann nicht geändert werden / this application is no longer active"
                .into(),
        ));
    }
    let group = change_group(store, account.account_id, id, &first.together)?;
    let mut loaded = Vec::new();
    for member in &group {
        let (doc, application) =
            store.get::<Application>(&crate::seats::application_doc_id(member))?;
        let (applicant_doc, applicant) =
            store.get::<Applicant>(&doc_id_for("applicant", &member.0))?;
        let decided = application
            .wishes
            .iter()
            .any(|w| matches!(w.status.as_str(), "offered" | "reserved" | "placed"));
        if decided || queries::seat_held(store, member)? {
            return Err(ActionError::Conflict(format!(
                "Für {} ist schon ein Platz reserviert; der Antrag kann nicht mehr geändert werden. Wenden Sie sich an die Einrichtung oder die Zentrale Vermittlungsstelle / a place is reserved, the application can no longer be changed",
                applicant.child_given_name
            )));
        }
        loaded.push((doc, application, applicant_doc, applicant));
    }

    // The children as stored, the rest as posted; the consents were given with the application.
    let mut full = input.clone();
    full.children = loaded
        .iter()
        .map(|(_, a, _, p)| child_input(a, p))
        .collect();
    full.children.resize(MAX_CHILDREN, ChildInput::default());
    full.consent_data_processing = true;
    full.consent_forwarding = true;
    full.consent_terms = true;
    full.transfer = first.transfer;
    let (checked, address_check) =
        check(store, ctx, streets, &full, now.today, Some(&account.email))?;

    let facilities: Vec<FacilityId> = checked
        .wishes
        .iter()
        .filter_map(|w| match w {
            Wish::Facility(f) => Some(f.clone()),
            Wish::Childminding => None,
        })
        .collect();
    let childminding =
        checked
            .childminding
            .as_ref()
            .map(|(district, agency, cm)| ChildmindingWish {
                rank: checked
                    .wishes
                    .iter()
                    .position(|w| matches!(w, Wish::Childminding))
                    .map_or(1, |p| p as u32 + 1),
                district: district.clone(),
                agency: agency.clone(),
                childminder: cm.clone(),
                note: input.childminder_note.trim().to_string(),
            });
    let mut sorted_facilities = facilities.clone();
    sorted_facilities.sort();

    let (_, _, _, before) = &loaded[0];
    let old_ranking = ranking_text(
        &ctx.facilities,
        &before.ranked_wishes,
        before.childminding.as_ref(),
    );
    let new_ranking = ranking_text(&ctx.facilities, &facilities, childminding.as_ref());
    let restarted = before.ranked_wishes != facilities
        || before
            .childminding
            .as_ref()
            .map(|c| (c.rank, &c.district, &c.childminder))
            != childminding
                .as_ref()
                .map(|c| (c.rank, &c.district, &c.childminder));
    let mut what = Vec::new();
    if restarted {
        what.push(format!(
            "Wünsche geändert: {old_ranking} → {new_ranking}; die Vermittlung beginnt von vorn"
        ));
    }
    let old_app = &loaded[0].1;
    if old_app.desired_start != checked.start {
        what.push(format!(
            "Betreuungsbeginn {} → {}",
            old_app.desired_start, checked.start
        ));
    }
    if old_app.daily_hours != checked.hours {
        what.push(format!(
            "Stunden am Tag {} → {}",
            old_app.daily_hours, checked.hours
        ));
    }
    if before.address.street != checked.address.street
        || before.address.postcode != checked.address.postcode
        || before.address.city != checked.address.city
    {
        what.push("Anschrift geändert".into());
    }
    if before.phone != checked.phone || before.email != checked.email {
        what.push("Kontaktdaten geändert".into());
    }
    if before.notify_by_post != checked.notify_by_post {
        what.push(if checked.notify_by_post {
            "Benachrichtigung jetzt per Post".into()
        } else {
            "Benachrichtigung jetzt per E-Mail".into()
        });
    }
    if before.guardian_given_name != input.guardian_given_name.trim()
        || before.guardian_family_name != input.guardian_family_name.trim()
    {
        what.push("Name der/des Sorgeberechtigten geändert".into());
    }
    if before.reasons != input.reasons.trim()
        || before.transfer_reason != input.transfer_reason.trim()
        || old_app.sibling_in_facility.is_empty() == input.sibling_in_first_wish
    {
        what.push("Begründung oder Geschwisterangabe geändert".into());
    }
    if what.is_empty() {
        return Ok(Changed {
            applications: group,
            restarted: false,
            what,
        });
    }

    let summary = what.join("; ");
    let settings = crate::intake::settings_on(store, now.today)?;
    let mut docs: Vec<StoredDoc> = Vec::new();
    // (new version, its scope, the version before) of every application of the group.
    let mut changed_group: Vec<(Application, Vec<FacilityId>, Application)> = Vec::new();
    for ((mut doc, old, mut applicant_doc, old_applicant), c) in
        loaded.into_iter().zip(&checked.children)
    {
        let wishes = if restarted {
            sorted_facilities
                .iter()
                .map(|f| WishedFacility {
                    facility: f.clone(),
                    handle: WishHandle(pseudonym()),
                    status: sequential::status::PENDING.into(),
                    since: None,
                })
                .collect()
        } else {
            old.wishes.clone()
        };
        let application = Application {
            wishes,
            desired_start: checked.start,
            daily_hours: checked.hours,
            care_type: c.care_type,
            age_months_at_start: completed_months(c.birth, checked.start),
            sibling_in_facility: match (input.sibling_in_first_wish, checked.wishes.first()) {
                (true, Some(Wish::Facility(f))) => vec![f.clone()],
                _ => vec![],
            },
            childminding_agency: checked.childminding.as_ref().map(|(_, a, _)| a.clone()),
            ..old.clone()
        };
        let message = if restarted {
            "changed by the parents: wishes restart"
        } else {
            "changed by the parents"
        };
        doc.update(&application, now.today, now.millis, message)?;
        // The application's scope says which Kitas its wishes have reached (once it is in
        // placement: a new address outside the city or a later start can take it back out).
        let scope =
            crate::intake::placement_scope(&settings, now.today, &application, &address_check);
        if doc.meta.facilities != scope {
            let mut meta = doc.meta.clone();
            meta.facilities = scope.clone();
            doc.set_scope(meta, now.millis)?;
        }
        changed_group.push((application, scope, old));
        let mut history = old_applicant.history.clone();
        history.push(ApplicationEvent {
            on: now.today,
            by: "Eltern / parents".into(),
            what: summary.clone(),
        });
        let applicant = Applicant {
            guardian_given_name: input.guardian_given_name.trim().to_string(),
            guardian_family_name: input.guardian_family_name.trim().to_string(),
            address: checked.address.clone(),
            phone: checked.phone.clone(),
            email: checked.email.clone(),
            ranked_wishes: facilities.clone(),
            notify_by_post: checked.notify_by_post,
            reasons: input.reasons.trim().to_string(),
            transfer_reason: input.transfer_reason.trim().to_string(),
            childminding: childminding.clone(),
            address_checked_on: if address_check != old_applicant.address_check
                || checked.address.street != old_applicant.address.street
            {
                Some(now.today)
            } else {
                old_applicant.address_checked_on
            },
            address_check: address_check.clone(),
            history,
            ..old_applicant
        };
        applicant_doc.update(&applicant, now.today, now.millis, "changed by the parents")?;
        docs.push(doc);
        docs.push(applicant_doc);
    }
    let current: Vec<(&Application, &[FacilityId])> = changed_group
        .iter()
        .map(|(a, scope, _)| (a, scope.as_slice()))
        .collect();
    let before: Vec<&Application> = changed_group.iter().map(|(_, _, old)| old).collect();
    docs.extend(wishes::wish_docs(
        store,
        &current,
        wishes::Siblings::Given,
        &before,
        now,
    )?);
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "application.change",
        target: Some(id.0.clone()),
        subjects: group.iter().map(|a| a.0.clone()).collect(),
        valid_from: Some(now.today.to_string()),
    };
    let receipt = format!(
        "Guten Tag,\n\nIhr Antrag ist am {} geändert worden:\n\n  {}\n\n{}\n\nHello, your application was changed on {}. You can follow it in the portal under \"My applications\".\n",
        now.today,
        what.join("\n  "),
        receipt_text(ctx, &checked, &group, input.transfer, now.today),
        now.today
    );
    let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
    store.save_docs_with(&mut refs, &entry, |tx| {
        if checked.notify_by_post {
            crate::intake::post::queue(
                tx,
                id,
                crate::intake::post::LetterKind::Change,
                now.today,
                now.millis,
            )?;
        } else {
            outbox::enqueue(
                tx,
                &checked.email,
                "Kita-Portal: Ihr Antrag wurde geändert / your application was changed",
                &receipt,
                now.millis,
            )?;
        }
        Ok(())
    })?;
    sequential::advance_after_write(store, &group, now);
    Ok(Changed {
        applications: group,
        restarted,
        what,
    })
}

/// The form of an existing application, filled from what is stored (for the change page).
pub fn change_form(
    store: &Store,
    who: &Principal,
    id: &ApplicationId,
) -> Result<ApplicationInput, ActionError> {
    authorize(who, Action::ChangeApplication)?;
    let account = contact_parent(store, who, id)?;
    let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let group = change_group(store, account.account_id, id, &application.together)?;
    let mut input = ApplicationInput::from_pairs(&[]);
    for (slot, member) in group.iter().enumerate().take(MAX_CHILDREN) {
        let (_, a) = store.get::<Application>(&crate::seats::application_doc_id(member))?;
        let (_, p) = store.get::<Applicant>(&doc_id_for("applicant", &member.0))?;
        input.children[slot] = child_input(&a, &p);
    }
    let (_, p) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    let mut ranked: Vec<String> = p
        .ranked_wishes
        .iter()
        .map(|f| format!("f:{}", f.0))
        .collect();
    if let Some(c) = &p.childminding {
        let at = (c.rank as usize).saturating_sub(1).min(ranked.len());
        ranked.insert(at, CHILDMINDING.into());
        input.childminding_district = c.district.clone();
        input.childminder = c
            .childminder
            .as_ref()
            .map(|m| m.0.clone())
            .unwrap_or_default();
        input.childminder_note = c.note.clone();
    }
    for (slot, w) in ranked.into_iter().enumerate().take(MAX_WISHES) {
        input.wishes[slot] = w;
    }
    input.guardian_given_name = p.guardian_given_name.clone();
    input.guardian_family_name = p.guardian_family_name.clone();
    input.street = p.address.street.clone();
    input.postcode = p.address.postcode.clone();
    input.city = p.address.city.clone();
    input.phone = p.phone.clone();
    input.email = p.email.clone();
    input.desired_start = application.desired_start.to_string();
    input.daily_hours = application.daily_hours.to_string();
    input.sibling_in_first_wish = !application.sibling_in_facility.is_empty();
    input.reasons = p.reasons.clone();
    input.notify = if p.notify_by_post { "post" } else { "email" }.into();
    input.transfer = application.transfer;
    input.transfer_from = application
        .transfer_from
        .as_ref()
        .map(|f| format!("f:{}", f.0))
        .unwrap_or_default();
    input.transfer_reason = p.transfer_reason.clone();
    input.consent_data_processing = true;
    input.consent_forwarding = true;
    input.consent_terms = true;
    Ok(input)
}

/// The receipt's data (see [`crate::letters::Letter`]).
pub type ReceiptLetter = crate::letters::Letter;

/// Who may read an application's letters: its parents (contact or invited) and the ZVS.
fn may_read(store: &Store, who: &Principal, id: &ApplicationId) -> Result<(), ActionError> {
    match who {
        Principal::Guardian(account) => {
            authorize(who, Action::ViewOwnApplications)?;
            if queries::applications_of(store, account.account_id)?.contains(id) {
                Ok(())
            } else {
                Err(ActionError::NotFound(id.0.clone()))
            }
        }
        _ => Ok(authorize(who, Action::ViewIntake)?),
    }
}

pub(crate) fn german_date(d: Date) -> String {
    d.0.format("%d.%m.%Y").to_string()
}

/// The receipt of an application (and of the siblings applied with it) as letter data: the
/// office as sender, the contact parent as recipient, children, wishes in the parents' order.
///
/// With `changed_on`, the letter confirms the change of that day (its own subject, date and
/// identifier) and shows the application as it stands.
pub fn receipt_letter(
    store: &Store,
    who: &Principal,
    id: &ApplicationId,
    changed_on: Option<Date>,
    office: &crate::config::OfficeSection,
    office_fallback: &str,
) -> Result<ReceiptLetter, ActionError> {
    may_read(store, who, id)?;
    let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    let contact = queries::account_of(store, id)?;
    let mut children = Vec::new();
    let members: Vec<ApplicationId> = match contact {
        Some(account) if !application.together.is_empty() => {
            change_group(store, account, id, &application.together)?
        }
        _ => vec![id.clone()],
    };
    for member in &members {
        let (_, a) = store.get::<Application>(&crate::seats::application_doc_id(member))?;
        let (_, p) = store.get::<Applicant>(&doc_id_for("applicant", &member.0))?;
        children.push(serde_json::json!({
            "name": format!("{} {}", p.child_given_name, p.child_family_name),
            "birth_date": german_date(p.child_birth_date),
            "start": german_date(a.desired_start),
        }));
    }
    let names = crate::facilities::names(store)?;
    let mut wishes: Vec<(String, &str)> = applicant
        .ranked_wishes
        .iter()
        .map(|f| {
            (
                names.get(&f.0).cloned().unwrap_or_else(|| f.0.clone()),
                "Kita",
            )
        })
        .collect();
    if let Some(c) = &applicant.childminding {
        let at = (c.rank as usize).saturating_sub(1).min(wishes.len());
        wishes.insert(
            at,
            (
                format!("Kindertagespflege ({})", c.district),
                "Kindertagespflege",
            ),
        );
    }
    let date = changed_on
        .or(applicant.submitted_on)
        .unwrap_or(application.desired_start);
    let office_name = if office.name.trim().is_empty() {
        office_fallback
    } else {
        office.name.as_str()
    };
    let mut data = serde_json::json!({
            "city": {
                "name": office_fallback,
                "office": office_name,
                "street": office.street,
                "postcode_town": office.postcode_town,
                "phone": office.phone,
                "email": office.email,
            },
            "recipient": {
                "name": format!("{} {}", applicant.guardian_given_name, applicant.guardian_family_name),
                "street": applicant.address.street,
                "postcode_town": format!("{} {}", applicant.address.postcode, applicant.address.city),
            },
            "date": german_date(date),
            "application_ref": id.0,
            "children": children,
            "wishes": wishes
                .iter()
                .enumerate()
                .map(|(i, (name, kind))| serde_json::json!({"rank": i + 1, "name": name, "kind": kind}))
                .collect::<Vec<_>>(),
            "notes": applicant.reasons,
    });
    let (title, letter_id) = match changed_on {
        None => (
            "Eingangsbestätigung Ihrer Voranmeldung",
            format!("receipt/{}", id.0),
        ),
        Some(day) => {
            data["changed_on"] = german_date(day).into();
            (
                "Bestätigung der Änderung Ihrer Voranmeldung",
                format!("change/{}/{day}", id.0),
            )
        }
    };
    Ok(ReceiptLetter {
        data,
        title: title.into(),
        author: format!("Stadt {office_fallback}, {office_name}"),
        id: letter_id,
        date,
    })
}

/// One application as its parents see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnApplication {
    pub id: String,
    pub child: String,
    pub submitted_on: String,
    pub desired_start: String,
    /// "nursery", "kindergarten", … (the API's names of care types).
    #[schema(value_type = String)]
    #[serde(with = "crate::input::care_type")]
    pub care_type: CareType,
    pub status: String,
    /// In the parents' order: (name, status).
    #[schema(value_type = Vec<Vec<String>>)]
    pub wishes: Vec<(String, String)>,
    pub address_check: String,
    /// (day, what), oldest first.
    #[schema(value_type = Vec<Vec<String>>)]
    pub history: Vec<(String, String)>,
    /// The parents may still change it (active, no place reserved).
    pub changeable: bool,
    /// The residence is to be proven (the address is outside the city or unknown): the
    /// parents may upload proofs.
    pub needs_proof: bool,
    /// The proofs uploaded so far (file names).
    pub documents: Vec<String>,
    /// The logged-in parent was invited to it as second guardian (changes stay with the
    /// contact parent who applied).
    pub second_guardian: bool,
    /// The second guardian's invitation: "" (none), "pending" or "accepted".
    pub invitation: String,
    /// An open offer of a placement round: (the Kita's name, the last day to answer). The contact
    /// parent accepts or declines it.
    #[schema(value_type = Option<Vec<String>>)]
    pub offer: Option<(String, String)>,
    /// The child has a place (reserved or contracted): the contact parent may declare the
    /// household's income for a fee reduction (`/portal/applications/{id}/income`).
    pub income_declarable: bool,
    /// The declaration sent for it and what the Beitragsstelle did with it.
    pub income: Option<crate::fees::declarations::DeclarationState>,
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
        let second_guardian = queries::account_of(store, &id)? != Some(account.account_id);
        let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(&id))?;
        let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
        let status_at = |f: &FacilityId| {
            application
                .wishes
                .iter()
                .find(|w| w.facility == *f)
                .map_or_else(String::new, |w| w.status.clone())
        };
        let offer = crate::rounds::queries::round_of(store, &id)?
            .and_then(|r| crate::rounds::open_offer(&application, r.offer_days))
            .filter(|_| application.status == "active")
            .map(|o| {
                (
                    names
                        .get(&o.facility.0)
                        .cloned()
                        .unwrap_or_else(|| o.facility.0.clone()),
                    o.answer_by.to_string(),
                )
            });
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
        let income_declarable =
            !second_guardian && crate::fees::declarations::place_of(store, &application)?.is_some();
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
            needs_proof: application.status == "active"
                && !crate::intake::address_settled(&applicant.address_check),
            documents: queries::document_names_of(store, &id)?,
            invitation: guardians::invitation_state(store, &id)?,
            second_guardian,
            offer: offer.filter(|_| !second_guardian),
            income_declarable,
            income: if income_declarable {
                crate::fees::declarations::state_of(
                    store,
                    &queries::family_key_of(store, &applicant)?,
                    &id,
                    &application,
                    &applicant,
                )?
            } else {
                None
            },
            address_check: applicant.address_check.clone(),
            history: applicant
                .history
                .iter()
                .map(|e| (e.on.to_string(), e.what.clone()))
                .collect(),
            changeable: !second_guardian
                && application.status == "active"
                && !application
                    .wishes
                    .iter()
                    .any(|w| matches!(w.status.as_str(), "offered" | "reserved" | "placed"))
                && !queries::seat_held(store, &id)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_form_keeps_the_childminding_fields_apart_from_the_children() {
        let pairs: Vec<(String, String)> = [
            ("child1_given_name", "Lotte"),
            ("child2_family_name", "Wunsch"),
            ("childminding_district", "Blasewitz"),
            ("childminder", "tpp-1"),
            ("childminder_note", "Frau Sommer"),
            ("wish1", "tagespflege"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let input = ApplicationInput::from_pairs(&pairs);
        assert_eq!(input.children[0].given_name, "Lotte");
        assert_eq!(input.children[1].family_name, "Wunsch");
        assert_eq!(input.childminding_district, "Blasewitz");
        assert_eq!(input.childminder, "tpp-1");
        assert_eq!(input.childminder_note, "Frau Sommer");
        assert_eq!(input.wishes[0], CHILDMINDING);
    }

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
        // A decomposed "ü" (u + combining diaeresis, as some phones send it) and hyphens.
        assert_eq!(
            identity_text("Ju\u{308}rgen-Paul", "O'Neill", b),
            identity_text("Jürgen Paul", "O Neill", b)
        );
        assert_ne!(
            identity_text("Jürgen", "Weiß", b),
            identity_text("Jürg", "Weiß", b)
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
