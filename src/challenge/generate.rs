//! AI question generation: prompt → strict parse (one repair round) → independent
//! verification without the key → deduplication → store. Only a question that passes
//! every step is stored; every model call is recorded with its technique and tokens.
use crate::entities::{llm_call, question, topic};
use crate::error::AppError;
use crate::llm::parse::{parse_question, trim_code_fence};
use crate::llm::{ChatRequest, Completion, LlmError, Message, Provider};
use crate::questions::dedup::{
    content_hash, fingerprint_text, shingles, similarity, NEAR_DUPLICATE,
};
use crate::questions::schema::QuestionDraft;
use crate::types::{Difficulty, QuestionSource, UserId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// Structured output (a JSON schema in the prompt) with few-shot bank examples.
pub const TECHNIQUE: &str = "structured_output+few_shot";
const VERIFY_TECHNIQUE: &str = "zero_shot_solve";
const EXAMPLES: u64 = 2;

const SCHEMA: &str = r#"{"title": string (5-200 chars), "stem": markdown (10-4000 chars, code in fenced blocks with a language tag), "options": [4 distinct strings], "answer_index": 0-3, "explanation": markdown (20-4000 chars: why the key is right and why the most tempting wrong option is wrong), "topic": string, "difficulty": "easy"|"medium"|"hard", "language": string or omitted}"#;

fn example_json(q: &question::Model, topic: &topic::Model) -> String {
    serde_json::json!({
        "title": q.title,
        "stem": q.stem,
        "options": q.option_list(),
        "answer_index": q.answer_index,
        "explanation": q.explanation,
        "topic": topic.slug,
        "difficulty": q.difficulty,
    })
    .to_string()
}

fn generation_request(
    topic: &topic::Model,
    difficulty: Difficulty,
    examples: &[question::Model],
) -> ChatRequest {
    let mut system = format!(
        "You write multiple-choice questions for coding-interview practice. Reply with one JSON \
         object and nothing else, matching exactly this schema:\n{SCHEMA}\nExactly one option is correct."
    );
    for (i, example) in examples.iter().enumerate() {
        system.push_str(&format!(
            "\n\nExample {}:\n{}",
            i + 1,
            example_json(example, topic)
        ));
    }
    ChatRequest {
        model: None,
        messages: vec![
            Message::system(system),
            Message::user(format!(
                "Write one new {} question on the topic \"{}\" (topic field: \"{}\"). It must differ from the examples.",
                difficulty.as_str(),
                topic.name,
                topic.slug
            )),
        ],
        json: true,
        temperature: 0.7,
        max_tokens: 1500,
    }
}

fn verification_request(draft: &QuestionDraft, model: Option<String>) -> ChatRequest {
    let options: String = draft
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| format!("{i}: {o}\n"))
        .collect();
    ChatRequest {
        model,
        messages: vec![
            Message::system(
                "You are checking a multiple-choice question. Work it out carefully, then reply \
                 with only a JSON object {\"answer_index\": n} where n (0-3) is the correct option.",
            ),
            Message::user(format!("Question:\n{}\n\nOptions:\n{options}", draft.stem)),
        ],
        json: true,
        temperature: 0.0,
        max_tokens: 600,
    }
}

fn verified_index(text: &str) -> Option<u8> {
    let value: serde_json::Value = serde_json::from_str(trim_code_fence(text)).ok()?;
    let n = value.get("answer_index")?.as_u64()?;
    (n <= 3).then_some(n as u8)
}

