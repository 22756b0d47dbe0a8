//! A `Provider` for any server that speaks the OpenAI chat-completions wire format.
use super::sse::{SseData, SseDecoder};
use super::{ChatRequest, Completion, LlmError, Provider, StreamEvent, Usage};
use crate::config::LlmSettings;
use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{sleep, timeout, timeout_at, Instant};

/// Longest `Retry-After` we are willing to wait out inside one request.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

pub struct OpenAiCompatible {
    http: reqwest::Client,
    settings: LlmSettings,
    permits: Arc<Semaphore>,
    /// Cleared the first time the upstream rejects `response_format`.
    json_mode: AtomicBool,
}

impl OpenAiCompatible {
    pub fn new(settings: LlmSettings) -> Result<Self, LlmError> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| LlmError::Unavailable(format!("HTTP client: {e}")))?;
        Ok(OpenAiCompatible {
            permits: Arc::new(Semaphore::new(settings.max_concurrency)),
            http,
            settings,
            json_mode: AtomicBool::new(true),
        })
    }

    fn body(&self, request: &ChatRequest, stream: bool) -> Value {
        let mut body = json!({
            "model": request.model.as_deref().unwrap_or(&self.settings.model),
            "messages": request.messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stream": stream,
        });
        if request.json && self.json_mode.load(Ordering::Relaxed) {
            body["response_format"] = json!({ "type": "json_object" });
        }
        body
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, LlmError> {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| LlmError::Unavailable("gateway shutting down".into()))
    }

    /// Sends the request, retrying connection failures, 429 and 5xx with backoff.
    /// Resolves when the response headers arrive (the first byte).
    async fn send(
        &self,
        request: &ChatRequest,
        stream: bool,
    ) -> Result<reqwest::Response, LlmError> {
        let url = format!("{}chat/completions", self.settings.base_url);
        let mut attempt = 0u32;
        loop {
            let mut builder = self
                .http
                .post(&url)
                .header(header::CONTENT_TYPE, "application/json")
                .body(self.body(request, stream).to_string());
            if let Some(key) = &self.settings.api_key {
                builder = builder.bearer_auth(key);
            }
            let failure = match timeout(self.settings.first_byte_timeout, builder.send()).await {
                Err(_) => return Err(LlmError::Timeout("waiting for the first byte")),
                Ok(Err(e)) if e.is_timeout() => return Err(LlmError::Timeout("connecting")),
                Ok(Err(e)) => LlmError::Unavailable(format!("request failed: {e}")),
                Ok(Ok(response)) if response.status().is_success() => return Ok(response),
                Ok(Ok(response)) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let text = response.text().await.unwrap_or_default();
                    if status == StatusCode::BAD_REQUEST
                        && request.json
                        && text.contains("response_format")
                        && self.json_mode.swap(false, Ordering::Relaxed)
                    {
                        tracing::info!("upstream rejects JSON mode; using plain prompting");
                        continue;
                    }
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        LlmError::RateLimited {
                            retry_after_secs: retry_after.unwrap_or(1).max(1),
                        }
                    } else if status.is_server_error() {
                        LlmError::Unavailable(format!("upstream answered {status}"))
                    } else {
                        let snippet: String = text.chars().take(200).collect();
                        return Err(LlmError::Unavailable(format!(
                            "upstream answered {status}: {snippet}"
                        )));
                    }
                }
            };
            if attempt >= self.settings.max_retries {
                return Err(failure);
            }
            let wait = match &failure {
                LlmError::RateLimited { retry_after_secs } => {
                    let wait = Duration::from_secs(*retry_after_secs);
                    if wait > MAX_RETRY_WAIT {
                        return Err(failure);
                    }
                    wait
                }
                _ => {
                    Duration::from_millis(100 * 2u64.pow(attempt) + u64::from(rand::random::<u8>()))
                }
            };
            tracing::debug!(attempt, ?wait, error = %failure, "retrying LLM request");
            sleep(wait).await;
            attempt += 1;
        }
    }
}

fn usage(value: &Value) -> Option<Usage> {
    let u = value.get("usage")?;
    Some(Usage {
        prompt_tokens: u.get("prompt_tokens")?.as_u64()? as u32,
        completion_tokens: u.get("completion_tokens")?.as_u64()? as u32,
    })
}

#[async_trait::async_trait]
impl Provider for OpenAiCompatible {
    fn default_model(&self) -> &str {
        &self.settings.model
    }

