//! Certificate and revocation-list parsing and verification (`kitanetz_p2p::cert`), as a node
//! meets them: from a peer's first request, from the revocation file, from the key files.
//!
//! Two kinds of input from every byte string:
//! - the raw bytes as a signed certificate, a signed revocation list, a root public key and a
//!   node identity file: nothing may panic (no valid signature is reachable this way);
//! - the same bytes read by `arbitrary` as a *structured* input: a certificate or list with
//!   random fields (or any body text) that the fuzz root key really signs, optionally tampered
//!   with. Then the result is checked against an oracle: a certificate verifies exactly when its
//!   signature is the root's over its exact body, its version is current, it names the
//!   connected peer, `issued_on <= now < expires_on` and it is not revoked; a list verifies
//!   exactly when it is signed and every entry is a PeerId.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};
use kitanetz_crdt::policy::{Membership, NodeRole};
use kitanetz_fuzz_support::keys::{
    peer, root_key, root_public, sign_raw, signed_json, CERT_CONTEXT, REVOCATION_CONTEXT,
};
use kitanetz_p2p::cert::CERT_VERSION;
use kitanetz_p2p::{
    verify_certificate, Certificate, Keypair, RevocationList, RootPublicKey, SignedCertificate,
    SignedRevocationList,
};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

/// A string field: mostly one a real node would have, sometimes anything.
#[derive(Arbitrary, Debug)]
enum Text {
    Peer(u8),
    Id(u8),
    Any(String),
}

impl Text {
    fn render(&self, prefix: &str) -> String {
        match self {
            Text::Peer(i) => peer(usize::from(*i)).to_string(),
            Text::Id(n) => format!("{prefix}-{n}"),
            Text::Any(s) => s.clone(),
        }
    }
}

/// How a signed object's JSON is damaged before it is read.
#[derive(Arbitrary, Debug)]
enum Tamper {
    None,
    /// XOR one byte of the JSON text.
    FlipByte {
        at: u16,
        with: u8,
    },
    /// Replace the signature.
    Signature(String),
    /// Sign under the other object's context (a list's signature passed off as a certificate's).
    OtherContext,
}

#[derive(Arbitrary, Debug)]
enum Structured {
    Certificate {
        current_version: bool,
        version: u32,
        peer_id: Text,
        node_name: String,
        role: u8,
        organisation: Text,
        provider: Option<Text>,
        facility: Option<Text>,
        issued_on: u64,
        expires_on: u64,
        connected: u8,
        now: u64,
        revoked: Vec<u8>,
        tamper: Tamper,
    },
    Revocations {
        version: u32,
        revoked: Vec<Text>,
        issued_at: u64,
        tamper: Tamper,
    },
    /// Any body text under a valid certificate or list signature.
    SignedBody { body: String, as_list: bool },
}

const ROLES: [NodeRole; 4] = [
    NodeRole::City,
    NodeRole::Traeger,
    NodeRole::Kita,
    NodeRole::Tagespflege,
];

/// The JSON a node would read: `body` signed under `context`, then tampered with. Returns the
/// bytes and whether they still carry the root's signature over `body` (as far as the reader
/// can tell: a damaged byte may also have hit JSON syntax or an escape that decodes the same).
fn signed_and_tampered(body: &str, context: &[u8], other: &[u8], tamper: &Tamper) -> Vec<u8> {
    match tamper {
        Tamper::None => signed_json(body, &sign_raw(context, body.as_bytes())),
        Tamper::FlipByte { at, with } => {
            let mut json = signed_json(body, &sign_raw(context, body.as_bytes()));
            let len = json.len();
            json[usize::from(*at) % len] ^= with;
            json
        }
        Tamper::Signature(s) => signed_json(body, s),
        Tamper::OtherContext => signed_json(body, &sign_raw(other, body.as_bytes())),
    }
}

/// Whether `json` still holds exactly `body` and a signature the root made over it under
/// `context` (hex case does not matter: the same bytes).
fn intact(json: &[u8], body: &str, context: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return false;
    };
    let sig = value["signature"]
        .as_str()
        .and_then(|s| hex::decode(s).ok());
    value["body"].as_str() == Some(body)
        && sig == hex::decode(sign_raw(context, body.as_bytes())).ok()
}

