//! Challenge server functions.
use super::{AiStatus, AnswerResult, ChallengeSetup, ChallengeSlot, ChallengeView};
use crate::error::AppError;
use crate::types::{ChallengeId, Topic};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::auth::session, crate::request::RequestContext};

#[server(prefix = "/api", endpoint = "topics")]
pub async fn list_topics() -> Result<Vec<Topic>, AppError> {
    let ctx = RequestContext::take()?;
    service::list_topics(ctx.db()).await
}

/// Whether a model is configured, and the caller's AI quota for today.
#[server(prefix = "/api", endpoint = "challenge/ai-status")]
pub async fn get_ai_status() -> Result<AiStatus, AppError> {
    let ctx = RequestContext::take()?;
    let user = session::current_user(&ctx).await?;
    super::ai::status(&ctx.state, user.map(|u| u.id)).await
}

/// Everything the picker needs, in one call: the topics, and the AI mode and quota.
#[server(prefix = "/api", endpoint = "challenge/setup")]
pub async fn get_challenge_setup() -> Result<ChallengeSetup, AppError> {
    let ctx = RequestContext::take()?;
    let user = session::current_user(&ctx).await?;
    let topics = service::list_topics(ctx.db()).await?;
    let ai = super::ai::status(&ctx.state, user.map(|u| u.id)).await?;
    Ok(ChallengeSetup { topics, ai })
}

/// What the challenge area shows: a prompt to log in, an empty state, or the challenge `id`.
#[server(prefix = "/api", endpoint = "challenge/current")]
pub async fn current_challenge(id: Option<ChallengeId>) -> Result<ChallengeSlot, AppError> {
    let ctx = RequestContext::take()?;
    let Some(user) = session::current_user(&ctx).await? else {
        return Ok(ChallengeSlot::SignedOut);
    };
    match id {
        Some(id) => service::get_challenge(ctx.db(), user.id, id)
            .await
            .map(ChallengeSlot::Shown),
        None => Ok(ChallengeSlot::Empty),
    }
}

#[server(prefix = "/api", endpoint = "challenge/next")]
pub async fn next_challenge(topic: String, difficulty: String) -> Result<ChallengeView, AppError> {
    let ctx = RequestContext::take()?;
    let user = session::require_user(&ctx).await?;
    let difficulty = service::parse_difficulty(&difficulty)?;
    let view = service::next_challenge(ctx.db(), user.id, &topic, difficulty).await?;
    ctx.state.metrics.challenge_served();
    Ok(view)
}

#[server(prefix = "/api", endpoint = "challenge/get")]
pub async fn get_challenge(id: ChallengeId) -> Result<ChallengeView, AppError> {
    let ctx = RequestContext::take()?;
    let user = session::require_user(&ctx).await?;
    service::get_challenge(ctx.db(), user.id, id).await
}

#[server(prefix = "/api", endpoint = "challenge/answer")]
pub async fn answer_challenge(id: ChallengeId, choice: u8) -> Result<AnswerResult, AppError> {
    let ctx = RequestContext::take()?;
    let user = session::require_user(&ctx).await?;
    let result = service::answer(ctx.db(), user.id, id, choice).await?;
    ctx.state.metrics.answer_recorded(result.correct);
    Ok(result)
}
