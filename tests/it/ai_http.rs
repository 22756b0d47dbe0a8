//! AI generation through the real app over HTTP, against the local OpenAI-compatible
//! upstream: the streamed endpoint, its statuses and messages, the quota, cancellation and
//! the instant pool. After every failure the quota is unchanged and nothing is stored.
use crate::common;

use common::app::TestApp;
use common::{upstream, Backend};
use futures_util::StreamExt;
use promptedcode::entities::{llm_call, question, topic};
use promptedcode::generation::server::pool;
use promptedcode::types::{Difficulty, QuestionSource};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

async fn ai_app(backend: Backend, llm: SocketAddr, mode: &str, extra: &[(&str, &str)]) -> TestApp {
    let mut vars: Vec<(&str, String)> = vec![
        ("LLM_BASE_URL", format!("http://{llm}/v1")),
        ("LLM_MODEL", mode.to_owned()),
        ("LLM_FIRST_BYTE_TIMEOUT_SECS", "1".to_owned()),
        ("LLM_TOTAL_TIMEOUT_SECS", "3".to_owned()),
        ("LLM_MAX_RETRIES", "0".to_owned()),
        ("POOL_TARGET", "0".to_owned()),
    ];
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k, (*v).to_owned()));
    }
    TestApp::spawn_with(backend, &vars).await
}

fn events(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .flat_map(|frame| frame.lines())
        .filter_map(|line| line.strip_prefix("data:"))
        .map(|data| serde_json::from_str(data.trim_start()).expect("event JSON"))
        .collect()
}

async fn generate(app: &TestApp, cookie: &str, body: Value) -> (StatusCode, Vec<Value>) {
    let response = app
        .post_json("/api/challenge/generate", &body, Some(cookie))
        .await;
    let status = response.status();
    let text = response.text().await.unwrap();
    if status == StatusCode::OK {
        (status, events(&text))
    } else {
        (
            status,
            vec![serde_json::from_str(&text).unwrap_or(json!({ "raw": text }))],
        )
    }
}

async fn json_body(response: reqwest::Response) -> Value {
    serde_json::from_str(&response.text().await.unwrap()).expect("JSON body")
}

fn stack_easy() -> Value {
    json!({ "topic": "stack", "difficulty": "easy" })
}

async fn quota_used(app: &TestApp, cookie: &str) -> u64 {
    let response = app
        .post_form("/api/challenge/ai-status", &[], Some(cookie))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let status: Value = json_body(response).await;
    status["quota"]["used"].as_u64().expect("quota shown")
}

async fn ai_questions(app: &TestApp) -> u64 {
    question::Entity::find()
        .filter(question::Column::Source.eq(QuestionSource::Ai.as_str()))
        .count(&app.test_db.db)
        .await
        .unwrap()
}

