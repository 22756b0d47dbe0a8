//! The challenge page: pick a topic and difficulty, then take a question from the bank or,
//! when a model is configured, have one written (streamed, verified, deduplicated, within
//! the daily quota). Answer by click or keys 1–4, then see the key and the explanation.
#[cfg(feature = "ssr")]
pub mod ai;
pub mod api;
#[cfg(feature = "hydrate")]
mod client;
#[cfg(feature = "ssr")]
pub mod generate;
#[cfg(feature = "ssr")]
pub mod pool;
#[cfg(feature = "ssr")]
mod preview;
#[cfg(feature = "ssr")]
pub mod quota;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod stream;

use crate::auth::Auth;
use crate::error::AppError;
use crate::types::{ChallengeId, Difficulty, Focus, Language, QuestionSource, Topic};
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

/// Body of `POST /api/challenge/generate` (JSON). Validated on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateRequest {
    pub topic: String,
    pub difficulty: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub focus: Option<String>,
}

/// A step of AI generation, as the learner sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Pool,
    Writing,
    Repairing,
    Verifying,
    Deduplicating,
    Saving,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Pool => "Looking for a ready question",
            Stage::Writing => "Writing the question",
            Stage::Repairing => "Fixing the model's format",
            Stage::Verifying => "Checking the answer independently",
            Stage::Deduplicating => "Making sure it is new",
            Stage::Saving => "Saving",
        }
    }
}

/// One server-sent event of `POST /api/challenge/generate` (the `data:` line, as JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenerationEvent {
    Stage {
        stage: Stage,
    },
    /// Visible text of the question being written (title, then stem).
    Preview {
        text: String,
    },
    Done {
        challenge_id: ChallengeId,
        from_pool: bool,
        remaining_today: u32,
    },
    Failed {
        status: u16,
        message: String,
        retry_after_secs: Option<u64>,
    },
}

/// What the picker needs: the topics, and whether (and how much) AI generation is on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeSetup {
    pub topics: Vec<Topic>,
    pub ai: AiStatus,
}

/// What the challenge area shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeSlot {
    SignedOut,
    /// Signed in, no challenge picked yet.
    Empty,
    Shown(ChallengeView),
}

/// Whether AI generation is on, and the caller's quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiStatus {
    /// The model's name; `None` is bank mode.
    pub model: Option<String>,
    pub quota: Option<QuotaView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaView {
    pub limit: u32,
    pub used: u32,
    pub resets_in_secs: u64,
    pub utc_offset_minutes: i32,
}

impl QuotaView {
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    /// "resets at midnight UTC+01:00, in 5 h 12 min"
    pub fn reset_text(&self) -> String {
        let offset = self.utc_offset_minutes;
        let sign = if offset < 0 { '-' } else { '+' };
        let zone = format!("UTC{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60);
        let wait = crate::error::wait_text(self.resets_in_secs);
        format!("resets at midnight {zone}, in {wait}")
    }
}

/// The AI generation panel's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct AiRun {
    running: bool,
    stage: Option<Stage>,
    preview: String,
    error: Option<String>,
    notice: Option<String>,
}

