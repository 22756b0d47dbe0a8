//! Account server functions: thin wrappers over the service.
use crate::error::AppError;
use crate::types::CurrentUser;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::session, crate::request::RequestContext};

#[server(prefix = "/api", endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    let ctx = RequestContext::take()?;
    session::current_user(&ctx).await
}

#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    display_name: String,
    /// Minutes east of UTC, filled in by the browser; absent or empty means UTC.
    #[server(default)]
    utc_offset_minutes: Option<String>,
) -> Result<CurrentUser, AppError> {
    let ctx = RequestContext::take()?;
    let offset = super::service::parse_utc_offset(utc_offset_minutes.as_deref())?;
    let user = super::service::register(ctx.db(), &email, &password, &display_name).await?;
    super::service::set_utc_offset(ctx.db(), user.id, offset).await?;
    session::start_session(&ctx, &user).await?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    let ctx = RequestContext::take()?;
    let user = super::service::login(ctx.db(), &email, &password).await?;
    session::start_session(&ctx, &user).await?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = RequestContext::take()?;
    session::end_session(&ctx).await
}
