//! All cross-crate integration tests in one binary (one link step).

mod accounts;
mod applications;
mod audit;
mod beitragsstelle;
mod facilities;
mod fees;
mod intake;
mod kita_day;
mod kitaplaner;
mod occupancy;
mod parents_api;
mod portal;
mod reports;
mod roles;
mod school;
mod seats;
mod serve_p2p;
mod serve_tls;
mod sessions;
mod staff;
mod statistics;
mod storage;
mod sync;
mod tagespflege;
mod traeger_statistics;
mod ui;
