//! `/wizard` (five plain-form steps, each kept server-side), `/plan` (the whole schedule)
//! and the dashboard's "Today" card. All server-rendered: they work before any script and
//! with the keyboard alone.
use super::api::{CreatePlan, SaveWizardStep};
use super::model::{
    Dashboard, Experience, JobRole, PlanDay, PlanSummary, PlanView, StepProblem, WizardFields,
    WizardStep, WizardView, MIXED, SKIP, TIMER_CHOICES, TIMER_OFF,
};
use crate::error::AppError;
use crate::types::{Difficulty, Priority};
use crate::ui::{form_error, SignInPrompt};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WizardPage() -> impl IntoView {
    let asked =
        use_query_map().with_untracked(|q| q.get("step").and_then(|s| s.parse::<u8>().ok()));
    let error = form_error::<SaveWizardStep>().or_else(form_error::<CreatePlan>);
    let data = Resource::new(move || asked, |step| Box::pin(super::api::get_wizard(step)));
    view! {
        <section class="page wizard">
            <header class="page-header">
                <h1>"Your study plan"</h1>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading the wizard…"</div> }>
                {move || {
                    let error = error.clone();
                    data.get().map(move |result| match result {
                        Err(AppError::Unauthorized) => view! {
                            <SignInPrompt message="Log in to make your study plan." next="/wizard" />
                        }
                        .into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(wizard) => view! { <Wizard wizard error /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn Wizard(wizard: WizardView, error: Option<AppError>) -> impl IntoView {
    let step = wizard.step;
    let steps = WizardStep::ALL
        .into_iter()
        .map(|s| {
            let label = format!("{}. {}", s.number(), s.title());
            let current = (s == step).then_some("step");
            if s <= wizard.reached && s != step {
                view! { <li><a href=format!("/wizard?step={}", s.number())>{label}</a></li> }
                    .into_any()
            } else {
                view! { <li aria-current=current>{label}</li> }.into_any()
            }
        })
        .collect_view();
    let intro = if wizard.editing {
        "Running the wizard again edits your plan: it starts again from today with what you choose."
    } else {
        "Five short steps, about two minutes. Your answers are kept as you go, even if you leave."
    };
    let other_error = error
        .as_ref()
        .filter(|e| !matches!(e, AppError::Invalid(_)))
        .map(|e| e.to_string());
    let problems = Problems(error);
    let body = match step {
        WizardStep::Role => view! { <RoleStep fields=wizard.fields problems /> }.into_any(),
        WizardStep::Goal => {
            view! { <GoalStep fields=wizard.fields today=wizard.today problems /> }.into_any()
        }
        WizardStep::Topics => view! { <TopicsStep wizard problems /> }.into_any(),
        WizardStep::Schedule => view! { <ScheduleStep wizard problems /> }.into_any(),
        WizardStep::Review => view! { <ReviewStep preview=wizard.preview /> }.into_any(),
    };
    view! {
        <p class="muted">{intro}</p>
        <ol class="wizard-steps" aria-label="Steps">{steps}</ol>
        {other_error.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        <div class="card stack" data-testid="wizard-step" data-step=step.number()>
            <h2>{format!("Step {} of 5: {}", step.number(), step.title())}</h2>
            {body}
        </div>
    }
}

/// The problems a step's last submit had, by field.
#[derive(Clone)]
struct Problems(Option<AppError>);

impl Problems {
    fn of(&self, field: &str) -> Option<String> {
        self.0.as_ref()?.message_for(field).map(str::to_owned)
    }
}

/// A field's message (if any), the `id` its input points at with `aria-describedby`.
#[component]
fn FieldError(id: String, message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="field-error" id=id role="alert">{m}</p> })
}

/// The step's form: its fields, then Next (first, so Enter moves on) and Back.
#[component]
fn StepForm(step: WizardStep, children: Children) -> impl IntoView {
    view! {
        <form method="post" action=SaveWizardStep::PATH class="stack" novalidate>
            <input type="hidden" name="step" value=step.number() />
            {children()}
            <div class="wizard-actions">
                <button type="submit" name="go" value="next" class="button primary" data-testid="wizard-next">"Next"</button>
                {(step != WizardStep::Role).then(|| view! {
                    <button type="submit" name="go" value="back" class="button" data-testid="wizard-back">"Back"</button>
                })}
            </div>
        </form>
    }
}

/// A `<select>` of `choices` (value, label), `current` selected, with its label and error.
#[component]
fn Choice(
    name: &'static str,
    label: &'static str,
    choices: Vec<(String, String)>,
    current: String,
    problems: Problems,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("wizard-{name}");
    let error_id = format!("{id}-error");
    let error = problems.of(name);
    let described = match (error.is_some(), hint.is_some()) {
        (true, _) => Some(error_id.clone()),
        (false, true) => Some(format!("{id}-hint")),
        _ => None,
    };
    let options = choices
        .into_iter()
        .map(|(value, text)| {
            let selected = value == current;
            view! { <option value=value selected=selected>{text}</option> }
        })
        .collect_view();
    view! {
        <label for=id.clone()>{label}</label>
        <select id=id.clone() name=name aria-invalid=error.is_some().then_some("true") aria-describedby=described>
            {placeholder.map(|p| view! { <option value="" selected=current.is_empty()>{p}</option> })}
            {options}
        </select>
        {hint.map(|h| view! { <p class="muted" id=format!("{id}-hint")>{h}</p> })}
        <FieldError id=error_id message=error />
    }
}

/// A text-like `<input>` with its label and error.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    value: String,
    problems: Problems,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] min: Option<String>,
    #[prop(optional)] max: Option<&'static str>,
) -> impl IntoView {
    let id = format!("wizard-{name}");
    let error_id = format!("{id}-error");
    let error = problems.of(name);
    let described = match (error.is_some(), hint.is_some()) {
        (true, _) => Some(error_id.clone()),
        (false, true) => Some(format!("{id}-hint")),
        _ => None,
    };
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id.clone() name=name type=kind value=value min=min max=max
            aria-invalid=error.is_some().then_some("true") aria-describedby=described />
        {hint.map(|h| view! { <p class="muted" id=format!("{id}-hint")>{h}</p> })}
        <FieldError id=error_id message=error />
    }
}

fn pairs<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&v| (value(v).to_owned(), label(v).to_owned()))
        .collect()
}

#[component]
fn RoleStep(fields: WizardFields, problems: Problems) -> impl IntoView {
    view! {
        <StepForm step=WizardStep::Role>
            <Choice name="role" label="Role you are interviewing for" current=fields.role
                choices=pairs(&JobRole::ALL, JobRole::as_str, JobRole::label)
                placeholder="Choose a role…" problems=problems.clone() />
            <Choice name="experience" label="Your experience" current=fields.experience
                choices=pairs(&Experience::ALL, Experience::as_str, Experience::label)
                placeholder="Choose your experience…" problems />
        </StepForm>
    }
}

#[component]
fn GoalStep(fields: WizardFields, today: String, problems: Problems) -> impl IntoView {
    view! {
        <StepForm step=WizardStep::Goal>
            <Field name="companies" label="Target companies (optional)" value=fields.companies
                hint="Separated by commas, up to 10." problems=problems.clone() />
            <Field name="interview_date" label="Interview date (optional)" value=fields.interview_date
                kind="date" min=today
                hint="The plan runs until the day before. Without a date it runs for four weeks."
                problems />
        </StepForm>
    }
}

#[component]
fn TopicsStep(wizard: WizardView, problems: Problems) -> impl IntoView {
    let error = problems.of("priority");
    let rows = wizard
        .topics
        .into_iter()
        .map(|topic| {
            let slug = topic.slug.as_str().to_owned();
            let current = wizard
                .fields
                .priorities
                .get(&slug)
                .cloned()
                .unwrap_or_else(|| SKIP.to_owned());
            let id = format!("wizard-priority-{slug}");
            let options = std::iter::once((SKIP.to_owned(), "Not in the plan".to_owned()))
                .chain(
                    Priority::ALL
                        .into_iter()
                        .map(|p| (p.get().to_string(), p.label().to_owned())),
                )
                .map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                })
                .collect_view();
            view! {
                <li class="priority-row">
                    <label for=id.clone()>{topic.name}</label>
                    <select id=id name=format!("priority[{slug}]")>{options}</select>
                </li>
            }
        })
        .collect_view();
    view! {
        <StepForm step=WizardStep::Topics>
            <p class="muted" id="wizard-priority-hint">
                "Higher priority comes up more often; topics you miss more come up more too."
            </p>
            <FieldError id="wizard-priority-error".to_owned() message=error />
            <ul class="priority-list" aria-describedby="wizard-priority-hint">{rows}</ul>
        </StepForm>
    }
}

