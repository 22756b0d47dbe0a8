//! Account server functions: thin wrappers over `server`. The forms post to them directly
//! when JavaScript is off; a success then redirects to `next` (errors come back to the form).
use super::model::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    super::server::current_user(&ctx).await
}

#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    display_name: String,
    /// Minutes east of UTC, filled in by the browser; absent or empty means UTC.
    #[server(default)]
    utc_offset_minutes: Option<String>,
    /// Where to go afterwards (a local path).
    #[server(default)]
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    use super::server::{accounts, session};
    let ctx = crate::request::RequestContext::take()?;
    let form = accounts::Registration {
        email: &email,
        password: &password,
        display_name: &display_name,
        utc_offset_minutes: accounts::parse_utc_offset(utc_offset_minutes.as_deref())?,
    };
    let sessions = accounts::SessionPolicy::of(&ctx.state.config);
    let (user, token) = accounts::register(ctx.db(), &form, sessions).await?;
    session::set_session_cookie(&ctx, &token).await?;
    ctx.redirect_plain_form(&super::model::after_login(next.as_deref()));
    Ok(user)
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    /// Where to go afterwards (a local path).
    #[server(default)]
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    use super::server::{accounts, session};
    let ctx = crate::request::RequestContext::take()?;
    let free_failures = ctx.state.config.limits.login_failures_before_backoff;
    let user = accounts::login(ctx.db(), &email, &password, free_failures).await?;
    session::start_session(&ctx, &user).await?;
    ctx.redirect_plain_form(&super::model::after_login(next.as_deref()));
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    super::server::session::end_session(&ctx).await?;
    ctx.redirect_plain_form("/");
    Ok(())
}
