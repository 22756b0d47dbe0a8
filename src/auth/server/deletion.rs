//! Deleting an account: every row of the user, in one transaction (all or nothing).
//!
//! Most tables go with the user by `ON DELETE CASCADE` (sessions, challenges, quizzes and
//! their items, topic settings, own topics, review cards and logs, notes, quota days,
//! identities, flows). What does not is deleted first: the questions written for the
//! user's own topics (and the rows that point at them), their model calls (no foreign
//! key), and the rate-limit counters named after the account.
use crate::db::portable;
use crate::entities::user;
use crate::error::AppError;
use crate::types::UserId;
use sea_orm::{ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait};

const OWN_QUESTIONS: &str =
    "SELECT q.id FROM questions q JOIN topics t ON t.id = q.topic_id WHERE t.owner_id = $1";

/// Deletes `user` and everything of theirs; `NotFound` when there is no such account.
pub async fn delete_account(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: UserId,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let account = user::Entity::find_by_id(user.0)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("Account".into()))?;
    let id = user.0;
    for sql in [
        format!("DELETE FROM challenges WHERE question_id IN ({OWN_QUESTIONS})"),
        format!("DELETE FROM quiz_items WHERE question_id IN ({OWN_QUESTIONS})"),
        format!("DELETE FROM questions WHERE id IN ({OWN_QUESTIONS})"),
        "DELETE FROM llm_calls WHERE user_id = $1".to_owned(),
    ] {
        txn.execute_raw(portable(&txn, &sql, vec![id.into()]))
            .await?;
    }
    let counters = [
        crate::security::rate_limit::sign_in::key(&account.email),
        format!("generate:user:{id}"),
    ];
    for key in counters {
        txn.execute_raw(portable(
            &txn,
            "DELETE FROM rate_limits WHERE key = $1",
            vec![key.into()],
        ))
        .await?;
    }
    user::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    tracing::info!(user = id, "account deleted");
    Ok(())
}
