//! AI question generation: a prompt shaped by the technique engine (`prompt`) → strict
//! parse (one repair round) → independent verification without the key → deduplication.
//! Only a question that passes every step is returned for storing; every model call is
//! recorded (`calls`). The first call streams, and the learner sees the title and stem as
//! they are written (never the options, key or reasoning).
use super::calls::Calls;
use super::prompt::{generation_request, verification_request};
use crate::entities::{question, topic};
use crate::error::AppError;
use crate::generation::model::{GenerationEvent, Stage};
use crate::llm::{Message, Provider};
use crate::prompting::{Engine, Request, Technique, GENERATE_QUESTION, VERIFY_ANSWER};
use crate::questions::parse::{parse_question, verified_index};
use crate::questions::schema::QuestionDraft;
use crate::questions::store::{live_bank_questions, new_row, Origin};
use crate::types::{Difficulty, Focus, Language, TopicSlug, UserId};
use sea_orm::{DatabaseConnection, QueryOrder, QuerySelect};
use tokio::sync::mpsc::UnboundedSender;

const EXAMPLES: u64 = 2;

/// What to generate.
pub struct Spec<'a> {
    pub topic: &'a topic::Model,
    pub difficulty: Difficulty,
    pub language: Option<Language>,
    pub focus: Option<&'a Focus>,
}

/// Where progress goes while generating (nowhere for background work).
#[derive(Clone, Default)]
pub struct Progress(Option<UnboundedSender<GenerationEvent>>);

impl Progress {
    pub fn to(sender: UnboundedSender<GenerationEvent>) -> Self {
        Progress(Some(sender))
    }

    pub fn stage(&self, stage: Stage) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(GenerationEvent::Stage { stage });
        }
    }

    pub(super) fn preview(&self, text: String) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(GenerationEvent::Preview { text });
        }
    }
}

/// A question that passed parsing, verification and deduplication, not yet stored.
pub struct Verified {
    pub draft: QuestionDraft,
    pub model: String,
    pub technique: String,
}

impl Verified {
    pub fn into_row(self, topic_id: i64) -> question::ActiveModel {
        let origin = Origin::Ai {
            model: self.model,
            technique: self.technique,
        };
        new_row(self.draft, topic_id, origin, chrono::Utc::now())
    }
}

/// Generates, verifies and deduplicates one question. Nothing is stored here.
pub async fn produce(
    provider: &dyn Provider,
    verify_model: Option<String>,
    db: &DatabaseConnection,
    user: Option<UserId>,
    spec: &Spec<'_>,
    progress: &Progress,
) -> Result<Verified, AppError> {
    let (topic, difficulty) = (spec.topic, spec.difficulty);
    let examples = live_bank_questions(topic.id, difficulty)
        .order_by_asc(question::Column::Id)
        .limit(EXAMPLES)
        .all(db)
        .await?;

    let engine = Engine::builtin();
    let mut plan = engine.plan(&Request {
        intent: GENERATE_QUESTION,
        difficulty: Some(difficulty),
        category: Some(&topic.category),
    });
    if examples.is_empty() {
        plan = plan.without(Technique::FewShot);
    }
    let technique = plan.label();
    let mut request = generation_request(engine, &plan, spec, &examples)?;

    progress.stage(Stage::Writing);
    let calls = Calls { provider, db, user };
    let first = calls
        .stream("generate", &technique, &request, progress)
        .await?;
    let (mut draft, model) = match parse_question(&first.text, &topic.slug, &topic.name, difficulty)
    {
        Ok(draft) => (draft, first.reply_model),
        Err(problem) => {
            // One repair round: show the model its reply and what was wrong with it.
            progress.stage(Stage::Repairing);
            request.messages.push(Message {
                role: crate::llm::Role::Assistant,
                content: first.text.chars().take(6000).collect(),
            });
            request.messages.push(Message::user(format!(
                "That reply was invalid: {problem}. Reply with only the corrected JSON object."
            )));
            let second = calls.complete("repair", &technique, &request).await?;
            let draft = parse_question(&second.text, &topic.slug, &topic.name, difficulty)
                .map_err(AppError::InvalidOutput)?;
            (draft, second.reply_model)
        }
    };
    // The model that wrote it: as the reply names it, else the one asked for.
    let model = model.unwrap_or_else(|| provider.default_model().to_owned());
    if draft.language.is_none() {
        draft.language = spec.language.map(|l| l.as_str().to_owned());
    }

    progress.stage(Stage::Verifying);
    let verify_plan = engine.plan(&Request {
        intent: VERIFY_ANSWER,
        difficulty: Some(difficulty),
        category: Some(&topic.category),
    });
    let check = calls
        .complete(
            "verify",
            &verify_plan.label(),
            &verification_request(engine, &verify_plan, &draft, verify_model)?,
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

    progress.stage(Stage::Deduplicating);
    let duplicate =
        crate::questions::fingerprint::has_duplicate(db, topic.id, &draft.stem, &draft.options)
            .await?;
    if duplicate {
        return Err(AppError::Conflict(
            "The model repeated a question we already have; try again.".into(),
        ));
    }
    Ok(Verified {
        draft,
        model,
        technique,
    })
}

/// Generates and stores one question (no learner attached): used by tests and tools.
pub async fn generate(
    provider: &dyn Provider,
    verify_model: Option<String>,
    db: &DatabaseConnection,
    user: Option<UserId>,
    topic_slug: &TopicSlug,
    difficulty: Difficulty,
) -> Result<question::Model, AppError> {
    let topic = crate::challenge::server::find_topic(db, user, topic_slug).await?;
    let spec = Spec {
        topic: &topic,
        difficulty,
        language: None,
        focus: None,
    };
    let verified = produce(
        provider,
        verify_model,
        db,
        user,
        &spec,
        &Progress::default(),
    )
    .await?;
    Ok(crate::questions::store::insert(db, verified.into_row(topic.id)).await?)
}
