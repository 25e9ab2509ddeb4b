//! Child-proposing deferred acceptance, McVitie–Wilson style.
//!
//! Children propose one at a time; a rejected or displaced child immediately proposes to its
//! next entry. The result is the child-optimal stable matching whatever the order, so the loop
//! can be a plain iteration with no global rounds. Each program keeps its admitted keys in a
//! bounded binary min-heap inside one flat array (offsets by program), so an admission is one
//! comparison with the worst admitted key and `O(log capacity)` work; no maps in the hot loop.

use crate::problem::{Problem, NONE};

/// Preference lists as the core sees them: entries of `(program, key)`.
pub(crate) trait Lists {
    /// Length of the list of `c`.
    fn len(&self, c: u32) -> u32;
    /// Entry `j` of the list of `c`.
    fn entry(&self, c: u32, j: u32) -> (u32, u64);
}

/// The problem's own lists.
pub(crate) struct BaseLists<'a>(pub &'a Problem);

impl Lists for BaseLists<'_> {
    #[inline]
    fn len(&self, c: u32) -> u32 {
        self.0.off[c as usize + 1] - self.0.off[c as usize]
    }
    #[inline]
    fn entry(&self, c: u32, j: u32) -> (u32, u64) {
        let e = (self.0.off[c as usize] + j) as usize;
        (self.0.prog[e], self.0.key(c, e))
    }
}

/// Outcome of one run.
pub(crate) struct DaOutcome {
    /// Per child: position in the list it was run with, or [`NONE`].
    pub pos: Vec<u32>,
    /// Proposals made.
    pub proposals: u64,
}

/// Runs deferred acceptance on `lists` with the problem's capacities.
pub(crate) fn deferred_acceptance<L: Lists>(p: &Problem, lists: &L) -> DaOutcome {
    let n = p.n_children();
    let np = p.n_programs();
    let mut hoff = Vec::with_capacity(np + 1);
    let mut total = 0usize;
    for &c in &p.capacity {
        hoff.push(total);
        total += c as usize;
    }
    let mut size = vec![0u32; np];
    let mut heap = vec![0u64; total];
    let mut next = vec![0u32; n];
    let mut pos = vec![NONE; n];
    let mut proposals = 0u64;
    for start in 0..n as u32 {
        let mut cur = start;
        loop {
            let j = next[cur as usize];
            if j >= lists.len(cur) {
                pos[cur as usize] = NONE;
                break;
            }
            next[cur as usize] = j + 1;
            proposals += 1;
            let (q, k) = lists.entry(cur, j);
            let q = q as usize;
            let cap = p.capacity[q] as usize;
            let s = size[q] as usize;
            let h = &mut heap[hoff[q]..hoff[q] + cap];
            if s < cap {
                sift_up(h, s, k);
                size[q] += 1;
                pos[cur as usize] = j;
                break;
            }
            if cap > 0 && k > h[0] {
                let evicted = h[0];
                sift_down(h, k);
                pos[cur as usize] = j;
                cur = p.child_of_key(evicted);
                pos[cur as usize] = NONE;
            }
        }
    }
    DaOutcome { pos, proposals }
}

/// Inserts `k` at index `i` (the current size) of a min-heap.
#[inline]
fn sift_up(h: &mut [u64], mut i: usize, k: u64) {
    while i > 0 {
        let parent = (i - 1) / 2;
        if h[parent] <= k {
            break;
        }
        h[i] = h[parent];
        i = parent;
    }
    h[i] = k;
}

/// Replaces the minimum of a full min-heap by `k`.
#[inline]
fn sift_down(h: &mut [u64], k: u64) {
    let n = h.len();
    let mut i = 0;
    loop {
        let l = 2 * i + 1;
        if l >= n {
            break;
        }
        let r = l + 1;
        let m = if r < n && h[r] < h[l] { r } else { l };
        if h[m] >= k {
            break;
        }
        h[i] = h[m];
        i = m;
    }
    h[i] = k;
}
