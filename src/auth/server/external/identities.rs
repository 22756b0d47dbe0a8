//! Which account a provider's profile signs in as, and the logins linked to an account.
//!
//! A known (provider, subject) is its user. Otherwise a **verified** email equal to an
//! account's links the login to that account, and a verified email no account has makes
//! a new one. An unverified email never links and never makes an account: whoever typed
//! it into the provider need not own it.
use super::flow::ExternalProfile;
use crate::auth::model::{AuthFailure, CurrentUser};
use crate::auth::server::accounts::{parse_display_name, to_current_user, Email};
use crate::entities::{user, user_identity};
use crate::types::{Role, UserId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

fn internal(err: sea_orm::DbErr) -> AuthFailure {
    tracing::error!(error = %err, "external sign-in: database error");
    AuthFailure::Internal
}

async fn identity(
    db: &impl ConnectionTrait,
    provider: &str,
    subject: &str,
) -> Result<Option<user_identity::Model>, AuthFailure> {
    user_identity::Entity::find()
        .filter(user_identity::Column::Provider.eq(provider))
        .filter(user_identity::Column::Subject.eq(subject))
        .one(db)
        .await
        .map_err(internal)
}

async fn add_identity(
    db: &impl ConnectionTrait,
    user: i64,
    provider: &str,
    profile: &ExternalProfile,
) -> Result<(), AuthFailure> {
    let now = chrono::Utc::now();
    user_identity::ActiveModel {
        user_id: Set(user),
        provider: Set(provider.to_owned()),
        subject: Set(profile.subject.clone()),
        email: Set(profile.email.clone()),
        created_at: Set(now),
        last_used_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(drop)
    .map_err(|err| {
        if crate::db::is_unique_violation(&err) {
            AuthFailure::AlreadyLinked
        } else {
            internal(err)
        }
    })
}

/// The account `profile` signs in as, made or linked as the rules above say; all in one
/// transaction.
pub async fn sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    provider: &str,
    profile: &ExternalProfile,
    time_zone: Option<&str>,
) -> Result<CurrentUser, AuthFailure> {
    let txn = db.begin().await.map_err(internal)?;
    if let Some(known) = identity(&txn, provider, &profile.subject).await? {
        let mut seen: user_identity::ActiveModel = known.clone().into();
        seen.last_used_at = Set(chrono::Utc::now());
        seen.email = Set(profile.email.clone());
        seen.update(&txn).await.map_err(internal)?;
        let account = user::Entity::find_by_id(known.user_id)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AuthFailure::Internal)?;
        txn.commit().await.map_err(internal)?;
        return Ok(to_current_user(account));
    }
    let email = profile.email.as_deref().ok_or(AuthFailure::NoEmail)?;
    let email = Email::parse(email).map_err(|_| AuthFailure::NoEmail)?;
    if !profile.email_verified {
        return Err(AuthFailure::UnverifiedEmail);
    }
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await
        .map_err(internal)?;
    let account = match existing {
        Some(account) => account,
        None => {
            let local = email.as_str().split('@').next().unwrap_or_default();
            let name = parse_display_name(profile.name.as_deref().unwrap_or(""), local)
                .unwrap_or_else(|_| local.to_owned());
            let zone = crate::auth::server::accounts::parse_time_zone(time_zone)
                .unwrap_or(crate::clock::LocalClock::UTC);
            user::ActiveModel {
                email: Set(email.as_str().to_owned()),
                password_hash: Set(None),
                display_name: Set(name),
                role: Set(Role::User),
                created_at: Set(chrono::Utc::now()),
                time_zone: Set(zone.name().to_owned()),
                generating_until: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|err| {
                // Another sign-in with this email made the account a moment ago.
                if crate::db::is_unique_violation(&err) {
                    AuthFailure::State
                } else {
                    internal(err)
                }
            })?
        }
    };
    add_identity(&txn, account.id, provider, profile).await?;
    txn.commit().await.map_err(internal)?;
    Ok(to_current_user(account))
}

/// Links `profile`'s login to `user` (signed in, from the settings). A login that already
/// belongs to another account is refused; linking one twice changes nothing.
pub async fn link(
    db: &DatabaseConnection,
    user: UserId,
    provider: &str,
    profile: &ExternalProfile,
) -> Result<(), AuthFailure> {
    match identity(db, provider, &profile.subject).await? {
        Some(known) if known.user_id == user.0 => Ok(()),
        Some(_) => Err(AuthFailure::AlreadyLinked),
        None => add_identity(db, user.0, provider, profile).await,
    }
}

/// The user's linked logins, oldest first.
pub async fn of_user(
    db: &DatabaseConnection,
    user: UserId,
) -> Result<Vec<user_identity::Model>, sea_orm::DbErr> {
    user_identity::Entity::find()
        .filter(user_identity::Column::UserId.eq(user.0))
        .order_by_asc(user_identity::Column::Id)
        .all(db)
        .await
}
