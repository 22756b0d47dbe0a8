//! Quizzes: composition, answers, the server's clock, pauses and the time limit, on SQLite
//! and on Postgres. Times are the `now` the service is given, so a test can move the clock.
use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{load_bank, new_user, slug};
use promptedcode::challenge::server as challenges;
use promptedcode::entities::{challenge, question, quiz, quiz_item, topic};
use promptedcode::error::AppError;
use promptedcode::quiz::model::{QuizKind, QuizView};
use promptedcode::quiz::server::{self as quizzes, NewQuiz};
use promptedcode::topics::server as topics;
use promptedcode::types::{ChallengeId, Difficulty, Priority, QuizId, UserId};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::collections::HashSet;

fn t0() -> DateTime<Utc> {
    "2026-12-02T09:00:00Z".parse().unwrap()
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

async fn items(db: &DatabaseConnection, id: QuizId) -> Vec<quiz_item::Model> {
    quiz_item::Entity::find()
        .filter(quiz_item::Column::QuizId.eq(id.0))
        .order_by_asc(quiz_item::Column::Position)
        .all(db)
        .await
        .unwrap()
}

/// The topic slug of each question of the quiz, in order.
async fn topic_slugs(db: &DatabaseConnection, id: QuizId) -> Vec<String> {
    let mut slugs = Vec::new();
    for item in items(db, id).await {
        let (_, topic) = question::Entity::find_by_id(item.question_id)
            .find_also_related(topic::Entity)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        slugs.push(topic.unwrap().slug);
    }
    slugs
}

async fn key_of(db: &DatabaseConnection, id: QuizId, position: i16) -> u8 {
    let item = quiz_item::Entity::find_by_id((id.0, position))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    question::Entity::find_by_id(item.question_id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .answer_index as u8
}

fn topic_quiz(
    topic: &str,
    difficulty: Option<Difficulty>,
    count: u16,
    minutes: Option<u16>,
) -> NewQuiz {
    NewQuiz::Topic {
        topic: slug(topic),
        difficulty,
        count,
        minutes,
    }
}

async fn only_topics_on(db: &DatabaseConnection, user: UserId, on: &[(&str, u8)]) {
    for topic in topics::list(db, user).await.unwrap() {
        let wanted = on.iter().find(|(s, _)| *s == topic.slug.as_str());
        let priority = Priority::try_from(wanted.map_or(3, |(_, p)| *p)).unwrap();
        topics::save_setting(db, user, &topic.slug, priority, wanted.is_some())
            .await
            .unwrap();
    }
}

async fn daily_quiz_follows_priorities_and_is_made_once_a_day(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    only_topics_on(&db, ann, &[("stack", 4), ("sql", 5)]).await;
    let daily = quizzes::create(&db, ann, NewQuiz::Daily, t0())
        .await
        .unwrap();
    // Two active topics, a goal of five: round after round, highest priority first.
    assert_eq!(
        topic_slugs(&db, daily).await,
        ["sql", "stack", "sql", "stack", "sql"]
    );
    let again = quizzes::create(&db, ann, NewQuiz::Daily, t0() + secs(3600 * 8))
        .await
        .unwrap();
    assert_eq!(again, daily, "same local day, same quiz");
    let tomorrow = quizzes::create(&db, ann, NewQuiz::Daily, t0() + secs(86_400))
        .await
        .unwrap();
    assert_ne!(tomorrow, daily);
    let first: HashSet<i64> = items(&db, daily)
        .await
        .iter()
        .map(|i| i.question_id)
        .collect();
    let second: HashSet<i64> = items(&db, tomorrow)
        .await
        .iter()
        .map(|i| i.question_id)
        .collect();
    assert!(first.is_disjoint(&second), "unseen questions first");

    // Many active topics: one question each, the five of highest priority.
    let bob = new_user(&db, "bob@example.com").await;
    only_topics_on(
        &db,
        bob,
        &[
            ("sql", 1),
            ("stack", 5),
            ("graphs", 4),
            ("trees", 2),
            ("heaps", 3),
            ("tries", 5),
        ],
    )
    .await;
    let daily = quizzes::create(&db, bob, NewQuiz::Daily, t0())
        .await
        .unwrap();
    assert_eq!(
        topic_slugs(&db, daily).await,
        ["stack", "tries", "graphs", "heaps", "trees"]
    );

    // Nothing active: a clear refusal, nothing written.
    let cy = new_user(&db, "cy@example.com").await;
    only_topics_on(&db, cy, &[]).await;
    let err = quizzes::create(&db, cy, NewQuiz::Daily, t0())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(
        quiz::Entity::find()
            .filter(quiz::Column::UserId.eq(cy.0))
            .count(&db)
            .await
            .unwrap(),
        0
    );
}

async fn a_topic_quiz_takes_unseen_questions_and_never_one_twice(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let mut seen = HashSet::new();
    for difficulty in Difficulty::ALL {
        for _ in 0..3 {
            let view = challenges::next_challenge(&db, ann, &slug("stack"), difficulty)
                .await
                .unwrap();
            let row = challenge::Entity::find_by_id(view.id.0)
                .one(&db)
                .await
                .unwrap()
                .unwrap();
            seen.insert(row.question_id);
        }
    }
    let total = question::Entity::find()
        .filter(question::Column::TopicId.eq(topic_id(&db, "stack").await))
        .count(&db)
        .await
        .unwrap() as usize;
    let unseen = total - seen.len();
    let id = quizzes::create(
        &db,
        ann,
        topic_quiz("stack", None, unseen as u16, None),
        t0(),
    )
    .await
    .unwrap();
    let picked: Vec<i64> = items(&db, id).await.iter().map(|i| i.question_id).collect();
    assert_eq!(picked.len(), unseen);
    assert!(picked.iter().all(|q| !seen.contains(q)), "only unseen ones");
    // The whole topic: the unseen come first, and no question twice.
    let all = quizzes::create(
        &db,
        ann,
        topic_quiz("stack", None, total as u16, None),
        t0(),
    )
    .await;
    let all = match all {
        Ok(id) => id,
        Err(AppError::Invalid(_)) => return, // topic larger than a quiz may be
        Err(other) => panic!("{other:?}"),
    };
    let picked: Vec<i64> = items(&db, all)
        .await
        .iter()
        .map(|i| i.question_id)
        .collect();
    assert_eq!(
        picked.iter().collect::<HashSet<_>>().len(),
        picked.len(),
        "no repeats"
    );
    // Asking for more than the cell has is refused with the count, nothing written.
    let before = quiz::Entity::find().count(&db).await.unwrap();
    let err = quizzes::create(
        &db,
        ann,
        topic_quiz("stack", Some(Difficulty::Easy), 50, None),
        t0(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("only")),
        "{err:?}"
    );
    assert_eq!(quiz::Entity::find().count(&db).await.unwrap(), before);
}

async fn topic_id(db: &DatabaseConnection, slug: &str) -> i64 {
    topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn answers_count_once_and_one_tab_wins(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let id = quizzes::create(&db, ann, topic_quiz("sql", None, 5, None), t0())
        .await
        .unwrap();
    let view = quizzes::view(&db, ann, id, t0()).await.unwrap();
    assert_eq!(view.question.as_ref().unwrap().position, 0);
    let key = key_of(&db, id, 0).await;
    let first = quizzes::answer(&db, ann, id, 0, key, t0() + secs(5))
        .await
        .unwrap();
    assert!(first.reveal.as_ref().unwrap().correct);
    // The same answer again (a double click, a retry): the same result, counted once.
    let again = quizzes::answer(&db, ann, id, 0, key, t0() + secs(9))
        .await
        .unwrap();
    assert_eq!(again, first);
    let other = (key + 1) % 4;
    let err = quizzes::answer(&db, ann, id, 0, other, t0() + secs(9))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let stored = &items(&db, id).await[0];
    assert_eq!(
        (stored.chosen_index, stored.time_ms),
        (Some(i16::from(key)), Some(5_000))
    );

    // Two tabs answer question 2 at once with different options: exactly one counts.
    quizzes::view(&db, ann, id, t0() + secs(10)).await.unwrap();
    let (a, b) = tokio::join!(
        quizzes::answer(&db, ann, id, 1, 0, t0() + secs(12)),
        quizzes::answer(&db, ann, id, 1, 1, t0() + secs(12)),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let row = quiz::Entity::find_by_id(id.0)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.position, 2);
    // Answering ahead of the question on screen, or out of range, is refused.
    let err = quizzes::answer(&db, ann, id, 3, 0, t0() + secs(13))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let err = quizzes::answer(&db, ann, id, 5, 0, t0() + secs(13))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("position"));
    let err = quizzes::answer(&db, ann, id, 2, 4, t0() + secs(13))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("choice"));

    // Someone else's quiz, or none: not found, nothing changed.
    let bob = new_user(&db, "bob@example.com").await;
    for probe in [id, QuizId(id.0 + 1000)] {
        assert_eq!(
            quizzes::view(&db, bob, probe, t0()).await.unwrap_err(),
            AppError::NotFound("Quiz".into())
        );
        assert_eq!(
            quizzes::answer(&db, bob, probe, 2, 0, t0())
                .await
                .unwrap_err(),
            AppError::NotFound("Quiz".into())
        );
    }
    let row = quiz::Entity::find_by_id(id.0)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.position, 2);
}

