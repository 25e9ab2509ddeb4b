//! The reports on small hand-worked data sets. Every expected number is worked out by hand in
//! the comment of the data set (`fixtures.rs`), never taken from the code.

mod demand;
mod fixtures;
mod placed;
mod tables;
mod terminations;
