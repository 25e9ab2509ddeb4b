//! Kindertagespflege: a childminder's public listing.

use crate::ids::{ChildminderId, OrgId};
use crate::kinds::facility::{
    check_age_range, check_concept_tags, check_opening_times, check_website, opening_minutes,
    portal_defaults, Address, MAX_PROFILE_TEXT,
};
use crate::kinds::optional_email;
use crate::period::Period;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// A childminder (Tagespflegeperson) cares for at most five children at once (RULES.md §1).
pub const MAX_CHILDMINDER_PLACES: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ChildminderProfile {
    pub id: ChildminderId,
    /// The BVS-KTP office responsible for the childminder's district.
    pub agency: OrgId,
    pub name: String,
    pub address: Address,
    pub district: String,
    pub places: u32,
    /// Pflegeerlaubnis, five years.
    pub permit: Period,
    pub email: String,
    pub phone: String,
    // Parents' portal (Lastenheft 3.3.1); documents written before these fields existed read
    // as `portal_defaults` says (not listed online, 0..=36 months, the rest not stated).
    /// She asked to be shown in the public search ("Wunsch nach einer Online-Anzeige"); only
    /// then does the portal list her.
    #[autosurgeon(missing = "portal_defaults::no")]
    #[serde(default)]
    pub listed_online: bool,
    /// Ages taken, in completed months (0..=180).
    #[autosurgeon(missing = "portal_defaults::age_from")]
    #[serde(default = "portal_defaults::age_from")]
    pub age_from_months: u32,
    #[autosurgeon(missing = "portal_defaults::childminder_age_to")]
    #[serde(default = "portal_defaults::childminder_age_to")]
    pub age_to_months: u32,
    /// Care hours on a regular weekday, `HH:MM`; both empty: not stated.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub opens: String,
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub closes: String,
    /// Keys from [`CONCEPT_TAGS`](crate::kinds::facility::CONCEPT_TAGS), each at most once.
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub concept_tags: Vec<String>,
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub profile_text: String,
    /// Homepage, `https://…`; empty: none.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub website: String,
}

impl ChildminderProfile {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 200);
        self.address.check(&mut v, "address");
        v.text("district", &self.district, 100);
        v.check(
            (1..=MAX_CHILDMINDER_PLACES).contains(&self.places),
            "places",
            "1 bis 5 Plätze / 1 to 5 places",
        );
        v.check(
            self.permit.is_well_formed(),
            "permit",
            "Ende vor Beginn / end before start",
        );
        optional_email(&mut v, "email", &self.email);
        v.optional_text("phone", &self.phone, 40);
        check_age_range(&mut v, self.age_from_months, self.age_to_months);
        check_opening_times(&mut v, &self.opens, &self.closes);
        check_concept_tags(&mut v, &self.concept_tags);
        v.optional_text("profile_text", &self.profile_text, MAX_PROFILE_TEXT);
        check_website(&mut v, "website", &self.website);
        v.finish()
    }

    /// Care hours in minutes after midnight, if stated.
    pub fn opening_minutes(&self) -> Option<(u16, u16)> {
        opening_minutes(&self.opens, &self.closes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Date;
    use automerge::{AutoCommit, ROOT};
    use autosurgeon::{hydrate_prop, reconcile_prop};

    fn address() -> Address {
        Address {
            street: "Alaunstraße 3".into(),
            postcode: "01099".into(),
            city: "Dresden".into(),
            lat: None,
            lon: None,
        }
    }

    fn permit() -> Period {
        Period::new(Date::ymd(2024, 1, 1), Some(Date::ymd(2028, 12, 31))).unwrap()
    }

    fn childminder() -> ChildminderProfile {
        ChildminderProfile {
            id: ChildminderId("tpp-1".into()),
            agency: OrgId("org-bvs-nord".into()),
            name: "Anna Schmidt".into(),
            address: address(),
            district: "Neustadt".into(),
            places: 5,
            permit: permit(),
            email: String::new(),
            phone: String::new(),
            listed_online: true,
            age_from_months: 10,
            age_to_months: 36,
            opens: "07:00".into(),
            closes: "15:30".into(),
            concept_tags: vec!["natur".into()],
            profile_text: "Kleine Gruppe mit Garten.".into(),
            website: String::new(),
        }
    }

    fn failing_fields(c: &ChildminderProfile) -> Vec<String> {
        match c.validate() {
            Ok(()) => vec![],
            Err(e) => e.errors.into_iter().map(|e| e.field).collect(),
        }
    }

    /// The persisted shape before the portal fields.
    #[derive(Reconcile)]
    struct OldChildminderProfile {
        id: ChildminderId,
        agency: OrgId,
        name: String,
        address: Address,
        district: String,
        places: u32,
        permit: Period,
        email: String,
        phone: String,
    }

    #[test]
    fn a_document_without_the_portal_fields_is_not_listed_online() {
        let old = OldChildminderProfile {
            id: ChildminderId("tpp-1".into()),
            agency: OrgId("org-bvs-nord".into()),
            name: "Anna Schmidt".into(),
            address: address(),
            district: "Neustadt".into(),
            places: 4,
            permit: permit(),
            email: String::new(),
            phone: String::new(),
        };
        let mut doc = AutoCommit::new();
        reconcile_prop(&mut doc, ROOT, "value", &old).unwrap();
        let doc = AutoCommit::load(&doc.save()).unwrap();
        let c: ChildminderProfile = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(c.places, 4);
        assert!(!c.listed_online, "never shown without her wish");
        assert_eq!((c.age_from_months, c.age_to_months), (0, 36));
        assert_eq!(c.opening_minutes(), None);
        assert!(c.concept_tags.is_empty() && c.profile_text.is_empty() && c.website.is_empty());
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn portal_fields_round_trip_and_validate() {
        let c = childminder();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.opening_minutes(), Some((420, 930)));
        let mut doc = AutoCommit::new();
        reconcile_prop(&mut doc, ROOT, "value", &c).unwrap();
        let back: ChildminderProfile = hydrate_prop(&doc, ROOT, "value").unwrap();
        assert_eq!(back, c);

        let mut bad = c.clone();
        bad.age_from_months = 37;
        bad.opens = "15:30".into();
        bad.concept_tags = vec!["wald".into()];
        bad.profile_text = "x".repeat(MAX_PROFILE_TEXT + 1);
        bad.website = "www.example.org".into();
        assert_eq!(
            failing_fields(&bad),
            vec![
                "age_from_months",
                "closes",
                "concept_tags[0]",
                "profile_text",
                "website"
            ]
        );
    }
}
