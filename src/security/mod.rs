//! Security at the edge, shared by every route: the route inventory (`routes`), the
//! rate-limit layer (`rate_limit`), body checks (`input`), cross-site request forgery
//! protection and the security headers with a Content-Security-Policy.
//!
//! A state-changing request is accepted only when the browser says it is same-origin:
//! `Sec-Fetch-Site: same-origin`/`none`, or (for browsers without Fetch Metadata) an
//! `Origin` equal to the app's public origin. Requests carrying neither header are not
//! from a browser page, so they cannot ride on a victim's cookies.
pub mod input;
pub mod rate_limit;
pub mod routes;

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::prelude::{provide_context, use_context};

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

/// The per-response nonce that lets the page's own inline scripts (the theme boot script,
/// hydration, resolved data) run under the CSP; nothing else inline runs.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn fresh() -> Self {
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        CspNonce(crate::questions::dedup::hex(&bytes))
    }
}

/// Hands the request's nonce to the renderer (Leptos puts it on every script it writes).
/// Called as the routes' additional context, after Leptos provided the request parts.
pub fn provide_csp_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

/// The policy: our own scripts (plus wasm) and those carrying this response's nonce; no
/// remote images, so model-written markdown cannot call out; no framing.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Whether the response is a file from the site root (the same for everyone).
fn is_static_file(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || matches!(path, "/manifest.webmanifest" | "/favicon.ico" | "/sw.js")
}

pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::fresh();
    let path = request.uri().path().to_owned();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce.0)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    // Pages, server functions and streams depend on the session: never kept by a cache.
    if !is_static_file(&path) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
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
