//! One error type for the whole app. It crosses the wire as JSON (so the browser gets the
//! typed variant back) and maps to exactly one HTTP status, here and only here.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Malformed request that the UI should never send.
    #[error("{0}")]
    BadRequest(String),
    /// A field failed validation; `field` names the form field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("Please log in to continue.")]
    Unauthorized,
    /// Same message for an unknown email and a wrong password.
    #[error("Wrong email or password.")]
    InvalidCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("{0} not found.")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many requests. Try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    /// The daily AI quota is used up until the user's local midnight.
    #[error("You have used all {limit} AI questions for today. More at your local midnight, in {}; bank questions are still available.", wait_text(*retry_after_secs))]
    QuotaExhausted { limit: u32, retry_after_secs: u64 },
    #[error("The AI service is unavailable: {0}")]
    Upstream(String),
    #[error("The AI service took too long to answer.")]
    UpstreamTimeout,
    #[error("The AI service is busy. Try again in {retry_after_secs} s.")]
    UpstreamBusy { retry_after_secs: u64 },
    #[error("The AI produced an unusable question: {0}")]
    InvalidOutput(String),
    /// The server could not answer in time (a request deadline passed).
    #[error("The server took too long to answer. Try again in {retry_after_secs} s.")]
    Unavailable { retry_after_secs: u64 },
    /// Details are logged on the server, never sent to the browser.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport-level failures reported by the server-function layer.
    #[error("Could not reach the server: {0}")]
    Network(String),
}

/// "5 h 12 min", "12 min" or "40 s".
pub fn wait_text(secs: u64) -> String {
    if secs < 60 {
        return format!("{secs} s");
    }
    let minutes = secs.div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Invalid { .. } | AppError::InvalidOutput(_) => 422,
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } | AppError::QuotaExhausted { .. } => 429,
            AppError::Upstream(_) => 502,
            AppError::UpstreamTimeout => 504,
            AppError::UpstreamBusy { .. } | AppError::Unavailable { .. } => 503,
            AppError::Internal | AppError::Network(_) => 500,
        }
    }

    /// Seconds for a `Retry-After` header, for the errors that have one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs }
            | AppError::QuotaExhausted {
                retry_after_secs, ..
            }
            | AppError::UpstreamBusy { retry_after_secs }
            | AppError::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The field a validation error belongs to, for showing it next to the input.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                AppError::BadRequest(format!("Invalid request: {msg}"))
            }
            ServerFnErrorErr::Request(msg) => AppError::Network(msg),
            other => AppError::Network(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::AppError;
    use axum::extract::Request;
    use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
    use axum::middleware::Next;
    use axum::response::{IntoResponse, Response};
    use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

    impl From<sea_orm::DbErr> for AppError {
        fn from(err: sea_orm::DbErr) -> Self {
            tracing::error!(error = %err, "database error");
            AppError::Internal
        }
    }

    impl AppError {
        pub fn http_status(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }

        fn insert_retry_after(&self, headers: &mut HeaderMap) {
            if let Some(secs) = self.retry_after_secs() {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
    }

    /// The one place a server function's error becomes an HTTP status: the server-function
    /// layer answers every error with 500 and the encoded `AppError`; this reads it back
    /// and sets the status it maps to (and `Retry-After`). Errors raised before the function
    /// body runs (undecodable arguments) get their status here too.
    pub async fn server_fn_status(request: Request, next: Next) -> Response {
        let response = next.run(request).await;
        if response.status() != StatusCode::INTERNAL_SERVER_ERROR
            || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
        {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .unwrap_or_default();
        if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
            parts.status = error.http_status();
            error.insert_retry_after(&mut parts.headers);
        }
        Response::from_parts(parts, axum::body::Body::from(bytes))
    }

    /// For plain axum handlers (REST, health): JSON body `{ "error": message }`.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let body = serde_json::json!({ "error": self.to_string() });
            let mut response = (self.http_status(), axum::Json(body)).into_response();
            self.insert_retry_after(response.headers_mut());
            response
        }
    }
}