#[component]
fn ScheduleStep(wizard: WizardView, problems: Problems) -> impl IntoView {
    let fields = wizard.fields;
    let timers = std::iter::once((TIMER_OFF.to_owned(), "No time limit".to_owned()))
        .chain(
            TIMER_CHOICES
                .iter()
                .map(|m| (m.to_string(), format!("{m} minutes"))),
        )
        .collect();
    let difficulties = std::iter::once((MIXED.to_owned(), "Mixed".to_owned()))
        .chain(pairs(
            &Difficulty::ALL,
            Difficulty::as_str,
            Difficulty::label,
        ))
        .collect();
    let zones = wizard.zones.into_iter().map(|z| (z.clone(), z)).collect();
    view! {
        <StepForm step=WizardStep::Schedule>
            <Field name="daily_goal" label="Questions per day" value=fields.daily_goal kind="number"
                min="1".to_owned() max="50" problems=problems.clone() />
            <Field name="minutes_per_day" label="Minutes per day" value=fields.minutes_per_day kind="number"
                min="5".to_owned() max="240" problems=problems.clone() />
            <Field name="reminder_time" label="Reminder time (optional)" value=fields.reminder_time kind="time"
                hint="In your time zone." problems=problems.clone() />
            <Choice name="timer_minutes" label="Default quiz time limit" current=fields.timer_minutes
                choices=timers problems=problems.clone() />
            <Choice name="difficulty" label="Preferred difficulty" current=fields.difficulty
                choices=difficulties problems=problems.clone() />
            <Choice name="time_zone" label="Time zone" current=fields.time_zone choices=zones
                hint="Your day starts at midnight here." problems />
        </StepForm>
    }
}

