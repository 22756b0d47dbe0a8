//! Test support: a fresh database per test, on SQLite and on a real Postgres.
#![allow(dead_code)]
pub mod app;
pub mod idp;
pub mod upstream;
use promptedcode::questions::bank;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Admin connection for creating test databases; override with TEST_DATABASE_URL.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "pc_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A database of its own for one test, dropped with it: by `teardown`, or, when a test
/// fails before that (a panicking assertion), by `Drop`. A failing test leaks nothing.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDb { admin: String, name: String },
}

impl TestDb {
    pub async fn create(backend: Backend) -> TestDb {
        let name = unique_name();
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Cleanup::SqliteFile(path),
                )
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!(
                        "Postgres is required for the tests and is unreachable at {admin_url}: {e}. \
                         Start it or set TEST_DATABASE_URL."
                    )
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                (
                    format!("{base}/{name}"),
                    Cleanup::PostgresDb {
                        admin: admin_url.clone(),
                        name,
                    },
                )
            }
        };
        let db = promptedcode::db::connect(&url, 4, Default::default())
            .await
            .expect("connect to test database");
        promptedcode::db::migrate(&db)
            .await
            .expect("migrations apply");
        TestDb {
            db,
            url,
            cleanup: Some(cleanup),
        }
    }

    pub async fn teardown(mut self) {
        self.db.clone().close().await.ok();
        if let Some(cleanup) = self.cleanup.take() {
            cleanup.run().await;
        }
    }
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDb { admin, name } => {
                let admin = Database::connect(&admin).await.expect("admin connection");
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .expect("drop test database");
                admin.close().await.ok();
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Not torn down: the test failed midway. `Drop` cannot await, so the cleanup runs
        // on a runtime of its own on another thread, and this one waits for it.
        if let Some(cleanup) = self.cleanup.take() {
            let finished = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("cleanup runtime")
                    .block_on(cleanup.run())
            })
            .join();
            if finished.is_err() {
                eprintln!("could not drop a test database");
            }
        }
    }
}

/// Runs `body` against a fresh database and always drops it, even if `body` panics (the
/// panic is re-raised after the teardown).
pub async fn with_db<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let test_db = TestDb::create(backend).await;
    let outcome = tokio::spawn(body(test_db.db.clone())).await;
    test_db.teardown().await;
    if let Err(err) = outcome {
        if err.is_panic() {
            std::panic::resume_unwind(err.into_panic());
        }
        panic!("test task failed: {err}");
    }
}

pub fn bank_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bank")
}

pub async fn load_bank(db: &DatabaseConnection) -> Vec<bank::BankFile> {
    let files = bank::load_dir(&bank_dir()).expect("bank loads");
    bank::sync(db, &files).await.expect("bank syncs");
    files
}

/// Declares each listed `async fn(DatabaseConnection)` as a test on SQLite and on Postgres.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::with_db($crate::common::Backend::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::with_db($crate::common::Backend::Postgres, super::$name).await;
                }
            )*
        }
    };
}

/// Declares each listed `async fn(Backend)` (a test that starts its own app) as a test on
/// SQLite and on Postgres.
macro_rules! over_http_on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}

/// A topic slug the test knows is well formed.
pub fn slug(raw: &str) -> promptedcode::types::TopicSlug {
    raw.parse().expect("a well-formed topic slug")
}

/// Sessions as the defaults have them, but living one hour.
pub const SESSIONS: promptedcode::auth::server::accounts::SessionPolicy =
    promptedcode::auth::server::accounts::SessionPolicy {
        ttl: chrono::Duration::hours(1),
        idle: chrono::Duration::days(7),
    };

/// Registers an account (UTC, a first session that is dropped), as the form does.
pub async fn register_user(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    display_name: &str,
) -> Result<promptedcode::auth::model::CurrentUser, promptedcode::error::AppError> {
    use promptedcode::auth::server::accounts::{register, Registration};
    let form = Registration {
        email,
        password,
        display_name,
        time_zone: promptedcode::clock::LocalClock::UTC,
        device: promptedcode::auth::server::accounts::Device::unknown(),
    };
    register(db, &form, SESSIONS).await.map(|(user, _)| user)
}

/// A learner registered with `app::PASSWORD`, for service tests that only need an id.
pub async fn new_user(db: &DatabaseConnection, email: &str) -> promptedcode::types::UserId {
    register_user(db, email, app::PASSWORD, "")
        .await
        .expect("register")
        .id
}
