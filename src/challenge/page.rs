//! The challenge page: the mode note, the picker and the quota line (one boundary reading
//! the setup), the progress of an AI generation, and the challenge itself (one boundary
//! reading the current challenge). All of it is one island, `ChallengeWorkspace`: the page
//! changes in place from one challenge to the next and records each in the address.
use super::api;
use super::card::ChallengeCard;
use super::model::{ChallengeSetup, ChallengeSlot};
use super::picker::{shown_topic, Choice, Picker};
use super::shortcuts::{use_challenge_shortcuts, Shortcuts};
use crate::error::AppError;
use crate::generation::model::GenerateRequest;
use crate::generation::{use_ai_generation, AiProgress, ModeNote, QuotaLine};
use crate::types::{ChallengeId, Difficulty, TopicSlug};
use crate::ui::{
    boxed_on_server, push_address, use_address_param, use_island_ready, FormError, Shipped,
};
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn challenge_id_of(raw: Option<String>) -> Option<ChallengeId> {
    raw.and_then(|id| id.parse::<i64>().ok()).map(ChallengeId)
}

/// Reads the address and the first data on the server (the choice survives a reload and a
/// form posted without JavaScript: the address carries it) and hands them to the island,
/// which ships no resource or suspense machinery to the browser.
#[component]
pub fn ChallengePage() -> impl IntoView {
    let (id, topic, difficulty) = use_query_map().with_untracked(|q| {
        (
            challenge_id_of(q.get("id")),
            q.get("topic").and_then(|raw| raw.parse::<TopicSlug>().ok()),
            q.get("difficulty")
                .and_then(|raw| raw.parse::<Difficulty>().ok()),
        )
    });
    let start = Resource::new(
        || (),
        move |_| {
            Box::pin(async move {
                let slot = api::current_challenge(id).await;
                (slot, api::get_challenge_setup().await)
            })
        },
    );
    view! {
        <section class="page challenge-page">
            <header class="page-header">
                <h1>"Challenge"</h1>
                // Interview realism (CSS only; `/realism.js` remembers the choice).
                // Its words avoid "topic" and "difficulty": those name the picker's fields.
                <label class="check realism" for="realism">
                    <input type="checkbox" id="realism" data-testid="realism" aria-describedby="realism-hint" />
                    "Interview realism"
                </label>
                <span class="muted" id="realism-hint">" Badges stay hidden until you answer."</span>
                <script type="module" src="/realism.js" nonce=leptos::nonce::use_nonce()></script>
            </header>
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading challenge…"</div> }>
                {move || start.get().map(|(slot, setup)| view! {
                    <ChallengeWorkspace topic=topic.clone() difficulty=difficulty challenge=Shipped(slot) setup=Shipped(setup) />
                })}
            </Suspense>
        </section>
    }
}

/// Applies only the answer to the last request sent: a slow early reply never overwrites
/// a later one.
#[derive(Clone, Copy)]
struct Latest(StoredValue<u32>);

impl Latest {
    fn new() -> Self {
        Latest(StoredValue::new(0))
    }

    /// Replies to requests sent before now are dropped.
    fn supersede(self) {
        self.0.update_value(|n| *n += 1);
    }

    fn fetch<T: Send + Sync + 'static>(
        self,
        target: RwSignal<T>,
        request: impl std::future::Future<Output = T> + 'static,
    ) {
        self.supersede();
        let ticket = self.0.get_value();
        leptos::task::spawn_local(async move {
            let reply = request.await;
            if self.0.try_get_value() == Some(ticket) {
                target.set(reply);
            }
        });
    }
}

/// Something the learner asked for (a bank question, an answer): whether it is under way,
/// and the error of the last one. Its result goes straight into the challenge on screen.
#[derive(Clone, Copy)]
struct Request {
    pending: RwSignal<bool>,
    error: RwSignal<Option<AppError>>,
}

impl Request {
    fn new() -> Self {
        Request {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    fn is_pending(self) -> bool {
        self.pending.get_untracked()
    }

    /// Sends `call` unless one is under way; `done` takes its value.
    fn send<T: 'static>(
        self,
        call: impl std::future::Future<Output = Result<T, AppError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        if self.is_pending() {
            return;
        }
        self.pending.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(value) => done(value),
                Err(error) => self.error.set(Some(error)),
            }
            self.pending.set(false);
        });
    }
}

