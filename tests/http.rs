//! The assembled app over real HTTP (spawned on port 0): status codes, cookies, CSRF,
//! operations endpoints.
mod common;

use common::app::{session_cookie, urlencode, TestApp, PASSWORD};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_endpoints_answer() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert!(
        health.headers().contains_key("x-request-id"),
        "request id propagated"
    );
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("http_responses_total{class=\"2xx\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE http_request_duration_seconds histogram"),
        "{text}"
    );

    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    let state_db_url = app.test_db.url.clone();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    // Drop the database underneath the running app: readiness must turn 503.
    let admin = sea_orm::Database::connect(common::postgres_admin_url())
        .await
        .unwrap();
    let name = state_db_url.rsplit('/').next().unwrap().to_owned();
    use sea_orm::ConnectionTrait;
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    admin.close().await.ok();
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_login_and_errors_over_http() {
    let app = TestApp::spawn().await;

    let invalid = app
        .post_form(
            "/api/register",
            &[
                ("email", "nope"),
                ("password", PASSWORD),
                ("display_name", ""),
            ],
            None,
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(invalid.headers()).is_none());
    let body: serde_json::Value = serde_json::from_str(&invalid.text().await.unwrap()).unwrap();
    assert_eq!(body["Invalid"]["field"], "email", "{body}");

    let created = app
        .post_form(
            "/api/register",
            &[
                ("email", "http@example.com"),
                ("password", PASSWORD),
                ("display_name", "H"),
            ],
            None,
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let cookie = session_cookie(created.headers()).expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain-http loopback: no Secure: {cookie}"
    );
    let token_pair = cookie.split(';').next().unwrap().to_owned();

    let duplicate = app
        .post_form(
            "/api/register",
            &[
                ("email", "HTTP@example.com"),
                ("password", PASSWORD),
                ("display_name", ""),
            ],
            None,
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);

    let wrong = app
        .post_form(
            "/api/login",
            &[("email", "http@example.com"), ("password", "not it at all")],
            None,
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("InvalidCredentials"));

    // Protected calls need the session.
    let anonymous = app.post_form("/api/history", &[("page", "1")], None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let mine = app
        .post_form("/api/history", &[("page", "1")], Some(&token_pair))
        .await;
    assert_eq!(mine.status(), StatusCode::OK);

    let bad_difficulty = app
        .post_form(
            "/api/challenge/next",
            &[("topic", "stack"), ("difficulty", "extreme")],
            Some(&token_pair),
        )
        .await;
    assert_eq!(bad_difficulty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let malformed = app
        .post_form(
            "/api/challenge/answer",
            &[("id", "x"), ("choice", "1")],
            Some(&token_pair),
        )
        .await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    let logout = app.post_form("/api/logout", &[], Some(&token_pair)).await;
    assert_eq!(logout.status(), StatusCode::OK);
    let cleared = session_cookie(logout.headers()).unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let after = app
        .post_form("/api/history", &[("page", "1")], Some(&token_pair))
        .await;
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "session ended on the server"
    );
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_mutations_are_refused() {
    let app = TestApp::spawn().await;
    let body = format!(
        "email=csrf%40example.com&password={}&display_name=",
        urlencode(PASSWORD)
    );
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .client
            .post(format!("{}/api/register", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(name, value)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    use sea_orm::{EntityTrait, PaginatorTrait};
    let users = promptedcode::entities::user::Entity::find()
        .count(&app.test_db.db)
        .await
        .unwrap();
    assert_eq!(users, 0, "blocked requests write nothing");
    app.test_db.teardown().await;
}
