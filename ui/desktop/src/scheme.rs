//! The `kitanetz://` custom URI scheme: every request the webview makes is handed to the node's
//! axum router in-process, so the desktop app never opens a TCP port that another local user or
//! program could reach.

use axum::body::Body;
use axum::Router;

use crate::jar::CookieJar;
use http::{header, HeaderValue, Request, Response, StatusCode};
use tower::ServiceExt;

/// The scheme name registered with Tauri; the router sees plain paths.
pub const SCHEME: &str = "kitanetz";

/// The start URL of the main window. WebKitGTK and WKWebView load custom schemes as
/// `scheme://localhost/`, WebView2 (Windows) and Android only as `http://scheme.localhost/`.
pub fn start_url() -> tauri::Url {
    let url = if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/")
    } else {
        format!("{SCHEME}://localhost/")
    };
    url.parse().expect("static URL parses")
}

/// What one request through the scheme produced; the smoke test and the trace log read it.
#[derive(Debug, Clone)]
pub struct Served {
    pub method: http::Method,
    pub path: String,
    pub status: StatusCode,
    pub bytes: usize,
    pub content_type: Option<String>,
    /// The node's redirect target, when the response was a redirect that the shell turned
    /// into a refresh page (see [`follow_in_webview`]).
    pub redirect: Option<String>,
}

impl Served {
    pub fn is_html(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("text/html"))
    }
}

/// Sends one webview request through the router and turns the answer back into the byte
/// response the webview expects. Never fails: router errors become a 500 page so that the
/// webview shows something instead of hanging on an unanswered request.
pub async fn serve(
    router: Router,
    jar: &CookieJar,
    request: Request<Vec<u8>>,
) -> (Response<Vec<u8>>, Served) {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let (response, redirect) = match route(router, jar, request).await {
        Ok(r) => r,
        Err(e) => (
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("Interner Fehler: {e:#}"),
            ),
            None,
        ),
    };
    let served = Served {
        method,
        path,
        status: response.status(),
        bytes: response.body().len(),
        content_type: response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        redirect,
    };
    (response, served)
}

/// The answer for the webview and, if the node redirected, where to.
type Routed = (Response<Vec<u8>>, Option<String>);

async fn route(
    router: Router,
    jar: &CookieJar,
    request: Request<Vec<u8>>,
) -> anyhow::Result<Routed> {
    let (mut parts, body) = request.into_parts();
    // The router matches on the path; scheme and authority (`kitanetz://localhost`) mean
    // nothing to it, and an absolute URI would make axum's `OriginalUri`/redirect logic see a
    // foreign origin. Host is set so handlers that build absolute links get a sane value.
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    parts.uri = path_and_query.parse()?;
    parts
        .headers
        .insert(header::HOST, HeaderValue::from_static("localhost"));
    jar.add_to_request(&mut parts.headers);
    let is_htmx = parts.headers.contains_key("hx-request");
    let request = Request::from_parts(parts, Body::from(body));

    let response = router.oneshot(request).await?;
    let (parts, body) = response.into_parts();
    jar.store_from_response(&parts.headers);
    let bytes = axum::body::to_bytes(body, usize::MAX).await?;
    Ok(follow_in_webview(
        Response::from_parts(parts, bytes.to_vec()),
        is_htmx,
    ))
}

/// WebKitGTK does not follow a redirect answered by a custom-scheme handler: the load stalls
/// without even a "started" event (seen with WebKitGTK 2.50). The node redirects after every
/// form post (post/redirect/get) and to `/login`, so the shell turns each redirect into
/// something the webview does follow, keeping all other headers (Set-Cookie above all):
/// - an htmx request gets `HX-Redirect`, which makes htmx load the target as a whole page;
/// - a document gets a tiny page with `<meta http-equiv="refresh">`, which needs no script
///   (the node's CSP forbids inline script) and leaves the webview at the target URL, so
///   relative links resolve as they would after a real redirect.
///
/// The follow-up is always a GET, as after 303; the node answers form posts with 303.
fn follow_in_webview(mut response: Response<Vec<u8>>, is_htmx: bool) -> Routed {
    if !response.status().is_redirection() {
        return (response, None);
    }
    let Some(location) = response.headers_mut().remove(header::LOCATION) else {
        return (response, None);
    };
    let target_raw = String::from_utf8_lossy(location.as_bytes()).into_owned();
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    if is_htmx {
        headers.insert("hx-redirect", location);
        *response.body_mut() = Vec::new();
        return (response, Some(target_raw));
    }
    let target = html_attr_escape(&target_raw);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    *response.body_mut() = format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0; url={target}\"><title>Weiterleitung</title></head>\
         <body><p><a href=\"{target}\">Weiter</a></p></body></html>"
    )
    .into_bytes();
    (response, Some(target_raw))
}

