use super::{HistoryPage, Stats};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::auth::session::require_user, crate::state::AppState};

#[server(prefix = "/api", endpoint = "history")]
pub async fn list_history(page: u64) -> Result<HistoryPage, AppError> {
    let user = require_user().await?;
    let state = expect_context::<AppState>();
    super::service::page(&state.db, user.id, page).await
}

/// The caller's totals, or `None` when nobody is logged in.
#[server(prefix = "/api", endpoint = "stats")]
pub async fn my_stats() -> Result<Option<Stats>, AppError> {
    let Some(user) = crate::auth::session::current_user().await? else {
        return Ok(None);
    };
    let state = expect_context::<AppState>();
    super::service::stats(&state.db, user.id).await.map(Some)
}
