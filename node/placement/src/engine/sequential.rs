//! The Lastenheft's sequential procedure (3.2), kept as a second mode for comparison.
//!
//! Round `r` looks at wish `r + 1` of every child not yet placed: a program admits its
//! applicants of that round in priority order while it has free seats; seats given in earlier
//! rounds are final (nobody is displaced). A child not admitted goes onto that program's
//! waitlist and on to its next wish in the next round; children flagged `first_wish_only`
//! (sibling and integration cases) stay with wish 1 and are not forwarded. Children left
//! without a seat after all wishes form the central pool. Transfer children keep their
//! `current` seat until they get a wish they ranked higher; the freed seat is available from
//! the next round on. Groups apply with their joint option `r` (see [`crate::groups`]) and are
//! admitted only as a whole.
//!
//! Unlike deferred acceptance this procedure is not stable: a child whose wish 1 was full loses
//! its wish 2 to children who ranked it first, even with lower priority. The protocol's
//! certificate shows that, which is the point of the comparison.

use crate::engine::Solution;
use crate::groups::{joint_options, GroupReport};
use crate::problem::{Problem, NONE};

/// One application in a round.
#[derive(Clone, Copy)]
struct App {
    prog: u32,
    key: u64,
    child: u32,
    /// Group index or NONE.
    group: u32,
    /// Entry position in the child's list.
    entry: u32,
}

/// Runs the sequential procedure.
pub fn run(p: &Problem) -> Solution {
    let n = p.n_children();
    let opts = joint_options(p);
    let mut free: Vec<i64> = p.capacity.iter().map(|&c| c as i64).collect();
    let mut pos = vec![NONE; n];
    for c in 0..n as u32 {
        if let Some(q) = p.program_at(c, p.current_pos[c as usize]) {
            pos[c as usize] = p.current_pos[c as usize];
            free[q as usize] -= 1;
        }
    }
    // Entries a child may apply to: those above its current seat.
    let applicable = |c: u32| -> u32 {
        match p.current_pos[c as usize] {
            NONE => p.list(c).len() as u32,
            cp => cp,
        }
    };
    let mut done = vec![false; n];
    let mut group_done = vec![false; p.groups.len()];
    let mut waitlists: Vec<Vec<(u64, u32)>> = vec![Vec::new(); p.n_programs()];
    let rounds = (0..n as u32)
        .map(applicable)
        .chain(opts.iter().map(|o| o.len() as u32))
        .max()
        .unwrap_or(0);
    let mut proposals = 0u64;
    for r in 0..rounds {
        let mut apps = Vec::new();
        for c in 0..n as u32 {
            let cu = c as usize;
            if p.group[cu] != NONE || done[cu] || r >= applicable(c) {
                continue;
            }
            if p.first_wish_only[cu] && r > 0 {
                continue;
            }
            let e = p.off[cu] as usize + r as usize;
            apps.push(App {
                prog: p.prog[e],
                key: p.key(c, e),
                child: c,
                group: NONE,
                entry: r,
            });
        }
        for (g, members) in p.groups.iter().enumerate() {
            let Some(o) = opts[g].get(r as usize) else {
                continue;
            };
            if group_done[g] {
                continue;
            }
            for (&c, &j) in members.iter().zip(&o.entries) {
                if j == p.current_pos[c as usize] {
                    continue; // already holds that seat
                }
                let e = p.off[c as usize] as usize + j as usize;
                apps.push(App {
                    prog: p.prog[e],
                    key: p.key(c, e),
                    child: c,
                    group: g as u32,
                    entry: j,
                });
            }
        }
        proposals += apps.len() as u64;
        // Per program, best first.
        apps.sort_unstable_by(|a, b| a.prog.cmp(&b.prog).then(b.key.cmp(&a.key)));
        let mut removed = vec![false; p.groups.len()];
        let admitted = loop {
            let mut admitted = vec![false; apps.len()];
            let mut used = 0i64;
            let mut last = NONE;
            for (i, a) in apps.iter().enumerate() {
                if a.prog != last {
                    last = a.prog;
                    used = 0;
                }
                if a.group != NONE && removed[a.group as usize] {
                    continue;
                }
                if used < free[a.prog as usize] {
                    used += 1;
                    admitted[i] = true;
                }
            }
            let mut changed = false;
            for (i, a) in apps.iter().enumerate() {
                if a.group != NONE && !admitted[i] && !removed[a.group as usize] {
                    removed[a.group as usize] = true;
                    changed = true;
                }
            }
            if !changed {
                break admitted;
            }
        };
        for (i, a) in apps.iter().enumerate() {
            let cu = a.child as usize;
            let in_group_ok = a.group != NONE && !removed[a.group as usize];
            if admitted[i] && (a.group == NONE || in_group_ok) {
                if let Some(old) = p.program_at(a.child, pos[cu]) {
                    free[old as usize] += 1;
                }
                free[a.prog as usize] -= 1;
                pos[cu] = a.entry;
                done[cu] = true;
            } else {
                waitlists[a.prog as usize].push((a.key, a.child));
                if p.first_wish_only[cu] {
                    done[cu] = true;
                }
            }
        }
        for (g, members) in p.groups.iter().enumerate() {
            if r < opts[g].len() as u32 && !removed[g] && !group_done[g] {
                group_done[g] = true;
                // Members whose part was their current seat stay there (already in `pos`).
                for (&c, &j) in members.iter().zip(&opts[g][r as usize].entries) {
                    pos[c as usize] = j;
                }
            }
        }
    }
    let waitlists = waitlists
        .into_iter()
        .map(|mut w| {
            w.sort_unstable_by_key(|a| std::cmp::Reverse(a.0));
            w.dedup();
            w.into_iter().map(|(_, c)| c).collect()
        })
        .collect();
    Solution {
        pos,
        proposals,
        groups: GroupReport {
            groups: p.groups.len(),
            ..GroupReport::default()
        },
        waitlists,
    }
}
