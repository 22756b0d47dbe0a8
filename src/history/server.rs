//! A user's challenges, newest first, one page at a time: one joined query of the columns
//! the page shows, one row more than a page to know whether an older page follows.
use super::model::{HistoryEntry, HistoryFilter, HistoryPageData, Outcome, Stats};
use crate::entities::{challenge, question, topic};
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, UserId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};

pub const PAGE_SIZE: u64 = 20;
/// Deep enough for 20 years of daily practice; an offset beyond it is a made-up URL.
pub const MAX_PAGE: u64 = 10_000;

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    correct: Option<bool>,
    created_at: DateTime<Utc>,
    title: String,
    difficulty: Difficulty,
    topic: String,
}

pub async fn page(
    db: &DatabaseConnection,
    user: UserId,
    page: u64,
    filter: &HistoryFilter,
    topics: Vec<crate::types::Topic>,
) -> Result<HistoryPageData, AppError> {
    if page == 0 || page > MAX_PAGE {
        return Err(AppError::invalid(
            "page",
            format!("Page must be between 1 and {MAX_PAGE}."),
        ));
    }
    let mut query = challenge::Entity::find()
        .select_only()
        .columns([
            challenge::Column::Id,
            challenge::Column::Correct,
            challenge::Column::CreatedAt,
        ])
        .column(question::Column::Title)
        .column(question::Column::Difficulty)
        .column_as(topic::Column::Name, "topic")
        .join(JoinType::InnerJoin, challenge::Relation::Question.def())
        .join(JoinType::InnerJoin, question::Relation::Topic.def())
        .filter(challenge::Column::UserId.eq(user.0));
    if let Some(slug) = &filter.topic {
        query = query.filter(topic::Column::Slug.eq(slug.as_str()));
    }
    query = match filter.outcome {
        None => query,
        Some(Outcome::Correct) => query.filter(challenge::Column::Correct.eq(true)),
        Some(Outcome::Wrong) => query.filter(challenge::Column::Correct.eq(false)),
        Some(Outcome::Unanswered) => query.filter(challenge::Column::Correct.is_null()),
    };
    let mut rows = query
        .order_by_desc(challenge::Column::CreatedAt)
        .order_by_desc(challenge::Column::Id)
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
        .into_model::<Row>()
        .all(db)
        .await?;
    let has_older = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let entries = rows
        .into_iter()
        .map(|row| HistoryEntry {
            id: ChallengeId(row.id),
            title: row.title,
            topic: row.topic,
            difficulty: row.difficulty,
            outcome: match row.correct {
                Some(true) => Outcome::Correct,
                Some(false) => Outcome::Wrong,
                None => Outcome::Unanswered,
            },
            created_at: row.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect();
    Ok(HistoryPageData {
        entries,
        page,
        has_older,
        topics,
    })
}

/// Answered and correct, in one aggregate over the user's rows (indexed by user).
pub async fn stats(db: &DatabaseConnection, user: UserId) -> Result<Stats, AppError> {
    #[derive(FromQueryResult)]
    struct Totals {
        answered: i64,
        correct: Option<i64>,
    }
    let totals = challenge::Entity::find()
        .select_only()
        .column_as(Expr::cust("COUNT(correct)"), "answered")
        .column_as(
            Expr::cust("SUM(CASE WHEN correct THEN 1 ELSE 0 END)"),
            "correct",
        )
        .filter(challenge::Column::UserId.eq(user.0))
        .into_model::<Totals>()
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    let count = |n: i64| u64::try_from(n).map_err(|_| AppError::Internal);
    Ok(Stats {
        answered: count(totals.answered)?,
        correct: count(totals.correct.unwrap_or(0))?,
    })
}
