//! Configuration from the environment, validated once at start-up.
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

/// Where the OpenAI-compatible model server is, and how patiently to talk to it.
#[derive(Clone)]
pub struct LlmSettings {
    /// Always ends with `/`; `chat/completions` is appended.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub verify_model: Option<String>,
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub total_timeout: Duration,
    pub max_retries: u32,
    pub max_concurrency: usize,
    /// Longest a request waits for one of the `max_concurrency` slots before a 503.
    pub slot_wait: Duration,
    /// Largest reply body (buffered) or stream (streamed) read from the model.
    pub max_reply_bytes: usize,
}

impl std::fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmSettings")
            .field("base_url", &without_user_info(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("verify_model", &self.verify_model)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_retries", &self.max_retries)
            .field("max_concurrency", &self.max_concurrency)
            .field("slot_wait", &self.slot_wait)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    /// Connections the pool keeps open (all opened at start, none dropped when idle).
    pub database_pool_size: u32,
    pub site_addr: SocketAddr,
    pub public_url: Url,
    /// Absolute session lifetime.
    pub session_ttl_hours: i64,
    /// A session unused for this long ends.
    pub session_idle: chrono::Duration,
    pub bank_dir: std::path::PathBuf,
    /// `None`: bank mode, no model configured.
    pub llm: Option<LlmSettings>,
    /// AI questions a user may get per local day.
    pub daily_quota: u32,
    /// AI generations a user may start per local day, charged or not (failed, cancelled).
    pub daily_attempts: u32,
    /// New review cards a learner starts per local day.
    pub review_new_per_day: u32,
    pub limits: Limits,
    /// Password hashes (argon2, ~19 MiB each) computed at once by this process.
    pub password_hash_concurrency: usize,
    /// Client address from the last `X-Forwarded-For` entry (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// `/metrics` answers only with `Authorization: Bearer <token>`; off when unset.
    pub metrics_token: Option<Secret>,
    /// Verified AI questions kept ready per topic × difficulty (0 turns the pool off).
    pub pool_target: u32,
    /// How often an idle job worker looks for jobs queued by other instances (its own
    /// instance wakes it at once).
    pub jobs_poll: Duration,
    /// Longest a page render, server function or other non-streamed request may take.
    pub request_timeout: Duration,
    /// The watchdog exits the process when the runtime has not run for this long.
    pub watchdog_limit: Duration,
    /// After SIGTERM, in-flight requests get this long before the process exits anyway.
    pub shutdown_deadline: Duration,
    /// Accounts with these emails (lower-cased) become admins when they sign in.
    pub admin_emails: Vec<String>,
    /// External sign-in providers (`AUTH_PROVIDERS`), in the order the login page shows them.
    pub providers: Vec<crate::auth::server::external::ProviderConfig>,
    /// The Svix signing secret of the Clerk user-sync webhook; off (404) when unset.
    pub clerk_webhook_secret: Option<crate::auth::server::webhook::SigningKey>,
}

/// At most `max` requests per `window`, per caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub max: u32,
    pub window: Duration,
}

impl Rate {
    /// `"20/300"`: 20 requests per 300 seconds.
    pub fn parse(text: &str) -> Option<Rate> {
        let (max, secs) = text.trim().split_once('/')?;
        let max: u32 = max.trim().parse().ok().filter(|m| *m >= 1)?;
        let secs: u64 = secs.trim().parse().ok().filter(|s| (1..=86_400).contains(s))?;
        Some(Rate {
            max,
            window: Duration::from_secs(secs),
        })
    }
}

/// The rate limits by route class (see `security::routes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in attempts per client address.
    pub login_per_ip: Rate,
    /// Accounts created per client address.
    pub register_per_ip: Rate,
    /// AI generations started per user.
    pub generate_per_user: Rate,
    /// Failed sign-ins to one account before each further one waits (doubling, capped).
    pub login_failures_before_backoff: u32,
}

/// A secret from the environment; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The database's URL; its `Debug` leaves out the user and password.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&without_user_info(&self.0))
    }
}

/// Names the variable and says what is wrong; the value is shown only with any secret in
/// it taken out (a URL's user and password), or not at all when it cannot be (a URL that
/// does not even parse may still hold one).
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {name}={shown}: {reason}")]
pub struct ConfigError {
    name: String,
    shown: String,
    reason: String,
}

