//! History server functions.
use super::model::{HistoryPageData, Outcome, Stats};
use crate::error::AppError;
use crate::types::TopicSlug;
use leptos::prelude::*;

/// One page of the caller's history, optionally of one topic and/or one result.
#[server(prefix = "/api", endpoint = "history")]
pub async fn list_history(
    page: u64,
    topic: Option<TopicSlug>,
    outcome: Option<Outcome>,
) -> Result<HistoryPageData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let filter = super::model::HistoryFilter { topic, outcome };
    let topics = ctx.state.topics.get(ctx.db()).await?.to_vec();
    let clock = crate::clock::LocalClock::of_user(&user)?;
    super::server::page(ctx.db(), user.id, page, &filter, topics, &clock).await
}

/// The caller's totals, or `None` when nobody is logged in.
#[server(prefix = "/api", endpoint = "stats")]
pub async fn my_stats() -> Result<Option<Stats>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let Some(user) = crate::auth::server::current_user(&ctx).await? else {
        return Ok(None);
    };
    let day = crate::review::server::Day::of_user(&user, chrono::Utc::now())?;
    super::server::stats(ctx.db(), user.id, day, ctx.state.config.review_new_per_day)
        .await
        .map(Some)
}
