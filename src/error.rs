//! One error type for the whole app, with one wire shape for server functions, the
//! generation stream and plain HTTP handlers alike:
//! `{"code": "invalid", "message": "…", "field"?: "email", "retry_after_secs"?: 5, …}`.
//! The browser decodes the same type back. Each error maps to exactly one HTTP status,
//! here and only here.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "ErrorBody", try_from = "ErrorBody")]
pub enum AppError {
    /// Malformed request that the UI should never send.
    #[error("{0}")]
    BadRequest(String),
    /// Input that cannot be read at all (not UTF-8, a NUL character), naming its field.
    #[error("{}", .0.message)]
    Malformed(FieldProblem),
    #[error("The request is too large (at most {} KiB).", limit_bytes / 1024)]
    PayloadTooLarge { limit_bytes: u32 },
    /// Form fields failed validation: each problem names its field (never empty).
    #[error("{}", problems_text(.0))]
    Invalid(Vec<FieldProblem>),
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
    /// A rate limit of this route's class (per address or per user).
    #[error("Too many requests. Please wait {} and try again.", wait_text(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    /// This account failed to sign in too often; it waits, even with the right password.
    #[error("Too many failed sign-ins to this account. Try again in {}.", wait_text(*retry_after_secs))]
    SignInBackoff { retry_after_secs: u64 },
    /// Generations started today (charged or not) reached the daily cap.
    #[error("You have started {limit} AI generations today, counting failed and cancelled ones. More at your local midnight, in {}; bank questions are still available.", wait_text(*retry_after_secs))]
    AttemptsExhausted { limit: u32, retry_after_secs: u64 },
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

/// What is wrong with one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

fn problems_text(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// Checks that ran side by side (each field of a form): `Ok` only when all passed,
    /// else one error naming every field that failed, so a form shows them all at once.
    pub fn all_valid<const N: usize>(results: [Result<(), AppError>; N]) -> Result<(), AppError> {
        let mut problems = Vec::new();
        for result in results {
            match result {
                Ok(()) => {}
                Err(AppError::Invalid(more)) => problems.extend(more),
                Err(other) => return Err(other),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(problems))
        }
    }

    /// The message about `field`, if this error has one.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Invalid(problems) => problems
                .iter()
                .find(|p| p.field == field)
                .map(|p| p.message.as_str()),
            _ => None,
        }
    }

    /// The HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) | AppError::Malformed(_) => 400,
            AppError::PayloadTooLarge { .. } => 413,
            AppError::TooManyRequests { .. }
            | AppError::SignInBackoff { .. }
            | AppError::AttemptsExhausted { .. } => 429,
            AppError::Invalid(_) | AppError::InvalidOutput(_) => 422,
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::QuotaExhausted { .. } => 429,
            AppError::Upstream(_) => 502,
            AppError::UpstreamTimeout => 504,
            AppError::UpstreamBusy { .. } | AppError::Unavailable { .. } => 503,
            AppError::Internal | AppError::Network(_) => 500,
        }
    }

    /// Seconds for a `Retry-After` header, for the errors that have one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::QuotaExhausted {
                retry_after_secs, ..
            }
            | AppError::AttemptsExhausted {
                retry_after_secs, ..
            }
            | AppError::TooManyRequests { retry_after_secs }
            | AppError::SignInBackoff { retry_after_secs }
            | AppError::UpstreamBusy { retry_after_secs }
            | AppError::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The (first) field a validation error belongs to.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(problems) => problems.first().map(|p| p.field.as_str()),
            AppError::Malformed(problem) => Some(problem.field.as_str()),
            _ => None,
        }
    }
}

/// The machine-readable half of an error on the wire, in snake case. Written out rather
/// than derived: serde's derived reader compares every name three ways (string, bytes,
/// index), about 3 KB of wasm for twenty words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Malformed,
    PayloadTooLarge,
    TooManyRequests,
    SignInBackoff,
    AttemptsExhausted,
    Invalid,
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    NotFound,
    Conflict,
    QuotaExhausted,
    Upstream,
    UpstreamTimeout,
    UpstreamBusy,
    InvalidOutput,
    Unavailable,
    Internal,
    Network,
}

