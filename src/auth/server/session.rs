//! HTTP glue for sessions: the cookie, and who is calling a server function.
use super::accounts::{self as service, SessionPolicy};
use crate::auth::model::CurrentUser;
use crate::config::Config;
use crate::error::AppError;
use crate::request::RequestContext;
use crate::state::AppState;
use axum::http::{header, HeaderMap, HeaderValue};

/// Over https the cookie carries the `__Host-` prefix: the browser then keeps it only when
/// it is `Secure`, for `/` and without a `Domain`, so no sibling subdomain can plant one.
pub fn cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-pc_session"
    } else {
        "pc_session"
    }
}

pub fn token_from_headers(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_owned())
}

fn cookie(config: &Config, value: &str, max_age_secs: i64) -> HeaderValue {
    named_cookie(config, cookie_name(config), value, max_age_secs)
}

/// A cookie of this app: `HttpOnly`, `SameSite=Lax` (sent on a top-level navigation back
/// from a sign-in provider), for `/`, `Secure` unless served over plain http on loopback.
pub fn named_cookie(config: &Config, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie is ASCII")
}

/// The session cookie for `token`, as a sign-in hands it out.
pub fn session_cookie(config: &Config, token: &str) -> HeaderValue {
    cookie(config, token, config.session_ttl_hours * 3600)
}

/// The logged-in user of a request, from its session cookie.
pub async fn user_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    match token_from_headers(headers, cookie_name(&state.config)) {
        Some(token) => {
            service::user_for_session(&state.db, &token, SessionPolicy::of(&state.config)).await
        }
        None => Ok(None),
    }
}

/// The caller of one request, looked up at most once however many resources and server
/// functions of the request ask (a page render runs several). Put in each request's
/// extensions by `resolve_once`.
#[derive(Clone, Default)]
pub struct SessionOnce(std::sync::Arc<tokio::sync::OnceCell<Option<CurrentUser>>>);

/// The layer that gives each request its `SessionOnce`.
pub async fn resolve_once(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request.extensions_mut().insert(SessionOnce::default());
    next.run(request).await
}

/// The caller of a request, through its `SessionOnce` when it has one (every request
/// through the router does), so the layers and the handler share one lookup.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    once: Option<&SessionOnce>,
) -> Result<Option<CurrentUser>, AppError> {
    match once {
        Some(SessionOnce(once)) => once
            .get_or_try_init(|| user_from_headers(state, headers))
            .await
            .cloned(),
        None => user_from_headers(state, headers).await,
    }
}

/// The logged-in user, if any.
pub async fn current_user(ctx: &RequestContext) -> Result<Option<CurrentUser>, AppError> {
    caller(&ctx.state, &ctx.headers, ctx.extensions.get()).await
}

/// The logged-in user, or 401.
pub async fn require_user(ctx: &RequestContext) -> Result<CurrentUser, AppError> {
    current_user(ctx).await?.ok_or(AppError::Unauthorized)
}

/// The logged-in admin: 401 signed out, 403 for anyone who is not an admin.
pub async fn require_admin(ctx: &RequestContext) -> Result<CurrentUser, AppError> {
    let user = require_user(ctx).await?;
    if user.role == crate::types::Role::Admin {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Ends the session the browser had, if any (signing in replaces it); returns the
/// provider it was signed in through.
pub async fn end_previous(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<String>, AppError> {
    match token_from_headers(headers, cookie_name(&state.config)) {
        Some(old) => service::delete_session(&state.db, &old).await,
        None => Ok(None),
    }
}

/// Hands the browser the cookie of a session just created for it.
pub async fn set_session_cookie(ctx: &RequestContext, token: &str) -> Result<(), AppError> {
    end_previous(&ctx.state, &ctx.headers).await?;
    ctx.append_response_header(header::SET_COOKIE, session_cookie(&ctx.state.config, token));
    Ok(())
}

/// Starts a fresh session for `user` (any session cookie the browser had is replaced).
pub async fn start_session(ctx: &RequestContext, user: &CurrentUser) -> Result<(), AppError> {
    let device = service::Device::of_headers(&ctx.headers);
    let policy = SessionPolicy::of(&ctx.state.config);
    let token = service::create_session(ctx.db(), user.id, policy, &device).await?;
    set_session_cookie(ctx, &token).await
}

/// The stored id of the caller's own session (the hash of its cookie), if they sent one.
pub fn current_session_id(ctx: &RequestContext) -> Option<String> {
    token_from_headers(&ctx.headers, cookie_name(&ctx.state.config))
        .map(|token| service::hash_token(&token))
}

/// Signs the browser out; returns the provider the session was signed in through.
pub async fn end_session(ctx: &RequestContext) -> Result<Option<String>, AppError> {
    let provider = end_previous(&ctx.state, &ctx.headers).await?;
    ctx.append_response_header(header::SET_COOKIE, cookie(&ctx.state.config, "", 0));
    Ok(provider)
}
