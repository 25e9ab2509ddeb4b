//! What the fuzz targets and the seed writer (`write-seeds`) share, so that the committed seeds
//! are exactly what the targets expect:
//!
//! - [`keys`]: a fixed root key and fixed peer identities (fuzzing must be reproducible, and a
//!   crash found with one key must replay with the same key);
//! - [`session`]: a Kita, its Träger and the city syncing in one process, the receiving Träger
//!   node the `sync_wire` target attacks, and the invariants it must keep;
//! - [`frames`]: how a `sync_wire` input is cut into messages from several peers.

pub mod frames;
pub mod keys;
pub mod session;

/// libfuzzer-sys aborts on every panic, also on one the code under test catches on purpose.
/// automerge 0.12's decoder panics on some malformed input, and Kitanetz catches exactly that
/// (`kitanetz_crdt::doc::catch_decoder_panic`): this hook lets panics raised inside automerge
/// (and its column codec `hexane`) unwind to that guard. Every other panic aborts as before, and
/// an automerge panic that no guard catches still reaches libfuzzer-sys's own `catch_unwind`,
/// which aborts: it is still a crash.
pub fn let_guarded_decoder_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_decoder = info.location().is_some_and(|l| {
                ["/hexane-", "/automerge-"]
                    .iter()
                    .any(|c| l.file().contains(c))
            });
            if !in_decoder {
                fuzzer_hook(info);
            }
        }));
    });
}

/// The readers of the `case_files` target, in the order its first input byte selects them
/// (`selector % len`). The seed files are named after them. Append only: reordering would
/// send every corpus entry to another reader.
pub const CASE_READERS: &[&str] = &[
    "fee-case",
    "fee-statute",
    "staff-need-case",
    "tagespflege-case",
    "kitaplaner-case",
    "kdw-case",
    "landeszuschuss-case",
    // The node's own file imports: the finance system's payments file (Beitragsstelle), a
    // city's amount table of the Kindertagespflege running payment, and a Kita-Planer file of
    // children (the Kita's import buffer).
    "payments-file",
    "tagespflege-amounts",
    "kitaplaner-import",
];
