//! Test fixtures shared by the sync core's tests and the transport's tests: the network of the
//! demo in small (the city, two Träger, four Kitas) and simple valid documents with fixed dates.
//! Compiled only with the `fixtures` feature (dev-dependencies enable it).

use kitanetz_crdt::ids::{
    city_org, facility_org, provider_org, ApplicationId, ChildId, ContractId, ContractLineId,
    FacilityId, FamilyId, GroupId, ProviderId, WishHandle,
};
use kitanetz_crdt::kinds::facility::ApprovedPlaces;
use kitanetz_crdt::kinds::*;
use kitanetz_crdt::period::{Period, Timeline};
use kitanetz_crdt::policy::{Membership, NodeRole};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta};
use rust_decimal::Decimal;

pub const TS: i64 = 1_790_000_000;

pub fn today() -> Date {
    Date::ymd(2026, 11, 2)
}

pub fn prov(n: u32) -> ProviderId {
    ProviderId(format!("prov-{n}"))
}

pub fn fac(x: &str) -> FacilityId {
    FacilityId(format!("fac-{x}"))
}

/// (node name, membership): city, traeger-1 (Kitas a, b), traeger-2 (Kitas c, d).
pub fn members() -> Vec<(String, Membership)> {
    let mut out = vec![(
        "city".to_string(),
        Membership {
            role: NodeRole::City,
            organisation: city_org(),
            provider: None,
            facility: None,
        },
    )];
    for p in [1, 2] {
        out.push((
            format!("traeger-{p}"),
            Membership {
                role: NodeRole::Traeger,
                organisation: provider_org(&prov(p)),
                provider: Some(prov(p)),
                facility: None,
            },
        ));
    }
    for (k, p) in kitas() {
        out.push((
            format!("kita-{k}"),
            Membership {
                role: NodeRole::Kita,
                organisation: facility_org(&fac(k)),
                provider: Some(prov(p)),
                facility: Some(fac(k)),
            },
        ));
    }
    out
}

