//! Abuse limits, bad input, headers, sessions and operations, over HTTP against the
//! assembled app on both backends; and two app processes sharing one Postgres.
use crate::common;

use common::app::{session_cookie, urlencode, TestApp, PASSWORD};
use common::Backend;
use promptedcode::auth::server::accounts::HashingSlots;
use promptedcode::entities::{session, user};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::Value;

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_form(
        "/api/login",
        &[("email", email), ("password", password)],
        None,
    )
    .await
}

async fn json(response: reqwest::Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After")
}

async fn users(app: &TestApp) -> u64 {
    user::Entity::find().count(&app.test_db.db).await.unwrap()
}

async fn sessions(app: &TestApp) -> u64 {
    session::Entity::find()
        .count(&app.test_db.db)
        .await
        .unwrap()
}

/// Ends any back-off now, as if its time had passed.
async fn end_backoffs(app: &TestApp) {
    app.test_db
        .db
        .execute_unprepared(
            "UPDATE rate_limits SET blocked_until = 0 WHERE blocked_until IS NOT NULL",
        )
        .await
        .unwrap();
}

async fn brute_force_backs_off_and_the_wait_ends(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[("LOGIN_FAILURES_BEFORE_BACKOFF", "3".to_owned())],
    )
    .await;
    let email = "victim@example.com";
    app.register(email).await;
    for _ in 0..2 {
        let wrong = login(&app, email, "guess-guess-guess").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    // The third failure starts the back-off: from now even the right password waits.
    assert_eq!(
        login(&app, email, "guess-guess-guess").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refused = login(&app, email, PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&refused);
    assert!((1..=30).contains(&wait), "{wait}");
    let body = json(refused).await;
    assert_eq!(body["code"], "sign_in_backoff", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Too many failed sign-ins to this account. Try again in"),
        "{body}"
    );
    // Another account is not affected.
    app.register("bystander@example.com").await;
    assert_eq!(
        login(&app, "bystander@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    // Once the wait is over the right password works, and clears the count.
    end_backoffs(&app).await;
    let ok = login(&app, email, PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        login(&app, email, "guess-guess-guess").await.status(),
        StatusCode::UNAUTHORIZED,
        "the count started again"
    );
    assert_eq!(login(&app, email, PASSWORD).await.status(), StatusCode::OK);
    app.test_db.teardown().await;
}

async fn sign_ins_per_address_hit_429(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LOGIN_RATE_PER_IP", "5/300".to_owned())]).await;
    for n in 0..5 {
        let response = login(&app, &format!("nobody{n}@example.com"), "whatever-whatever").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = login(&app, "someone-else@example.com", "whatever-whatever").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&limited) <= 300);
    let body = json(limited).await;
    assert_eq!(body["code"], "too_many_requests", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Too many requests. Please wait"),
        "{body}"
    );
    app.test_db.teardown().await;
}

async fn a_registration_flood_hits_429_and_creates_nothing(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("REGISTER_RATE_PER_IP", "3/3600".to_owned())]).await;
    for n in 0..3 {
        app.register(&format!("flood{n}@example.com")).await;
    }
    let refused = app
        .post_form(
            "/api/register",
            &[
                ("email", "flood3@example.com"),
                ("password", PASSWORD),
                ("display_name", ""),
            ],
            None,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) <= 3600);
    assert!(session_cookie(refused.headers()).is_none());
    assert_eq!(users(&app).await, 3);
    app.test_db.teardown().await;
}

async fn bad_bodies_are_4xx_and_write_nothing(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    let post = |content_type: &'static str, body: Vec<u8>| {
        app.client
            .post(format!("{}/api/register", app.base))
            .header("content-type", content_type)
            .header("accept", "application/json")
            .header("origin", &app.base)
            .body(body)
            .send()
    };
    let big = format!("email=a%40b.co&password={}", "x".repeat(3 * 1024 * 1024)).into_bytes();
    let too_large = post("application/x-www-form-urlencoded", big)
        .await
        .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(too_large).await["code"], "payload_too_large");

    // The same without a Content-Length (a chunked upload) is cut off as it streams in.
    let chunks =
        futures_util::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 64 * 1024])));
    let streamed = app
        .client
        .post(format!("{}/api/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let not_utf8 = post(
        "application/x-www-form-urlencoded",
        b"email=a%40b.co&password=%FF%FEpassword&display_name=".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(not_utf8.status(), StatusCode::BAD_REQUEST);
    let body = json(not_utf8).await;
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("malformed"), Some("password")),
        "{body}"
    );
    let raw_bytes = post(
        "application/x-www-form-urlencoded",
        b"email=\xff\xfe@b.co&password=x".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(raw_bytes.status(), StatusCode::BAD_REQUEST);

    // NUL bytes: Postgres refuses them in text, so they must never get that far.
    let nul = format!(
        "email={}&password={}&display_name=",
        urlencode("nul\0@example.com"),
        urlencode(PASSWORD)
    );
    let refused = post("application/x-www-form-urlencoded", nul.into_bytes())
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(refused).await["field"], "email");
    let cookie = app.register("fine@example.com").await;
    let topic = app
        .post_form(
            "/api/challenge/next",
            &[("topic", "sta\0ck"), ("difficulty", "easy")],
            Some(&cookie),
        )
        .await;
    assert_eq!(topic.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(topic).await["field"], "topic");
    let generate = app
        .client
        .post(format!("{}/api/challenge/generate", app.base))
        .header("content-type", "application/json")
        .header("origin", &app.base)
        .header("cookie", &cookie)
        .body(r#"{"topic":"stack","difficulty":"easy","focus":"a\u0000b"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(generate.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(generate).await["field"], "focus");

    assert_eq!(users(&app).await, 1, "only the good registration wrote");
    assert_eq!(sessions(&app).await, 1);
    app.test_db.teardown().await;
}