fn raw(data: &[u8]) {
    let root = root_public();
    if let Ok(cert) = SignedCertificate::from_json(data) {
        let _ = verify_certificate(&cert, &root, &peer(0), 1_800_000_000, &BTreeSet::new());
    }
    if let Ok(list) = SignedRevocationList::from_json(data) {
        let _ = list.verify(&root);
    }
    let _ = RootPublicKey::from_hex(&String::from_utf8_lossy(data));
    let _ = Keypair::from_protobuf_encoding(data);
}

fn structured(input: Structured) {
    let root = root_public();
    match input {
        Structured::Certificate {
            current_version,
            version,
            peer_id,
            node_name,
            role,
            organisation,
            provider,
            facility,
            issued_on,
            expires_on,
            connected,
            now,
            revoked,
            tamper,
        } => {
            let cert = Certificate {
                version: if current_version {
                    CERT_VERSION
                } else {
                    version
                },
                peer_id: peer_id.render("peer"),
                node_name,
                membership: Membership {
                    role: ROLES[usize::from(role) % ROLES.len()],
                    organisation: OrgId(organisation.render("org")),
                    provider: provider.map(|p| ProviderId(p.render("prov"))),
                    facility: facility.map(|f| FacilityId(f.render("fac"))),
                },
                issued_on,
                expires_on,
            };
            // The body exactly as the root key signs it.
            let body = root_key().sign(&cert).body;
            let json = signed_and_tampered(&body, CERT_CONTEXT, REVOCATION_CONTEXT, &tamper);
            let connected = peer(usize::from(connected));
            let revoked: BTreeSet<String> = revoked
                .iter()
                .map(|i| peer(usize::from(*i)).to_string())
                .collect();
            let result = SignedCertificate::from_json(&json)
                .and_then(|signed| verify_certificate(&signed, &root, &connected, now, &revoked));
            let should_verify = intact(&json, &body, CERT_CONTEXT)
                && cert.version == CERT_VERSION
                && cert.peer_id == connected.to_string()
                && cert.issued_on <= now
                && now < cert.expires_on
                && !revoked.contains(&cert.peer_id);
            match result {
                Ok(verified) => {
                    assert!(should_verify, "verified although it should not: {cert:?}");
                    assert_eq!(
                        verified, cert,
                        "verified certificate differs from the signed one"
                    );
                }
                Err(e) => assert!(!should_verify, "refused a good certificate: {e}; {cert:?}"),
            }
        }
        Structured::Revocations {
            version,
            revoked,
            issued_at,
            tamper,
        } => {
            let list = RevocationList {
                version,
                revoked: revoked.iter().map(|t| t.render("peer")).collect(),
                issued_at,
            };
            let body = serde_json::to_string(&list).expect("plain data");
            let json = signed_and_tampered(&body, REVOCATION_CONTEXT, CERT_CONTEXT, &tamper);
            let result = SignedRevocationList::from_json(&json).and_then(|s| s.verify(&root));
            let should_verify = intact(&json, &body, REVOCATION_CONTEXT)
                && list
                    .revoked
                    .iter()
                    .all(|p| p.parse::<kitanetz_p2p::PeerId>().is_ok());
            match result {
                Ok(verified) => {
                    assert!(should_verify, "verified although it should not: {list:?}");
                    assert_eq!(verified, list);
                }
                Err(e) => assert!(!should_verify, "refused a good list: {e}; {list:?}"),
            }
        }
        Structured::SignedBody { body, as_list } => {
            if as_list {
                let json = signed_json(&body, &sign_raw(REVOCATION_CONTEXT, body.as_bytes()));
                if let Ok(s) = SignedRevocationList::from_json(&json) {
                    let _ = s.verify(&root);
                }
            } else {
                let json = signed_json(&body, &sign_raw(CERT_CONTEXT, body.as_bytes()));
                if let Ok(s) = SignedCertificate::from_json(&json) {
                    if let Ok(c) = s.verify(&root) {
                        assert_eq!(c.version, CERT_VERSION);
                    }
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    raw(data);
    if let Ok(input) = Structured::arbitrary_take_rest(Unstructured::new(data)) {
        structured(input);
    }
});
