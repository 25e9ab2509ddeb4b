//! Facilities: the directory (public), master data with history, profile edits by the owner.

pub mod http;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, AuditRow, Store, StoreError};
use kitanetz_crdt::ids::{doc_id_for, FacilityId, ProviderId};
use kitanetz_crdt::kinds::facility::ApprovedPlaces;
use kitanetz_crdt::kinds::{CareType, FacilityLicence, FacilityProfile};
use kitanetz_crdt::period::Timeline;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::{ValidationError, Validator};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One row of the facility directory.
#[derive(Debug, Clone, Serialize)]
pub struct FacilityRow {
    pub id: String,
    pub name: String,
    pub district: String,
    pub street: String,
    pub postcode: String,
    pub provider: String,
    pub provider_name: String,
    pub places_today: i64,
}

pub fn profile_doc_id(id: &FacilityId) -> kitanetz_crdt::DocId {
    doc_id_for("facility-profile", &id.0)
}

pub fn licence_doc_id(id: &FacilityId) -> kitanetz_crdt::DocId {
    doc_id_for("facility-licence", &id.0)
}

/// The directory, filtered by a search text over name, district and street; at most `limit` rows.
pub fn list(
    store: &Store,
    who: &Principal,
    query: &str,
    today: Date,
    limit: usize,
) -> Result<(Vec<FacilityRow>, usize), ActionError> {
    authorize(who, Action::ViewDirectory)?;
    let pattern = format!("%{}%", query.trim().replace(['%', '_'], ""));
    let today = today.to_string();
    let total: i64 = store.conn().query_row(
        "SELECT COUNT(*) FROM p_facilities f WHERE f.name LIKE ?1 OR f.district LIKE ?1 OR f.street LIKE ?1",
        [&pattern],
        |r| r.get(0),
    )?;
    // Places today: per care type the change with the latest valid_from not after today.
    let mut stmt = store.conn().prepare_cached(
        "SELECT f.id, f.name, f.district, f.street, f.postcode, f.provider, COALESCE(p.name, ''),
                COALESCE((SELECT SUM(fp.places) FROM p_facility_places fp
                          WHERE fp.facility = f.id AND fp.valid_from = (
                              SELECT MAX(x.valid_from) FROM p_facility_places x
                              WHERE x.facility = fp.facility AND x.care_type = fp.care_type AND x.valid_from <= ?2)), 0)
         FROM p_facilities f LEFT JOIN p_providers p ON p.id = f.provider
         WHERE f.name LIKE ?1 OR f.district LIKE ?1 OR f.street LIKE ?1
         ORDER BY f.name, f.id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![pattern, today, limit as i64], |r| {
        Ok(FacilityRow {
            id: r.get(0)?,
            name: r.get(1)?,
            district: r.get(2)?,
            street: r.get(3)?,
            postcode: r.get(4)?,
            provider: r.get(5)?,
            provider_name: r.get(6)?,
            places_today: r.get(7)?,
        })
    })?;
    Ok((rows.collect::<Result<_, _>>()?, total as usize))
}

/// Master data of one facility with its history.
#[derive(Debug, Clone, Serialize)]
pub struct FacilityDetail {
    pub profile: FacilityProfile,
    pub licence: Option<FacilityLicence>,
    pub provider_name: String,
    pub capacity_today: u32,
    /// Audit entries of the profile and licence documents, newest first.
    pub history: Vec<AuditRow>,
    /// Number of automerge changes of the profile (every saved edit is one).
    pub profile_versions: usize,
}

pub fn detail(
    store: &Store,
    who: &Principal,
    id: &FacilityId,
    today: Date,
) -> Result<FacilityDetail, ActionError> {
    authorize(who, Action::ViewDirectory)?;
    let (mut profile_doc, profile) = store.get::<FacilityProfile>(&profile_doc_id(id))?;
    let licence = match store.get::<FacilityLicence>(&licence_doc_id(id)) {
        Ok((_, l)) => Some(l),
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let provider_name = store
        .conn()
        .query_row(
            "SELECT name FROM p_providers WHERE id = ?1",
            [&profile.provider.0],
            |r| r.get(0),
        )
        .unwrap_or_default();
    let mut history = store.audit_for(&profile_doc_id(id).0, 50)?;
    history.extend(store.audit_for(&licence_doc_id(id).0, 50)?);
    history.sort_by_key(|h| std::cmp::Reverse(h.seq));
    Ok(FacilityDetail {
        capacity_today: licence.as_ref().map_or(0, |l| l.capacity_on(today)),
        licence,
        provider_name,
        history,
        profile_versions: profile_doc.history().len(),
        profile,
    })
}

/// The fields of the profile a Träger or Kita lead may edit.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
// Every field defaults to empty so that a partial form reaches the handler, which
// authorises first and then reports each missing field by name.
#[serde(default)]
pub struct ProfileInput {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub district: String,
    pub cost_centre: String,
    pub opening_hours: String,
    pub concept: String,
    pub email: String,
    pub phone: String,
    pub lead_name: String,
    // What parents see on the portal (Lastenheft 3.3.1). In the JSON API a field left out
    // keeps its value; the form always sends them all.
    pub website: Option<String>,
    /// Youngest and oldest age taken, completed months (text: a typo becomes a field error).
    #[serde(deserialize_with = "optional_text")]
    pub age_from_months: Option<String>,
    #[serde(deserialize_with = "optional_text")]
    pub age_to_months: Option<String>,
    /// Regular weekday opening and closing time, `HH:MM`.
    pub opens: Option<String>,
    pub closes: Option<String>,
    /// Keys of the concept tags (`CONCEPT_TAGS`).
    pub concept_tags: Option<Vec<String>>,
    /// Extra fees and what they are for; empty: none.
    pub extra_fees: Option<String>,
    pub accessible: Option<bool>,
    pub integration: Option<bool>,
    /// The longer self-description on the portal's profile page.
    pub profile_text: Option<String>,
}

/// An optional text that a JSON client may send as a number.
fn optional_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    crate::input::text::deserialize(d).map(Some)
}

