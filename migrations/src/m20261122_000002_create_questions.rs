use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Topics {
    Table,
    Id,
    Slug,
    Name,
    Category,
}

#[derive(DeriveIden)]
pub enum Questions {
    Table,
    Id,
    ExternalId,
    TopicId,
    Difficulty,
    Title,
    Stem,
    Options,
    AnswerIndex,
    Explanation,
    Language,
    Tags,
    Source,
    ContentHash,
    Model,
    Verification,
    Retired,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Topics::Table)
                    .col(big_pk_auto(Topics::Id))
                    .col(string_len_uniq(Topics::Slug, 64))
                    .col(string_len(Topics::Name, 80))
                    .col(string_len(Topics::Category, 32))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(big_pk_auto(Questions::Id))
                    // Stable id of a bank question ("sql-007"); NULL for generated ones.
                    .col(string_len_null(Questions::ExternalId, 64).unique_key())
                    .col(big_integer(Questions::TopicId))
                    .col(string_len(Questions::Difficulty, 8))
                    .col(string_len(Questions::Title, 200))
                    .col(text(Questions::Stem))
                    // JSON array of the four options: portable across Postgres and SQLite.
                    .col(text(Questions::Options))
                    .col(small_integer(Questions::AnswerIndex))
                    .col(text(Questions::Explanation))
                    .col(string_len_null(Questions::Language, 32))
                    .col(text(Questions::Tags))
                    .col(string_len(Questions::Source, 8))
                    .col(string_len(Questions::ContentHash, 64))
                    .col(string_len_null(Questions::Model, 128))
                    .col(string_len_null(Questions::Verification, 32))
                    .col(boolean(Questions::Retired).default(false))
                    .col(timestamp_with_time_zone(Questions::CreatedAt))
                    .col(timestamp_with_time_zone(Questions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Questions::Table, Questions::TopicId)
                            .to(Topics::Table, Topics::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_questions_pick")
                    .table(Questions::Table)
                    .col(Questions::TopicId)
                    .col(Questions::Difficulty)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_questions_hash")
                    .table(Questions::Table)
                    .col(Questions::TopicId)
                    .col(Questions::ContentHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Questions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Topics::Table).to_owned())
            .await
    }
}