async fn time_is_the_servers_and_a_pause_stops_both_clocks(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let id = quizzes::create(&db, ann, topic_quiz("sql", None, 5, Some(2)), t0())
        .await
        .unwrap();
    let view = quizzes::view(&db, ann, id, t0()).await.unwrap();
    assert_eq!(view.clock.total_left_ms, Some(120_000));
    // A second look later does not restart the question's clock.
    let view = quizzes::view(&db, ann, id, t0() + secs(4)).await.unwrap();
    assert_eq!(view.clock.question_ms, 4_000);
    let paused = quizzes::pause(&db, ann, id, t0() + secs(5)).await.unwrap();
    assert!(
        paused.clock.paused && paused.question.is_none(),
        "a paused quiz hides its question"
    );
    let err = quizzes::answer(&db, ann, id, 0, 0, t0() + secs(30))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Conflict(_)),
        "no answers while paused"
    );
    // An hour of pause costs nothing.
    let resumed = quizzes::resume(&db, ann, id, t0() + secs(3605))
        .await
        .unwrap();
    assert_eq!(resumed.clock.total_left_ms, Some(115_000));
    assert_eq!(resumed.clock.question_ms, 5_000);
    quizzes::answer(&db, ann, id, 0, 0, t0() + secs(3610))
        .await
        .unwrap();
    assert_eq!(items(&db, id).await[0].time_ms, Some(10_000));
    let view = quizzes::view(&db, ann, id, t0() + secs(3610))
        .await
        .unwrap();
    assert_eq!(view.clock.total_left_ms, Some(110_000));
    assert_eq!(view.answered, 1);
}

