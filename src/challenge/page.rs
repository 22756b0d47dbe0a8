//! The challenge page: the mode note, the picker and the quota line (one boundary reading
//! the setup), the progress of an AI generation, and the challenge itself (one boundary
//! reading the current challenge).
use super::api::{self, AnswerChallenge, NextChallenge};
use super::card::ChallengeCard;
use super::model::{ChallengeSlot, ChallengeView};
use super::picker::{shown_topic, Choice, Picker};
use super::shortcuts::{use_challenge_shortcuts, Shortcuts};
use crate::auth::Auth;
use crate::error::AppError;
use crate::generation::model::GenerateRequest;
use crate::generation::{use_ai_generation, AiProgress, ModeNote, QuotaLine};
use crate::types::{ChallengeId, Difficulty, TopicSlug};
use crate::ui::FormError;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

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
    let ai = use_ai_generation();
    // One resource per boundary, each keyed on plain signals (never on another resource):
    // the page's SSR reads each exactly once.
    let current = Resource::new(
        move || (challenge_id.get(), auth.version()),
        |(id, _)| api::current_challenge(id),
    );
    let setup = Resource::new(
        move || (ai.quota_version().get(), auth.version()),
        |_| api::get_challenge_setup(),
    );
    // For event handlers only; views get the setup from the boundary that reads it.
    let setup_now = move || setup.get_untracked().and_then(Result::ok);

    // The choice survives a reload and a form posted without JavaScript: the URL carries it.
    let (initial_topic, initial_difficulty) = query.with_untracked(|q| {
        (
            q.get("topic").and_then(|raw| raw.parse::<TopicSlug>().ok()),
            q.get("difficulty")
                .and_then(|raw| raw.parse::<Difficulty>().ok()),
        )
    });
    let choice = Choice {
        topic: RwSignal::new(initial_topic),
        difficulty: RwSignal::new(initial_difficulty.unwrap_or(Difficulty::Easy)),
        language: RwSignal::new(None),
        focus: RwSignal::new(String::new()),
    };
    let chosen_topic = move || {
        let first = setup_now().and_then(|s| s.topics.first().map(|t| t.slug.clone()));
        shown_topic(choice.topic.get_untracked(), first.as_ref())
    };
    let next = ServerAction::<NextChallenge>::new();
    let answer = ServerAction::<AnswerChallenge>::new();

    // The URL of a challenge, with the choice that led to it.
    let url_of = move |id: ChallengeId| {
        let topic = chosen_topic().map(|t| t.to_string()).unwrap_or_default();
        let difficulty = choice.difficulty.get_untracked();
        format!("/challenge?id={id}&topic={topic}&difficulty={difficulty}")
    };
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(view)) = next.value().get() {
                navigate(&url_of(view.id), Default::default());
            }
        }
    });
    Effect::new(move |_| {
        if let Some(id) = ai.ready().get() {
            navigate(&url_of(id), Default::default());
        }
    });
    // Keep the picker in step with the challenge on screen (e.g. opened from history).
    Effect::new(move |_| {
        if let Some(Ok(ChallengeSlot::Shown(view))) = current.get() {
            choice.topic.set(Some(view.topic.slug.clone()));
            choice.difficulty.set(view.difficulty);
        }
    });

    // Starts a question for the chosen topic and difficulty, unless one is under way.
    let start = move |begin: &dyn Fn(TopicSlug, Difficulty)| {
        let busy = next.pending().get_untracked() || ai.is_running();
        if let (false, Some(topic)) = (busy, chosen_topic()) {
            begin(topic, choice.difficulty.get_untracked());
        }
    };
    let from_bank = move || {
        start(&|topic, difficulty| {
            next.dispatch(NextChallenge { topic, difficulty });
        })
    };
    let with_ai = move || {
        start(&|topic, difficulty| {
            ai.start(GenerateRequest {
                topic,
                difficulty,
                language: choice.language.get_untracked(),
                focus: Some(choice.focus.get_untracked()),
            })
        })
    };
    let primary = move || {
        if setup_now().is_some_and(|s| s.ai.model.is_some()) {
            with_ai()
        } else {
            from_bank()
        }
    };
    let choose = move |index: u8| {
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
            choice: index,
        });
    };
    use_challenge_shortcuts(Shortcuts {
        choose,
        next: primary,
        bank: from_bank,
        cancel: move || {
            let running = ai.is_running();
            ai.cancel();
            running
        },
    });

    let shown_answer = move |view: &ChallengeView| {
        answer
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|a| a.challenge_id == view.id)
            .or_else(|| view.answer.clone())
    };
    let next_error = Signal::derive(move || next.value().get().and_then(Result::err));
    let answer_error = Signal::derive(move || answer.value().get().and_then(Result::err));
    let busy = Signal::derive(move || next.pending().get() || ai.run().with(|r| r.running));
    let bank_pending = Signal::derive(move || next.pending().get());
    let answer_pending = Signal::derive(move || answer.pending().get());
    let run = ai.run();

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
                        let ai_on = model.is_some();
                        view! {
                            <ModeNote model=model />
                            <Picker topics=setup.topics ai=ai_on choice=choice busy=busy
                                bank_pending=bank_pending on_primary=primary on_bank=from_bank />
                            {setup.ai.quota.map(|quota| view! { <QuotaLine quota=quota /> })}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <FormError error=next_error />
            {move || run.with(|r| r.error.clone()).map(|e| view! {
                <p class="form-error" role="alert" data-testid="ai-error">{e}</p>
            })}
            {move || run.with(|r| r.notice.clone()).map(|n| view! {
                <p class="notice" role="status" data-testid="ai-notice">{n}</p>
            })}
            <Show when=move || run.with(|r| r.running)>
                <AiProgress run=run on_cancel=move || ai.cancel() />
            </Show>

            // The only reader of `current`.
            <Transition fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading challenge…"</div> }>
                {move || current.get().map(|slot| match slot {
                    Ok(ChallengeSlot::Shown(view)) => {
                        let shown = shown_answer(&view);
                        view! { <ChallengeCard view=view shown=shown on_choose=choose pending=answer_pending /> }.into_any()
                    }
                    Ok(ChallengeSlot::SignedOut) | Err(AppError::Unauthorized) => view! { <SignedOutNote /> }.into_any(),
                    Ok(ChallengeSlot::Empty) => view! { <EmptyNote /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <FormError error=answer_error />
        </section>
    }
}

#[component]
fn SignedOutNote() -> impl IntoView {
    view! {
        <div class="card empty">
            <p>"Log in to get challenges. Your answers are saved to your history."</p>
            <p><A href="/login?next=/challenge" attr:class="button primary">"Log in"</A> " " <A href="/register?next=/challenge" attr:class="button">"Create an account"</A></p>
        </div>
    }
}

#[component]
fn EmptyNote() -> impl IntoView {
    view! {
        <div class="card empty">
            <p>"Pick a topic and a difficulty, then press "<strong>"Generate"</strong>"."</p>
            <p class="muted">"Answer with the mouse or the keys "<kbd>"1"</kbd>"–"<kbd>"4"</kbd>"; press "<kbd>"N"</kbd>" for the next one."</p>
        </div>
    }
}
