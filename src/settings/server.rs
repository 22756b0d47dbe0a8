//! A learner's profile, checked whole before anything is written.
use crate::auth::model::CurrentUser;
use crate::clock::LocalClock;
use crate::entities::{session, user};
use crate::error::AppError;
use crate::settings::model::SessionInfo;
use crate::types::UserId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

/// A display name and a time zone that passed their checks.
#[derive(Clone, Debug)]
pub struct Profile {
    pub display_name: String,
    pub clock: LocalClock,
}

impl Profile {
    /// Checks both fields, naming every one that fails.
    pub fn parse(user: &CurrentUser, display_name: &str, zone: &str) -> Result<Self, AppError> {
        let local = user.email.split('@').next().unwrap_or_default();
        let name = crate::auth::server::accounts::parse_display_name(display_name, local);
        let clock = LocalClock::named(zone);
        AppError::all_valid([name.clone().map(drop), clock.clone().map(drop)])?;
        Ok(Profile {
            display_name: name?,
            clock: clock?,
        })
    }
}

/// One statement, scoped to the caller's row.
pub async fn save_profile(
    db: &DatabaseConnection,
    user: UserId,
    profile: &Profile,
) -> Result<(), AppError> {
    let done = user::Entity::update_many()
        .col_expr(
            user::Column::DisplayName,
            Expr::value(profile.display_name.clone()),
        )
        .col_expr(user::Column::TimeZone, Expr::value(profile.clock.name()))
        .filter(user::Column::Id.eq(user.0))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::Unauthorized);
    }
    Ok(())
}

/// The learner's live sessions: the caller's first, then the latest seen.
pub async fn sessions(
    db: &DatabaseConnection,
    user: UserId,
    current: Option<&str>,
    clock: &LocalClock,
) -> Result<Vec<SessionInfo>, AppError> {
    let rows = session::Entity::find()
        .filter(session::Column::UserId.eq(user.0))
        .filter(session::Column::ExpiresAt.gt(chrono::Utc::now()))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?;
    let mut list: Vec<SessionInfo> = rows
        .into_iter()
        .map(|row| SessionInfo {
            current: current == Some(row.id_hash.as_str()),
            device: row
                .device
                .unwrap_or_else(|| "A device (signed in before devices were recorded)".into()),
            signed_in: clock.minutes(row.created_at),
            last_seen: clock.minutes(row.last_seen_at),
            id: row.id_hash,
        })
        .collect();
    list.sort_by_key(|s| !s.current);
    Ok(list)
}

/// Ends one session of `user` (never anyone else's: the id alone matches nothing).
pub async fn end_session(db: &DatabaseConnection, user: UserId, id: &str) -> Result<(), AppError> {
    let well_formed = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(AppError::invalid(
            "id",
            "That is not a session of this list.",
        ));
    }
    let done = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.0))
        .filter(session::Column::IdHash.eq(id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound("That session has already ended.".into()));
    }
    Ok(())
}

/// Ends every session of `user` but `current`; returns how many ended.
pub async fn end_other_sessions(
    db: &DatabaseConnection,
    user: UserId,
    current: &str,
) -> Result<u64, AppError> {
    let done = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.0))
        .filter(session::Column::IdHash.ne(current))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The settings' "Linked logins": the caller's, and the providers they can still link.
pub struct Logins {
    pub linked: Vec<crate::settings::model::LinkedLogin>,
    pub linkable: Vec<crate::auth::model::ProviderLink>,
}

/// Whether a password is one of the user's ways in.
async fn has_password(db: &impl sea_orm::ConnectionTrait, user: UserId) -> Result<bool, AppError> {
    Ok(user::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?
        .password_hash
        .is_some())
}

pub async fn logins(
    db: &DatabaseConnection,
    user: UserId,
    providers: &[crate::auth::server::external::ProviderConfig],
    clock: &LocalClock,
) -> Result<Logins, AppError> {
    let rows = crate::auth::server::external::identities::of_user(db, user).await?;
    let only_one = rows.len() == 1 && !has_password(db, user).await?;
    let name_of = |id: &str| {
        providers
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_owned(), |p| p.name.clone())
    };
    let linkable = providers
        .iter()
        .filter(|p| !rows.iter().any(|row| row.provider == p.id))
        .map(|p| p.link())
        .collect();
    let linked = rows
        .into_iter()
        .map(|row| crate::settings::model::LinkedLogin {
            id: row.id,
            provider: name_of(&row.provider),
            email: row.email,
            linked: clock.minutes(row.created_at),
            last_way_in: only_one,
        })
        .collect();
    Ok(Logins { linked, linkable })
}

/// Unlinks one of `user`'s provider logins, in one transaction with the check that
/// another way in (a password or another login) remains.
pub async fn unlink(db: &DatabaseConnection, user: UserId, id: i64) -> Result<(), AppError> {
    use crate::entities::user_identity;
    use sea_orm::{PaginatorTrait, TransactionTrait};
    let txn = db.begin().await?;
    let login = user_identity::Entity::find_by_id(id)
        .filter(user_identity::Column::UserId.eq(user.0))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That linked login".into()))?;
    let has_password = has_password(&txn, user).await?;
    let others = user_identity::Entity::find()
        .filter(user_identity::Column::UserId.eq(user.0))
        .filter(user_identity::Column::Id.ne(login.id))
        .count(&txn)
        .await?;
    if !has_password && others == 0 {
        return Err(AppError::Conflict(
            "This is your only way to sign in: link another login first.".into(),
        ));
    }
    user_identity::Entity::delete_by_id(login.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
