//! `kitanetz serve` with a `[tls]` section: the node speaks https itself (with HSTS), and a
//! node that would serve plain http to other machines refuses to start, naming the fixes
//! (issue 13 item 1: the Secure session cookie must not be misconfigurable).

use kitanetz_tests::{kitanetz_bin, Network};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A self-signed certificate for localhost, written into the node's data directory and named in
/// its `node.toml`. Returns the certificate (DER) for the client to trust.
fn give_certificate(dir: &std::path::Path) -> rustls::pki_types::CertificateDer<'static> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("certificate");
    std::fs::create_dir_all(dir.join("tls")).unwrap();
    std::fs::write(dir.join("tls/cert.pem"), certified.cert.pem()).unwrap();
    std::fs::write(dir.join("tls/key.pem"), certified.key_pair.serialize_pem()).unwrap();
    let mut config = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("node.toml"))
        .unwrap();
    writeln!(
        config,
        "\n[tls]\ncert = \"tls/cert.pem\"\nkey = \"tls/key.pem\""
    )
    .unwrap();
    certified.cert.der().clone()
}

/// `GET path` over TLS, trusting only `cert`; the whole answer as text.
async fn get_over_tls(
    addr: &str,
    cert: rustls::pki_types::CertificateDer<'static>,
    path: &str,
) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    // A peer that closes without close_notify is fine here: the answer is complete.
    let _ = tls.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_node_with_a_certificate_serves_https_with_hsts() {
    let net = Network::seeded();
    let kita = &net.kitas()[0].name;
    let dir = net.node_dir(kita);
    let cert = give_certificate(&dir);
    let mut child = Command::new(kitanetz_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kitanetz serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().and_then(Result::ok).unwrap_or_default();
    let address = ready
        .split_once("listening on https://")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(str::to_string);
    let answer = match &address {
        Some(addr) => Some(
            tokio::time::timeout(
                Duration::from_secs(15),
                get_over_tls(addr, cert.clone(), "/health"),
            )
            .await
            .expect("an answer in time"),
        ),
        None => None,
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(address.is_some(), "ready line names https: {ready:?}");
    let answer = answer.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{answer}"
    );
}

#[test]
fn plain_http_on_a_network_address_does_not_start() {
    let net = Network::seeded();
    let dir = net.node_dir(&net.kitas()[0].name);
    let out = Command::new(kitanetz_bin())
        .args(["serve", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(&dir)
        .output()
        .expect("run kitanetz serve");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("behind_proxy") && said.contains("[tls]"),
        "{said}"
    );
    assert!(
        !said.contains("listening on"),
        "refused before serving: {said}"
    );
}

/// A plain HTTP request to `addr`; the whole answer as text.
async fn request(addr: &str, raw: String) -> String {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(raw.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn behind_a_trusted_proxy_failed_logins_are_audited_with_the_clients_address() {
    let net = Network::seeded();
    let kita = &net.kitas()[0].name;
    let dir = net.node_dir(kita);
    let mut config = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("node.toml"))
        .unwrap();
    // The proxy runs on this machine (the test connects from loopback).
    writeln!(
        config,
        "\n[tls]\nbehind_proxy = true\ntrusted_proxies = [\"127.0.0.1\"]"
    )
    .unwrap();
    let mut child = Command::new(kitanetz_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kitanetz serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().and_then(Result::ok).unwrap_or_default();
    let address = ready
        .split_once("listening on http://")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(str::to_string);
    let mut answers = Vec::new();
    if let Some(addr) = &address {
        for forwarded in [
            "X-Forwarded-For: 198.51.100.77, 203.0.113.9\r\n",
            "X-Forwarded-For: not-an-address\r\n",
        ] {
            let body = r#"{"username":"nobody","password":"wrong"}"#;
            answers.push(
                tokio::time::timeout(
                    Duration::from_secs(30),
                    request(
                        addr,
                        format!(
                            "POST /api/login HTTP/1.1\r\nHost: localhost\r\n{forwarded}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        ),
                    ),
                )
                .await
                .expect("an answer in time"),
            );
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(address.is_some(), "ready line names http: {ready:?}");
    assert!(
        answers.iter().all(|a| a.starts_with("HTTP/1.1 401")),
        "{answers:?}"
    );
    let node = net.open(kita);
    let store = node.store();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT target FROM audit_log WHERE action = 'session.login-failed' ORDER BY rowid",
        )
        .unwrap();
    let sources: Vec<Option<String>> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        sources,
        [
            // The address the proxy saw, not what the client claimed left of it …
            Some("from 203.0.113.9".to_string()),
            // … and a broken header counts as the proxy's own request.
            Some("from 127.0.0.1".to_string()),
        ]
    );
}