async fn the_time_limit_ends_the_quiz_and_counts_the_rest_wrong(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let id = quizzes::create(&db, ann, topic_quiz("sql", None, 5, Some(1)), t0())
        .await
        .unwrap();
    quizzes::view(&db, ann, id, t0()).await.unwrap();
    let key = key_of(&db, id, 0).await;
    quizzes::answer(&db, ann, id, 0, key, t0() + secs(10))
        .await
        .unwrap();
    quizzes::view(&db, ann, id, t0() + secs(11)).await.unwrap();
    // Past the minute: the next look finds it finished.
    let view: QuizView = quizzes::view(&db, ann, id, t0() + secs(75)).await.unwrap();
    assert!(view.question.is_none());
    let err = quizzes::answer(&db, ann, id, 1, 0, t0() + secs(76))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let result = quizzes::result(&db, ann, id, t0() + secs(80))
        .await
        .unwrap();
    assert_eq!(
        (result.correct, result.count, result.timed_out),
        (1, 5, true)
    );
    assert_eq!(
        result.items.iter().filter(|i| i.chosen.is_none()).count(),
        4
    );
    let row = quiz::Entity::find_by_id(id.0)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.finished_at,
        Some(t0() + secs(60)),
        "ended at its deadline"
    );
    // The history has the quiz's five questions, marked, and they cannot be answered there.
    let rows = challenge::Entity::find()
        .filter(challenge::Column::QuizId.eq(id.0))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows.iter().filter(|r| r.correct == Some(true)).count(), 1);
    let page = promptedcode::history::server::page(
        &db,
        ann,
        1,
        &Default::default(),
        vec![],
        &promptedcode::clock::LocalClock::UTC,
    )
    .await
    .unwrap();
    assert_eq!(page.entries.len(), 5);
    assert!(
        page.entries.iter().all(|e| e.quiz == Some(id)),
        "history links the quiz"
    );
    let unanswered = rows.iter().find(|r| r.chosen_index.is_none()).unwrap();
    let err = challenges::answer(&db, ann, ChallengeId(unanswered.id), 0)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
}

