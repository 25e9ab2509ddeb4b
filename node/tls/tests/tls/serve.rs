//! `serve_tls` over real sockets.

use crate::support::{cert, connect, get_root, router, TestCert};
use kitanetz_tls::{
    serve_tls, with_hsts, ReloadingCertificate, ServeOptions, DEFAULT_HSTS_MAX_AGE,
};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server: its address, the way to stop it, and the loop's task.
pub struct Running {
    pub addr: SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub task: JoinHandle<std::io::Result<()>>,
}

pub async fn start(
    certificate: &std::sync::Arc<ReloadingCertificate>,
    router: axum::Router,
    options: ServeOptions,
) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_tls(
        listener,
        router,
        certificate.server_config(),
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    Running { addr, stop, task }
}

fn load(test: &TestCert) -> (tempfile::TempDir, std::sync::Arc<ReloadingCertificate>) {
    let dir = tempfile::tempdir().unwrap();
    let certificate = ReloadingCertificate::load(test.write(dir.path())).unwrap();
    (dir, certificate)
}

#[tokio::test]
async fn https_answers_with_hsts_and_the_clients_address_then_shuts_down() {
    let test = cert("Kita-Portal");
    let (_dir, certificate) = load(&test);
    let server = start(
        &certificate,
        with_hsts(router(), DEFAULT_HSTS_MAX_AGE),
        ServeOptions::default(),
    )
    .await;

    let (response, shown) = get_root(server.addr, &test.der).await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("\r\nstrict-transport-security: max-age=31536000\r\n"),
        "{response}"
    );
    assert!(response.ends_with("hallo 127.0.0.1"), "{response}");
    assert_eq!(shown, test.der);

    server.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .expect("the loop ends after the shutdown signal")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn http2_is_chosen_by_alpn_and_served() {
    let test = cert("Kita-Portal");
    let (_dir, certificate) = load(&test);
    let server = start(&certificate, router(), ServeOptions::default()).await;

    let mut stream = connect(server.addr, &test.der, &[b"h2", b"http/1.1"])
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    // The client preface and an empty SETTINGS frame; an HTTP/2 server answers with its own
    // SETTINGS frame (type 4) first.
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut header = [0u8; 9];
    stream.read_exact(&mut header).await.unwrap();
    assert_eq!(header[3], 4, "a SETTINGS frame: {header:?}");
}

#[tokio::test]
async fn a_silent_client_neither_blocks_others_nor_stays() {
    let test = cert("Kita-Portal");
    let (_dir, certificate) = load(&test);
    let server = start(
        &certificate,
        router(),
        ServeOptions {
            handshake_timeout: Duration::from_millis(300),
            ..ServeOptions::default()
        },
    )
    .await;

    // Connects and sends nothing: its handshake waits for a ClientHello that never comes.
    let mut silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (response, _) =
        tokio::time::timeout(Duration::from_secs(10), get_root(server.addr, &test.der))
            .await
            .expect("the second client is served while the first is silent");
    assert!(response.ends_with("hallo 127.0.0.1"), "{response}");

    // After the handshake deadline the server closes the silent connection.
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buffer))
        .await
        .expect("the silent connection is closed after the handshake timeout");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_does_not_stop_the_server() {
    let test = cert("Kita-Portal");
    let (_dir, certificate) = load(&test);
    let server = start(&certificate, router(), ServeOptions::default()).await;

    let stranger = cert("fremd");
    assert!(connect(server.addr, &stranger.der, &[b"http/1.1"])
        .await
        .is_err());
    let (response, _) = get_root(server.addr, &test.der).await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
}
