//! Enrolment: how a new Kita node joins the network (issue #11 item 1).
//!
//! The city's administration machine (which alone holds the root key) issues an *enrolment
//! file* for a node: a fresh libp2p identity, the certificate that binds it to the node's name
//! and membership, the root public key to check peers against, and the addresses of the nodes
//! to dial (the Träger office, and for now the city). The file is a secret like a key file: it
//! is handed over on a USB stick or through the Träger's file exchange, never by mail.
//!
//! The Kita's side ([`enrol`]) checks the file, writes the node's data directory (`node.toml`
//! with its `[p2p]` section, the key owner-only, the certificate), creates the database and the
//! first account (the Kita lead, with the password the lead chose) and records the enrolment in
//! the audit log. Nothing else is seeded: the Kita's documents arrive from its peers.
//!
//! `kitanetz cert enrol` issues a file; `kitanetz enrol` and the desktop app's first-start
//! assistant consume one.

pub mod assistant;

use crate::auth::{create_user, NewUser, Role};
use crate::config::{NodeConfig, P2pSection, CONFIG_FILE};
use crate::storage::AuditEntry;
use kitanetz_crdt::policy::NodeRole;
use kitanetz_crdt::validate::{ValidationError, Validator};
use kitanetz_p2p::{Keypair, Multiaddr, RootKey, RootPublicKey, SignedCertificate};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::Path;

/// The `format` of an enrolment file.
pub const ENROLMENT_FORMAT: &str = "kitanetz-enrolment/1";

/// Where an enrolled desktop's libp2p side listens: loopback only. A Kita PC dials out to its
/// Träger; it need not (and behind a firewall cannot) be reached from the network.
pub const DESKTOP_P2P_LISTEN: &str = "/ip4/127.0.0.1/tcp/0";

/// Where an enrolled node's UI listens when it runs as `kitanetz serve` (the desktop app opens
/// no port; it shows the UI through its own scheme).
pub const DEFAULT_UI_LISTEN: &str = "127.0.0.1:8080";

/// How far a Kita PC's clock may be behind the city's.
const CLOCK_SKEW: u64 = 3600;

/// An enrolment file, as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub format: String,
    /// The organisation's name as the window header shows it (e.g. "Kita Sonnenschein").
    pub display_name: String,
    /// The city's root public key (hex): peers are checked against it.
    pub root_public_key: String,
    /// The node's certificate: its name, role and organisation, signed by the root.
    pub certificate: SignedCertificate,
    /// The node's libp2p key (protobuf encoding, hex): the certificate names its PeerId.
    pub identity_key: String,
    /// The nodes to dial, with their PeerIds (`/ip4/…/tcp/…/p2p/…`).
    pub peers: Vec<String>,
}

/// Why an enrolment file was refused. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("Die Datei ist keine Kitanetz-Einrichtungsdatei / not an enrolment file: {0}")]
    Format(String),
    #[error("Die Einrichtungsdatei ist beschädigt oder gefälscht / the enrolment file does not check out: {0}")]
    Invalid(String),
    #[error("Die Einrichtungsdatei ist abgelaufen; bitte eine neue beim Jugendamt anfordern / the enrolment file expired; ask the city for a new one")]
    Expired,
    #[error("Hier ist schon ein Knoten eingerichtet ({0}) / a node is set up here already")]
    AlreadyEnrolled(String),
    #[error("Dieser Knoten ist kein Kita-Knoten ({0}); Büroknoten werden mit node.toml eingerichtet / only Kita nodes are enrolled this way")]
    NotAKita(String),
    #[error(transparent)]
    Account(ValidationError),
    #[error("{0}")]
    Io(String),
}

/// The first account of an enrolled node: the Kita lead, who signs in afterwards.
#[derive(Debug, Clone, Default)]
pub struct FirstAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub password_repeat: String,
}

impl FirstAccount {
    fn check(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            (3..=64).contains(&self.username.chars().count())
                && self
                    .username
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')),
            "username",
            "3 bis 64 Zeichen: Buchstaben, Ziffern, Punkt, Binde- oder Unterstrich / 3 to 64 letters, digits, '.', '-' or '_'",
        );
        v.text("display_name", &self.display_name, 200);
        match crate::accounts::check_new_password_pair(&self.password, &self.password_repeat) {
            Ok(()) => {}
            Err(e) => {
                for f in e.errors {
                    v.check(false, &f.field, f.message);
                }
            }
        }
        v.finish()
    }
}

