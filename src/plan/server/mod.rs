//! The study plan on the server: the wizard's draft, the one transaction that turns it
//! into a plan, and the plan as of today (schedule, progress, reviews, streak). Every
//! statement is scoped to the caller.
pub mod schedule;
pub mod wizard;

use super::model::{
    Dashboard, PlanDay, PlanSummary, PlanView, StepProblem, WizardFields, WizardStep, WizardView,
    MIXED, SKIP, TIMER_OFF,
};
use crate::auth::model::CurrentUser;
use crate::clock::LocalClock;
use crate::entities::columns::CompanyList;
use crate::entities::{study_plan, user, user_topic, wizard_draft};
use crate::error::AppError;
use crate::types::{Priority, Topic, UserId};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};
use wizard::{Checks, ValidPlan};

/// Days of review forecast the plan shows (today included).
pub const FORECAST_DAYS: usize = 14;
/// Days back a streak is looked for.
const STREAK_WINDOW_DAYS: i64 = 400;

/// The caller's topics as the wizard lists them, with their row ids.
async fn topics_of(
    db: &DatabaseConnection,
    user: UserId,
) -> Result<Vec<(i64, Topic, Priority, bool)>, AppError> {
    Ok(crate::topics::server::list_with_ids(db, user)
        .await?
        .into_iter()
        .map(|(id, t)| {
            (
                id,
                Topic {
                    slug: t.slug,
                    name: t.name,
                    category: t.category,
                },
                t.priority,
                t.active,
            )
        })
        .collect())
}

struct Draft {
    step: WizardStep,
    reached: WizardStep,
    fields: WizardFields,
}

fn stored_step(number: i16) -> Result<WizardStep, AppError> {
    u8::try_from(number)
        .ok()
        .and_then(WizardStep::from_number)
        .ok_or_else(|| {
            tracing::error!(step = number, "stored wizard step is out of range");
            AppError::Internal
        })
}

async fn load_draft(db: &impl ConnectionTrait, user: UserId) -> Result<Option<Draft>, AppError> {
    let Some(row) = wizard_draft::Entity::find_by_id(user.0).one(db).await? else {
        return Ok(None);
    };
    let fields = serde_json::from_str(&row.fields).map_err(|e| {
        tracing::error!(user = user.0, error = %e, "stored wizard draft is not readable");
        AppError::Internal
    })?;
    Ok(Some(Draft {
        step: stored_step(row.step)?,
        reached: stored_step(row.reached)?,
        fields,
    }))
}

/// The answers a wizard starts from: the plan's (running it again edits the plan), or
/// sensible defaults; the topics as the learner set them on `/topics`.
fn starting_fields(
    plan: Option<&study_plan::Model>,
    topics: &[(i64, Topic, Priority, bool)],
    time_zone: &str,
) -> WizardFields {
    let priorities = topics
        .iter()
        .map(|(_, topic, priority, active)| {
            let value = if *active {
                priority.to_string()
            } else {
                SKIP.to_owned()
            };
            (topic.slug.as_str().to_owned(), value)
        })
        .collect();
    let mut fields = WizardFields {
        priorities,
        daily_goal: "10".into(),
        minutes_per_day: "30".into(),
        timer_minutes: TIMER_OFF.into(),
        difficulty: MIXED.into(),
        time_zone: time_zone.to_owned(),
        ..WizardFields::default()
    };
    if let Some(plan) = plan {
        fields.role = plan.job_role.as_str().to_owned();
        fields.experience = plan.experience.as_str().to_owned();
        fields.companies = plan.companies.0.join(", ");
        fields.interview_date = plan
            .interview_date
            .map(|d| d.to_string())
            .unwrap_or_default();
        fields.daily_goal = plan.daily_goal.to_string();
        fields.minutes_per_day = plan.minutes_per_day.to_string();
        fields.reminder_time = plan.reminder_time.clone().unwrap_or_default();
        fields.timer_minutes = plan
            .timer_minutes
            .map_or_else(|| TIMER_OFF.to_owned(), |m| m.to_string());
        fields.difficulty = plan
            .difficulty
            .map_or_else(|| MIXED.to_owned(), |d| d.as_str().to_owned());
    }
    fields
}

