use crate::m20261122_000001_create_accounts::Users;
use crate::m20261122_000002_create_questions::{Questions, Topics};
use sea_orm_migration::{prelude::*, schema::*};

/// Quizzes, with time kept by the server:
/// - `quizzes`: one per attempt. `local_day` is set for a daily quiz only, unique per user,
///   so asking twice on one day gives the same quiz. `position` is the question on screen;
///   `paused_at` is set while paused and `paused_ms` sums the pauses that ended, so the time
///   left is `time_limit_secs` minus what passed since `started_at` outside pauses.
/// - `quiz_items`: the questions in order, never one twice in a quiz; when each was shown
///   (and the quiz's `paused_ms` then) and answered, the choice, and the time it took.
/// - `challenges.quiz_id`: a finished quiz's questions are written to the history too,
///   marked with their quiz (and not answerable there).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Quizzes {
    Table,
    Id,
    UserId,
    Kind,
    TopicId,
    Difficulty,
    LocalDay,
    QuestionCount,
    TimeLimitSecs,
    CreatedAt,
    StartedAt,
    PausedAt,
    PausedMs,
    Position,
    FinishedAt,
    CorrectCount,
}

#[derive(DeriveIden)]
enum QuizItems {
    Table,
    QuizId,
    Position,
    QuestionId,
    ShownAt,
    PausedMsAtShow,
    AnsweredAt,
    ChosenIndex,
    Correct,
    TimeMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Quizzes::Table)
                    .col(big_pk_auto(Quizzes::Id))
                    .col(big_integer(Quizzes::UserId))
                    .col(string_len(Quizzes::Kind, 8))
                    .col(big_integer_null(Quizzes::TopicId))
                    .col(string_len_null(Quizzes::Difficulty, 8))
                    .col(string_len_null(Quizzes::LocalDay, 10))
                    .col(small_integer(Quizzes::QuestionCount))
                    .col(integer_null(Quizzes::TimeLimitSecs))
                    .col(timestamp_with_time_zone(Quizzes::CreatedAt))
                    .col(timestamp_with_time_zone_null(Quizzes::StartedAt))
                    .col(timestamp_with_time_zone_null(Quizzes::PausedAt))
                    .col(big_integer(Quizzes::PausedMs).default(0))
                    .col(small_integer(Quizzes::Position).default(0))
                    .col(timestamp_with_time_zone_null(Quizzes::FinishedAt))
                    .col(small_integer_null(Quizzes::CorrectCount))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Quizzes::Table, Quizzes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Quizzes::Table, Quizzes::TopicId)
                            .to(Topics::Table, Topics::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_quizzes_user_day")
                    .table(Quizzes::Table)
                    .col(Quizzes::UserId)
                    .col(Quizzes::LocalDay)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_quizzes_user_created")
                    .table(Quizzes::Table)
                    .col(Quizzes::UserId)
                    .col(Quizzes::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QuizItems::Table)
                    .col(big_integer(QuizItems::QuizId))
                    .col(small_integer(QuizItems::Position))
                    .col(big_integer(QuizItems::QuestionId))
                    .col(timestamp_with_time_zone_null(QuizItems::ShownAt))
                    .col(big_integer_null(QuizItems::PausedMsAtShow))
                    .col(timestamp_with_time_zone_null(QuizItems::AnsweredAt))
                    .col(small_integer_null(QuizItems::ChosenIndex))
                    .col(boolean_null(QuizItems::Correct))
                    .col(big_integer_null(QuizItems::TimeMs))
                    .primary_key(
                        Index::create()
                            .col(QuizItems::QuizId)
                            .col(QuizItems::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuizItems::Table, QuizItems::QuizId)
                            .to(Quizzes::Table, Quizzes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuizItems::Table, QuizItems::QuestionId)
                            .to(Questions::Table, Questions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_quiz_items_question")
                    .table(QuizItems::Table)
                    .col(QuizItems::QuizId)
                    .col(QuizItems::QuestionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_quiz_items_question")
                    .table(QuizItems::Table)
                    .col(QuizItems::QuestionId)
                    .to_owned(),
            )
            .await?;
        // As in `m20261202_000011`: the one ALTER both backends accept with a reference.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE challenges ADD COLUMN quiz_id BIGINT NULL \
                 REFERENCES quizzes (id) ON DELETE CASCADE",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE challenges DROP COLUMN quiz_id")
            .await?;
        manager
            .drop_table(Table::drop().table(QuizItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Quizzes::Table).to_owned())
            .await
    }
}
