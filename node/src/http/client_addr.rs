//! The client's address behind a trusted reverse proxy. A node that clients reach directly knows
//! their address from the connection; behind a proxy every connection comes from the proxy, so
//! the throttles of failed logins, the request limits and the audit would see one client. With
//! `[tls] trusted_proxies` the node believes `X-Forwarded-For` — from those addresses only, since
//! anybody can send the header — and takes the rightmost address in it that is not itself a
//! trusted proxy (the one the outermost trusted proxy saw; the entries left of it are the
//! client's claims and can be forged).

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client's address for a request that came from `peer` with these `X-Forwarded-For`
/// header values (in the order received).
pub fn client_addr(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            // An entry that is no address (a forged or broken header): nothing left of it can
            // be believed, so the request counts as the proxy's.
            Err(_) => return peer,
        }
    }
    peer
}

/// Replaces the connection's address with the client's for everything after it (throttles,
/// limits, audit), when the connection comes from a trusted proxy.
async fn resolve(trusted: Arc<Vec<IpAddr>>, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let values: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = client_addr(peer.ip(), &values, &trusted);
        if client != peer.ip() {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
    }
    next.run(request).await
}

/// `router` resolving the client's address behind `trusted` proxies; unchanged without any.
/// Add it last, so that it runs before the request limits.
pub fn behind_proxies(router: axum::Router, trusted: Vec<IpAddr>) -> axum::Router {
    if trusted.is_empty() {
        return router;
    }
    let trusted = Arc::new(trusted);
    router.layer(axum::middleware::from_fn(move |request, next| {
        resolve(trusted.clone(), request, next)
    }))
}

#[cfg(test)]
mod tests {
    use super::client_addr;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy_and_from_the_right() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Direct clients: the header is theirs to forge, so it is ignored.
        assert_eq!(
            client_addr(ip("203.0.113.9"), &["198.51.100.1"], &trusted),
            ip("203.0.113.9")
        );
        // Through the proxy: the address it saw (the rightmost), not what the client claimed.
        assert_eq!(
            client_addr(proxy, &["198.51.100.1, 203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // Two trusted proxies in a row, the header split over two lines.
        assert_eq!(
            client_addr(proxy, &["203.0.113.9", "10.0.0.3"], &trusted),
            ip("203.0.113.9")
        );
        // No header, or a broken one: the proxy's own address.
        assert_eq!(client_addr(proxy, &[], &trusted), proxy);
        assert_eq!(
            client_addr(proxy, &["203.0.113.9, not-an-address"], &trusted),
            proxy
        );
        assert_eq!(
            client_addr(proxy, &["2001:db8::7"], &trusted),
            ip("2001:db8::7")
        );
    }
}
