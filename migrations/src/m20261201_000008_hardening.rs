use sea_orm_migration::{prelude::*, schema::*};

/// Abuse limits that hold across app instances:
/// - `rate_limits`: one counter per key (a route class and who is asking), as a fixed
///   window, plus a back-off end for login failures. Times are Unix seconds.
/// - `quota_usage.attempts`: generations started that day, charged or not.
/// - `users.generating_until`: a generation of this user is in flight until then (a lease,
///   so an instance that dies mid-run does not block the user for good).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    WindowStart,
    Hits,
    BlockedUntil,
}

#[derive(DeriveIden)]
enum QuotaUsage {
    Table,
    Attempts,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    GeneratingUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimits::Table)
                    .col(string_len(RateLimits::Key, 200).primary_key())
                    .col(big_integer(RateLimits::WindowStart))
                    .col(integer(RateLimits::Hits))
                    .col(big_integer_null(RateLimits::BlockedUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(QuotaUsage::Table)
                    .add_column(integer(QuotaUsage::Attempts).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::GeneratingUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::GeneratingUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(QuotaUsage::Table)
                    .drop_column(QuotaUsage::Attempts)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(RateLimits::Table).to_owned())
            .await
    }
}