impl ProfileInput {
    /// Reads a posted form: `concept_tags` may repeat (one checkbox each); a checkbox is on
    /// when sent with any value but "false". A portal field not sent keeps its value; the
    /// checkboxes and tags are read only from a form that carries `portal_fields` (an unticked
    /// box is not sent at all).
    pub fn from_pairs(pairs: &[(String, String)]) -> ProfileInput {
        let sent = |key: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let with_boxes = pairs.iter().any(|(k, _)| k == "portal_fields");
        let value = |key: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let on = |key: &str| pairs.iter().any(|(k, v)| k == key && v != "false");
        ProfileInput {
            name: value("name"),
            street: value("street"),
            postcode: value("postcode"),
            city: value("city"),
            district: value("district"),
            cost_centre: value("cost_centre"),
            opening_hours: value("opening_hours"),
            concept: value("concept"),
            email: value("email"),
            phone: value("phone"),
            lead_name: value("lead_name"),
            website: sent("website"),
            age_from_months: sent("age_from_months"),
            age_to_months: sent("age_to_months"),
            opens: sent("opens"),
            closes: sent("closes"),
            concept_tags: with_boxes.then(|| {
                pairs
                    .iter()
                    .filter(|(k, _)| k == "concept_tags")
                    .map(|(_, v)| v.clone())
                    .collect()
            }),
            extra_fees: sent("extra_fees"),
            accessible: with_boxes.then(|| on("accessible")),
            integration: with_boxes.then(|| on("integration")),
            profile_text: sent("profile_text"),
        }
    }

    pub fn from_profile(p: &FacilityProfile) -> ProfileInput {
        ProfileInput {
            name: p.name.clone(),
            street: p.address.street.clone(),
            postcode: p.address.postcode.clone(),
            city: p.address.city.clone(),
            district: p.district.clone(),
            cost_centre: p.cost_centre.clone(),
            opening_hours: p.opening_hours.clone(),
            concept: p.concept.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            lead_name: p.lead_name.clone(),
            website: Some(p.website.clone()),
            age_from_months: Some(p.age_from_months.to_string()),
            age_to_months: Some(p.age_to_months.to_string()),
            opens: Some(p.opens.clone()),
            closes: Some(p.closes.clone()),
            concept_tags: Some(p.concept_tags.clone()),
            extra_fees: Some(p.extra_fees.clone()),
            accessible: Some(p.accessible),
            integration: Some(p.integration),
            profile_text: Some(p.profile_text.clone()),
        }
    }

    /// Whether a concept tag is chosen (for the form's checkboxes).
    pub fn has_tag(&self, key: &str) -> bool {
        self.concept_tags
            .as_ref()
            .is_some_and(|t| t.iter().any(|k| k == key))
    }

    fn apply(&self, p: &mut FacilityProfile) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        let mut age = |field: &str, text: &Option<String>, current: u32| match text {
            None => current,
            Some(t) => {
                match t.trim().parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => {
                        v.fail(field, "Alter in vollendeten Monaten, z. B. 12 / age in completed months, e.g. 12");
                        current
                    }
                }
            }
        };
        p.age_from_months = age("age_from_months", &self.age_from_months, p.age_from_months);
        p.age_to_months = age("age_to_months", &self.age_to_months, p.age_to_months);
        v.finish()?;
        let keep = |new: &Option<String>, old: &mut String| {
            if let Some(n) = new {
                *old = n.trim().to_string();
            }
        };
        keep(&self.website, &mut p.website);
        keep(&self.opens, &mut p.opens);
        keep(&self.closes, &mut p.closes);
        keep(&self.extra_fees, &mut p.extra_fees);
        keep(&self.profile_text, &mut p.profile_text);
        if let Some(tags) = &self.concept_tags {
            p.concept_tags = tags.iter().map(|t| t.trim().to_string()).collect();
        }
        if let Some(a) = self.accessible {
            p.accessible = a;
        }
        if let Some(i) = self.integration {
            p.integration = i;
        }
        p.name = self.name.trim().to_string();
        p.address.street = self.street.trim().to_string();
        p.address.postcode = self.postcode.trim().to_string();
        p.address.city = self.city.trim().to_string();
        p.district = self.district.trim().to_string();
        p.cost_centre = self.cost_centre.trim().to_string();
        p.opening_hours = self.opening_hours.trim().to_string();
        p.concept = self.concept.trim().to_string();
        p.email = self.email.trim().to_string();
        p.phone = self.phone.trim().to_string();
        p.lead_name = self.lead_name.trim().to_string();
        Ok(())
    }
}

