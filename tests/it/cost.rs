//! What a request costs the database: statements per page and per server function,
//! counted by the app's own connection (`db_queries_total`). A change that adds a query
//! per row, or looks the session up once per resource, fails here.
use crate::common;

use common::app::TestApp;
use common::Backend;
use reqwest::StatusCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Statements the app runs for one request made by `send`.
async fn queries_for<F: std::future::Future<Output = reqwest::Response>>(
    app: &TestApp,
    send: F,
) -> u64 {
    let before = app.state.metrics.db_queries.load(Ordering::SeqCst);
    let response = send.await;
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.unwrap();
    // A refund or a seen-mark may finish just after the response.
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.state.metrics.db_queries.load(Ordering::SeqCst) - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_per_request_stay_within_budget() {
    let app =
        TestApp::spawn_with(Backend::Postgres, &[("JOBS_POLL_SECS", "3600".to_owned())]).await;
    let cookie = app.register("counted@example.com").await;
    for _ in 0..5 {
        let next = app
            .post_form(
                "/api/challenge/next",
                &[("topic", "stack"), ("difficulty", "easy")],
                Some(&cookie),
            )
            .await;
        assert_eq!(next.status(), StatusCode::OK);
        let id = serde_json::from_str::<serde_json::Value>(&next.text().await.unwrap()).unwrap()
            ["id"]
            .to_string();
        app.post_form(
            "/api/challenge/answer",
            &[("id", id.as_str()), ("choice", "0")],
            Some(&cookie),
        )
        .await;
    }
    // Housekeeping runs once at start; wait for it so it is not counted below.
    app.housekeeping_done().await;
    let page = |path: &'static str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .send()
    };
    let next = app
        .post_form(
            "/api/challenge/next",
            &[("topic", "stack"), ("difficulty", "medium")],
            Some(&cookie),
        )
        .await;
    let id = serde_json::from_str::<serde_json::Value>(&next.text().await.unwrap()).unwrap()["id"]
        .to_string();
    let (_, quiz) = app
        .call(
            "/api/quiz/start",
            &[("kind", "topic"), ("topic", "sql"), ("count", "5")],
            &cookie,
        )
        .await;
    let quiz = quiz.to_string();
    app.call("/api/quiz/view", &[("id", &quiz)], &cookie).await;
    let counts = [
        (
            "GET /",
            queries_for(&app, async { page("/").await.unwrap() }).await,
        ),
        (
            "GET /challenge",
            queries_for(&app, async { page("/challenge").await.unwrap() }).await,
        ),
        (
            "GET /history",
            queries_for(&app, async { page("/history").await.unwrap() }).await,
        ),
        (
            "GET /history?topic=stack&result=wrong",
            queries_for(&app, async {
                page("/history?topic=stack&result=wrong").await.unwrap()
            })
            .await,
        ),
        (
            "GET /progress",
            queries_for(&app, async { page("/progress").await.unwrap() }).await,
        ),
        (
            "GET /topics",
            queries_for(&app, async { page("/topics").await.unwrap() }).await,
        ),
        (
            "GET /review",
            queries_for(&app, async { page("/review").await.unwrap() }).await,
        ),
        (
            "GET /notes",
            queries_for(&app, async { page("/notes").await.unwrap() }).await,
        ),
        (
            "POST /api/history",
            queries_for(
                &app,
                app.post_form("/api/history", &[("page", "1")], Some(&cookie)),
            )
            .await,
        ),
        (
            "POST /api/challenge/answer",
            queries_for(
                &app,
                app.post_form(
                    "/api/challenge/answer",
                    &[("id", id.as_str()), ("choice", "1")],
                    Some(&cookie),
                ),
            )
            .await,
        ),
        (
            "POST /api/quiz/answer",
            queries_for(
                &app,
                app.post_form(
                    "/api/quiz/answer",
                    &[("id", quiz.as_str()), ("position", "0"), ("choice", "1")],
                    Some(&cookie),
                ),
            )
            .await,
        ),
        (
            "POST /api/quiz/view",
            queries_for(
                &app,
                app.post_form("/api/quiz/view", &[("id", quiz.as_str())], Some(&cookie)),
            )
            .await,
        ),
    ];
    println!("statements per request: {counts:?}");
    // The session is looked up once per request (pages used to do it once per resource:
    // 5, 4 and 4 statements for these three pages), the dashboard's totals are one aggregate,
    // a history page is one query (no count), so is the topics page, the topic list is
    // cached, and an answer is one conditional UPDATE … RETURNING (on Postgres its review
    // card, for a wrong one, is written by the same statement). The review page counts its
    // cards in one statement, reads the next card with its question, its topic, and stamps
    // it as shown.
    let budget = [
        // The session, the totals, whether there is a plan (or a draft): one statement.
        ("GET /", 3),
        ("GET /challenge", 2),
        ("GET /history", 2),
        ("GET /history?topic=stack&result=wrong", 2),
        // The session, the record per topic, the answers per local day (charts and
        // streaks), the topic settings, the review forecast.
        ("GET /progress", 5),
        ("GET /topics", 2),
        ("GET /review", 5),
        ("GET /notes", 2),
        ("POST /api/history", 2),
        ("POST /api/challenge/answer", 2),
        // The session, the item with its quiz and its question, then the claim and the
        // answer in one statement.
        ("POST /api/quiz/answer", 3),
        // The session, the quiz with the item on screen, the stamp, the question.
        ("POST /api/quiz/view", 4),
    ];
    for ((what, counted), (_, allowed)) in counts.iter().zip(budget) {
        assert!(
            *counted <= allowed,
            "{what}: {counted} statements, budget {allowed}"
        );
    }
    // With a study plan, the dashboard also reads the learner's topics, their record per
    // topic, their answers per local day and the review forecast: four aggregates.
    for form in [
        vec![
            ("step", "1"),
            ("go", "next"),
            ("role", "backend"),
            ("experience", "mid"),
        ],
        vec![("step", "2"), ("go", "next")],
        vec![("step", "3"), ("go", "next"), ("priority[stack]", "4")],
        vec![
            ("step", "4"),
            ("go", "next"),
            ("daily_goal", "5"),
            ("minutes_per_day", "30"),
            ("timer_minutes", "off"),
            ("difficulty", "mixed"),
            ("time_zone", "UTC"),
        ],
    ] {
        let (status, body) = app.call("/api/wizard/step", &form, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = app.call("/api/wizard/create", &[], &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let with_plan = [
        (
            "GET / (with a plan)",
            queries_for(&app, async { page("/").await.unwrap() }).await,
            7,
        ),
        (
            "GET /plan",
            queries_for(&app, async { page("/plan").await.unwrap() }).await,
            6,
        ),
    ];
    println!("statements per request with a plan: {with_plan:?}");
    for (what, counted, allowed) in with_plan {
        assert!(
            counted <= allowed,
            "{what}: {counted} statements, budget {allowed}"
        );
    }
    app.test_db.teardown().await;
}