pub fn kitas() -> [(&'static str, u32); 4] {
    [("a", 1), ("b", 1), ("c", 2), ("d", 2)]
}

pub fn meta(
    kind: DocKind,
    owner: kitanetz_crdt::OrgId,
    provider: Option<ProviderId>,
    facilities: Vec<FacilityId>,
    origin: &str,
) -> DocMeta {
    DocMeta {
        kind,
        schema: 1,
        owner,
        provider,
        facilities,
        origin_node: origin.to_string(),
        created_on: today(),
    }
}

fn address() -> Address {
    Address {
        street: "Dr.-Külz-Ring 19".into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    }
}

pub fn provider_profile(p: u32) -> ProviderProfile {
    ProviderProfile {
        id: prov(p),
        name: format!("Träger {p}"),
        kind: ProviderKind::Free,
        category: "frei".into(),
        address: address(),
        email: "info@example.org".into(),
        phone: String::new(),
    }
}

pub fn facility_profile(k: &str, p: u32) -> FacilityProfile {
    FacilityProfile {
        id: fac(k),
        provider: prov(p),
        name: format!("Kita {k}"),
        address: address(),
        district: "Altstadt".into(),
        cost_centre: String::new(),
        opening_hours: "6-17".into(),
        concept: String::new(),
        email: String::new(),
        phone: String::new(),
        lead_name: String::new(),
        website: String::new(),
        age_from_months: 0,
        age_to_months: 72,
        opens: String::new(),
        closes: String::new(),
        concept_tags: vec![],
        extra_fees: String::new(),
        accessible: false,
        integration: false,
        profile_text: String::new(),
    }
}

pub fn licence(k: &str, p: u32) -> FacilityLicence {
    FacilityLicence {
        id: fac(k),
        provider: prov(p),
        operating_licence_date: None,
        care_types: vec![ApprovedPlaces {
            care_type: CareType::Kindergarten,
            places: Timeline::new(Date::ymd(2020, 1, 1), 60),
        }],
        reserved_seats: vec![],
        closures: vec![],
    }
}

pub fn group(k: &str) -> Group {
    Group {
        id: GroupId(format!("grp-{k}")),
        facility: fac(k),
        name: "Sonnenkäfer".into(),
        care_type: CareType::Kindergarten,
        size: 20,
        lead_educator: String::new(),
        members: vec![],
    }
}

pub fn ledger(k: &str) -> SeatLedger {
    SeatLedger {
        facility: fac(k),
        months: vec![SeatMonth {
            care_type: CareType::Kindergarten,
            month: Date::ymd(2027, 1, 1),
            places: 60,
            occupied: 50,
            reservations: vec![],
            leaving: vec![],
        }],
        declines: vec![],
    }
}

pub fn contract(k: &str) -> CareContract {
    let period = Period::new(Date::ymd(2026, 1, 1), None).unwrap();
    CareContract {
        id: ContractId(format!("ctr-{k}")),
        family: FamilyId(format!("fam-{k}")),
        child: ChildId(format!("child-{k}")),
        facility: fac(k),
        period,
        lines: vec![ContractLine {
            id: ContractLineId(format!("line-{k}")),
            valid: period,
            care_type: CareType::Kindergarten,
            daily_hours: Dec(Decimal::new(9, 0)),
            group: None,
            payment_mode: PaymentMode::DirectDebit,
            reserved_seat: false,
        }],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
    }
}

pub fn application() -> Application {
    Application {
        id: ApplicationId("app-1".into()),
        wishes: vec![
            WishedFacility {
                facility: fac("a"),
                handle: WishHandle("a0000001".into()),
                status: "request".into(),
                since: Some(Date::ymd(2026, 11, 2)),
            },
            WishedFacility {
                facility: fac("c"),
                handle: WishHandle("c0000001".into()),
                status: "waitlist".into(),
                since: Some(Date::ymd(2026, 11, 2)),
            },
        ],
        desired_start: Date::ymd(2027, 1, 1),
        daily_hours: Dec(Decimal::new(8, 0)),
        care_type: CareType::Kindergarten,
        age_months_at_start: 40,
        sibling_in_facility: vec![],
        integration_need: false,
        transfer: false,
        transfer_priority: String::new(),
        transfer_from: None,
        status: "active".into(),
        together: String::new(),
        childminding_agency: None,
        settled: None,
    }
}

/// The wish of [`application()`] at Kita `k` ("a" or "c"), as that Kita receives it.
pub fn wish(k: &str) -> ApplicationWish {
    let app = application();
    let wished = app
        .wishes
        .iter()
        .find(|w| w.facility == fac(k))
        .expect("the application wishes Kitas a and c");
    ApplicationWish {
        handle: wished.handle.clone(),
        facility: wished.facility.clone(),
        care_type: app.care_type,
        desired_start: app.desired_start,
        daily_hours: app.daily_hours,
        age_months_at_start: app.age_months_at_start,
        sibling_here: false,
        integration_need: app.integration_need,
        transfer: app.transfer,
        together_here: vec![],
        status: if wished.status == "request" {
            WishStatus::Requested
        } else {
            WishStatus::Waiting
        },
        requested_on: (wished.status == "request")
            .then_some(wished.since)
            .flatten(),
        denomination: String::new(),
    }
}

pub fn applicant() -> Applicant {
    Applicant {
        application: ApplicationId("app-1".into()),
        child_given_name: "Mia".into(),
        child_family_name: "Muster".into(),
        child_birth_date: Date::ymd(2023, 9, 1),
        child_sex: Sex::Female,
        guardian_given_name: "Anna".into(),
        guardian_family_name: "Muster".into(),
        address: address(),
        phone: String::new(),
        email: "anna@example.org".into(),
        ranked_wishes: vec![fac("c"), fac("a")],
        consents: Consents {
            data_processing: true,
            forwarding_to_free_providers: true,
            terms: true,
        },
        notify_by_post: false,
        child_denomination: String::new(),
        reasons: String::new(),
        transfer_reason: String::new(),
        childminding: None,
        address_check: String::new(),
        submitted_on: None,
        address_checked_on: None,
        history: vec![],
    }
}

pub fn id(s: &str) -> DocId {
    DocId(format!("doc-{s}"))
}

// ------------------------------------------------------------------------------------------
// Toy node keys and certificates for signed changes (the node uses its libp2p key and its
// membership certificate instead)
// ------------------------------------------------------------------------------------------

/// A toy certificate: `root signature (64 bytes) || JSON {name, membership, key}` where `key`
/// is the node's ed25519 public key in hex. Deterministic keys from the names (no randomness in
/// tests).
pub mod toy_pki {
    use crate::sign::{ChangeSigner, ChangeVerifier, Signing, WriterId};
    use automerge::ActorId;
    use kitanetz_crdt::policy::Membership;
    use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

    fn key(seed_of: &str) -> Ed25519KeyPair {
        let mut seed = [0u8; 32];
        for (i, b) in seed_of.bytes().enumerate() {
            seed[i % 32] = seed[i % 32].wrapping_mul(31).wrapping_add(b);
        }
        seed[31] ^= seed_of.len() as u8;
        Ed25519KeyPair::from_seed_unchecked(&seed).expect("32-byte seed")
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(s: &str) -> Option<Vec<u8>> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
            .collect()
    }

    /// The test network's root: issues certificates.
    pub struct Root {
        key: Ed25519KeyPair,
    }

    impl Root {
        pub fn new(name: &str) -> Root {
            Root {
                key: key(&format!("root {name}")),
            }
        }

        pub fn public_key(&self) -> Vec<u8> {
            self.key.public_key().as_ref().to_vec()
        }

        /// The key and certificate of node `name` (also for forging in tests).
        pub fn node_key(&self, name: &str, membership: &Membership) -> NodeKey {
            NodeKey {
                name: name.to_string(),
                key: key(&format!("node {name}")),
                credential: self.certify(name, membership),
            }
        }

        /// A certificate for the node `name` with `membership` over the node's key.
        pub fn certify(&self, name: &str, membership: &Membership) -> Vec<u8> {
            let body = serde_json::json!({
                "name": name,
                "membership": membership,
                "key": hex(key(&format!("node {name}")).public_key().as_ref()),
            })
            .to_string();
            let mut out = self.key.sign(body.as_bytes()).as_ref().to_vec();
            out.extend_from_slice(body.as_bytes());
            out
        }

        /// Signing for a node: its key, its certificate from this root, and a verifier that
        /// trusts this root.
        pub fn signing(&self, name: &str, membership: &Membership) -> Signing {
            Signing {
                signer: Box::new(self.node_key(name, membership)),
                verifier: Box::new(Verifier {
                    root: self.public_key(),
                }),
            }
        }
    }

    /// A node's key and certificate. The writer id is the node name; the actor is the node name
    /// (as the sync tests' documents are made).
    pub struct NodeKey {
        name: String,
        key: Ed25519KeyPair,
        credential: Vec<u8>,
    }

    impl ChangeSigner for NodeKey {
        fn writer(&self) -> WriterId {
            WriterId(self.name.clone())
        }
        fn credential(&self) -> Vec<u8> {
            self.credential.clone()
        }
        fn actor(&self) -> ActorId {
            ActorId::from(self.name.as_bytes())
        }
        fn sign(&self, payload: &[u8]) -> Vec<u8> {
            self.key.sign(payload).as_ref().to_vec()
        }
    }

    /// Checks toy certificates against a root public key.
    pub struct Verifier {
        root: Vec<u8>,
    }

    struct Body {
        name: String,
        membership: Membership,
        key: Vec<u8>,
    }

    /// The certificate's body (past the root's signature, which `admit` checks).
    fn body(credential: &[u8]) -> Option<Body> {
        let v: serde_json::Value = serde_json::from_slice(credential.get(64..)?).ok()?;
        Some(Body {
            name: v.get("name")?.as_str()?.to_string(),
            membership: serde_json::from_value(v.get("membership")?.clone()).ok()?,
            key: unhex(v.get("key")?.as_str()?)?,
        })
    }

    impl ChangeVerifier for Verifier {
        fn admit(&self, credential: &[u8]) -> Option<(WriterId, Membership)> {
            let (sig, signed) = credential.split_at_checked(64)?;
            UnparsedPublicKey::new(&ED25519, &self.root)
                .verify(signed, sig)
                .ok()?;
            let body = body(credential)?;
            Some((WriterId(body.name), body.membership))
        }
        fn verify(&self, credential: &[u8], payload: &[u8], signature: &[u8]) -> bool {
            let Some(Body { key, .. }) = body(credential) else {
                return false;
            };
            UnparsedPublicKey::new(&ED25519, &key)
                .verify(payload, signature)
                .is_ok()
        }
    }
}
