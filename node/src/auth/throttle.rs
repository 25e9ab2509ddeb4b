//! Failed-login throttling for staff and parents, by the name typed *and* the source address.
//!
//! Why not per account: a lock per account lets anybody lock a real user out by typing five
//! wrong passwords, and a lock only for names that exist tells an attacker which names do.
//! So the counts are kept
//! - per **name and source** (the name as typed, whether it exists or not): after
//!   [`LOCK_AFTER_FAILURES`] failures that pair waits [`LOCK_MINUTES`] minutes. A person at her own
//!   computer is not locked out by an attacker elsewhere;
//! - per **source**, over all names: after [`FREE_FAILURES_PER_SOURCE`] failures within the window
//!   each further attempt waits twice as long as the one before (1 s, 2 s, 4 s … at most
//!   [`LOCK_MINUTES`] minutes): guessing many names from one place slows to a crawl;
//! - per **name**, over all sources: after [`FREE_FAILURES_PER_NAME`] the same backoff, against a
//!   guess spread over many addresses (such an attack slows the real user too, by seconds).
//!
//! Attempts are checked before the password is, so a throttled guess costs no argon2 time.
//! Counts live in memory: a restart forgets them (an attacker gains one window, nothing else),
//! and the map is pruned so that a flood of names cannot grow it without bound. Behind a reverse
//! proxy every request comes from the proxy's address: see the README on `kitanetz serve`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Failures of one name from one source that lock the pair.
pub const LOCK_AFTER_FAILURES: u32 = 5;
/// How long a locked pair waits, and the longest backoff.
pub const LOCK_MINUTES: i64 = 15;
/// Failures from one source (any names) before each attempt waits.
pub const FREE_FAILURES_PER_SOURCE: u32 = 20;
/// Failures of one name (any sources) before each attempt waits.
pub const FREE_FAILURES_PER_NAME: u32 = 50;
/// Entries beyond which expired ones are dropped.
const PRUNE_ABOVE: usize = 50_000;

const WINDOW_MILLIS: i64 = LOCK_MINUTES * 60_000;

/// Why an attempt is not even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This name from this source failed too often: locked until then (Unix milliseconds).
    Locked { until: i64 },
    /// Too many failures from this source or for this name: try again in so many seconds.
    Slow { retry_after_secs: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, Option<IpAddr>),
    Source(Option<IpAddr>),
    Name(String),
}

#[derive(Debug, Clone, Copy, Default)]
struct Record {
    failures: u32,
    /// When the first failure of the current window happened.
    since: i64,
    /// No attempt before this (Unix milliseconds).
    blocked_until: i64,
}

impl Record {
    fn expired(&self, now: i64) -> bool {
        now >= self.since + WINDOW_MILLIS && now >= self.blocked_until
    }
}

/// The node's failed-login counts (one per node, shared by the staff and the parents' login).
#[derive(Debug, Default)]
pub struct LoginThrottle {
    records: Mutex<HashMap<Key, Record>>,
}

/// Names are compared as people type them: case and surrounding spaces do not make a new name.
fn normalise(name: &str) -> String {
    name.trim().to_lowercase().chars().take(256).collect()
}

fn backoff_millis(failures: u32, free: u32) -> i64 {
    let over = failures.saturating_sub(free).min(20);
    (1000i64 << over).min(WINDOW_MILLIS)
}

impl LoginThrottle {
    /// Whether an attempt for `name` from `source` may be checked now.
    pub fn check(&self, name: &str, source: Option<IpAddr>, now: i64) -> Result<(), Refusal> {
        let name = normalise(name);
        let records = self.records.lock().expect("throttle lock");
        if let Some(r) = records.get(&Key::Pair(name.clone(), source)) {
            if r.blocked_until > now {
                return Err(Refusal::Locked {
                    until: r.blocked_until,
                });
            }
        }
        let wait = [Key::Source(source), Key::Name(name)]
            .iter()
            .filter_map(|k| records.get(k))
            .map(|r| r.blocked_until - now)
            .max()
            .unwrap_or(0);
        if wait > 0 {
            return Err(Refusal::Slow {
                retry_after_secs: (wait + 999) / 1000,
            });
        }
        Ok(())
    }

