use crate::types::Role;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTimeUtc,
    /// IANA name ("Europe/Berlin"): the learner's days and the times they are shown.
    pub time_zone: String,
    /// One AI generation of this user is in flight until then (a lease).
    pub generating_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
