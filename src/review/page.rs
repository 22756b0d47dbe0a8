//! `/review`: today's cards one at a time (plain forms; `public/quiz.js` adds the keys 1–4
//! and Enter), then the outcome of each with its rating, a one-click override, and the
//! learner's note on the question.
use super::api::{AnswerReview, FlagForReview, RateReview};
use super::model::{ReviewCard, ReviewOutcome, ReviewQueue, ReviewRating, Reviewed};
use crate::error::AppError;
use crate::notes::NoteEditor;
use crate::types::QuestionId;
use crate::ui::{form_error, ChoiceButtons, Html, SignInPrompt};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// What the page shows: the queue's next card, or a card just reviewed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Screen {
    Queue(ReviewQueue),
    Reviewed(Reviewed),
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    // After a plain-form answer the address names the card (`?reviewed=12`). The queue is
    // not read then: reading it puts the next card on screen and starts its clock.
    let reviewed = use_query_map().with_untracked(|q| {
        q.get("reviewed")
            .and_then(|id| id.parse::<i64>().ok())
            .map(QuestionId)
    });
    let data = Resource::new(
        move || reviewed,
        |reviewed| {
            Box::pin(async move {
                if let Some(question) = reviewed {
                    if let Some(done) = super::api::reviewed_today(question).await? {
                        return Ok::<_, AppError>(Screen::Reviewed(done));
                    }
                }
                Ok(Screen::Queue(super::api::todays_reviews().await?))
            })
        },
    );
    let error = form_error::<AnswerReview>()
        .or_else(form_error::<RateReview>)
        .or_else(form_error::<FlagForReview>);
    view! {
        <section class="page review-page">
            <header class="page-header">
                <h1>"Review"</h1>
                <p class="muted">"Questions you missed or flagged come back on the day you are about to forget them."</p>
            </header>
            {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading your reviews…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => view! {
                        <SignInPrompt message="Log in to review the questions you missed." next="/review" />
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(Screen::Queue(queue)) => view! { <QueueView queue /> }.into_any(),
                    Ok(Screen::Reviewed(done)) => view! { <OutcomeView done /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn QueueView(queue: ReviewQueue) -> impl IntoView {
    let summary = format!(
        "{} due today · {} new {} left today",
        queue.due,
        queue.new_left,
        if queue.new_left == 1 { "card" } else { "cards" }
    );
    let waiting = (queue.new_waiting > 0).then(|| {
        format!(
            "{} new cards wait for the coming days (a few new ones a day keep reviews short).",
            queue.new_waiting
        )
    });
    let body = match queue.card {
        Some(card) => view! { <CardView card /> }.into_any(),
        None if queue.cards == 0 => view! {
            <div class="card empty" data-testid="review-empty">
                <p>"No cards yet. Questions you miss in challenges and quizzes land here, and so does any question you flag with “Review later”."</p>
                <a href="/quiz" class="button primary">"Take a quiz"</a>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="card empty" data-testid="review-done">
                <p>{format!("All done for today. Your {} cards come back when they are due.", queue.cards)}</p>
                <a href="/notes" class="button">"Your notes"</a>
            </div>
        }
        .into_any(),
    };
    view! {
        <p class="lead" data-testid="review-summary">{summary}</p>
        {waiting.map(|w| view! { <p class="muted">{w}</p> })}
        {body}
    }
}

#[component]
fn CardView(card: ReviewCard) -> impl IntoView {
    let question = card.question;
    view! {
        <article class="card challenge" data-testid="review-card" data-quiz-keys="" aria-labelledby="review-title">
            <div class="badges">
                <span class="badge">{card.topic}</span>
                <span class=format!("badge difficulty-{}", card.difficulty.as_str())>{card.difficulty.label()}</span>
                <span class="badge">{if card.is_new { "New card".to_owned() } else { card.origin.label().to_owned() }}</span>
            </div>
            <h2 id="review-title">{card.title}</h2>
            <Html html=card.stem_html class="stem" />
            <form method="post" action=AnswerReview::PATH>
                <input type="hidden" name="question" value=question.to_string() />
                <ChoiceButtons options_html=card.options_html testid="review-option" />
            </form>
            <p class="muted">"Keys: "<kbd>"1"</kbd>"–"<kbd>"4"</kbd>" answer, "<kbd>"Enter"</kbd>" goes on. Your rating follows from the answer and how long it took."</p>
        </article>
        <script type="module" src="/quiz.js" nonce=leptos::nonce::use_nonce()></script>
    }
}

#[component]
fn OutcomeView(done: Reviewed) -> impl IntoView {
    let Reviewed { outcome, note } = done;
    let question = outcome.question;
    let verdict = if outcome.correct {
        "Correct!"
    } else {
        "Not quite."
    };
    let when = match outcome.in_days {
        0 | 1 => format!("Next review tomorrow ({}).", outcome.next_day),
        n => format!("Next review in {n} days ({}).", outcome.next_day),
    };
    view! {
        <div class=if outcome.correct { "card result correct" } else { "card result wrong" } role="status" data-testid="review-verdict" data-quiz-keys="">
            <h2>{outcome.title.clone()}</h2>
            <p>
                <strong>{verdict}</strong>
                {format!(" You chose option {}; the answer is option {}. ({} s)", outcome.chosen + 1, outcome.answer_index + 1, outcome.time_ms / 1000)}
            </p>
            <details open>
                <summary>"Explanation"</summary>
                <Html html=outcome.explanation_html.clone() class="explanation" />
            </details>
        </div>
        <RatingBar outcome=outcome.clone() />
        <p data-testid="review-next-day">{when}</p>
        <p class="actions">
            <a href="/review" class="button primary" data-quiz-next="" data-testid="review-next">"Next card"</a>
        </p>
        <NoteEditor question body=note next=format!("/review?reviewed={question}") />
        <script type="module" src="/quiz.js" nonce=leptos::nonce::use_nonce()></script>
    }
}

/// The rating the card was scheduled with, and one click to choose another.
#[component]
fn RatingBar(outcome: ReviewOutcome) -> impl IntoView {
    let question = outcome.question;
    let buttons = ReviewRating::ALL
        .into_iter()
        .map(|rating| {
            let chosen = rating == outcome.rating;
            view! {
                <button type="submit" name="rating" value=rating.as_str()
                    class=if chosen { "button primary" } else { "button" }
                    aria-pressed=chosen.to_string() data-testid=format!("rate-{}", rating.as_str())>
                    {rating.label()}
                </button>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=RateReview::PATH class="card rating" aria-labelledby="rating-label">
            <input type="hidden" name="question" value=question.to_string() />
            <p id="rating-label">
                {format!("Rated {} from your answer", outcome.inferred.label())}
                {(outcome.rating != outcome.inferred).then(|| format!("; you chose {}", outcome.rating.label()))}
                ". Not right? Choose:"
            </p>
            <div class="actions" role="group" aria-label="Rating">{buttons}</div>
        </form>
    }
}

/// "Review later": puts the question in the review queue, then comes back to `next`.
#[component]
pub fn FlagButton(question: QuestionId, next: String) -> impl IntoView {
    view! {
        <form method="post" action=FlagForReview::PATH class="inline">
            <input type="hidden" name="question" value=question.to_string() />
            <input type="hidden" name="next" value=next />
            <button type="submit" class="button subtle" data-testid="flag-review">"Review later"</button>
        </form>
    }
}
