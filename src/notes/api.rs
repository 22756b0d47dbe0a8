//! Notebook server functions. Posted as plain forms they send the browser on to `next`
//! (a path on this site; the notebook by default).
use super::model::NotesPageData;
use crate::error::AppError;
use crate::types::QuestionId;
use leptos::prelude::*;

/// The caller's notes, and the question named by `question` to write a note on.
#[server(prefix = "/api", endpoint = "notes/mine")]
pub async fn my_notes(question: Option<QuestionId>) -> Result<NotesPageData, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let clock = crate::clock::LocalClock::of_user(&user)?;
    let editing = match question {
        Some(question) => Some(super::server::editing(ctx.db(), user.id, question, &clock).await?),
        None => None,
    };
    let notes = super::server::list(ctx.db(), user.id, &clock).await?;
    Ok(NotesPageData { notes, editing })
}

/// Writes the caller's note on a question.
#[server(prefix = "/api", endpoint = "notes/save")]
pub async fn save_note(
    question: QuestionId,
    body: String,
    #[server(default)] next: String,
) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let body = super::model::NoteBody::parse(&body).map_err(|m| AppError::invalid("body", m))?;
    super::server::save(ctx.db(), user.id, question, &body, chrono::Utc::now()).await?;
    ctx.redirect_plain_form(&crate::ui::local_path(&next, "/notes"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "notes/delete")]
pub async fn delete_note(
    question: QuestionId,
    #[server(default)] next: String,
) -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::delete(ctx.db(), user.id, question).await?;
    ctx.redirect_plain_form(&crate::ui::local_path(&next, "/notes"));
    Ok(())
}
