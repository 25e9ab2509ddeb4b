use clap::Parser;
use kitanetz_node::clock::SystemClock;
use kitanetz_node::links::{LinkSettings, NodeLinks};
use kitanetz_node::Node;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
pub struct Args {
    /// The node's data directory (holds node.toml and node.db).
    #[arg(long)]
    data_dir: PathBuf,
    /// Listen here instead of the configured address (e.g. 127.0.0.1:0 for any free port).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
}

/// How often documents changed by users are offered to the peers (and the revocation file and
/// the status page are refreshed).
const SYNC_TICK: std::time::Duration = std::time::Duration::from_secs(1);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let node = Node::open(&args.data_dir, Arc::new(SystemClock))?;
    // Read before the runtime starts: a missing certificate or bad key file stops the node
    // with a message instead of a node that silently does not sync.
    let settings = LinkSettings::from_config(&node)?;
    let mailer = kitanetz_node::outbox::mailer_for(&node)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let shutdown = shutdown_signal()?;
        let addr = args.listen.unwrap_or(node.config.listen);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        if let Some(mailer) = mailer {
            kitanetz_node::outbox::spawn(node.clone(), mailer);
        }
        kitanetz_node::intake::spawn(node.clone());
        let links = match settings {
            Some(settings) => {
                let links = NodeLinks::new(node.clone(), settings, []);
                links.go_online(&[]).await?;
                node.set_sync_status(links.clone());
                let ticking = links.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(SYNC_TICK).await;
                        ticking.tick().await;
                    }
                });
                Some(links)
            }
            None => None,
        };
        // Printed on one line each so that scripts and tests can read the addresses.
        println!(
            "kitanetz node {} ({}) listening on http://{} (ready in {} ms)",
            node.config.name,
            node.config.role.as_str(),
            listener.local_addr()?,
            started.elapsed().as_millis()
        );
        if let Some(warning) = plain_http_warning(&listener.local_addr()?, &node) {
            println!("kitanetz warning: {warning}");
            tracing::warn!("{warning}");
        }
        if let Some(links) = &links {
            let addrs = links.listen_addrs().await;
            let addrs: Vec<String> = addrs.iter().map(ToString::to_string).collect();
            println!(
                "kitanetz p2p listening on {} as peer {}",
                addrs.join(" "),
                links.peer_id()
            );
            if let Some(warning) =
                links.certificate_warning(node.clock.now_millis().max(0) as u64 / 1000)
            {
                println!("kitanetz p2p warning: {warning}");
                tracing::warn!("{warning}");
            }
        } else {
            println!("kitanetz p2p off (no [p2p] section in node.toml): this node does not sync");
        }
        axum::serve(
            listener,
            kitanetz_node::http::limits::with_limits(
                kitanetz_node::http::router(node),
                kitanetz_node::http::limits::RateLimit::new(
                    kitanetz_node::http::limits::BURST,
                    kitanetz_node::http::limits::PER_SECOND,
                ),
            )
            // The client's address: requests are limited and failed logins throttled by it.
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        if let Some(links) = links {
            links.go_offline().await;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The session cookie is `Secure`: a browser keeps it over https and on `http://localhost` /
/// `127.0.0.1` only. A node reachable on another address over plain http would let nobody log
/// in; say so at start instead of leaving the operator to find out (TLS belongs in front of it:
/// a reverse proxy with the node's `public_url` set to https).
pub fn plain_http_warning(addr: &std::net::SocketAddr, node: &Node) -> Option<String> {
    let public_url = node
        .portal
        .as_ref()
        .map(|p| p.settings.public_url.clone())
        .unwrap_or_default();
    let public_plain = public_url.starts_with("http://")
        && !["http://localhost", "http://127.0.0.1", "http://[::1]"]
            .iter()
            .any(|local| public_url.starts_with(local));
    if public_plain {
        return Some(format!(
            "the portal's public_url {public_url} is plain http: browsers drop the session cookie there, so parents cannot log in; serve it over https (a TLS reverse proxy) and set public_url to the https address"
        ));
    }
    (!addr.ip().is_loopback()).then(|| format!(
        "listening on {addr} without TLS: browsers keep the session cookie only over https or on localhost, so logins from other machines fail; put a TLS reverse proxy in front of this node"
    ))
}

/// Ctrl-C, or SIGTERM from a service manager.
/// Registers for Ctrl-C and SIGTERM at once and returns what waits for them. Registered before
/// the node says it is ready: a signal right after the ready line must stop it cleanly, not
/// kill it with the default action (seen under load in the serve tests).
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
