//! The job queue and the instant pool on SQLite and on Postgres: keys, exclusive claims
//! under concurrency, restarts, leases, backoff.
use crate::common;
use promptedcode::auth::server::accounts::Device;

use chrono::{Duration, Utc};
use promptedcode::entities::{job, question, topic};
use promptedcode::generation::server::pool;
use promptedcode::jobs::{self, JobState};
use promptedcode::types::Difficulty;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use std::collections::HashSet;

async fn enqueue(db: &DatabaseConnection, key: &str) -> bool {
    jobs::enqueue(db, "test", key, &json!({ "key": key }), Utc::now())
        .await
        .unwrap()
}

async fn one_key_is_queued_once_until_done(db: DatabaseConnection) {
    assert!(enqueue(&db, "a").await);
    assert!(!enqueue(&db, "a").await, "same key while queued");
    assert!(enqueue(&db, "b").await);
    let first = jobs::claim(&db, "w1", Duration::minutes(5), Utc::now())
        .await
        .unwrap()
        .expect("a due job");
    assert_eq!(first.payload, json!({"key": first.dedup_key}).to_string());
    assert_eq!(first.attempts, 1);
    assert!(
        !enqueue(&db, &first.dedup_key).await,
        "same key while running"
    );
    jobs::complete(&db, &first).await.unwrap();
    assert!(enqueue(&db, &first.dedup_key).await, "free again once done");
    assert_eq!(job::Entity::find().all(&db).await.unwrap().len(), 2);
}

