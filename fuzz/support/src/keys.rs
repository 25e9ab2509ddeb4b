//! A fixed root key and fixed peer identities for fuzzing.
//!
//! TEST KEY ONLY: its secret is in this public file and signs nothing but fuzz inputs. It is fixed
//! (not generated per run) so that a crash input replays with the same signatures.

use kitanetz_p2p::{Keypair, PeerId, RootKey, RootPublicKey};
use ring::signature::Ed25519KeyPair;
use std::sync::OnceLock;

/// PKCS#8 v2 (seed and public key, the form `ring` reads) of the fuzz root key, hex.
const ROOT_PKCS8_HEX: &str = concat!(
    "3053020101300506032b657004220420",
    "9117ef165e62bc5eb7da1355eb38380a69e001afa339b1a33aa9a566321ed462",
    "a123032100",
    "1ea879f0cf2de65057cc98c278785b1209674b0cc835f3a2e6d67cb340076c89",
);

/// The signing contexts of `kitanetz_p2p::cert` (persisted and wire format there, private
/// constants), repeated here so that fuzz inputs can carry any body under a valid signature.
/// The seed writer checks that a certificate issued by `kitanetz_p2p` verifies the same way.
pub const CERT_CONTEXT: &[u8] = b"kitanetz-certificate-v1\0";
pub const REVOCATION_CONTEXT: &[u8] = b"kitanetz-revocations-v1\0";

fn pkcs8() -> Vec<u8> {
    hex::decode(ROOT_PKCS8_HEX).expect("hex constant")
}

/// The root key as `kitanetz_p2p` loads it (from an owner-only file, as on a real node).
pub fn root_key() -> &'static RootKey {
    static KEY: OnceLock<RootKey> = OnceLock::new();
    KEY.get_or_init(|| {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path =
            std::env::temp_dir().join(format!("kitanetz-fuzz-root-{}.pk8", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .expect("temp file for the fuzz root key");
        f.write_all(&pkcs8()).expect("write fuzz root key");
        drop(f);
        let key = RootKey::load(&path).expect("fuzz root key loads");
        let _ = std::fs::remove_file(&path);
        key
    })
}

pub fn root_public() -> RootPublicKey {
    root_key().public_key()
}

/// Signs `context ‖ body` with the root key: any body, also ones `RootKey::sign` would never
/// produce. Returns the signature as hex, as `Signed` carries it.
pub fn sign_raw(context: &[u8], body: &[u8]) -> String {
    static PAIR: OnceLock<Ed25519KeyPair> = OnceLock::new();
    let pair = PAIR.get_or_init(|| Ed25519KeyPair::from_pkcs8(&pkcs8()).expect("fuzz root key"));
    hex::encode(pair.sign(&[context, body].concat()).as_ref())
}

/// A signed object as JSON (`kitanetz_p2p::Signed`'s shape), from any body and signature.
pub fn signed_json(body: &str, signature: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "body": body, "signature": signature }))
        .expect("strings serialise")
}

/// Number of fixed peer identities.
pub const PEERS: usize = 4;

/// Fixed peer identity `i % PEERS` (Ed25519 from a fixed secret).
pub fn peer(i: usize) -> PeerId {
    static IDS: OnceLock<Vec<PeerId>> = OnceLock::new();
    IDS.get_or_init(|| {
        (0..PEERS)
            .map(|n| {
                let mut secret = [n as u8 + 1; 32];
                Keypair::ed25519_from_bytes(&mut secret)
                    .expect("32 bytes")
                    .public()
                    .to_peer_id()
            })
            .collect()
    })[i % PEERS]
}
