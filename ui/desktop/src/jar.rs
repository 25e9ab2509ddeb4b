//! The shell's cookie jar for the `kitanetz://` origin.
//!
//! WebKitGTK neither stores `Set-Cookie` from a custom-scheme response nor sends a `Cookie`
//! header on custom-scheme requests (seen with WebKitGTK 2.50 via wry 0.57), so the node's
//! session cookie would never come back and every click would land on the login page. The
//! handler therefore keeps the cookies itself: it reads `Set-Cookie` from every response and
//! adds `Cookie` to every request. There is exactly one origin and one user at the PC, so a
//! single name → value map is the whole cookie model we need; paths and domains are ignored
//! (the node sets its cookies for `/`). The jar lives in memory only: closing the app ends the
//! session, which is what a shared Kita PC wants.

use std::collections::BTreeMap;
use std::sync::Mutex;

use http::{header, HeaderMap, HeaderValue};

#[derive(Default)]
pub struct CookieJar {
    cookies: Mutex<BTreeMap<String, String>>,
}

impl CookieJar {
    /// Sets the request's `Cookie` header: what the webview sent (if anything) overlaid with
    /// the jar, the jar winning because it saw the node's latest `Set-Cookie`.
    pub fn add_to_request(&self, headers: &mut HeaderMap) {
        let jar = self.cookies.lock().expect("cookie jar lock");
        if jar.is_empty() {
            return;
        }
        let mut merged: BTreeMap<String, String> = BTreeMap::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for c in cookie::Cookie::split_parse(value).flatten() {
                merged.insert(c.name().to_owned(), c.value().to_owned());
            }
        }
        merged.extend(jar.iter().map(|(k, v)| (k.clone(), v.clone())));
        let line = merged
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if let Ok(value) = HeaderValue::from_str(&line) {
            headers.insert(header::COOKIE, value);
        }
    }

    /// Takes every `Set-Cookie` of a response into the jar; a cookie that is already expired
    /// (`Max-Age=0` or an `Expires` in the past, as a logout sends) is removed.
    pub fn store_from_response(&self, headers: &HeaderMap) {
        let mut jar = self.cookies.lock().expect("cookie jar lock");
        for value in headers.get_all(header::SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let Ok(c) = cookie::Cookie::parse(value) else {
                continue;
            };
            let expired = c.max_age().is_some_and(|age| age.whole_seconds() <= 0)
                || c.expires_datetime()
                    .is_some_and(|at| at <= cookie::time::OffsetDateTime::now_utc());
            if expired {
                jar.remove(c.name());
            } else {
                jar.insert(c.name().to_owned(), c.value().to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_cookie(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::SET_COOKIE, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn cookie_line(jar: &CookieJar, sent: Option<&str>) -> Option<String> {
        let mut h = HeaderMap::new();
        if let Some(s) = sent {
            h.insert(header::COOKIE, HeaderValue::from_str(s).unwrap());
        }
        jar.add_to_request(&mut h);
        h.get(header::COOKIE)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn session_cookie_comes_back_and_logout_removes_it() {
        let jar = CookieJar::default();
        assert_eq!(cookie_line(&jar, None), None);
        jar.store_from_response(&set_cookie(&[
            "kn_session=abc; Path=/; HttpOnly; SameSite=Strict",
            "kn_lang=de; Path=/; Max-Age=31536000",
        ]));
        assert_eq!(
            cookie_line(&jar, None).as_deref(),
            Some("kn_lang=de; kn_session=abc")
        );
        jar.store_from_response(&set_cookie(&["kn_session=; Path=/; Max-Age=0"]));
        assert_eq!(cookie_line(&jar, None).as_deref(), Some("kn_lang=de"));
        jar.store_from_response(&set_cookie(&[
            "kn_lang=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ]));
        assert_eq!(cookie_line(&jar, None), None);
    }

    #[test]
    fn jar_overrides_what_the_webview_sent() {
        let jar = CookieJar::default();
        jar.store_from_response(&set_cookie(&["kn_session=new; Path=/"]));
        assert_eq!(
            cookie_line(&jar, Some("kn_session=old; other=1")).as_deref(),
            Some("kn_session=new; other=1")
        );
    }
}
