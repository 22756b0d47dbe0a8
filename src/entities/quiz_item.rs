use sea_orm::entity::prelude::*;

/// One question of a quiz, in its place, with when it was shown and answered.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub quiz_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i16,
    pub question_id: i64,
    pub shown_at: Option<DateTimeUtc>,
    pub paused_ms_at_show: Option<i64>,
    pub answered_at: Option<DateTimeUtc>,
    pub chosen_index: Option<i16>,
    pub correct: Option<bool>,
    pub time_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::question::Entity",
        from = "Column::QuestionId",
        to = "super::question::Column::Id"
    )]
    Question,
    #[sea_orm(
        belongs_to = "super::quiz::Entity",
        from = "Column::QuizId",
        to = "super::quiz::Column::Id"
    )]
    Quiz,
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl Related<super::quiz::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Quiz.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
