//! Progress server functions.
use super::model::ProgressData;
use crate::error::AppError;
use leptos::prelude::*;

/// The caller's progress over the last `days` (30 or 90; none: 30).
#[server(prefix = "/api", endpoint = "progress")]
pub async fn my_progress(#[server(default)] days: Option<u16>) -> Result<ProgressData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let window = match days {
        None => super::model::Window::Days30,
        Some(days) => super::model::Window::from_days(days)
            .ok_or_else(|| AppError::invalid("days", "Show 30 or 90 days."))?,
    };
    super::server::progress(ctx.db(), &user, window, ctx.state.config.review_new_per_day).await
}
