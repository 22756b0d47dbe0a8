//! The daily generation quota on SQLite and Postgres: the limit holds exactly, resets at
//! local midnight (in the learner's IANA zone, daylight saving and a change of zone
//! included), refunds failures, and concurrent requests cannot overspend.

use chrono::{Duration, TimeZone, Utc};
use promptedcode::clock::LocalClock;
use promptedcode::error::AppError;
use promptedcode::generation::server::quota::{
    end_run, refund, reserve, start_run, used_on, DailyLimits,
};
use promptedcode::types::UserId;
use sea_orm::DatabaseConnection;

/// A quota of `quota` with the default attempt cap (three times as many).
fn limits(quota: u32) -> DailyLimits {
    DailyLimits {
        quota,
        attempts: 3 * quota,
    }
}

async fn user(db: &DatabaseConnection) -> UserId {
    crate::common::register_user(db, "quota@example.com", "correct horse battery", "")
        .await
        .unwrap()
        .id
}

async fn the_fiftieth_succeeds_and_the_fifty_first_is_429(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::named("Etc/GMT-2").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 20, 0, 0).unwrap(); // 22:00 local
    for n in 1..=50u32 {
        let reservation = reserve(&db, user, clock, now, limits(50)).await.unwrap();
        assert_eq!(reservation.remaining, 50 - n);
    }
    let err = reserve(&db, user, clock, now, limits(50))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::QuotaExhausted {
            limit: 50,
            retry_after_secs: 2 * 3600
        }
    );
    assert_eq!(err.status(), 429);
    assert_eq!(
        err.to_string(),
        "You have used all 50 AI questions for today. More at your local midnight, in 2 h 0 min; \
         bank questions are still available."
    );
    assert_eq!(
        used_on(&db, user, "2026-11-22").await.unwrap().0,
        50,
        "the refused call charged nothing"
    );
}

async fn the_next_local_day_starts_afresh(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::named("Etc/GMT+5").unwrap();
    let evening = Utc.with_ymd_and_hms(2026, 11, 23, 4, 59, 0).unwrap(); // 23:59 on the 22nd in UTC-5
    for _ in 0..3 {
        reserve(&db, user, clock, evening, limits(3)).await.unwrap();
    }
    assert!(reserve(&db, user, clock, evening, limits(3)).await.is_err());
    let after_midnight = reserve(&db, user, clock, evening + Duration::minutes(2), limits(3))
        .await
        .unwrap();
    assert_eq!(after_midnight.day, "2026-11-23");
    assert_eq!(after_midnight.remaining, 2);
}

async fn refunds_undo_a_reservation_and_never_go_negative(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::UTC;
    let now = Utc::now();
    let reservation = reserve(&db, user, clock, now, limits(5)).await.unwrap();
    let day = &reservation.day;
    assert_eq!(used_on(&db, user, day).await.unwrap().0, 1);
    refund(&db, &reservation).await.unwrap();
    assert_eq!(used_on(&db, user, day).await.unwrap().0, 0);
    refund(&db, &reservation).await.unwrap();
    assert_eq!(used_on(&db, user, day).await.unwrap().0, 0);
}

async fn concurrent_requests_cannot_overspend(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::UTC;
    let now = Utc::now();
    let attempts: Vec<_> = (0..25)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { reserve(&db, user, clock, now, limits(10)).await })
        })
        .collect();
    let mut granted = 0;
    let mut refused = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => granted += 1,
            Err(AppError::QuotaExhausted { .. }) => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((granted, refused), (10, 15));
    assert_eq!(
        used_on(&db, user, &clock.day(now)).await.unwrap().1,
        10,
        "refused requests are not attempts"
    );
    assert_eq!(used_on(&db, user, &clock.day(now)).await.unwrap().0, 10);
}

