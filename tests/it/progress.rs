//! Progress figures against hand-computed fixtures, on both backends: answers per local
//! day across a local midnight and a daylight-saving change, accuracy per topic, mean time,
//! streaks; then the page over HTTP (its charts and tables change as the learner answers)
//! and its refusals.
use crate::common;

use common::app::TestApp;
use common::{load_bank, new_user, Backend};
use promptedcode::clock::LocalClock;
use promptedcode::entities::{challenge, question, topic};
use promptedcode::progress::server as progress;
use reqwest::StatusCode;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    RelationTrait,
};

/// Stores an answer of `user` to a question of `topic` at `at` (UTC).
async fn answer(
    db: &DatabaseConnection,
    user: i64,
    topic_slug: &str,
    nth: u64,
    at: &str,
    correct: bool,
    time_ms: Option<i64>,
) {
    let question: i64 = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .join(
            sea_orm::JoinType::InnerJoin,
            question::Relation::Topic.def(),
        )
        .filter(topic::Column::Slug.eq(topic_slug))
        .offset(nth)
        .limit(1)
        .into_tuple()
        .one(db)
        .await
        .unwrap()
        .expect("a bank question of the topic");
    let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
    challenge::Entity::insert(challenge::ActiveModel {
        user_id: Set(user),
        question_id: Set(question),
        chosen_index: Set(Some(0)),
        correct: Set(Some(correct)),
        time_taken_ms: Set(time_ms),
        created_at: Set(at),
        answered_at: Set(Some(at)),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap();
}

async fn figures_match_the_hand_computed_fixture(db: DatabaseConnection) {
    load_bank(&db).await;
    let user = new_user(&db, "ny@example.com").await;
    let other = new_user(&db, "other@example.com").await;
    // New York leaves summer time on 2026-11-01 at 02:00 (06:00 UTC): -4 before, -5 after.
    for (topic, nth, at, correct, time) in [
        ("graphs", 0, "2026-10-31T03:30:00Z", true, Some(10_000)), // 23:30 on Oct 30
        ("graphs", 1, "2026-10-31T04:30:00Z", false, Some(20_000)), // 00:30 on Oct 31
        ("sql", 0, "2026-11-01T05:30:00Z", true, Some(30_000)),    // 01:30 summer time
        ("sql", 1, "2026-11-01T06:30:00Z", true, Some(50_000)),    // 01:30 winter time
        ("sql", 2, "2026-11-02T04:59:00Z", false, None),           // 23:59 on Nov 1
    ] {
        answer(&db, user.0, topic, nth, at, correct, time).await;
    }
    // Someone else's answers count for nobody else.
    answer(
        &db,
        other.0,
        "sql",
        3,
        "2026-11-01T12:00:00Z",
        false,
        Some(1),
    )
    .await;

    let clock = LocalClock::named("America/New_York").unwrap();
    let days = progress::day_totals(
        &db,
        user,
        &clock,
        "2026-10-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
    )
    .await
    .unwrap();
    let got: Vec<(String, u32, u32, i64, u32)> = days
        .iter()
        .map(|(d, t)| (d.to_string(), t.answered, t.correct, t.time_ms, t.timed))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-10-30".to_owned(), 1, 1, 10_000, 1),
            ("2026-10-31".to_owned(), 1, 0, 20_000, 1),
            ("2026-11-01".to_owned(), 3, 2, 80_000, 2),
        ]
    );

    let topics = progress::topic_accuracy(&db, user).await.unwrap();
    let got: Vec<(&str, u32, u32, u32)> = topics
        .iter()
        .map(|t| (t.topic.slug.as_str(), t.answered, t.correct, t.percent()))
        .collect();
    assert_eq!(got, [("sql", 3, 2, 66), ("graphs", 2, 1, 50)]);

    let dates: Vec<_> = days.keys().copied().collect();
    assert_eq!(progress::longest_run(&dates), 3);
    assert_eq!(
        progress::streak_of(&dates, "2026-11-02".parse().unwrap()),
        3
    );
    assert_eq!(
        progress::streak_of(&dates, "2026-11-03".parse().unwrap()),
        0
    );
    // In UTC the same answers fall on Oct 31 (twice), Nov 1 (twice) and Nov 2.
    let utc = progress::answer_days(
        &db,
        user,
        &LocalClock::UTC,
        "2026-10-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
    )
    .await
    .unwrap();
    let utc: Vec<String> = utc.iter().map(|d| d.to_string()).collect();
    assert_eq!(utc, ["2026-10-31", "2026-11-01", "2026-11-02"]);
}

