//! The admin figures, counted by the database in one statement.
use super::model::AdminOverview;
use crate::db::portable;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub async fn overview(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<AdminOverview, AppError> {
    let (week, day) = (now - Duration::days(7), now - Duration::days(1));
    let row = db
        .query_one_raw(portable(
            db,
            "SELECT \
               (SELECT COUNT(*) FROM users), \
               (SELECT COUNT(*) FROM users WHERE role = 'admin'), \
               (SELECT COUNT(*) FROM users WHERE created_at >= $1), \
               (SELECT COUNT(*) FROM user_identities), \
               (SELECT COUNT(*) FROM questions WHERE source = 'bank' AND NOT retired), \
               (SELECT COUNT(*) FROM questions WHERE source = 'ai' AND NOT retired), \
               (SELECT COUNT(*) FROM questions WHERE retired), \
               (SELECT COUNT(*) FROM challenges WHERE answered_at >= $2), \
               (SELECT COUNT(*) FROM llm_calls WHERE created_at >= $3), \
               (SELECT COUNT(*) FROM llm_calls WHERE created_at >= $4 AND outcome <> 'ok'), \
               (SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM llm_calls \
                  WHERE created_at >= $5)",
            vec![week.into(), day.into(), day.into(), day.into(), day.into()],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    let at = |i: usize| row.try_get_by_index::<i64>(i);
    Ok(AdminOverview {
        users: at(0)?,
        admins: at(1)?,
        users_new_this_week: at(2)?,
        provider_logins: at(3)?,
        bank_questions: at(4)?,
        ai_questions: at(5)?,
        retired_questions: at(6)?,
        answers_last_day: at(7)?,
        model_calls_last_day: at(8)?,
        model_calls_failed_last_day: at(9)?,
        tokens_last_day: at(10)?,
    })
}
