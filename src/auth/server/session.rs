//! HTTP glue for sessions: the cookie, and who is calling a server function.
use super::accounts as service;
use crate::auth::model::CurrentUser;
use crate::error::AppError;
use crate::request::RequestContext;
use axum::http::{header, HeaderMap, HeaderValue};

pub const COOKIE: &str = "pc_session";

pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn cookie(value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie is ASCII")
}

/// The logged-in user of a request, from its session cookie.
pub async fn user_from_headers(
    db: &sea_orm::DatabaseConnection,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    match token_from_headers(headers) {
        Some(token) => service::user_for_session(db, &token).await,
        None => Ok(None),
    }
}

/// The logged-in user, if any.
pub async fn current_user(ctx: &RequestContext) -> Result<Option<CurrentUser>, AppError> {
    user_from_headers(ctx.db(), &ctx.headers).await
}

/// The logged-in user, or 401.
pub async fn require_user(ctx: &RequestContext) -> Result<CurrentUser, AppError> {
    current_user(ctx).await?.ok_or(AppError::Unauthorized)
}

/// Starts a fresh session for `user` (any session cookie the browser had is replaced).
pub async fn start_session(ctx: &RequestContext, user: &CurrentUser) -> Result<(), AppError> {
    if let Some(old) = token_from_headers(&ctx.headers) {
        service::delete_session(ctx.db(), &old).await?;
    }
    let config = &ctx.state.config;
    let ttl = config.session_ttl_hours;
    let token = service::create_session(ctx.db(), user.id, ttl).await?;
    ctx.append_response_header(
        header::SET_COOKIE,
        cookie(&token, ttl * 3600, config.secure_cookies()),
    );
    Ok(())
}

pub async fn end_session(ctx: &RequestContext) -> Result<(), AppError> {
    if let Some(token) = token_from_headers(&ctx.headers) {
        service::delete_session(ctx.db(), &token).await?;
    }
    ctx.append_response_header(
        header::SET_COOKIE,
        cookie("", 0, ctx.state.config.secure_cookies()),
    );
    Ok(())
}
