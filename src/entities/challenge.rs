use sea_orm::entity::prelude::*;

/// One question served to one user, and (once answered) their answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "challenges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub question_id: i64,
    pub chosen_index: Option<i16>,
    pub correct: Option<bool>,
    pub time_taken_ms: Option<i64>,
    pub created_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    /// Set when the row is a finished quiz's question (answered in the quiz, not here).
    pub quiz_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::question::Entity",
        from = "Column::QuestionId",
        to = "super::question::Column::Id"
    )]
    Question,
}

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