async fn the_page_changes_as_the_learner_answers(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let ann = app.register("ann@example.com").await;
    let empty = app.page_as("/progress", &ann).await;
    assert!(empty.contains("No answers yet"), "{empty}");

    for choice in ["0", "1", "2"] {
        let (status, challenge) = app
            .call(
                "/api/challenge/next",
                &[("topic", "graphs"), ("difficulty", "easy")],
                &ann,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{challenge}");
        let id = challenge["id"].to_string();
        let (status, _) = app
            .call(
                "/api/challenge/answer",
                &[("id", &id), ("choice", choice)],
                &ann,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, data) = app.call("/api/progress", &[("days", "90")], &ann).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["answered"], 3);
    assert_eq!(data["days"].as_array().unwrap().len(), 90);
    assert_eq!(data["days"][89]["answered"], 3, "today is the last day");
    assert_eq!(data["current_streak"], 1);
    assert_eq!(data["topics"][0]["topic"]["slug"], "graphs");
    assert_eq!(data["forecast"].as_array().unwrap().len(), 14);

    let page = app.page_as("/progress", &ann).await;
    for part in [
        "topic-chart",
        "volume-chart",
        "time-chart",
        "forecast-chart",
        "<svg",
        "Graphs",
    ] {
        assert!(page.contains(part), "{part}");
    }
    assert!(
        page.contains("aria-label=\"Accuracy by topic: Graphs"),
        "the chart is summed up for screen readers"
    );

    app.assert_refused(&[
        (
            "/api/progress",
            vec![("days", "7")],
            &ann,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("days"),
        ),
        ("/api/progress", vec![], "", StatusCode::UNAUTHORIZED, None),
    ])
    .await;
    let bad = app
        .client
        .get(format!("{}/progress?days=7", app.base))
        .header("cookie", &ann)
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the page says why, with its status"
    );
}

/// The review forecast in New York on 2026-11-01, the day the clocks go back (25 hours).
async fn the_forecast_buckets_cards_by_local_day(db: DatabaseConnection) {
    use promptedcode::entities::review_card;
    use promptedcode::review::model::{CardOrigin, CardState};
    load_bank(&db).await;
    let user = new_user(&db, "cards@example.com").await;
    let questions: Vec<i64> = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .limit(6)
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    let cards = [
        ("2026-11-01T12:00:00Z", CardState::Review), // today
        ("2026-11-02T04:30:00Z", CardState::Review), // 23:30 EST: still today
        ("2026-11-02T05:30:00Z", CardState::Review), // 00:30 on Nov 2: tomorrow
        ("2026-11-04T12:00:00Z", CardState::Review), // Nov 4
        ("2026-10-20T12:00:00Z", CardState::New),    // new cards are due at once
        ("2026-10-21T12:00:00Z", CardState::New),
    ];
    for ((due, state), question) in cards.into_iter().zip(questions) {
        let due: chrono::DateTime<chrono::Utc> = due.parse().unwrap();
        review_card::Entity::insert(review_card::ActiveModel {
            user_id: Set(user.0),
            question_id: Set(question),
            origin: Set(CardOrigin::Missed),
            state: Set(state),
            due: Set(due),
            stability: Set(1.0),
            difficulty: Set(5.0),
            elapsed_days: Set(0),
            scheduled_days: Set(0),
            reps: Set(0),
            lapses: Set(0),
            last_review: Set(None),
            shown_at: Set(None),
            created_at: Set(due),
        })
        .exec(&db)
        .await
        .unwrap();
    }
    let clock = LocalClock::named("America/New_York").unwrap();
    let forecast = promptedcode::plan::server::review_forecast(
        &db,
        user,
        &clock,
        "2026-11-01".parse().unwrap(),
        1,
    )
    .await
    .unwrap();
    // Today: two seen cards and one of the two new ones (one new card a day).
    assert_eq!(forecast, [3, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
}

on_both_backends!(
    figures_match_the_hand_computed_fixture,
    the_forecast_buckets_cards_by_local_day,
);

mod over_http {
    over_http_on_both_backends!(the_page_changes_as_the_learner_answers);
    use super::the_page_changes_as_the_learner_answers;
}
