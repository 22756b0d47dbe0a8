//! A user's challenges, newest first, one page at a time.
use super::{HistoryEntry, HistoryPage, Outcome, Stats};
use crate::entities::{challenge, question, topic};
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, UserId};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;

pub const PAGE_SIZE: u64 = 20;

pub async fn page(
    db: &DatabaseConnection,
    user: UserId,
    page: u64,
) -> Result<HistoryPage, AppError> {
    if page == 0 || page > 100_000 {
        return Err(AppError::invalid("page", "Page must be 1 or more."));
    }
    let paginator = challenge::Entity::find()
        .filter(challenge::Column::UserId.eq(user.0))
        .order_by_desc(challenge::Column::CreatedAt)
        .order_by_desc(challenge::Column::Id)
        .paginate(db, PAGE_SIZE);
    let totals = paginator.num_items_and_pages().await?;
    let rows = paginator.fetch_page(page - 1).await?;

    let question_ids: Vec<i64> = rows.iter().map(|c| c.question_id).collect();
    let questions: HashMap<i64, question::Model> = question::Entity::find()
        .filter(question::Column::Id.is_in(question_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|q| (q.id, q))
        .collect();
    let topic_ids: Vec<i64> = questions.values().map(|q| q.topic_id).collect();
    let topics: HashMap<i64, String> = topic::Entity::find()
        .filter(topic::Column::Id.is_in(topic_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();

    let entries = rows
        .into_iter()
        .filter_map(|c| {
            let q = questions.get(&c.question_id)?;
            Some(HistoryEntry {
                id: ChallengeId(c.id),
                title: q.title.clone(),
                topic: topics.get(&q.topic_id).cloned().unwrap_or_default(),
                difficulty: q.difficulty.parse().unwrap_or(Difficulty::Medium),
                outcome: match c.correct {
                    Some(true) => Outcome::Correct,
                    Some(false) => Outcome::Wrong,
                    None => Outcome::Unanswered,
                },
                created_at: c.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
        })
        .collect();
    Ok(HistoryPage {
        entries,
        page,
        total_pages: totals.number_of_pages.max(1),
        total: totals.number_of_items,
    })
}

pub async fn stats(db: &DatabaseConnection, user: UserId) -> Result<Stats, AppError> {
    let answered = challenge::Entity::find()
        .filter(challenge::Column::UserId.eq(user.0))
        .filter(challenge::Column::Correct.is_not_null())
        .count(db)
        .await?;
    let correct = challenge::Entity::find()
        .filter(challenge::Column::UserId.eq(user.0))
        .filter(challenge::Column::Correct.eq(true))
        .count(db)
        .await?;
    Ok(Stats { answered, correct })
}
