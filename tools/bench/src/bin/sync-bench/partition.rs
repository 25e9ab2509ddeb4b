//! Part 3, `partition`: N nodes in one process (city, Träger, Kitas), 10 % of the Kitas cut off
//! while both sides edit, then healed: time and traffic to converge, heads checked everywhere.
//! The scenario lives in `sync_scenarios::partition` (shared with `relay-bench`, which runs it
//! in a star per Träger with signed changes too); here it runs over today's links, unsigned.

use sync_scenarios::partition::{self, Topology};
use sync_scenarios::report::Row;

pub fn run(nodes: usize, rows: &mut Vec<Row>) -> bool {
    partition::run(nodes, Topology::Mesh, false, rows).ok
}
