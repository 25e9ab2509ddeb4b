//! Who may hold a document: the single rule used by storage (import) and sync (serve).
//! Deny by default: every arm names who is allowed; everyone else is refused.

use crate::ids::{FacilityId, OrgId, ProviderId};
use crate::meta::{DocMeta, Visibility};
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
        Visibility::Applicant => member.role == NodeRole::City,
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
        let placement = meta(DocKind::Application, "org-city", None, &["fac-a"]);
        assert!(may_hold(&kita("org-k-a", "prov-1", "fac-a"), &placement));
        assert!(!may_hold(&kita("org-k-b", "prov-1", "fac-b"), &placement));
    }
}
