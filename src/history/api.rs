use super::{HistoryPage, Stats};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::auth::session, crate::request::RequestContext};

#[server(prefix = "/api", endpoint = "history")]
pub async fn list_history(page: u64) -> Result<HistoryPage, AppError> {
    let ctx = RequestContext::take()?;
    let user = session::require_user(&ctx).await?;
    super::service::page(ctx.db(), user.id, page).await
}

/// The caller's totals, or `None` when nobody is logged in.
#[server(prefix = "/api", endpoint = "stats")]
pub async fn my_stats() -> Result<Option<Stats>, AppError> {
    let ctx = RequestContext::take()?;
    let Some(user) = session::current_user(&ctx).await? else {
        return Ok(None);
    };
    super::service::stats(ctx.db(), user.id).await.map(Some)
}
