//! A local OpenAI-compatible server for tests: real HTTP, real SSE framing. The `model`
//! field of each request picks its behaviour.
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::{Listener, ListenerExt};
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
    /// Streams whose client went away before the last chunk.
    pub streams_cut: AtomicUsize,
    pub saw_response_format: Mutex<Vec<bool>>,
    /// Per streamed request: whether it asked for usage (`stream_options.include_usage`).
    pub saw_include_usage: Mutex<Vec<bool>>,
}

impl Upstream {
    pub fn hits(&self, mode: &str) -> usize {
        self.hits.lock().unwrap().get(mode).copied().unwrap_or(0)
    }
}

pub async fn spawn() -> (SocketAddr, Arc<Upstream>) {
    spawn_on("127.0.0.1:0").await
}

pub async fn spawn_on(addr: &str) -> (SocketAddr, Arc<Upstream>) {
    let upstream = Arc::new(Upstream::default());
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route("/stats", get(stats))
        .with_state(upstream.clone());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap()
        .tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
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

async fn stats(State(upstream): State<Arc<Upstream>>) -> Json<Value> {
    Json(json!({
        "hits": *upstream.hits.lock().unwrap(),
        "in_flight": upstream.in_flight.load(Ordering::SeqCst),
        "streams_cut": upstream.streams_cut.load(Ordering::SeqCst),
    }))
}

/// Sets a flag when the response body is dropped (the client went away).
struct DropFlag(Arc<Upstream>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.stream_dropped.store(true, Ordering::SeqCst);
    }
}

/// Counts a stream whose client went away before its last chunk was sent.
/// Holds the upstream until the stream finishes; dropped while holding it, it counts a cut.
struct CutCounter(Option<Arc<Upstream>>);
impl Drop for CutCounter {
    fn drop(&mut self) {
        if let Some(upstream) = self.0.take() {
            upstream.streams_cut.fetch_add(1, Ordering::SeqCst);
            upstream.stream_dropped.store(true, Ordering::SeqCst);
        }
    }
}

const WORDS: [&str; 48] = [
    "amber", "basil", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper",
    "kestrel", "lagoon", "meadow", "nectar", "onyx", "pepper", "quartz", "raven", "saffron",
    "tundra", "umber", "violet", "willow", "xenon", "yarrow", "zephyr", "acorn", "birch", "cobalt",
    "dune", "egret", "fennel", "glacier", "heron", "iris", "jasper", "kelp", "lichen", "maple",
    "nutmeg", "orchid", "pebble", "quill", "reed", "sorrel", "thistle", "upland", "vale",
];

