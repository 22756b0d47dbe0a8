//! Challenge server functions: thin, each reads its request first and hands over to
//! `server`. Called from the page, or as plain HTML forms when JavaScript is off (then
//! "next" redirects to the new challenge, and an answer back to its challenge).
use super::model::{AnswerResult, ChallengeSetup, ChallengeSlot, ChallengeView};
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, Topic, TopicSlug};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "topics")]
pub async fn list_topics() -> Result<Vec<Topic>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    Ok(ctx.state.topics.get(ctx.db()).await?.to_vec())
}

/// Everything the picker needs, in one call: the topics, and the AI mode and quota.
#[server(prefix = "/api", endpoint = "challenge/setup")]
pub async fn get_challenge_setup() -> Result<ChallengeSetup, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::current_user(&ctx).await?;
    let topics = ctx.state.topics.get(ctx.db()).await?.to_vec();
    let ai = crate::generation::server::status(&ctx.state, user.map(|u| u.id)).await?;
    Ok(ChallengeSetup { topics, ai })
}

/// What the challenge area shows: a prompt to log in, an empty state, or the challenge `id`.
#[server(prefix = "/api", endpoint = "challenge/current")]
pub async fn current_challenge(id: Option<ChallengeId>) -> Result<ChallengeSlot, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let Some(user) = crate::auth::server::current_user(&ctx).await? else {
        return Ok(ChallengeSlot::SignedOut);
    };
    match id {
        Some(id) => super::server::get_challenge(ctx.db(), user.id, id)
            .await
            .map(ChallengeSlot::Shown),
        None => Ok(ChallengeSlot::Empty),
    }
}

/// A bank question of this topic and difficulty that the caller has not been served.
#[server(prefix = "/api", endpoint = "challenge/next")]
pub async fn next_challenge(
    topic: TopicSlug,
    difficulty: Difficulty,
) -> Result<ChallengeView, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let view = super::server::next_challenge(ctx.db(), user.id, &topic, difficulty).await?;
    ctx.state.metrics.challenge_served();
    ctx.redirect_plain_form(&format!(
        "/challenge?id={}&topic={}&difficulty={}",
        view.id, view.topic.slug, view.difficulty
    ));
    Ok(view)
}

#[server(prefix = "/api", endpoint = "challenge/get")]
pub async fn get_challenge(id: ChallengeId) -> Result<ChallengeView, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::get_challenge(ctx.db(), user.id, id).await
}

#[server(prefix = "/api", endpoint = "challenge/answer")]
pub async fn answer_challenge(id: ChallengeId, choice: u8) -> Result<AnswerResult, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let result = super::server::answer(ctx.db(), user.id, id, choice).await?;
    ctx.state.metrics.answer_recorded(result.correct);
    // A plain form goes back to the challenge it was posted from (the server fn default).
    Ok(result)
}
