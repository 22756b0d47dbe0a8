use super::columns::OptionList;
use crate::types::{Difficulty, QuestionSource};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable bank id ("sql-007"); `None` for generated questions.
    pub external_id: Option<String>,
    pub topic_id: i64,
    pub difficulty: Difficulty,
    pub title: String,
    pub stem: String,
    /// Exactly four, stored as a JSON array.
    pub options: OptionList,
    pub answer_index: i16,
    pub explanation: String,
    pub language: Option<String>,
    /// JSON array of tags.
    pub tags: String,
    pub source: QuestionSource,
    pub content_hash: String,
    pub model: Option<String>,
    pub verification: Option<String>,
    pub retired: bool,
    /// Prompt technique that produced an AI question.
    pub technique: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::topic::Entity",
        from = "Column::TopicId",
        to = "super::topic::Column::Id"
    )]
    Topic,
}

impl Related<super::topic::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Topic.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
