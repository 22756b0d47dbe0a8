//! The history page: a table on wide screens, a list of cards on phones (CSS), and a pager
//! only when there is more than one page.
use super::model::HistoryPageData;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

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
    let data = Resource::new(move || page.get(), super::api::list_history);

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
fn HistoryTable(history: HistoryPageData) -> impl IntoView {
    let rows = history
        .entries
        .into_iter()
        .map(|e| {
            view! {
                <tr data-testid="history-row">
                    <td data-label="When"><time>{e.created_at}</time></td>
                    <td data-label="Question"><A href=format!("/challenge?id={}", e.id)>{e.title}</A></td>
                    <td data-label="Topic">{e.topic}</td>
                    <td data-label="Difficulty"><span class=format!("badge difficulty-{}", e.difficulty.as_str())>{e.difficulty.label()}</span></td>
                    <td data-label="Result"><span class=format!("outcome {}", e.outcome.label().to_lowercase())>{e.outcome.label()}</span></td>
                </tr>
            }
        })
        .collect_view();
    let page = history.page;
    let total_pages = history.total_pages;
    let total = history.total;
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
        <Show when=move || 1 < total_pages>
            <nav class="pager" aria-label="History pages">
                <Show when=move || has_newer fallback=|| view! { <span class="button disabled" aria-disabled="true">"← Newer"</span> }>
                    <A href=format!("/history?page={}", page - 1) attr:class="button">"← Newer"</A>
                </Show>
                <span class="muted">{format!("Page {page} of {total_pages} · {total} challenges")}</span>
                <Show when=move || has_older fallback=|| view! { <span class="button disabled" aria-disabled="true">"Older →"</span> }>
                    <A href=format!("/history?page={}", page + 1) attr:class="button">"Older →"</A>
                </Show>
            </nav>
        </Show>
    }
}
