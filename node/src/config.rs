//! Node configuration: `node.toml` in the data directory (version 1). Environment variables
//! `KITANETZ_<KEY>` override single keys.

use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};
use kitanetz_crdt::policy::{Membership, NodeRole};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "node.toml";
pub const DATABASE_FILE: &str = "node.db";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Config format version; only 1 exists.
    pub version: u32,
    /// Node name, unique in the network, e.g. `kita-sonnenschein`.
    pub name: String,
    pub role: NodeRole,
    /// The organisation this node belongs to.
    pub organisation: OrgId,
    /// The Träger, for `traeger` and `kita` nodes.
    pub provider: Option<ProviderId>,
    /// The Kita, for `kita` nodes.
    pub facility: Option<FacilityId>,
    /// Where the UI and API listen.
    pub listen: SocketAddr,
    /// Display name of the organisation (shown in the header).
    pub display_name: String,
    /// Sync with other nodes over libp2p; without it the node runs alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p: Option<P2pSection>,
    /// The parents' portal (city nodes only): search, accounts, applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal: Option<PortalSection>,
    /// Outgoing mail (verification and reset links, receipts); without it mails wait in the
    /// outbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<kitanetz_mail::MailConfig>,
    /// HTTPS: the node terminates TLS itself, or a TLS reverse proxy is in front of it
    /// (`node/tls/README.md`). Without it the node serves plain http on loopback only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsSection>,
    /// The Beitragsstelle (Träger nodes): who decides the fees and collects them. Without it
    /// decisions carry the node's display name and no direct-debit file can be written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<FeesSection>,
    /// The Kita's own settings (Kita nodes); without it the defaults hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kita: Option<KitaSection>,
    /// Kindertagespflege (city or BVS-KTP nodes): the city's own amount table of the running
    /// payment; without it the example table of `kitanetz-tagespflege` holds, and every
    /// payment says it is an example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagespflege: Option<TagespflegeSection>,
    /// The Kita-Planer 2 export (Schleswig-Holstein; Träger and Kita nodes): the Kitas' ids in
    /// Kita-Planer and where export files are dropped. Without it the page shows the buffer and
    /// dry runs, and names every Kita's missing `KITA_ID_EXTERN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitaplaner: Option<KitaplanerSection>,
    /// Backups from the UI (*Datensicherung*): where they go. Without it the node is backed up
    /// with `kitanetz backup` (the desktop app sets a folder in the user's profile itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupSection>,
    /// How personal data is kept at rest (ARCHITECTURE.md §Erasure). Without it chunks are
    /// stored plain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageSection>,
}

/// The `[storage]` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct StorageSection {
    /// Seal the chunks of personal documents (families, contracts, applicants, fee cases, …)
    /// with a key per document kept in `subject-keys.db`, outside `node.db`: erasing a family
    /// deletes its keys, and its documents in every earlier backup of `node.db` become
    /// unreadable. Chunks written before the option was switched on stay readable (and are
    /// sealed when the document is next compacted).
    #[serde(default)]
    pub encrypt_personal: bool,
}

impl NodeConfig {
    /// Whether new chunks of personal documents are sealed at rest.
    pub fn encrypts_personal(&self) -> bool {
        self.storage.as_ref().is_some_and(|s| s.encrypt_personal)
    }
}

/// The `[backup]` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// The folder each backup from the UI gets a new folder in; outside the data directory
    /// (relative paths are read from the data directory's parent).
    pub dir: PathBuf,
}

/// The `[kitaplaner]` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct KitaplanerSection {
    /// The directory each export run writes its file into (the file-drop transfer); relative
    /// paths are read from the data directory. Without it only dry runs are possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_dir: Option<PathBuf>,
    /// `KITA_ID_EXTERN` per Kita: the Kitanetz facility id → the Kita's id in Kita-Planer.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub kita_ids: std::collections::BTreeMap<String, String>,
}