#[component]
fn ReviewStep(preview: Option<Result<PlanSummary, Vec<StepProblem>>>) -> impl IntoView {
    let body = match preview {
        Some(Ok(summary)) => view! {
            <Summary summary />
            <form method="post" action=CreatePlan::PATH class="wizard-actions">
                <button type="submit" class="button primary" data-testid="wizard-create">"Create my plan"</button>
            </form>
        }
        .into_any(),
        Some(Err(problems)) => {
            let items = problems
                .into_iter()
                .map(|p| view! {
                    <li>
                        <a href=format!("/wizard?step={}", p.step.number())>{format!("Step {}: {}", p.step.number(), p.step.title())}</a>
                        " — " {p.message}
                    </li>
                })
                .collect_view();
            view! {
                <div class="form-error" role="alert" data-testid="wizard-problems">
                    <p>"Some answers need a change before the plan can be made:"</p>
                    <ul>{items}</ul>
                </div>
            }
            .into_any()
        }
        None => ().into_any(),
    };
    view! {
        {body}
        <form method="post" action=SaveWizardStep::PATH class="wizard-actions">
            <input type="hidden" name="step" value=WizardStep::Review.number() />
            <button type="submit" name="go" value="back" class="button" data-testid="wizard-back">"Back"</button>
        </form>
    }
}

/// A plan's settings as a definition list.
#[component]
fn Summary(summary: PlanSummary) -> impl IntoView {
    let topics = summary
        .topics
        .iter()
        .map(|(t, p)| format!("{} ({})", t.name, p.label()))
        .collect::<Vec<_>>()
        .join(", ");
    let companies = if summary.companies.is_empty() {
        "—".to_owned()
    } else {
        summary.companies.join(", ")
    };
    let until = match &summary.interview_date {
        Some(date) => format!("Interview on {date}: {} days of practice", summary.days),
        None => format!("No interview date: a plan of {} days", summary.days),
    };
    view! {
        <dl class="summary" data-testid="plan-summary">
            <dt>"Role"</dt><dd>{format!("{} · {}", summary.role.label(), summary.experience.label())}</dd>
            <dt>"Companies"</dt><dd>{companies}</dd>
            <dt>"Plan"</dt><dd>{until}</dd>
            <dt>"Topics"</dt><dd>{topics}</dd>
            <dt>"Every day"</dt><dd>{format!("{} questions, {} minutes", summary.daily_goal, summary.minutes_per_day)}</dd>
            <dt>"Difficulty"</dt><dd>{summary.difficulty.map_or("Mixed", Difficulty::label)}</dd>
            <dt>"Quiz time limit"</dt><dd>{summary.timer_minutes.map_or_else(|| "None".to_owned(), |m| format!("{m} minutes"))}</dd>
            <dt>"Reminder"</dt><dd>{summary.reminder_time.unwrap_or_else(|| "None".to_owned())}</dd>
            <dt>"Time zone"</dt><dd>{summary.time_zone}</dd>
        </dl>
    }
}

/// The dashboard's plan card: today's goal and progress, or the way to the wizard.
#[component]
pub fn TodayPlan(dashboard: Dashboard, saved: bool) -> impl IntoView {
    match dashboard {
        Dashboard::FirstRun { draft_step } => {
            let (text, link) = match draft_step {
                Some(step) => (
                    format!("You are on step {} of 5 of your study plan.", step.number()),
                    "Continue the plan",
                ),
                None => (
                    "Tell us your interview date, topics and time per day: you get a day-by-day plan in about two minutes.".to_owned(),
                    "Make my study plan",
                ),
            };
            view! {
                <section class="card stack first-run" aria-labelledby="first-run-title" data-testid="first-run">
                    <h2 id="first-run-title">"Start with a plan"</h2>
                    <p>{text}</p>
                    <p><a href="/wizard" class="button primary">{link}</a></p>
                </section>
            }
            .into_any()
        }
        Dashboard::Plan(plan) => view! { <Today plan=*plan saved /> }.into_any(),
    }
}