/// Today in the zone the answers name (the learner's own while that one is not valid).
fn today_for(fields: &WizardFields, user: &CurrentUser) -> Result<NaiveDate, AppError> {
    let clock = LocalClock::named(&fields.time_zone).or_else(|_| LocalClock::of_user(user))?;
    Ok(clock.local_date(Utc::now()))
}

/// The wizard as it stands: the draft's step (or an earlier one asked for), its answers.
pub async fn view(
    db: &DatabaseConnection,
    user: &CurrentUser,
    asked: Option<WizardStep>,
) -> Result<WizardView, AppError> {
    let topics = topics_of(db, user.id).await?;
    let plan = study_plan::Entity::find_by_id(user.id.0).one(db).await?;
    let (step, reached, fields) = match load_draft(db, user.id).await? {
        Some(draft) => (draft.step, draft.reached, draft.fields),
        None => (
            WizardStep::Role,
            WizardStep::Role,
            starting_fields(plan.as_ref(), &topics, &user.time_zone),
        ),
    };
    let step = asked.filter(|asked| *asked <= reached).unwrap_or(step);
    let topics: Vec<Topic> = topics.into_iter().map(|(_, t, _, _)| t).collect();
    let today = today_for(&fields, user)?;
    let preview = (step == WizardStep::Review).then(|| {
        let checks = Checks {
            topics: &topics,
            today,
        };
        wizard::check_all(&fields, &checks).map(|plan| summary_of(&plan, today))
    });
    Ok(WizardView {
        step,
        reached,
        fields,
        zones: crate::clock::zone_names().map(str::to_owned).collect(),
        today: today.to_string(),
        editing: plan.is_some(),
        preview,
        topics,
    })
}

fn summary_of(plan: &ValidPlan, first_day: NaiveDate) -> PlanSummary {
    let last = schedule::last_day(first_day, plan.interview_date);
    PlanSummary {
        role: plan.role,
        experience: plan.experience,
        companies: plan.companies.clone(),
        interview_date: plan.interview_date.map(|d| d.to_string()),
        topics: plan
            .topics
            .iter()
            .filter_map(|(t, p)| p.map(|p| (t.clone(), p)))
            .collect(),
        daily_goal: plan.daily_goal,
        minutes_per_day: plan.minutes_per_day,
        reminder_time: plan.reminder_time.map(|t| t.format("%H:%M").to_string()),
        timer_minutes: plan.timer_minutes,
        difficulty: plan.difficulty,
        time_zone: plan.time_zone.name().to_owned(),
        days: (last - first_day).num_days() as u32 + 1,
    }
}

/// Which way a step's form leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Back,
    Next,
}

