//! The `[mail]` section of `node.toml`: who sends, and how mails leave the node.

use lettre::message::Mailbox;
use lettre::Address;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// The `[mail]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The `From` of every mail.
    pub from: Sender,
    pub transport: Transport,
}

/// The sender: `from = { address = "…", name = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// E.g. `kita-portal@musterstadt.de`.
    pub address: String,
    /// Shown by mail programs, e.g. `Kita-Portal Musterstadt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How mails leave the node: `[mail.transport]` with `kind = "smtp" | "folder" | "disabled"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Transport {
    /// To an SMTP relay (the city's mail server).
    Smtp(SmtpConfig),
    /// Each mail becomes `<unix-millis>-<random>.eml` in `path`: for the demo and for
    /// development, so that a person can open the mails in a mail program.
    Folder {
        /// Created when missing; relative paths are taken from the working directory (the
        /// node resolves them against its data directory before building the mailer).
        path: PathBuf,
    },
    /// Mails are checked and then dropped.
    Disabled,
}

/// `kind = "smtp"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default by `tls`: 25 (`none`), 587 (`starttls`), 465 (`tls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Default `starttls`.
    #[serde(default)]
    pub tls: TlsMode,
    /// Login, together with `password`; without both, no login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Better set with the environment variable `KITANETZ_MAIL_PASSWORD` than in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// Limit for one whole send: connect, dialogue and upload. Default 30.
    #[serde(default = "SmtpConfig::default_timeout_secs")]
    pub timeout_secs: u64,
}

/// How the SMTP connection is encrypted. Certificates are checked against the system's CA
/// store (`/etc/ssl/certs`), so a city's own CA is trusted once the operating system trusts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain text: only for a relay on the same machine or in a closed network.
    None,
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    #[default]
    #[serde(rename = "starttls")]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// A secret that `Debug` does not print.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(secret: impl Into<String>) -> Password {
        Password(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The configuration has problems, each named by key.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("invalid mail configuration:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

impl SmtpConfig {
    fn default_timeout_secs() -> u64 {
        30
    }

    /// Plain SMTP to `127.0.0.1:port` without login: a relay on the same machine, or
    /// `TestSmtpServer` (feature `test-server`).
    pub fn loopback(port: u16) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(port),
            tls: TlsMode::None,
            username: None,
            password: None,
            timeout_secs: Self::default_timeout_secs(),
        }
    }

    /// `port`, or the usual one for `tls`.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        })
    }

    fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    pub(crate) fn problems(&self, out: &mut Vec<String>) {
        if self.host.trim().is_empty() || self.host.contains(char::is_whitespace) {
            out.push("mail.transport.host: a host name or IP address is needed".into());
        } else if self.tls != TlsMode::None
            && lettre::transport::smtp::client::TlsParameters::new(self.host.clone()).is_err()
        {
            out.push(format!(
                "mail.transport.host: {:?} cannot be checked against a TLS certificate; give \
                 the server's DNS name",
                self.host
            ));
        }
        if self.port == Some(0) {
            out.push("mail.transport.port: must be 1 to 65535".into());
        }
        if !(1..=600).contains(&self.timeout_secs) {
            out.push("mail.transport.timeout_secs: must be 1 to 600".into());
        }
        match (&self.username, &self.password) {
            (Some(_), None) | (None, Some(_)) => out.push(
                "mail.transport.username, mail.transport.password: give both or neither".into(),
            ),
            (Some(user), Some(_)) if user.is_empty() => {
                out.push("mail.transport.username: must not be empty".into())
            }
            _ => {}
        }
        if self.password.is_some() && self.tls == TlsMode::None && !self.is_loopback() {
            out.push(
                "mail.transport.password: would be sent unencrypted; use tls = \"starttls\" or \
                 \"tls\""
                    .into(),
            );
        }
    }
}

impl Sender {
    pub(crate) fn problems(&self, out: &mut Vec<String>) {
        if let Err(e) = self.address.trim().parse::<Address>() {
            out.push(format!(
                "mail.from.address: not an e-mail address ({e}), e.g. kita-portal@musterstadt.de"
            ));
        }
        if self.name.as_ref().is_some_and(|n| n.contains(['\r', '\n'])) {
            out.push("mail.from.name: must not contain a line break".into());
        }
    }

    pub(crate) fn mailbox(&self) -> Result<Mailbox, MailConfigError> {
        let mut problems = Vec::new();
        self.problems(&mut problems);
        match self.address.trim().parse::<Address>() {
            Ok(address) if problems.is_empty() => Ok(Mailbox::new(self.name.clone(), address)),
            _ => Err(MailConfigError::Invalid(problems)),
        }
    }
}

impl MailConfig {
    /// Lists every problem, each by key (`mail.…`).
    pub fn validate(&self) -> Result<(), MailConfigError> {
        let mut problems = Vec::new();
        self.from.problems(&mut problems);
        match &self.transport {
            Transport::Smtp(smtp) => smtp.problems(&mut problems),
            Transport::Folder { path } if path.as_os_str().is_empty() => {
                problems.push("mail.transport.path: must name a folder".into())
            }
            Transport::Folder { .. } | Transport::Disabled => {}
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(MailConfigError::Invalid(problems))
        }
    }