fn html_attr_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    let mut r = Response::new(text.as_bytes().to_vec());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::{get, post};

    /// A router shaped like the node's login: post/redirect/get with a session cookie.
    fn login_router() -> Router {
        Router::new()
            .route(
                "/",
                get(|h: HeaderMap| async move {
                    let cookie = h.get(header::COOKIE).and_then(|v| v.to_str().ok());
                    if cookie == Some("kn_session=s1") {
                        "Start".into_response()
                    } else {
                        Redirect::to("/login?next=%2F&a=1").into_response()
                    }
                }),
            )
            .route(
                "/login",
                post(|body: String| async move {
                    assert_eq!(body, "user=u&pw=p");
                    (
                        StatusCode::SEE_OTHER,
                        [
                            (header::LOCATION, "/"),
                            (header::SET_COOKIE, "kn_session=s1; Path=/; HttpOnly"),
                        ],
                    )
                }),
            )
    }

    fn webview_request(method: &str, url: &str, body: &[u8]) -> Request<Vec<u8>> {
        Request::builder()
            .method(method)
            .uri(url)
            .body(body.to_vec())
            .unwrap()
    }

    #[tokio::test]
    async fn redirect_becomes_refresh_page_and_session_cookie_is_kept() {
        let jar = CookieJar::default();
        let router = login_router();

        let (res, served) = serve(
            router.clone(),
            &jar,
            webview_request("GET", "kitanetz://localhost/", b""),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(served.redirect.as_deref(), Some("/login?next=%2F&a=1"));
        assert!(served.is_html());
        assert!(res.headers().get(header::LOCATION).is_none());
        let page = String::from_utf8(res.into_body()).unwrap();
        assert!(
            page.contains(r#"content="0; url=/login?next=%2F&amp;a=1""#),
            "{page}"
        );

        let (res, served) = serve(
            router.clone(),
            &jar,
            webview_request("POST", "kitanetz://localhost/login", b"user=u&pw=p"),
        )
        .await;
        assert_eq!(served.redirect.as_deref(), Some("/"));
        // Set-Cookie still reaches the webview, for a WebKit that would honour it.
        assert!(res.headers().get(header::SET_COOKIE).is_some());

        let (res, served) = serve(
            router,
            &jar,
            webview_request("GET", "kitanetz://localhost/", b""),
        )
        .await;
        assert_eq!(served.redirect, None);
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.into_body(), b"Start");
    }

    #[tokio::test]
    async fn htmx_redirect_uses_hx_redirect() {
        let jar = CookieJar::default();
        let mut req = webview_request("GET", "kitanetz://localhost/", b"");
        req.headers_mut()
            .insert("hx-request", HeaderValue::from_static("true"));
        let (res, _) = serve(login_router(), &jar, req).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers().get("hx-redirect").unwrap(),
            "/login?next=%2F&a=1"
        );
        assert!(res.body().is_empty());
    }

    #[tokio::test]
    async fn unknown_path_keeps_status_and_query_reaches_router() {
        let router = Router::new().route(
            "/q",
            get(|uri: axum::http::Uri| async move { uri.to_string() }),
        );
        let jar = CookieJar::default();
        let (res, _) = serve(
            router.clone(),
            &jar,
            webview_request("GET", "kitanetz://localhost/q?x=1&y=%C3%A4", b""),
        )
        .await;
        assert_eq!(res.into_body(), b"/q?x=1&y=%C3%A4");
        let (res, _) = serve(
            router,
            &jar,
            webview_request("GET", "kitanetz://localhost/nope", b""),
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}
