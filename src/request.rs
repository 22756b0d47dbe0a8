//! What a server function takes from its request, before its first `.await`.
//!
//! A server function runs inside its request's reactive owner. When the client goes away
//! mid-request that owner is disposed, so a context lookup after an `.await` finds nothing
//! (and `expect_context` panics). Every server function therefore takes one
//! `RequestContext` as its first statement and passes it down.
use crate::error::AppError;
use crate::state::AppState;
use axum::http::{header, request::Parts, HeaderMap, HeaderName, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use sea_orm::DatabaseConnection;

#[derive(Clone)]
pub struct RequestContext {
    pub state: AppState,
    pub headers: HeaderMap,
    /// What the layers put on the request (the per-request session lookup …).
    pub extensions: axum::http::Extensions,
    response: ResponseOptions,
}

impl RequestContext {
    /// Reads the request's contexts; call it before any `.await`.
    pub fn take() -> Result<Self, AppError> {
        fn missing(what: &str) -> AppError {
            tracing::error!("{what} missing from the server-function context");
            AppError::Internal
        }
        let state = use_context::<AppState>().ok_or_else(|| missing("AppState"))?;
        let parts = use_context::<Parts>().ok_or_else(|| missing("request parts"))?;
        let response =
            use_context::<ResponseOptions>().ok_or_else(|| missing("response options"))?;
        Ok(Self {
            state,
            headers: parts.headers,
            extensions: parts.extensions,
            response,
        })
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    pub fn append_response_header(&self, name: HeaderName, value: HeaderValue) {
        self.response.append_header(name, value);
    }


    /// After a plain form post, sends the browser on to `path` (a local path) instead of
    /// back to the form. The page's own code navigates when JavaScript is on.
    pub fn redirect_plain_form(&self, path: &str) {
        if !wants_page(&self.headers) {
            return;
        }
        if let Ok(location) = HeaderValue::from_str(path) {
            self.response.insert_header(header::LOCATION, location);
            self.response.set_status(StatusCode::FOUND);
        }
    }
}

/// A plain HTML form post (JavaScript off) asks for a page, not data.
pub fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
