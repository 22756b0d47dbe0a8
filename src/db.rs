//! Database connection and migrations, for Postgres and SQLite alike.
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    Value,
};
use std::time::Duration;

/// Connects; every statement run through the connection is counted in `queries`.
pub async fn connect(
    url: &str,
    pool_size: u32,
    queries: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    // A fixed pool: connections are opened once and kept (sqlx closes idle ones after ten
    // minutes by default, to reopen them under the next burst).
    options
        .max_connections(pool_size)
        .min_connections(pool_size)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |_| {
        queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers proceed while a writer commits; persistent for the file.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// A write refused by a unique index (on either backend): a race the caller can name.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Raw SQL written for Postgres, made to run on SQLite too: there the row lock is dropped
/// (SQLite serialises writers anyway) and `$n` placeholders become `?n`.
pub fn portable(db: &impl ConnectionTrait, pg_sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => pg_sql.to_owned(),
        _ => pg_sql
            .replace(" FOR UPDATE SKIP LOCKED", "")
            .replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Why the app is not ready, in words safe to show anyone (details go to the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotReady {
    DatabaseUnreachable,
    MigrationsPending,
}

impl NotReady {
    pub fn as_str(self) -> &'static str {
        match self {
            NotReady::DatabaseUnreachable => "database unreachable",
            NotReady::MigrationsPending => "migrations pending",
        }
    }
}

/// Ready when the database answers and no migration is pending.
pub async fn ready(db: &DatabaseConnection) -> Result<(), NotReady> {
    db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness: database unreachable");
        NotReady::DatabaseUnreachable
    })?;
    let pending = Migrator::get_pending_migrations(db).await.map_err(|e| {
        tracing::warn!(error = %e, "readiness: cannot read migrations");
        NotReady::DatabaseUnreachable
    })?;
    if pending.is_empty() {
        Ok(())
    } else {
        tracing::warn!(pending = pending.len(), "readiness: migrations pending");
        Err(NotReady::MigrationsPending)
    }
}
