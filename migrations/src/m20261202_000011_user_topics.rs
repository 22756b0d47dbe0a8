use crate::m20261122_000001_create_accounts::Users;
use crate::m20261122_000002_create_questions::Topics;
use sea_orm_migration::{prelude::*, schema::*};

/// A learner's own topics and their settings of every topic:
/// - `topics.owner_id`: NULL for the bank's topics; a learner's own topic belongs to them
///   and goes with their account. `topics.description`: optional, for generation prompts.
/// - `user_topics`: a learner's priority (1–5) and active flag for one topic. No row means
///   the defaults (priority 3, active), so a new bank topic reaches everyone.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserTopics {
    Table,
    UserId,
    TopicId,
    Priority,
    Active,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TopicOwner {
    OwnerId,
    Description,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One statement both backends accept: SQLite adds a column with REFERENCES only
        // this way (sea-query has no foreign key in ALTER for it), and its default is NULL.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE topics ADD COLUMN owner_id BIGINT NULL \
                 REFERENCES users (id) ON DELETE CASCADE",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Topics::Table)
                    .add_column(string_len_null(TopicOwner::Description, 500))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_topics_owner")
                    .table(Topics::Table)
                    .col(TopicOwner::OwnerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserTopics::Table)
                    .col(big_integer(UserTopics::UserId))
                    .col(big_integer(UserTopics::TopicId))
                    .col(
                        small_integer(UserTopics::Priority)
                            .check(Expr::col(UserTopics::Priority).between(1, 5)),
                    )
                    .col(boolean(UserTopics::Active))
                    .col(timestamp_with_time_zone(UserTopics::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(UserTopics::UserId)
                            .col(UserTopics::TopicId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserTopics::Table, UserTopics::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserTopics::Table, UserTopics::TopicId)
                            .to(Topics::Table, Topics::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserTopics::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_topics_owner")
                    .table(Topics::Table)
                    .to_owned(),
            )
            .await?;
        for column in [TopicOwner::Description, TopicOwner::OwnerId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Topics::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
