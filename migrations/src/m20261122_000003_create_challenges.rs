use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_accounts::Users;
use crate::m20261122_000002_create_questions::Questions;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Challenges {
    Table,
    Id,
    UserId,
    QuestionId,
    ChosenIndex,
    Correct,
    TimeTakenMs,
    CreatedAt,
    AnsweredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Challenges::Table)
                    .col(big_pk_auto(Challenges::Id))
                    .col(big_integer(Challenges::UserId))
                    .col(big_integer(Challenges::QuestionId))
                    .col(small_integer_null(Challenges::ChosenIndex))
                    .col(boolean_null(Challenges::Correct))
                    .col(big_integer_null(Challenges::TimeTakenMs))
                    .col(timestamp_with_time_zone(Challenges::CreatedAt))
                    .col(timestamp_with_time_zone_null(Challenges::AnsweredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Challenges::Table, Challenges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Challenges::Table, Challenges::QuestionId)
                            .to(Questions::Table, Questions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_challenges_user_created")
                    .table(Challenges::Table)
                    .col(Challenges::UserId)
                    .col(Challenges::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_challenges_user_question")
                    .table(Challenges::Table)
                    .col(Challenges::UserId)
                    .col(Challenges::QuestionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Challenges::Table).to_owned())
            .await
    }
}
