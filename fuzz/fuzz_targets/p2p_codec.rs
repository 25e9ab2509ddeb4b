//! The request-response codec of the p2p transport (`kitanetz_p2p::codec`): the length-prefixed
//! frame reader of `RawCodec`, `Request::decode` and `Response::decode`, and the sync messages
//! inside a batch, as `node.rs` reads them from a peer. Nothing may panic; what decodes must
//! encode back to the same bytes (requests) or the same value (responses).

#![no_main]

use kitanetz_p2p::codec::{RawCodec, Request, Response, MAX_FRAME, PROTOCOL};
use kitanetz_sync::Msg;
use libfuzzer_sys::fuzz_target;
use libp2p_codec::read_both;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = Request::decode(data) {
        assert_eq!(
            request.encode(),
            data,
            "request bytes changed in a round trip"
        );
        if let Request::Batch(messages) = &request {
            for m in messages {
                let _ = Msg::decode(m);
            }
        }
    }
    if let Ok(response) = Response::decode(data) {
        assert_eq!(Response::decode(&response.encode()).unwrap(), response);
    }
    // The stream reader: a frame is read whole or refused, never over MAX_FRAME.
    for frame in read_both(RawCodec, &PROTOCOL, data).into_iter().flatten() {
        assert!(frame.len() <= MAX_FRAME);
    }
});

/// Drives the async reader of `RawCodec` over an in-memory stream. The stream never waits, so
/// one poll with a no-op waker finishes the future.
mod libp2p_codec {
    use kitanetz_p2p::codec::RawCodec;
    use libp2p::futures::io::Cursor;
    use libp2p::request_response::Codec;
    use libp2p::StreamProtocol;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    fn ready<T>(future: impl Future<Output = T>) -> T {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("an in-memory stream never waits"),
        }
    }

    /// The request and the response read from `bytes`.
    pub fn read_both(
        mut codec: RawCodec,
        protocol: &StreamProtocol,
        bytes: &[u8],
    ) -> [Option<Vec<u8>>; 2] {
        let request = ready(codec.read_request(protocol, &mut Cursor::new(bytes))).ok();
        let response = ready(codec.read_response(protocol, &mut Cursor::new(bytes))).ok();
        [request, response]
    }
}
