//! Static assets, compiled into the binary so a desktop node works offline.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

struct Asset {
    path: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $mime:literal) => {
        Asset {
            path: $path,
            mime: $mime,
            bytes: include_bytes!(concat!("../../../ui/static/", $path)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("portal.js", "text/javascript; charset=utf-8"),
    asset!(
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("vendor/leaflet/leaflet.css", "text/css; charset=utf-8"),
    asset!("vendor/leaflet/images/marker-icon.png", "image/png"),
    asset!("vendor/leaflet/images/marker-icon-2x.png", "image/png"),
    asset!("vendor/leaflet/images/marker-shadow.png", "image/png"),
    asset!("vendor/leaflet/images/layers.png", "image/png"),
    asset!("vendor/leaflet/images/layers-2x.png", "image/png"),
    asset!("vendor/kern/kern.min.css", "text/css; charset=utf-8"),
    asset!("vendor/kern/fonts/fira-sans.css", "text/css; charset=utf-8"),
    asset!(
        "vendor/kern/fonts/fira-sans/FiraSans-Regular.woff2",
        "font/woff2"
    ),
    asset!(
        "vendor/kern/fonts/fira-sans/FiraSans-Medium.woff2",
        "font/woff2"
    ),
    asset!(
        "vendor/kern/fonts/fira-sans/FiraSans-SemiBold.woff2",
        "font/woff2"
    ),
    asset!(
        "vendor/kern/fonts/fira-sans/FiraSans-Bold.woff2",
        "font/woff2"
    ),
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            a.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