async fn a_mock_interview_hides_topic_difficulty_and_keys_until_the_end(db: DatabaseConnection) {
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let id = quizzes::create(
        &db,
        ann,
        NewQuiz::Mock {
            count: 5,
            minutes: 30,
        },
        t0(),
    )
    .await
    .unwrap();
    for position in 0..5u16 {
        let view = quizzes::view(&db, ann, id, t0() + secs(i64::from(position) * 10))
            .await
            .unwrap();
        assert_eq!(view.kind, QuizKind::Mock);
        let question = view.question.unwrap();
        assert_eq!((question.topic, question.difficulty), (None, None));
        let answer = quizzes::answer(
            &db,
            ann,
            id,
            position,
            0,
            t0() + secs(i64::from(position) * 10 + 5),
        )
        .await
        .unwrap();
        assert!(answer.reveal.is_none(), "no key during a mock");
        assert_eq!(answer.finished, position == 4);
    }
    let result = quizzes::result(&db, ann, id, t0() + secs(60))
        .await
        .unwrap();
    assert_eq!(result.items.len(), 5);
    assert!(result
        .items
        .iter()
        .all(|i| !i.topic.is_empty() && i.chosen == Some(0)));
    assert_eq!(
        result.by_topic.iter().map(|t| t.count).sum::<u16>(),
        5,
        "{:?}",
        result.by_topic
    );
    // Bad sizes are refused by field, nothing written.
    let before = quiz::Entity::find().count(&db).await.unwrap();
    let err = quizzes::create(
        &db,
        ann,
        NewQuiz::Mock {
            count: 500,
            minutes: 0,
        },
        t0(),
    )
    .await
    .unwrap_err();
    match err {
        AppError::Invalid(problems) => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
            assert_eq!(fields, ["count", "minutes"]);
        }
        other => panic!("{other:?}"),
    }
    let err = quizzes::create(&db, ann, topic_quiz("sql", None, 500, None), t0())
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("count"));
    assert_eq!(quiz::Entity::find().count(&db).await.unwrap(), before);
}