async fn record(
    db: &DatabaseConnection,
    user: Option<UserId>,
    purpose: &str,
    technique: &str,
    completion: Option<&Completion>,
    fallback_model: &str,
    outcome: &str,
) -> Result<(), AppError> {
    let usage = completion.and_then(|c| c.usage).unwrap_or_default();
    llm_call::ActiveModel {
        user_id: Set(user.map(|u| u.0)),
        purpose: Set(purpose.to_owned()),
        model: Set(completion
            .map(|c| c.model.clone())
            .unwrap_or_else(|| fallback_model.to_owned())),
        technique: Set(technique.to_owned()),
        prompt_tokens: Set(usage.prompt_tokens as i32),
        completion_tokens: Set(usage.completion_tokens as i32),
        outcome: Set(outcome.to_owned()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Calls the model and records the call, whatever the outcome.
async fn call(
    provider: &dyn Provider,
    db: &DatabaseConnection,
    user: Option<UserId>,
    purpose: &str,
    technique: &str,
    request: &ChatRequest,
) -> Result<Completion, AppError> {
    let model = request
        .model
        .clone()
        .unwrap_or_else(|| provider.default_model().to_owned());
    match provider.complete(request).await {
        Ok(completion) => {
            record(
                db,
                user,
                purpose,
                technique,
                Some(&completion),
                &model,
                "ok",
            )
            .await?;
            Ok(completion)
        }
        Err(err) => {
            let outcome = match &err {
                LlmError::Timeout(_) => "timeout",
                LlmError::RateLimited { .. } => "rate_limited",
                LlmError::Unavailable(_) => "unavailable",
                LlmError::InvalidOutput(_) => "invalid",
            };
            record(db, user, purpose, technique, None, &model, outcome).await?;
            Err(err.into())
        }
    }
}

/// Generates, verifies, deduplicates and stores one question. Nothing is stored unless
/// every step passes.
pub async fn generate(
    provider: &dyn Provider,
    verify_model: Option<String>,
    db: &DatabaseConnection,
    user: Option<UserId>,
    topic_slug: &str,
    difficulty: Difficulty,
) -> Result<question::Model, AppError> {
    let topic = super::service::find_topic(db, topic_slug).await?;
    let examples = question::Entity::find()
        .filter(question::Column::TopicId.eq(topic.id))
        .filter(question::Column::Difficulty.eq(difficulty.as_str()))
        .filter(question::Column::Source.eq(QuestionSource::Bank.as_str()))
        .filter(question::Column::Retired.eq(false))
        .order_by_asc(question::Column::Id)
        .limit(EXAMPLES)
        .all(db)
        .await?;

    let mut request = generation_request(&topic, difficulty, &examples);
    let first = call(provider, db, user, "generate", TECHNIQUE, &request).await?;
    let (draft, model) = match parse_question(&first.text, &topic.slug, &topic.name, difficulty) {
        Ok(draft) => (draft, first.model),
        Err(problem) => {
            // One repair round: show the model its reply and what was wrong with it.
            request.messages.push(Message {
                role: crate::llm::Role::Assistant,
                content: first.text.chars().take(6000).collect(),
            });
            request.messages.push(Message::user(format!(
                "That reply was invalid: {problem}. Reply with only the corrected JSON object."
            )));
            let second = call(provider, db, user, "repair", TECHNIQUE, &request).await?;
            let draft = parse_question(&second.text, &topic.slug, &topic.name, difficulty)
                .map_err(AppError::InvalidOutput)?;
            (draft, second.model)
        }
    };

    let check = call(
        provider,
        db,
        user,
        "verify",
        VERIFY_TECHNIQUE,
        &verification_request(&draft, verify_model),
    )
    .await?;
    match verified_index(&check.text) {
        Some(index) if index == draft.answer_index => {}
        Some(_) => {
            return Err(AppError::InvalidOutput(
                "an independent check reached a different answer, so the question was discarded"
                    .into(),
            ))
        }
        None => {
            return Err(AppError::InvalidOutput(
                "the independent check gave no usable answer, so the question was discarded".into(),
            ))
        }
    }

    let hash = content_hash(&draft.stem, &draft.options);
    let existing = question::Entity::find()
        .filter(question::Column::TopicId.eq(topic.id))
        .all(db)
        .await?;
    let new_print = shingles(&fingerprint_text(&draft.stem, &draft.options));
    let duplicate = existing.iter().any(|q| {
        q.content_hash == hash
            || similarity(
                &new_print,
                &shingles(&fingerprint_text(&q.stem, &q.option_list())),
            ) >= NEAR_DUPLICATE
    });
    if duplicate {
        return Err(AppError::Conflict(
            "The model repeated a question we already have; try again.".into(),
        ));
    }

    let now = chrono::Utc::now();
    let stored = question::ActiveModel {
        external_id: Set(None),
        topic_id: Set(topic.id),
        difficulty: Set(difficulty.as_str().to_owned()),
        title: Set(draft.title),
        stem: Set(draft.stem),
        options: Set(serde_json::to_string(&draft.options).expect("strings serialise")),
        answer_index: Set(i16::from(draft.answer_index)),
        explanation: Set(draft.explanation),
        language: Set(draft.language),
        tags: Set("[]".to_owned()),
        source: Set(QuestionSource::Ai.as_str().to_owned()),
        content_hash: Set(hash),
        model: Set(Some(model)),
        verification: Set(Some("agreed".to_owned())),
        retired: Set(false),
        technique: Set(Some(TECHNIQUE.to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(stored)
}
