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
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
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
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    pub fn load(data_dir: &Path) -> Result<NodeConfig, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
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
    fn unknown_keys_are_refused() {
        let text = format!("{}\ncolour = \"red\"\n", NodeConfig::example());
        assert!(toml::from_str::<NodeConfig>(&text).is_err());
    }
}