#[component]
pub fn ChallengePage() -> impl IntoView {
    let auth = Auth::get();
    let query = use_query_map();
    let navigate = use_navigate();

    // `try_with`: a resource can re-check this after its request was dropped and the
    // query disposed; that must not panic.
    let challenge_id = Memo::new(move |_| {
        query
            .try_with(|q| q.get("id"))
            .flatten()
            .and_then(|id| id.parse::<i64>().ok())
            .map(ChallengeId)
    });
    // One resource per boundary, each keyed on plain signals (never on another resource):
    // the page's SSR reads each exactly once.
    let signed_in_version = move || {
        (
            auth.login.version().get(),
            auth.register.version().get(),
            auth.logout.version().get(),
        )
    };
    let current = Resource::new(
        move || (challenge_id.get(), signed_in_version()),
        |(id, _)| api::current_challenge(id),
    );
    let ai_version = RwSignal::new(0u32);
    let setup = Resource::new(
        move || (ai_version.get(), signed_in_version()),
        |_| api::get_challenge_setup(),
    );
    // For event handlers only; views get the setup from the boundary that reads it.
    let ai_on = move || {
        setup
            .get_untracked()
            .and_then(Result::ok)
            .is_some_and(|s| s.ai.model.is_some())
    };

    // A form submitted without JavaScript comes back as `?topic=…&difficulty=…`: keep the
    // choice. Empty until the learner picks one, which shows the first topic selected.
    let (initial_topic, initial_difficulty) = query.with_untracked(|q| {
        let difficulty = q
            .get("difficulty")
            .and_then(|raw| Difficulty::ALL.into_iter().find(|d| d.as_str() == raw));
        (q.get("topic").unwrap_or_default(), difficulty)
    });
    let topic = RwSignal::new(initial_topic);
    let chosen_topic = move || {
        let first = setup
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|s| s.topics.first().map(|t| t.slug.clone()));
        shown_topic(topic.get_untracked(), first.as_deref())
    };
    let difficulty = RwSignal::new(initial_difficulty.unwrap_or(Difficulty::Easy));
    let language = RwSignal::new(String::new());
    let focus = RwSignal::new(String::new());
    let generate = ServerAction::<NextChallenge>::new();
    let answer = ServerAction::<AnswerChallenge>::new();
    let ai_run = RwSignal::new(AiRun::default());
    // Set when an AI question is ready; the page then shows it.
    let ready = RwSignal::new(None::<ChallengeId>);

    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(view)) = generate.value().get() {
                navigate(&format!("/challenge?id={}", view.id), Default::default());
            }
        }
    });
    Effect::new(move |_| {
        if let Some(id) = ready.get() {
            navigate(&format!("/challenge?id={id}"), Default::default());
        }
    });
    // Keep the picker in step with the challenge on screen (e.g. after a reload).
    Effect::new(move |_| {
        if let Some(Ok(ChallengeSlot::Shown(view))) = current.get() {
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

    // A bank request or a generation is under way.
    let busy_now =
        move || generate.pending().get_untracked() || ai_run.with_untracked(|r| r.running);
    let from_bank = move || {
        if busy_now() {
            return;
        }
        let slug = chosen_topic();
        generate.dispatch(NextChallenge {
            topic: slug,
            difficulty: difficulty.get_untracked().as_str().to_owned(),
        });
    };

    #[cfg(feature = "hydrate")]
    let running = StoredValue::new_local(None::<client::Generation>);
    let cancel_ai = move || {
        #[cfg(feature = "hydrate")]
        running.try_with_value(|g| {
            if let Some(g) = g {
                g.cancel();
            }
        });
    };
    let with_ai = move || {
        #[cfg(feature = "hydrate")]
        if !busy_now() {
            let request = GenerateRequest {
                topic: chosen_topic(),
                difficulty: difficulty.get_untracked().as_str().to_owned(),
                language: Some(language.get_untracked()),
                focus: Some(focus.get_untracked()),
            };
            ai_run.set(AiRun {
                running: true,
                ..AiRun::default()
            });
            let handle = client::start(&request, move |update| match update {
                client::Update::Event(GenerationEvent::Stage { stage }) => {
                    ai_run.update(|r| r.stage = Some(stage))
                }
                client::Update::Event(GenerationEvent::Preview { text }) => {
                    ai_run.update(|r| r.preview.push_str(&text))
                }
                client::Update::Event(GenerationEvent::Done {
                    challenge_id,
                    from_pool,
                    ..
                }) => {
                    let notice =
                        from_pool.then(|| "Served at once from the ready pool.".to_owned());
                    ai_run.set(AiRun {
                        notice,
                        ..AiRun::default()
                    });
                    ai_version.update(|v| *v += 1);
                    ready.set(Some(challenge_id));
                }
                client::Update::Event(GenerationEvent::Failed {
                    message, status, ..
                }) => {
                    // The server refunds before it reports a failure; a 429 charged nothing
                    // either, and a failure seen only by the browser (status 0) is unknown.
                    let nothing_charged = if matches!(status, 0 | 429) {
                        String::new()
                    } else {
                        " Nothing was charged.".to_owned()
                    };
                    ai_run.set(AiRun {
                        error: Some(format!("{message}{nothing_charged}")),
                        ..AiRun::default()
                    });
                    ai_version.update(|v| *v += 1);
                }
                client::Update::Cancelled => {
                    ai_run.set(AiRun {
                        notice: Some("Cancelled.".to_owned()),
                        ..AiRun::default()
                    });
                    // The server gives the unit back once it sees the connection close,
                    // at the latest with its next keep-alive (5 s).
                    for wait in [500, 6000] {
                        set_timeout(
                            move || ai_version.update(|v| *v += 1),
                            std::time::Duration::from_millis(wait),
                        );
                    }
                }
            });
            if handle.is_none() {
                ai_run.set(AiRun {
                    error: Some("This browser cannot stream the question.".to_owned()),
                    ..AiRun::default()
                });
            }
            running.set_value(handle);
        }
    };
    // Leaving the page cancels a running generation rather than paying for an unseen one.
    on_cleanup(cancel_ai);
    let primary = move || {
        if ai_on() {
            with_ai()
        } else {
            from_bank()
        }
    };
    let choose = move |choice: u8| {
        let Some(Ok(ChallengeSlot::Shown(view))) = current.get_untracked() else {
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
            if event.key() == "Escape" && ai_run.with_untracked(|r| r.running) {
                event.prevent_default();
                cancel_ai();
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
                "n" | "N" => primary(),
                "b" | "B" => from_bank(),
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    let generate_error = Signal::derive(move || generate.value().get().and_then(Result::err));
    let answer_error = Signal::derive(move || answer.value().get().and_then(Result::err));
    let busy = Signal::derive(move || generate.pending().get() || ai_run.with(|r| r.running));
    let bank_pending = generate.pending();

    view! {
        <section class="page challenge-page">
            <header class="page-header">
                <h1>"Challenge"</h1>
            </header>

            // The only reader of `setup`: the mode note, the picker and the quota.
            <Transition fallback=|| view! { <div class="picker skeleton" aria-busy="true">"Loading…"</div> }>
                {move || setup.get().map(|result| match result {
                    Ok(setup) => {
                        let model = setup.ai.model;
                        let ai = model.is_some();
                        view! {
                            <ModeNote model=model />
                            <Picker topics=setup.topics ai=ai topic=topic difficulty=difficulty
                                language=language focus=focus busy=busy bank_pending=bank_pending
                                on_primary=primary on_bank=from_bank />
                            {setup.ai.quota.map(|q| view! {
                                <p class="muted quota" data-testid="quota">
                                    {format!("AI questions left today: {} of {}", q.remaining(), q.limit)}
                                    " · " {q.reset_text()}
                                </p>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <FormError error=generate_error />
            {move || ai_run.with(|r| r.error.clone()).map(|e| view! {
                <p class="form-error" role="alert" data-testid="ai-error">{e}</p>
            })}
            {move || ai_run.with(|r| r.notice.clone()).map(|n| view! {
                <p class="notice" role="status" data-testid="ai-notice">{n}</p>
            })}
            <Show when=move || ai_run.with(|r| r.running)>
                <AiProgress run=ai_run on_cancel=cancel_ai />
            </Show>

            // The only reader of `current`.
            <Transition fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading challenge…"</div> }>
                {move || current.get().map(|slot| match slot {
                    Ok(ChallengeSlot::Shown(view)) => {
                        let shown = shown_answer(&view);
                        view! { <ChallengeCard view=view shown=shown on_choose=choose pending=answer.pending() /> }.into_any()
                    }
                    Ok(ChallengeSlot::SignedOut) | Err(AppError::Unauthorized) => view! {
                        <div class="card empty">
                            <p>"Log in to get challenges. Your answers are saved to your history."</p>
                            <p><A href="/login?next=/challenge" attr:class="button primary">"Log in"</A> " " <A href="/register" attr:class="button">"Create an account"</A></p>
                        </div>
                    }.into_any(),
                    Ok(ChallengeSlot::Empty) => view! {
                        <div class="card empty">
                            <p>"Pick a topic and a difficulty, then press "<strong>"Generate"</strong>"."</p>
                            <p class="muted">"Answer with the mouse or the keys "<kbd>"1"</kbd>"–"<kbd>"4"</kbd>"; press "<kbd>"N"</kbd>" for the next one."</p>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <FormError error=answer_error />
        </section>
    }
}

/// Where questions come from here, in the learner's words.
#[component]
pub fn ModeNote(model: Option<String>) -> impl IntoView {
    match model {
        Some(model) => view! {
            <p class="muted mode-note" data-testid="mode-note">
                "AI mode: questions are written by " <code>{model}</code>
                ", checked by an independent second pass and deduplicated before you see them. Bank questions stay available."
            </p>
        }
        .into_any(),
        None => view! {
            <p class="muted mode-note" data-testid="mode-note">
                "Questions come from our reviewed question bank; AI generation is not set up on this server."
            </p>
        }
        .into_any(),
    }
}

/// The topic the picker shows and a request uses: the learner's pick, or the first topic
/// until they pick one.
fn shown_topic(picked: String, first: Option<&str>) -> String {
    if picked.is_empty() {
        first.unwrap_or_default().to_owned()
    } else {
        picked
    }
}

/// Topic, difficulty and (with a model) language and focus; the buttons that start.
#[allow(clippy::too_many_arguments)]
#[component]
fn Picker(
    topics: Vec<Topic>,
    ai: bool,
    topic: RwSignal<String>,
    difficulty: RwSignal<Difficulty>,
    language: RwSignal<String>,
    focus: RwSignal<String>,
    busy: Signal<bool>,
    bank_pending: Memo<bool>,
    on_primary: impl Fn() + Copy + Send + Sync + 'static,
    on_bank: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let first = topics.first().map(|t| t.slug.clone());
    let selected = move || shown_topic(topic.get(), first.as_deref());
    let options = topics
        .into_iter()
        .map(|t| {
            let slug = t.slug.clone();
            let selected = selected.clone();
            view! { <option value=t.slug selected=move || selected() == slug>{t.name}</option> }
        })
        .collect_view();
    let bank_label = move || match (bank_pending.get(), ai) {
        (true, _) => "Finding a question…",
        (false, true) => "Bank question",
        (false, false) => "Generate",
    };
    view! {
        <form class="picker" on:submit=move |ev| { ev.prevent_default(); on_primary(); }>
            <div class="field">
                <label for="topic">"Topic"</label>
                <select id="topic" name="topic"
                    prop:value=selected
                    on:change=move |ev| topic.set(event_target_value(&ev))>
                    {options}
                </select>
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
            <Show when=move || ai>
                <div class="field">
                    <label for="language">"Language"</label>
                    <select id="language" name="language" prop:value=move || language.get()
                        on:change=move |ev| language.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        {Language::ALL.into_iter().map(|l| view! { <option value=l.as_str()>{l.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field grow">
                    <label for="focus">"Focus " <span class="muted">"(optional)"</span></label>
                    <input id="focus" name="focus" type="text" maxlength=Focus::MAX.to_string()
                        placeholder="e.g. off-by-one errors"
                        prop:value=move || focus.get()
                        on:input=move |ev| focus.set(event_target_value(&ev)) />
                </div>
            </Show>
            <div class="actions">
                <Show when=move || ai>
                    <button type="submit" class="primary" data-testid="ai-generate" disabled=busy>
                        {move || if busy.get() && !bank_pending.get() { "Generating…" } else { "Generate with AI" }}
                    </button>
                </Show>
                <button type=if ai { "button" } else { "submit" }
                    class=if ai { "secondary" } else { "primary" }
                    data-testid="bank-generate" disabled=busy
                    on:click=move |ev| if ai { ev.prevent_default(); on_bank(); }>
                    {bank_label}
                </button>
            </div>
        </form>
    }
}

/// The stages of a running generation, the text written so far, and Cancel.
#[component]
fn AiProgress(
    run: RwSignal<AiRun>,
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
