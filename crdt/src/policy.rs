//! Who may hold a document: the single rule used by storage (import) and sync (serve).
//! Deny by default: every arm names who is allowed; everyone else is refused.

use crate::ids::{provider_org, FacilityId, OrgId, ProviderId};
use crate::meta::{DocKind, DocMeta, Visibility};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role a node plays in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    City,
    Traeger,
    Kita,
    Tagespflege,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::City => "city",
            NodeRole::Traeger => "traeger",
            NodeRole::Kita => "kita",
            NodeRole::Tagespflege => "tagespflege",
        }
    }
}

impl fmt::Display for NodeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NodeRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "city" => Ok(NodeRole::City),
            "traeger" => Ok(NodeRole::Traeger),
            "kita" => Ok(NodeRole::Kita),
            "tagespflege" => Ok(NodeRole::Tagespflege),
            _ => Err(format!(
                "unknown node role {s:?} (city, traeger, kita, tagespflege)"
            )),
        }
    }
}

/// What a node is, as its membership certificate states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub role: NodeRole,
    pub organisation: OrgId,
    pub provider: Option<ProviderId>,
    pub facility: Option<FacilityId>,
}

/// Whether a node with `member` may hold a document with `meta`.
pub fn may_hold(member: &Membership, meta: &DocMeta) -> bool {
    if member.organisation == meta.owner {
        return true;
    }
    let names_my_facility = || {
        member
            .facility
            .as_ref()
            .is_some_and(|f| meta.facilities.contains(f))
    };
    let same_provider = || member.provider.is_some() && member.provider == meta.provider;
    match meta.visibility() {
        Visibility::Public => true,
        Visibility::Placement => match member.role {
            NodeRole::City => true,
            NodeRole::Kita => names_my_facility(),
            NodeRole::Traeger | NodeRole::Tagespflege => false,
        },
        Visibility::Personal | Visibility::KitaOnly => match member.role {
            NodeRole::Traeger => same_provider(),
            NodeRole::Kita => same_provider() && names_my_facility(),
            NodeRole::City | NodeRole::Tagespflege => false,
        },
        Visibility::Applicant | Visibility::CityPlacement => member.role == NodeRole::City,
        // Exactly one Kita: never its Träger office, never another Kita of the same Träger.
        Visibility::ApplicantShare => match member.role {
            NodeRole::City => true,
            NodeRole::Kita => meta.facilities.len() == 1 && names_my_facility(),
            NodeRole::Traeger | NodeRole::Tagespflege => false,
        },
        Visibility::TraegerOffice => match member.role {
            NodeRole::City => true,
            NodeRole::Traeger => same_provider(),
            NodeRole::Kita | NodeRole::Tagespflege => false,
        },
    }
}

