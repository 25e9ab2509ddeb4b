//! The demo network: a city node, two Träger nodes and four Kita nodes on loopback, each with its
//! own data directory, seeded from the synthetic data generator.

mod families;
mod p2p;
mod seed;
pub mod smoke;

pub use families::DEMO_PARENTS;
pub use p2p::{P2pSync, DESKTOP_ENROLMENT_FILE};
pub use seed::{plan_network, seed_network, DemoNode, SeedReport, DEMO_MAIL_FOLDER, DEMO_PASSWORD};

use crate::clock::{Clock, SystemClock};
use crate::config::{NodeConfig, CONFIG_FILE};
use crate::Node;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Seed of the demo data (any value works; this one is what the README's screenshots show).
pub const DEMO_SEED: u64 = 20_261_122;

/// The shape of the demo's documents. Raised when a change makes older demo data unreadable
/// (2: seat ledgers hold seats by the Kitas' wish handles), so that `kitanetz demo` seeds anew
/// instead of failing on a directory from an older version.
const DEMO_FORMAT: &str = "3";
const DEMO_FORMAT_FILE: &str = "demo-format";

/// Creates the demo network in `dir` unless it is there already; returns the node configs. A
/// demo directory from an older version is moved aside (kept, never deleted) and seeded anew.
pub fn ensure_network(
    dir: &Path,
    base_port: u16,
    clock: &dyn Clock,
) -> anyhow::Result<(Vec<NodeConfig>, Option<SeedReport>)> {
    let existing = existing_nodes(dir)?;
    let format = std::fs::read_to_string(dir.join(DEMO_FORMAT_FILE)).unwrap_or_default();
    if !existing.is_empty() && format.trim() == DEMO_FORMAT {
        return Ok((existing, None));
    }
    if !existing.is_empty() {
        let mut aside = dir.as_os_str().to_os_string();
        aside.push(format!(".older-{}", clock.now_millis()));
        std::fs::rename(dir, &aside)?;
        println!(
            "demo data in {} is from an older version: moved to {} and seeded anew",
            dir.display(),
            Path::new(&aside).display()
        );
    }
    let world =
        kitanetz_datagen::generate(DEMO_SEED, &kitanetz_datagen::Scale::demo(), clock.today());
    let configs = plan_network(&world, base_port);
    let report = seed_network(dir, &configs, &world, clock)?;
    // The demo's families on the portal (the tests' networks start without them).
    for cfg in configs.iter().filter(|c| c.portal.is_some()) {
        let node_dir = dir.join(&cfg.name);
        let mut store = crate::node::open_store(&node_dir, cfg)?;
        families::seed(&node_dir, cfg, &mut store, &world, clock)?;
    }
    std::fs::write(dir.join(DEMO_FORMAT_FILE), DEMO_FORMAT)?;
    Ok((configs, Some(report)))
}

/// The nodes found in `dir` (one sub-directory with a `node.toml` each), city first.
pub fn existing_nodes(dir: &Path) -> anyhow::Result<Vec<NodeConfig>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.join(CONFIG_FILE).exists() {
            out.push(NodeConfig::load(&path)?);
        }
    }
    out.sort_by_key(|c| (c.role as u8, c.name.clone()));
    Ok(out)
}

/// A running node: its name, role and the address its UI listens on.
pub struct RunningNode {
    pub config: NodeConfig,
    pub addr: SocketAddr,
    pub node: Arc<Node>,
}

/// Starts every node's HTTP server on its own listener in this runtime. With `ephemeral_ports`
/// each binds port 0 (for smoke tests that must not collide with anything). `smtp` sends the
/// mails of the nodes that send mail to that SMTP server instead of their configured transport
/// (the browser tests read them from a server of their own).
pub async fn start_network(
    dir: &Path,
    configs: &[NodeConfig],
    ephemeral_ports: bool,
    smtp: Option<SocketAddr>,
) -> anyhow::Result<Vec<RunningNode>> {
    let mut running = Vec::new();
    for cfg in configs {
        let node = Node::open(&dir.join(&cfg.name), Arc::new(SystemClock))?;
        let addr = if ephemeral_ports {
            SocketAddr::new(cfg.listen.ip(), 0)
        } else {
            cfg.listen
        };
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            anyhow::anyhow!(
                "node {} cannot listen on {addr}: {e} (is another demo running? use --base-port)",
                cfg.name
            )
        })?;
        let addr = listener.local_addr()?;
        let mailer = match (smtp, &node.config.mail) {
            (Some(server), Some(mail)) => {
                let mut smtp_config = kitanetz_mail::SmtpConfig::loopback(server.port());
                smtp_config.host = server.ip().to_string();
                Some(
                    kitanetz_mail::ConfiguredMailer::from_config(&kitanetz_mail::MailConfig {
                        from: mail.from.clone(),
                        transport: kitanetz_mail::Transport::Smtp(smtp_config),
                    })
                    .map_err(|e| anyhow::anyhow!("--smtp: {e}"))?,
                )
            }
            _ => crate::outbox::mailer_for(&node)?,
        };
        if let Some(mailer) = mailer {
            crate::outbox::spawn(node.clone(), mailer);
        }
        crate::intake::spawn(node.clone());
        crate::fees::siblings::spawn(node.clone());
        let app = crate::http::limits::with_limits(
            crate::http::router(node.clone()),
            crate::http::limits::RateLimit::new(
                crate::http::limits::BURST,
                crate::http::limits::PER_SECOND,
            ),
        );
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "server stopped");
            }
        });
        running.push(RunningNode {
            config: cfg.clone(),
            addr,
            node,
        });
    }
    Ok(running)
}

