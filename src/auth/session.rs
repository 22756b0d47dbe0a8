//! HTTP glue for sessions: the cookie, and who is calling a server function.
use super::service;
use crate::error::AppError;
use crate::state::AppState;
use crate::types::CurrentUser;
use axum::http::{header, HeaderMap, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

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

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from server-function context");
        AppError::Internal
    })
}

async fn request_headers() -> Result<HeaderMap, AppError> {
    leptos_axum::extract().await.map_err(|e| {
        tracing::error!(error = %e, "cannot read request headers");
        AppError::Internal
    })
}

async fn request_token() -> Result<Option<String>, AppError> {
    Ok(token_from_headers(&request_headers().await?))
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
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    user_from_headers(&state()?.db, &request_headers().await?).await
}

/// The logged-in user, or 401.
pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user().await?.ok_or(AppError::Unauthorized)
}

/// Starts a fresh session for `user` (any session cookie the browser had is replaced).
pub async fn start_session(user: &CurrentUser) -> Result<(), AppError> {
    let state = state()?;
    if let Some(old) = request_token().await? {
        service::delete_session(&state.db, &old).await?;
    }
    let ttl = state.config.session_ttl_hours;
    let token = service::create_session(&state.db, user.id, ttl).await?;
    let response = expect_context::<ResponseOptions>();
    response.append_header(
        header::SET_COOKIE,
        cookie(&token, ttl * 3600, state.config.secure_cookies()),
    );
    Ok(())
}

pub async fn end_session() -> Result<(), AppError> {
    let state = state()?;
    if let Some(token) = request_token().await? {
        service::delete_session(&state.db, &token).await?;
    }
    expect_context::<ResponseOptions>().append_header(
        header::SET_COOKIE,
        cookie("", 0, state.config.secure_cookies()),
    );
    Ok(())
}
