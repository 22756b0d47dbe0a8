use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000002_create_questions::Questions;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LlmCalls {
    Table,
    Id,
    UserId,
    Purpose,
    Model,
    Technique,
    PromptTokens,
    CompletionTokens,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuestionsExtra {
    Technique,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Questions::Table)
                    .add_column(string_len_null(QuestionsExtra::Technique, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LlmCalls::Table)
                    .col(big_pk_auto(LlmCalls::Id))
                    .col(big_integer_null(LlmCalls::UserId))
                    .col(string_len(LlmCalls::Purpose, 16))
                    .col(string_len(LlmCalls::Model, 128))
                    .col(string_len(LlmCalls::Technique, 64))
                    .col(integer(LlmCalls::PromptTokens))
                    .col(integer(LlmCalls::CompletionTokens))
                    .col(string_len(LlmCalls::Outcome, 32))
                    .col(timestamp_with_time_zone(LlmCalls::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_llm_calls_user")
                    .table(LlmCalls::Table)
                    .col(LlmCalls::UserId)
                    .col(LlmCalls::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LlmCalls::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Questions::Table)
                    .drop_column(QuestionsExtra::Technique)
                    .to_owned(),
            )
            .await
    }
}