/// The `[tagespflege]` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct TagespflegeSection {
    /// A JSON file with the versions of the amount table (an array of tables, each with
    /// `id`, `valid_from`, `source`, `example: false` and its `tiers` of `up_to_hours` and
    /// `monthly`); relative paths are read from the data directory. Checked at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_table: Option<PathBuf>,
}

/// The `[kita]` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KitaSection {
    /// The days a year the social welfare office pays for on a heilpädagogischer place
    /// (Lastenheft 3.9.2: 250, "configurable").
    #[serde(default = "default_attendance_max_days")]
    pub attendance_max_days: u32,
}

fn default_attendance_max_days() -> u32 {
    crate::attendance::DEFAULT_MAX_BILLABLE_DAYS
}

impl Default for KitaSection {
    fn default() -> Self {
        KitaSection {
            attendance_max_days: default_attendance_max_days(),
        }
    }
}

/// The `[fees]` section: the deciding authority on the fee decisions, and the creditor of the
/// SEPA direct debits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct FeesSection {
    /// e.g. "Landeshauptstadt Dresden"; empty: the node's display name.
    #[serde(default)]
    pub authority: String,
    /// e.g. "Eigenbetrieb Kindertageseinrichtungen, Beitragsstelle".
    #[serde(default)]
    pub office: String,
    #[serde(default)]
    pub street: String,
    /// e.g. "01067 Dresden".
    #[serde(default)]
    pub postcode_town: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Where an objection (Widerspruch) is lodged; empty: the office's address.
    #[serde(default)]
    pub objection_address: String,
    /// "Unser Zeichen" on the decisions.
    #[serde(default)]
    pub file_number: String,
    /// The first month Kitanetz bills (`YYYY-MM`); before it the old system did. Empty: every
    /// month is compared.
    #[serde(default)]
    pub billed_since: String,
    /// The creditor of the direct debits; without it no pain.008 file is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor: Option<CreditorSection>,
}

/// The SEPA creditor: the account the direct debits are collected to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreditorSection {
    pub name: String,
    pub iban: String,
    #[serde(default)]
    pub bic: String,
    /// Gläubiger-Identifikationsnummer, e.g. "DE98ZZZ09999999999".
    pub creditor_id: String,
    /// Name of the bank, printed on decisions for transfers.
    #[serde(default)]
    pub bank: String,
}

/// The `[tls]` section: certificate and key (the node serves https), or `behind_proxy`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// The certificate chain (PEM), relative to the data directory.
    #[serde(default)]
    pub cert: Option<PathBuf>,
    /// Its private key (PEM: PKCS#8, RSA or SEC1), relative to the data directory.
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// `Strict-Transport-Security: max-age` in seconds (0: browsers forget it).
    #[serde(default = "TlsSection::default_hsts_max_age")]
    pub hsts_max_age: u64,
    /// Seconds between checks of the two files for a renewed certificate.
    #[serde(default = "TlsSection::default_reload_interval")]
    pub reload_interval: u64,
    /// A TLS-terminating reverse proxy is in front of the node (then `public_url` is https).
    #[serde(default)]
    pub behind_proxy: bool,
    /// The proxies whose `X-Forwarded-For` names the client (`http::client_addr`): from these
    /// addresses only, so that throttles, limits and audit see the client, not the proxy.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for TlsSection {
    fn default() -> TlsSection {
        TlsSection {
            cert: None,
            key: None,
            hsts_max_age: TlsSection::default_hsts_max_age(),
            reload_interval: TlsSection::default_reload_interval(),
            behind_proxy: false,
            trusted_proxies: Vec::new(),
        }
    }
}

impl TlsSection {
    fn default_hsts_max_age() -> u64 {
        kitanetz_tls::DEFAULT_HSTS_MAX_AGE.as_secs()
    }

    fn default_reload_interval() -> u64 {
        kitanetz_tls::DEFAULT_POLL_INTERVAL.as_secs()
    }

    /// The certificate and key files, when the node terminates TLS itself.
    pub fn files(&self) -> Option<kitanetz_tls::TlsFiles> {
        Some(kitanetz_tls::TlsFiles {
            cert: self.cert.clone()?,
            key: self.key.clone()?,
        })
    }

