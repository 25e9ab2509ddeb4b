//! The mailers against a real SMTP server on 127.0.0.1 and a real folder (one test binary,
//! STYLE.md 13).

mod fixtures;
mod folder;
mod smtp;
