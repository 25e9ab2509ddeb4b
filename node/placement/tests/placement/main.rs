//! Integration tests of the placement engine (one test binary, several modules).

mod catalogue;
mod check_reference;
mod cli;
mod common;
mod golden;
mod props;
mod rounds;
