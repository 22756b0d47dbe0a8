use sea_orm::entity::prelude::*;

/// One quiz attempt; times are the server's (see the migration for how time left is kept).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quizzes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub kind: crate::quiz::model::QuizKind,
    pub topic_id: Option<i64>,
    pub difficulty: Option<crate::types::Difficulty>,
    pub local_day: Option<String>,
    pub question_count: i16,
    pub time_limit_secs: Option<i32>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub paused_at: Option<DateTimeUtc>,
    pub paused_ms: i64,
    pub position: i16,
    pub finished_at: Option<DateTimeUtc>,
    pub correct_count: Option<i16>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