    fn problems(&self, out: &mut Vec<String>) {
        match (&self.cert, &self.key) {
            (Some(_), None) | (None, Some(_)) => {
                out.push("tls.cert, tls.key: give both or neither".to_string())
            }
            (None, None) if !self.behind_proxy => out.push(
                "tls: give cert and key (the node serves https), or behind_proxy = true (a TLS reverse proxy is in front)"
                    .to_string(),
            ),
            _ => {}
        }
        if self.reload_interval == 0 {
            out.push("tls.reload_interval: at least 1 second".to_string());
        }
    }
}

/// The `[portal]` section of the city node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct PortalSection {
    /// The city's street directory (`street;house_number;postcode;district;lat;lon`, UTF-8),
    /// relative to the data directory: resolves addresses for the radius search and the
    /// address check. Without it the search has no radius.
    #[serde(default = "PortalSection::default_street_directory")]
    pub street_directory: PathBuf,
    /// The population register's street list (`street;postcode;district`, UTF-8), relative to
    /// the data directory; empty: none. With it the address check also accepts a house the
    /// street directory does not list, when the register lists its street under the postcode
    /// (`node/src/portal/register.rs`, format in `node/src/interfaces/FORMATS.md`).
    #[serde(default)]
    pub population_register: PathBuf,
    /// Map tiles, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`; empty: markers on a
    /// plain background (the list below the map shows everything either way).
    #[serde(default)]
    pub tile_url: String,
    /// Shown on the map for the tiles' licence, e.g. `© OpenStreetMap contributors`.
    #[serde(default)]
    pub tile_attribution: String,
    /// The portal's address as parents reach it, for the links in mails (never taken from a
    /// request's Host header, which a sender chooses), e.g. `https://kita.dresden.de`.
    /// Empty: `http://` and the node's listen address (right for a test machine only).
    #[serde(default)]
    pub public_url: String,
    /// The city whose residents apply here: its addresses are checked against the street
    /// directory, others go to the placement office's watch list. Empty: the last word of
    /// `display_name` ("Jugendamt Dresden").
    #[serde(default)]
    pub city: String,
    /// The placement office as its letters name it (sender block of the receipt by post).
    #[serde(default)]
    pub office: OfficeSection,
}

/// The placement office's address on its letters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct OfficeSection {
    /// e.g. "Zentrale Vermittlungsstelle Kindertagesbetreuung"; empty: the node's display name.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub street: String,
    /// e.g. "01067 Dresden".
    #[serde(default)]
    pub postcode_town: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

impl PortalSection {
    fn default_street_directory() -> PathBuf {
        "streets.csv".into()
    }

    /// The defaults: `streets.csv` beside the database, no tiles.
    pub fn with_defaults() -> PortalSection {
        PortalSection {
            street_directory: Self::default_street_directory(),
            population_register: PathBuf::new(),
            tile_url: String::new(),
            tile_attribution: String::new(),
            public_url: String::new(),
            city: String::new(),
            office: OfficeSection::default(),
        }
    }

    /// The origin of the tile server (for the page's content security policy), if tiles are
    /// configured.
    pub fn tile_origin(&self) -> Option<String> {
        let rest = self.tile_url.strip_prefix("https://")?;
        let host = rest.split('/').next().filter(|h| !h.is_empty())?;
        Some(format!("https://{host}"))
    }

    fn problems(&self, out: &mut Vec<String>) {
        let url = self.public_url.trim_end_matches('/');
        if !url.is_empty()
            && (!(url.starts_with("https://") || url.starts_with("http://"))
                || url.contains(['"', '\'', ' ', '<', '>']))
        {
            out.push(format!(
                "portal.public_url: the portal's address for links in mails, e.g. https://kita.dresden.de: {:?}",
                self.public_url
            ));
        }
        if !self.tile_url.is_empty()
            && (self.tile_origin().is_none()
                || !["{z}", "{x}", "{y}"]
                    .iter()
                    .all(|p| self.tile_url.contains(p))
                || self.tile_url.contains(['"', '\'', ' ', ';']))
        {
            out.push(format!(
                "portal.tile_url: an https URL with {{z}}, {{x}} and {{y}}, e.g. https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png: {}",
                self.tile_url
            ));
        }
    }
}

