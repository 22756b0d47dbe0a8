//! The picker: topic, difficulty and (with a model) language and focus, and the buttons
//! that start. It is a plain form posting to `challenge/next`, so "Generate" works before
//! the bundle loads or without JavaScript; with it, the buttons run in place.
use crate::types::{Difficulty, Focus, Language, Topic, TopicSlug};
use leptos::prelude::*;

/// The topic the picker shows and a request uses: the learner's pick, or the first topic
/// until they pick one.
pub fn shown_topic(picked: Option<TopicSlug>, first: Option<&TopicSlug>) -> Option<TopicSlug> {
    picked.or_else(|| first.cloned())
}

/// What the learner has chosen so far.
#[derive(Clone, Copy)]
pub struct Choice {
    pub topic: RwSignal<Option<TopicSlug>>,
    pub difficulty: RwSignal<Difficulty>,
    pub language: RwSignal<Option<Language>>,
    pub focus: RwSignal<String>,
}

#[component]
pub fn Picker(
    topics: Vec<Topic>,
    ai: bool,
    choice: Choice,
    busy: Signal<bool>,
    bank_pending: Signal<bool>,
    on_primary: impl Fn() + Copy + Send + Sync + 'static,
    on_bank: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let first = topics.first().map(|t| t.slug.clone());
    let selected = move || shown_topic(choice.topic.get(), first.as_ref());
    let selected_value = {
        let selected = selected.clone();
        move || selected().map(|t| t.to_string()).unwrap_or_default()
    };
    let options = topics
        .into_iter()
        .map(|t| {
            let slug = t.slug.clone();
            let selected = selected.clone();
            view! { <option value=t.slug.to_string() selected=move || selected().as_ref() == Some(&slug)>{t.name}</option> }
        })
        .collect_view();
    let bank_label = move || match (bank_pending.get(), ai) {
        (true, _) => "Finding a question…",
        (false, true) => "Bank question",
        (false, false) => "Generate",
    };
    // The AI button needs the bundle (it streams); until then it is inert.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <form class="picker" method="post" action="/api/challenge/next"
            on:submit=move |ev| { ev.prevent_default(); on_primary(); }>
            <div class="field">
                <label for="topic">"Topic"</label>
                // `selected` on the options for the server's HTML, `value` for later changes.
                <select id="topic" name="topic" prop:value=selected_value
                    on:change=move |ev| choice.topic.set(event_target_value(&ev).parse().ok())>
                    {options}
                </select>
            </div>
            <fieldset class="field difficulty">
                <legend>"Difficulty"</legend>
                {Difficulty::ALL.into_iter().map(|d| view! {
                    <label class="segment">
                        <input type="radio" name="difficulty" value=d.as_str()
                            checked=move || choice.difficulty.get() == d
                            prop:checked=move || choice.difficulty.get() == d
                            on:change=move |_| choice.difficulty.set(d) />
                        <span>{d.label()}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            {ai.then(|| view! {
                <div class="field">
                    <label for="language">"Language"</label>
                    <select id="language" name="language"
                        on:change=move |ev| choice.language.set(event_target_value(&ev).parse().ok())>
                        <option value="">"Any"</option>
                        {Language::ALL.into_iter().map(|l| view! {
                            <option value=l.as_str() selected=move || choice.language.get() == Some(l)>{l.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field grow">
                    <label for="focus">"Focus " <span class="muted">"(optional)"</span></label>
                    <input id="focus" name="focus" type="text" maxlength=Focus::MAX.to_string()
                        placeholder="e.g. off-by-one errors"
                        prop:value=move || choice.focus.get()
                        on:input=move |ev| choice.focus.set(event_target_value(&ev)) />
                </div>
            })}
            <div class="actions">
                {ai.then(|| view! {
                    <button type="button" class="primary" data-testid="ai-generate"
                        disabled=move || busy.get() || !hydrated.get()
                        on:click=move |_| on_primary()>
                        {move || if busy.get() && !bank_pending.get() { "Generating…" } else { "Generate with AI" }}
                    </button>
                })}
                <button type="submit" class=if ai { "secondary" } else { "primary" }
                    data-testid="bank-generate" disabled=busy
                    on:click=move |ev| { ev.prevent_default(); on_bank(); }>
                    {bank_label}
                </button>
            </div>
        </form>
    }
}
