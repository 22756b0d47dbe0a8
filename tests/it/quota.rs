//! The daily generation quota on SQLite and Postgres: the limit holds exactly, resets at
//! local midnight, refunds failures, and concurrent requests cannot overspend.

use chrono::{Duration, TimeZone, Utc};
use promptedcode::auth::server::accounts::register;
use promptedcode::error::AppError;
use promptedcode::generation::server::quota::{refund, reserve, used_on, LocalClock};
use promptedcode::types::UserId;
use sea_orm::DatabaseConnection;

async fn user(db: &DatabaseConnection) -> UserId {
    register(db, "quota@example.com", "correct horse battery", "")
        .await
        .unwrap()
        .id
}

async fn the_fiftieth_succeeds_and_the_fifty_first_is_429(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::new(120).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 20, 0, 0).unwrap(); // 22:00 local
    for n in 1..=50u32 {
        let reservation = reserve(&db, user, clock, now, 50).await.unwrap();
        assert_eq!(reservation.remaining, 50 - n);
    }
    let err = reserve(&db, user, clock, now, 50).await.unwrap_err();
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
        used_on(&db, user, "2026-11-22").await.unwrap(),
        50,
        "the refused call charged nothing"
    );
}

async fn the_next_local_day_starts_afresh(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::new(-300).unwrap();
    let evening = Utc.with_ymd_and_hms(2026, 11, 23, 4, 59, 0).unwrap(); // 23:59 on the 22nd in UTC-5
    for _ in 0..3 {
        reserve(&db, user, clock, evening, 3).await.unwrap();
    }
    assert!(reserve(&db, user, clock, evening, 3).await.is_err());
    let after_midnight = reserve(&db, user, clock, evening + Duration::minutes(2), 3)
        .await
        .unwrap();
    assert_eq!(after_midnight.day, "2026-11-23");
    assert_eq!(after_midnight.remaining, 2);
}

async fn refunds_undo_a_reservation_and_never_go_negative(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::new(0).unwrap();
    let now = Utc::now();
    let reservation = reserve(&db, user, clock, now, 5).await.unwrap();
    let day = &reservation.day;
    assert_eq!(used_on(&db, user, day).await.unwrap(), 1);
    refund(&db, &reservation).await.unwrap();
    assert_eq!(used_on(&db, user, day).await.unwrap(), 0);
    refund(&db, &reservation).await.unwrap();
    assert_eq!(used_on(&db, user, day).await.unwrap(), 0);
}

async fn concurrent_requests_cannot_overspend(db: DatabaseConnection) {
    let user = user(&db).await;
    let clock = LocalClock::new(0).unwrap();
    let now = Utc::now();
    let attempts: Vec<_> = (0..25)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { reserve(&db, user, clock, now, 10).await })
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
    assert_eq!(used_on(&db, user, &clock.day(now)).await.unwrap(), 10);
}

on_both_backends!(
    the_fiftieth_succeeds_and_the_fifty_first_is_429,
    the_next_local_day_starts_afresh,
    refunds_undo_a_reservation_and_never_go_negative,
    concurrent_requests_cannot_overspend,
);
