//! The Kitanetz node: one binary plays every role (city, Träger, Kita, Tagespflege).

pub mod accounts;
pub mod action;
pub mod applications;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod config;
pub mod conflicts;
pub mod contracts;
pub mod dump;
pub mod enrolment;
pub mod extra_care;
pub mod facilities;
pub mod families;
pub mod fees;
pub mod follow_ups;
pub mod groups;
pub mod http;
pub mod input;
pub mod intake;
pub mod letters;
pub mod links;
mod node;
pub mod occupancy;
pub mod outbox;
pub mod portal;
pub mod reports;
pub mod seats;
pub mod sessions;
pub mod statistics;
pub mod storage;

pub use node::{open_store, restrict_permissions, Node};
pub mod demo;
pub mod sync;
