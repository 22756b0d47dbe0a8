use sea_orm_migration::{prelude::*, schema::*};

/// `llm_calls.model` is the model the app asked for; `reply_model` is the one the reply
/// named (they differ behind routers such as OpenRouter), absent when there was no reply.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LlmCalls {
    Table,
    ReplyModel,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LlmCalls::Table)
                    .add_column(string_null(LlmCalls::ReplyModel))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LlmCalls::Table)
                    .drop_column(LlmCalls::ReplyModel)
                    .to_owned(),
            )
            .await
    }
}