impl ErrorCode {
    const ALL: [ErrorCode; 20] = [
        ErrorCode::BadRequest,
        ErrorCode::Malformed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::TooManyRequests,
        ErrorCode::SignInBackoff,
        ErrorCode::AttemptsExhausted,
        ErrorCode::Invalid,
        ErrorCode::Unauthorized,
        ErrorCode::InvalidCredentials,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::QuotaExhausted,
        ErrorCode::Upstream,
        ErrorCode::UpstreamTimeout,
        ErrorCode::UpstreamBusy,
        ErrorCode::InvalidOutput,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Malformed => "malformed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::SignInBackoff => "sign_in_backoff",
            ErrorCode::AttemptsExhausted => "attempts_exhausted",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::QuotaExhausted => "quota_exhausted",
            ErrorCode::Upstream => "upstream",
            ErrorCode::UpstreamTimeout => "upstream_timeout",
            ErrorCode::UpstreamBusy => "upstream_busy",
            ErrorCode::InvalidOutput => "invalid_output",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Network => "network",
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{name}`")))
    }
}

/// `AppError` as it crosses the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// For people: what happened and what to do.
    pub message: String,
    /// The form field a validation error belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// Every field's problem, for `invalid` (`field` is the first of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// The daily AI quota (`quota_exhausted`), attempts (`attempts_exhausted`) or body
    /// bytes (`payload_too_large`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The variable part of the message, so the browser rebuilds the same error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<AppError> for ErrorBody {
    fn from(error: AppError) -> ErrorBody {
        let message = error.to_string();
        let mut body = ErrorBody {
            code: ErrorCode::Internal,
            message,
            field: error.field().map(str::to_owned),
            fields: Vec::new(),
            retry_after_secs: error.retry_after_secs(),
            limit: None,
            detail: None,
        };
        body.code = match error {
            AppError::BadRequest(detail) => {
                body.detail = Some(detail);
                ErrorCode::BadRequest
            }
            AppError::Malformed(problem) => {
                body.detail = Some(problem.message);
                ErrorCode::Malformed
            }
            AppError::PayloadTooLarge { limit_bytes } => {
                body.limit = Some(limit_bytes);
                ErrorCode::PayloadTooLarge
            }
            AppError::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            AppError::SignInBackoff { .. } => ErrorCode::SignInBackoff,
            AppError::AttemptsExhausted { limit, .. } => {
                body.limit = Some(limit);
                ErrorCode::AttemptsExhausted
            }
            AppError::Invalid(problems) => {
                body.fields = problems;
                ErrorCode::Invalid
            }
            AppError::Unauthorized => ErrorCode::Unauthorized,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::NotFound(what) => {
                body.detail = Some(what);
                ErrorCode::NotFound
            }
            AppError::Conflict(detail) => {
                body.detail = Some(detail);
                ErrorCode::Conflict
            }
            AppError::QuotaExhausted { limit, .. } => {
                body.limit = Some(limit);
                ErrorCode::QuotaExhausted
            }
            AppError::Upstream(detail) => {
                body.detail = Some(detail);
                ErrorCode::Upstream
            }
            AppError::UpstreamTimeout => ErrorCode::UpstreamTimeout,
            AppError::UpstreamBusy { .. } => ErrorCode::UpstreamBusy,
            AppError::InvalidOutput(detail) => {
                body.detail = Some(detail);
                ErrorCode::InvalidOutput
            }
            AppError::Unavailable { .. } => ErrorCode::Unavailable,
            AppError::Internal => ErrorCode::Internal,
            AppError::Network(detail) => {
                body.detail = Some(detail);
                ErrorCode::Network
            }
        };
        body
    }
}

impl TryFrom<ErrorBody> for AppError {
    type Error = String;
    fn try_from(body: ErrorBody) -> Result<AppError, String> {
        let missing = |what: &str| format!("a {:?} error needs its {what}", body.code);
        let detail = || body.detail.clone().ok_or_else(|| missing("detail"));
        let retry = || {
            body.retry_after_secs
                .ok_or_else(|| missing("retry_after_secs"))
        };
        Ok(match body.code {
            ErrorCode::BadRequest => AppError::BadRequest(detail()?),
            ErrorCode::Malformed => AppError::Malformed(FieldProblem {
                field: body.field.clone().ok_or_else(|| missing("field"))?,
                message: detail()?,
            }),
            ErrorCode::PayloadTooLarge => AppError::PayloadTooLarge {
                limit_bytes: body.limit.ok_or_else(|| missing("limit"))?,
            },
            ErrorCode::TooManyRequests => AppError::TooManyRequests {
                retry_after_secs: retry()?,
            },
            ErrorCode::SignInBackoff => AppError::SignInBackoff {
                retry_after_secs: retry()?,
            },
            ErrorCode::AttemptsExhausted => AppError::AttemptsExhausted {
                limit: body.limit.ok_or_else(|| missing("limit"))?,
                retry_after_secs: retry()?,
            },
            ErrorCode::Invalid if body.fields.is_empty() => {
                return Err(missing("fields"));
            }
            ErrorCode::Invalid => AppError::Invalid(body.fields.clone()),
            ErrorCode::Unauthorized => AppError::Unauthorized,
            ErrorCode::InvalidCredentials => AppError::InvalidCredentials,
            ErrorCode::Forbidden => AppError::Forbidden,
            ErrorCode::NotFound => AppError::NotFound(detail()?),
            ErrorCode::Conflict => AppError::Conflict(detail()?),
            ErrorCode::QuotaExhausted => AppError::QuotaExhausted {
                limit: body.limit.ok_or_else(|| missing("limit"))?,
                retry_after_secs: retry()?,
            },
            ErrorCode::Upstream => AppError::Upstream(detail()?),
            ErrorCode::UpstreamTimeout => AppError::UpstreamTimeout,
            ErrorCode::UpstreamBusy => AppError::UpstreamBusy {
                retry_after_secs: retry()?,
            },
            ErrorCode::InvalidOutput => AppError::InvalidOutput(detail()?),
            ErrorCode::Unavailable => AppError::Unavailable {
                retry_after_secs: retry()?,
            },
            ErrorCode::Internal => AppError::Internal,
            ErrorCode::Network => AppError::Network(detail()?),
        })
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
    /// and sets the status it maps to (and `Retry-After`). It stays a middleware because
    /// errors raised before a function's body runs (undecodable arguments) never pass
    /// through our code otherwise. Only error bodies (small) are buffered.
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

    /// The error as a small HTML page (`html`), for a browser that asked for a page: the
    /// error's status and `Retry-After`.
    pub fn page_response(error: &AppError, html: String) -> Response {
        let mut response = (
            error.http_status(),
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response();
        error.insert_retry_after(response.headers_mut());
        response
    }

    /// `path` made safe inside a double-quoted HTML attribute (a link back).
    pub fn html_attribute(path: &str) -> String {
        path.chars()
            .filter(|c| c.is_ascii_graphic())
            .map(|c| match c {
                '"' => "%22".to_owned(),
                '<' => "%3C".to_owned(),
                '>' => "%3E".to_owned(),
                '&' => "&amp;".to_owned(),
                '\'' => "%27".to_owned(),
                c => c.to_string(),
            })
            .collect()
    }

    /// For plain axum handlers: the same JSON body as a server function's error.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let mut response = (self.http_status(), axum::Json(self.clone())).into_response();
            self.insert_retry_after(response.headers_mut());
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_their_snake_case_names_on_the_wire() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
        assert_eq!(ErrorCode::QuotaExhausted.as_str(), "quota_exhausted");
        assert_eq!(ErrorCode::SignInBackoff.as_str(), "sign_in_backoff");
        assert!(serde_json::from_str::<ErrorCode>("\"QuotaExhausted\"").is_err());
        assert!(serde_json::from_str::<ErrorCode>("3").is_err());
    }

    #[test]
    fn every_error_survives_the_wire() {
        let errors = [
            AppError::BadRequest("Invalid request: x".into()),
            AppError::Malformed(FieldProblem {
                field: "email".into(),
                message: "This field contains a NUL character.".into(),
            }),
            AppError::PayloadTooLarge { limit_bytes: 65536 },
            AppError::TooManyRequests {
                retry_after_secs: 40,
            },
            AppError::SignInBackoff {
                retry_after_secs: 30,
            },
            AppError::AttemptsExhausted {
                limit: 150,
                retry_after_secs: 3600,
            },
            AppError::invalid("email", "Enter your email address."),
            AppError::all_valid([
                Err(AppError::invalid("email", "Enter your email address.")),
                Err(AppError::invalid("password", "Choose a password.")),
            ])
            .unwrap_err(),
            AppError::Unauthorized,
            AppError::InvalidCredentials,
            AppError::Forbidden,
            AppError::NotFound("Challenge".into()),
            AppError::Conflict("Already answered.".into()),
            AppError::QuotaExhausted {
                limit: 5,
                retry_after_secs: 3600,
            },
            AppError::Upstream("down".into()),
            AppError::UpstreamTimeout,
            AppError::UpstreamBusy {
                retry_after_secs: 2,
            },
            AppError::InvalidOutput("bad".into()),
            AppError::Unavailable {
                retry_after_secs: 5,
            },
            AppError::Internal,
            AppError::Network("offline".into()),
        ];
        for error in errors {
            let wire = serde_json::to_value(&error).unwrap();
            assert_eq!(wire["message"], error.to_string(), "{wire}");
            let back: AppError = serde_json::from_value(wire.clone()).unwrap();
            assert_eq!(back, error, "{wire}");
        }
        let body = serde_json::to_value(AppError::invalid("email", "Bad.")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": "invalid", "message": "Bad.", "field": "email",
                "fields": [{"field": "email", "message": "Bad."}]})
        );
        assert!(serde_json::from_str::<AppError>(r#"{"code":"invalid","message":"x"}"#).is_err());
    }

    #[test]
    fn side_by_side_checks_report_every_field() {
        let both = AppError::all_valid([
            Err(AppError::invalid("email", "Enter your email address.")),
            Ok(()),
            Err(AppError::invalid("password", "Choose a password.")),
        ])
        .unwrap_err();
        assert_eq!(both.field(), Some("email"));
        assert_eq!(both.message_for("password"), Some("Choose a password."));
        assert_eq!(both.status(), 422);
        assert!(AppError::all_valid([Ok(()), Ok(())]).is_ok());
        let other =
            AppError::all_valid([Err(AppError::invalid("a", "b")), Err(AppError::Internal)]);
        assert_eq!(other.unwrap_err(), AppError::Internal);
    }
}
