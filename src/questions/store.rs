//! Questions as rows: the one place a question's columns are filled in, the one insert
//! (with its fingerprint), and the one query for a cell's live bank questions.
use super::dedup::content_hash;
use super::schema::QuestionDraft;
use crate::entities::columns::OptionList;
use crate::entities::question;
use crate::types::{Difficulty, QuestionSource};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, Select,
};

/// Where a question came from.
pub enum Origin {
    /// A curated bank question, reviewed by people.
    Bank {
        external_id: String,
        tags: Vec<String>,
    },
    /// Written by `model` with prompt `technique`, and agreed by an independent check.
    Ai { model: String, technique: String },
}

/// The row for a new (or, for the bank, updated) question.
pub fn new_row(
    draft: QuestionDraft,
    topic_id: i64,
    origin: Origin,
    now: DateTime<Utc>,
) -> question::ActiveModel {
    let (external_id, tags, source, model, technique, verification) = match origin {
        Origin::Bank { external_id, tags } => (
            Some(external_id),
            tags,
            QuestionSource::Bank,
            None,
            None,
            "curated",
        ),
        Origin::Ai { model, technique } => (
            None,
            Vec::new(),
            QuestionSource::Ai,
            Some(model),
            Some(technique),
            "agreed",
        ),
    };
    question::ActiveModel {
        external_id: Set(external_id),
        topic_id: Set(topic_id),
        difficulty: Set(draft.difficulty),
        content_hash: Set(content_hash(&draft.stem, &draft.options)),
        title: Set(draft.title),
        stem: Set(draft.stem),
        options: Set(OptionList(draft.options)),
        answer_index: Set(i16::from(draft.answer_index)),
        explanation: Set(draft.explanation),
        language: Set(draft.language),
        tags: Set(serde_json::to_string(&tags).expect("strings serialise")),
        source: Set(source),
        model: Set(model),
        verification: Set(Some(verification.to_owned())),
        retired: Set(false),
        technique: Set(technique),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Inserts a question with its duplicate-check fingerprint (inside the caller's
/// transaction, if it passes one).
pub async fn insert(
    db: &impl ConnectionTrait,
    row: question::ActiveModel,
) -> Result<question::Model, DbErr> {
    let stored = row.insert(db).await?;
    super::fingerprint::index(db, stored.id, stored.topic_id, &stored.stem, &stored.options.0)
        .await?;
    Ok(stored)
}

/// The live (not retired) bank questions of one topic and difficulty.
pub fn live_bank_questions(topic_id: i64, difficulty: Difficulty) -> Select<question::Entity> {
    question::Entity::find()
        .filter(question::Column::TopicId.eq(topic_id))
        .filter(question::Column::Difficulty.eq(difficulty))
        .filter(question::Column::Source.eq(QuestionSource::Bank))
        .filter(question::Column::Retired.eq(false))
}
