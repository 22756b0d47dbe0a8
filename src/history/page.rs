//! The history page: a filter (topic, result, difficulty, kind, words in the question), a table on wide screens and a list of cards
//! on phones (CSS), and a pager only when there is more than one page.
use super::model::{AskedIn, HistoryFilter, HistoryPageData, Outcome, SearchText};
use crate::error::AppError;
use crate::types::{Difficulty, Topic};
use crate::ui::SignInPrompt;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the address asks for: a page and a filter, or the words it could not read.
#[derive(Clone, PartialEq)]
struct Wanted {
    page: u64,
    filter: HistoryFilter,
}

/// A filter in the address: absent or empty is no filter; any other value must be `what`.
fn filter_param<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    what: &str,
) -> Result<Option<T>, String> {
    get(key)
        .filter(|value| !value.is_empty())
        .map(|value| {
            value
                .parse()
                .map_err(|_| format!("“{value}” is not {what}."))
        })
        .transpose()
}

fn read_query(get: impl Fn(&str) -> Option<String>) -> Result<Wanted, String> {
    let page = match get("page").filter(|p| !p.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| format!("“{p}” is not a page number."))?,
    };
    let topic = filter_param(&get, "topic", "a topic")?;
    let outcome = filter_param(&get, "result", "a result: use correct, wrong or unanswered")?;
    let difficulty = filter_param(&get, "difficulty", "a difficulty: use easy, medium or hard")?;
    let asked_in = filter_param(&get, "kind", "a kind: use challenge or quiz")?;
    let search = SearchText::parse(&get("q").unwrap_or_default())?;
    Ok(Wanted {
        page,
        filter: HistoryFilter {
            topic,
            outcome,
            difficulty,
            asked_in,
            search,
        },
    })
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    // `try_with`: the resource can re-check this after a dropped request disposed it.
    let wanted = Memo::new(move |_| {
        query
            .try_with(|q| read_query(|key| q.get(key)))
            .unwrap_or_else(|| read_query(|_| None))
    });
    let data = Resource::new(
        move || wanted.get(),
        |wanted| {
            Box::pin(async move {
                match wanted {
                    Ok(w) => super::api::list_history(
                        w.page,
                        w.filter.topic.clone(),
                        w.filter.outcome,
                        w.filter.difficulty,
                        w.filter.asked_in,
                        w.filter.search.as_ref().map(|s| s.as_str().to_owned()),
                    )
                    .await
                    .map(|data| (data, w.filter)),
                    Err(message) => Err(AppError::invalid("filter", message)),
                }
            })
        },
    );

    view! {
        <section class="page">
            <header class="page-header">
                <h1>"History"</h1>
                <p class="muted">"Every challenge you were served, newest first."</p>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading history…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <SignInPrompt message="Log in to see your history." next="/history" />
                    }.into_any(),
                    Err(e) => view! {
                        <p class="form-error" role="alert">{e.to_string()}</p>
                        <p><a href="/history">"Show all your challenges"</a></p>
                    }.into_any(),
                    Ok((history, filter)) if history.entries.is_empty() && history.page == 1 && filter.is_empty() => view! {
                        <div class="card empty">
                            <p>"No challenges yet."</p>
                            <a href="/challenge" class="button primary">"Start your first challenge"</a>
                        </div>
                    }.into_any(),
                    Ok((history, filter)) => view! {
                        <FilterForm topics=history.topics.clone() filter=filter.clone() />
                        <HistoryTable history filter />
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// A select's options for each of `all`, the current one selected.
fn choices<T: Copy + PartialEq>(
    all: impl IntoIterator<Item = T>,
    current: Option<T>,
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> impl IntoView {
    all.into_iter()
        .map(|choice| {
            view! { <option value=value(choice) selected=current == Some(choice)>{label(choice)}</option> }
        })
        .collect_view()
}

/// A plain GET form: it works before the bundle loads, and navigates in place after.
#[component]
fn FilterForm(topics: Vec<Topic>, filter: HistoryFilter) -> impl IntoView {
    let topic_options = topics
        .into_iter()
        .map(|t| {
            let selected = filter.topic.as_ref() == Some(&t.slug);
            view! { <option value=t.slug.to_string() selected=selected>{t.name}</option> }
        })
        .collect_view();
    let outcome_options = choices(
        Outcome::ALL,
        filter.outcome,
        Outcome::as_str,
        Outcome::label,
    );
    let difficulty_options = choices(
        Difficulty::ALL,
        filter.difficulty,
        Difficulty::as_str,
        Difficulty::label,
    );
    let kind_options = choices(
        AskedIn::ALL,
        filter.asked_in,
        AskedIn::as_str,
        AskedIn::label,
    );
    let search = filter
        .search
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    view! {
        <form method="get" action="/history" class="filters" aria-label="Filter history">
            <div class="field">
                <label for="history-topic">"Topic"</label>
                <select id="history-topic" name="topic">
                    <option value="" selected=filter.topic.is_none()>"All topics"</option>
                    {topic_options}
                </select>
            </div>
            <div class="field">
                <label for="history-result">"Result"</label>
                <select id="history-result" name="result">
                    <option value="" selected=filter.outcome.is_none()>"Any result"</option>
                    {outcome_options}
                </select>
            </div>
            <div class="field">
                <label for="history-difficulty">"Difficulty"</label>
                <select id="history-difficulty" name="difficulty">
                    <option value="" selected=filter.difficulty.is_none()>"Any difficulty"</option>
                    {difficulty_options}
                </select>
            </div>
            <div class="field">
                <label for="history-kind">"Asked in"</label>
                <select id="history-kind" name="kind">
                    <option value="" selected=filter.asked_in.is_none()>"Challenges and quizzes"</option>
                    {kind_options}
                </select>
            </div>
            <div class="field">
                <label for="history-search">"Search questions"</label>
                <input id="history-search" type="search" name="q" value=search
                    maxlength=SearchText::MAX.to_string() placeholder="e.g. binary search" />
            </div>
            <button type="submit" class="button">"Filter"</button>
            {(!filter.is_empty()).then(|| view! { <a href="/history" class="button">"Clear"</a> })}
        </form>
    }
}

#[component]
fn HistoryTable(history: HistoryPageData, filter: HistoryFilter) -> impl IntoView {
    if history.entries.is_empty() {
        let message = if history.page > 1 {
            "There are no older challenges."
        } else {
            "No challenges match this filter."
        };
        return view! {
            <div class="card empty">
                <p>{message}</p>
                <a href=filter.href(1) class="button">"Back to the first page"</a>
            </div>
        }
        .into_any();
    }
    let rows = history
        .entries
        .into_iter()
        .map(|e| {
            view! {
                <tr data-testid="history-row">
                    <td data-label="When"><time>{e.created_at}</time></td>
                    <td data-label="Question">
                        {match e.quiz {
                            Some(quiz) => view! {
                                <a href=format!("/quiz/{quiz}/result")>{e.title}</a>
                                " " <span class="badge">"Quiz"</span>
                            }.into_any(),
                            None => view! { <a href=format!("/challenge?id={}", e.id)>{e.title}</a> }.into_any(),
                        }}
                    </td>
                    <td data-label="Topic">{e.topic}</td>
                    <td data-label="Difficulty"><span class=format!("badge difficulty-{}", e.difficulty.as_str())>{e.difficulty.label()}</span></td>
                    <td data-label="Result"><span class=format!("outcome {}", e.outcome.as_str())>{e.outcome.label()}</span></td>
                </tr>
            }
        })
        .collect_view();
    let page = history.page;
    let pager = (page > 1 || history.has_older).then(|| {
        let step = |to: Option<u64>, label: &'static str| match to {
            Some(to) => view! { <a href=filter.href(to) class="button">{label}</a> }.into_any(),
            None => view! { <span class="button disabled" aria-disabled="true">{label}</span> }
                .into_any(),
        };
        view! {
            <nav class="pager" aria-label="History pages">
                {step((page > 1).then(|| page - 1), "← Newer")}
                <span class="muted">{format!("Page {page}")}</span>
                {step(history.has_older.then_some(page + 1), "Older →")}
            </nav>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="history">
                <caption class="sr-only">"Your challenges"</caption>
                <thead><tr><th scope="col">"When"</th><th scope="col">"Question"</th><th scope="col">"Topic"</th><th scope="col">"Difficulty"</th><th scope="col">"Result"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}
