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
    /// The browser's IANA time zone ("Europe/Berlin"); absent or empty means UTC.
    #[server(default)]
    time_zone: Option<String>,
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
        time_zone: accounts::parse_time_zone(time_zone.as_deref())?,
        device: accounts::Device::of_headers(&ctx.headers),
    };
    let sessions = accounts::SessionPolicy::of(&ctx.state.config);
    let (mut user, token) = accounts::register(ctx.db(), &form, sessions).await?;
    accounts::grant_listed_admin(ctx.db(), &mut user, &ctx.state.config.admin_emails).await?;
    session::set_session_cookie(&ctx, &token).await?;
    ctx.redirect_plain_form(&super::model::after_register(next.as_deref()));
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
    let mut user = accounts::login(ctx.db(), &email, &password, free_failures).await?;
    accounts::grant_listed_admin(ctx.db(), &mut user, &ctx.state.config.admin_emails).await?;
    session::start_session(&ctx, &user).await?;
    ctx.redirect_plain_form(&super::model::after_login(next.as_deref()));
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let provider = super::server::session::end_session(&ctx).await?;
    // Signed in through a provider that can end its own session: the login page offers it.
    let offers_logout = provider.filter(|id| {
        ctx.state
            .config
            .providers
            .iter()
            .any(|p| &p.id == id && p.is_oidc())
    });
    match offers_logout {
        Some(id) => ctx.redirect_plain_form(&format!("/login?signed_out={id}")),
        None => ctx.redirect_plain_form("/"),
    }
    Ok(())
}

/// The external sign-in providers, for the login page's "Sign in with …" links.
#[server(prefix = "/api", endpoint = "auth/providers")]
pub async fn providers() -> Result<Vec<super::model::ProviderLink>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    Ok(ctx
        .state
        .config
        .providers
        .iter()
        .map(|p| p.link())
        .collect())
}
