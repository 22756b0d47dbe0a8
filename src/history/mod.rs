//! The history page: every challenge of the user's, newest first, paged.
pub mod api;
#[cfg(feature = "ssr")]
pub mod service;

use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Correct,
    Wrong,
    Unanswered,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Correct => "Correct",
            Outcome::Wrong => "Wrong",
            Outcome::Unanswered => "Unanswered",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: ChallengeId,
    pub title: String,
    pub topic: String,
    pub difficulty: Difficulty,
    pub outcome: Outcome,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub page: u64,
    pub total_pages: u64,
    pub total: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub answered: u64,
    pub correct: u64,
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    // `try_with`: the resource can re-check this after a dropped request disposed it.
    let page = Memo::new(move |_| {
        query
            .try_with(|q| q.get("page"))
            .flatten()
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    });
    let data = Resource::new(move || page.get(), api::list_history);

    view! {
        <section class="page">
            <header class="page-header">
                <h1>"History"</h1>
                <p class="muted">"Every challenge you were served, newest first."</p>
            </header>
            <Transition fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading history…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <div class="card empty">
                            <p>"Log in to see your history."</p>
                            <A href="/login?next=/history" attr:class="button primary">"Log in"</A>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(history) if history.total == 0 => view! {
                        <div class="card empty">
                            <p>"No challenges yet."</p>
                            <A href="/challenge" attr:class="button primary">"Start your first challenge"</A>
                        </div>
                    }.into_any(),
                    Ok(history) => view! { <HistoryTable history=history /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryTable(history: HistoryPage) -> impl IntoView {
    let rows = history
        .entries
        .into_iter()
        .map(|e| {
            view! {
                <tr data-testid="history-row">
                    <td><time>{e.created_at}</time></td>
                    <td><A href=format!("/challenge?id={}", e.id)>{e.title}</A></td>
                    <td>{e.topic}</td>
                    <td><span class=format!("badge difficulty-{}", e.difficulty.as_str())>{e.difficulty.label()}</span></td>
                    <td><span class=format!("outcome {}", e.outcome.label().to_lowercase())>{e.outcome.label()}</span></td>
                </tr>
            }
        })
        .collect_view();
    let page = history.page;
    let total_pages = history.total_pages;
    let has_newer = page > 1;
    let has_older = page < total_pages;
    view! {
        <div class="table-wrap">
            <table class="history">
                <caption class="sr-only">"Your challenges"</caption>
                <thead><tr><th scope="col">"When"</th><th scope="col">"Question"</th><th scope="col">"Topic"</th><th scope="col">"Difficulty"</th><th scope="col">"Result"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="History pages">
            <Show when=move || has_newer fallback=|| view! { <span class="button disabled" aria-disabled="true">"← Newer"</span> }>
                <A href=format!("/history?page={}", page - 1) attr:class="button">"← Newer"</A>
            </Show>
            <span class="muted">{format!("Page {page} of {total_pages} · {} challenges", history.total)}</span>
            <Show when=move || has_older fallback=|| view! { <span class="button disabled" aria-disabled="true">"Older →"</span> }>
                <A href=format!("/history?page={}", page + 1) attr:class="button">"Older →"</A>
            </Show>
        </nav>
    }
}