    /// Counts a failed attempt (wrong password, unknown name, unconfirmed account).
    pub fn failed(&self, name: &str, source: Option<IpAddr>, now: i64) {
        let name = normalise(name);
        let mut records = self.records.lock().expect("throttle lock");
        if records.len() > PRUNE_ABOVE {
            records.retain(|_, r| !r.expired(now));
        }
        // One more failure under `key`, in a fresh window if the last one expired; returns the
        // record for the caller's decision.
        fn count(records: &mut HashMap<Key, Record>, key: Key, now: i64) -> &mut Record {
            let r = records.entry(key).or_default();
            if r.expired(now) {
                *r = Record {
                    since: now,
                    ..Record::default()
                };
            }
            r.failures += 1;
            r
        }
        let pair = count(&mut records, Key::Pair(name.clone(), source), now);
        if pair.failures >= LOCK_AFTER_FAILURES {
            pair.blocked_until = now + WINDOW_MILLIS;
            pair.failures = 0;
            pair.since = now;
        }
        for (key, free) in [
            (Key::Source(source), FREE_FAILURES_PER_SOURCE),
            (Key::Name(name), FREE_FAILURES_PER_NAME),
        ] {
            let r = count(&mut records, key, now);
            if r.failures > free {
                r.blocked_until = now + backoff_millis(r.failures, free);
            }
        }
    }

    /// A successful login ends the pair's count (not the source's or the name's: a free portal
    /// account must not buy an attacker new guesses).
    pub fn succeeded(&self, name: &str, source: Option<IpAddr>) {
        let name = normalise(name);
        self.records
            .lock()
            .expect("throttle lock")
            .remove(&Key::Pair(name, source));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([192, 0, 2, last]))
    }

    #[test]
    fn an_attacker_elsewhere_does_not_lock_the_user_out() {
        let t = LoginThrottle::default();
        for _ in 0..LOCK_AFTER_FAILURES {
            assert!(t.check("leitung", ip(66), 0).is_ok());
            t.failed("leitung", ip(66), 0);
        }
        assert!(matches!(
            t.check("Leitung ", ip(66), 1),
            Err(Refusal::Locked { until }) if until == WINDOW_MILLIS
        ));
        assert!(
            t.check("leitung", ip(7), 1).is_ok(),
            "the user's own computer"
        );
        assert!(
            t.check("leitung", ip(66), WINDOW_MILLIS).is_ok(),
            "lock ends"
        );
    }

    #[test]
    fn unknown_names_lock_like_known_ones() {
        // The throttle never asks whether a name exists: the answers cannot tell.
        let t = LoginThrottle::default();
        for name in ["leitung", "nobody-here"] {
            for _ in 0..LOCK_AFTER_FAILURES {
                t.failed(name, ip(1), 0);
            }
            assert!(matches!(
                t.check(name, ip(1), 1),
                Err(Refusal::Locked { .. })
            ));
        }
    }

    #[test]
    fn many_names_from_one_source_back_off_doubling() {
        let t = LoginThrottle::default();
        for n in 0..FREE_FAILURES_PER_SOURCE {
            t.failed(&format!("name-{n}"), ip(9), 0);
        }
        assert!(t.check("fresh", ip(9), 0).is_ok(), "still free");
        t.failed("name-x", ip(9), 0);
        assert_eq!(
            t.check("fresh", ip(9), 0),
            Err(Refusal::Slow {
                retry_after_secs: 2
            })
        );
        t.failed("name-y", ip(9), 2_000);
        assert_eq!(
            t.check("fresh", ip(9), 2_000),
            Err(Refusal::Slow {
                retry_after_secs: 4
            })
        );
        assert!(t.check("fresh", ip(10), 2_000).is_ok(), "another source");
        for n in 0..40 {
            t.failed("name-z", ip(9), 10_000 + n);
        }
        assert!(matches!(
            t.check("fresh", ip(9), 10_040),
            Err(Refusal::Slow { retry_after_secs }) if retry_after_secs <= LOCK_MINUTES * 60
        ));
    }

    #[test]
    fn a_name_guessed_from_many_sources_backs_off() {
        let t = LoginThrottle::default();
        for n in 0..=FREE_FAILURES_PER_NAME {
            t.failed(
                "leitung",
                Some(IpAddr::from([10, 0, (n / 256) as u8, n as u8])),
                0,
            );
        }
        assert!(matches!(
            t.check("leitung", ip(200), 0),
            Err(Refusal::Slow { .. })
        ));
        assert!(
            t.check("leitung", ip(200), 3_000).is_ok(),
            "seconds, not a lock"
        );
    }

    #[test]
    fn success_clears_the_pair_only() {
        let t = LoginThrottle::default();
        for _ in 0..LOCK_AFTER_FAILURES - 1 {
            t.failed("leitung", ip(1), 0);
        }
        t.succeeded("leitung", ip(1));
        t.failed("leitung", ip(1), 0);
        assert!(
            t.check("leitung", ip(1), 0).is_ok(),
            "counting starts again"
        );
    }

    #[test]
    fn the_map_is_pruned_of_expired_entries() {
        let t = LoginThrottle::default();
        for n in 0..=PRUNE_ABOVE / 2 {
            t.failed(&format!("n{n}"), None, 0);
        }
        t.failed("late", None, 2 * WINDOW_MILLIS);
        assert!(t.records.lock().unwrap().len() < 10);
    }
}
