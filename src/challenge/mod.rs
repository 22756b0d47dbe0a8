//! The challenge page: pick a topic and difficulty, answer by click or keys 1–4, then see
//! the key and the explanation.
pub mod api;
#[cfg(feature = "ssr")]
pub mod generate;
#[cfg(feature = "ssr")]
pub mod quota;
#[cfg(feature = "ssr")]
pub mod service;

use crate::auth::Auth;
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, QuestionSource, Topic};
use crate::ui::{FormError, Html};
use api::{AnswerChallenge, NextChallenge};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeView {
    pub id: ChallengeId,
    pub title: String,
    pub stem_html: String,
    pub options_html: Vec<String>,
    pub topic: Topic,
    pub difficulty: Difficulty,
    pub source: QuestionSource,
    pub answer: Option<AnswerResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerResult {
    pub challenge_id: ChallengeId,
    pub chosen: u8,
    pub answer_index: u8,
    pub correct: bool,
    pub explanation_html: String,
}

#[component]
pub fn ChallengePage() -> impl IntoView {
    let auth = Auth::get();
    let query = use_query_map();
    let navigate = use_navigate();

    let challenge_id = Memo::new(move |_| {
        query
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .map(ChallengeId)
    });
    let topics = Resource::new(|| (), |_| api::list_topics());
    let current = Resource::new(
        move || challenge_id.get(),
        |id| async move {
            match id {
                Some(id) => api::get_challenge(id).await.map(Some),
                None => Ok(None),
            }
        },
    );

    let topic = RwSignal::new(String::new());
    let difficulty = RwSignal::new(Difficulty::Easy);
    let generate = ServerAction::<NextChallenge>::new();
    let answer = ServerAction::<AnswerChallenge>::new();

    Effect::new(move |_| {
        if let Some(Ok(view)) = generate.value().get() {
            navigate(&format!("/challenge?id={}", view.id), Default::default());
        }
    });
    // Keep the picker in step with the challenge on screen (e.g. after a reload).
    Effect::new(move |_| {
        if let Some(Ok(Some(view))) = current.get() {
            topic.set(view.topic.slug.clone());
            difficulty.set(view.difficulty);
        }
    });

    let shown_answer = move |view: &ChallengeView| {
        answer
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|a| a.challenge_id == view.id)
            .or_else(|| view.answer.clone())
    };

    let do_generate = move || {
        if generate.pending().get_untracked() {
            return;
        }
        let slug = topic.get_untracked();
        generate.dispatch(NextChallenge {
            topic: slug,
            difficulty: difficulty.get_untracked().as_str().to_owned(),
        });
    };
    let choose = move |choice: u8| {
        let Some(Ok(Some(view))) = current.get_untracked() else {
            return;
        };
        let already = answer
            .value()
            .get_untracked()
            .and_then(Result::ok)
            .is_some_and(|a| a.challenge_id == view.id);
        if view.answer.is_some() || already || answer.pending().get_untracked() {
            return;
        }
        answer.dispatch(AnswerChallenge {
            id: view.id,
            choice,
        });
    };

    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(ev::keydown, move |event| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let typing = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                });
            if typing {
                return;
            }
            match event.key().as_str() {
                k @ ("1" | "2" | "3" | "4") => {
                    event.prevent_default();
                    choose(k.as_bytes()[0] - b'1');
                }
                "n" | "N" => do_generate(),
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    let generate_error = Signal::derive(move || generate.value().get().and_then(Result::err));
    let answer_error = Signal::derive(move || answer.value().get().and_then(Result::err));

    view! {
        <section class="page challenge-page">
            <header class="page-header">
                <h1>"Challenge"</h1>
                <p class="muted mode-note" data-testid="mode-note">
                    "Bank mode: every question comes from the curated, reviewed question bank."
                </p>
            </header>

            <form class="picker" on:submit=move |ev| { ev.prevent_default(); do_generate(); }>
                <div class="field">
                    <label for="topic">"Topic"</label>
                    <Suspense fallback=|| view! { <select id="topic" disabled><option>"Loading topics…"</option></select> }>
                        {move || topics.get().map(|result| match result {
                            Ok(list) => {
                                if topic.get_untracked().is_empty() {
                                    if let Some(first) = list.first() {
                                        topic.set(first.slug.clone());
                                    }
                                }
                                view! {
                                    <select id="topic" name="topic"
                                        prop:value=move || topic.get()
                                        on:change=move |ev| topic.set(event_target_value(&ev))>
                                        {list.into_iter().map(|t| {
                                            let slug = t.slug.clone();
                                            view! { <option value=t.slug selected=move || topic.get() == slug>{t.name}</option> }
                                        }).collect_view()}
                                    </select>
                                }.into_any()
                            }
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        })}
                    </Suspense>
                </div>
                <fieldset class="field difficulty">
                    <legend>"Difficulty"</legend>
                    {Difficulty::ALL.into_iter().map(|d| view! {
                        <label class="segment">
                            <input type="radio" name="difficulty" value=d.as_str()
                                prop:checked=move || difficulty.get() == d
                                on:change=move |_| difficulty.set(d) />
                            <span>{d.label()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary" disabled=move || generate.pending().get()>
                    {move || if generate.pending().get() { "Finding a question…" } else { "Generate" }}
                </button>
            </form>
            <FormError error=generate_error />

            <Transition fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading challenge…"</div> }>
                {move || {
                    let logged_in = matches!(auth.user.get(), Some(Ok(Some(_))));
                    let signed_out = matches!(auth.user.get(), Some(Ok(None)));
                    match current.get() {
                        Some(Ok(Some(view))) => {
                            let shown = shown_answer(&view);
                            view! { <ChallengeCard view=view shown=shown on_choose=choose pending=answer.pending() /> }.into_any()
                        }
                        Some(Err(AppError::Unauthorized)) | Some(Ok(None)) if signed_out => view! {
                            <div class="card empty">
                                <p>"Log in to get challenges. Your answers are saved to your history."</p>
                                <p><A href="/login?next=/challenge" attr:class="button primary">"Log in"</A> " " <A href="/register" attr:class="button">"Create an account"</A></p>
                            </div>
                        }.into_any(),
                        Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        _ if logged_in => view! {
                            <div class="card empty">
                                <p>"Pick a topic and a difficulty, then press "<strong>"Generate"</strong>"."</p>
                                <p class="muted">"Answer with the mouse or the keys "<kbd>"1"</kbd>"–"<kbd>"4"</kbd>"; press "<kbd>"N"</kbd>" for the next one."</p>
                            </div>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                }}
            </Transition>
            <FormError error=answer_error />
        </section>
    }
}

#[component]
fn ChallengeCard(
    view: ChallengeView,
    shown: Option<AnswerResult>,
    on_choose: impl Fn(u8) + Copy + Send + Sync + 'static,
    pending: Memo<bool>,
) -> impl IntoView {
    let answered = shown.is_some();
    let options = view
        .options_html
        .iter()
        .enumerate()
        .map(|(i, html)| {
            let index = i as u8;
            let class = match &shown {
                Some(a) if a.answer_index == index => "option correct",
                Some(a) if a.chosen == index => "option wrong",
                Some(_) => "option dimmed",
                None => "option",
            };
            let key = (i + 1).to_string();
            let key_shortcut = key.clone();
            view! {
                <li>
                    <button type="button" class=class data-testid=format!("option-{}", i + 1)
                        aria-keyshortcuts=key_shortcut
                        disabled=move || answered || pending.get()
                        on:click=move |_| on_choose(index)>
                        <kbd class="key">{key}</kbd>
                        <span class="option-text" inner_html=html.clone()></span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let result = shown.map(|a| {
        let verdict = if a.correct { "Correct!" } else { "Not quite." };
        let key_text = format!("The answer is option {}.", a.answer_index + 1);
        view! {
            <div class=if a.correct { "result correct" } else { "result wrong" } role="status" data-testid="result">
                <strong>{verdict}</strong> " " {key_text}
            </div>
            <h3>"Explanation"</h3>
            <Html html=a.explanation_html class="explanation" />
            <p class="muted">"Press "<kbd>"N"</kbd>" or "<strong>"Generate"</strong>" for the next question."</p>
        }
    });
    view! {
        <article class="card challenge" data-testid="challenge">
            <div class="badges">
                <span class="badge">{view.topic.name.clone()}</span>
                <span class=format!("badge difficulty-{}", view.difficulty.as_str())>{view.difficulty.label()}</span>
                <span class="badge source" data-testid="source">{view.source.label()}</span>
            </div>
            <h2>{view.title.clone()}</h2>
            <Html html=view.stem_html.clone() class="stem" />
            <ol class="options" aria-label="Answer options">{options}</ol>
            {result}
        </article>
    }
}
