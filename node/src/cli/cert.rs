//! `kitanetz cert`: the city's root key, node certificates and revocation lists. Run on the
//! city's administration machine, which alone holds the root key.

use anyhow::Context;
use clap::{Parser, Subcommand};
use kitanetz_node::config::{NodeConfig, P2pSection};
use kitanetz_p2p::{
    generate_root, issue_certificate, load_or_create_identity, next_revocations, PeerId, RootKey,
    SignedRevocationList,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
pub struct Args {
    #[command(subcommand)]
    command: CertCommand,
}

#[derive(Subcommand)]
enum CertCommand {
    /// Create the city's root key (never overwrites one) and print its public key for the
    /// nodes' node.toml.
    Root {
        /// Where to write the key (owner-only). Keep it off the network.
        #[arg(long)]
        out: PathBuf,
    },
    /// Certify a node: reads its node.toml (name, role, organisation), creates its libp2p key
    /// if missing and writes the signed certificate into its data directory (with the city's
    /// revocation list, given --revocations).
    Issue {
        /// The city's root key.
        #[arg(long)]
        root: PathBuf,
        /// The node's data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// Validity in days.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=3650))]
        days: u64,
        /// The city's revocation list in force (the city node keeps it as
        /// p2p-revocations.json in its data directory): copied into the node's data directory
        /// as its revocation file, so that the node refuses revoked peers from its first start.
        /// A newer list already there is kept.
        #[arg(long)]
        revocations: Option<PathBuf>,
    },
    /// Issue an enrolment file for a new Kita node: a fresh key, its certificate and the
    /// peers to dial. The desktop app's first-start assistant (or `kitanetz enrol`) reads it.
    /// The file holds the node's key: hand it over like one.
    Enrol {
        /// The city's root key.
        #[arg(long)]
        root: PathBuf,
        /// The node's name in the network, e.g. `kita-sonnenschein`.
        #[arg(long)]
        name: String,
        /// The Kita's name as its staff see it.
        #[arg(long)]
        display_name: String,
        /// The Kita's organisation id.
        #[arg(long)]
        organisation: String,
        /// The Träger's provider id.
        #[arg(long)]
        provider: String,
        /// The Kita's facility id.
        #[arg(long)]
        facility: String,
        /// A node to dial, with its PeerId (`/ip4/…/tcp/…/p2p/12D3KooW…`); repeat for more.
        #[arg(long = "peer", required = true)]
        peers: Vec<String>,
        /// Validity in days.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u64).range(1..=3650))]
        days: u64,
        /// Where to write the file (owner-only; never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a revocation list that cuts the given peers off: every peer of --previous plus
    /// these, under the next version. Place it as a node's revocation file (default
    /// p2p-revocations.json in its data directory); a running node applies it within a second
    /// and passes it on to its peers.
    Revoke {
        /// The city's root key.
        #[arg(long)]
        root: PathBuf,
        /// A PeerId to revoke (`kitanetz cert issue` printed it); repeat for more.
        #[arg(long = "peer", required = true)]
        peers: Vec<String>,
        /// Where to write the new list.
        #[arg(long)]
        out: PathBuf,
        /// The list in force, which the new one extends (may be the same file as --out).
        #[arg(long)]
        previous: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        CertCommand::Root { out } => root(&out),
        CertCommand::Issue {
            root,
            data_dir,
            days,
            revocations,
        } => issue(&root, &data_dir, days, revocations.as_deref()),
        CertCommand::Enrol {
            root,
            name,
            display_name,
            organisation,
            provider,
            facility,
            peers,
            days,
            out,
        } => {
            let template = NodeConfig {
                version: 1,
                name,
                role: kitanetz_crdt::policy::NodeRole::Kita,
                organisation: kitanetz_crdt::ids::OrgId(organisation),
                provider: Some(kitanetz_crdt::ids::ProviderId(provider)),
                facility: Some(kitanetz_crdt::ids::FacilityId(facility)),
                listen: kitanetz_node::enrolment::DEFAULT_UI_LISTEN.parse()?,
                display_name,
                p2p: None,
                portal: None,
                mail: None,
                tls: None,
                fees: None,
                kita: None,
                backup: None,
                storage: None,
                tagespflege: None,
                kitaplaner: None,
            };
            template.validate()?;
            let root = load_root(&root)?;
            let enrolment = kitanetz_node::enrolment::Enrolment::issue(
                &root,
                &template,
                peers,
                unix_now(),
                days,
            )?;
            // Checked as the Kita will check it, before it leaves this machine.
            let checked = enrolment.check(unix_now())?;
            kitanetz_node::enrolment::write_new_private_file(&out, enrolment.to_json().as_bytes())?;
            println!(
                "enrolment for Kita node {} written to {}, valid until {}; it holds the node's key",
                checked.config.name,
                out.display(),
                utc(checked.expires_on)
            );
            Ok(())
        }
        CertCommand::Revoke {
            root,
            peers,
            out,
            previous,
        } => revoke(&root, &peers, &out, previous.as_deref()),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn utc(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || secs.to_string(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
}

fn load_root(path: &Path) -> anyhow::Result<RootKey> {
    RootKey::load(path).context("--root: the city's root key (made by `kitanetz cert root`)")
}

fn root(out: &Path) -> anyhow::Result<()> {
    let key = generate_root(out)?;
    println!(
        "city root key written to {}; keep it offline",
        out.display()
    );
    // The line as it goes into a node's [p2p] section.
    println!("root_public_key = \"{}\"", key.public_key());
    Ok(())
}

/// Nodes' clocks differ a little: a certificate issued "now" on the city's machine must already
/// be valid on a node whose clock is behind.
const CLOCK_SKEW: u64 = 3600;

fn issue(
    root_path: &Path,
    data_dir: &Path,
    days: u64,
    revocations: Option<&Path>,
) -> anyhow::Result<()> {
    let root = load_root(root_path)?;
    // Checked before anything is written.
    let revocations = revocations
        .map(|path| {
            SignedRevocationList::load(path)
                .and_then(|signed| signed.verify(&root.public_key()).map(|list| (signed, list)))
                .with_context(|| format!("--revocations {}", path.display()))
        })
        .transpose()?;
    let config = NodeConfig::load(data_dir)?;
    let p2p = match &config.p2p {
        Some(p2p) => {
            let trusted = kitanetz_node::links::root_public_key(p2p, data_dir)?;
            anyhow::ensure!(
                trusted == root.public_key(),
                "wrong root key: {} trusts root {trusted} (p2p.root_public_key), but {} is root {}",
                data_dir.join(kitanetz_node::config::CONFIG_FILE).display(),
                root_path.display(),
                root.public_key()
            );
            p2p.clone()
        }
        None => P2pSection::with_root(root.public_key().to_string()),
    };
    let identity = load_or_create_identity(&data_dir.join(&p2p.identity_key))?;
    let peer_id = identity.public().to_peer_id();
    let now = unix_now();
    let (from, until) = (now.saturating_sub(CLOCK_SKEW), now + days * 86_400);
    let cert = issue_certificate(
        &root,
        &peer_id,
        &config.name,
        config.membership(),
        from,
        until,
    );
    let cert_path = data_dir.join(&p2p.certificate);
    cert.save(&cert_path)?;
    println!(
        "certified node {} ({}) as peer {peer_id}, valid {} to {}: {}",
        config.name,
        config.role.as_str(),
        utc(from),
        utc(until),
        cert_path.display()
    );
    if let Some((signed, list)) = revocations {
        let path = data_dir.join(&p2p.revocations);
        match signed.save_unless_superseded(&path, &root.public_key(), list.version)? {
            None => println!(
                "revocation list version {} (revoked peers: {}) in force from the node's start: {}",
                list.version,
                list.revoked.len(),
                path.display()
            ),
            Some((_, newer)) => println!(
                "{} already holds revocation list version {}, newer than version {} given: kept",
                path.display(),
                newer.version,
                list.version
            ),
        }
    }
    if config.p2p.is_none() {
        println!(
            "{} has no [p2p] section yet; add one to sync (`kitanetz config-example` shows all keys):\n\n[p2p]\nlisten = \"{}\"\npeers = []\nroot_public_key = \"{}\"",
            data_dir.join(kitanetz_node::config::CONFIG_FILE).display(),
            p2p.listen,
            root.public_key()
        );
    }
    Ok(())
}

fn revoke(
    root_path: &Path,
    peers: &[String],
    out: &Path,
    previous: Option<&Path>,
) -> anyhow::Result<()> {
    let root = load_root(root_path)?;
    let peers: Vec<PeerId> = peers
        .iter()
        .map(|p| {
            p.trim()
                .parse::<PeerId>()
                .map_err(|e| anyhow::anyhow!("--peer {p:?}: not a PeerId (like 12D3KooW…): {e}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let previous = match previous {
        Some(path) => Some(
            SignedRevocationList::load(path)
                .and_then(|l| l.verify(&root.public_key()))
                .with_context(|| format!("--previous {}", path.display()))?,
        ),
        None => {
            anyhow::ensure!(
                !out.exists(),
                "{} exists: pass it as --previous too, so that the new list keeps its \
                 revocations and gets a higher version",
                out.display()
            );
            None
        }
    };
    let list = next_revocations(&root, previous.as_ref(), &peers, unix_now())?;
    list.save(out)?;
    let written = list.verify(&root.public_key())?;
    println!(
        "revocation list version {} (revoked peers: {}, issued {}) written to {}",
        written.version,
        written.revoked.len(),
        utc(written.issued_at),
        out.display()
    );
    Ok(())
}
