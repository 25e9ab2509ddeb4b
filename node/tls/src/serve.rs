//! The HTTPS accept loop: TCP in, TLS handshake in its own task under a deadline, then
//! HTTP/1.1 or HTTP/2 (as ALPN chose) served by the axum router.

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Limits of the accept loop.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// From accepting the TCP connection to the end of the TLS handshake, waiting for a
    /// handshake slot included. A client that connects and sends nothing is dropped after it.
    pub handshake_timeout: Duration,
    /// TLS handshakes in progress at once (each costs a key exchange and signature on one of
    /// the node's two workers); further connections wait for a slot within their deadline.
    pub max_handshakes: usize,
    /// An HTTP/1.1 request's headers must arrive within this (slow-header clients).
    pub header_read_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            handshake_timeout: Duration::from_secs(10),
            max_handshakes: 64,
            header_read_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves `router` over TLS on `listener` until `shutdown` completes, then stops accepting
/// and waits for the open connections to finish their requests (like `axum::serve`'s graceful
/// shutdown).
///
/// Handlers get the client's address as `ConnectInfo<SocketAddr>`, as under
/// `axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())`.
/// Handshake failures are logged at debug level (scanners produce many); they never stop
/// the loop.
pub async fn serve_tls(
    listener: TcpListener,
    router: axum::Router,
    tls: Arc<ServerConfig>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    let handshake_slots = Arc::new(Semaphore::new(options.max_handshakes.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        let handshake_slots = Arc::clone(&handshake_slots);
        let router = router.clone();
        let http = http.clone();
        let watcher = graceful.watcher();
        let handshake_timeout = options.handshake_timeout;
        tokio::spawn(async move {
            let handshake = async {
                let _slot = handshake_slots.acquire_owned().await;
                acceptor.accept(tcp).await
            };
            let stream = match tokio::time::timeout(handshake_timeout, handshake).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    tracing::debug!(%remote, %error, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%remote, "TLS handshake timed out");
                    return;
                }
            };
            let service = router.map_request(move |mut request: http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
            let connection = http.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            if let Err(error) = watcher.watch(connection.into_owned()).await {
                tracing::debug!(%remote, %error, "HTTPS connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Errors of one accepted connection (the client reset it before we took it) are skipped;
/// others, such as too many open files, are logged and waited out briefly instead of spinning
/// (what `axum::serve` does too).
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting an HTTPS connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
