//! Test certificates and a minimal HTTPS client.

use axum::extract::ConnectInfo;
use axum::routing::get;
use kitanetz_tls::TlsFiles;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A self-signed certificate for `localhost` and its key, as PEM.
pub struct TestCert {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: CertificateDer<'static>,
}

pub fn cert(common_name: &str) -> TestCert {
    cert_with(common_name, &rcgen::PKCS_ECDSA_P256_SHA256, |_| {})
}

pub fn cert_with(
    common_name: &str,
    algorithm: &'static rcgen::SignatureAlgorithm,
    adjust: impl FnOnce(&mut rcgen::CertificateParams),
) -> TestCert {
    let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    adjust(&mut params);
    let cert = params.self_signed(&key).unwrap();
    TestCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        der: cert.der().clone(),
    }
}

impl TestCert {
    /// Writes `cert.pem` and `key.pem` into `dir`.
    pub fn write(&self, dir: &Path) -> TlsFiles {
        let files = TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&files.cert, &self.cert_pem).unwrap();
        std::fs::write(&files.key, &self.key_pem).unwrap();
        files
    }
}

/// Answers with the client's address as the handlers see it.
pub fn router() -> axum::Router {
    axum::Router::new().route(
        "/",
        get(|ConnectInfo(client): ConnectInfo<SocketAddr>| async move {
            format!("hallo {}", client.ip())
        }),
    )
}

/// A TLS connection to `addr` that trusts `trusted` only and offers `alpn`.
pub async fn connect(
    addr: SocketAddr,
    trusted: &CertificateDer<'static>,
    alpn: &[&[u8]],
) -> std::io::Result<TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
}

/// `GET /` over HTTP/1.1; the whole response as text and the certificate the server showed.
pub async fn get_root(
    addr: SocketAddr,
    trusted: &CertificateDer<'static>,
) -> (String, CertificateDer<'static>) {
    let mut stream = connect(addr, trusted, &[b"http/1.1"]).await.unwrap();
    let shown = stream.get_ref().1.peer_certificates().unwrap()[0].clone();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    // The server closes after the response; a missing close_notify is no concern here.
    let _ = stream.read_to_end(&mut response).await;
    (String::from_utf8(response).unwrap(), shown)
}
