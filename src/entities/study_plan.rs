use crate::entities::columns::CompanyList;
use crate::plan::model::{Experience, JobRole};
use crate::types::Difficulty;
use sea_orm::entity::prelude::*;

/// A learner's study plan, as the wizard wrote it (the schedule is computed from it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "study_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub job_role: JobRole,
    pub experience: Experience,
    pub companies: CompanyList,
    pub interview_date: Option<Date>,
    pub starts_on: Date,
    pub daily_goal: i16,
    pub minutes_per_day: i16,
    /// HH:MM in the learner's zone.
    pub reminder_time: Option<String>,
    pub timer_minutes: Option<i16>,
    /// `None`: any difficulty.
    pub difficulty: Option<Difficulty>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
