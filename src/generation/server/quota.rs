//! The daily AI-generation quota, reset at the user's local midnight. A generation first
//! reserves one unit with a conditional update (so concurrent requests cannot overspend)
//! and gives it back if the generation fails: failures are never charged. Every start also
//! counts as an attempt, never given back, under a second daily cap: refunds keep the
//! learner whole, the attempt cap keeps the model's cost bounded (start, cancel, repeat).
//! And one generation per user runs at a time, marked on the user's row with a lease.
use crate::entities::{quota_usage, user};
use crate::error::AppError;
use crate::types::UserId;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// A user's local clock, as an offset from UTC.
#[derive(Clone, Copy, Debug)]
pub struct LocalClock {
    offset: FixedOffset,
}

impl LocalClock {
    /// `minutes_east` of UTC, within ±14 h.
    pub fn new(minutes_east: i32) -> Result<Self, AppError> {
        FixedOffset::east_opt(minutes_east * 60)
            .filter(|_| minutes_east.abs() <= 14 * 60)
            .map(|offset| LocalClock { offset })
            .ok_or_else(|| AppError::invalid("timezone", "Unknown time-zone offset."))
    }

    /// The clock of a learner's stored offset: one out of range is a corrupt row (logged).
    pub fn stored(minutes_east: i32, user: UserId) -> Result<Self, AppError> {
        LocalClock::new(minutes_east).map_err(|_| {
            tracing::error!(
                user = user.0,
                offset = minutes_east,
                "stored UTC offset out of range"
            );
            AppError::Internal
        })
    }

    pub fn minutes_east(&self) -> i32 {
        self.offset.local_minus_utc() / 60
    }

    pub fn day(&self, now: DateTime<Utc>) -> String {
        now.with_timezone(&self.offset)
            .format("%Y-%m-%d")
            .to_string()
    }

    /// The local day around `now`: its first instant and the next day's, in UTC.
    pub fn day_bounds(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let local = now.with_timezone(&self.offset);
        let midnight = local
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists");
        let start =
            (midnight - Duration::seconds(i64::from(self.offset.local_minus_utc()))).and_utc();
        (start, start + Duration::days(1))
    }

    /// Seconds until the next local midnight (at least 1).
    pub fn seconds_to_midnight(&self, now: DateTime<Utc>) -> u64 {
        let local = now.with_timezone(&self.offset);
        let next = (local.date_naive() + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists");
        let secs = (next - local.naive_local()).num_seconds();
        Ord::max(secs, 1) as u64
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn local_day_and_reset_follow_the_offset() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        let utc = LocalClock::new(0).unwrap();
        assert_eq!(utc.day(now), "2026-11-22");
        assert_eq!(utc.seconds_to_midnight(now), 30 * 60);
        let tokyo = LocalClock::new(9 * 60).unwrap();
        assert_eq!(tokyo.day(now), "2026-11-23");
        assert_eq!(tokyo.seconds_to_midnight(now), 15 * 3600 + 30 * 60);
        let new_york = LocalClock::new(-5 * 60).unwrap();
        assert_eq!(new_york.day(now), "2026-11-22");
        assert_eq!(new_york.seconds_to_midnight(now), 5 * 3600 + 30 * 60);
        assert!(LocalClock::new(15 * 60).is_err());
    }
}
