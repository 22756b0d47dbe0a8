//! Notes on the server, each scoped to its writer; a note can be written only on a
//! question the learner can see (the bank's, or one of their own topics').
use super::model::{Editing, Note, NoteBody};
use crate::db::portable;
use crate::entities::note;
use crate::error::AppError;
use crate::types::{QuestionId, UserId};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// Notes listed on one page at most (the newest).
pub const LIST_LIMIT: u64 = 500;

/// Writes (or rewrites) the learner's note on a question.
pub async fn save(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
    body: &NoteBody,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    crate::review::server::visible_question(db, user, question).await?;
    db.execute_raw(portable(
        db,
        "INSERT INTO notes (user_id, question_id, body, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, question_id) DO UPDATE SET body = excluded.body, \
           updated_at = excluded.updated_at",
        vec![
            user.0.into(),
            question.0.into(),
            body.as_str().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Deletes the learner's note on a question (nothing to delete is not an error).
pub async fn delete(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
) -> Result<(), AppError> {
    // Another learner's question is "not found", as it is when writing a note.
    crate::review::server::visible_question(db, user, question).await?;
    note::Entity::delete_many()
        .filter(note::Column::UserId.eq(user.0))
        .filter(note::Column::QuestionId.eq(question.0))
        .exec(db)
        .await?;
    Ok(())
}

/// The learner's notes on these questions, by question id.
pub async fn bodies_of(
    db: &impl ConnectionTrait,
    user: UserId,
    questions: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(note::Entity::find()
        .filter(note::Column::UserId.eq(user.0))
        .filter(note::Column::QuestionId.is_in(questions))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.question_id, n.body))
        .collect())
}

/// The learner's notes, newest first, with their questions' titles and topics.
pub async fn list(
    db: &DatabaseConnection,
    user: UserId,
    clock: &crate::clock::LocalClock,
) -> Result<Vec<Note>, AppError> {
    let rows = db
        .query_all_raw(portable(
            db,
            "SELECT n.question_id, q.title, t.name, n.body, n.updated_at \
             FROM notes n JOIN questions q ON q.id = n.question_id JOIN topics t ON t.id = q.topic_id \
             WHERE n.user_id = $1 ORDER BY n.updated_at DESC, n.question_id DESC LIMIT $2",
            vec![user.0.into(), (LIST_LIMIT as i64).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Note {
                question: QuestionId(row.try_get_by_index(0)?),
                title: row.try_get_by_index(1)?,
                topic: row.try_get_by_index(2)?,
                body: row.try_get_by_index(3)?,
                updated: clock.minutes(row.try_get_by_index(4)?),
            })
        })
        .collect()
}

/// The question to write a note on, with the learner's note if they have one.
pub async fn editing(
    db: &DatabaseConnection,
    user: UserId,
    question: QuestionId,
    clock: &crate::clock::LocalClock,
) -> Result<Editing, AppError> {
    let (q, topic) = crate::review::server::visible_question(db, user, question).await?;
    let existing = note::Entity::find_by_id((user.0, question.0))
        .one(db)
        .await?;
    let in_review = !crate::review::server::carded(db, user, vec![question.0])
        .await?
        .is_empty();
    let note = Note {
        question,
        title: q.title,
        topic: topic.name,
        updated: existing
            .as_ref()
            .map(|n| clock.minutes(n.updated_at))
            .unwrap_or_default(),
        body: existing.map(|n| n.body).unwrap_or_default(),
    };
    Ok(Editing { note, in_review })
}
