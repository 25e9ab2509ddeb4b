//! Request limits for a node that faces clients directly (`kitanetz serve`, the demo): a request
//! rate per client address (governor's GCRA: a burst, then a steady rate) and a bound on the
//! requests in flight at once. Not on the in-process router (tests, the desktop app), which has
//! no client addresses.
//!
//! Loopback clients are not limited: that is the machine itself, or a reverse proxy in front of
//! the node, behind which every client has the proxy's address (limit at the proxy then).

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests one address may send at once (a page with its assets is about ten).
pub const BURST: u32 = 200;
/// Requests per second one address may send in the long run.
pub const PER_SECOND: u32 = 50;
/// Requests handled at the same time; more wait (the store takes one write at a time anyway).
pub const IN_FLIGHT: usize = 256;

/// The rate per client address.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl RateLimit {
    pub fn new(burst: u32, per_second: u32) -> RateLimit {
        let quota = Quota::per_second(NonZeroU32::new(per_second.max(1)).expect("at least 1"))
            .allow_burst(NonZeroU32::new(burst.max(1)).expect("at least 1"));
        let limiter = Arc::new(DefaultKeyedRateLimiter::keyed(quota));
        // Forget addresses that have been quiet (a flood of addresses must not grow the map).
        let weak = Arc::downgrade(&limiter);
        std::thread::spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
            let Some(limiter) = weak.upgrade() else {
                return;
            };
            limiter.retain_recent();
        });
        RateLimit { limiter }
    }

    /// `None` when `source` may send a request now, else the seconds to wait.
    pub fn check(&self, source: IpAddr) -> Option<u64> {
        if source.is_loopback() {
            return None;
        }
        self.limiter.check_key(&source).err().map(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + 1
        })
    }
}

async fn limit_rate(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    let source = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(wait) = source.and_then(|ip| limit.check(ip)) {
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            "Zu viele Anfragen; bitte kurz warten / too many requests, please wait a moment",
        )
            .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return res;
    }
    next.run(request).await
}

/// `router` with the limits of a node that faces clients directly.
pub fn with_limits(router: axum::Router, limit: RateLimit) -> axum::Router {
    router
        .layer(axum::middleware::from_fn_with_state(limit, limit_rate))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(IN_FLIGHT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate_and_loopback_is_free() {
        let limit = RateLimit::new(3, 1);
        let client = IpAddr::from([203, 0, 113, 5]);
        for _ in 0..3 {
            assert_eq!(limit.check(client), None);
        }
        let wait = limit.check(client).expect("the burst is spent");
        assert!((1..=2).contains(&wait), "{wait}");
        assert_eq!(
            limit.check(IpAddr::from([203, 0, 113, 6])),
            None,
            "another client"
        );
        for _ in 0..100 {
            assert_eq!(limit.check(IpAddr::from([127, 0, 0, 1])), None);
        }
    }
}