/// Keeps a step's answers (as typed) and moves: back at once, forward only when the step's
/// fields hold (else every problem, and the step stays). Returns the step now on screen.
pub async fn save_step(
    db: &DatabaseConnection,
    user: &CurrentUser,
    step: WizardStep,
    go: Move,
    submitted: WizardFields,
) -> Result<WizardStep, AppError> {
    let topics = topics_of(db, user.id).await?;
    let mut draft = match load_draft(db, user.id).await? {
        Some(draft) => draft,
        None => {
            let plan = study_plan::Entity::find_by_id(user.id.0).one(db).await?;
            Draft {
                step: WizardStep::Role,
                reached: WizardStep::Role,
                fields: starting_fields(plan.as_ref(), &topics, &user.time_zone),
            }
        }
    };
    if step > draft.reached {
        return Err(AppError::Conflict(
            "Finish the earlier steps of the wizard first.".into(),
        ));
    }
    take_step_fields(&mut draft.fields, step, submitted);
    let topics: Vec<Topic> = topics.into_iter().map(|(_, t, _, _)| t).collect();
    let problems = match go {
        Move::Back => Vec::new(),
        Move::Next => {
            let checks = Checks {
                topics: &topics,
                today: today_for(&draft.fields, user)?,
            };
            wizard::check_step(step, &draft.fields, &checks)
        }
    };
    draft.step = match go {
        Move::Back => step.previous(),
        Move::Next if problems.is_empty() => step.next(),
        Move::Next => step,
    };
    draft.reached = draft.reached.max(draft.step);
    write_draft(db, user.id, &draft).await?;
    if problems.is_empty() {
        Ok(draft.step)
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// A step's own fields from a submitted form (the rest of the draft stays as it was).
fn take_step_fields(into: &mut WizardFields, step: WizardStep, from: WizardFields) {
    use wizard::bounded;
    match step {
        WizardStep::Role => {
            into.role = bounded(&from.role);
            into.experience = bounded(&from.experience);
        }
        WizardStep::Goal => {
            into.companies = bounded(&from.companies);
            into.interview_date = bounded(&from.interview_date);
        }
        WizardStep::Topics => {
            // As many entries as the 64 KiB body holds; an unknown topic is refused when
            // the step is checked.
            into.priorities = from
                .priorities
                .into_iter()
                .map(|(k, v)| (bounded(&k), bounded(&v)))
                .collect();
        }
        WizardStep::Schedule => {
            into.daily_goal = bounded(&from.daily_goal);
            into.minutes_per_day = bounded(&from.minutes_per_day);
            into.reminder_time = bounded(&from.reminder_time);
            into.timer_minutes = bounded(&from.timer_minutes);
            into.difficulty = bounded(&from.difficulty);
            into.time_zone = bounded(&from.time_zone);
        }
        WizardStep::Review => {}
    }
}

async fn write_draft(
    db: &impl ConnectionTrait,
    user: UserId,
    draft: &Draft,
) -> Result<(), AppError> {
    let fields = serde_json::to_string(&draft.fields).map_err(|_| AppError::Internal)?;
    wizard_draft::Entity::insert(wizard_draft::ActiveModel {
        user_id: Set(user.0),
        step: Set(i16::from(draft.step.number())),
        reached: Set(i16::from(draft.reached.number())),
        fields: Set(fields),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(wizard_draft::Column::UserId)
            .update_columns([
                wizard_draft::Column::Step,
                wizard_draft::Column::Reached,
                wizard_draft::Column::Fields,
                wizard_draft::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The wizard's last step: every answer checked, then in one transaction the learner's
/// zone, their topics' priorities, the draft's removal and the plan (all or nothing). The
/// plan starts today.
pub async fn create(db: &DatabaseConnection, user: &CurrentUser) -> Result<(), AppError> {
    let Some(draft) = load_draft(db, user.id).await? else {
        return Err(AppError::Conflict(
            "Nothing to create yet: start with the first step of the wizard.".into(),
        ));
    };
    let topics = topics_of(db, user.id).await?;
    let listed: Vec<Topic> = topics.iter().map(|(_, t, _, _)| t.clone()).collect();
    let checks = Checks {
        topics: &listed,
        today: today_for(&draft.fields, user)?,
    };
    let plan = wizard::check_all(&draft.fields, &checks).map_err(problems_error)?;
    let now = Utc::now();
    let today = plan.time_zone.local_date(now);
    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::TimeZone,
            sea_orm::sea_query::Expr::value(plan.time_zone.name()),
        )
        .filter(user::Column::Id.eq(user.id.0))
        .exec(&txn)
        .await?;
    for ((topic_id, _, current, _), (_, chosen)) in topics.iter().zip(&plan.topics) {
        user_topic::Entity::insert(user_topic::ActiveModel {
            user_id: Set(user.id.0),
            topic_id: Set(*topic_id),
            priority: Set(i16::from(chosen.unwrap_or(*current).get())),
            active: Set(chosen.is_some()),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([user_topic::Column::UserId, user_topic::Column::TopicId])
                .update_columns([
                    user_topic::Column::Priority,
                    user_topic::Column::Active,
                    user_topic::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    wizard_draft::Entity::delete_by_id(user.id.0)
        .exec(&txn)
        .await?;
    study_plan::Entity::insert(study_plan::ActiveModel {
        user_id: Set(user.id.0),
        job_role: Set(plan.role),
        experience: Set(plan.experience),
        companies: Set(CompanyList(plan.companies)),
        interview_date: Set(plan.interview_date),
        starts_on: Set(today),
        daily_goal: Set(plan.daily_goal as i16),
        minutes_per_day: Set(plan.minutes_per_day as i16),
        reminder_time: Set(plan.reminder_time.map(|t| t.format("%H:%M").to_string())),
        timer_minutes: Set(plan.timer_minutes.map(|m| m as i16)),
        difficulty: Set(plan.difficulty),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(study_plan::Column::UserId)
            .update_columns([
                study_plan::Column::JobRole,
                study_plan::Column::Experience,
                study_plan::Column::Companies,
                study_plan::Column::InterviewDate,
                study_plan::Column::StartsOn,
                study_plan::Column::DailyGoal,
                study_plan::Column::MinutesPerDay,
                study_plan::Column::ReminderTime,
                study_plan::Column::TimerMinutes,
                study_plan::Column::Difficulty,
                study_plan::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

fn problems_error(problems: Vec<StepProblem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|p| crate::error::FieldProblem {
                message: format!(
                    "Step {} ({}): {}",
                    p.step.number(),
                    p.step.title(),
                    p.message
                ),
                field: p.field,
            })
            .collect(),
    )
}

/// The learner's plan settings, or `None` before the wizard ran.
pub async fn stored_plan(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<Option<study_plan::Model>, AppError> {
    Ok(study_plan::Entity::find_by_id(user.0).one(db).await?)
}

/// What the dashboard shows: the plan as of today, or the way to the wizard. Whether there
/// is a plan (and a draft) is one statement.
pub async fn dashboard(
    db: &DatabaseConnection,
    user: &CurrentUser,
    new_per_day: u32,
) -> Result<Dashboard, AppError> {
    use sea_orm::FromQueryResult;
    let row = db
        .query_one_raw(crate::db::portable(
            db,
            "SELECT p.*, d.step AS draft_step FROM users u \
             LEFT JOIN study_plans p ON p.user_id = u.id \
             LEFT JOIN wizard_drafts d ON d.user_id = u.id WHERE u.id = $1",
            vec![user.id.0.into()],
        ))
        .await?
        .ok_or(AppError::Unauthorized)?;
    let has_plan: Option<i64> = row.try_get("", "user_id")?;
    if has_plan.is_some() {
        let plan = study_plan::Model::from_query_result(&row, "")?;
        return Ok(Dashboard::Plan(Box::new(
            view_of(db, user, plan, new_per_day).await?,
        )));
    }
    let draft: Option<i16> = row.try_get("", "draft_step")?;
    Ok(Dashboard::FirstRun {
        draft_step: draft.map(stored_step).transpose()?,
    })
}

/// The caller's plan as of today, or `None` before the wizard ran.
pub async fn plan_view(
    db: &DatabaseConnection,
    user: &CurrentUser,
    new_per_day: u32,
) -> Result<Option<PlanView>, AppError> {
    match stored_plan(db, user.id).await? {
        Some(plan) => Ok(Some(view_of(db, user, plan, new_per_day).await?)),
        None => Ok(None),
    }
}

/// The plan as of today: the days left with their topics and reviews, today's progress,
/// the shortfall carried and the streak. Four aggregate statements: the topics with the
/// learner's settings, the record per topic, the answers per local day (today's count,
/// the plan's past days and the streak all come from it) and the review forecast.
async fn view_of(
    db: &DatabaseConnection,
    user: &CurrentUser,
    plan: study_plan::Model,
    new_per_day: u32,
) -> Result<PlanView, AppError> {
    let clock = LocalClock::of_user(user)?;
    let now = Utc::now();
    let today = clock.local_date(now);
    let topics = topics_of(db, user.id).await?;
    let record = crate::progress::server::topic_accuracy(db, user.id).await?;
    let from = plan
        .starts_on
        .min(today - chrono::Duration::days(STREAK_WINDOW_DAYS));
    let days = crate::progress::server::day_totals(db, user.id, &clock, from, today).await?;
    let answered_today = days.get(&today).map_or(0, |d| d.answered);
    let answered_before: u32 = days
        .range(plan.starts_on..today)
        .map(|(_, d)| d.answered)
        .sum();
    let active: Vec<_> = topics.iter().filter(|(_, _, _, active)| *active).collect();
    let inputs = schedule::Inputs {
        first_day: plan.starts_on,
        last_day: schedule::last_day(plan.starts_on, plan.interview_date),
        today,
        daily_goal: u32::from(plan.daily_goal.unsigned_abs()),
        topics: active
            .iter()
            .map(|(_, topic, priority, _)| {
                let (answered, correct) = record
                    .iter()
                    .find(|r| r.topic.slug == topic.slug)
                    .map_or((0, 0), |r| (r.answered, r.correct));
                schedule::TopicLoad {
                    topic: topic.clone(),
                    priority: priority.get(),
                    answered,
                    correct,
                }
            })
            .collect(),
        answered_before_today: answered_before,
    };
    let planned = schedule::schedule(&inputs);
    let reviews = review_forecast(db, user.id, &clock, today, new_per_day).await?;
    let plan_days = planned
        .days
        .into_iter()
        .map(|day| {
            let offset = (day.date - today).num_days();
            PlanDay {
                date: day.date.to_string(),
                questions: day.questions,
                topics: day.topics,
                reviews: usize::try_from(offset)
                    .ok()
                    .and_then(|i| reviews.get(i).copied()),
            }
        })
        .collect();
    let answered_days: Vec<NaiveDate> = days.keys().copied().collect();
    let streak = crate::progress::server::streak_of(&answered_days, today);
    let summary = PlanSummary {
        role: plan.job_role,
        experience: plan.experience,
        companies: plan.companies.0.clone(),
        interview_date: plan.interview_date.map(|d| d.to_string()),
        topics: active
            .iter()
            .map(|(_, topic, priority, _)| (topic.clone(), *priority))
            .collect(),
        daily_goal: plan.daily_goal.unsigned_abs(),
        minutes_per_day: plan.minutes_per_day.unsigned_abs(),
        reminder_time: plan.reminder_time.clone(),
        timer_minutes: plan.timer_minutes.map(i16::unsigned_abs),
        difficulty: plan.difficulty,
        time_zone: clock.name().to_owned(),
        days: (inputs.last_day - plan.starts_on).num_days() as u32 + 1,
    };
    Ok(PlanView {
        summary,
        days: plan_days,
        answered_today,
        behind: planned.behind,
        last_day: inputs.last_day.to_string(),
        streak,
    })
}

/// Reviews due on each of the next `FORECAST_DAYS` local days: today the queue's own count
/// (due cards and the new ones the day allows), then the cards falling due each day. One
/// statement, bucketed by the days' bounds (daylight-saving days are 23 or 25 hours).
pub async fn review_forecast(
    db: &DatabaseConnection,
    user: UserId,
    clock: &LocalClock,
    today: NaiveDate,
    new_per_day: u32,
) -> Result<Vec<u32>, AppError> {
    use crate::review::server::{counts_from, COUNTS_COLUMNS};
    let bounds: Vec<_> = (0..=FORECAST_DAYS as i64)
        .map(|i| clock.date_bounds(today + chrono::Duration::days(i)).0)
        .collect();
    // $1 user, $2 end of today, $3 its start (as COUNTS_COLUMNS wants), then the start
    // of each later day from the day after tomorrow: bound `k` is `$param(k)`. The later
    // days are counted in one pass over the learner's cards due after today.
    let param = |k: usize| match k {
        0 => 3,
        1 => 2,
        k => k + 2,
    };
    let buckets: String = (1..FORECAST_DAYS)
        .map(|i| {
            format!(
                ", COALESCE(SUM(CASE WHEN due >= ${} AND due < ${} THEN 1 ELSE 0 END), 0)",
                param(i),
                param(i + 1)
            )
        })
        .collect();
    let mut values: Vec<sea_orm::Value> = vec![user.0.into(), bounds[1].into(), bounds[0].into()];
    values.extend(bounds[2..].iter().map(|b| sea_orm::Value::from(*b)));
    let sql = format!(
        "SELECT {COUNTS_COLUMNS}{buckets} FROM review_cards \
         WHERE user_id = $1 AND due >= $2 AND due < ${}",
        param(FORECAST_DAYS)
    );
    let row = db
        .query_one_raw(crate::db::portable(db, &sql, values))
        .await?
        .ok_or(AppError::Internal)?;
    let mut forecast = vec![counts_from(&row, 0)?.due(new_per_day)];
    for i in 0..FORECAST_DAYS - 1 {
        let n: i64 = row.try_get_by_index(4 + i)?;
        forecast.push(crate::progress::server::count(n)?);
    }
    Ok(forecast)
}
