//! The request-response protocol between two nodes: length-prefixed raw bytes, and the frames
//! carried in them. Wire format: changing it needs a new [`PROTOCOL`] name.
//!
//! A request is the sender's certificate (always the first request on a link), a batch of
//! encoded sync messages ([`kitanetz_sync::Msg::encode`]) in order, or the city's signed
//! revocation list as the sender knows it (after admission and whenever a newer one arrives). A response acknowledges a
//! request after the receiver processed it; the sender sends the next batch only then, because
//! request-response opens one stream per request and does not keep requests in order, while
//! the fragments of a large automerge message must arrive in order.

use libp2p::futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use std::io;

/// Protocol name negotiated on every stream.
/// Version 2 added revocation lists: a version-1 node would block a peer sending one. Version 3
/// carries signed changes (`Msg::Writer`, `Msg::Signatures`, `Msg::SignedErased`), which a
/// version-2 node refuses as unknown tags.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/kitanetz/sync/3");

/// Largest request or response body. Equal to the sync core's [`kitanetz_sync::MAX_MESSAGE`],
/// which keeps every single message (fragments included) below it.
pub const MAX_FRAME: usize = kitanetz_sync::MAX_MESSAGE;

const TAG_CERTIFICATE: u8 = 1;
const TAG_BATCH: u8 = 2;
const TAG_REVOCATIONS: u8 = 3;
const TAG_OK: u8 = 1;
const TAG_REFUSED: u8 = 2;

/// Bytes a batch adds around its messages: tag and count, then a length per message.
pub const BATCH_HEADER: usize = 1 + 4;
pub const BATCH_PER_MESSAGE: usize = 4;

/// Reads and writes `u32` big-endian length + bytes, refusing anything over [`MAX_FRAME`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCodec;

async fn read_frame<T: AsyncRead + Unpin + Send>(io: &mut T) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes over the limit of {MAX_FRAME}"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_frame<T: AsyncWrite + Unpin + Send>(io: &mut T, bytes: Vec<u8>) -> io::Result<()> {
    if bytes.len() > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "frame of {} bytes over the limit of {MAX_FRAME}",
                bytes.len()
            ),
        ));
    }
    io.write_all(&(bytes.len() as u32).to_be_bytes()).await?;
    io.write_all(&bytes).await?;
    io.close().await
}

impl libp2p::request_response::Codec for RawCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, req).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, res).await
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The sender's signed certificate, as JSON.
    Certificate(Vec<u8>),
    /// Encoded sync messages, to be handed to the core in this order.
    Batch(Vec<Vec<u8>>),
    /// A signed revocation list, as JSON. Like every frame at most [`MAX_FRAME`] bytes: room
    /// for some 18 000 revoked PeerIds.
    Revocations(Vec<u8>),
}

/// A response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Ok,
    /// The request was refused; the reason is for the log, never shown to a user verbatim.
    Refused(String),
}

/// A frame that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("empty frame")]
    Empty,
    #[error("unknown frame type {0}")]
    UnknownTag(u8),
    #[error("frame ends early")]
    Truncated,
    #[error("{0} bytes left over after the frame")]
    Trailing(usize),
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Request::Certificate(c) => [&[TAG_CERTIFICATE][..], c].concat(),
            Request::Revocations(l) => [&[TAG_REVOCATIONS][..], l].concat(),
            Request::Batch(msgs) => {
                let len = BATCH_HEADER + msgs.iter().map(|m| m.len() + 4).sum::<usize>();
                let mut out = Vec::with_capacity(len);
                out.push(TAG_BATCH);
                out.extend_from_slice(&(msgs.len() as u32).to_be_bytes());
                for m in msgs {
                    out.extend_from_slice(&(m.len() as u32).to_be_bytes());
                    out.extend_from_slice(m);
                }
                out
            }
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Request, FrameError> {
        let (&tag, rest) = bytes.split_first().ok_or(FrameError::Empty)?;
        match tag {
            TAG_CERTIFICATE => Ok(Request::Certificate(rest.to_vec())),
            TAG_REVOCATIONS => Ok(Request::Revocations(rest.to_vec())),
            TAG_BATCH => {
                let mut r = rest;
                let count = take_u32(&mut r)? as usize;
                // Each message needs at least its length: bounds the allocation by the frame.
                if count > r.len() / 4 {
                    return Err(FrameError::Truncated);
                }
                let mut msgs = Vec::with_capacity(count);
                for _ in 0..count {
                    let len = take_u32(&mut r)? as usize;
                    if r.len() < len {
                        return Err(FrameError::Truncated);
                    }
                    let (m, tail) = r.split_at(len);
                    msgs.push(m.to_vec());
                    r = tail;
                }
                if !r.is_empty() {
                    return Err(FrameError::Trailing(r.len()));
                }
                Ok(Request::Batch(msgs))
            }
            t => Err(FrameError::UnknownTag(t)),
        }
    }
}

impl Response {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Response::Ok => vec![TAG_OK],
            Response::Refused(why) => [&[TAG_REFUSED][..], why.as_bytes()].concat(),
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Response, FrameError> {
        match bytes.split_first() {
            Some((&TAG_OK, [])) => Ok(Response::Ok),
            Some((&TAG_OK, rest)) => Err(FrameError::Trailing(rest.len())),
            Some((&TAG_REFUSED, rest)) => Ok(Response::Refused(
                String::from_utf8_lossy(rest).into_owned(),
            )),
            Some((&t, _)) => Err(FrameError::UnknownTag(t)),
            None => Err(FrameError::Empty),
        }
    }
}

fn take_u32(r: &mut &[u8]) -> Result<u32, FrameError> {
    if r.len() < 4 {
        return Err(FrameError::Truncated);
    }
    let (head, tail) = r.split_at(4);
    *r = tail;
    Ok(u32::from_be_bytes(head.try_into().expect("4 bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_garbage_is_refused() {
        for r in [
            Request::Certificate(b"{}".to_vec()),
            Request::Revocations(b"{}".to_vec()),
            Request::Batch(vec![]),
            Request::Batch(vec![vec![1, 2, 3], vec![], vec![9; 300]]),
        ] {
            assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        }
        for r in [Response::Ok, Response::Refused("no".into())] {
            assert_eq!(Response::decode(&r.encode()).unwrap(), r);
        }
        assert!(Request::decode(&[]).is_err());
        assert!(Request::decode(&[TAG_BATCH, 0, 0, 0, 9]).is_err());
        assert!(Request::decode(&[TAG_BATCH, 0, 0, 0, 1, 0, 0, 0, 5, 1]).is_err());
        assert!(Request::decode(&[7]).is_err());
        let mut extra = Request::Batch(vec![vec![1]]).encode();
        extra.push(0);
        assert!(matches!(
            Request::decode(&extra),
            Err(FrameError::Trailing(1))
        ));
    }
}