async fn display_names_refuse_invisible_and_direction_characters(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[]).await;
    for name in [
        "Ada\u{202E}nimda",
        "Zero\u{200B}Width",
        "\u{2066}isolate\u{2069}",
    ] {
        let response = app
            .post_form(
                "/api/register",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("display_name", name),
                ],
                None,
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        let body = json(response).await;
        assert_eq!(body["field"], "display_name", "{body}");
    }
    assert_eq!(users(&app).await, 0);
    app.test_db.teardown().await;
}

over_http_on_both_backends!(
    fifty_parallel_logins_hash_at_most_the_cap_at_once,
    brute_force_backs_off_and_the_wait_ends,
    sign_ins_per_address_hit_429,
    a_registration_flood_hits_429_and_creates_nothing,
    bad_bodies_are_4xx_and_write_nothing,
    display_names_refuse_invisible_and_direction_characters,
);

async fn fifty_parallel_logins_hash_at_most_the_cap_at_once(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("LOGIN_RATE_PER_IP", "100/300".to_owned()),
            ("LOGIN_FAILURES_BEFORE_BACKOFF", "100".to_owned()),
        ],
    )
    .await;
    app.register("many@example.com").await;
    let logins: Vec<_> = (0..50)
        .map(|n| {
            let client = app.client.clone();
            let base = app.base.clone();
            tokio::spawn(async move {
                let password = if n % 2 == 0 {
                    PASSWORD
                } else {
                    "wrong-wrong-wrong"
                };
                client
                    .post(format!("{base}/api/login"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", &base)
                    .body(format!(
                        "email=many%40example.com&password={}",
                        urlencode(password)
                    ))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for login in logins {
        statuses.push(login.await.unwrap());
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!((ok, wrong), (25, 25), "{statuses:?}");
    // Each hash holds ~19 MiB: the cap (2 in this process) bounds their memory at ~38 MiB,
    // where 50 at once would take ~950 MiB.
    let peak = HashingSlots::peak();
    assert!((1..=2).contains(&peak), "peak {peak} hashes at once");
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_pages_server_functions_streams_and_files() {
    let (llm, _upstream) = common::upstream::spawn().await;
    let app = TestApp::spawn_with(
        Backend::Postgres,
        &[
            ("LLM_BASE_URL", format!("http://{llm}/v1")),
            ("LLM_MODEL", "good".to_owned()),
            ("POOL_TARGET", "0".to_owned()),
        ],
    )
    .await;
    let cookie = app.register("headers@example.com").await;
    let page = app.get("/challenge").await;
    let server_fn = app.post_form("/api/me", &[], Some(&cookie)).await;
    let stream = app
        .post_json(
            "/api/challenge/generate",
            &serde_json::json!({"topic": "stack", "difficulty": "easy"}),
            Some(&cookie),
        )
        .await;
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let file = app.get("/pkg/probe.css").await;
    assert_eq!(file.status(), StatusCode::OK);
    let html = page.headers().clone();
    let body = page.text().await.unwrap();
    for (what, response) in [
        ("page", &html),
        ("server function", server_fn.headers()),
        ("stream", stream.headers()),
        ("file", file.headers()),
    ] {
        let csp = response
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{what}: no CSP"))
            .to_str()
            .unwrap();
        for directive in [
            "script-src 'self' 'wasm-unsafe-eval' 'nonce-",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "connect-src 'self'",
        ] {
            assert!(csp.contains(directive), "{what}: {csp}");
        }
        assert_eq!(response["x-content-type-options"], "nosniff", "{what}");
        assert!(response.contains_key("referrer-policy"), "{what}");
        assert!(response.contains_key("permissions-policy"), "{what}");
        assert!(
            !response.contains_key("strict-transport-security"),
            "{what}: no HSTS over plain http"
        );
    }
    for (what, response) in [
        ("page", &html),
        ("server function", server_fn.headers()),
        ("stream", stream.headers()),
    ] {
        assert_eq!(response["cache-control"], "private, no-store", "{what}");
    }
    // Every inline script of the page carries the nonce of its own response.
    let csp = html["content-security-policy"].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    let scripts = body.matches("<script").count();
    assert!(scripts >= 2, "{body}");
    assert_eq!(
        body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{body}"
    );
    let again = app.get("/challenge").await;
    assert_ne!(
        again.headers()["content-security-policy"],
        html["content-security-policy"],
        "a fresh nonce per response"
    );
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_means_hsts_and_a_host_only_cookie() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("PUBLIC_URL", "https://prompted.example".to_owned())],
    )
    .await;
    let home = app.get("/").await;
    assert_eq!(
        home.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let registered = app
        .client
        .post(format!("{}/api/register", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://prompted.example")
        .body(format!(
            "email=secure%40example.com&password={}&display_name=",
            urlencode(PASSWORD)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::OK);
    let cookie = registered.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-pc_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("; Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    let pair = cookie.split(';').next().unwrap();
    let me = app
        .client
        .post(format!("{}/api/me", app.base))
        .header("cookie", pair)
        .header("origin", "https://prompted.example")
        .send()
        .await
        .unwrap();
    assert_eq!(json(me).await["email"], "secure@example.com");
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_metrics_say_little_to_strangers() {
    let token = "a-metrics-token-for-tests";
    let app = TestApp::spawn_with(Backend::Postgres, &[("METRICS_TOKEN", token.to_owned())]).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let wrong = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth("a-metrics-token-for-test")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics
        .text()
        .await
        .unwrap()
        .contains("http_responses_total"));

    let without_token =
        TestApp::spawn_with(Backend::Sqlite, &[("METRICS_TOKEN", String::new())]).await;
    assert_eq!(
        without_token.get("/metrics").await.status(),
        StatusCode::NOT_FOUND
    );
    // A database behind the code's migrations is not ready either.
    {
        use migration::MigratorTrait;
        migration::Migrator::down(&without_token.test_db.db, Some(1))
            .await
            .unwrap();
    }
    let behind = without_token.get("/readyz").await;
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(behind.text().await.unwrap(), "migrations pending");
    without_token.test_db.teardown().await;

    // With the database gone, readiness names the problem and nothing more.
    let name = app.test_db.url.rsplit('/').next().unwrap().to_owned();
    let admin = sea_orm::Database::connect(common::postgres_admin_url())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text().await.unwrap(), "database unreachable");
    admin.close().await.ok();
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_and_housekeeping_is_queued() {
    let app =
        TestApp::spawn_with(Backend::Postgres, &[("SESSION_IDLE_DAYS", "2".to_owned())]).await;
    let cookie = app.register("idle@example.com").await;
    let me = json(app.post_form("/api/me", &[], Some(&cookie)).await).await;
    assert_eq!(me["email"], "idle@example.com");
    app.test_db
        .db
        .execute_unprepared("UPDATE sessions SET last_seen_at = NOW() - INTERVAL '49 hours'")
        .await
        .unwrap();
    let me = json(app.post_form("/api/me", &[], Some(&cookie)).await).await;
    assert_eq!(me, Value::Null, "idle for more than two days: signed out");
    assert_eq!(sessions(&app).await, 0, "and the row is gone");
    // Housekeeping (and the daily-quiz job) ran at start-up and are queued again for an
    // hour later.
    let queued = app.housekeeping_done().await;
    let mut kinds: Vec<&str> = queued.iter().map(|job| job.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["daily_quizzes", "housekeeping"]);
    for job in &queued {
        assert!(
            job.run_at > chrono::Utc::now() + chrono::Duration::minutes(50),
            "{job:?}"
        );
    }
    app.test_db.teardown().await;
}

/// An app process; killed when dropped.
struct Instance {
    _child: tokio::process::Child,
    base: String,
}

/// The app binary on its own port, on the database at `url`, ready.
async fn start_instance(url: &str, client: &reqwest::Client) -> Instance {
    let port = common::app::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_promptedcode"))
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "promptedcode")
        .env(
            "LEPTOS_SITE_ROOT",
            std::env::temp_dir().join("pc_test_site"),
        )
        .env("PUBLIC_URL", &base)
        .env("LOGIN_RATE_PER_IP", "4/300")
        .env("RUST_LOG", "warn")
        .env_remove("LLM_BASE_URL")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the app binary");
    let instance = Instance {
        _child: child,
        base,
    };
    assert!(
        common::app::wait_until_ready(client, &instance.base).await,
        "the instance at {} did not become ready",
        instance.base
    );
    instance
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_app_processes_on_one_postgres_share_the_login_limit() {
    let db = common::TestDb::create(Backend::Postgres).await;
    let client = reqwest::Client::new();
    // One after the other, so they do not race to run the migrations.
    let first = start_instance(&db.url, &client).await;
    let second = start_instance(&db.url, &client).await;
    let attempt = |base: &str| {
        client
            .post(format!("{base}/api/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", base)
            .body("email=shared%40example.com&password=not-the-password")
            .send()
    };
    // Four attempts, spread over both instances, use up the address's allowance …
    for base in [&first.base, &second.base, &first.base, &second.base] {
        let response = attempt(base).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{base}");
    }
    // … so each instance refuses the next one.
    for base in [&first.base, &second.base] {
        let response = attempt(base).await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{base}");
    }
    drop(first);
    drop(second);
    db.teardown().await;
}

/// Every route the app answers is in the inventory, and each line's claims hold: signed-in
/// routes answer 401 without a session, same-origin routes refuse a cross-site request, safe
/// routes are GET. A route added without a line here (or a line without a route) fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_route_inventory_lists_every_route_and_its_claims_hold() {
    use promptedcode::security::routes::{Access, Csrf, Kind, ROUTES};
    use std::collections::BTreeSet;
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("METRICS_TOKEN", "a-metrics-token-for-tests".to_owned()),
            (
                "CLERK_WEBHOOK_SECRET",
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned(),
            ),
        ],
    )
    .await;

    let listed = |kind: Kind| -> BTreeSet<(String, String)> {
        ROUTES
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect()
    };
    let server_fns: BTreeSet<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method.to_string(), path.to_owned()))
        .collect();
    assert_eq!(server_fns, listed(Kind::ServerFn), "server functions");
    let pages: BTreeSet<(String, String)> =
        leptos_axum::generate_route_list(promptedcode::app::App)
            .into_iter()
            .map(|route| ("GET".to_owned(), route.path().to_owned()))
            .collect();
    assert_eq!(pages, listed(Kind::Page), "pages");
    let unique: BTreeSet<_> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(unique.len(), ROUTES.len(), "one line per route");

    for route in ROUTES {
        let url = format!("{}{}", app.base, route.path);
        match route.csrf {
            Csrf::SafeMethod | Csrf::SignInRedirect => {
                assert_eq!(route.method, "GET", "{route:?}")
            }
            Csrf::SameOrigin => {
                assert_eq!(route.method, "POST", "{route:?}");
                let forged = app
                    .client
                    .post(&url)
                    .header("sec-fetch-site", "cross-site")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{route:?}");
            }
        }
        let request = match route.method {
            "GET" => app.client.get(&url),
            _ => app
                .client
                .post(&url)
                .header("origin", &app.base)
                .header("content-type", "application/x-www-form-urlencoded"),
        };
        let anonymous = request.send().await.unwrap();
        let status = anonymous.status();
        let has_csp = anonymous.headers().contains_key("content-security-policy");
        match route.access {
            Access::SignedIn => assert_eq!(status, StatusCode::UNAUTHORIZED, "{route:?}"),
            Access::MetricsToken | Access::Admin => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{route:?}")
            }
            // No signature headers: refused before anything is read.
            Access::SignedMessage => assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::UNAUTHORIZED,
                "{route:?}: {status}"
            ),
            // Answered by the route itself, not the fallback (a bad form is 400, not 404;
            // a page for a thing that does not exist, `/quiz/{id}`, is its own 404).
            Access::Public => {
                let body = anonymous.text().await.unwrap_or_default();
                let fallback = status == StatusCode::NOT_FOUND && body.contains("Page not found");
                assert!(
                    !fallback && status != StatusCode::UNAUTHORIZED,
                    "{route:?}: {status}"
                );
            }
        }
        assert!(has_csp, "{route:?}");
    }
    app.test_db.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_assets_are_immutable_and_served_precompressed() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[]).await;
    let path = format!("/pkg/{}", common::app::HASHED_ASSET);
    let fetch = |encoding: &'static str| {
        let mut request = app.client.get(format!("{}{path}", app.base));
        if !encoding.is_empty() {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };
    for (accepts, served, body) in [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("", None, "body { margin: 1px }\n"),
    ] {
        let response = fetch(accepts).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accepts}");
        let headers = response.headers().clone();
        assert_eq!(
            headers["cache-control"], "public, max-age=31536000, immutable",
            "{accepts}"
        );
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            served,
            "{accepts}"
        );
        assert!(headers.contains_key("content-security-policy"));
        assert_eq!(response.text().await.unwrap(), body, "{accepts}");
    }
    // A file without a hash in its name may change: it is revalidated.
    let plain = app.get("/pkg/probe.css").await;
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=0, must-revalidate"
    );
    app.test_db.teardown().await;
}
