use sea_orm::entity::prelude::*;

/// One call to the model: who caused it, what for, and what it cost.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "llm_calls")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Option<i64>,
    pub purpose: String,
    /// The model the app asked for.
    pub model: String,
    /// The model the reply named; `None` when there was no reply.
    pub reply_model: Option<String>,
    pub technique: String,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub outcome: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
