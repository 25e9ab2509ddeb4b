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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn hsts_of(router: axum::Router) -> Option<HeaderValue> {
        let request = http::Request::new(axum::body::Body::empty());
        let response = with_hsts(router, Duration::from_secs(600))
            .oneshot(request)
            .await
            .unwrap();
        response.headers().get(STRICT_TRANSPORT_SECURITY).cloned()
    }

    #[tokio::test]
    async fn added_unless_the_handler_set_its_own() {
        let plain = axum::Router::new().route("/", get(|| async { "ok" }));
        assert_eq!(hsts_of(plain).await.unwrap(), "max-age=600");
        let own = axum::Router::new().route(
            "/",
            get(|| async { ([(STRICT_TRANSPORT_SECURITY, "max-age=0")], "ok") }),
        );
        assert_eq!(hsts_of(own).await.unwrap(), "max-age=0");
        // Not-found answers of the router get it too: the browser learns it from any answer.
        assert_eq!(hsts_of(axum::Router::new()).await.unwrap(), "max-age=600");
    }

    #[test]
    fn one_year_by_default() {
        assert_eq!(hsts_value(DEFAULT_HSTS_MAX_AGE), "max-age=31536000");
    }
}
