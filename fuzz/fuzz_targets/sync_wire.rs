//! The sync wire decoder (`kitanetz_sync::Msg::decode`) and everything a decoded message reaches
//! in the sync core: fragment reassembly, automerge's sync message decoder, merging changes,
//! reading metadata, erasure. The input is a sequence of frames from several peers (see
//! `kitanetz_fuzz_support::frames`); the node under attack must never panic, and after any input
//! it must still hold only what it may, keep consistent metadata and leave documents no sender
//! may write untouched (`session::check_receiver`).

#![no_main]

use kitanetz_fuzz_support::{frames, session};
use kitanetz_sync::{Msg, MAX_MESSAGE};
use libfuzzer_sys::fuzz_target;

/// Decodes a message; a message that decodes must encode to bytes that decode to the same
/// message (what a node relays is what it read).
fn decode(bytes: &[u8]) -> Option<Msg> {
    let msg = Msg::decode(bytes).ok()?;
    let again = Msg::decode(&msg.encode()).expect("an encoded message decodes");
    assert_eq!(again, msg, "message changed in a round trip");
    Some(msg)
}

fuzz_target!(|data: &[u8]| {
    kitanetz_fuzz_support::let_guarded_decoder_panics_unwind();
    // The decoder on the whole input (any byte string is a candidate message).
    let _ = decode(data);

    let mut core = session::receiver();
    let unwritable = session::unwritable_by_senders(&mut core);
    for (sender, bytes) in frames::split(data) {
        let Some(msg) = decode(bytes) else { continue };
        if let Ok(out) = core.on_message(sender, msg) {
            for o in out {
                assert!(
                    o.msg.encode().len() <= MAX_MESSAGE,
                    "reply over the wire limit"
                );
            }
        }
    }
    session::check_receiver(&mut core, &unwritable);
});
