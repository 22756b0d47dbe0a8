//! The assembled app over real HTTP (spawned on port 0): status codes, cookies, CSRF,
//! operations endpoints.
mod common;

use common::{Backend, TestDb};
use leptos::prelude::LeptosOptions;
use promptedcode::config::Config;
use reqwest::header::{HeaderMap, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode};
use std::collections::HashMap;

struct TestApp {
    base: String,
    client: Client,
    test_db: TestDb,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let test_db = TestDb::create(Backend::Postgres).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", test_db.url.clone()),
            ("LEPTOS_SITE_ADDR", addr.to_string()),
            ("PUBLIC_URL", base.clone()),
        ]);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let options = LeptosOptions::builder()
            .output_name("promptedcode")
            .site_addr(addr)
            .build();
        let (router, _state) = promptedcode::server::build(config, options).await.unwrap();
        tokio::spawn(async move {
            axum::serve(listener, router.into_make_service())
                .await
                .unwrap();
        });
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base,
            client,
            test_db,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header(ORIGIN, &self.base)
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("pc_session="))
        .map(str::to_owned)
}

const PASSWORD: &str = "correct horse battery";

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