    /// Applies `KITANETZ_MAIL_PASSWORD` (so the secret need not be in `node.toml`) to an SMTP
    /// transport; `get` reads the environment (a map in tests).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        if let (Transport::Smtp(smtp), Some(password)) =
            (&mut self.transport, get("KITANETZ_MAIL_PASSWORD"))
        {
            smtp.password = Some(Password(password));
        }
    }

    /// A commented example of the section, for `kitanetz config --example`.
    pub fn example() -> &'static str {
        r#"# Outgoing mail of the parents' portal (verification links, password resets, receipts).
[mail]
from = { address = "kita-portal@musterstadt.de", name = "Kita-Portal Musterstadt" }

# kind = "smtp" | "folder" | "disabled"
[mail.transport]
kind = "smtp"
host = "smtp.musterstadt.de"
# none | starttls | tls; certificates are checked against the system's CA store.
tls = "starttls"
# Default by tls: 25, 587, 465.
port = 587
username = "kita-portal"
# Better: the environment variable KITANETZ_MAIL_PASSWORD.
# password = "…"
# Limit for one whole send, in seconds.
timeout_secs = 30

# For the demo: every mail becomes an .eml file a person can open.
# [mail.transport]
# kind = "folder"
# path = "outbox-mails"
"#
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        mail: MailConfig,
    }

    fn example() -> MailConfig {
        toml::from_str::<File>(MailConfig::example()).unwrap().mail
    }

    #[test]
    fn the_example_parses_and_needs_the_password_from_the_environment() {
        let mut cfg = example();
        // The example has a username but leaves the password to the environment.
        assert!(cfg.validate().is_err());
        cfg.apply_env(|k| (k == "KITANETZ_MAIL_PASSWORD").then(|| "geheim".to_string()));
        cfg.validate().unwrap();
        let Transport::Smtp(smtp) = &cfg.transport else {
            panic!("{cfg:?}")
        };
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "geheim");
        assert_eq!(smtp.effective_port(), 587);
    }

    #[test]
    fn the_password_is_not_in_debug_output() {
        let mut cfg = example();
        cfg.apply_env(|_| Some("geheim".into()));
        let debug = format!("{cfg:?}");
        assert!(!debug.contains("geheim"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn unknown_keys_are_refused_everywhere() {
        for (from, to) in [
            ("[mail]\n", "[mail]\ncolour = \"red\"\n"),
            ("timeout_secs = 30", "timeout_secs = 30\nstarttls = true"),
            ("name = \"Kita-Portal Musterstadt\"", "nmae = \"x\""),
        ] {
            let text = MailConfig::example().replace(from, to);
            assert_ne!(text, MailConfig::example());
            assert!(toml::from_str::<File>(&text).is_err(), "{to}");
        }
        let folder = "[mail]\nfrom = { address = \"a@b.de\" }\n[mail.transport]\nkind = \"folder\"\npath = \"x\"\nhost = \"y\"\n";
        assert!(toml::from_str::<File>(folder).is_err());
    }

    #[test]
    fn folder_and_disabled_parse() {
        let head =
            "[mail]\nfrom = { address = \"kita-portal@musterstadt.de\" }\n[mail.transport]\n";
        let folder: File =
            toml::from_str(&format!("{head}kind = \"folder\"\npath = \"mails\"\n")).unwrap();
        assert_eq!(
            folder.mail.transport,
            Transport::Folder {
                path: "mails".into()
            }
        );
        let disabled: File = toml::from_str(&format!("{head}kind = \"disabled\"\n")).unwrap();
        assert_eq!(disabled.mail.transport, Transport::Disabled);
        disabled.mail.validate().unwrap();
    }

    #[test]
    fn every_problem_is_named_by_key() {
        let cfg = MailConfig {
            from: Sender {
                address: "kein-at".into(),
                name: Some("a\nb".into()),
            },
            transport: Transport::Smtp(SmtpConfig {
                host: "smtp.musterstadt.de".into(),
                port: Some(0),
                tls: TlsMode::None,
                username: None,
                password: Some(Password::new("x")),
                timeout_secs: 0,
            }),
        };
        let Err(MailConfigError::Invalid(problems)) = cfg.validate() else {
            panic!("expected problems")
        };
        let keys: Vec<&str> = problems
            .iter()
            .map(|p| p.split(": ").next().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "mail.from.address",
                "mail.from.name",
                "mail.transport.port",
                "mail.transport.timeout_secs",
                "mail.transport.username, mail.transport.password",
                "mail.transport.password",
            ],
            "{problems:?}"
        );
    }

    #[test]
    fn an_unencrypted_login_is_allowed_only_on_this_machine() {
        let mut smtp = SmtpConfig::loopback(2525);
        smtp.username = Some("portal".into());
        smtp.password = Some(Password::new("x"));
        let mut problems = Vec::new();
        smtp.problems(&mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        smtp.host = "mail.example.org".into();
        smtp.problems(&mut problems);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(SmtpConfig::loopback(1).effective_port(), 1);
    }
}
