//! A challenge: its question, the four options (a plain form when JavaScript is off), and
//! once answered the verdict, the explanation and the learner's note. Keyboard focus
//! follows the learner: to the question when it appears, to the verdict once it is answered
//! (also announced).
use super::model::ChallengeView;
use crate::ui::Html;
use leptos::prelude::*;

#[component]
pub fn ChallengeCard(
    view: ChallengeView,
    on_choose: impl Fn(u8) + Copy + Send + Sync + 'static,
    pending: Signal<bool>,
) -> impl IntoView {
    let shown = view.answer.clone();
    let question = view.question;
    let answered = shown.is_some();
    let heading = NodeRef::<leptos::html::H2>::new();
    let verdict = NodeRef::<leptos::html::Div>::new();
    // Runs in the browser only, once this card is on screen.
    Effect::new(move |_| {
        if answered {
            if let Some(verdict) = verdict.get() {
                let _ = verdict.focus();
            }
        } else if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
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
            let shortcut = key.clone();
            view! {
                <li>
                    <button type="submit" name="choice" value=index.to_string() class=class
                        data-testid=format!("option-{}", i + 1) aria-keyshortcuts=shortcut
                        disabled=move || answered || pending.get()
                        on:click=move |ev| { ev.prevent_default(); on_choose(index); }>
                        <kbd class="key">{key}</kbd>
                        <span class="option-text" inner_html=html.clone()></span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let result = shown.map(|a| {
        // The note posts as a plain form and comes back to this challenge.
        let back = format!("/challenge?id={}", a.challenge_id);
        let has_note = a.note.is_some();
        let verdict_text = if a.correct { "Correct!" } else { "Not quite." };
        let key_text = format!("The answer is option {}.", a.answer_index + 1);
        view! {
            <div class=if a.correct { "result correct" } else { "result wrong" } id="result"
                role="status" aria-live="polite" tabindex="-1" node_ref=verdict data-testid="result">
                <strong>{verdict_text}</strong> " " {key_text}
            </div>
            <h3>"Explanation"</h3>
            <Html html=a.explanation_html class="explanation" />
            <details class="note-editor" open=has_note>
                <summary>"Your note"</summary>
                <form method="post" action="/api/notes/save" class="stack" data-testid="note-form">
                    <input type="hidden" name="question" value=question.to_string() />
                    <input type="hidden" name="next" value=back />
                    <textarea name="body" rows="3" required maxlength="5000" aria-label="Note (private)"
                        placeholder="What tripped you up, and how to spot it next time (only you see this)">{a.note}</textarea>
                    <button type="submit" class="button" data-testid="note-save">"Save note"</button>
                </form>
            </details>
            <p class="muted">
                {if a.correct { "" } else { "It is in your review queue. " }}
                <a href=format!("/notes?question={question}") data-testid="challenge-note">"Open in your notebook"</a>
                " · Press "<kbd>"N"</kbd>" or "<strong>"Generate"</strong>" for the next question."
            </p>
        }
    });
    view! {
        <article class="card challenge" data-testid="challenge" data-answered=answered.to_string() aria-labelledby="challenge-title">
            <div class="badges">
                <span class="badge" data-testid="challenge-topic">{view.topic.name.clone()}</span>
                <span class=format!("badge difficulty-{}", view.difficulty.as_str())>{view.difficulty.label()}</span>
                <span class="badge source" data-testid="source">{view.source.label()}</span>
            </div>
            <h2 id="challenge-title" tabindex="-1" node_ref=heading>{view.title.clone()}</h2>
            <Html html=view.stem_html.clone() class="stem" />
            <form method="post" action="/api/challenge/answer">
                <input type="hidden" name="id" value=view.id.to_string() />
                <ol class="options" aria-label="Answer options">{options}</ol>
            </form>
            {result}
        </article>
    }
}