    async fn complete(&self, request: &ChatRequest) -> Result<Completion, LlmError> {
        let deadline = Instant::now() + self.settings.total_timeout;
        let _permit = self.permit().await?;
        let response = timeout_at(deadline, self.send(request, false))
            .await
            .map_err(|_| LlmError::Timeout("total"))??;
        let bytes = timeout_at(deadline, response.bytes())
            .await
            .map_err(|_| LlmError::Timeout("total"))?
            .map_err(|e| LlmError::Unavailable(format!("reading the reply: {e}")))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| LlmError::Unavailable(format!("reply is not JSON: {e}")))?;
        let text = value["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| LlmError::InvalidOutput("the reply has no message content".into()))?
            .to_owned();
        Ok(Completion {
            text,
            model: value["model"]
                .as_str()
                .unwrap_or(&self.settings.model)
                .to_owned(),
            usage: usage(&value),
        })
    }

    async fn stream(
        &self,
        request: &ChatRequest,
    ) -> Result<BoxStream<'static, Result<StreamEvent, LlmError>>, LlmError> {
        let deadline = Instant::now() + self.settings.total_timeout;
        let permit = self.permit().await?;
        let response = timeout_at(deadline, self.send(request, true))
            .await
            .map_err(|_| LlmError::Timeout("total"))??;
        let state = StreamState {
            bytes: response.bytes_stream().boxed(),
            decoder: SseDecoder::default(),
            queue: VecDeque::new(),
            text: String::new(),
            model: self.settings.model.clone(),
            usage: None,
            finished: false,
            ended: false,
            gap: self.settings.first_byte_timeout,
            deadline,
            _permit: permit,
        };
        Ok(stream::unfold(state, StreamState::next).boxed())
    }
}

struct StreamState {
    bytes: BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    decoder: SseDecoder,
    queue: VecDeque<Result<StreamEvent, LlmError>>,
    text: String,
    model: String,
    usage: Option<Usage>,
    /// A chunk carried a `finish_reason`.
    finished: bool,
    /// Nothing more will be yielded.
    ended: bool,
    /// Longest silence allowed between chunks.
    gap: Duration,
    deadline: Instant,
    /// Held for the life of the stream: counts against the concurrency limit.
    _permit: OwnedSemaphorePermit,
}

impl StreamState {
    async fn next(mut self) -> Option<(Result<StreamEvent, LlmError>, Self)> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some((item, self));
            }
            if self.ended {
                return None;
            }
            let wait_until = (Instant::now() + self.gap).min(self.deadline);
            match timeout_at(wait_until, self.bytes.next()).await {
                Err(_) => {
                    self.ended = true;
                    let stage = if Instant::now() >= self.deadline {
                        "total"
                    } else {
                        "stalled mid-stream"
                    };
                    return Some((Err(LlmError::Timeout(stage)), self));
                }
                Ok(None) => {
                    self.ended = true;
                    if self.finished {
                        self.queue
                            .push_back(Ok(StreamEvent::Done(self.completion())));
                    } else {
                        self.queue.push_back(Err(LlmError::Unavailable(
                            "the stream ended before it was complete".into(),
                        )));
                    }
                }
                Ok(Some(Err(e))) => {
                    self.ended = true;
                    self.queue
                        .push_back(Err(LlmError::Unavailable(format!("stream broke: {e}"))));
                }
                Ok(Some(Ok(chunk))) => {
                    for data in self.decoder.feed(&chunk) {
                        self.handle(data);
                        if self.ended {
                            break;
                        }
                    }
                }
            }
        }
    }

    fn handle(&mut self, data: SseData) {
        match data {
            SseData::Done => {
                self.ended = true;
                self.queue
                    .push_back(Ok(StreamEvent::Done(self.completion())));
            }
            SseData::Data(payload) => {
                let Ok(value) = serde_json::from_str::<Value>(&payload) else {
                    self.ended = true;
                    self.queue
                        .push_back(Err(LlmError::Unavailable("malformed stream chunk".into())));
                    return;
                };
                if let Some(message) = value.get("error") {
                    self.ended = true;
                    self.queue.push_back(Err(LlmError::Unavailable(format!(
                        "upstream error: {message}"
                    ))));
                    return;
                }
                if let Some(model) = value["model"].as_str() {
                    self.model = model.to_owned();
                }
                if let Some(u) = usage(&value) {
                    self.usage = Some(u);
                }
                if !value["choices"][0]["finish_reason"].is_null() {
                    self.finished = true;
                }
                if let Some(delta) = value["choices"][0]["delta"]["content"].as_str() {
                    if !delta.is_empty() {
                        self.text.push_str(delta);
                        self.queue
                            .push_back(Ok(StreamEvent::Delta(delta.to_owned())));
                    }
                }
            }
        }
    }

    fn completion(&self) -> Completion {
        Completion {
            text: self.text.clone(),
            model: self.model.clone(),
            usage: self.usage,
        }
    }
}
