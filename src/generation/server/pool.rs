//! The instant pool: a few verified AI questions kept ready per topic × difficulty, so
//! "Generate" can answer at once. Serving takes one out (each is served once); a
//! background job (see `crate::jobs`) generates replacements until the cell is full again.
use super::pipeline::{produce, Progress, Spec};
use crate::entities::{job, pool_entry, question, topic};
use crate::error::AppError;
use crate::jobs;
use crate::state::AppState;
use crate::types::Difficulty;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const REFILL: &str = "refill_pool";

#[derive(Debug, Serialize, Deserialize)]
struct Refill {
    topic_id: i64,
    difficulty: Difficulty,
}

/// Takes one question out of the pool for this cell, if there is one. Two callers never
/// get the same question (a row lock on Postgres, a single writer on SQLite). Inside a
/// transaction the question goes back to the pool if the transaction does not commit.
pub async fn claim(
    db: &impl ConnectionTrait,
    topic_id: i64,
    difficulty: Difficulty,
) -> Result<Option<i64>, AppError> {
    let row = db
        .query_one_raw(crate::db::portable(
            db,
            "DELETE FROM pool_entries WHERE id = (SELECT id FROM pool_entries \
             WHERE topic_id = $1 AND difficulty = $2 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING question_id",
            vec![topic_id.into(), difficulty.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<i64>("", "question_id")?),
        None => None,
    })
}

pub async fn size(
    db: &DatabaseConnection,
    topic_id: i64,
    difficulty: Difficulty,
) -> Result<u64, AppError> {
    Ok(pool_entry::Entity::find()
        .filter(pool_entry::Column::TopicId.eq(topic_id))
        .filter(pool_entry::Column::Difficulty.eq(difficulty))
        .count(db)
        .await?)
}

/// Queues a refill for this cell if it is below target (at most one queued per cell).
pub async fn request_refill(state: &AppState, topic_id: i64, difficulty: Difficulty) {
    let target = u64::from(state.config.pool_target);
    if target == 0 || state.llm.is_none() {
        return;
    }
    let queued = async {
        if size(&state.db, topic_id, difficulty).await? >= target {
            return Ok(false);
        }
        let payload = serde_json::to_value(Refill {
            topic_id,
            difficulty,
        })
        .expect("payload serialises");
        jobs::enqueue(
            &state.db,
            REFILL,
            &format!("pool:{topic_id}:{}", difficulty.as_str()),
            &payload,
            chrono::Utc::now(),
        )
        .await
    }
    .await;
    match queued {
        Ok(true) => state.jobs_wake.notify_one(),
        Ok(false) => {}
        Err(err) => tracing::warn!(?err, topic_id, "could not queue a pool refill"),
    }
}

/// Adds one verified question to a cell below target; asks to run again while it still is.
/// (One question per run keeps each run well inside the job's lease.)
pub async fn refill(state: &AppState, job: &job::Model) -> Result<jobs::Next, String> {
    let Refill {
        topic_id,
        difficulty,
    } = serde_json::from_str(&job.payload).map_err(|e| format!("bad payload: {e}"))?;
    let provider = state.llm.clone().ok_or("no model configured")?;
    let db = &state.db;
    let target = u64::from(state.config.pool_target);
    let size_now = size(db, topic_id, difficulty)
        .await
        .map_err(|e| e.to_string())?;
    if size_now >= target {
        return Ok(jobs::Next::Done);
    }
    let topic = topic::Entity::find_by_id(topic_id)
        .one(db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("topic is gone")?;
    let spec = Spec {
        topic: &topic,
        difficulty,
        language: None,
        focus: None,
    };
    let verify_model = state.config.verify_model();
    let verified = produce(
        &*provider,
        verify_model,
        db,
        None,
        &spec,
        &Progress::default(),
    )
    .await
    .map_err(|e| e.to_string())?;
    store(db, verified.into_row(topic_id), difficulty)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(topic = %topic.slug, %difficulty, "pool question added");
    Ok(if size_now + 1 < target {
        jobs::Next::Again
    } else {
        jobs::Next::Done
    })
}

/// Stores a verified question and its pool entry together.
pub async fn store(
    db: &DatabaseConnection,
    question: question::ActiveModel,
    difficulty: Difficulty,
) -> Result<i64, AppError> {
    let txn = db.begin().await?;
    let stored = crate::questions::store::insert(&txn, question).await?;
    pool_entry::ActiveModel {
        question_id: Set(stored.id),
        topic_id: Set(stored.topic_id),
        difficulty: Set(difficulty),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(stored.id)
}
