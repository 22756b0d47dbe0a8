//! The quiz pages: `/quiz` starts one, `/quiz/:id` shows one question at a time (plain
//! forms, so a quiz works before any script; `public/quiz.js` ticks the clocks and adds
//! the keys), `/quiz/:id/result` the score and every question.
use super::api::{PauseQuiz, ResumeQuiz, StartQuiz};
use super::model::{
    QuizAnswer, QuizClock, QuizKind, QuizResult, QuizView, Tally, MOCK_SIZES, TIME_LIMIT_MINUTES,
    TOPIC_QUIZ_SIZES,
};
use crate::error::AppError;
use crate::notes::NoteEditor;
use crate::review::FlagButton;
use crate::types::{Difficulty, QuizId};
use crate::ui::{form_error, ChoiceButtons, Html, SignInPrompt};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

fn signed_out() -> AnyView {
    view! { <SignInPrompt message="Log in to take a quiz." next="/quiz" /> }.into_any()
}

/// "4:05", or "1:02:03" past an hour.
pub fn clock_text(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[component]
pub fn QuizStartPage() -> impl IntoView {
    let error = form_error::<StartQuiz>();
    let topics = Resource::new(
        || (),
        |_| {
            Box::pin(async {
                let topics = crate::topics::api::my_topics().await?;
                let defaults = crate::plan::api::quiz_defaults().await?;
                Ok::<_, AppError>((topics, defaults))
            })
        },
    );
    view! {
        <section class="page">
            <header class="page-header">
                <h1>"Quiz"</h1>
                <p class="muted">"A daily round of your topics, a topic drill, or a timed mock interview."</p>
            </header>
            {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading…"</div> }>
                {move || topics.get().map(|result| match result {
                    Err(AppError::Unauthorized) => signed_out(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok((data, defaults)) => {
                        let practicable: Vec<_> = data.topics.into_iter().filter(|t| t.questions > 0).collect();
                        view! { <QuizChoices topics=practicable defaults /> }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn QuizChoices(
    topics: Vec<crate::topics::model::TopicSetting>,
    defaults: crate::plan::model::QuizDefaults,
) -> impl IntoView {
    let topic_options = topics
        .into_iter()
        .map(|t| view! { <option value=t.slug.to_string()>{t.name}</option> })
        .collect_view();
    let difficulty_options = Difficulty::ALL
        .into_iter()
        .map(|d| view! { <option value=d.as_str() selected=defaults.difficulty == Some(d)>{d.label()}</option> })
        .collect_view();
    let daily_size = defaults
        .daily_goal
        .unwrap_or(super::model::DEFAULT_DAILY_GOAL);
    let daily_text = format!(
        "One question from each of your active topics, highest priority first: {daily_size} a day, the same quiz all day."
    );
    view! {
        <div class="quiz-choices">
            <form method="post" action=StartQuiz::PATH class="card stack" aria-labelledby="daily-title">
                <h2 id="daily-title">{QuizKind::Daily.label()}</h2>
                <p class="muted">{daily_text}</p>
                <input type="hidden" name="kind" value="daily" />
                <button type="submit" class="button primary" data-testid="start-daily">"Start today's quiz"</button>
                <p class="muted"><a href="/topics">"Choose your topics"</a></p>
            </form>
            <form method="post" action=StartQuiz::PATH class="card stack" aria-labelledby="topic-title">
                <h2 id="topic-title">{QuizKind::Topic.label()}</h2>
                <input type="hidden" name="kind" value="topic" />
                <label for="quiz-topic">"Topic"</label>
                <select id="quiz-topic" name="topic" required>{topic_options}</select>
                <label for="quiz-difficulty">"Difficulty"</label>
                <select id="quiz-difficulty" name="difficulty">
                    <option value="mixed">"Mixed"</option>
                    {difficulty_options}
                </select>
                <label for="quiz-count">"Questions"</label>
                <input id="quiz-count" name="count" type="number" required value="10"
                    min=TOPIC_QUIZ_SIZES.start().to_string() max=TOPIC_QUIZ_SIZES.end().to_string() />
                <label class="check" for="quiz-timed">
                    <input type="checkbox" id="quiz-timed" name="timed" value="true" checked=defaults.timer_minutes.is_some() />
                    "Timed"
                </label>
                <label for="quiz-minutes">"Minutes (when timed)"</label>
                <input id="quiz-minutes" name="minutes" type="number" value=defaults.timer_minutes.unwrap_or(15).to_string()
                    min=TIME_LIMIT_MINUTES.start().to_string() max=TIME_LIMIT_MINUTES.end().to_string() />
                <button type="submit" class="button primary" data-testid="start-topic">"Start topic quiz"</button>
            </form>
            <form method="post" action=StartQuiz::PATH class="card stack" aria-labelledby="mock-title">
                <h2 id="mock-title">{QuizKind::Mock.label()}</h2>
                <p class="muted">"Mixed topics and difficulties against the clock. Topic, difficulty and answers stay hidden until the end, as in the real thing."</p>
                <input type="hidden" name="kind" value="mock" />
                <label for="mock-count">"Questions"</label>
                <input id="mock-count" name="count" type="number" required value="10"
                    min=MOCK_SIZES.start().to_string() max=MOCK_SIZES.end().to_string() />
                <label for="mock-minutes">"Minutes"</label>
                <input id="mock-minutes" name="minutes" type="number" required value="20"
                    min=TIME_LIMIT_MINUTES.start().to_string() max=TIME_LIMIT_MINUTES.end().to_string() />
                <button type="submit" class="button primary" data-testid="start-mock">"Start mock interview"</button>
            </form>
        </div>
    }
}

/// The quiz in the address, or the words that say it is not one.
fn quiz_id_param() -> Result<QuizId, AppError> {
    use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|id| id.parse::<i64>().ok())
        .map(QuizId)
        .ok_or_else(|| AppError::NotFound("Quiz".into()))
}

#[component]
pub fn QuizPage() -> impl IntoView {
    let id = quiz_id_param();
    // After a plain-form answer the address names it (`?answered=2&choice=1`), to show
    // its verdict above the next question.
    let answered =
        use_query_map().with_untracked(|q| q.get("answered").and_then(|p| p.parse::<u16>().ok()));
    let data = Resource::new(
        move || (id.clone(), answered),
        |(id, answered)| {
            Box::pin(async move {
                let id = id?;
                let view = super::api::view_quiz(id).await?;
                let last = match answered {
                    Some(position) => super::api::quiz_answered(id, position).await.ok().flatten(),
                    None => None,
                };
                Ok::<_, AppError>((view, last))
            })
        },
    );
    let error = form_error::<super::api::AnswerQuiz>()
        .or_else(form_error::<PauseQuiz>)
        .or_else(form_error::<ResumeQuiz>);
    view! {
        <section class="page quiz-page">
            {error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading the quiz…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => signed_out(),
                    Err(e) => {
                        crate::ui::use_error_status(&e);
                        view! {
                            <div class="card empty">
                                <p role="alert">{e.to_string()}</p>
                                <a href="/quiz" class="button">"Start a quiz"</a>
                            </div>
                        }.into_any()
                    }
                    Ok((view, last)) => view! { <QuizScreen view last /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn QuizScreen(view: QuizView, last: Option<QuizAnswer>) -> impl IntoView {
    let id = view.id;
    let header = view! {
        <header class="page-header quiz-header">
            <h1>{view.kind.label()}</h1>
            <p class="muted" data-testid="quiz-progress">
                {match &view.question {
                    Some(q) => format!("Question {} of {}", q.position + 1, view.count),
                    None => format!("{} of {} answered", view.answered, view.count),
                }}
            </p>
        </header>
    };
    let reveal = last.map(|a| view! { <LastAnswer answer=a /> });
    let paused = view.clock.paused;
    let going = view.question.is_some() || paused;
    let body = match view.question {
        None if paused => view! {
            <div class="card empty" data-testid="quiz-paused">
                <p>"Paused. Both clocks have stopped; the question is hidden until you resume."</p>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="card empty" data-testid="quiz-finished">
                <p>{if view.clock.total_left_ms == Some(0) { "Time is up: the quiz has ended." } else { "The quiz is complete." }}</p>
                <a href=format!("/quiz/{id}/result") class="button primary" data-quiz-next="" data-testid="see-result">"See the result"</a>
            </div>
        }
        .into_any(),
        Some(question) => {
            view! {
                <article class="card challenge" data-testid="quiz-question" aria-labelledby="quiz-question-title">
                    <div class="badges">
                        {question.topic.map(|t| view! { <span class="badge">{t}</span> })}
                        {question.difficulty.map(|d| view! { <span class=format!("badge difficulty-{}", d.as_str())>{d.label()}</span> })}
                    </div>
                    <h2 id="quiz-question-title">{question.title}</h2>
                    <Html html=question.stem_html class="stem" />
                    <form method="post" action=super::api::AnswerQuiz::PATH>
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="position" value=question.position.to_string() />
                        <ChoiceButtons options_html=question.options_html testid="quiz-option" />
                    </form>
                    <p class="muted">"Keys: "<kbd>"1"</kbd>"–"<kbd>"4"</kbd>" answer, "<kbd>"P"</kbd>" pauses."</p>
                </article>
            }
            .into_any()
        }
    };
    let controls = going.then(|| {
        view! {
            <div class="quiz-bar">
                <QuizClockView clock=view.clock />
                {if paused {
                    view! {
                        <form method="post" action=ResumeQuiz::PATH class="inline">
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="button primary" data-quiz-pause="" data-quiz-next="" data-testid="quiz-resume">"Resume"</button>
                        </form>
                    }.into_any()
                } else {
                    view! {
                        <form method="post" action=PauseQuiz::PATH class="inline">
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="button" data-quiz-pause="" data-testid="quiz-pause">"Pause"</button>
                        </form>
                    }.into_any()
                }}
            </div>
        }
    });
    // Each part boxed: as one type the page nests too deep for the compiler.
    view! {
        {header.into_any()}
        {controls.map(IntoAny::into_any)}
        {reveal.map(IntoAny::into_any)}
        {body}
    }
}

/// The verdict on the previous question (after a plain form; a mock shows none).
#[component]
fn LastAnswer(answer: QuizAnswer) -> impl IntoView {
    answer.reveal.map(|r| {
        let text = if r.correct { "Correct!" } else { "Not quite." };
        view! {
            <div class=if r.correct { "card result correct" } else { "card result wrong" } role="status" data-testid="quiz-verdict">
                <p><strong>{text}</strong>{format!(" Question {}: the answer is option {}.", answer.position + 1, r.answer_index + 1)}</p>
                <details>
                    <summary>"Explanation"</summary>
                    <Html html=r.explanation_html class="explanation" />
                </details>
            </div>
        }
    })
}

/// The two clocks as the server read them; `/quiz.js` ticks them and adds the keys.
#[component]
fn QuizClockView(clock: QuizClock) -> impl IntoView {
    let question = clock_text(clock.question_ms);
    view! {
        <dl class="quiz-clock" aria-label="Time" data-quiz-clock=""
            data-left-ms=clock.total_left_ms.map(|ms| ms.to_string())
            data-question-ms=clock.question_ms.to_string()
            data-paused=clock.paused.to_string()>
            {clock.total_left_ms.map(|ms| view! {
                <div><dt>"Time left"</dt><dd data-quiz-left="" data-testid="quiz-time-left">{clock_text(ms)}</dd></div>
            })}
            <div><dt>"This question"</dt><dd data-quiz-question="" data-testid="quiz-question-time">{question}</dd></div>
        </dl>
        <script type="module" src="/quiz.js" nonce=leptos::nonce::use_nonce()></script>
    }
}

#[component]
pub fn QuizResultPage() -> impl IntoView {
    let id = quiz_id_param();
    let data = Resource::new(
        move || id.clone(),
        |id| Box::pin(async move { super::api::get_quiz_result(id?).await }),
    );
    view! {
        <section class="page">
            <Suspense fallback=|| view! { <div class="card skeleton" aria-busy="true">"Loading the result…"</div> }>
                {move || data.get().map(|result| match result {
                    Err(AppError::Unauthorized) => signed_out(),
                    Err(e) => {
                        crate::ui::use_error_status(&e);
                        view! {
                            <div class="card empty">
                                <p role="alert">{e.to_string()}</p>
                                <a href="/quiz" class="button">"Start a quiz"</a>
                            </div>
                        }.into_any()
                    }
                    Ok(result) => view! { <ResultView result /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ResultView(result: QuizResult) -> impl IntoView {
    let quiz = result.id;
    let percent = (u32::from(result.correct) * 100)
        .checked_div(u32::from(result.count))
        .unwrap_or(0);
    let items = result
        .items
        .into_iter()
        .map(|item| {
            let options = item
                .options_html
                .iter()
                .enumerate()
                .map(|(i, html)| {
                    let i = i as u8;
                    let class = if i == item.answer_index {
                        "option correct"
                    } else if item.chosen == Some(i) {
                        "option wrong"
                    } else {
                        "option dimmed"
                    };
                    let note = if i == item.answer_index {
                        " (the answer)"
                    } else if item.chosen == Some(i) {
                        " (your choice)"
                    } else {
                        ""
                    };
                    view! { <li class=class><span inner_html=html.clone()></span><span class="sr-only">{note}</span></li> }
                })
                .collect_view();
            let verdict = match (item.chosen, item.correct) {
                (None, _) => "Not answered (counted as wrong)",
                (_, true) => "Correct",
                (_, false) => "Wrong",
            };
            view! {
                <li class="card result-item" id=format!("item-{}", item.position + 1) data-testid="result-item">
                    <div class="badges">
                        <span class="badge">{item.topic}</span>
                        <span class=format!("badge difficulty-{}", item.difficulty.as_str())>{item.difficulty.label()}</span>
                        <span class=if item.correct { "outcome correct" } else { "outcome wrong" }>{verdict}</span>
                        {item.time_ms.map(|ms| view! { <span class="muted">{clock_text(ms)}</span> })}
                    </div>
                    <h3>{format!("{}. {}", item.position + 1, item.title)}</h3>
                    <Html html=item.stem_html class="stem" />
                    <ol class="options static">{options}</ol>
                    <details>
                        <summary>"Explanation"</summary>
                        <Html html=item.explanation_html class="explanation" />
                    </details>
                    <ItemFollowUp question=item.question note=item.note in_review=item.in_review
                        back=format!("/quiz/{quiz}/result#item-{}", item.position + 1) />
                </li>
            }
        })
        .collect_view();
    view! {
        <header class="page-header">
            <h1>{format!("{} result", result.kind.label())}</h1>
            <p class="lead" data-testid="quiz-score">{format!("{} of {} correct ({percent}%)", result.correct, result.count)}</p>
            {result.timed_out.then(|| view! { <p class="muted">"The time ran out; unanswered questions count as wrong."</p> })}
        </header>
        <div class="tallies">
            <TallyTable caption="By topic" column="Topic" tallies=result.by_topic />
            <TallyTable caption="By difficulty" column="Difficulty" tallies=result.by_difficulty />
        </div>
        <ol class="result-items" aria-label="Questions">{items}</ol>
        <p class="actions"><a href="/quiz" class="button primary">"Another quiz"</a> <a href="/history" class="button">"History"</a></p>
    }
}

/// Under a result's question: whether it comes back in reviews (or a way to ask for it),
/// and the learner's note on it.
#[component]
fn ItemFollowUp(
    question: crate::types::QuestionId,
    note: Option<String>,
    in_review: bool,
    back: String,
) -> impl IntoView {
    let review = if in_review {
        view! { <p class="muted" data-testid="in-review">"In your review queue: it comes back when it is due."</p> }.into_any()
    } else {
        view! { <FlagButton question next=back.clone() /> }.into_any()
    };
    view! {
        {review}
        <NoteEditor question body=note next=back />
    }
}

#[component]
fn TallyTable(caption: &'static str, column: &'static str, tallies: Vec<Tally>) -> impl IntoView {
    let rows = tallies
        .into_iter()
        .map(|t| view! { <tr><th scope="row">{t.label}</th><td>{format!("{} / {}", t.correct, t.count)}</td></tr> })
        .collect_view();
    view! {
        <table class="tally">
            <caption>{caption}</caption>
            <thead><tr><th scope="col">{column}</th><th scope="col">"Correct"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_text_reads_like_a_clock() {
        assert_eq!(super::clock_text(0), "0:00");
        assert_eq!(super::clock_text(65_400), "1:05");
        assert_eq!(super::clock_text(3_723_000), "1:02:03");
    }
}
