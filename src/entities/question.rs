use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable bank id ("sql-007"); `None` for generated questions.
    pub external_id: Option<String>,
    pub topic_id: i64,
    pub difficulty: String,
    pub title: String,
    pub stem: String,
    /// JSON array of exactly four strings.
    pub options: String,
    pub answer_index: i16,
    pub explanation: String,
    pub language: Option<String>,
    /// JSON array of tags.
    pub tags: String,
    pub source: String,
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
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn option_list(&self) -> Vec<String> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }
}
