//! Local accounts and server-side sessions.
use crate::auth::model::CurrentUser;
use crate::entities::{session, user};
use crate::error::AppError;
use crate::questions::dedup::hex;
use crate::types::{Role, UserId};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    SqlErr,
};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
pub const DISPLAY_NAME_MAX: usize = 80;

/// An email address that passed validation: trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::invalid("email", "Enter your email address."));
        }
        if email.len() > EMAIL_MAX {
            return Err(AppError::invalid(
                "email",
                format!("Email must be at most {EMAIL_MAX} characters."),
            ));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            return Err(AppError::invalid(
                "email",
                "Enter a valid email address, like name@example.com.",
            ));
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that is long enough and not trivially guessable.
pub struct NewPassword(String);

const COMMON_PASSWORDS: [&str; 8] = [
    "password123",
    "1234567890",
    "123456789012",
    "qwertyuiop",
    "iloveyou123",
    "password1234",
    "letmein1234",
    "abcdefghij",
];

impl NewPassword {
    /// `local` is the part of the email before `@` (a password must not be it).
    pub fn parse(raw: &str, local: &str) -> Result<Self, AppError> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(AppError::invalid("password", "Choose a password."));
        }
        if chars < PASSWORD_MIN {
            return Err(AppError::invalid(
                "password",
                format!("Password is too weak: use at least {PASSWORD_MIN} characters."),
            ));
        }
        if chars > PASSWORD_MAX {
            return Err(AppError::invalid(
                "password",
                format!("Password must be at most {PASSWORD_MAX} characters."),
            ));
        }
        let lower = raw.to_lowercase();
        let one_repeated = raw.chars().all(|c| raw.starts_with(c));
        if one_repeated || COMMON_PASSWORDS.contains(&lower.as_str()) || lower == local {
            return Err(AppError::invalid(
                "password",
                "Password is too weak: it is too easy to guess.",
            ));
        }
        Ok(NewPassword(raw.to_owned()))
    }
}

/// The name to show: as typed, or `local` (the email before `@`) when left empty.
fn parse_display_name(raw: &str, local: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(AppError::invalid(
            "display_name",
            format!("Name must be at most {DISPLAY_NAME_MAX} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "display_name",
            "Name contains invalid characters.",
        ));
    }
    Ok(if name.is_empty() {
        local.to_owned()
    } else {
        name.to_owned()
    })
}

async fn hash_password(password: NewPassword) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Verifies against `stored`, or against a dummy hash when there is no account, so both
/// cases take the same time.
async fn verify_password(password: String, stored: Option<String>) -> bool {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(b"not-a-real-password", &salt)
            .expect("argon2 hashes a constant")
            .to_string()
    });
    tokio::task::spawn_blocking(move || {
        let has_account = stored.is_some();
        let hash_text = stored.unwrap_or_else(|| DUMMY.clone());
        let Ok(hash) = PasswordHash::new(&hash_text) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok();
        ok && has_account
    })
    .await
    .unwrap_or(false)
}

fn to_current_user(model: user::Model) -> CurrentUser {
    CurrentUser {
        id: UserId(model.id),
        email: model.email,
        display_name: model.display_name,
        role: model.role,
    }
}

pub async fn register(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    display_name: &str,
) -> Result<CurrentUser, AppError> {
    // Every field is checked, so the form can show all its problems at once.
    let email = Email::parse(email);
    let local = email
        .as_ref()
        .map(|e| e.as_str().split('@').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let password = NewPassword::parse(password, &local);
    let display_name = parse_display_name(display_name, &local);
    let (email, password, display_name) = match (email, password, display_name) {
        (Ok(email), Ok(password), Ok(name)) => (email, password, name),
        (email, password, name) => {
            return Err(
                AppError::all_valid([email.map(drop), password.map(drop), name.map(drop)])
                    .expect_err("one of them failed"),
            )
        }
    };
    let duplicate =
        || AppError::Conflict("An account with this email already exists. Log in instead.".into());

    if user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(duplicate());
    }
    let password_hash = hash_password(password).await?;
    let inserted = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        password_hash: Set(Some(password_hash)),
        display_name: Set(display_name),
        role: Set(Role::User),
        created_at: Set(chrono::Utc::now()),
        utc_offset_minutes: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => Ok(to_current_user(model)),
        // Two registrations raced past the check above.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(duplicate())
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<CurrentUser, AppError> {
    let present = |missing: bool, field: &str, message: &str| {
        if missing {
            Err(AppError::invalid(field, message))
        } else {
            Ok(())
        }
    };
    AppError::all_valid([
        present(
            email.trim().is_empty(),
            "email",
            "Enter your email address.",
        ),
        present(password.is_empty(), "password", "Enter your password."),
    ])?;
    if email.len() > EMAIL_MAX || password.chars().count() > PASSWORD_MAX {
        return Err(AppError::InvalidCredentials);
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    if verify_password(password.to_owned(), stored).await {
        Ok(to_current_user(
            found.expect("verified only with an account"),
        ))
    } else {
        Err(AppError::InvalidCredentials)
    }
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Creates a session and returns the secret token for the cookie (only its hash is stored).
pub async fn create_session(
    db: &DatabaseConnection,
    user: UserId,
    ttl_hours: i64,
) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex(&bytes);
    let now = chrono::Utc::now();
    session::ActiveModel {
        id_hash: Set(hash_token(&token)),
        user_id: Set(user.0),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(ttl_hours)),
        last_seen_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// How stale `last_seen_at` may get before a request refreshes it (one write a minute per
/// active session, not one per request).
const LAST_SEEN_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The user behind a session token, if the session exists and has not expired. Looked up
/// with its user in one query; marks the session as seen.
pub async fn user_for_session(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<CurrentUser>, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id_hash = hash_token(token);
    let Some((found, account)) = session::Entity::find_by_id(id_hash.clone())
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = chrono::Utc::now();
    if found.expires_at <= now {
        session::Entity::delete_by_id(id_hash).exec(db).await?;
        return Ok(None);
    }
    if now - found.last_seen_at >= LAST_SEEN_EVERY {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(db)
            .await?;
    }
    Ok(account.map(to_current_user))
}

pub async fn delete_session(db: &DatabaseConnection, token: &str) -> Result<(), AppError> {
    session::Entity::delete_by_id(hash_token(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Parses the browser's offset (minutes east of UTC, as a form string; empty means UTC).
pub fn parse_utc_offset(raw: Option<&str>) -> Result<i32, AppError> {
    let raw = raw.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse::<i32>()
        .ok()
        .filter(|m| m.abs() <= 14 * 60)
        .ok_or_else(|| AppError::invalid("utc_offset_minutes", "Unknown time-zone offset."))
}

/// Records the user's UTC offset, used for their local day (quota reset).
pub async fn set_utc_offset(
    db: &DatabaseConnection,
    user: crate::types::UserId,
    minutes: i32,
) -> Result<(), AppError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::UtcOffsetMinutes,
            sea_orm::sea_query::Expr::value(minutes),
        )
        .filter(user::Column::Id.eq(user.0))
        .exec(db)
        .await?;
    Ok(())
}