async fn refunded_attempts_still_count_against_the_attempt_cap(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::UTC;
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap();
    let caps = DailyLimits {
        quota: 5,
        attempts: 4,
    };
    // Start and cancel (refund) four times: nothing charged, every try counted.
    for _ in 0..4 {
        let reservation = reserve(&db, user, clock, now, caps).await.unwrap();
        refund(&db, &reservation).await.unwrap();
    }
    assert_eq!(used_on(&db, user, &clock.day(now)).await.unwrap(), (0, 4));
    let err = reserve(&db, user, clock, now, caps).await.unwrap_err();
    assert_eq!(
        err,
        AppError::AttemptsExhausted {
            limit: 4,
            retry_after_secs: 6 * 3600
        }
    );
    assert_eq!(err.status(), 429);
    assert!(err.to_string().contains("failed and cancelled"), "{err}");
    // The next local day starts afresh.
    assert!(reserve(&db, user, clock, now + Duration::hours(7), caps)
        .await
        .is_ok());
}

async fn one_generation_at_a_time_with_a_lease(db: DatabaseConnection) {
    let user = user(&db).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap();
    let until = now + Duration::minutes(7);
    assert!(start_run(&db, user, now, until).await.unwrap());
    assert!(
        !start_run(&db, user, now, until + Duration::seconds(1))
            .await
            .unwrap(),
        "a second run waits for the first"
    );
    end_run(&db, user, until).await.unwrap();
    let second = until + Duration::seconds(5);
    assert!(start_run(&db, user, now, second).await.unwrap());
    // A run whose instance died frees the user once its lease is over.
    let later = second + Duration::seconds(1);
    assert!(start_run(&db, user, later, later + Duration::minutes(7))
        .await
        .unwrap());
    // The stale run ending late does not end the new one.
    end_run(&db, user, second).await.unwrap();
    assert!(!start_run(&db, user, later, later).await.unwrap());
}

/// The quota's day follows the learner's zone across a change of the clocks and a change
/// of zone: in Berlin the day the clocks go forward is 23 hours long (it ends at 22:00
/// UTC, not 23:00), and after moving to New York the quota resets at New York's midnight.
async fn the_day_follows_daylight_saving_and_a_change_of_zone(db: DatabaseConnection) {
    let user = user(&db).await;
    let berlin = LocalClock::named("Europe/Berlin").unwrap();
    // 23:00 CEST on 29 March 2026, the day Berlin's clocks went from 02:00 to 03:00.
    let late = Utc.with_ymd_and_hms(2026, 3, 29, 21, 0, 0).unwrap();
    for _ in 0..2 {
        reserve(&db, user, berlin, late, limits(2)).await.unwrap();
    }
    let err = reserve(&db, user, berlin, late, limits(2))
        .await
        .unwrap_err();
    assert_eq!(
        err.retry_after_secs(),
        Some(3600),
        "midnight is 22:00 UTC in summer time (a fixed +1 would say 2 h)"
    );
    let next_day = reserve(&db, user, berlin, late + Duration::minutes(61), limits(2))
        .await
        .unwrap();
    assert_eq!(next_day.day, "2026-03-30");

    // Moved to New York at 17:30 EDT on the 29th: still the 29th there, used up, and
    // the reset is New York's midnight (04:00 UTC on the 30th).
    let new_york = LocalClock::named("America/New_York").unwrap();
    let moved = Utc.with_ymd_and_hms(2026, 3, 29, 21, 30, 0).unwrap();
    let err = reserve(&db, user, new_york, moved, limits(2))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after_secs(), Some(6 * 3600 + 30 * 60));
    let after = Utc.with_ymd_and_hms(2026, 3, 30, 4, 1, 0).unwrap();
    let fresh = reserve(&db, user, new_york, after, limits(2))
        .await
        .unwrap();
    assert_eq!(fresh.day, "2026-03-30");
}

on_both_backends!(
    the_day_follows_daylight_saving_and_a_change_of_zone,
    refunded_attempts_still_count_against_the_attempt_cap,
    one_generation_at_a_time_with_a_lease,
    the_fiftieth_succeeds_and_the_fifty_first_is_429,
    the_next_local_day_starts_afresh,
    refunds_undo_a_reservation_and_never_go_negative,
    concurrent_requests_cannot_overspend,
);
