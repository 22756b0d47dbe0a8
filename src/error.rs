//! One error type for the whole app. It crosses the wire as JSON (so the browser gets the
//! typed variant back) and maps to exactly one HTTP status, here and only here.
use serde::{Deserialize, Serialize};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

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
    #[error("The AI service is unavailable: {0}")]
    Upstream(String),
    #[error("The AI service took too long to answer.")]
    UpstreamTimeout,
    /// Details are logged on the server, never sent to the browser.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport-level failures reported by the server-function layer.
    #[error("Could not reach the server: {0}")]
    Network(String),
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
            AppError::Invalid { .. } => 422,
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Upstream(_) => 502,
            AppError::UpstreamTimeout => 504,
            AppError::Internal | AppError::Network(_) => 500,
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
mod server {
    use super::AppError;
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};

    impl From<sea_orm::DbErr> for AppError {
        fn from(err: sea_orm::DbErr) -> Self {
            tracing::error!(error = %err, "database error");
            AppError::Internal
        }
    }

    impl AppError {
        /// Sets the status (and Retry-After) on the current server-function response.
        /// Every server function passes its result through here.
        pub fn apply_to_response(&self) {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(self.http_status());
                if let AppError::RateLimited { retry_after_secs } = self {
                    options.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                }
            }
        }

        pub fn http_status(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    /// For plain axum handlers (REST, health): JSON body `{ "error": message }`.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let body = serde_json::json!({ "error": self.to_string() });
            let mut response = (self.http_status(), axum::Json(body)).into_response();
            if let AppError::RateLimited { retry_after_secs } = self {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            response
        }
    }
}

/// Marks a server function's result: on error, the HTTP status is set from the error.
#[cfg(feature = "ssr")]
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        err.apply_to_response();
    }
    result
}
