use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UsersTz {
    #[sea_orm(iden = "users")]
    Table,
    UtcOffsetMinutes,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    DedupKey,
    Payload,
    State,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedBy,
    LockedUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PoolEntries {
    Table,
    Id,
    QuestionId,
    TopicId,
    Difficulty,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The user's UTC offset, so the daily quota resets at their local midnight.
        manager
            .alter_table(
                Table::alter()
                    .table(UsersTz::Table)
                    .add_column(integer(UsersTz::UtcOffsetMinutes).default(0))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(big_pk_auto(Jobs::Id))
                    .col(string_len(Jobs::Kind, 32))
                    .col(string_len(Jobs::DedupKey, 128))
                    .col(text(Jobs::Payload))
                    .col(string_len(Jobs::State, 16))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(integer(Jobs::MaxAttempts).default(5))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(string_len_null(Jobs::LockedBy, 64))
                    .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                    .col(text_null(Jobs::LastError))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_state_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::State)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;
        // At most one queued or running job per key, so refills are not enqueued twice.
        // Partial indexes read the same on Postgres and SQLite.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_jobs_active_key ON jobs (dedup_key) \
                 WHERE state IN ('queued', 'running')",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PoolEntries::Table)
                    .col(big_pk_auto(PoolEntries::Id))
                    .col(big_integer_uniq(PoolEntries::QuestionId))
                    .col(big_integer(PoolEntries::TopicId))
                    .col(string_len(PoolEntries::Difficulty, 8))
                    .col(timestamp_with_time_zone(PoolEntries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PoolEntries::Table, PoolEntries::QuestionId)
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pool_cell")
                    .table(PoolEntries::Table)
                    .col(PoolEntries::TopicId)
                    .col(PoolEntries::Difficulty)
                    .col(PoolEntries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PoolEntries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UsersTz::Table)
                    .drop_column(UsersTz::UtcOffsetMinutes)
                    .to_owned(),
            )
            .await
    }
}
