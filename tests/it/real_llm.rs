//! The generation flow against a real OpenAI-compatible server (llama.cpp), not the mock.
//! Ignored by default and not run in CI: `scripts/test-llm.sh` (`make test-llm`) builds and
//! starts llama.cpp with a small model and runs this with `--ignored`. A 135M model often
//! fails verification; the point is that the wire format, JSON mode, streaming and the
//! rejection path all work against a real server.
use crate::common;

use common::app::TestApp;
use common::Backend;
use futures_util::StreamExt;
use promptedcode::config::LlmSettings;
use promptedcode::entities::question;
use promptedcode::llm::client::OpenAiCompatible;
use promptedcode::llm::{ChatRequest, Message, Provider, StreamEvent};
use promptedcode::types::QuestionSource;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::time::Duration;

fn server() -> (String, String) {
    let base = std::env::var("REAL_LLM_BASE_URL")
        .expect("REAL_LLM_BASE_URL (e.g. http://127.0.0.1:8089/v1); run scripts/test-llm.sh");
    let model = std::env::var("REAL_LLM_MODEL").unwrap_or_else(|_| "smollm2".to_owned());
    (base, model)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real llama.cpp server: scripts/test-llm.sh"]
async fn the_wire_format_json_mode_and_streaming_work_against_a_real_server() {
    let (base, model) = server();
    let mut base_url = base.clone();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    let provider = OpenAiCompatible::new(LlmSettings {
        base_url,
        api_key: None,
        connect_timeout: Duration::from_secs(5),
        first_byte_timeout: Duration::from_secs(300),
        total_timeout: Duration::from_secs(900),
        max_retries: 0,
        max_concurrency: 1,
        ..crate::common::upstream::llm_settings(
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            &model,
        )
    })
    .unwrap();

    // JSON mode constrains the output to JSON, but a reply cut off by max_tokens is not
    // whole JSON: give it room.
    let ask = |json: bool, text: &str| ChatRequest {
        model: None,
        messages: vec![Message::user(text)],
        json,
        temperature: 0.0,
        max_tokens: if json { 400 } else { 48 },
    };
    let mut stream = provider
        .stream(&ask(false, "Name three sorting algorithms."))
        .await
        .unwrap();
    let mut pieces = 0;
    let mut done = None;
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            StreamEvent::Delta(_) => pieces += 1,
            StreamEvent::Done(completion) => done = Some(completion),
        }
    }
    let done = done.expect("the stream finished with [DONE]");
    println!("streamed {pieces} pieces: {:?}", done.text);
    assert!(pieces > 1, "streamed in more than one piece");
    assert!(!done.text.trim().is_empty());

    let reply = provider
        .complete(&ask(
            true,
            "Reply with exactly this JSON object: {\"answer\": 4}",
        ))
        .await
        .unwrap();
    println!("JSON mode reply: {}", reply.text);
    assert!(
        serde_json::from_str::<Value>(reply.text.trim()).is_ok(),
        "JSON mode gives JSON: {}",
        reply.text
    );
    assert!(reply.usage.is_some_and(|u| u.completion_tokens > 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real llama.cpp server: scripts/test-llm.sh"]
async fn generation_through_the_app_either_serves_a_verified_question_or_rejects_it_cleanly() {
    let (base, model) = server();
    let vars = [
        ("LLM_BASE_URL", base),
        ("LLM_MODEL", model),
        ("LLM_FIRST_BYTE_TIMEOUT_SECS", "300".to_owned()),
        ("LLM_TOTAL_TIMEOUT_SECS", "900".to_owned()),
        ("LLM_MAX_RETRIES", "0".to_owned()),
        ("POOL_TARGET", "0".to_owned()),
    ];
    let app = TestApp::spawn_with(Backend::Postgres, &vars).await;
    let cookie = app.register("real-llm@example.com").await;
    for attempt in 1..=3 {
        let response = app
            .post_json(
                "/api/challenge/generate",
                &json!({"topic": "stack", "difficulty": "easy"}),
                Some(&cookie),
            )
            .await;
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        let events: Vec<Value> = body
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| serde_json::from_str(d.trim()).unwrap())
            .collect();
        let previews = events.iter().filter(|e| e["type"] == "preview").count();
        let last = events.last().expect("a final event");
        println!("attempt {attempt}: {previews} preview events, then {last}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let status = app
            .post_form("/api/challenge/ai-status", &[], Some(&cookie))
            .await
            .text()
            .await
            .unwrap();
        let used = serde_json::from_str::<Value>(&status).unwrap()["quota"]["used"]
            .as_u64()
            .unwrap();
        let stored = question::Entity::find()
            .filter(question::Column::Source.eq(QuestionSource::Ai.as_str()))
            .count(&app.test_db.db)
            .await
            .unwrap();
        match last["type"].as_str() {
            Some("done") => {
                assert_eq!(used, stored, "charged once per stored question");
                println!("a verified question was served");
                break;
            }
            Some("failed") => {
                let code = last["error"]["code"].as_str().unwrap();
                assert!(
                    ["conflict", "invalid_output", "upstream", "upstream_timeout"].contains(&code),
                    "{last}"
                );
                assert_eq!(used, stored, "a rejection is not charged");
            }
            other => panic!("unexpected final event {other:?}"),
        }
    }
    app.test_db.teardown().await;
}
