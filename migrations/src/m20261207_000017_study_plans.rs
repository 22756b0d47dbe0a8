use crate::m20261122_000001_create_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

/// The study plan and its wizard:
/// - `study_plans`: one per learner, written by the wizard's final step together with the
///   learner's zone and topic priorities: who they are (role, experience, target
///   companies), the interview date (none: a four-week plan), the day the plan starts and
///   the schedule settings. The day-by-day schedule is computed from it on every read, so
///   it always follows the current weak topics and rebalances when the learner falls behind.
/// - `wizard_drafts`: the wizard's answers so far, as typed (valid or not), and its step,
///   so a reload or a sign-out loses nothing. Deleted when the plan is written.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum StudyPlans {
    Table,
    UserId,
    JobRole,
    Experience,
    Companies,
    InterviewDate,
    StartsOn,
    DailyGoal,
    MinutesPerDay,
    ReminderTime,
    TimerMinutes,
    Difficulty,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WizardDrafts {
    Table,
    UserId,
    Step,
    Reached,
    Fields,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StudyPlans::Table)
                    .col(big_integer(StudyPlans::UserId).primary_key())
                    .col(string_len(StudyPlans::JobRole, 20))
                    .col(string_len(StudyPlans::Experience, 20))
                    .col(text(StudyPlans::Companies))
                    .col(date_null(StudyPlans::InterviewDate))
                    .col(date(StudyPlans::StartsOn))
                    .col(
                        small_integer(StudyPlans::DailyGoal)
                            .check(Expr::col(StudyPlans::DailyGoal).between(1, 50)),
                    )
                    .col(
                        small_integer(StudyPlans::MinutesPerDay)
                            .check(Expr::col(StudyPlans::MinutesPerDay).between(5, 240)),
                    )
                    .col(string_len_null(StudyPlans::ReminderTime, 5))
                    .col(small_integer_null(StudyPlans::TimerMinutes))
                    .col(string_len_null(StudyPlans::Difficulty, 10))
                    .col(timestamp_with_time_zone(StudyPlans::CreatedAt))
                    .col(timestamp_with_time_zone(StudyPlans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StudyPlans::Table, StudyPlans::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WizardDrafts::Table)
                    .col(big_integer(WizardDrafts::UserId).primary_key())
                    .col(small_integer(WizardDrafts::Step))
                    .col(small_integer(WizardDrafts::Reached))
                    .col(text(WizardDrafts::Fields))
                    .col(timestamp_with_time_zone(WizardDrafts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WizardDrafts::Table, WizardDrafts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WizardDrafts::Table.into_iden(),
            StudyPlans::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
