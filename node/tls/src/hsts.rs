//! `Strict-Transport-Security`: once a browser has seen the node over https, it refuses plain
//! http to it for `max-age` seconds, so a network attacker cannot strip TLS from a later visit.

use http::header::{HeaderValue, STRICT_TRANSPORT_SECURITY};
use std::time::Duration;

/// One year, what browsers' preload lists ask for and Mozilla's guidelines recommend.
pub const DEFAULT_HSTS_MAX_AGE: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The header's value: `max-age=<seconds>`. Without `includeSubDomains`: other hosts under the
/// city's domain may still serve plain http, and this node cannot speak for them. `max_age`
/// zero makes browsers forget the rule (to go back to plain http).
pub fn hsts_value(max_age: Duration) -> HeaderValue {
    HeaderValue::from_str(&format!("max-age={}", max_age.as_secs()))
        .expect("digits are a valid header value")
}

/// Adds `Strict-Transport-Security` to every response that does not set it itself. Add it only
/// where browsers reach the node over https (its own TLS, or a TLS reverse proxy): browsers
/// ignore the header over plain http (RFC 6797 §8.1), so it would only mislead there.
pub fn with_hsts(router: axum::Router, max_age: Duration) -> axum::Router {
    let value = hsts_value(max_age);
    router.layer(tower::util::MapResponseLayer::new(
        move |mut response: axum::response::Response| {
            response
                .headers_mut()
                .entry(STRICT_TRANSPORT_SECURITY)
                .or_insert_with(|| value.clone());
            response
        },
    ))
}
