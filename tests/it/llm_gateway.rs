//! The OpenAI-compatible provider against a local upstream that speaks the real wire
//! format (JSON replies and SSE streams): success, fences, bad output, timeouts, retries,
//! rate limits, refused connections, JSON-mode fallback, cancellation and concurrency.
use crate::common;

use common::upstream::{self, GOOD_QUESTION};
use futures_util::StreamExt;
use promptedcode::config::LlmSettings;
use promptedcode::error::AppError;
use promptedcode::llm::client::OpenAiCompatible;
use promptedcode::llm::{ChatRequest, LlmError, Message, Provider, StreamEvent};
use promptedcode::questions::parse::parse_question;
use promptedcode::types::Difficulty;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn settings(addr: SocketAddr) -> LlmSettings {
    upstream::llm_settings(addr, "good")
}

fn request(mode: &str) -> ChatRequest {
    ChatRequest {
        model: Some(mode.into()),
        messages: vec![
            Message::system("You write interview questions."),
            Message::user("One stack question."),
        ],
        json: true,
        temperature: 0.2,
        max_tokens: 800,
    }
}

#[tokio::test]
async fn complete_returns_text_and_usage() {
    let (addr, _up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let done = llm.complete(&request("good")).await.unwrap();
    assert_eq!(done.text, GOOD_QUESTION);
    assert_eq!(done.reply_model.as_deref(), Some("test-model"));
    assert_eq!(done.usage.unwrap().completion_tokens, 17);
    let q = parse_question(&done.text, "stack", "Stack", Difficulty::Easy).unwrap();
    assert_eq!(q.answer_index, 1);
}

#[tokio::test]
async fn fenced_json_parses_and_prose_is_unusable() {
    let (addr, _up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let fenced = llm.complete(&request("fenced")).await.unwrap();
    assert!(fenced.text.starts_with("```json"));
    assert!(parse_question(&fenced.text, "stack", "Stack", Difficulty::Easy).is_ok());
    let prose = llm.complete(&request("invalid")).await.unwrap();
    let err = parse_question(&prose.text, "stack", "Stack", Difficulty::Easy).unwrap_err();
    let app: AppError = LlmError::InvalidOutput(err).into();
    assert_eq!(app.status(), 422);
}

#[tokio::test]
async fn slow_first_byte_is_a_timeout() {
    let (addr, _up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let started = Instant::now();
    let err = llm.complete(&request("slow")).await.unwrap_err();
    assert_eq!(err, LlmError::Timeout("waiting for the first byte"));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(AppError::from(err).status(), 504);
}

#[tokio::test]
async fn a_stream_that_stalls_times_out() {
    let (addr, _up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let mut stream = llm.stream(&request("stall")).await.unwrap();
    let mut deltas = 0;
    let outcome = loop {
        match stream.next().await {
            Some(Ok(StreamEvent::Delta(_))) => deltas += 1,
            Some(other) => break other,
            None => panic!("stream ended without an error"),
        }
    };
    assert_eq!(deltas, 2, "the chunks before the stall were relayed");
    assert_eq!(outcome, Err(LlmError::Timeout("stalled mid-stream")));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let err = llm.complete(&request("error500")).await.unwrap_err();
    assert!(matches!(err, LlmError::Unavailable(_)), "{err:?}");
    assert_eq!(up.hits("error500"), 3, "first try + 2 retries");
    assert_eq!(AppError::from(err).status(), 502);

    let ok = llm.complete(&request("flaky")).await.unwrap();
    assert_eq!(ok.text, GOOD_QUESTION);
    assert_eq!(up.hits("flaky"), 2);

    let err = llm.complete(&request("unauthorized")).await.unwrap_err();
    assert_eq!(up.hits("unauthorized"), 1, "client errors are not retried");
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn upstream_rate_limit_becomes_503_with_retry_after() {
    let (addr, up) = upstream::spawn().await;
    let mut s = settings(addr);
    s.max_retries = 1;
    let llm = OpenAiCompatible::new(s).unwrap();
    let err = llm.complete(&request("ratelimit")).await.unwrap_err();
    assert_eq!(
        err,
        LlmError::RateLimited {
            retry_after_secs: 1
        }
    );
    assert_eq!(up.hits("ratelimit"), 2, "waited out Retry-After once");
    let app = AppError::from(err);
    assert_eq!(app.status(), 503);
    assert_eq!(app.retry_after_secs(), Some(1));
}

#[tokio::test]
async fn refused_connection_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut s = settings(addr);
    s.max_retries = 0;
    let llm = OpenAiCompatible::new(s).unwrap();
    let err = llm.complete(&request("good")).await.unwrap_err();
    assert!(matches!(err, LlmError::Unavailable(_)), "{err:?}");
    assert_eq!(AppError::from(err).status(), 502);
}

#[tokio::test]
async fn falls_back_to_plain_prompting_without_json_mode() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let done = llm.complete(&request("no-json-mode")).await.unwrap();
    assert_eq!(done.text, GOOD_QUESTION);
    llm.complete(&request("no-json-mode")).await.unwrap();
    assert_eq!(
        *up.saw_response_format.lock().unwrap(),
        vec![true, false, false]
    );
}

#[tokio::test]
async fn stream_relays_deltas_and_finishes_with_usage() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let mut stream = llm.stream(&request("good")).await.unwrap();
    let mut text = String::new();
    let mut deltas = 0;
    let done = loop {
        match stream.next().await.expect("stream ends with Done") {
            Ok(StreamEvent::Delta(d)) => {
                deltas += 1;
                text.push_str(&d);
            }
            Ok(StreamEvent::Done(done)) => break done,
            Err(e) => panic!("{e}"),
        }
    };
    assert!(deltas > 5, "arrived in pieces: {deltas}");
    assert_eq!(text, GOOD_QUESTION);
    assert_eq!(done.text, GOOD_QUESTION);
    assert_eq!(done.usage.unwrap().prompt_tokens, 42);
    assert!(stream.next().await.is_none());
    // Without `stream_options.include_usage`, OpenAI proper sends no usage chunk.
    assert_eq!(*up.saw_include_usage.lock().unwrap(), vec![true]);
}

#[tokio::test]
async fn an_unrelated_400_leaves_json_mode_on() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let err = llm.complete(&request("unrelated-400")).await.unwrap_err();
    assert!(matches!(err, LlmError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("max_tokens"), "{err}");
    llm.complete(&request("good")).await.unwrap();
    assert_eq!(*up.saw_response_format.lock().unwrap(), vec![true, true]);
}

#[tokio::test]
async fn a_503_with_retry_after_is_waited_out() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let started = Instant::now();
    let done = llm.complete(&request("busy-503")).await.unwrap();
    assert_eq!(done.text, GOOD_QUESTION);
    assert_eq!(up.hits("busy-503"), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );

    let mut once = settings(addr);
    once.max_retries = 0;
    let (addr, _up) = upstream::spawn().await;
    once.base_url = format!("http://{addr}/v1/");
    let err = OpenAiCompatible::new(once)
        .unwrap()
        .complete(&request("busy-503"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        LlmError::RateLimited {
            retry_after_secs: 1
        }
    );
    let app = AppError::from(err);
    assert_eq!((app.status(), app.retry_after_secs()), (503, Some(1)));
}

#[tokio::test]
async fn a_bad_key_or_unknown_model_is_a_configuration_fault() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    for (mode, status) in [("unauthorized", "401"), ("unknown-model", "404")] {
        let err = llm.complete(&request(mode)).await.unwrap_err();
        assert!(matches!(err, LlmError::Misconfigured(_)), "{err:?}");
        let fault = llm.config_fault().expect("the fault is kept for /readyz");
        assert!(
            fault.contains(status) && fault.contains("LLM_API_KEY"),
            "{fault}"
        );
        assert_eq!(up.hits(mode), 1, "a configuration fault is not retried");
        let app = AppError::from(err);
        assert_eq!(app.status(), 502);
        assert!(app.to_string().contains("not set up correctly"), "{app}");
    }
    llm.complete(&request("good")).await.unwrap();
    assert_eq!(llm.config_fault(), None, "a success clears it");
}

#[tokio::test]
async fn dropping_a_stream_cancels_the_upstream_request() {
    let (addr, up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let mut stream = llm.stream(&request("endless")).await.unwrap();
    assert!(matches!(
        stream.next().await,
        Some(Ok(StreamEvent::Delta(_)))
    ));
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(3);
    while !up.stream_dropped.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "upstream kept streaming after cancel"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_limited() {
    let (addr, up) = upstream::spawn().await;
    let mut s = settings(addr);
    s.max_concurrency = 2;
    let llm = std::sync::Arc::new(OpenAiCompatible::new(s).unwrap());
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let llm = llm.clone();
            tokio::spawn(async move { llm.complete(&request("busy-slow")).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(up.hits("busy-slow"), 6);
    assert_eq!(up.max_in_flight.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_over_the_byte_cap_is_cut_off_buffered_or_streamed() {
    let (addr, _up) = upstream::spawn().await;
    let llm = OpenAiCompatible::new(settings(addr)).unwrap();
    let cap = settings(addr).max_reply_bytes;
    let buffered = llm.complete(&request("huge-reasoning")).await.unwrap_err();
    assert_eq!(buffered, LlmError::TooLarge { limit_bytes: cap });
    let app: AppError = buffered.into();
    assert_eq!(app.status(), 422);

    let mut stream = llm.stream(&request("huge-reasoning")).await.unwrap();
    let mut text = 0;
    let outcome = loop {
        match stream.next().await.expect("the stream reports its end") {
            Ok(StreamEvent::Delta(delta)) => text += delta.len(),
            Ok(StreamEvent::Done(_)) => panic!("a 5 MiB reply must not complete"),
            Err(err) => break err,
        }
    };
    assert_eq!(outcome, LlmError::TooLarge { limit_bytes: cap });
    assert!(
        text <= cap,
        "read {text} bytes of text past a {cap}-byte cap"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_gateway_slot_is_bounded() {
    let (addr, _up) = upstream::spawn().await;
    let mut s = settings(addr);
    s.max_concurrency = 1;
    s.slot_wait = Duration::from_secs(1);
    let llm = OpenAiCompatible::new(s).unwrap();
    // The one slot is held for as long as this stream is open.
    let held = llm.stream(&request("endless")).await.unwrap();
    let started = Instant::now();
    let refused = llm.complete(&request("good")).await.unwrap_err();
    let waited = started.elapsed();
    assert_eq!(
        refused,
        LlmError::RateLimited {
            retry_after_secs: 1
        }
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    let app: AppError = refused.into();
    assert_eq!((app.status(), app.retry_after_secs()), (503, Some(1)));
    drop(held);
    llm.complete(&request("good")).await.unwrap();
}
