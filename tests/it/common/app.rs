//! The assembled app over real HTTP, spawned on port 0 with its own database.
use super::{Backend, TestDb};
use leptos::prelude::LeptosOptions;
use promptedcode::config::Config;
use promptedcode::state::AppState;
use reqwest::header::{HeaderMap, ORIGIN, SET_COOKIE};
use reqwest::Client;
use std::collections::HashMap;

/// A server function, its form, whose session, the status it must answer, the field its
/// message names.
pub type Refusal<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    &'a str,
    reqwest::StatusCode,
    Option<&'a str>,
);

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub test_db: TestDb,
    pub state: AppState,
    server: tokio::task::JoinHandle<()>,
    extra: Vec<(String, String)>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Backend::Postgres, &[]).await
    }

    /// The app on its own fresh database, with extra environment settings.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, String)]) -> TestApp {
        let extra = extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone()));
        Self::serve(TestDb::create(backend).await, extra.collect()).await
    }

    /// Stops this app (its server and its connections to the database) and starts a new
    /// one on the same database, as a restart or another instance would.
    pub async fn restart(self) -> TestApp {
        self.server.abort();
        let _ = self.server.await;
        self.state.db.clone().close().await.ok();
        Self::serve(self.test_db, self.extra).await
    }

    async fn serve(test_db: TestDb, extra: Vec<(String, String)>) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", test_db.url.clone()),
            ("LEPTOS_SITE_ADDR", addr.to_string()),
            ("PUBLIC_URL", base.clone()),
            ("METRICS_TOKEN", METRICS_TOKEN.to_owned()),
        ]);
        let vars: HashMap<&str, String> = vars
            .into_iter()
            .chain(extra.iter().map(|(k, v)| (k.as_str(), v.clone())))
            .collect();
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let options = LeptosOptions::builder()
            .output_name("promptedcode")
            .site_root(site_root())
            .site_addr(addr)
            .build();
        let (router, state) = promptedcode::server::build(config, options).await.unwrap();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
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
            state,
            server,
            extra,
        }
    }

    /// `/metrics`, with the token every test app starts with.
    pub async fn metrics(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.base))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        response.text().await.unwrap()
    }

    /// Waits until the start-up jobs (housekeeping, daily quizzes) have run once and are
    /// queued again for later; returns the jobs table then.
    pub async fn housekeeping_done(&self) -> Vec<promptedcode::entities::job::Model> {
        use sea_orm::EntityTrait;
        let later = || chrono::Utc::now() + chrono::Duration::minutes(50);
        let mut jobs = Vec::new();
        for _ in 0..50 {
            jobs = promptedcode::entities::job::Entity::find()
                .all(&self.test_db.db)
                .await
                .unwrap();
            if jobs.iter().all(|job| job.run_at > later()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        jobs
    }

    /// A page as `cookie`'s session sees it: its HTML.
    pub async fn page_as(&self, path: &str, cookie: &str) -> String {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        response.text().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Posts each refused request and checks its status, that it says why, and the field
    /// it names (when one is given).
    pub async fn assert_refused(&self, cases: &[Refusal<'_>]) {
        for (path, form, who, status, field) in cases {
            let (got, body) = self.call(path, form, who).await;
            assert_eq!(got, *status, "{path} {form:?}: {body}");
            assert!(
                body["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}"
            );
            if let Some(field) = field {
                assert_eq!(body["field"], *field, "{body}");
            }
        }
    }

    /// Posts a form to a server function as `cookie`'s session: the status and the JSON
    /// body (a string when the body is not JSON).
    pub async fn call(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: &str,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let response = self.post_form(path, form, Some(cookie)).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
        )
    }

    pub async fn post_form(
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

/// A free port on loopback (the kernel picks it; it is released for a child to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until an app process at `base` answers `/readyz` (up to a minute).
pub async fn wait_until_ready(client: &Client, base: &str) -> bool {
    for _ in 0..240 {
        if let Ok(ready) = client.get(format!("{base}/readyz")).send().await {
            if ready.status().is_success() {
                return true;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    false
}

/// A site root with one static file, `/pkg/probe.css` (the real bundle is built later, by
/// the end-to-end step).
fn site_root() -> String {
    let root = std::env::temp_dir().join("pc_test_site");
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("probe.css"), "body { margin: 0 }\n").unwrap();
    // A hashed file with the copies `cargo leptos --precompress` makes (their bytes only
    // need to be told apart here).
    let hashed = pkg.join(HASHED_ASSET);
    std::fs::write(&hashed, "body { margin: 1px }\n").unwrap();
    std::fs::write(hashed.with_extension("css.br"), "brotli bytes").unwrap();
    std::fs::write(hashed.with_extension("css.gz"), "gzip bytes").unwrap();
    root.display().to_string()
}

/// A file under `/pkg` named as a hashed build names it.
pub const HASHED_ASSET: &str = "probe.Xq3bX9s1vQy0Zk2mW8rT5A.css";

pub fn urlencode(value: &str) -> String {
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

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("pc_session="))
        .map(str::to_owned)
}

pub const PASSWORD: &str = "correct horse battery";

/// Every test app's `METRICS_TOKEN` unless a test sets its own.
pub const METRICS_TOKEN: &str = "metrics-token-of-the-tests";

impl TestApp {
    /// Registers a new account and returns its session cookie (`name=value`).
    pub async fn register(&self, email: &str) -> String {
        let response = self
            .post_form(
                "/api/register",
                &[
                    ("email", email),
                    ("password", PASSWORD),
                    ("display_name", ""),
                ],
                None,
            )
            .await;
        assert!(
            response.status().is_success(),
            "register: {}",
            response.status()
        );
        let cookie = session_cookie(response.headers()).expect("session cookie");
        cookie.split(';').next().unwrap().to_owned()
    }

    /// POSTs JSON as a same-origin browser would.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header(ORIGIN, &self.base)
            .body(body.to_string());
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }
}
