//! Staff authentication and authorisation. Every handler calls [`authorize`] with a named
//! [`Action`] before it touches data; the route × role matrix test walks every route.

pub mod http;
mod own_password;
pub mod passwords;
mod sessions;
pub mod throttle;
mod users;

pub use own_password::{change_own_password, require_password_change, PasswordChange};
pub use sessions::{
    create_guardian_session, create_session, create_session_of, end_browser_session, end_session,
    lookup_guardian_session, lookup_session, new_token, token_digest, SessionKind, SessionTokens,
    StaffSession,
};
pub use users::{
    create_user, insert_user, verify_login, LoginError, NewUser, LOCKOUT_AFTER_FAILURES,
    LOCKOUT_MINUTES,
};

use kitanetz_crdt::ids::{ChildminderId, FacilityId, OrgId, ProviderId};
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

/// A logged-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub organisation: OrgId,
    pub provider: Option<ProviderId>,
    pub facility: Option<FacilityId>,
    /// A childminder's own login: her record in the register (`None` for everyone else).
    pub childminder: Option<ChildminderId>,
}

impl Caller {
    pub fn audit_name(&self) -> String {
        format!("user:{}", self.username)
    }
}

/// A parent's (guardian's) portal account on the city node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuardianAccount {
    pub account_id: i64,
    pub email: String,
    pub display_name: String,
}

/// Who is asking: nobody logged in (the public portal), a staff member, or a parent. Every
/// operation is an [`Action`] checked for a principal by [`authorize`], staff and parents alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Principal {
    Visitor,
    Staff(Caller),
    Guardian(GuardianAccount),
}

impl Principal {
    /// How the audit log names the principal: `user:<name>`, `guardian:<id>` or `visitor`
    /// (a guardian's e-mail address is personal data and stays out of the log).
    pub fn audit_name(&self) -> String {
        match self {
            Principal::Visitor => "visitor".into(),
            Principal::Staff(c) => c.audit_name(),
            Principal::Guardian(g) => format!("guardian:{}", g.account_id),
        }
    }

    /// The staff member, if a staff member is asking.
    pub fn staff(&self) -> Option<&Caller> {
        match self {
            Principal::Staff(c) => Some(c),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.staff().map(|c| c.role)
    }

    /// The name shown in the page header.
    pub fn display_name(&self) -> &str {
        match self {
            Principal::Visitor => "",
            Principal::Staff(c) => &c.display_name,
            Principal::Guardian(g) => &g.display_name,
        }
    }

    /// What the refusal message calls the principal.
    fn kind_name(&self) -> &'static str {
        match self {
            Principal::Visitor => "visitor",
            Principal::Staff(c) => c.role.as_str(),
            Principal::Guardian(_) => "guardian",
        }
    }
}

