use sea_orm_migration::prelude::*;

/// `idx_challenges_user_correct`: the dashboard's totals (answered, correct) read from the
/// index alone. Without it the aggregate fetched each of a learner's rows from the table:
/// 857 buffers and 0.45 ms for 1,000 answers at 1M rows, against 8 and 0.14 ms with it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Challenges {
    Table,
    UserId,
    Correct,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_challenges_user_correct")
                    .table(Challenges::Table)
                    .col(Challenges::UserId)
                    .col(Challenges::Correct)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_challenges_user_correct")
                    .table(Challenges::Table)
                    .to_owned(),
            )
            .await
    }
}
