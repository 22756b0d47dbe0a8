//! `/progress`: plain links and forms around server-rendered charts, each with its table.
use super::charts::{Bar, BarChart, ColumnChart};
use super::model::{DayTotals, ProgressData, Recommendation, Window};
use crate::error::AppError;
use crate::ui::SignInPrompt;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProgressPage() -> impl IntoView {
    let days =
        use_query_map().with_untracked(|q| q.get("days").map(|d| d.parse::<u16>().unwrap_or(0)));
    let data = Resource::new(move || days, |days| Box::pin(super::api::my_progress(days)));
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Progress"</h1>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading your progress…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <SignInPrompt message="Log in to see your progress." next="/progress" />
                    }
                    .into_any(),
                    Err(e) => {
                        crate::ui::use_error_status(&e);
                        view! {
                            <p class="form-error" role="alert">{e.to_string()}</p>
                            <p><a href="/progress">"Show the last 30 days"</a></p>
                        }
                        .into_any()
                    }
                    Ok(data) if data.answered == 0 => view! { <NothingYet /> }.into_any(),
                    Ok(data) => view! { <Progress data /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NothingYet() -> impl IntoView {
    view! {
        <div class="card stack empty" data-testid="progress-empty">
            <p>"No answers yet: your charts start with your first question."</p>
            <p><a href="/challenge" class="button primary">"Answer a question"</a></p>
        </div>
    }
}

#[component]
fn Progress(data: ProgressData) -> impl IntoView {
    let accuracy = (data.correct * 100).checked_div(data.answered).unwrap_or(0);
    view! {
        <section class="stats" aria-label="Totals" data-testid="progress-totals">
            <div class="stat"><span class="value">{data.answered}</span><span class="label">"answered"</span></div>
            <div class="stat"><span class="value">{format!("{accuracy}%")}</span><span class="label">"accuracy"</span></div>
            <div class="stat" data-testid="current-streak"><span class="value">{data.current_streak}</span><span class="label">{if data.current_streak == 1 { "day streak" } else { "days streak" }}</span></div>
            <div class="stat"><span class="value">{data.longest_streak}</span><span class="label">"longest streak"</span></div>
        </section>
        <Recommendations items=data.recommendations />
        <TopicChart topics=data.topics />
        <OverTime window=data.window days=data.days />
        <Forecast forecast=data.forecast />
    }
}

#[component]
fn Recommendations(items: Vec<Recommendation>) -> impl IntoView {
    let body = if items.is_empty() {
        view! { <p class="muted">"No weak topics right now: every topic you practised is above 70 %."</p> }.into_any()
    } else {
        items
            .into_iter()
            .map(|r| {
                let label = format!("{}-question {} quiz, {}", r.questions, r.topic.name, r.difficulty.as_str());
                view! {
                    <li class="recommendation">
                        <div>
                            <strong>{label.clone()}</strong>
                            <p class="muted">{r.reason}</p>
                        </div>
                        <form method="post" action=crate::quiz::api::StartQuiz::PATH class="inline">
                            <input type="hidden" name="kind" value="topic" />
                            <input type="hidden" name="topic" value=r.topic.slug.as_str().to_owned() />
                            <input type="hidden" name="difficulty" value=r.difficulty.as_str() />
                            <input type="hidden" name="count" value=r.questions.to_string() />
                            <button type="submit" class="button" aria-label=format!("Start the {label}")>"Start"</button>
                        </form>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="card stack" aria-labelledby="next-title" data-testid="recommendations">
            <h2 id="next-title">"What to practise next"</h2>
            <ul class="recommendations">{body}</ul>
        </section>
    }
}

#[component]
fn TopicChart(topics: Vec<super::model::TopicAccuracy>) -> impl IntoView {
    let bars = topics
        .iter()
        .map(|t| Bar {
            label: t.topic.name.clone(),
            value: t.percent() as f32,
            text: format!("{} %", t.percent()),
        })
        .collect();
    let rows = topics
        .into_iter()
        .map(|t| {
            let percent = t.percent();
            view! {
                <tr><th scope="row">{t.topic.name}</th><td>{t.answered}</td><td>{t.correct}</td><td>{format!("{percent} %")}</td></tr>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="topics-title">
            <h2 id="topics-title">"Accuracy by topic"</h2>
            <figure data-testid="topic-chart">
                <BarChart title="Accuracy by topic" bars max=100.0 />
                <details>
                    <summary>"Table"</summary>
                    <table class="plan-table" data-testid="topic-table">
                        <thead><tr><th scope="col">"Topic"</th><th scope="col">"Answered"</th><th scope="col">"Correct"</th><th scope="col">"Accuracy"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </details>
            </figure>
        </section>
    }
}

#[component]
fn OverTime(window: Window, days: Vec<DayTotals>) -> impl IntoView {
    let first = days.first().map(|d| d.date.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.date.clone()).unwrap_or_default();
    let volume: Vec<u32> = days.iter().map(|d| d.answered).collect();
    let accuracy: Vec<Option<f32>> = days
        .iter()
        .map(|d| (d.answered > 0).then(|| d.correct as f32 * 100.0 / d.answered as f32))
        .collect();
    let times: Vec<Option<f32>> = days.iter().map(|d| d.mean_seconds).collect();
    let slowest = times.iter().flatten().fold(0.0f32, |a, b| a.max(*b));
    let total: u32 = volume.iter().sum();
    let active = volume.iter().filter(|v| **v > 0).count();
    let volume_summary = format!(
        "Answers per day and accuracy, {first} to {last}: {total} answers on {active} days"
    );
    let timed: Vec<f32> = times.iter().flatten().copied().collect();
    let time_summary = match (timed.first(), timed.last()) {
        (Some(a), Some(b)) => format!("Seconds per question, {first} to {last}: {a:.1} s on the first day with answers, {b:.1} s on the last"),
        _ => "Seconds per question: no timed answers".to_owned(),
    };
    let switch = Window::ALL
        .into_iter()
        .map(|w| {
            let current = (w == window).then_some("page");
            view! { <a href=format!("/progress?days={}", w.days()) aria-current=current class="chip">{format!("{} days", w.days())}</a> }
        })
        .collect_view();
    let rows = days
        .iter()
        .rev()
        .filter(|d| d.answered > 0)
        .map(|d| {
            let percent = (d.correct * 100).checked_div(d.answered).unwrap_or(0);
            view! {
                <tr>
                    <th scope="row">{d.date.clone()}</th><td>{d.answered}</td><td>{format!("{percent} %")}</td>
                    <td>{d.mean_seconds.map_or_else(|| "—".to_owned(), |s| format!("{s:.1} s"))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="time-title">
            <div class="row-between">
                <h2 id="time-title">"Over time"</h2>
                <nav class="chips" aria-label="Window">{switch}</nav>
            </div>
            <figure data-testid="volume-chart">
                <figcaption class="muted">"Answers per day (columns) and accuracy (line, 0–100 %)"</figcaption>
                <ColumnChart summary=volume_summary columns=volume line=accuracy first=first.clone() last=last.clone() />
            </figure>
            <figure data-testid="time-chart">
                <figcaption class="muted">{format!("Seconds per question (line, up to {slowest:.1} s)")}</figcaption>
                <ColumnChart summary=time_summary columns=vec![0; days.len()] line=times line_max=slowest first last />
            </figure>
            <details>
                <summary>"Table"</summary>
                <table class="plan-table" data-testid="days-table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Answered"</th><th scope="col">"Accuracy"</th><th scope="col">"Per question"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </section>
    }
}

#[component]
fn Forecast(forecast: Vec<(String, u32)>) -> impl IntoView {
    let first = forecast.first().map(|d| d.0.clone()).unwrap_or_default();
    let last = forecast.last().map(|d| d.0.clone()).unwrap_or_default();
    let total: u32 = forecast.iter().map(|d| d.1).sum();
    let summary = format!("Reviews due, {first} to {last}: {total} in all");
    let columns = forecast.iter().map(|d| d.1).collect();
    let rows = forecast
        .into_iter()
        .map(|(date, n)| view! { <tr><th scope="row">{date}</th><td>{n}</td></tr> })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="forecast-title">
            <h2 id="forecast-title">"Reviews, next 14 days"</h2>
            <figure data-testid="forecast-chart">
                <ColumnChart summary columns first last />
                <details>
                    <summary>"Table"</summary>
                    <table class="plan-table" data-testid="forecast-table">
                        <thead><tr><th scope="col">"Day"</th><th scope="col">"Reviews due"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </details>
            </figure>
        </section>
    }
}
