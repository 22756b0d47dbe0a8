//! The daily AI-generation quota, reset at the user's local midnight. A generation first
//! reserves one unit with a conditional update (so concurrent requests cannot overspend)
//! and gives it back if the generation fails: failures are never charged. Every start also
//! counts as an attempt, never given back, under a second daily cap: refunds keep the
//! learner whole, the attempt cap keeps the model's cost bounded (start, cancel, repeat).
//! And one generation per user runs at a time, marked on the user's row with a lease.
use crate::clock::LocalClock;
use crate::entities::{quota_usage, user};
use crate::error::AppError;
use crate::types::UserId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// One reserved unit: kept by the caller until the generation succeeds or is refunded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub user: UserId,
    /// The user's local day the unit was taken from, YYYY-MM-DD.
    pub day: String,
    /// Units left that day after this one.
    pub remaining: u32,
}

/// A user's daily caps.
#[derive(Clone, Copy, Debug)]
pub struct DailyLimits {
    /// Questions charged.
    pub quota: u32,
    /// Generations started, charged or not.
    pub attempts: u32,
}

/// Reserves one unit of today's quota and counts the attempt, or fails with 429 (which
/// cap, and the time until the reset).
pub async fn reserve(
    db: &DatabaseConnection,
    user: UserId,
    clock: LocalClock,
    now: DateTime<Utc>,
    limits: DailyLimits,
) -> Result<Reservation, AppError> {
    let day = clock.day(now);
    // One statement creates the day's row or takes a unit from it, only below both caps,
    // and reports what is used: concurrent requests cannot overspend.
    let taken = db
        .query_one_raw(crate::db::portable(
            db,
            "INSERT INTO quota_usage (user_id, day, used, attempts) VALUES ($1, $2, 1, 1) \
             ON CONFLICT (user_id, day) DO UPDATE \
             SET used = quota_usage.used + 1, attempts = quota_usage.attempts + 1 \
             WHERE quota_usage.used < $3 AND quota_usage.attempts < $4 \
             RETURNING used",
            vec![
                user.0.into(),
                day.clone().into(),
                (limits.quota as i32).into(),
                (limits.attempts as i32).into(),
            ],
        ))
        .await?;
    let Some(row) = taken else {
        let retry_after_secs = clock.seconds_to_midnight(now);
        let row = quota_usage::Entity::find_by_id((user.0, day))
            .one(db)
            .await?;
        let quota_used_up = row.is_none_or(|r| r.used >= limits.quota as i32);
        return Err(if quota_used_up {
            AppError::QuotaExhausted {
                limit: limits.quota,
                retry_after_secs,
            }
        } else {
            AppError::AttemptsExhausted {
                limit: limits.attempts,
                retry_after_secs,
            }
        });
    };
    let used: i32 = row.try_get("", "used")?;
    Ok(Reservation {
        user,
        day,
        remaining: limits.quota.saturating_sub(Ord::max(used, 0) as u32),
    })
}

/// Gives back a reserved unit after a failed, cancelled or rejected generation.
pub async fn refund(db: &DatabaseConnection, reservation: &Reservation) -> Result<(), AppError> {
    quota_usage::Entity::update_many()
        .col_expr(
            quota_usage::Column::Used,
            ExprTrait::sub(Expr::col(quota_usage::Column::Used), 1),
        )
        .filter(quota_usage::Column::UserId.eq(reservation.user.0))
        .filter(quota_usage::Column::Day.eq(reservation.day.as_str()))
        .filter(quota_usage::Column::Used.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Questions charged and generations started on `day`.
pub async fn used_on(
    db: &DatabaseConnection,
    user: UserId,
    day: &str,
) -> Result<(u32, u32), AppError> {
    Ok(quota_usage::Entity::find_by_id((user.0, day.to_owned()))
        .one(db)
        .await?
        .map(|row| {
            (
                Ord::max(row.used, 0) as u32,
                Ord::max(row.attempts, 0) as u32,
            )
        })
        .unwrap_or((0, 0)))
}

/// Marks a generation of `user` in flight until `until` (a lease, whole seconds), unless
/// one already is: `false` then.
pub async fn start_run(
    db: &DatabaseConnection,
    user: UserId,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = user::Entity::update_many()
        .col_expr(user::Column::GeneratingUntil, Expr::value(Some(until)))
        .filter(user::Column::Id.eq(user.0))
        .filter(
            user::Column::GeneratingUntil
                .is_null()
                .or(user::Column::GeneratingUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Ends the run started with this `until` (a later run, after its lease ran out, is not
/// touched).
pub async fn end_run(
    db: &DatabaseConnection,
    user: UserId,
    until: DateTime<Utc>,
) -> Result<(), AppError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::GeneratingUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(user.0))
        .filter(user::Column::GeneratingUntil.eq(until))
        .exec(db)
        .await?;
    Ok(())
}