/// Everything a principal can ask to do, reads included. Scoped actions carry the ids that
/// decide; the domain function that performs the operation checks it before it reads anything
/// but the scope.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// The facility directory and a facility's master data, as staff see them.
    ViewDirectory,
    /// The Träger's profile of a Kita (owner: the Träger; its Kita lead edits too).
    EditFacilityProfile {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// Care types and approved places (owner: the city).
    EditFacilityLicence,
    /// The children page: the Kitas whose children the caller may see (each Kita then checked
    /// with [`Action::ViewChildren`]).
    ListChildren,
    /// Children and guardians of a Kita (personal data).
    ViewChildren {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// The contracts of a Kita's children.
    ViewContracts {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// Enter a contract or change one from a date.
    EditContracts {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// The node's audit log; `provider` is the Träger whose node it is (none on the city).
    ViewAudit {
        provider: Option<&'a ProviderId>,
    },
    /// Which peers this node syncs with and how it is going (no personal data).
    ViewSyncStatus,
    /// Conflict records: the ZVS sees all the city holds; a Kita lead the tasks of the Kita
    /// this node serves (`facility`).
    ViewConflicts {
        facility: Option<&'a FacilityId>,
    },
    /// Decide which Kita keeps an application held by several (the ZVS).
    DecideConflicts,
    /// A Kita's seat plan and the applications naming the Kita (its lead only).
    ViewSeats {
        facility: Option<&'a FacilityId>,
    },
    /// Reserve or release a seat for an application (its lead only: the Kita decides its seats).
    ManageSeats {
        facility: Option<&'a FacilityId>,
    },
    /// Who is logged in (own account data).
    ViewOwnAccount,
    /// Change one's own password, the current one given (every staff member; parents reset
    /// theirs on the portal).
    ChangeOwnPassword,
    /// Register a portal account or ask for a password-reset link (visitors).
    RegisterAccount,
    /// Follow a one-time link from a portal mail (confirm the address, set a new password):
    /// the link's token is the credential, so anybody holding it may.
    FollowAccountLink,
    /// Apply for a place for one's children (a logged-in parent).
    SubmitApplication,
    /// The applications one submitted, with the status of every wish (a logged-in parent).
    ViewOwnApplications,
    /// Withdraw one's own application (a logged-in parent; the domain checks it is hers).
    WithdrawApplication,
    /// Change one's own application: address, start, hours, wishes (a logged-in parent; the
    /// domain checks it is hers and that no place is reserved yet).
    ChangeApplication,
    /// Attach a proof (e.g. a rental contract) to one's own application (a logged-in parent).
    UploadProof,
    /// Invite the second guardian to one's own application (the contact parent).
    InviteGuardian,
    /// Accept an invitation to an application as second guardian (a logged-in parent).
    AcceptInvitation,
    /// The intake lists (watch list, intake pool), the proofs, the settings (the ZVS).
    ViewIntake,
    /// Release or reject an application on the watch list, ask for proofs (the ZVS).
    DecideIntake,
    /// Change the intake settings: placement horizon, address re-check, follow-up (the ZVS).
    ManageIntake,
    /// Enter an application for parents who cannot use the portal, unborn children included
    /// (the ZVS, Lastenheft 3.4.1).
    EnterApplication,
    /// The parents' portal: search facilities and childminders, read their public profiles,
    /// keep a favourites basket (anyone, logged in or not).
    SearchPortal,
    /// The fee cases, decisions and billing runs of the Träger whose node it is (its
    /// Beitragsstelle; its admin reads them).
    ViewFees {
        provider: Option<&'a ProviderId>,
    },
    /// Enter payer and mandate, a child's fee status; issue, post and revoke decisions (the
    /// Träger's Beitragsstelle).
    DecideFees {
        provider: Option<&'a ProviderId>,
    },
    /// Run the monthly Soll-Stellung and write its files (the Träger's Beitragsstelle).
    RunBilling {
        provider: Option<&'a ProviderId>,
    },
    /// The state and statistics counts of the Träger whose node it is (its admin).
    ViewStatistics {
        provider: Option<&'a ProviderId>,
    },
    /// Keep the master data the statistics of the Träger's Kitas need and Kitanetz otherwise
    /// does not hold (the Kita-Data-Webhouse's Bundesland, Zusatzfelder and the kind of a
    /// child's integration aid): its admin, on the Träger's node.
    EditStatisticsMasterData {
        provider: Option<&'a ProviderId>,
    },
    /// Keep the Träger's staff (Betreuungspersonal, Lastenheft 3.7.2): its admin, centrally on
    /// the Träger's node (3.7.2.1 "zentral … verwaltet").
    ManageStaff {
        provider: Option<&'a ProviderId>,
    },
    /// The Kindertagespflege register: childminders, permits, proofs, children placed, absences
    /// and running payments (the BVS-KTP; the ZVS reads it for placement).
    ViewChildminders,
    /// Record permits, proofs, absences and placements with childminders (the BVS-KTP).
    ManageChildminders,
    /// A childminder's own file ("Meine Kindertagespflege"): only the childminder user linked
    /// to it.
    ViewOwnChildminding {
        childminder: &'a ChildminderId,
    },
    /// A childminder records her own vacation or sick days (only the user linked to her file).
    RecordOwnAbsence {
        childminder: &'a ChildminderId,
    },
    /// The staff sessions and API tokens on this node: list and revoke (the system admin all,
    /// the Träger admin those of the Träger's staff).
    ManageSessions {
        provider: Option<&'a ProviderId>,
    },
    /// A guardian's address and contact data (a move, a new number): the Kita's lead, its
    /// Träger's admin (Lastenheft 3.7.3).
    EditFamilyContact {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// The Änderungsmeldungen of the Träger's Kitas (Lastenheft 3.7.3): the Beitragsstelle and
    /// the Träger's admin read them; the Beitragsstelle marks them done.
    ViewChangeReports {
        provider: Option<&'a ProviderId>,
    },
    ProcessChangeReports {
        provider: Option<&'a ProviderId>,
    },
    /// A backup of this node from the UI (*Datensicherung*): whoever administers the node
    /// (the system admin; the Träger admin on the Träger's nodes; the lead on her Kita's node).
    BackUpNode {
        provider: Option<&'a ProviderId>,
        facility: Option<&'a FacilityId>,
    },
    /// The occupancy and forecast of a Kita (`facility`: its lead, its Träger's admin) or of
    /// every Kita of the Träger (`facility: None`: its admin).
    ViewOccupancy {
        facility: Option<&'a FacilityId>,
        provider: &'a ProviderId,
    },
    /// A Kita's groups and its recorded extra care (its lead; its Träger's admin reads).
    ViewKitaDay {
        facility: &'a FacilityId,
        provider: &'a ProviderId,
    },
    /// Create and change groups, move children between them (the lead of the Kita this node
    /// serves: a Kita's groups are its own documents, written on its node only).
    ManageGroups {
        facility: Option<&'a FacilityId>,
    },
    /// Record the Kita's day: extra care (and report a month to the Beitragsstelle), attendance
    /// on heilpädagogische places (the lead of the Kita this node serves).
    RecordKitaDay {
        facility: Option<&'a FacilityId>,
    },
    /// Register a child who comes without an application through the city (a company-reserved
    /// place, a direct admission): family and contract in one step (the lead of the Kita this
    /// node serves).
    AdmitChild {
        facility: Option<&'a FacilityId>,
    },
    /// The Kita-Planer import buffer of the Kita this node serves: read a file into it, admit
    /// or discard its rows (its lead).
    ImportFromKitaplaner {
        facility: Option<&'a FacilityId>,
    },
    /// One's own follow-ups (Wiedervorlagen): list, add, mark done (every staff member).
    ManageOwnFollowUps,
    /// The city's placement statistics from its pseudonymous data (the ZVS).
    ViewPlacementStatistics,
    /// The coordinated placement rounds: their statistics, proposals and protocols (the ZVS).
    ViewPlacementRounds,
    /// Start a coordinated placement round (the ZVS).
    RunPlacementRound,
    /// Publish a new version of the city's criteria catalogue for the rounds (the ZVS).
    PublishCriteriaCatalogue,
    /// Decide the urgency of a Wechselantrag, letting it into placement, or reject it (the ZVS).
    DecideTransfer,
    /// Add a Kita from the central pool's alternatives as a family's further wish (the ZVS).
    OfferAlternative,
    /// Cancel a placement round: withdraw its proposals no Kita has answered (the ZVS).
    CancelPlacementRound,
    /// Accept or decline the offer of a placement round for one's own application (a logged-in
    /// parent; the domain checks it is hers).
    AnswerOffer,
    /// Record the answer parents gave to a round's offer by phone or letter (the ZVS).
    RecordOfferAnswer,
    /// Declare the household's income for a fee reduction and upload the proofs, for the child
    /// of one's own application once it has a place (a logged-in parent; the domain checks it is
    /// hers).
    DeclareIncome,
    /// The Kita-Planer 2 export buffer of a Kita (`facility`: its lead, its Träger's admin) or
    /// of every Kita of the Träger (`facility: None`: its admin): read the rows and the error
    /// list, run the export (audited) or a dry run.
    ExportKitaplaner {
        facility: Option<&'a FacilityId>,
        provider: &'a ProviderId,
    },
    /// The files of the interfaces of Lastenheft 3.19 (health office, cost accounting, core
    /// data for the Träger's own systems) for a Kita (`facility`: its lead, its Träger's admin)
    /// or every Kita of the Träger (`facility: None`: its admin). Each download is audited:
    /// personal data leave the system.
    ExportInterfaces {
        facility: Option<&'a FacilityId>,
        provider: &'a ProviderId,
    },
}

impl Action<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Action::ViewDirectory => "directory.view",
            Action::EditFacilityProfile { .. } => "facility.profile.edit",
            Action::EditFacilityLicence => "facility.licence.edit",
            Action::ListChildren => "children.list",
            Action::ViewChildren { .. } => "children.view",
            Action::ViewContracts { .. } => "contracts.view",
            Action::EditContracts { .. } => "contracts.edit",
            Action::ViewAudit { .. } => "audit.view",
            Action::ViewSyncStatus => "sync.view",
            Action::ViewConflicts { .. } => "conflicts.view",
            Action::DecideConflicts => "conflicts.decide",
            Action::ViewSeats { .. } => "seats.view",
            Action::ManageSeats { .. } => "seats.manage",
            Action::ViewOwnAccount => "account.view",
            Action::ChangeOwnPassword => "user.password.change",
            Action::SearchPortal => "portal.search",
            Action::RegisterAccount => "account.register",
            Action::FollowAccountLink => "account.link",
            Action::SubmitApplication => "application.submit",
            Action::ViewOwnApplications => "applications.own.view",
            Action::WithdrawApplication => "application.withdraw",
            Action::ChangeApplication => "application.change",
            Action::UploadProof => "application.proof.upload",
            Action::InviteGuardian => "application.guardian.invite",
            Action::AcceptInvitation => "application.guardian.accept",
            Action::ViewIntake => "intake.view",
            Action::DecideIntake => "intake.decide",
            Action::ManageIntake => "intake.settings",
            Action::EnterApplication => "application.enter",
            Action::ViewFees { .. } => "fees.view",
            Action::DecideFees { .. } => "fees.decide",
            Action::RunBilling { .. } => "fees.bill",
            Action::ViewStatistics { .. } => "statistics.view",
            Action::EditStatisticsMasterData { .. } => "statistics.master.edit",
            Action::ManageStaff { .. } => "staff.manage",
            Action::ViewChildminders => "childminders.view",
            Action::ManageChildminders => "childminders.manage",
            Action::ViewOwnChildminding { .. } => "childminders.own.view",
            Action::RecordOwnAbsence { .. } => "childminders.own.absence",
            Action::ViewOccupancy { .. } => "occupancy.view",
            Action::ManageSessions { .. } => "sessions.manage",
            Action::BackUpNode { .. } => "node.backup",
            Action::EditFamilyContact { .. } => "family.contact.change",
            Action::ViewChangeReports { .. } => "changes.view",
            Action::ProcessChangeReports { .. } => "changes.done",
            Action::ViewKitaDay { .. } => "kita.day.view",
            Action::ManageGroups { .. } => "groups.manage",
            Action::RecordKitaDay { .. } => "kita.day.record",
            Action::AdmitChild { .. } => "child.admit",
            Action::ImportFromKitaplaner { .. } => "kitaplaner.import",
            Action::ManageOwnFollowUps => "follow_ups.manage",
            Action::ViewPlacementStatistics => "statistics.placement.view",
            Action::ViewPlacementRounds => "rounds.view",
            Action::RunPlacementRound => "rounds.start",
            Action::PublishCriteriaCatalogue => "rounds.catalogue.publish",
            Action::DecideTransfer => "intake.transfer.decide",
            Action::OfferAlternative => "intake.alternative",
            Action::CancelPlacementRound => "rounds.cancel",
            Action::AnswerOffer => "round.offer.answer",
            Action::RecordOfferAnswer => "round.offer.record",
            Action::DeclareIncome => "fees.declaration.submit",
            Action::ExportKitaplaner { .. } => "kitaplaner.export",
            Action::ExportInterfaces { .. } => "interfaces.export",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{who} may not {action}")]
pub struct Forbidden {
    pub who: &'static str,
    pub action: &'static str,
}

/// Decides whether `who` may do `action`. Deny by default: every allowed case is listed.
pub fn authorize(who: &Principal, action: Action<'_>) -> Result<(), Forbidden> {
    let allowed = match who {
        Principal::Visitor => matches!(
            action,
            Action::SearchPortal | Action::RegisterAccount | Action::FollowAccountLink
        ),
        Principal::Guardian(_) => matches!(
            action,
            Action::ViewOwnAccount
                | Action::SearchPortal
                | Action::FollowAccountLink
                | Action::SubmitApplication
                | Action::ViewOwnApplications
                | Action::WithdrawApplication
                | Action::ChangeApplication
                | Action::UploadProof
                | Action::InviteGuardian
                | Action::AcceptInvitation
                | Action::AnswerOffer
                | Action::DeclareIncome
        ),
        Principal::Staff(caller) => staff_may(caller, action),
    };
    if allowed {
        Ok(())
    } else {
        Err(Forbidden {
            who: who.kind_name(),
            action: action.name(),
        })
    }
}

fn staff_may(caller: &Caller, action: Action<'_>) -> bool {
    let own_provider = |p: &ProviderId| caller.provider.as_ref() == Some(p);
    let own_facility = |f: &FacilityId| caller.facility.as_ref() == Some(f);
    match action {
        Action::ViewDirectory
        | Action::ViewSyncStatus
        | Action::ManageOwnFollowUps
        | Action::ViewOwnAccount
        | Action::ChangeOwnPassword
        | Action::SearchPortal
        | Action::FollowAccountLink => true,
        Action::RegisterAccount
        | Action::SubmitApplication
        | Action::ViewOwnApplications
        | Action::WithdrawApplication
        | Action::ChangeApplication
        | Action::UploadProof
        | Action::InviteGuardian
        | Action::AcceptInvitation
        | Action::AnswerOffer
        | Action::DeclareIncome => false,
        Action::EditFacilityProfile { facility, provider }
        | Action::ViewChildren { facility, provider }
        | Action::ViewContracts { facility, provider }
        | Action::EditContracts { facility, provider }
        | Action::EditFamilyContact { facility, provider } => match caller.role {
            Role::TraegerAdmin => own_provider(provider),
            Role::KitaLead => own_provider(provider) && own_facility(facility),
            _ => false,
        },
        Action::ListChildren => match caller.role {
            Role::TraegerAdmin => caller.provider.is_some(),
            Role::KitaLead => caller.provider.is_some() && caller.facility.is_some(),
            _ => false,
        },
        Action::EditFacilityLicence
        | Action::DecideConflicts
        | Action::ViewIntake
        | Action::DecideIntake
        | Action::ManageIntake
        | Action::EnterApplication
        | Action::ViewPlacementStatistics
        | Action::ViewPlacementRounds
        | Action::RunPlacementRound
        | Action::PublishCriteriaCatalogue
        | Action::CancelPlacementRound
        | Action::RecordOfferAnswer
        | Action::DecideTransfer
        | Action::OfferAlternative => caller.role == Role::Zvs,
        Action::ViewChildminders => matches!(caller.role, Role::BvsKtp | Role::Zvs),
        Action::ManageChildminders => caller.role == Role::BvsKtp,
        Action::ViewOwnChildminding { childminder } | Action::RecordOwnAbsence { childminder } => {
            caller.role == Role::Childminder && caller.childminder.as_ref() == Some(childminder)
        }
        Action::ViewConflicts { facility } => match caller.role {
            Role::Zvs => true,
            Role::KitaLead => facility.is_some_and(own_facility),
            _ => false,
        },
        Action::ViewSeats { facility } | Action::ManageSeats { facility } => {
            caller.role == Role::KitaLead && facility.is_some_and(own_facility)
        }
        // The system admin, and the Träger admin on the nodes of their Träger (its office
        // and its Kitas).
        Action::ViewAudit { provider } => match caller.role {
            Role::SystemAdmin => true,
            Role::TraegerAdmin => provider.is_some_and(own_provider),
            _ => false,
        },
        // The Beitragsstelle of the Träger whose node it is; the Träger's admin reads along.
        Action::ViewFees { provider } => match caller.role {
            Role::FeeOffice | Role::TraegerAdmin => provider.is_some_and(own_provider),
            _ => false,
        },
        Action::DecideFees { provider } | Action::RunBilling { provider } => {
            caller.role == Role::FeeOffice && provider.is_some_and(own_provider)
        }
        Action::ViewStatistics { provider }
        | Action::EditStatisticsMasterData { provider }
        | Action::ManageStaff { provider } => {
            caller.role == Role::TraegerAdmin && provider.is_some_and(own_provider)
        }
        Action::ManageSessions { provider } => match caller.role {
            Role::SystemAdmin => true,
            Role::TraegerAdmin => provider.is_some_and(own_provider),
            _ => false,
        },
        Action::ViewChangeReports { provider } => match caller.role {
            Role::FeeOffice | Role::TraegerAdmin => provider.is_some_and(own_provider),
            _ => false,
        },
        Action::ProcessChangeReports { provider } => {
            caller.role == Role::FeeOffice && provider.is_some_and(own_provider)
        }
        Action::BackUpNode { provider, facility } => match caller.role {
            Role::SystemAdmin => true,
            Role::TraegerAdmin => provider.is_some_and(own_provider),
            Role::KitaLead => {
                provider.is_some_and(own_provider) && facility.is_some_and(own_facility)
            }
            _ => false,
        },
        Action::ViewKitaDay { facility, provider } => match caller.role {
            Role::TraegerAdmin => own_provider(provider),
            Role::KitaLead => own_provider(provider) && own_facility(facility),
            _ => false,
        },
        Action::ManageGroups { facility }
        | Action::RecordKitaDay { facility }
        | Action::AdmitChild { facility }
        | Action::ImportFromKitaplaner { facility } => {
            caller.role == Role::KitaLead && facility.is_some_and(own_facility)
        }
        Action::ViewOccupancy { facility, provider }
        | Action::ExportKitaplaner { facility, provider }
        | Action::ExportInterfaces { facility, provider } => match caller.role {
            Role::TraegerAdmin => own_provider(provider),
            Role::KitaLead => own_provider(provider) && facility.is_some_and(own_facility),
            _ => false,
        },
    }
}
