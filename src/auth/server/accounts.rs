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
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, Statement, TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};

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

/// Zero-width and bidirectional-control characters: invisible in a name, they can make it
/// impersonate another or reorder the text around it.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}')
}

/// The name to show: as typed, or `local` (the email before `@`) when left empty.
pub(crate) fn parse_display_name(raw: &str, local: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(AppError::invalid(
            "display_name",
            format!("Name must be at most {DISPLAY_NAME_MAX} characters."),
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(AppError::invalid(
            "display_name",
            "Name contains invisible or direction-changing characters; please remove them.",
        ));
    }
    Ok(if name.is_empty() {
        local.to_owned()
    } else {
        name.to_owned()
    })
}

/// At most this many argon2 computations (~19 MiB and one core each) run at once in this
/// process; more sign-ins wait their turn, and one that waits too long gets a 503.
pub struct HashingSlots {
    permits: tokio::sync::Semaphore,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
static SLOTS: OnceLock<HashingSlots> = OnceLock::new();

impl HashingSlots {
    /// Sets this process's cap; the first call wins (later ones are ignored).
    pub fn configure(concurrency: usize) -> &'static HashingSlots {
        SLOTS.get_or_init(|| HashingSlots {
            permits: tokio::sync::Semaphore::new(concurrency.max(1)),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        })
    }

    fn get() -> &'static HashingSlots {
        Self::configure(2)
    }

    /// The most hashes that ever ran at once in this process.
    pub fn peak() -> usize {
        Self::get().peak.load(Ordering::Relaxed)
    }

    /// Runs `work` on the blocking pool once a slot is free.
    async fn run<T: Send + 'static>(
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let slots = Self::get();
        let _permit = tokio::time::timeout(SLOT_WAIT, slots.permits.acquire())
            .await
            .map_err(|_| AppError::Unavailable {
                retry_after_secs: 5,
            })?
            .map_err(|_| AppError::Internal)?;
        let now = slots.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        slots.peak.fetch_max(now, Ordering::Relaxed);
        let result = tokio::task::spawn_blocking(work).await;
        slots.in_flight.fetch_sub(1, Ordering::Relaxed);
        result.map_err(|_| AppError::Internal)
    }
}

pub async fn hash_password(password: NewPassword) -> Result<String, AppError> {
    HashingSlots::run(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Verifies against `stored`, or against a dummy hash when there is no account, so both
/// cases take the same time.
async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(b"not-a-real-password", &salt)
            .expect("argon2 hashes a constant")
            .to_string()
    });
    HashingSlots::run(move || {
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
}

/// Makes `user` an admin when their email is in `ADMIN_EMAILS`; one update, and only when
/// it changes something. Never the other way: an email taken off the list keeps the role
/// until an admin changes it.
pub async fn grant_listed_admin(
    db: &DatabaseConnection,
    user: &mut CurrentUser,
    admin_emails: &[String],
) -> Result<(), AppError> {
    if user.role == Role::Admin || !admin_emails.contains(&user.email) {
        return Ok(());
    }
    user::Entity::update_many()
        .col_expr(
            user::Column::Role,
            sea_orm::sea_query::Expr::value(Role::Admin.as_str()),
        )
        .filter(user::Column::Id.eq(user.id.0))
        .exec(db)
        .await?;
    user.role = Role::Admin;
    Ok(())
}

pub(crate) fn to_current_user(model: user::Model) -> CurrentUser {
    CurrentUser {
        id: UserId(model.id),
        email: model.email,
        display_name: model.display_name,
        role: model.role,
        time_zone: model.time_zone,
    }
}

/// How long sessions live: `ttl` at most, and `idle` without use.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub ttl: chrono::Duration,
    pub idle: chrono::Duration,
}

impl SessionPolicy {
    pub fn of(config: &crate::config::Config) -> Self {
        SessionPolicy {
            ttl: chrono::Duration::hours(config.session_ttl_hours),
            idle: config.session_idle,
        }
    }
}

/// What the registration form sends.
pub struct Registration<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
    /// The browser's time zone (already checked).
    pub time_zone: crate::clock::LocalClock,
    /// What the first session is started from.
    pub device: Device,
}

/// Creates the account and its first session in one transaction (the password is hashed
/// before it starts): either both exist afterwards or neither. Returns the session token.
pub async fn register(
    db: &DatabaseConnection,
    form: &Registration<'_>,
    sessions: SessionPolicy,
) -> Result<(CurrentUser, String), AppError> {
    // Every field is checked, so the form can show all its problems at once.
    let email = Email::parse(form.email);
    let local = email
        .as_ref()
        .map(|e| e.as_str().split('@').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let password = NewPassword::parse(form.password, &local);
    let display_name = parse_display_name(form.display_name, &local);
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
    let txn = db.begin().await?;
    let inserted = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        password_hash: Set(Some(password_hash)),
        display_name: Set(display_name),
        role: Set(Role::User),
        created_at: Set(chrono::Utc::now()),
        time_zone: Set(form.time_zone.name().to_owned()),
        generating_until: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let model = match inserted {
        Ok(model) => model,
        // Two registrations raced past the check above.
        Err(err) if crate::db::is_unique_violation(&err) => return Err(duplicate()),
        Err(err) => return Err(err.into()),
    };
    let user = to_current_user(model);
    let token = create_session(&txn, user.id, sessions, &form.device).await?;
    txn.commit().await?;
    Ok((user, token))
}

/// Checks the password; `free_failures` failed sign-ins in a row make the account back off
/// (see `rate_limit::sign_in`), and while it does even the right password is refused.
pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    free_failures: u32,
) -> Result<CurrentUser, AppError> {
    use crate::security::rate_limit::{sign_in, unix_now};
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
    let email = email.trim().to_lowercase();
    sign_in::check(db, &email, unix_now()).await?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    if verify_password(password.to_owned(), stored).await? {
        sign_in::succeeded(db, &email).await?;
        Ok(to_current_user(
            found.expect("verified only with an account"),
        ))
    } else {
        sign_in::failed(db, &email, free_failures, unix_now()).await?;
        Err(AppError::InvalidCredentials)
    }
}