impl ConfigError {
    /// A problem with `name`, whose value is not shown (it may be or hold a secret).
    pub fn hidden(name: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError {
            name: name.into(),
            shown: "(not shown)".into(),
            reason: reason.into(),
        }
    }

    /// A problem with `name`, whose value (not a secret) is shown.
    pub fn shown(name: impl Into<String>, value: &str, reason: impl Into<String>) -> Self {
        ConfigError {
            name: name.into(),
            shown: format!("{value:?}"),
            reason: reason.into(),
        }
    }
}

/// Variables whose value is a URL that may carry credentials.
const URL_VARIABLES: [&str; 2] = ["DATABASE_URL", "LLM_BASE_URL"];

/// `url` fit for a log line or an error message: user and password removed. Text that is
/// not a URL is not shown.
pub fn without_user_info(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            if !parsed.username().is_empty() || parsed.password().is_some() {
                let _ = parsed.set_username("");
                let _ = parsed.set_password(None);
            }
            parsed.to_string()
        }
        Err(_) => "(not shown)".to_owned(),
    }
}

fn shown_value(name: &str, value: &str) -> String {
    if URL_VARIABLES.contains(&name) {
        without_user_info(value)
    } else {
        format!("{value:?}")
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can pass their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str, default: &str| -> (&'static str, String) {
            let value = lookup(name)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned());
            (name, value)
        };
        let fail = |(name, value): (&'static str, String), reason: &str| ConfigError {
            name: name.to_owned(),
            shown: shown_value(name, &value),
            reason: reason.to_owned(),
        };

        let database_url = get("DATABASE_URL", "sqlite://promptedcode.db?mode=rwc");
        if !(database_url.1.starts_with("sqlite:")
            || database_url.1.starts_with("postgres://")
            || database_url.1.starts_with("postgresql://"))
        {
            return Err(fail(
                database_url,
                "expected a sqlite:// or postgres:// URL",
            ));
        }

        let site_addr = get("LEPTOS_SITE_ADDR", "127.0.0.1:3000");
        let parsed_addr: SocketAddr = site_addr
            .1
            .parse()
            .map_err(|_| fail(site_addr.clone(), "expected host:port, e.g. 127.0.0.1:3000"))?;

        let default_public = format!("http://{parsed_addr}");
        let public_url = get("PUBLIC_URL", &default_public);
        let parsed_public = Url::parse(&public_url.1)
            .map_err(|e| fail(public_url.clone(), &format!("not a URL ({e})")))?;
        if !matches!(parsed_public.scheme(), "http" | "https") || parsed_public.host().is_none() {
            return Err(fail(public_url, "expected an http:// or https:// origin"));
        }

        let ttl = get("SESSION_TTL_HOURS", "720");
        let session_ttl_hours = match ttl.1.parse::<i64>() {
            Ok(h) if (1..=24 * 365).contains(&h) => h,
            _ => return Err(fail(ttl, "expected whole hours between 1 and 8760")),
        };

        let bank_dir = get("BANK_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/bank"));

        let number = |name: &'static str, default: &str, range: std::ops::RangeInclusive<u64>| {
            let value = get(name, default);
            match value.1.parse::<u64>() {
                Ok(n) if range.contains(&n) => Ok(n),
                _ => Err(fail(
                    value,
                    &format!(
                        "expected a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )),
            }
        };
        // Postgres on the same few cores does most work with a few connections busy; more
        // only queue inside it. SQLite has one writer whatever the pool.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u64);
        let default_pool = if database_url.1.starts_with("sqlite:") {
            4
        } else {
            (cores * 4).clamp(4, 32)
        };
        let database_pool_size =
            number("DATABASE_POOL_SIZE", &default_pool.to_string(), 1..=1000)? as u32;

        let base = get("LLM_BASE_URL", "");
        let llm = if base.1.is_empty() {
            None
        } else {
            let parsed =
                Url::parse(&base.1).map_err(|e| fail(base.clone(), &format!("not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(fail(
                    base,
                    "expected an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1",
                ));
            }
            let model = get("LLM_MODEL", "");
            if model.1.is_empty() {
                return Err(fail(
                    model,
                    "must be set when LLM_BASE_URL is (the model name the server knows)",
                ));
            }
            let mut base_url = parsed.to_string();
            if !base_url.ends_with('/') {
                base_url.push('/');
            }
            Some(LlmSettings {
                base_url,
                api_key: lookup("LLM_API_KEY").filter(|k| !k.trim().is_empty()),
                model: model.1,
                verify_model: lookup("LLM_VERIFY_MODEL").filter(|m| !m.trim().is_empty()),
                connect_timeout: Duration::from_secs(number(
                    "LLM_CONNECT_TIMEOUT_SECS",
                    "5",
                    1..=60,
                )?),
                first_byte_timeout: Duration::from_secs(number(
                    "LLM_FIRST_BYTE_TIMEOUT_SECS",
                    "30",
                    1..=600,
                )?),
                total_timeout: Duration::from_secs(number(
                    "LLM_TOTAL_TIMEOUT_SECS",
                    "120",
                    1..=1800,
                )?),
                max_retries: number("LLM_MAX_RETRIES", "2", 0..=5)? as u32,
                max_concurrency: number("LLM_MAX_CONCURRENCY", "8", 1..=10_000)? as usize,
                slot_wait: Duration::from_secs(number("LLM_SLOT_WAIT_SECS", "10", 1..=600)?),
                max_reply_bytes: number("LLM_MAX_REPLY_BYTES", "262144", 16_384..=16_777_216)?
                    as usize,
            })
        };

        let daily_quota = number("DAILY_QUOTA", "50", 1..=1_000_000)? as u32;
        let daily_attempts = number(
            "DAILY_ATTEMPTS",
            &(u64::from(daily_quota) * 3).to_string(),
            1..=3_000_000,
        )? as u32;
        let review_new_per_day = number(
            "REVIEW_NEW_CARDS_PER_DAY",
            &crate::review::model::DEFAULT_NEW_CARDS_PER_DAY.to_string(),
            1..=1000,
        )? as u32;
        let rate = |name: &'static str, default: &str| {
            let value = get(name, default);
            Rate::parse(&value.1).ok_or_else(|| {
                fail(
                    value,
                    "expected requests/seconds, e.g. 20/300 (at most 86400 seconds)",
                )
            })
        };
        let limits = Limits {
            login_per_ip: rate("LOGIN_RATE_PER_IP", "20/300")?,
            register_per_ip: rate("REGISTER_RATE_PER_IP", "10/3600")?,
            generate_per_user: rate("GENERATE_RATE_PER_USER", "10/60")?,
            login_failures_before_backoff: number("LOGIN_FAILURES_BEFORE_BACKOFF", "5", 1..=100)?
                as u32,
        };
        let session_idle =
            chrono::Duration::days(number("SESSION_IDLE_DAYS", "7", 1..=365)? as i64);
        let password_hash_concurrency = number("PASSWORD_HASH_CONCURRENCY", "2", 1..=64)? as usize;
        let forwarded = get("TRUST_X_FORWARDED_FOR", "false");
        let trust_forwarded_for = match forwarded.1.as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(fail(forwarded, "expected true or false")),
        };
        let metrics_token = lookup("METRICS_TOKEN")
            .filter(|t| !t.trim().is_empty())
            .map(|t| Secret(t.trim().to_owned()));
        if metrics_token.as_ref().is_some_and(|t| t.0.len() < 16) {
            return Err(ConfigError::hidden(
                "METRICS_TOKEN",
                "use at least 16 characters",
            ));
        }
        let pool_target = number("POOL_TARGET", "2", 0..=100)? as u32;
        let admins = get("ADMIN_EMAILS", "");
        let admin_emails = admins
            .1
            .split(',')
            .map(str::trim)
            .filter(|email| !email.is_empty())
            .map(|email| {
                crate::auth::server::accounts::Email::parse(email)
                    .map(|email| email.as_str().to_owned())
                    .map_err(|_| {
                        fail(
                            admins.clone(),
                            &format!("`{email}` is not an email address (a comma-separated list)"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let request_timeout = Duration::from_secs(number("REQUEST_TIMEOUT_SECS", "15", 1..=600)?);
        let jobs_poll = Duration::from_secs(number("JOBS_POLL_SECS", "5", 1..=3600)?);
        let watchdog_limit = Duration::from_secs(number("WATCHDOG_LIMIT_SECS", "10", 2..=3600)?);
        let shutdown_deadline =
            Duration::from_secs(number("SHUTDOWN_DEADLINE_SECS", "20", 1..=3600)?);
        let providers = crate::auth::server::external::ProviderConfig::all_from(&lookup)?;
        let clerk_webhook_secret = lookup("CLERK_WEBHOOK_SECRET")
            .filter(|s| !s.trim().is_empty())
            .map(|secret| crate::auth::server::webhook::SigningKey::parse(secret.trim()))
            .transpose()
            .map_err(|reason| ConfigError::hidden("CLERK_WEBHOOK_SECRET", reason))?;

        Ok(Config {
            database_url: DatabaseUrl(database_url.1),
            database_pool_size,
            site_addr: parsed_addr,
            public_url: parsed_public,
            session_ttl_hours,
            session_idle,
            bank_dir: bank_dir.1.into(),
            llm,
            daily_quota,
            daily_attempts,
            review_new_per_day,
            limits,
            password_hash_concurrency,
            trust_forwarded_for,
            metrics_token,
            admin_emails,
            pool_target,
            jobs_poll,
            request_timeout,
            watchdog_limit,
            shutdown_deadline,
            providers,
            clerk_webhook_secret,
        })
    }

    /// Cookies carry `Secure` unless the app is served over plain http on loopback.
    pub fn secure_cookies(&self) -> bool {
        let loopback = match self.public_url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        !(self.public_url.scheme() == "http" && loopback)
    }

    /// Longest one AI generation (or a job) may run: three model calls (generate, repair,
    /// verify) and a minute; five minutes without a model. Leases are this long.
    pub fn generation_lease(&self) -> chrono::Duration {
        match &self.llm {
            Some(llm) => {
                chrono::Duration::from_std(llm.total_timeout * 3)
                    .unwrap_or(chrono::Duration::hours(1))
                    + chrono::Duration::minutes(1)
            }
            None => chrono::Duration::minutes(5),
        }
    }

    /// Served over https: HSTS, and the `__Host-` session cookie.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The model for the independent verification pass, if one other than `LLM_MODEL`.
    pub fn verify_model(&self) -> Option<String> {
        self.llm.as_ref().and_then(|l| l.verify_model.clone())
    }

    /// The origin browsers send in `Origin` for same-site requests.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let c = config(&[]).unwrap();
        assert!(c.database_url.expose().starts_with("sqlite:"));
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_origin(), "http://127.0.0.1:3000");
        assert!(!c.secure_cookies());
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let c = config(&[("PUBLIC_URL", "https://prompted.example")]).unwrap();
        assert!(c.secure_cookies());
        let c = config(&[("PUBLIC_URL", "http://prompted.example")]).unwrap();
        assert!(
            c.secure_cookies(),
            "plain http off loopback still gets Secure"
        );
    }

    #[test]
    fn llm_is_optional_and_validated_when_present() {
        assert!(config(&[]).unwrap().llm.is_none());
        let c = config(&[
            ("LLM_BASE_URL", "http://127.0.0.1:11434/v1"),
            ("LLM_MODEL", "qwen"),
            ("LLM_API_KEY", "sk-secret"),
        ])
        .unwrap();
        let llm = c.llm.unwrap();
        assert_eq!(llm.base_url, "http://127.0.0.1:11434/v1/");
        assert_eq!(llm.max_retries, 2);
        assert!(
            !format!("{llm:?}").contains("sk-secret"),
            "the key never reaches logs"
        );
        let err = config(&[("LLM_BASE_URL", "http://x/v1")]).unwrap_err();
        assert!(err.to_string().contains("LLM_MODEL"), "{err}");
        let err = config(&[
            ("LLM_BASE_URL", "http://x/v1"),
            ("LLM_MODEL", "m"),
            ("LLM_MAX_RETRIES", "9"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("LLM_MAX_RETRIES"), "{err}");
    }

    #[test]
    fn admin_emails_are_a_checked_list() {
        assert!(config(&[]).unwrap().admin_emails.is_empty());
        let c = config(&[("ADMIN_EMAILS", " Boss@Example.com, ops@example.com ,")]).unwrap();
        assert_eq!(c.admin_emails, ["boss@example.com", "ops@example.com"]);
        let err = config(&[("ADMIN_EMAILS", "boss@example.com, nobody")]).unwrap_err();
        assert!(err.to_string().contains("ADMIN_EMAILS"), "{err}");
        assert!(err.to_string().contains("`nobody`"), "{err}");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
        let err = config(&[("LEPTOS_SITE_ADDR", "nonsense")]).unwrap_err();
        assert!(err.to_string().contains("LEPTOS_SITE_ADDR"), "{err}");
        let err = config(&[("PUBLIC_URL", "ftp://x")]).unwrap_err();
        assert!(err.to_string().contains("PUBLIC_URL"), "{err}");
        let err = config(&[("SESSION_TTL_HOURS", "0")]).unwrap_err();
        assert!(err.to_string().contains("SESSION_TTL_HOURS"), "{err}");
    }

    #[test]
    fn errors_and_logs_never_show_a_url_secret() {
        let err = config(&[("DATABASE_URL", "mysql://admin:hunter2@db.example/app")]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("DATABASE_URL") && text.contains("db.example"), "{text}");
        assert!(!text.contains("hunter2") && !text.contains("admin"), "{text}");
        let err = config(&[("DATABASE_URL", "mysql://u:hunter2@[bad")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let c = config(&[("DATABASE_URL", "postgres://u:hunter2@db.example/app")]).unwrap();
        let logged = format!("{c:?}");
        assert!(logged.contains("db.example") && !logged.contains("hunter2"), "{logged}");
        let err = config(&[("LLM_BASE_URL", "ftp://me:hunter2@llm.example/v1")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let c = config(&[
            ("LLM_BASE_URL", "https://me:hunter2@llm.example/v1"),
            ("LLM_MODEL", "m"),
        ])
        .unwrap();
        let logged = format!("{:?}", c.llm.unwrap());
        assert!(logged.contains("llm.example") && !logged.contains("hunter2"), "{logged}");
        assert_eq!(
            without_user_info("https://me:hunter2@llm.example/v1/"),
            "https://llm.example/v1/"
        );
    }

    #[test]
    fn abuse_limits_have_defaults_and_are_validated() {
        let c = config(&[]).unwrap();
        assert_eq!(c.daily_attempts, 3 * c.daily_quota);
        assert_eq!(c.limits.login_per_ip, Rate::parse("20/300").unwrap());
        assert_eq!(c.session_idle, chrono::Duration::days(7));
        assert!(c.metrics_token.is_none());
        let c = config(&[("DAILY_QUOTA", "4"), ("REGISTER_RATE_PER_IP", "3/60")]).unwrap();
        assert_eq!(c.daily_attempts, 12);
        assert_eq!(c.limits.register_per_ip.max, 3);
        for (name, bad) in [
            ("LOGIN_RATE_PER_IP", "20"),
            ("LOGIN_RATE_PER_IP", "0/60"),
            ("GENERATE_RATE_PER_USER", "5/0"),
            ("TRUST_X_FORWARDED_FOR", "yes please"),
            ("SESSION_IDLE_DAYS", "0"),
        ] {
            let err = config(&[(name, bad)]).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
        let err = config(&[("METRICS_TOKEN", "short-secret")]).unwrap_err();
        assert!(
            err.to_string().contains("METRICS_TOKEN") && !err.to_string().contains("short-secret"),
            "{err}"
        );
        let c = config(&[("METRICS_TOKEN", "a-long-enough-metrics-token")]).unwrap();
        assert!(!format!("{c:?}").contains("a-long-enough"));
    }

    #[test]
    fn liveness_settings_have_defaults_and_bounds() {
        let c = config(&[]).unwrap();
        assert_eq!(c.request_timeout, Duration::from_secs(15));
        assert_eq!(c.watchdog_limit, Duration::from_secs(10));
        assert_eq!(c.shutdown_deadline, Duration::from_secs(20));
        let c = config(&[("WATCHDOG_LIMIT_SECS", "3"), ("REQUEST_TIMEOUT_SECS", "2")]).unwrap();
        assert_eq!(c.watchdog_limit, Duration::from_secs(3));
        assert_eq!(c.request_timeout, Duration::from_secs(2));
        for (name, bad) in [
            ("WATCHDOG_LIMIT_SECS", "1"),
            ("REQUEST_TIMEOUT_SECS", "0"),
            ("SHUTDOWN_DEADLINE_SECS", "soon"),
        ] {
            let err = config(&[(name, bad)]).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
