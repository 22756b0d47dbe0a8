//! A user's challenges, newest first, one page at a time: one joined query of the columns
//! the page shows, one row more than a page to know whether an older page follows. The
//! statement is written out (not built per request) and its rows are read by position.
use super::model::{HistoryEntry, HistoryFilter, HistoryPageData, Outcome, Stats};
use crate::clock::LocalClock;
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, UserId};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement, Value};

pub const PAGE_SIZE: u64 = 20;
/// Deep enough for 20 years of daily practice; an offset beyond it is a made-up URL.
pub const MAX_PAGE: u64 = 10_000;

/// The page's columns, read by position (`history_sql`'s order).
const ID: usize = 0;
const CORRECT: usize = 1;
const CREATED_AT: usize = 2;
const TITLE: usize = 3;
const DIFFICULTY: usize = 4;
const TOPIC: usize = 5;
const QUIZ: usize = 6;

pub async fn page(
    db: &DatabaseConnection,
    user: UserId,
    page: u64,
    filter: &HistoryFilter,
    topics: Vec<crate::types::Topic>,
    clock: &LocalClock,
) -> Result<HistoryPageData, AppError> {
    if page == 0 || page > MAX_PAGE {
        return Err(AppError::invalid(
            "page",
            format!("Page must be between 1 and {MAX_PAGE}."),
        ));
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = vec![user.0.into()];
    if let Some(slug) = &filter.topic {
        values.push(slug.as_str().into());
    }
    if let Some(difficulty) = filter.difficulty {
        values.push(difficulty.as_str().into());
    }
    if let Some(search) = &filter.search {
        values.push(match backend {
            sea_orm::DbBackend::Postgres => search.as_str().to_owned().into(),
            _ => like_pattern(search.as_str()).into(),
        });
    }
    // Both below page bounds, so the casts cannot wrap.
    values.push(((PAGE_SIZE + 1) as i64).into());
    values.push((((page - 1) * PAGE_SIZE) as i64).into());
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            history_sql(filter, backend),
            values,
        ))
        .await?;
    let has_older = rows.len() as u64 > PAGE_SIZE;
    let entries = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|row| {
            let correct: Option<bool> = row.try_get_by_index(CORRECT)?;
            let created_at: DateTime<Utc> = row.try_get_by_index(CREATED_AT)?;
            Ok(HistoryEntry {
                id: ChallengeId(row.try_get_by_index(ID)?),
                title: row.try_get_by_index(TITLE)?,
                topic: row.try_get_by_index(TOPIC)?,
                difficulty: row.try_get_by_index::<Difficulty>(DIFFICULTY)?,
                outcome: match correct {
                    Some(true) => Outcome::Correct,
                    Some(false) => Outcome::Wrong,
                    None => Outcome::Unanswered,
                },
                created_at: clock.minutes(created_at),
                quiz: row
                    .try_get_by_index::<Option<i64>>(QUIZ)?
                    .map(crate::types::QuizId),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(HistoryPageData {
        entries,
        page,
        has_older,
        topics,
    })
}

/// `%text%` for `LIKE … ESCAPE '\'`, the text's own `%`, `_` and `\` taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// One statement per filter shape (each prepared once per connection): `$1` the user, then
/// the topic slug, the difficulty and the search, each when filtered by it, then limit and
/// offset. The search is Postgres full-text search (English stemming) over the question's
/// title and text; SQLite has no such thing here, so it is a case-insensitive `LIKE`.
fn history_sql(filter: &HistoryFilter, backend: sea_orm::DbBackend) -> String {
    let mut sql = String::from(
        "SELECT c.id, c.correct, c.created_at, q.title, q.difficulty, t.name, c.quiz_id \
         FROM challenges c \
         JOIN questions q ON q.id = c.question_id \
         JOIN topics t ON t.id = q.topic_id \
         WHERE c.user_id = $1",
    );
    let mut next = 2;
    if filter.topic.is_some() {
        sql.push_str(&format!(" AND t.slug = ${next}"));
        next += 1;
    }
    if filter.difficulty.is_some() {
        sql.push_str(&format!(" AND q.difficulty = ${next}"));
        next += 1;
    }
    if filter.search.is_some() {
        sql.push_str(&match backend {
            // `q.search` is the stored `to_tsvector('english', title || ' ' || stem)`.
            sea_orm::DbBackend::Postgres => {
                format!(" AND q.search @@ plainto_tsquery('english', ${next})")
            }
            _ => format!(" AND (q.title || ' ' || q.stem) LIKE ${next} ESCAPE '\\'"),
        });
        next += 1;
    }
    sql.push_str(match filter.asked_in {
        None => "",
        Some(super::model::AskedIn::Challenge) => " AND c.quiz_id IS NULL",
        Some(super::model::AskedIn::Quiz) => " AND c.quiz_id IS NOT NULL",
    });
    sql.push_str(match filter.outcome {
        None => "",
        Some(Outcome::Correct) => " AND c.correct = TRUE",
        Some(Outcome::Wrong) => " AND c.correct = FALSE",
        Some(Outcome::Unanswered) => " AND c.correct IS NULL",
    });
    sql.push_str(&format!(
        " ORDER BY c.created_at DESC, c.id DESC LIMIT ${next} OFFSET ${}",
        next + 1
    ));
    sql
}

/// Answered and correct, in one aggregate over the user's rows (indexed by user), and
/// the reviews due today from the same statement.
pub async fn stats(
    db: &DatabaseConnection,
    user: UserId,
    day: crate::review::server::Day,
    new_per_day: u32,
) -> Result<Stats, AppError> {
    use crate::review::server::{counts_from, COUNTS_COLUMNS};
    let row = db
        .query_one_raw(crate::db::portable(
            db,
            &format!(
                "SELECT COUNT(correct), SUM(CASE WHEN correct THEN 1 ELSE 0 END), {COUNTS_COLUMNS} \
                 FROM challenges WHERE user_id = $1"
            ),
            vec![user.0.into(), day.end.into(), day.start.into()],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    let count = |n: i64| u64::try_from(n).map_err(|_| AppError::Internal);
    let answered: i64 = row.try_get_by_index(0)?;
    let correct: Option<i64> = row.try_get_by_index(1)?;
    Ok(Stats {
        answered: count(answered)?,
        correct: count(correct.unwrap_or(0))?,
        reviews_due: u64::from(counts_from(&row, 2)?.due(new_per_day)),
    })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn a_search_is_taken_literally() {
        assert_eq!(like_pattern("O(n)"), "%O(n)%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
