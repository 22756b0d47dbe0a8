//! A `Provider` for any server that speaks the OpenAI chat-completions wire format.
use super::sse::{SseData, SseDecoder};
use super::wire::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ErrorReply, ResponseFormat,
    StreamOptions,
};
use super::{ChatRequest, Completion, LlmError, Provider, StreamEvent, Usage};
use crate::config::LlmSettings;
use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::{header, StatusCode};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{sleep, timeout, timeout_at, Instant};

/// Longest `Retry-After` we are willing to wait out inside one request.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

pub struct OpenAiCompatible {
    http: reqwest::Client,
    settings: LlmSettings,
    permits: Arc<Semaphore>,
    /// Cleared for the process once the upstream refuses `response_format` itself.
    json_mode: AtomicBool,
    /// The last configuration fault the upstream reported; cleared by a success.
    config_fault: Mutex<Option<String>>,
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
            config_fault: Mutex::new(None),
        })
    }

    fn model<'a>(&'a self, request: &'a ChatRequest) -> &'a str {
        request.model.as_deref().unwrap_or(&self.settings.model)
    }

    fn body(&self, request: &ChatRequest, stream: bool, json_mode: bool) -> String {
        let body = ChatCompletionRequest {
            model: self.model(request),
            messages: &request.messages,
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            stream,
            stream_options: stream.then_some(StreamOptions {
                include_usage: true,
            }),
            response_format: json_mode.then_some(ResponseFormat::JSON_OBJECT),
        };
        serde_json::to_string(&body).expect("requests serialise")
    }

    /// One of the gateway's slots; waiting is bounded, then the caller hears "busy".
    async fn permit(&self) -> Result<OwnedSemaphorePermit, LlmError> {
        match timeout(self.settings.slot_wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(LlmError::Unavailable("gateway shutting down".into())),
            Err(_) => {
                tracing::warn!(
                    wait_secs = self.settings.slot_wait.as_secs(),
                    "every LLM slot is taken"
                );
                Err(LlmError::RateLimited {
                    retry_after_secs: self.settings.slot_wait.as_secs().max(1),
                })
            }
        }
    }

    /// The reply body, read only up to the byte cap.
    async fn read_capped(&self, response: reqwest::Response) -> Result<Vec<u8>, LlmError> {
        let cap = self.settings.max_reply_bytes;
        let mut body = Vec::new();
        let mut chunks = response.bytes_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk =
                chunk.map_err(|e| LlmError::Unavailable(format!("reading the reply: {e}")))?;
            if body.len() + chunk.len() > cap {
                return Err(LlmError::TooLarge { limit_bytes: cap });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn note_fault(&self, fault: Option<String>) {
        *self.config_fault.lock().unwrap_or_else(|e| e.into_inner()) = fault;
    }

    /// Sends the request, retrying connection failures, 429, 5xx and (with `Retry-After`)
    /// 503 with backoff. Resolves when the response headers arrive (the first byte).
    async fn send(
        &self,
        request: &ChatRequest,
        stream: bool,
    ) -> Result<reqwest::Response, LlmError> {
        let url = format!("{}chat/completions", self.settings.base_url);
        let mut json_mode = request.json && self.json_mode.load(Ordering::Relaxed);
        let mut attempt = 0u32;
        loop {
            let mut builder = self
                .http
                .post(&url)
                .header(header::CONTENT_TYPE, "application/json")
                .body(self.body(request, stream, json_mode));
            if let Some(key) = &self.settings.api_key {
                builder = builder.bearer_auth(key);
            }
            let failure = match timeout(self.settings.first_byte_timeout, builder.send()).await {
                Err(_) => return Err(LlmError::Timeout("waiting for the first byte")),
                Ok(Err(e)) if e.is_timeout() => return Err(LlmError::Timeout("connecting")),
                Ok(Err(e)) => LlmError::Unavailable(format!("request failed: {e}")),
                Ok(Ok(response)) if response.status().is_success() => {
                    self.note_fault(None);
                    return Ok(response);
                }
                Ok(Ok(response)) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let reply = ErrorReply::parse(&response.text().await.unwrap_or_default());
                    let detail = format!("upstream answered {status}: {}", reply.error.message);
                    match status {
                        StatusCode::BAD_REQUEST if json_mode && reply.refuses_json_mode() => {
                            // This request goes again in plain prompting, and so will every
                            // later one.
                            if self.json_mode.swap(false, Ordering::Relaxed) {
                                tracing::info!("upstream refuses JSON mode; using plain prompting");
                            }
                            json_mode = false;
                            continue;
                        }
                        StatusCode::UNAUTHORIZED
                        | StatusCode::FORBIDDEN
                        | StatusCode::NOT_FOUND => {
                            let fault = format!(
                                "{detail} (model {:?}; check LLM_API_KEY, LLM_MODEL and LLM_BASE_URL)",
                                self.model(request)
                            );
                            // `/readyz` is public: it gets the status, not the upstream's words.
                            self.note_fault(Some(format!(
                                "the model server answered {status}; check LLM_API_KEY, LLM_MODEL and LLM_BASE_URL"
                            )));
                            return Err(LlmError::Misconfigured(fault));
                        }
                        StatusCode::TOO_MANY_REQUESTS => LlmError::RateLimited {
                            retry_after_secs: retry_after.unwrap_or(1).max(1),
                        },
                        StatusCode::SERVICE_UNAVAILABLE if retry_after.is_some() => {
                            LlmError::RateLimited {
                                retry_after_secs: retry_after.unwrap_or(1).max(1),
                            }
                        }
                        s if s.is_server_error() => LlmError::Unavailable(detail),
                        _ => return Err(LlmError::Unavailable(detail)),
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

#[async_trait::async_trait]
impl Provider for OpenAiCompatible {
    fn default_model(&self) -> &str {
        &self.settings.model
    }

    fn config_fault(&self) -> Option<String> {
        self.config_fault
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn complete(&self, request: &ChatRequest) -> Result<Completion, LlmError> {
        let deadline = Instant::now() + self.settings.total_timeout;
        let _permit = self.permit().await?;
        let response = timeout_at(deadline, self.send(request, false))
            .await
            .map_err(|_| LlmError::Timeout("total"))??;
        let bytes = timeout_at(deadline, self.read_capped(response))
            .await
            .map_err(|_| LlmError::Timeout("total"))??;
        let reply: ChatCompletion = serde_json::from_slice(&bytes)
            .map_err(|e| LlmError::Unavailable(format!("reply is not a chat completion: {e}")))?;
        let text = reply
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .ok_or_else(|| LlmError::InvalidOutput("the reply has no message content".into()))?;
        Ok(Completion {
            text,
            reply_model: reply.model,
            usage: reply.usage.map(Usage::from),
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
            model: None,
            usage: None,
            finished: false,
            ended: false,
            gap: self.settings.first_byte_timeout,
            deadline,
            received: 0,
            cap: self.settings.max_reply_bytes,
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
    model: Option<String>,
    usage: Option<Usage>,
    /// A chunk carried a `finish_reason`.
    finished: bool,
    /// Nothing more will be yielded.
    ended: bool,
    /// Longest silence allowed between chunks.
    gap: Duration,
    deadline: Instant,
    /// Bytes of the stream read so far, and the most it may have.
    received: usize,
    cap: usize,
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
                    self.received += chunk.len();
                    if self.received > self.cap {
                        self.ended = true;
                        return Some((
                            Err(LlmError::TooLarge {
                                limit_bytes: self.cap,
                            }),
                            self,
                        ));
                    }
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
                let Ok(chunk) = serde_json::from_str::<ChatCompletionChunk>(&payload) else {
                    self.ended = true;
                    self.queue
                        .push_back(Err(LlmError::Unavailable("malformed stream chunk".into())));
                    return;
                };
                if let Some(error) = chunk.error {
                    self.ended = true;
                    self.queue.push_back(Err(LlmError::Unavailable(format!(
                        "upstream error: {error}"
                    ))));
                    return;
                }
                if chunk.model.is_some() {
                    self.model = chunk.model;
                }
                if let Some(usage) = chunk.usage {
                    self.usage = Some(usage.into());
                }
                for choice in chunk.choices {
                    if choice.finish_reason.is_some() {
                        self.finished = true;
                    }
                    if let Some(delta) = choice.delta.content.filter(|d| !d.is_empty()) {
                        self.text.push_str(&delta);
                        self.queue.push_back(Ok(StreamEvent::Delta(delta)));
                    }
                }
            }
        }
    }

    fn completion(&self) -> Completion {
        Completion {
            text: self.text.clone(),
            reply_model: self.model.clone(),
            usage: self.usage,
        }
    }
}
