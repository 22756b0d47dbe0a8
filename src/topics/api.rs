//! Topic server functions. The page posts them as plain forms; each then sends the browser
//! back to `/topics` (an error comes back in the address, shown above the list).
use super::model::TopicsPageData;
use crate::error::AppError;
use crate::types::TopicSlug;
use leptos::prelude::*;

/// The caller's topics with their settings, and whether an AI model can fill an empty one.
#[server(prefix = "/api", endpoint = "topics/mine")]
pub async fn my_topics() -> Result<TopicsPageData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let topics = super::server::list(ctx.db(), user.id).await?;
    Ok(TopicsPageData {
        topics,
        ai_enabled: ctx.state.llm.is_some(),
    })
}

/// Sets a topic's priority (1–5) and whether it is active (a checkbox: absent is off).
#[server(prefix = "/api", endpoint = "topics/save")]
pub async fn save_topic(
    topic: TopicSlug,
    priority: u8,
    #[server(default)] active: bool,
) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let priority = crate::types::Priority::try_from(priority)
        .map_err(|_| AppError::invalid("priority", "Priority is 1 (lowest) to 5 (highest)."))?;
    super::server::save_setting(ctx.db(), user.id, &topic, priority, active).await?;
    ctx.redirect_plain_form(&format!("/topics?saved={topic}#topic-{topic}"));
    Ok(())
}

/// Adds a topic of the caller's own; returns its slug.
#[server(prefix = "/api", endpoint = "topics/create")]
pub async fn create_topic(
    name: String,
    #[server(default)] description: String,
) -> Result<TopicSlug, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    use super::model::{TopicDescription, TopicName};
    let name = TopicName::parse(&name).map_err(|m| AppError::invalid("name", m));
    let description =
        TopicDescription::parse(&description).map_err(|m| AppError::invalid("description", m));
    AppError::all_valid([name.clone().map(drop), description.clone().map(drop)])?;
    let (name, description) = (name?, description?);
    let slug = super::server::create(ctx.db(), user.id, &name, description.as_ref()).await?;
    ctx.redirect_plain_form(&format!("/topics?saved={slug}#topic-{slug}"));
    Ok(slug)
}

/// Deletes one of the caller's own topics (not one that has questions).
#[server(prefix = "/api", endpoint = "topics/delete")]
pub async fn delete_topic(topic: TopicSlug) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::delete(ctx.db(), user.id, &topic).await?;
    ctx.redirect_plain_form("/topics?deleted=1");
    Ok(())
}
