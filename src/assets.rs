//! The browser bundle under `/pkg`: files whose name carries a content hash
//! (`promptedcode.<hash>.wasm`, written by `cargo leptos` with `hash-files`) are the same
//! forever, so they are cached for a year as `immutable`; brotli and gzip copies made at
//! build time (`--precompress`) are served as such to a browser that accepts them.
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;

/// One year: the most `max-age` caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// An unhashed file (a development build) is checked with the server each time.
const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// Whether the file name has a content-hash segment: `<stem>.<hash>.<ext>`, the hash being
/// 16 or more URL-safe base64 characters.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|segment| {
            segment.len() >= 16
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// `/pkg` served from `site_root/pkg`.
pub fn routes<S: Clone + Send + Sync + 'static>(site_root: &str, pkg_dir: &str) -> Router<S> {
    let files = ServeDir::new(Path::new(site_root).join(pkg_dir))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{pkg_dir}"), files)
        .layer(middleware::from_fn(cache_by_name))
}

/// `Cache-Control` from the requested file's name; the encoding varies with the request.
async fn cache_by_name(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let cacheable =
        response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if cacheable {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if hashed { IMMUTABLE } else { REVALIDATE }),
        );
    }
    response
}

/// Whether `cargo leptos` wrote a hash file beside this executable (a hashed build).
pub fn hash_file_beside_exe(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|path| path.exists())
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/pkg/promptedcode.Xq3bX9s1vQy0Zk2mW8rT5A.wasm"));
        assert!(is_hashed("promptedcode.Xq3bX9s1vQy0Zk2mW8rT5A.css"));
        // Lazy-route chunks and the split loader (`cargo leptos --split`).
        assert!(is_hashed("/pkg/chunk_10.mfSgJxfnPnS7HCV908io-w.wasm"));
        assert!(is_hashed(
            "/pkg/split___history_route_view_1394532870864151083.-WrsLiiz7KnF9VOmQS9jCQ.wasm"
        ));
        assert!(is_hashed("/pkg/__wasm_split.zzdR8eHqLF_0BOn0UbNquQ.js"));
        assert!(!is_hashed("/pkg/promptedcode.wasm"));
        assert!(!is_hashed("/pkg/promptedcode_bg.wasm"));
        assert!(!is_hashed("/pkg/jquery.min.js"));
    }
}
