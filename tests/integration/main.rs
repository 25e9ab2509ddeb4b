//! All cross-crate integration tests in one binary (one link step).

mod roles;
mod storage;
mod sync;
mod ui;