/// What a checked enrolment file says.
#[derive(Debug, Clone)]
pub struct Checked {
    pub config: NodeConfig,
    pub identity: Keypair,
    pub certificate: SignedCertificate,
    /// Unix seconds.
    pub expires_on: u64,
}

impl Enrolment {
    /// Issues an enrolment file for a node (on the city's administration machine): a fresh
    /// identity, its certificate valid for `days`, and the peers to dial.
    pub fn issue(
        root: &RootKey,
        template: &NodeConfig,
        peers: Vec<String>,
        now: u64,
        days: u64,
    ) -> anyhow::Result<Enrolment> {
        let identity = Keypair::generate_ed25519();
        let certificate = kitanetz_p2p::issue_certificate(
            root,
            &identity.public().to_peer_id(),
            &template.name,
            template.membership(),
            // Valid already on a Kita PC whose clock is a little behind.
            now.saturating_sub(CLOCK_SKEW),
            now + days * 86_400,
        );
        Ok(Enrolment {
            format: ENROLMENT_FORMAT.into(),
            display_name: template.display_name.clone(),
            root_public_key: root.public_key().to_string(),
            certificate,
            identity_key: hex::encode(identity.to_protobuf_encoding()?),
            peers,
        })
    }

    /// Reads an enrolment file's bytes (a file upload or a pasted text).
    pub fn parse(bytes: &[u8]) -> Result<Enrolment, EnrolError> {
        let e: Enrolment =
            serde_json::from_slice(bytes).map_err(|e| EnrolError::Format(e.to_string()))?;
        if e.format != ENROLMENT_FORMAT {
            return Err(EnrolError::Format(format!(
                "format {:?}, expected {ENROLMENT_FORMAT:?}",
                e.format
            )));
        }
        Ok(e)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serialises")
    }

    /// Checks the file at `now` (Unix seconds): the certificate is signed by the root it names,
    /// is issued to the key it carries and is valid now, the node is a Kita, the peers are
    /// addresses. Returns the node's configuration.
    pub fn check(&self, now: u64) -> Result<Checked, EnrolError> {
        let invalid =
            |what: &str, e: &dyn std::fmt::Display| EnrolError::Invalid(format!("{what}: {e}"));
        let root = RootPublicKey::from_hex(&self.root_public_key)
            .map_err(|e| invalid("root_public_key", &e))?;
        let key_bytes =
            hex::decode(self.identity_key.trim()).map_err(|e| invalid("identity_key", &e))?;
        let identity =
            Keypair::from_protobuf_encoding(&key_bytes).map_err(|e| invalid("identity_key", &e))?;
        let certificate = kitanetz_p2p::verify_certificate(
            &self.certificate,
            &root,
            &identity.public().to_peer_id(),
            now,
            &Default::default(),
        )
        .map_err(|e| match e {
            kitanetz_p2p::CertError::Expired { .. } => EnrolError::Expired,
            e => invalid("certificate", &e),
        })?;
        if certificate.membership.role != NodeRole::Kita {
            return Err(EnrolError::NotAKita(
                certificate.membership.role.as_str().into(),
            ));
        }
        for peer in &self.peers {
            peer.parse::<Multiaddr>()
                .map_err(|e| invalid(&format!("peers: {peer}"), &e))?;
        }
        let membership = certificate.membership.clone();
        let config = NodeConfig {
            version: 1,
            name: certificate.node_name.clone(),
            role: membership.role,
            organisation: membership.organisation,
            provider: membership.provider,
            facility: membership.facility,
            listen: DEFAULT_UI_LISTEN.parse::<SocketAddr>().expect("constant"),
            display_name: self.display_name.clone(),
            p2p: Some(P2pSection {
                listen: DESKTOP_P2P_LISTEN.into(),
                peers: self.peers.clone(),
                ..P2pSection::with_root(self.root_public_key.trim().to_string())
            }),
            portal: None,
            mail: None,
            tls: None,
            fees: None,
            kita: None,
            backup: None,
            // New nodes seal personal documents at rest (ARCHITECTURE.md §Erasure).
            storage: Some(crate::config::StorageSection {
                encrypt_personal: true,
            }),
            tagespflege: None,
            kitaplaner: None,
        };
        config.validate().map_err(|e| invalid("node", &e))?;
        Ok(Checked {
            config,
            identity,
            certificate: self.certificate.clone(),
            expires_on: certificate.expires_on,
        })
    }
}

