use crate::m20261122_000001_create_accounts::Users;
use crate::m20261122_000002_create_questions::Questions;
use sea_orm_migration::{prelude::*, schema::*};

/// Spaced repetition and the mistake notebook:
/// - `review_cards`: one per learner and question, made when a question is missed (or
///   flagged), scheduled with FSRS: its memory state (stability, difficulty, state, reps,
///   lapses), when it is due and when it was last reviewed. `shown_at` is when the review
///   page last put it on screen, so the time an answer took is the server's to count.
/// - `review_logs`: every review, with the card as it was before it (`prior_*`), so a
///   rating chosen afterwards (Again / Hard / Good / Easy) reschedules from the same state.
/// - `notes`: a learner's private note on a question.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ReviewCards {
    Table,
    UserId,
    QuestionId,
    Origin,
    State,
    Due,
    Stability,
    Difficulty,
    ElapsedDays,
    ScheduledDays,
    Reps,
    Lapses,
    LastReview,
    ShownAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReviewLogs {
    Table,
    Id,
    UserId,
    QuestionId,
    ReviewedAt,
    ChosenIndex,
    Correct,
    TimeMs,
    Rating,
    PriorState,
    PriorDue,
    PriorStability,
    PriorDifficulty,
    PriorElapsedDays,
    PriorScheduledDays,
    PriorReps,
    PriorLapses,
    PriorLastReview,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notes {
    Table,
    UserId,
    QuestionId,
    Body,
    UpdatedAt,
}

fn owned_by_user(table: impl IntoIden + Copy, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn of_question(table: impl IntoIden + Copy, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Questions::Table, Questions::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReviewCards::Table)
                    .col(big_integer(ReviewCards::UserId))
                    .col(big_integer(ReviewCards::QuestionId))
                    .col(string_len(ReviewCards::Origin, 8))
                    .col(string_len(ReviewCards::State, 12))
                    .col(timestamp_with_time_zone(ReviewCards::Due))
                    .col(double(ReviewCards::Stability))
                    .col(double(ReviewCards::Difficulty))
                    .col(integer(ReviewCards::ElapsedDays))
                    .col(integer(ReviewCards::ScheduledDays))
                    .col(integer(ReviewCards::Reps))
                    .col(integer(ReviewCards::Lapses))
                    .col(timestamp_with_time_zone_null(ReviewCards::LastReview))
                    .col(timestamp_with_time_zone_null(ReviewCards::ShownAt))
                    .col(timestamp_with_time_zone(ReviewCards::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ReviewCards::UserId)
                            .col(ReviewCards::QuestionId),
                    )
                    .foreign_key(&mut owned_by_user(ReviewCards::Table, ReviewCards::UserId))
                    .foreign_key(&mut of_question(
                        ReviewCards::Table,
                        ReviewCards::QuestionId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_review_cards_user_due")
                    .table(ReviewCards::Table)
                    .col(ReviewCards::UserId)
                    .col(ReviewCards::Due)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewLogs::Table)
                    .col(big_pk_auto(ReviewLogs::Id))
                    .col(big_integer(ReviewLogs::UserId))
                    .col(big_integer(ReviewLogs::QuestionId))
                    .col(timestamp_with_time_zone(ReviewLogs::ReviewedAt))
                    .col(small_integer(ReviewLogs::ChosenIndex))
                    .col(boolean(ReviewLogs::Correct))
                    .col(big_integer(ReviewLogs::TimeMs))
                    .col(string_len(ReviewLogs::Rating, 8))
                    .col(string_len(ReviewLogs::PriorState, 12))
                    .col(timestamp_with_time_zone(ReviewLogs::PriorDue))
                    .col(double(ReviewLogs::PriorStability))
                    .col(double(ReviewLogs::PriorDifficulty))
                    .col(integer(ReviewLogs::PriorElapsedDays))
                    .col(integer(ReviewLogs::PriorScheduledDays))
                    .col(integer(ReviewLogs::PriorReps))
                    .col(integer(ReviewLogs::PriorLapses))
                    .col(timestamp_with_time_zone_null(ReviewLogs::PriorLastReview))
                    .foreign_key(&mut owned_by_user(ReviewLogs::Table, ReviewLogs::UserId))
                    .foreign_key(&mut of_question(ReviewLogs::Table, ReviewLogs::QuestionId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_review_logs_user_reviewed")
                    .table(ReviewLogs::Table)
                    .col(ReviewLogs::UserId)
                    .col(ReviewLogs::ReviewedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notes::Table)
                    .col(big_integer(Notes::UserId))
                    .col(big_integer(Notes::QuestionId))
                    .col(text(Notes::Body))
                    .col(timestamp_with_time_zone(Notes::UpdatedAt))
                    .primary_key(Index::create().col(Notes::UserId).col(Notes::QuestionId))
                    .foreign_key(&mut owned_by_user(Notes::Table, Notes::UserId))
                    .foreign_key(&mut of_question(Notes::Table, Notes::QuestionId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notes_user_updated")
                    .table(Notes::Table)
                    .col(Notes::UserId)
                    .col(Notes::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notes::Table.into_iden(),
            ReviewLogs::Table.into_iden(),
            ReviewCards::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
