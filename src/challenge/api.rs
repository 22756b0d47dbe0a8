//! Challenge server functions.
use super::{AiStatus, AnswerResult, ChallengeView};
use crate::error::AppError;
use crate::types::{ChallengeId, Topic};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::auth::session::require_user, crate::state::AppState};

#[server(prefix = "/api", endpoint = "topics")]
pub async fn list_topics() -> Result<Vec<Topic>, AppError> {
    let state = expect_context::<AppState>();
    service::list_topics(&state.db).await
}

/// Whether a model is configured, and the caller's AI quota for today.
#[server(prefix = "/api", endpoint = "challenge/ai-status")]
pub async fn get_ai_status() -> Result<AiStatus, AppError> {
    let state = expect_context::<AppState>();
    let user = crate::auth::session::current_user().await?;
    super::ai::status(&state, user.map(|u| u.id)).await
}

#[server(prefix = "/api", endpoint = "challenge/next")]
pub async fn next_challenge(topic: String, difficulty: String) -> Result<ChallengeView, AppError> {
    let user = require_user().await?;
    let difficulty = service::parse_difficulty(&difficulty)?;
    let state = expect_context::<AppState>();
    let view = service::next_challenge(&state.db, user.id, &topic, difficulty).await?;
    state.metrics.challenge_served();
    Ok(view)
}

#[server(prefix = "/api", endpoint = "challenge/get")]
pub async fn get_challenge(id: ChallengeId) -> Result<ChallengeView, AppError> {
    let user = require_user().await?;
    let state = expect_context::<AppState>();
    service::get_challenge(&state.db, user.id, id).await
}

#[server(prefix = "/api", endpoint = "challenge/answer")]
pub async fn answer_challenge(id: ChallengeId, choice: u8) -> Result<AnswerResult, AppError> {
    let user = require_user().await?;
    let state = expect_context::<AppState>();
    let result = service::answer(&state.db, user.id, id, choice).await?;
    state.metrics.answer_recorded(result.correct);
    Ok(result)
}
