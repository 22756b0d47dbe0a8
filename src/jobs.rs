//! A small database-backed job queue. On Postgres a job is claimed with
//! `FOR UPDATE SKIP LOCKED`, so several app instances can share the queue and two workers
//! never take the same job; SQLite (the single-instance default) serialises writers, so the
//! same single `UPDATE … RETURNING` is enough there. Jobs live in the `jobs` table, so they
//! survive restarts: a job whose worker died is taken again once its lease runs out.
//! A failed job is retried with exponential backoff until `max_attempts`. An attempt is
//! counted when the job is claimed, so a job whose worker keeps dying (a crash loop) also
//! ends `failed` once its attempts are used up, instead of being taken again forever.
use crate::db::portable;
use crate::entities::job;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    UpdateMany,
};
use std::sync::Arc;
use tokio::sync::Notify;

/// Where a job is in its life; stored as its `as_str` word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

crate::types::parse_by_name!(JobState, "job state");
const MAX_ATTEMPTS: i32 = 5;

/// Queues a job unless one with the same key is already queued or running.
/// Returns whether a job was added.
pub async fn enqueue(
    db: &DatabaseConnection,
    kind: &str,
    dedup_key: &str,
    payload: &serde_json::Value,
    run_at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let now = Utc::now();
    let result = db
        .execute_raw(portable(
            db,
            "INSERT INTO jobs (kind, dedup_key, payload, state, attempts, max_attempts, run_at, created_at, updated_at) \
             VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            vec![
                kind.into(),
                dedup_key.into(),
                payload.to_string().into(),
                MAX_ATTEMPTS.into(),
                run_at.into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Marks failed the jobs whose worker died (lease over) on their last attempt.
pub async fn fail_abandoned(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let done = db
        .execute_raw(portable(
            db,
            "UPDATE jobs SET state = 'failed', locked_by = NULL, locked_until = NULL, \
             last_error = 'its worker stopped before finishing, on the last attempt', \
             updated_at = $1 \
             WHERE state = 'running' AND locked_until < $2 AND attempts >= max_attempts",
            vec![now.into(), now.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}

/// Takes the next due job (or one whose worker's lease ran out, while it has attempts
/// left) for `worker`, counting the attempt.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Option<job::Model>, AppError> {
    fail_abandoned(db, now).await?;
    let claimed = job::Model::find_by_statement(portable(
        db,
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, \
         locked_until = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs \
                     WHERE (state = 'queued' AND run_at <= $4) \
                        OR (state = 'running' AND locked_until < $5 \
                            AND attempts < max_attempts) \
                     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
        vec![
            worker.into(),
            (now + lease).into(),
            now.into(),
            now.into(),
            now.into(),
        ],
    ))
    .one(db)
    .await?;
    Ok(claimed)
}

/// Removes a finished job, if `worker` still holds it.
pub async fn complete(db: &DatabaseConnection, job: &job::Model) -> Result<(), AppError> {
    job::Entity::delete_many()
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockedBy.eq(job.locked_by.clone()))
        .exec(db)
        .await?;
    Ok(())
}

/// Seconds to wait before attempt `attempts + 1`: 5, 10, 20 … up to 10 minutes.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((5_i64 << exp).min(600))
}

/// The update that hands a job `worker` holds back to the queue (or to `state`), unlocked.
fn release(
    job: &job::Model,
    state: JobState,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> UpdateMany<job::Entity> {
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(state))
        .col_expr(job::Column::RunAt, Expr::value(run_at))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::LockedBy.eq(job.locked_by.clone()))
}

/// Puts a failed job back in the queue with backoff, or marks it failed for good.
pub async fn retry_or_fail(
    db: &DatabaseConnection,
    job: &job::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let state = if job.attempts >= job.max_attempts {
        JobState::Failed
    } else {
        JobState::Queued
    };
    let error: String = error.chars().take(2000).collect();
    release(job, state, now + backoff(job.attempts), now)
        .col_expr(job::Column::LastError, Expr::value(error))
        .exec(db)
        .await?;
    Ok(())
}

/// What a job run asks for next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Done,
    /// More of the same work is due: queue the job again now (short runs keep leases honest).
    Again,
    /// A recurring job: queue it again for this time, with fresh attempts.
    At(DateTime<Utc>),
}

pub type Handler =
    Arc<dyn Fn(job::Model) -> BoxFuture<'static, Result<Next, String>> + Send + Sync>;

/// Puts a job `worker` holds back in the queue, due at `run_at`, with a fresh attempt count.
pub async fn requeue(
    db: &DatabaseConnection,
    job: &job::Model,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    release(job, JobState::Queued, run_at, now)
        .col_expr(job::Column::Attempts, Expr::value(0))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Clone)]
pub struct WorkerSettings {
    /// How long a claimed job is ours; longer than any job takes.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs (it is also woken by `wake`).
    pub poll: std::time::Duration,
}

/// Runs jobs one at a time until the task is dropped.
pub fn spawn_worker(
    db: DatabaseConnection,
    handler: Handler,
    wake: Arc<Notify>,
    settings: WorkerSettings,
) -> tokio::task::JoinHandle<()> {
    let worker = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
    tokio::spawn(async move {
        loop {
            match claim(&db, &worker, settings.lease, Utc::now()).await {
                Ok(Some(job)) => {
                    tracing::info!(job = job.id, kind = %job.kind, attempt = job.attempts, "job started");
                    // Its own task, so a panicking job is a failed job, not a dead worker.
                    let outcome = match tokio::spawn(handler(job.clone())).await {
                        Ok(outcome) => outcome,
                        Err(panic) => Err(format!("job panicked: {panic}")),
                    };
                    let recorded = match &outcome {
                        Ok(Next::Done) => complete(&db, &job).await,
                        Ok(Next::Again) => requeue(&db, &job, Utc::now(), Utc::now()).await,
                        Ok(Next::At(run_at)) => requeue(&db, &job, *run_at, Utc::now()).await,
                        Err(error) => {
                            tracing::warn!(job = job.id, kind = %job.kind, %error, "job failed");
                            retry_or_fail(&db, &job, error, Utc::now()).await
                        }
                    };
                    if recorded.is_err() {
                        tokio::time::sleep(settings.poll).await;
                    }
                }
                Ok(None) => {
                    tokio::select! {
                        _ = wake.notified() => {}
                        _ = tokio::time::sleep(settings.poll) => {}
                    }
                }
                Err(_) => tokio::time::sleep(settings.poll).await,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::seconds(600));
    }
}
