//! A local OpenAI-compatible server for tests: real HTTP, real SSE framing. The `model`
//! field of each request picks its behaviour.
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const GOOD_QUESTION: &str = r#"{"title":"Stack after pushes and a pop","stem":"Push 1, 2 and 3 onto an empty stack, then pop once. Which value is on top?","options":["1","2","3","The stack is empty"],"answer_index":1,"explanation":"A stack is last-in first-out: the pop removes 3, the last value pushed, leaving 2 on top. 1 is at the bottom.","topic":"stack","difficulty":"easy"}"#;

#[derive(Default)]
pub struct Upstream {
    hits: Mutex<HashMap<String, usize>>,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    pub stream_dropped: AtomicBool,
    pub saw_response_format: Mutex<Vec<bool>>,
}

impl Upstream {
    pub fn hits(&self, mode: &str) -> usize {
        self.hits.lock().unwrap().get(mode).copied().unwrap_or(0)
    }
}

pub async fn spawn() -> (SocketAddr, Arc<Upstream>) {
    let upstream = Arc::new(Upstream::default());
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .with_state(upstream.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, upstream)
}

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
        "usage": { "prompt_tokens": 42, "completion_tokens": 17, "total_tokens": 59 }
    })
}

fn chunk(delta: &str, finish: Option<&str>) -> String {
    let value = json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "test-model",
        "choices": [{ "index": 0, "delta": { "content": delta }, "finish_reason": finish }]
    });
    format!("data: {value}\n\n")
}

/// Sets a flag when the response body is dropped (the client went away).
struct DropFlag(Arc<Upstream>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.stream_dropped.store(true, Ordering::SeqCst);
    }
}

struct InFlight(Arc<Upstream>);
impl InFlight {
    fn enter(upstream: &Arc<Upstream>) -> Self {
        let now = upstream.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        upstream.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(upstream.clone())
    }
}
impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn sse(parts: Vec<String>, pause: Duration, guard: Option<DropFlag>) -> Response {
    let stream = futures_util::stream::unfold(
        (parts.into_iter(), guard),
        move |(mut parts, guard)| async move {
            let part = parts.next()?;
            tokio::time::sleep(pause).await;
            Some((Ok::<_, std::io::Error>(part), (parts, guard)))
        },
    );
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
}

async fn chat(State(upstream): State<Arc<Upstream>>, Json(body): Json<Value>) -> Response {
    let mode = body["model"].as_str().unwrap_or("good").to_owned();
    let hit = {
        let mut hits = upstream.hits.lock().unwrap();
        let n = hits.entry(mode.clone()).or_default();
        *n += 1;
        *n
    };
    upstream
        .saw_response_format
        .lock()
        .unwrap()
        .push(body.get("response_format").is_some());
    let stream = body["stream"].as_bool().unwrap_or(false);
    let _in_flight = InFlight::enter(&upstream);
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let verifying = messages
        .first()
        .and_then(|m| m["content"].as_str())
        .is_some_and(|c| c.contains("checking a multiple-choice question"));
    if verifying {
        // The independent solver: it always finds option 1, the right answer to GOOD_QUESTION.
        return Json(completion(r#"{"answer_index": 1}"#)).into_response();
    }
    let repairing = messages.iter().any(|m| m["role"] == "assistant");

    match mode.as_str() {
        "good" | "fenced" | "invalid" | "busy-slow" => {
            if mode == "busy-slow" {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let content = match mode.as_str() {
                "fenced" => format!("```json\n{GOOD_QUESTION}\n```"),
                "invalid" => "Sure! Here is a question: what is a stack?".to_owned(),
                _ => GOOD_QUESTION.to_owned(),
            };
            if stream {
                let mut parts: Vec<String> = content
                    .as_bytes()
                    .chunks(16)
                    .map(|c| chunk(&String::from_utf8_lossy(c), None))
                    .collect();
                parts.push(chunk("", Some("stop")));
                parts.push(format!(
                    "data: {}\n\n",
                    json!({"id":"chatcmpl-test","object":"chat.completion.chunk","model":"test-model","choices":[],"usage":{"prompt_tokens":42,"completion_tokens":17,"total_tokens":59}})
                ));
                parts.push("data: [DONE]\n\n".to_owned());
                sse(parts, Duration::from_millis(2), None)
            } else {
                Json(completion(&content)).into_response()
            }
        }
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(completion(GOOD_QUESTION)).into_response()
        }
        "stall" => {
            let mut parts = vec![chunk("{\"title\":", None), chunk("\"Stalled", None)];
            parts.push(String::new());
            let stream =
                futures_util::stream::unfold(parts.into_iter().enumerate(), |mut it| async move {
                    let (i, part) = it.next()?;
                    if i == 2 {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Some((Ok::<_, std::io::Error>(part), it))
                });
            Response::builder()
                .header(header::CONTENT_TYPE, "text/event-stream")
                .body(Body::from_stream(stream))
                .unwrap()
        }
        "endless" => {
            let parts = (0..10_000)
                .map(|i| chunk(&format!("tok{i} "), None))
                .collect();
            sse(
                parts,
                Duration::from_millis(20),
                Some(DropFlag(upstream.clone())),
            )
        }
        "error500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "wrong-key" => Json(completion(
            &GOOD_QUESTION.replace("\"answer_index\":1", "\"answer_index\":0"),
        ))
        .into_response(),
        "repairable" if !repairing => {
            Json(completion("Here you go: a stack question!")).into_response()
        }
        "repairable" => Json(completion(GOOD_QUESTION)).into_response(),
        "html" => {
            let hostile = GOOD_QUESTION.replace(
                "1 is at the bottom.",
                "1 is at the bottom. <script>alert(1)</script> [more](javascript:alert(1))",
            );
            Json(completion(&hostile)).into_response()
        }
        "flaky" if hit == 1 => (StatusCode::BAD_GATEWAY, "warming up").into_response(),
        "flaky" => Json(completion(GOOD_QUESTION)).into_response(),
        "ratelimit" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            Json(json!({"error": {"message": "rate limited"}})),
        )
            .into_response(),
        "no-json-mode" if body.get("response_format").is_some() => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "response_format is not supported by this server"}})),
        )
            .into_response(),
        "no-json-mode" => Json(completion(GOOD_QUESTION)).into_response(),
        "unauthorized" => (StatusCode::UNAUTHORIZED, "bad key").into_response(),
        other => (StatusCode::NOT_FOUND, format!("unknown mode {other}")).into_response(),
    }
}
