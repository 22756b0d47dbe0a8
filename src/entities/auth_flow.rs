use sea_orm::entity::prelude::*;

/// A sign-in at a provider that has not come back yet; taken by its first callback.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_flows")]
pub struct Model {
    /// SHA-256 of the `state` sent to the provider.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    /// SHA-256 of the cookie that binds the flow to the browser that started it.
    pub browser_hash: String,
    pub provider: String,
    pub pkce_verifier: String,
    /// OIDC only.
    pub nonce: Option<String>,
    /// Set when a signed-in user links this provider from the settings.
    pub link_user_id: Option<i64>,
    /// Where to go afterwards (a local path).
    pub next: String,
    /// The browser's IANA zone, for an account this flow creates.
    pub time_zone: Option<String>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
