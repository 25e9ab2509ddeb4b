//! Staff authentication and authorisation. Every handler calls [`authorize`] with a named
//! [`Action`] before it touches data; the route × role matrix test walks every route.

mod sessions;
mod users;

pub use sessions::{create_session, end_session, lookup_session, SessionTokens};
pub use users::{
    create_user, verify_login, LoginError, NewUser, LOCKOUT_AFTER_FAILURES, LOCKOUT_MINUTES,
};

use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Staff roles (RULES.md §7), each scoped to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    SystemAdmin,
    /// Zentrale Vermittlungsstelle (city placement office)
    Zvs,
    /// Beitragsstelle
    FeeOffice,
    TraegerAdmin,
    KitaLead,
    /// Beratungs- und Vermittlungsstelle Kindertagespflege
    BvsKtp,
    Childminder,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::SystemAdmin,
        Role::Zvs,
        Role::FeeOffice,
        Role::TraegerAdmin,
        Role::KitaLead,
        Role::BvsKtp,
        Role::Childminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system-admin",
            Role::Zvs => "zvs",
            Role::FeeOffice => "fee-office",
            Role::TraegerAdmin => "traeger-admin",
            Role::KitaLead => "kita-lead",
            Role::BvsKtp => "bvs-ktp",
            Role::Childminder => "childminder",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Role::SystemAdmin => "Systemverwaltung",
            Role::Zvs => "Zentrale Vermittlungsstelle",
            Role::FeeOffice => "Beitragsstelle",
            Role::TraegerAdmin => "Trägerverwaltung",
            Role::KitaLead => "Kita-Leitung",
            Role::BvsKtp => "BVS Kindertagespflege",
            Role::Childminder => "Tagespflegeperson",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// The authenticated person making a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub organisation: OrgId,
    pub provider: Option<ProviderId>,
    pub facility: Option<FacilityId>,
}

impl Caller {
    pub fn audit_name(&self) -> String {
        format!("user:{}", self.username)
    }
}

/// Everything a caller can ask to do. Scoped actions carry the ids that decide.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// The public facility directory.
    ViewDirectory,
    /// The Träger's profile of a Kita (owner: the Träger; its Kita lead edits too).
    EditFacilityProfile {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// Care types and approved places (owner: the city).
    EditFacilityLicence,
    /// Children and guardians of a Kita (personal data).
    ViewChildren {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// Contracts of a Kita's children.
    EditContracts {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// The node's audit log.
    ViewAudit,
    /// Which peers this node syncs with and how it is going (no personal data).
    ViewSyncStatus,
    /// Conflict records: the ZVS sees all the city holds; a Kita lead the tasks of the Kita
    /// this node serves (`facility`).
    ViewConflicts { facility: Option<&'a FacilityId> },
    /// Decide which Kita keeps an application held by several (the ZVS).
    DecideConflicts,
    /// A Kita's seat ledger: see the applications naming the Kita, reserve and release seats
    /// (its lead only: the Kita decides its seats).
    ManageSeats { facility: Option<&'a FacilityId> },
}

impl Action<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Action::ViewDirectory => "directory.view",
            Action::EditFacilityProfile { .. } => "facility.profile.edit",
            Action::EditFacilityLicence => "facility.licence.edit",
            Action::ViewChildren { .. } => "children.view",
            Action::EditContracts { .. } => "contracts.edit",
            Action::ViewAudit => "audit.view",
            Action::ViewSyncStatus => "sync.view",
            Action::ViewConflicts { .. } => "conflicts.view",
            Action::DecideConflicts => "conflicts.decide",
            Action::ManageSeats { .. } => "seats.manage",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} may not {action}")]
pub struct Forbidden {
    pub role: Role,
    pub action: &'static str,
}

/// Decides whether `caller` may do `action`. Deny by default: every allowed case is listed.
pub fn authorize(caller: &Caller, action: Action<'_>) -> Result<(), Forbidden> {
    let own_provider = |p: &ProviderId| caller.provider.as_ref() == Some(p);
    let own_facility = |f: &FacilityId| caller.facility.as_ref() == Some(f);
    let allowed = match action {
        Action::ViewDirectory | Action::ViewSyncStatus => true,
        Action::EditFacilityProfile { facility, provider }
        | Action::ViewChildren { facility, provider }
        | Action::EditContracts { facility, provider } => match caller.role {
            Role::TraegerAdmin => own_provider(provider),
            Role::KitaLead => own_provider(provider) && own_facility(facility),
            _ => false,
        },
        Action::EditFacilityLicence | Action::DecideConflicts => caller.role == Role::Zvs,
        Action::ViewConflicts { facility } => match caller.role {
            Role::Zvs => true,
            Role::KitaLead => facility.is_some_and(own_facility),
            _ => false,
        },
        Action::ManageSeats { facility } => {
            caller.role == Role::KitaLead && facility.is_some_and(own_facility)
        }
        Action::ViewAudit => caller.role == Role::SystemAdmin,
    };
    if allowed {
        Ok(())
    } else {
        Err(Forbidden {
            role: caller.role,
            action: action.name(),
        })
    }
}
