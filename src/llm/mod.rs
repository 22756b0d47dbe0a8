//! The LLM gateway (server only): one `Provider` abstraction and its first implementation,
//! a client for the OpenAI chat-completions wire format (OpenAI, OpenRouter, Ollama, vLLM,
//! llama.cpp …), with the wire format as typed structs. It knows nothing of questions.
pub mod client;
pub mod sse;
pub mod wire;

use crate::error::AppError;
use futures_util::stream::BoxStream;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ChatRequest {
    /// `None` uses the provider's configured model.
    pub model: Option<String>,
    pub messages: Vec<Message>,
    /// Ask for a JSON object where the upstream supports it.
    pub json: bool,
    pub temperature: f32,
    pub max_tokens: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    /// The model the reply names (behind a router it may differ from the one asked for).
    pub reply_model: Option<String>,
    pub usage: Option<Usage>,
}

/// One piece of a streamed reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEvent {
    Delta(String),
    /// The stream ended normally; the whole text and the usage, if reported.
    Done(Completion),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    #[error("upstream unavailable: {0}")]
    Unavailable(String),
    #[error("upstream timed out ({0})")]
    Timeout(&'static str),
    /// 429, or 503 with `Retry-After`: busy, try again later.
    #[error("upstream is busy; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 401 / 403 / 404: a wrong key or an unknown model. Not an outage: only fixing the
    /// configuration helps, so it is not retried.
    #[error("upstream refuses our configuration: {0}")]
    Misconfigured(String),
    #[error("upstream output unusable: {0}")]
    InvalidOutput(String),
    /// The reply outgrew `LLM_MAX_REPLY_BYTES` and was cut off.
    #[error("upstream reply larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: usize },
}

impl From<LlmError> for AppError {
    fn from(err: LlmError) -> Self {
        match err {
            LlmError::Unavailable(detail) => {
                tracing::warn!(%detail, "LLM upstream unavailable");
                AppError::Upstream("the model server could not be reached or failed.".into())
            }
            LlmError::Timeout(stage) => {
                tracing::warn!(stage, "LLM upstream timed out");
                AppError::UpstreamTimeout
            }
            LlmError::RateLimited { retry_after_secs } => {
                AppError::UpstreamBusy { retry_after_secs }
            }
            LlmError::Misconfigured(detail) => {
                tracing::error!(%detail, "LLM configuration fault: check LLM_API_KEY and LLM_MODEL");
                AppError::Upstream("it is not set up correctly on this server.".into())
            }
            LlmError::InvalidOutput(detail) => AppError::InvalidOutput(detail),
            LlmError::TooLarge { limit_bytes } => {
                tracing::warn!(limit_bytes, "LLM reply over the byte cap, aborted");
                AppError::InvalidOutput(format!(
                    "its reply was longer than the {} KiB allowed.",
                    limit_bytes / 1024
                ))
            }
        }
    }
}

/// A chat-completion service. Dropping a stream cancels the upstream request.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// The model used when a request names none.
    fn default_model(&self) -> &str;
    /// Set while the upstream refuses our configuration (bad key, unknown model), for
    /// operators: `/readyz` reports it.
    fn config_fault(&self) -> Option<String> {
        None
    }
    async fn complete(&self, request: &ChatRequest) -> Result<Completion, LlmError>;
    async fn stream(
        &self,
        request: &ChatRequest,
    ) -> Result<BoxStream<'static, Result<StreamEvent, LlmError>>, LlmError>;
}
