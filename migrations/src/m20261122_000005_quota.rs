use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_accounts::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QuotaUsage {
    Table,
    UserId,
    Day,
    Used,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuotaUsage::Table)
                    .col(big_integer(QuotaUsage::UserId))
                    // The user's local calendar day, YYYY-MM-DD.
                    .col(string_len(QuotaUsage::Day, 10))
                    .col(integer(QuotaUsage::Used).default(0))
                    .primary_key(Index::create().col(QuotaUsage::UserId).col(QuotaUsage::Day))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuotaUsage::Table, QuotaUsage::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QuotaUsage::Table).to_owned())
            .await
    }
}
