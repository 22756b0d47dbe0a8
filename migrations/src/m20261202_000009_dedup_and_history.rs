use sea_orm_migration::{prelude::*, schema::*};

/// - `question_buckets`: each question's MinHash LSH buckets (one per band), so a new
///   question is compared only with the questions of its topic that share a bucket.
///   Filled by the app (it owns the hashing); a question without rows is indexed at start.
/// - `idx_challenges_user_created_id`: a history page in index order, ties by id.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QuestionBuckets {
    Table,
    QuestionId,
    TopicId,
    Band,
    Bucket,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    UserId,
    CreatedAt,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuestionBuckets::Table)
                    .col(big_integer(QuestionBuckets::QuestionId))
                    .col(big_integer(QuestionBuckets::TopicId))
                    .col(small_integer(QuestionBuckets::Band))
                    .col(big_integer(QuestionBuckets::Bucket))
                    .primary_key(
                        Index::create()
                            .col(QuestionBuckets::QuestionId)
                            .col(QuestionBuckets::Band),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuestionBuckets::Table, QuestionBuckets::QuestionId)
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_question_buckets_topic_bucket")
                    .table(QuestionBuckets::Table)
                    .col(QuestionBuckets::TopicId)
                    .col(QuestionBuckets::Bucket)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_challenges_user_created_id")
                    .table(Challenges::Table)
                    .col(Challenges::UserId)
                    .col(Challenges::CreatedAt)
                    .col(Challenges::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_challenges_user_created")
                    .table(Challenges::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
            .drop_index(
                Index::drop()
                    .name("idx_challenges_user_created_id")
                    .table(Challenges::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(QuestionBuckets::Table).to_owned())
            .await
    }
}
