//! Cross-site request forgery protection and security headers.
//!
//! A state-changing request is accepted only when the browser says it is same-origin:
//! `Sec-Fetch-Site: same-origin`/`none`, or (for browsers without Fetch Metadata) an
//! `Origin` equal to the app's public origin. Requests carrying neither header are not
//! from a browser page, so they cannot ride on a victim's cookies.
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub fn is_cross_site(method: &Method, headers: &HeaderMap, public_origin: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin != public_origin,
        None => false,
    }
}

pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_cross_site(
        request.method(),
        request.headers(),
        &state.config.public_origin(),
    ) {
        tracing::warn!(method = %request.method(), uri = %request.uri(), "blocked cross-site request");
        return crate::error::AppError::Forbidden.into_response();
    }
    next.run(request).await
}

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    const ORIGIN: &str = "http://127.0.0.1:3000";

    #[test]
    fn reads_are_never_blocked() {
        assert!(!is_cross_site(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")]),
            ORIGIN
        ));
    }

    #[test]
    fn cross_site_posts_are_blocked() {
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[("sec-fetch-site", "cross-site")]),
            ORIGIN
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[("sec-fetch-site", "same-site")]),
            ORIGIN
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[("origin", "https://evil.example")]),
            ORIGIN
        ));
    }

    #[test]
    fn same_origin_and_non_browser_posts_pass() {
        assert!(!is_cross_site(
            &Method::POST,
            &headers(&[("sec-fetch-site", "same-origin")]),
            ORIGIN
        ));
        assert!(!is_cross_site(
            &Method::POST,
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            ORIGIN
        ));
        assert!(!is_cross_site(&Method::POST, &headers(&[]), ORIGIN));
    }
}
