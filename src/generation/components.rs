//! The small views of AI generation: where questions come from, the quota line, and the
//! progress of a running generation.
use super::hook::AiRun;
use super::model::{QuotaView, Stage};
use leptos::either::Either;
use leptos::prelude::*;

/// Where questions come from here, in the learner's words.
#[component]
pub fn ModeNote(model: Option<String>) -> impl IntoView {
    match model {
        Some(model) => Either::Left(view! {
            <p class="muted mode-note" data-testid="mode-note">
                "AI mode: questions are written by " <code>{model}</code>
                ", checked by an independent second pass and deduplicated before you see them. Questions from our reviewed bank stay available."
            </p>
        }),
        None => Either::Right(view! {
            <p class="muted mode-note" data-testid="mode-note">
                "Questions come from our reviewed question bank; AI generation is not set up on this server."
            </p>
        }),
    }
}

/// "AI questions left today: 3 of 5 · resets at midnight (Europe/Berlin), in 5 h 12 min"
#[component]
pub fn QuotaLine(quota: QuotaView) -> impl IntoView {
    view! {
        <p class="muted quota" data-testid="quota">
            {format!("AI questions left today: {} of {}", quota.remaining(), quota.limit)}
            " · " {quota.reset_text()}
            {quota.tries_bite().then(|| view! {
                <span class="tries" data-testid="tries">
                    {format!(
                        " · {} of {} tries left today (failed and cancelled generations count too)",
                        quota.tries_left(),
                        quota.attempts_limit,
                    )}
                </span>
            })}
        </p>
    }
}

/// The stages of a running generation, the text written so far, and Cancel.
#[component]
pub fn AiProgress(
    run: Signal<AiRun>,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="card progress" aria-live="polite" data-testid="ai-progress">
            <ol class="stages">
                {move || {
                    let current = run.with(|r| r.stage);
                    [Stage::Writing, Stage::Verifying, Stage::Deduplicating, Stage::Saving]
                        .into_iter()
                        .map(|stage| {
                            let state = match current {
                                Some(c) if c == stage => "active",
                                Some(c) if (c as u8) > (stage as u8) => "done",
                                _ => "todo",
                            };
                            view! { <li class=state>{stage.label()}</li> }
                        })
                        .collect_view()
                }}
            </ol>
            <pre class="preview" data-testid="ai-preview">{move || run.with(|r| r.preview.clone())}</pre>
            <button type="button" class="secondary" data-testid="ai-cancel" on:click=move |_| on_cancel()>
                "Cancel" <kbd>"Esc"</kbd>
            </button>
        </div>
    }
}