#[island(lazy)]
fn ChallengeWorkspace(
    topic: Option<TopicSlug>,
    difficulty: Option<Difficulty>,
    challenge: Shipped<Result<ChallengeSlot, AppError>>,
    setup: Shipped<Result<ChallengeSetup, AppError>>,
) -> impl IntoView {
    use_island_ready();
    let ai = use_ai_generation();
    let current = RwSignal::new(challenge.0);
    let setup = RwSignal::new(setup.0);
    let (current_request, setup_request) = (Latest::new(), Latest::new());
    let load = move |id: Option<ChallengeId>| {
        current_request.fetch(current, api::current_challenge(id));
    };
    // Back and Forward between challenges shown here.
    use_address_param("id", move |raw| load(challenge_id_of(raw)));
    // The quota line follows every generation that may have used some of it.
    Effect::watch(
        move || ai.quota_version().get(),
        move |_, _, _| setup_request.fetch(setup, api::get_challenge_setup()),
        false,
    );
    let setup_now = move || setup.get_untracked().ok();

    let choice = Choice {
        topic: RwSignal::new(topic),
        difficulty: RwSignal::new(difficulty.unwrap_or(Difficulty::Easy)),
        language: RwSignal::new(None),
        focus: RwSignal::new(String::new()),
    };
    let chosen_topic = move || {
        let first = setup_now().and_then(|s| s.topics.first().map(|t| t.slug.clone()));
        shown_topic(choice.topic.get_untracked(), first.as_ref())
    };
    let (next, answer) = (Request::new(), Request::new());

    // Records a challenge (with the choice that led to it) in the address.
    let record = move |id: ChallengeId| {
        let topic = chosen_topic().map(|t| t.to_string()).unwrap_or_default();
        let difficulty = choice.difficulty.get_untracked();
        push_address(&format!(
            "/challenge?id={id}&topic={topic}&difficulty={difficulty}"
        ));
    };
    Effect::new(move |_| {
        if let Some(id) = ai.ready().get() {
            record(id);
            load(Some(id));
        }
    });
    // Keep the picker in step with the challenge on screen (e.g. opened from history).
    Effect::new(move |_| {
        current.with(|slot| {
            if let Ok(ChallengeSlot::Shown(view)) = slot {
                choice.topic.set(Some(view.topic.slug.clone()));
                choice.difficulty.set(view.difficulty);
            }
        })
    });

    // Starts a question for the chosen topic and difficulty, unless one is under way.
    let start = move |begin: &dyn Fn(TopicSlug, Difficulty)| {
        let busy = next.is_pending() || ai.is_running();
        if let (false, Some(topic)) = (busy, chosen_topic()) {
            begin(topic, choice.difficulty.get_untracked());
        }
    };
    let from_bank = move || {
        start(&|topic, difficulty| {
            next.send(api::next_challenge(topic, difficulty), move |view| {
                record(view.id);
                current_request.supersede();
                current.set(Ok(ChallengeSlot::Shown(view)));
            });
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
        let Ok(ChallengeSlot::Shown(view)) = current.get_untracked() else {
            return;
        };
        if view.answer.is_some() {
            return;
        }
        answer.send(api::answer_challenge(view.id, index), move |result| {
            current.update(|slot| {
                if let Ok(ChallengeSlot::Shown(shown)) = slot {
                    if shown.id == result.challenge_id {
                        shown.answer = Some(result);
                    }
                }
            })
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

    let busy = Signal::derive(move || next.pending.get() || ai.run().with(|r| r.running));
    let run = ai.run();

    view! {
        {boxed_on_server(move || match setup.get() {
            Ok(setup) => {
                let model = setup.ai.model;
                let ai_on = model.is_some();
                Either::Left(view! {
                    <ModeNote model=model />
                    <Picker topics=setup.topics ai=ai_on choice=choice busy=busy
                        bank_pending=next.pending.into() on_primary=primary on_bank=from_bank />
                    {setup.ai.quota.map(|quota| view! { <QuotaLine quota=quota /> })}
                })
            }
            Err(e) => Either::Right(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
        })}
        <FormError error=next.error />
        {move || run.with(|r| r.error.clone()).map(|e| view! {
            <p class="form-error" role="alert" data-testid="ai-error">{e}</p>
        })}
        {move || run.with(|r| r.notice.clone()).map(|n| view! {
            <p class="notice" role="status" data-testid="ai-notice">{n}</p>
        })}
        {move || run.with(|r| r.running).then(|| view! {
            <AiProgress run=run on_cancel=move || ai.cancel() />
        })}

        {boxed_on_server(move || match current.get() {
            Ok(ChallengeSlot::Shown(view)) => EitherOf4::A(view! {
                <ChallengeCard view=view on_choose=choose pending=answer.pending.into() />
            }),
            Ok(ChallengeSlot::SignedOut) | Err(AppError::Unauthorized) => EitherOf4::B(view! { <SignedOutNote /> }),
            Ok(ChallengeSlot::Empty) => EitherOf4::C(view! { <EmptyNote /> }),
            Err(e) => EitherOf4::D(view! { <p class="form-error" role="alert">{e.to_string()}</p> }),
        })}
        <FormError error=answer.error />
    }
}

#[component]
fn SignedOutNote() -> impl IntoView {
    view! {
        <div class="card empty">
            <p>"Log in to get challenges. Your answers are saved to your history."</p>
            <p><a href="/login?next=/challenge" class="button primary">"Log in"</a> " " <a href="/register?next=/challenge" class="button">"Create an account"</a></p>
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
