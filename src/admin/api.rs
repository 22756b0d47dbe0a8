//! Admin server functions: each refuses anyone but an admin (403).
use super::model::AdminOverview;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "admin/overview")]
pub async fn overview() -> Result<AdminOverview, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    crate::auth::server::require_admin(&ctx).await?;
    super::server::overview(ctx.db(), chrono::Utc::now()).await
}