/// The job makes today's daily quiz ahead for learners seen this week, once; asking for
/// it afterwards gives the same quiz.
async fn the_daily_job_makes_todays_quiz_ahead_once(db: DatabaseConnection) {
    use promptedcode::entities::session;
    use sea_orm::sea_query::Expr;
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let bob = new_user(&db, "bob@example.com").await;
    let carol = new_user(&db, "carol@example.com").await;
    only_topics_on(&db, carol, &[]).await;
    // Bob has not been seen for a month.
    session::Entity::update_many()
        .col_expr(
            session::Column::LastSeenAt,
            Expr::value(Utc::now() - Duration::days(30)),
        )
        .filter(session::Column::UserId.eq(bob.0))
        .exec(&db)
        .await
        .unwrap();
    let now = Utc::now();
    assert_eq!(quizzes::create_due_dailies(&db, now).await.unwrap(), 1);
    assert_eq!(
        quizzes::create_due_dailies(&db, now).await.unwrap(),
        0,
        "once"
    );
    let made = quiz::Entity::find().all(&db).await.unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!((made[0].user_id, made[0].kind), (ann.0, QuizKind::Daily));
    let asked = quizzes::create(&db, ann, NewQuiz::Daily, now + secs(60))
        .await
        .unwrap();
    assert_eq!(asked, QuizId(made[0].id));
}

/// Questions waiting in the instant pool are taken only when the stored ones run short,
/// and a question a quiz takes leaves the pool.
async fn a_quiz_draws_on_the_instant_pool_last(db: DatabaseConnection) {
    use promptedcode::entities::pool_entry;
    use sea_orm::{ActiveValue::Set, PaginatorTrait as _};
    load_bank(&db).await;
    let ann = new_user(&db, "ann@example.com").await;
    let sql = topic_id(&db, "sql").await;
    let questions = question::Entity::find()
        .filter(question::Column::TopicId.eq(sql))
        .all(&db)
        .await
        .unwrap();
    assert!(questions.len() > 5, "the bank's sql topic is big enough");
    let (kept, pooled) = questions.split_at(3);
    pool_entry::Entity::insert_many(pooled.iter().map(|q| pool_entry::ActiveModel {
        question_id: Set(q.id),
        topic_id: Set(sql),
        difficulty: Set(q.difficulty),
        created_at: Set(t0()),
        ..Default::default()
    }))
    .exec_without_returning(&db)
    .await
    .unwrap();
    let id = quizzes::create(&db, ann, topic_quiz("sql", None, 5, None), t0())
        .await
        .unwrap();
    let picked: HashSet<i64> = items(&db, id).await.iter().map(|i| i.question_id).collect();
    assert!(
        kept.iter().all(|q| picked.contains(&q.id)),
        "stored ones first"
    );
    let from_pool: Vec<i64> = pooled
        .iter()
        .map(|q| q.id)
        .filter(|q| picked.contains(q))
        .collect();
    assert_eq!(from_pool.len(), 2);
    let left = pool_entry::Entity::find().count(&db).await.unwrap();
    assert_eq!(left, (pooled.len() - 2) as u64);
    let still_pooled = pool_entry::Entity::find()
        .filter(pool_entry::Column::QuestionId.is_in(from_pool))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(still_pooled, 0, "taken out of the pool");
}

on_both_backends!(
    a_quiz_draws_on_the_instant_pool_last,
    the_daily_job_makes_todays_quiz_ahead_once,
    daily_quiz_follows_priorities_and_is_made_once_a_day,
    a_topic_quiz_takes_unseen_questions_and_never_one_twice,
    answers_count_once_and_one_tab_wins,
    time_is_the_servers_and_a_pause_stops_both_clocks,
    the_time_limit_ends_the_quiz_and_counts_the_rest_wrong,
    a_mock_interview_hides_topic_difficulty_and_keys_until_the_end,
);