/// Whether a node with `member` may write a document with `meta`, i.e. whether this node accepts
/// changes to the document that arrive from that peer. Automerge changes are not signed, so the
/// sync layer can only trust a change as far as it trusts the peer that hands it over: a peer
/// that may not write a document must not be able to smuggle edits into it. Deny by default.
///
/// Writers besides the owning organisation:
/// - `personal` and `kita-only` documents owned by a Träger: the Kitas of that Träger that the
///   document names (the Kita writes contracts and families on the Träger's behalf);
/// - the `public` facility profile owned by a Träger: the Kita it describes.
///
/// Everything else (seat ledgers, applications, licences, a Kita's own groups) is written by its
/// owner only. Reading stays [`may_hold`].
pub fn may_write(member: &Membership, meta: &DocMeta) -> bool {
    if member.organisation == meta.owner {
        return true;
    }
    let kita_of_owning_traeger = || {
        member.role == NodeRole::Kita
            && member
                .provider
                .as_ref()
                .is_some_and(|p| provider_org(p) == meta.owner && meta.provider.as_ref() == Some(p))
            && member
                .facility
                .as_ref()
                .is_some_and(|f| meta.facilities.contains(f))
    };
    match meta.visibility() {
        Visibility::Personal | Visibility::KitaOnly => kita_of_owning_traeger(),
        Visibility::Public => meta.kind == DocKind::FacilityProfile && kita_of_owning_traeger(),
        Visibility::Placement
        | Visibility::Applicant
        | Visibility::CityPlacement
        | Visibility::ApplicantShare
        | Visibility::TraegerOffice => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::DocKind;
    use crate::scalar::Date;

    fn meta(kind: DocKind, owner: &str, provider: Option<&str>, facilities: &[&str]) -> DocMeta {
        DocMeta {
            kind,
            schema: 1,
            owner: OrgId(owner.into()),
            provider: provider.map(|p| ProviderId(p.into())),
            facilities: facilities.iter().map(|f| FacilityId((*f).into())).collect(),
            origin_node: "n".into(),
            created_on: Date::ymd(2026, 1, 1),
        }
    }

    fn kita(org: &str, provider: &str, facility: &str) -> Membership {
        Membership {
            role: NodeRole::Kita,
            organisation: OrgId(org.into()),
            provider: Some(ProviderId(provider.into())),
            facility: Some(FacilityId(facility.into())),
        }
    }

    #[test]
    fn personal_data_stays_with_its_provider_and_kita() {
        let family = meta(DocKind::Family, "org-t1", Some("prov-1"), &["fac-a"]);
        assert!(may_hold(&kita("org-k-a", "prov-1", "fac-a"), &family));
        assert!(
            !may_hold(&kita("org-k-b", "prov-1", "fac-b"), &family),
            "other Kita of the same Träger"
        );
        assert!(
            !may_hold(&kita("org-k-c", "prov-2", "fac-a"), &family),
            "other Träger"
        );
        let city = Membership {
            role: NodeRole::City,
            organisation: OrgId("org-city".into()),
            provider: None,
            facility: None,
        };
        assert!(!may_hold(&city, &family));
    }

    #[test]
    fn applicant_data_only_at_the_city() {
        let applicant = meta(DocKind::Applicant, "org-city", None, &["fac-a"]);
        assert!(!may_hold(&kita("org-k-a", "prov-1", "fac-a"), &applicant));
        // The whole application (every wish and handle) stays at the city, also when its
        // scope names the wished Kitas; each Kita holds only its own wish.
        let application = meta(DocKind::Application, "org-city", None, &["fac-a", "fac-b"]);
        assert!(!may_hold(&kita("org-k-a", "prov-1", "fac-a"), &application));
        let wish = meta(DocKind::ApplicationWish, "org-city", None, &["fac-a"]);
        assert!(may_hold(&kita("org-k-a", "prov-1", "fac-a"), &wish));
        assert!(!may_hold(&kita("org-k-b", "prov-1", "fac-b"), &wish));
        assert!(!may_hold(&traeger("prov-1"), &wish));
        assert!(!may_write(&kita("org-k-a", "prov-1", "fac-a"), &wish));
    }

    #[test]
    fn an_applicant_share_reaches_exactly_the_one_kita_it_names() {
        let share = meta(DocKind::ApplicantShare, "org-city", None, &["fac-a"]);
        assert!(may_hold(&kita("org-k-a", "prov-1", "fac-a"), &share));
        assert!(!may_hold(&kita("org-k-b", "prov-1", "fac-b"), &share));
        assert!(
            !may_hold(&traeger("prov-1"), &share),
            "not the Träger office"
        );
        assert!(!may_write(&kita("org-k-a", "prov-1", "fac-a"), &share));
        let nowhere = meta(DocKind::ApplicantShare, "org-city", None, &[]);
        assert!(!may_hold(&kita("org-k-a", "prov-1", "fac-a"), &nowhere));
        let two = meta(
            DocKind::ApplicantShare,
            "org-city",
            None,
            &["fac-a", "fac-b"],
        );
        assert!(
            !may_hold(&kita("org-k-a", "prov-1", "fac-a"), &two),
            "a share names one Kita or none gets it"
        );
    }

    fn traeger(provider: &str) -> Membership {
        Membership {
            role: NodeRole::Traeger,
            organisation: provider_org(&ProviderId(provider.into())),
            provider: Some(ProviderId(provider.into())),
            facility: None,
        }
    }

    #[test]
    fn a_traegers_named_kita_writes_its_personal_documents() {
        let contract = meta(
            DocKind::CareContract,
            "org-prov-1",
            Some("prov-1"),
            &["fac-a"],
        );
        assert!(may_write(&traeger("prov-1"), &contract), "owner");
        assert!(may_write(&kita("org-fac-a", "prov-1", "fac-a"), &contract));
        assert!(
            !may_write(&kita("org-fac-b", "prov-1", "fac-b"), &contract),
            "Kita not named"
        );
        assert!(
            !may_write(&kita("org-fac-a", "prov-2", "fac-a"), &contract),
            "Kita of another Träger"
        );
        assert!(!may_write(&traeger("prov-2"), &contract), "other Träger");
    }

    #[test]
    fn placement_and_licences_are_written_by_their_owner_only() {
        let ledger = meta(DocKind::SeatLedger, "org-fac-a", Some("prov-1"), &["fac-a"]);
        assert!(may_write(&kita("org-fac-a", "prov-1", "fac-a"), &ledger));
        assert!(
            !may_write(&traeger("prov-1"), &ledger),
            "the Kita decides its seats"
        );
        let app = meta(DocKind::Application, "org-city", None, &["fac-a"]);
        assert!(!may_write(&kita("org-fac-a", "prov-1", "fac-a"), &app));
        let licence = meta(
            DocKind::FacilityLicence,
            "org-city",
            Some("prov-1"),
            &["fac-a"],
        );
        assert!(!may_write(&kita("org-fac-a", "prov-1", "fac-a"), &licence));
        assert!(!may_write(&traeger("prov-1"), &licence));
    }

    #[test]
    fn a_conflict_decision_reaches_the_kitas_it_names_and_only_the_city_writes_it() {
        let decision = meta(
            DocKind::ConflictDecision,
            "org-city",
            None,
            &["fac-a", "fac-b"],
        );
        let named = kita("org-fac-a", "prov-1", "fac-a");
        assert!(may_hold(&named, &decision));
        assert!(!may_hold(&kita("org-fac-c", "prov-1", "fac-c"), &decision));
        assert!(!may_hold(&traeger("prov-1"), &decision));
        assert!(
            !may_write(&named, &decision),
            "the Kita releases in its own ledger"
        );
    }

    #[test]
    fn a_staff_member_reaches_the_traeger_and_every_kita_of_the_assignments() {
        use crate::ids::{StaffAssignmentId, StaffId};
        use crate::kinds::{StaffAssignment, StaffMember, StaffRole};
        use crate::period::Period;
        use crate::scalar::Dec;
        let assignment = |id: &str, facility: &str, from: Date| StaffAssignment {
            id: StaffAssignmentId(id.into()),
            facility: FacilityId(facility.into()),
            role: StaffRole::Educator,
            period: Period::from(from),
            weekly_hours: Dec(20.into()),
        };
        let staff = StaffMember {
            id: StaffId("staff-1".into()),
            provider: ProviderId("prov-1".into()),
            given_name: "Anna".into(),
            family_name: "Beispiel".into(),
            birth_date: None,
            qualification: "fachkraft".into(),
            // A mobile helper: fac-b twice (a change of hours), fac-a once.
            assignments: vec![
                assignment("asg-1", "fac-b", Date::ymd(2026, 1, 1)),
                assignment("asg-2", "fac-a", Date::ymd(2026, 1, 1)),
            ],
            absences: vec![],
            statistics: Default::default(),
        };
        assert_eq!(staff.validate(), Ok(()));
        // The scope the node writes into the metadata is the staff member's facilities.
        let facilities: Vec<String> = staff.facilities().iter().map(|f| f.0.clone()).collect();
        assert_eq!(facilities, ["fac-a", "fac-b"]);
        let names: Vec<&str> = facilities.iter().map(String::as_str).collect();
        let doc = meta(
            DocKind::StaffMember,
            provider_org(&staff.provider).as_str(),
            Some("prov-1"),
            &names,
        );
        assert_eq!(doc.visibility(), Visibility::Personal);
        assert!(may_hold(&traeger("prov-1"), &doc));
        assert!(may_hold(&kita("org-fac-a", "prov-1", "fac-a"), &doc));
        assert!(may_hold(&kita("org-fac-b", "prov-1", "fac-b"), &doc));
        assert!(
            !may_hold(&kita("org-fac-c", "prov-1", "fac-c"), &doc),
            "a Kita of the same Träger the person does not work at"
        );
        assert!(!may_hold(&traeger("prov-2"), &doc), "another Träger");
        let city = Membership {
            role: NodeRole::City,
            organisation: OrgId("org-city".into()),
            provider: None,
            facility: None,
        };
        assert!(!may_hold(&city, &doc), "not the city (L2290)");
        assert!(may_write(&kita("org-fac-b", "prov-1", "fac-b"), &doc));
        assert!(!may_write(&kita("org-fac-c", "prov-1", "fac-c"), &doc));
    }

    #[test]
    fn fee_facts_reach_only_the_city_and_the_answer_only_that_traegers_office() {
        let city = Membership {
            role: NodeRole::City,
            organisation: OrgId("org-city".into()),
            provider: None,
            facility: None,
        };
        let facts = meta(DocKind::FeeFacts, "org-prov-1", Some("prov-1"), &[]);
        assert!(may_hold(&traeger("prov-1"), &facts), "owner");
        assert!(may_hold(&city, &facts));
        assert!(!may_hold(&traeger("prov-2"), &facts), "another Träger");
        assert!(!may_hold(&kita("org-fac-a", "prov-1", "fac-a"), &facts));
        assert!(!may_write(&city, &facts), "the Träger writes its facts");
        let answer = meta(DocKind::SiblingCount, "org-city", Some("prov-1"), &[]);
        assert!(may_hold(&city, &answer));
        assert!(may_hold(&traeger("prov-1"), &answer));
        assert!(!may_hold(&traeger("prov-2"), &answer), "another Träger");
        assert!(
            !may_hold(&kita("org-fac-a", "prov-1", "fac-a"), &answer),
            "not the Träger's Kitas"
        );
        assert!(!may_write(&traeger("prov-1"), &answer), "the city answers");
    }

    #[test]
    fn a_kita_edits_its_own_facility_profile_only() {
        let profile = meta(
            DocKind::FacilityProfile,
            "org-prov-1",
            Some("prov-1"),
            &["fac-a"],
        );
        assert!(may_write(&traeger("prov-1"), &profile));
        assert!(may_write(&kita("org-fac-a", "prov-1", "fac-a"), &profile));
        assert!(!may_write(&kita("org-fac-b", "prov-1", "fac-b"), &profile));
        let provider = meta(DocKind::ProviderProfile, "org-prov-1", Some("prov-1"), &[]);
        assert!(!may_write(&kita("org-fac-a", "prov-1", "fac-a"), &provider));
    }
}
