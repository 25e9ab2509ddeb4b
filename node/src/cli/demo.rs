use clap::Parser;
use kitanetz_node::clock::SystemClock;
use kitanetz_node::demo::{self, DEMO_PASSWORD};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    /// Where the nodes keep their data (one sub-directory per node). Reused if it exists.
    #[arg(long, default_value = "demo-data")]
    data_dir: PathBuf,
    /// Run the scripted scenario through the HTTP API, print a summary and exit (0 = all held).
    #[arg(long)]
    smoke: bool,
    /// First port; the nodes listen on consecutive ports from here (city first).
    #[arg(long, default_value_t = 8080)]
    base_port: u16,
    /// How the nodes sync: `in-process` queues or `p2p` (libp2p links with certificates on
    /// loopback).
    #[arg(long, default_value = "p2p")]
    transport: String,
    /// First libp2p port (p2p transport): the nodes' links listen on consecutive ports from
    /// here, so that a desktop Kita enrolled into the demo finds them again after a restart.
    /// Default: base port + 100; `0`: any free ports (as with --smoke).
    #[arg(long)]
    p2p_base_port: Option<u16>,
    /// Send the city's mails to this SMTP server (e.g. 127.0.0.1:2525) instead of writing them
    /// into its `mails` folder.
    #[arg(long)]
    smtp: Option<std::net::SocketAddr>,
}

/// The demo's libp2p ports start this far above its first UI port.
const P2P_PORT_OFFSET: u16 = 100;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let (configs, report) = demo::ensure_network(&args.data_dir, args.base_port, &SystemClock)?;
    if let Some(r) = &report {
        println!(
            "Seeded {} nodes in {}: {} documents, {} copies ({:.1} s)",
            r.nodes.len(),
            args.data_dir.display(),
            r.documents,
            r.copies,
            started.elapsed().as_secs_f64()
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let nodes = demo::start_network(&args.data_dir, &configs, args.smoke, args.smtp).await?;
        let logins: Vec<(String, String)> = nodes
            .iter()
            .map(|n| {
                let store = n.node.store();
                let user: String = store
                    .conn()
                    .query_row(
                        "SELECT username FROM users ORDER BY id LIMIT 1 OFFSET ?1",
                        [if n.config.role == kitanetz_crdt::policy::NodeRole::City {
                            1
                        } else {
                            0
                        }],
                        |r| r.get(0),
                    )
                    .unwrap_or_default();
                (n.config.name.clone(), user)
            })
            .collect();
        println!(
            "Kitanetz demo network ({} nodes), password for every login: {DEMO_PASSWORD}",
            nodes.len()
        );
        for n in &nodes {
            let users: Vec<String> = {
                let store = n.node.store();
                let mut stmt = store
                    .conn()
                    .prepare("SELECT username, role FROM users ORDER BY id")?;
                let rows = stmt.query_map([], |r| {
                    Ok(format!(
                        "{} ({})",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?
                    ))
                })?;
                rows.collect::<Result<_, _>>()?
            };
            println!(
                "  {:<28} {:<8} http://{}/   logins: {}",
                n.config.name,
                n.config.role.as_str(),
                n.addr,
                users.join(", ")
            );
        }
        let t = std::time::Instant::now();
        // Fixed libp2p ports (after the UI's) unless in the smoke, so that a desktop Kita
        // enrolled into the demo finds its peers again after the demo restarts.
        let p2p_base_port = match args.p2p_base_port {
            Some(0) => None,
            Some(port) => Some(port),
            None => (!args.smoke).then(|| args.base_port.saturating_add(P2P_PORT_OFFSET)),
        };
        let sync =
            demo::DemoSync::start(&args.transport, &args.data_dir, &nodes, p2p_base_port).await?;
        // Scripts wait for this line before they use the network.
        println!(
            "Nodes in sync over {} ({:.1} s)",
            sync.name(),
            t.elapsed().as_secs_f64()
        );
        if args.smoke {
            let report = demo::smoke::run(&nodes, &logins, DEMO_PASSWORD, &sync).await?;
            for c in &report.checks {
                println!("  ok  {c}");
            }
            println!(
                "demo smoke: {} nodes, {} checks passed in {:.1} s",
                nodes.len(),
                report.checks.len(),
                started.elapsed().as_secs_f64()
            );
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(city) = nodes.iter().find(|n| n.node.portal.is_some()) {
            let mails = match args.smtp {
                Some(server) => format!("go to the SMTP server at {server}"),
                None => format!(
                    "land as .eml files in {}",
                    args.data_dir
                        .join(&city.config.name)
                        .join(demo::DEMO_MAIL_FOLDER)
                        .display()
                ),
            };
            println!(
                "Parents' portal: http://{}/portal (register there; the confirmation mails {mails})",
                city.addr
            );
            println!(
                "  demo parents (password {DEMO_PASSWORD}): {}",
                demo::DEMO_PARENTS.join(", ")
            );
        }
        if let demo::DemoSync::P2p(p2p) = &sync {
            let (file, kita) = p2p.write_desktop_enrolment(&args.data_dir).await?;
            println!(
                "Desktop app as a second node of {kita}: kitanetz-desktop --enrol {} \
                 (or choose the file in its first-start assistant)",
                file.display()
            );
        }
        println!("Open a node's address in a browser. Stop with Ctrl-C.");
        tokio::signal::ctrl_c().await?;
        Ok(ExitCode::SUCCESS)
    })
}
