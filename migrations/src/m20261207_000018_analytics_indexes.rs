use sea_orm_migration::prelude::*;

/// What the dashboard, `/progress` and a history search read, measured at 1M answers:
/// - `idx_challenges_user_answered` on `(user_id, answered_at, correct, time_taken_ms,
///   question_id)`: the answers per local day and the record per topic are read from the
///   index alone (index-only scans), not from a learner's rows in the table.
/// - Postgres: `questions.search`, the stored `tsvector` of the title and the stem
///   (a generated column), with a GIN index, so a history search compares each row's
///   stored vector instead of computing it for every answered question.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX idx_challenges_user_answered ON challenges \
             (user_id, answered_at, correct, time_taken_ms, question_id)",
        )
        .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE questions ADD COLUMN search tsvector GENERATED ALWAYS AS \
                 (to_tsvector('english', title || ' ' || stem)) STORED",
            )
            .await?;
            db.execute_unprepared(
                "CREATE INDEX idx_questions_search ON questions USING GIN (search)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("DROP INDEX idx_questions_search")
                .await?;
            db.execute_unprepared("ALTER TABLE questions DROP COLUMN search")
                .await?;
        }
        db.execute_unprepared("DROP INDEX idx_challenges_user_answered")
            .await?;
        Ok(())
    }
}