/// 256 random bits as 64 hex characters: a secret for a cookie (only its hash is stored).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Creates a session and returns the secret token for the cookie (only its hash is stored).
pub async fn create_session(
    db: &impl ConnectionTrait,
    user: UserId,
    sessions: SessionPolicy,
    device: &Device,
) -> Result<String, AppError> {
    create_session_via(db, user, sessions, device, None).await
}

/// `create_session` for a sign-in through an external `provider` (kept with the session
/// for the provider's logout).
pub async fn create_session_via(
    db: &impl ConnectionTrait,
    user: UserId,
    sessions: SessionPolicy,
    device: &Device,
    provider: Option<&str>,
) -> Result<String, AppError> {
    let token = random_token();
    let now = chrono::Utc::now();
    session::ActiveModel {
        id_hash: Set(hash_token(&token)),
        user_id: Set(user.0),
        created_at: Set(now),
        expires_at: Set(now + sessions.ttl),
        last_seen_at: Set(now),
        device: Set(Some(device.0.clone())),
        provider: Set(provider.map(str::to_owned)),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// What a session was started from, as a learner would name it ("Firefox on Linux"): a
/// summary of the User-Agent, so no header text is stored or shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device(String);

impl Device {
    pub fn unknown() -> Device {
        Device("Unknown device".to_owned())
    }

    pub fn from_user_agent(agent: &str) -> Device {
        let has = |needle: &str| agent.contains(needle);
        let browser = [
            ("Edg/", "Edge"),
            ("OPR/", "Opera"),
            ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"),
            ("Safari/", "Safari"),
            ("curl/", "curl"),
        ]
        .into_iter()
        .find(|(marker, _)| has(marker))
        .map(|(_, name)| name);
        let system = [
            ("Android", "Android"),
            ("iPhone", "iOS"),
            ("iPad", "iPadOS"),
            ("Windows", "Windows"),
            ("Mac OS X", "macOS"),
            ("CrOS", "ChromeOS"),
            ("Linux", "Linux"),
        ]
        .into_iter()
        .find(|(marker, _)| has(marker))
        .map(|(_, name)| name);
        match (browser, system) {
            (Some(browser), Some(system)) => Device(format!("{browser} on {system}")),
            (Some(name), None) | (None, Some(name)) => Device(name.to_owned()),
            (None, None) => Device::unknown(),
        }
    }

    pub fn of_headers(headers: &axum::http::HeaderMap) -> Device {
        headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map_or_else(Device::unknown, Device::from_user_agent)
    }
}

/// How stale `last_seen_at` may get before a request refreshes it (one write a minute per
/// active session, not one per request).
const LAST_SEEN_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The user behind a session token, if the session exists, has not expired and has been
/// used within the idle timeout. Looked up with its user in one query; marks it as seen.
pub async fn user_for_session(
    db: &DatabaseConnection,
    token: &str,
    sessions: SessionPolicy,
) -> Result<Option<CurrentUser>, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let id_hash = hash_token(token);
    // Every page asks this: one statement written out, only the columns needed, read by
    // position.
    let backend = db.get_database_backend();
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT s.expires_at, s.last_seen_at, u.id, u.email, u.display_name, u.role, \
               u.time_zone \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
            [id_hash.as_str().into()],
        ))
        .await?
    else {
        return Ok(None);
    };
    let expires_at: chrono::DateTime<chrono::Utc> = row.try_get_by_index(0)?;
    let last_seen_at: chrono::DateTime<chrono::Utc> = row.try_get_by_index(1)?;
    let now = chrono::Utc::now();
    if expires_at <= now || now - last_seen_at >= sessions.idle {
        session::Entity::delete_by_id(id_hash).exec(db).await?;
        return Ok(None);
    }
    if now - last_seen_at >= LAST_SEEN_EVERY {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(db)
            .await?;
    }
    Ok(Some(CurrentUser {
        id: UserId(row.try_get_by_index(2)?),
        email: row.try_get_by_index(3)?,
        display_name: row.try_get_by_index(4)?,
        role: row.try_get_by_index::<Role>(5)?,
        time_zone: row.try_get_by_index(6)?,
    }))
}

/// Ends the session of `token`; returns the provider it was signed in through, if any.
pub async fn delete_session(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<String>, AppError> {
    let ended = session::Entity::delete_by_id(hash_token(token))
        .exec_with_returning(db)
        .await?;
    Ok(ended.and_then(|s| s.provider))
}

/// Removes sessions past their lifetime or idle timeout; returns how many.
pub async fn delete_expired_sessions(
    db: &DatabaseConnection,
    sessions: SessionPolicy,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, AppError> {
    let done = session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - sessions.idle)),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The browser's IANA time zone, as the sign-up form sends it. Empty (no script) and
/// `Etc/Unknown` (what a browser says when the system has no zone) are UTC, which the
/// learner sees and can change in the settings.
pub fn parse_time_zone(raw: Option<&str>) -> Result<crate::clock::LocalClock, AppError> {
    match raw.map(str::trim).unwrap_or("") {
        "" | "Etc/Unknown" => Ok(crate::clock::LocalClock::UTC),
        name => crate::clock::LocalClock::named(name),
    }
}
