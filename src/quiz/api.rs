//! Quiz server functions: thin, each takes its request context first and gives the
//! server's own clock to the service. Posted as plain forms they send the browser on to
//! the quiz page (an error comes back in the address).
use super::model::{QuizAnswer, QuizKind, QuizResult, QuizView};
use crate::error::AppError;
use crate::types::{QuizId, TopicSlug};
use leptos::prelude::*;

/// Starts a quiz (or finds today's daily one) and returns its id. `difficulty` is a word
/// or empty for mixed; `minutes` is the time limit when `timed` (a mock is always timed).
#[server(prefix = "/api", endpoint = "quiz/start")]
pub async fn start_quiz(
    kind: QuizKind,
    #[server(default)] topic: Option<TopicSlug>,
    #[server(default)] difficulty: String,
    #[server(default)] count: Option<u16>,
    #[server(default)] timed: bool,
    #[server(default)] minutes: Option<u16>,
) -> Result<QuizId, AppError> {
    use super::server::NewQuiz;
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let difficulty =
        match difficulty.as_str() {
            "" | "mixed" => None,
            word => Some(word.parse::<crate::types::Difficulty>().map_err(|_| {
                AppError::invalid("difficulty", "Choose easy, medium, hard or mixed.")
            })?),
        };
    let spec = match kind {
        QuizKind::Daily => NewQuiz::Daily,
        QuizKind::Topic => NewQuiz::Topic {
            topic: topic.ok_or_else(|| AppError::invalid("topic", "Choose a topic."))?,
            difficulty,
            count: count.unwrap_or(10),
            minutes: if timed {
                Some(minutes.unwrap_or(15))
            } else {
                None
            },
        },
        QuizKind::Mock => NewQuiz::Mock {
            count: count.unwrap_or(10),
            minutes: minutes.unwrap_or(20),
        },
    };
    let id = super::server::create(ctx.db(), user.id, spec, chrono::Utc::now()).await?;
    if ctx.state.llm.is_some() {
        // Cells the quiz drew from the instant pool are topped up in the background.
        for (topic, difficulty) in super::server::cells_of(ctx.db(), id).await? {
            crate::generation::server::pool::request_refill(&ctx.state, topic, difficulty).await;
        }
    }
    ctx.redirect_plain_form(&format!("/quiz/{id}"));
    Ok(id)
}

/// The quiz as its page shows it; looking at a question starts its clock.
#[server(prefix = "/api", endpoint = "quiz/view")]
pub async fn view_quiz(id: QuizId) -> Result<QuizView, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::view(ctx.db(), user.id, id, chrono::Utc::now()).await
}

/// Answers the question at `position`. The time it took is the server's to count.
#[server(prefix = "/api", endpoint = "quiz/answer")]
pub async fn answer_quiz(id: QuizId, position: u16, choice: u8) -> Result<QuizAnswer, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let answer =
        super::server::answer(ctx.db(), user.id, id, position, choice, chrono::Utc::now()).await?;
    ctx.redirect_plain_form(&if answer.finished {
        format!("/quiz/{id}/result")
    } else {
        format!("/quiz/{id}?answered={position}&choice={choice}")
    });
    Ok(answer)
}

/// The answer already given to one question (`None` if it has none yet).
#[server(prefix = "/api", endpoint = "quiz/answered")]
pub async fn quiz_answered(id: QuizId, position: u16) -> Result<Option<QuizAnswer>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::answered(ctx.db(), user.id, id, position).await
}

#[server(prefix = "/api", endpoint = "quiz/pause")]
pub async fn pause_quiz(id: QuizId) -> Result<QuizView, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let view = super::server::pause(ctx.db(), user.id, id, chrono::Utc::now()).await?;
    ctx.redirect_plain_form(&format!("/quiz/{id}"));
    Ok(view)
}

#[server(prefix = "/api", endpoint = "quiz/resume")]
pub async fn resume_quiz(id: QuizId) -> Result<QuizView, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let view = super::server::resume(ctx.db(), user.id, id, chrono::Utc::now()).await?;
    ctx.redirect_plain_form(&format!("/quiz/{id}"));
    Ok(view)
}

/// A finished quiz's result (409 while it is still running).
#[server(prefix = "/api", endpoint = "quiz/result")]
pub async fn get_quiz_result(id: QuizId) -> Result<QuizResult, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::result(ctx.db(), user.id, id, chrono::Utc::now()).await
}
