//! The assembled app over real HTTP (spawned on port 0): status codes, cookies, CSRF,
//! operations endpoints.
use crate::common;

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
    let text = app.metrics().await;
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
    assert_eq!(body["code"], "invalid", "{body}");
    assert_eq!(body["field"], "email", "{body}");

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
    let wrong: serde_json::Value = serde_json::from_str(&wrong.text().await.unwrap()).unwrap();
    assert_eq!(wrong["code"], "invalid_credentials", "{wrong}");
    assert_eq!(wrong["message"], "Wrong email or password.", "{wrong}");

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
    // A value no form offers is malformed (400), refused before the function runs.
    assert_eq!(bad_difficulty.status(), StatusCode::BAD_REQUEST);
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

// ---- Liveness: request deadlines, the watchdog, the shutdown deadline ----

/// A real stall: another connection holds an exclusive lock on `sessions`, so every page's
/// session lookup waits forever. The deadline answers 503 in time, and the app recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_whose_data_never_arrives_answers_503_within_its_deadline() {
    use sea_orm::{ConnectionTrait, Database, TransactionTrait};
    let app = TestApp::spawn_with(
        common::Backend::Postgres,
        &[("REQUEST_TIMEOUT_SECS", "2".to_owned())],
    )
    .await;
    let cookie = app.register("stalled@example.com").await;
    let locker = Database::connect(&app.test_db.url).await.unwrap();
    let lock = locker.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    let started = std::time::Instant::now();
    let page = app
        .client
        .get(format!("{}/history?page=1", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        waited >= std::time::Duration::from_millis(1900)
            && waited < std::time::Duration::from_secs(5),
        "answered after {waited:?}"
    );
    assert_eq!(page.headers()["retry-after"], "5");
    let html = page.text().await.unwrap();
    assert!(html.contains("took too long"), "{html}");
    assert!(html.contains("href=\"/history?page=1\""), "{html}");

    // A server function gets the typed error the browser decodes.
    let call = app
        .post_form("/api/history", &[("page", "1")], Some(&cookie))
        .await;
    assert_eq!(call.status(), StatusCode::SERVICE_UNAVAILABLE);
    let error: promptedcode::error::AppError =
        serde_json::from_str(&call.text().await.unwrap()).unwrap();
    assert_eq!(
        error,
        promptedcode::error::AppError::Unavailable {
            retry_after_secs: 5
        }
    );

    lock.rollback().await.unwrap();
    let page = app
        .client
        .get(format!("{}/history", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "recovers once the lock is gone"
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("request_deadlines_passed_total 2"),
        "{metrics}"
    );
    locker.close().await.ok();
    app.test_db.teardown().await;
}

const WATCHDOG_CHILD: &str = "PROMPTEDCODE_WATCHDOG_CHILD";

/// Runs `watchdog_child` in a child process: its runtime's two workers deadlock on two
/// locks taken in opposite order (the shape of the SSR freeze). The watchdog must end it
/// within its limit and say why.
#[test]
fn the_watchdog_ends_a_process_whose_workers_are_deadlocked() {
    let started = std::time::Instant::now();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "http::watchdog_child",
            "--ignored",
            "--nocapture",
        ])
        .env(WATCHDOG_CHILD, "1")
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(promptedcode::watchdog::STALLED_EXIT_CODE),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("workers deadlocked"),
        "the child got as far as the deadlock: {stdout}"
    );
    assert!(
        stderr.contains("watchdog: the async runtime has not run for")
            && stderr.contains("every worker thread is blocked"),
        "{stderr}"
    );
    // Start-up (migrations, bank) plus the 2 s limit and the check interval.
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

#[test]
#[ignore = "the child process of the_watchdog_ends_a_process_whose_workers_are_deadlocked"]
fn watchdog_child() {
    if std::env::var_os(WATCHDOG_CHILD).is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let app = TestApp::spawn_with(common::Backend::Sqlite, &[]).await;
        promptedcode::watchdog::supervise(
            app.state.heartbeat.clone(),
            std::time::Duration::from_secs(2),
        );
        let health: serde_json::Value =
            serde_json::from_str(&app.get("/healthz").await.text().await.unwrap()).unwrap();
        assert_eq!(health["status"], "ok");
        assert!(
            health["heartbeat_age_ms"].as_u64().unwrap() < 2000,
            "{health}"
        );

        let first = std::sync::Arc::new(std::sync::Mutex::new(()));
        let second = std::sync::Arc::new(std::sync::Mutex::new(()));
        let both_hold_one = std::sync::Arc::new(std::sync::Barrier::new(2));
        for flip in [false, true] {
            let (a, b) = if flip {
                (second.clone(), first.clone())
            } else {
                (first.clone(), second.clone())
            };
            let barrier = both_hold_one.clone();
            tokio::spawn(async move {
                let _held = a.lock().unwrap();
                barrier.wait();
                let _never = b.lock().unwrap();
            });
        }
        println!("workers deadlocked");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    });
    panic!("the watchdog did not end the process");
}

/// The real binary, with a streamed generation that never ends: after SIGTERM the process
/// waits for it only until the shutdown deadline, then exits and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_finishes_does_not_outlive_the_shutdown_deadline() {
    use futures_util::StreamExt;
    let (upstream, _) = common::upstream::spawn().await;
    let port = common::app::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let db = std::env::temp_dir().join(format!("pc_shutdown_{}.db", std::process::id()));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_promptedcode"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "promptedcode")
        .env("LLM_BASE_URL", format!("http://{upstream}/v1"))
        .env("LLM_MODEL", "endless")
        .env("LLM_FIRST_BYTE_TIMEOUT_SECS", "600")
        .env("LLM_TOTAL_TIMEOUT_SECS", "1800")
        .env("POOL_TARGET", "0")
        .env("SHUTDOWN_DEADLINE_SECS", "2")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    assert!(
        common::app::wait_until_ready(&client, &base).await,
        "the server did not become ready"
    );
    let registered = client
        .post(format!("{base}/api/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &base)
        .body(format!(
            "email=shutdown%40example.com&password={}&display_name=",
            urlencode(PASSWORD)
        ))
        .send()
        .await
        .unwrap();
    assert!(registered.status().is_success(), "{}", registered.status());
    let cookie = session_cookie(registered.headers()).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let stream = client
        .post(format!("{base}/api/challenge/generate"))
        .header("content-type", "application/json")
        .header("origin", &base)
        .header("cookie", cookie)
        .body(r#"{"topic":"stack","difficulty":"easy"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut body = stream.bytes_stream();
    let first = body.next().await.expect("a first event").unwrap();
    assert!(
        String::from_utf8_lossy(&first).contains("data:"),
        "{first:?}"
    );

    let pid = child.id().unwrap().to_string();
    let signalled = std::time::Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(15), child.wait())
        .await
        .expect("the process outlived its shutdown deadline")
        .unwrap();
    let took = signalled.elapsed();
    let output = child.wait_with_output().await.unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(
        took >= std::time::Duration::from_millis(1900),
        "it waited for the stream first: {took:?}"
    );
    assert!(took < std::time::Duration::from_secs(6), "took {took:?}");
    assert!(log.contains("shutdown deadline passed"), "{log}");
    drop(body);
}
