use clap::Parser;
use kitanetz_node::clock::SystemClock;
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let node = Node::open(&args.data_dir, Arc::new(SystemClock))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let addr = args.listen.unwrap_or(node.config.listen);
        let listener = tokio::net::TcpListener::bind(addr).await?;
        // Printed on one line so that scripts and tests can read the address.
        println!(
            "kitanetz node {} ({}) listening on http://{} (ready in {} ms)",
            node.config.name,
            node.config.role.as_str(),
            listener.local_addr()?,
            started.elapsed().as_millis()
        );
        axum::serve(listener, kitanetz_node::http::router(node))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(ExitCode::SUCCESS)
    })
}