/// The `[p2p]` section: how the node links to its peers. Paths are relative to the data
/// directory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct P2pSection {
    /// libp2p address to listen on.
    #[serde(default = "P2pSection::default_listen")]
    pub listen: String,
    /// Addresses of the nodes to dial (city, Träger), redialled with backoff; the city through
    /// a Träger office's relay as `…/p2p/<office>/p2p-circuit/p2p/<city>`.
    #[serde(default)]
    pub peers: Vec<String>,
    /// The node's libp2p key; created (owner-only) on first use.
    #[serde(default = "P2pSection::default_identity_key")]
    pub identity_key: PathBuf,
    /// The node's certificate, written by `kitanetz cert issue`.
    #[serde(default = "P2pSection::default_certificate")]
    pub certificate: PathBuf,
    /// The city's root public key, 64 hex digits (`kitanetz cert root` prints it) …
    #[serde(default)]
    pub root_public_key: Option<String>,
    /// … or a file holding it.
    #[serde(default)]
    pub root_public_key_file: Option<PathBuf>,
    /// The city's revocation list: read at start and whenever it changes; a newer list from
    /// a peer is written here. The file need not exist.
    #[serde(default = "P2pSection::default_revocations")]
    pub revocations: PathBuf,
}

impl P2pSection {
    fn default_listen() -> String {
        "/ip4/0.0.0.0/tcp/4001".into()
    }
    fn default_identity_key() -> PathBuf {
        "p2p-identity.key".into()
    }
    fn default_certificate() -> PathBuf {
        "p2p-certificate.json".into()
    }
    fn default_revocations() -> PathBuf {
        "p2p-revocations.json".into()
    }

    /// A section with every default and the given root key.
    pub fn with_root(root_public_key: String) -> P2pSection {
        P2pSection {
            listen: Self::default_listen(),
            peers: Vec::new(),
            identity_key: Self::default_identity_key(),
            certificate: Self::default_certificate(),
            root_public_key: Some(root_public_key),
            root_public_key_file: None,
            revocations: Self::default_revocations(),
        }
    }

