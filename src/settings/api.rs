//! Settings server functions. The page posts the profile as a plain form; the server then
//! sends the browser back to `/settings` (an error comes back in the address).
use super::model::SettingsPageData;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "settings/mine")]
pub async fn my_settings() -> Result<SettingsPageData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let clock = crate::clock::LocalClock::of_user(&user)?;
    let current = crate::auth::server::session::current_session_id(&ctx);
    let sessions = super::server::sessions(ctx.db(), user.id, current.as_deref(), &clock).await?;
    let logins =
        super::server::logins(ctx.db(), user.id, &ctx.state.config.providers, &clock).await?;
    Ok(SettingsPageData {
        sessions,
        logins: logins.linked,
        linkable: logins.linkable,
        zones: crate::clock::zone_names().map(str::to_owned).collect(),
        email: user.email,
        display_name: user.display_name,
        time_zone: user.time_zone,
    })
}

/// Sets the display name (empty: the email's local part) and the time zone (an IANA name).
#[server(prefix = "/api", endpoint = "settings/profile")]
pub async fn save_profile(display_name: String, time_zone: String) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let profile = super::server::Profile::parse(&user, &display_name, &time_zone)?;
    super::server::save_profile(ctx.db(), user.id, &profile).await?;
    ctx.redirect_plain_form("/settings?saved=1");
    Ok(())
}

/// Signs out one of the caller's other sessions (`id` as the settings list it).
#[server(prefix = "/api", endpoint = "settings/sessions/end")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::end_session(ctx.db(), user.id, &id).await?;
    ctx.redirect_plain_form("/settings?ended=1#sessions");
    Ok(())
}

/// Signs out every session of the caller but the one of this request; returns how many.
#[server(prefix = "/api", endpoint = "settings/sessions/end-others")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let current =
        crate::auth::server::session::current_session_id(&ctx).ok_or(AppError::Unauthorized)?;
    let ended = super::server::end_other_sessions(ctx.db(), user.id, &current).await?;
    ctx.redirect_plain_form("/settings?ended=1#sessions");
    Ok(ended)
}

/// Unlinks one of the caller's provider logins (`id` as the settings list it); never the
/// last way into the account.
#[server(prefix = "/api", endpoint = "settings/logins/unlink")]
pub async fn unlink_login(id: i64) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::unlink(ctx.db(), user.id, id).await?;
    ctx.redirect_plain_form("/settings?unlinked=1#logins");
    Ok(())
}

/// Deletes the caller's account and everything of theirs; `confirm` must be their email.
#[server(prefix = "/api", endpoint = "settings/delete-account")]
pub async fn delete_account(confirm: String) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    if !confirm.trim().eq_ignore_ascii_case(&user.email) {
        return Err(AppError::invalid(
            "confirm",
            "Type your email address exactly as shown to confirm.",
        ));
    }
    crate::auth::server::deletion::delete_account(ctx.db(), user.id).await?;
    crate::auth::server::session::end_session(&ctx).await?;
    ctx.redirect_plain_form("/?account_deleted=1");
    Ok(())
}
