//! Chunks of personal documents sealed at rest (ARCHITECTURE.md §Erasure): each document has
//! its own random secret in the subject key file ([`super::subject_keys`]); erasing the
//! document deletes the secret, and with it every copy of the chunks left in a backup becomes
//! noise. Pure functions: the secret comes in, sealed or opened bytes go out.
//!
//! Persisted format (`chunks.sealed = 1`): `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`,
//! ChaCha20-Poly1305 under `HKDF-SHA256(secret, info = "kitanetz/chunk/1" ‖ doc id)`, the
//! chunk's sequence number (8 bytes, big endian) as associated data.

use kitanetz_crdt::meta::{DocKind, Visibility};
use kitanetz_crdt::DocId;
use ring::{aead, hkdf, hmac};

/// The length of a document's secret.
pub const SECRET_LEN: usize = 32;

/// A document's secret, as kept in the subject key file.
pub type Secret = [u8; SECRET_LEN];

const CHUNK_INFO: &[u8] = b"kitanetz/chunk/1";
const NONCE_INFO: &[u8] = b"kitanetz/chunk-nonce/1";
const NONCE_LEN: usize = aead::NONCE_LEN;
const TAG_LEN: usize = 16;

/// Whether documents of `kind` are sealed at rest when the node is configured to: every class
/// that names people (derived from the kind's visibility, so a new kind is decided by its
/// class; a new class must be decided here). Public and pseudonymous placement records stay
/// plain: they name nobody, and the city's placement runs over thousands of them.
pub fn seals(kind: DocKind) -> bool {
    match kind.visibility() {
        Visibility::Personal
        | Visibility::KitaOnly
        | Visibility::Applicant
        | Visibility::ApplicantShare
        | Visibility::TraegerOffice => true,
        Visibility::Public | Visibility::Placement | Visibility::CityPlacement => false,
    }
}

/// A sealed chunk could not be opened: wrong key, or the bytes were changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sealed chunk of {0} does not open with its key (damaged, or another key)")]
pub struct OpenError(pub DocId);

/// Seals one chunk of `doc` stored under sequence number `seq`.
///
/// The nonce is synthetic (SIV style): the first 12 bytes of an HMAC, under a second key from
/// the same secret, over the sequence number and the plaintext. A nonce from `(doc, seq)`
/// alone would repeat: compaction deletes the chunks and writes a *different* snapshot at
/// sequence number 0, and a node that switches sealing off and on again appends at numbers it
/// used before. Reusing a ChaCha20-Poly1305 nonce for two plaintexts under one key gives away
/// their XOR and the authentication key. With the synthetic nonce, the same nonce means the
/// same sequence number and plaintext, hence the same ciphertext: nothing leaks but that two
/// chunks are equal. No counter has to survive a crash or a restored backup.
pub fn seal(secret: &Secret, doc: &DocId, seq: i64, plaintext: &[u8]) -> Vec<u8> {
    let aad = seq.to_be_bytes();
    let nonce = synthetic_nonce(secret, doc, &aad, plaintext);
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = chunk_key(secret, doc)
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut out[NONCE_LEN..],
        )
        .expect("a chunk is far below ChaCha20-Poly1305's 256 GiB limit");
    out.extend_from_slice(tag.as_ref());
    out
}

/// Opens a chunk [`seal`] made for `doc` at `seq`.
pub fn open(secret: &Secret, doc: &DocId, seq: i64, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    let fail = || OpenError(doc.clone());
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(fail());
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce length");
    let mut body = body.to_vec();
    let plain_len = chunk_key(secret, doc)
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(seq.to_be_bytes()),
            &mut body,
        )
        .map_err(|_| fail())?
        .len();
    body.truncate(plain_len);
    Ok(body)
}

/// The document's chunk key: HKDF-SHA256 of its secret, bound to the document id, so a chunk
/// copied under another document's id does not open.
fn chunk_key(secret: &Secret, doc: &DocId) -> aead::LessSafeKey {
    let prk = extract(secret);
    let info = [CHUNK_INFO, doc.0.as_bytes()];
    let okm = prk
        .expand(&info, &aead::CHACHA20_POLY1305)
        .expect("32 bytes are within HKDF-SHA256's limit");
    aead::LessSafeKey::new(aead::UnboundKey::from(okm))
}

fn synthetic_nonce(secret: &Secret, doc: &DocId, aad: &[u8], plaintext: &[u8]) -> [u8; NONCE_LEN] {
    let prk = extract(secret);
    let info = [NONCE_INFO, doc.0.as_bytes()];
    let okm = prk
        .expand(&info, hmac::HMAC_SHA256)
        .expect("32 bytes are within HKDF-SHA256's limit");
    let mut ctx = hmac::Context::with_key(&hmac::Key::from(okm));
    ctx.update(aad);
    ctx.update(plaintext);
    ctx.sign().as_ref()[..NONCE_LEN]
        .try_into()
        .expect("an HMAC-SHA256 tag is 32 bytes")
}

fn extract(secret: &Secret) -> hkdf::Prk {
    // No salt: the secret is uniformly random already (RFC 5869 §3.1).
    hkdf::Salt::new(hkdf::HKDF_SHA256, &[]).extract(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> DocId {
        DocId("doc-family-1".into())
    }

    #[test]
    fn a_sealed_chunk_opens_with_its_key_only() {
        let secret = [7; SECRET_LEN];
        let sealed = seal(&secret, &id(), 3, b"Mia Beispiel");
        assert!(!sealed.windows(3).any(|w| w == b"Mia"));
        assert_eq!(open(&secret, &id(), 3, &sealed).unwrap(), b"Mia Beispiel");
        assert!(
            open(&[8; SECRET_LEN], &id(), 3, &sealed).is_err(),
            "another key"
        );
        assert!(
            open(&secret, &DocId("doc-family-2".into()), 3, &sealed).is_err(),
            "another doc"
        );
        assert!(open(&secret, &id(), 4, &sealed).is_err(), "another place");
        let mut changed = sealed.clone();
        changed[20] ^= 1;
        assert!(open(&secret, &id(), 3, &changed).is_err(), "changed bytes");
    }

    #[test]
    fn the_nonce_follows_the_plaintext_not_only_the_place() {
        let secret = [7; SECRET_LEN];
        let first = seal(&secret, &id(), 0, b"snapshot one");
        let again = seal(&secret, &id(), 0, b"snapshot one");
        let compacted = seal(&secret, &id(), 0, b"snapshot two");
        assert_eq!(first, again, "deterministic");
        assert_ne!(first[..NONCE_LEN], compacted[..NONCE_LEN]);
    }

    #[test]
    fn personal_kinds_are_sealed_public_and_placement_ones_not() {
        assert!(seals(DocKind::Family));
        assert!(seals(DocKind::Applicant));
        assert!(seals(DocKind::IncomeDeclaration));
        assert!(!seals(DocKind::FacilityProfile));
        assert!(!seals(DocKind::SeatLedger));
        assert!(!seals(DocKind::Application));
    }
}
