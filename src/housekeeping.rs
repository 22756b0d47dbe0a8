//! A recurring job on the shared queue: deletes sessions past their lifetime or idle
//! timeout, and rate-limit counters long over. The queue's dedup key keeps one such job
//! for all instances together.
use crate::auth::server::accounts::{self, SessionPolicy};
use crate::error::AppError;
use crate::jobs::{self, Next};
use crate::state::AppState;
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

pub const KIND: &str = "housekeeping";
const EVERY: Duration = Duration::hours(1);

/// Queues the first run (no-op when one is already queued or running).
pub async fn schedule(db: &DatabaseConnection) -> Result<(), AppError> {
    jobs::enqueue(db, KIND, KIND, &serde_json::json!({}), Utc::now()).await?;
    Ok(())
}

/// One run; returns when the next is due.
pub async fn run(state: &AppState) -> Result<Next, AppError> {
    let now = Utc::now();
    let sessions =
        accounts::delete_expired_sessions(&state.db, SessionPolicy::of(&state.config), now)
            .await?;
    let counters =
        crate::security::rate_limit::forget_old(&state.db, now.timestamp()).await?;
    tracing::info!(sessions, counters, "housekeeping: removed expired rows");
    Ok(Next::At(now + EVERY))
}
