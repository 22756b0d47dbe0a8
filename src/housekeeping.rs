//! A recurring job on the shared queue: deletes sessions past their lifetime or idle
//! timeout, and rate-limit counters long over. The queue's dedup key keeps one such job
//! for all instances together.
use crate::auth::server::accounts::{self, SessionPolicy};
use crate::error::AppError;
use crate::jobs::{self, Next};
use crate::state::AppState;
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

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
    let flows = crate::auth::server::external::flow::delete_expired(&state.db, now).await?;
    // A replayed webhook message older than its 5-minute window is refused by its
    // timestamp, so its id need not be kept long.
    let webhook_ids = crate::entities::webhook_event::Entity::delete_many()
        .filter(crate::entities::webhook_event::Column::ReceivedAt.lte(now - Duration::days(1)))
        .exec(&state.db)
        .await?
        .rows_affected;
    tracing::info!(sessions, counters, flows, webhook_ids, "housekeeping: removed expired rows");
    Ok(Next::At(now + EVERY))
}