/// The topic slug and difficulty the app asked for, read back from its prompt.
fn requested(messages: &[Value]) -> (String, String) {
    let user = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    let topic = user
        .split("(topic field: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("stack")
        .to_owned();
    let difficulty = ["easy", "medium", "hard"]
        .into_iter()
        .find(|d| user.contains(&format!("one new {d} question")))
        .unwrap_or("easy")
        .to_owned();
    (topic, difficulty)
}

/// A question no earlier call produced: `n` picks its words. The key is always option 1
/// (the second), which is what the mock verifier answers.
fn fresh_question(n: usize, topic: &str, difficulty: &str, stem_extra: &str) -> (String, String) {
    let mut seed = (n as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut pick = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        WORDS[(seed >> 33) as usize % WORDS.len()]
    };
    let words: Vec<&str> = (0..10).map(|_| pick()).collect();
    let second = words[1];
    let mut options = vec![words[0].to_owned(), second.to_owned()];
    for w in WORDS.iter().cycle().skip(n % WORDS.len()) {
        if options.len() == 4 {
            break;
        }
        if !options.iter().any(|o| o == w) {
            options.push((*w).to_owned());
        }
    }
    let title = format!("Second word, round {n}");
    let stem = format!(
        "Round {n}: {}.{stem_extra} Which word came second?",
        words.join(" ")
    );
    // The stem's JSON string without its closing quote: timed pieces are appended inside it.
    let stem_json = json!(stem).to_string();
    let head = format!(
        r#"{{"title":{},"stem":{}"#,
        json!(title),
        &stem_json[..stem_json.len() - 1]
    );
    let tail = format!(
        r#"","options":{},"answer_index":1,"explanation":"The list reads {} first and {} second, so the second word is {}.","topic":"{topic}","difficulty":"{difficulty}"}}"#,
        json!(options),
        words[0],
        second,
        second
    );
    (head, tail)
}

fn now_micros() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

/// Streams a fresh question: the stem's head, `ticks` pieces (each `[t=<µs since epoch>]`,
/// stamped when it is sent, `every` apart, the first after `first_byte`), then the rest.
fn timed_stream(
    upstream: Arc<Upstream>,
    head: String,
    tail: String,
    ticks: usize,
    first_byte: Duration,
    every: Duration,
) -> Response {
    let counter = CutCounter(Some(upstream));
    let stream = futures_util::stream::unfold((0usize, counter), move |(i, mut counter)| {
        let head = head.clone();
        let tail = tail.clone();
        async move {
            let piece = match i {
                0 => {
                    tokio::time::sleep(first_byte).await;
                    chunk(&head, None)
                }
                i if i <= ticks => {
                    tokio::time::sleep(every).await;
                    chunk(&format!(" [t={}]", now_micros()), None)
                }
                i if i == ticks + 1 => chunk(&tail, Some("stop")),
                i if i == ticks + 2 => "data: [DONE]\n\n".to_owned(),
                _ => {
                    counter.0.take();
                    return None;
                }
            };
            Some((Ok::<_, std::io::Error>(piece), (i + 1, counter)))
        }
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap()
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

/// How a request wants its reply: whole (`None`), or streamed, with a usage chunk at the
/// end only if it asked for one (`Some(true)`), as OpenAI does.
type Streaming = Option<bool>;

/// The whole reply at once, or as 16-byte SSE pieces, then usage (if asked) and `[DONE]`.
fn reply(content: &str, stream: Streaming) -> Response {
    let Some(include_usage) = stream else {
        return Json(completion(content)).into_response();
    };
    let mut parts: Vec<String> = content
        .as_bytes()
        .chunks(16)
        .map(|c| chunk(&String::from_utf8_lossy(c), None))
        .collect();
    parts.push(chunk("", Some("stop")));
    if include_usage {
        parts.push(format!(
            "data: {}\n\n",
            json!({"id":"chatcmpl-test","object":"chat.completion.chunk","model":"test-model","choices":[],"usage":{"prompt_tokens":42,"completion_tokens":17,"total_tokens":59}})
        ));
    }
    parts.push("data: [DONE]\n\n".to_owned());
    sse(parts, Duration::from_millis(2), None)
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
    let stream: Streaming = body["stream"].as_bool().unwrap_or(false).then(|| {
        body["stream_options"]["include_usage"]
            .as_bool()
            .unwrap_or(false)
    });
    if let Some(include_usage) = stream {
        upstream
            .saw_include_usage
            .lock()
            .unwrap()
            .push(include_usage);
    }
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

    let fresh = |extra: &str| {
        let (topic, difficulty) = requested(&messages);
        fresh_question(hit, &topic, &difficulty, extra)
    };
    match mode.as_str() {
        // A new question every call; streamed in pieces `pause` apart.
        "fresh" | "fresh-slow" => {
            let (head, tail) = fresh(" Read the list carefully.");
            if stream.is_none() {
                return Json(completion(&format!("{head}{tail}"))).into_response();
            }
            let pause = Duration::from_millis(if mode == "fresh" { 2 } else { 150 });
            timed_stream(upstream.clone(), head, tail, 20, pause, pause)
        }
        // Fixed latency for the proxy benchmark: first piece after 50 ms, then 20 timed
        // pieces 10 ms apart ("bench-hold": 1 s apart, to keep many streams open).
        "bench" | "bench-hold" => {
            let (head, tail) = fresh("");
            if stream.is_none() {
                return Json(completion(&format!("{head}{tail}"))).into_response();
            }
            let every = Duration::from_millis(if mode == "bench" { 10 } else { 1000 });
            timed_stream(
                upstream.clone(),
                head,
                tail,
                20,
                Duration::from_millis(50),
                every,
            )
        }
        "good" | "fenced" | "invalid" | "busy-slow" => {
            if mode == "busy-slow" {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let content = match mode.as_str() {
                "fenced" => format!("```json\n{GOOD_QUESTION}\n```"),
                "invalid" => "Sure! Here is a question: what is a stack?".to_owned(),
                _ => GOOD_QUESTION.to_owned(),
            };
            reply(&content, stream)
        }
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            reply(GOOD_QUESTION, stream)
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
        // A valid question with a 5 MiB `reasoning` field, or a 5 MiB stem; streamed in
        // 64 KiB pieces.
        "huge-reasoning" | "huge-stem" => {
            let filler = "x".repeat(5 * 1024 * 1024);
            let content = if mode == "huge-reasoning" {
                GOOD_QUESTION.replacen('{', &format!("{{\"reasoning\":\"{filler}\","), 1)
            } else {
                GOOD_QUESTION.replace("on top?", &format!("on top? {filler}"))
            };
            if stream.is_none() {
                return Json(completion(&content)).into_response();
            }
            let mut parts: Vec<String> = content
                .as_bytes()
                .chunks(64 * 1024)
                .map(|c| chunk(&String::from_utf8_lossy(c), None))
                .collect();
            parts.push(chunk("", Some("stop")));
            parts.push("data: [DONE]\n\n".to_owned());
            sse(parts, Duration::ZERO, None)
        }
        "error500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "wrong-key" => reply(
            &GOOD_QUESTION.replace("\"answer_index\":1", "\"answer_index\":0"),
            stream,
        ),
        "repairable" if !repairing => reply("Here you go: a stack question!", stream),
        "repairable" => reply(GOOD_QUESTION, stream),
        "html" => {
            let hostile = GOOD_QUESTION.replace(
                "1 is at the bottom.",
                "1 is at the bottom. <script>alert(1)</script> [more](javascript:alert(1))",
            );
            reply(&hostile, stream)
        }
        "flaky" if hit == 1 => (StatusCode::BAD_GATEWAY, "warming up").into_response(),
        "flaky" => reply(GOOD_QUESTION, stream),
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
        "no-json-mode" => reply(GOOD_QUESTION, stream),
        "unauthorized" => (StatusCode::UNAUTHORIZED, "bad key").into_response(),
        "unknown-model" => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"message": "The model `unknown-model` does not exist", "code": "model_not_found"}})),
        )
            .into_response(),
        // A 400 about another field that happens to name response_format.
        "unrelated-400" => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "max_tokens is too large for this model (response_format json_object)", "param": "max_tokens"}})),
        )
            .into_response(),
        // Busy once, saying when to come back.
        "busy-503" if hit == 1 => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            Json(json!({"error": {"message": "overloaded"}})),
        )
            .into_response(),
        "busy-503" => reply(GOOD_QUESTION, stream),
        other => (StatusCode::NOT_FOUND, format!("unknown mode {other}")).into_response(),
    }
}

/// Gateway settings for a test upstream at `addr` asking for `model` (a mode of the
/// upstream above): short timeouts, a few retries.
pub fn llm_settings(addr: SocketAddr, model: &str) -> promptedcode::config::LlmSettings {
    promptedcode::config::LlmSettings {
        base_url: format!("http://{addr}/v1/"),
        api_key: Some("test-key".into()),
        model: model.into(),
        verify_model: None,
        connect_timeout: Duration::from_secs(2),
        first_byte_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(10),
        max_retries: 2,
        max_concurrency: 8,
        slot_wait: Duration::from_secs(10),
        max_reply_bytes: 256 * 1024,
    }
}