/// Over HTTP, on the assembled app.
mod over_http {
    use crate::common::app::{Refusal, TestApp};
    use crate::common::Backend;
    use promptedcode::entities::quiz_item;
    use reqwest::StatusCode;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    async fn a_quiz_resumes_after_a_restart_and_ignores_a_client_clock(backend: Backend) {
        let app = TestApp::spawn_with(backend, &[]).await;
        let cookie = app.register("quiz@example.com").await;
        let start = [
            ("kind", "topic"),
            ("topic", "sql"),
            ("difficulty", "mixed"),
            ("count", "5"),
            ("timed", "true"),
            ("minutes", "10"),
        ];
        let (status, id) = app.call("/api/quiz/start", &start, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        let id = id.as_i64().unwrap().to_string();
        let (_, view) = app.call("/api/quiz/view", &[("id", &id)], &cookie).await;
        assert_eq!(view["question"]["position"], 0, "{view}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // A made-up time and moment in the form change nothing: the server counts.
        let answer = [
            ("id", id.as_str()),
            ("position", "0"),
            ("choice", "2"),
            ("time_ms", "1"),
            ("answered_at", "2020-01-01T00:00:00Z"),
        ];
        let (status, answered) = app.call("/api/quiz/answer", &answer, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{answered}");
        let stored = quiz_item::Entity::find()
            .filter(quiz_item::Column::QuizId.eq(id.parse::<i64>().unwrap()))
            .filter(quiz_item::Column::Position.eq(0i16))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.time_ms.unwrap() >= 300, "{:?}", stored.time_ms);
        assert!(
            stored.answered_at.unwrap()
                > "2026-01-01T00:00:00Z"
                    .parse::<chrono::DateTime<chrono::Utc>>()
                    .unwrap()
        );
        let (_, before) = app.call("/api/quiz/view", &[("id", &id)], &cookie).await;
        let left_before = before["clock"]["total_left_ms"].as_u64().unwrap();

        // A new app on the same database: the same question, the time still running down.
        let app = app.restart().await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let (status, after) = app.call("/api/quiz/view", &[("id", &id)], &cookie).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(after["question"]["position"], 1, "{after}");
        let left_after = after["clock"]["total_left_ms"].as_u64().unwrap();
        assert!(
            left_after < left_before && left_after > 590_000,
            "{left_before} → {left_after}"
        );
        let page = app.page_as(&format!("/quiz/{id}"), &cookie).await;
        assert!(page.contains("Question 2 of 5"), "the page resumes too");

        // Bad input: each its status and a message; nothing of it written.
        let other = app.register("other@example.com").await;
        let cases: [Refusal; 9] = [
            (
                "/api/quiz/view",
                vec![("id", "999999")],
                cookie.as_str(),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/quiz/view",
                vec![("id", id.as_str())],
                other.as_str(),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/quiz/answer",
                vec![("id", id.as_str()), ("position", "1"), ("choice", "0")],
                other.as_str(),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/quiz/answer",
                vec![("id", id.as_str()), ("position", "1"), ("choice", "7")],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("choice"),
            ),
            (
                "/api/quiz/answer",
                vec![("id", id.as_str()), ("position", "40"), ("choice", "1")],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("position"),
            ),
            (
                "/api/quiz/start",
                vec![("kind", "topic"), ("topic", "sql"), ("count", "500")],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("count"),
            ),
            (
                "/api/quiz/start",
                vec![
                    ("kind", "topic"),
                    ("topic", "sql"),
                    ("difficulty", "extreme"),
                ],
                cookie.as_str(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("difficulty"),
            ),
            (
                "/api/quiz/start",
                vec![("kind", "weekly")],
                cookie.as_str(),
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "/api/quiz/result",
                vec![("id", id.as_str())],
                cookie.as_str(),
                StatusCode::CONFLICT,
                None,
            ),
        ];
        app.assert_refused(&cases).await;
        let (_, still) = app.call("/api/quiz/view", &[("id", &id)], &cookie).await;
        assert_eq!(
            still["question"]["position"], 1,
            "nothing answered by the bad requests"
        );
        app.test_db.teardown().await;
    }

    over_http_on_both_backends!(a_quiz_resumes_after_a_restart_and_ignores_a_client_clock);
}