/// Writes a secret to a new file only its owner can read (an enrolment holds a node key).
pub fn write_new_private_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("{}", path.display()))
}

/// Sets up a node in `data_dir` from an enrolment file: checks the file and the first account,
/// then writes the configuration, key, certificate, database and account. `data_dir` must not
/// hold a node yet (an empty directory is fine). On any error nothing is left behind.
pub fn enrol(
    data_dir: &Path,
    enrolment: &Enrolment,
    first: &FirstAccount,
    now_millis: i64,
) -> Result<NodeConfig, EnrolError> {
    if data_dir.join(CONFIG_FILE).exists() {
        let name = NodeConfig::load(data_dir)
            .map(|c| c.name)
            .unwrap_or_else(|_| data_dir.display().to_string());
        return Err(EnrolError::AlreadyEnrolled(name));
    }
    let checked = enrolment.check((now_millis.max(0) / 1000) as u64)?;
    first.check().map_err(EnrolError::Account)?;
    let fresh = !data_dir.exists();
    let written = write_node(data_dir, &checked, first, now_millis);
    if written.is_err() {
        // Leave the directory as it was: a half-written node would refuse the next attempt.
        if fresh {
            let _ = std::fs::remove_dir_all(data_dir);
        } else if let Some(p2p) = &checked.config.p2p {
            for file in [
                Path::new(CONFIG_FILE),
                Path::new(crate::config::DATABASE_FILE),
                p2p.identity_key.as_path(),
                p2p.certificate.as_path(),
            ] {
                let _ = std::fs::remove_file(data_dir.join(file));
            }
        }
    }
    written.map(|()| checked.config)
}

