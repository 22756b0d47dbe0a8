use crate::m20261122_000001_create_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

/// External sign-in and user sync:
/// - `user_identities`: a login at an external provider (OIDC, OAuth2, or a Clerk user
///   synced by its webhook) that signs in as a user: the provider's id from the config and
///   the subject the provider gave. One subject of a provider is one user.
/// - `auth_flows`: a sign-in started at a provider and not yet back: looked up by the
///   hash of its `state`, bound to the browser that started it (the hash of a cookie), with
///   the PKCE verifier and the nonce; taken (deleted) by the first callback that names it.
/// - `webhook_events`: the ids of webhook messages already handled, so a replay is ignored.
///   The browser's zone rides along, for an account the flow creates.
/// - `sessions.provider`: the provider a session was signed in through, if any (for its
///   RP-initiated logout).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum UserIdentities {
    Table,
    Id,
    UserId,
    Provider,
    Subject,
    Email,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuthFlows {
    Table,
    StateHash,
    BrowserHash,
    Provider,
    PkceVerifier,
    Nonce,
    LinkUserId,
    Next,
    TimeZone,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookEvents {
    Table,
    Id,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserIdentities::Table)
                    .col(big_pk_auto(UserIdentities::Id))
                    .col(big_integer(UserIdentities::UserId))
                    .col(string_len(UserIdentities::Provider, 40))
                    .col(string_len(UserIdentities::Subject, 255))
                    .col(string_len_null(UserIdentities::Email, 254))
                    .col(timestamp_with_time_zone(UserIdentities::CreatedAt))
                    .col(timestamp_with_time_zone(UserIdentities::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserIdentities::Table, UserIdentities::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("user_identities_provider_subject")
                    .table(UserIdentities::Table)
                    .col(UserIdentities::Provider)
                    .col(UserIdentities::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("user_identities_user")
                    .table(UserIdentities::Table)
                    .col(UserIdentities::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuthFlows::Table)
                    .col(string_len(AuthFlows::StateHash, 64).primary_key())
                    .col(string_len(AuthFlows::BrowserHash, 64))
                    .col(string_len(AuthFlows::Provider, 40))
                    .col(string_len(AuthFlows::PkceVerifier, 128))
                    .col(string_len_null(AuthFlows::Nonce, 128))
                    .col(big_integer_null(AuthFlows::LinkUserId))
                    .col(string_len(AuthFlows::Next, 512))
                    .col(string_len_null(AuthFlows::TimeZone, 64))
                    .col(timestamp_with_time_zone(AuthFlows::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthFlows::Table, AuthFlows::LinkUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookEvents::Table)
                    .col(string_len(WebhookEvents::Id, 128).primary_key())
                    .col(timestamp_with_time_zone(WebhookEvents::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE sessions ADD COLUMN provider VARCHAR(40) NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE sessions DROP COLUMN provider")
            .await?;
        for table in [
            WebhookEvents::Table.into_iden(),
            AuthFlows::Table.into_iden(),
            UserIdentities::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
