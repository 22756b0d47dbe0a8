//! AI generation server functions (the generation itself streams: see `server::stream`).
use super::model::AiStatus;
use crate::error::AppError;
use leptos::prelude::*;

/// Whether a model is configured, and the caller's AI quota for today.
#[server(prefix = "/api", endpoint = "challenge/ai-status")]
pub async fn get_ai_status() -> Result<AiStatus, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::current_user(&ctx).await?;
    super::server::status(&ctx.state, user.map(|u| u.id)).await
}
