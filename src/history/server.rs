//! A user's challenges, newest first, one page at a time: a count and one joined query.
use super::model::{HistoryEntry, HistoryPageData, Outcome, Stats};
use crate::entities::{challenge, question, topic};
use crate::error::AppError;
use crate::types::{ChallengeId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

pub const PAGE_SIZE: u64 = 20;

pub async fn page(
    db: &DatabaseConnection,
    user: UserId,
    page: u64,
) -> Result<HistoryPageData, AppError> {
    if page == 0 || page > 100_000 {
        return Err(AppError::invalid("page", "Page must be 1 or more."));
    }
    let mine = || challenge::Entity::find().filter(challenge::Column::UserId.eq(user.0));
    let total = mine().count(db).await?;
    let rows = mine()
        .find_also_related(question::Entity)
        .and_also_related(topic::Entity)
        .order_by_desc(challenge::Column::CreatedAt)
        .order_by_desc(challenge::Column::Id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .all(db)
        .await?;
    let entries = rows
        .into_iter()
        .map(|row| match row {
            (c, Some(q), Some(t)) => Ok(HistoryEntry {
                id: ChallengeId(c.id),
                title: q.title,
                topic: t.name,
                difficulty: q.difficulty,
                outcome: match c.correct {
                    Some(true) => Outcome::Correct,
                    Some(false) => Outcome::Wrong,
                    None => Outcome::Unanswered,
                },
                created_at: c.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            }),
            (c, _, _) => {
                tracing::error!(challenge = c.id, "challenge without its question or topic");
                Err(AppError::Internal)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HistoryPageData {
        entries,
        page,
        total_pages: total.div_ceil(PAGE_SIZE).max(1),
        total,
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
