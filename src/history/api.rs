//! History server functions.
use super::model::{HistoryPageData, Stats};
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "history")]
pub async fn list_history(page: u64) -> Result<HistoryPageData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::page(ctx.db(), user.id, page).await
}

/// The caller's totals, or `None` when nobody is logged in.
#[server(prefix = "/api", endpoint = "stats")]
pub async fn my_stats() -> Result<Option<Stats>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let Some(user) = crate::auth::server::current_user(&ctx).await? else {
        return Ok(None);
    };
    super::server::stats(ctx.db(), user.id).await.map(Some)
}