fn write_node(
    data_dir: &Path,
    checked: &Checked,
    first: &FirstAccount,
    now_millis: i64,
) -> Result<(), EnrolError> {
    let io =
        |what: &Path, e: &dyn std::fmt::Display| EnrolError::Io(format!("{}: {e}", what.display()));
    std::fs::create_dir_all(data_dir).map_err(|e| io(data_dir, &e))?;
    let config = &checked.config;
    let p2p = config.p2p.as_ref().expect("an enrolled node syncs");
    let key_path = data_dir.join(&p2p.identity_key);
    kitanetz_p2p::write_identity(&key_path, &checked.identity).map_err(|e| io(&key_path, &e))?;
    let cert_path = data_dir.join(&p2p.certificate);
    std::fs::write(&cert_path, checked.certificate.to_json()).map_err(|e| io(&cert_path, &e))?;
    let mut store = crate::node::open_store(data_dir, config).map_err(|e| io(data_dir, &e))?;
    // `Enrolment::check` admits Kita nodes only.
    create_user(
        &mut store,
        &NewUser {
            username: first.username.trim(),
            display_name: first.display_name.trim(),
            password: &first.password,
            role: Role::KitaLead,
            organisation: config.organisation.clone(),
            provider: config.provider.clone(),
            facility: config.facility.clone(),
        },
    )
    .map_err(|e| io(data_dir, &e))?;
    store
        .audit(&AuditEntry {
            at: now_millis,
            actor: "system".into(),
            action: "node.enrol",
            target: Some(config.name.clone()),
            subjects: Vec::new(),
            valid_from: None,
        })
        .map_err(|e| io(data_dir, &e))?;
    drop(store);
    // Written last: a directory with node.toml is a node, so it appears only when complete.
    config
        .write(data_dir)
        .map_err(|e| io(&data_dir.join(CONFIG_FILE), &e))?;
    crate::node::restrict_permissions(data_dir).map_err(|e| io(data_dir, &e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};

    fn kita_template() -> NodeConfig {
        NodeConfig {
            version: 1,
            name: "kita-linde-desktop".into(),
            role: NodeRole::Kita,
            organisation: OrgId("org-fac-linde".into()),
            provider: Some(ProviderId("prov-1".into())),
            facility: Some(FacilityId("fac-linde".into())),
            listen: DEFAULT_UI_LISTEN.parse().unwrap(),
            display_name: "Kita Linde".into(),
            p2p: None,
            portal: None,
            mail: None,
            tls: None,
            fees: None,
            kita: None,
            backup: None,
            storage: None,
            tagespflege: None,
            kitaplaner: None,
        }
    }

    fn lead() -> FirstAccount {
        FirstAccount {
            username: "leitung".into(),
            display_name: "Anna Leitung".into(),
            password: "ein-langes-passwort".into(),
            password_repeat: "ein-langes-passwort".into(),
        }
    }

    const NOW: u64 = 1_795_000_000;

    fn issued(dir: &Path) -> Enrolment {
        let root = kitanetz_p2p::generate_root(&dir.join("root.key")).unwrap();
        let peer =
            "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
        Enrolment::issue(&root, &kita_template(), vec![peer.into()], NOW, 30).unwrap()
    }

    #[test]
    fn an_issued_file_enrols_a_kita_node_with_its_lead() {
        let tmp = tempfile::tempdir().unwrap();
        let file = Enrolment::parse(issued(tmp.path()).to_json().as_bytes()).unwrap();
        let dir = tmp.path().join("node");
        let config = enrol(&dir, &file, &lead(), NOW as i64 * 1000).unwrap();
        assert_eq!(config.name, "kita-linde-desktop");
        let loaded = NodeConfig::load(&dir).unwrap();
        assert_eq!(loaded, config);
        assert_eq!(loaded.p2p.as_ref().unwrap().peers.len(), 1);
        let store = crate::node::open_store(&dir, &loaded).unwrap();
        let (user, role): (String, String) = store
            .conn()
            .query_row("SELECT username, role FROM users", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((user.as_str(), role.as_str()), ("leitung", "kita-lead"));
        // The key on disk is the one the certificate names.
        let key = kitanetz_p2p::load_or_create_identity(&dir.join("p2p-identity.key")).unwrap();
        let cert = SignedCertificate::load(&dir.join("p2p-certificate.json")).unwrap();
        let root = RootPublicKey::from_hex(&file.root_public_key).unwrap();
        kitanetz_p2p::verify_certificate(
            &cert,
            &root,
            &key.public().to_peer_id(),
            NOW,
            &Default::default(),
        )
        .unwrap();
        // A second enrolment into the same directory is refused.
        assert!(matches!(
            enrol(&dir, &file, &lead(), NOW as i64 * 1000),
            Err(EnrolError::AlreadyEnrolled(_))
        ));
    }

    #[test]
    fn a_bad_file_or_account_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let good = issued(tmp.path());
        let dir = tmp.path().join("node");

        let mut forged = good.clone();
        forged.identity_key =
            hex::encode(Keypair::generate_ed25519().to_protobuf_encoding().unwrap());
        assert!(matches!(
            enrol(&dir, &forged, &lead(), NOW as i64 * 1000),
            Err(EnrolError::Invalid(_))
        ));
        let later = (NOW + 31 * 86_400) as i64 * 1000;
        assert!(matches!(
            enrol(&dir, &good, &lead(), later),
            Err(EnrolError::Expired)
        ));
        let weak = FirstAccount {
            password: "kurz".into(),
            password_repeat: "kurz".into(),
            ..lead()
        };
        match enrol(&dir, &good, &weak, NOW as i64 * 1000) {
            Err(EnrolError::Account(e)) => {
                assert!(e.errors.iter().any(|f| f.field == "password"), "{e:?}")
            }
            other => panic!("expected an account error, got {other:?}"),
        }
        assert!(!dir.exists(), "nothing written");
        assert!(matches!(
            Enrolment::parse(b"{\"format\":\"other\"}"),
            Err(EnrolError::Format(_))
        ));
    }
}
