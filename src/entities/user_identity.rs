use sea_orm::entity::prelude::*;

/// A login at an external provider that signs in as `user_id` (see the migration).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_identities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// The provider's id in the configuration (`AUTH_PROVIDERS`), or `clerk` for the webhook.
    pub provider: String,
    /// The provider's stable id of the person (`sub`, or GitHub's numeric `id`).
    pub subject: String,
    /// The email the provider last gave, for the settings list.
    pub email: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_used_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