/// Starts document sync between the running nodes over the in-process transport and keeps it
/// going in a background thread (one tick per `interval`).
pub fn start_sync(
    nodes: &[RunningNode],
    interval: std::time::Duration,
) -> Arc<crate::sync::LocalSync> {
    let sync = crate::sync::LocalSync::start(nodes.iter().map(|n| n.node.clone()).collect());
    for n in nodes {
        n.node.set_sync_status(sync.clone());
    }
    let background = sync.clone();
    std::thread::Builder::new()
        .name("demo-sync".into())
        .spawn(move || loop {
            std::thread::sleep(interval);
            background.tick();
        })
        .expect("spawn sync thread");
    sync
}

/// A single Kita node for the desktop app, created with demo data on first start.
pub fn init_desktop_kita(data_dir: &Path) -> anyhow::Result<()> {
    if data_dir.join(CONFIG_FILE).exists() {
        return Ok(());
    }
    let clock = SystemClock;
    let world =
        kitanetz_datagen::generate(DEMO_SEED, &kitanetz_datagen::Scale::demo(), clock.today());
    let configs = plan_network(&world, 18_080);
    let kita = configs
        .iter()
        .find(|c| c.role == kitanetz_crdt::policy::NodeRole::Kita)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the demo world has no Kita"))?;
    // Seed the whole demo network in a scratch directory, then keep only the Kita's node: it
    // holds exactly what the Kita node in the network would hold.
    let mut scratch_name = data_dir.file_name().unwrap_or_default().to_os_string();
    scratch_name.push(".seeding");
    let scratch = data_dir.with_file_name(scratch_name);
    let _ = std::fs::remove_dir_all(&scratch);
    let seeded =
        seed_network(&scratch, std::slice::from_ref(&kita), &world, &clock).and_then(|_| {
            std::fs::create_dir_all(data_dir.parent().unwrap_or(Path::new(".")))?;
            if data_dir.exists() {
                // An empty directory the caller made (e.g. mktemp -d): replace it.
                std::fs::remove_dir(data_dir)?;
            }
            std::fs::rename(scratch.join(&kita.name), data_dir)?;
            Ok(())
        });
    let _ = std::fs::remove_dir_all(&scratch);
    seeded
}

/// The demo login of a desktop Kita node made by [`init_desktop_kita`]: (user, password).
pub fn desktop_login(data_dir: &Path) -> anyhow::Result<(String, String)> {
    let node = Node::open(data_dir, Arc::new(SystemClock))?;
    let store = node.store();
    let user: String = store.conn().query_row(
        "SELECT username FROM users WHERE role = 'kita-lead' ORDER BY id LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    Ok((user, DEMO_PASSWORD.to_string()))
}

/// How the demo nodes sync: in-process queues or libp2p links on loopback.
pub enum DemoSync {
    InProcess(Arc<crate::sync::LocalSync>),
    P2p(Arc<P2pSync>),
}

impl DemoSync {
    /// Starts sync for the running nodes and a background ticker; connects the status pages.
    /// `p2p_base_port`: see [`P2pSync::start`].
    pub async fn start(
        transport: &str,
        dir: &Path,
        nodes: &[RunningNode],
        p2p_base_port: Option<u16>,
    ) -> anyhow::Result<DemoSync> {
        let interval = std::time::Duration::from_secs(1);
        match transport {
            "in-process" => Ok(DemoSync::InProcess(start_sync(nodes, interval))),
            "p2p" => {
                let handles: Vec<Arc<Node>> = nodes.iter().map(|n| n.node.clone()).collect();
                let sync = P2pSync::start(dir, &handles, p2p_base_port).await?;
                let background = sync.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(interval).await;
                        background.tick().await;
                    }
                });
                let demo = DemoSync::P2p(sync);
                anyhow::ensure!(
                    demo.settle().await,
                    "the demo nodes did not converge over libp2p within 60 s"
                );
                Ok(demo)
            }
            other => anyhow::bail!("unknown transport {other:?} (in-process, p2p)"),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            DemoSync::InProcess(_) => "the in-process transport",
            DemoSync::P2p(_) => "libp2p links (Noise, certificates) on loopback",
        }
    }

    /// Waits until every document held twice has the same heads everywhere online.
    pub async fn settle(&self) -> bool {
        match self {
            DemoSync::InProcess(s) => {
                s.settle();
                true
            }
            DemoSync::P2p(s) => s.settle(std::time::Duration::from_secs(60)).await,
        }
    }

    pub async fn go_offline(&self, name: &str) {
        match self {
            DemoSync::InProcess(s) => s.go_offline(name),
            DemoSync::P2p(s) => s.go_offline(name).await,
        }
    }

    pub async fn come_online(&self, name: &str) -> anyhow::Result<()> {
        match self {
            DemoSync::InProcess(s) => {
                s.come_online(name);
                Ok(())
            }
            DemoSync::P2p(s) => s.come_online(name).await,
        }
    }
}