async fn concurrent_workers_never_take_the_same_job(db: DatabaseConnection) {
    for i in 0..40 {
        assert!(enqueue(&db, &format!("job-{i}")).await);
    }
    let mut workers = Vec::new();
    for w in 0..8 {
        let db = db.clone();
        workers.push(tokio::spawn(async move {
            let mut taken = Vec::new();
            while let Some(job) =
                jobs::claim(&db, &format!("w{w}"), Duration::minutes(5), Utc::now())
                    .await
                    .unwrap()
            {
                taken.push(job.id);
            }
            taken
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 40, "every job taken once: {all:?}");
    assert_eq!(unique.len(), 40);
}

async fn jobs_survive_a_restart_and_dead_workers_lose_their_lease(db: DatabaseConnection) {
    assert!(enqueue(&db, "survivor").await);
    assert!(enqueue(&db, "orphan").await);
    let now = Utc::now();
    let orphan = jobs::claim(&db, "crashed", Duration::minutes(5), now)
        .await
        .unwrap()
        .unwrap();
    // "Restart": a new worker on the same database finds the queued job; the one the
    // crashed worker held is taken again only once its lease has run out.
    let next = jobs::claim(&db, "fresh", Duration::minutes(5), now)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(next.id, orphan.id);
    assert!(jobs::claim(&db, "fresh", Duration::minutes(5), now)
        .await
        .unwrap()
        .is_none());
    let later = now + Duration::minutes(6);
    let retaken = jobs::claim(&db, "fresh", Duration::minutes(5), later)
        .await
        .unwrap()
        .expect("expired lease is taken again");
    assert_eq!(retaken.id, orphan.id);
    assert_eq!(retaken.locked_by.as_deref(), Some("fresh"));
    assert_eq!(retaken.attempts, 2);
    // The crashed worker can no longer complete a job it lost.
    jobs::complete(&db, &orphan).await.unwrap();
    assert!(job::Entity::find_by_id(orphan.id)
        .one(&db)
        .await
        .unwrap()
        .is_some());
}

async fn failures_back_off_then_give_up(db: DatabaseConnection) {
    assert!(enqueue(&db, "flaky").await);
    let mut now = Utc::now();
    for attempt in 1..=5 {
        let job = jobs::claim(&db, "w", Duration::minutes(5), now)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("attempt {attempt} is due"));
        assert_eq!(job.attempts, attempt);
        jobs::retry_or_fail(&db, &job, "upstream said no", now)
            .await
            .unwrap();
        let stored = job::Entity::find_by_id(job.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        if attempt < 5 {
            assert_eq!(stored.state, JobState::Queued);
            assert!(
                jobs::claim(&db, "w", Duration::minutes(5), now)
                    .await
                    .unwrap()
                    .is_none(),
                "not due before its backoff"
            );
            now += jobs::backoff(attempt) + Duration::seconds(1);
        } else {
            assert_eq!(stored.state, JobState::Failed);
            assert_eq!(stored.last_error.as_deref(), Some("upstream said no"));
        }
    }
    assert!(
        jobs::claim(&db, "w", Duration::minutes(5), now + Duration::hours(1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(enqueue(&db, "flaky").await, "a failed job frees its key");
}

async fn pool_questions_are_served_once(db: DatabaseConnection) {
    common::load_bank(&db).await;
    let stack = topic::Entity::find()
        .filter(topic::Column::Slug.eq("stack"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    // Three bank questions stand in for verified AI questions in the pool.
    let some = question::Entity::find()
        .filter(question::Column::TopicId.eq(stack.id))
        .all(&db)
        .await
        .unwrap();
    for q in some.iter().take(3) {
        let mut copy: question::ActiveModel = q.clone().into();
        copy.id = sea_orm::ActiveValue::NotSet;
        copy.external_id = sea_orm::ActiveValue::Set(None);
        copy.content_hash = sea_orm::ActiveValue::Set(format!("pool-{}", q.id));
        pool::store(&db, copy, Difficulty::Easy).await.unwrap();
    }
    assert_eq!(
        pool::size(&db, stack.id, Difficulty::Easy).await.unwrap(),
        3
    );
    let mut claims = Vec::new();
    for _ in 0..10 {
        let db = db.clone();
        let topic_id = stack.id;
        claims.push(tokio::spawn(async move {
            pool::claim(&db, topic_id, Difficulty::Easy).await.unwrap()
        }));
    }
    let mut served = Vec::new();
    for claim in claims {
        if let Some(id) = claim.await.unwrap() {
            served.push(id);
        }
    }
    let unique: HashSet<i64> = served.iter().copied().collect();
    assert_eq!(served.len(), 3, "{served:?}");
    assert_eq!(unique.len(), 3);
    assert_eq!(
        pool::size(&db, stack.id, Difficulty::Easy).await.unwrap(),
        0
    );
    assert_eq!(
        pool::size(&db, stack.id, Difficulty::Hard).await.unwrap(),
        0,
        "cells are separate"
    );
}

async fn a_job_whose_worker_keeps_dying_ends_failed(db: DatabaseConnection) {
    assert!(enqueue(&db, "crash-loop").await);
    let lease = Duration::minutes(5);
    let mut now = Utc::now();
    let mut claims = 0;
    // Each worker claims the job and dies with it (never completes, never fails it).
    while let Some(job) = jobs::claim(&db, &format!("doomed-{claims}"), lease, now)
        .await
        .unwrap()
    {
        claims += 1;
        assert_eq!(job.attempts, claims, "the attempt is counted at the claim");
        assert!(claims <= 10, "claimed forever");
        now += lease + Duration::seconds(1);
    }
    let job = job::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(claims, job.max_attempts);
    assert_eq!(job.state, JobState::Failed);
    assert!(job.last_error.unwrap().contains("worker stopped"));
    assert!(job.locked_by.is_none());
    // A failed job leaves its key free for a new one.
    assert!(enqueue(&db, "crash-loop").await);
}

async fn housekeeping_removes_expired_sessions_and_old_counters(db: DatabaseConnection) {
    use promptedcode::auth::server::accounts;
    use promptedcode::entities::session;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, PaginatorTrait};
    let user = common::register_user(&db, "tidy@example.com", "correct horse battery", "")
        .await
        .unwrap();
    let policy = accounts::SessionPolicy {
        ttl: Duration::days(30),
        idle: Duration::days(7),
    };
    let now = Utc::now();
    let live = accounts::create_session(&db, user.id, policy, &Device::unknown())
        .await
        .unwrap();
    for (expires, seen) in [
        (now - Duration::seconds(1), now), // past its lifetime
        (now + Duration::days(20), now - Duration::days(8)), // idle too long
    ] {
        let token = accounts::create_session(&db, user.id, policy, &Device::unknown())
            .await
            .unwrap();
        let mut row: session::ActiveModel =
            session::Entity::find_by_id(accounts::hash_token(&token))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .into();
        row.expires_at = Set(expires);
        row.last_seen_at = Set(seen);
        row.update(&db).await.unwrap();
    }
    db.execute_unprepared(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ('old', 0, 3), ('fresh', 9999999999, 1)",
    )
    .await
    .unwrap();
    // Registration made one session too (live).
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 4);
    assert_eq!(
        accounts::delete_expired_sessions(&db, policy, now)
            .await
            .unwrap(),
        2
    );
    assert!(accounts::user_for_session(&db, &live, policy)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        promptedcode::security::rate_limit::forget_old(&db, now.timestamp())
            .await
            .unwrap(),
        1
    );
}

on_both_backends!(
    a_job_whose_worker_keeps_dying_ends_failed,
    housekeeping_removes_expired_sessions_and_old_counters,
    one_key_is_queued_once_until_done,
    concurrent_workers_never_take_the_same_job,
    jobs_survive_a_restart_and_dead_workers_lose_their_lease,
    failures_back_off_then_give_up,
    pool_questions_are_served_once,
);
