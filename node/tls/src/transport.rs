//! Whether browsers can log in at all. The session cookie is `Secure`: a browser stores it
//! only from https or from `localhost`/`127.0.0.1`, so a node reached over plain http from
//! another machine shows a login form that never logs anyone in. This decides at start-up,
//! from the configuration alone, instead of leaving the operator to find out.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// Refuses configurations on which logins cannot work. Returns what is fine but worth saying
/// (see [`TransportWarning`]).
///
/// - `listen`: where the node's HTTP(S) listener is bound;
/// - `public_url`: the address parents reach (`[portal] public_url`); `None` or empty when
///   there is none;
/// - `tls`: the node terminates TLS itself (`[tls] cert` and `key`);
/// - `behind_proxy`: the operator declared a TLS-terminating reverse proxy in front.
pub fn check_transport(
    listen: SocketAddr,
    public_url: Option<&str>,
    tls: bool,
    behind_proxy: bool,
) -> Result<Vec<TransportWarning>, TransportError> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    if !tls && !listen.ip().is_loopback() {
        if behind_proxy {
            warnings.push(TransportWarning::ProxyCanBeBypassed { listen });
        } else {
            problems.push(TransportProblem::PlainHttpOnNetwork { listen });
        }
    }
    if behind_proxy {
        warnings.push(TransportWarning::ClientsShareTheProxyAddress);
    }
    if let Some(url) = public_url.map(str::trim).filter(|url| !url.is_empty()) {
        if url.starts_with("http://") && !host_is_local(url) {
            problems.push(TransportProblem::PlainPublicUrl {
                url: url.to_owned(),
            });
        }
    }
    if problems.is_empty() {
        Ok(warnings)
    } else {
        Err(TransportError(problems))
    }
}

/// Browsers treat these hosts as secure contexts and keep `Secure` cookies from them over
/// plain http.
fn host_is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    }
    .to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Start-up refused: every problem found, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError(pub Vec<TransportProblem>);

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportProblem {
    /// Plain http on an address other machines reach, and no proxy declared.
    PlainHttpOnNetwork { listen: SocketAddr },
    /// The public address is plain http on a host that is not this machine.
    PlainPublicUrl { url: String },
}

impl fmt::Display for TransportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportProblem::PlainHttpOnNetwork { listen } => write!(
                f,
                "Der Knoten lauscht auf {listen} ohne TLS: Browser behalten das Sitzungs-Cookie nur über https oder auf localhost, Anmeldungen von anderen Rechnern scheitern daher. \
                 Tragen Sie entweder Zertifikat und Schlüssel in node.toml ein ([tls] cert = \"tls/fullchain.pem\", key = \"tls/privkey.pem\"), \
                 oder, wenn ein TLS-Reverse-Proxy (nginx, Caddy) davor steht, setzen Sie [tls] behind_proxy = true und public_url auf die https-Adresse \
                 (und lassen Sie den Knoten besser auf 127.0.0.1 lauschen). \
                 / The node listens on {listen} without TLS: browsers keep the session cookie only over https or on localhost, so logins from other machines fail. \
                 Either put the certificate and key into node.toml ([tls] cert = \"tls/fullchain.pem\", key = \"tls/privkey.pem\"), \
                 or, if a TLS reverse proxy (nginx, Caddy) is in front, set [tls] behind_proxy = true and public_url to the https address \
                 (and better let the node listen on 127.0.0.1)."
            ),
            TransportProblem::PlainPublicUrl { url } => write!(
                f,
                "portal.public_url {url} ist http: Browser verwerfen dort das Sitzungs-Cookie, Eltern können sich nicht anmelden, und die Links in E-Mails gingen unverschlüsselt. \
                 Setzen Sie public_url auf die https-Adresse, unter der der Knoten (mit [tls]) oder sein Reverse-Proxy erreichbar ist. \
                 / portal.public_url {url} is plain http: browsers drop the session cookie there, parents cannot log in, and the links in mails would travel unencrypted. \
                 Set public_url to the https address at which the node (with [tls]) or its reverse proxy is reached."
            ),
        }
    }
}

/// Fine to start, but the operator should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportWarning {
    /// Behind a proxy every request comes from the proxy's address.
    ClientsShareTheProxyAddress,
    /// Behind a proxy, but listening on an address others can reach directly over plain http.
    ProxyCanBeBypassed { listen: SocketAddr },
}

