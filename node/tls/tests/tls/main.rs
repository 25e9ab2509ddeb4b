//! The crate's integration tests, in one binary (STYLE.md 13): real sockets on 127.0.0.1:0,
//! certificates made by rcgen, a raw rustls client.

mod files;
mod reload;
mod serve;
mod support;