#[component]
fn Today(plan: PlanView, saved: bool) -> impl IntoView {
    let PlanView {
        summary,
        mut days,
        answered_today,
        behind,
        last_day,
        streak,
    } = plan;
    if days.is_empty() {
        return view! {
            <section class="card stack" aria-labelledby="today-title" data-testid="today-plan">
                <h2 id="today-title">"Your plan is over"</h2>
                <p>{format!("It ended on {last_day}. Make a new one for what comes next.")}</p>
                <p><a href="/wizard" class="button primary">"Make a new plan"</a></p>
            </section>
        }
        .into_any();
    }
    let today = days.remove(0);
    let goal = today.questions;
    let done = answered_today.min(goal);
    let difficulty = summary.difficulty;
    let topics = today
        .topics
        .iter()
        .map(|(topic, n)| {
            let mut href = format!("/challenge?topic={}", topic.slug.as_str());
            if let Some(d) = difficulty {
                href.push_str("&difficulty=");
                href.push_str(d.as_str());
            }
            view! {
                <li><a href=href>{topic.name.clone()}</a>{format!(" · {n} question{}", if *n == 1 { "" } else { "s" })}</li>
            }
        })
        .collect_view();
    let reviews = today.reviews.unwrap_or(0);
    let status = if answered_today >= goal {
        format!("Done for today: {answered_today} of {goal} questions ✓")
    } else {
        format!("{answered_today} of {goal} questions today")
    };
    view! {
        <section class="card stack" aria-labelledby="today-title" data-testid="today-plan">
            {saved.then(|| view! { <p class="notice" role="status" data-testid="plan-saved">"Your plan is ready ✓"</p> })}
            <h2 id="today-title">"Today"</h2>
            <p data-testid="today-progress">{status}</p>
            <progress max=goal value=done aria-label="Today's questions answered">{format!("{done}/{goal}")}</progress>
            {(behind > 0).then(|| view! {
                <p class="muted" data-testid="plan-behind">{format!("{behind} questions from earlier days are shared over the days left.")}</p>
            })}
            <ul class="today-topics" aria-label="Today's topics">{topics}</ul>
            <div class="actions">
                <form method="post" action=crate::quiz::api::StartQuiz::PATH class="inline">
                    <input type="hidden" name="kind" value="daily" />
                    <button type="submit" class="button primary">"Today's quiz"</button>
                </form>
                <a href="/review" class="button">{format!("Reviews due: {reviews}")}</a>
                <a href="/challenge" class="button">"Quick question"</a>
            </div>
            <p class="muted" data-testid="streak">{match streak {
                0 => "No streak yet: answer a question today to start one.".to_owned(),
                1 => "Streak: 1 day".to_owned(),
                n => format!("Streak: {n} days"),
            }}</p>
            <p><a href="/plan">"The whole plan"</a>" · "<a href="/wizard">"Edit the plan"</a></p>
        </section>
    }
    .into_any()
}

/// `/plan`: every day left, with its questions, topics and reviews.
#[component]
pub fn PlanPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| Box::pin(super::api::my_plan()));
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Your plan"</h1>
                <a href="/wizard" class="button">"Edit the plan"</a>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading your plan…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <SignInPrompt message="Log in to see your plan." next="/plan" />
                    }
                    .into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(None) => view! {
                        <div class="card stack empty" data-testid="no-plan">
                            <p>"You have no plan yet."</p>
                            <p><a href="/wizard" class="button primary">"Make my study plan"</a></p>
                        </div>
                    }
                    .into_any(),
                    Ok(Some(plan)) => view! { <PlanTable plan /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PlanTable(plan: PlanView) -> impl IntoView {
    let rows = plan
        .days
        .into_iter()
        .map(|day| view! { <PlanRow day /> })
        .collect_view();
    view! {
        <Summary summary=plan.summary />
        <table class="plan-table" data-testid="plan-days">
            <caption>{format!("Day by day, until {}", plan.last_day)}</caption>
            <thead><tr><th scope="col">"Day"</th><th scope="col">"Questions"</th><th scope="col">"Topics"</th><th scope="col">"Reviews due"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn PlanRow(day: PlanDay) -> impl IntoView {
    let topics = day
        .topics
        .iter()
        .map(|(t, n)| format!("{} ({n})", t.name))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr>
            <th scope="row">{day.date}</th>
            <td>{day.questions}</td>
            <td>{topics}</td>
            <td>{day.reviews.map_or_else(|| "—".to_owned(), |n| n.to_string())}</td>
        </tr>
    }
}