impl fmt::Display for TransportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportWarning::ClientsShareTheProxyAddress => write!(
                f,
                "Hinter einem Reverse-Proxy kommt jede Anfrage von der Adresse des Proxys: die Grenzen je Adresse (Anfragen, fehlgeschlagene Anmeldungen) gelten für alle Clients zusammen. \
                 Begrenzen Sie Anfragen auch im Proxy. \
                 / Behind a reverse proxy every request comes from the proxy's address: the per-address limits (requests, failed logins) apply to all clients together. \
                 Limit requests in the proxy as well."
            ),
            TransportWarning::ProxyCanBeBypassed { listen } => write!(
                f,
                "Der Knoten lauscht auf {listen} und ist damit auch am Proxy vorbei über http erreichbar; lassen Sie ihn auf 127.0.0.1 lauschen oder sperren Sie den Port in der Firewall. \
                 / The node listens on {listen} and can be reached over http around the proxy; let it listen on 127.0.0.1 or close the port in the firewall."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn problems(result: Result<Vec<TransportWarning>, TransportError>) -> Vec<TransportProblem> {
        result.expect_err("refused").0
    }

    #[test]
    fn tls_on_is_fine_wherever_it_listens() {
        assert_eq!(
            check_transport(addr("0.0.0.0:443"), None, true, false),
            Ok(vec![])
        );
        assert_eq!(
            check_transport(
                addr("[::]:443"),
                Some("https://kita.dresden.de"),
                true,
                false
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn plain_http_on_loopback_is_fine() {
        for listen in ["127.0.0.1:8080", "127.0.0.2:8080", "[::1]:8080"] {
            assert_eq!(
                check_transport(addr(listen), None, false, false),
                Ok(vec![])
            );
        }
        assert_eq!(
            check_transport(
                addr("127.0.0.1:8080"),
                Some("http://localhost:8080/"),
                false,
                false
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn plain_http_on_the_network_without_a_proxy_is_refused_with_both_fixes() {
        for listen in ["0.0.0.0:8080", "192.0.2.7:8080", "[::]:8080"] {
            let refused = check_transport(addr(listen), None, false, false).unwrap_err();
            assert_eq!(
                refused.0,
                vec![TransportProblem::PlainHttpOnNetwork {
                    listen: addr(listen)
                }]
            );
            let message = refused.to_string();
            assert!(message.contains("[tls] cert"), "{message}");
            assert!(message.contains("behind_proxy = true"), "{message}");
            assert!(message.contains(" / The node listens on"), "{message}");
        }
    }

    #[test]
    fn a_declared_proxy_allows_plain_http_and_says_what_it_costs() {
        assert_eq!(
            check_transport(
                addr("127.0.0.1:8080"),
                Some("https://kita.dresden.de"),
                false,
                true
            ),
            Ok(vec![TransportWarning::ClientsShareTheProxyAddress])
        );
        assert_eq!(
            check_transport(addr("0.0.0.0:8080"), None, false, true),
            Ok(vec![
                TransportWarning::ProxyCanBeBypassed {
                    listen: addr("0.0.0.0:8080")
                },
                TransportWarning::ClientsShareTheProxyAddress
            ])
        );
    }

    #[test]
    fn a_plain_public_url_for_another_host_is_refused_even_with_tls_or_a_proxy() {
        for (tls, proxy) in [(true, false), (false, true), (true, true)] {
            assert_eq!(
                problems(check_transport(
                    addr("127.0.0.1:8080"),
                    Some("http://kita.dresden.de"),
                    tls,
                    proxy
                )),
                vec![TransportProblem::PlainPublicUrl {
                    url: "http://kita.dresden.de".into()
                }]
            );
        }
    }

    #[test]
    fn every_problem_is_listed() {
        assert_eq!(
            problems(check_transport(
                addr("0.0.0.0:80"),
                Some("http://192.0.2.7"),
                false,
                false
            )),
            vec![
                TransportProblem::PlainHttpOnNetwork {
                    listen: addr("0.0.0.0:80")
                },
                TransportProblem::PlainPublicUrl {
                    url: "http://192.0.2.7".into()
                }
            ]
        );
    }

    #[test]
    fn local_hosts_are_those_browsers_trust_over_http() {
        for url in [
            "http://localhost",
            "http://LOCALHOST:8080/portal",
            "http://kita.localhost",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:8080/",
            "http://user@localhost/",
        ] {
            assert!(host_is_local(url), "{url}");
        }
        for url in [
            "http://localhost.dresden.de",
            "http://localhost@evil.example",
            "http://192.0.2.7",
            "http://[2001:db8::1]/",
            "http://kita.dresden.de/?next=localhost",
            "http://",
        ] {
            assert!(!host_is_local(url), "{url}");
        }
        assert_eq!(
            check_transport(addr("127.0.0.1:8080"), Some("  "), false, false),
            Ok(vec![])
        );
    }
}
