//! The fixtures themselves: a test that fails midway leaves no database behind.
use crate::common::{postgres_admin_url, Backend, TestDb};
use sea_orm::{ConnectionTrait, Database, Statement};
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_test_leaves_no_database_behind() {
    let name = Arc::new(Mutex::new(None::<String>));
    let failing = tokio::spawn({
        let name = name.clone();
        async move {
            let test_db = TestDb::create(Backend::Postgres).await;
            *name.lock().unwrap() = test_db.url.rsplit('/').next().map(str::to_owned);
            assert_eq!(1, 2, "a failing assertion, before any teardown");
            drop(test_db);
        }
    })
    .await;
    assert!(failing.unwrap_err().is_panic());
    let name = name
        .lock()
        .unwrap()
        .clone()
        .expect("the database was created");
    let admin = Database::connect(postgres_admin_url()).await.unwrap();
    let left = admin
        .query_one_raw(Statement::from_sql_and_values(
            admin.get_database_backend(),
            "SELECT count(*) AS n FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(left, 0, "{name} was dropped with the failed test");
    admin.close().await.ok();
}
