//! History server functions.
use super::model::{AskedIn, HistoryPageData, Outcome, Stats};
use crate::error::AppError;
use crate::types::{Difficulty, TopicSlug};
use leptos::prelude::*;

/// One page of the caller's history, optionally of one topic, result, difficulty and
/// kind, and of questions with the words of `q`.
#[server(prefix = "/api", endpoint = "history")]
pub async fn list_history(
    page: u64,
    topic: Option<TopicSlug>,
    outcome: Option<Outcome>,
    #[server(default)] difficulty: Option<Difficulty>,
    #[server(default)] kind: Option<AskedIn>,
    #[server(default)] q: Option<String>,
) -> Result<HistoryPageData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let search = super::model::SearchText::parse(q.as_deref().unwrap_or(""))
        .map_err(|message| AppError::invalid("q", message))?;
    let filter = super::model::HistoryFilter {
        topic,
        outcome,
        difficulty,
        asked_in: kind,
        search,
    };
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