    fn problems(&self, out: &mut Vec<String>) {
        if self.listen.parse::<kitanetz_p2p::Multiaddr>().is_err() {
            out.push(format!(
                "p2p.listen: not a multiaddr (e.g. /ip4/0.0.0.0/tcp/4001): {}",
                self.listen
            ));
        }
        for (i, peer) in self.peers.iter().enumerate() {
            if peer.parse::<kitanetz_p2p::Multiaddr>().is_err() {
                out.push(format!(
                    "p2p.peers[{i}]: not a multiaddr (e.g. /ip4/10.0.0.1/tcp/4001): {peer}"
                ));
            }
        }
        match (&self.root_public_key, &self.root_public_key_file) {
            (None, None) => out.push(
                "p2p.root_public_key, p2p.root_public_key_file: one is needed (`kitanetz cert root` prints the key)"
                    .to_string(),
            ),
            (Some(_), Some(_)) => out.push(
                "p2p.root_public_key, p2p.root_public_key_file: give only one".to_string(),
            ),
            (Some(hex), None) => {
                if kitanetz_p2p::RootPublicKey::from_hex(hex).is_err() {
                    out.push("p2p.root_public_key: expected 64 hex digits".to_string());
                }
            }
            (None, Some(_)) => {}
        }
        for (key, path) in [
            ("p2p.identity_key", &self.identity_key),
            ("p2p.certificate", &self.certificate),
            ("p2p.revocations", &self.revocations),
        ] {
            if path.as_os_str().is_empty() {
                out.push(format!("{key}: must name a file"));
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    // Not a `source`: the message already says it, and error chains would print it twice.
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid configuration:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

impl NodeConfig {
    pub fn membership(&self) -> Membership {
        Membership {
            role: self.role,
            organisation: self.organisation.clone(),
            provider: self.provider.clone(),
            facility: self.facility.clone(),
        }
    }

    /// Lists every problem, each by key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if self.version != 1 {
            problems.push(format!("version: must be 1, found {}", self.version));
        }
        if self.name.is_empty()
            || !self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            problems.push("name: letters, digits and '-' only".to_string());
        }
        match self.role {
            NodeRole::Kita if self.facility.is_none() || self.provider.is_none() => {
                problems.push("facility, provider: a kita node needs both".to_string())
            }
            NodeRole::Traeger if self.provider.is_none() => {
                problems.push("provider: a traeger node needs it".to_string())
            }
            NodeRole::City | NodeRole::Tagespflege if self.facility.is_some() => {
                problems.push("facility: only kita nodes have one".to_string())
            }
            _ => {}
        }
        if let Some(p2p) = &self.p2p {
            p2p.problems(&mut problems);
        }
        if let Some(tls) = &self.tls {
            tls.problems(&mut problems);
        }
        if let Some(Err(kitanetz_mail::MailConfigError::Invalid(mail))) =
            self.mail.as_ref().map(kitanetz_mail::MailConfig::validate)
        {
            problems.extend(mail);
        }
        if let Some(portal) = &self.portal {
            if self.role != NodeRole::City {
                problems.push("portal: only the city node runs the parents' portal".to_string());
            }
            portal.problems(&mut problems);
        }
        if self.tagespflege.is_some()
            && !matches!(self.role, NodeRole::City | NodeRole::Tagespflege)
        {
            problems.push(
                "tagespflege: only the city or a tagespflege node keeps the childminders"
                    .to_string(),
            );
        }
        if self.kitaplaner.is_some() && !matches!(self.role, NodeRole::Traeger | NodeRole::Kita) {
            problems.push(
                "kitaplaner: only a traeger or kita node holds the contracts to export".to_string(),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    pub fn load(data_dir: &Path) -> Result<NodeConfig, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::Read {
            path: path.clone(),
            error,
        })?;
        let mut cfg: NodeConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path,
            message: e.to_string(),
        })?;
        cfg.apply_env(|k| std::env::var(k).ok())?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn write(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let text = format!(
            "# Kitanetz node configuration (format version 1).\n# Keys can be overridden with KITANETZ_<KEY> environment variables, e.g. KITANETZ_LISTEN.\n{}",
            toml::to_string_pretty(self).expect("serialisable")
        );
        std::fs::write(data_dir.join(CONFIG_FILE), text)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(listen) = get("KITANETZ_LISTEN") {
            self.listen = listen.parse().map_err(|_| {
                ConfigError::Invalid(vec![format!("KITANETZ_LISTEN: not an address: {listen}")])
            })?;
        }
        if let Some(name) = get("KITANETZ_NAME") {
            self.name = name;
        }
        if let Some(mail) = &mut self.mail {
            mail.apply_env(&get);
        }
        Ok(())
    }

    /// A commented example, printed by `kitanetz config --example`.
    pub fn example() -> &'static str {
        r#"# Kitanetz node configuration (format version 1).
version = 1
# Unique node name in the network.
name = "kita-sonnenschein"
# city | traeger | kita | tagespflege
role = "kita"
organisation = "org-kita-sonnenschein"
provider = "prov-eigenbetrieb"
facility = "fac-sonnenschein"
listen = "127.0.0.1:8080"
display_name = "Kita Sonnenschein"

# Sync with other nodes over libp2p (leave the section out to run the node alone).
# Paths are relative to the data directory.
[p2p]
listen = "/ip4/0.0.0.0/tcp/4001"
# The city's and the Träger's nodes; they are dialled and redialled after an outage. A Kita
# that reaches only its Träger office dials the city through the office's relay:
# "/ip4/192.0.2.20/tcp/4001/p2p/<office PeerId>/p2p-circuit/p2p/<city PeerId>".
peers = ["/ip4/192.0.2.10/tcp/4001", "/ip4/192.0.2.20/tcp/4001"]
# Created on first use (owner-only); `kitanetz cert issue` certifies its PeerId.
identity_key = "p2p-identity.key"
certificate = "p2p-certificate.json"
# The city's root public key (`kitanetz cert root` prints it), or root_public_key_file = "…".
root_public_key = "8c2f6b1e0d4a3975c1e8f0b2a6d4c3e1f9a7b5c3d1e0f2a4b6c8d0e2f4a6b8c0"
# Revocation list: read at start and whenever the file changes, updated from peers.
revocations = "p2p-revocations.json"

# The city node only: the parents' portal.
# [portal]
# The city's street directory (street;house_number;postcode;district;lat;lon), for the radius
# search and the address check.
# street_directory = "streets.csv"
# The population register's streets (street;postcode;district): the address check also accepts
# a house the street directory lacks when the register lists its street under the postcode.
# population_register = "register.csv"
# Map tiles (an https URL with {z}, {x}, {y}); without them the map shows markers only.
# tile_url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# tile_attribution = "© OpenStreetMap contributors"
# The portal's address as parents reach it (links in mails).
# public_url = "https://kita.dresden.de"
# The city whose residents apply here (others go to the watch list).
# city = "Dresden"
# The placement office as its letters name it (sender of the receipt by post).
# [portal.office]
# name = "Zentrale Vermittlungsstelle Kindertagesbetreuung"
# street = "Rathausplatz 1"
# postcode_town = "01067 Dresden"
# phone = "0351 488-0000"
# email = "kita-portal@dresden.example"

# HTTPS (node/tls/README.md). Without it the node serves plain http, on loopback only: the
# session cookie is Secure, so browsers on other machines would drop it.
# [tls]
# cert = "tls/fullchain.pem"   # certificate chain (PEM), relative to the data directory
# key = "tls/privkey.pem"      # its private key (PEM), chmod 600
# hsts_max_age = 31536000      # Strict-Transport-Security (seconds)
# reload_interval = 60         # renewed files are served without restart (also on SIGHUP)
# behind_proxy = true          # instead of cert/key: a TLS reverse proxy is in front
# trusted_proxies = ["10.0.0.2"]  # believe X-Forwarded-For from these proxies only

# The city or a BVS-KTP node: Kindertagespflege. The city's amount table of the running
# payment, a JSON array of versions (see kitanetz_tagespflege::AmountTable); without it the
# crate's example table holds and every payment says so.
# [tagespflege]
# amount_table = "tagespflege-amounts.json"

# A Träger or Kita node in Schleswig-Holstein: the Kita-Planer 2 export buffer. Each export
# run drops one CSV file (columns of seed 001) into drop_dir; kita_ids maps each Kita to its
# KITA_ID_EXTERN.
# [kitaplaner]
# drop_dir = "kitaplaner-export"
# [kitaplaner.kita_ids]
# fac-sonnenschein = "0100123"

# Personal documents sealed at rest with a key per document in subject-keys.db (outside
# node.db): erasing a family deletes its keys, so copies in old backups are unreadable.
# `kitanetz backup --keys FILE` saves the key file separately (keep only the newest one).
[storage]
encrypt_personal = true

# Outgoing mail (leave out: mails wait in the outbox). KITANETZ_MAIL_PASSWORD sets the password.
# [mail.from]
# address = "kita-portal@dresden.example"
# name = "Kita-Portal Dresden"
# [mail.transport]
# kind = "smtp"            # or "folder" (path = "mails": .eml files) or "disabled"
# host = "mail.dresden.example"
# tls = "starttls"
# username = "kita-portal"
"#
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_and_validates() {
        let cfg: NodeConfig = toml::from_str(NodeConfig::example()).unwrap();
        cfg.validate().unwrap();
    }

    #[test]
    fn lists_every_problem() {
        let mut cfg: NodeConfig = toml::from_str(NodeConfig::example()).unwrap();
        cfg.version = 2;
        cfg.facility = None;
        match cfg.validate() {
            Err(ConfigError::Invalid(p)) => assert_eq!(p.len(), 2, "{p:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_portal_runs_on_the_city_node_with_an_https_tile_server() {
        let mut cfg: NodeConfig = toml::from_str(NodeConfig::example()).unwrap();
        cfg.portal = Some(PortalSection {
            tile_url: "http://tiles.example/{z}/{x}/{y}.png".into(),
            public_url: "https://kita.dresden.example".into(),
            ..PortalSection::with_defaults()
        });
        let ConfigError::Invalid(problems) = cfg.validate().unwrap_err() else {
            panic!("expected problems");
        };
        assert!(
            problems[0].starts_with("portal: only the city"),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("portal.tile_url"), "{problems:?}");
        cfg.role = NodeRole::City;
        cfg.facility = None;
        cfg.provider = None;
        cfg.portal.as_mut().unwrap().tile_url = "https://tiles.example/{z}/{x}/{y}.png".into();
        cfg.validate().unwrap();
        assert_eq!(
            cfg.portal.unwrap().tile_origin().as_deref(),
            Some("https://tiles.example")
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = format!("{}\ncolour = \"red\"\n", NodeConfig::example());
        assert!(toml::from_str::<NodeConfig>(&text).is_err());
    }

    #[test]
    fn the_p2p_section_is_optional_and_defaults_its_paths() {
        let example: NodeConfig = toml::from_str(NodeConfig::example()).unwrap();
        let p2p = example.p2p.clone().expect("the example shows [p2p]");
        assert_eq!(p2p.peers.len(), 2);
        let (head, _) = NodeConfig::example().split_once("[p2p]").unwrap();
        let alone: NodeConfig = toml::from_str(head).unwrap();
        assert_eq!(alone.p2p, None);
        alone.validate().unwrap();
        let minimal = format!("{head}[p2p]\nroot_public_key = \"{}\"\n", "ab".repeat(32));
        let minimal: NodeConfig = toml::from_str(&minimal).unwrap();
        minimal.validate().unwrap();
        assert_eq!(minimal.p2p, Some(P2pSection::with_root("ab".repeat(32))));
        // Written and read back (what `kitanetz cert issue` and the seeding do).
        let dir = tempfile::tempdir().unwrap();
        example.write(dir.path()).unwrap();
        assert_eq!(NodeConfig::load(dir.path()).unwrap(), example);
        let unknown = format!("{head}[p2p]\nport = 4001\n");
        assert!(toml::from_str::<NodeConfig>(&unknown).is_err());
    }

    #[test]
    fn p2p_problems_are_named_by_key() {
        let mut cfg: NodeConfig = toml::from_str(NodeConfig::example()).unwrap();
        let p2p = cfg.p2p.as_mut().unwrap();
        p2p.listen = "tcp:4001".into();
        p2p.peers.push("10.0.0.1:4001".into());
        p2p.root_public_key_file = Some("root.pub".into());
        p2p.certificate = PathBuf::new();
        match cfg.validate() {
            Err(ConfigError::Invalid(p)) => {
                let keys: Vec<&str> = p.iter().map(|l| l.split(':').next().unwrap()).collect();
                assert_eq!(
                    keys,
                    [
                        "p2p.listen",
                        "p2p.peers[2]",
                        "p2p.root_public_key, p2p.root_public_key_file",
                        "p2p.certificate"
                    ],
                    "{p:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let p2p = cfg.p2p.as_mut().unwrap();
        *p2p = P2pSection::with_root("not hex".into());
        match cfg.validate() {
            Err(ConfigError::Invalid(p)) => {
                assert_eq!(p, ["p2p.root_public_key: expected 64 hex digits"])
            }
            other => panic!("{other:?}"),
        }
    }
}
