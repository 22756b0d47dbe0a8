//! AI generation end to end against a local OpenAI-compatible upstream, on SQLite and on
//! Postgres: only verified, new questions are stored; every failure stores nothing.
use crate::common;

use common::upstream;
use promptedcode::config::LlmSettings;
use promptedcode::entities::{llm_call, question};
use promptedcode::generation::server::pipeline::generate;
use promptedcode::llm::client::OpenAiCompatible;
use promptedcode::questions::markdown::to_html;
use promptedcode::types::{Difficulty, QuestionSource};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::net::SocketAddr;

fn provider(addr: SocketAddr, mode: &str) -> OpenAiCompatible {
    OpenAiCompatible::new(LlmSettings {
        api_key: None,
        max_retries: 0,
        max_concurrency: 4,
        ..upstream::llm_settings(addr, mode)
    })
    .unwrap()
}

async fn ai_questions(db: &DatabaseConnection) -> u64 {
    question::Entity::find()
        .filter(question::Column::Source.eq(QuestionSource::Ai.as_str()))
        .count(db)
        .await
        .unwrap()
}

async fn run(
    db: &DatabaseConnection,
    addr: SocketAddr,
    mode: &str,
) -> Result<question::Model, promptedcode::error::AppError> {
    generate(
        &provider(addr, mode),
        None,
        db,
        None,
        &common::slug("stack"),
        Difficulty::Easy,
    )
    .await
}

async fn a_verified_question_is_stored_with_its_provenance(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let (addr, _up) = upstream::spawn().await;
    let stored = run(&db, addr, "good").await.unwrap();
    assert_eq!(stored.source, QuestionSource::Ai);
    assert_eq!(stored.verification.as_deref(), Some("agreed"));
    assert_eq!(
        stored.technique.as_deref(),
        Some("structured_output+few_shot")
    );
    assert_eq!(stored.model.as_deref(), Some("test-model"));
    assert_eq!(stored.answer_index, 1);
    let calls = llm_call::Entity::find()
        .order_by_asc(llm_call::Column::Id)
        .all(&db)
        .await
        .unwrap();
    let purposes: Vec<&str> = calls.iter().map(|c| c.purpose.as_str()).collect();
    assert_eq!(purposes, ["generate", "verify"]);
    // The streamed generator call counts its tokens too (it asked for a usage chunk).
    assert!(calls
        .iter()
        .all(|c| c.prompt_tokens == 42 && c.completion_tokens == 17));
    // The model asked for and the model the reply named are kept apart.
    assert!(calls
        .iter()
        .all(|c| c.model == "good" && c.reply_model.as_deref() == Some("test-model")));
}

async fn a_repeated_question_is_rejected_as_a_duplicate(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let (addr, _up) = upstream::spawn().await;
    run(&db, addr, "good").await.unwrap();
    let err = run(&db, addr, "good").await.unwrap_err();
    assert_eq!(err.status(), 409, "{err:?}");
    assert_eq!(ai_questions(&db).await, 1);
}

async fn a_wrong_key_is_caught_by_verification(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let (addr, _up) = upstream::spawn().await;
    let err = run(&db, addr, "wrong-key").await.unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(err.to_string().contains("different answer"), "{err}");
    assert_eq!(ai_questions(&db).await, 0);
}

async fn invalid_output_gets_one_repair_round(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let (addr, up) = upstream::spawn().await;
    let err = run(&db, addr, "invalid").await.unwrap_err();
    assert_eq!(err.status(), 422);
    assert_eq!(up.hits("invalid"), 2, "the first reply and one repair");
    assert_eq!(ai_questions(&db).await, 0);

    let repaired = run(&db, addr, "repairable").await.unwrap();
    assert_eq!(repaired.source, QuestionSource::Ai);
    assert_eq!(up.hits("repairable"), 3, "reply, repair, verification");
}

async fn hostile_markup_is_stored_as_text_and_rendered_safely(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let (addr, _up) = upstream::spawn().await;
    let stored = run(&db, addr, "html").await.unwrap();
    let html = to_html(&stored.explanation);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

async fn upstream_failures_store_nothing(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let (addr, _up) = upstream::spawn().await;
    let err = run(&db, addr, "error500").await.unwrap_err();
    assert_eq!(err.status(), 502);
    let err = run(&db, addr, "slow").await.unwrap_err();
    assert_eq!(err.status(), 504);
    assert_eq!(ai_questions(&db).await, 0);
    let outcomes: Vec<String> = llm_call::Entity::find()
        .order_by_asc(llm_call::Column::Id)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.outcome)
        .collect();
    assert_eq!(outcomes, ["unavailable", "timeout"]);
}

on_both_backends!(
    a_verified_question_is_stored_with_its_provenance,
    a_repeated_question_is_rejected_as_a_duplicate,
    a_wrong_key_is_caught_by_verification,
    invalid_output_gets_one_repair_round,
    hostile_markup_is_stored_as_text_and_rendered_safely,
    upstream_failures_store_nothing,
);
