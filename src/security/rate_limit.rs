//! Rate limits that hold across app instances: every counter is a row of `rate_limits` in
//! the shared database, taken with one atomic upsert, so two instances behind a load
//! balancer count together. The layer reads each request's class from the route inventory
//! (`routes::ROUTES`); a new route picks a class there instead of bringing its own code.
//!
//! Counting is a fixed window per key (`"<class>:<who>"`): cheap (one statement), and
//! at worst twice the rate across a window edge, which is fine for abuse limits.
use super::routes::{self, RateClass};
use crate::config::Rate;
use crate::db::portable;
use crate::error::server::{html_attribute, page_response};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::net::SocketAddr;

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Counts one request for `key`; `Err(seconds)` when it is over `rate` (it is still
/// counted, so hammering does not help).
pub async fn hit(
    db: &DatabaseConnection,
    key: &str,
    rate: Rate,
    now: i64,
) -> Result<Result<(), u64>, AppError> {
    let window = rate.window.as_secs() as i64;
    let window_start = now - now.rem_euclid(window);
    let row = db
        .query_one_raw(portable(
            db,
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               hits = CASE WHEN rate_limits.window_start = $3 THEN rate_limits.hits + 1 ELSE 1 END, \
               window_start = $4 \
             RETURNING hits",
            vec![
                key.into(),
                window_start.into(),
                window_start.into(),
                window_start.into(),
            ],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    let hits: i32 = row.try_get("", "hits")?;
    if hits as i64 > i64::from(rate.max) {
        Ok(Err((window_start + window - now).max(1) as u64))
    } else {
        Ok(Ok(()))
    }
}

/// The caller's address: the socket peer, or the last `X-Forwarded-For` hop when the app
/// is told it sits behind a proxy that appends it.
pub fn client_ip(request: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(last) = forwarded_for(request.headers()) {
            return last;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn forwarded_for(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("x-forwarded-for")?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// The rate-limit layer: counts the request against its route's class, or answers 429.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(route) = routes::find(request.method().as_str(), request.uri().path()) else {
        return next.run(request).await;
    };
    let limits = &state.config.limits;
    let key_and_rate = match route.rate {
        RateClass::Unlimited => None,
        RateClass::SignIn => Some((
            format!(
                "signin:ip:{}",
                client_ip(&request, state.config.trust_forwarded_for)
            ),
            limits.login_per_ip,
        )),
        RateClass::Register => Some((
            format!(
                "register:ip:{}",
                client_ip(&request, state.config.trust_forwarded_for)
            ),
            limits.register_per_ip,
        )),
        RateClass::Generate => {
            match crate::auth::server::session::caller(
                &state,
                request.headers(),
                request.extensions().get(),
            )
            .await
            {
                Ok(Some(user)) => Some((
                    format!("generate:user:{}", user.id.0),
                    limits.generate_per_user,
                )),
                // Signed out: the route answers 401 itself.
                Ok(None) => None,
                Err(err) => return err.into_response(),
            }
        }
    };
    let Some((key, rate)) = key_and_rate else {
        return next.run(request).await;
    };
    match hit(&state.db, &key, rate, unix_now()).await {
        Ok(Ok(())) => next.run(request).await,
        Ok(Err(retry_after_secs)) => {
            tracing::warn!(class = ?route.rate, path = route.path, "rate limited");
            refused(&request, AppError::TooManyRequests { retry_after_secs })
        }
        Err(err) => err.into_response(),
    }
}

/// A 429 as JSON, or as a small page for a plain HTML form (JavaScript off).
fn refused(request: &Request, error: AppError) -> Response {
    if !crate::request::wants_page(request.headers()) {
        return error.into_response();
    }
    let back = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Too many requests</title>\
         <main><h1>Too many requests</h1><p>{error}</p><p><a href=\"{}\">Go back</a></p></main></html>",
        html_attribute(&back),
    );
    page_response(&error, page)
}

/// Failed sign-ins per account: after `free` failures in a row each further one makes the
/// account wait (30 s, doubling, at most 15 min), even with the right password. It is a
/// back-off, never a lock: the wait always ends, so an attacker cannot lock a victim out for
/// longer than the cap, and a success clears the count.
pub mod sign_in {
    use super::*;

    const MAX_WAIT_SECS: i64 = 15 * 60;
    /// Failures further apart than this start the count again.
    const FORGET_AFTER_SECS: i64 = 15 * 60;

    pub fn key(email: &str) -> String {
        format!(
            "signin:account:{}",
            crate::auth::server::accounts::hash_token(email)
        )
    }

    /// The wait after `failures` in a row, if any.
    pub fn wait_after(failures: u32, free: u32) -> Option<i64> {
        let over = failures.checked_sub(free)?;
        Some((30_i64 << over.min(10)).min(MAX_WAIT_SECS))
    }

    /// `Err` with the seconds left while the account backs off.
    pub async fn check(db: &DatabaseConnection, email: &str, now: i64) -> Result<(), AppError> {
        let row = db
            .query_one_raw(portable(
                db,
                "SELECT blocked_until FROM rate_limits WHERE key = $1",
                vec![key(email).into()],
            ))
            .await?;
        let blocked_until: Option<i64> = match row {
            Some(row) => row.try_get("", "blocked_until")?,
            None => None,
        };
        match blocked_until {
            Some(until) if until > now => Err(AppError::SignInBackoff {
                retry_after_secs: (until - now) as u64,
            }),
            _ => Ok(()),
        }
    }

    /// Counts a failure and starts the back-off once there are too many.
    pub async fn failed(
        db: &DatabaseConnection,
        email: &str,
        free: u32,
        now: i64,
    ) -> Result<(), AppError> {
        let key = key(email);
        let row = db
            .query_one_raw(portable(
                db,
                "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                   hits = CASE WHEN rate_limits.window_start > $3 THEN rate_limits.hits + 1 ELSE 1 END, \
                   window_start = $4 \
                 RETURNING hits",
                vec![
                    key.clone().into(),
                    now.into(),
                    (now - FORGET_AFTER_SECS).into(),
                    now.into(),
                ],
            ))
            .await?
            .ok_or(AppError::Internal)?;
        let failures: i32 = row.try_get("", "hits")?;
        if let Some(wait) = wait_after(failures.max(0) as u32, free) {
            db.execute_raw(portable(
                db,
                "UPDATE rate_limits SET blocked_until = $1 WHERE key = $2",
                vec![(now + wait).into(), key.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// A successful sign-in forgets the failures.
    pub async fn succeeded(db: &DatabaseConnection, email: &str) -> Result<(), AppError> {
        db.execute_raw(portable(
            db,
            "DELETE FROM rate_limits WHERE key = $1",
            vec![key(email).into()],
        ))
        .await?;
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::wait_after;

        #[test]
        fn the_wait_doubles_and_is_capped() {
            assert_eq!(wait_after(4, 5), None);
            assert_eq!(wait_after(5, 5), Some(30));
            assert_eq!(wait_after(6, 5), Some(60));
            assert_eq!(wait_after(9, 5), Some(480));
            assert_eq!(wait_after(10, 5), Some(900));
            assert_eq!(wait_after(500, 5), Some(900));
        }
    }
}

/// Forgets counters whose window and back-off are long over.
pub async fn forget_old(db: &DatabaseConnection, now: i64) -> Result<u64, AppError> {
    let day = 86_400;
    let done = db
        .execute_raw(portable(
            db,
            "DELETE FROM rate_limits WHERE window_start < $1 \
             AND (blocked_until IS NULL OR blocked_until < $2)",
            vec![(now - day).into(), now.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_takes_the_last_hop() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.2".parse().unwrap(),
        );
        assert_eq!(forwarded_for(&headers).as_deref(), Some("198.51.100.2"));
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(forwarded_for(&headers), None);
    }
}
