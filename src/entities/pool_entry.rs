use crate::types::Difficulty;
use sea_orm::entity::prelude::*;

/// A verified AI question waiting in the instant pool; served once, then removed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pool_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub question_id: i64,
    pub topic_id: i64,
    pub difficulty: Difficulty,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
