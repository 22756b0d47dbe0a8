//! Review server functions: thin, each takes its request context, the learner's local day
//! and the server's own clock. Posted as plain forms they send the browser back to
//! `/review` (an error comes back in the address).
use super::model::{ReviewOutcome, ReviewQueue, ReviewRating, Reviewed};
use crate::error::AppError;
use crate::types::QuestionId;
use leptos::prelude::*;

/// Today's queue and its next card (looking at a card starts its clock).
#[server(prefix = "/api", endpoint = "review/queue")]
pub async fn todays_reviews() -> Result<ReviewQueue, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let now = chrono::Utc::now();
    let day = super::server::Day::of_user(&user, now)?;
    let limit = ctx.state.config.review_new_per_day;
    super::server::queue(ctx.db(), user.id, day, now, limit).await
}

/// Answers the card on screen; the rating comes from the answer and the server's time.
#[server(prefix = "/api", endpoint = "review/answer")]
pub async fn answer_review(question: QuestionId, choice: u8) -> Result<ReviewOutcome, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let now = chrono::Utc::now();
    let day = super::server::Day::of_user(&user, now)?;
    let limit = ctx.state.config.review_new_per_day;
    let outcome =
        super::server::answer(ctx.db(), user.id, question, choice, day, now, limit).await?;
    ctx.redirect_plain_form(&format!("/review?reviewed={question}"));
    Ok(outcome)
}

/// Today's review of one card with the note on its question (`None` if it was not
/// reviewed today).
#[server(prefix = "/api", endpoint = "review/reviewed")]
pub async fn reviewed_today(question: QuestionId) -> Result<Option<Reviewed>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let day = super::server::Day::of_user(&user, chrono::Utc::now())?;
    let Some(outcome) = super::server::reviewed_today(ctx.db(), user.id, question, day).await?
    else {
        return Ok(None);
    };
    let mut notes = crate::notes::server::bodies_of(ctx.db(), user.id, [question.0]).await?;
    Ok(Some(Reviewed {
        outcome,
        note: notes.remove(&question.0),
    }))
}

/// Overrides the rating of today's review of a card (Again / Hard / Good / Easy).
#[server(prefix = "/api", endpoint = "review/rate")]
pub async fn rate_review(
    question: QuestionId,
    rating: ReviewRating,
) -> Result<ReviewOutcome, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let day = super::server::Day::of_user(&user, chrono::Utc::now())?;
    let outcome = super::server::rate(ctx.db(), user.id, question, rating, day).await?;
    ctx.redirect_plain_form(&format!("/review?reviewed={question}"));
    Ok(outcome)
}

/// Puts a question in the caller's review queue, then sends the browser back to `next`
/// (a path on this site).
#[server(prefix = "/api", endpoint = "review/flag")]
pub async fn flag_for_review(
    question: QuestionId,
    #[server(default)] next: String,
) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::flag(ctx.db(), user.id, question, chrono::Utc::now()).await?;
    ctx.redirect_plain_form(&crate::ui::local_path(&next, "/review"));
    Ok(())
}
