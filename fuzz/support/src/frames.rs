//! The input format of the `sync_wire` target: a sequence of frames
//! `sender: u8, length: u16 big-endian, bytes`, each frame one wire message from the peer
//! [`crate::session::SENDERS`]`[sender % len]`. A trailing incomplete frame is ignored. Several
//! messages per input let the fuzzer reach fragment reassembly and multi-round exchanges.

use crate::session::SENDERS;

/// Cuts an input into (sender name, message bytes).
pub fn split(mut data: &[u8]) -> Vec<(&'static str, &[u8])> {
    let mut out = Vec::new();
    while data.len() >= 3 {
        let sender = SENDERS[usize::from(data[0]) % SENDERS.len()];
        let len = usize::from(u16::from_be_bytes([data[1], data[2]]));
        let rest = &data[3..];
        let take = len.min(rest.len());
        out.push((sender, &rest[..take]));
        data = &rest[take..];
    }
    out
}

/// The frames of `messages` as one input (the seed writer's side of [`split`]). Messages over
/// `u16::MAX` bytes are left out: seeds stay small.
pub fn join<'a>(messages: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (sender, bytes) in messages {
        let Some(index) = SENDERS.iter().position(|s| *s == sender) else {
            continue;
        };
        let Ok(len) = u16::try_from(bytes.len()) else {
            continue;
        };
        out.push(index as u8);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let input = join([("kita-a", &b"abc"[..]), ("city", &b""[..])]);
        assert_eq!(
            split(&input),
            vec![("kita-a", &b"abc"[..]), ("city", &b""[..])]
        );
    }
}
