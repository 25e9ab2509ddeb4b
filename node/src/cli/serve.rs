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
    let tls = node.config.tls.clone().unwrap_or_default();
    let certificate = tls
        .files()
        .map(|files| kitanetz_tls::ReloadingCertificate::load(files.relative_to(&args.data_dir)))
        .transpose()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let shutdown = shutdown_signal()?;
        let addr = args.listen.unwrap_or(node.config.listen);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        // The session cookie is Secure: plain http to another machine would let nobody log
        // in. Refuse to start that way, naming the two fixes.
        let public_url = node.portal.as_ref().map(|p| p.settings.public_url.clone());
        let transport_warnings = kitanetz_tls::check_transport(
            listener.local_addr()?,
            public_url.as_deref(),
            certificate.is_some(),
            tls.behind_proxy,
        )?;
        if let Some(mailer) = mailer {
            kitanetz_node::outbox::spawn(node.clone(), mailer);
        }
        kitanetz_node::intake::spawn(node.clone());
        kitanetz_node::fees::siblings::spawn(node.clone());
        let links = match settings {
            Some(settings) => Some(NodeLinks::start(node.clone(), settings, SYNC_TICK).await?),
            None => None,
        };
        // Printed on one line each so that scripts and tests can read the addresses.
        println!(
            "kitanetz node {} ({}) listening on {}://{} (ready in {} ms)",
            node.config.name,
            node.config.role.as_str(),
            if certificate.is_some() {
                "https"
            } else {
                "http"
            },
            listener.local_addr()?,
            started.elapsed().as_millis()
        );
        let certificate_warning = certificate
            .as_ref()
            .and_then(|c| c.current().warning_at(std::time::SystemTime::now()));
        for warning in transport_warnings
            .iter()
            .map(ToString::to_string)
            .chain(certificate_warning.map(|w| w.to_string()))
        {
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
        let mut router = kitanetz_node::http::limits::with_limits(
            kitanetz_node::http::router(node),
            kitanetz_node::http::limits::RateLimit::new(
                kitanetz_node::http::limits::BURST,
                kitanetz_node::http::limits::PER_SECOND,
            ),
        );
        router =
            kitanetz_node::http::client_addr::behind_proxies(router, tls.trusted_proxies.clone());
        if certificate.is_some() || tls.behind_proxy {
            router =
                kitanetz_tls::with_hsts(router, std::time::Duration::from_secs(tls.hsts_max_age));
        }
        match &certificate {
            Some(certificate) => {
                // Renewed files are served without restart: checked every interval and on
                // SIGHUP (certbot's deploy hook, `systemctl reload`).
                let _watch = certificate.watch(std::time::Duration::from_secs(tls.reload_interval));
                #[cfg(unix)]
                let _hangup = certificate.reload_on_sighup()?;
                // The client's address reaches the handlers as with plain http.
                kitanetz_tls::serve_tls(
                    listener,
                    router,
                    certificate.server_config(),
                    kitanetz_tls::ServeOptions::default(),
                    shutdown,
                )
                .await?;
            }
            None => {
                axum::serve(
                    listener,
                    // The client's address: requests are limited and failed logins throttled by it.
                    router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
                )
                .with_graceful_shutdown(shutdown)
                .await?;
            }
        }
        if let Some(links) = links {
            links.go_offline().await;
        }
        Ok(ExitCode::SUCCESS)
    })
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
