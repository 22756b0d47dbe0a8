//! Study-plan server functions. The wizard's steps are plain forms: each keeps its answers
//! server-side and sends the browser back to `/wizard` (a problem comes back in the
//! address, next to its field).
// One step's form posts its fields as named arguments (the browser client the macro makes
// for them has as many parameters).
#![allow(clippy::too_many_arguments)]
use super::model::{Dashboard, PlanView, WizardView};
use crate::error::AppError;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The wizard as the caller left it (`step`: an earlier step to look at again).
#[server(prefix = "/api", endpoint = "wizard/view")]
pub async fn get_wizard(#[server(default)] step: Option<u8>) -> Result<WizardView, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let asked = step.and_then(super::model::WizardStep::from_number);
    super::server::view(ctx.db(), &user, asked).await
}

/// Keeps one step's answers and moves back (`go=back`) or on (`go=next`, only when the
/// step's answers hold). Returns the number of the step now on screen.
#[server(prefix = "/api", endpoint = "wizard/step")]
pub async fn save_wizard_step(
    step: u8,
    go: String,
    #[server(default)] role: String,
    #[server(default)] experience: String,
    #[server(default)] companies: String,
    #[server(default)] interview_date: String,
    #[server(default)] priority: BTreeMap<String, String>,
    #[server(default)] daily_goal: String,
    #[server(default)] minutes_per_day: String,
    #[server(default)] reminder_time: String,
    #[server(default)] timer_minutes: String,
    #[server(default)] difficulty: String,
    #[server(default)] time_zone: String,
) -> Result<u8, AppError> {
    use super::server::Move;
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    let step = super::model::WizardStep::from_number(step)
        .ok_or_else(|| AppError::BadRequest("The wizard has steps 1 to 5.".into()))?;
    let go = match go.as_str() {
        "back" => Move::Back,
        "next" => Move::Next,
        _ => return Err(AppError::BadRequest("go is back or next.".into())),
    };
    let submitted = super::model::WizardFields {
        role,
        experience,
        companies,
        interview_date,
        priorities: priority,
        daily_goal,
        minutes_per_day,
        reminder_time,
        timer_minutes,
        difficulty,
        time_zone,
    };
    let now = super::server::save_step(ctx.db(), &user, step, go, submitted).await?;
    ctx.redirect_plain_form("/wizard");
    Ok(now.number())
}

/// Creates (or replaces) the caller's plan from the wizard's answers, all in one
/// transaction with their zone and topic priorities.
#[server(prefix = "/api", endpoint = "wizard/create")]
pub async fn create_plan() -> Result<(), AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::create(ctx.db(), &user).await?;
    ctx.redirect_plain_form("/?plan=saved");
    Ok(())
}

/// The dashboard's plan part, or `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "plan/dashboard")]
pub async fn my_dashboard() -> Result<Option<Dashboard>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let Some(user) = crate::auth::server::current_user(&ctx).await? else {
        return Ok(None);
    };
    super::server::dashboard(ctx.db(), &user, ctx.state.config.review_new_per_day)
        .await
        .map(Some)
}

/// The caller's whole plan as of today, or `None` before the wizard ran.
#[server(prefix = "/api", endpoint = "plan/mine")]
pub async fn my_plan() -> Result<Option<PlanView>, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let user = crate::auth::server::require_user(&ctx).await?;
    super::server::plan_view(ctx.db(), &user, ctx.state.config.review_new_per_day).await
}

/// The quiz forms' defaults from the caller's plan (none without a plan or a session).
#[server(prefix = "/api", endpoint = "plan/quiz-defaults")]
pub async fn quiz_defaults() -> Result<super::model::QuizDefaults, AppError> {
    let ctx = crate::request::RequestContext::take()?;
    let Some(user) = crate::auth::server::current_user(&ctx).await? else {
        return Ok(Default::default());
    };
    let plan = super::server::stored_plan(ctx.db(), user.id).await?;
    Ok(plan
        .map(|plan| super::model::QuizDefaults {
            timer_minutes: plan.timer_minutes.map(i16::unsigned_abs),
            difficulty: plan.difficulty,
            daily_goal: Some(plan.daily_goal.unsigned_abs()),
        })
        .unwrap_or_default())
}