/// The owner of a facility (its Träger) changes the profile. Authorise, act, audit: one
/// transaction.
pub fn update_profile(
    store: &mut Store,
    who: &Principal,
    id: &FacilityId,
    input: &ProfileInput,
    now: Now,
) -> Result<bool, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    let (mut doc, mut profile) = store.get::<FacilityProfile>(&profile_doc_id(id))?;
    let provider: ProviderId = profile.provider.clone();
    authorize(
        who,
        Action::EditFacilityProfile {
            facility: id,
            provider: &provider,
        },
    )?;
    input.apply(&mut profile)?;
    let changed = doc
        .update(
            &profile,
            today,
            now_millis,
            &format!("profile edited by {}", who.audit_name()),
        )
        .map_err(StoreError::from)?;
    if changed {
        let target = Some(doc.id.0.clone());
        store.save_doc(
            &mut doc,
            &AuditEntry {
                at: now_millis,
                actor: who.audit_name(),
                action: "facility.profile.update",
                target,
                subjects: vec![],
                valid_from: Some(today.to_string()),
            },
        )?;
    }
    Ok(changed)
}

/// The provider of a facility, from the projection (for authorisation of facility-scoped views).
pub fn provider_of(store: &Store, id: &FacilityId) -> Result<ProviderId, StoreError> {
    store
        .conn()
        .query_row(
            "SELECT provider FROM p_facilities WHERE id = ?1",
            [&id.0],
            |r| r.get::<_, String>(0),
        )
        .map(ProviderId)
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                StoreError::NotFound(kitanetz_crdt::DocId(id.0.clone()))
            }
            other => other.into(),
        })
}

/// Facilities of a provider (a Träger admin's choice of Kitas).
pub fn of_provider(
    store: &Store,
    provider: &ProviderId,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, name FROM p_facilities WHERE provider = ?1 ORDER BY name")?;
    let rows = stmt.query_map([&provider.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Display names of every facility this node knows (the directory is public).
pub fn names(store: &Store) -> Result<BTreeMap<String, String>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, name FROM p_facilities")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A change of approved places (form or JSON body): from a date on, a care type has so many.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(default)]
pub struct PlacesInput {
    pub care_type: String,
    pub places: String,
    pub valid_from: String,
}

/// The city changes a facility's approved places from a date (split at the date of change: the
/// earlier figure stays in force until the day before).
pub fn change_places(
    store: &mut Store,
    who: &Principal,
    id: &FacilityId,
    input: &PlacesInput,
    now: Now,
) -> Result<FacilityLicence, ActionError> {
    let Now {
        today,
        millis: now_millis,
    } = now;
    authorize(who, Action::EditFacilityLicence)?;
    let (mut doc, mut licence) = store.get::<FacilityLicence>(&licence_doc_id(id))?;
    let mut v = Validator::new();
    let care_type = CareType::parse(input.care_type.trim());
    v.check(
        care_type.is_some(),
        "care_type",
        "Betreuungsart wählen / choose a care type",
    );
    let places = input.places.trim().parse::<u32>().ok();
    v.check(
        places.is_some(),
        "places",
        "Anzahl Plätze als ganze Zahl / number of places as a whole number",
    );
    let valid_from = v.date("valid_from", &input.valid_from);
    v.finish()?;
    let (care_type, places, valid_from) = (
        care_type.expect("checked"),
        places.expect("checked"),
        valid_from.expect("checked"),
    );
    match licence
        .care_types
        .iter_mut()
        .find(|c| c.care_type == care_type)
    {
        Some(c) => c.places.set_from(valid_from, places),
        None => licence.care_types.push(ApprovedPlaces {
            care_type,
            places: Timeline::new(valid_from, places),
        }),
    }
    doc.update(&licence, today, now_millis, "approved places changed")?;
    let target = Some(doc.id.0.clone());
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now_millis,
            actor: who.audit_name(),
            action: "facility.licence.places",
            target,
            subjects: vec![],
            valid_from: Some(valid_from.to_string()),
        },
    )?;
    Ok(licence)
}
