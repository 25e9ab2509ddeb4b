//! A look at automerge bytes from outside before automerge decodes them, refusing what would
//! make the decoder take unbounded memory.
//!
//! automerge 0.12 trusts lengths and counts inside a chunk before it has checked them against
//! anything: a 679-byte *bundle* chunk (found by the `crdt_doc` fuzz target,
//! `crdt/testdata/automerge-load-bundle-bomb.bin`) declares a delta column of 2^29 counters and
//! made `AutoCommit::load` reserve 4 GiB and then some (24 GiB resident before the machine
//! stopped it). A deflate-compressed change chunk can likewise unpack ~1,000 times its size. The
//! chunk checksum is no defence: anyone can compute it. Such bytes reach a node in a peer's sync
//! message, a backup being restored and the chunks on its own disk, so one admitted peer could
//! take a node down.
//!
//! What is refused:
//! - bundle chunks (type 3): nothing here writes them (`save` writes document chunks, the sync
//!   core change chunks), so a bundle is never data a node needs;
//! - compressed change chunks (type 2) whose contents unpack to more than
//!   [`MAX_UNPACKED_BYTES`] over the whole input (unpacked here with that cap, so the bomb
//!   itself is never unpacked in full).
//!
//! Everything else is left to automerge, which refuses malformed framing itself.

use flate2::bufread::DeflateDecoder;
use std::io::Read;

/// automerge's chunk magic bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

const CHUNK_COMPRESSED: u8 = 2;
const CHUNK_BUNDLE: u8 = 3;

/// The most all compressed chunks of one input may unpack to. The largest change the node
/// writes (a round's application with its wishes, a Kita-Planer import) is far below a MiB; a
/// sync message is at most 10 MiB, so this leaves room for many changes at ordinary ratios.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

/// Checks the chunks of `bytes` as described in the module documentation.
pub fn screen_chunks(bytes: &[u8]) -> Result<(), String> {
    let mut rest = bytes;
    let mut unpacked_budget = MAX_UNPACKED_BYTES;
    while !rest.is_empty() {
        // Framing automerge would refuse anyway is left for it to name.
        let Some(header) = Header::read(rest) else {
            return Ok(());
        };
        let data = &rest[header.header_len..header.header_len + header.data_len];
        match header.chunk_type {
            CHUNK_BUNDLE => {
                return Err("automerge bundle chunks are not accepted (no node writes them)".into())
            }
            CHUNK_COMPRESSED => {
                let unpacked = unpacked_len(data, unpacked_budget)?;
                unpacked_budget -= unpacked;
            }
            _ => {}
        }
        rest = &rest[header.header_len + header.data_len..];
    }
    Ok(())
}

struct Header {
    chunk_type: u8,
    header_len: usize,
    data_len: usize,
}

impl Header {
    /// magic (4) | checksum (4) | chunk type (1) | data length (unsigned LEB128) | data.
    fn read(bytes: &[u8]) -> Option<Header> {
        if bytes.len() < 9 || bytes[..4] != MAGIC {
            return None;
        }
        let chunk_type = bytes[8];
        let (data_len, leb_len) = read_uleb(&bytes[9..])?;
        let header_len = 9 + leb_len;
        let data_len = usize::try_from(data_len).ok()?;
        (data_len <= bytes.len() - header_len).then_some(Header {
            chunk_type,
            header_len,
            data_len,
        })
    }
}

/// An unsigned LEB128 number of at most 64 bits and the bytes it took.
fn read_uleb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        let low = u64::from(byte & 0x7f);
        if i == 9 && low > 1 {
            return None;
        }
        value |= low << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// How many bytes a deflate stream unpacks to, reading at most `budget + 1` of them.
fn unpacked_len(data: &[u8], budget: u64) -> Result<u64, String> {
    let mut sink = std::io::sink();
    // A stream automerge cannot unpack either is its to refuse: count what came out.
    let unpacked = std::io::copy(
        &mut DeflateDecoder::new(data).take(budget.saturating_add(1)),
        &mut sink,
    )
    .unwrap_or(0);
    if unpacked > budget {
        return Err(format!(
            "compressed automerge changes unpack to more than {} MiB",
            MAX_UNPACKED_BYTES / (1024 * 1024)
        ));
    }
    Ok(unpacked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};
    use flate2::write::DeflateEncoder;
    use std::io::Write;

    fn chunk(chunk_type: u8, data: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend([0, 0, 0, 0, chunk_type]);
        let mut len = data.len() as u64;
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn documents_and_changes_the_node_writes_pass() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "name", "x".repeat(5000)).unwrap();
        doc.commit();
        let saved = doc.save();
        doc.put(ROOT, "other", "y".repeat(5000)).unwrap();
        doc.commit();
        let incremental = doc.save_incremental();
        let both = [saved.clone(), incremental].concat();
        assert_eq!(screen_chunks(&saved), Ok(()));
        assert_eq!(screen_chunks(&both), Ok(()));
        assert_eq!(screen_chunks(b""), Ok(()));
    }

    #[test]
    fn the_bundle_the_fuzzer_found_is_refused_before_automerge_sees_it() {
        let bomb = include_bytes!("../testdata/automerge-load-bundle-bomb.bin");
        let refused = screen_chunks(bomb).unwrap_err();
        assert!(refused.contains("bundle"), "{refused}");
    }

    #[test]
    fn a_deflate_bomb_is_refused_without_unpacking_it_in_full() {
        let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..65 {
            encoder.write_all(&zeros).unwrap();
        }
        let packed = encoder.finish().unwrap();
        assert!(packed.len() < 100 * 1024, "{} bytes", packed.len());
        let refused = screen_chunks(&chunk(CHUNK_COMPRESSED, &packed)).unwrap_err();
        assert!(refused.contains("64 MiB"), "{refused}");
        // The budget is per input: two chunks of 40 MiB each exceed it together.
        let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        for _ in 0..40 {
            encoder.write_all(&zeros).unwrap();
        }
        let forty = chunk(CHUNK_COMPRESSED, &encoder.finish().unwrap());
        assert_eq!(screen_chunks(&forty), Ok(()));
        assert!(screen_chunks(&[forty.clone(), forty].concat()).is_err());
    }

    #[test]
    fn framing_automerge_refuses_itself_is_left_to_it() {
        assert_eq!(screen_chunks(b"not automerge"), Ok(()));
        // A length beyond the input, and a length that does not fit 64 bits.
        let mut long = chunk(CHUNK_BUNDLE, b"abc");
        long[9] = 0x7f;
        assert_eq!(screen_chunks(&long), Ok(()));
        let mut huge = MAGIC.to_vec();
        huge.extend([0, 0, 0, 0, CHUNK_BUNDLE]);
        huge.extend([0xff; 11]);
        assert_eq!(screen_chunks(&huge), Ok(()));
    }
}