async fn streams_progress_then_serves_a_verified_question(backend: Backend) {
    let (llm, mock) = upstream::spawn().await;
    let app = ai_app(backend, llm, "fresh", &[]).await;
    let cookie = app.register("streamer@example.com").await;

    let (status, events) = generate(&app, &cookie, stack_easy()).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"stage"));
    assert_eq!(events[0]["stage"], "writing");
    let preview: String = events
        .iter()
        .filter(|e| e["type"] == "preview")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(preview.starts_with("Second word, round"), "{preview}");
    assert!(preview.contains("Which word came second?"), "{preview}");
    assert!(
        kinds.iter().filter(|k| **k == "preview").count() > 5,
        "streamed in pieces"
    );
    let all = serde_json::to_string(&events).unwrap();
    assert!(
        !all.contains("answer_index") && !all.contains("options"),
        "no key leaks: {all}"
    );
    let stages: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "stage")
        .map(|e| e["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["writing", "verifying", "deduplicating", "saving"]);
    let done = events.last().unwrap();
    assert_eq!(done["type"], "done", "{done}");
    assert_eq!(done["from_pool"], false);

    assert_eq!(quota_used(&app, &cookie).await, 1);
    assert_eq!(ai_questions(&app).await, 1);
    let id = done["challenge_id"].as_i64().unwrap();
    let shown = app
        .post_form(
            "/api/challenge/get",
            &[("id", &id.to_string())],
            Some(&cookie),
        )
        .await;
    assert_eq!(shown.status(), StatusCode::OK);
    let shown: Value = json_body(shown).await;
    assert_eq!(shown["source"], "ai");
    assert_eq!(shown["topic"]["slug"], "stack");
    let calls = llm_call::Entity::find().all(&app.test_db.db).await.unwrap();
    let techniques: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.purpose.as_str(), c.technique.as_str()))
        .collect();
    assert_eq!(
        techniques,
        [
            ("generate", "structured_output+few_shot"),
            ("verify", "structured_output+zero_shot")
        ]
    );
    assert!(calls.iter().all(|c| c.user_id.is_some()));
    assert_eq!(mock.hits("fresh"), 2);
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_progress_then_serves_a_verified_question_on_postgres() {
    streams_progress_then_serves_a_verified_question(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_progress_then_serves_a_verified_question_on_sqlite() {
    streams_progress_then_serves_a_verified_question(Backend::Sqlite).await;
}

/// Each upstream failure ends the stream with the right status and message, charges
/// nothing and stores nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failures_are_typed_and_free() {
    let (llm, _mock) = upstream::spawn().await;
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let cases: [(SocketAddr, &str, &str, &str); 8] = [
        (llm, "invalid", "invalid_output", "unusable question"),
        (
            llm,
            "wrong-key",
            "invalid_output",
            "independent check reached a different answer",
        ),
        (llm, "error500", "upstream", "unavailable"),
        (llm, "ratelimit", "upstream_busy", "busy"),
        (llm, "slow", "upstream_timeout", "took too long"),
        (llm, "stall", "upstream_timeout", "took too long"),
        (refused, "good", "upstream", "unavailable"),
        (llm, "unauthorized", "upstream", "not set up correctly"),
    ];
    for (addr, mode, code, message) in cases {
        let app = ai_app(Backend::Postgres, addr, mode, &[]).await;
        let cookie = app.register(&format!("{mode}@example.com")).await;
        let (http, events) = generate(&app, &cookie, stack_easy()).await;
        assert_eq!(http, StatusCode::OK, "{mode}");
        let last = events.last().unwrap();
        assert_eq!(last["type"], "failed", "{mode}: {last}");
        assert_eq!(last["charged"], false, "{mode}: {last}");
        let error: promptedcode::error::AppError =
            serde_json::from_value(last["error"].clone()).expect("the one error shape");
        assert_eq!(last["error"]["code"], code, "{mode}: {last}");
        let text = error.to_string();
        assert!(text.contains(message), "{mode}: {text}");
        if mode == "ratelimit" {
            assert!(error.retry_after_secs().is_some(), "{last}");
        }
        if mode == "unauthorized" {
            let ready = app.get("/readyz").await;
            assert_eq!(ready.status(), StatusCode::OK, "the bank still serves");
            let detail = ready.text().await.unwrap();
            assert!(
                detail.contains("misconfigured") && detail.contains("401"),
                "{detail}"
            );
        }
        // The refund runs as the request ends; give it a moment.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(quota_used(&app, &cookie).await, 0, "{mode}: not charged");
        assert_eq!(ai_questions(&app).await, 0, "{mode}: nothing stored");
        app.test_db.teardown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_rejected_and_hostile_markup_is_neutralised() {
    let (llm, _mock) = upstream::spawn().await;
    let app = ai_app(Backend::Postgres, llm, "good", &[]).await;
    let cookie = app.register("dup@example.com").await;
    let (_, first) = generate(&app, &cookie, stack_easy()).await;
    assert_eq!(first.last().unwrap()["type"], "done");
    let (_, second) = generate(&app, &cookie, stack_easy()).await;
    let last = second.last().unwrap();
    assert_eq!(last["error"]["code"], "conflict", "{last}");
    assert!(last["error"]["message"]
        .as_str()
        .unwrap()
        .contains("repeated a question"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        quota_used(&app, &cookie).await,
        1,
        "only the first is charged"
    );
    assert_eq!(ai_questions(&app).await, 1);
    app.test_db.teardown().await;

    let app = ai_app(Backend::Postgres, llm, "html", &[]).await;
    let cookie = app.register("html@example.com").await;
    let (_, events) = generate(&app, &cookie, stack_easy()).await;
    let done = events.last().unwrap();
    assert_eq!(done["type"], "done", "{done}");
    let id = done["challenge_id"].as_i64().unwrap().to_string();
    let answer = app
        .post_form(
            "/api/challenge/answer",
            &[("id", &id), ("choice", "1")],
            Some(&cookie),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: Value = json_body(answer).await;
    let html = answer["explanation_html"].as_str().unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("1 is at the bottom."), "{html}");
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_the_upstream_and_charges_nothing() {
    let (llm, mock) = upstream::spawn().await;
    let app = ai_app(Backend::Postgres, llm, "fresh-slow", &[]).await;
    let cookie = app.register("cancel@example.com").await;
    let response = app
        .post_json("/api/challenge/generate", &stack_easy(), Some(&cookie))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("\"preview\"") {
        let chunk = body.next().await.expect("stream open").unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(quota_used(&app, &cookie).await, 1, "reserved while running");
    drop(body);

    let mut waited = 0;
    while (mock.streams_cut.load(Ordering::SeqCst) == 0 || quota_used(&app, &cookie).await != 0)
        && waited < 50
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(
        mock.streams_cut.load(Ordering::SeqCst),
        1,
        "upstream request stopped"
    );
    assert_eq!(mock.in_flight.load(Ordering::SeqCst), 0);
    assert_eq!(quota_used(&app, &cookie).await, 0, "refunded");
    assert_eq!(ai_questions(&app).await, 0, "nothing stored");
    let calls = llm_call::Entity::find().all(&app.test_db.db).await.unwrap();
    let outcomes: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.purpose.as_str(), c.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [("generate", "cancelled")],
        "the cut call is on record"
    );
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_quota_is_429_with_retry_after() {
    let (llm, _mock) = upstream::spawn().await;
    let app = ai_app(Backend::Postgres, llm, "fresh", &[("DAILY_QUOTA", "2")]).await;
    let cookie = app.register("quota@example.com").await;
    for _ in 0..2 {
        let (status, events) = generate(&app, &cookie, stack_easy()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(events.last().unwrap()["type"], "done", "{events:?}");
    }
    let response = app
        .post_json("/api/challenge/generate", &stack_easy(), Some(&cookie))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry), "{retry}");
    let body: Value = json_body(response).await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("You have used all 2 AI questions for today."),
        "{body}"
    );
    assert_eq!(quota_used(&app, &cookie).await, 2);
    assert_eq!(ai_questions(&app).await, 2);

    // The browser sends its time zone at sign-up; the quota day follows it.
    let register = |email: &'static str, zone: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/api/register",
                &[
                    ("email", email),
                    ("password", common::app::PASSWORD),
                    ("display_name", ""),
                    ("time_zone", zone),
                ],
                None,
            )
            .await
        }
    };
    let refused = register("far-east@example.com", "Mars/Olympus_Mons").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = json_body(refused).await;
    assert!(
        refused.to_string().contains("Unknown time zone"),
        "{refused}"
    );
    let india = register("india@example.com", "Asia/Kolkata").await;
    assert_eq!(india.status(), StatusCode::OK);
    let cookie = common::app::session_cookie(india.headers()).unwrap();
    let cookie = cookie.split(';').next().unwrap();
    let status = json_body(
        app.post_form("/api/challenge/ai-status", &[], Some(cookie))
            .await,
    )
    .await;
    assert_eq!(status["quota"]["time_zone"], "Asia/Kolkata", "{status}");
    assert_eq!(status["quota"]["limit"], 2);
    let reset = status["quota"]["resets_in_secs"].as_u64().unwrap();
    let now = chrono::Utc::now() + chrono::Duration::minutes(330);
    let expected = 86_400 - u64::from(chrono::Timelike::num_seconds_from_midnight(&now));
    assert!(reset.abs_diff(expected) <= 5, "{reset} vs {expected}");

    // An unknown stored zone is a corrupt row: refused (and logged), not read as UTC.
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared(
            "UPDATE users SET time_zone = 'Mars/Olympus_Mons' WHERE email = 'india@example.com'",
        )
        .await
        .unwrap();
    let corrupt = app
        .post_form("/api/challenge/ai-status", &[], Some(cookie))
        .await;
    assert_eq!(corrupt.status(), StatusCode::INTERNAL_SERVER_ERROR);
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_errors_before_anything_is_charged() {
    let (llm, mock) = upstream::spawn().await;
    let app = ai_app(Backend::Postgres, llm, "fresh", &[]).await;
    let cookie = app.register("edge@example.com").await;
    let anonymous = app
        .post_json("/api/challenge/generate", &stack_easy(), None)
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let cases = [
        (
            json!({"topic": "astrology", "difficulty": "easy"}),
            422,
            "Unknown topic",
        ),
        (
            json!({"topic": "stack", "difficulty": "extreme"}),
            400,
            "unknown variant `extreme`",
        ),
        (
            json!({"topic": "Not a slug!", "difficulty": "easy"}),
            400,
            "not a valid topic",
        ),
        (
            json!({"topic": "stack", "difficulty": "easy", "language": "cobol"}),
            400,
            "choose a language from the list",
        ),
        (
            json!({"topic": "stack", "difficulty": "easy", "focus": "x".repeat(121)}),
            422,
            "under 120",
        ),
        (json!({"topic": 7}), 400, "Invalid request"),
    ];
    for (body, status, message) in cases {
        let (got, events) = generate(&app, &cookie, body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body}");
        let error = events[0]["message"].as_str().unwrap();
        assert!(error.contains(message), "{body}: {error}");
    }
    let cross_site = app
        .client
        .post(format!("{}/api/challenge/generate", app.base))
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .header("cookie", &cookie)
        .body(stack_easy().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(quota_used(&app, &cookie).await, 0);
    assert_eq!(mock.hits("fresh"), 0, "the model was never called");
    app.test_db.teardown().await;

    let bank_only = TestApp::spawn().await;
    let cookie = bank_only.register("bank@example.com").await;
    let (status, events) = generate(&bank_only, &cookie, stack_easy()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(events[0]["message"]
        .as_str()
        .unwrap()
        .contains("from the bank"));
    bank_only.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_pool_serves_at_once_and_refills_in_the_background() {
    let (llm, mock) = upstream::spawn().await;
    let app = ai_app(Backend::Postgres, llm, "fresh", &[("POOL_TARGET", "2")]).await;
    let cookie = app.register("pool@example.com").await;
    let db = &app.test_db.db;
    let stack = topic::Entity::find()
        .filter(topic::Column::Slug.eq("stack"))
        .one(db)
        .await
        .unwrap()
        .unwrap();

    let (_, cold) = generate(&app, &cookie, stack_easy()).await;
    let cold_done = cold.last().unwrap();
    assert_eq!(cold_done["from_pool"], false, "{cold_done}");
    let wait_for_full_pool = || async {
        for _ in 0..100 {
            if pool::size(db, stack.id, Difficulty::Easy).await.unwrap() == 2 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the pool never filled");
    };
    wait_for_full_pool().await;
    let calls_before = mock.hits("fresh");

    let (_, warm) = generate(&app, &cookie, stack_easy()).await;
    let kinds: Vec<&str> = warm.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["stage", "done"], "{warm:?}");
    assert_eq!(warm[0]["stage"], "pool");
    assert_eq!(warm[1]["from_pool"], true);
    assert_eq!(
        quota_used(&app, &cookie).await,
        2,
        "a pooled question is charged like any"
    );
    let pooled_id = warm[1]["challenge_id"].as_i64().unwrap();
    assert_ne!(pooled_id, cold_done["challenge_id"].as_i64().unwrap());

    wait_for_full_pool().await;
    assert!(
        mock.hits("fresh") > calls_before,
        "refilled in the background"
    );
    // A request with a focus is never served from the generic pool.
    let (_, focused) = generate(
        &app,
        &cookie,
        json!({"topic": "stack", "difficulty": "easy", "focus": "edge cases"}),
    )
    .await;
    assert_eq!(focused.last().unwrap()["from_pool"], false);

    // "Bank question" serves the bank only, never pool stock or other AI questions.
    for _ in 0..5 {
        let bank = app
            .post_form(
                "/api/challenge/next",
                &[("topic", "stack"), ("difficulty", "easy")],
                Some(&cookie),
            )
            .await;
        assert_eq!(bank.status(), StatusCode::OK);
        assert_eq!(json_body(bank).await["source"], "bank");
    }
    let exhausted = app
        .post_form(
            "/api/challenge/next",
            &[("topic", "stack"), ("difficulty", "easy")],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        exhausted.status(),
        StatusCode::CONFLICT,
        "all 5 easy bank questions seen"
    );
    app.test_db.teardown().await;
}

/// Reads a generation stream until its first event, then returns it (still open).
async fn started_generation(
    app: &TestApp,
    cookie: &str,
) -> impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> {
    let response = app
        .post_json("/api/challenge/generate", &stack_easy(), Some(cookie))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = Box::pin(response.bytes_stream());
    let mut seen = String::new();
    while !seen.contains("data:") {
        let chunk = body.next().await.expect("stream open").unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    body
}

async fn one_generation_per_user_at_a_time(backend: Backend) {
    let (llm, _mock) = upstream::spawn().await;
    // "endless" streams for minutes: the first run holds the user's slot throughout.
    let app = ai_app(backend, llm, "endless", &[("LLM_TOTAL_TIMEOUT_SECS", "60")]).await;
    let cookie = app.register("parallel@example.com").await;
    let other = app.register("neighbour@example.com").await;
    let first = started_generation(&app, &cookie).await;

    // A second one waits a few seconds for the first, then is refused.
    let started = std::time::Instant::now();
    let (status, body) = generate(&app, &cookie, stack_easy()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "it waited first"
    );
    assert!(
        body[0]["message"]
            .as_str()
            .unwrap()
            .contains("still being written"),
        "{body:?}"
    );
    // Someone else is not held up.
    drop(started_generation(&app, &other).await);
    assert_eq!(
        quota_used(&app, &cookie).await,
        1,
        "only the first is charged"
    );

    // Cancel, then generate again at once: the new one waits for the old to let go.
    drop(first);
    let response = app
        .post_json("/api/challenge/generate", &stack_easy(), Some(&cookie))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    drop(response);
    app.test_db.teardown().await;
}

async fn repeated_cancels_reach_the_daily_attempt_cap(backend: Backend) {
    let (llm, _mock) = upstream::spawn().await;
    let app = ai_app(
        backend,
        llm,
        "fresh-slow",
        &[("DAILY_QUOTA", "5"), ("DAILY_ATTEMPTS", "2")],
    )
    .await;
    let cookie = app.register("canceller@example.com").await;
    // Start and cancel twice (each new start waits for the cancelled run to let go) …
    drop(started_generation(&app, &cookie).await);
    drop(started_generation(&app, &cookie).await);
    // … and the third try is over the cap.
    let refused = app
        .post_json("/api/challenge/generate", &stack_easy(), Some(&cookie))
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let body = json_body(refused).await;
    assert_eq!(body["code"], "attempts_exhausted", "{body}");
    assert_eq!(body["limit"], 2, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("cancelled ones"),
        "{body}"
    );
    // Nothing was charged, and the status the page shows says why no more can start.
    let status = json_body(
        app.post_form("/api/challenge/ai-status", &[], Some(&cookie))
            .await,
    )
    .await;
    assert_eq!(status["quota"]["used"], 0, "{status}");
    assert_eq!(status["quota"]["attempts_used"], 2, "{status}");
    assert_eq!(status["quota"]["attempts_limit"], 2, "{status}");
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_over_the_byte_cap_is_422_and_not_charged() {
    let (llm, _mock) = upstream::spawn().await;
    let app = ai_app(Backend::Postgres, llm, "huge-reasoning", &[]).await;
    let cookie = app.register("huge@example.com").await;
    let (status, events) = generate(&app, &cookie, stack_easy()).await;
    assert_eq!(status, StatusCode::OK);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "failed", "{last}");
    assert_eq!(last["error"]["code"], "invalid_output", "{last}");
    assert_eq!(last["charged"], false, "{last}");
    assert_eq!(quota_used(&app, &cookie).await, 0);
    assert_eq!(ai_questions(&app).await, 0, "nothing stored");
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streamed_preview_never_exceeds_the_schema() {
    let (llm, _mock) = upstream::spawn().await;
    // A cap above the 5 MiB stem, so it is the preview's own bound that is tested.
    let app = ai_app(
        Backend::Postgres,
        llm,
        "huge-stem",
        &[
            ("LLM_MAX_REPLY_BYTES", "8388608"),
            ("LLM_TOTAL_TIMEOUT_SECS", "30"),
        ],
    )
    .await;
    let cookie = app.register("longstem@example.com").await;
    let (status, events) = generate(&app, &cookie, stack_easy()).await;
    assert_eq!(status, StatusCode::OK);
    let shown: usize = events
        .iter()
        .filter(|e| e["type"] == "preview")
        .map(|e| e["text"].as_str().unwrap().chars().count())
        .sum();
    let bound = promptedcode::questions::schema::TITLE_CHARS.end()
        + 2
        + promptedcode::questions::schema::STEM_CHARS.end();
    assert!(shown > 1000 && shown <= bound, "{shown} characters shown");
    let last = events.last().unwrap();
    assert_eq!(last["type"], "failed", "{last}");
    assert_eq!(last["error"]["code"], "invalid_output", "{last}");
    assert_eq!(quota_used(&app, &cookie).await, 0);
    app.test_db.teardown().await;
}

over_http_on_both_backends!(
    one_generation_per_user_at_a_time,
    repeated_cancels_reach_the_daily_attempt_cap,
);
